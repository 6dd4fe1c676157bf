"""What each nation mention of a passage is: a party, context, a news agency's, an observer, a host.

A passage names more nations than take part. Read mention by mention:

- **dateline**: "BEIJING (Xinhua) —", "MANILA, Philippines —", "SEOUL, March 4 (Yonhap) --": the
  place a story was filed from is not where the engagement was, and its nation is not a party;
- **news agency**: "China's Xinhua", "Chinese state media", "South Korea's Yonhap news agency":
  the nation of the outlet that reports is not a party;
- **context**: "amid tensions with China", "after Russia's invasion of Ukraine", "to deter North
  Korea", "China has protested the drills", "Mongolia, which lies between Russia and China", "a
  stop at a French air base in the United Arab Emirates": a nation the passage names as the
  backdrop. A clause opened by "amid" (or "via", "a stop at"...) is context to its end;
- **language**: "taught in Spanish", "Russian-speaking": a language, not a nation;
- **observer**: "with Japan and China as observers", "observers from India", "France observed";
- **host**: "hosted by Thailand", "Australia hosts", "Thai-hosted", "host nation Indonesia".

A nation is a party when one of its mentions is none of dateline, agency or context; it is an
observer when most of those mentions are an observer's (:func:`read_mentions`): "Brazilian
instructors observed U.S. procedures" does not make observers of Americans named elsewhere as
taking part.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from comity.extract.nations_in_text import AgencyMention, NationMention

__all__ = [
    "MentionReading",
    "dateline_by_agency",
    "dateline_end",
    "read_mentions",
    "sentence_bounds",
    "sentences",
]

_DATELINE = re.compile(
    r"""^\s*(?:[A-Z][A-Z.'’\- ]{2,40}?(?:,\s*[A-Z][\w.'’ -]{1,40}?)?
    (?:,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*)?
    (?:\([^)\n]{1,40}\)\s*)?(?:—|–|--|-|:)\s+""",
    re.VERBOSE,
)
_MEDIA_WORDS = (
    r"(?:state|state-run|state-owned|state-controlled|official|government|news|media|agency|"
    r"broadcaster|newspaper|outlet|daily|television|TV|press|wire|service|tabloid|network|"
    r"the|its|public)"
)
_MEDIA_AFTER = re.compile(
    rf"^(?:['’]s)?(?:\s+{_MEDIA_WORDS})*\s+(?:news\s+agency|media|broadcaster|newspaper|"
    r"outlet|television|TV|tabloid|press\s+agency|news\s+outlet|wire\s+service|daily)\b",
    re.IGNORECASE,
)
_BEFORE_AGENCY = re.compile(rf"^(?:['’]s)?(?:\s+{_MEDIA_WORDS})*[\s,]+$", re.IGNORECASE)

_CONTEXT_CUE = re.compile(
    r"\b(?:amid|against|deter(?:s|red|ring|rence\s+(?:of|against))?|counter(?:s|ing)?|"
    r"invasion\s+of|invaded|invading|aggression\s+(?:by|from|of)|tensions?\s+with|"
    r"threats?\s+(?:from|posed\s+by|of)|rivalry\s+with|disputes?\s+with|pressure\s+from|"
    r"war\s+(?:in|with|against|on)|conflict\s+(?:in|with)|concerns?\s+(?:over|about)|"
    r"coercion\s+(?:by|from)|wary\s+of|worried\s+about|worries\s+about|in\s+response\s+to|"
    r"challenges?\s+(?:from|posed\s+by)|competition\s+with|confront(?:s|ed|ing)?|"
    r"contain(?:ing)?|sanctions\s+(?:on|against)|attacks?\s+(?:on|by)|occupied\s+by|"
    r"annexation\s+of|incursions?\s+(?:by|from|into)|provocations?\s+(?:by|from)|"
    r"message\s+to|signal\s+to|warning\s+to|stand[-\s]off\s+with|clash(?:es)?\s+with|"
    r"(?:growing|rising)\s+(?:assertiveness|influence|power)\s+of|defend\s+against|"
    r"hostilities\s+with|support\s+for|solidarity\s+with|(?:lies|lying|located|sits|"
    r"sandwiched|wedged)\s+between|deployed\s+from|flown\s+from\s+bases\s+in|"
    r"(?:around|encircl\w+|surrounding|near|close\s+to)\s+(?:the\s+(?:island|coast|waters)\s+"
    r"of)?|preparing\s+to\s+(?:join|deploy)\s+(?:to\s+)?(?:the\s+)?(?:[\w-]+\s+){0,4}(?:in|to))\b",
    re.IGNORECASE,
)
_CLAUSE_CUE = re.compile(
    r"\b(?:amid|amidst|against\s+the\s+backdrop\s+of|in\s+the\s+face\s+of|in\s+light\s+of|"
    r"with\s+a\s+(?:refuell?ing\s+)?stop(?:over)?\s+(?:at|in)|stopover\s+in|via|en\s+route|"
    r"transit(?:ing|ed)?\s+through)\b[^,;.]*$",
    re.IGNORECASE,
)
_LANGUAGE_BEFORE = re.compile(
    r"\b(?:in|speak(?:s|ing)?|spoken|learn(?:s|ed|ing)?|into|from|fluent|courses?\s+in|"
    r"lessons?\s+in)\s+$",
    re.IGNORECASE,
)
_LANGUAGE_NAMED = re.compile(r"^[-\s](?:language|speaking|speakers?|interpreters?)\b")
_LANGUAGE_END = re.compile(r"^\s*(?:[.,;:)]|(?:and|or|at|to|for|with|by|from|on|as|in)\b)")
_FILLER = frozenset(
    """the a an its their his her growing rising increasing heightened mounting ongoing continued
    escalating aggressive assertive full-scale full scale military potential possible perceived
    threat threats tensions tension activities activity actions action behaviour behavior of by
    from with and or to in over regional neighbouring neighboring nuclear missile missiles
    maritime territorial expansion influence power assertiveness coercion s 's ’s increasingly
    recent years year powerful larger large neighbour neighbor rival rivals such as like
    xnation -""".split()
)
"""Words that may stand between a context cue and the nation it points to ("tensions with the
growing power of China"). A comma is not one: "after Russia's invasion of Ukraine, Finland and
Sweden signed" ends the context at the comma."""
_CONTEXT_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:(?:launched|began|started|waged|continued|escalated|stepped\s+up)\s+)?"
    r"(?:(?:its|a|the|an)\s+)?(?:(?:full-scale|ongoing|growing|continued|recent|illegal|unprovoked|"
    r"increasing|military|aggressive|territorial|nuclear|ballistic)\s+)*"
    r"(?:invasion|aggression|war|annexation|attacks?|incursions?|claims?|assertiveness|"
    r"build-?up|expansion|coercion|provocations?|missiles?|nuclear|threats?|militari[sz]ation|"
    r"harassment|blockade|belligerence|intimidation|occupation)\b"
    r"|^\s+(?:has\s+|have\s+|had\s+)?(?:repeatedly\s+|strongly\s+|also\s+)?(?:protested|"
    r"criticized|criticised|condemned|warned|denounced|slammed|accused|objected|threatened|"
    r"invaded|attacked|opposed|lodged|claims|claimed|harassed|seized|blockaded)\b",
    re.IGNORECASE,
)
_OBSERVER_CUE = re.compile(r"\bobserv(?:er|ers|ed|ing|e|es|ation)\b", re.IGNORECASE)
_OBSERVER_GAP = frozenset(
    """the a an and or from as while with also other nations countries militaries delegations
    military officers sent send sends were was are is joined join joins participated participate
    participating attended attend attending took take part will be countries' nation status
    in an at of including such has have had small team teams to its their delegation group
    personnel only sending xnation , :""".split()
)
_HOST_BEFORE = re.compile(
    r"(?:hosted\s+by|host\s+(?:nation|country)|co-hosted\s+by|organi[sz]ed\s+by|"
    r"hosted\s+in|held\s+in|invitation\s+of|invited\s+by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_HOST_AFTER = re.compile(
    r"^(?:-hosted|['’]s\s+hosting|\s*,?\s*(?:which|who)?\s*(?:is|was|will|has|had|also)?\s*"
    r"(?:be\s+)?(?:co-)?host(?:s|ed|ing)?\b|\s*,\s*the\s+host\b|\s+as\s+(?:the\s+)?host\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MentionReading:
    """A nation's mentions in a passage, read.

    Attributes:
        iso3: The nation.
        mentions: Every mention of it outside the dateline, in order.
        party: The mentions that make it a party (not agency, not context).
        observer: Whether a mention makes it an observer.
        host: The mention that names it host, if any.
    """

    iso3: str
    mentions: tuple[NationMention, ...]
    party: tuple[NationMention, ...]
    observer: bool
    host: NationMention | None

    @property
    def is_party(self) -> bool:
        """Whether it takes part (as host, participant or observer)."""
        return bool(self.party)


def dateline_end(text: str) -> int:
    """Where the dateline ends ("BEIJING (Xinhua) — "), or 0 when the passage opens without one.

    A dateline opens with a place in capitals or an agency in brackets, before a dash.
    """
    match = _DATELINE.match(text[:160])
    if match is None:
        return 0
    head = match.group(0)
    if not re.search(r"[A-Z]{3}|\(", head):
        return 0
    return match.end()


def dateline_by_agency(text: str) -> bool:
    """Whether the dateline names a news agency ("SEOUL (Yonhap) —").

    Its place is then where the agency filed from, not where anything happened.
    """
    end = dateline_end(text)
    return end > 0 and "(" in text[:end]


_ABBREVIATIONS = frozenset(
    """mr ms mrs dr st gen lt col capt maj adm sgt cmdr cdr gov sen rep jan feb mar apr jun jul
    aug sep sept oct nov dec no co inc jr sr vs calif fla va pa ga ala ariz wash mass tenn tex md
    mo mich minn wis ill conn colo okla ky la miss neb nev ore ark del vt mont wyo""".split()
)
_LAST_WORD = re.compile(r"([A-Za-z]+)\.?$")
_STOP = re.compile(r"[.!?]+[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


@lru_cache(maxsize=64)
def sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """The spans of the sentences of ``text`` from ``start``.

    A full stop after an initial ("U.S."), a title ("Gen.") or an abbreviated month or US state
    ("Feb.", "Calif.") ends no sentence.
    """
    found = []
    begin = start
    for stop in _STOP.finditer(text, start):
        word = _LAST_WORD.search(text, max(begin, stop.start() - 20), stop.start() + 1)
        if text[stop.start()] == "." and word is not None:
            token = word.group(1)
            if len(token) == 1 or token.lower() in _ABBREVIATIONS:
                continue
        found.append((begin, stop.start() + 1))
        begin = stop.end()
    if begin < len(text):
        found.append((begin, len(text)))
    return [(lo, hi) for lo, hi in found if text[lo:hi].strip()]


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """The span of the sentence around ``position``."""
    for lo, hi in sentences(text):
        if lo <= position < hi:
            return lo, hi
    return 0, len(text)


def _masked(text: str, mentions: Sequence[NationMention], lo: int, hi: int) -> str:
    """``text[lo:hi]`` with each mention inside it written ``xnation`` (mentions in order)."""
    pieces, last = [], lo
    first = bisect_left(mentions, lo, key=lambda m: m.start)
    for m in mentions[first:]:
        if m.start >= hi:
            break
        if m.end <= hi and m.start >= last:
            pieces.append(text[last : m.start])
            pieces.append(" xnation ")
            last = m.end
    pieces.append(text[last:hi])
    return "".join(pieces)


def _only(words: str, allowed: frozenset[str]) -> bool:
    tokens = re.findall(r"[\w’'-]+|,", words.lower())
    return all(t in allowed for t in tokens)


def _is_language(text: str, mention: NationMention) -> bool:
    if not mention.news_term:
        return False
    after = text[mention.end : mention.end + 20]
    if _LANGUAGE_NAMED.match(after):
        return True
    before = text[max(0, mention.start - 20) : mention.start]
    return bool(_LANGUAGE_BEFORE.search(before) and _LANGUAGE_END.match(after))


def _is_context(text: str, mention: NationMention, mentions: Sequence[NationMention]) -> bool:
    after = text[mention.end : mention.end + 80]
    if _CONTEXT_AFTER.search(after) or _is_language(text, mention):
        return True
    lo, _ = sentence_bounds(text, mention.start)
    if _CLAUSE_CUE.search(text[max(lo, mention.start - 200) : mention.start]):
        return True
    before = _masked(text, mentions, max(lo, mention.start - 120), mention.start)
    cues = list(_CONTEXT_CUE.finditer(before))
    return bool(cues) and _only(before[cues[-1].end() :], _FILLER)


def _is_agency(text: str, mention: NationMention, agencies: Sequence[AgencyMention]) -> bool:
    if _MEDIA_AFTER.search(text[mention.end : mention.end + 60]):
        return True
    for agency in agencies:
        if agency.start >= mention.end and agency.start - mention.end <= 40:
            if _BEFORE_AGENCY.match(text[mention.end : agency.start]):
                return True
    return False


def _is_observer(text: str, mention: NationMention, mentions: Sequence[NationMention]) -> bool:
    lo, hi = sentence_bounds(text, mention.start)
    lo, hi = max(lo, mention.start - 200), min(hi, mention.end + 200)
    for cue in _OBSERVER_CUE.finditer(text, lo, hi):
        if cue.start() >= mention.end:
            gap = _masked(text, mentions, mention.end, cue.start())
        elif cue.end() <= mention.start:
            gap = _masked(text, mentions, cue.end(), mention.start)
        else:
            continue
        if len(gap) <= 120 and _only(gap, _OBSERVER_GAP):
            return True
    return False


def _is_host(text: str, mention: NationMention) -> bool:
    before = text[max(0, mention.start - 40) : mention.start]
    after = text[mention.end : mention.end + 40]
    return bool(_HOST_BEFORE.search(before) or _HOST_AFTER.match(after))


def read_mentions(
    text: str, mentions: Sequence[NationMention], agencies: Sequence[AgencyMention] = ()
) -> list[MentionReading]:
    """Read every nation's mentions: party or not, observer, host.

    Args:
        text: The passage.
        mentions: Its nation mentions, in order.
        agencies: Its news agencies, in order.

    Returns:
        One reading per nation named outside the dateline, in order of first mention.
    """
    start = dateline_end(text)
    kept = [m for m in mentions if m.start >= start]
    readings: list[MentionReading] = []
    for iso3 in dict.fromkeys(m.iso3 for m in kept):
        own = tuple(m for m in kept if m.iso3 == iso3)
        party = tuple(
            m for m in own if not _is_agency(text, m, agencies) and not _is_context(text, m, kept)
        )
        watching = sum(_is_observer(text, m, kept) for m in party)
        host = next((m for m in party if _is_host(text, m)), None)
        observer = watching > len(party) - watching and host is None
        readings.append(MentionReading(iso3, own, party, observer, host))
    return readings
