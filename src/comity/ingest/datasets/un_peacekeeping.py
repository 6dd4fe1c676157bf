"""UN uniformed personnel by contributing country, mission and year -> ``peacekeeping`` engagements.

One engagement per mission and year (``UNIFIL 2015``): every country with personnel in the mission
that year takes part, with its average monthly personnel. The mission's host does not contribute
and is not recorded as host (an engagement's host must take part); its name is the location.

Quirks of the file, each handled by a rule below and counted in the report:

- It is a derived table (Univ. of Kent project, 2023) of the UN's monthly contributions file,
  and its authors divided every year by 12: ``Female``, ``Male`` and ``Total`` are
  ``round(sum over the months the UN file held / 12)``, a month it lacked counting as 0. So a
  year of k months reads k/12 of its real level (2021, January alone, reads 1/12). The months
  per year are estimated from the file and kept as data in ``months_reported.tsv`` beside it
  (read from the package; rebuilt and checked by
  ``scripts/reference/build_un_peacekeeping_months.py``, whose docstring gives the method).
  Personnel is ``Total x 12 / months`` rounded half up, the mean over the months reported; each
  row of a year of fewer than 12 months is counted as a correction. A year missing from the table
  is an issue.
- Each column is rounded on its own before that scaling, so Female + Male may differ from Total
  by 1 (more is an issue; checked on the file's values, where the rounding happened). Scaling
  multiplies that rounding: a 2021 row is exact to +-6 personnel, and a January 2021 contribution
  under 6 rounded to 0 in every column and was dropped with the empty rows (PROVENANCE). A Total
  that rounds to 0 is kept (the country was deployed).
- 2010 holds 8 contributors (Albania to Benin, as if the source's run stopped alphabetically), so
  the year is incomplete in its contributors, not only in months: its rows are excluded, counted.
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
- The months are per year, not per mission: a mission whose own months differ keeps its gap.
  One is known: UNIFIL 2011 reads 4,640 against 10,300-11,200 in 2012-2020 (about 5 months of
  it). The coverage note says so, and that 2021 rests on January alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan
from comity.model.numbers import is_whole

__all__ = ["IMPORTER", "NAMES", "Mission", "UnPeacekeeping", "read_missions", "read_months"]

NAMES: dict[str, str] = {}
"""UN spellings the resolver does not know, each with its nation key and a comment saying why.

