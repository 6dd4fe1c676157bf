"""The ``comity`` command: a thin Typer layer over :mod:`comity.services`.

Commands are listed explicitly below; each module holds one group. Expected failures
(:class:`~comity.errors.ComityError`) print ``Error: ...`` and a hint on standard error and exit
with status 1; usage errors exit with 2; tracebacks appear only with ``--debug``.

Building the commands needs only Typer, Rich and light modules (the enums of
:mod:`comity.model.vocabulary`, option defaults); each command imports the services it calls when
it runs, so ``comity --help`` or a mistyped option answers at once. ``tests/test_cli_startup.py``
keeps it so.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from comity.cli import (
    accounts,
    alumni,
    analytics,
    audit,
    culture,
    drafts,
    effects,
    engagements,
    exchange,
    exports,
    extract,
    imports,
    links,
    maintenance,
    media,
    nations,
    optimise,
    outlook,
    plans,
    quality,
    serve,
    setup,
)
from comity.cli.output import print_error, stderr
from comity.cli.state import CliState, state_of
from comity.errors import ComityError

__all__ = ["app", "app_for", "main"]


class _ComityGroup(TyperGroup):
    """Turns expected failures into one readable line instead of a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ComityError as error:
            state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
            if state.debug:
                raise
            print_error(error, verbose=state.verbose)
            raise typer.Exit(1) from None
        finally:
            if isinstance(ctx.obj, CliState):
                ctx.obj.close()


app = typer.Typer(
    cls=_ComityGroup,
    name="comity",
    help="Record, plan and measure how nations build trust through military cooperation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version as _package_version

        typer.echo(f"comity {_package_version('comity')}")
        raise typer.Exit()


class _YellowWarnings(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        stderr().print(f"[yellow]Warning:[/yellow] {record.getMessage()}", highlight=False)


@app.callback()
def _root(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            envvar="COMITY_DATABASE_URL",
            help="Store URL: sqlite:///FILE (the default lives in your user data folder) "
            "or postgresql://USER@HOST/DB.",
            show_envvar=True,
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="COMITY_USER",
            show_envvar=True,
            help="Act as this account: see what it may see, write in its name.",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every problem and more detail.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="COMITY_DEBUG", help="Show tracebacks of failures."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Record, plan and measure how nations build trust through military cooperation."""
    state = state_of(ctx)
    state.database, state.verbose, state.debug = database, verbose, debug
    state.as_user = as_user
    handler = _YellowWarnings(level=logging.INFO if verbose else logging.WARNING)
    package_logger = logging.getLogger("comity")
    package_logger.handlers = [handler]
    package_logger.setLevel(handler.level)
    package_logger.propagate = False


app.command("init")(setup.init)
app.command("nations")(nations.list_nations)
app.command("nation")(nations.show_nation)
app.command("orgs")(nations.organisations)
app.command("import")(imports.import_data)
app.command("sources")(imports.list_sources)
app.command("ties")(analytics.ties)
app.command("dyad")(analytics.dyad)
app.command("profile")(analytics.profile)
app.command("network")(analytics.network)
app.command("compare")(analytics.compare)
app.add_typer(exports.export_app, name="export")
app.add_typer(media.media_app, name="media")
app.add_typer(engagements.app, name="engagements")
app.add_typer(plans.app, name="plans")
app.command("briefing")(culture.briefing)
app.add_typer(culture.calendar_app, name="calendar")
app.add_typer(culture.culture_app, name="culture")
app.add_typer(culture.notes_app, name="notes")
app.add_typer(accounts.users_app, name="users")
app.add_typer(audit.audit_app, name="audit")
app.command("serve")(serve.serve)
app.command("status")(maintenance.status)
app.command("backup")(maintenance.backup)
app.command("restore")(maintenance.restore)
app.command("optimise")(optimise.optimise)
app.command("outlook")(outlook.outlook)
app.command("alumni")(alumni.alumni)
app.command("schools")(alumni.schools)
app.add_typer(alumni.people_app, name="people")
app.command("quality")(quality.quality)
app.add_typer(links.links_app, name="links")
app.add_typer(drafts.drafts_app, name="drafts")
app.command("extract")(extract.extract)
app.command("effect")(effects.effect)
app.add_typer(exchange.exchange_app, name="exchange")


_ROOT_VALUES = frozenset({"--database", "--user"})
"""The root options that take a value (a test holds this list to the root's parameters)."""


def app_for(arguments: Sequence[str]) -> typer.Typer:
    """The app with only the command ``arguments`` name; the whole app when they name none.

    Typer builds the parameters of every command before it runs one (0.1-0.3 s of a quick
    command such as a second ``comity ties``); the one named is all a run needs. Help without a
    command, and a name no command has (answered with the list), get the whole app.
    """
    remaining = iter(arguments)
    for argument in remaining:
        if argument in _ROOT_VALUES:
            next(remaining, None)
        elif not argument.startswith("-"):
            return _only(argument)
    return app


def _only(name: str) -> typer.Typer:
    commands = [c for c in app.registered_commands if _command_name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return app
    pruned = copy.copy(app)
    pruned.registered_commands, pruned.registered_groups = commands, groups
    return pruned


def _command_name(command: Any) -> str | None:
    if command.name:
        return str(command.name)
    callback = command.callback
    return typer.main.get_command_name(callback.__name__) if callback else None


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app_for(sys.argv[1:])()
