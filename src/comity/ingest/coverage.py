"""What a dataset says it covers, in words: kinds, years and pairs.

Every importer declares its coverage as :class:`~comity.model.measures.CoverageSpan` rows (see
``tables.coverage``); ``comity sources``, the imports page and the import report show them with
:func:`describe_coverage`, so the three say the same thing.
"""

from __future__ import annotations

from comity.model.measures import CoverageSpan

__all__ = ["describe_coverage", "pairs_of", "years_of"]


def years_of(span: CoverageSpan) -> str:
    """The years covered: ``1815-2018``, or ``2015`` for a single year."""
    if span.first_year == span.last_year:
        return str(span.first_year)
    return f"{span.first_year}-{span.last_year}"


def pairs_of(span: CoverageSpan) -> str | None:
    """Which pairs an engagement span covers, or None for a span of other data (kind None).

    ``every pair``, ``pairs with USA`` or ``co-members of NATO``.
    """
    if span.kind is None:
        return None
    if span.organisation is not None:
        return f"co-members of {span.organisation}"
    if span.nation is not None:
        return f"pairs with {span.nation}"
    return "every pair"


def describe_coverage(span: CoverageSpan) -> str:
    """One span in words: ``alliance 1815-2018, every pair``; other data: ``1816-2016``.

    A span of other data that covers one nation only names it (``1992-2012, USA``).
    """
    pairs = pairs_of(span)
    if pairs is None:
        return years_of(span) + (f", {span.nation}" if span.nation else "")
    return f"{span.kind} {years_of(span)}, {pairs}"
