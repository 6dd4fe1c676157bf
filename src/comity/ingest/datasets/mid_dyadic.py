"""Militarised interstate disputes (GML MID, CoW MID 5) and strategic rivalries -> challenges.

One dataset, three files from peacesciencer: two dispute dyad-year files become
:class:`DisputeYear` records, the Thompson-Dreyer rivalries become :class:`Rivalry` records.
Every record carries the dataset name ``mid_dyadic`` (the store syncs by it); the source file of
a dispute is the prefix of its id: ``gml:2968`` (GML MID 2.2.1) or ``mid5:2968`` (CoW MID 5.0).

Quirks of the dispute files, each handled by a rule below and counted in the report:

- Codes are CoW state codes, read for the row's year (365 is Russia to 1921, the USSR from 1922
  to 1991, Russia again; 260 is West Germany; 345 Serbia, Yugoslavia, Serbia again). Each
  distinct (code, year) is resolved once; a code that does not resolve is an issue.
- The files are non-directed but every dyad-year is written twice, once in each order. The two
  rows are folded into one record per (dispute, pair, year), the pair ordered by nation key.
  The two orders are checked against each other: where they disagree the higher hostility or
  fatality, an onset, and no initiator are kept, each counted as corrected (none in the bundled
  files). A third row for the same dispute, pair and year, or two different pairs of codes that
  resolve to the same pair of nations, is an issue.
- peacesciencer whittled the files to one dispute per dyad-year (a dyad in two disputes in one
  year keeps one by its rules: a new onset first, then the highest dispute-level fatality, then
  hostility...), so counting records undercounts disputes in a crowded year (China-Japan 2013
  is MID 4694, not the ongoing 4491).
- ``hostlev`` and ``fatality`` are dispute-level (constant across a dispute's dyads: the USA and
  the USSR carry fatality 6 in the 1954 Taiwan Strait crisis, in which neither lost anyone), so
  the pair's values come from its two sides instead: hostility is the higher of ``hostlev1`` and
  ``hostlev2`` (1-5; -9 or NA unknown, None when both are); fatality the higher of
  ``fatality1`` and ``fatality2`` (0-6, each side's own deaths over the whole dispute), known
  only when both sides' are (-9 or NA is unknown).
  Both are levels over the whole dispute, repeated in each of its years.
- ``gmlmidonset``/``cowmidonset`` is 1 in the year the dispute began, or in which one of the two
  joined it; ``sidea1``/``sidea2`` mark side A, the side that took the first militarised action:
  the initiator is the nation on side A when exactly one of the two is.
- The two files overlap (GML MID 1816-2010, MID 5 1816-2014): both are kept, with their prefixed
  ids, so a dyad-year can appear once from each. Consumers should use GML up to 2010, because
  GML re-examined the CoW disputes of 1816-2001 one by one (correcting dates, participants and
  fatalities, dropping and merging cases), and MID 5 only for 2011-2014, which GML does not
  cover. Coverage is recorded per file.

Quirks of the rivalry file:

- Rivalries reach back to 1494, before the CoW state system (1816): codes are resolved for the
  later of the start year and 1816 (365 in 1668 is Russia, 300 is Austria(-Hungary), 255
  Prussia/Germany). A rivalry's nations are those of its start year even when a code changes
  meaning later (Britain-Russia, 1778-1956, is GBR-RUS; Bosnia-Serbia, 1992-2010, is BIH-YUG).
- Code 324 is the Republic of Venice, which ended in 1797 and never entered the CoW system;
  comity's registry has no nation for it. Its two rivalries (Ottoman Empire-Venice 1494-1717,
  Portugal-Venice 1494-1580) are excluded while it stays unknown; 324 in a rivalry lasting
  past 1815 would be an issue.
- ``endyear`` 2010 means the rivalry was still running when the data end (right-censored).
- Types are the non-empty ``type1``..``type3``, in file order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from comity.errors import UnknownNationError
from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.measures import CoverageSpan, DisputeYear, Rivalry

__all__ = ["IMPORTER", "MidDyadic"]

_DISPUTE_COLUMNS = (
    "dispnum",
    "ccode1",
    "ccode2",
    "year",
    "sidea1",
    "sidea2",
    "fatality1",
    "fatality2",
    "hostlev1",
    "hostlev2",
)
_RIVALRY_COLUMNS = (
    "rivalryno",
    "rivalryname",
    "ccode1",
    "ccode2",
    "styear",
    "endyear",
    "region",
    "type1",
    "type2",
    "type3",
)
_RIVALRY_TYPES = frozenset({"spatial", "positional", "ideological", "interventionary"})
_MISSING = frozenset({"", "NA"})
_SYSTEM_START = 1816
_PRE_SYSTEM = {324: "the Republic of Venice"}
"""Codes the rivalry file gives polities that ended before the CoW state system began."""


@dataclass(frozen=True)
class _Source:
    prefix: str
    onset: str
    note: str


_SOURCES = {
    "gml_mid": _Source(
        "gml",
        "gmlmidonset",
        "gml_mid_ddydisps: GML MID 2.2.1 dispute dyad-years (ids gml:); use up to 2010",
    ),
    "cow_mid": _Source(
        "mid5",
        "cowmidonset",
        "cow_mid5_ddydisps: CoW MID 5.0 dispute dyad-years (ids mid5:); use for 2011-2014",
    ),
}


@dataclass
class _Folded:
    record: DisputeYear
    codes: tuple[int, int]
    line: int
    orders: set[bool]


class MidDyadic(Importer):
    """Importer of the GML MID and MID 5 dispute dyad-years and the Thompson-Dreyer rivalries."""

    info = DatasetInfo(
        name="mid_dyadic",
        title="Militarized interstate disputes, dyad-year (GML MID 2.2.1, CoW MID 5.0) and "
        "strategic rivalries (Thompson and Dreyer)",
        files=("gml_mid_ddydisps.csv.gz", "cow_mid5_ddydisps.csv.gz", "td_rivalries.csv"),
        citation=(
            'Gibler, Douglas M., Steven V. Miller, and Erin K. Little. 2016. "An Analysis of the '
            'Militarized Interstate Dispute (MID) Dataset, 1816-2001." International Studies '
            "Quarterly 60(4): 719-730. Palmer, Glenn, Roseanne W. McManus, Vito D'Orazio, "
            'Michael R. Kenwick, et al. 2022. "The MID5 Dataset, 2011-2014." Conflict '
            "Management and Peace Science 39(4). Thompson, William R. and David Dreyer. 2012. "
            "Handbook of International Rivalries. CQ Press. Miller, Steven V. 2022. "
            "peacesciencer, Conflict Management and Peace Science."
        ),
        licence="peacesciencer GPL-2; the underlying data free for research with citation",
        version="peacesciencer fe150a2 (GML MID 2.2.1, CoW MID 5.0, Thompson-Dreyer 2012)",
        becomes="disputes and rivalries for the challenges panel",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the dispute and rivalry files into dispute dyad-years and rivalries."""
        batch = Batch()
        for path in paths:
            if path.name.startswith("td_rivalries"):
                self._read_rivalries(path, context, batch)
                continue
            source = next((s for k, s in _SOURCES.items() if path.name.startswith(k)), None)
            if source is None:
                context.issue(
                    path.name,
                    None,
                    "is not a file of this dataset: expected gml_mid_*, cow_mid_* or td_rivalries*",
                )
                continue
            self._read_disputes(path, source, context, batch)
        return batch

    def _read_disputes(
        self, path: Path, source: _Source, context: ImportContext, batch: Batch
    ) -> None:
        file = path.name
        resolved: dict[tuple[int, int], str | None] = {}
        folded: dict[tuple[str, str, str, int], _Folded] = {}
        years: list[int] = []
        required = (*_DISPUTE_COLUMNS, source.onset)
        for line, row in read_delimited(path, context, required=required):
            batch.rows_read += 1
            context.advance()
            numbers = _integers(row, ("dispnum", "ccode1", "ccode2", "year"), file, line, context)
            flags = _integers(
                row, (source.onset, "sidea1", "sidea2"), file, line, context, allowed=range(0, 2)
            )
            hostility = _levels(row, ("hostlev1", "hostlev2"), range(1, 6), file, line, context)
            fatality = _levels(row, ("fatality1", "fatality2"), range(0, 7), file, line, context)
            if numbers is None or flags is None or hostility is None or fatality is None:
                continue
            dispnum, code1, code2, year = numbers
            if not _SYSTEM_START <= year <= date.today().year:
                context.issue(
                    file,
                    line,
                    "is not a year of the state system (1816-)",
                    column="year",
                    value=year,
                )
                continue
            keys = []
            for column, code in (("ccode1", code1), ("ccode2", code2)):
                if (code, year) not in resolved:
                    resolved[code, year] = context.resolve(
                        code, system="cow", year=year, file=file, row=line, column=column
                    )
                keys.append(resolved[code, year])
            key1, key2 = keys
            if key1 is None or key2 is None:
                continue
            if key1 == key2:
                context.issue(
                    file,
                    line,
                    f"both codes stand for {key1} in {year}",
                    column="ccode1/ccode2",
                    value=f"{code1}/{code2}",
                )
                continue
            onset, side1, side2 = flags
            record = DisputeYear(
                dataset=self.info.name,
                dispute=f"{source.prefix}:{dispnum}",
                nation1=min(key1, key2),
                nation2=max(key1, key2),
                year=year,
                onset=onset == 1,
                hostility=_highest(hostility),
                fatality=None if None in fatality else _highest(fatality),
                initiator=(key1 if side1 else key2) if side1 != side2 else None,
            )
            years.append(year)
            _fold(folded, record, (code1, code2), file, line, context)
        batch.disputes.extend(f.record for f in folded.values())
        if years:
            batch.coverage.append(
                CoverageSpan(self.info.name, min(years), max(years), note=source.note)
            )

    def _read_rivalries(self, path: Path, context: ImportContext, batch: Batch) -> None:
        file = path.name
        seen: dict[int, int] = {}
        spans: list[tuple[int, int]] = []
        for line, row in read_delimited(path, context, required=_RIVALRY_COLUMNS):
            batch.rows_read += 1
            context.advance()
            numbers = _integers(
                row, ("rivalryno", "ccode1", "ccode2", "styear", "endyear"), file, line, context
            )
            name = row["rivalryname"].strip()
            types = tuple(t for t in (row[f"type{i}"].strip() for i in (1, 2, 3)) if t)
            if not _rivalry_ok(name, types, file, line, context) or numbers is None:
                continue
            number, code1, code2, first, last = numbers
            if number in seen:
                context.issue(
                    file,
                    line,
                    f"repeats the rivalry number of row {seen[number]}",
                    column="rivalryno",
                    value=number,
                )
                continue
            seen[number] = line
            if not 1400 <= first <= last <= date.today().year:
                context.issue(
                    file,
                    line,
                    "the years must run forward, from 1400 to this year",
                    column="styear/endyear",
                    value=f"{first}-{last}",
                )
                continue
            year = max(first, _SYSTEM_START)
            gone = [_pre_system(code, last, context) for code in (code1, code2)]
            if any(gone):
                # Not an issue: a documented gap of the registry, not an error of the file.
                context.exclude(
                    f"rivalry with {next(g for g in gone if g)}, which ended before "
                    "the state system (1816) and has no nation in comity"
                )
                continue
            key1 = context.resolve(
                code1, system="cow", year=year, file=file, row=line, column="ccode1"
            )
            key2 = context.resolve(
                code2, system="cow", year=year, file=file, row=line, column="ccode2"
            )
            if key1 is None or key2 is None:
                continue
            if key1 == key2:
                context.issue(
                    file,
                    line,
                    f"both codes stand for {key1} in {year}",
                    column="ccode1/ccode2",
                    value=f"{code1}/{code2}",
                )
                continue
            spans.append((first, last))
            batch.rivalries.append(
                Rivalry(
                    dataset=self.info.name,
                    rivalry=str(number),
                    name=name,
                    nation1=min(key1, key2),
                    nation2=max(key1, key2),
                    first_year=first,
                    last_year=last,
                    region=row["region"].strip() or None,
                    types=types,
                )
            )
        if spans:
            batch.coverage.append(
                CoverageSpan(
                    self.info.name,
                    min(s[0] for s in spans),
                    max(s[1] for s in spans),
                    note="td_rivalries: Thompson-Dreyer strategic rivalries; right-censored at "
                    "the last year (2010 = still running)",
                )
            )


