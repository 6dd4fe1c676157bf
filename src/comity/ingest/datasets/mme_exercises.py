"""Multinational Military Exercises (MME v7), 1980-2010 -> ``exercise`` engagements.

One row per exercise; the participants are country names in the slots ``StateA`` ... ``StateAM``
and are resolved for the exercise's start year ("Russia" in 1985 is the Soviet Union, "Serbia" in
1995 is Yugoslavia, "Federal Republic of Germany" is Germany). The coverage is declared for
exercises and every pair, 1980-2010: a pair the file does not list held no exercise it knows of.

Quirks of the file, each handled by a rule below and counted in the report:

- ``-9`` is the missing-value marker. In ``Ex_Name`` (1,033 rows) the title falls back to
  ``Series_Name`` and the start year, else to the MMEID; in ``Location`` and
  ``FocusDescription`` it means no value.
- Participant slots hold entries that are not states: ``-9`` (participants the sources did not
  name, usually described in ``AdditionalParticipantInfo``), ``NATO`` and ``Baltic States``. They
  are left out of the participants (counted per entry) and named in the description. An exercise
  with no state left (91 rows, all ``-9``) is excluded.
- Spellings the resolver does not know are mapped by :data:`_NAMES`; none is guessed.
- A state listed twice in one row (18 rows, one of them as "St. Kitts & Nevis" and
  "st. christopher") is kept once.
- Three MMEIDs are each used by two different exercises (mme3457, mme3458, mme3460): the second
  in file order gets the external id ``mme_exercises:<id>#2``. Exact duplicate rows (none in v7)
  are excluded.
- Six rows end before they start (:data:`_END_BEFORE_START`, e.g. mme395 6/20/84 to 3/1/84):
  the end is dropped. Any other reversed range is an issue.
- Dates are split into year, month and day; ``xx`` marks an unknown day or month, giving a date
  known to the month or the year. An end equal to the start is no end (a one-period event).
- There is no host flag. ``Location`` is free text ("Izmir, Turkey", "South China Sea", "both
  Qatar and the UAE"): it is cut into parts (at ``,;&/``, "and", "both", "between"), seas named
  after a country (South and East China Sea, Sea of Japan, East Sea) are dropped, and each part
  is resolved for the start year (a nation that was not a state that year is a town's name:
  "Hanover"). When the parts name exactly one nation and it takes part, it hosts; otherwise
  (nothing, several nations, a nation not taking part) there is no host.
- Seven participations fall outside the state-system years of the registry: Tonga before 1999
  (independent since 1970, in the state system from 1999; six exercises 1988-1995) and South
  Sudan in 2010 (Africa Endeavour 2010, before independence in July 2011). They are left out
  of the participants (:data:`_NOT_YET_STATES`) and named in the description. Any other
  participant outside its state years is an issue.
- Names are resolved for the start year; when that gives a nation that was not a state on the
  exercise's dates but the name's plain meaning was (Serbia in July 2006, after Montenegro
  left on 5 June; the year alone reads it as Yugoslavia), the plain meaning is used.
- ``lat``/``lon`` are kept when numeric and in range; anything else is dropped and counted.
- The flags ``CPX``, ``Air``, ``Land``, ``Sea``, ``Amphibious``, ``Cyber`` and ``Humanitarian``
  give the domains (command_post, air, land, sea, amphibious, cyber, hadr); ``Warfighting``,
  ``Peacekeeping`` and ``Humanitarian`` are also kept as booleans.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from comity.errors import UnknownNationError
from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.dates import PartialDate
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan
from comity.model.numbers import is_whole

__all__ = ["IMPORTER", "MmeExercises"]

_MISSING = "-9"
_SLOTS = tuple(
    [f"State{chr(c)}" for c in range(ord("A"), ord("Z") + 1)]
    + [f"StateA{chr(c)}" for c in range(ord("A"), ord("M") + 1)]
)
_FLAGS = (
    "CPX",
    "Air",
    "Land",
    "Sea",
    "Amphibious",
    "Cyber",
    "Warfighting",
    "Peacekeeping",
    "Humanitarian",
)
_DOMAINS = {
    "CPX": "command_post",
    "Air": "air",
    "Land": "land",
    "Sea": "sea",
    "Amphibious": "amphibious",
    "Cyber": "cyber",
    "Humanitarian": "hadr",
}
_COLUMNS = (
    "MMEID",
    "Ex_Name",
    "Series_Name",
    "Location",
    "lat",
    "lon",
    "s.year",
    "s.month",
    "s.day",
    "e.year",
    "e.month",
    "e.day",
    *_FLAGS,
    "FocusDescription",
    "AdditionalParticipantInfo",
    *_SLOTS,
)

_NOT_STATES = {
    "-9": "unnamed participants (-9)",
    "NATO": "NATO",
    "Baltic States": "Baltic States",
}
"""Participant entries of v7 that are not states, and how the description names them."""

_NAMES: dict[str, str] = {"st. christopher": "KNA"}
"""Spellings in MME mapped to nation keys, by their lower-case form.

