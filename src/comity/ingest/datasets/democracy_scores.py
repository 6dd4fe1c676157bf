"""Regime scores by CoW state-year (V-Dem polyarchy, Polity2, extended UDS) -> nation scores.

One row per CoW state-year, three measures, each stored as a :class:`NationScore` of the same
name where it is coded: ``v2x_polyarchy`` (V-Dem v10 electoral democracy index, 0-1),
``polity2`` (Polity IV, whole numbers -10..10) and ``xm_qudsest`` (Marquez's extension of the
Unified Democracy Scores, a latent estimate around -2..3; checked to lie within -5..5).

Quirks of the file, each handled by a rule below and counted in the report:

- Codes are CoW state codes, read for the row's year (365 is Russia to 1921, the Soviet Union
  (SUN) 1922-1991 and Russia again; 260 West Germany and 255 Germany are both DEU; 265 is DDR;
  345 is Serbia, Yugoslavia (YUG) 1918-2006, then Serbia). Each distinct (code, year) is
  resolved once; a code that does not resolve is an issue.
- Missing values are empty cells (or NA): "not coded", counted as excluded, never stored as 0.
  238 rows have no value at all, among them every row of 2020.
- Two nations have two codes in one year, when the state system replaced one code by another
  mid-year: Germany in 1990 (260 until 2 October, then 255) and Yemen in 1990 (678 until
  21 May, then 679). For each measure the value of the code that held the nation on 1 July is
  kept (260, 679); where that code has none, the other's is used (V-Dem codes Germany only as
  255: DEU's 1990 polyarchy comes from it); a value of the other code dropped because the code
  of 1 July has one is counted as excluded. Any other such pair is an issue.
- V-Dem has no value for West Germany (260), 1955-1989, since V-Dem codes Germany as one
  country and the file carries it only under 255: DEU has no polyarchy score in those years.
- The file's measures end earlier than the file: Polity2 and the UDS end in 2017 (PROVENANCE
  says Polity ends 2018; this file has no 2018 value), V-Dem in 2019. These are Polity IV
  values, not Polity5. Coverage is recorded per measure from the years it has values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.measures import CoverageSpan, NationScore

__all__ = ["IMPORTER", "DemocracyScores"]

_COLUMNS = ("ccode", "year", "v2x_polyarchy", "polity2", "xm_qudsest")
_MISSING = frozenset({"", "NA"})


@dataclass(frozen=True)
class _Measure:
    low: float
    high: float
    whole: bool
    note: str


_MEASURES = {
    "v2x_polyarchy": _Measure(
        0.0,
        1.0,
        False,
        "v2x_polyarchy: V-Dem v10 electoral democracy "
        "index (0-1); none for West Germany (260), 1955-1989",
    ),
    "polity2": _Measure(-10.0, 10.0, True, "polity2: Polity IV (-10..10), not Polity5"),
    "xm_qudsest": _Measure(
        -5.0, 5.0, False, "xm_qudsest: Marquez's extended Unified Democracy Scores, latent estimate"
    ),
}

_IN_FORCE = {("DEU", 1990): 260, ("YEM", 1990): 679}
"""The code that held the nation on 1 July, for nation-years the file gives two codes."""


@dataclass
class _CodeYear:
    """The values one code has for a nation-year, and the row they came from."""

    code: int
    file: str
    line: int
    values: dict[str, float] = field(default_factory=dict)


class DemocracyScores(Importer):
    """Importer of the V-Dem, Polity2 and extended UDS scores by CoW state-year."""

    info = DatasetInfo(
        name="democracy_scores",
        title="Democracy scores by CoW state-year: V-Dem polyarchy, Polity2, extended UDS",
        files=("ccode_democracy.csv.gz",),
        citation=(
            "Coppedge, Michael, John Gerring, Carl Henrik Knutsen, Staffan I. Lindberg, et al. "
            '"V-Dem Dataset v10" and "V-Dem Codebook v10", Varieties of Democracy (V-Dem) '
            'Project. Marshall, Monty G., Ted Robert Gurr, and Keith Jaggers. "Polity IV '
            'Project: Political Regime Characteristics and Transitions, 1800-2017." Marquez, '
            'Xavier. "A Quick Method for Extending the Unified Democracy Scores" (QuickUDS), '
            "extending Pemstein, Meserve and Melton (2010). Via Miller, Steven V. peacesciencer "
            "(data/ccode_democracy.rda)."
        ),
        licence="peacesciencer GPL-2; V-Dem data CC-BY-SA 4.0; Polity data free for research "
        "with citation",
        version="peacesciencer 2bb3321 (V-Dem v10, Polity IV, QuickUDS)",
        becomes="nation-year regime scores",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the state-year file into one nation score per coded value."""
        batch = Batch()
        found: dict[tuple[str, int], list[_CodeYear]] = {}
        for path in paths:
            self._read_file(path, context, batch, found)
        years: dict[str, list[int]] = {measure: [] for measure in _MEASURES}
        for (nation, year), codes in found.items():
            values = codes[0].values if len(codes) == 1 else _merge(nation, year, codes, context)
            for measure, value in values.items():
                batch.scores.append(NationScore(self.info.name, measure, nation, year, value))
                years[measure].append(year)
        for measure, seen in years.items():
            if seen:
                batch.coverage.append(
                    CoverageSpan(self.info.name, min(seen), max(seen), note=_MEASURES[measure].note)
                )
        return batch

    def _read_file(
        self,
        path: Path,
        context: ImportContext,
        batch: Batch,
        found: dict[tuple[str, int], list[_CodeYear]],
    ) -> None:
        file = path.name
        resolved: dict[tuple[int, int], str | None] = {}
        rows: dict[tuple[int, int], int] = {}
        for line, row in read_delimited(path, context, required=_COLUMNS):
            batch.rows_read += 1
            context.advance()
            code, year = (_whole(row[c], c, file, line, context) for c in ("ccode", "year"))
            values = _values(row, file, line, context)
            if code is None or year is None or values is None:
                continue
            if not 1789 <= year <= date.today().year:
                context.issue(
                    file, line, "is not a year from 1789 to this year", column="year", value=year
                )
                continue
            if (code, year) in rows:
                context.issue(
                    file,
                    line,
                    f"repeats the state-year of row {rows[code, year]}",
                    column="ccode/year",
                    value=f"{code}/{year}",
                )
                continue
            rows[code, year] = line
            if (code, year) not in resolved:
                resolved[code, year] = context.resolve(
                    code, system="cow", year=year, file=file, row=line, column="ccode"
                )
            nation = resolved[code, year]
            if nation is not None:
                found.setdefault((nation, year), []).append(_CodeYear(code, file, line, values))


