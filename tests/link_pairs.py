"""Links between hand-made records, stored as linkage stores them, for page and API tests.

Scoring runs Splink (about a second a run); the permission matrices need a fresh link per case,
so :func:`link_records` writes the pair with the score given through the store's own
:func:`comity.store.links.write_scored`, exactly as a linkage run writes what it scored.
"""

from __future__ import annotations

import math
from typing import Any

from comity import services
from comity.access import Viewer
from comity.linkage.model import ScoredPair
from comity.services import links as link_service
from comity.store import Store
from comity.store import links as link_store
from tests.api_world import engagement_record

PRIOR = {"level": "two records at random", "weight": -9.964}
"""The match weight every pair starts from (the shipped model's prior)."""
COMPARED: dict[str, dict[str, Any]] = {
    "dates": {"level": "same day", "weight": 10.322},
    "nations": {"level": "same nations", "weight": 7.603},
    "host": {"level": "not given", "weight": 0.0},
    "programme": {"level": "not given", "weight": 0.0},
    "location": {"level": "different", "weight": -1.863},
}
"""What the comparisons but the title's find for a pair: alike in date and nations, not place."""


def explanation_for(weight: float) -> dict[str, dict[str, Any]]:
    """An explanation adding up to ``weight``: the title's comparison makes up the difference."""
    title = round(weight - PRIOR["weight"] - sum(c["weight"] for c in COMPARED.values()), 3)
    level = "Jaro-Winkler >= 0.8" if title > 0 else "different"
    return {"prior": PRIOR, **COMPARED, "title": {"level": level, "weight": title}}


def pair_link(
    store: Store, author: Viewer, title: str, label: str | None = None
) -> tuple[int, int]:
    """Two fresh records of one exercise by ``author``, the first labelled ``label``; their link.

    Returns:
        The first record's id and the link's id (waiting for review).
    """
    first = engagement_record(title, label)
    second = engagement_record(title.split(" (")[0] + " (press)")
    ids = [services.add_engagement(store, record, author).id for record in (first, second)]
    return ids[0], link_records(store, *ids)


def link_records(
    store: Store,
    first: int,
    second: int,
    probability: float = 0.8,
) -> int:
    """Store the link of two records scored ``probability`` (waiting for review); its id.

    Its explanation adds up to its match weight (:func:`explanation_for`). As a linkage run
    that scores these two records, it drops their other links that no one decided.
    """
    left, right = sorted((first, second))
    weight = math.log2(probability / (1 - probability))
    pair = ScoredPair(left, right, probability, weight, explanation_for(weight))
    operator = Viewer.operator("tests")
    with store.transaction() as connection:
        sources = link_store.sources_of(connection, (left, right))
        source_of = {key: source or "" for key, source in sources.items()}
        link_store.write_scored(connection, [pair], source_of, {left, right})
        found = link_store.read_links(connection, operator, record=left)
    (link,) = [link for link in found if link.right == right]
    return link.id


def linked_records(store: Store, first: int, second: int, decider: Viewer) -> int:
    """A link of two records that ``decider`` (a planner of their nation) accepted; its id."""
    link_id = link_records(store, first, second)
    link_service.accept_link(store, decider, link_id, "the same exercise")
    return link_id
