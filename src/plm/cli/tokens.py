"""plm tokens: personal API tokens."""

from datetime import datetime

import typer

from plm.cli.runtime import actor, command, emit_json, fail, out, use_cases
from plm.core import codes as c
from plm.core.codes import PlmError

app = typer.Typer(help="Personal API tokens (only a hash is stored).", no_args_is_help=True)


@app.command("create")
@command
def create(
    username: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option("", "--name", help="A label, e.g. 'identity sync'."),
    expires: str | None = typer.Option(None, "--expires", help="Last valid day, YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help='Print {"id", "token"}.'),
) -> None:
    """Create a token and print it once (it cannot be shown again).

    Example: plm tokens create sync-bot --name "identity sync" --expires 2027-06-30
    """
    tokens = use_cases().tokens
    day = None
    if expires:
        try:
            day = datetime.strptime(expires, "%Y-%m-%d").date()
        except ValueError:
            fail(
                PlmError(c.INVALID_ARGUMENT, f"Date '{expires}' is not YYYY-MM-DD."),
                as_json=as_json,
            )
    token, raw = tokens.token_create(actor=actor(), username=username, name=name, expires=day)
    if as_json:
        emit_json({"id": token.pk, "token": raw})
    else:
        out.print(
            f"Token {token.pk} for '{token.user.username}' (shown once, keep it secret):\n{raw}"
        )


@app.command("list")
@command
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List tokens (never the tokens themselves: their first characters).

    Example: plm tokens list --json
    """
    tokens = use_cases().tokens
    rows = [tokens.token_as_dict(t) for t in tokens.tokens_list(actor=actor(), every=True)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked"] else f"expires {r['expires'] or 'never'}"
        out.print(
            f"{r['id']:>5}  {r['user']}  {r['prefix']}…  {r['name']}  {state}  "
            f"last used {r['last_used_at'] or 'never'}"
        )


@app.command("revoke")
@command
def revoke(
    token_id: int = typer.Argument(..., help="Token number (plm tokens list)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Revoke a token: it stops working at once.

    Example: plm tokens revoke 3
    """
    tokens = use_cases().tokens
    token = tokens.token_revoke(actor=actor(), token_id=token_id)
    if as_json:
        emit_json(tokens.token_as_dict(token))
    else:
        out.print(f"Token {token.pk} revoked.")
