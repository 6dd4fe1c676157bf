"""A nation's outlook: its priority ties projected ahead, those at risk, and what would keep them.

For each priority partner (given, or the nation's strongest in the present year) the index is
projected from standing ties in force, recurring series and approved plans
(:mod:`comity.planning.outlook`); a tie projected below the user's threshold is at risk, and the
cheapest of the candidate engagements that keeps it above from then on is found through
the portfolio optimiser (:func:`comity.planning.optimiser.optimise`), by the smallest budget at
which the optimiser's choice lifts it enough in the last year it is below. Everything is read in
the viewer's view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.series import find_period
from comity.errors import FieldProblem, ValidationError
from comity.model.kinds import KINDS
from comity.model.vocabulary import PlanState
from comity.planning.candidates import Candidate
from comity.planning.gain import PLANNABLE_KINDS, contribution, stock_from_index
from comity.planning.optimiser import optimise
from comity.planning.outlook import (
    DEFAULT_THRESHOLD,
    DEFAULT_YEARS,
    Projection,
    next_occurrences,
    project,
)
from comity.services.analytics import compute_dyad_years
from comity.services.optimiser import plan_choices
from comity.services.pair_kinds import compute_pair_kind_years
from comity.services.plans import list_plans
from comity.services.registry import resolve_nation
from comity.services.ties import nation_rows, partner_of
from comity.store import Store
from comity.store.series_inputs import SeriesOccurrence, read_series_of_nation

__all__ = ["DEFAULT_TOP", "nation_outlook", "remedy"]

DEFAULT_TOP = 10
"""Priority partners by default: the nation's ten strongest ties in the present year."""
_PROJECTED_STATES = (PlanState.APPROVED, PlanState.SCHEDULED)
_REMEDY_STATES = (PlanState.DRAFT, PlanState.SUBMITTED, PlanState.RETURNED)
_BISECTIONS = 14


def _check(years: int, threshold: float, top: int) -> None:
    problems = []
    if not 1 <= years <= 20:
        problems.append(FieldProblem("years", "must be from 1 to 20", str(years)))
    if not 0 < threshold < 100:
        problems.append(FieldProblem("threshold", "must be above 0 and below 100", str(threshold)))
    if not 1 <= top <= 100:
        problems.append(FieldProblem("top", "must be from 1 to 100", str(top)))
    if problems:
        raise ValidationError(problems, "outlook")


def _standing(store: Store, viewer: Viewer, nation: str, year: int) -> dict[str, float]:
    import pyarrow.compute as pc

    table = compute_pair_kind_years(store, viewer)
    table = table.filter(
        pc.and_(
            pc.equal(table.column("year"), year),
            pc.is_in(table.column("kind"), value_set=_pa_strings(KINDS.standing)),
        )
    )
    found: dict[str, float] = defaultdict(float)
    for row in table.to_pylist():
        if nation in (row["n1"], row["n2"]):
            found[row["n2"] if row["n1"] == nation else row["n1"]] += float(row["c"])
    return dict(found)


def _pa_strings(values: Sequence[str]) -> Any:
    import pyarrow as pa

    return pa.array(list(values), pa.string())


def _series(
    occurrences: Sequence[SeriesOccurrence],
    nation: str,
    partner: str,
    settings: Any,
    first: int,
    final: int,
) -> tuple[dict[int, float], list[dict[str, Any]]]:
    """What the running series of ``nation`` with ``partner`` add in ``first``..``final``.

    A series runs on when it recurs (it has a period) and its last record is less than a period
    before the end of what its source covers (or, entered by hand, before ``first``); the partner
    counts when it took part in the series' last record; each later occurrence adds the mean
    contribution of the records the pair shared.
    """
    by_programme: dict[str, list[SeriesOccurrence]] = defaultdict(list)
    for occurrence in occurrences:
        by_programme[occurrence.programme].append(occurrence)
    added: dict[int, float] = defaultdict(float)
    described = []
    for name, records in sorted(by_programme.items()):
        period = find_period(r.start_year for r in records)
        last = max(records, key=lambda r: r.start_year)
        if period is None or partner not in last.nations or last.kind not in PLANNABLE_KINDS:
            continue
        # Entered by hand, a series is watched to the last complete year before the present.
        watched_to = last.last_covered if last.last_covered is not None else first - 2
        if last.start_year + period <= watched_to:
            continue  # a year it was due and its source watched passed without it: it ended
        shared = [r for r in records if partner in r.nations and r.kind in PLANNABLE_KINDS]
        each = sum(
            contribution(settings, r.kind, nations=max(2, len(r.nations)), personnel=r.personnel)
            for r in shared
        ) / len(shared)
        coming = next_occurrences(last.start_year, period, first, final)
        for year in coming:
            added[year] += each
        described.append(
            {
                "programme": name,
                "kind": last.kind,
                "period": period,
                "last_year": last.start_year,
                "years": coming,
                "each": round(each, 4),
            }
        )
    return dict(added), described


def _plans(store: Store, viewer: Viewer, nation: str, settings: Any) -> dict[str, dict[int, float]]:
    """Partner -> year -> what the approved and scheduled plans of ``nation`` add."""
    found: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for stored in list_plans(store, viewer, states=_PROJECTED_STATES):
        if stored.origin is not None:
            continue  # a partner's plan, received: it may be one of ours told again
        plan = stored.plan
        nations = {p.nation for p in plan.partners} | (
            {stored.owner_nation} if stored.owner_nation else set()
        )
        if nation not in nations or plan.kind.value not in PLANNABLE_KINDS:
            continue
        personnel = [p.personnel for p in plan.partners if p.personnel is not None]
        c = contribution(
            settings,
            plan.kind.value,
            nations=max(2, len(nations)),
            personnel=sum(personnel) if personnel else None,
        )
        for partner in nations - {nation}:
            found[partner][plan.start.year] += c
    return found


