"""Traps and rules: where the words decide the kind, or that there is no engagement.

Order in :mod:`comity.extract.pipeline`: the traps first (each gives no engagement and says
why), then these rules (each gives a kind), then the model of kinds.

**Traps**

- an opinion piece or commentary ("Opinion:", "the author argues"): reason ``an opinion piece``;
- a cancelled, suspended or postponed event ("the drills were called off") in the passage's
  first two sentences (a later one is a detail: "the flag-raising has been postponed"), unless
  the passage says it resumed or the cancellation was an earlier edition's ("postponed last
  year, the exercise began on Monday"): reason ``cancelled``;
- one nation only (after the dateline, news agencies and context are set aside): its own ships
  in its own ports (a US ship at Guam or Pearl Harbor, a Japanese ship at Yokosuka), its own
  relief at home, its own services exercising "jointly", or anything else one nation does alone.

**Rules**

- ``alliance``: joining an alliance ("joined NATO", "instrument of accession", "became NATO's
  32nd member"), or, in the first sentence, a treaty or pact whose passage pledges defence
  ("mutual defence", "come to each other's aid", "an armed attack on any of them");
- ``agreement``: signing ("signed a memorandum of understanding", "inked a reciprocal access
  agreement") in the first sentence, the verb and the document together, unless the signing is
  dated in the past ("the agreement the two signed in May") or the passage is about research
  done together ("a project agreement to co-develop"), which the model weighs;
- ``port_call``: "port call", "port visit", "goodwill visit", "moored", "berthed", "docked at",
  "pulled into", unless an exercise is what the sentence is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from comity.extract.mentions import dateline_end, sentence_bounds, sentences

__all__ = [
    "CANCELLED",
    "NOT_DESCRIBED",
    "NO_NATION",
    "ONE_NATION",
    "OPINION",
    "OWN_PORT",
    "OWN_RELIEF",
    "OWN_SERVICES",
    "Finding",
    "cancellation",
    "joins_alliance",
    "kind_rule",
    "one_nation_reason",
    "opinion",
]

OPINION = "an opinion piece"
CANCELLED = "cancelled"
OWN_SERVICES = "one nation's own services"
OWN_RELIEF = "relief inside its own country"
OWN_PORT = "a port call in its own territory"
ONE_NATION = "one nation only"
NO_NATION = "no nation named"
NOT_DESCRIBED = "no engagement described"


@dataclass(frozen=True)
class Finding:
    """What a trap or rule found.

    Attributes:
        kind: The kind it gives, or None (a trap: no engagement).
        reason: Why no engagement (traps), or None.
        span: The words it rests on, if any.
        confidence: How sure it is, 0 to 1.
    """

    kind: str | None
    reason: str | None
    span: tuple[int, int] | None
    confidence: float


_EVENT = re.compile(
    r"\b(?:exercises?|drills?|war\s*games?|manoeuvres|maneuvers|visits?|port\s+calls?|training|"
    r"course|deployment|talks|event|edition|programme|program|mission|festival|"
    r"competition|tattoo|seminar|conference|workshop|delivery|sale|patrols?|operation|trip|"
    r"tour|meeting|games|iteration|activities)\b",
    re.IGNORECASE,
)
_CANCEL = re.compile(
    r"\b(?:cancel(?:l?ed|s|ling|lation)?|call(?:ed|ing)?\s+off|postpon(?:ed|es|ing|ement)|"
    r"suspend(?:ed|s|ing)?|suspension|scrap(?:ped|s)?|shelved|halted|put\s+on\s+hold|"
    r"(?:will|would)\s+not\s+(?:take\s+place|be\s+held|go\s+ahead|proceed)|"
    r"indefinitely\s+delayed)\b",
    re.IGNORECASE,
)
_EARLIER = re.compile(
    r"\b(?:last\s+year|in\s+(?:19|20)\d\d|previous(?:ly)?|earlier\s+edition|had\s+been|"
    r"after\s+(?:being|it\s+was|a\s+\w+-year)|since|years?\s+ago|was\s+last\s+held)\b",
    re.IGNORECASE,
)
_RESUMED = re.compile(
    r"\b(?:resum(?:e|ed|es|ing|ption)|restart(?:ed|s)?|return(?:s|ed)?\s+after|"
    r"first\s+time\s+(?:since|in)|revived|reinstated|back\s+after)\b",
    re.IGNORECASE,
)


def _first_sentences(text: str, count: int) -> list[tuple[int, int]]:
    """The spans of the first ``count`` sentences after the dateline."""
    return sentences(text, dateline_end(text))[:count]


_OPINION = re.compile(
    r"^\s*(?:opinion|commentary|analysis|editorial|op-ed|viewpoint|perspective)\s*[:|—-]"
    r"|\b(?:the\s+author\s+(?:argues|writes|says)|op-ed|opinion\s+piece|this\s+column)\b",
    re.IGNORECASE,
)


def opinion(text: str) -> Finding | None:
    """An opinion piece or commentary ("Opinion: ...", "the author argues"), if it is one.

    It argues about cooperation; it reports none.
    """
    match = _OPINION.search(text)
    if match is None:
        return None
    return Finding(None, OPINION, match.span(), 0.85)


def cancellation(text: str, programmes: Sequence[tuple[int, int]] = ()) -> Finding | None:
    """The cancellation of the passage's event, if it reports one.

    Args:
        text: The passage.
        programmes: Spans of the programmes it names: a sentence naming one speaks of an event
            ("have cancelled Balikatan 2020").

    Returns:
        A finding with reason :data:`CANCELLED` and the cancelling words, or None.
    """
    if _RESUMED.search(text):
        return None
    for lo, hi in _first_sentences(text, 2):
        words = text[lo:hi]
        cancel = _CANCEL.search(words)
        named = any(lo <= start < hi for start, _ in programmes)
        if cancel is None or not (named or _EVENT.search(words)) or _EARLIER.search(words):
            continue
        return Finding(None, CANCELLED, (lo + cancel.start(), lo + cancel.end()), 0.85)
    return None


_PORT_WORDS = re.compile(
    r"\bport\s+(?:call|visit)s?\b|\bport\s+of\s+call\b|\bmoor(?:ed|s|ing)\b|"
    r"\bberth(?:ed|s|ing)\b|\bdock(?:ed|s|ing)\s+(?:at|in)\b|\bpull(?:ed|s)\s+into\b|"
    r"\bmade\s+a\s+(?:port\s+)?(?:call|stop)\b|\barriv(?:ed|es|al)\s+(?:in|at)\b.{0,40}"
    r"\b(?:port|harbou?r|naval\s+base|pier)\b",
    re.IGNORECASE,
)
_HOMEPORT = re.compile(
    r"\bhome\s*port\b|\b(?:returned|sailed\s+back|came\s+home)\s+(?:to|into|home)\b",
    re.IGNORECASE,
)
_RELIEF_WORDS = re.compile(
    r"\b(?:relief|disaster|humanitarian|typhoon|earthquake|flood(?:s|ing)?|cyclone|hurricane|"
    r"wildfires?|bushfires?|evacuat\w+|rescue\w*|victims|storm|landslides?|tsunami|aid)\b",
    re.IGNORECASE,
)
_SERVICES_WORDS = re.compile(
    r"\bjoint(?:ly)?\b|\b(?:inter-?service|tri-?service|combined\s+arms|its\s+own|"
    r"all\s+(?:three|four|five)\s+services|across\s+the\s+services)\b",
    re.IGNORECASE,
)
_SERVICE = re.compile(
    r"\b(?:army|navy|air\s+force|marine\s+corps|marines|coast\s+guard|space\s+force|"
    r"rocket\s+force)\b",
    re.IGNORECASE,
)


def _services_named(text: str) -> int:
    """How many different services the passage names (army, navy, air force...)."""
    return len({" ".join(m.group(0).lower().split()) for m in _SERVICE.finditer(text)})


def one_nation_reason(text: str, nations: int, port_abroad: bool) -> str:
    """Why a passage with at most one party describes no engagement.

    Args:
        text: The passage.
        nations: How many parties it names (0 or 1).
        port_abroad: Whether a port it names lies in another nation than the party.
    """
    if nations == 0:
        return NO_NATION
    if (_PORT_WORDS.search(text) or _HOMEPORT.search(text)) and not port_abroad:
        return OWN_PORT
    if _RELIEF_WORDS.search(text):
        return OWN_RELIEF
    if _SERVICES_WORDS.search(text) or _services_named(text) >= 3:
        return OWN_SERVICES
    return ONE_NATION


_ALLIANCE = re.compile(
    r"\b(?:join(?:ed|s|ing)?\s+(?:the\s+)?(?:NATO|North\s+Atlantic\s+Treaty\s+Organi[sz]ation|"
    r"(?:military|defen[cs]e)\s+alliance)|instruments?\s+of\s+accession|accession\s+(?:to|"
    r"protocols?)\b|becam?e?\s+(?:NATO['’]s\s+\d+\w*|a\s+(?:full\s+)?member\s+of\s+NATO|"
    r"the\s+\w+\s+member\s+of\s+NATO)|(?:formed|forged|forming)\s+an?\s+(?:military\s+|"
    r"defen[cs]e\s+)?alliance)",
    re.IGNORECASE,
)
_PLEDGE = re.compile(
    r"\b(?:mutual\s+defen[cs]e|each\s+other['’]s\s+(?:aid|defen[cs]e)|armed\s+attack|"
    r"security\s+guarantees|collective\s+defen[cs]e|aggression\s+against\s+(?:either|both|one|"
    r"any)|attack\s+on\s+(?:one|any|either)|(?:commits?|pledg\w+|oblig\w+|promis\w+)\s+"
    r"(?:\w+\s+){0,3}?to\s+(?:defend|provide\s+(?:immediate\s+)?military\s+assistance|come\s+to))",
    re.IGNORECASE,
)
_SIGN = r"(?:sign(?:ed|s|ing)?|ink(?:ed|s)?|conclud(?:ed|es)|seal(?:ed|s)?|ratif(?:ied|ies|y))"
_DOCUMENT = (
    r"(?:memorandum\s+of\s+understanding|memoranda\s+of\s+understanding|MoUs?|MOUs?|"
    r"agreements?|accords?|treat(?:y|ies)|pacts?|arrangements?|letters?\s+of\s+intent|"
    r"declarations?\s+of\s+intent|implementing\s+arrangements?|protocols?|frameworks?\s+for|"
    r"roadmaps?\s+for)"
)
_AGREEMENT = re.compile(
    rf"\b{_SIGN}\b[^.]{{0,90}}?\b{_DOCUMENT}\b|\b{_DOCUMENT}\b[^.]{{0,60}}?\b(?:was|were|"
    rf"has\s+been|have\s+been|being)\s+{_SIGN}\b",
    re.IGNORECASE,
)
_TREATY = re.compile(rf"\b{_SIGN}\b|\b(?:treat(?:y|ies)|pacts?)\b", re.IGNORECASE)
_SIGNED_BEFORE = re.compile(
    r"\b(?:signed|inked|concluded)\s+(?:in|last|earlier|back\s+in)\s+(?:\w+\s+)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|year|month|week|(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_RESEARCH = re.compile(
    r"\b(?:co-?develop\w*|jointly\s+(?:develop|design|build|research)\w*|research|prototypes?|"
    r"flight[-\s]tests?)\b",
    re.IGNORECASE,
)
_EXERCISE_WORDS = re.compile(
    r"\b(?:exercises?|drills?|war\s*games?|manoeuvres|maneuvers)\b", re.IGNORECASE
)
_PORT_STRONG = re.compile(
    r"\bport\s+(?:call|visit)s?\b|\bgoodwill\s+(?:port\s+)?visit\b|\bport\s+of\s+call\b|"
    r"\bmoor(?:ed|s)\b|\bberth(?:ed|s)\b|\bdock(?:ed|s)\s+(?:at|in)\b|\bpull(?:ed|s)\s+into\b",
    re.IGNORECASE,
)


def joins_alliance(text: str) -> bool:
    """Whether the passage tells of joining an alliance ("joined NATO", "accession")."""
    return _ALLIANCE.search(text) is not None


def kind_rule(text: str) -> Finding | None:
    """The kind the words make plain, if any: alliance, agreement or port call."""
    joined = _ALLIANCE.search(text)
    if joined is not None:
        return Finding("alliance", None, joined.span(), 0.9)
    for offset, end in _first_sentences(text, 1):
        opening = text[offset:end]
        signed = _AGREEMENT.search(opening)
        if signed is not None and not _SIGNED_BEFORE.search(opening):
            span = (offset + signed.start(), offset + signed.end())
            if _TREATY.search(opening) and _PLEDGE.search(text):
                return Finding("alliance", None, span, 0.85)
            if not _RESEARCH.search(text):
                return Finding("agreement", None, span, 0.85)
    match = _PORT_STRONG.search(text)
    if match is not None:
        sentence = _sentence_at(text, match.start())
        if not _EXERCISE_WORDS.search(sentence):
            return Finding("port_call", None, match.span(), 0.9)
    return None


def _sentence_at(text: str, position: int) -> str:
    lo, hi = sentence_bounds(text, position)
    return text[lo:hi]
