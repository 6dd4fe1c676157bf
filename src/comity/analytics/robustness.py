"""How sure a ranking of partners is: rank stability under the uncertainty of the weights.

The weights of the mechanisms (docs/methodology.md, section 1) are judgements. This module asks
how much a nation's list of top partners depends on them: every weight is drawn at random
within ``±spread`` of its value (uniformly, independently, ``draws`` times, one fixed seed), and
for each partner the share of draws in which it is among the nation's ``top`` partners is its
**top-10 chance** (docs/methodology.md, "Robustness").

The index is a rising function of the stock ``S = Σ_k S_k``, and each kind's stock ``S_k`` is
linear in that kind's weight (memory is linear), so a draw ``f`` (one factor per kind) moves the
stock to ``Σ_k f_k · S_k`` and the ranking follows the stocks: no query is run again per draw.
A kind's several weights (an alliance's pledges, a visit's two levels, education's course and
student parts) move together, by the kind's factor; education's yearly cap moves with them.

Exact pruning keeps the pass small: every draw keeps a stock between ``(1 - spread) · S`` and
``(1 + spread) · S``, so a partner whose highest possible stock is below the ``top``-th highest
of the lowest possible ones is outside the top in every draw (its chance is 0 exactly); only the
others are ranked, and ranking them alone gives every one of them its exact rank among the
first ``top``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from comity.analytics.contributions import Inputs, contribution_ctes, number
from comity.analytics.settings import IndexSettings
from comity.analytics.tie_index import KINDS, labelled_from, stock_sql

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SPREAD",
    "DEFAULT_TOP",
    "Stability",
    "draw_factors",
    "kind_stocks_sql",
    "rank_stability",
]

DEFAULT_DRAWS = 500
"""Draws of the weights: the chance's standard error is at most 0.5 / sqrt(500) ≈ 0.022."""
DEFAULT_SPREAD = 0.5
"""Each weight is drawn within ±50 % of its value."""
DEFAULT_TOP = 10
"""The length of the list of top partners whose stability is measured."""
SEED = 20_261_207
"""The draws' seed: the same settings give the same chances, run after run."""


def kind_stocks_sql(
    settings: IndexSettings, horizon: int, inputs: Inputs | None = None, *, first_year: int = 0
) -> str:
    """The query of each pair's stock by kind and year (columns iso3_1, iso3_2, year, kind, stock).

    The stocks add up, kind by kind, to the stock of the index (``index = 100 · (1 − exp(−Σ
    stock / κ))``), with its memory, projections and successions; rows from ``first_year`` on.
    """
    inputs = inputs or Inputs()
    d = number(settings.decay)
    joins, where, a, b = labelled_from("final", inputs)
    return f"""WITH {contribution_ctes(settings, horizon, inputs)}
by_kind AS (
    SELECT n1, n2, kind, year, SUM(v) AS v FROM pkv WHERE v > 0 GROUP BY n1, n2, kind, year
),
spans AS (SELECT n1, n2, kind, MIN(year) AS first_year FROM by_kind GROUP BY n1, n2, kind),
grid AS (
    SELECT n1, n2, kind, UNNEST(GENERATE_SERIES(first_year, {horizon})) AS year FROM spans
),
filled AS (
    SELECT g.n1, g.n2, g.kind, g.year, COALESCE(k.v, 0.0) AS v
    FROM grid g
    LEFT JOIN by_kind k ON k.n1 = g.n1 AND k.n2 = g.n2 AND k.kind = g.kind AND k.year = g.year
),
final AS (
    SELECT n1, n2, kind, year, {stock_sql("v", d, "n1", "n2, kind")} AS stock FROM filled
),
labelled AS (SELECT {a} AS a, {b} AS b, f.year, f.kind, f.stock {joins} {where})
SELECT LEAST(a, b) AS iso3_1, GREATEST(a, b) AS iso3_2, CAST(year AS BIGINT) AS year, kind,
       stock
FROM labelled
WHERE stock > 0 AND year >= {int(first_year)}"""


def draw_factors(
    draws: int = DEFAULT_DRAWS,
    spread: float = DEFAULT_SPREAD,
    kinds: Sequence[str] = KINDS,
    seed: int = SEED,
) -> np.ndarray[Any, Any]:
    """``draws`` rows of one factor per kind, each uniform in ``[1 − spread, 1 + spread]``."""
    import numpy as np

    if not 0 <= spread < 1:
        raise ValueError("the spread is a share of each weight, from 0 up to (not including) 1")
    if draws < 1:
        raise ValueError("at least one draw")
    generator = np.random.default_rng(seed)
    return generator.uniform(1.0 - spread, 1.0 + spread, size=(draws, len(kinds)))


