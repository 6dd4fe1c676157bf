"""``comity init``: create or migrate the store and seed its reference data."""

from __future__ import annotations

import os
import secrets
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from comity.access.viewer import Role, Viewer
from comity.cli.output import emit_json, stdout
from comity.cli.state import state_of
from comity.errors import ComityError, NotFoundError

if TYPE_CHECKING:
    from comity.store import Store

__all__ = ["init"]


def init(
    ctx: typer.Context,
    admin: Annotated[
        str | None,
        typer.Option(
            "--admin",
            help="Also create this administrator account, if it is new: the installation's "
            "operator, who manages every nation's accounts.",
        ),
    ] = None,
    admin_nation: Annotated[
        str, typer.Option("--admin-nation", help="The administrator's nation (name or code).")
    ] = "",
    generate: Annotated[
        bool,
        typer.Option("--generate-password", help="Make up the password and print it once."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Create the store (or apply pending migrations) and seed nations and organisations.

    Safe to run again: it applies only what is missing and reports the rest unchanged. With
    --admin, the password comes from COMITY_ADMIN_PASSWORD or is asked for.
    """
    from comity import services

    if admin and not admin_nation:
        raise typer.BadParameter("--admin needs --admin-nation (the account's nation)")
    state = state_of(ctx)
    report = services.initialise(state.store_as_is())
    if admin:
        _first_admin(
            state.store(), state.viewer(), admin, admin_nation, quiet=as_json, generate=generate
        )
    if as_json:
        emit_json(
            {
                "store": report.store,
                "revision_before": report.revision_before,
                "revision": report.revision_after,
                "nations": vars(report.nations),
                "organisations": vars(report.organisations),
                "memberships": report.memberships,
            }
        )
        return
    console = stdout()
    if report.revision_before is None:
        console.print(f"Created the store at {report.store} (schema {report.revision_after}).")
    elif report.revision_before != report.revision_after:
        console.print(
            f"Migrated the store at {report.store} from {report.revision_before} "
            f"to {report.revision_after}."
        )
    else:
        console.print(f"The store at {report.store} is up to date ({report.revision_after}).")
    n, o = report.nations, report.organisations
    console.print(
        f"Nations: {n.added} added, {n.updated} updated, {n.unchanged} unchanged. "
        f"Organisations: {o.added} added, {o.updated} updated, {o.unchanged} unchanged "
        f"({report.memberships} membership spells)."
    )


def _has_terminal() -> bool:
    """Whether a password can be asked for: standard input is a terminal."""
    return sys.stdin is not None and sys.stdin.isatty()


def _first_admin(
    store: Store, operator: Viewer, name: str, nation: str, *, quiet: bool, generate: bool
) -> None:
    from comity.services import accounts

    try:
        accounts.get_user(store, username=name)
    except NotFoundError:
        pass
    else:
        if not quiet:
            stdout().print(
                f"The account {name} exists already; left as it is "
                f"(a new password: comity users password {name} --generate).",
                highlight=False,
            )
        return
    password = os.environ.get("COMITY_ADMIN_PASSWORD") or ""
    if not password and generate:
        password = secrets.token_urlsafe(12)
    elif not password:
        if not _has_terminal():
            # getpass would warn, read nothing and leave Click to print a bare "Aborted.".
            raise ComityError(
                f"No password for the administrator {name}: there is no terminal to ask on; "
                "set COMITY_ADMIN_PASSWORD or give --generate-password."
            )
        password = typer.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)
    # The first administrator is the installation's: they manage every nation's accounts.
    accounts.create_user(
        store, operator, username=name, password=password, nation=nation, role=Role.OPERATOR
    )
    if not quiet:
        stdout().print(f"Created the administrator {name}.", highlight=False)
    if generate and not os.environ.get("COMITY_ADMIN_PASSWORD"):
        # Printed even with --json: it is shown this once.
        stdout().print(f"Sign in as {name} with the password: {password}", highlight=False)
