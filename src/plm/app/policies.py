"""License policy use cases: list, show, add, update, delete, preview, apply, and the
reconciliation every change that can affect a policy asks for (licensing/policies.py).

Who: a policy is seen by actors whose view scope covers its organization, and managed (added,
changed, deleted, previewed, applied) by those whose change scope covers it; system
administrators and the system everywhere. A run itself changes only the policy's own: its
pool's licenses, for its present and former members.
"""

from django.db.models import QuerySet

from plm.clock import today
from plm.core import codes as c
from plm.core.codes import PlmError, Status
from plm.directory.actors import CHANGE, SYSADMIN, VIEW, Actor, require
from plm.directory.models import Organization
from plm.imports.models import Import, ImportRow
from plm.jobs import queue
from plm.jobs.runner import Progress
from plm.licensing import policies as domain
from plm.licensing.models import Policy
from plm.licensing.policies import PolicyInput

__all__ = ["PolicyInput"]
RECENT_RUNS = 20
WAITING_SHOWN = 200


def policies_visible_to(actor: Actor) -> QuerySet[Policy]:
    """The policies `actor` may see."""
    require(actor, VIEW)
    return Policy.objects.select_related("organization").filter(
        pk__in=domain.policies_in(actor.view_scope)
    )


def _visible(actor: Actor, ref: str | int) -> Policy:
    """One visible policy, or policy_not_found: the same answer as for one that does not
    exist, so another organization's policy names are not revealed."""
    try:
        policy = domain.policy_get(ref)
    except PlmError:
        policy = None
    if policy is None or not policies_visible_to(actor).filter(pk=policy.pk).exists():
        raise PlmError(
            c.POLICY_NOT_FOUND,
            f"Policy {str(ref).strip()!r} does not exist (see plm policies list).",
        )
    return policy


def _manageable(actor: Actor, ref: str | int) -> Policy:
    policy = _visible(actor, ref)
    require(actor, CHANGE)
    refused = domain.policy_manageable(actor, policy)
    if refused is not None:
        raise refused
    return policy


def can_manage(actor: Actor, policy: Policy) -> bool:
    """May `actor` change, run and delete `policy` (its page shows those controls)?"""
    return domain.policy_manageable(actor, policy) is None


def require_run_manageable(actor: Actor, policy_id: int) -> None:
    """Acting on a policy's run (cancel, revert, ...) is managing the policy: permission_denied
    otherwise (a deleted policy's runs: system administrators only)."""
    policy = Policy.objects.select_related("organization").filter(pk=policy_id).first()
    if policy is None:
        require(actor, SYSADMIN)
        return
    refused = domain.policy_manageable(actor, policy)
    if refused is not None:
        raise refused


def _check_org(actor: Actor, org: Organization) -> None:
    require(actor, CHANGE)
    refused = domain.org_manageable(actor, org)
    if refused is not None:
        raise refused


def policy_as_dict(policy: Policy, *, detail: bool = False) -> dict[str, object]:
    """The object the CLI prints with --json and the API returns; with `detail`, where the
    policy stands now (eligible, licensed, opted out, waiting, free seats, seats needed)."""
    last = (
        Import.objects.filter(policy_id=policy.pk, dry_run=False)
        .exclude(status=Status.QUEUED)
        .order_by("-pk")
        .first()
    )
    data: dict[str, object] = {
        "id": policy.pk,
        "name": policy.name,
        "organization": policy.organization.name,
        "licenses": domain.pool_ids(policy),
        "revoke_ineligible": policy.revoke_ineligible,
        "max_revoke_percent": policy.max_revoke_percent,
        "enabled": policy.enabled,
        "created_by": policy.created_by,
        "last_run": None
        if last is None
        else {
            "import_id": last.pk,
            "status": last.status,
            "applied": last.applied,
            "rejected": last.rejected,
            "finished_at": last.finished_at.isoformat().replace("+00:00", "Z")
            if last.finished_at
            else None,
        },
    }
    if detail:
        now = domain.standing(policy, today())
        data["standing"] = {
            "eligible": now.eligible,
            "licensed": now.licensed,
            "opted_out": now.opted_out,
            "waiting": now.waiting,
            "free_seats": now.free_seats,
            "seats_needed": now.seats_needed,
            "revoking": now.revoking,
            "refused": now.refused,
        }
    return data


