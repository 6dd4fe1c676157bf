"""Rank stability of a nation's top partners under the uncertainty of the weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comity.analytics.robustness import draw_factors, rank_stability

KINDS = ("exercise", "alliance")


def test_the_chance_is_counted_draw_by_draw_on_a_tiny_case() -> None:
    # AAA's partners: BBB (exercise 3), CCC (alliance 2), DDD (exercise 1, alliance 1).
    rows = [
        ("AAA", "BBB", 2010, "exercise", 3.0),
        ("AAA", "CCC", 2010, "alliance", 2.0),
        ("AAA", "DDD", 2010, "exercise", 1.0),
        ("AAA", "DDD", 2010, "alliance", 1.0),
    ]
    # Three draws of (exercise, alliance): stocks BBB 3e, CCC 2a, DDD e + a.
    factors = np.array([[1.0, 1.0], [0.5, 1.5], [0.6, 1.0]])
    # Draw 1: 3, 2, 2 -> BBB first. Draw 2: 1.5, 3, 2 -> CCC. Draw 3: 1.8, 2, 1.6 -> CCC.
    found = rank_stability(rows, factors, kinds=KINDS, top=1, nations=["AAA"], partners=3)
    chances = {s.partner: s.chance for s in found}
    assert chances == {"BBB": pytest.approx(1 / 3), "CCC": pytest.approx(2 / 3), "DDD": 0.0}
    assert [s.partner for s in found] == ["BBB", "CCC", "DDD"]
    assert [s.rank for s in found] == [1, 2, 3]


def test_a_partner_that_cannot_reach_the_list_has_no_chance_and_no_band() -> None:
    rows = [("AAA", "BBB", 2000, "exercise", 10.0), ("AAA", "CCC", 2000, "exercise", 3.0)]
    # With ±50 %, CCC's stock reaches 4.5 at most, BBB's falls to 5 at least.
    found = rank_stability(
        rows, draw_factors(200, 0.5, KINDS), kinds=KINDS, top=1, partners=2, nations=["AAA"]
    )
    assert [(s.partner, s.chance, s.low, s.high) for s in found] == [
        ("BBB", 1.0, 1, 1),
        ("CCC", 0.0, None, None),
    ]


def test_both_nations_of_a_pair_get_their_list() -> None:
    rows = [("AAA", "BBB", 2000, "exercise", 1.0)]
    found = rank_stability(rows, draw_factors(10, 0.5, KINDS), kinds=KINDS)
    assert {(s.nation, s.partner) for s in found} == {("AAA", "BBB"), ("BBB", "AAA")}
    assert all(s.chance == 1.0 for s in found)


def test_the_draws_stay_within_the_spread_and_repeat_with_the_seed() -> None:
    factors = draw_factors(1000, 0.5, KINDS)
    assert factors.shape == (1000, 2)
    assert factors.min() >= 0.5 and factors.max() <= 1.5
    assert np.array_equal(factors, draw_factors(1000, 0.5, KINDS))
    with pytest.raises(ValueError, match="spread"):
        draw_factors(10, 1.0, KINDS)


_stock = st.floats(0.0, 20.0, allow_nan=False).filter(lambda x: x == 0 or x > 1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_stock, _stock), min_size=1, max_size=25),
    st.integers(1, 6),
    st.floats(0.0, 0.9),
)
def test_pruning_changes_no_chance(stocks, top, spread) -> None:
    rows = []
    for number, (exercise, alliance) in enumerate(stocks):
        partner = f"P{number:02d}"
        rows += [("AAA", partner, 2000, "exercise", exercise)] if exercise else []
        rows += [("AAA", partner, 2000, "alliance", alliance)] if alliance else []
    factors = draw_factors(40, spread, KINDS, seed=7)
    found = rank_stability(
        rows, factors, kinds=KINDS, top=top, spread=spread, nations=["AAA"], partners=len(stocks)
    )
    # By brute force: rank every partner in every draw.
    names = sorted({r[1] for r in rows})
    matrix = np.zeros((len(names), 2))
    for _, partner, _, kind, stock in rows:
        matrix[names.index(partner), KINDS.index(kind)] += stock
    scores = matrix @ factors.T
    above = (scores[None, :, :] > scores[:, None, :]).sum(axis=1)
    expected = dict(zip(names, (above < top).mean(axis=1), strict=True))
    for stability in found:
        assert math.isclose(stability.chance, expected[stability.partner]), stability
