"""What each imported dataset declares it covers: years, by nation, kind or organisation.

An import replaces its dataset's spans (:func:`replace_coverage`, in the import's transaction);
the analytics and the engagement periods read them to know which years each source observed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, insert, select

from comity.model.measures import CoverageSpan
from comity.store import tables
from comity.store.changes import bump_records

__all__ = ["coverage_ends", "list_coverage", "replace_coverage"]


def replace_coverage(connection: Connection, dataset: str, spans: Sequence[CoverageSpan]) -> None:
    """Replace what the dataset says it covers, unless it is unchanged."""
    table = tables.coverage
    current = sorted(
        (
            row.nation or "",
            row.first_year,
            row.last_year,
            row.note or "",
            row.kind or "",
            row.organisation or "",
        )
        for row in connection.execute(select(table).where(table.c.dataset == dataset))
    )
    wanted = sorted(
        (
            s.nation or "",
            s.first_year,
            s.last_year,
            s.note or "",
            s.kind or "",
            s.organisation or "",
        )
        for s in spans
    )
    if current == wanted:
        return
    # The index reads coverage: a change to it is a change to what the analytics read.
    bump_records(connection)
    connection.execute(delete(table).where(table.c.dataset == dataset))
    if spans:
        connection.execute(
            insert(table),
            [
                {
                    "dataset": dataset,
                    "nation": s.nation,
                    "first_year": s.first_year,
                    "last_year": s.last_year,
                    "note": s.note,
                    "kind": s.kind,
                    "organisation": s.organisation,
                }
                for s in spans
            ],
        )


def list_coverage(connection: Connection) -> dict[str, list[CoverageSpan]]:
    """What each imported dataset declares it covers, by dataset, in the order it was written."""
    c = tables.coverage
    found: dict[str, list[CoverageSpan]] = {}
    for row in connection.execute(select(c).order_by(c.c.dataset, c.c.id)):
        found.setdefault(row.dataset, []).append(
            CoverageSpan(
                dataset=row.dataset,
                first_year=row.first_year,
                last_year=row.last_year,
                nation=row.nation,
                note=row.note,
                kind=row.kind,
                organisation=row.organisation,
            )
        )
    return found


def coverage_ends(connection: Connection) -> dict[tuple[str, str], int]:
    """The last year each dataset covers each engagement kind, over all the pairs it covers.

    Keyed by (dataset, kind): what a record of that dataset and kind is observed through. A
    standing tie with no end is in force beyond it, as far as its source can tell.
    """
    c = tables.coverage
    query = (
        select(c.c.dataset, c.c.kind, func.max(c.c.last_year))
        .where(c.c.kind.is_not(None))
        .group_by(c.c.dataset, c.c.kind)
    )
    return {(dataset, kind): int(last) for dataset, kind, last in connection.execute(query)}
