"""``comity audit verify|checkpoint|list``: the append-only audit log of every write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from comity.cli.output import Column, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The append-only audit log of every write.", no_args_is_help=True)

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]


@audit_app.command("verify")
def verify_audit(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Check the hash chain of the audit log; exit 1 when an entry was changed or removed."""
    from comity.services import accounts

    state = state_of(ctx)
    report = accounts.verify_audit(state.store(), state.viewer())
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
    from comity.services import accounts

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
    from comity.services import accounts

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
