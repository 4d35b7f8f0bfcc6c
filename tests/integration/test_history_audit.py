"""plm imports list / show / purge and plm audit."""

import csv
import io
from datetime import timedelta

from plm.audit.models import AuditEvent
from plm.imports.models import Import, ImportRow
from tests.builders import plm, write_csv
from tests.integration.conftest import L2


def test_imports_list_and_show_return_the_import_object(campus, tmp_path) -> None:
    path = write_csv(
        tmp_path / "f.csv", f"Username,Action,License ID\nann,assign,{L2}\nx,assign,{L2}\n"
    )
    first = plm("import", str(path), "--json").json
    listed = plm("imports", "list", "--json").json
    assert [(j["import_id"], j["status"], j["file_name"], j["rows"]) for j in listed] == [
        (first["import_id"], "completed", "f.csv", 2)
    ]
    assert "results" not in listed[0]
    shown = plm("imports", "show", str(first["import_id"]), "--json").json
    assert shown == first
    missing = plm("imports", "show", "999", "--json")
    assert missing.code == 2 and missing.json["error"]["code"] == "import_not_found"


def test_purge_drops_old_row_results_keeps_imports_and_audit_and_is_audited(
    campus, tmp_path
) -> None:
    path = write_csv(tmp_path / "f.csv", f"Username,Action,License ID\nann,assign,{L2}\n")
    job_id = plm("import", str(path), "--json").json["import_id"]
    Import.objects.filter(pk=job_id).update(
        created_at=Import.objects.get(pk=job_id).created_at - timedelta(days=40)
    )
    assert plm("imports", "purge", "--older-than", "30").code == 0
    assert ImportRow.objects.count() == 0 and Import.objects.count() == 1
    purge = AuditEvent.objects.get(action="import_purge")  # one event per import purged
    assert (purge.import_id, purge.source) == (job_id, "cli")
    assert purge.detail == "row results and upload dropped (older than 30 days)"
    assert AuditEvent.objects.filter(action="assign").count() == 1
    assert plm("imports", "purge").code == 2  # no retention configured


def test_audit_json_and_csv(campus, tmp_path) -> None:
    plm("assign", "ann", L2)
    plm("revoke", "ann", L2)
    events = plm("audit", "--json", "--user", "ann").json
    assert [
        (e["action"], e["username"], e["license_id"], e["actor"], e["source"]) for e in events
    ] == [("assign", "ann", L2, "system", "cli"), ("revoke", "ann", L2, "system", "cli")]
    assert events[0]["at"].endswith("Z")
    rows = list(
        csv.reader(io.StringIO(plm("audit", "--csv", "--license", L2).stdout.lstrip("\ufeff")))
    )
    assert rows[0] == [
        "At",
        "Actor",
        "Source",
        "Import",
        "Row",
        "Action",
        "Username",
        "License ID",
        "Detail",
    ]
    assert [r[5] for r in rows[1:]] == ["assign", "revoke"]


def test_audit_and_result_ids_keep_rising_without_a_sequence_write_per_row(
    campus, tmp_path
) -> None:
    """Audit events and result rows take the largest id + 1 (plm/fields.py, LogId): in order,
    after a purge too, and on SQLite with no sqlite_sequence row to rewrite per insert; the
    assignments keep theirs (bulk.change_count reads it)."""
    from django.db import connection

    first = write_csv(tmp_path / "a.csv", f"Username,Action,License ID\nann,assign,{L2}\n")
    old = plm("import", str(first), "--json").json["import_id"]
    Import.objects.filter(pk=old).update(
        created_at=Import.objects.get(pk=old).created_at - timedelta(days=40)
    )
    assert plm("imports", "purge", "--older-than", "30").code == 0
    second = write_csv(
        tmp_path / "b.csv",
        f"Username,Action,License ID\nann,revoke,{L2}\nbob,assign,{L2}\nann,assign,{L2}\n",
    )
    new = plm("import", str(second), "--json").json["import_id"]
    events = list(AuditEvent.objects.order_by("id").values_list("import_id", "row", "action"))
    assert events == [
        (old, 2, "assign"),
        (old, None, "import_purge"),
        (new, 2, "revoke"),
        (new, 3, "assign"),
        (new, 4, "assign"),
    ]
    seqs = list(ImportRow.objects.filter(job_id=new).order_by("id").values_list("seq", flat=True))
    assert seqs == sorted(seqs) and len(seqs) == 3
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_sequence")
            sequences = {name for (name,) in cursor.fetchall()}
        assert "licensing_assignment" in sequences
        assert not sequences & {"audit_auditevent", "imports_importrow"}


def test_an_organization_added_is_audited_with_who_and_where(campus) -> None:
    assert plm("orgs", "add", "Chemistry", "--parent", "Science").code == 0
    event = AuditEvent.objects.get(action="org_add")
    assert (event.source, event.detail) == ("cli", "'Chemistry' under 'Science'")
    assert event.actor


def test_cancelling_an_import_is_audited_with_who_asked_and_what_it_did(campus) -> None:
    from plm.app.imports import import_cancel
    from plm.core.codes import Status
    from plm.directory.actors import system_actor
    from plm.imports.records import job_create

    actor = system_actor("web")
    queued, running = (
        job_create(
            kind="licenses",
            source="api",
            as_user="mgr",
            file_name="f.csv",
            dry_run=False,
            status=status,
        )
        for status in (Status.QUEUED, Status.RUNNING)
    )
    for job in (queued, running):
        import_cancel(actor=actor, import_id=job.pk)
    events = AuditEvent.objects.filter(action="import_cancel").order_by("id")
    assert [(e.actor, e.source, e.import_id, e.detail) for e in events] == [
        (actor.name, "web", queued.pk, "cancelled before it ran"),
        (actor.name, "web", running.pk, "asked to stop after its current batch"),
    ]


def test_a_users_import_records_each_user_s_names_in_its_event(campus, tmp_path) -> None:
    header = "User-Name,Email,First-Name,Last-Name,Organization-Name-1,Organization-Role-Name-1\n"
    for last in ("Lovelace", "King"):
        path = write_csv(
            tmp_path / "p.csv", header + f"ada,ada@x.edu,Ada,{last},Arts,Academic Staff\n"
        )
        assert plm("users", "import", str(path)).code == 0
    details = list(
        AuditEvent.objects.filter(username="ada").order_by("id").values_list("action", "detail")
    )
    assert details == [
        (
            "user_create",
            "first='Ada' last='Lovelace' email='ada@x.edu' active=True "
            "roles=[Academic Staff @ Arts]",
        ),
        (
            "user_update",
            "first='Ada' last='King' email='ada@x.edu' active=True roles=[Academic Staff @ Arts]",
        ),
    ]


def test_demo_data_audits_the_administrator_s_password_every_time_it_sets_it(db) -> None:
    from plm.app.demo import load_demo

    load_demo(password="correct horse battery staple")
    load_demo(password="another long passphrase here")
    actions = list(
        AuditEvent.objects.filter(username="admin")
        .exclude(action="user_create")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["grant_sysadmin", "set_password", "set_password"]
    assert AuditEvent.objects.filter(action="org_add").count() >= 3