def _pre_system(code: int, last: int, context: ImportContext) -> str | None:
    """The polity's name when it ended before 1816 and the registry does not know it."""
    if code not in _PRE_SYSTEM or last >= _SYSTEM_START:
        return None
    try:
        context.resolver.resolve_key(str(code), system="cow", year=_SYSTEM_START)
    except UnknownNationError:
        return f"{_PRE_SYSTEM[code]} (code {code})"
    return None


def _rivalry_ok(
    name: str, types: tuple[str, ...], file: str, line: int, context: ImportContext
) -> bool:
    """Check a rivalry's name and types, noting each problem."""
    ok = True
    if not name:
        context.issue(file, line, "is empty", column="rivalryname", value=name)
        ok = False
    if not types:
        context.issue(file, line, "is empty: a rivalry has at least one type", column="type1")
        ok = False
    unknown = [t for t in types if t not in _RIVALRY_TYPES]
    if unknown:
        context.issue(
            file,
            line,
            "must be spatial, positional, ideological or interventionary",
            column="type1..type3",
            value=", ".join(unknown),
        )
        ok = False
    return ok


def _fold(
    folded: dict[tuple[str, str, str, int], _Folded],
    record: DisputeYear,
    codes: tuple[int, int],
    file: str,
    line: int,
    context: ImportContext,
) -> None:
    """Add one row of a non-directed file written in both orders, checking the orders agree."""
    key = (record.dispute, record.nation1, record.nation2, record.year)
    forward = codes[0] < codes[1]
    pair = (min(codes), max(codes))
    earlier = folded.get(key)
    if earlier is None:
        folded[key] = _Folded(record, pair, line, {forward})
        return
    if earlier.codes != pair:
        context.issue(
            file,
            line,
            f"codes {earlier.codes[0]}/{earlier.codes[1]} of row "
            f"{earlier.line} stand for the same pair of nations in this dispute-year",
            column="ccode1/ccode2",
            value=f"{codes[0]}/{codes[1]}",
        )
        return
    if forward in earlier.orders:
        context.issue(
            file,
            line,
            f"repeats the dispute, pair, year and order of row {earlier.line}",
            column="dispnum",
            value=record.dispute,
        )
        return
    earlier.orders.add(forward)
    old, merged = earlier.record, earlier.record
    if old.hostility != record.hostility:
        merged = replace(merged, hostility=_highest((old.hostility, record.hostility)))
        context.correct("the two orders disagree on hostility: the higher kept")
    if old.fatality != record.fatality:
        merged = replace(merged, fatality=_highest((old.fatality, record.fatality)))
        context.correct("the two orders disagree on fatality: the higher kept")
    if old.onset != record.onset:
        merged = replace(merged, onset=True)
        context.correct("the two orders disagree on onset: onset kept")
    if old.initiator != record.initiator:
        merged = replace(merged, initiator=None)
        context.correct("the two orders disagree on the initiator: none recorded")
    earlier.record = merged