@dataclass(frozen=True)
class Stability:
    """One partner of one nation in one year.

    Attributes:
        nation: The nation whose list it is.
        partner: The partner.
        year: The year.
        rank: Its rank under the weights as set (1 = strongest).
        chance: The share of draws in which it is among the ``top`` partners (0 to 1).
        low: Its best rank but for the 5 % best draws (the 5th percentile of its ranks); None
            when that is beyond the list.
        high: Its worst rank but for the 5 % worst draws (the 95th percentile); None when that
            is beyond the list: it falls out of the list in more than 5 % of draws.
    """

    nation: str
    partner: str
    year: int
    rank: int
    chance: float
    low: int | None
    high: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "nation": self.nation,
            "partner": self.partner,
            "year": self.year,
            "rank": self.rank,
            "top_chance": round(self.chance, 4),
            "rank_low": self.low,
            "rank_high": self.high,
        }


def rank_stability(
    rows: Iterable[tuple[str, str, int, str, float]],
    factors: np.ndarray[Any, Any],
    *,
    kinds: Sequence[str] = KINDS,
    spread: float = DEFAULT_SPREAD,
    top: int = DEFAULT_TOP,
    nations: Iterable[str] | None = None,
    partners: int | None = None,
) -> list[Stability]:
    """The top-``top`` chance of each nation's partners, year by year.

    Args:
        rows: (iso3_1, iso3_2, year, kind, stock), as :func:`kind_stocks_sql` returns them.
        factors: One row per draw, one factor per kind (:func:`draw_factors`), each within
            ``[1 − spread, 1 + spread]``.
        kinds: The kinds of the factors' columns.
        spread: The bound of the factors (for the exact pruning).
        top: The length of the list.
        nations: Only these nations' lists (every nation's when None).
        partners: How many partners of each list to report, strongest first (default ``top``);
            partners outside the top under the weights as set are reported too when asked for.

    Returns:
        One :class:`Stability` per reported partner, by nation, year and rank.
    """
    import numpy as np

    wanted = set(nations) if nations is not None else None
    column = {kind: i for i, kind in enumerate(kinds)}
    pairs: dict[tuple[str, str, int], np.ndarray[Any, Any]] = {}
    for n1, n2, year, kind, stock in rows:
        if wanted is not None and n1 not in wanted and n2 not in wanted:
            continue
        key = (n1, n2, int(year))
        vector = pairs.get(key)
        if vector is None:
            vector = pairs[key] = np.zeros(len(kinds))
        vector[column[kind]] += stock
    lists: dict[tuple[str, int], list[tuple[str, np.ndarray[Any, Any]]]] = {}
    for (n1, n2, year), vector in pairs.items():
        for nation, partner in ((n1, n2), (n2, n1)):
            if wanted is None or nation in wanted:
                lists.setdefault((nation, year), []).append((partner, vector))
    reported = top if partners is None else partners
    found: list[Stability] = []
    for (nation, year), members in sorted(lists.items()):
        found.extend(
            _one_list(nation, year, members, factors, spread=spread, top=top, reported=reported)
        )
    return found


def _one_list(
    nation: str,
    year: int,
    members: list[tuple[str, np.ndarray[Any, Any]]],
    factors: np.ndarray[Any, Any],
    *,
    spread: float,
    top: int,
    reported: int,
) -> list[Stability]:
    import numpy as np

    names = [m[0] for m in members]
    stocks = np.stack([m[1] for m in members])
    totals = stocks.sum(axis=1)
    order = sorted(range(len(names)), key=lambda i: (-totals[i], names[i]))
    # The top-th highest of the lowest possible stocks: no partner whose highest possible stock
    # is below it can enter the list in any draw.
    floor = (1.0 - spread) * totals[order[top - 1]] if len(order) >= top else 0.0
    candidates = [i for i in order if (1.0 + spread) * totals[i] >= floor]
    scores = stocks[candidates] @ factors.T  # candidates x draws
    # A partner's rank in a draw: one more than the number of candidates strictly above it.
    above = (scores[None, :, :] > scores[:, None, :]).sum(axis=1)
    ranks = above + 1
    chances = (ranks <= top).mean(axis=1)
    low = np.percentile(ranks, 5, axis=1, method="lower")
    high = np.percentile(ranks, 95, axis=1, method="higher")
    position = {index: place for place, index in enumerate(candidates)}

    def within(rank: Any) -> int | None:
        # Ranks beyond the list are lower bounds (partners that cannot reach it are not ranked).
        return int(rank) if rank <= top else None

    result = []
    for rank, index in enumerate(order[:reported], start=1):
        place = position.get(index)
        if place is None:
            result.append(Stability(nation, names[index], year, rank, 0.0, None, None))
            continue
        result.append(
            Stability(
                nation,
                names[index],
                year,
                rank,
                float(chances[place]),
                within(low[place]),
                within(high[place]),
            )
        )
    return result
