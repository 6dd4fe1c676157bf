"""The registry of cached analytic results (the results themselves are Parquet files)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from comity.store import tables

__all__ = ["CachedResult", "find_result", "record_result"]


@dataclass(frozen=True)
class CachedResult:
    """One cached result: what produced it, for whom, and where it is."""

    key: str
    kind: str
    method_version: str
    settings_digest: str
    data_version: str
    scope: str
    horizon: int
    path: str
    rows: int
    created_at: datetime


def find_result(connection: Connection, key: str) -> CachedResult | None:
    """The cached result with this key, if any."""
    row = connection.execute(
        select(tables.analytic_results).where(tables.analytic_results.c.key == key)
    ).first()
    if row is None:
        return None
    return CachedResult(**{f: getattr(row, f) for f in CachedResult.__dataclass_fields__})


def record_result(connection: Connection, result: CachedResult) -> list[str]:
    """Register a result; drop those it makes stale (same kind, scope and settings, other data).

    Returns:
        The paths of the results it replaced, for the caller to delete.
    """
    table = tables.analytic_results
    stale = connection.execute(
        select(table.c.key, table.c.path).where(
            table.c.kind == result.kind,
            table.c.scope == result.scope,
            table.c.settings_digest == result.settings_digest,
            table.c.key != result.key,
        )
    ).all()
    if stale:
        connection.execute(delete(table).where(table.c.key.in_([row.key for row in stale])))
    connection.execute(delete(table).where(table.c.key == result.key))
    connection.execute(insert(table).values(**asdict(result)))
    return [row.path for row in stale]
