"""A slow, obviously correct implementation of the tie index, written straight from the method.

Used only by the tests, to check the SQL of ``comity.analytics.tie_index`` on random inputs:
contributions, coverage and what happens beyond it (``beyond_coverage``), standing ties carried
past the end of their source, succession of states (lineages and labels), memory, scale,
components, cooperative continuity and diversity (docs/methodology.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations
from typing import Any

from comity.analytics.settings import IndexSettings
from comity.analytics.tie_index import KINDS

PLEDGES = ("defence", "offence", "consultation", "entente", "neutrality", "non_aggression")
COOPERATIVE = ("defence", "offence", "consultation", "entente")
STANDING = ("alliance", "agreement", "posting", "presence")
EPSILON = 1e-12

Row = dict[str, Any]


def base_weight(engagement: Row, settings: IndexSettings) -> float:
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


def size_factor(engagement: Row) -> float:
    """1 + log10(1 + tiv / 10) for an arms transfer, 1 + log10(1 + personnel / 100) otherwise."""
    if engagement["kind"] == "arms_transfer":
        tiv = engagement.get("tiv")
        return 1.0 if tiv is None else 1.0 + math.log10(1.0 + tiv / 10.0)
    personnel = engagement.get("personnel")
    if personnel is None or engagement["kind"] == "education":
        return 1.0
    return 1.0 + math.log10(1.0 + personnel / 100.0)


def cooperative(engagement: Row) -> int:
    if engagement["kind"] == "media_event":
        return 0
    if engagement["kind"] == "alliance":
        return int(any(engagement.get(f"p_{p}") for p in COOPERATIVE))
    return 1


def aggregate(kind: str, values: list[float], settings: IndexSettings) -> float:
    if not values:
        return 0.0
    if kind == "alliance":
        return max(values)
    if kind == "education":
        return min(sum(values), settings.education.cap_per_year)
    return sum(values)


def _contributions(
    engagements: list[Row],
    participants: list[Row],
    settings: IndexSettings,
    horizon: int,
    heirs: dict[str, list[str]],
) -> list[tuple[tuple[str, str], int, str, float, int, int | None]]:
    """(pair, year, kind, c, coop, carried_after) of every engagement's pairs and years."""
    members: dict[int, list[str]] = defaultdict(list)
    for p in participants:
        members[p["engagement_id"]].append(p["nation"])
    out = []
    for e in engagements:
        nations = members[e["engagement_id"]]
        if not nations:
            continue
        size = size_factor(e)
        c = base_weight(e, settings) * size * 2.0 / len(nations)
        last = e["last_year"] if e["last_year"] is not None else horizon
        carried_after = e.get("source_last_year") if e["last_year"] is None else None
        for a, b in combinations(nations, 2):
            for la in heirs.get(a, [a]):
                for lb in heirs.get(b, [b]):
                    if la == lb:
                        continue
                    pair = (min(la, lb), max(la, lb))
                    for year in range(e["first_year"], min(last, horizon) + 1):
                        out.append((pair, year, e["kind"], c, cooperative(e), carried_after))
    return out


def _label(lineage: str, year: int, labels: dict[str, list[Row]]) -> str | None:
    rows = labels.get(lineage)
    if not rows:
        return lineage
    for row in rows:
        if row["first_year"] <= year <= row["last_year"]:
            return str(row["label"]) if row["is_primary"] else None
    return None