"st. christopher" is the old name of St. Kitts and Nevis (mme978 lists it beside "St. Kitts &
Nevis"). The resolver also finds it, by a regular expression; the mapping pins it.
"""

_NOT_YET_STATES = {
    "TON": "Tonga (in the state system from 1999)",
    "SSD": "South Sudan (independent from July 2011)",
}
"""Participants left out when the exercise falls before their state-system years."""

_END_BEFORE_START = frozenset({"mme281", "mme395", "mme1872", "mme2365", "mme3681", "mme3156"})
"""Rows of v7 whose end date is before their start date: a known error; the end is dropped."""

_FOCUS_LENGTH = 2000
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_PLACE_BREAKS = re.compile(r"[;,&/]|\b(?:and|both|between)\b", re.IGNORECASE)
_SEAS = re.compile(
    r"\b(?:south|east) china sea\b|\bsea of japan\b|\bjapan sea\b|\beast sea\b", re.IGNORECASE
)


class MmeExercises(Importer):
    """Importer of the MME v7 wide file (one row per exercise)."""

    info = DatasetInfo(
        name="mme_exercises",
        title="Multinational Military Exercises (MME), 1980-2010",
        files=("mme_v7.csv.gz",),
        citation=(
            "D'Orazio, Vito; Galambos, Kevin. 2021. \"Multinational Military Exercises, "
            '1980-2010", https://doi.org/10.7910/DVN/KHFODX, Harvard Dataverse, V1.'
        ),
        licence=(
            "Harvard Dataverse deposit, terms not stated in the copy used (check the DOI page "
            "before redistributing); copied from the troopdata repository, GPL (>= 3)"
        ),
        version="v7",
        becomes="exercise engagements with domains, series and participants",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the MME wide file into exercise engagements."""
        batch = Batch()
        seen: set[tuple[str, ...]] = set()
        ids: Counter[str] = Counter()
        unresolved: set[str] = set()  # parts of locations that name no nation, in any year
        for path in paths:
            for line, row in read_delimited(path, context, required=_COLUMNS):
                batch.rows_read += 1
                context.advance()
                identity = tuple(row.values())
                if identity in seen:
                    context.exclude("exact duplicate row")
                    continue
                seen.add(identity)
                mmeid = row["MMEID"].strip()
                if not mmeid:
                    context.issue(path.name, line, "has no MMEID", column="MMEID")
                    continue
                ids[mmeid] += 1
                external_id = f"{self.info.name}:{mmeid}"
                if ids[mmeid] > 1:
                    # Different exercises share an id in v7: number them in file order.
                    external_id += f"#{ids[mmeid]}"
                    context.correct("MMEID shared by different exercises: external id numbered")
                engagement = self._exercise(path.name, line, row, external_id, context, unresolved)
                if engagement is not None:
                    batch.engagements.append(engagement)
        batch.coverage.append(
            CoverageSpan(
                dataset=self.info.name,
                first_year=1980,
                last_year=2010,
                note="multinational military exercises reported in open sources, all states",
                kind="exercise",
            )
        )
        return batch

    def _exercise(
        self,
        file: str,
        line: int,
        row: dict[str, str],
        external_id: str,
        context: ImportContext,
        unresolved: set[str],
    ) -> Engagement | None:
        year = _year(row["s.year"])
        if year is None:
            context.issue(file, line, "is not a year", column="s.year", value=row["s.year"])
            return None
        start = _date_text(row, "s")
        end = _end(start, _date_text(row, "e") if row["e.year"].strip() else None, row, context)
        first, last = _span(start, end, year)
        flags = _flags(file, line, row, context)
        found = _participants(file, line, row, (year, first, last), context)
        if found is None or flags is None:
            return None
        participants, others = found
        if not participants:
            context.exclude("exercise with no state participant left")
            return None
        location = _text(row["Location"])
        return context.engagement(
            {
                "kind": "exercise",
                "title": _title(row, year),
                "start": start,
                "end": end,
                "host": _host(location, year, participants, context, unresolved),
                "participants": [{"nation": key} for key in participants],
                "location": location,
                "latitude": _coordinate(row["lat"], 90, context),
                "longitude": _coordinate(row["lon"], 180, context),
                "programme": _text(row["Series_Name"]),
                "description": _description(others, row["AdditionalParticipantInfo"]),
                "details": {
                    "domains": [domain for flag, domain in _DOMAINS.items() if flags[flag]],
                    "warfighting": flags["Warfighting"],
                    "peacekeeping": flags["Peacekeeping"],
                    "humanitarian": flags["Humanitarian"],
                    "focus": _focus(row["FocusDescription"]),
                },
                "external_id": external_id,
                "provenance": {
                    "dataset": self.info.name,
                    "version": context.version,
                    "row": str(line),
                },
            },
            file=file,
            row=line,
        )


def _participants(
    file: str,
    line: int,
    row: dict[str, str],
    when: tuple[int, date, date],
    context: ImportContext,
) -> tuple[list[str], list[str]] | None:
    """Keys of the states taking part and the other entries named; None after an issue."""
    year, first, last = when
    keys: list[str] = []
    others: list[str] = []
    failed = False
    for column in _SLOTS:
        name = row[column].strip()
        if not name:
            continue
        if name in _NOT_STATES:
            context.exclude(f"participant entry that is not a state ({name})")
            _add_once(others, _NOT_STATES[name])
            continue
        value = _NAMES.get(name.casefold(), name)
        key = context.resolve(value, file=file, row=line, column=column, year=year)
        if key is None:
            failed = True
            continue
        nation = context.nations.get(key)
        if nation is not None and not nation.exists_during(first, last):
            plain = _plain_meaning(value, context)
            alive = context.nations.get(plain or "")
            if alive is not None and alive.exists_during(first, last):
                context.correct("name read for the exercise's dates, not only its year")
                key = plain or key
            elif key in _NOT_YET_STATES:
                context.exclude("participant before its state-system years (Tonga, South Sudan)")
                _add_once(others, _NOT_YET_STATES[key])
                continue
        if key in keys:
            context.correct("state listed twice in one exercise: kept once")
        else:
            keys.append(key)
    return None if failed else (keys, others)


def _plain_meaning(value: str, context: ImportContext) -> str | None:
    try:
        return context.resolver.resolve_key(value)
    except UnknownNationError:
        return None


def _add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _host(
    location: str | None,
    year: int,
    participants: list[str],
    context: ImportContext,
    unresolved: set[str],
) -> str | None:
    """The participant the location names, when it names exactly one nation.

    Args:
        location: The location as free text.
        year: The start year.
        participants: The participants' keys.
        context: The import's context, for the resolver and the registry.
        unresolved: Parts already known to name no nation (a failed lookup is slow: the
            resolver looks for suggestions); extended here.
    """
    if location is None:
        return None
    named: set[str] = set()
    for part in _PLACE_BREAKS.split(_SEAS.sub(" ", location)):
        part = part.strip(" .()[]'\"")
        if not part or part in unresolved:
            continue
        try:
            key = context.resolver.resolve_key(part, year=year)
        except UnknownNationError:
            unresolved.add(part)  # free text: a place that is not a nation, or names several
            continue
        nation = context.nations.get(key)
        # A nation that was not a state that year is a town's name ("Hanover"), not a place.
        if nation is not None and nation.exists_in(year):
            named.add(key)
    if len(named) != 1:
        return None
    host = named.pop()
    return host if host in participants else None


def _flags(
    file: str, line: int, row: dict[str, str], context: ImportContext
) -> dict[str, bool] | None:
    flags: dict[str, bool] = {}
    for column in _FLAGS:
        value = row[column].strip()
        if value not in ("0", "1"):
            context.issue(file, line, "is not a flag (0 or 1)", column=column, value=value)
            return None
        flags[column] = value == "1"
    return flags


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if len(text) == 4 and is_whole(text) else None


def _date_text(row: dict[str, str], prefix: str) -> str:
    """``YYYY-MM-DD`` from the split columns, ``xx`` kept for an unknown part."""
    parts = [row[f"{prefix}.{part}"].strip() or "xx" for part in ("year", "month", "day")]
    return "-".join(parts)


def _end(start: str, end: str | None, row: dict[str, str], context: ImportContext) -> str | None:
    """The end, or None when it equals the start or is a known reversed end of v7."""
    if end is None:
        return None
    try:
        first, last = PartialDate.parse(start), PartialDate.parse(end)
    except ValueError:
        return end  # validating the engagement names the bad date
    if last == first:
        return None
    if row["MMEID"].strip() in _END_BEFORE_START and last.last_day < first.first_day:
        context.correct("end date before start date (known error in v7): end dropped")
        return None
    return end


def _span(start: str, end: str | None, year: int) -> tuple[date, date]:
    """First and last day of the exercise, or of its start year when a date is not valid."""
    try:
        first = PartialDate.parse(start)
        last = PartialDate.parse(end) if end is not None else first
    except ValueError:
        return date(year, 1, 1), date(year, 12, 31)
    return first.first_day, max(last.last_day, first.first_day)


def _title(row: dict[str, str], year: int) -> str:
    name = _text(row["Ex_Name"])
    if name:
        return name
    series = _text(row["Series_Name"])
    return f"{series} {year}" if series else row["MMEID"].strip()


def _text(value: str) -> str | None:
    value = " ".join(value.split())
    return None if value in ("", _MISSING) else value


def _focus(value: str) -> str | None:
    text = _text(value)
    return text[:_FOCUS_LENGTH].rstrip() if text else None


def _coordinate(value: str, limit: float, context: ImportContext) -> float | None:
    text = value.strip()
    if not text:
        return None
    number = float(text) if _NUMBER.match(text) else None
    if number is None or not -limit <= number <= limit:
        context.correct("coordinate not a number or out of range: dropped")
        return None
    return number


def _description(others: list[str], info: str) -> str | None:
    parts: list[str] = []
    if others:
        parts.append("Also listed as participants: " + "; ".join(others) + ".")
    extra = _text(info)
    if extra:
        parts.append(f"Additional participant information: {extra}")
    return " ".join(parts) or None


IMPORTER = MmeExercises()
