"""plm policies: licenses that follow the identity data (docs/policies.md)."""

import typer

from plm.cli.report import print_job, progress_bar
from plm.cli.runtime import (
    EXIT_OK,
    actor,
    command,
    emit_json,
    job_exit_code,
    out,
    use_cases,
)

app = typer.Typer(
    help="License policies: the Academic Staff of an organization get a license from a pool.",
    no_args_is_help=True,
)
AS_USER = typer.Option(None, "--as", help="Act as this user (scope and permission).")
JSON = typer.Option(False, "--json", help="Print JSON.")


def _print(data: dict[str, object], as_json: bool) -> None:
    if as_json:
        emit_json(data)
        return
    revoke = (
        f"revokes when ineligible (up to {data['max_revoke_percent']}% of holders)"
        if data["revoke_ineligible"]
        else "never revokes"
    )
    state = "enabled" if data["enabled"] else "paused"
    out.print(
        f"{data['name']} (#{data['id']}, {state}): Academic Staff of {data['organization']} "
        f"and below; pool {', '.join(map(str, data['licenses']))}; {revoke}."  # type: ignore[call-overload]
    )
    standing = data.get("standing")
    if isinstance(standing, dict):
        out.print(
            f"  {standing['eligible']} eligible: {standing['licensed']} licensed, "
            f"{standing['waiting']} waiting, {standing['opted_out']} revoked by hand; "
            f"{standing['free_seats']} free seats in the pool."
        )
        if standing["seats_needed"]:
            out.print(
                f"  Shortfall: {standing['seats_needed']} more seats needed (no_license_available)."
            )
    last = data.get("last_run")
    if isinstance(last, dict):
        out.print(
            f"  Last run: import {last['import_id']} {last['status']}, {last['applied']} "
            f"applied, {last['rejected']} rejected."
        )


def _input(  # type: ignore[no-untyped-def]
    *, name, organization, licenses, revoke_ineligible, max_revoke_percent, enabled
):
    return use_cases().policies.PolicyInput(
        name=name,
        organization=organization,
        licenses=licenses or None,
        revoke_ineligible=revoke_ineligible,
        max_revoke_percent=max_revoke_percent,
        enabled=enabled,
    )


@app.command("add")
@command
def add(
    name: str = typer.Argument(..., help="The policy's name, e.g. 'Arts staff'."),
    organization: str = typer.Option(
        ..., "--org", help="Its organization: Academic Staff there and below are eligible."
    ),
    licenses: list[str] = typer.Option(
        ..., "--license", help="A license of the pool; repeat it, in the order seats are taken."
    ),
    revoke_ineligible: bool = typer.Option(
        False,
        "--revoke-ineligible/--no-revoke-ineligible",
        help="Revoke pool licenses from members who stop being eligible.",
    ),
    max_revoke_percent: int = typer.Option(
        10, "--max-revoke-percent", help="With --revoke-ineligible: the most one run may revoke."
    ),
    paused: bool = typer.Option(
        False, "--paused", help="Create it paused: preview it, then enable it (update --enable)."
    ),
    as_user: str | None = AS_USER,
    as_json: bool = JSON,
) -> None:
    """Add a policy; enabled, it is applied at once and after every change that can affect it.

    Example: plm policies add "Arts staff" --org Arts --license "ID 2024-08-01-000123"
    """
    uc = use_cases().policies
    data = _input(
        name=name,
        organization=organization,
        licenses=licenses,
        revoke_ineligible=revoke_ineligible,
        max_revoke_percent=max_revoke_percent,
        enabled=not paused,
    )
    who = actor(as_user)
    policy = uc.policy_add(actor=who, data=data)
    _print(uc.policy_show(actor=who, ref=policy.pk), as_json)


