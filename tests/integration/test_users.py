"""plm users import / export / list / grant-sysadmin / set-password."""

from plm.audit.models import AuditEvent
from plm.directory.models import RoleGrant, User
from tests.builders import make_org, make_user, plm, write_csv

HEADER = (
    "User-Name,Email,First-Name,Last-Name,Active,Organization-Name-1,Organization-Role-Name-1,"
    "Organization-Name-2,Organization-Role-Name-2\n"
)


def import_users(tmp_path, text: str, *args: str):
    return plm("users", "import", str(write_csv(tmp_path / "person.csv", text)), "--json", *args)


def roles_of(username: str) -> set[tuple[str, str]]:
    return set(
        RoleGrant.objects.filter(user__username=username).values_list("organization__name", "role")
    )


def test_users_are_created_then_updated_then_unchanged(db, tmp_path) -> None:
    make_org("Science")
    text = HEADER + "ann,ann@x.edu,Ann,Lee,yes,Science,Academic Staff,science,License Manager\n"
    run = import_users(tmp_path, text)
    assert run.code == 0 and run.json["results"][0]["code"] == "created"
    assert roles_of("ann") == {("Science", "Academic Staff"), ("Science", "License Manager")}
    assert import_users(tmp_path, text).json["results"][0]["code"] == "unchanged"
    updated = import_users(
        tmp_path, text.replace("Lee", "Leigh").replace(",science,License Manager", ",,")
    )
    assert updated.json["results"][0]["code"] == "updated"
    user = User.objects.get(username="ann")
    assert user.last_name == "Leigh" and roles_of("ann") == {("Science", "Academic Staff")}
    result = updated.json["results"][0]
    assert (result["action"], result["license_id"], result["outcome"]) == ("", "", "applied")
    assert AuditEvent.objects.filter(action__startswith="user_").count() == 2


def test_absent_columns_leave_fields_alone_and_empty_cells_clear_them(db, tmp_path) -> None:
    org = make_org("Arts")
    make_user("bob", "bob@x.edu", roles=[(org, "Academic Staff")])
    User.objects.filter(username="bob").update(first_name="Bob")
    import_users(tmp_path, "User-Name,Email\nbob,bob2@x.edu\n")
    bob = User.objects.get(username="bob")
    assert (bob.email, bob.first_name, roles_of("bob")) == (
        "bob2@x.edu",
        "Bob",
        {("Arts", "Academic Staff")},
    )
    import_users(tmp_path, "User-Name,First-Name\nbob,\n")
    assert User.objects.get(username="bob").first_name == ""


def test_users_import_row_errors(db, tmp_path) -> None:
    make_org("Science")
    make_user("owner", "taken@x.edu")
    run = import_users(
        tmp_path,
        HEADER
        + "\n".join(
            [
                ",a@x.edu,,,,,,,",
                "b,b@x.edu,,,maybe,,,,",
                "c,c@x.edu,,,,Nowhere,Academic Staff,,",
                "d,d@x.edu,,,,Science,Dean,,",
                "e,taken@x.edu,,,,,,,",
                "f,f@x.edu,,,,Science,,,",
            ]
        )
        + "\n",
    )
    assert run.code == 3
    assert [r["code"] for r in run.json["results"]] == [
        "missing_username",
        "invalid_active",
        "org_not_found",
        "invalid_role",
        "email_conflict",
        "invalid_role",
    ]
    assert User.objects.count() == 1


def test_users_import_without_user_name_column_is_fatal(db, tmp_path) -> None:
    run = import_users(tmp_path, "Email\na@x.edu\n")
    assert run.code == 2 and run.json["error"]["code"] == "missing_column"


def test_users_import_dry_run_changes_nothing(db, tmp_path) -> None:
    make_org("Science")
    run = import_users(
        tmp_path,
        HEADER + "ann,ann@x.edu,,,,Science,Academic Staff,,\n"
        "ann,ann@x.edu,,,,Science,Academic Staff,,\n",
        "--dry-run",
    )
    assert [r["code"] for r in run.json["results"]] == ["created", "unchanged"]
    assert User.objects.count() == 0


