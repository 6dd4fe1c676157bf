"""What the analytics read from the store, flattened to columns.

Engagements, participants and attache postings a viewer may see; records linked as one event
(:mod:`comity.linkage.events`) count once.

Every read applies the releasability filter, so an index computed for a user uses only the
records that user may read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Float, and_, case, cast, func, literal, or_, select

from comity.access.viewer import Viewer
from comity.linkage.events import EventLink, event_groups, representatives
from comity.store import tables
from comity.store.changes import records_version
from comity.store.columnar import read_table, read_table_later
from comity.store.links import read_event_links
from comity.store.visibility import visible_in_bulk, visible_to

__all__ = [
    "AnalyticInputs",
    "CoverageRow",
    "data_version",
    "read_coverage",
    "start_analytic_inputs",
]

_PLEDGES = ("defence", "offence", "consultation", "entente", "neutrality", "non_aggression")
_ATTACHE_POSTS = ("defence_attache", "assistant_attache")


@dataclass
class AnalyticInputs:
    """The analytic snapshot's records, as Arrow tables.

    ``engagements``: engagement_id, kind, first_year, last_year (None while in force), host,
    personnel (sum of what participants reported, None if none did), source_dataset (the
    dataset it was imported from, None if entered by hand), level (visits), students
    (education), tiv (arms transfers: the year's SIPRI trend-indicator value, millions), and
    one 0/1 column per alliance pledge (``p_defence``, ``p_offence``, ...). Each detail is read
    for the kind the index weighs it for only (None, or 0 for the pledges, on the others).
    ``participants``: engagement_id, nation (whatever its role: an observer is tied too).
    Postings of defence attaches appear as engagements of kind ``posting`` with negative ids:
    the sending nation takes part, the host hosts.
    """

    engagements: Any
    participants: Any


def _schemas() -> tuple[Any, Any]:
    """The Arrow schemas of the engagements and of the participants, as read.

    The engagements' pledges are JSON text and their personnel is not read; each participant
    comes with the personnel it reported.
    """
    import pyarrow as pa

    engagements = pa.schema(
        [
            ("engagement_id", pa.int64()),
            ("kind", pa.string()),
            ("first_year", pa.int32()),
            ("last_year", pa.int32()),
            ("host", pa.string()),
            ("source_dataset", pa.string()),
            ("level", pa.string()),
            ("students", pa.float64()),
            ("tiv", pa.float64()),
            ("pledges", pa.string()),
        ]
    )
    participants = pa.schema(
        [
            ("engagement_id", pa.int64()),
            ("nation", pa.string()),
            ("personnel", pa.float64()),
        ]
    )
    return engagements, participants


def _detail(connection: Connection, name: str, kind: str, *, number: bool = False) -> Any:
    """SQL: one top-level field of the details of an engagement of ``kind``, else NULL.

    Arrays come as JSON text. Other kinds' details are not parsed (a million parses cost a
    second).
    """
    e = tables.engagements
    if connection.dialect.name == "postgresql":
        found: Any = e.c.details.op("->>")(literal(name))
    else:
        found = func.json_extract(e.c.details, literal(f"$.{name}"))
    return case((e.c.kind == kind, cast(found, Float) if number else found))


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


def start_analytic_inputs(
    connection: Connection, viewer: Viewer, nations: frozenset[str] | None = None
) -> Callable[[], AnalyticInputs]:
    """Start reading what the viewer may see as columns; the function returned gives it.

    The engagements and participants the viewer may see, and attache postings. The large
    reads run on connections of their own (:mod:`comity.store.columnar`): the caller may use
    ``connection`` meanwhile, and must keep its transaction open until it has the answer.

    Args:
        connection: The connection.
        viewer: Whose view.
        nations: Only the records that tie two of these nations (every pair among them is then
            complete); all records when None.
    """
    e, p = tables.engagements, tables.participants
    visible = visible_in_bulk(connection, viewer, e.c.label_id, e.c.start_year)
    if nations is not None:
        visible = and_(visible, _among(connection, nations))
    # The few details the index reads come out of the JSON in SQL, not row by row in Python.
    query = (
        select(
            e.c.id,
            e.c.kind,
            e.c.start_year,
            e.c.end_year,
            e.c.host,
            e.c.source_dataset,
            _detail(connection, "level", "visit"),
            _detail(connection, "students", "education", number=True),
            _detail(connection, "tiv", "arms_transfer", number=True),
            _detail(connection, "pledges", "alliance"),
        )
        .where(visible)
        .order_by(e.c.id)
    )
    engagement_schema, participant_schema = _schemas()
    # A patch reads a few records: a second connection would cost more than it saves.
    columnar = nations is None
    # Upper bounds of the rows (the largest key; a count, 15 ms for 3 million participants):
    # see comity.store.columnar.
    read_engagements = read_table_later(
        connection,
        query,
        engagement_schema,
        columnar=columnar,
        rows_at_most=select(func.max(e.c.id)),
    )
    query = (
        select(p.c.engagement_id, p.c.nation, p.c.personnel)
        .join(e, e.c.id == p.c.engagement_id)
        .where(visible)
        .order_by(p.c.engagement_id, p.c.nation)
    )
    read_participants = read_table_later(
        connection,
        query,
        participant_schema,
        columnar=columnar,
        rows_at_most=select(func.count()).select_from(p),
    )

    def finished() -> AnalyticInputs:
        # Each engagement's personnel is summed here from its participants' rows, which are
        # read anyway: grouping them in the store was half of the engagements' read.
        engagements, participants = _with_personnel(
            _with_pledges(read_engagements()), read_participants()
        )
        links = read_event_links(connection, viewer)
        if links:
            engagements, participants = _collapse_events(engagements, participants, links)
        postings = _postings(connection, viewer, nations)
        if postings is not None:
            engagements, participants = _with_postings(engagements, participants, postings)
        return AnalyticInputs(engagements, participants)

    return finished


def _with_pledges(engagements: Any) -> Any:
    """The pledges' JSON list (``["defence", "consultation"]``) as one 0/1 column per pledge."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = engagements.column("pledges")
    engagements = engagements.drop_columns(["pledges"])
    for pledge in _PLEDGES:
        # A pledge is a quoted JSON string of the list: its quotes make the match exact.
        found = pc.fill_null(pc.match_substring(texts, f'"{pledge}"'), False)
        engagements = engagements.append_column(f"p_{pledge}", pc.cast(found, pa.int8()))
    return engagements


