"""The one releasability filter every read path applies, as SQL.

A record is visible to a viewer when it is PUBLIC (no label), when its label names the viewer's
nation, or when its label names an organisation the viewer's nation belonged to in the record's
year. The filter is a SQL expression, so lists, counts, exports and analytics all use the same
rule inside the database.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true

from comity.access.viewer import Viewer
from comity.store import tables

__all__ = ["like_escaped", "visible_to"]


def visible_to(
    viewer: Viewer, label_id: ColumnElement[int], year: ColumnElement[int] | int
) -> ColumnElement[bool]:
    """SQL condition: the record with this label and year may be shown to ``viewer``.

    Args:
        viewer: Who is asking.
        label_id: The record's ``label_id`` column (NULL = PUBLIC).
        year: The record's year column (or a fixed year), for organisation membership then.
    """
    if viewer.unrestricted:
        return true()
    public = label_id.is_(None)
    if viewer.nation is None:
        return public
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


def like_escaped(text: str) -> str:
    """``text`` for a LIKE pattern escaped by a backslash: ``%`` and ``_`` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
