"""Dates in a passage, at the precision the text gives, resolved against its publication date.

Candidates are found with regular expressions first (ranges such as "Feb. 27 to March 10, 2024",
"3-14 May 2023" and "from May 3 to 14"; single days; "March 2024", "in March", "in 2023";
weekdays, "today", "last week", "this month"); only those are handed to ``dateparser``, configured
once for English, so that a passage costs a few calls at most.

- **Precision**: a day, a month or a year, as the words give it; a week ("last week") is read as
  the month it falls in, since a draft's dates have no week precision.
- **Missing year**: a day or month without a year takes the year of an event the text names with
  its year ("Beyond the Horizon 2024": the text gives that year), else the year of the
  publication date that puts it nearest to that date (a December event in a January release is
  last December), or the next occurrence when the sentence speaks of the future ("will begin in
  March"). Within a range the first end takes the second's year ("Dec. 28 to Jan. 5, 2024":
  2023-12-28).
- **No invented year**: with no publication date, an expression without a year (and every
  relative one) gives no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

__all__ = ["DateMention", "find_dates"]

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def _month(name: str) -> str:
    return (
        rf"(?P<{name}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
        rf"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
    )


def _day(name: str) -> str:
    return rf"(?<![\d,.])(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"


def _year(name: str) -> str:
    return rf"(?P<{name}>(?:19|20)\d\d)(?!\d)"


_SEP = r"\s*(?:-|–|—|to|through|thru|until|till|and)\s*"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_LEAD = r"(?i:in|during|since|until|till|through|by|from|of|for|around|before|after)"
_PART = r"(?i:(?:early|mid|late|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of)[\s-]+)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "md-md",
            rf"{_month('m1')}\s+{_day('d1')}(?:,?\s+{_year('y1')})?{_SEP}"
            rf"{_month('m2')}\s+{_day('d2')}(?:,?\s+{_year('y2')})?",
        ),
        (
            "dm-dm",
            rf"{_day('d1')}\s+{_month('m1')}(?:,?\s+{_year('y1')})?{_SEP}"
            rf"{_day('d2')}\s+{_month('m2')}(?:,?\s+{_year('y2')})?",
        ),
        ("m-dd", rf"{_month('m1')}\s+{_day('d1')}{_SEP}{_day('d2')}(?:,?\s+{_year('y2')})?"),
        ("dd-m", rf"{_day('d1')}{_SEP}{_day('d2')}\s+{_month('m1')}(?:,?\s+{_year('y2')})?"),
        ("iso", r"(?<![\d-])(?P<y1>\d{4})-(?P<n1>[01]\d)-(?P<d1>[0-3]\d)(?![\d-])"),
        (
            "mdy",
            rf"(?:{_WEEKDAY},?\s+)?{_month('m1')}\s+{_day('d1')}(?:,?\s+{_year('y1')})?"
            r"(?!\s*(?:-|–|to)\s*\d)",
        ),
        ("dmy", rf"(?:{_WEEKDAY},?\s+)?{_day('d1')}\s+{_month('m1')}(?:,?\s+{_year('y1')})?"),
        (
            "m-m",
            rf"(?:from|between)\s+{_month('m1')}(?:\s+{_year('y1')})?{_SEP}"
            rf"{_month('m2')}(?:,?\s+{_year('y2')})?",
        ),
        ("my", rf"(?:{_PART})?{_month('m1')}(?:\s+of)?,?\s+{_year('y1')}"),
        (
            "m",
            rf"\b(?:(?P<rel>(?i:last|this|next|this\s+past))\s+|{_LEAD}\s+(?:{_PART})?){_month('m1')}"
            r"(?![\w])",
        ),
        ("y", rf"\b(?:{_LEAD}|(?i:early|mid|late))[\s-]+(?:{_PART})?{_year('y1')}\b"),
        (
            "relative",
            rf"\b(?:(?i:on|last|this|next|this\s+past|since|until|by)\s+)?{_WEEKDAY}\b"
            r"|\b(?i:today|yesterday|tomorrow)\b"
            r"|\b(?i:(?:earlier|later)\s+this|this|last|next|past|coming)\s+(?i:week|month|year)\b",
        ),
    )
)
"""Candidate expressions, most specific first: where two overlap, the earlier pattern wins."""

_FUTURE = re.compile(
    r"\b(?:will|shall|is\s+set\s+to|are\s+set\s+to|scheduled\s+(?:to|for)|plans?\s+to|"
    r"planning\s+to|upcoming|is\s+to|are\s+to|to\s+be\s+held|expected\s+to|due\s+to\s+"
    r"(?:begin|start|arrive|open))\b",
    re.IGNORECASE,
)
"""Words before an expression that point forward: a year-less date or weekday is then read as
the next one ("will begin on Monday")."""


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a passage and what it resolves to.

    Attributes:
        start: Offset of the expression's first character.
        end: Offset just past its last character.
        text: The expression as written.
        first: The first (or only) date as ISO text at its precision (``2024-05-03``,
            ``2024-05``, ``2024``).
        last: The last date of a range, or None.
        year_given: Whether the text itself gives the year (not the publication date).
        relative: Whether it is relative to the publication date ("on Monday").
    """

    start: int
    end: int
    text: str
    first: str
    last: str | None = None
    year_given: bool = True
    relative: bool = False

    @property
    def precision(self) -> str:
        """``day``, ``month`` or ``year``, read from :attr:`first`."""
        return {10: "day", 7: "month"}.get(len(self.first), "year")


