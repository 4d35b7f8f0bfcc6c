"""License policies: the list with a form to add one, a policy's page (where it stands, its
shortfall, its runs; change, preview, apply, delete)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from plm.app import licenses, policies, users
from plm.app.policies import PolicyInput
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.web.access import actor_of, after_action, requires
from plm.web.confirm import confirm_page, confirmed, plural, report_url

FORM_ERRORS = (c.LICENSE_NOT_FOUND, c.ORG_NOT_FOUND)
"""Errors about what was typed in the policy form: shown on the form's page, not as a 404."""
FORM_FIELDS = (
    "name",
    "organization",
    "licenses",
    "revoke_ineligible",
    "max_revoke_percent",
    "enabled",
)


def _form(request: HttpRequest, *, creating: bool) -> PolicyInput:
    """The policy form as the use cases take it: one License ID per line of the pool, in
    order; the checkboxes are sent when ticked only."""
    post = request.POST
    return PolicyInput(
        name=post.get("name", ""),
        organization=post.get("organization", ""),
        licenses=[line for line in post.get("licenses", "").splitlines() if line.strip()],
        revoke_ineligible=post.get("revoke_ineligible") == "1",
        max_revoke_percent=post.get("max_revoke_percent", "").strip() or (10 if creating else None),
        enabled=post.get("enabled") == "1",
    )


def _choices(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    return {
        "organizations": users.organization_choices(actor=actor),
        "all_licenses": licenses.licenses_list(actor=actor),
    }


@requires("view")
def policy_list(request: HttpRequest) -> HttpResponse:
    """System › Licensing › Policies; a POST adds one."""
    actor = actor_of(request)
    if request.method == "POST":
        try:
            policy = policies.policy_add(actor=actor, data=_form(request, creating=True))
        except PlmError as error:
            return after_action(request, error, "web:policies", fields=FORM_ERRORS)
        messages.success(request, f"Policy {policy.name} added; its first run is queued.")
        return redirect("web:policy_detail", policy_id=policy.pk)
    context = {
        "policies": policies.policies_list(actor=actor),
        "access": actor,
        **_choices(request),
    }
    return render(request, "web/policies.html", context)


@requires("view")
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    """One policy; a POST changes it."""
    actor = actor_of(request)
    if request.method == "POST":
        try:
            data = _form(request, creating=False)
            if data.revoke_ineligible and not confirmed(request):
                return _confirm_save(request, policy_id, data)
            policies.policy_update(actor=actor, ref=policy_id, data=data)
        except PlmError as error:
            return after_action(
                request, error, "web:policy_detail", fields=FORM_ERRORS, policy_id=policy_id
            )
        messages.success(request, "Policy saved; a run is queued.")
        return redirect("web:policy_detail", policy_id=policy_id)
    policy = policies.policy_get(actor=actor, ref=policy_id)
    context = {
        "policy": policies.policy_show(actor=actor, ref=policy_id),
        "shortfall": policies.last_shortfall(policy),
        "runs": policies.policy_runs(actor=actor, ref=policy_id),
        "access": actor,
        "manage": policies.can_manage(actor, policy),
        **_choices(request),
    }
    return render(request, "web/policy_detail.html", context)


def _confirm_save(request: HttpRequest, policy_id: int, data: PolicyInput) -> HttpResponse:
    """Saving a policy that revokes runs it at once: say so, and ask first."""
    back = reverse("web:policy_detail", args=[policy_id])
    return confirm_page(
        request,
        title="Save policy",
        question=f"Save policy {data.name} and run it?",
        details=[
            "It revokes the pool's licenses from members who stop being eligible: the run that "
            "follows saving revokes them at once, unless that is more than "
            f"{data.max_revoke_percent}% of the pool's holders (then it applies nothing).",
        ],
        action=back,
        button="Save and run",
        fields=[(name, request.POST[name]) for name in FORM_FIELDS if name in request.POST],
        back=back,
    )


@require_POST
@requires("change")
def policy_run(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Preview (at once) or apply (after its confirmation) a policy: queued, then its live
    report."""
    actor = actor_of(request)
    back = reverse("web:policy_detail", args=[policy_id])
    dry_run = request.POST.get("dry_run") == "1"
    try:
        if not dry_run and not confirmed(request):
            shown = policies.policy_show(actor=actor, ref=policy_id)
            standing = shown["standing"]
            assert isinstance(standing, dict)
            return confirm_page(
                request,
                title="Apply policy",
                question=f"Apply policy {shown['name']} now?",
                details=[
                    f"{plural(standing['waiting'], 'user')} without a license would get one "
                    f"while the pool has free seats ({plural(standing['free_seats'], 'seat')} "
                    "free).",
                    f"{plural(standing['revoking'], 'pool license')} would be revoked from "
                    "members no longer eligible"
                    + (
                        f": more than the {shown['max_revoke_percent']}% allowed, so the run "
                        "would apply nothing (refused)."
                        if standing["refused"]
                        else "."
                    ),
                    "Run a preview first to see each user. The run is recorded as an import "
                    "you can revert afterwards.",
                ],
                action=reverse("web:policy_run", args=[policy_id]),
                button="Apply policy",
                back=back,
            )
        job = policies.policy_submit(actor=actor, ref=policy_id, dry_run=dry_run)
    except PlmError as error:
        return after_action(request, error, "web:policy_detail", policy_id=policy_id)
    return redirect(report_url(job.pk, back))


@require_POST
@requires("change")
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    actor = actor_of(request)
    back = reverse("web:policy_detail", args=[policy_id])
    try:
        if not confirmed(request):
            shown = policies.policy_show(actor=actor, ref=policy_id)
            standing: dict[str, int] = shown["standing"]  # type: ignore[assignment]
            return confirm_page(
                request,
                title="Delete policy",
                question=f"Delete policy {shown['name']}, which covers "
                f"{plural(standing['eligible'], 'eligible user')}?",
                details=[
                    (
                        f"{plural(standing['licensed'], 'licensed user')} keep their licenses"
                        if standing["licensed"]
                        else "No covered user holds a license now"
                    )
                    + "; new Academic Staff will no longer get one automatically."
                ],
                action=reverse("web:policy_delete", args=[policy_id]),
                button="Delete policy",
                back=back,
            )
        policies.policy_delete(actor=actor, ref=policy_id)
    except PlmError as error:
        return after_action(request, error, "web:policies")
    messages.success(request, "Policy deleted.")
    return redirect("web:policies")
