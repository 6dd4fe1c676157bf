"""``comity status``, ``comity backup`` and ``comity restore``: look after the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from comity.cli.output import emit_json, stdout
from comity.cli.state import state_of

__all__ = ["backup", "restore", "status"]

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]


def status(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Show the store: its URL, engine, schema migration and connection pooling."""
    from comity.services import maintenance

    found = maintenance.store_status(state_of(ctx).store_as_is())
    pool = None
    if found.pool is not None:
        p = found.pool
        pool = {
            "size": p.size,
            "max_overflow": p.max_overflow,
            "timeout": p.timeout,
            "recycle": p.recycle,
            "pre_ping": p.pre_ping,
        }
    if as_json:
        emit_json(
            {
                "store": found.url,
                "engine": found.engine,
                "revision": found.revision,
                "head": found.head,
                "up_to_date": found.up_to_date,
                "pool": pool,
            }
        )
        return
    console = stdout()
    console.print(f"Store: {found.url} ({found.engine})", highlight=False)
    if found.revision is None:
        schema = "not initialised (run `comity init`)"
    elif found.up_to_date:
        schema = f"{found.revision} (the latest)"
    else:
        schema = f"{found.revision}, behind {found.head} (run `comity init`)"
    console.print(f"Schema: {schema}", highlight=False)
    if pool is None:
        console.print("Connections: one per thread (SQLite)", highlight=False)
    else:
        console.print(
            f"Connection pool: {pool['size']} kept, up to {pool['max_overflow']} more under "
            f"load, {pool['timeout']:g} s wait, recycled after {pool['recycle']} s, "
            f"checked before use: {'yes' if pool['pre_ping'] else 'no'}",
            highlight=False,
        )


def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to write (replaced if it exists).")],
    as_json: _JSON = False,
) -> None:
    """Write a consistent backup of the whole store to FILE, even while it is in use.

    The file holds the data (SQLite's online backup, or pg_dump's custom format) and a manifest
    that `comity restore` checks. It holds every record, whatever its releasability: keep it
    as safe as the store.
    """
    from comity.services import maintenance

    state = state_of(ctx)
    store = state.store_as_is()
    report = maintenance.back_up(store, state.viewer(), file)
    m = report.manifest
    if as_json:
        emit_json({"file": str(report.path), **m.to_dict()})
        return
    rows = sum(m.tables.values())
    stdout().print(
        f"Backed up {store.describe()} to {report.path}: schema {m.revision}, {rows:,} rows in "
        f"{len(m.tables)} tables, {m.audit_entries:,} audit entries (sha256 {m.sha256[:16]}…).",
        highlight=False,
    )


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `comity backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that already holds records.")
    ] = False,
    as_json: _JSON = False,
) -> None:
    """Replace the whole store with the backup in FILE: all of it, or nothing.

    The backup is checked first (its manifest, sha256 and schema); a backup of an older schema
    is migrated to the latest; the audit log's chain is verified. Stop servers using the store
    first. A store holding records is replaced only with --force.
    """
    from comity.services import maintenance

    state = state_of(ctx)
    store = state.store_as_is()
    report = maintenance.restore(store, state.viewer(), file, force=force)
    m = report.manifest
    if as_json:
        emit_json(
            {
                "file": str(file),
                "store": store.describe(),
                "backup": m.to_dict(),
                "revision": report.revision,
                "migrated": report.migrated,
                "replaced_data": report.replaced_data,
                "tables": report.tables,
                "audit_entries": report.audit.entries,
                "audit_ok": report.audit.ok,
            }
        )
        return
    console = stdout()
    console.print(
        f"Restored {file} (taken {m.created_at} by comity {m.comity_version}) into "
        f"{store.describe()}.",
        highlight=False,
    )
    if report.migrated:
        console.print(f"Migrated it from schema {m.revision} to {report.revision}.")
    table = Table(title="Rows restored", header_style="bold")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in sorted(report.tables.items()):
        if count:
            table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(
        f"The audit log is intact ({report.audit.entries:,} entries) and records this restore.",
        highlight=False,
    )
