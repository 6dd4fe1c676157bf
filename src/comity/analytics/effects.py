"""Effect estimates: did a treatment change what pairs of nations did afterwards?

Pure computation, shared by the designs: the panel they read, the result they give, its
verdict in plain words. Unit of analysis: the pair-year of a provider and one partner
(non-directed; labelled ``USA-PHL``, the provider first). The input is a panel, a pandas
DataFrame with :data:`PANEL_COLUMNS`: ``unit`` (the pair), ``year``, ``outcome`` and
``first_treated``, the first year the pair received the treatment (NaN for a pair never treated
in the years observed). Nothing here reads the store; :mod:`comity.services.effects` builds the
panel from what a viewer may see (docs/effects.md).

The designs: the stacked difference-in-differences of :mod:`comity.analytics.stacked_did`
(every treated pair, valid under staggered adoption) and the synthetic control of
:mod:`comity.analytics.synthetic_control` (one pair). Both say when the data cannot answer, with
the reason, instead of giving a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LEVEL",
    "PANEL_COLUMNS",
    "EffectResult",
    "EventTime",
    "PreTrend",
    "cannot_answer",
    "one_blas_thread",
    "verdict_of",
]

PANEL_COLUMNS = ("unit", "year", "outcome", "first_treated")
"""The columns of an effect panel: the pair, the year, the outcome, the first treated year."""

LEVEL = 0.95
"""The confidence level of every interval."""


@dataclass(frozen=True)
class EventTime:
    """The effect in one year relative to the treatment (0: the first treated year)."""

    relative_year: int
    estimate: float
    standard_error: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PreTrend:
    """The joint test that the treated and comparison pairs moved alike before the treatment.

    Attributes:
        statistic: The F statistic of the leads (years before the treatment but the last).
        df: Its degrees of freedom (leads, clusters less one).
        p_value: Its p-value.
        passed: True when the test does not reject at the level asked.
        alpha: That level.
    """

    statistic: float
    df: tuple[int, int]
    p_value: float
    passed: bool
    alpha: float


@dataclass(frozen=True)
class EffectResult:
    """An effect estimate, or the reason the data cannot give one.

    Attributes:
        design: ``did`` or ``synth``.
        estimator: The estimator in words.
        treatment: The treatment in words.
        outcome: The outcome in words (never the treatment's own contribution).
        estimate: The average effect on the treated (None when the data cannot answer).
        standard_error: Its standard error.
        ci_low: The lower end of its 95 % interval.
        ci_high: The upper end.
        p_value: The p-value of no effect.
        n_treated: Treated pairs used.
        n_comparison: Comparison pairs used.
        comparison: The comparison group in words.
        answerable: False when the data cannot answer; ``reason`` says why.
        reason: Why the data cannot answer (None when they can).
        verdict: The answer in plain words.
        pre_trend: The pre-trend test (difference-in-differences).
        event_study: The effect by year relative to the treatment.
        caveats: What the estimate assumes and what it cannot tell.
        diagnostics: Cohorts, pairs left out and why, the naive estimate, the fit.
    """

    design: str
    estimator: str
    treatment: str
    outcome: str
    estimate: float | None
    standard_error: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n_treated: int
    n_comparison: int
    comparison: str
    answerable: bool
    reason: str | None
    verdict: str
    pre_trend: PreTrend | None = None
    event_study: tuple[EventTime, ...] = ()
    caveats: tuple[str, ...] = ()
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (numbers that are not finite become None)."""
        return {
            "design": self.design,
            "estimator": self.estimator,
            "treatment": self.treatment,
            "outcome": self.outcome,
            "answerable": self.answerable,
            "reason": self.reason,
            "estimate": _finite(self.estimate),
            "standard_error": _finite(self.standard_error),
            "ci_low": _finite(self.ci_low),
            "ci_high": _finite(self.ci_high),
            "level": LEVEL,
            "p_value": _finite(self.p_value),
            "n_treated": self.n_treated,
            "n_comparison": self.n_comparison,
            "comparison": self.comparison,
            "verdict": self.verdict,
            "pre_trend": None if self.pre_trend is None else _clean(vars(self.pre_trend)),
            "event_study": [_clean(vars(e)) for e in self.event_study],
            "caveats": list(self.caveats),
            "diagnostics": _clean(dict(self.diagnostics)),
        }


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the linear algebra inside on one thread.

    The matrices here are small: on a busy machine OpenBLAS's threads wait for each other and a
    fit takes ten times longer than on one (measured on two cores). SciPy carries its own
    OpenBLAS, loaded with its modules, so they are imported before the limit is set.
    """
    import scipy.optimize  # noqa: F401 - loads SciPy's OpenBLAS
    import statsmodels.api  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _number(value: float) -> str:
    return f"{value:.3g}".replace("-", "−")


def verdict_of(estimate: float, low: float, high: float, treatment: str, outcome: str) -> str:
    """The answer in plain words, from the estimate and its 95 % interval."""
    interval = f"95 % CI {_number(low)} to {_number(high)}"
    if low > 0 or high < 0:
        way = "rose" if low > 0 else "fell"
        return (
            f"After {treatment}, the {outcome} {way} by {_number(abs(estimate))} relative to "
            f"the comparison pairs ({interval}): an effect the data tell apart from none."
        )
    return (
        f"No effect of {treatment} on the {outcome} that the data can tell apart from none: "
        f"the estimate is {_number(estimate)} ({interval}); effects outside that interval are "
        "unlikely."
    )


def cannot_answer(
    design: str,
    estimator: str,
    treatment: str,
    outcome: str,
    reason: str,
    *,
    n_treated: int = 0,
    n_comparison: int = 0,
    comparison: str = "",
    caveats: Sequence[str] = (),
    pre_trend: PreTrend | None = None,
    event_study: Sequence[EventTime] = (),
    diagnostics: Mapping[str, Any] | None = None,
) -> EffectResult:
    """A result that gives a reason instead of a number."""
    return EffectResult(
        design=design,
        estimator=estimator,
        treatment=treatment,
        outcome=outcome,
        estimate=None,
        standard_error=None,
        ci_low=None,
        ci_high=None,
        p_value=None,
        n_treated=n_treated,
        n_comparison=n_comparison,
        comparison=comparison,
        answerable=False,
        reason=reason,
        verdict=f"The data cannot answer: {reason}",
        pre_trend=pre_trend,
        event_study=tuple(event_study),
        caveats=tuple(caveats),
        diagnostics=dict(diagnostics or {}),
    )
