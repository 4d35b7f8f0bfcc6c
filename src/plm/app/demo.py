"""The demo set for `make run`: an organization tree, staff and students with roles, licenses
(one expired) and some assignments — loaded through the same imports as real files."""

import io
import random
import secrets
from datetime import timedelta

from plm.app.imports import bytes_opener, import_run
from plm.app.policies import PolicyInput, policy_add
from plm.clock import today
from plm.core.people import person_header
from plm.core.text import fold
from plm.core.writer import LICENSES_HEADER, write_csv
from plm.directory.actors import Actor, system_actor
from plm.directory.models import Organization, User
from plm.directory.orgs import org_add
from plm.directory.users import check_password, user_grant_sysadmin, user_set_password
from plm.licensing.licenses import license_add
from plm.licensing.models import License

ADMIN = "admin"
TREE = {
    "University": None,
    "Faculty of Science": "University",
    "Physics": "Faculty of Science",
    "Chemistry": "Faculty of Science",
    "Faculty of Arts": "University",
    "History": "Faculty of Arts",
    "Music": "Faculty of Arts",
    "Faculty of Medicine": "University",
    "Library": "University",
}
DEPARTMENTS = ["Physics", "Chemistry", "History", "Music", "Faculty of Medicine", "Library"]
FIRST = [
    "Ada",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kofi",
    "Lena",
    "Mia",
    "Noor",
    "Omar",
    "Pia",
    "Quinn",
    "Ravi",
    "Sara",
    "Tom",
    "Uma",
    "Vic",
    "Wen",
    "Yara",
]
LAST = [
    "Smith",
    "Garcia",
    "Nguyen",
    "Okafor",
    "Müller",
    "Rossi",
    "Tanaka",
    "Kowalski",
    "Silva",
    "Haddad",
    "Jensen",
    "Murphy",
    "Dubois",
    "Novak",
    "Khan",
    "Larsen",
]


def _csv(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    write_csv(buffer, header, rows)
    return buffer.getvalue().encode("utf-8")


def _people(rng: random.Random) -> list[list[str]]:
    rows = [
        [
            ADMIN,
            "admin@example.edu",
            "Demo",
            "Administrator",
            "yes",
            "University",
            "Administrator",
            "University",
            "License Manager",
        ],
        [
            "mgr.arts",
            "mgr.arts@example.edu",
            "Arts",
            "Manager",
            "yes",
            "Faculty of Arts",
            "Administrator",
            "Faculty of Arts",
            "License Manager",
        ],
        [
            "lm.science",
            "lm.science@example.edu",
            "Science",
            "Viewer",
            "yes",
            "Faculty of Science",
            "License Manager",
            "",
            "",
        ],
    ]
    for n in range(260):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first.lower()}.{last.lower().replace('ü', 'u')}{n}"
        dept = rng.choice(DEPARTMENTS)
        role = "Academic Staff" if n % 12 else rng.choice(["Scheduler", "A/V Technician"])
        active = "no" if n % 37 == 5 else "yes"
        rows.append([name, f"{name}@example.edu", first, last, active, dept, role, "", ""])
    for n in range(150):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"s{n:04}.{last.lower().replace('ü', 'u')}"
        rows.append([name, f"{name}@students.example.edu", first, last, "yes", "", "", "", ""])
    return rows


def load_demo(*, actor: Actor | None = None, seed: int = 2013, password: str | None = None) -> str:
    """Load the demo set once; always (re)set the demo administrator's password and say it
    (audited, as every change the demo makes, under `actor`)."""
    if password:  # unset or empty: a generated one, 16 random characters, which passes
        check_password(password, User(username=ADMIN))
    rng = random.Random(seed)
    actor = actor or system_actor()
    if not User.objects.filter(username_key=ADMIN).exists():
        for name, parent in TREE.items():
            if not Organization.objects.filter(name_key=fold(name)).exists():
                org_add(actor=actor, name=name, parent=parent)
        people = _csv(person_header(2), _people(rng))
        import_run(
            actor=actor, kind="users", opener=bytes_opener(people), file_name="demo person.csv"
        )
        on = today()
        for license_id, seats, expires, name in [
            ("ID 2024-08-01-000123", 120, on + timedelta(days=400), "Campus-wide 2024"),
            ("ID 2025-01-15-000456", 40, on + timedelta(days=20), "Faculty of Science"),
            ("ID 2025-06-30-000789", 15, None, "Library pilot"),
            ("ID 2019-07-05-012345", 50, on - timedelta(days=200), "Legacy (expired)"),
        ]:
            if not License.objects.filter(license_id=license_id).exists():
                license_add(
                    actor=actor, license_id=license_id, seats=seats, expires=expires, name=name
                )
        staff = list(
            User.objects.filter(roles__role="Academic Staff", is_active=True)
            .order_by("username_key")
            .values_list("email", flat=True)[:70]
        )
        rows = [[email, "assign", "ID 2024-08-01-000123"] for email in staff[:45]]
        rows += [[email, "autoassign", ""] for email in staff[45:]]
        assignments = _csv(LICENSES_HEADER, rows)
        import_run(actor=actor, opener=bytes_opener(assignments), file_name="demo licenses.csv")
        # A paused policy to look at (Policies): preview it, then enable it.
        policy_add(
            actor=actor,
            data=PolicyInput(
                name="Library staff",
                organization="Library",
                licenses=["ID 2025-06-30-000789"],
                enabled=False,
            ),
        )
    password = password or secrets.token_urlsafe(12)
    if not User.objects.get(username_key=ADMIN).is_superuser:
        user_grant_sysadmin(actor=actor, username=ADMIN)
    user_set_password(actor=actor, username=ADMIN, password=password)
    return (
        f"Demo data ready: {User.objects.count()} users, {License.objects.count()} licenses.\n"
        f"Log in as '{ADMIN}' with password '{password}'."
    )
