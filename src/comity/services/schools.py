"""Schools: how many officers of which nations each trained, by year.

Read from the education and training engagements the viewer may see (the bundled US Foreign
Military Training Report names its schools from FY2011 on; recorded courses name theirs in
``institution``). A school's students sum the records that say how many; records that do not
are counted apart (``unknown``), never as zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from comity.access.viewer import Viewer
from comity.errors import FieldProblem, NotFoundError, ValidationError
from comity.ingest.datasets.us_fmt_training_rules import school_of
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import nations as nation_store
from comity.store.schools import SchoolLine, read_school_lines

__all__ = ["school_detail", "school_list"]


@dataclass
class _Tally:
    students: int = 0
    records: int = 0
    unknown: int = 0
    nations: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    providers: set[str] = field(default_factory=set)

    def add(self, line: SchoolLine) -> None:
        self.records += 1
        if line.students is None:
            self.unknown += 1
        else:
            self.students += line.students
        self.nations.add(line.nation)
        self.years.add(line.year)
        if line.provider:
            self.providers.add(line.provider)


def _lines(store: Store, viewer: Viewer, nation: str | None) -> list[SchoolLine]:
    key = resolve_nation(nation).iso3 if nation else None
    with store.connect() as connection:
        return read_school_lines(connection, viewer, nation=key)


def school_list(
    store: Store, viewer: Viewer, *, nation: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Schools by the students they trained (of ``nation``, when given), most first.

    Each: ``school``, ``students`` (summed where given), ``records``, ``unknown`` (records
    without a number), ``nations`` (how many), ``first`` and ``last`` year, ``providers``.

    Raises:
        UnknownNationError: When ``nation`` does not resolve.
        ValidationError: When ``limit`` is below 1.
    """
    if limit is not None and limit < 1:
        raise ValidationError([FieldProblem("limit", "must be 1 or more", str(limit))], "query")
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for line in _lines(store, viewer, nation):
        tallies[line.school].add(line)
    schools: list[dict[str, Any]] = [
        {
            "school": school,
            "students": tally.students,
            "records": tally.records,
            "unknown": tally.unknown,
            "nations": len(tally.nations),
            "first": min(tally.years),
            "last": max(tally.years),
            "providers": sorted(tally.providers),
        }
        for school, tally in tallies.items()
    ]
    schools.sort(key=lambda s: (-s["students"], -s["records"], s["school"].casefold()))
    return schools[:limit] if limit is not None else schools


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _school_named(text: str, schools: set[str]) -> str:
    """The school ``text`` names: by its name or a known abbreviation, or the one containing it.

    Raises:
        NotFoundError: When no school, or several, match (the hint names up to five).
    """
    by_key = {_key(name): name for name in schools}
    for candidate in (text, school_of(text)):
        if _key(candidate) in by_key:
            return by_key[_key(candidate)]
    wanted = _key(text)
    containing = sorted(name for key, name in by_key.items() if wanted and wanted in key)
    if len(containing) == 1:
        return containing[0]
    if containing:
        shown = "; ".join(containing[:5]) + ("; ..." if len(containing) > 5 else "")
        raise NotFoundError(
            f"{len(containing)} schools' names contain those words: give one",
            hint=f"For example {shown}.",
        )
    raise NotFoundError(
        "No school of that name in the records you may see",
        hint="`comity schools` (or the Schools page) lists them.",
    )


def school_detail(
    store: Store, viewer: Viewer, school: str, *, nation: str | None = None
) -> dict[str, Any]:
    """One school: students of each nation by year, nations with most students first.

    Returns ``school``, ``years`` (ascending), ``students``, ``records``, ``unknown``, and
    ``nations``: each ``nation``, ``name``, ``students``, ``unknown`` and ``by_year``
    (year -> students, ``None`` where the records of that year give no number).

    ``school`` is matched without regard to case or spacing, by a known abbreviation
    ("WHINSEC", "GCMC") or, when only one school's name contains it, by part of its name.

    Raises:
        NotFoundError: When no record the viewer may see names the school, or several match.
        UnknownNationError: When ``nation`` does not resolve.
    """
    every = _lines(store, viewer, nation)
    name = _school_named(school, {line.school for line in every})
    lines = [line for line in every if line.school == name]
    with store.connect() as connection:
        names = {n.iso3: n.name for n in nation_store.load_nations(connection).values()}
    total = _Tally()
    per_nation: dict[str, _Tally] = defaultdict(_Tally)
    by_year: dict[str, dict[int, int | None]] = defaultdict(dict)
    for line in lines:
        total.add(line)
        per_nation[line.nation].add(line)
        cell = by_year[line.nation]
        if line.students is not None:
            cell[line.year] = (cell.get(line.year) or 0) + line.students
        else:
            cell.setdefault(line.year, None)
    nations: list[dict[str, Any]] = [
        {
            "nation": key,
            "name": names.get(key, key),
            "students": tally.students,
            "unknown": tally.unknown,
            "by_year": dict(sorted(by_year[key].items())),
        }
        for key, tally in per_nation.items()
    ]
    nations.sort(key=lambda n: (-n["students"], n["nation"]))
    return {
        "school": lines[0].school,
        "years": sorted(total.years),
        "students": total.students,
        "records": total.records,
        "unknown": total.unknown,
        "providers": sorted(total.providers),
        "nations": nations,
    }
