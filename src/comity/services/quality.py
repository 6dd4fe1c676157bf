"""Use case of the data-quality report: what the viewer may see, per unit or nation.

Besides completeness and timeliness, the report lists the recurring series (programmes) that
lack a record in a year they were expected in and their source observes
(:mod:`comity.analytics.series`).
"""

from __future__ import annotations

import copy
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.quality import create_quality_report
from comity.analytics.series import create_missing_series
from comity.errors import FieldProblem, ValidationError
from comity.services.cache import cache_key, remembered, viewer_scope
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store.changes import records_version
from comity.store.quality_inputs import read_quality_rows
from comity.store.series_inputs import read_series_inputs

__all__ = ["quality_report"]


def quality_report(
    store: Store, viewer: Viewer, *, nation: str | None = None, by: str = "unit", top: int = 20
) -> dict[str, Any]:
    """Completeness and timeliness of the records the viewer may see (of ``nation``, if given).

    Args:
        store: The store.
        viewer: Whose view; every figure counts only the records the viewer may see.
        nation: A nation's name or code: only its records, and only the series it takes part in.
        by: Group by ``unit`` or ``nation``.
        top: How many records to fix to list.

    Returns:
        The report of :func:`~comity.analytics.quality.create_quality_report`, plus ``nation``
        (the resolved code, or None) and ``expected_but_missing`` (the series of
        :func:`~comity.analytics.series.create_missing_series`).

    Raises:
        ValidationError: When ``by`` is neither unit nor nation, or ``top`` is below 1.
        UnknownNationError: When ``nation`` does not resolve.
    """
    problems = []
    if by not in ("unit", "nation"):
        problems.append(FieldProblem("by", "must be unit or nation", by))
    if top < 1:
        problems.append(FieldProblem("top", "must be 1 or more", str(top)))
    if problems:
        raise ValidationError(problems, "query")
    key = resolve_nation(nation).iso3 if nation else None
    with store.connect() as connection:
        version = records_version(connection)

    def compute() -> dict[str, Any]:
        with store.connect() as connection:
            rows = read_quality_rows(connection, viewer, key)
            series = read_series_inputs(connection, viewer, key)
        report = create_quality_report(rows, by=by, top=top)
        if key and by == "nation":
            report["groups"] = [g for g in report["groups"] if g["group"] == key]
        report["nation"] = key
        report["expected_but_missing"] = create_missing_series(series.rows, series.coverage)
        return report

    # Computed once per version of the records and view; every later request reads it.
    memo = cache_key("quality", store.describe_url(), version, viewer_scope(viewer), key, by, top)
    return copy.deepcopy(remembered(memo, compute, small=True))
