"""From passages to drafts: one :class:`~comity.extract.draft.Draft` per passage, in input order.

For each passage:

1. **Mentions**: nations, places, programmes and news agencies
   (:mod:`comity.extract.nations_in_text`, read for the publication year, else the year the text
   gives), each nation's mentions read as party, context, agency, observer or host
   (:mod:`comity.extract.mentions`); a nation that was no state in that year is not a party.
2. **Kind**, in this order: the traps of opinion and cancellation (no engagement, saying why:
   ``an opinion piece``, ``cancelled``); the rules
   (:mod:`comity.extract.rules`: alliance, agreement, port call); the model of kinds
   (:mod:`comity.extract.kinds`), whose best kind counts only when its probability against that
   of "none" reaches :data:`THRESHOLD` (below it, no engagement is proposed).
3. **Parties and place**: location, participants with roles and host (:mod:`comity.extract.fields`).
   Then the one-nation traps: with at most one party left (observers aside), no engagement,
   saying why (its own port, its own relief, its own services, one nation only).
4. **Dates** (:mod:`comity.extract.dates_in_text`), **personnel** and **title**.

Confidence: a rule's or trap's own (0.85-0.9); the model's probability for its kind; for each
field, how direct its evidence is (a name 0.9, a place 0.8, an inferred host 0.7...).

:func:`extract_passages` runs in this process or in a pool of processes; the workers are forked
after the word lists, model and date parser are loaded, so that each starts at once.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

from comity.extract import rules
from comity.extract.dates_in_text import find_dates
from comity.extract.draft import Draft, DraftParticipant, Evidence, Passage, Proposed
from comity.extract.fields import read_location, read_parties, read_personnel, read_title
from comity.extract.kinds import NONE, KindModel, load_model, model_text
from comity.extract.mentions import (
    MentionReading,
    dateline_by_agency,
    dateline_end,
    read_mentions,
)
from comity.extract.nations_in_text import (
    NationMention,
    PlaceMention,
    ProgrammeMention,
    default_finder,
)
from comity.extract.periods import choose_period

__all__ = [
    "RULES_VERSION",
    "THRESHOLD",
    "extract_passage",
    "extract_passages",
    "model_input",
    "model_version",
]

RULES_VERSION = "1"
"""The version of the rules, traps and word lists: part of every draft's model version."""
THRESHOLD = 0.3
"""The least probability of the model's best kind against "none" (its probability divided by the
sum of its and that of "none") for a draft to propose it: below, no engagement is proposed."""
_CHUNK = 25
"""Passages a worker takes at a time."""

Progress = Callable[[int], None]
"""Told how many more passages are done."""


@lru_cache(maxsize=1)
def model_version() -> str:
    """The version of the rules and of the shipped model, as drafts record it."""
    model = load_model()
    if model is None:
        return f"rules {RULES_VERSION}"
    return f"rules {RULES_VERSION}; kinds {model.version} ({model.training_digest[:12]})"


def _evidence(text: str, span: tuple[int, int] | None, confidence: float) -> Evidence | None:
    if span is None:
        return None
    return Evidence(span[0], span[1], text[span[0] : span[1]], confidence)


def model_input(passage: Passage) -> str:
    """The text the model of kinds scores for a passage (:func:`~comity.extract.kinds.model_text`).

    The dateline is left out; nations and news agencies are masked.
    """
    finder = default_finder()
    text = passage.text
    year = _passage_year(passage)
    masks = [(m.start, m.end, "xnation") for m in finder.nations(text, year)]
    masks += [(a.start, a.end, "xagency") for a in finder.agencies(text)]
    kinds = [p.kind for p in finder.programmes(text)]
    return model_text(passage.title, text, masks, dateline_end(text), kinds)


def _decide_kind(
    passage: Passage,
    programmes: Sequence[ProgrammeMention],
    model: KindModel | None,
) -> tuple[str | None, Evidence | None, str | None]:
    """The kind (or None), the words it rests on with their confidence, and why when None."""
    text = passage.text
    trap = rules.opinion(text) or rules.cancellation(text, [(p.start, p.end) for p in programmes])
    if trap is not None:
        return None, _evidence(text, trap.span, trap.confidence), trap.reason
    rule = rules.kind_rule(text)
    if rule is not None:
        return rule.kind, _evidence(text, rule.span, rule.confidence), None
    if model is None:
        return None, None, rules.NOT_DESCRIBED
    probabilities = model.probabilities(model_input(passage))
    kinds = {k: p for k, p in probabilities.items() if k != NONE}
    best = max(kinds, key=lambda k: kinds[k])
    against_none = kinds[best] / (kinds[best] + probabilities[NONE])
    if against_none < THRESHOLD:
        return None, None, rules.NOT_DESCRIBED
    span = model.strongest_words(text, best)
    return best, _evidence(text, span, kinds[best]), None


