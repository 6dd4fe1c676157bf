"""Train the model of kinds on the labelled set and write ``kinds_model.json``.

Usage::

    python -m comity.extract.train                   # train on labelled/train.jsonl, write it
    python -m comity.extract.train --cross-validate  # also print the pipeline's 5-fold figures

The vectoriser is scikit-learn's ``TfidfVectorizer`` (word 1-2 grams, sublinear tf, its default
tokens) and the classifier a multinomial ``LogisticRegression`` with balanced class weights; both
are exported to plain JSON (:class:`~comity.extract.kinds.KindModel`), so that running the
extractor needs neither scikit-learn nor a pickle. The text is
:func:`~comity.extract.pipeline.model_input`: the dateline left out, nations and agencies masked,
as at run time. The file records the
SHA-256 of the labelled file it was trained on.

Cross-validation trains on four fifths of the labelled set and runs the whole pipeline (traps,
rules, model, threshold) on the fifth left out, five times (stratified by kind, fixed seed), and
prints the figures of :mod:`comity.extract.scoring`. Only the training part of the labelled set is
read here: the evaluation part is the benchmark's (``bench/extraction.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from comity.extract.draft import Draft
from comity.extract.kinds import CLASSES, NONE, KindModel, model_path
from comity.extract.scoring import Labelled, Scores, read_labelled, score_drafts

__all__ = ["MODEL_VERSION", "cross_validate", "main", "train_model"]

MODEL_VERSION = "1"
"""The version of the model's recipe (features, vectoriser, classifier): raised when it changes."""
C = 3.0
"""The inverse regularisation strength of the logistic regression."""
SEED = 20261207


def default_labelled() -> Path:
    """The training part of the labelled set, beside the package."""
    return Path(__file__).resolve().parent / "labelled" / "train.jsonl"


def _texts(items: Sequence[Labelled]) -> list[str]:
    from comity.extract.pipeline import model_input

    return [model_input(item.passage) for item in items]


def train_model(items: Sequence[Labelled], digest: str = "", c: float = C) -> KindModel:
    """Fit the vectoriser and classifier on labelled passages and export them.

    Args:
        items: The labelled passages.
        digest: SHA-256 of the labelled file, recorded in the model.
        c: Inverse regularisation strength.
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
    features = vectoriser.fit_transform(_texts(items))
    labels = [item.kind or NONE for item in items]
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    classifier.fit(features, labels)
    classes = [str(k) for k in classifier.classes_]
    rows = {name: i for i, name in enumerate(classes)}
    coefficients = np.zeros((len(CLASSES), features.shape[1]))
    intercepts = np.full(len(CLASSES), -1e3)
    for position, name in enumerate(CLASSES):
        if name in rows:
            coefficients[position] = classifier.coef_[rows[name]]
            intercepts[position] = classifier.intercept_[rows[name]]
    return KindModel(
        vocabulary={str(k): int(v) for k, v in vectoriser.vocabulary_.items()},
        idf=np.asarray(vectoriser.idf_, dtype=np.float64),
        coefficients=coefficients,
        intercepts=intercepts,
        classes=CLASSES,
        version=MODEL_VERSION,
        training_digest=digest,
    )


def _folds(items: Sequence[Labelled], folds: int) -> list[list[int]]:
    """Indices of each fold, stratified by kind, shuffled with a fixed seed."""
    import random

    by_kind: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_kind.setdefault(item.kind or NONE, []).append(index)
    shuffle = random.Random(SEED)
    chosen: list[list[int]] = [[] for _ in range(folds)]
    turn = 0
    for kind in sorted(by_kind):
        indices = by_kind[kind]
        shuffle.shuffle(indices)
        for index in indices:
            chosen[turn % folds].append(index)
            turn += 1
    return chosen


def cross_validate(items: Sequence[Labelled], folds: int = 5, c: float = C) -> Scores:
    """The whole pipeline's figures on each held-out fold, pooled.

    Args:
        items: The labelled passages (the training part only).
        folds: How many folds.
        c: Inverse regularisation strength of each fold's model.
    """
    from comity.extract.pipeline import extract_passage

    drafts: list[Draft | None] = [None] * len(items)
    for held_out in _folds(items, folds):
        kept = set(held_out)
        model = train_model([item for i, item in enumerate(items) if i not in kept], c=c)
        for index in held_out:
            drafts[index] = extract_passage(items[index].passage, model=model)
    return score_drafts(items, [d for d in drafts if d is not None])


def main(argv: Sequence[str] | None = None) -> int:
    """Train and write the model; with ``--cross-validate``, print the pipeline's figures first."""
    parser = argparse.ArgumentParser(prog="python -m comity.extract.train", description=__doc__)
    parser.add_argument("--labelled", type=Path, default=default_labelled())
    parser.add_argument("--output", type=Path, default=model_path())
    parser.add_argument("--cross-validate", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=C)
    options = parser.parse_args(argv)
    data = options.labelled.read_bytes()
    items = read_labelled(options.labelled)
    if options.cross_validate:
        scores = cross_validate(items, options.folds, options.c)
        print(json.dumps(scores.to_dict(), indent=2))
    model = train_model(items, hashlib.sha256(data).hexdigest(), options.c)
    options.output.write_text(json.dumps(model.to_dict()) + "\n", encoding="utf-8")
    print(
        f"Wrote {options.output.name}: {len(model.vocabulary):,} n-grams, {len(items)} passages, "
        f"training digest {model.training_digest[:12]}.",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
