"""Nations, pairs of nations and organisations: the registry's pages and the index behind a pair.

``/nations`` lists the registry (searchable, by region, with or without historical states) and
the organisations; ``/nations/{any name or code}`` shows one nation (its network measures come
from ``/nations/{ISO3}/network``, loaded after the page); ``/pairs/{A}/{B}`` shows a pair's tie
index year by year with the challenges beside it; ``/organisations/{code}`` shows who belonged
when. Every count, tie and engagement is of what the signed-in user may see.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comity import services
from comity.access.viewer import Viewer
from comity.errors import NotFoundError, UnknownNationError
from comity.model.engagements import EngagementKind
from comity.model.nations import Nation
from comity.services import network, ties
from comity.services.engagements import StoredEngagement, count_by_kind
from comity.services.robustness import with_stability
from comity.store import Store
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

_RECENT = 10
_MIX_YEARS = 5
_LISTED_KINDS = tuple(k for k in EngagementKind if k is not EngagementKind.MEDIA_EVENT)
_Text = Annotated[str | None, Query(max_length=100)]


def _is_fragment(request: Request) -> bool:
    """An HTMX swap (not a history restore, which needs the whole page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def _unknown(request: Request, error: UnknownNationError, what: str = "nation") -> HTMLResponse:
    suggestions = [{"text": c.label, "iso3": c.key} for c in error.candidates]
    context = {"title": f"Unknown {what}", "error": error, "suggestions": suggestions}
    return render(request, "nations/unknown.html", context, status=404)


def nation_names(store: Store) -> list[str]:
    """Every nation's name, for the ``<datalist id="nations">`` of nation pickers."""
    return [n.name for n in services.list_nations(store)]


def pair_path(first: str, second: str) -> str:
    """The canonical URL of a pair (keys in table order)."""
    a, b = sorted((first, second))
    return f"/pairs/{a}/{b}"


# --- the list -------------------------------------------------------------------------------


@router.get("/nations")
def nations_page(
    request: Request,
    search: _Text = None,
    region: _Text = None,
    historical: bool = False,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The registry's nations, filtered; and the organisations."""
    store = store_of(request)
    text = (search or "").strip() or None
    chosen = (region or "").strip() or None
    found = services.list_nations(
        store, search=text, region=chosen, historical=None if historical else False
    )
    context: dict[str, Any] = {
        "title": "Nations",
        "nations": found,
        "search": text or "",
        "region": chosen or "",
        "historical": historical,
    }
    if _is_fragment(request):
        return render(request, "nations/_results.html", context)
    everything = services.list_nations(store)
    context["regions"] = sorted({n.region for n in everything if n.region})
    context["names"] = [n.name for n in everything]
    context["organisations"] = services.list_organisations(store)
    return render(request, "nations/list.html", context)


# --- one nation -----------------------------------------------------------------------------


@router.get("/nations/{nation}")
def nation_page(
    nation: str,
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """A nation by any name or code; other names and codes redirect to its ISO3 address."""
    store = store_of(request)
    try:
        profile = services.get_nation(store, nation)
    except UnknownNationError as error:
        return _unknown(request, error)
    key = profile.nation.iso3
    if nation != key:
        return RedirectResponse(f"/nations/{key}", status_code=302)
    kinds = sorted(count_by_kind(store, viewer, key).items(), key=lambda kv: (-kv[1], kv[0]))
    count = services.count_engagements(store, viewer, nation=key, kinds=_LISTED_KINDS)
    recent = services.list_engagements(
        store, viewer, nation=key, kinds=_LISTED_KINDS, offset=max(0, count - _RECENT)
    )
    organisations = {o.code: o.name for o, _ in services.list_organisations(store)}
    context = {
        "title": profile.nation.name,
        "n": profile.nation,
        "codes": profile.codes,
        "memberships": sorted(profile.memberships, key=lambda m: (m.joined, m.organisation)),
        "organisations": organisations,
        "kinds": kinds,
        "total": sum(v for _, v in kinds),
        "recent": [_engagement_row(s, key) for s in reversed(recent)],
        "listed": count,
    }
    return render(request, "nations/nation.html", context)


def _engagement_row(stored: StoredEngagement, nation: str | None = None) -> dict[str, Any]:
    e = stored.engagement
    others = [k for k in e.nations if k != nation]
    return {
        "id": stored.id,
        "start": str(e.start),
        "end": str(e.end) if e.end else None,
        "kind": e.kind.value.replace("_", " "),
        "title": e.title,
        "with": others,
        "releasability": str(e.releasability),
    }


@router.get("/nations/{nation}/network")
def nation_network(
    nation: str,
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """A nation's place in the network: measures over time, top partners, outreach mix."""
    store = store_of(request)
    try:
        key = services.resolve_nation(nation)
    except UnknownNationError as error:
        return _unknown(request, error)
    context: dict[str, Any] = {"title": f"{key.name} in the network", "n": key}
    try:
        profile = network.nation_profile(store, viewer, key.iso3)
    except NotFoundError:
        profile = None
    if profile is not None:
        context.update(_network_context(profile))
        context["partners"] = with_stability(
            store, viewer, key.iso3, profile["latest_year"], context["partners"]
        )
    template = "nations/_network.html" if _is_fragment(request) else "nations/network.html"
    return render(request, template, context)


def _network_context(profile: dict[str, Any]) -> dict[str, Any]:
    key, latest = profile["nation"], profile["latest_year"]
    partners = []
    for tie in profile["top_partners"]:
        partner = services.resolve_nation(tie["partner"])
        partners.append({**tie, "name": partner.name, "pair": pair_path(key, partner.iso3)})
    years = [
        {
            "year": r["year"],
            "strength": round(r["strength"], 2),
            "partners": r["partners"],
            "eigenvector": r["eigenvector"],
            "betweenness": r["betweenness"],
        }
        for r in profile["years"]
    ]
    first = latest - _MIX_YEARS + 1
    mix = outreach_mix(profile, first, latest)
    mix_chart = [
        {"region": r["region"], "kind": kind, "share": round(share, 4)}
        for r in mix
        for kind, share in r["kinds"]
    ]
    return {
        "profile": profile,
        "latest": latest,
        "partners": partners,
        "years": years,
        "last": years[-1] if years else None,
        "mix": mix,
        "mix_chart": mix_chart,
        "mix_first": first,
    }


def outreach_mix(profile: dict[str, Any], first: int, last: int) -> list[dict[str, Any]]:
    """A nation's cooperation by partner region and kind over ``first``..``last``, as shares.

    Args:
        profile: The nation's profile (:func:`comity.services.network.nation_profile`).
        first: First year summed.
        last: Last year summed.

    Returns:
        One mapping per region, largest first: ``region``, ``share`` of the whole and ``kinds``
        (kind and share of the whole, largest first).
    """
    regions: dict[str, list[tuple[str, float]]] = {}
    for row in network.mechanisms_in_window(profile, first, last)["mechanisms"]:
        region = row["partner_region"] or "Region unknown"
        regions.setdefault(region, []).append((row["kind"].replace("_", " "), row["share"]))
    return [
        {"region": region, "share": sum(s for _, s in kinds), "kinds": kinds}
        for region, kinds in sorted(regions.items(), key=lambda item: -sum(s for _, s in item[1]))
    ]


# --- pairs ----------------------------------------------------------------------------------


@router.get("/pairs")
def pair_picker(
    request: Request,
    a: _Text = None,
    b: _Text = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Choose two nations; with both given, go to their pair page."""
    store = store_of(request)
    problems: dict[str, str] = {}
    keys: dict[str, str] = {}
    for field, value in (("a", a), ("b", b)):
        if value and value.strip():
            try:
                keys[field] = services.resolve_nation(value.strip()).iso3
            except UnknownNationError as error:
                problems[field] = f"{error.message} {error.hint or ''}".strip()
    if len(keys) == 2 and keys["a"] == keys["b"]:
        problems["b"] = "Name another nation than the first."
    if len(keys) == 2 and not problems:
        return RedirectResponse(pair_path(keys["a"], keys["b"]), status_code=303)
    context = {
        "title": "A pair of nations",
        "a": a or "",
        "b": b or "",
        "problems": problems,
        "names": nation_names(store),
    }
    return render(request, "nations/pair_picker.html", context, status=422 if problems else 200)


@router.get("/pairs/{first}/{second}")
def pair_page(
    first: str,
    second: str,
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """A pair's tie index year by year, its challenges and the engagements behind it."""
    store = store_of(request)
    nations: list[Nation] = []
    for text in (first, second):
        try:
            nations.append(services.resolve_nation(text))
        except UnknownNationError as error:
            return _unknown(request, error)
    a, b = sorted(nations, key=lambda n: n.iso3)
    if (first, second) != (a.iso3, b.iso3) and a.iso3 != b.iso3:
        return RedirectResponse(pair_path(a.iso3, b.iso3), status_code=302)
    try:
        report = ties.pair_report(store, viewer, a.iso3, b.iso3)
    except NotFoundError:
        context = {"title": f"{a.name} and {b.name}", "a": a, "b": b}
        return render(request, "nations/pair_empty.html", context, status=404)
    rows = report["years"]
    context = {
        "title": f"{a.name} and {b.name}",
        "a": a,
        "b": b,
        "report": report,
        "rows": list(reversed(rows)),
        "chart": _pair_chart_rows(rows),
        "latest": rows[-1],
        "observed": _observed_row(rows, report["default_year"]),
        "observed_until": rows[-1]["last_observed_year"],
        "peak": max(rows, key=lambda r: r["index"]),
        "challenges": [*describe_challenges(rows), _friction(report["friction"])],
        "engagements": list(reversed(report["engagements"])),
    }
    return render(request, "nations/pair.html", context)


_CHART_FIELDS = ("index", "interoperability", "institutional", "cultural")


def _pair_chart_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every year from the first to the last, a year with no tie as None (a gap, not a zero)."""
    by_year = {r["year"]: r for r in rows}
    filled = []
    for year in range(rows[0]["year"], rows[-1]["year"] + 1):
        row = by_year.get(year)
        filled.append(
            {"year": year, **{f: (round(row[f], 2) if row else None) for f in _CHART_FIELDS}}
        )
    return filled


def _observed_row(rows: list[dict[str, Any]], default_year: int) -> dict[str, Any]:
    """The row of the default year (the last mostly observed one), or the last before it."""
    before = [r for r in rows if r["year"] <= default_year]
    return before[-1] if before else rows[-1]


def _latest(rows: list[dict[str, Any]], field: str) -> tuple[Any, int | None]:
    for row in reversed(rows):
        if row.get(field) is not None:
            return row[field], int(row["year"])
    return None, None


def _friction(friction: dict[str, Any]) -> dict[str, Any]:
    """The bureaucratic friction of the pair's plans as a challenge row (None: missing)."""
    value = None if friction["median_days"] is None else f"{friction['median_days']} days"
    return {
        "name": "Bureaucratic friction",
        "value": value,
        "year": None,
        "sentence": friction["note"],
    }


def describe_challenges(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest known value of each challenge, with a sentence (``None``: no data).

    Args:
        rows: The pair report's years, oldest first.

    Returns:
        One mapping per challenge: ``name``, ``value`` (text, or None when no year has data),
        ``year`` and ``sentence``.
    """
    found = []
    value, year = _latest(rows, "ideological_distance")
    polity, polity_year = _latest(rows, "polity_distance")
    sentence = (
        f"Their V-Dem electoral democracy scores differ by {value:.2f} on a 0-1 scale "
        "(0: alike; 1: opposite ends)."
        if value is not None
        else "V-Dem codes no year for both of them."
    )
    if polity is not None:
        sentence += f" Polity2 difference / 20: {polity:.2f} in {polity_year}."
    found.append(_challenge("Ideological distance", value, year, sentence, "{:.2f}"))
    value, year = _latest(rows, "disputes_50y")
    if value is not None:
        row = next(r for r in rows if r["year"] == year)
        fatal, last = row.get("fatal_disputes_50y"), row.get("last_dispute_year")
        if value:
            sentence = (
                f"{value} militarised dispute{'s' if value != 1 else ''} in the 50 years to "
                f"{year}" + (f", {fatal} with fatalities" if fatal else "") + "."
            )
        else:
            sentence = f"No militarised dispute in the 50 years to {year}."
        if last is not None:
            sentence += f" The last dispute on record was in {last}."
    else:
        sentence = "The dispute data (1816-2014) cover none of these years."
    found.append(_challenge("Disputes in the last 50 years", value, year, sentence, "{}"))
    value, year = _latest(rows, "rivalry")
    sentence = (
        ("A strategic rivalry between them was active." if value else "No strategic rivalry.")
        + " (Thompson-Dreyer rivalries, to 2010.)"
        if value is not None
        else "The rivalry data (to 2010) cover none of these years."
    )
    shown = None if value is None else ("yes" if value else "no")
    found.append(_challenge("Strategic rivalry", shown, year, sentence, "{}"))
    value, year = _latest(rows, "major_power_gap")
    sentence = (
        (
            "Exactly one of the two is a major power: a power asymmetry."
            if value
            else "Both or neither are major powers."
        )
        + " (A proxy from the Correlates of War state list, not a capability ratio.)"
        if value is not None
        else "The Correlates of War state list (1816-2016) covers none of these years."
    )
    shown = None if value is None else ("yes" if value else "no")
    found.append(_challenge("Major-power gap", shown, year, sentence, "{}"))
    value, year = _latest(rows, "media_tone")
    if value is not None:
        events = next(r for r in rows if r["year"] == year).get("media_events")
        sentence = (
            f"Mean GDELT tone of their {events or 'few'} media events that year "
            "(below 0: hostile coverage; above 0: friendly)."
        )
    else:
        sentence = "No media events of the pair in the bundled news data."
    found.append(_challenge("Media tone", value, year, sentence, "{:+.1f}"))
    return found


def _challenge(
    name: str, value: Any, year: int | None, sentence: str, pattern: str
) -> dict[str, Any]:
    shown = None if value is None else pattern.format(value)
    return {"name": name, "value": shown, "year": year, "sentence": sentence}


# --- organisations --------------------------------------------------------------------------


@router.get("/organisations")
def organisations_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Every organisation with its number of current members."""
    found = services.list_organisations(store_of(request))
    return render(
        request, "nations/organisations.html", {"title": "Organisations", "organisations": found}
    )


@router.get("/organisations/{code}")
def organisation_page(
    code: str,
    request: Request,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """An organisation's members over time, and its members in ``year`` when given."""
    store = store_of(request)
    if code != code.upper():
        suffix = f"?year={year}" if year is not None else ""
        return RedirectResponse(f"/organisations/{quote(code.upper())}{suffix}", status_code=302)
    found = services.get_organisation(store, code)
    this_year = date.today().year
    spells = sorted(found.memberships, key=lambda m: (m.joined, found.names[m.nation]))
    chart = [
        {
            "name": found.names[m.nation],
            "iso3": m.nation,
            "joined": m.joined,
            "until": (m.left + 1) if m.left is not None else this_year + 1,
            "left": m.left if m.left is not None else "member",
        }
        for m in spells
    ]
    members = None
    if year is not None:
        members = sorted(
            (m for m in spells if m.active_in(year)), key=lambda m: found.names[m.nation]
        )
    current = sum(1 for m in spells if m.left is None)
    context = {
        "title": f"{found.organisation.name} ({found.organisation.code})",
        "o": found.organisation,
        "spells": spells,
        "names": found.names,
        "chart": chart,
        "year": year,
        "members": members,
        "current": current,
        "first_year": min((m.joined for m in spells), default=None),
    }
    return render(request, "nations/organisation.html", context)
