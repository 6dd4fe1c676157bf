"""US Foreign Military Training Report, FY1999-FY2020 -> ``education`` and ``training`` engagements.

The reports to Congress list every course the United States gave foreign military personnel,
one item per course and recipient. The bundled ``fmt_courses.csv.gz`` sums those items per course
line (report, fiscal year, recipient, programme, course, US school), as
``scripts/reference/build_us_fmt_training_courses.py`` derives it. Each line is education or
training by the rule of :mod:`comity.ingest.datasets.us_fmt_training_rules` (staff and war
colleges, academies, degree programmes and fellowships are education; courses, seminars,
workshops and mobile training teams are training), and lines are grouped into engagements hosted
by the United States, the recipient taking part with its students as personnel:

- **education**: one engagement per recipient, fiscal year and course (title compared without
  case or spacing), the US school as its institution (the one most lines name, when any does:
  the reports name schools from FY2011 on);
- **training**: one engagement per recipient and fiscal year, its students and cost summed over
  every training line. Grouping per course would make some 100,000 engagements weighed 0.4 each
  (Colombia alone about 200 a year): see docs/methodology.md for the calibration.

Dates are fiscal years: US FY N runs from 1 October N-1 to 30 September N and is recorded as the
year N (year precision), the fiscal year's days named in the description.

Quirks of the data, each handled by a rule below and counted in the report:

- The report labelled ``Y1_Y2`` lists training of fiscal year Y1 (``training_fy``, read from the
  programme label); a report's rows whose fiscal year is another are an issue, except the
  overlaps below.
- The first two reports overlap the next ones: 1999_2000 also lists FY2000 and 2000_2001 FY2001
  (``primary`` 0). Those rows are excluded; the fiscal year's own report is kept.
- ``iso3_sfm`` holds Security Force Monitor's codes: Chile ``RCH``, Central African Republic
  ``RCA`` and Montenegro ``NME`` are read as CHL, CAF and MNE (counted as corrections); ``YUG``,
  ``SCG`` (Serbia and Montenegro, read as Yugoslavia), ``ANT`` (Netherlands Antilles) and ``XKX``
  (Kosovo) are codes the resolver knows. ``NaN`` marks a name SFM found not to be a country
  ("Indochina", 1 row): excluded. Three names SFM never coded (Aruba, Liechtenstein, Sint
  Maarten) are resolved by name. Codes and names are resolved for the fiscal year; one the
  resolver does not know is an issue.
- Recipients outside their state-system years in the fiscal year: "Sudan, Government of
  Southern" before South Sudan's independence (FY2006-FY2011) and Kosovo before 2008 are
  excluded (:data:`NOT_YET_STATES`); any other is an issue.
- "No activities reported for <country> in 2007-2008" appears as a programme with one empty
  line (4 rows): excluded.
- ``students`` and ``total_cost_usd`` sum the items that give one (1,007 items give no quantity,
  some no cost; ``items_missing_quantity`` and ``items_missing_cost`` count them); a group whose
  items give none has no students or cost rather than 0.
- Known gaps of the source, named in the coverage note: FY2019 lacks Benin and may lack part of
  Angola (a corrupted page of the State PDF); rows are machine-extracted and not checked against
  the printed reports by SFM.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.ingest.datasets.us_fmt_training_rules import (
    funding_of,
    funds_education,
    names_education,
    school_of,
)
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan
from comity.model.numbers import is_whole

__all__ = ["IMPORTER", "NOT_YET_STATES", "UsFmtTraining"]

PROVIDER = "USA"

_COLUMNS = (
    "report",
    "training_fy",
    "primary",
    "country",
    "iso3_sfm",
    "program",
    "course_title",
    "us_unit",
    "items",
    "students",
    "items_missing_quantity",
    "total_cost_usd",
    "items_missing_cost",
)
_COUNTS = ("items", "students", "items_missing_quantity", "total_cost_usd", "items_missing_cost")

SFM_CODES = {"RCH": "CHL", "RCA": "CAF", "NME": "MNE"}
"""Security Force Monitor's codes that are not ISO 3166-1 alpha-3, with the ISO code."""

