"""Data quality of the engagement records: completeness and timeliness, per unit or nation.

Unit of analysis: a group of engagement records, either the **unit** that recorded them or each
participating **nation** (a record counts for every nation taking part). The unit is the dataset
a record was imported from (``dataset:mme_exercises``); for records entered by hand, the
organisation of the account that created it (``organisation:NATO``), else that account's nation
(``nation:USA``), else the local operator who created it (``local:cli:alice``).

- **Required** fields: title, kind, start date, at least two participating nations.
- **Recommended** fields by kind (:data:`RECOMMENDED`): host, location (a place name or
  coordinates), end date, personnel (of any participant), objectives, sources (a source
  document or the imported dataset), plus students for education and the level for visits;
  standing ties (agreements, alliances) and media events need fewer.
- **Completeness** of a record: the share of its recommended fields filled; of a group, the mean.
- **Timeliness**: days from the engagement's end (its start when it has no end) to the day its
  record was created (0 when recorded in advance); median and 90th percentile (linear
  interpolation between order statistics).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from comity.model.kinds import COMMON_RECOMMENDED, KINDS

__all__ = ["RECOMMENDED", "REQUIRED", "create_quality_report", "unit_of"]

REQUIRED = ("title", "kind", "start", "participants")
_COMMON = COMMON_RECOMMENDED
RECOMMENDED: dict[str, tuple[str, ...]] = KINDS.recommended
"""The recommended fields of each kind (:data:`comity.model.kinds.KINDS`)."""


def unit_of(row: Any) -> str:
    """The unit that recorded a row (see the module docstring)."""
    if row.source_dataset:
        return f"dataset:{row.source_dataset}"
    if row.organisation:
        return f"organisation:{row.organisation}"
    if row.account_nation:
        return f"nation:{row.account_nation}"
    return f"local:{row.created_by}"


def _filled(row: Any, name: str) -> bool:
    match name:
        case "host":
            return row.host is not None
        case "location":
            return bool(row.location) or bool(row.has_coordinates)
        case "end_date":
            return row.end is not None
        case "personnel":
            return bool(row.personnel_known)
        case "objectives":
            return bool(row.objectives > 0)
        case "sources":
            return bool(row.has_sources) or bool(row.source_dataset)
        case "students":
            return row.details.get("students") is not None
        case "level":
            return row.details.get("level") not in (None, "")
        case "participants":
            return len(row.nations) >= 2
        case _:
            return bool(getattr(row, name, None))


def _lag(row: Any) -> int:
    ended = row.end or row.start
    return max(0, int((row.created_at.date() - ended).days))


@dataclass
class _Group:
    records: int = 0
    required: int = 0
    completeness: float = 0.0
    lags: list[int] = field(default_factory=list)
    asked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    filled: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _p90(values: Sequence[int]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=10, method="inclusive")[8])


def create_quality_report(
    rows: Iterable[Any], *, by: str = "unit", top: int = 20
) -> dict[str, Any]:
    """Completeness and timeliness per group, the top gaps and the records to fix first.

    Args:
        rows: :class:`~comity.store.quality_inputs.QualityRow` records.
        by: ``unit`` or ``nation``.
        top: How many records to fix to list.

    Returns:
        ``{"by", "groups": [...], "gaps": [...], "records_to_fix": [...]}``; each group has
        ``group, records, required_complete, completeness, fields (name -> filled share), gaps
        (its three least filled fields), timeliness_median_days, timeliness_p90_days``.

    Raises:
        ValueError: When ``by`` is neither unit nor nation.
    """
    if by not in ("unit", "nation"):
        raise ValueError("by must be unit or nation")
    groups: dict[str, _Group] = defaultdict(_Group)
    overall = _Group()
    to_fix: list[tuple[float, int, dict[str, Any]]] = []
    for row in rows:
        wanted = RECOMMENDED.get(row.kind, _COMMON)
        missing = [name for name in wanted if not _filled(row, name)]
        share = 1 - len(missing) / len(wanted) if wanted else 1.0
        complete = all(_filled(row, name) for name in REQUIRED)
        keys = [unit_of(row)] if by == "unit" else list(row.nations)
        for target in [*(groups[k] for k in keys), overall]:
            target.records += 1
            target.required += complete
            target.completeness += share
            target.lags.append(_lag(row))
            for name in wanted:
                target.asked[name] += 1
                target.filled[name] += name not in missing
        if missing:
            to_fix.append(
                (
                    share,
                    row.id,
                    {
                        "id": row.id,
                        "title": row.title,
                        "kind": row.kind,
                        "unit": unit_of(row),
                        "completeness": share,
                        "missing": missing,
                    },
                )
            )
    to_fix.sort(key=lambda item: (item[0], item[1]))
    return {
        "by": by,
        "groups": [_summary(name, group) for name, group in sorted(groups.items())],
        "gaps": _summary("all", overall)["gaps"] if overall.records else [],
        "overall": _summary("all", overall) if overall.records else None,
        "records_to_fix": [item[2] for item in to_fix[:top]],
    }


def _summary(name: str, group: _Group) -> dict[str, Any]:
    fields = {f: group.filled[f] / group.asked[f] for f in sorted(group.asked)}
    gaps = sorted(fields.items(), key=lambda item: (item[1], item[0]))
    return {
        "group": name,
        "records": group.records,
        "required_complete": group.required / group.records,
        "completeness": group.completeness / group.records,
        "fields": fields,
        "gaps": [{"field": f, "filled": share} for f, share in gaps[:3] if share < 1],
        "timeliness_median_days": float(statistics.median(group.lags)) if group.lags else None,
        "timeliness_p90_days": _p90(group.lags),
    }
