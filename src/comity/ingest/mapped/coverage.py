"""The coverage a user's own import declares: what its mapping states, the rest from its rows.

A mapping's ``[coverage]`` section (:class:`~comity.ingest.mapped.mapping.CoverageSection`) may
state the first and last year, the kinds and the pairs its files cover. What it leaves out is
assumed from the rows: the first and last year they span (starts and ends), the kinds they hold,
every pair. Beyond its coverage a pair's silence is unobserved, not zero, so assuming "every pair"
for a file of one nation's own engagements would read every other pair as having none: the import
report says what was assumed and, when the pairs were, how to state them.
"""

from __future__ import annotations

from dataclasses import dataclass

from comity.ingest.base import ImportContext
from comity.ingest.mapped.mapping import Mapping
from comity.model.measures import CoverageSpan
from comity.model.prepared import EngagementColumns

__all__ = ["PAIRS_HINT", "MappedCoverage", "mapped_coverage"]

PAIRS_HINT = (
    "If the file covers only some nations' pairs (say, one nation's own engagements), state them "
    'in the mapping: [coverage] pairs = ["USA"]; see docs/importing.md.'
)
_FIELD = "coverage.pairs"


@dataclass(frozen=True)
class MappedCoverage:
    """The spans an import declares, which parts were assumed, and the advice to give.

    Attributes:
        spans: One span per kind, for every pair or per nation named.
        assumed: The parts taken from the rows (``years``, ``kinds``, ``pairs``), in that order.
        hint: How to state the pairs, when they were assumed.
    """

    spans: list[CoverageSpan]
    assumed: tuple[str, ...]
    hint: str | None


def mapped_coverage(
    mapping: Mapping, found: EngagementColumns, context: ImportContext
) -> MappedCoverage | None:
    """The coverage of an import of ``found`` under ``mapping``, or None on a problem.

    Nations named in ``pairs`` resolve like the file's (with the mapping's ``[names]``); one that
    does not, or stated years that leave the rows' span empty, is an issue on the mapping file.

    Args:
        mapping: The mapping, with its ``[coverage]`` section.
        found: The engagements read (at least one).
        context: Where nations resolve and problems go.
    """
    stated = mapping.coverage
    file = mapping.source.name if mapping.source is not None else "mapping"
    ends = [year for year in found.end_year if year is not None]
    first = stated.first_year if stated.first_year is not None else min(found.start_year)
    last = stated.last_year
    if last is None:
        last = max(max(found.start_year), *ends) if ends else max(found.start_year)
    if last < first:
        reason = f"is after the last year of the records ({last}); give last_year too"
        context.issue(file, None, reason, column="coverage.first_year", value=first)
        return None
    kinds = [k.value for k in stated.kinds] if stated.kinds else sorted(set(found.kind))
    nations: list[str | None] = [None]
    if isinstance(stated.pairs, tuple):
        keys = [context.resolve(text, file=file, row=None, column=_FIELD) for text in stated.pairs]
        if None in keys:
            return None
        nations = list(dict.fromkeys(keys))
    assumed = tuple(
        part
        for part, given in (
            ("years", stated.first_year is not None and stated.last_year is not None),
            ("kinds", stated.kinds is not None),
            ("pairs", stated.pairs is not None),
        )
        if not given
    )
    note = "stated in the mapping" if not assumed else f"{', '.join(assumed)} assumed from rows"
    spans = [
        CoverageSpan(mapping.dataset.name, first, last, nation=nation, note=note, kind=kind)
        for kind in kinds
        for nation in nations
    ]
    return MappedCoverage(spans, assumed, PAIRS_HINT if "pairs" in assumed else None)
