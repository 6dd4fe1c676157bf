"""Kinne's Defense Cooperation Agreement Dataset (DCAD) v1.0 -> ``agreement`` standing ties.

``DCAD-v1.0-main.csv`` lists 1,871 bilateral defence cooperation agreements signed 1980-2010, one
row per agreement, its two states as Correlates of War codes (``ccode1``, ``ccode2``) with their
CoW abbreviations (``cowName1``, ``cowName2``). Each agreement becomes one ``agreement``
engagement between the two nations (no host): ``details.scope`` is DCAD's ``type`` (``general``
framework agreement or ``sector`` agreement), ``details.category`` its ``category1`` (``DCA``,
``DIC``, ``TREX``, ``PROCUREMENT``, ``COMMISSION``, ``RESEARCH``; the secondary categories are
named in the description), ``details.signed`` the signature date. External ids are
``dcad:{DCAid}``.

In force from entry into force (``EIFDay/EIFMonth/EIFYear``), or from signature when DCAD has no
entry into force (1,030 rows), to ``endYearEstimate``, DCAD's estimated last year in force. Dates
keep their precision: a blank day gives a month, a blank month a year. Quirks and their rules:

- ``endYearEstimate`` is 2010, the last year DCAD covers, for agreements still in force then
  (1,202 rows): such an agreement is right-censored, not ended. It is written with no end ("in
  force; source ends 2010") and the coverage says agreements of every pair, 1980-2010, so the
  index observes it to 2010 and carries it beyond as a standing tie (docs/methodology.md).
- 44 agreements signed in 2001-2010 enter into force in 2011-2013, after the coverage (their
  ``endYearEstimate`` is 2010, the censoring year): they start at their entry into force, with no
  end, so the index counts them only beyond 2010, as carried ties.
- Five agreements enter into force before they were signed (DCADv1.0-0688, Portugal - East
  Timor: signed 8 March 2004, in force 20 May 2002; the others by days or months, as USA-Israel
  DCADv1.0-0110): their signature is taken as the start, counted as corrections.
- One row (DCADv1.0-1009) has an entry-into-force day and month without a year: with no year
  there is no entry into force, and the signature is taken, counted as a correction.
- Two rows name a partner by its abbreviation while the code is another state's: DCADv1.0-0108
  is USA with ``652 EGY`` (652 is Syria; a 1998 research agreement listed in the US Treaties in
  Force with Egypt, 651) and DCADv1.0-0297 is ``145 BOL`` with ``145 VEN`` (Bolivia with itself;
  the abbreviation is Venezuela's, 101). The code is put right (:data:`CODE_CORRECTIONS`),
  counted as a correction; any other disagreement between code and abbreviation is an issue.
  Abbreviations outside the CoW list but clear (``GER`` for 255, ``FRG`` for 260, ``KOR`` for
  732, trailing blanks in ``HUN ``, ``ROM ``) are read as the CoW ones (:data:`ABBREVIATIONS`).
- Two rows pair a state with itself and name no partner (DCADv1.0-1625, Mozambique 1982;
  DCADv1.0-1847, India 2006): excluded.
- Codes are resolved for the year the agreement enters into force (365 is the Soviet Union
  before 1992; 260, West Germany, is Germany; 345 is Yugoslavia to 4 June 2006 and Serbia from
  5 June 2006, as CoW codes it). An agreement still in force when its state ends is cut there:
  if the code passes to another state (345, Yugoslavia to Serbia: 11 agreements, among them
  GBR-YUG 2002) a second record carries it on for that state, external id
  ``dcad:{DCAid}:{NATION1}-{NATION2}``, counted as a correction; else the agreement ends with the
  state, counted as a correction (the five Czechoslovak agreements of 1991-1992, 315, end on
  31 December 1992, however long DCAD estimates them: the successors' ties are the succession
  table's to pass on). An agreement DCAD ends in the very year its state ends keeps that year.
- The special and missing codes of ``span``, ``renewType``, ``renewYears`` and ``terminated``
  (-44 ... -99) are defined in Kinne's codebook, which was not available: those columns are not
  read; ``endYearEstimate`` already carries DCAD's judgment of how long each agreement lasted.
- The file lists bilateral agreements of states only; ``ccode1 < ccode2`` in every other row.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.details import AgreementScope
from comity.model.engagements import Engagement, EngagementKind
from comity.model.measures import CoverageSpan
from comity.model.nations import CodeSystem, StateSpell
from comity.model.numbers import is_whole

__all__ = [
    "ABBREVIATIONS",
    "CATEGORIES",
    "CODE_CORRECTIONS",
    "CORRECTED_CODE",
    "CORRECTED_EIF_BEFORE_SIGNATURE",
    "CORRECTED_EIF_WITHOUT_YEAR",
    "CORRECTED_STATE_ENDED",
    "CORRECTED_SUCCESSION",
    "EXCLUDED_SAME_STATE",
    "FIRST_YEAR",
    "IMPORTER",
    "LAST_YEAR",
    "Dcad",
]

FIRST_YEAR = 1980
"""The first year DCAD covers (signatures from 1980)."""
LAST_YEAR = 2010
"""The last year DCAD covers: an agreement still in force then has no end (right-censored)."""

CATEGORIES = ("DCA", "DIC", "TREX", "PROCUREMENT", "COMMISSION", "RESEARCH")
"""DCAD's category codes (meanings in Kinne's codebook; DIC and TREX read as defence-industrial
cooperation and training and exercises)."""

_LABELS = {
    "DCA": "defence cooperation",
    "DIC": "defence industry",
    "TREX": "training and exercises",
    "PROCUREMENT": "procurement",
    "COMMISSION": "joint commission",
    "RESEARCH": "research",
}

ABBREVIATIONS: Mapping[str, str] = {"GER": "GMY", "FRG": "GFR", "KOR": "ROK"}
"""Abbreviations DCAD writes that are not CoW's, and the CoW abbreviation they stand for."""

