"""plm assign / plm revoke: one row, the import's rules and codes, audited, not an import."""

from plm.audit.models import AuditEvent
from plm.imports.models import Import
from tests.builders import holders, plm
from tests.integration.conftest import L1, L2


def test_assign_and_revoke_one_user(campus) -> None:
    run = plm("assign", "instructor1@example.com", L1, "--json")
    assert run.code == 0
    assert run.json == {
        "row": None,
        "username": "instructor1@example.com",
        "action": "assign",
        "license_id": L1,
        "outcome": "applied",
        "code": "assigned",
        "message": f"Assigned {L1} to 'ann'.",
    }
    assert plm("assign", "ann", L1, "--json").json["code"] == "already_assigned"
    assert plm("revoke", "ann", L1, "--json").json["code"] == "revoked"
    assert holders(L1) == set()
    assert Import.objects.count() == 0
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["assign", "revoke"]


def test_assign_without_license_autoassigns_and_revoke_all(campus) -> None:
    assert plm("assign", "bob", "--json").json["license_id"] == L1
    plm("assign", "bob", L2)
    result = plm("revoke", "bob", "--all", "--json").json
    assert (result["action"], result["code"], result["license_id"]) == ("revokeall", "revoked", "")


def test_rejections_exit_3_and_usage_errors_exit_2(campus) -> None:
    run = plm("assign", "stud", L1, "--json")
    assert run.code == 3 and run.json["code"] == "not_academic_staff"
    assert plm("revoke", "ann").code == 2
    assert plm("revoke", "ann", L1, "--all").code == 2
    denied = plm("assign", "ann", L1, "--as", "stud", "--json")
    assert denied.code == 2 and denied.json["error"]["code"] == "permission_denied"


def test_assign_as_a_scoped_manager(campus) -> None:
    assert plm("assign", "bob", L2, "--as", "mgr", "--json").json["code"] == "out_of_scope"
    assert plm("assign", "ann", L2, "--as", "mgr", "--json").json["code"] == "assigned"
    assert AuditEvent.objects.get(action="assign").actor == "mgr"
