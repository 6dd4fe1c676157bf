"""Vega-Lite specifications of the dashboard's charts: the map of ties and the trends."""

from __future__ import annotations

from typing import Any

from comity.model import Nation
from comity.services.ties import Tie

__all__ = ["iso_numeric", "map_spec", "trend_spec"]

_CHOSEN_COLOUR = "#c0392b"
_NO_TIE_COLOUR = "#dcdcdc"
_ANTARCTICA = "010"


def iso_numeric(nation: Nation | None) -> str | None:
    """The world map's feature id of a nation: its ISO numeric code, zero-padded to 3 digits."""
    if nation is None or nation.iso_numeric is None:
        return None
    return f"{nation.iso_numeric:03d}"


def map_spec(
    nation: Nation, ties: list[Tie], registry: dict[str, Nation], year: int
) -> dict[str, Any]:
    """A Vega-Lite choropleth: partners shaded by the index, the rest grey, the nation marked."""
    values = []
    for tie in ties:
        code = iso_numeric(registry.get(tie.partner))
        if code is not None:
            values.append(
                {"id": code, "partner": registry[tie.partner].name, "index": round(tie.index, 1)}
            )
    chosen = iso_numeric(registry.get(nation.iso3)) or iso_numeric(nation) or "none"
    shape = {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5}
    return {
        "description": f"Index of {nation.name} with each partner in {year}",
        "width": "container",
        "height": "container",
        "autosize": {"type": "fit", "contains": "padding"},
        "projection": {"type": "equalEarth"},
        "data": {
            "url": "/static/vendor/countries-110m.json",
            "format": {"type": "topojson", "feature": "countries"},
        },
        "transform": [{"filter": f"datum.id !== '{_ANTARCTICA}'"}],
        "layer": [
            {
                "transform": [
                    {"calculate": "datum.properties.name + ': no recorded tie'", "as": "label"}
                ],
                "mark": {**shape, "fill": _NO_TIE_COLOUR},
                "encoding": {"tooltip": [{"field": "label", "title": "Country"}]},
            },
            {
                "transform": [
                    {
                        "lookup": "id",
                        "from": {
                            "data": {"values": values},
                            "key": "id",
                            "fields": ["partner", "index"],
                        },
                    },
                    {"filter": "isValid(datum.index)"},
                ],
                "mark": shape,
                "encoding": {
                    "color": {
                        "field": "index",
                        "type": "quantitative",
                        "scale": {"scheme": "yellowgreenblue", "domain": [0, 100]},
                        "legend": {"title": "Index", "orient": "bottom-left"},
                    },
                    "tooltip": [
                        {"field": "partner", "title": "Partner"},
                        {"field": "index", "title": "Index", "format": ".1f"},
                    ],
                },
            },
            {
                "transform": [{"filter": {"field": "id", "equal": chosen}}],
                "mark": {
                    "type": "geoshape",
                    "fill": _CHOSEN_COLOUR,
                    "stroke": "#222222",
                    "strokeWidth": 1,
                },
                "encoding": {
                    "tooltip": {"value": f"{nation.name} (chosen nation)"},
                    "description": {"value": f"{nation.name} (chosen nation)"},
                },
            },
        ],
    }


# A year axis spans the years shown: every layer says so, or a rect or rule layer would stretch
# the shared scale to zero.
_YEARS = {"zero": False, "nice": False}


def trend_spec(
    rows: list[dict[str, Any]],
    names: dict[str, str],
    year: int,
    last_observed: dict[str, int],
    default_year: int,
) -> dict[str, Any]:
    """A Vega-Lite line chart of the index with each partner, and a rule at the chosen year.

    The rows are wide (one per year, one column per partner key) to keep the page small; the
    chart folds them and looks the partners' names up. Each line is solid up to the partner's
    last observed year and dashed beyond it (an estimate), and the years after the default year
    are shaded.
    """
    keys = list(names)
    horizon = max(row["year"] for row in rows)
    partners = [
        {"key": k, "partner": n, "observed_until": last_observed.get(k, horizon)}
        for k, n in names.items()
    ]
    folded = [
        {"fold": keys, "as": ["key", "index"]},
        {
            "lookup": "key",
            "from": {
                "data": {"values": partners},
                "key": "key",
                "fields": ["partner", "observed_until"],
            },
        },
    ]
    encoding = {
        "x": {
            "field": "year",
            "type": "quantitative",
            "title": "Year",
            "axis": {"format": "d"},
            "scale": _YEARS,
        },
        "y": {
            "field": "index",
            "type": "quantitative",
            "title": "Index",
            "scale": {"domain": [0, 100]},
        },
        "color": {
            "field": "partner",
            "type": "nominal",
            "title": "Partner",
            "sort": list(names.values()),
            "legend": {"orient": "bottom", "columns": 2},
        },
        "tooltip": [
            {"field": "partner", "title": "Partner"},
            {"field": "year", "title": "Year"},
            {"field": "index", "title": "Index", "format": ".1f"},
            {"field": "status", "title": "Status"},
        ],
    }
    status = {
        "calculate": "datum.year > datum.observed_until ? 'estimate beyond the sources' "
        ": 'observed'",
        "as": "status",
    }
    shade = []
    if default_year < horizon:
        shade = [
            {
                "data": {
                    "values": [
                        {
                            "from": default_year,
                            "to": horizon,
                            "label": f"after {default_year}: mostly estimated",
                        }
                    ]
                },
                "mark": {"type": "rect", "color": "#888888", "opacity": 0.12},
                "encoding": {
                    "x": {"field": "from", "type": "quantitative", "scale": _YEARS},
                    "x2": {"field": "to"},
                    "tooltip": {"field": "label", "type": "nominal"},
                },
            }
        ]
    return {
        "description": "Index with the strongest partners over the years",
        "width": "container",
        "height": 260,
        "autosize": {"type": "fit", "contains": "padding"},
        "layer": [
            *shade,
            {
                "data": {"values": rows},
                "transform": [
                    *folded,
                    status,
                    {"filter": "datum.year <= datum.observed_until"},
                ],
                "mark": {
                    "type": "line",
                    "interpolate": "monotone",
                    "strokeWidth": 2,
                    "point": {"size": 12},
                },
                "encoding": encoding,
            },
            {
                "data": {"values": rows},
                "transform": [
                    *folded,
                    status,
                    {"filter": "datum.year >= datum.observed_until"},
                ],
                "mark": {
                    "type": "line",
                    "interpolate": "monotone",
                    "strokeWidth": 2,
                    "strokeDash": [6, 4],
                },
                "encoding": encoding,
            },
            {
                "data": {"values": [{"year": year}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#888888"},
                "encoding": {"x": {"field": "year", "type": "quantitative", "scale": _YEARS}},
            },
        ],
    }