CODE_CORRECTIONS: Mapping[tuple[str, str], tuple[str, str]] = {
    # USA-Egypt research agreement of 1998 (TIAS): the abbreviation is right, the code Syria's.
    ("DCADv1.0-0108", "ccode2"): ("652", "651"),
    # Bolivia-Venezuela 2006 (Official Gazette of Bolivia): both codes were Bolivia's.
    ("DCADv1.0-0297", "ccode2"): ("145", "101"),
}
"""Known code errors: (agreement id, column) -> (the code written, the code meant)."""

EXCLUDED_SAME_STATE = "agreement of a state with itself (no partner named)"
CORRECTED_CODE = "code of another state than its abbreviation: the abbreviation's code taken"
CORRECTED_EIF_BEFORE_SIGNATURE = "entry into force before signature: in force from signature"
CORRECTED_EIF_WITHOUT_YEAR = "entry into force without a year: in force from signature"
CORRECTED_STATE_ENDED = "agreement estimated to outlast one of its states: ends with that state"
CORRECTED_SUCCESSION = (
    "agreement in force when a code passed to another state (345 Yugoslavia to Serbia): "
    "a record added for the successor"
)

_REQUIRED = tuple(
    "ccode1 cowName1 ccode2 cowName2 signDay signMonth signYear EIFDay EIFMonth EIFYear type "
    "category1 category2 category3 endYearEstimate DCAid".split()
)
_PROGRESS_STEP = 500


