"""Schools and the officers they trained: read from education and training engagements.

A school (an *institution*) is named by an engagement's details: ``schools`` (students per
school, when the record spans several) or ``institution``. Only engagements the viewer may see
are read; the trainees are the participants other than the host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select

from comity.access.viewer import Viewer
from comity.store import tables
from comity.store.visibility import visible_to

__all__ = ["SchoolLine", "read_school_lines"]

_E = tables.engagements
_P = tables.participants


@dataclass(frozen=True)
class SchoolLine:
    """Students of one nation at one school in one year, from one engagement."""

    engagement_id: int
    kind: str
    year: int
    provider: str | None
    nation: str
    school: str
    students: int | None


def _schools(details: dict[str, Any], personnel: int | None, trainees: int) -> dict[str, Any]:
    """Students per school of one trainee nation (``None`` where the record does not say)."""
    schools: dict[str, Any] = dict(details.get("schools") or {})
    institution = details.get("institution")
    if not schools and institution:
        schools = {institution: details.get("students")}
    if trainees > 1:
        # Several trainee nations: a school's students are not split among them.
        return {school: personnel if len(schools) == 1 else None for school in schools}
    if len(schools) == 1 and personnel is not None:
        return dict.fromkeys(schools, personnel)
    return schools


def read_school_lines(
    connection: Connection, viewer: Viewer, *, nation: str | None = None
) -> list[SchoolLine]:
    """Every (school, trainee nation, year) the viewer may see, one line per engagement."""
    query = (
        select(
            _E.c.id,
            _E.c.kind,
            _E.c.start_year,
            _E.c.host,
            _E.c.details,
            _P.c.nation,
            _P.c.personnel,
        )
        .join(_P, _P.c.engagement_id == _E.c.id)
        .where(
            _E.c.kind.in_(("education", "training")),
            _E.c.details.is_not(None),
            visible_to(viewer, _E.c.label_id, _E.c.start_year),
            or_(_E.c.host.is_(None), _P.c.nation != _E.c.host),
        )
        .order_by(_E.c.id)
    )
    rows = connection.execute(query).all()
    trainees: dict[int, int] = {}
    for row in rows:
        trainees[row.id] = trainees.get(row.id, 0) + 1
    lines = []
    for row in rows:
        details = row.details or {}
        if nation is not None and row.nation != nation:
            continue
        if not (details.get("schools") or details.get("institution")):
            continue
        for school, students in _schools(details, row.personnel, trainees[row.id]).items():
            lines.append(
                SchoolLine(row.id, row.kind, row.start_year, row.host, row.nation, school, students)
            )
    return lines
