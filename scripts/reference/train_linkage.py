"""Estimate the linkage model's parameters and write src/comity/linkage/linkage_model.json.

Usage: python scripts/reference/train_linkage.py [--check]

The model is trained on the bundled MME exercises and a perturbed copy of them made with seed 1
(:func:`comity.linkage.synthetic.perturbed_copy`): u probabilities by random sampling, m
probabilities by expectation maximisation (:func:`comity.linkage.model.train_model`). The
benchmark measures the model on a copy made with another seed. The output is written with
sorted keys, so the same inputs give the same bytes; with ``--check`` the script exits 1 when
the shipped model differs from what it would write (up to the rounding of the parameters).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from comity.ingest.exercise_records import bundled_exercises
from comity.linkage.model import MODEL_VERSION, train_model
from comity.linkage.records import record_table
from comity.linkage.synthetic import perturbed_copy

TRAINING_SEED = 1
OUTPUT = Path(__file__).resolve().parents[2] / "src/comity/linkage/linkage_model.json"


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def main() -> int:
    """Train and write (or check) the model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Compare with the shipped model.")
    arguments = parser.parse_args()
    records = bundled_exercises()
    nations = sorted({n for r in records for n in r.nations})
    copies, _ = perturbed_copy(records, nations, seed=TRAINING_SEED, first_id=10_000_000)
    model = _rounded(train_model(record_table(records + copies)))
    assert isinstance(model, dict)
    model.pop("linker_uid", None)  # a random name of the training run
    model["comity_model_version"] = MODEL_VERSION
    text = json.dumps(model, indent=1, sort_keys=True) + "\n"
    if arguments.check:
        same = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print("the shipped model is current" if same else "the shipped model differs")
        return 0 if same else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.name}: {len(records)} records and {len(copies)} copies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
