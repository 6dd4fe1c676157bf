"""``comity users``, ``comity audit`` and ``comity serve``: accounts, the audit log, the server.

Whoever can run the CLI on the store's machine is its operator: these commands act as the
operator, and are how the first administrator is made.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from comity.access.viewer import Role
from comity.cli.output import Column, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of
from comity.errors import ComityError
from comity.model.plans import Agency
from comity.services import accounts
from comity.services.engagements import require

__all__ = ["audit_app", "serve", "users_app"]

users_app = typer.Typer(
    help="Accounts of the API and web app, and their tokens.", no_args_is_help=True
)
audit_app = typer.Typer(help="The append-only audit log of every write.", no_args_is_help=True)

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
    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    found = accounts.list_users(state.store(), state.viewer())
    if as_json:
        emit_json([u.public() for u in found])
        return
    emit(found, _USER_COLUMNS, output, title="Accounts")


def _set_disabled(ctx: typer.Context, username: str, disabled: bool) -> None:
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
    state = state_of(ctx)
    record = accounts.revoke_token(state.store(), state.viewer(), token_id)
    stdout().print(f"Revoked token {record.id} ({record.name}, {record.prefix}…).", highlight=False)


@audit_app.command("verify")
def verify_audit(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Check the hash chain of the audit log; exit 1 when an entry was changed or removed."""
    state = state_of(ctx)
    require(state.viewer(), Role.ADMIN, "verify the audit log")  # as the API does
    report = accounts.verify_audit(state.store())
    if as_json:
        emit_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "first_broken": report.first_broken,
                "reason": report.reason,
            }
        )
    elif report.ok:
        stdout().print(f"The audit log is intact: {report.entries} entries.", highlight=False)
    else:
        stdout().print(
            f"[red]The audit log was tampered with[/red] at entry {report.first_broken}: "
            f"{report.reason}",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def checkpoint_audit(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Write the signed checkpoint of the audit log's last entry now, and print it.

    Every write that adds to the log writes one; copy it somewhere else from time to time: a log
    that no longer holds the entry it names lost its last entries.
    """
    state = state_of(ctx)
    checkpoint = accounts.checkpoint_audit(state.store(), state.viewer())
    if as_json:
        emit_json(None if checkpoint is None else {"hash": checkpoint.hash, "at": checkpoint.at})
    elif checkpoint is None:
        stdout().print("The audit log is empty: nothing to checkpoint.", highlight=False)
    else:
        stdout().print(
            f"Checkpoint of {checkpoint.at}: last entry {checkpoint.hash}.", highlight=False
        )


@audit_app.command("list")
def list_audit(
    ctx: typer.Context,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Only this kind (engagement, user...).")
    ] = None,
    entity_id: Annotated[str | None, typer.Option("--id", help="Only this record.")] = None,
    after: Annotated[int, typer.Option("--after", min=0, help="Entries after this id.")] = 0,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="At most this many.")
    ] = 50,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """Entries of the audit log, oldest first: who did what to which record, and when.

    As an account (--user), only the entries about what it may see.
    """
    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    items, total = accounts.audit_page(
        state.store(),
        state.viewer(),
        after_id=after,
        limit=limit,
        entity=entity,
        entity_id=entity_id,
    )
    if as_json:
        emit_json({"items": items, "total": total})
        return
    headings = [
        ("Id", "id"),
        ("At", "at"),
        ("Actor", "actor"),
        ("Action", "action"),
        ("Entity", "entity"),
        ("Record", "entity_id"),
    ]
    columns = [Column(heading, _field(key)) for heading, key in headings]
    emit(items, columns, output, title=f"Audit log ({total} entries)")


def _field(key: str) -> Callable[[dict[str, Any]], Any]:
    def get(entry: dict[str, Any]) -> Any:
        return entry[key]

    return get


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies",
            help="Mark the session cookie Secure, so browsers send it over HTTPS only: set it "
            "behind a TLS proxy (or COMITY_SECURE_COOKIES=1).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            metavar="ADDRS",
            help="Believe X-Forwarded-For and X-Forwarded-Proto from these proxies only: IP "
            "addresses or networks, comma-separated (or COMITY_FORWARDED_ALLOW_IPS). Without "
            "it no one's are, and a client's address is its connection's.",
        ),
    ] = None,
) -> None:
    """Serve the API (and the web app) over HTTP; put a TLS proxy in front on a network."""
    import os

    import uvicorn

    from comity.config import get_settings, proxy_addresses

    settings = get_settings()
    proxies = settings.forwarded_allow_ips
    if forwarded_allow_ips is not None:
        try:
            proxies = proxy_addresses(forwarded_allow_ips)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--forwarded-allow-ips") from None
    state = state_of(ctx)
    store = state.store()
    store.check_ready()
    os.environ["COMITY_DATABASE_URL"] = store.url.render_as_string(hide_password=False)
    if secure_cookies:
        os.environ["COMITY_SECURE_COOKIES"] = "1"  # read by comity.server.create_app
    shown = store.url.render_as_string()
    stdout().print(f"Serving {shown} on http://{host}:{port}/ (Ctrl+C stops)", highlight=False)
    if secure_cookies or settings.secure_cookies:
        stdout().print("Session cookies are Secure: open it through the HTTPS proxy.")
    if proxies:
        stdout().print(f"Believing X-Forwarded-For and -Proto from {proxies} only.")
    # uvicorn believes X-Forwarded-For from loopback unless told otherwise; without a proxy
    # named, a client's address is its connection's (the sign-in limits count per address).
    uvicorn.run(
        "comity.server:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies,
    )
