"""Which years each nation exists in, and which CoW and Gleditsch-Ward code it holds in each.

The unit is the nation-year, in whole calendar years, so that a yearly table (a dyad-year export,
the tie index) never shows a state after it ended nor one code for two states in one year:

- a nation exists in a year if one of its state-system spells touches any day of it;
- except in a ``continuation`` (see :mod:`comity.nations.successions`): the year of the change
  belongs to whichever of the two held the shared code on 1 July (the Soviet Union has 1991,
  Russia starts in 1992; Yugoslavia ends in 2005, Serbia starts in 2006);
- each year, a nation's code of a system is the one valid on 1 July, or else the one valid on
  the most days of the year; a code claimed by two nations in one year goes to the one that held
  it on 1 July (then on more days), and the other has none of that code that year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from comity.model.nations import CodeSystem, NationCode
from comity.nations.successions import Succession

__all__ = ["YEARLY_CODE_SYSTEMS", "derive_codes_by_year", "derive_nation_years"]

YEARLY_CODE_SYSTEMS = (CodeSystem.COW, CodeSystem.GW)
"""The numeric systems whose codes are given per year (ccode, gwcode)."""

_FIRST_YEAR = 1816
"""The first year of the state system: a code with no start date counts from then."""


def derive_nation_years(
    spells: Iterable[tuple[str, date, date | None]], successions: Iterable[Succession]
) -> list[tuple[str, int, int | None]]:
    """Turn state-system spells into spells of whole years.

    Args:
        spells: (nation, first day, last day or None while it lasts), in any order.
        successions: The successor table; only its continuations matter here.

    Returns:
        (nation, first year, last year or None while it exists), adjacent years merged, by
        nation and first year. Nations without spells are not listed.
    """
    spans: dict[str, list[_Span]] = defaultdict(list)
    for nation, start, end in spells:
        spans[nation].append(_Span(start, end, start.year, None if end is None else end.year))
    for succession in successions:
        if succession.kind == "continuation":
            _give_the_year(succession, spans)
    found: list[tuple[str, int, int | None]] = []
    for nation in sorted(spans):
        runs: list[tuple[int, int | None]] = []
        kept = (s for s in spans[nation] if s.last is None or s.first <= s.last)
        for span in sorted(kept, key=lambda s: s.first):
            if runs and (runs[-1][1] is None or span.first <= runs[-1][1] + 1):
                before = runs[-1][1]
                last = None if before is None or span.last is None else max(before, span.last)
                runs[-1] = (runs[-1][0], last)
            else:
                runs.append((span.first, span.last))
        found.extend((nation, first, last) for first, last in runs)
    return found


@dataclass
class _Span:
    start: date
    end: date | None
    first: int
    last: int | None


def _give_the_year(succession: Succession, spans: dict[str, list[_Span]]) -> None:
    # The year of a continuation goes to whichever state held the shared code on 1 July, so
    # that the code never stands for two states in one year (CoW 365 in 1991 is the USSR's).
    day, year = succession.date, succession.date.year
    if day <= date(year, 7, 1):
        for span in spans.get(succession.predecessor, []):
            if span.end is not None and span.end.year == year and span.end < day:
                span.last = year - 1
    else:
        for successor in succession.successors:
            for span in spans.get(successor, []):
                if span.start.year == year and span.start >= day:
                    span.first = year + 1


def derive_codes_by_year(
    nation_years: Iterable[tuple[str, int, int | None]],
    codes: Iterable[NationCode],
    *,
    current_year: int,
) -> list[tuple[str, int, int | None, int | None]]:
    """The CoW and Gleditsch-Ward code of each nation in each year it exists.

    Args:
        nation_years: From :func:`derive_nation_years`.
        codes: Codes with their validity dates (systems other than CoW and GW are ignored).
        current_year: The last year given for a nation that still exists.

    Returns:
        (nation, year, ccode, gwcode) by nation and year: every year of ``nation_years`` up to
        ``current_year``, and for a nation without spells the years one of its codes is valid.
        A code is None where the nation holds none that year. No (system, code, year) is
        given for two nations.
    """
    own: dict[str, list[NationCode]] = defaultdict(list)
    for code in codes:
        if code.system in YEARLY_CODE_SYSTEMS:
            own[code.nation].append(code)
    years: dict[str, set[int]] = defaultdict(set)
    for nation, first, last in nation_years:
        end = current_year if last is None else min(last, current_year)
        years[nation].update(range(first, end + 1))
    for nation, own_codes in own.items():
        if nation not in years:
            for code in own_codes:
                years[nation].update(_valid_years(code, current_year))

    # Every (nation, year, code) a nation could claim, strongest first: held on 1 July, then on
    # more days of the year. Taking claims in that order keeps each code to one nation a year.
    claims: list[tuple[bool, int, str, int, NationCode]] = []
    for nation, wanted in years.items():
        for code in own.get(nation, ()):
            for year in _valid_years(code, current_year) & wanted:
                claims.append(
                    (code.valid_on(date(year, 7, 1)), _days(code, year), nation, year, code)
                )
    claims.sort(key=lambda c: (not c[0], -c[1], c[2], c[3], c[4].system.value, c[4].code))
    chosen: dict[tuple[str, int, CodeSystem], int] = {}
    taken: set[tuple[CodeSystem, str, int]] = set()
    for _, _, nation, year, code in claims:
        slot = (nation, year, code.system)
        claim = (code.system, code.code, year)
        if slot in chosen or claim in taken:
            continue
        chosen[slot] = int(code.code)
        taken.add(claim)
    return [
        (
            nation,
            year,
            chosen.get((nation, year, CodeSystem.COW)),
            chosen.get((nation, year, CodeSystem.GW)),
        )
        for nation in sorted(years)
        for year in sorted(years[nation])
    ]


def _valid_years(code: NationCode, current_year: int) -> set[int]:
    first = code.valid_from.year if code.valid_from is not None else _FIRST_YEAR
    last = code.valid_to.year if code.valid_to is not None else current_year
    return set(range(first, min(last, current_year) + 1))


def _days(code: NationCode, year: int) -> int:
    first = max(code.valid_from or date.min, date(year, 1, 1))
    last = min(code.valid_to or date.max, date(year, 12, 31))
    return (last - first + timedelta(days=1)).days
