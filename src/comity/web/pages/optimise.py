"""The optimiser page: paste or upload candidate plans, set a budget and priorities, see the pick.

``GET /optimise`` shows the form; ``POST /optimise`` runs
:func:`comity.services.optimiser.optimise_portfolio` for the signed-in user (analysts and up) and
shows the chosen plans with their marginal gains, the explanation and the greedy comparison.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from comity.access.viewer import Role, Viewer
from comity.errors import ComityError, FieldProblem, ValidationError
from comity.planning.candidates import read_candidates
from comity.planning.optimiser import Rules
from comity.services import optimiser as optimiser_service
from comity.services.engagements import require
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

_EXAMPLE = """id,title,kind,partners,host,year,personnel,cost,window
A,Pacific drill,exercise,PHL,PHL,2027,900,50,spring
B,Port call Manila,port_call,PHL,,2027,,10,spring
C,Staff talks,visit,JPN,,2027,,20,
"""

_FIELDS = ("budget", "priorities", "max_per_partner", "include", "exclude", "year", "nation")


@router.get("/optimise")
def optimise_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The form, with an example of candidate plans."""
    require(viewer, Role.ANALYST, "optimise portfolios")
    values = {"csv": _EXAMPLE, "budget": "60", "priorities": "", "nation": viewer.nation or ""}
    context: dict[str, Any] = {
        "title": "Optimise",
        "values": values,
        "result": None,
        "problems": [],
    }
    return render(request, "optimise.html", context)


def _words(text: str) -> list[str]:
    return [w for w in text.replace(",", " ").split() if w]


def _number(values: dict[str, str], name: str, kind: type) -> Any:
    text = values.get(name, "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise ValidationError([FieldProblem(name, "must be a number", text)], "form") from None


async def _values(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in (*_FIELDS, "csv", "source")}
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            values["csv"] = (await upload.read()).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError([FieldProblem("file", "is not UTF-8 text")], "form") from None
    return values


@router.post("/optimise")
async def optimise_run(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Run the optimiser on the form; problems come back beside the form."""
    require(viewer, Role.ANALYST, "optimise portfolios")
    values = await _values(request)
    context: dict[str, Any] = {
        "title": "Optimise",
        "values": values,
        "result": None,
        "problems": [],
    }
    try:
        budget = _number(values, "budget", float)
        if budget is None:
            raise ValidationError([FieldProblem("budget", "give a budget")], "form")
        if values["source"] == "plans":
            candidates, context["left_out"] = optimiser_service.candidates_from_plans(
                store_of(request), viewer, values["nation"].strip() or None
            )
        else:
            file_format = "json" if values["csv"].lstrip().startswith("[") else "csv"
            candidates = read_candidates(values["csv"], file_format)
        rules = Rules(
            max_per_partner=_number(values, "max_per_partner", int),
            include=frozenset(_words(values["include"])),
            exclude=frozenset(_words(values["exclude"])),
        )
        priorities = optimiser_service.parse_priorities(_words(values["priorities"])) or None
        context["result"] = optimiser_service.optimise_portfolio(
            store_of(request),
            viewer,
            candidates,
            budget=budget,
            nation=values["nation"].strip() or None,
            priorities=priorities,
            rules=rules,
            year=_number(values, "year", int),
            time_limit=30.0,
        )
    except ComityError as error:
        problems = error.problems if isinstance(error, ValidationError) else []
        context.update(error=error, problems=problems)
        return render(request, "optimise.html", context, status=422)
    return render(request, "optimise.html", context)