@app.command("update")
@command
def update(
    policy: str = typer.Argument(..., help="The policy's name or number."),
    name: str | None = typer.Option(None, "--name", help="A new name."),
    organization: str | None = typer.Option(None, "--org", help="A new organization."),
    licenses: list[str] | None = typer.Option(
        None, "--license", help="The whole new pool, in order (repeat it)."
    ),
    revoke_ineligible: bool | None = typer.Option(
        None, "--revoke-ineligible/--no-revoke-ineligible", help="Revoke when ineligible."
    ),
    max_revoke_percent: int | None = typer.Option(
        None, "--max-revoke-percent", help="The most one run may revoke, in percent."
    ),
    enabled: bool | None = typer.Option(
        None, "--enable/--pause", help="Enable the policy, or pause it."
    ),
    as_user: str | None = AS_USER,
    as_json: bool = JSON,
) -> None:
    """Change a policy (what is not given stays as it is).

    Example: plm policies update "Arts staff" --license "ID 2025-08-01-000456" --enable
    """
    uc = use_cases().policies
    data = _input(
        name=name,
        organization=organization,
        licenses=licenses,
        revoke_ineligible=revoke_ineligible,
        max_revoke_percent=max_revoke_percent,
        enabled=enabled,
    )
    who = actor(as_user)
    changed = uc.policy_update(actor=who, ref=policy, data=data)
    _print(uc.policy_show(actor=who, ref=changed.pk), as_json)


@app.command("delete")
@command
def delete(
    policy: str = typer.Argument(..., help="The policy's name or number."),
    as_user: str | None = AS_USER,
    as_json: bool = JSON,
) -> None:
    """Delete a policy; the licenses it gave stay (revert its runs to take them back).

    Example: plm policies delete "Arts staff"
    """
    use_cases().policies.policy_delete(actor=actor(as_user), ref=policy)
    if as_json:
        emit_json({"deleted": policy})
    else:
        out.print(f"Deleted policy {policy}.")


@app.command("list")
@command
def list_(as_user: str | None = AS_USER, as_json: bool = JSON) -> None:
    """The policies you can see.

    Example: plm policies list --json
    """
    rows = use_cases().policies.policies_list(actor=actor(as_user))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out.print("No policies.")
    for row in rows:
        _print(row, False)


@app.command("show")
@command
def show(
    policy: str = typer.Argument(..., help="The policy's name or number."),
    as_user: str | None = AS_USER,
    as_json: bool = JSON,
) -> None:
    """A policy and where it stands: eligible, licensed, waiting, the shortfall.

    Example: plm policies show "Arts staff"
    """
    _print(use_cases().policies.policy_show(actor=actor(as_user), ref=policy), as_json)


@app.command("preview")
@command
def preview(
    policy: str = typer.Argument(..., help="The policy's name or number."),
    as_user: str | None = AS_USER,
    as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
) -> None:
    """What applying the policy now would do, changing nothing (a dry-run import).

    Exit codes as plm import: 3 when users would be left without a license.

    Example: plm policies preview "Arts staff" --json
    """
    with progress_bar("Previewing") as progress:
        job = use_cases().policies.policy_run(
            actor=actor(as_user), ref=policy, dry_run=True, progress=progress
        )
    print_job(job, as_json=as_json)
    raise typer.Exit(job_exit_code(job))


@app.command("apply")
@command
def apply(
    policy: str | None = typer.Argument(
        None, help="The policy's name or number (default: every enabled policy: for cron)."
    ),
    as_user: str | None = AS_USER,
    as_json: bool = typer.Option(False, "--json", help="Print the import object(s) as JSON."),
) -> None:
    """Apply a policy now (or every enabled one): recorded as an import, source `policy`.

    Exit codes as plm import; for several policies, the worst of their runs.

    Example: plm policies apply --json > /var/log/plm/policies.json   (nightly, from cron)
    """
    uc = use_cases().policies
    who = actor(as_user)
    with progress_bar("Applying") as progress:
        if policy is None:
            jobs = uc.policies_apply_all(actor=who, progress=progress)
        else:
            jobs = [uc.policy_run(actor=who, ref=policy, progress=progress)]
    if as_json and policy is None:
        emit_json([use_cases().imports.import_as_dict(job) for job in jobs])
    else:
        for job in jobs:
            print_job(job, as_json=as_json)
    if policy is None and not jobs and not as_json:
        out.print("No enabled policy to apply.")
    raise typer.Exit(max((job_exit_code(job) for job in jobs), default=EXIT_OK))
