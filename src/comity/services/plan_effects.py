"""Observed against expected change after an executed plan (the plan's assessment page).

For each pair of the plan's partners, the tie index computed without the plan's own kind (its
weight set to 0, so the engagement the plan became adds nothing) in the years from the plan on,
against what was expected: the pair's own trend over the years before the plan, shifted each
year by how far comparable pairs (pairs of the same nations with others, closest in index the
year before the plan) strayed from their own trends. A description of one plan, not a test:
docs/effects.md says what it can and cannot tell.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from comity.access.viewer import Viewer
from comity.model.plans import PlanState
from comity.services.analytics import compute_dyad_years
from comity.services.effect_outcomes import zero_weights
from comity.services.plans import get_plan
from comity.store import Store

__all__ = ["plan_effect"]

_COMPARABLE = 20
"""At most this many comparable pairs per plan pair."""
_CLOSE = 15.0
"""Comparable pairs are within this many index points of the plan pair the year before."""


def _trend(series: dict[int, float], years: list[int]) -> tuple[float, float]:
    """Intercept and slope of the least-squares line through the pair's index in ``years``."""
    values = [series.get(y, 0.0) for y in years]
    mean_year = sum(years) / len(years)
    mean_value = sum(values) / len(values)
    spread = sum((y - mean_year) ** 2 for y in years)
    slope = (
        sum((y - mean_year) * (v - mean_value) for y, v in zip(years, values, strict=True)) / spread
        if spread
        else 0.0
    )
    return mean_value - slope * mean_year, slope


def _at(line: tuple[float, float], year: int) -> float:
    return line[0] + line[1] * year


def _series_by_pair(table: Any, nations: set[str]) -> dict[tuple[str, str], dict[int, float]]:
    """Every pair with one of ``nations``: its index by year."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.array(sorted(nations), pa.string())
    mine = table.filter(
        pc.or_(
            pc.is_in(table.column("iso3_1"), value_set=keys),
            pc.is_in(table.column("iso3_2"), value_set=keys),
        )
    ).select(["iso3_1", "iso3_2", "year", "index"])
    found: dict[tuple[str, str], dict[int, float]] = {}
    for row in mine.to_pylist():
        if row["index"] is not None:
            pair = (row["iso3_1"], row["iso3_2"])
            found.setdefault(pair, {})[int(row["year"])] = float(row["index"])
    return found


def plan_effect(
    store: Store, viewer: Viewer, plan_id: int, *, pre_years: int = 5, post_years: int = 5
) -> dict[str, Any]:
    """Observed against expected index of the plan's pairs after an executed plan.

    Args:
        store: The store.
        viewer: Whose view (the index is computed from what it may see).
        plan_id: The plan.
        pre_years: Years before the plan the trends are fitted on.
        post_years: Years from the plan on that are compared.

    Returns:
        ``available`` (False with a ``reason`` when the plan is not executed or too recent),
        ``year``, ``outcome`` (in words), ``pairs`` (each with ``pair``, ``comparable`` pairs
        used, ``rows`` of ``year``, ``observed``, ``expected`` and ``difference``, and their
        ``mean_difference``) and ``note``.

    Raises:
        NotFoundError: When the viewer sees no such plan.
    """
    stored = get_plan(store, plan_id, viewer)
    plan = stored.plan
    year, kind = plan.start.year, plan.kind.value
    outcome = f"tie index without {kind.replace('_', ' ')} (its weight set to 0)"
    answer: dict[str, Any] = {"plan_id": plan_id, "year": year, "outcome": outcome}
    if stored.state is not PlanState.EXECUTED:
        reason = (
            f"The plan is {stored.state.value}: the change after it is shown once it is executed."
        )
        return {**answer, "available": False, "reason": reason, "pairs": []}
    result = compute_dyad_years(store, viewer, overrides=zero_weights([kind]))
    last = result.default_year
    if year > last:
        reason = (
            f"Too recent: the plan began in {year}, after {last}, the last year whose ties are "
            f"mostly observed ({result.data_through})."
        )
        return {**answer, "available": False, "reason": reason, "pairs": []}
    nations = set(plan.nations)
    series = _series_by_pair(result.table, nations)
    before = list(range(year - pre_years, year))
    after = list(range(year, min(year + post_years - 1, last) + 1))
    lines = {pair: _trend(values, before) for pair, values in series.items()}
    pairs = []
    for pair in combinations(sorted(nations), 2):
        own = series.get(pair, {})
        start = own.get(year - 1, 0.0)
        others = sorted(
            (
                p
                for p in series
                if len(nations.intersection(p)) == 1
                and abs(series[p].get(year - 1, 0.0) - start) <= _CLOSE
            ),
            key=lambda p: (abs(series[p].get(year - 1, 0.0) - start), p),
        )[:_COMPARABLE]
        line = _trend(own, before)
        rows = []
        for t in after:
            drift = (
                sum(series[p].get(t, 0.0) - _at(lines[p], t) for p in others) / len(others)
                if others
                else 0.0
            )
            expected = max(0.0, min(100.0, _at(line, t) + drift))
            observed = own.get(t, 0.0)
            rows.append(
                {
                    "year": t,
                    "observed": round(observed, 2),
                    "expected": round(expected, 2),
                    "difference": round(observed - expected, 2),
                }
            )
        mean = sum(r["difference"] for r in rows) / len(rows)
        pairs.append(
            {
                "pair": "-".join(pair),
                "comparable": len(others),
                "rows": rows,
                "mean_difference": round(mean, 2),
            }
        )
    note = (
        f"Expected: each pair's trend over {before[0]}-{before[-1]}, shifted each year by how far "
        f"up to {_COMPARABLE} comparable pairs (the same nations with others, within "
        f"{_CLOSE:.0f} points the year before) strayed from theirs. One plan's effect cannot be "
        f"told from noise; read the difference as a description ({result.data_through})."
    )
    return {**answer, "available": True, "reason": None, "pairs": pairs, "note": note}