def nation_outlook(
    store: Store,
    viewer: Viewer,
    nation: str,
    *,
    partners: Sequence[str] | None = None,
    years: int = DEFAULT_YEARS,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = DEFAULT_TOP,
    candidates: Sequence[Candidate] | None = None,
) -> dict[str, Any]:
    """The nation's priority ties projected ``years`` ahead of the present, and remedies.

    Args:
        store: The store.
        viewer: Whose view.
        nation: Any name or code.
        partners: The priority partners (default: the ``top`` strongest in the present year).
        years: How many years ahead.
        threshold: The line (0-100) each tie should stay above.
        top: How many partners by default.
        candidates: Candidate engagements for the remedies (default: the nation's plans still
            in draft, submitted or returned that the viewer may see and that have a budget).

    Returns:
        JSON-ready: ``projections`` (one per partner, weakest lowest point first), ``at_risk``
        (partners), ``remedies`` (per partner at risk), and what the projection rests on.
    """
    _check(years, threshold, top)
    key = resolve_nation(nation).iso3
    result = compute_dyad_years(store, viewer)
    settings, base = result.settings, result.horizon
    indices = {partner_of(r, key): float(r["index"]) for r in nation_rows(result.table, key, base)}
    if partners:
        chosen = list(dict.fromkeys(resolve_nation(p).iso3 for p in partners))
    else:
        chosen = sorted(indices, key=lambda p: (-indices[p], p))[:top]
    standing = _standing(store, viewer, key, base)
    with store.connect() as connection:
        occurrences = read_series_of_nation(connection, viewer, key)
    planned = _plans(store, viewer, key, settings)
    projections: list[Projection] = []
    for partner in chosen:
        added, described = _series(occurrences, key, partner, settings, base + 1, base + years)
        projections.append(
            project(
                partner,
                base_year=base,
                base_stock=stock_from_index(indices.get(partner, 0.0), settings.kappa),
                decay=settings.decay,
                kappa=settings.kappa,
                years=years,
                threshold=threshold,
                standing=standing.get(partner, 0.0),
                series=added,
                plans=dict(planned.get(partner, {})),
                described=described,
            )
        )
    projections.sort(key=lambda p: (p.lowest[1], p.partner))
    at_risk = [p for p in projections if p.at_risk]
    offered = list(candidates) if candidates is not None else _remedy_candidates(store, viewer, key)
    remedies = {p.partner: remedy(p, offered, nation=key, settings=settings) for p in at_risk}
    return {
        "nation": key,
        "base_year": base,
        "years": years,
        "threshold": threshold,
        "data_through": result.data_through,
        "default_year": result.default_year,
        "method_version": settings.method_version,
        "settings_digest": settings.digest(),
        "projections": [p.to_dict() for p in projections],
        "at_risk": [p.partner for p in at_risk],
        "remedies": remedies,
        "candidates": len(offered),
    }


def _remedy_candidates(store: Store, viewer: Viewer, nation: str) -> list[Candidate]:
    return [
        c.candidate
        for c in plan_choices(store, viewer, nation)
        if c.candidate is not None and c.stored.state in _REMEDY_STATES
    ]


def remedy(
    projection: Projection,
    candidates: Sequence[Candidate],
    *,
    nation: str,
    settings: Any,
) -> dict[str, Any]:
    """The cheapest candidates that keep a tie at or above its threshold from its last year below.

    Lifting the stock of the last projected year below the threshold lifts every later year too
    (they are above already), so the tie ends the window above the line. The optimiser, given only
    this partner as priority and the projected stock of that year, chooses the plans of greatest
    gain within a budget; the smallest budget at which that gain is enough is found by bisection.
    Only candidates with the partner, from the year after the base year up to that year, help.
    """
    below = [(year, index) for year, index in projection.years if index < projection.threshold]
    if not below:
        return {"found": True, "plans": [], "titles": [], "cost": 0.0, "reason": "not at risk"}
    year, index = below[-1]
    stock = projection.stocks[[y for y, _ in projection.years].index(year)]
    usable = [
        c
        for c in candidates
        if projection.partner in c.nations(nation) and projection.base_year < c.year <= year
    ]
    needed = projection.threshold - index
    answer: dict[str, Any] = {"year": year, "index": round(index, 3), "needed": round(needed, 3)}
    if not usable:
        reason = (
            f"no candidate engagement with this partner from {projection.base_year + 1} to "
            f"{year}: add plans (draft, submitted or returned) or candidates"
        )
        return {**answer, "found": False, "reason": reason}

    def lift(budget: float) -> tuple[float, Any]:
        portfolio = optimise(
            usable,
            nation=nation,
            budget=budget,
            stocks={projection.partner: stock},
            settings=settings,
            priorities={projection.partner: 1.0},
            year=year,
            time_limit=10.0,
        )
        return portfolio.gains_by_partner.get(projection.partner, 0.0), portfolio

    everything = sum(c.cost for c in usable)
    most, best = lift(everything)
    if most + 1e-9 < needed:
        return {
            **answer,
            "found": False,
            "reason": f"all {len(usable)} candidates together lift it by {most:.1f} in {year}, "
            f"{needed:.1f} is needed",
        }
    low, high = 0.0, everything
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        rise, portfolio = lift(middle)
        if rise + 1e-9 >= needed:
            high, best = middle, portfolio
        else:
            low = middle
    rise = best.gains_by_partner.get(projection.partner, 0.0)
    return {
        **answer,
        "found": True,
        "plans": [pick.id for pick in best.chosen],
        "titles": [pick.title for pick in best.chosen],
        "cost": best.cost,
        "index_after": round(index + rise, 3),
    }
