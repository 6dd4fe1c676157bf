"""The dashboard: a nation's ties in a year, on a map, in a table, over time, and its mechanisms.

``GET /`` shows the page for ``?nation=`` (any name or code; default: the viewer's nation) and
``?year=`` (default: the latest year of the index). An HTMX request gets only the part below the
form, so changing the nation or the year redraws without a full reload. The mechanisms (the kinds
of engagement a nation uses, by partner region) take the longest to compute, so they load after
the page from ``GET /dashboard/mechanisms``.

Every number comes from :func:`comity.services.ties.list_ties` and
:func:`comity.services.network.nation_profile` for the signed-in viewer: only records releasable
to the viewer's nation count.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from comity import services
from comity.access.viewer import Viewer
from comity.errors import FieldProblem, NotFoundError, UnknownNationError, ValidationError
from comity.model import Nation
from comity.services import network as network_service
from comity.services import ties as ties_service
from comity.store import Store
from comity.web.charts import map_spec, trend_spec
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

TOP_PARTNERS = 10
"""Rows of the top-partners table."""
TREND_PARTNERS = 5
"""Partners (the strongest of the chosen year) drawn in the trends chart."""
COMPONENTS = ("interoperability", "institutional", "cultural", "continuity", "diversity")
"""The index's components, in the order of the methodology."""
METHODOLOGY = "docs/methodology.md"
"""Where the index is explained."""
FALLBACK_NATION = "USA"
"""The nation shown to a viewer without one (accounts always have one)."""


def _is_fragment(request: Request) -> bool:
    """True for an HTMX swap (not a history restore, which needs the whole page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def parse_year(text: str | None) -> int | None:
    """A year from a query parameter; blank means the default.

    Raises:
        ValidationError: When the text is not a whole number.
    """
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        problem = FieldProblem("year", "must be a whole number such as 2005", text)
        raise ValidationError([problem], "dashboard") from None


def pair_path(first: str, second: str) -> str:
    """The pair page of two nations (keys in table order, as the pair page expects)."""
    a, b = sorted((first, second))
    return f"/pairs/{a}/{b}"


def suggestions_of(error: Exception) -> list[tuple[str, str]]:
    """The nations an unknown name may have meant, each as (label, key to search for)."""
    if not isinstance(error, UnknownNationError):
        return []
    return [(candidate.label, candidate.key) for candidate in error.candidates]


@router.get("/")
def dashboard(
    request: Request,
    nation: str | None = None,
    year: str | None = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """A nation's ties in a year (default: the viewer's nation in the latest year)."""
    store = store_of(request)
    nations = services.list_nations(store)
    context: dict[str, Any] = {
        "title": "Dashboard",
        "nation_names": sorted({n.name for n in nations}),
        "nation_input": (nation or "").strip() or viewer.nation or FALLBACK_NATION,
        "year_input": year or "",
        "methodology": METHODOLOGY,
    }
    try:
        context.update(
            _dashboard(
                store,
                viewer,
                context["nation_input"],
                parse_year(year),
                {n.iso3: n for n in nations},
            )
        )
    except (UnknownNationError, ValidationError, NotFoundError) as error:
        context["problem"] = error
        context["suggestions"] = suggestions_of(error)
    if not (nation or "").strip() and "nation" in context:
        context["nation_input"] = context["nation"].name  # the viewer's nation, by name
    context["fragment"] = _is_fragment(request)
    template = "fragments/dashboard_body.html" if context["fragment"] else "dashboard.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def _dashboard(
    store: Store, viewer: Viewer, text: str, year: int | None, registry: dict[str, Nation]
) -> dict[str, Any]:
    """Everything the page shows for a nation and a year (see the templates)."""
    nation = services.resolve_nation(text, year=year)
    key = nation.iso3
    ties, result = ties_service.list_ties(store, viewer, key, year=year)
    chosen = result.default_year if year is None else year

    def name_of(code: str) -> str:
        found = registry.get(code)
        return found.name if found else code

    previous = ties_service.partner_indices(result, key, chosen - 1)
    top = [
        {
            "partner": tie.partner,
            "name": name_of(tie.partner),
            "index": tie.index,
            "change": tie.index - previous.get(tie.partner, 0.0),
            "projected_share": tie.projected_share,
            "last_observed_year": tie.last_observed_year,
            "components": {c: getattr(tie, c) for c in COMPONENTS},
            "pair_path": pair_path(key, tie.partner),
        }
        for tie in ties[:TOP_PARTNERS]
    ]
    trend_names = {tie.partner: name_of(tie.partner) for tie in ties[:TREND_PARTNERS]}
    trends = ties_service.tie_trends(result, key, list(trend_names))
    strength = sum(tie.index for tie in ties)
    projected = sum(tie.index * tie.projected_share for tie in ties) / strength if strength else 0.0
    return {
        "nation": nation,
        "key": key,
        "year": chosen,
        "years": list(range(result.horizon, result.first_year() - 1, -1)),
        "default_year": result.default_year,
        "horizon": result.horizon,
        "data_through": result.data_through,
        "projected_share": projected,
        "ties": ties,
        "top": top,
        "previous_count": len(previous),
        "span": ties_service.tie_span(result, key),
        "trends": trends.rows,
        "trend_names": trend_names,
        "map_spec": map_spec(nation, ties, registry, chosen),
        "trend_spec": (
            trend_spec(trends.rows, trend_names, chosen, trends.last_observed, result.default_year)
            if trends.rows
            else None
        ),
        "method_version": result.settings.method_version,
        "settings_digest": result.settings.digest(),
        "mechanisms_url": f"/dashboard/mechanisms?nation={key}&year={chosen}",
        "outlook_url": f"/dashboard/outlook?nation={key}",
    }


@router.get("/dashboard/outlook")
def ties_at_risk(
    request: Request,
    nation: str,
    threshold: Annotated[str, Query(max_length=20)] = "50",
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The nation's strongest ties projected five years ahead, those at risk (a fragment)."""
    from comity.services.outlook import nation_outlook

    context: dict[str, Any] = {"threshold_input": threshold}
    try:
        line = read_threshold(threshold)
        key = services.resolve_nation(nation).iso3
        answer = nation_outlook(store_of(request), viewer, key, threshold=line)
    except (UnknownNationError, ValidationError) as error:
        return render(request, "fragments/dashboard_outlook.html", {**context, "problem": error})
    names = {
        p["partner"]: services.resolve_nation(p["partner"]).name for p in answer["projections"]
    }
    context.update(
        {
            "name": services.resolve_nation(key).name,
            "key": key,
            "answer": answer,
            "names": names,
            "paths": {partner: pair_path(key, partner) for partner in names},
            "at_risk": [p for p in answer["projections"] if p["at_risk"]],
            "last_year": answer["base_year"] + answer["years"],
        }
    )
    return render(request, "fragments/dashboard_outlook.html", context)


