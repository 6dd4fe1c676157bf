"""``comity users``: the accounts of the API and web app, and their tokens.

Whoever can run the CLI on the store's machine is its operator: these commands act as the
operator, and are how the first administrator is made.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from comity.access.viewer import Role
from comity.cli.output import Column, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of
from comity.errors import ComityError
from comity.model.vocabulary import Agency

__all__ = ["users_app"]

users_app = typer.Typer(
    help="Accounts of the API and web app, and their tokens.", no_args_is_help=True
)

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]
_ROLES = ", ".join(r.name.lower() for r in Role)
_AGENCIES = ", ".join(a.value for a in Agency)

_USER_COLUMNS = [
    Column("Username", lambda u: u.username),
    Column("Nation", lambda u: u.nation),
    Column("Role", lambda u: u.role.name.lower()),
    Column("Agency", lambda u: u.agency or ""),
    Column("Name", lambda u: u.display_name or ""),
    Column("Disabled", lambda u: "yes" if u.disabled else ""),
]


def _ask_password(prompt: str, username: str, instead: str) -> str:
    """Ask for a password on the terminal; without one, say what to do instead (no "Aborted.")."""
    if sys.stdin is None or not sys.stdin.isatty():
        raise ComityError(f"No password for {username}: there is no terminal to ask on; {instead}.")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add_user(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="3-64 letters, digits or . _ - @")],
    nation: Annotated[str, typer.Option("--nation", help="The user's nation (any name or code).")],
    role: Annotated[str, typer.Option("--role", help=f"One of {_ROLES}.")] = "viewer",
    display_name: Annotated[str | None, typer.Option("--name", help="Full name.")] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Organisation code (e.g. NATO).")
    ] = None,
    agency: Annotated[
        str | None,
        typer.Option("--agency", help=f"For approvers: the agency they decide for ({_AGENCIES})."),
    ] = None,
    password: Annotated[
        str,
        typer.Option(
            "--password",
            envvar="COMITY_NEW_PASSWORD",
            show_envvar=True,
            help="At least 12 characters and hard to guess (a passphrase of four or more "
            "words is); asked for when not given.",
        ),
    ] = "",
) -> None:
    """Create an account; what it sees follows its nation, what it may do follows its role.

    An admin (--user) creates accounts of their own nation, up to their own role.
    """
    from comity.services import accounts

    password = password or _ask_password(
        f"Password for {username}", username, "give --password or set COMITY_NEW_PASSWORD"
    )
    state = state_of(ctx)
    user = accounts.create_user(
        state.store(),
        state.viewer(),
        username=username,
        password=password,
        nation=nation,
        role=role,
        display_name=display_name,
        organisation=organisation,
        agency=agency,
    )
    stdout().print(
        f"Created {user.username} ({user.nation}, {user.role.name.lower()}).", highlight=False
    )


@users_app.command("list")
def list_users(ctx: typer.Context, as_json: _JSON = False, as_csv: _CSV = False) -> None:
    """The accounts you manage, with their nation and role (an admin's: their nation's)."""
    from comity.services import accounts

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    found = accounts.list_users(state.store(), state.viewer())
    if as_json:
        emit_json([u.public() for u in found])
        return
    emit(found, _USER_COLUMNS, output, title="Accounts")


def _set_disabled(ctx: typer.Context, username: str, disabled: bool) -> None:
    from comity.services import accounts

    state = state_of(ctx)
    user = accounts.set_user_disabled(state.store(), state.viewer(), username, disabled)
    word = "Disabled" if user.disabled else "Enabled"
    stdout().print(f"{word} {user.username}.", highlight=False)


@users_app.command("disable")
def disable_user(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The account.")]
) -> None:
    """Disable an account: it can no longer sign in, its sessions end, its tokens stop working."""
    _set_disabled(ctx, username, True)


@users_app.command("enable")
def enable_user(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The account.")]
) -> None:
    """Enable a disabled account."""
    _set_disabled(ctx, username, False)


@users_app.command("password")
def set_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account.")],
    generate: Annotated[
        bool, typer.Option("--generate", help="Make up a password and print it once.")
    ] = False,
) -> None:
    """Set a new password for an account (asked for, or made up with --generate).

    The account's web sessions end and its API tokens are revoked: it signs in again.
    """
    import secrets

    from comity.services import accounts

    if generate:
        password = secrets.token_urlsafe(12)
    else:
        password = os.environ.get("COMITY_NEW_PASSWORD") or _ask_password(
            "New password", username, "give --generate or set COMITY_NEW_PASSWORD"
        )
    state = state_of(ctx)
    accounts.set_password(state.store(), state.viewer(), username, password)
    stdout().print(f"Set the password of {username}.", highlight=False)
    if generate:
        stdout().print(f"The new password: {password}", highlight=False)


@users_app.command("token")
def issue_token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account the token acts for.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
    days: Annotated[
        int, typer.Option("--days", min=0, max=3650, help="Days it is valid (0: until revoked).")
    ] = 90,
) -> None:
    """Issue an API token for an account; it is shown once, so keep it now."""
    from comity.services import accounts

    state = state_of(ctx)
    store = state.store()
    user = accounts.get_user(store, username=username)
    issued = accounts.create_token(store, user, name, days=days or None, actor=state.viewer())
    typer.echo(issued.secret)


_TOKEN_COLUMNS = [
    Column("Id", lambda t: t.id),
    Column("Name", lambda t: t.name),
    Column("Prefix", lambda t: t.prefix),
    Column("Created", lambda t: t.created_at.isoformat(timespec="seconds")),
    Column("Expires", lambda t: t.expires_at.isoformat(timespec="seconds") if t.expires_at else ""),
    Column("Revoked", lambda t: t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else ""),
]


@users_app.command("tokens")
def list_tokens(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account.")],
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """An account's API tokens, newest first: their ids and prefixes, never the secrets."""
    from comity.services import accounts

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    store = state.store()
    user = accounts.get_user(store, username=username)
    found = accounts.list_tokens(store, user, actor=state.viewer())
    if as_json:
        emit_json([t.public() for t in found])
        return
    emit(found, _TOKEN_COLUMNS, output, title=f"Tokens of {user.username}")


@users_app.command("revoke-token")
def revoke_token(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(min=1, help="The token's id (comity users tokens).")],
) -> None:
    """Revoke an API token: a running server refuses it within 10 seconds."""
    from comity.services import accounts

    state = state_of(ctx)
    record = accounts.revoke_token(state.store(), state.viewer(), token_id)
    stdout().print(f"Revoked token {record.id} ({record.name}, {record.prefix}…).", highlight=False)
