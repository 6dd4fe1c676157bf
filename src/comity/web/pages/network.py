"""The network view: the ties between every nation in a year, drawn with sigma.js (WebGL).

``GET /network?year=&min_index=&max_ties=`` shows the page; ``GET /network/data`` with the same
parameters answers the same picture as JSON for the page's script (``static/network.js``), which
redraws the graph when the year slider moves. Both read
:func:`comity.services.network_layout.compute_network_layout` for the signed-in viewer, so only
records releasable to the viewer's nation count.

Nodes are nations sized by strength (the sum of their index values) and coloured by community;
edges are the strongest pairs of the year with an index of at least ``min_index`` (at most
``max_ties`` of them, so the picture stays readable). Every node comes with its position, laid
out on the server so that a nation stays where it was the year before
(:mod:`comity.analytics.layout`), and the picture with the frame of every year (``extent``): the
browser draws and never lays out, and the picture holds still when the year changes.

After a change to the records the page does not wait for the new network: it answers the one
before the change with ``refreshing`` set (and says so) while the new one is computed in the
background, from the first year the change moved; the script asks again until it is ready.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from comity import services
from comity.access.viewer import Viewer
from comity.errors import ComityError, FieldProblem, UnknownNationError, ValidationError
from comity.services import network_layout
from comity.store import Store
from comity.web.routing import (
    SignInRequired,
    WebRouter,
    render,
    store_of,
    viewer_of_request,
)

__all__ = ["NetworkQuery", "network_picture", "parse_query", "router"]

router = WebRouter()

DEFAULT_MIN_INDEX = 10.0
"""Ties weaker than this are left out of the drawing by default."""
DEFAULT_MAX_TIES = 800
"""At most this many ties (the strongest) are drawn by default."""
MAX_TIES_LIMIT = 5000
TABLE_ROWS = 25
"""Nations listed in the table under the graph."""
PALETTE = (
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#56b4e9",  # sky blue
    "#d55e00",  # vermilion
    "#f0e442",  # yellow
    "#000000",  # black
)
"""Community colours, one per colour index of :mod:`comity.analytics.layout`: the palette of
Okabe and Ito (2008), told apart by readers with any common colour-vision deficiency. A
community keeps its colour from year to year. New communities take the first free colour, so
the order puts the most distinct first: vermilion (close to orange) and the pale yellow late."""
LEGEND_MEMBERS = 3
"""Members named in a community's name in the legend, its strongest."""
NO_COMMUNITY = "#9e9e9e"


@dataclass(frozen=True)
class NetworkQuery:
    """What to draw: the year (default: the latest), the weakest tie and the most ties drawn."""

    year: int | None = None
    min_index: float = DEFAULT_MIN_INDEX
    max_ties: int = DEFAULT_MAX_TIES


def parse_query(year: str | None, min_index: str | None, max_ties: str | None) -> NetworkQuery:
    """The query from the page's parameters (blank ones take their defaults).

    Raises:
        ValidationError: Naming each parameter that is not a number in its range.
    """
    problems: list[FieldProblem] = []

    def number(name: str, text: str | None, kind: type, low: float, high: float) -> Any:
        if text is None or not text.strip():
            return None
        try:
            value = kind(text.strip())
        except ValueError:
            whole = "a whole number" if kind is int else "a number"
            problems.append(FieldProblem(name, f"must be {whole} from {low:g} to {high:g}", text))
            return None
        if not low <= value <= high or (isinstance(value, float) and math.isnan(value)):
            problems.append(FieldProblem(name, f"must be from {low:g} to {high:g}", text))
            return None
        return value

    chosen_year = number("year", year, int, 1, 9999)
    chosen_min = number("min_index", min_index, float, 0, 100)
    chosen_max = number("max_ties", max_ties, int, 1, MAX_TIES_LIMIT)
    if problems:
        raise ValidationError(problems, "network view")
    return NetworkQuery(
        year=chosen_year,
        min_index=DEFAULT_MIN_INDEX if chosen_min is None else chosen_min,
        max_ties=DEFAULT_MAX_TIES if chosen_max is None else chosen_max,
    )


