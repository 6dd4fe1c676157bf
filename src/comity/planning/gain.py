"""The expected gain of planned engagements in the tie index, by the index's own formula.

A plan of kind k adds to each pair it creates the contribution ``c = w(k) * s * 2 / n`` of
``docs/methodology.md`` (weights from :class:`~comity.analytics.settings.IndexSettings`); added to
the pair's stock ``S``, it raises the index from ``100 * (1 - exp(-S / kappa))`` to
``100 * (1 - exp(-(S + C) / kappa))``. The gain of a total added stock ``C``,

    gain(C) = 100 * (exp(-S / kappa) - exp(-(S + C) / kappa)),

is concave in ``C`` (diminishing returns): the optimiser approximates it by chords between
breakpoints, and :func:`chord_error` is the exact largest gap between the curve and a chord.
"""

from __future__ import annotations

import math

from comity.analytics.settings import IndexSettings
from comity.model.kinds import KINDS

__all__ = [
    "PLANNABLE_KINDS",
    "VISIT_LEVELS",
    "breakpoints",
    "chord_error",
    "contribution",
    "gain",
    "size_factor",
    "stock_from_index",
]

PLANNABLE_KINDS = KINDS.plannable
"""Kinds a plan can be: the engagement kinds a nation decides on (not alliances nor media), and
attaché postings (:data:`comity.model.kinds.KINDS`)."""

VISIT_LEVELS = ("minister", "chief_of_defence", "service_chief", "other")
"""Levels of a visit, as the index weighs them."""


def size_factor(personnel: int | None) -> float:
    """``s = 1 + log10(1 + personnel / 100)`` where personnel is known, else 1."""
    return 1.0 if personnel is None else 1.0 + math.log10(1.0 + personnel / 100.0)


def contribution(
    settings: IndexSettings,
    kind: str,
    *,
    nations: int,
    personnel: int | None = None,
    students: int | None = None,
    level: str | None = None,
) -> float:
    """The contribution ``c`` of one engagement to each of its pairs in one year.

    Args:
        settings: The index's settings (weights).
        kind: One of :data:`PLANNABLE_KINDS`.
        nations: How many nations take part (``n`` in ``m(n) = 2 / n``), at least 2.
        personnel: Personnel, for the size factor (not applied to education, as in the index).
        students: Students of a course (education).
        level: Level of a visit (``minister``, ``chief_of_defence``, ``service_chief``, other).

    Returns:
        ``w(kind) * s * 2 / n``; for education ``per_course + per_student * students`` (the yearly
        cap per pair is applied where plans are added up).

    Raises:
        ValueError: For an unknown kind or fewer than two nations.
    """
    if nations < 2:
        raise ValueError("an engagement needs at least two nations")
    if kind == "education":
        education = settings.education
        return (education.per_course + education.per_student * (students or 0)) * 2.0 / nations
    if kind == "visit":
        visit = settings.visit
        weight = float(getattr(visit, level)) if level in VISIT_LEVELS else visit.other
    elif kind in PLANNABLE_KINDS:
        weight = float(getattr(settings.weights, kind))
    else:
        raise ValueError(f"{kind!r} is not a kind of plan")
    return weight * size_factor(personnel) * 2.0 / nations


def stock_from_index(index: float, kappa: float) -> float:
    """The stock behind an index value: ``S = -kappa * ln(1 - index / 100)``."""
    share = min(max(index, 0.0), 99.999_999) / 100.0
    return -kappa * math.log1p(-share)


def gain(stock: float, added: float, kappa: float) -> float:
    """The rise of the index when ``added`` joins a stock ``stock``."""
    return 100.0 * (math.exp(-stock / kappa) - math.exp(-(stock + added) / kappa))


def breakpoints(stock: float, upper: float, kappa: float, segments: int) -> list[float]:
    """Breakpoints on ``[0, upper]`` where the gain rises by equal steps.

    The curve bends most where it is steep, so equal steps of gain put more breakpoints there and
    spread the chords' error evenly.
    """
    if upper <= 0:
        return [0.0]
    top = 1.0 - math.exp(-upper / kappa)
    points = [-kappa * math.log1p(-top * k / segments) for k in range(segments + 1)]
    points[-1] = upper
    return points


def chord_error(stock: float, low: float, high: float, kappa: float) -> float:
    """The largest gap between the gain curve and its chord on ``[low, high]``.

    The curve is concave, so the chord lies below it; the gap is largest where the curve's slope
    equals the chord's: ``C* = -kappa * ln(slope * kappa / A)``, ``A = 100 * exp(-S / kappa)``.
    """
    if high <= low:
        return 0.0
    f_low, f_high = gain(stock, low, kappa), gain(stock, high, kappa)
    slope = (f_high - f_low) / (high - low)
    scale = 100.0 * math.exp(-stock / kappa)
    if slope <= 0 or scale <= 0:
        return 0.0
    point = min(max(-kappa * math.log(slope * kappa / scale), low), high)
    return max(0.0, gain(stock, point, kappa) - (f_low + slope * (point - low)))
