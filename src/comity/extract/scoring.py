"""How well drafts match a labelled set: the figures the benchmark and cross-validation report.

The labelled set (``labelled/*.jsonl``, one object per line; see ``labelled/README.md``) gives
each passage its ``label``: ``kind`` (one of :data:`~comity.extract.kinds.CLASSES` but "none", or
null), ``participants`` (keys, the host included), ``observers``, ``start`` and ``end`` (ISO text
at their precision) and more. The figures:

- **kind macro-F1**: F1 per class (the 14 kinds and "none"), averaged over the classes that
  occur in the labels or the drafts;
- **participant F1**: micro F1 over (passage, nation) pairs, among passages labelled as an
  engagement; a draft's participants are its hosts and participants (observers apart);
- **start exact**: the share of labelled starts the draft gives exactly, value and precision;
- **negatives rejected**: the share of passages labelled as no engagement that the draft
  proposes as none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comity.extract.draft import Draft, Passage
from comity.extract.kinds import CLASSES, NONE
from comity.extract.readers import read_passages

__all__ = ["Labelled", "Scores", "read_labelled", "score_drafts"]


@dataclass(frozen=True)
class Labelled:
    """A labelled passage: the passage, and what a person found in it."""

    id: str
    passage: Passage
    kind: str | None
    participants: frozenset[str]
    observers: frozenset[str]
    start: str | None
    end: str | None
    trap: str | None


def read_labelled(path: str | Path) -> list[Labelled]:
    """Read a labelled set (JSON lines), with its passages read as ``comity extract`` reads them.

    Raises:
        ValidationError: When a line is not a passage (see :func:`read_passages`).
    """
    passages = read_passages([str(path)], "jsonl")
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    found = []
    for passage, line in zip(passages, lines, strict=True):
        record: dict[str, Any] = json.loads(line)
        label = record.get("label") or {}
        found.append(
            Labelled(
                id=str(record.get("id", passage.origin)),
                passage=passage,
                kind=label.get("kind"),
                participants=frozenset(label.get("participants") or ()),
                observers=frozenset(label.get("observers") or ()),
                start=label.get("start"),
                end=label.get("end"),
                trap=record.get("trap"),
            )
        )
    return found


@dataclass(frozen=True)
class Scores:
    """The figures of a set of drafts against their labels."""

    kind_macro_f1: float
    kind_f1: dict[str, float]
    participant_precision: float
    participant_recall: float
    participant_f1: float
    start_exact: float
    negatives_rejected: float
    passages: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form, figures rounded to four places."""
        return {
            "passages": self.passages,
            "kind_macro_f1": round(self.kind_macro_f1, 4),
            "participant_precision": round(self.participant_precision, 4),
            "participant_recall": round(self.participant_recall, 4),
            "participant_f1": round(self.participant_f1, 4),
            "start_exact": round(self.start_exact, 4),
            "negatives_rejected": round(self.negatives_rejected, 4),
            "kind_f1": {k: round(v, 4) for k, v in self.kind_f1.items()},
        }


def _f1(hits: int, predicted: int, actual: int) -> tuple[float, float, float]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def score_drafts(labelled: Sequence[Labelled], drafts: Sequence[Draft]) -> Scores:
    """Compare drafts with their labels, passage by passage (same order).

    Args:
        labelled: The labelled passages.
        drafts: One draft per labelled passage, in the same order.
    """
    truth = [item.kind or NONE for item in labelled]
    guess = [draft.kind.value or NONE for draft in drafts]
    kind_f1 = {}
    for name in CLASSES:
        actual = truth.count(name)
        predicted = guess.count(name)
        if actual or predicted:
            hits = sum(t == g == name for t, g in zip(truth, guess, strict=True))
            kind_f1[name] = _f1(hits, predicted, actual)[2]
    pairs_hit = pairs_predicted = pairs_actual = 0
    starts = starts_exact = negatives = rejected = 0
    for item, draft in zip(labelled, drafts, strict=True):
        if item.kind is None:
            negatives += 1
            rejected += not draft.is_engagement
            continue
        found = {p.nation for p in draft.participants if p.role != "observer"}
        pairs_hit += len(found & item.participants)
        pairs_predicted += len(found)
        pairs_actual += len(item.participants)
        if item.start is not None:
            starts += 1
            starts_exact += draft.start.value == item.start
    precision, recall, f1 = _f1(pairs_hit, pairs_predicted, pairs_actual)
    return Scores(
        kind_macro_f1=sum(kind_f1.values()) / len(kind_f1) if kind_f1 else 0.0,
        kind_f1=kind_f1,
        participant_precision=precision,
        participant_recall=recall,
        participant_f1=f1,
        start_exact=starts_exact / starts if starts else 0.0,
        negatives_rejected=rejected / negatives if negatives else 0.0,
        passages=len(labelled),
    )
