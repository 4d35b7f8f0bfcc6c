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
