"""The peer: django-import-export importing the file's assign rows (it has no notion of the
other actions) into an equivalent model, with ForeignKey look-ups by email and License ID.

python -m benchmarks.peer FILE   (run in its own process by peer_vs_plm)
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_peer(path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.peer_settings"
    import django

    django.setup()
    import tablib
    from django.core.management import call_command
    from import_export import fields, resources, widgets

    from benchmarks.generate import LICENSES
    from benchmarks.peer_app.models import Holding, License, Person

    call_command("migrate", verbosity=0, run_syncdb=True)
    users = {line.split(",")[1] for line in open(ROOT / "benchmarks/work/data-100000/person.csv")}
    Person.objects.bulk_create([Person(email=e) for e in users if "@" in e])
    License.objects.bulk_create([License(license_id=lid, seats=10**6) for lid in LICENSES])

    class HoldingResource(resources.ModelResource):
        person = fields.Field(
            attribute="person",
            column_name="Username",
            widget=widgets.ForeignKeyWidget(Person, "email"),
        )
        license = fields.Field(
            attribute="license",
            column_name="License ID",
            widget=widgets.ForeignKeyWidget(License, "license_id"),
        )

        class Meta:
            model = Holding
            fields = ("person", "license")
            import_id_fields = ("person", "license")
            skip_unchanged = True

    data = tablib.Dataset(headers=["Username", "License ID"])
    with open(path, encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            username, action, license_id = line.rstrip("\r\n").split(",")
            if action == "assign" and "@" in username:
                data.append([username, license_id])
    start = time.perf_counter()
    HoldingResource().import_data(data, dry_run=False, raise_errors=False, use_transactions=True)
    print(f"{len(data)} {time.perf_counter() - start:.3f}")


def peer_vs_plm(n: int) -> list[dict[str, object]]:
    """Time the peer once on the assign rows of the n-row file, next to plm on the whole file."""
    from benchmarks.run import WORK

    path = WORK / f"data-{n}" / "licenses.csv"
    db = Path("/tmp/peer-bench.sqlite3")
    db.unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.peer", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, PEER_DB=str(db)),
    ).stdout
    rows, seconds = out.split()
    row = {
        "db": "sqlite",
        "n": int(rows),
        "task": "django-import-export (peer)",
        "seconds_min": float(seconds),
        "seconds_median": float(seconds),
        "rows_per_s": int(int(rows) / float(seconds)),
        "floor_min": None,
        "ratio_to_floor": None,
        "peak_rss_mb": None,
        "floor_rss_mb": None,
        "note": "assign rows by email only; measured once",
    }
    print(
        f"peer: django-import-export imported {rows} assign rows in {float(seconds):.1f}s",
        flush=True,
    )
    db.unlink(missing_ok=True)
    return [row]


if __name__ == "__main__":
    run_peer(sys.argv[1])
