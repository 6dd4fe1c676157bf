"""Alumni figures: how many attended a programme, how many reached a senior post, how fast.

Unit: a group of alumni (a programme, or the nation the alumni serve). An alumnus counts once
per group, with the first course he or she attended in it. A senior post is a career step whose
seniority is in :data:`comity.model.alumni.SENIOR`, dated on or after that course's first day;
the years to it are counted from the course's first day (days / 365.25). Posts held before the
course do not count: the figure measures what followed it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from comity.model.alumni import SENIOR

__all__ = ["AlumniFigure", "create_alumni_figures"]


class _Attendance(Protocol):
    @property
    def person_id(self) -> int: ...
    @property
    def nation(self) -> str: ...
    @property
    def programme(self) -> str: ...
    @property
    def start(self) -> date: ...


class _Step(Protocol):
    @property
    def person_id(self) -> int: ...
    @property
    def day(self) -> date: ...
    @property
    def seniority(self) -> str: ...


@dataclass(frozen=True)
class AlumniFigure:
    """The figures of one group.

    Attributes:
        group: The programme or nation.
        alumni: Distinct people who attended.
        senior: How many of them reached a senior post after the course.
        share: senior / alumni.
        median_years: Median years from the course to the first senior post (None: nobody).
        min_years: Fewest years.
        max_years: Most years.
    """

    group: str
    alumni: int
    senior: int
    share: float
    median_years: float | None
    min_years: float | None
    max_years: float | None


def create_alumni_figures(
    attendances: Iterable[_Attendance], steps: Iterable[_Step], *, by: str = "programme"
) -> list[AlumniFigure]:
    """Figures per programme (``by="programme"``) or per nation (``by="nation"``), by name.

    Raises:
        ValueError: When ``by`` is neither.
    """
    if by not in ("programme", "nation"):
        raise ValueError("by must be programme or nation")
    senior_days: dict[int, list[date]] = defaultdict(list)
    for step in steps:
        if step.seniority in SENIOR:
            senior_days[step.person_id].append(step.day)
    first_course: dict[str, dict[int, date]] = defaultdict(dict)
    for row in attendances:
        group = row.programme if by == "programme" else row.nation
        known = first_course[group].get(row.person_id)
        if known is None or row.start < known:
            first_course[group][row.person_id] = row.start
    return [_figure(group, courses, senior_days) for group, courses in sorted(first_course.items())]


def _figure(
    group: str, courses: dict[int, date], senior_days: dict[int, list[date]]
) -> AlumniFigure:
    years: list[float] = []
    for person, start in courses.items():
        after = [day for day in senior_days.get(person, []) if day >= start]
        if after:
            years.append(round((min(after) - start).days / 365.25, 2))
    return AlumniFigure(
        group=group,
        alumni=len(courses),
        senior=len(years),
        share=len(years) / len(courses),
        median_years=_median(years),
        min_years=min(years) if years else None,
        max_years=max(years) if years else None,
    )


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None