def _passage_year(passage: Passage) -> int | None:
    if passage.published is not None:
        return passage.published.year
    dated = [d for d in find_dates(passage.text) if d.year_given]
    return int(dated[0].first[:4]) if dated else None


def extract_passage(passage: Passage, *, model: KindModel | None = None) -> Draft:
    """Propose a draft engagement from one passage.

    Args:
        passage: The passage.
        model: The model of kinds to use (the shipped one by default).

    Returns:
        The draft: a kind or no engagement (with the reason), and every field with its evidence.
    """
    finder = default_finder()
    text = passage.text
    year = _passage_year(passage)
    mentions = finder.nations(text, year)
    places = finder.places(text, year)
    readings = read_mentions(text, mentions, finder.agencies(text))
    if year is not None:
        readings = [r if finder.exists_in(r.iso3, year) else _not_party(r) for r in readings]
    programmes = finder.programmes(text)
    kind, kind_evidence, reason = _decide_kind(passage, programmes, model or load_model())
    after = dateline_end(text)
    party_mentions = [m for r in readings for m in r.party]
    party_mentions.sort(key=lambda m: m.start)
    dateline = _dateline_place(text, after, mentions, places)
    location, located = read_location(text, places, party_mentions, after, dateline)
    parties = read_parties(text, readings, kind, located, places)
    taking_part = [p for p in parties.participants if p.role != "observer"]
    if reason not in (rules.CANCELLED, rules.OPINION) and len(taking_part) <= 1:
        # One nation can join an alliance ("Finland joined NATO"): the rule saw it join.
        alone = kind == "alliance" and rules.joins_alliance(text)
        if not alone:
            abroad = any(p.iso3 is not None and p.iso3 != _only(taking_part) for p in places)
            reason = rules.one_nation_reason(text, len(taking_part), abroad)
            kind, kind_evidence = None, None
    period = choose_period(text, find_dates(text, passage.published), after)
    start, end = Proposed(None), Proposed(None)
    if period is not None:
        mention, first, last = period
        sure = 0.9 if mention.year_given else 0.7 if mention.relative else 0.75
        evidence = Evidence(mention.start, mention.end, mention.text, sure)
        start, end = Proposed(first, evidence), Proposed(last, evidence if last else None)
    personnel, per_nation = read_personnel(text, party_mentions)
    # With no engagement there is no host: the nations named stay, for the reviewer to see.
    participants = tuple(
        DraftParticipant(
            p.nation,
            "participant" if kind is None and p.role == "host" else p.role,
            per_nation.get(p.nation),
            p.evidence,
        )
        for p in parties.participants
    )
    names = {key: finder.name_of(key) for key in (p.nation for p in participants)}
    title, programme = read_title(
        text,
        kind,
        programmes,
        [p.nation for p in taking_part],
        names,
        start.value,
    )
    return Draft(
        passage=passage,
        kind=Proposed(kind, kind_evidence),
        title=title,
        programme=programme,
        host=parties.host if kind is not None else Proposed(None),
        participants=participants,
        start=start,
        end=end,
        personnel=personnel,
        location=location,
        reasons=(reason,) if reason else (),
        model_version=model_version(),
    )


def _dateline_place(
    text: str,
    after: int,
    mentions: Sequence[NationMention],
    places: Sequence[PlaceMention],
) -> NationMention | PlaceMention | None:
    """The dateline's nation or place ("HOHENFELS, Germany", "MANILA"), unless an agency's."""
    if after == 0 or dateline_by_agency(text):
        return None
    named = [m for m in mentions if m.end <= after]
    if named:
        return named[-1]
    located = [p for p in places if p.end <= after and p.iso3 is not None]
    return located[0] if located else None


def _only(participants: Sequence[DraftParticipant]) -> str | None:
    return participants[0].nation if participants else None


def _not_party(reading: MentionReading) -> MentionReading:
    return MentionReading(reading.iso3, reading.mentions, (), False, None)


def _extract_chunk(passages: Sequence[Passage]) -> list[Draft]:
    return [extract_passage(p) for p in passages]


def _warm() -> None:
    """Load what every passage needs, once, before workers are forked."""
    extract_passage(Passage("Warm-up: on Monday, March 4, 2024, Japan and the US met in Manila."))


def extract_passages(
    passages: Iterable[Passage], *, processes: int = 1, progress: Progress | None = None
) -> list[Draft]:
    """Propose one draft per passage, in input order.

    Args:
        passages: The passages.
        processes: Worker processes to use (1: this process only).
        progress: Told how many more passages are done, as they are.

    Returns:
        The drafts, one per passage, in the passages' order.
    """
    items = list(passages)
    if processes <= 1 or len(items) <= _CHUNK:
        drafts = []
        for passage in items:
            drafts.append(extract_passage(passage))
            if progress is not None:
                progress(1)
        return drafts
    _warm()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    drafts = []
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        for done in pool.map(_extract_chunk, chunks):
            drafts.extend(done)
            if progress is not None:
                progress(len(done))
    return drafts
