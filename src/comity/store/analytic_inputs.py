"""What the analytics read from the store, flattened to columns.

Engagements, participants and attache postings a viewer may see; records linked as one event
(:mod:`comity.linkage.events`) count once.

Every read applies the releasability filter, so an index computed for a user uses only the
records that user may read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Float, and_, cast, func, literal, or_, select

from comity.access.viewer import Viewer
from comity.linkage.events import EventLink, event_groups, representatives
from comity.store import tables
from comity.store.changes import records_version
from comity.store.links import read_event_links
from comity.store.visibility import visible_to

__all__ = [
    "PLEDGE_COLUMNS",
    "AnalyticInputs",
    "CoverageRow",
    "data_version",
    "read_analytic_inputs",
    "read_coverage",
]

_PLEDGES = ("defence", "offence", "consultation", "entente", "neutrality", "non_aggression")
PLEDGE_COLUMNS = tuple(f"p_{pledge}" for pledge in _PLEDGES)
"""One 0/1 column per alliance pledge."""
_ATTACHE_POSTS = ("defence_attache", "assistant_attache")


@dataclass
class AnalyticInputs:
    """Column lists of the analytic snapshot.

    ``engagements``: engagement_id, kind, first_year, last_year (None while in force), host,
    personnel (sum of what participants reported, None if none did), source_dataset (the
    dataset it was imported from, None if entered by hand), one 0/1 column per alliance pledge
    (``p_defence``, ``p_offence``, ...), level (visits), students (education), tiv (arms
    transfers: the year's SIPRI trend-indicator value, millions).
    ``participants``: engagement_id, nation, role.
    Postings of defence attaches appear as engagements of kind ``posting`` with negative ids:
    the sending nation takes part, the host hosts.
    """

    engagements: dict[str, list[Any]] = field(default_factory=dict)
    participants: dict[str, list[Any]] = field(default_factory=dict)


_BATCH = 100_000


def _raw_rows(connection: Connection, query: Any) -> Iterator[Sequence[Any]]:
    """The rows of ``query`` as the driver gives them, in batches, in the caller's transaction.

    A snapshot reads every visible record: plain tuples from the driver's cursor (a server-side
    cursor on PostgreSQL, so memory stays flat) cost a fraction of result rows. Queries read
    here select only plain columns (numbers, text) that need no conversion.
    """
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if connection.dialect.positional:
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    if connection.dialect.name == "postgresql":
        cursor = dbapi.cursor(name="comity_analytic_inputs")
    else:
        cursor = dbapi.cursor()
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(_BATCH):
            yield rows
    finally:
        cursor.close()


def _detail(connection: Connection, name: str, *, number: bool = False) -> Any:
    """SQL: one top-level field of an engagement's details (arrays as JSON text)."""
    details = tables.engagements.c.details
    if connection.dialect.name == "postgresql":
        text = details.op("->>")(literal(name))
        return cast(text, Float) if number else text
    return func.json_extract(details, literal(f"$.{name}"))


def _pledges(text: Any) -> set[str]:
    if text is None:
        return set()
    found = json.loads(text) if isinstance(text, str) else text
    return set(found) if isinstance(found, list) else set()


def _among(connection: Connection, nations: frozenset[str]) -> Any:
    """SQL condition: the engagement ties two of ``nations`` (two participants, or one and host).

    Every such engagement includes a nation of ``nations`` other than the one with the most
    participations (two nations are needed, and at most one of them is that one): the
    candidates are found from the others' few records, and each candidate's own participants
    decide, by the primary key. Reading every participation of the busiest nation (a
    hundred thousand for the United States on the bundled data) took most of a patch's read.
    """
    e, p = tables.engagements, tables.participants
    chosen = sorted(nations)
    counts = connection.execute(
        select(p.c.nation, func.count()).where(p.c.nation.in_(chosen)).group_by(p.c.nation)
    ).all()
    busiest = max(counts, key=lambda row: (row[1], row[0]))[0] if counts else None
    others = [n for n in chosen if n != busiest]
    # A host always takes part (the model requires it): the participants alone find them.
    candidates = select(p.c.engagement_id).where(p.c.nation.in_(others))
    mine = p.alias("mine")
    two = (
        select(func.count())
        .where(mine.c.engagement_id == e.c.id, mine.c.nation.in_(chosen))
        .scalar_subquery()
    )
    # A host of the chosen with a participant of the chosen other than the host itself (a
    # host's own participation ties it to nobody).
    guest = (
        select(mine.c.nation)
        .where(mine.c.engagement_id == e.c.id, mine.c.nation.in_(chosen), mine.c.nation != e.c.host)
        .exists()
    )
    return and_(e.c.id.in_(candidates), or_(two >= 2, and_(e.c.host.in_(chosen), guest)))