def network_picture(store: Store, viewer: Viewer, query: NetworkQuery) -> dict[str, Any]:
    """The graph, legend, summary and table of a year, JSON-ready (see the module docstring)."""
    import pyarrow.compute as pc

    # A page answers at once: after a change, the network before it (marked as being
    # refreshed) while the new one is computed in the background.
    layout = network_layout.compute_network_layout(store, viewer, wait=False)
    tables = layout.network
    horizon = tables.index.horizon
    summaries = tables.community_years
    first = pc.min(summaries.column("year")).as_py() if summaries.num_rows else None
    year = tables.index.default_year if query.year is None else query.year
    nation_years = tables.nation_years
    rows = sorted(
        nation_years.filter(pc.equal(nation_years.column("year"), year)).to_pylist(),
        key=lambda r: (-r["strength"], r["nation"]),
    )
    found = summaries.filter(pc.equal(summaries.column("year"), year)).to_pylist()
    summary = found[0] if found else None
    eligible, edges = _edges(layout, year, query)
    placed = {r["nation"]: r for r in layout.by_year.rows(year).to_pylist()}
    names = _names(placed)
    communities = _communities(rows, names, placed)
    colours = {c["id"]: c["colour"] for c in communities}
    nodes = _nodes(rows, edges, names, colours, placed)
    x_low, x_high, y_low, y_high = layout.extent
    return {
        "year": year,
        "first_year": int(first) if first is not None else horizon,
        "last_year": horizon,
        "default_year": tables.index.default_year,
        "data_through": tables.index.data_through,
        "min_index": query.min_index,
        "max_ties": query.max_ties,
        "summary": summary,
        "summary_text": _summary_text(year, summary),
        "shown_text": _shown_text(query, eligible, len(edges), len(nodes)),
        "eligible_ties": eligible,
        "communities": communities,
        "extent": {"x": [x_low, x_high], "y": [y_low, y_high]},
        "nodes": nodes,
        "edges": edges,
        "table": [
            {
                "rank": rank,
                "id": r["nation"],
                "name": names.get(r["nation"], r["nation"]),
                "partners": r["partners"],
                "strength": f"{r['strength']:,.0f}",
                "eigenvector": _decimal(r["eigenvector"]),
                "colour": colours.get(r["community"], NO_COMMUNITY),
                "community": _community_name(communities, r["community"]),
            }
            for rank, r in enumerate(rows[:TABLE_ROWS], start=1)
        ],
        "table_total": len(rows),
        "method_version": tables.index.settings.method_version,
        "settings_digest": tables.index.settings.digest(),
        "refreshing": layout.refreshing,
    }


def _edges(
    layout: network_layout.NetworkLayout, year: int, query: NetworkQuery
) -> tuple[int, list[dict[str, Any]]]:
    """How many ties reach the threshold, and the strongest ``max_ties`` of them."""
    eligible, strongest = layout.strongest_ties(year, query.min_index, query.max_ties)
    return eligible, [
        {
            "id": f"{r['iso3_1']}-{r['iso3_2']}",
            "source": r["iso3_1"],
            "target": r["iso3_2"],
            "index": round(r["index"], 1),
        }
        for r in strongest
    ]


def _names(keys: Iterable[str]) -> dict[str, str]:
    """The name of each nation, from the registry (the key itself when it has none)."""
    names = {}
    for key in keys:
        try:
            names[key] = services.resolve_nation(key).name
        except UnknownNationError:
            names[key] = key
    return names


