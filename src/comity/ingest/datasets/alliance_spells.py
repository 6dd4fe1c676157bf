"""Directed alliance dyad-years -> undirected ``alliance`` spells, shared by ATOP and CoW.

Both alliance datasets come as directed dyad-years (one row per ordered pair of Correlates of War
codes and year, 0/1 flags per pledge type; only allied dyad-years are listed). The rules, in the
order they apply:

1. Every row is parsed: ``ccode1``, ``ccode2`` and ``year`` must be whole numbers and each pledge
   flag 0 or 1, else the row is an issue naming its line and column. A file with a header but
   no rows is an issue too.
2. Each code is resolved for its year (CoW 365 is RUS to 1921, SUN 1922-1991, RUS from 1992; 255
   and 260 are both DEU; 345 is SRB/YUG by year): once per distinct (code, year). A code that does
   not resolve is one issue, shown with the first line it appears on.
3. A row whose two codes are one nation that year (West Germany 260 and Germany 255, North Yemen
   678 and Yemen 679, both listed for their unification year 1990) is excluded: a nation is not
   allied with itself.
4. A row with no pledge flag set is excluded: it records no obligation comity can weigh.
5. Both orders of a pair are folded into one undirected pair, its nation keys in alphabetical
   order. A pair-year listed in one order only, or with different pledges in each order, takes the
   union of the pledges and is counted as corrected. Two rows of one order and year (two codes of
   one nation, e.g. USA-255 and USA-260 in 1990) are merged the same way.
6. Maximal runs of consecutive years with the same pledges become one spell: a gap of a year or
   more, a change of pledges, or a change of a nation key (POL-SUN to 1991 and POL-RUS from 1992
   are two pairs) ends it. The spell starts and ends on whole years. A spell still in force in the
   dataset's last year (:attr:`AllianceScheme.last_year`) is right-censored, not ended: it is
   written with no end, in force until a record ends it, because the data end there and the
   alliance did not (USA-PHL in ATOP: 1951, in force; the source ends 2018). The dataset declares
   its coverage of alliances through that year, so the index observes the spell up to it and
   carries it beyond (docs/methodology.md); pages show "in force; source ends 2018".
7. A spell in which one of the nations was not a state on any day by the registry is excluded
   (counted per pair-year it covers): the datasets list some alliance members outside their
   Correlates of War state-system years (ATOP's 1815, a year before the system begins; Uruguay
   before 1882; Costa Rica before 1920; Monaco and San Marino from 1975; the Czech Republic and
   Slovakia in 1992), and comity's rule is that a nation takes part only while it exists. Spells
   that overlap the nation's years at least in part are kept whole.

Each spell becomes one ``alliance`` engagement with the two nations as participants (no host),
its pledges in ``details.pledges``, the external id ``{dataset}:{NATION1}-{NATION2}:{start}`` (the
start, so a censored spell keeps its id when a later release ends it) and the first line of its
first year as provenance row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from comity.ingest.base import ImportContext, read_delimited
from comity.model.details import AlliancePledge
from comity.model.engagements import Engagement, EngagementKind
from comity.model.measures import CoverageSpan
from comity.model.numbers import is_whole

__all__ = [
    "CORRECTED_ONE_ORDER",
    "CORRECTED_ORDERS_DIFFER",
    "CORRECTED_SAME_ORDER",
    "EXCLUDED_NOT_A_STATE",
    "EXCLUDED_NO_PLEDGE",
    "EXCLUDED_SAME_NATION",
    "AllianceScheme",
    "SpellResult",
    "read_alliance_spells",
]

_KEYS = ("ccode1", "ccode2", "year")
_PROGRESS_STEP = 10_000

EXCLUDED_SAME_NATION = "row pairing two codes of one nation that year (255-260, 678-679 in 1990)"
EXCLUDED_NO_PLEDGE = "row with no pledge flag set"
EXCLUDED_NOT_A_STATE = (
    "pair-year of a spell in which a member was never a state by the registry (listed "
    "outside its state-system years)"
)
CORRECTED_ONE_ORDER = "pair-year listed in one order only: its pledges taken"
CORRECTED_ORDERS_DIFFER = "pair-year whose two orders list different pledges: union taken"
CORRECTED_SAME_ORDER = (
    "row repeating a pair-year in the same order (two codes of one nation, e.g. 255 and 260 "
    "for Germany, 678 and 679 for Yemen): pledges merged"
)


@dataclass(frozen=True)
class AllianceScheme:
    """How one dataset codes its pledges.

    Attributes:
        dataset: The dataset's name, the prefix of external ids (e.g. ``atop_alliances``).
        label: Its short name in titles (``ATOP``, ``CoW``).
        columns: Each pledge column with the pledge it records, in file order.
        first_year: The first year the dataset covers.
        last_year: The last year it covers: a spell in force that year has no end (rule 6).
    """

    dataset: str
    label: str
    columns: tuple[tuple[str, AlliancePledge], ...]
    first_year: int
    last_year: int

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have."""
        return _KEYS + tuple(column for column, _ in self.columns)

    def coverage(self, note: str) -> CoverageSpan:
        """What the dataset covers: alliances of every pair, from its first to its last year."""
        return CoverageSpan(
            dataset=self.dataset,
            first_year=self.first_year,
            last_year=self.last_year,
            note=note,
            kind=EngagementKind.ALLIANCE.value,
        )


