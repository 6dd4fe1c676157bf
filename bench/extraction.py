"""From text to records: how well ``comity extract`` reads the evaluation passages, and how fast.

The evaluation part of the labelled set, ``src/comity/extract/labelled/eval.jsonl`` (see its
README: passages written for the set, different events and wording from the training part), is
read here and nowhere else: the model of kinds is trained on ``train.jsonl`` only, and the rules
and thresholds were set on it by cross-validation. In one run:

(a) quality, with :func:`comity.extract.scoring.score_drafts`: ``kind_macro_f1`` (F1 per class
    over the 14 kinds and "none", averaged over the classes present; target >= 0.85),
    ``participant_f1`` (micro F1 over (passage, nation) pairs among the passages labelled as an
    engagement, observers apart; >= 0.90), ``start_exact`` (share of labelled starts given
    exactly, value and precision; >= 0.80), ``negatives_rejected`` (share of the passages
    labelled as no engagement proposed as none; >= 0.90), with participant precision and recall
    and each class's F1 for information;
(b) throughput: the evaluation passages repeated to at least 2,000, read by
    :func:`comity.extract.pipeline.extract_passages` with 2 processes, timed from the first
    passage to the last draft (the start of the command and its reading of files aside):
    ``passages_per_minute`` (>= 1,000). The repeats meet the caches of date expressions a
    process keeps, as a feed of similar releases would; ``cold_passages_per_minute`` is one
    pass over the distinct passages in this process, caches empty but for the first passage's
    loading of word lists, model and date parser (for information).

Run alone with ``python -m bench extraction``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Run, check, report

if TYPE_CHECKING:
    from comity.extract.draft import Passage

EVAL = Path(__file__).resolve().parents[1] / "src/comity/extract/labelled/eval.jsonl"
TARGETS = {
    "kind_macro_f1": ">= 0.85",
    "participant_f1": ">= 0.90",
    "start_exact": ">= 0.80",
    "negatives_rejected": ">= 0.90",
    "passages_per_minute": ">= 1000",
}
REPEATED = 2000
PROCESSES = 2


def quality() -> tuple[list[Run], list[Passage]]:
    """(a): the drafts of the evaluation passages against their labels."""
    from comity.extract.pipeline import extract_passages
    from comity.extract.scoring import read_labelled, score_drafts

    labelled = read_labelled(EVAL)
    passages = [item.passage for item in labelled]
    start = time.perf_counter()
    drafts = extract_passages(passages)
    cold = len(passages) / (time.perf_counter() - start) * 60
    scores = score_drafts(labelled, drafts)
    runs = [Run("extraction", "passages", scores.passages, "info", True)]
    for metric in ("kind_macro_f1", "participant_f1", "start_exact", "negatives_rejected"):
        value = round(getattr(scores, metric), 4)
        runs.append(
            Run("extraction", metric, value, TARGETS[metric], check(value, TARGETS[metric]))
        )
    for metric in ("participant_precision", "participant_recall"):
        runs.append(Run("extraction", metric, round(getattr(scores, metric), 4), "info", True))
    for kind, f1 in scores.kind_f1.items():
        runs.append(Run("extraction", f"f1_{kind}", round(f1, 4), "info", True))
    runs.append(Run("extraction", "cold_passages_per_minute", round(cold), "info", True))
    return runs, passages


def throughput(passages: list[Passage]) -> list[Run]:
    """(b): the passages repeated to at least 2,000, read by 2 processes."""
    from comity.extract.pipeline import extract_passages

    repeats = -(-REPEATED // len(passages))
    items = (passages * repeats)[: max(REPEATED, len(passages))]
    start = time.perf_counter()
    drafts = extract_passages(items, processes=PROCESSES)
    seconds = time.perf_counter() - start
    assert len(drafts) == len(items)
    rate = round(len(items) / seconds * 60)
    target = TARGETS["passages_per_minute"]
    return [
        Run("extraction", "throughput_passages", len(items), "info", True),
        Run("extraction", "throughput_s", round(seconds, 2), "info", True),
        Run("extraction", "passages_per_minute", rate, target, check(rate, target)),
    ]


def main() -> None:
    runs, passages = quality()
    runs += throughput(passages)
    report(runs)


if __name__ == "__main__":
    main()