NOT_YET_STATES = {
    "SSD": "South Sudan before its independence (July 2011)",
    "XKX": "Kosovo before its independence (February 2008)",
}
"""Recipients excluded in the fiscal years before their state-system years."""

_FIRST_FY, _LAST_FY = 1999, 2020
_REPORT = re.compile(r"^(\d{4})_(\d{4})$")
_NO_ACTIVITY = re.compile(r"^No activities reported for ", re.IGNORECASE)
_NO_SCHOOL = re.compile(r"^(?:|-|N/?A|UNK|0|TBD|None)$", re.IGNORECASE)
_SCHOOL_SUFFIX = re.compile(r"\s*-\s*(?:0|N/?A|-)?\s*$", re.IGNORECASE)

_NOTE = (
    "training and education the United States gave foreign military personnel, as reported to "
    "Congress (Foreign Military Training Report), by US fiscal year (FY N, 1 October N-1 to "
    "30 September N, read as year N); only pairs with the United States as provider; FY2019 "
    "lacks Benin and may lack part of Angola (a corrupted page of the source)"
)


@dataclass
class _Group:
    """Course lines that make one engagement."""

    kind: str
    nation: str
    year: int
    file: str
    course: Counter[str] = field(default_factory=Counter)
    schools: Counter[str] = field(default_factory=Counter)
    school_students: Counter[str] = field(default_factory=Counter)
    funding: set[str] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)
    items: int = 0
    students: int = 0
    students_known: bool = False
    missing_students: int = 0
    cost: int = 0
    cost_known: bool = False
    courses: set[str] = field(default_factory=set)


