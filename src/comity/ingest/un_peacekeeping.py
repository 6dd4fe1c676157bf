"""UN uniformed personnel by contributing country, mission and year -> ``peacekeeping`` engagements.

One engagement per mission and year (``UNIFIL 2015``): every country with personnel in the mission
that year takes part, with its average monthly personnel. The mission's host does not contribute
and is not recorded as host (an engagement's host must take part); its name is the location.

Quirks of the file, each handled by a rule below and counted in the report:

- It is a derived table (Univ. of Kent project, 2023) of the UN's monthly contributions file:
  ``Female``, ``Male`` and ``Total`` are average monthly personnel in the calendar year, each
  rounded on its own, so Female + Male may differ from Total by 1 (more is an issue). Personnel
  is ``Total`` rounded half up; a Total that rounds to 0 is kept (the country was deployed).
- Rows whose Female, Male and Total are all 0 say nothing: PROVENANCE says they were dropped
  from the bundled copy (none remain); any found are excluded.
- ``Country`` is the UN's spelling ("Bolivia (Plurinational State of)", "Côte d’Ivoire" with a
  typographic apostrophe, "United Republic of Tanzania", "Iran (Islamic Republic of)"); it is
  resolved with the row's year. Every spelling in the bundled file resolves; any the resolver
  does not know must be added to :data:`NAMES` (with a comment) or mapped with ``--names``,
  never guessed.
- A country listed twice for one mission and year (never in the bundled file; possible when two
  spellings mean one nation) has its rows summed, counted as a correction.
- A contributor must have been a state in the row's year (state-system years); one that was not
  is an issue, not dropped. None occurs in the bundled file: South Sudan (a state from July
  2011) contributes to no mission, and Palau, Samoa, Vanuatu and the Solomon Islands are states
  throughout.
- ``Mission`` is an acronym; its full name, host and location come from comity's own table
  ``missions.tsv`` beside the data file, read from the package (not an input file). A mission it
  lacks is an issue. Political missions (UNAMA, UNAMI, UNSOM, UNSMIL, the Burundi, Colombia,
  Guinea-Bissau, Haiti (BINUH), Hodeidah, Nepal and West Africa offices) and the UNSOS support
  office also deploy uniformed personnel: they are kept, marked ``political`` or ``support``
  there, and say so in the description.
- Years are partial or low: 2010 (from late 2010) and 2021 (to early 2021) hold a month or two,
  and 2011, 2012 and 2017 are low for many missions (UNIFIL 2011 4,640 and 2017 4,408 against
  9,400-10,500 in 2013-2020): months are missing from the extract. The coverage note says so;
  use the personnel as relative weights, not official totals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, read_delimited
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan
from comity.model.numbers import is_whole

__all__ = ["IMPORTER", "NAMES", "Mission", "UnPeacekeeping", "read_missions"]

NAMES: dict[str, str] = {}
"""UN spellings the resolver does not know, each with its nation key and a comment saying why.