def _with_personnel(engagements: Any, participants: Any) -> tuple[Any, Any]:
    """The engagements with their participants' personnel summed, the participants without it.

    The sum is None when no participant reported any, as SQL's SUM.
    """
    import pyarrow.compute as pc

    sums = participants.group_by("engagement_id").aggregate([("personnel", "sum")])
    found = pc.index_in(engagements.column("engagement_id"), value_set=sums.column("engagement_id"))
    personnel = pc.take(sums.column("personnel_sum"), found)
    engagements = engagements.add_column(
        engagements.schema.get_field_index("host") + 1, "personnel", personnel
    )
    return engagements, participants.drop_columns(["personnel"])


def _collapse_events(
    engagements: Any, participants: Any, links: list[EventLink]
) -> tuple[Any, Any]:
    """Count each event once, as the record that speaks for it records it.

    The other records of the event leave the tables, with their participations: the event's
    nations and personnel are those of its first record (:mod:`comity.linkage.events`).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    first_of = representatives(event_groups(links))
    dropped = pa.array(sorted(key for key, first in first_of.items() if key != first), pa.int64())
    if not len(dropped):
        return engagements, participants

    def kept(table: Any) -> Any:
        return table.filter(pc.invert(pc.is_in(table.column("engagement_id"), value_set=dropped)))

    return kept(engagements), kept(participants)


def _postings(connection: Connection, viewer: Viewer, nations: frozenset[str] | None) -> Any:
    """Defence attaches' postings the viewer may see, as engagements (None when there are none)."""
    import pyarrow as pa

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
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("host", pa.string()),
            ("first_year", pa.int32()),
            ("last_year", pa.int32()),
            ("nation", pa.string()),
        ]
    )
    found = read_table(connection, query, schema, columnar=False)
    return found if found.num_rows else None


def _with_postings(engagements: Any, participants: Any, postings: Any) -> tuple[Any, Any]:
    """The postings added as engagements of kind ``posting`` (ids negated): host and sender."""
    import pyarrow as pa

    rows = postings.to_pylist()  # a few thousand at most: one per attache posted
    count = len(rows)
    given = {
        "engagement_id": [-row["id"] for row in rows],
        "kind": ["posting"] * count,
        "first_year": [row["first_year"] for row in rows],
        "last_year": [row["last_year"] for row in rows],
        "host": [row["host"] for row in rows],
    }
    added = pa.table(
        {
            field.name: pa.array(
                given.get(field.name, [0 if field.name.startswith("p_") else None] * count),
                type=field.type,
            )
            for field in engagements.schema
        }
    )
    taking_part = pa.table(
        {
            "engagement_id": [-row["id"] for row in rows for _ in range(2)],
            "nation": [nation for row in rows for nation in (row["host"], row["nation"])],
        },
        schema=participants.schema,
    )
    return (
        pa.concat_tables([engagements, added]),
        pa.concat_tables([participants, taking_part]),
    )


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