@lru_cache(maxsize=1)
def _explicit_parser() -> Any:
    """The one parser of absolute dates ("27 February 2024"): English only, no guessing."""
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]

    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["year"],
            "STRICT_PARSING": True,
        },
    )


@lru_cache(maxsize=4096)
def _absolute(day: int | None, month: int, year: int) -> date | None:
    text = f"{day} {_MONTH_NAMES[month - 1]} {year}" if day else f"{_MONTH_NAMES[month - 1]} {year}"
    if day is None:
        return date(year, month, 1)
    found = _explicit_parser().get_date_data(text).date_obj
    return found.date() if found is not None else None


@lru_cache(maxsize=4096)
def _relative(text: str, base: date, future: bool) -> tuple[date, str] | None:
    """A relative expression read against ``base``: the day and the period dateparser gives.

    The parser is made per publication date, since its relative base is a setting (and cached
    with the expression: a passage's few expressions cost one parse each).
    """
    import dateparser  # type: ignore[import-untyped]

    settings = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "future" if future else "past",
        "RETURN_TIME_AS_PERIOD": False,
    }
    data = dateparser.DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), str(data.period or "day")


def _month_number(text: str | None) -> int | None:
    return _MONTHS.get(text[:3].lower()) if text else None


def _iso(day: date, precision: str) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _nearest_year(month: int, day: int, published: date, future: bool) -> int:
    """The year that puts month/day nearest the publication date (or next, for the future)."""
    candidates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return published.year
    if future:
        ahead = [c for c in candidates if c >= published - timedelta(days=7)]
        if ahead:
            return min(ahead).year
    return min(candidates, key=lambda c: (abs((c - published).days), -c.year)).year


def find_dates(text: str, published: date | None = None) -> list[DateMention]:
    """Every date expression of ``text`` that resolves, left to right.

    Args:
        text: The passage.
        published: Its publication date: relative expressions and missing years read against
            it; without it, only expressions that give their year resolve.

    Example:
        >>> [d.first for d in find_dates("from May 3 to 14", date(2024, 4, 30))]
        ['2024-05-03']
    """
    named = _NAMED_YEAR.search(text)
    year = int(named.group(1)) if named else None
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            future = bool(_FUTURE.search(_sentence_before(text, start)))
            mention = _resolve(name, match, _Context(published, year, future))
            if mention is not None:
                taken.append((start, end))
                found.append(mention)
    return sorted(found, key=lambda m: m.start)


_NAMED_YEAR = re.compile(
    r"\b[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|the|of|de|del|and)){0,5}\s+((?:19|20)\d\d)\b(?!-\d)"
)
"""An event named with its year ("Beyond the Horizon 2024"): the text gives that year."""


@dataclass(frozen=True)
class _Context:
    """What a year-less expression is read against."""

    published: date | None
    named_year: int | None
    future: bool


def _sentence_before(text: str, start: int) -> str:
    window = text[max(0, start - 80) : start]
    return re.split(r"[.!?]\s", window)[-1]


