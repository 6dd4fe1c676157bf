"""Synthetic control for one pair: what would it have done without the treatment?

Unit of analysis: the pair-year, as in :mod:`comity.analytics.effects` (same panel columns). The
treated pair's outcome after the treatment is compared with a weighted average of comparison
pairs (never treated, or not before the end of the window) chosen to track it before
(Abadie, Diamond and Hainmueller 2010; pysyncon's ``Dataprep`` and ``Synth``). The predictors
are the outcome in each year before the treatment and its mean, equally weighted (the matrix V
is fixed, not searched: with the outcome's own past as the only predictors, equal weights avoid
an unstable outer optimisation and keep each fit fast enough for the placebos).

Inference is placebo-in-space: every comparison pair in turn is treated as if it had received
the treatment, and the treated pair's ratio of post- to pre-treatment RMSPE is ranked among
theirs; the p-value is ``(1 + placebos ranked at or above it) / (1 + placebos)``. The 95 %
interval inverts that test for a constant effect: it holds every effect that, taken off the
treated pair's years after, leaves its ratio within the placebos' at the 5 % level (Firpo and
Possebom 2018). With fewer than 19 placebos no effect can be rejected at 5 %, so the design
needs at least that many comparison pairs. The standard error given is the spread of the
placebos' effects.
"""

from __future__ import annotations

import math
from typing import Any

from comity.analytics.effects import (
    LEVEL,
    EffectResult,
    cannot_answer,
    one_blas_thread,
    verdict_of,
)

__all__ = ["SYNTH_CAVEATS", "estimate_synth"]

SYNTH_CAVEATS = (
    "One pair: the estimate describes this pair only, and a shock that hit it alone in the same "
    "year (a crisis, an election) is indistinguishable from the treatment.",
    "The synthetic pair tracks the treated pair before the treatment only as far as the "
    "pre-treatment RMSPE says; a poor fit is refused.",
    "Spillovers (SUTVA): the comparison pairs share the provider; what the treatment changes in "
    "the provider reaches them too.",
)
"""What every synthetic control estimate assumes (docs/effects.md)."""

ESTIMATOR = (
    "synthetic control (pysyncon; the outcome before the treatment as predictors), "
    "placebo-in-space inference"
)


def _fit_weights(x0: Any, x1: Any, z0: Any, z1: Any) -> Any:
    """The comparison pairs' weights that best reproduce ``x1`` (rows without spread dropped)."""
    import numpy as np
    from pysyncon import Synth

    spread = np.concatenate([x0.to_numpy(), x1.to_numpy()[:, None]], axis=1).std(axis=1)
    keep = spread > 0
    if not keep.any():
        return None
    synth = Synth()
    synth.fit(
        X0=x0[keep],
        X1=x1[keep],
        Z0=z0,
        Z1=z1,
        custom_V=np.full(int(keep.sum()), 1.0 / keep.sum()),
    )
    return synth.W


def _rmspe(gaps: Any) -> float:
    return float(math.sqrt(float((gaps**2).mean()))) if len(gaps) else 0.0


def _ratio(post: float, pre: float, floor: float) -> float:
    return post / max(pre, floor)


def _interval(gaps_after: Any, pre: float, placebo_ratios: list[float], floor: float) -> Any:
    """The effects not rejected at 5 % by the placebo test (None when all are)."""
    import numpy as np

    n = len(placebo_ratios)
    alpha = 1 - LEVEL
    # An effect d is kept while (1 + m(d)) / (1 + n) > alpha, m(d) the placebos whose ratio is
    # at or above the treated pair's with d taken off its years after: m(d) >= needed.
    needed = math.floor(alpha * (1 + n) - 1) + 1
    if needed < 1 or needed > n:
        return None
    threshold = sorted(placebo_ratios, reverse=True)[needed - 1] * max(pre, floor)
    mean = float(np.mean(gaps_after))
    variance = float(np.mean((gaps_after - mean) ** 2))
    room = threshold**2 - variance
    if room < 0:
        return None
    return mean - math.sqrt(room), mean + math.sqrt(room)