@dataclass
class _PairYear:
    """One undirected pair in one year: pledge bits seen in each order, and its first line."""

    forward: int
    backward: int
    line: int
    file: str


@dataclass
class _Spell:
    first: int
    last: int
    pledges: int
    line: int
    file: str


@dataclass
class SpellResult:
    """What :func:`read_alliance_spells` built.

    Attributes:
        engagements: One validated engagement per spell.
        rows_read: Rows read from the files.
        pair_years: Undirected pair-years kept after folding.
    """

    engagements: list[Engagement]
    rows_read: int
    pair_years: int


def read_alliance_spells(
    paths: Sequence[Path], context: ImportContext, scheme: AllianceScheme
) -> SpellResult:
    """Read directed dyad-year files and build one engagement per undirected alliance spell.

    Args:
        paths: The files, read in order.
        context: Where codes resolve, engagements validate and issues go.
        scheme: The dataset's pledge columns and names.

    Returns:
        The engagements (ordered by pair, then start year), rows read and pair-years kept.
    """
    pairs: dict[tuple[str, str], dict[int, _PairYear]] = {}
    rows_read = 0
    for path in paths:
        rows_read += _read_file(path, context, scheme, pairs)
    _count_disagreements(pairs, context)
    engagements: list[Engagement] = []
    seen: set[str] = set()
    for (nation1, nation2), years in sorted(pairs.items()):
        for spell in _spells(years):
            if not _members_exist(nation1, nation2, spell, context):
                context.exclude(EXCLUDED_NOT_A_STATE, spell.last - spell.first + 1)
                continue
            engagement = _engagement(nation1, nation2, spell, context, scheme)
            if engagement is None:
                continue
            external_id = engagement.external_id or ""
            # Spells of one pair never share a start year, so the id is unique by construction.
            assert external_id not in seen, f"duplicate external id {external_id}"
            seen.add(external_id)
            engagements.append(engagement)
    pair_years = sum(len(years) for years in pairs.values())
    return SpellResult(engagements=engagements, rows_read=rows_read, pair_years=pair_years)


def _read_file(
    path: Path,
    context: ImportContext,
    scheme: AllianceScheme,
    pairs: dict[tuple[str, str], dict[int, _PairYear]],
) -> int:
    """Parse, resolve and fold one file into ``pairs``; return the rows read."""
    name = path.name
    keys: dict[tuple[str, int], str | None] = {}
    failed: set[str] = set()
    flag_columns = [column for column, _ in scheme.columns]
    rows = 0
    issues_before = context.issue_count
    for line, row in read_delimited(path, context, required=scheme.required):
        rows += 1
        if rows % _PROGRESS_STEP == 0:
            context.advance(_PROGRESS_STEP)
        year = _whole_number(row["year"], name, line, "year", context)
        codes = [_whole_number(row[c], name, line, c, context) for c in ("ccode1", "ccode2")]
        bits = _flags(row, flag_columns, name, line, context)
        if year is None or codes[0] is None or codes[1] is None or bits is None:
            continue
        resolved: list[str | None] = []
        for column, code in zip(("ccode1", "ccode2"), codes, strict=True):
            text = str(code)
            if (text, year) not in keys:
                if text in failed:
                    keys[(text, year)] = None
                else:
                    key = context.resolve(
                        text, file=name, row=line, column=column, system="cow", year=year
                    )
                    keys[(text, year)] = key
                    if key is None:
                        failed.add(text)
            resolved.append(keys[(text, year)])
        first, second = resolved
        if first is None or second is None:
            continue
        if first == second:
            context.exclude(EXCLUDED_SAME_NATION)
            continue
        if not bits:
            context.exclude(EXCLUDED_NO_PLEDGE)
            continue
        _fold(pairs, first, second, year, bits, line, name, context)
    context.advance(rows % _PROGRESS_STEP)
    if rows == 0 and context.issue_count == issues_before:
        context.issue(name, None, "has a header but no rows: expected allied dyad-years")
    return rows


