"""Which of a passage's dates date the engagement: its start and, where given, its end.

A range is preferred; then a date after a starting word ("began on", "kicked off", "from"); then
the most precise date. Dates after words of history ("since 1982", "first held in"), of
reporting ("said Monday"), of a deadline ("by 2035") or of ending ("through March 8", "closed
out ... on Friday") weigh less; a dateline's date is the filing's and is left out.
"""

from __future__ import annotations

import re

from comity.extract.dates_in_text import DateMention

__all__ = ["choose_period"]

_STRONG_START = re.compile(
    r"\b(?:began|begins?|beginning|kick(?:ed|s)?\s+off|start(?:ed|s|ing)?|open(?:ed|s)?|"
    r"launch(?:ed|es)?|commenc(?:ed|es)|running\s+from|runs\s+from|from)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
_WEAK_START = re.compile(
    r"\b(?:on|held|arriv(?:ed|es)|landed|signed|took\s+place|will|in)\W+(?:\w+\W+)?$",
    re.IGNORECASE,
)
_REPORTING = re.compile(
    r"\b(?:said|says|told|announced|reported|stated|added|confirmed)\W+(?:\w+\W+)?$",
    re.IGNORECASE,
)
_HISTORY_CUE = re.compile(
    r"\b(?:since|first\s+held|inaugurat\w*|established|founded|previous|last\s+year'?s?|"
    r"began\s+in|dating\s+back|ago|history|prior|earlier\s+edition)\W+(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
_END_CUE = re.compile(
    r"\b(?:until|till|through|to)\s+(?:on\s+)?$|\b(?:closed\s+out|clos(?:ed|es|ing)|"
    r"conclud\w*|end(?:s|ed)?|wrap(?:ped|s)?\s+up|finish(?:ed|es)?)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
_RANK = {"day": 3, "month": 2, "year": 1}


def _lead(mention: DateMention) -> str:
    """The preposition a mention opens with ("on" of "on Monday"), lower-cased, or ""."""
    first = mention.text.split()[0].lower()
    return first if first in _LEADS else ""


_LEADS = frozenset("on in by since until till through from during before after of for".split())


def _before(text: str, mention: DateMention, width: int) -> str:
    return text[max(0, mention.start - width) : mention.start]


def choose_period(
    text: str, mentions: list[DateMention], after: int = 0
) -> tuple[DateMention, str, str | None] | None:
    """The expression that dates the engagement, and its start and end.

    The start is, in order of preference: a range; a date after a starting word ("began on",
    "kicked off", "from"); the most precise date. Dates after words of history ("since 1982",
    "first held in"), of reporting ("said Monday") or of ending ("through March 8", "closed out
    ... on Friday") weigh less. The end is the range's end, else the first date after an ending
    word that is not before the start.

    Args:
        text: The passage.
        mentions: Its date expressions, in order.
        after: Where its dateline ends: a dateline's date is the filing's, not the event's.

    Returns:
        (the mention, the start as ISO text, the end as ISO text or None), or None.
    """
    candidates = [m for m in mentions if m.start >= after]
    if not candidates:
        return None
    ending = {
        id(m)
        for m in candidates
        if _END_CUE.search(_before(text, m, 50)) or _lead(m) in ("until", "till", "through")
    }

    def score(item: tuple[int, DateMention]) -> tuple[int, int]:
        position, mention = item
        before = _before(text, mention, 50)
        near = _before(text, mention, 25)
        lead = _lead(mention)
        value = _RANK[mention.precision] + (4 if mention.last else 0)
        if _STRONG_START.search(before) or lead == "from":
            value += 3
        elif _WEAK_START.search(near) or lead in ("on", "in", "during"):
            value += 1
        if _REPORTING.search(near):
            value -= 3
        if _HISTORY_CUE.search(before) or lead == "since":
            value -= 6
        if lead in ("by", "before"):
            value -= 2
        if id(mention) in ending and not mention.last:
            value -= 3
        return value, -position

    _, best = max(enumerate(candidates), key=score)
    end = best.last
    if end is None:
        later = [
            m for m in candidates if id(m) in ending and m is not best and m.first > best.first
        ]
        end = later[0].first if later else None
    return best, best.first, end
