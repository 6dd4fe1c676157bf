"""Stacked difference-in-differences: the effect of a treatment on every treated pair.

Unit of analysis: the pair-year, as in :mod:`comity.analytics.effects` (same panel columns). The
estimator is a **stacked difference-in-differences** (Cengiz, Dube, Lindner and Zipperer
2019, with the weights of Wing, Freedman and Hollingsworth 2024): one sub-experiment per cohort
(the pairs first treated in one year), holding that cohort and its clean comparison pairs, those
never treated or not treated before the end of the cohort's window, over the years from
``pre_years`` before to ``post_years`` after the treatment. The sub-experiments are stacked and
one regression with pair-by-sub-experiment and year-by-sub-experiment effects gives the average
effect on the treated; comparison pairs are weighted so that each cohort counts by its share of
the treated pairs. A two-way fixed-effects regression on the whole panel, under staggered
adoption, also compares pairs treated later with pairs treated earlier, whose effect is still
unfolding; the stacked design never does, so it stays unbiased when effects differ between
cohorts or grow over time. That naive estimate (linearmodels' ``PanelOLS`` with pair and year
effects) is reported beside it for comparison.

The pair and year effects of the sub-experiments are partialled out by alternating projections
(Frisch-Waugh-Lovell: the coefficients are those of the regression with every effect), and the
rest is a weighted least-squares regression (statsmodels) with standard errors clustered by
pair, the pair being the same in every sub-experiment it appears in, and t intervals with one
degree of freedom fewer than pairs. The event study replaces the one treated-after term by one
per year relative to the treatment (the year before is the reference); the joint test that the
years before are zero is the pre-trend test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from comity.analytics.effects import (
    LEVEL,
    PANEL_COLUMNS,
    EffectResult,
    EventTime,
    PreTrend,
    cannot_answer,
    one_blas_thread,
    verdict_of,
)

__all__ = [
    "DID_CAVEATS",
    "ESTIMATOR",
    "StackedPanel",
    "create_stacked_panel",
    "estimate_did",
    "estimate_twfe",
]

DID_CAVEATS = (
    "Parallel trends: without the treatment, treated and comparison pairs would have moved "
    "alike; the pre-trend test can reject this, never prove it.",
    "No anticipation: the year before the treatment is the reference; a pair that changed "
    "course in expectation of the treatment biases the estimate.",
    "Spillovers (SUTVA): the pairs share the provider, so what the treatment changes in the "
    "provider (its attention, budget, habits) reaches comparison pairs too; the estimate is then "
    "a difference between pairs, not the whole effect.",
    "Selection: a provider chooses whom it trains; the design removes stable differences "
    "between pairs and common shocks, not a choice that follows each pair's prospects.",
)
"""What every difference-in-differences estimate assumes (docs/effects.md)."""


@dataclass(frozen=True)
class StackedPanel:
    """The sub-experiments of a stacked difference-in-differences, stacked.

    Attributes:
        data: One row per sub-experiment, pair and year: ``unit``, ``year``, ``outcome``,
            ``stack`` (the cohort's year), ``treated`` (1.0 for the cohort's pairs), ``event``
            (year less the cohort's year), ``weight`` and ``entity`` (sub-experiment and pair).
        treated: The treated pairs used.
        comparison: The comparison pairs used (in any sub-experiment).
        cohorts: Per cohort: its year and how many treated and comparison pairs it has.
        left_out: Treated pairs left out, by reason.
    """

    data: Any
    treated: frozenset[str]
    comparison: frozenset[str]
    cohorts: tuple[dict[str, int], ...]
    left_out: dict[str, list[str]]


def create_stacked_panel(
    panel: Any, *, pre_years: int, post_years: int, min_pre_years: int
) -> StackedPanel:
    """The stacked sub-experiments of ``panel`` (see the module docstring).

    A treated pair enters its cohort's sub-experiment when it has at least ``min_pre_years``
    years before the treatment and one from it on within the window; a comparison pair when it
    is never treated or first treated after the window, with a year before and a year after.
    """
    import numpy as np
    import pandas as pd

    data = panel.dropna(subset=["outcome"])
    codes, units = pd.factorize(data["unit"], sort=True)
    years = data["year"].to_numpy(dtype=np.int64)
    first = data.groupby("unit")["first_treated"].first().reindex(units).to_numpy(dtype=float)
    never = np.isnan(first)
    left_out: dict[str, list[str]] = {"too_few_pre_years": [], "no_year_after": []}
    chosen: list[Any] = []
    cohorts: list[dict[str, int]] = []
    for g in sorted({int(v) for v in first[~never]}):
        window = (years >= g - pre_years) & (years <= g + post_years)
        before = np.bincount(codes[window & (years < g)], minlength=len(units))
        after = np.bincount(codes[window & (years >= g)], minlength=len(units))
        members = first == g
        usable = members & (before >= min_pre_years) & (after >= 1)
        left_out["too_few_pre_years"] += list(units[members & ~usable & (after >= 1)])
        left_out["no_year_after"] += list(units[members & (after == 0)])
        with np.errstate(invalid="ignore"):
            clean = never | (first > g + post_years)
        controls = clean & (before >= 1) & (after >= 1)
        if not usable.any() or not controls.any():
            continue
        rows = np.flatnonzero(window & (usable | controls)[codes])
        chosen.append((g, rows, usable[codes[rows]]))
        cohorts.append({"year": g, "treated": int(usable.sum()), "comparison": int(controls.sum())})
    if not chosen:
        empty = pd.DataFrame(columns=[*PANEL_COLUMNS, "stack", "treated", "event", "weight"])
        return StackedPanel(empty, frozenset(), frozenset(), (), left_out)
    # Wing, Freedman and Hollingsworth's weights: a treated pair weighs 1; a comparison pair of
    # cohort a weighs (N_a^D / N^D) / (N_a^C / N^C), so each cohort's comparison group counts as
    # much as its share of the treated pairs.
    treated_total = sum(c["treated"] for c in cohorts)
    control_total = sum(c["comparison"] for c in cohorts)
    rows = np.concatenate([r for _, r, _ in chosen])
    is_treated = np.concatenate([t for _, _, t in chosen])
    stack = np.concatenate([np.full(len(r), g) for g, r, _ in chosen])
    control_weight = np.concatenate(
        [
            np.full(len(r), (c["treated"] / treated_total) / (c["comparison"] / control_total))
            for (_, r, _), c in zip(chosen, cohorts, strict=True)
        ]
    )
    stacked = pd.DataFrame(
        {
            "unit": units[codes[rows]],
            "year": years[rows],
            "outcome": data["outcome"].to_numpy(dtype=float)[rows],
            "first_treated": first[codes[rows]],
            "stack": stack,
            "treated": is_treated.astype(float),
            "event": years[rows] - stack,
            "weight": np.where(is_treated, 1.0, control_weight),
            "entity": stack * len(units) + codes[rows],
        }
    )
    treated = frozenset(units[codes[rows[is_treated]]])
    comparison = frozenset(units[codes[rows[~is_treated]]])
    return StackedPanel(stacked, treated, comparison, tuple(cohorts), left_out)


def _partial_out(values: Any, groupings: Sequence[Any], weights: Any) -> Any:
    """``values`` less their weighted projection on the fixed effects of ``groupings``.

    Alternating projections (demeaning by each grouping in turn until nothing changes), which
    converge to the residuals of a regression on every grouping's effects at once; a balanced
    sub-experiment needs one round.
    """
    import numpy as np

    out = np.array(values, dtype=float)
    totals = [np.bincount(codes, weights=weights) for codes in groupings]
    scale = 1e-10 * (1.0 + float(np.abs(out).max(initial=0.0)))
    for _ in range(_ROUNDS):
        change = 0.0
        for codes, total in zip(groupings, totals, strict=True):
            for j in range(out.shape[1]):
                means = np.bincount(codes, weights=out[:, j] * weights) / total
                shift = means[codes]
                out[:, j] -= shift
                change = max(change, float(np.abs(shift).max(initial=0.0)))
        if change < scale:
            break
    return out


_ROUNDS = 10_000
"""At most this many rounds of alternating projections (a handful is usual)."""


def _fit(stacked: Any, terms: Any) -> Any:
    """Weighted least squares of the outcome on ``terms``, clustered by pair.

    The sub-experiment-pair and sub-experiment-year effects are partialled out first
    (Frisch-Waugh-Lovell).
    """
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    weights = stacked["weight"].to_numpy(dtype=float)
    entity, _ = pd.factorize(stacked["entity"])
    stack_year, _ = pd.factorize(stacked["stack"] * 10_000 + stacked["year"])
    values = np.column_stack([stacked["outcome"].to_numpy(dtype=float), terms.to_numpy(float)])
    within = _partial_out(values, (entity, stack_year), weights)
    exog = pd.DataFrame(within[:, 1:], columns=list(terms.columns))
    groups, _ = pd.factorize(stacked["unit"])
    model = sm.WLS(within[:, 0], exog, weights=weights)
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def _event_terms(stacked: Any, pre_years: int, post_years: int) -> Any:
    import numpy as np
    import pandas as pd

    treated = stacked["treated"].to_numpy()
    event = stacked["event"].to_numpy()
    terms = {}
    for k in range(-pre_years, post_years + 1):
        if k == -1:
            continue  # the reference year
        column = treated * (event == k)
        if np.any(column):
            terms[f"event_{k}"] = column
    return pd.DataFrame(terms)


def _event_study(
    stacked: Any, pre_years: int, post_years: int, alpha: float
) -> tuple[tuple[EventTime, ...], PreTrend | None]:
    import numpy as np

    terms = _event_terms(stacked, pre_years, post_years)
    result = _fit(stacked, terms)
    low, high = result.conf_int(alpha=1 - LEVEL).T.to_numpy()
    names = list(result.params.index)
    events = tuple(
        EventTime(
            int(name.removeprefix("event_")),
            float(result.params[name]),
            float(result.bse[name]),
            float(low[i]),
            float(high[i]),
        )
        for i, name in enumerate(names)
        if name.startswith("event_")
    )
    leads = [n for n in terms.columns if int(n.removeprefix("event_")) <= -2]
    if not leads:
        return events, None
    restriction = np.zeros((len(leads), len(names)))
    for row, name in enumerate(leads):
        restriction[row, names.index(name)] = 1.0
    test = result.f_test(restriction)
    p_value = float(np.squeeze(test.pvalue))
    statistic = float(np.squeeze(test.fvalue))
    pre_trend = PreTrend(
        statistic, (int(test.df_num), int(test.df_denom)), p_value, p_value >= alpha, alpha
    )
    return events, pre_trend


def estimate_twfe(panel: Any) -> dict[str, float] | None:
    """The naive two-way fixed-effects estimate: pair and year effects, clustered by pair.

    ``treated_after`` is 1 from a pair's first treated year on. Returns ``estimate``,
    ``standard_error``, ``ci_low`` and ``ci_high``, or None when it cannot be estimated.
    """
    from linearmodels.panel import PanelOLS

    data = panel.dropna(subset=["outcome"]).copy()
    data["treated_after"] = (data["year"] >= data["first_treated"]).astype(float)
    if data["treated_after"].nunique() < 2:
        return None
    indexed = data.set_index(["unit", "year"])
    model = PanelOLS(
        indexed["outcome"], indexed[["treated_after"]], entity_effects=True, time_effects=True
    )
    fitted = model.fit(cov_type="clustered", cluster_entity=True)
    estimate = float(fitted.params["treated_after"])
    error = float(fitted.std_errors["treated_after"])
    if not (math.isfinite(estimate) and math.isfinite(error)):
        return None
    low, high = fitted.conf_int(level=LEVEL).loc["treated_after"].to_numpy(dtype=float)
    return {
        "estimate": estimate,
        "standard_error": error,
        "ci_low": float(low),
        "ci_high": float(high),
    }


ESTIMATOR = (
    "stacked difference-in-differences (one sub-experiment per cohort with clean comparison "
    "pairs; pair and year effects per sub-experiment; standard errors clustered by pair)"
)


@one_blas_thread()
def estimate_did(
    panel: Any,
    *,
    treatment: str,
    outcome: str,
    outcome_label: str | None = None,
    comparison: str = "pairs never treated, or not treated before the end of the window",
    pre_years: int = 4,
    post_years: int = 4,
    min_pre_years: int = 2,
    min_treated: int = 5,
    min_comparison: int = 5,
    pretrend_alpha: float = 0.05,
    with_twfe: bool = True,
) -> EffectResult:
    """The stacked difference-in-differences estimate of the treatment's effect on the outcome.

    Args:
        panel: DataFrame with :data:`PANEL_COLUMNS` (pair-years).
        treatment: The treatment in words (``IMET from USA``).
        outcome: The outcome in words.
        outcome_label: A short name of the outcome for the verdict (default: ``outcome``).
        comparison: The comparison group in words.
        pre_years: Years before the treatment in each window (leads of the event study).
        post_years: Years after the first treated year in each window.
        min_pre_years: Years before the treatment a treated pair needs.
        min_treated: Fewer treated pairs than this: the data cannot answer.
        min_comparison: Fewer comparison pairs than this: the data cannot answer.
        pretrend_alpha: The pre-trend test rejecting at this level: the data cannot answer.
        with_twfe: Also give the naive two-way fixed-effects estimate (in ``diagnostics``).

    Returns:
        The estimate, or the reason the data cannot give one.
    """
    import numpy as np
    import pandas as pd

    stacked = create_stacked_panel(
        panel, pre_years=pre_years, post_years=post_years, min_pre_years=min_pre_years
    )
    n_treated, n_comparison = len(stacked.treated), len(stacked.comparison)
    diagnostics: dict[str, Any] = {
        "cohorts": list(stacked.cohorts),
        "left_out": {k: v for k, v in stacked.left_out.items() if v},
        "window": {"pre_years": pre_years, "post_years": post_years},
    }
    common: dict[str, Any] = {
        "n_treated": n_treated,
        "n_comparison": n_comparison,
        "comparison": comparison,
        "caveats": DID_CAVEATS,
        "diagnostics": diagnostics,
    }
    if n_treated < min_treated:
        few = stacked.left_out["too_few_pre_years"]
        why = f"; {len(few)} had fewer than {min_pre_years} years before it" if few else ""
        reason = (
            f"too few treated pairs: {n_treated} with years before and after the treatment "
            f"(at least {min_treated} needed){why}."
        )
        return cannot_answer("did", ESTIMATOR, treatment, outcome, reason, **common)
    if n_comparison < min_comparison:
        reason = (
            f"too few comparison pairs: {n_comparison} never or not yet treated (at least "
            f"{min_comparison} needed)."
        )
        return cannot_answer("did", ESTIMATOR, treatment, outcome, reason, **common)
    data = stacked.data
    if float(data["outcome"].var()) == 0.0:
        value = float(data["outcome"].iloc[0])
        reason = (
            f"the outcome ({outcome_label or outcome}) is {value:g} in every pair and year "
            "used: there is nothing to compare."
        )
        return cannot_answer("did", ESTIMATOR, treatment, outcome, reason, **common)
    terms = pd.DataFrame({"treated_after": data["treated"] * (data["event"] >= 0)})
    with np.errstate(all="ignore"):
        fitted = _fit(data, terms)
        events, pre_trend = _event_study(data, pre_years, post_years, pretrend_alpha)
    estimate = float(fitted.params["treated_after"])
    error = float(fitted.bse["treated_after"])
    low, high = (float(v) for v in fitted.conf_int(alpha=1 - LEVEL).loc["treated_after"])
    if with_twfe:
        diagnostics["naive_twfe"] = estimate_twfe(panel)
    if not (math.isfinite(estimate) and math.isfinite(error)) or error == 0.0:
        reason = "the regression has no variation left to estimate the effect from."
        return cannot_answer("did", ESTIMATOR, treatment, outcome, reason, **common)
    studied: dict[str, Any] = {"pre_trend": pre_trend, "event_study": events}
    if pre_trend is not None and not pre_trend.passed:
        reason = (
            "the treated and comparison pairs already moved apart before the treatment (joint "
            f"test of the years before: p = {pre_trend.p_value:.3f}), so parallel trends fail."
        )
        return cannot_answer("did", ESTIMATOR, treatment, outcome, reason, **common, **studied)
    caveats: tuple[str, ...] = DID_CAVEATS
    if pre_trend is None:
        caveats = (*caveats, "No pre-trend test: the window holds one year before the treatment.")
    return EffectResult(
        design="did",
        estimator=ESTIMATOR,
        treatment=treatment,
        outcome=outcome,
        estimate=estimate,
        standard_error=error,
        ci_low=low,
        ci_high=high,
        p_value=float(fitted.pvalues["treated_after"]),
        n_treated=n_treated,
        n_comparison=n_comparison,
        comparison=comparison,
        answerable=True,
        reason=None,
        verdict=verdict_of(estimate, low, high, treatment, outcome_label or outcome),
        pre_trend=pre_trend,
        event_study=events,
        caveats=caveats,
        diagnostics=diagnostics,
    )
