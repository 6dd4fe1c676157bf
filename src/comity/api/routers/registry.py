"""Nations and organisations (public reference data; a signed-in user is still needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from comity import services
from comity.access.viewer import Viewer
from comity.api.schemas import NationText, OrganisationCode
from comity.api.security import current_viewer
from comity.services.engagements import count_by_kind
from comity.store import Store

router = APIRouter(tags=["registry"])


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _nation(nation: Any) -> dict[str, Any]:
    data: dict[str, Any] = nation.model_dump(mode="json", exclude={"spells"})
    data["spells"] = [s.model_dump(mode="json") for s in nation.spells]
    data["state_years"] = nation.years
    return data


@router.get("/nations", summary="Nations, current and historical")
def nations(
    request: Request,
    search: Annotated[str | None, Query(max_length=100)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    historical: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """List nations by name, filtered by text, region and whether they still exist."""
    found = services.list_nations(
        _store(request), search=search, region=region, historical=historical
    )
    return {"items": [_nation(n) for n in found[offset : offset + limit]], "total": len(found)}


@router.get("/nations/{nation}", summary="A nation's profile")
def nation(
    nation: NationText,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """A nation by any name or code, with its memberships and engagement counts.

    Counts are by kind and cover only the engagements the caller may see.
    """
    store = _store(request)
    profile = services.get_nation(store, nation)
    return {
        **_nation(profile.nation),
        "codes": [c.model_dump(mode="json") for c in profile.codes],
        "memberships": [m.model_dump(mode="json") for m in profile.memberships],
        "engagements_by_kind": count_by_kind(store, viewer, profile.nation.iso3),
    }


@router.get("/organisations", summary="Organisations")
def organisations(
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """Organisations with their number of current members."""
    return [
        {**o.model_dump(mode="json"), "current_members": n}
        for o, n in services.list_organisations(_store(request))
    ]


@router.get("/organisations/{code}", summary="An organisation and its members over time")
def organisation(
    code: OrganisationCode,
    request: Request,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """An organisation's membership spells, or its members in ``year``."""
    found = services.get_organisation(_store(request), code, year=year)
    return {
        **found.organisation.model_dump(mode="json"),
        "memberships": [
            {**m.model_dump(mode="json"), "name": found.names[m.nation]} for m in found.memberships
        ],
    }
