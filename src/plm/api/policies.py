"""/policies: license policies (docs/policies.md); a preview or a run is queued (202) and
polled at /imports/{id}, like an upload."""

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from plm.api.auth import Auth, actor_of
from plm.api.schemas import ErrorOut, ImportCreated
from plm.app import policies as uc
from plm.app.policies import PolicyInput

router = Router(tags=["policies"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LastRunOut(Schema):
    import_id: int
    status: str
    applied: int
    rejected: int
    finished_at: str | None


class StandingOut(Schema):
    eligible: int
    licensed: int
    opted_out: int
    waiting: int
    free_seats: int
    seats_needed: int


class PolicyOut(Schema):
    id: int
    name: str
    organization: str
    licenses: list[str]
    revoke_ineligible: bool
    max_revoke_percent: int
    enabled: bool
    created_by: str
    last_run: LastRunOut | None
    standing: StandingOut | None = None


class PolicyIn(Schema):
    name: str
    organization: str
    licenses: list[str]
    revoke_ineligible: bool = False
    max_revoke_percent: int = 10
    enabled: bool = True


class PolicyPatch(Schema):
    name: str | None = None
    organization: str | None = None
    licenses: list[str] | None = None
    revoke_ineligible: bool | None = None
    max_revoke_percent: int | None = None
    enabled: bool | None = None


def _queued(response: HttpResponse, job: object) -> Status:
    response["Location"] = f"/api/v1/imports/{job.pk}"  # type: ignore[attr-defined]
    return Status(202, {"id": job.pk, "status": job.status})  # type: ignore[attr-defined]


@router.get("/policies", response={200: list[PolicyOut], **ERRORS}, auth=Auth("view"))
def list_policies(request: HttpRequest) -> list[dict[str, object]]:
    """The policies whose organization the caller's view scope covers."""
    return uc.policies_list(actor=actor_of(request))


@router.post("/policies", response={201: PolicyOut, **ERRORS}, auth=Auth("change"))
def add_policy(request: HttpRequest, payload: PolicyIn) -> Status:
    """Add a policy (409 `policy_exists`); enabled, a run is queued at once."""
    actor = actor_of(request)
    policy = uc.policy_add(actor=actor, data=PolicyInput(**payload.dict()))
    return Status(201, uc.policy_show(actor=actor, ref=policy.pk))


@router.get("/policies/{policy_id}", response={200: PolicyOut, **ERRORS}, auth=Auth("view"))
def get_policy(request: HttpRequest, policy_id: int) -> dict[str, object]:
    """One policy with where it stands now (eligible, licensed, waiting, seats needed)."""
    return uc.policy_show(actor=actor_of(request), ref=policy_id)


@router.patch("/policies/{policy_id}", response={200: PolicyOut, **ERRORS}, auth=Auth("change"))
def update_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> dict[str, object]:
    """Change what is given; a run of every enabled policy is queued."""
    actor = actor_of(request)
    given = {k: v for k, v in payload.dict().items() if k in payload.model_fields_set}
    uc.policy_update(actor=actor, ref=policy_id, data=PolicyInput(**given))
    return uc.policy_show(actor=actor, ref=policy_id)


@router.delete("/policies/{policy_id}", response={204: None, **ERRORS}, auth=Auth("change"))
def delete_policy(request: HttpRequest, policy_id: int) -> Status:
    """Delete a policy; the licenses it gave stay."""
    uc.policy_delete(actor=actor_of(request), ref=policy_id)
    return Status(204, None)


@router.post(
    "/policies/{policy_id}/preview", response={202: ImportCreated, **ERRORS}, auth=Auth("change")
)
def preview_policy(request: HttpRequest, response: HttpResponse, policy_id: int) -> Status:
    """Queue a preview (a dry-run import): what applying the policy would do."""
    job = uc.policy_submit(actor=actor_of(request), ref=policy_id, dry_run=True)
    return _queued(response, job)


@router.post(
    "/policies/{policy_id}/apply", response={202: ImportCreated, **ERRORS}, auth=Auth("change")
)
def apply_policy(request: HttpRequest, response: HttpResponse, policy_id: int) -> Status:
    """Queue a run of the policy; poll /imports/{id} for its results."""
    job = uc.policy_submit(actor=actor_of(request), ref=policy_id)
    return _queued(response, job)
