"""The tie-strength index, pair histories, nation profiles and the network, as JSON.

Every answer is computed from the records the caller may see (and cached per releasability
scope); each carries the method version and settings digest it was computed with. Every route
takes ``set=KEY=VALUE`` (repeatable) to change the index's settings for one answer.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import StringConstraints

from comity.access.viewer import Viewer
from comity.analytics.settings import parse_overrides, setting_keys
from comity.api.errors import json_answer
from comity.api.schemas import NationText
from comity.api.security import current_viewer
from comity.errors import FieldProblem, ValidationError
from comity.services import network
from comity.services import ties as ties_service
from comity.services.registry import resolve_nation
from comity.store import Store

__all__ = ["Overrides", "router"]

router = APIRouter(tags=["analytics"])

_Year = Annotated[int | None, Query(ge=1000, le=3000, description="Default: the latest year.")]

_SET_HELP = (
    "Change one setting of the index for this answer, as KEY=VALUE with a dotted key; repeat "
    "for more (set=weights.exercise=2&set=half_life=5). Values are TOML values: numbers, "
    "quoted strings, true/false, or bare words read as strings. The answer's settings_digest "
    "names the settings used; docs/methodology.md gives each range. Keys: "
    + ", ".join(setting_keys())
    + "."
)
_Assignment = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _overrides(
    viewer: Annotated[Viewer, Depends(current_viewer)],
    assignments: Annotated[
        list[_Assignment] | None,
        Query(
            alias="set",
            max_length=50,
            description=_SET_HELP,
            examples=[["weights.exercise=2", "half_life=5", "beyond_coverage=hold"]],
        ),
    ] = None,
) -> dict[str, Any]:
    """The overrides of the ``set`` parameters (a 422 naming the key when one is wrong).

    The caller is signed in first (``viewer``, shared with the route), so a request without
    credentials is a 401 whatever its parameters.
    """
    return parse_overrides(assignments or ())


Overrides = Annotated[dict[str, Any], Depends(_overrides)]
"""The ``set`` query parameters of a route, read into the overrides the services take."""


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get("/ties/{nation}", summary="A nation's partners, strongest tie first")
def ties(
    nation: NationText,
    request: Request,
    overrides: Overrides,
    year: _Year = None,
    top: Annotated[int | None, Query(ge=1, le=500)] = 20,
    robustness: Annotated[
        bool,
        Query(
            description="Add each tie's top10_chance (the share of 500 draws of the weights, "
            "each within ±50 %, in which the partner stays in the top 10) and rank_low, "
            "rank_high: the ranks it holds in 90 % of the draws (null: beyond the top 10)."
        ),
    ] = False,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """The tie-strength index (0-100) of a nation with each partner in a year, with components.

    Without ``year``, the default year: the last whose ties are mostly observed. Each tie names
    its ``projected_share`` (the part projected beyond the coverage of its sources) and its
    ``last_observed_year``; a year outside the index is a 404 that names the years it has.
    With ``robustness``, each tie says how sure its place in the top 10 is.
    """
    store = _store(request)
    found, result = ties_service.list_ties(
        store, viewer, nation, year=year, top=top, overrides=overrides
    )
    key = resolve_nation(nation, year=year).iso3
    chosen = result.default_year if year is None else year
    rows = [dataclasses.asdict(tie) for tie in found]
    if robustness:
        from comity.services.robustness import partner_stability

        stable, _ = partner_stability(
            store, viewer, key, year=chosen, overrides=overrides, partners=len(found)
        )
        by_partner = {s.partner: s.to_dict() for s in stable}
        for row in rows:
            known = by_partner.get(row["partner"], {})
            row["top10_chance"] = known.get("top_chance", 0.0)
            row["rank_low"], row["rank_high"] = known.get("rank_low"), known.get("rank_high")
    return json_answer(
        {
            "nation": key,
            "year": chosen,
            # Years after the default one are best estimates (see each tie's projected_share).
            "default_year": result.default_year,
            "last_year": result.horizon,
            "data_through": result.data_through,
            "method_version": result.settings.method_version,
            "settings_digest": result.settings.digest(),
            "ties": rows,
        }
    )


@router.get("/dyads/{first}/{second}", summary="A pair's history, year by year")
def dyad(
    first: NationText,
    second: NationText,
    request: Request,
    overrides: Overrides,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """The index of a pair every year with its components, the challenges, and recent records."""
    report = ties_service.pair_report(_store(request), viewer, first, second, overrides=overrides)
    return json_answer(report)


@router.get("/nations/{nation}/profile", summary="A nation's place in the network")
def profile(
    nation: NationText,
    request: Request,
    overrides: Overrides,
    first: Annotated[int | None, Query(alias="from", ge=1000, le=3000)] = None,
    last: Annotated[int | None, Query(alias="to", ge=1000, le=3000)] = None,
    viewer: Viewer = Depends(current_viewer),
) -> Response:
    """Network measures year by year, strongest partners, and its mix of mechanisms.

    The mechanisms are summed over the years ``from`` to ``to`` (default: the ten years ending
    with the latest), by kind and partner region and by year and kind.
    """
    if first is not None and last is not None and first > last:
        problem = FieldProblem("from", f"is after to={last}", str(first))
        raise ValidationError([problem], "window")
    document = network.profile_document(
        _store(request), viewer, nation, first, last, overrides=overrides
    )
    return Response(document, media_type="application/json")


@router.get("/network", summary="The network of one year")
def network_of_year(
    request: Request,
    overrides: Overrides,
    year: _Year = None,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Each nation's partners, strength, centralities and community, strongest first."""
    found = network.network_year(_store(request), viewer, year, overrides=overrides)
    return json_answer(found.to_dict())


@router.get("/compare/{first}/{second}", summary="Two nations side by side")
def compare(
    first: NationText,
    second: NationText,
    request: Request,
    overrides: Overrides,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Partners, strength and centralities year by year, and each one's mix of mechanisms."""
    report = network.compare_nations(_store(request), viewer, first, second, overrides=overrides)
    return json_answer(report)


@router.get("/outlook/{nation}", summary="A nation's priority ties projected ahead, at risk or not")
def outlook(
    nation: NationText,
    request: Request,
    partner: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None,
        Query(max_length=100, description="A priority partner (repeatable; default: the top)."),
    ] = None,
    threshold: Annotated[
        float, Query(gt=0, lt=100, description="The index each tie should stay above.")
    ] = 50.0,
    years: Annotated[int, Query(ge=1, le=20, description="How many years ahead.")] = 5,
    top: Annotated[
        int, Query(ge=1, le=100, description="Priority partners by default: the N strongest.")
    ] = 10,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Each priority tie's index projected ``years`` ahead of the present year.

    The projection keeps standing ties in force, recurring series still running and approved or
    scheduled plans; ``at_risk`` names the partners projected below ``threshold`` and
    ``remedies`` the cheapest of the nation's plans in draft, submitted or returned that keep
    each above it at its lowest point (``found`` false with a ``reason`` when none can).
    """
    from comity.services.outlook import nation_outlook

    return json_answer(
        nation_outlook(
            _store(request),
            viewer,
            nation,
            partners=partner,
            threshold=threshold,
            years=years,
            top=top,
        )
    )