Empty: every spelling of the bundled 2010-2021 file resolves (``Turkey`` through
country_converter's pattern, the rest by exact name or alias).
"""

_COLUMNS = ("Year", "Country", "Mission", "Female", "Male", "Total")
_MISSION_COLUMNS = ("mission", "name", "type", "host_iso3", "location", "mandating_body", "note")
_MONTHS_COLUMNS = ("year", "months", "basis")
_TYPES = {
    "peacekeeping": "",
    "political": " A special political mission, not a peacekeeping operation.",
    "support": " A support office, not a mission of its own.",
}
_FIRST_YEAR = 1948
"""UNTSO, the first UN peace operation."""

_INCOMPLETE_YEARS = {
    2010: "2010 holds 8 contributors (Albania to Benin): the year is incomplete in its contributors"
}
"""Years whose rows are excluded: the source's run over the contributors stopped part way."""

_NOTE = (
    "average monthly uniformed personnel by contributing country, mission and year over the "
    "months the UN's monthly contributions file held, estimated per year from the data "
    "({months}); 2021 rests on January 2021 alone (exact to about 6 personnel a row), 2010 "
    "is left out (8 contributors only), and UNIFIL 2011 stays low (about 5 of its months held)"
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
    months: int
    file: str
    personnel: dict[str, float] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)


def _bundled(name: str) -> Path:
    folder = resources.files("comity").joinpath("data", "un_peacekeeping")
    return Path(str(folder.joinpath(name)))


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
        checks = (
            ("mission", "is empty", not acronym),
            ("mission", "is listed twice", acronym in missions),
            ("name", "is empty", not row["name"].strip()),
            ("type", f"is not one of {', '.join(_TYPES)}", row["type"].strip() not in _TYPES),
            ("host_iso3", "is not a nation key", host is not None and host not in context.nations),
            ("mandating_body", "is empty", not row["mandating_body"].strip()),
        )
        problems = [(column, reason) for column, reason, bad in checks if bad]
        for column, reason in problems:
            context.issue(name, line, reason, column=column, value=row[column])
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


def read_months(path: Path, context: ImportContext) -> dict[int, int]:
    """Read comity's table of the months the UN file held per year, noting every problem.

    Args:
        path: The ``months_reported.tsv`` file (``year``, ``months``, ``basis``).
        context: Where issues go.

    Returns:
        The months reported (1 to 12) by year.
    """
    months: dict[int, int] = {}
    name = path.name
    for line, row in read_delimited(path, context, required=_MONTHS_COLUMNS, delimiter="\t"):
        year, count = row["year"].strip(), row["months"].strip()
        checks = (
            ("year", "is not a year", not is_whole(year)),
            ("year", "is listed twice", is_whole(year) and int(year) in months),
            ("months", "is not 1 to 12", not is_whole(count) or not 1 <= int(count) <= 12),
            ("basis", "is empty: say how the months were found", not row["basis"].strip()),
        )
        problems = [(column, reason) for column, reason, bad in checks if bad]
        for column, reason in problems:
            context.issue(name, line, reason, column=column, value=row[column])
        if not problems:
            months[int(year)] = int(count)
    return months


class UnPeacekeeping(Importer):
    """Importer of UN uniformed personnel by contributing country, mission and year.

    Args:
        missions: The missions table to use instead of the bundled ``missions.tsv``.
        months: The months table to use instead of the bundled ``months_reported.tsv``.
    """

    # One record per recipient, year and course (per mission and year): never one event twice.
    distinct_records = True
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
        "average personnel over the months reported",
    )

    def __init__(self, missions: Path | None = None, months: Path | None = None) -> None:
        self._missions = missions
        self._months = months

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the personnel file into one peacekeeping engagement per mission and year."""
        batch = Batch()
        missions = read_missions(self._missions or _bundled("missions.tsv"), context)
        months_path = self._months or _bundled("months_reported.tsv")
        months = read_months(months_path, context)
        reader = _Rows(missions, months, months_path.name, context)
        for path in paths:
            rows_before, issues_before = batch.rows_read, context.issue_count
            for line, row in read_delimited(path, context, required=_COLUMNS):
                batch.rows_read += 1
                context.advance()
                reader.add(path.name, line, row)
            if batch.rows_read == rows_before and context.issue_count == issues_before:
                context.issue(path.name, None, "has a header but no rows")
        for key in sorted(reader.groups):
            group = reader.groups[key]
            engagement = self._engagement(group, missions[group.mission], context)
            if engagement is not None:
                batch.engagements.append(engagement)
        if reader.groups:
            years = sorted({year for _, year in reader.groups})
            note = _NOTE.format(months=_months_summary({y: months[y] for y in years}))
            batch.coverage.append(
                CoverageSpan(self.info.name, years[0], years[-1], kind="peacekeeping", note=note)
            )
        return batch

    def _engagement(
        self, group: _MissionYear, mission: Mission, context: ImportContext
    ) -> Engagement | None:
        first, last = min(group.lines), max(group.lines)
        rows = str(first) if len(group.lines) == 1 else f"{first}-{last} ({len(group.lines)} rows)"
        # The mean over the months the UN file held, where the source divided by 12 (see above).
        participants = [
            {"nation": nation, "personnel": math.floor(value * 12 / group.months + 0.5)}
            for nation, value in sorted(group.personnel.items())
        ]
        when = _months_phrase(group.months, group.year)
        return context.engagement(
            {
                "kind": "peacekeeping",
                "title": f"{mission.acronym} {group.year}",
                "start": f"{group.year:04d}",
                "participants": participants,
                "location": mission.location,
                "programme": mission.acronym,
                "description": f"{mission.name}: average monthly uniformed personnel of each "
                f"contributing country {when}.{_TYPES[mission.type]}",
                "details": {"mission": mission.acronym, "mandating_body": mission.mandating_body},
                "external_id": f"{self.info.name}:{mission.acronym}:{group.year}",
                "provenance": {"dataset": self.info.name, "version": context.version, "row": rows},
            },
            file=group.file,
            row=first,
        )


class _Rows:
    """Checks the personnel file's rows one by one and groups them by mission and year."""

    def __init__(
        self,
        missions: dict[str, Mission],
        months: dict[int, int],
        months_file: str,
        context: ImportContext,
    ) -> None:
        self.missions = missions
        self.months = months
        self.months_file = months_file
        self.context = context
        self.groups: dict[tuple[str, int], _MissionYear] = {}

    def add(self, file: str, line: int, row: dict[str, str]) -> None:
        """Check one row and add its personnel to its mission-year, or note why not."""
        context = self.context
        year = _year(row["Year"], file, line, context)
        if year in _INCOMPLETE_YEARS:
            context.exclude(_INCOMPLETE_YEARS[year])
            return
        counts = {c: _count(row[c], c, file, line, context) for c in ("Female", "Male", "Total")}
        acronym = row["Mission"].strip()
        if acronym not in self.missions:
            reason = (
                "is not in comity's table of UN missions; add it to "
                "comity/data/un_peacekeeping/missions.tsv"
            )
            context.issue(file, line, reason, column="Mission", value=acronym)
            return
        if year is None:
            return
        name = row["Country"].strip()
        system = "iso3" if name in NAMES else None
        nation = context.resolve(
            NAMES.get(name, name), file=file, row=line, column="Country", system=system, year=year
        )
        female, male, total = counts["Female"], counts["Male"], counts["Total"]
        if nation is None or female is None or male is None or total is None:
            return
        if female == male == total == 0:
            context.exclude("no personnel (Female, Male and Total all 0)")
            return
        if abs(female + male - total) > 1:
            reason = f"differs from Female + Male ({female:g} + {male:g}) by more than rounding"
            context.issue(file, line, reason, column="Total", value=row["Total"])
            return
        known = context.nations.get(nation)
        if known is not None and not known.exists_in(year):
            reason = f"{known.name} was not a state in {year} (state-system years {known.years})"
            context.issue(file, line, reason, column="Country", value=name)
            return
        months = self.months.get(year)
        if months is None:
            reason = (
                f"has no entry in {self.months_file} (the months the UN's file held per year); "
                "add the year and its months, found as the data folder's PROVENANCE.md describes"
            )
            context.issue(file, line, reason, column="Year", value=year)
            return
        if months < 12:
            context.correct(
                f"{year}: Total scaled by 12/{months} ({months} of 12 months reported; "
                "the source divided by 12)"
            )
        group = self.groups.setdefault((acronym, year), _MissionYear(acronym, year, months, file))
        if nation in group.personnel:
            context.correct("country listed twice for one mission and year: personnel summed")
        group.personnel[nation] = group.personnel.get(nation, 0.0) + total
        group.lines.append(line)