def _fold(
    pairs: dict[tuple[str, str], dict[int, _PairYear]],
    first: str,
    second: str,
    year: int,
    bits: int,
    line: int,
    file: str,
    context: ImportContext,
) -> None:
    """Add one directed row to its undirected pair-year."""
    forward = first < second
    pair = (first, second) if forward else (second, first)
    years = pairs.setdefault(pair, {})
    entry = years.get(year)
    if entry is None:
        years[year] = _PairYear(bits if forward else 0, 0 if forward else bits, line, file)
        return
    entry.line = min(entry.line, line) if entry.file == file else entry.line
    if forward:
        if entry.forward:
            context.correct(CORRECTED_SAME_ORDER)
        entry.forward |= bits
    else:
        if entry.backward:
            context.correct(CORRECTED_SAME_ORDER)
        entry.backward |= bits


def _count_disagreements(
    pairs: dict[tuple[str, str], dict[int, _PairYear]], context: ImportContext
) -> None:
    """Count pair-years whose two orders differ; their pledges are the union of both."""
    one_order = differ = 0
    for years in pairs.values():
        for entry in years.values():
            if entry.forward == entry.backward:
                continue
            if not entry.forward or not entry.backward:
                one_order += 1
            else:
                differ += 1
    if one_order:
        context.correct(CORRECTED_ONE_ORDER, one_order)
    if differ:
        context.correct(CORRECTED_ORDERS_DIFFER, differ)


def _spells(years: dict[int, _PairYear]) -> list[_Spell]:
    """Maximal runs of consecutive years with the same pledges."""
    spells: list[_Spell] = []
    current: _Spell | None = None
    for year in sorted(years):
        entry = years[year]
        bits = entry.forward | entry.backward
        if current is not None and year == current.last + 1 and bits == current.pledges:
            current.last = year
            continue
        current = _Spell(year, year, bits, entry.line, entry.file)
        spells.append(current)
    return spells


def _members_exist(nation1: str, nation2: str, spell: _Spell, context: ImportContext) -> bool:
    """True unless a nation of the pair was never a state during the spell (rule 7)."""
    for key in (nation1, nation2):
        nation = context.nations.get(key)
        if nation is None:
            continue  # validation reports an unknown nation as an issue
        if not nation.exists_during(date(spell.first, 1, 1), date(spell.last, 12, 31)):
            return False
    return True


def _engagement(
    nation1: str, nation2: str, spell: _Spell, context: ImportContext, scheme: AllianceScheme
) -> Engagement | None:
    flagged = {
        pledge for index, (_, pledge) in enumerate(scheme.columns) if spell.pledges >> index & 1
    }
    pledges = [pledge for pledge in AlliancePledge if pledge in flagged]
    names = " - ".join(_name(key, context) for key in (nation1, nation2))
    listed = ", ".join(pledge.value.replace("_", "-") for pledge in pledges)
    return context.engagement(
        {
            "kind": "alliance",
            "title": f"{scheme.label} alliance: {names} ({listed})",
            "start": f"{spell.first:04d}",
            # Rule 6: the data end in their last year, the alliance does not.
            "end": None if spell.last >= scheme.last_year else f"{spell.last:04d}",
            "participants": [{"nation": nation1}, {"nation": nation2}],
            "details": {"pledges": [pledge.value for pledge in pledges]},
            "external_id": f"{scheme.dataset}:{nation1}-{nation2}:{spell.first}",
            "provenance": {
                "dataset": scheme.dataset,
                "version": context.version,
                "row": str(spell.line),
            },
        },
        file=spell.file,
        row=spell.line,
    )


def _name(key: str, context: ImportContext) -> str:
    nation = context.nations.get(key)
    return nation.name if nation is not None else key


def _whole_number(
    text: str, file: str, line: int, column: str, context: ImportContext
) -> int | None:
    value = text.strip()
    if is_whole(value):
        return int(value)
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if number.is_integer():
        return int(number)
    context.issue(file, line, "is not a whole number", column=column, value=text)
    return None


def _flags(
    row: dict[str, str], columns: list[str], file: str, line: int, context: ImportContext
) -> int | None:
    """The pledge flags as bits (bit i for the i-th pledge column), or None on a bad value."""
    bits = 0
    ok = True
    for index, column in enumerate(columns):
        text = row[column].strip()
        if text == "1":
            bits |= 1 << index
        elif text != "0":
            if text in ("1.0", "0.0"):
                bits |= (text == "1.0") << index
                continue
            context.issue(file, line, "is not a pledge flag (0 or 1)", column=column, value=text)
            ok = False
    return bits if ok else None
