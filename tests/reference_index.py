"""A slow, obviously correct implementation of the tie index, written straight from the method.

Used only by the tests, to check the SQL of ``comity.analytics.tie_index`` on random inputs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations
from typing import Any

from comity.analytics.settings import IndexSettings
from comity.analytics.tie_index import KINDS

PLEDGES = ("defence", "offence", "consultation", "entente", "neutrality", "non_aggression")


def base_weight(engagement: dict[str, Any], settings: IndexSettings) -> float:
    kind = engagement["kind"]
    if kind == "alliance":
        weights = [getattr(settings.alliance, p) for p in PLEDGES if engagement.get(f"p_{p}")]
        return max(weights, default=0.0)
    if kind == "visit":
        return float(getattr(settings.visit, engagement.get("level") or "other"))
    if kind == "education":
        students = engagement.get("students") or 0
        return settings.education.per_course + settings.education.per_student * students
    return float(getattr(settings.weights, kind))


def reference_dyad_years(
    engagements: list[dict[str, Any]],
    participants: list[dict[str, Any]],
    settings: IndexSettings,
    horizon: int,
) -> dict[tuple[str, str, int], dict[str, float]]:
    members: dict[int, list[str]] = defaultdict(list)
    for p in participants:
        members[p["engagement_id"]].append(p["nation"])
    by_kind: dict[tuple[str, str, int, str], list[float]] = defaultdict(list)
    for e in engagements:
        nations = members[e["engagement_id"]]
        if not nations:
            continue
        personnel = e.get("personnel")
        size = 1.0
        if personnel is not None and e["kind"] != "education":
            size = 1.0 + math.log10(1.0 + personnel / 100.0)
        c = base_weight(e, settings) * size * 2.0 / len(nations)
        last = e["last_year"] if e["last_year"] is not None else horizon
        for a, b in combinations(sorted(nations), 2):
            for year in range(e["first_year"], min(last, horizon) + 1):
                by_kind[(a, b, year, e["kind"])].append(c)
    yearly: dict[tuple[str, str], dict[int, dict[str, float]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for (a, b, year, kind), values in by_kind.items():
        if kind == "alliance":
            total = max(values)
        elif kind == "education":
            total = min(sum(values), settings.education.cap_per_year)
        else:
            total = sum(values)
        yearly[(a, b)][year][kind] = total
    d = 2.0 ** (-1.0 / settings.half_life)
    groups = settings.components.model_dump()
    out: dict[tuple[str, str, int], dict[str, float]] = {}
    for (a, b), years in yearly.items():
        stocks = {"index": 0.0, "interoperability": 0.0, "institutional": 0.0, "cultural": 0.0}
        for year in range(min(years), horizon + 1):
            kinds = years.get(year, {})
            parts = {
                "index": sum(kinds.values()),
                "interoperability": sum(
                    v for k, v in kinds.items() if k in groups["interoperability"]
                ),
                "institutional": sum(v for k, v in kinds.items() if k in groups["institutional"]),
                "cultural": sum(v for k, v in kinds.items() if k in groups["cultural"]),
            }
            row: dict[str, float] = {}
            for name in stocks:
                stocks[name] = stocks[name] * d + parts[name]
                row[name] = 100.0 * (1.0 - math.exp(-stocks[name] / settings.kappa))
            window = range(year - settings.window + 1, year + 1)
            active = sum(1 for y in window if sum(years.get(y, {}).values()) > 0)
            row["continuity"] = active / settings.window
            mix: dict[str, float] = defaultdict(float)
            for y in window:
                for kind, value in years.get(y, {}).items():
                    if value > 0:
                        mix[kind] += value
            total = sum(mix.values())
            entropy = -sum((v / total) * math.log(v / total) for v in mix.values()) if total else 0
            row["diversity"] = max(0.0, entropy / math.log(len(KINDS)))
            out[(a, b, year)] = row
    return out
