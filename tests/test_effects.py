"""Effect estimates on simulated panels: planted effects found, none found where none was planted.

Every panel is drawn with a fixed seed. The stacked difference-in-differences
(:mod:`comity.analytics.stacked_did`) must recover a planted effect within its interval, cover 0
at its stated rate over null panels, and stay unbiased under staggered timing where the naive
two-way fixed-effects regression is not; the synthetic control
(:mod:`comity.analytics.synthetic_control`) must recover a planted effect on one pair; both must
say when the data cannot answer, with the reason.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from comity.analytics.effects import PANEL_COLUMNS, EffectResult, cannot_answer, verdict_of
from comity.analytics.stacked_did import create_stacked_panel, estimate_did
from comity.analytics.synthetic_control import estimate_synth

Effect = Callable[[int], float]
"""The effect in a year relative to the treatment (0: the first treated year)."""


def panel_of(
    rng: np.random.Generator,
    groups: Sequence[tuple[float, int]],
    years: Sequence[int],
    effect: Effect = lambda e: 0.0,
    *,
    trend: float = 0.1,
    noise: float = 1.0,
    treated_trend: float = 0.0,
) -> pd.DataFrame:
    """Pairs in groups of (first treated year or NaN, how many), each with its own level.

    The outcome is the pair's level, a common trend, noise, the effect from the treatment on,
    and ``treated_trend`` a year more for treated pairs (a violation of parallel trends).
    """
    rows = []
    unit = 0
    for first, count in groups:
        for _ in range(count):
            level = rng.normal()
            for year in years:
                value = level + trend * (year - years[0]) + noise * rng.normal()
                if not math.isnan(first):
                    value += treated_trend * (year - years[0])
                    if year >= first:
                        value += effect(int(year - first))
                rows.append((f"USA-P{unit:03d}", year, value, first))
            unit += 1
    return pd.DataFrame(rows, columns=list(PANEL_COLUMNS))


NEVER = math.nan
YEARS = list(range(2000, 2013))
STAGGERED = [(2004.0, 8), (2006.0, 8), (2008.0, 8), (NEVER, 24)]


def did(panel: pd.DataFrame, **options: Any) -> EffectResult:
    return estimate_did(panel, treatment="training", outcome="exercises", **options)


def test_a_planted_effect_is_recovered_within_its_interval() -> None:
    panel = panel_of(np.random.default_rng(1), STAGGERED, YEARS, lambda e: 2.0)
    result = did(panel)
    assert result.answerable, result.reason
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= 2.0 <= result.ci_high
    assert result.ci_low > 0
    assert (result.n_treated, result.n_comparison) == (24, 24)
    assert result.pre_trend is not None and result.pre_trend.passed
    assert result.verdict.startswith("After training, the exercises rose by ")


def test_the_event_study_shows_an_effect_that_grows() -> None:
    panel = panel_of(np.random.default_rng(2), STAGGERED, YEARS, lambda e: 1.0 + e, noise=0.3)
    result = did(panel)
    by_year = {e.relative_year: e for e in result.event_study}
    assert -1 not in by_year  # the reference year
    assert sorted(by_year) == [-4, -3, -2, 0, 1, 2, 3, 4]
    for year in range(5):
        assert by_year[year].ci_low <= 1.0 + year <= by_year[year].ci_high
    for year in (-4, -3, -2):
        assert by_year[year].ci_low <= 0.0 <= by_year[year].ci_high


def test_no_effect_is_found_where_none_was_planted_at_the_stated_rate() -> None:
    rng = np.random.default_rng(20261207)
    covered = answered = 0
    for _ in range(200):
        panel = panel_of(rng, [(2004.0, 6), (2007.0, 6), (NEVER, 16)], YEARS)
        result = did(panel, with_twfe=False)
        if result.answerable:
            assert result.ci_low is not None and result.ci_high is not None
            answered += 1
            covered += result.ci_low <= 0.0 <= result.ci_high
    # The pre-trend test refuses about one panel in twenty; the rest must cover 0 about 95 %.
    assert answered >= 175
    assert 0.90 <= covered / answered <= 0.99


def test_staggered_timing_biases_the_naive_regression_but_not_the_stacked_one() -> None:
    # Effects that grow with time since treatment, early-treated pairs used by the naive
    # regression as comparisons for the late ones: its estimate falls below every year's true
    # effect within the window (1 to 5, mean 3).
    groups = [(2002.0, 30), (2010.0, 30), (NEVER, 8)]
    panel = panel_of(
        np.random.default_rng(3), groups, list(range(1996, 2016)), lambda e: 1.0 + e, noise=0.3
    )
    result = did(panel)
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= 3.0 <= result.ci_high
    naive = result.diagnostics["naive_twfe"]
    assert naive["ci_high"] < 3.0
    assert naive["estimate"] < result.ci_low


def test_comparison_pairs_are_never_treated_or_not_treated_before_the_window_ends() -> None:
    panel = panel_of(np.random.default_rng(4), [(2004.0, 2), (2007.0, 2), (2012.0, 2)], YEARS)
    stacked = create_stacked_panel(panel, pre_years=2, post_years=2, min_pre_years=2)
    cohorts = {c["year"]: c for c in stacked.cohorts}
    # 2004's window ends in 2006: the 2007 and 2012 pairs are clean; 2007's ends in 2009: only
    # the 2012 pairs; 2012's has no clean comparison at all.
    assert cohorts[2004]["comparison"] == 4
    assert cohorts[2007]["comparison"] == 2
    assert 2012 not in cohorts
    data = stacked.data
    assert set(data.loc[data["stack"] == 2007, "year"]) == {2005, 2006, 2007, 2008, 2009}


def test_comparison_pairs_of_each_cohort_weigh_its_share_of_the_treated() -> None:
    panel = panel_of(np.random.default_rng(5), [(2004.0, 6), (2008.0, 2), (NEVER, 4)], YEARS)
    stacked = create_stacked_panel(panel, pre_years=3, post_years=3, min_pre_years=2)
    data = stacked.data
    weights = data[data["treated"] == 0].groupby("stack")["weight"].first()
    # 2004 is compared with the 4 never treated and the 2 treated from 2008 (after its window),
    # 2008 with the 4 never treated: N^D = 8, N^C = 10, (6/8)/(6/10) and (2/8)/(4/10).
    assert weights.to_dict() == pytest.approx({2004: 1.25, 2008: 0.625})
    assert set(data.loc[data["treated"] == 1, "weight"]) == {1.0}


@pytest.mark.parametrize(
    ("groups", "options", "reason"),
    [
        pytest.param(
            [(2006.0, 3), (NEVER, 20)],
            {},
            "too few treated pairs: 3 with years before and after the treatment (at least 5 "
            "needed).",
            id="too few treated",
        ),
        pytest.param(
            [(2006.0, 10), (NEVER, 3)],
            {},
            "too few comparison pairs: 3 never or not yet treated (at least 5 needed).",
            id="too few comparison",
        ),
        pytest.param(
            [(2001.0, 10), (NEVER, 10)],
            {},
            "too few treated pairs: 0 with years before and after the treatment (at least 5 "
            "needed); 10 had fewer than 2 years before it.",
            id="too few years before",
        ),
    ],
)
def test_the_data_cannot_answer_with_too_few_pairs_or_years(
    groups: list[tuple[float, int]], options: dict[str, Any], reason: str
) -> None:
    result = did(panel_of(np.random.default_rng(6), groups, YEARS, lambda e: 5.0), **options)
    assert not result.answerable
    assert result.reason == reason
    assert result.estimate is None and result.ci_low is None
    assert result.verdict == f"The data cannot answer: {reason}"


def test_the_data_cannot_answer_when_trends_already_differed_before() -> None:
    panel = panel_of(
        np.random.default_rng(7), STAGGERED, YEARS, lambda e: 1.0, noise=0.3, treated_trend=0.5
    )
    result = did(panel)
    assert not result.answerable
    assert result.pre_trend is not None and not result.pre_trend.passed
    assert result.reason is not None
    assert result.reason.startswith(
        "the treated and comparison pairs already moved apart before the treatment (joint test "
        "of the years before: p = "
    )
    assert result.event_study  # still shown, so the divergence can be seen


def test_an_outcome_that_never_changes_cannot_answer() -> None:
    panel = panel_of(np.random.default_rng(8), STAGGERED, YEARS)
    panel["outcome"] = 0.0
    result = did(panel, outcome_label="agreements entered")
    assert result.reason == (
        "the outcome (agreements entered) is 0 in every pair and year used: there is nothing to "
        "compare."
    )


def _synthetic_world(effect: float, *, donors: int = 30, outside: bool = False) -> pd.DataFrame:
    """Pairs driven by two common factors; the treated one a mix of them, treated in 2005."""
    rng = np.random.default_rng(9)
    years = list(range(1995, 2011))
    f1 = np.cumsum(rng.normal(size=len(years)))
    f2 = np.sin(np.arange(len(years)))
    rows = []
    for d in range(donors):
        l1, l2, level = rng.uniform(0.5, 2), rng.uniform(-1, 1), rng.uniform(5, 15)
        for i, year in enumerate(years):
            rows.append((f"USA-D{d:02d}", year, level + l1 * f1[i] + l2 * f2[i], NEVER))
    base = 100.0 if outside else 10.0  # far above every comparison pair: no mix tracks it
    for i, year in enumerate(years):
        value = base + 1.2 * f1[i] + 0.3 * f2[i] + 0.2 * rng.normal()
        rows.append(("USA-PHL", year, value + (effect if year >= 2005 else 0.0), 2005.0))
    return pd.DataFrame(rows, columns=list(PANEL_COLUMNS))


def synth(panel: pd.DataFrame, **options: Any) -> EffectResult:
    return estimate_synth(panel, "USA-PHL", treatment="IMET", outcome="the index", **options)


def test_the_synthetic_control_recovers_an_effect_planted_on_one_pair() -> None:
    result = synth(_synthetic_world(3.0))
    assert result.answerable, result.reason
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= 3.0 <= result.ci_high
    assert result.p_value is not None and result.p_value <= 0.05
    assert (result.n_treated, result.n_comparison) == (1, 30)
    assert result.diagnostics["relative_pre_rmspe"] < 0.05
    assert result.diagnostics["treatment_year"] == 2005


def test_the_synthetic_control_finds_nothing_where_nothing_was_planted() -> None:
    result = synth(_synthetic_world(0.0))
    assert result.answerable, result.reason
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= 0.0 <= result.ci_high
    assert result.p_value is not None and result.p_value > 0.05


@pytest.mark.parametrize(
    ("world", "options", "reason"),
    [
        pytest.param(
            {"donors": 12},
            {},
            "too few comparison pairs: 12 never or not yet treated whose outcome is observed and "
            "changes in 1997-2009 (a placebo test at 5 % needs at least 19).",
            id="too few comparison pairs",
        ),
        pytest.param(
            {},
            {"treatment_year": 1996},
            "too few years before the treatment: 1 observed for USA-PHL before 1996 (at least 3 "
            "needed).",
            id="too few years before",
        ),
    ],
)
def test_the_synthetic_control_cannot_answer_without_pairs_or_years(
    world: dict[str, Any], options: dict[str, Any], reason: str
) -> None:
    result = synth(_synthetic_world(3.0, **world), **options)
    assert not result.answerable
    assert result.reason == reason


def test_a_poor_synthetic_fit_cannot_answer() -> None:
    result = synth(_synthetic_world(3.0, outside=True))
    assert not result.answerable
    assert result.reason is not None
    assert result.reason.startswith("poor synthetic fit: the pre-treatment RMSPE (")
    assert result.reason.endswith("of the pair's typical level before 2005 (at most 25%).")


def test_a_pair_at_zero_that_no_mix_reproduces_cannot_answer() -> None:
    panel = _synthetic_world(3.0)
    treated = panel["unit"] == "USA-PHL"
    panel.loc[treated & (panel["year"] < 2005), "outcome"] = 0.0
    result = synth(panel)
    assert result.reason is not None
    assert result.reason.startswith(
        "poor synthetic fit: the pair's outcome is 0 in every year before 2005 and no mix of "
        "comparison pairs stays at 0 (pre-treatment RMSPE "
    )


def test_a_pair_never_treated_cannot_answer() -> None:
    panel = _synthetic_world(3.0)
    panel["first_treated"] = NEVER
    assert synth(panel).reason == "the pair USA-PHL never received the treatment."


def test_results_are_plain_json() -> None:
    result = cannot_answer("did", "x", "IMET", "exercises", "why", diagnostics={"v": math.nan})
    data = result.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["diagnostics"] == {"v": None}
    assert data["verdict"] == "The data cannot answer: why"


@pytest.mark.parametrize(
    ("estimate", "low", "high", "start"),
    [
        (1.0, 0.5, 1.5, "After IMET, the exercises rose by 1 relative to the comparison pairs"),
        (-1.0, -1.5, -0.5, "After IMET, the exercises fell by 1 relative to the comparison pairs"),
        (0.1, -0.2, 0.4, "No effect of IMET on the exercises that the data can tell apart"),
    ],
)
def test_the_verdict_says_which_way(estimate: float, low: float, high: float, start: str) -> None:
    assert verdict_of(estimate, low, high, "IMET", "exercises").startswith(start)