def reference_dyad_years(
    engagements: list[Row],
    participants: list[Row],
    settings: IndexSettings,
    horizon: int,
    *,
    coverage: list[Row] | None = None,
    lineage: list[tuple[str, str]] | None = None,
    labels: list[Row] | None = None,
) -> dict[tuple[str, str, int], dict[str, float | None]]:
    heirs: dict[str, list[str]] = defaultdict(list)
    for nation, heir in lineage or []:
        heirs[nation].append(heir)
    by_lineage: dict[str, list[Row]] = defaultdict(list)
    for row in labels or []:
        by_lineage[row["lineage"]].append(row)
    n = settings.projection_years
    d = 2.0 ** (-1.0 / settings.half_life)
    mode = settings.beyond_coverage
    rows = _contributions(engagements, participants, settings, horizon, dict(heirs))

    # Coverage of each pair and kind: every pair, or the pairs with one nation.
    def covered(pair: tuple[str, str], kind: str) -> tuple[int | None, int | None]:
        found = [
            r
            for r in coverage or []
            if r["kind"] == kind and (r["nation"] is None or r["nation"] in pair)
        ]
        if not found:
            return None, None
        return min(r["first_year"] for r in found), max(r["last_year"] for r in found)

    own_end: dict[tuple[tuple[str, str], str], int] = {}
    for pair, year, kind, _, _, after in rows:
        if after is not None and year > after:
            key = (pair, kind)
            own_end[key] = max(own_end.get(key, after), after)

    obs: dict[tuple[tuple[str, str], str, int], list[float]] = defaultdict(list)
    every: dict[tuple[tuple[str, str], str, int], list[float]] = defaultdict(list)
    coops: dict[tuple[tuple[str, str], str, int], int] = defaultdict(int)
    for pair, year, kind, c, coop, after in rows:
        carried = after is not None and year > after
        if carried:
            _, until = covered(pair, kind)
            if until is not None and after < until:
                continue
        else:
            obs[(pair, kind, year)].append(c)
        every[(pair, kind, year)].append(c)
        coops[(pair, kind, year)] = max(coops[(pair, kind, year)], coop)

    cells = set(every)
    pair_kinds = {(pair, kind) for pair, kind, _ in cells}
    limits: dict[tuple[tuple[str, str], str], tuple[int, float, float, int]] = {}
    for pair, kind in pair_kinds:
        first, until = covered(pair, kind)
        last = until if until is not None else own_end.get((pair, kind))
        if last is None or last >= horizon:
            continue
        start = first if first is not None else last - n + 1
        recent = range(max(start, last - n + 1), last + 1)
        values = {
            y: aggregate(k, obs.get((p, k, y), []), settings)
            for (p, k, y) in cells
            if p == pair and k == kind
        }
        rate = sum(values.get(y, 0.0) for y in recent) / len(recent)
        hold = (1.0 - d) * sum(v * d ** (last - y) for y, v in values.items() if y <= last)
        coop = max((coops[(pair, kind, y)] for y in values if y <= last), default=0)
        limits[(pair, kind)] = (last, rate, hold, coop)
        if (kind not in STANDING and rate > 0) or (mode == "hold" and hold > 0):
            for year in range(last + 1, horizon + 1):
                cells.add((pair, kind, year))
                coops[(pair, kind, year)] = max(coops[(pair, kind, year)], coop)

    groups = settings.components.model_dump()
    yearly: dict[tuple[str, str], dict[int, dict[str, float]]] = defaultdict(dict)
    for pair, kind, year in cells:
        o = aggregate(kind, obs.get((pair, kind, year), []), settings)
        a = aggregate(kind, every.get((pair, kind, year), []), settings)
        limit = limits.get((pair, kind))
        if limit is None or year <= limit[0]:
            est = o
        elif kind in STANDING:
            est = a
        else:
            est = max(a, limit[1])
        if mode == "project":
            v = est
        elif mode == "hold":
            v = o if limit is None or year <= limit[0] else max(o, limit[2])
        else:
            v = o
        slot = yearly[pair].setdefault(year, defaultdict(float))
        slot["total"] += v
        slot["proj"] += v - o
        for name in ("interoperability", "institutional", "cultural"):
            if kind in groups[name]:
                slot[name] += v
        if coops[(pair, kind, year)] and v > 0:
            slot["coop"] = 1.0
        if est > o + EPSILON:
            slot["unobserved"] = 1.0
        if v > 0:
            slot[f"kind:{kind}"] += v

    out: dict[tuple[str, str, int], dict[str, float | None]] = {}
    for pair, years in yearly.items():
        unobserved = [y for y, s in years.items() if s.get("unobserved")]
        first_unobserved = min(unobserved) if unobserved else None
        stocks = dict.fromkeys(
            ("index", "interoperability", "institutional", "cultural", "proj"), 0.0
        )
        for year in range(min(years), horizon + 1):
            slot = years.get(year, {})
            parts = {
                "index": slot.get("total", 0.0),
                "proj": slot.get("proj", 0.0),
                **{g: slot.get(g, 0.0) for g in ("interoperability", "institutional", "cultural")},
            }
            for name in stocks:
                stocks[name] = stocks[name] * d + parts[name]
            a = _label(pair[0], year, by_lineage)
            b = _label(pair[1], year, by_lineage)
            if a is None or b is None:
                continue
            window = range(year - settings.window + 1, year + 1)
            row: dict[str, float | None] = {
                name: 100.0 * (1.0 - math.exp(-stocks[name] / settings.kappa))
                for name in ("index", "interoperability", "institutional", "cultural")
            }
            row["continuity"] = sum(1 for y in window if years.get(y, {}).get("coop")) / len(window)
            mix: dict[str, float] = defaultdict(float)
            for y in window:
                for key, value in years.get(y, {}).items():
                    if key.startswith("kind:") and value > 0:
                        mix[key] += value
            total = sum(mix.values())
            entropy = -sum((v / total) * math.log(v / total) for v in mix.values()) if total else 0
            row["diversity"] = max(0.0, entropy / math.log(len(KINDS)))
            row["projected_share"] = (
                stocks["proj"] / stocks["index"] if stocks["index"] > 0 else 0.0
            )
            row["last_observed_year"] = (
                year
                if first_unobserved is None or year < first_unobserved
                else first_unobserved - 1
            )
            if mode == "missing" and first_unobserved is not None and year >= first_unobserved:
                for name in (
                    "index",
                    "interoperability",
                    "institutional",
                    "cultural",
                    "continuity",
                    "diversity",
                    "projected_share",
                ):
                    row[name] = None
            out[(min(a, b), max(a, b), year)] = row
    return out