def read_analytic_inputs(
    connection: Connection, viewer: Viewer, nations: frozenset[str] | None = None
) -> AnalyticInputs:
    """The engagements and participants the viewer may see, and attache postings, as columns.

    Args:
        connection: The connection.
        viewer: Whose view.
        nations: Only the records that tie two of these nations (every pair among them is then
            complete); all records when None.
    """
    e, p = tables.engagements, tables.participants
    visible = visible_to(viewer, e.c.label_id, e.c.start_year)
    if nations is not None:
        visible = and_(visible, _among(connection, nations))
    if nations is None:
        # Every record: one pass over the participants, grouped.
        totals = (
            select(p.c.engagement_id, func.sum(p.c.personnel).label("personnel"))
            .group_by(p.c.engagement_id)
            .subquery()
        )
        personnel: Any = totals.c.personnel
    else:
        # A few records: each one's own participants, by the primary key (grouping every
        # participant of the store took most of a patch's read).
        personnel = (
            select(func.sum(p.c.personnel))
            .where(p.c.engagement_id == e.c.id)
            .scalar_subquery()
            .label("personnel")
        )
    plain = (
        "engagement_id",
        "kind",
        "first_year",
        "last_year",
        "host",
        "personnel",
        "source_dataset",
        "level",
        "students",
        "tiv",
    )
    engagements: dict[str, list[Any]] = {k: [] for k in (*plain, *PLEDGE_COLUMNS)}
    # The few details the index reads come out of the JSON in SQL, not row by row in Python.
    query = (
        select(
            e.c.id,
            e.c.kind,
            e.c.start_year,
            e.c.end_year,
            e.c.host,
            personnel,
            e.c.source_dataset,
            _detail(connection, "level"),
            _detail(connection, "students", number=True),
            _detail(connection, "tiv", number=True),
            _detail(connection, "pledges"),
        )
        .where(visible)
        .order_by(e.c.id)
    )
    if nations is None:
        query = query.outerjoin(totals, totals.c.engagement_id == e.c.id)
    for rows in _raw_rows(connection, query):
        # Column by column: one C-level transposition per batch, not an append per value.
        columns_of_rows = list(zip(*rows, strict=True))
        for name, values in zip(plain, columns_of_rows[: len(plain)], strict=True):
            engagements[name].extend(values)
        pledge_texts = columns_of_rows[len(plain)]
        if any(text is not None for text in pledge_texts):
            pledges = [_pledges(text) for text in pledge_texts]
            for pledge in _PLEDGES:
                engagements[f"p_{pledge}"].extend(1 if pledge in d else 0 for d in pledges)
        else:
            for pledge in _PLEDGES:
                engagements[f"p_{pledge}"].extend([0] * len(rows))
    participants: dict[str, list[Any]] = {"engagement_id": [], "nation": [], "role": []}
    query = (
        select(p.c.engagement_id, p.c.nation, p.c.role)
        .join(e, e.c.id == p.c.engagement_id)
        .where(visible)
        .order_by(p.c.engagement_id, p.c.nation)
    )
    for rows in _raw_rows(connection, query):
        ids, taking_part, roles = zip(*rows, strict=True)
        participants["engagement_id"].extend(ids)
        participants["nation"].extend(taking_part)
        participants["role"].extend(roles)
    links = read_event_links(connection, viewer)
    if links:
        _collapse_events(engagements, participants, links)
    _add_postings(connection, viewer, engagements, participants, nations)
    return AnalyticInputs(engagements, participants)


def _collapse_events(
    engagements: dict[str, list[Any]],
    participants: dict[str, list[Any]],
    links: list[EventLink],
) -> None:
    """Count each event once, as the record that speaks for it records it.

    The other records of the event leave the columns, with their participations: the event's
    nations and personnel are those of its first record (:mod:`comity.linkage.events`).
    """
    first_of = representatives(event_groups(links))
    dropped = {key for key, first in first_of.items() if key != first}
    if not dropped:
        return
    keep = [i for i, key in enumerate(engagements["engagement_id"]) if key not in dropped]
    for name, values in engagements.items():
        engagements[name] = [values[i] for i in keep]
    kept = [i for i, key in enumerate(participants["engagement_id"]) if key not in dropped]
    for name, values in participants.items():
        participants[name] = [values[i] for i in kept]


def _add_postings(
    connection: Connection,
    viewer: Viewer,
    engagements: dict[str, list[Any]],
    participants: dict[str, list[Any]],
    nations: frozenset[str] | None = None,
) -> None:
    postings, people = tables.postings, tables.people
    query = (
        select(
            postings.c.id,
            postings.c.host,
            postings.c.start_year,
            postings.c.end_year,
            people.c.nation,
        )
        .join(people, people.c.id == postings.c.person_id)
        .where(
            postings.c.post.in_(_ATTACHE_POSTS),
            visible_to(viewer, postings.c.label_id, postings.c.start_year),
            visible_to(viewer, people.c.label_id, postings.c.start_year),
            people.c.nation != postings.c.host,
        )
        .order_by(postings.c.id)
    )
    if nations is not None:
        chosen = sorted(nations)
        query = query.where(people.c.nation.in_(chosen), postings.c.host.in_(chosen))
    for row in connection.execute(query):
        key = -int(row.id)
        values = {
            "engagement_id": key,
            "kind": "posting",
            "first_year": row.start_year,
            "last_year": row.end_year,
            "host": row.host,
        }
        for column, found in engagements.items():
            found.append(values.get(column, 0 if column.startswith("p_") else None))
        for nation, role in ((row.host, "host"), (row.nation, "participant")):
            participants["engagement_id"].append(key)
            participants["nation"].append(nation)
            participants["role"].append(role)


@dataclass(frozen=True)
class CoverageRow:
    """What one source declares it covers of one engagement kind (see ``tables.coverage``)."""

    dataset: str
    kind: str
    nation: str | None
    organisation: str | None
    first_year: int
    last_year: int


def read_coverage(connection: Connection) -> list[CoverageRow]:
    """Every coverage row that names an engagement kind, in the order they were written."""
    c = tables.coverage
    query = (
        select(c.c.dataset, c.c.kind, c.c.nation, c.c.organisation, c.c.first_year, c.c.last_year)
        .where(c.c.kind.is_not(None))
        .order_by(c.c.id)
    )
    return [CoverageRow(*row) for row in connection.execute(query)]


def data_version(connection: Connection) -> str:
    """A digest that changes whenever an analysed record changes (one primary-key read)."""
    return records_version(connection)