def read_threshold(text: str) -> float:
    """The threshold typed (0-100, exclusive), or a named error."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 < value < 100:
        problem = FieldProblem("threshold", "must be a number above 0 and below 100", text)
        raise ValidationError([problem], "outlook")
    return value


@router.get("/dashboard/mechanisms")
def mechanisms(
    request: Request,
    nation: str,
    year: str | None = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The kinds of engagement a nation uses in a year, by partner region (a fragment)."""
    try:
        chosen = parse_year(year)
        key = services.resolve_nation(nation, year=chosen).iso3
    except (UnknownNationError, ValidationError) as error:
        return render(request, "fragments/dashboard_mechanisms.html", {"problem": error})
    try:
        profile: dict[str, Any] | None = network_service.nation_profile(
            store_of(request), viewer, key
        )
    except NotFoundError:
        profile = None
    chosen = profile["latest_year"] if profile and chosen is None else chosen
    rows = [m for m in profile["mechanisms"] if m["year"] == chosen] if profile else []
    context = {
        "name": services.resolve_nation(key).name,
        "key": key,
        "year": chosen,
        **_mechanisms(rows),
    }
    return render(request, "fragments/dashboard_mechanisms.html", context)


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def _mechanisms(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart, the table and the headline of a year's mechanisms."""
    entries: list[dict[str, Any]] = [
        {
            "kind": _label(str(r["kind"])),
            "region": r["partner_region"] or "Region unknown",
            "share": float(r["share"]),
        }
        for r in rows
    ]
    entries.sort(key=lambda e: (-e["share"], e["kind"], e["region"]))
    kinds: dict[str, float] = {}
    for entry in entries:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0.0) + entry["share"]
    by_kind = sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    spec = {
        "description": "Share of each kind of engagement, by partner region",
        "width": "container",
        "height": max(120, 24 * len({e["region"] for e in entries})),
        "autosize": {"type": "fit", "contains": "padding"},
        "data": {"values": entries},
        "mark": "bar",
        "encoding": {
            "y": {"field": "region", "type": "nominal", "title": "Partner region", "sort": "-x"},
            "x": {
                "aggregate": "sum",
                "field": "share",
                "type": "quantitative",
                "title": "Share of the year's engagement",
                "axis": {"format": "%"},
            },
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": "Kind",
                "sort": [k for k, _ in by_kind],
                "legend": {"orient": "bottom", "columns": 2},
            },
            "tooltip": [
                {"field": "region", "title": "Partner region"},
                {"field": "kind", "title": "Kind"},
                {"field": "share", "title": "Share", "format": ".1%"},
            ],
        },
    }
    return {"entries": entries, "by_kind": by_kind, "spec": spec if entries else None}