def _merge(
    nation: str, year: int, codes: list[_CodeYear], context: ImportContext
) -> dict[str, float]:
    """One value per measure for a nation-year the file gives under two codes."""
    held = _IN_FORCE.get((nation, year))
    first = next((c for c in codes if c.code == held), None)
    if first is None or len(codes) != 2:
        later = codes[-1]
        others = ", ".join(f"{c.code} (row {c.line})" for c in codes[:-1])
        context.issue(
            later.file,
            later.line,
            f"{nation} in {year} is also given under code {others}; comity does not know which "
            "code held it that year",
            column="ccode",
            value=later.code,
        )
        return {}
    other = codes[1] if codes[0] is first else codes[0]
    values = dict(other.values)
    for measure, value in first.values.items():
        if measure in values:
            context.exclude(
                "value of a code that did not hold the nation on 1 July (the value "
                "of the code that did is kept)"
            )
        values[measure] = value
    return values


def _whole(text: str, column: str, file: str, line: int, context: ImportContext) -> int | None:
    try:
        number = float(text.strip())
    except ValueError:
        number = math.nan
    if not number.is_integer():
        context.issue(file, line, "is not a whole number", column=column, value=text)
        return None
    return int(number)


def _values(
    row: dict[str, str], file: str, line: int, context: ImportContext
) -> dict[str, float] | None:
    """The row's coded values by measure, or None after noting each bad one."""
    values: dict[str, float] = {}
    ok = True
    for measure, rule in _MEASURES.items():
        text = row[measure].strip()
        if text in _MISSING:
            context.exclude("not coded (empty or NA)")
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not rule.low <= value <= rule.high or (rule.whole and not value.is_integer()):
            kind = "a whole number" if rule.whole else "a number"
            context.issue(
                file,
                line,
                f"must be {kind} from {rule.low:g} to {rule.high:g}",
                column=measure,
                value=text,
            )
            ok = False
            continue
        values[measure] = value
    return values if ok else None


IMPORTER = DemocracyScores()