@dataclass(frozen=True)
class _Date:
    year: int
    month: int | None
    day: int | None

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        if self.month is None:
            return date(self.year, 12, 31)
        days = calendar.monthrange(self.year, self.month)[1]
        return date(self.year, self.month, self.day or days)

    def text(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


class Dcad(Importer):
    """Importer of DCAD v1.0's agreement-level file."""

    info = DatasetInfo(
        name="dcad",
        title="Defense Cooperation Agreement Dataset (DCAD) v1.0, agreements signed 1980-2010",
        files=("DCAD-v1.0-main.csv.gz",),
        citation=(
            'Kinne, Brandon J. 2020. "The Defense Cooperation Agreement Dataset (DCAD)." '
            "Journal of Conflict Resolution 64(4): 729-755. "
            "https://correlatesofwar.org/data-sets/defense-cooperation-agreement-dataset/"
        ),
        licence="free for research with citation (Correlates of War data-hosting page)",
        version="DCAD 1.0",
        becomes="agreement standing ties with their scope and category",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read each agreement into one ``agreement`` engagement; writes nothing."""
        batch = Batch(
            coverage=[
                CoverageSpan(
                    dataset=self.info.name,
                    first_year=FIRST_YEAR,
                    last_year=LAST_YEAR,
                    note=(
                        "bilateral defence cooperation agreements signed 1980-2010; a pair not "
                        "listed had none; in force to DCAD's estimated end, censored at 2010"
                    ),
                    kind=EngagementKind.AGREEMENT.value,
                )
            ]
        )
        for path in paths:
            batch.rows_read += _read_file(path, context, batch)
        return batch


def _read_file(path: Path, context: ImportContext, batch: Batch) -> int:
    name = path.name
    rows = 0
    issues_before = context.issue_count
    seen: dict[str, int] = {}
    for line, row in read_delimited(path, context, required=_REQUIRED):
        rows += 1
        if rows % _PROGRESS_STEP == 0:
            context.advance(_PROGRESS_STEP)
        ident = row["DCAid"].strip()
        if not ident:
            context.issue(name, line, "is empty: every agreement has an id", column="DCAid")
            continue
        if ident in seen:
            context.issue(
                name, line, f"repeats the id of line {seen[ident]}", column="DCAid", value=ident
            )
            continue
        seen[ident] = line
        batch.engagements.extend(_engagements(name, line, ident, row, context))
    context.advance(rows % _PROGRESS_STEP)
    if rows == 0 and context.issue_count == issues_before:
        context.issue(name, None, "has a header but no rows: expected one row per agreement")
    return rows


def _engagements(
    name: str, line: int, ident: str, row: dict[str, str], context: ImportContext
) -> list[Engagement]:
    before = context.issue_count
    signed = _date(row, "sign", name, line, context, required=True)
    entry = _date(row, "EIF", name, line, context, required=False)
    end_year = _year(row["endYearEstimate"], name, line, "endYearEstimate", context)
    scope = row["type"].strip()
    if scope not in {s.value for s in AgreementScope}:
        context.issue(name, line, "is not general or sector", column="type", value=row["type"])
    categories = []
    for column in ("category1", "category2", "category3"):
        code = row[column].strip()
        if not code and column != "category1":
            continue
        if code not in CATEGORIES:
            context.issue(
                name, line, f"is not a DCAD category ({', '.join(CATEGORIES)})", column, row[column]
            )
        categories.append(code)
    parsed = [_code(ident, column, row, name, line, context) for column in ("ccode1", "ccode2")]
    if context.issue_count > before or signed is None or end_year is None:
        return []
    codes = [ccode for ccode in parsed if ccode is not None]  # both, as no issue was noted
    start = signed
    if entry is not None:
        if entry.last_day < signed.first_day:
            context.correct(CORRECTED_EIF_BEFORE_SIGNATURE)
        else:
            start = entry
    elif row["EIFMonth"].strip() or row["EIFDay"].strip():
        context.correct(CORRECTED_EIF_WITHOUT_YEAR)
    # Rule: 2010 is the censoring year, not an end (the row's own end is kept when earlier).
    end = None if end_year >= LAST_YEAR else _Date(end_year, None, None)
    if end is not None and end.last_day < start.first_day:
        context.issue(
            name,
            line,
            f"is before the agreement is in force ({start.text()})",
            column="endYearEstimate",
            value=row["endYearEstimate"],
        )
        return []
    resolved = [
        context.resolve(ccode, file=name, row=line, column=column, system="cow", year=start.year)
        for ccode, column in zip(codes, ("ccode1", "ccode2"), strict=True)
    ]
    sides = []
    for index, (ccode, key) in enumerate(zip(codes, resolved, strict=True), start=1):
        if key is None:
            continue
        side = _segments(ccode, key, start, end, context)
        written = row[f"cowName{index}"]
        if not _abbreviation_agrees(written, side[0].key, start.year, context):
            reason = f"names another state than code {ccode} ({side[0].key}) in {start.year}"
            context.issue(name, line, reason, column=f"cowName{index}", value=written)
        sides.append(side)
    if context.issue_count > before:
        return []
    if sides[0][0].key == sides[1][0].key:
        context.exclude(EXCLUDED_SAME_STATE)
        return []
    # One record per stretch in which both sides are one nation each (rule: successions).
    spans = [
        (
            (one.key, two.key),
            _Segment("", max(one.start, two.start, key=lambda d: d.first_day), _earlier(one, two)),
        )
        for one in sides[0]
        for two in sides[1]
        if _overlap(one, two)
    ]
    if len(spans) > 1:
        context.correct(CORRECTED_SUCCESSION, len(spans) - 1)
    elif spans and not _same(spans[0][1].end, end):
        context.correct(CORRECTED_STATE_ENDED)
    description = f"DCAD {ident}: {scope} agreement, categories {', '.join(categories)}."
    if entry is None:
        description += " No entry into force recorded: in force from signature."
    records = []
    for number, (keys, span) in enumerate(spans):
        nation1, nation2 = sorted(keys)
        names = " - ".join(_name(key, context) for key in (nation1, nation2))
        external_id = f"dcad:{ident}" if number == 0 else f"dcad:{ident}:{nation1}-{nation2}"
        record = context.engagement(
            {
                "kind": "agreement",
                "title": f"Defence cooperation agreement ({_LABELS[categories[0]]}): {names}",
                "start": span.start.text(),
                "end": None if span.end is None else span.end.text(),
                "participants": [{"nation": nation1}, {"nation": nation2}],
                "description": description,
                "details": {
                    "agreement_type": "defence_cooperation",
                    "signed": signed.text(),
                    "scope": scope,
                    "category": categories[0],
                },
                "external_id": external_id,
                "provenance": {"dataset": "dcad", "version": context.version, "row": str(line)},
            },
            file=name,
            row=line,
        )
        if record is not None:
            records.append(record)
    return records


@dataclass(frozen=True)
class _Segment:
    """A stretch of an agreement with one nation on a side (its code may change nation)."""

    key: str
    start: _Date
    end: _Date | None


def _earlier(first: _Segment, second: _Segment) -> _Date | None:
    one, two = first.end, second.end
    if one is None or two is None:
        return two if one is None else one
    return one if one.last_day <= two.last_day else two


def _same(one: _Date | None, two: _Date | None) -> bool:
    return one is two or (one is not None and two is not None and one.text() == two.text())


def _overlap(one: _Segment, two: _Segment) -> bool:
    ends = [s.end.last_day for s in (one, two) if s.end is not None]
    return max(one.start.first_day, two.start.first_day) <= min(ends, default=date.max)


def _segments(
    code: str, key: str, start: _Date, end: _Date | None, context: ImportContext
) -> list[_Segment]:
    """The nations ``code`` stands for while the agreement is in force, and when.

    A code resolves for a year; a state that ended earlier in that year gives way to the one
    the code stands for the next year (345 in 2006: Yugoslavia to 4 June, Serbia from 5 June).
    When the state ends while the agreement is in force, the part after it belongs to the state
    the code stands for next, if another (345: Serbia after Yugoslavia); else the agreement ends
    with the state (315, Czechoslovakia, in 1992).
    """
    nation = context.nations.get(key)
    if nation is None or not nation.spells:
        return [_Segment(key, start, end)]
    spell_end = _spell_end(nation.spells, start.first_day)
    if spell_end is not None and spell_end < start.first_day:
        following = _resolved(code, start.year + 1, context)
        if following is not None and following != key:
            return _segments(code, following, start, end, context)
        return [_Segment(key, start, end)]  # validation names the nation that did not exist
    if spell_end is None or (end is not None and end.last_day <= spell_end):
        return [_Segment(key, start, end)]
    ended = _Date(spell_end.year, spell_end.month, spell_end.day)
    if end is not None and end.year == spell_end.year:
        ended = end  # ends the year its state does: DCAD's own year stands
    first = _Segment(key, start, ended)
    successor = _resolved(code, spell_end.year + 1, context)
    heir = context.nations.get(successor) if successor is not None else None
    if successor is None or successor == key or heir is None or ended is end:
        return [first]
    begins = _spell_start(heir.spells, spell_end)
    if begins is None or (end is not None and end.last_day < begins):
        return [first]
    return [
        first,
        *_segments(code, successor, _Date(begins.year, begins.month, begins.day), end, context),
    ]


def _resolved(code: str, year: int, context: ImportContext) -> str | None:
    key, _ = context.resolution(code, system="cow", year=year)
    return key


def _spell_end(spells: Sequence[StateSpell], day: date) -> date | None:
    """The end of the spell in force on ``day`` (None: lasting), else of the last before it."""
    ends: list[date] = []
    for spell in spells:
        if spell.start <= day and (spell.end is None or spell.end >= day):
            return spell.end
        if spell.end is not None and spell.end < day:
            ends.append(spell.end)
    return max(ends) if ends else None


def _spell_start(spells: Sequence[StateSpell], after: date) -> date | None:
    starts = [spell.start for spell in spells if spell.start > after]
    return min(starts) if starts else None


def _code(
    ident: str, column: str, row: dict[str, str], name: str, line: int, context: ImportContext
) -> str | None:
    text = row[column].strip()
    if not is_whole(text):
        context.issue(name, line, "is not a CoW state code", column=column, value=row[column])
        return None
    correction = CODE_CORRECTIONS.get((ident, column))
    if correction is not None and correction[0] == text:
        context.correct(CORRECTED_CODE)
        return correction[1]
    return text


def _abbreviation_agrees(text: str, key: str, year: int, context: ImportContext) -> bool:
    """True when the CoW abbreviation names the same nation as the code."""
    written = text.strip().upper()
    abbreviation = ABBREVIATIONS.get(written, written)
    found, _ = context.resolution(abbreviation, system=CodeSystem.COW_ABBREV.value, year=year)
    return found == key


def _name(key: str, context: ImportContext) -> str:
    nation = context.nations.get(key)
    return nation.name if nation is not None else key


def _year(text: str, name: str, line: int, column: str, context: ImportContext) -> int | None:
    value = text.strip()
    if is_whole(value) and 1900 <= int(value) <= 2100:
        return int(value)
    context.issue(name, line, "is not a year", column=column, value=text)
    return None


def _part(
    text: str, name: str, line: int, column: str, limit: int, context: ImportContext
) -> int | None:
    value = text.strip()
    if not value:
        return None
    if is_whole(value) and 1 <= int(value) <= limit:
        return int(value)
    context.issue(name, line, f"is not a number from 1 to {limit}", column=column, value=text)
    return None


def _date(
    row: dict[str, str],
    prefix: str,
    name: str,
    line: int,
    context: ImportContext,
    *,
    required: bool,
) -> _Date | None:
    """The date of ``{prefix}Year/Month/Day``; None when its year is blank (and not required)."""
    year_column = f"{prefix}Year"
    if not row[year_column].strip() and not required:
        return None
    before = context.issue_count
    year = _year(row[year_column], name, line, year_column, context)
    month = _part(row[f"{prefix}Month"], name, line, f"{prefix}Month", 12, context)
    day = _part(row[f"{prefix}Day"], name, line, f"{prefix}Day", 31, context)
    if year is None or context.issue_count > before:
        return None
    if month is None:
        return _Date(year, None, None)
    if day is not None:
        try:
            date(year, month, day)
        except ValueError:
            context.issue(
                name,
                line,
                f"is not a day of {year}-{month:02d}",
                f"{prefix}Day",
                row[f"{prefix}Day"],
            )
            return None
    return _Date(year, month, day)


IMPORTER = Dcad()