@one_blas_thread()
def estimate_synth(
    panel: Any,
    treated_unit: str,
    *,
    treatment: str,
    outcome: str,
    outcome_label: str | None = None,
    treatment_year: int | None = None,
    comparison: str = "pairs never treated, or not before the end of the window",
    pre_years: int = 8,
    post_years: int = 4,
    min_pre_years: int = 3,
    min_donors: int = 19,
    fit_tolerance: float = 0.25,
) -> EffectResult:
    """The synthetic control estimate of the treatment's effect on one pair.

    Args:
        panel: DataFrame with :data:`comity.analytics.effects.PANEL_COLUMNS`.
        treated_unit: The pair (its ``unit``).
        treatment: The treatment in words.
        outcome: The outcome in words.
        outcome_label: A short name of the outcome for the verdict (default: ``outcome``).
        treatment_year: The first treated year (default: the pair's ``first_treated``).
        comparison: The comparison group in words.
        pre_years: Years before the treatment to fit on (at most).
        post_years: Years after the first treated year to estimate over.
        min_pre_years: Fewer years before the treatment: the data cannot answer.
        min_donors: Fewer comparison pairs: the data cannot answer.
        fit_tolerance: A pre-treatment RMSPE above this share of the pair's own typical level
            (its root mean square before the treatment) is a poor fit: the data cannot answer.

    Returns:
        The estimate, or the reason the data cannot give one.
    """
    import numpy as np
    from pysyncon import Dataprep

    data = panel.dropna(subset=["outcome"])
    first = data.groupby("unit")["first_treated"].first()
    common: dict[str, Any] = {"comparison": comparison, "caveats": SYNTH_CAVEATS}

    def refuse(reason: str, **extra: Any) -> EffectResult:
        return cannot_answer("synth", ESTIMATOR, treatment, outcome, reason, **common, **extra)

    if treated_unit not in first.index:
        return refuse(f"the pair {treated_unit} has no outcome in the years asked.")
    start = treatment_year if treatment_year is not None else first[treated_unit]
    if start is None or not math.isfinite(start):
        return refuse(f"the pair {treated_unit} never received the treatment.")
    year0 = int(start)
    own = data[data["unit"] == treated_unit]
    window = sorted(y for y in own["year"] if year0 - pre_years <= y <= year0 + post_years)
    before = [y for y in window if y < year0]
    after = [y for y in window if y >= year0]
    if len(before) < min_pre_years:
        return refuse(
            f"too few years before the treatment: {len(before)} observed for {treated_unit} "
            f"before {year0} (at least {min_pre_years} needed)."
        )
    if not after:
        return refuse(f"no year observed from {year0}, the first treated year, on.")
    in_window = data[data["year"].isin(window)]
    wide = in_window.pivot_table(index="year", columns="unit", values="outcome").reindex(window)
    clean = first.isna() | (first > window[-1])
    # A pair whose outcome never changes in the window cannot track the treated pair, and as a
    # placebo it is fitted perfectly and ranks below any real change: it would make the test
    # lenient, so it is no comparison pair here.
    donors = sorted(
        u
        for u in wide.columns
        if u != treated_unit
        and clean.get(u, False)
        and wide[u].notna().all()
        and wide[u].nunique() > 1
    )
    common.update(n_treated=1, n_comparison=len(donors))
    if len(donors) < min_donors:
        return refuse(
            f"too few comparison pairs: {len(donors)} never or not yet treated whose outcome is "
            f"observed and changes in {window[0]}-{window[-1]} (a placebo test at 5 % needs at "
            f"least {min_donors})."
        )
    units = [treated_unit, *donors]
    long = in_window[in_window["unit"].isin(units)]
    prep = Dataprep(
        foo=long,
        predictors=["outcome"],
        predictors_op="mean",
        dependent="outcome",
        unit_variable="unit",
        time_variable="year",
        treatment_identifier=treated_unit,
        controls_identifier=donors,
        time_predictors_prior=before,
        time_optimize_ssr=before,
        special_predictors=[("outcome", [y], "mean") for y in before],
    )
    x0, x1 = prep.make_covariate_mats()
    z = wide[units]
    weights = _fit_weights(x0, x1, z.loc[before, donors], z.loc[before, treated_unit])
    if weights is None:
        return refuse(f"the {outcome} did not differ between pairs in any year before {year0}.")
    gaps = z[treated_unit].to_numpy() - z[donors].to_numpy() @ weights
    is_after = np.array([y >= year0 for y in window])
    pre, post = _rmspe(gaps[~is_after]), _rmspe(gaps[is_after])
    level = _rmspe(z.loc[before, treated_unit].to_numpy())
    floor = 1e-9 * (1.0 + float(np.abs(z.to_numpy()).max()))
    relative = pre / level if level > floor else (0.0 if pre <= floor else math.inf)
    estimate = float(gaps[is_after].mean())
    top = np.argsort(weights)[::-1][:5]
    diagnostics: dict[str, Any] = {
        "treated_pair": treated_unit,
        "treatment_year": year0,
        "years": [window[0], window[-1]],
        "pre_rmspe": pre,
        "post_rmspe": post,
        "relative_pre_rmspe": relative,
        "weights": {donors[i]: round(float(weights[i]), 3) for i in top if weights[i] >= 0.001},
        "gaps": {str(y): float(g) for y, g in zip(window, gaps, strict=True)},
    }
    common["diagnostics"] = diagnostics
    if math.isinf(relative):
        return refuse(
            f"poor synthetic fit: the pair's outcome is 0 in every year before {year0} and no "
            f"mix of comparison pairs stays at 0 (pre-treatment RMSPE {pre:.3g})."
        )
    if relative > fit_tolerance:
        return refuse(
            f"poor synthetic fit: the pre-treatment RMSPE ({pre:.3g}) is "
            f"{relative:.0%} of the pair's typical level before {year0} (at most "
            f"{fit_tolerance:.0%})."
        )
    ratios, effects = [], []
    for placebo in donors:
        others = [d for d in donors if d != placebo]
        w = _fit_weights(x0[others], x0[placebo], z.loc[before, others], z.loc[before, placebo])
        if w is None:
            continue
        gap = z[placebo].to_numpy() - z[others].to_numpy() @ w
        ratios.append(_ratio(_rmspe(gap[is_after]), _rmspe(gap[~is_after]), floor))
        effects.append(float(gap[is_after].mean()))
    mine = _ratio(post, pre, floor)
    p_value = (1 + sum(r >= mine for r in ratios)) / (1 + len(ratios))
    diagnostics["placebos"] = len(ratios)
    interval = _interval(gaps[is_after], pre, ratios, floor)
    if interval is None:
        return refuse(
            f"the placebo test cannot bound the effect ({len(ratios)} placebos could be fitted)."
        )
    low, high = interval
    return EffectResult(
        design="synth",
        estimator=ESTIMATOR,
        treatment=treatment,
        outcome=outcome,
        estimate=estimate,
        standard_error=float(np.std(effects, ddof=1)) if len(effects) > 1 else None,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        n_treated=1,
        n_comparison=len(donors),
        comparison=comparison,
        answerable=True,
        reason=None,
        verdict=verdict_of(estimate, low, high, treatment, outcome_label or outcome),
        caveats=SYNTH_CAVEATS,
        diagnostics=diagnostics,
    )
