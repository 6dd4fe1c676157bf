"""What the "expected but missing" part of the data-quality report reads: programme records.

One row per distinct (programme, kind, source dataset, start year) among the engagements the
viewer may see that belong to a programme, and the years each dataset covers of each kind (the
``coverage`` rows that name a kind).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from comity.access.viewer import Viewer
from comity.store import tables
from comity.store.coverage import list_coverage
from comity.store.visibility import visible_to

__all__ = [
    "SeriesInputs",
    "SeriesOccurrence",
    "SeriesRow",
    "read_series_inputs",
    "read_series_of_nation",
]


@dataclass(frozen=True)
class SeriesRow:
    """Records of one programme, kind and source that start in one year.

    ``source_dataset`` is the dataset they were imported from, None when entered by hand.
    """

    programme: str
    kind: str
    source_dataset: str | None
    start_year: int


@dataclass(frozen=True)
class SeriesInputs:
    """The programme records a viewer may see and what each source covers.

    ``coverage`` maps (dataset, kind) to the (first_year, last_year) spans the dataset declares
    for that kind, whatever nation or organisation a span is scoped to.
    """

    rows: list[SeriesRow]
    coverage: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)


def read_series_inputs(
    connection: Connection, viewer: Viewer, nation: str | None = None
) -> SeriesInputs:
    """The programme records the viewer may see, and the coverage of every dataset and kind.

    Args:
        connection: An open connection.
        viewer: Whose view; only the records the viewer may see are read.
        nation: When given (ISO alpha-3), only the programmes in which this nation takes part
            in at least one record the viewer may see; all their visible records are read.

    Returns:
        The rows, ordered by programme, start year, kind and source, and the coverage spans.
    """
    e = tables.engagements
    programmes = tables.programmes
    visible = visible_to(viewer, e.c.label_id, e.c.start_year)
    query = (
        select(programmes.c.name, e.c.kind, e.c.source_dataset, e.c.start_year)
        .distinct()
        .select_from(e.join(programmes, programmes.c.id == e.c.programme_id))
        .where(visible)
        .order_by(programmes.c.name, e.c.start_year, e.c.kind, e.c.source_dataset)
    )
    if nation:
        p = tables.participants
        # An alias, so the subquery reads every record of the programme, not the outer one.
        other = e.alias("other")
        taking_part = (
            select(other.c.programme_id)
            .join(p, p.c.engagement_id == other.c.id)
            .where(
                p.c.nation == nation,
                other.c.programme_id.is_not(None),
                visible_to(viewer, other.c.label_id, other.c.start_year),
            )
        )
        query = query.where(e.c.programme_id.in_(taking_part))
    rows = [
        SeriesRow(
            programme=row.name,
            kind=row.kind,
            source_dataset=row.source_dataset,
            start_year=int(row.start_year),
        )
        for row in connection.execute(query)
    ]
    coverage: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for dataset, spans in list_coverage(connection).items():
        for span in spans:
            if span.kind is not None:
                coverage.setdefault((dataset, span.kind), []).append(
                    (span.first_year, span.last_year)
                )
    return SeriesInputs(rows, coverage)


@dataclass(frozen=True)
class SeriesOccurrence:
    """One record of a programme the nation takes part in: its kind, year, nations and size.

    ``nations`` are every participant of the record; ``personnel`` their reported sum (None
    when none reports one); ``last_covered`` the last year the record's source covers its kind
    (None when entered by hand, or when the source declares no coverage of the kind).
    """

    programme: str
    kind: str
    start_year: int
    nations: tuple[str, ...]
    personnel: int | None
    last_covered: int | None


def read_series_of_nation(
    connection: Connection, viewer: Viewer, nation: str
) -> list[SeriesOccurrence]:
    """Every record the viewer may see of the programmes in which ``nation`` takes part.

    Ordered by programme and start year; only records in which ``nation`` takes part.
    """
    e, p, programmes = tables.engagements, tables.participants, tables.programmes
    mine = select(p.c.engagement_id).where(p.c.nation == nation)
    query = (
        select(
            e.c.id,
            programmes.c.name,
            e.c.kind,
            e.c.start_year,
            e.c.source_dataset,
            p.c.nation,
            p.c.personnel,
        )
        .select_from(
            e.join(programmes, programmes.c.id == e.c.programme_id).join(
                p, p.c.engagement_id == e.c.id
            )
        )
        .where(visible_to(viewer, e.c.label_id, e.c.start_year), e.c.id.in_(mine))
        .order_by(programmes.c.name, e.c.start_year, e.c.id, p.c.nation)
    )
    records: dict[int, dict[str, Any]] = {}
    for row in connection.execute(query):
        record = records.setdefault(
            row.id,
            {
                "programme": row.name,
                "kind": row.kind,
                "start_year": int(row.start_year),
                "dataset": row.source_dataset,
                "nations": [],
                "personnel": [],
            },
        )
        record["nations"].append(row.nation)
        if row.personnel is not None:
            record["personnel"].append(int(row.personnel))
    covered: dict[tuple[str, str], int] = {}
    for dataset, spans in list_coverage(connection).items():
        for span in spans:
            if span.kind is not None:
                key = (dataset, span.kind)
                covered[key] = max(covered.get(key, span.last_year), span.last_year)
    return [
        SeriesOccurrence(
            programme=r["programme"],
            kind=r["kind"],
            start_year=r["start_year"],
            nations=tuple(r["nations"]),
            personnel=sum(r["personnel"]) if r["personnel"] else None,
            last_covered=covered.get((r["dataset"], r["kind"])) if r["dataset"] else None,
        )
        for r in records.values()
    ]
