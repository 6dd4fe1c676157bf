"""Use case of the data-quality report: what the viewer may see, per unit or nation."""

from __future__ import annotations

from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.quality import create_quality_report
from comity.errors import FieldProblem, ValidationError
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store.quality_inputs import read_quality_rows

__all__ = ["quality_report"]


def quality_report(
    store: Store, viewer: Viewer, *, nation: str | None = None, by: str = "unit", top: int = 20
) -> dict[str, Any]:
    """Completeness and timeliness of the records the viewer may see (of ``nation``, if given).

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
        rows = read_quality_rows(connection, viewer, key)
    report = create_quality_report(rows, by=by, top=top)
    if key and by == "nation":
        report["groups"] = [g for g in report["groups"] if g["group"] == key]
    report["nation"] = key
    return report