def _communities(
    rows: list[dict[str, Any]], names: dict[str, str], placed: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The year's communities, largest first, each named after its strongest members.

    A community's colour is the colour index the layout gave it, which it keeps from year to
    year (:func:`comity.analytics.layout.match_communities`); grey when the palette ran out.
    """
    members: dict[int, list[str]] = {}
    for row in rows:  # strongest first
        if row["community"] is not None:
            members.setdefault(int(row["community"]), []).append(row["nation"])
    ordered = sorted(members.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        {
            "id": label,
            "colour": _colour(placed.get(keys[0], {}).get("colour")),
            "size": len(keys),
            "name": _group_name([names.get(k, k) for k in keys], LEGEND_MEMBERS),
            "short": _group_name([names.get(k, k) for k in keys], 1),
        }
        for label, keys in ordered
    ]


def _group_name(members: list[str], named: int) -> str:
    """The first ``named`` members, then an ellipsis when there are more."""
    shown = ", ".join(members[:named])
    return shown + ", …" if len(members) > named else shown


def _colour(index: int | None) -> str:
    return PALETTE[index] if index is not None and 0 <= index < len(PALETTE) else NO_COMMUNITY


def _decimal(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _community_name(communities: list[dict[str, Any]], label: int | None) -> str:
    for community in communities:
        if community["id"] == label:
            return str(community["short"])
    return "none"


def _nodes(
    rows: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    names: dict[str, str],
    colours: dict[int, str],
    placed: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """The nations at either end of a drawn tie, strongest first, with positions and sizes."""
    drawn = {e["source"] for e in edges} | {e["target"] for e in edges}
    strongest = max((r["strength"] for r in rows), default=1.0) or 1.0
    nodes = []
    for row in rows:
        key = row["nation"]
        if key not in drawn:
            continue
        strength = float(row["strength"] or 0.0)
        community = row["community"]
        where = placed[key]
        nodes.append(
            {
                "id": key,
                "name": names.get(key, key),
                "strength": round(strength, 1),
                "partners": row["partners"],
                "community": community,
                "colour": colours.get(community, NO_COMMUNITY),
                "size": round(14 + 46 * math.sqrt(strength / strongest), 1),
                "x": where["x"],
                "y": where["y"],
            }
        )
    return nodes


def _summary_text(year: int, summary: dict[str, Any] | None) -> str:
    if not summary:
        return f"No ties recorded in {year}."
    return (
        f"In {year}: {summary['nations']:,} nations with ties, {summary['ties']:,} ties, "
        f"{summary['communities']} communities (modularity {summary['modularity']:.2f})."
    )


def _shown_text(query: NetworkQuery, eligible: int, edges: int, nodes: int) -> str:
    if not edges:
        return f"No tie reaches an index of {query.min_index:g}: lower the minimum to see more."
    which = f"all {eligible:,} ties" if edges == eligible else f"the {edges:,} strongest of "
    which += "" if edges == eligible else f"{eligible:,} ties"
    return (
        f"Drawn: {which} with an index of {query.min_index:g} or more, between {nodes:,} nations. "
        "Circle size: strength (the sum of a nation's index values); colour: community."
    )


@router.get("/network")
def network_page(
    request: Request,
    year: str | None = None,
    min_index: str | None = None,
    max_ties: str | None = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The network of a year: graph, legend, summary and a table of the strongest nations."""
    context: dict[str, Any] = {"title": "Network", "year_input": year or ""}
    try:
        query = parse_query(year, min_index, max_ties)
        context["picture"] = network_picture(store_of(request), viewer, query)
    except ValidationError as error:
        context["problem"] = error
        context["picture"] = network_picture(store_of(request), viewer, NetworkQuery())
    return render(request, "network.html", context)


@router.get("/network/data", response_class=JSONResponse)
def network_data(
    request: Request,
    year: str | None = None,
    min_index: str | None = None,
    max_ties: str | None = None,
) -> Response:
    """The picture of :func:`network_page` as JSON, for the page's script (not the API)."""
    try:
        viewer = viewer_of_request(request)
    except SignInRequired:
        return _json_error(401, "Sign in to see the network.", [])
    try:
        query = parse_query(year, min_index, max_ties)
        return JSONResponse(network_picture(store_of(request), viewer, query))
    except ValidationError as error:
        return _json_error(
            error.status, error.message, [f"{p.field}: {p.reason}" for p in error.problems]
        )
    except ComityError as error:
        return _json_error(error.status, error.message, [])


def _json_error(status: int, message: str, errors: list[str]) -> JSONResponse:
    body = {"ok": False, "error": message, "errors": errors or [message], "status": status}
    return JSONResponse(body, status_code=status)