def test_an_email_freed_earlier_in_the_file_can_be_taken_later(db, tmp_path) -> None:
    make_user("a", "old@x.edu")
    run = import_users(tmp_path, "User-Name,Email\na,new@x.edu\nb,old@x.edu\n")
    assert [r["code"] for r in run.json["results"]] == ["updated", "created"]


def test_users_export_then_import_changes_nothing(db, tmp_path) -> None:
    top = make_org("University")
    sci = make_org("Science", top)
    make_user(
        "ann",
        "ann@x.edu",
        roles=[(sci, "Academic Staff"), (sci, "Administrator"), (top, "Scheduler")],
    )
    make_user("=evil", "", active=False)
    make_user("stud", "stud@x.edu")
    out = tmp_path / "person.csv"
    assert plm("users", "export", "-o", str(out)).code == 0
    text = out.read_bytes().decode("utf-8")
    assert text.startswith(
        "\ufeffUser-Name,Email,First-Name,Last-Name,Active,Organization-Name-1,"
        "Organization-Role-Name-1,Organization-Name-2,Organization-Role-Name-2,"
        "Organization-Name-3,Organization-Role-Name-3\r\n"
    )
    assert "'=evil,,,,no" in text
    run = plm("users", "import", str(out), "--json")
    assert {r["code"] for r in run.json["results"]} == {"unchanged"}


def test_users_list_filters_by_kind_and_text(db) -> None:
    org = make_org("Science")
    make_user("ann", "ann@x.edu", roles=[(org, "Academic Staff")])
    make_user("stud", "stud@x.edu")
    staff = plm("users", "list", "--kind", "staff", "--json").json
    assert [u["username"] for u in staff] == ["ann"]
    assert staff[0]["roles"] == [{"organization": "Science", "role": "Academic Staff"}]
    assert [u["username"] for u in plm("users", "list", "--q", "STUD", "--json").json] == ["stud"]
    assert plm("users", "list", "--kind", "teachers").code == 2


def test_usernames_and_emails_are_unique_ignoring_case(db, tmp_path) -> None:
    make_user("Ann", "Ann@X.edu")
    run = import_users(tmp_path, "User-Name,Email\nANN,Ann@X.edu\n")
    assert run.json["results"][0]["code"] == "unchanged"
    assert User.objects.count() == 1


def test_grant_sysadmin_and_set_password(db) -> None:
    make_user("root", "root@x.edu")
    assert plm("users", "grant-sysadmin", "root@x.edu").code == 0
    assert User.objects.get(username="root").is_superuser
    assert (
        plm("users", "set-password", "root", "--password-stdin", input="correct horse\n").code == 0
    )
    assert User.objects.get(username="root").check_password("correct horse")
    short = plm("users", "set-password", "root", "--password-stdin", input="short\n")
    assert short.code == 2 and "12 characters" in short.stderr
    assert plm("users", "grant-sysadmin", "nobody").code == 2


def test_decomposed_and_composed_names_are_one_user_and_one_organization(db, tmp_path) -> None:
    from plm.directory.models import Organization, User

    decomposed = "Zoe\u0308"  # Zoë as pasted from macOS
    assert plm("orgs", "add", "Fa\u0301culty").code == 0  # Fáculty, decomposed
    path = tmp_path / "person.csv"
    path.write_text(
        "User-Name,Email,Organization-Name-1,Organization-Role-Name-1\n"
        f"{decomposed},zoe@example.edu,F\u00e1culty,Academic Staff\n",
        encoding="utf-8",
    )
    run = plm("users", "import", str(path), "--json")
    assert run.code == 0, run.stdout
    user = User.objects.get()
    assert user.username == "Zo\u00eb" and Organization.objects.get().name == "F\u00e1culty"
    # Typed decomposed and in capitals on another face: the same user.
    assert plm("assign", "ZOE\u0308", "--json").json["code"] == "no_license_available"