def _months_phrase(months: int, year: int) -> str:
    if months == 12:
        return f"in {year}"
    if months == 1:
        return f"in the one month of {year} the UN's file held"
    return f"over the {months} months of {year} the UN's file held"


def _months_summary(months: dict[int, int]) -> str:
    """Runs of years with the same months, e.g. ``2013-2016: 11 months``."""
    runs: list[tuple[int, int, int]] = []
    for year in sorted(months):
        if runs and runs[-1][1] == year - 1 and runs[-1][2] == months[year]:
            runs[-1] = (runs[-1][0], year, months[year])
        else:
            runs.append((year, year, months[year]))
    return ", ".join(
        f"{first}{'' if first == last else f'-{last}'}: {count} month{'s' * (count != 1)}"
        for first, last, count in runs
    )


def _year(text: str, file: str, line: int, context: ImportContext) -> int | None:
    value = text.strip()
    last = date.today().year
    if not is_whole(value) or not _FIRST_YEAR <= int(value) <= last:
        reason = f"is not a year from {_FIRST_YEAR} to {last}"
        context.issue(file, line, reason, column="Year", value=value)
        return None
    return int(value)


def _count(text: str, column: str, file: str, line: int, context: ImportContext) -> float | None:
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        reason = "is not a number of personnel (0 or more)"
        context.issue(file, line, reason, column=column, value=value)
        return None
    return number


IMPORTER = UnPeacekeeping()
