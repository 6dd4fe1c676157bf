"""Rank stability on the bundled data: the kinds' stocks are the index's, the lists are sane."""

from __future__ import annotations

import math

import pytest

from comity.access import Viewer
from comity.errors import ValidationError
from comity.services import analytics
from comity.services.robustness import kind_stocks, partner_stability
from comity.store import Store

pytestmark = pytest.mark.full_data


def test_the_kinds_stocks_add_up_to_the_index_of_every_pair_and_year(
    full_store: Store, viewer_public: Viewer
) -> None:
    result = analytics.compute_dyad_years(full_store, viewer_public)
    kappa = result.settings.kappa
    index = {
        (r["iso3_1"], r["iso3_2"], r["year"]): r["index"]
        for r in result.table.select(["iso3_1", "iso3_2", "year", "index"]).to_pylist()
    }
    totals: dict[tuple[str, str, int], float] = {}
    for row in kind_stocks(full_store, viewer_public).to_pylist():
        key = (row["iso3_1"], row["iso3_2"], row["year"])
        totals[key] = totals.get(key, 0.0) + row["stock"]
    assert len(totals) > 100_000
    for key, stock in totals.items():
        assert math.isclose(100 * (1 - math.exp(-stock / kappa)), index[key], abs_tol=1e-6), key
    # Pairs with no stock have an index of 0.
    assert all(value < 1e-6 for key, value in index.items() if key not in totals)


def test_the_closest_allies_of_the_united_states_stay_in_its_top_ten(
    full_store: Store, operator: Viewer
) -> None:
    found, _ = partner_stability(full_store, operator, "USA", year=2010, partners=15)
    assert [s.rank for s in found] == list(range(1, 16))
    chances = {s.partner: s.chance for s in found}
    assert chances["KOR"] == chances["GBR"] == 1.0
    assert all(0.0 <= c <= 1.0 for c in chances.values())
    # A list of ten: the chances of all partners add up to ten in every draw.
    everyone, _ = partner_stability(full_store, operator, "USA", year=2010, partners=500)
    assert math.isclose(sum(s.chance for s in everyone), 10.0)


def test_settings_of_the_draws_out_of_range_are_named(full_store: Store, operator: Viewer) -> None:
    with pytest.raises(ValidationError) as caught:
        partner_stability(full_store, operator, "USA", draws=0, spread=1.5, top=0)
    assert [p.field for p in caught.value.problems] == ["draws", "spread", "top"]
