"""A labelled second source: a perturbed copy of real records, with the truth of which is which.

Each record is copied as an independent coder might have recorded the same event, with a fixed
seed: its date shifted (40 %: by 1-3 days in 60 % of those, 4-10 days in 25 %, up to a month in
15 %), or known only to the month (25 %) or the year (10 %); a nation dropped (20 %, when
three or more take part) or added (15 %); the title missing (20 %) or spelled differently
(20 %); the programme (20 %), the place (30 %) or the host (10 %) missing. 10 % of the records
are not copied, and 10 % more copies are events of their own (another set of nations, another
title). The copies are the source ``second``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from comity.linkage.records import LinkRecord

__all__ = ["SECOND", "perturbed_copy"]

SECOND = "second"
"""The source name of the copies."""


def _misspelt(rng: random.Random, text: str) -> str:
    letters = list(text)
    if len(letters) < 4:
        return text + " " + text[:1]
    at = rng.randrange(1, len(letters) - 1)
    choice = rng.random()
    if choice < 0.4:
        letters[at], letters[at + 1] = letters[at + 1], letters[at]
    elif choice < 0.7:
        del letters[at]
    else:
        return text.upper() if rng.random() < 0.5 else f"Exercise {text}"
    return "".join(letters)


def perturbed_copy(
    records: Sequence[LinkRecord], nations: Sequence[str], *, seed: int, first_id: int
) -> tuple[list[LinkRecord], set[tuple[int, int]]]:
    """The copies and the true pairs (original id, copy id).

    Args:
        records: The records to copy.
        nations: The nations a copy may add (or an event of its own may have).
        seed: The random seed.
        first_id: The id of the first copy (the rest follow).
    """
    rng = random.Random(seed)
    copies: list[LinkRecord] = []
    truth: set[tuple[int, int]] = set()
    next_id = first_id
    for record in records:
        if rng.random() < 0.10:
            continue
        copy = replace(record, id=next_id, source=SECOND, within=False)
        next_id += 1
        day = record.day
        if day is not None and rng.random() < 0.40:
            draw = rng.random()
            reach = 3 if draw < 0.60 else 10 if draw < 0.85 else 30
            day = day + timedelta(days=rng.choice((-1, 1)) * rng.randint(1, reach))
            copy = replace(copy, day=day, year=day.year, month=day.strftime("%Y-%m"))
        draw = rng.random()
        if draw < 0.10:
            copy = replace(copy, day=None, month=None)
        elif draw < 0.35:
            copy = replace(copy, day=None)
        members = list(copy.nations)
        if len(members) >= 3 and rng.random() < 0.20:
            members.remove(rng.choice([m for m in members if m != copy.host] or members))
        if rng.random() < 0.15:
            members.append(rng.choice(nations))
        copy = replace(copy, nations=tuple(members))
        draw = rng.random()
        if draw < 0.20 or copy.title is None:
            copy = replace(copy, title=None)
        elif draw < 0.40:
            copy = replace(copy, title=_misspelt(rng, copy.title))
        if rng.random() < 0.20:
            copy = replace(copy, programme=None)
        if rng.random() < 0.30:
            copy = replace(copy, location=None)
        if rng.random() < 0.10:
            copy = replace(copy, host=None)
        copies.append(copy)
        truth.add((record.id, copy.id))
    for _ in range(len(records) // 10):
        model = rng.choice(records)
        size = max(2, len(model.nations))
        others = tuple(rng.sample(list(nations), min(size, len(nations))))
        copies.append(
            replace(
                model,
                id=next_id,
                source=SECOND,
                within=False,
                nations=others,
                host=others[0],
                title=f"Drill {next_id}",
                programme=None,
                location=None,
            )
        )
        next_id += 1
    return copies, truth