def policies_list(*, actor: Actor) -> list[dict[str, object]]:
    return [policy_as_dict(p) for p in policies_visible_to(actor)]


def policy_show(*, actor: Actor, ref: str | int) -> dict[str, object]:
    return policy_as_dict(_visible(actor, ref), detail=True)


def policy_get(*, actor: Actor, ref: str | int) -> Policy:
    """A visible policy (its pages show it)."""
    return _visible(actor, ref)


def policy_add(*, actor: Actor, data: PolicyInput) -> Policy:
    """Create a policy in an organization the actor manages; enabled, it is reconciled now (in
    this process for the CLI, by the workers otherwise)."""
    require(actor, CHANGE)
    org = domain.policy_organization(data)
    if org is not None:
        _check_org(actor, org)
    policy = domain.policy_save(actor=actor, policy=None, data=data)
    reconcile_after_change(actor=actor)
    return policy


def policy_update(*, actor: Actor, ref: str | int, data: PolicyInput) -> Policy:
    policy = _manageable(actor, ref)
    org = domain.policy_organization(data)
    if org is not None:
        _check_org(actor, org)
    policy = domain.policy_save(actor=actor, policy=policy, data=data)
    reconcile_after_change(actor=actor)
    return policy


def policy_delete(*, actor: Actor, ref: str | int) -> None:
    """Delete a policy; the licenses it gave stay where they are."""
    domain.policy_delete(actor=actor, policy=_manageable(actor, ref))


def policy_run(
    *, actor: Actor, ref: str | int, dry_run: bool = False, progress: Progress | None = None
) -> Import:
    """Apply (or preview) a policy now, in this process (the CLI); recorded as an import."""
    policy = _manageable(actor, ref)
    return queue.run_policy_now(policy, actor=actor, dry_run=dry_run, progress=progress)


def policy_submit(*, actor: Actor, ref: str | int, dry_run: bool = False) -> Import:
    """Queue a run (or a preview) of a policy for the workers (web, API)."""
    policy = _manageable(actor, ref)
    return queue.queue_policy_run(policy, as_user=actor.username, dry_run=dry_run)


def policies_apply_all(*, actor: Actor, progress: Progress | None = None) -> list[Import]:
    """Apply every enabled policy the actor manages, now (the scheduled `plm policies apply`)."""
    require(actor, CHANGE)
    runs = []
    enabled = Policy.objects.filter(enabled=True, pk__in=domain.policies_in(actor.scope))
    for policy in enabled.order_by("name_key"):
        # A run already queued for it (after a change) is this run: it is taken, not doubled.
        queued = [run for run in queue.run_queued_policies(policy.pk) if not run.dry_run]
        runs.extend(queued or [queue.run_policy_now(policy, actor=actor, progress=progress)])
    return runs


def policy_runs(*, actor: Actor, ref: str | int) -> list[Import]:
    """A visible policy's latest runs and previews, newest first."""
    policy = _visible(actor, ref)
    return list(Import.objects.filter(policy_id=policy.pk).order_by("-pk")[:RECENT_RUNS])


def last_shortfall(policy: Policy) -> list[ImportRow]:
    """The users the last applied run left without a license (`no_license_available`)."""
    last = (
        Import.objects.filter(policy_id=policy.pk, dry_run=False, status=Status.COMPLETED)
        .order_by("-pk")
        .first()
    )
    if last is None:
        return []
    return list(
        ImportRow.objects.filter(job=last, code=c.NO_LICENSE_AVAILABLE).order_by("seq")[
            :WAITING_SHOWN
        ]
    )


def reconcile_after_change(*, actor: Actor) -> list[Import]:
    """After a change that can affect a policy (users, roles, licenses, a policy): queue a run
    of every enabled policy; the CLI, which has no worker, runs them now and returns them."""
    queue.queue_reconciliation()
    return run_queued_now(actor=actor)


def run_queued_now(*, actor: Actor) -> list[Import]:
    """The automatic policy runs waiting in the queue, run now when `actor` acts from the CLI
    (a process without a worker: it runs what its change queued); elsewhere the workers run
    them. Previews and runs people asked for are left to the workers."""
    return queue.run_queued_policies(automatic=True) if actor.source == "cli" else []
