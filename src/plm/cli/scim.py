"""plm scim-tokens: the bearer tokens an identity provider uses for SCIM provisioning."""

import typer

from plm.cli.runtime import actor, command, emit_json, out, use_cases

app = typer.Typer(
    help="SCIM provisioning tokens (docs/scim.md; only a hash is stored).", no_args_is_help=True
)


def _provisioning():  # type: ignore[no-untyped-def]
    use_cases()  # Django set up first
    from plm.app import provisioning

    return provisioning


@app.command("create")
@command
def create(
    name: str = typer.Argument(..., help="A unique name, e.g. entra-id; audited as scim:NAME."),
    as_json: bool = typer.Option(False, "--json", help='Print {"id", "name", "token"}.'),
) -> None:
    """Create a SCIM token and print it once (it cannot be shown again).

    Example: plm scim-tokens create entra-id
    """
    provisioning = _provisioning()
    token, raw = provisioning.scim_token_create(actor=actor(), name=name)
    if as_json:
        emit_json({"id": token.pk, "name": token.name, "token": raw})
    else:
        out.print(f"SCIM token {token.pk} '{token.name}' (shown once, keep it secret):\n{raw}")


@app.command("list")
@command
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List SCIM tokens (never the tokens themselves: their first characters).

    Example: plm scim-tokens list --json
    """
    provisioning = _provisioning()
    rows = [
        provisioning.scim_token_as_dict(t) for t in provisioning.scim_tokens_list(actor=actor())
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked"] else "active"
        out.print(
            f"{r['id']:>5}  {r['name']}  {r['prefix']}…  {state}  "
            f"last used {r['last_used_at'] or 'never'}"
        )


@app.command("revoke")
@command
def revoke(
    token_id: int = typer.Argument(..., help="Token number (plm scim-tokens list)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Revoke a SCIM token: provisioning with it stops at once.

    Example: plm scim-tokens revoke 2
    """
    provisioning = _provisioning()
    token = provisioning.scim_token_revoke(actor=actor(), token_id=token_id)
    if as_json:
        emit_json(provisioning.scim_token_as_dict(token))
    else:
        out.print(f"SCIM token {token.pk} '{token.name}' revoked.")