Empty: every spelling of the bundled 2010-2021 file resolves (``Turkey`` through
country_converter's pattern, the rest by exact name or alias).
"""

_COLUMNS = ("Year", "Country", "Mission", "Female", "Male", "Total")
_MISSION_COLUMNS = ("mission", "name", "type", "host_iso3", "location", "mandating_body", "note")
_TYPES = {
    "peacekeeping": "",
    "political": " A special political mission, not a peacekeeping operation.",
    "support": " A support office, not a mission of its own.",
}
_FIRST_YEAR = 1948
"""UNTSO, the first UN peace operation."""

_NOTE = (
    "average monthly uniformed personnel by contributing country, mission and year, derived from "
    "the UN's monthly contributions; 2010 (from late 2010) and 2021 (to early 2021) are partial "
    "years, and 2011, 2012 and 2017 are low for many missions (2017 about 40,000 in all against "
    "about 90,000 in neighbouring years): months are missing from the source extract, so "
    "personnel are relative weights, not official totals"
)


@dataclass(frozen=True)
class Mission:
    """A UN mission as ``missions.tsv`` describes it.

    Attributes:
        acronym: Its acronym, as the personnel file writes it.
        name: Its full name.
        type: ``peacekeeping``, ``political`` or ``support``.
        host: Key of its host nation or territory, when it has a single one.
        location: Where it operates, as text.
        mandating_body: Who mandates it (``UN``).
    """

    acronym: str
    name: str
    type: str
    host: str | None
    location: str | None
    mandating_body: str


@dataclass
class _MissionYear:
    mission: str
    year: int
    file: str
    personnel: dict[str, float] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)


def _missions_path() -> Path:
    folder = resources.files("comity").joinpath("data", "un_peacekeeping")
    return Path(str(folder.joinpath("missions.tsv")))


def read_missions(path: Path, context: ImportContext) -> dict[str, Mission]:
    """Read comity's table of UN missions, noting every problem in ``context``.

    Args:
        path: The ``missions.tsv`` file.
        context: Where issues go; host keys are checked against its nations.

    Returns:
        The missions by acronym.
    """
    missions: dict[str, Mission] = {}
    name = path.name
    for line, row in read_delimited(path, context, required=_MISSION_COLUMNS, delimiter="\t"):
        acronym = row["mission"].strip()
        host = row["host_iso3"].strip() or None
        problems = [
            (column, row[column], reason)
            for column, reason, bad in (
                ("mission", "is empty", not acronym),
                ("mission", "is listed twice", acronym in missions),
                ("name", "is empty", not row["name"].strip()),
                ("type", f"is not one of {', '.join(_TYPES)}", row["type"].strip() not in _TYPES),
                ("host_iso3", "is not a nation key", host is not None
                 and host not in context.nations),
                ("mandating_body", "is empty", not row["mandating_body"].strip()),
            )
            if bad
        ]  # fmt: skip
        for column, value, reason in problems:
            context.issue(name, line, reason, column=column, value=value)
        if problems:
            continue
        missions[acronym] = Mission(
            acronym=acronym,
            name=row["name"].strip(),
            type=row["type"].strip(),
            host=host,
            location=row["location"].strip() or None,
            mandating_body=row["mandating_body"].strip(),
        )
    return missions


class UnPeacekeeping:
    """Importer of UN uniformed personnel by contributing country, mission and year.

    Args:
        missions: The missions table to use instead of the bundled ``missions.tsv``.
    """

    info = DatasetInfo(
        name="un_peacekeeping",
        title="UN peacekeeping uniformed personnel by contributing country, mission and year",
        files=("country_mission_year_avg_personnel.csv.gz",),
        citation=(
            "United Nations Department of Peace Operations, troop and police contributions "
            "(https://peacekeeping.un.org/en/data-troop-and-police-contributions); yearly "
            "averages derived by C. Batho-Newton, D. Kaba and J. Harbour, University of Kent "
            "(2023), github.com/corinnee/UN_Peacekeeping_Analytics, CountryByYear.csv."
        ),
        licence="MIT (c) 2023 Corinne, as the host repository; underlying UN open data public",
        version="UN_Peacekeeping_Analytics 1167cb2",
        becomes="peacekeeping engagements, one per mission and year, with each contributor's "
        "average personnel",
    )

    def __init__(self, missions: Path | None = None) -> None:
        self._missions = missions

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the personnel file into one peacekeeping engagement per mission and year."""
        batch = Batch()
        missions = read_missions(self._missions or _missions_path(), context)
        groups: dict[tuple[str, int], _MissionYear] = {}
        for path in paths:
            rows_before, issues_before = batch.rows_read, context.issue_count
            for line, row in read_delimited(path, context, required=_COLUMNS):
                batch.rows_read += 1
                context.advance()
                self._add(path.name, line, row, missions, groups, context)
            if batch.rows_read == rows_before and context.issue_count == issues_before:
                context.issue(path.name, None, "has a header but no rows")
        for key in sorted(groups):
            group = groups[key]
            engagement = self._engagement(group, missions[group.mission], context)
            if engagement is not None:
                batch.engagements.append(engagement)
        if groups:
            years = [year for _, year in groups]
            batch.coverage.append(
                CoverageSpan(self.info.name, min(years), max(years), nation=None, note=_NOTE)
            )
        return batch

    def _add(
        self,
        file: str,
        line: int,
        row: dict[str, str],
        missions: dict[str, Mission],
        groups: dict[tuple[str, int], _MissionYear],
        context: ImportContext,
    ) -> None:
        year = _year(row["Year"], file, line, context)
        counts = {c: _count(row[c], c, file, line, context) for c in ("Female", "Male", "Total")}
        acronym = row["Mission"].strip()
        if acronym not in missions:
            context.issue(file, line, "is not in comity's table of UN missions; add it to "
                          "comity/data/un_peacekeeping/missions.tsv", column="Mission",
                          value=acronym)  # fmt: skip
            return
        if year is None:
            return
        name = row["Country"].strip()
        if name in NAMES:
            nation = context.resolve(NAMES[name], file=file, row=line, column="Country",
                                     system="iso3", year=year)  # fmt: skip
        else:
            nation = context.resolve(name, file=file, row=line, column="Country", year=year)
        female, male, total = counts["Female"], counts["Male"], counts["Total"]
        if nation is None or female is None or male is None or total is None:
            return
        if female == male == total == 0:
            context.exclude("no personnel (Female, Male and Total all 0)")
            return
        if abs(female + male - total) > 1:
            context.issue(file, line, f"differs from Female + Male ({female:g} + {male:g}) by more "
                          "than rounding", column="Total", value=row["Total"])  # fmt: skip
            return
        known = context.nations.get(nation)
        if known is not None and not known.exists_in(year):
            context.issue(file, line, f"{known.name} was not a state in {year} (state-system "
                          f"years {known.years})", column="Country", value=name)  # fmt: skip
            return
        group = groups.setdefault((acronym, year), _MissionYear(acronym, year, file))
        if nation in group.personnel:
            context.correct("country listed twice for one mission and year: personnel summed")
        group.personnel[nation] = group.personnel.get(nation, 0.0) + total
        group.lines.append(line)

    def _engagement(
        self, group: _MissionYear, mission: Mission, context: ImportContext
    ) -> Engagement | None:
        first, last = min(group.lines), max(group.lines)
        rows = str(first) if len(group.lines) == 1 else f"{first}-{last} ({len(group.lines)} rows)"
        return context.engagement(
            {
                "kind": "peacekeeping",
                "title": f"{mission.acronym} {group.year}",
                "start": f"{group.year:04d}",
                "participants": [
                    {"nation": nation, "personnel": math.floor(value + 0.5)}
                    for nation, value in sorted(group.personnel.items())
                ],
                "location": mission.location,
                "programme": mission.acronym,
                "description": f"{mission.name}: average monthly uniformed personnel of each "
                f"contributing country in {group.year}.{_TYPES[mission.type]}",
                "details": {"mission": mission.acronym, "mandating_body": mission.mandating_body},
                "external_id": f"{self.info.name}:{mission.acronym}:{group.year}",
                "provenance": {"dataset": self.info.name, "version": context.version,
                               "row": rows},
            },
            file=group.file,
            row=first,
        )  # fmt: skip


def _year(text: str, file: str, line: int, context: ImportContext) -> int | None:
    value = text.strip()
    last = date.today().year
    if not is_whole(value) or not _FIRST_YEAR <= int(value) <= last:
        context.issue(file, line, f"is not a year from {_FIRST_YEAR} to {last}", column="Year",
                      value=value)  # fmt: skip
        return None
    return int(value)


def _count(text: str, column: str, file: str, line: int, context: ImportContext) -> float | None:
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        context.issue(file, line, "is not a number of personnel (0 or more)", column=column,
                      value=value)  # fmt: skip
        return None
    return number


IMPORTER = UnPeacekeeping()
