"""The one releasability filter every read path applies, as SQL.

A record is visible to a viewer when it is PUBLIC (no label), when its label names the viewer's
nation, or when its label names an organisation the viewer's nation belonged to in the record's
year. The filter is a SQL expression, so lists, counts, exports and analytics all use the same
rule inside the database: :func:`visible_to` as a subquery per record, and
:func:`visible_in_bulk`, the same rule with the viewer's labels read first, for reads of every
record (the analytic snapshot).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import ColumnElement, Connection, and_, or_, select, true

from comity.access.viewer import Viewer
from comity.store import tables

__all__ = ["BULK_LABELS", "like_escaped", "visible_in_bulk", "visible_to"]

BULK_LABELS = 5_000
"""Label numbers above which :func:`visible_in_bulk` gives :func:`visible_to`'s form instead: a
condition of that many values is long to send and to parse, and a store binds at most so many
values to one statement (32,766 on SQLite)."""


def _settled(viewer: Viewer, label_id: ColumnElement[int]) -> ColumnElement[bool] | None:
    """The condition when labels cannot matter; None when they decide.

    Everything for the unrestricted; PUBLIC records for a viewer without a nation.
    """
    if viewer.unrestricted:
        return true()
    if viewer.nation is None:
        return label_id.is_(None)
    return None


def visible_to(
    viewer: Viewer, label_id: ColumnElement[int], year: ColumnElement[int] | int
) -> ColumnElement[bool]:
    """SQL condition: the record with this label and year may be shown to ``viewer``.

    Args:
        viewer: Who is asking.
        label_id: The record's ``label_id`` column (NULL = PUBLIC).
        year: The record's year column (or a fixed year), for organisation membership then.
    """
    if (settled := _settled(viewer, label_id)) is not None:
        return settled
    public = label_id.is_(None)
    targets = tables.release_targets
    members = tables.memberships
    member_that_year = (
        select(members.c.id)
        .where(
            members.c.organisation == targets.c.target,
            members.c.nation == viewer.nation,
            members.c.joined_year <= year,
            or_(members.c.left_year.is_(None), members.c.left_year >= year),
        )
        # Everything but the memberships comes from the enclosing queries.
        .correlate_except(members)
        .exists()
    )
    named = (
        select(targets.c.label_id)
        .where(
            targets.c.label_id == label_id,
            or_(targets.c.target == viewer.nation, member_that_year),
        )
        .correlate_except(targets)
        .exists()
    )
    return or_(public, named)


def visible_in_bulk(
    connection: Connection, viewer: Viewer, label_id: ColumnElement[int], year: ColumnElement[int]
) -> ColumnElement[bool]:
    """:func:`visible_to`'s condition for reads of many records, without a subquery per record.

    The labels the viewer's nation is named in, and those naming an organisation it belonged
    to with the years of each membership, are read once here (a few rows, in the caller's
    transaction, so on the data the reads will see) and written into the condition as label
    numbers: ``label IS NULL OR label IN (own) OR (label IN (organisation's) AND year in the
    membership) ...``. PostgreSQL runs :func:`visible_to`'s ``EXISTS`` under ``OR`` once per
    labelled record, building the memberships' hash each time: at a million engagements
    that was most of the snapshot's read.

    Args:
        connection: The connection whose transaction the filtered reads see.
        viewer: Who is asking.
        label_id: The records' ``label_id`` column (NULL = PUBLIC).
        year: The records' year column, for organisation membership then.
    """
    if (settled := _settled(viewer, label_id)) is not None:
        return settled
    public = label_id.is_(None)
    targets = tables.release_targets
    members = tables.memberships
    own = connection.execute(
        select(targets.c.label_id).where(targets.c.target == viewer.nation)
    ).scalars()
    spans: defaultdict[tuple[int, int | None], set[int]] = defaultdict(set)
    for joined, left, label in connection.execute(
        select(members.c.joined_year, members.c.left_year, targets.c.label_id)
        .join(targets, targets.c.target == members.c.organisation)
        .where(members.c.nation == viewer.nation)
    ):
        spans[(joined, left)].add(label)
    named = sorted(set(own))
    if len(named) + sum(len(labels) for labels in spans.values()) > BULK_LABELS:
        return visible_to(viewer, label_id, year)
    conditions: list[ColumnElement[bool]] = [public]
    if named:
        conditions.append(label_id.in_(named))
    for (joined, left), labels in sorted(
        spans.items(), key=lambda item: (item[0][0], item[0][1] or 0)
    ):
        during = [year >= joined] if left is None else [year >= joined, year <= left]
        conditions.append(and_(label_id.in_(sorted(labels)), *during))
    return or_(*conditions)


def like_escaped(text: str) -> str:
    """``text`` for a LIKE pattern escaped by a backslash: ``%`` and ``_`` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