class UsFmtTraining(Importer):
    """Importer of the FMTR course lines (education and training of foreign personnel by the US)."""

    # One record per recipient, year and course (per mission and year): never one event twice.
    distinct_records = True
    info = DatasetInfo(
        name="us_fmt_training",
        title="US Foreign Military Training Report: training of foreign personnel, FY1999-FY2020",
        files=("fmt_courses.csv.gz",),
        citation=(
            "Security Force Monitor (Human Rights Institute, Columbia Law School), Tom Longley, "
            '"United States Foreign Military and Training Report: data extraction project", '
            "https://github.com/security-force-monitor/fmtrpt_data (commit 203d73f, 2024-12-06); "
            'from US Department of State and Department of Defense, "Foreign Military Training '
            'and DoD Engagement Activities of Interest", Volume I Section IV, FY1999-FY2020.'
        ),
        licence=(
            "data CC BY 4.0 (attribute Security Force Monitor), code MIT (c) 2019 Security Force "
            "Monitor; the underlying reports are US government works"
        ),
        version="fmtrpt_data 203d73f",
        becomes="education engagements per recipient, fiscal year and course, and training "
        "engagements per recipient and fiscal year, the United States hosting",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the course lines into education and training engagements."""
        batch = Batch()
        self._resolved: dict[tuple[str, str, int], tuple[str | None, str | None]] = {}
        # One spelling per school whatever its case: the first the file gives.
        self._spelling: dict[str, str] = {}
        groups: dict[tuple[str, ...], _Group] = {}
        kinds: dict[str, bool] = {}
        funding: dict[str, str] = {}
        for path in paths:
            rows_before, issues_before = batch.rows_read, context.issue_count
            for line, row in read_delimited(path, context, required=_COLUMNS):
                batch.rows_read += 1
                context.advance()
                self._add(path.name, line, row, context, groups, kinds, funding)
            if batch.rows_read == rows_before and context.issue_count == issues_before:
                context.issue(path.name, None, "has a header but no rows")
        for key in sorted(groups):
            engagement = self._engagement(groups[key], context)
            if engagement is not None:
                batch.engagements.append(engagement)
        years = sorted({group.year for group in groups.values()})
        if years:
            for kind in ("education", "training"):
                batch.coverage.append(
                    CoverageSpan(
                        self.info.name,
                        years[0],
                        years[-1],
                        nation=PROVIDER,
                        kind=kind,
                        note=_NOTE,
                    )
                )
        return batch

    def _add(
        self,
        file: str,
        line: int,
        row: dict[str, str],
        context: ImportContext,
        groups: dict[tuple[str, ...], _Group],
        kinds: dict[str, bool],
        funding: dict[str, str],
    ) -> None:
        """Check one course line and add it to its engagement, or note why not."""
        counts = _counts(row, file, line, context)
        year = _fiscal_year(row, file, line, context)
        if counts is None or year is None:
            return
        programme = row["program"].strip()
        if _NO_ACTIVITY.match(programme):
            context.exclude("'No activities reported' line: no training")
            return
        if row["primary"].strip() == "0":
            context.exclude(
                "fiscal year listed again by the next report (FY2000 in 1999_2000, FY2001 in "
                "2000_2001): that report's rows are kept"
            )
            return
        code, name = row["iso3_sfm"].strip(), row["country"].strip()
        if code == "NaN":
            context.exclude(f"name Security Force Monitor codes as no country (NaN): {name}")
            return
        if code in SFM_CODES:
            context.correct(f"Security Force Monitor's code {code} read as {SFM_CODES[code]}")
            code = SFM_CODES[code]
        column, value = ("iso3_sfm", code) if code else ("country", name)
        found = self._resolved.get((column, value, year))
        if found is None:
            system = "iso3" if code else None
            found = context.resolution(value, system=system, year=year)
            self._resolved[(column, value, year)] = found
        nation, problem = found
        if nation is None:
            context.issue(file, line, problem or "unknown nation", column=column, value=value)
            return
        known = context.nations.get(nation)
        if known is not None and not known.exists_in(year):
            if nation in NOT_YET_STATES:
                context.exclude(
                    f"recipient before its state-system years: {NOT_YET_STATES[nation]}"
                )
            else:
                reason = (
                    f"{known.name} was not a state in {year} (state-system years {known.years})"
                )
                context.issue(file, line, reason, column="country", value=name)
            return
        if nation == PROVIDER:
            context.issue(file, line, "the United States cannot train itself", "country", name)
            return
        course, school = row["course_title"].strip(), _school(row["us_unit"])
        # The rule reads each text on its own: cached per text (a few thousand distinct ones).
        for text in (course, school):
            if text not in kinds:
                kinds[text] = names_education(text)
        paid_by = funding.get(programme)
        if paid_by is None:
            paid_by = funding[programme] = funding_of(programme)
            kinds["\0" + programme] = funds_education(programme)
        education = kinds[course] or kinds[school] or kinds["\0" + programme]
        kind = "education" if education else "training"
        course_key = " ".join(course.casefold().split())
        key = (nation, str(year), kind, course_key if kind == "education" else "")
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(kind, nation, year, file)
        group.course[course] += counts["items"]
        if school:
            # The kind is read from the report's words; the school is named by its usual name.
            school = school_of(school)
            school = self._spelling.setdefault(school.casefold(), school)
            group.schools[school] += counts["items"]
            if counts["items"] > counts["items_missing_quantity"]:
                group.school_students[school] += counts["students"]
        group.funding.add(paid_by)
        group.lines.append(line)
        group.courses.add(course_key)
        group.items += counts["items"]
        group.missing_students += counts["items_missing_quantity"]
        if counts["items"] > counts["items_missing_quantity"]:
            group.students += counts["students"]
            group.students_known = True
        if counts["items"] > counts["items_missing_cost"]:
            group.cost += counts["total_cost_usd"]
            group.cost_known = True

    def _engagement(self, group: _Group, context: ImportContext) -> Engagement | None:
        first, last = min(group.lines), max(group.lines)
        rows = str(first) if len(group.lines) == 1 else f"{first}-{last} ({len(group.lines)} rows)"
        nation = context.nations.get(group.nation)
        name = nation.name if nation is not None else group.nation
        students = group.students if group.students_known else None
        cost = group.cost if group.cost_known else None
        school = group.schools.most_common(1)[0][0] if group.schools else None
        funding = tuple(sorted(group.funding))
        fy = f"FY{group.year}"
        span = (
            f"US fiscal year {group.year} (1 October {group.year - 1} to 30 September {group.year})"
        )
        size = (
            f"{group.items:,} item{'s' * (group.items != 1)}"
            + (f", {students:,} students" if students is not None else ", students not given")
            + (
                f" ({group.missing_students:,} items without a number)"
                if group.missing_students and students is not None
                else ""
            )
            + (f", US${cost:,}" if cost is not None else "")
        )
        if group.kind == "education":
            course = _first_most_common(group.course)
            title = f"{course} ({name}, {fy})"
            details: dict[str, object] = {
                "institution": school,
                "schools": _students_by_school(group),
                "course": course,
                "students": students,
                "cost_usd": cost,
                "funding": funding,
            }
            digest = hashlib.sha256(next(iter(group.courses)).encode("utf-8")).hexdigest()[:16]
            external = f"{self.info.name}:{group.nation}:{group.year}:education:{digest}"
            description = f"{name} at a US school or college, {span}: {size}."
        else:
            title = f"US training of {name}, {fy}"
            schools = len(group.schools)
            details = {
                "institution": school if schools == 1 else None,
                "schools": _students_by_school(group),
                "students": students,
                "cost_usd": cost,
                "funding": funding,
            }
            external = f"{self.info.name}:{group.nation}:{group.year}:training"
            description = (
                f"US training of {name}, {span}: {len(group.courses):,} courses, {size}; "
                f"funded by {', '.join(funding)}."
            )
        return context.engagement(
            {
                "kind": group.kind,
                "title": title[:300],
                "start": f"{group.year:04d}",
                "host": PROVIDER,
                "participants": [
                    {"nation": PROVIDER, "role": "host"},
                    {"nation": group.nation, "personnel": students},
                ],
                "programme": funding[0] if len(funding) == 1 else None,
                "description": description,
                "details": details,
                "external_id": external,
                "provenance": {"dataset": self.info.name, "version": context.version, "row": rows},
            },
            file=group.file,
            row=first,
        )


def _school(text: str) -> str:
    """The delivering US school, without the report's placeholders (``-``, ``N/A``, `` - 0``)."""
    school = _SCHOOL_SUFFIX.sub("", " ".join(text.split()))
    return "" if _NO_SCHOOL.match(school) else school


def _students_by_school(group: _Group) -> dict[str, int | None]:
    """Students per school the group's lines name (None where none of its lines says how many)."""
    return {school: group.school_students.get(school) for school in sorted(group.schools)}


def _first_most_common(counts: Counter[str]) -> str:
    """The most common spelling, the first in sort order on a tie (stable across runs)."""
    best = max(counts.values())
    return min(text for text, count in counts.items() if count == best)


def _counts(
    row: dict[str, str], file: str, line: int, context: ImportContext
) -> dict[str, int] | None:
    counts: dict[str, int] = {}
    for column in _COUNTS:
        value = row[column].strip()
        if not is_whole(value):
            context.issue(file, line, "is not a whole number (0 or more)", column, value)
        else:
            counts[column] = int(value)
    if len(counts) < len(_COUNTS):
        return None
    if (
        counts["items"] < 1
        or max(counts["items_missing_quantity"], counts["items_missing_cost"]) > counts["items"]
    ):
        context.issue(
            file,
            line,
            "counts more items without a value than items, or no item",
            "items",
            row["items"],
        )
        return None
    return counts


def _fiscal_year(row: dict[str, str], file: str, line: int, context: ImportContext) -> int | None:
    """The row's fiscal year, checked against its report's label and ``primary`` flag."""
    report, text, primary = (
        row["report"].strip(),
        row["training_fy"].strip(),
        row["primary"].strip(),
    )
    found = _REPORT.match(report)
    if found is None:
        context.issue(file, line, "is not a report label Y1_Y2", "report", report)
        return None
    if not is_whole(text) or not _FIRST_FY <= int(text) <= _LAST_FY:
        context.issue(
            file, line, f"is not a fiscal year from {_FIRST_FY} to {_LAST_FY}", "training_fy", text
        )
        return None
    year, labelled = int(text), int(found.group(1))
    # The report Y1_Y2 lists FY Y1 (primary 1); the first two reports also list FY Y1 + 1.
    expected = {"1": labelled, "0": labelled + 1}.get(primary)
    if expected is None:
        context.issue(file, line, "is not 0 or 1", "primary", primary)
        return None
    if year != expected:
        reason = f"is not the fiscal year report {report} lists with primary {primary} ({expected})"
        context.issue(file, line, reason, "training_fy", text)
        return None
    return year


IMPORTER = UsFmtTraining()
