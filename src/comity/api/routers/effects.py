"""Effect estimates: did a programme, a kind of engagement or a command's plans work?

The answer rests on the records the caller may see; when the data cannot answer, it is still a
200 whose ``answerable`` is false and whose ``reason`` says why (docs/effects.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from comity.access.viewer import Viewer
from comity.api.errors import json_answer
from comity.api.security import current_viewer
from comity.services.effects import DESIGNS, OUTCOMES, TreatmentSpec, estimate_effect
from comity.store import Store

__all__ = ["router"]

router = APIRouter(tags=["effects"])

_Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_Year = Annotated[int | None, Query(ge=1000, le=3000)]


@router.get("/effects", summary="The effect of a treatment on the provider's pairs")
def effect(
    request: Request,
    provider: Annotated[
        str, Query(min_length=1, max_length=100, description="The nation that gave it.")
    ],
    programme: Annotated[
        list[_Name] | None,
        Query(max_length=20, description="Programmes (IMET): records they name or funded."),
    ] = None,
    kind: Annotated[
        list[_Name] | None, Query(max_length=20, description="Kinds of engagement (training).")
    ] = None,
    series: Annotated[
        str | None, Query(min_length=1, max_length=200, description="An exercise series.")
    ] = None,
    plans: Annotated[bool, Query(description="The provider's executed plans.")] = False,
    outcome: Annotated[
        str, Query(pattern=f"^({'|'.join(OUTCOMES)})$", description="What may have changed.")
    ] = "exercises",
    design: Annotated[str, Query(pattern=f"^({'|'.join(DESIGNS)})$")] = "did",
    pair: Annotated[
        str | None, Query(min_length=1, max_length=200, description="For synth: USA-PHL.")
    ] = None,
    from_year: _Year = None,
    to_year: _Year = None,
    pre_years: Annotated[int | None, Query(ge=1, le=30)] = None,
    post_years: Annotated[int, Query(ge=0, le=30)] = 4,
    treatment_year: _Year = None,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """The estimate, its 95 % interval, the pairs compared and a verdict, or why not.

    ``design=did``: stacked difference-in-differences over every treated pair (with the pre-trend
    test and the effect by year relative to the treatment); ``design=synth``: synthetic control
    for ``pair``. The outcome never counts the treatment's own kind.
    """
    spec = TreatmentSpec(
        provider=provider,
        programmes=tuple(programme or ()),
        kinds=tuple(kind or ()),
        series=series,
        plans=plans,
    )
    store: Store = request.app.state.store
    answer = estimate_effect(
        store,
        viewer,
        treatment=spec,
        outcome=outcome,
        design=design,
        pair=pair,
        from_year=from_year,
        to_year=to_year,
        pre_years=pre_years,
        post_years=post_years,
        treatment_year=treatment_year,
    )
    return json_answer(answer)
