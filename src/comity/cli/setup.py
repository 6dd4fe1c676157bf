"""``comity init``: create or migrate the store and seed its reference data."""

from __future__ import annotations

from typing import Annotated

import typer

from comity import services
from comity.cli.output import emit_json, stdout
from comity.cli.state import state_of

__all__ = ["init"]


def init(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Create the store (or apply pending migrations) and seed nations and organisations.

    Safe to run again: it applies only what is missing and reports the rest unchanged.
    """
    report = services.initialise(state_of(ctx).store())
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