def _resolve(name: str, match: re.Match[str], context: _Context) -> Any:
    groups = match.groupdict()
    span = (match.start(), match.end(), match.group(0))
    published, future = context.published, context.future
    if name == "relative":
        return _resolve_relative(match.group(0), span, published, future)
    if name in ("my", "m", "m-m"):
        return _resolve_months(groups, span, context)
    if name == "y":
        return DateMention(*span, first=groups["y1"])
    month1 = int(groups["n1"]) if name == "iso" else _month_number(groups.get("m1"))
    month2 = _month_number(groups.get("m2")) or month1
    day1 = int(groups["d1"])
    day2 = int(groups["d2"]) if groups.get("d2") else None
    if month1 is None or month2 is None:
        return None
    year2 = int(groups["y2"]) if groups.get("y2") else None
    year1 = int(groups["y1"]) if groups.get("y1") else None
    given = year1 is not None or year2 is not None
    if year1 is None and year2 is not None:
        year1 = year2 - 1 if (month1, day1) > (month2, day2 or 0) else year2
    if year1 is None and context.named_year is not None:
        year1, given = context.named_year, True
    if year1 is None:
        if published is None:
            return None
        year1 = _nearest_year(month1, min(day1, 28), published, future)
    first = _absolute(day1, month1, year1)
    if first is None:
        return None
    if day2 is None:
        return DateMention(*span, first=first.isoformat(), year_given=given)
    if year2 is None:
        year2 = year1 + 1 if (month2, day2) < (month1, day1) else year1
    last = _absolute(day2, month2, year2)
    if last is None or last < first:
        return None
    return DateMention(*span, first=first.isoformat(), last=last.isoformat(), year_given=given)


def _resolve_months(
    groups: dict[str, Any], span: tuple[int, int, str], context: _Context
) -> DateMention | None:
    month1 = _month_number(groups["m1"])
    month2 = _month_number(groups.get("m2"))
    year1 = int(groups["y1"]) if groups.get("y1") else None
    year2 = int(groups["y2"]) if groups.get("y2") else None
    given = year1 is not None or year2 is not None
    if month1 is None:
        return None
    if year1 is None and year2 is not None and month2 is not None:
        year1 = year2 - 1 if month1 > month2 else year2
    relation = (groups.get("rel") or "").split()[0:1]
    if year1 is None and context.named_year is not None and not relation:
        year1, given = context.named_year, True
    if year1 is None:
        if context.published is None:
            return None
        year1 = _month_year(
            month1, context.published, context.future, relation[0] if relation else ""
        )
    first = date(year1, month1, 1)
    if month2 is None:
        return DateMention(*span, first=_iso(first, "month"), year_given=given)
    if year2 is None:
        year2 = year1 + 1 if month2 < month1 else year1
    last = date(year2, month2, 1)
    return DateMention(
        *span, first=_iso(first, "month"), last=_iso(last, "month"), year_given=given
    )


def _month_year(month: int, published: date, future: bool, relation: str) -> int:
    if relation == "this":
        return published.year
    if relation == "last":
        return published.year if month < published.month else published.year - 1
    if relation == "next":
        return published.year if month > published.month else published.year + 1
    return _nearest_year(month, 15, published, future)


def _resolve_relative(
    text: str, span: tuple[int, int, str], published: date | None, future: bool
) -> DateMention | None:
    if published is None:
        return None
    words = text.lower().split()
    if words[0] in ("on", "since", "until", "by") or words[:2] == ["this", "past"]:
        words = words[2:] if words[0] == "this" else words[1:]
    if words[0] in ("earlier", "later"):
        words = words[1:]
    if words[0] == "past":
        words = ["last", *words[1:]]
    if words[0] == "coming":
        words = ["next", *words[1:]]
    phrase = " ".join(words)
    weekday = _WEEKDAYS.get(words[-1])
    if weekday is not None and len(words) == 1:
        return _weekday(span, published, weekday, future)
    found = _relative(phrase, published, future or words[0] == "next")
    if found is None:
        return None
    day, period = found
    precision = {"year": "year", "month": "month", "week": "month"}.get(period, "day")
    if words[-1] == "week":
        precision = "month"
    return DateMention(*span, first=_iso(day, precision), year_given=False, relative=True)


_WEEKDAYS = {name.lower(): n for n, name in enumerate(_WEEKDAY[3:-1].split("|"))}


def _weekday(
    span: tuple[int, int, str], published: date, weekday: int, future: bool
) -> DateMention | None:
    # dateparser reads the publication day's own weekday as a week earlier; news means that day.
    if published.weekday() == weekday:
        day = published
    else:
        found = _relative(span[2].split()[-1], published, future)
        if found is None:
            return None
        day = found[0]
    return DateMention(*span, first=day.isoformat(), year_given=False, relative=True)
