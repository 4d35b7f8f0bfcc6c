"""The outside SCIM compliance checker, scim2-tester, against a real `plm serve` over HTTP.

Every check for the User resource and the discovery endpoints must pass. Out of scope
(docs/scim.md): its Group checks, which create groups with random names where PLM accepts only
`<Organization>/<Role>` names (tests/integration/test_scim.py covers Groups), and the server-wide
POST /.search, which PLM answers 501 as RFC 7644 §3.4.3 allows (the checker marks it skipped).
"""

from collections import Counter

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from plm.directory.actors import system_actor
from plm.directory.scim_tokens import scim_token_create


def test_scim2_tester_passes_every_user_and_discovery_check_over_http(server):
    _, raw = scim_token_create(actor=system_actor(), name="scim2-tester")
    http = Client(
        base_url=f"{server}/scim/v2", headers={"Authorization": f"Bearer {raw}"}, timeout=30
    )
    results = check_server(SyncSCIMClient(http), resource_types=["User"])
    failures = [
        f"{r.resource_type} {r.title}: {r.reason}"
        for r in results
        if r.status not in (Status.SUCCESS, Status.SKIPPED)
    ]
    assert failures == []
    skipped = [r.title for r in results if r.status == Status.SKIPPED]
    assert skipped == ["search_with_attributes"]  # server-wide /.search: 501 (see above)
    counts = Counter(r.status for r in results)
    assert counts[Status.SUCCESS] >= 40  # discovery, create, read, list, replace, delete, PATCH
