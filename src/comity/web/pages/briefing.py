"""The briefing page: a partner nation's languages, calendar, culture and ties, ready to print.

``/briefing`` shows a form (nation, first and last day, the nation it is seen from: the user's
own by default) and the briefing below it, made by :func:`comity.services.culture.create_briefing`
from what the user may see. ``/briefing.pdf`` and ``/briefing.json`` give the same briefing as a
PDF (:func:`comity.culture.render_pdf`) and as JSON (:meth:`comity.culture.Briefing.to_dict`).
All three carry the print marking (:mod:`comity.culture.marking`): the releasability of what the
briefing holds, the viewer's nation, the day it was produced and the data version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from comity import services
from comity.access.viewer import Viewer
from comity.culture import Briefing, render_pdf, validate_window
from comity.culture.marking import PrintMarking, create_print_marking, read_data_version
from comity.errors import FieldProblem, UnknownNationError, ValidationError
from comity.services import culture
from comity.store import Store
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["BriefingForm", "router"]

router = WebRouter()

_Nation = Annotated[str | None, Query(max_length=100)]
_From = Annotated[str | None, Query(alias="from", max_length=20)]
_To = Annotated[str | None, Query(alias="to", max_length=20)]
_As = Annotated[str | None, Query(alias="as", max_length=100)]


@dataclass
class BriefingForm:
    """The briefing form as typed, and the problems found with it (field -> message).

    Attributes:
        nation: The nation briefed (any name or code).
        start: First day, ``YYYY-MM-DD`` (empty: today).
        end: Last day (empty: 90 days from the first).
        perspective: The nation it is seen from (empty: the user's own).
        errors: A message per field that is wrong (``nation``, ``from``, ``to``, ``as``).
    """

    nation: str = ""
    start: str = ""
    end: str = ""
    perspective: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def build(self, store: Store, viewer: Viewer) -> Briefing | None:
        """The briefing the form asks for; None (with :attr:`errors` filled) when it is wrong."""
        self.errors.clear()
        if not self.nation:
            self.errors["nation"] = "Name the nation to brief on."
        else:
            self._check_nation("nation", self.nation)
        if self.perspective:
            self._check_nation("as", self.perspective)
        first = self._day("from", self.start)
        last = self._day("to", self.end)
        try:
            if first is not None and last is not None:
                validate_window(first, last, subject="briefing window")
            if self.errors:
                return None
            return culture.create_briefing(
                store,
                viewer,
                self.nation,
                start=first,
                end=last,
                perspective=self.perspective or None,
            )
        except ValidationError as error:
            self._window_problems(error)
            return None

    def _window_problems(self, error: ValidationError) -> None:
        for problem in error.problems:
            where = problem.field if problem.field in ("from", "to") else "to"
            which = "The first day" if where == "from" else "The last day"
            text = f"{which} {problem.reason.replace('from (', 'the first day (')}."
            self.errors[where] = f"{text} {error.hint}" if error.hint else text

    def _check_nation(self, name: str, text: str) -> None:
        try:
            services.resolve_nation(text)
        except UnknownNationError as error:
            known = ", ".join(error.suggestions)
            self.errors[name] = error.message + (f" Did you mean: {known}?" if known else "")

    def _day(self, name: str, text: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors[name] = f"{text!r} is not a date: give it as YYYY-MM-DD."
            return None

    def problems(self) -> ValidationError:
        """The errors as one :class:`ValidationError` (for the PDF and JSON answers)."""
        return ValidationError(
            [FieldProblem(name, message) for name, message in self.errors.items()], "briefing"
        )


def _form(
    viewer: Viewer, nation: str | None, start: str | None, end: str | None, seen: str | None
) -> BriefingForm:
    if seen is None and viewer.nation:
        try:
            seen = services.resolve_nation(viewer.nation).name
        except UnknownNationError:
            seen = viewer.nation
    return BriefingForm(
        (nation or "").strip(), (start or "").strip(), (end or "").strip(), (seen or "").strip()
    )


def _marking(store: Store, viewer: Viewer, briefing: Briefing) -> PrintMarking:
    return create_print_marking(briefing, viewer, read_data_version(store))


def _marking_context(marking: PrintMarking) -> dict[str, Any]:
    return {**marking.to_dict(), "labels_text": marking.describe_labels()}


def _query(data: dict[str, Any]) -> str:
    perspective = data["perspective"]
    return urlencode(
        {
            "nation": data["nation"]["iso3"],
            "from": data["window"]["start"],
            "to": data["window"]["end"],
            "as": perspective["iso3"] if perspective else "",
        }
    )


@router.get("/briefing")
def briefing_page(
    request: Request,
    nation: _Nation = None,
    start: _From = None,
    end: _To = None,
    perspective: _As = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The form, and the briefing it asks for when a nation is given."""
    store = store_of(request)
    form = _form(viewer, nation, start, end, perspective)
    context: dict[str, Any] = {
        "title": "Briefing",
        "form": form,
        "names": [n.name for n in services.list_nations(store)],
        "b": None,
    }
    status = 200
    if nation is not None:
        briefing = form.build(store, viewer)
        if briefing is not None:
            data = briefing.to_dict()
            marking = _marking_context(_marking(store, viewer, briefing))
            context.update(title=data["title"], b=data, m=marking, query=_query(data))
            form.start = form.start or data["window"]["start"]
            form.end = form.end or data["window"]["end"]
        elif request.headers.get("hx-request") != "true":
            status = 422
    return render(request, "briefing/page.html", context, status=status)


def _briefing(
    request: Request,
    viewer: Viewer,
    nation: str | None,
    start: str | None,
    end: str | None,
    perspective: str | None,
) -> Briefing:
    form = _form(viewer, nation, start, end, perspective)
    briefing = form.build(store_of(request), viewer)
    if briefing is None:
        raise form.problems()
    return briefing


@router.get("/briefing.pdf")
def briefing_pdf(
    request: Request,
    nation: _Nation = None,
    start: _From = None,
    end: _To = None,
    perspective: _As = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """The briefing as a PDF file (A4, printable, made offline)."""
    briefing = _briefing(request, viewer, nation, start, end, perspective)
    marking = _marking(store_of(request), viewer, briefing)
    window = briefing.inputs.window
    name = f"briefing-{briefing.nation.iso3}-{window.start.isoformat()}-{window.end.isoformat()}"
    return Response(
        render_pdf(briefing, marking),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@router.get("/briefing.json")
def briefing_json(
    request: Request,
    nation: _Nation = None,
    start: _From = None,
    end: _To = None,
    perspective: _As = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """The briefing as JSON (what every rendering is made from), with its print marking."""
    briefing = _briefing(request, viewer, nation, start, end, perspective)
    marking = _marking(store_of(request), viewer, briefing)
    return JSONResponse({**briefing.to_dict(), "print_marking": marking.to_dict()})
