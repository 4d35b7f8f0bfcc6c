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


def test_purge_drops_old_row_results_but_keeps_imports_and_audit(campus, tmp_path) -> None:
    path = write_csv(tmp_path / "f.csv", f"Username,Action,License ID\nann,assign,{L2}\n")
    job_id = plm("import", str(path), "--json").json["import_id"]
    Import.objects.filter(pk=job_id).update(
        created_at=Import.objects.get(pk=job_id).created_at - timedelta(days=40)
    )
    assert plm("imports", "purge", "--older-than", "30").code == 0
    assert ImportRow.objects.count() == 0 and Import.objects.count() == 1
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
