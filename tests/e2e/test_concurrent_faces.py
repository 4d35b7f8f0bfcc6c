"""Four imports at once on overlapping users against a license with few free seats, while the
web Users page bulk-assigns and the API posts assignments: afterwards no license has more
holders than seats, no pair is duplicated, every reported outcome matches the final state, and
the audit log has exactly one event per change. (make soak runs it at full size.)"""

import os
import threading
from collections import Counter

import pytest

from plm.audit.models import AuditEvent
from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.imports.models import Import
from plm.imports.records import job_as_dict
from plm.licensing.models import Assignment, License
from tests.builders import make_license, make_org, make_staff, make_user, write_csv
from tests.e2e.conftest import start_server
from tests.e2e.http_client import Browser, api_call
from tests.processes import finish, start

SOAK = os.environ.get("PLM_SOAK") == "1"
USERS = 20_000 if SOAK else 1200
SEATS = 2_000 if SOAK else 150
LID, OTHER = "ID 2024-01-01-000001", "ID 2024-01-01-000002"


@pytest.mark.django_db(transaction=True)
def test_imports_web_bulk_and_api_at_once_never_oversubscribe(tmp_path) -> None:
    org = make_org("Science")
    users = [make_staff(f"u{i:05}", org) for i in range(USERS)]
    make_license(LID, seats=SEATS)
    make_license(OTHER, seats=USERS)
    admin = make_user("root", sysadmin=True)
    admin.set_password("concurrency-pass-1")
    admin.save()
    _, token = token_create(actor=system_actor(), user=admin)
    header = "Username,Action,License ID\n"
    files = []
    for k in range(4):  # overlapping quarters, shifted, with revokes to free seats
        chosen = users[k * USERS // 8 : k * USERS // 8 + USERS // 2]
        lines = [f"{u.username},assign,{LID}" for u in chosen]
        lines += [f"{u.username},revoke,{LID}" for u in chosen[: len(chosen) // 10]]
        lines += [f"{u.email},autoassign," for u in chosen[::7]]
        files.append(write_csv(tmp_path / f"f{k}.csv", header + "\n".join(lines) + "\n"))
    server, base = start_server()
    try:
        browser = Browser(base)
        browser.login("root", "concurrency-pass-1")
        api_results: list[dict[str, object]] = []

        def web_bulk() -> None:
            for n in range(5):
                ids = [u.pk for u in users[n * 40 : n * 40 + 40]]
                browser.post("/users/bulk/", {"user": ids, "action": "assign", "license_id": LID})

        def api_rows() -> None:
            for u in users[-60:]:
                api_results.append(
                    api_call(
                        base,
                        token,
                        "/assignments",
                        {"username": u.username, "action": "assign", "license_id": LID},
                    )
                )

        imports = [start("import", str(f), "--json", PLM_IMPORT_BATCH_ROWS="25") for f in files]
        threads = [threading.Thread(target=web_bulk), threading.Thread(target=api_rows)]
        for t in threads:
            t.start()
        reports = [finish(p, timeout=1200) for p in imports]
        for t in threads:
            t.join(timeout=600)
    finally:
        server.terminate()
        server.wait(timeout=30)

    for code, _data, err in reports:
        assert code in (0, 3), err
    lic = License.objects.get(license_id=LID)
    holders = Counter(Assignment.objects.filter(license=lic).values_list("user_id", flat=True))
    assert len(holders) <= lic.seats and max(holders.values(), default=1) == 1
    for each in License.objects.all():
        assert each.assigned == Assignment.objects.filter(license=each).count() <= each.seats

    # One audit event per change; their net is the final state.
    net: Counter[tuple[str, str]] = Counter()
    for action, username, license_id in AuditEvent.objects.filter(
        action__in=["assign", "revoke"]
    ).values_list("action", "username", "license_id"):
        net[(username, license_id)] += 1 if action == "assign" else -1
    final = set(Assignment.objects.values_list("user__username", "license__license_id"))
    assert {pair for pair, n in net.items() if n == 1} == final and set(net.values()) <= {0, 1}

    # Every applied result is an audit event of its own import and row, and vice versa.
    applied = sum(d["applied"] for _, d, _ in reports)
    applied += sum(job_as_dict(j)["applied"] for j in Import.objects.filter(source="web"))
    applied += sum(r["outcome"] == "applied" for r in api_results)
    rows_with_events = (
        AuditEvent.objects.filter(action__in=["assign", "revoke"])
        .values("import_id", "row", "source")
        .distinct()
        .count()
    )
    api_events = AuditEvent.objects.filter(source="api").count()
    assert applied == rows_with_events - (1 if api_events else 0) + api_events
    assert Import.objects.filter(source="web").count() == 5
    assert len(api_results) == 60