def _highest(levels: Sequence[int | None]) -> int | None:
    known = [level for level in levels if level is not None]
    return max(known) if known else None


def _integers(
    row: dict[str, str],
    columns: Sequence[str],
    file: str,
    line: int,
    context: ImportContext,
    allowed: range | None = None,
) -> list[int] | None:
    """The columns as whole numbers (in ``allowed``), or None after noting each bad one."""
    values: list[int] = []
    for column in columns:
        text = row[column].strip()
        try:
            number = float(text)
            if not number.is_integer():
                raise ValueError(text)
        except ValueError:
            context.issue(file, line, "is not a whole number", column=column, value=text)
            continue
        if allowed is not None and int(number) not in allowed:
            context.issue(
                file, line, f"must be {allowed.start}-{allowed.stop - 1}", column=column, value=text
            )
            continue
        values.append(int(number))
    return values if len(values) == len(columns) else None


def _levels(
    row: dict[str, str],
    columns: Sequence[str],
    allowed: range,
    file: str,
    line: int,
    context: ImportContext,
) -> list[int | None] | None:
    """Coded levels, None where unknown (-9, NA or empty), or None after noting a bad one."""
    levels: list[int | None] = []
    for column in columns:
        text = row[column].strip()
        if text in _MISSING:
            levels.append(None)
            continue
        value = _integers(row, (column,), file, line, context)
        if value is None:
            return None
        if value[0] == -9:
            levels.append(None)
        elif value[0] in allowed:
            levels.append(value[0])
        else:
            context.issue(
                file,
                line,
                f"must be {allowed.start}-{allowed.stop - 1}, or -9 or NA for unknown",
                column=column,
                value=text,
            )
            return None
    return levels


IMPORTER = MidDyadic()
