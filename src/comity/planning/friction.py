"""Bureaucratic friction: how long approval takes, per agency and per partner.

For each round of approval (a submission), the **days to approval** run from the moment the
plan was submitted to the moment of approval, in days with fractions (seconds / 86,400):

* **per agency**: to the moment that agency approved, in that round;
* **per partner**: to the moment the plan was approved as a whole (its last agency approved),
  counted once for each partner nation of the plan.

A round that ended in a return, or is still open, has no approval and is left out (it is not a
zero). Figures are the median and the 90th percentile (p90) of those durations, the p90 by
linear interpolation between the closest ranks (numpy's default ``linear`` method: the value at
rank ``0.9 * (n - 1)`` of the sorted durations, counting from 0). A group with no approval has no
figure at all, never zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "FrictionBy",
    "FrictionFigure",
    "FrictionRow",
    "approval_days",
    "create_friction",
    "median",
    "p90",
]


class FrictionBy(StrEnum):
    """How friction figures are grouped."""

    AGENCY = "agency"
    PARTNER = "partner"


@dataclass(frozen=True)
class FrictionRow:
    """One approval: an agency's (``agency`` set) or the whole plan's (``agency`` None).

    Attributes:
        plan_id: The plan.
        round: Which submission of the plan (1 for the first).
        agency: The agency that approved, or None for the plan's approval as a whole.
        partners: The plan's partner nations.
        submitted_at: When the round began.
        approved_at: When the approval was given.
    """

    plan_id: int
    round: int
    agency: str | None
    partners: tuple[str, ...]
    submitted_at: datetime
    approved_at: datetime


@dataclass(frozen=True)
class FrictionFigure:
    """Friction of one agency or partner.

    Attributes:
        key: The agency, or the partner's nation key.
        approvals: How many approvals the figures are made of.
        median_days: Median days from submission to approval.
        p90_days: 90th percentile of the same (linear interpolation).
    """

    key: str
    approvals: int
    median_days: float
    p90_days: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "key": self.key,
            "approvals": self.approvals,
            "median_days": self.median_days,
            "p90_days": self.p90_days,
        }


def approval_days(submitted_at: datetime, approved_at: datetime) -> float:
    """Days from submission to approval, with fractions."""
    return (approved_at - submitted_at).total_seconds() / 86_400


def median(values: Sequence[float]) -> float | None:
    """The median, rounded to 0.01 day; None for no values."""
    if not values:
        return None
    import numpy as np  # loaded on first use: the command line lists FrictionBy without it

    return round(float(np.median(values)), 2)


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by linear interpolation, rounded to 0.01 day; None for no values."""
    if not values:
        return None
    import numpy as np

    return round(float(np.percentile(values, 90, method="linear")), 2)


def create_friction(
    rows: Iterable[FrictionRow], by: FrictionBy | str = FrictionBy.AGENCY
) -> list[FrictionFigure]:
    """Median and p90 days to approval per agency or per partner, sorted by key.

    Args:
        rows: Approvals, of agencies and of whole plans (only the ones ``by`` needs are used).
        by: ``agency`` or ``partner``.

    Returns:
        One figure per agency or partner with at least one approval.
    """
    grouping = FrictionBy(by)
    durations: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        days = approval_days(row.submitted_at, row.approved_at)
        if grouping is FrictionBy.AGENCY and row.agency is not None:
            durations[row.agency].append(days)
        elif grouping is FrictionBy.PARTNER and row.agency is None:
            for nation in row.partners:
                durations[nation].append(days)
    figures = []
    for key in sorted(durations):
        values = durations[key]
        middle, high = median(values), p90(values)
        assert middle is not None and high is not None
        figures.append(FrictionFigure(key, len(values), middle, high))
    return figures
