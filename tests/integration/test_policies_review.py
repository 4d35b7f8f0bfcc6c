"""What an attacker's review of policies found, pinned: a manual revoke during or after an
unfinished run is kept, a view-only manager cannot act on a policy's runs, a policy does not
revoke what another policy still covers, odd names and references are refused cleanly, and the
command line runs only the automatic runs it queued."""

import pytest
from django.test import override_settings

from plm.app.policies import policy_run, policy_submit
from plm.directory.actors import system_actor
from plm.directory.models import RoleGrant
from plm.imports.models import Import
from plm.licensing.models import Policy
from tests.builders import STAFF, holders, make_staff, make_user, plm
from tests.integration.conftest import L1, L2
from tests.integration.test_api import Api, bearer
from tests.integration.test_policies import add


@override_settings(PLM_IMPORT_BATCH_ROWS=1)
def test_a_revoke_by_hand_during_a_run_is_kept_by_the_next_run(campus) -> None:
    add("Everyone", "University", L2, extra=("--paused",))
    revoked = []

    def progress(done: int, total: int) -> None:
        if not revoked:  # after the run's first row (ann) is committed
            revoked.append(plm("revoke", "ann", L2).code)

    policy_run(actor=system_actor(), ref="Everyone", progress=progress)
    assert revoked == [0]
    plm("policies", "apply", "Everyone")
    assert holders(L2) == {"bob", "cat"}


@override_settings(PLM_IMPORT_BATCH_ROWS=1)
def test_a_revoke_by_hand_after_a_cancelled_run_is_kept(campus) -> None:
    add("Everyone", "University", L2, extra=("--paused",))

    def progress(done: int, total: int) -> None:
        Import.objects.filter(source="policy", status="running").update(cancel_requested=True)

    job = policy_run(actor=system_actor(), ref="Everyone", progress=progress)
    assert job.status == "cancelled" and job.applied >= 1
    given = holders(L2)
    assert plm("revoke", sorted(given)[0], L2).code == 0
    plm("policies", "apply", "Everyone")
    assert sorted(given)[0] not in holders(L2)


def test_a_view_only_manager_cannot_cancel_or_revert_a_policys_run(campus) -> None:
    RoleGrant.objects.create(user=campus.manager, organization=campus.arts, role="License Manager")
    add("Arts staff", "Arts", L2)
    done = Import.objects.get(source="policy")
    queued = policy_submit(actor=system_actor(), ref="Arts staff")
    cancel = plm("imports", "cancel", str(queued.pk), "--as", "mgr", "--json")
    assert cancel.code == 2 and cancel.json["error"]["code"] == "permission_denied"
    revert = plm("imports", "revert", str(done.pk), "--as", "mgr", "--json")
    assert revert.code == 2 and revert.json["error"]["code"] == "permission_denied"
    assert holders(L2) == {"bob"}


def test_revoke_when_ineligible_leaves_what_another_policy_still_covers(campus) -> None:
    add("Everyone", "University", L2)
    add(
        "Science staff", "Science", L2, extra=("--revoke-ineligible", "--max-revoke-percent", "100")
    )
    RoleGrant.objects.filter(user=campus.ann, role=STAFF).delete()
    RoleGrant.objects.create(user=campus.ann, organization=campus.arts, role=STAFF)
    run = plm("policies", "apply", "Science staff", "--json")
    assert run.json["results"] == []  # Everyone still covers ann with L2
    assert "ann" in holders(L2)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ß" * 60, "invalid_argument"),  # folds to 120 characters
        ("Arts\u202estaff", "invalid_argument"),  # a bidi override
        ("Arts\x85", "invalid_argument"),  # a C1 control
        ("123", "invalid_argument"),  # a number reads as a policy's number
    ],
)
def test_odd_policy_names_are_refused_cleanly(campus, name: str, code: str) -> None:
    run = add(name, "Arts", L2)
    assert run.code == 2 and run.json["error"]["code"] == code


def test_a_nul_in_the_organization_is_refused_not_a_500(campus) -> None:
    api = Api(bearer(make_user("root", sysadmin=True)))
    body = {"name": "X", "organization": "Ar\u0000ts", "licenses": [L2]}
    response = api.post("/policies", body)
    assert response.status_code == 422, response.content


def test_a_superscript_digit_is_not_a_policy_number(campus) -> None:
    run = plm("policies", "show", "²", "--json")
    assert run.code == 2 and run.json["error"]["code"] == "policy_not_found"


def test_a_hidden_policy_and_a_missing_one_answer_alike(campus) -> None:
    add("Arts staff", "Arts", L2)
    hidden = plm("policies", "show", "Arts staff", "--as", "mgr", "--json").json["error"]
    missing = plm("policies", "show", "Nothing", "--as", "mgr", "--json").json["error"]
    assert hidden["message"].replace("Arts staff", "Nothing") == missing["message"]


def test_policy_exists_is_a_conflict_in_the_api(campus) -> None:
    api = Api(bearer(make_user("root", sysadmin=True)))
    body = {"name": "Arts staff", "organization": "Arts", "licenses": [L2]}
    assert api.post("/policies", body).status_code == 201
    again = api.post("/policies", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "policy_exists"


def test_the_command_line_runs_only_the_automatic_runs_not_others_previews(campus) -> None:
    add("Arts staff", "Arts", L2, extra=("--paused",))
    preview = policy_submit(actor=system_actor(), ref="Arts staff", dry_run=True)
    make_staff("dan", campus.arts)
    plm("licenses", "update", L1, "--seats", "3")  # a change: automatic runs, run here
    preview.refresh_from_db()
    assert preview.status == "queued"  # left to the workers
    assert Policy.objects.get().enabled is False
