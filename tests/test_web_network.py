"""The network view: its JSON through the test client, then the graph in a browser (full data)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from comity import services
from comity.access import Viewer
from comity.model.clock import pinned_today
from comity.services import accounts
from comity.store import Store
from comity.web.pages.network import PALETTE, parse_query
from tests.browser import sign_in
from tests.web_client import PASSWORD, client_for


def _exercise(title: str, year: int, *nations: str, releasability: str | None = None) -> Any:
    record: dict[str, Any] = {
        "kind": "exercise",
        "title": title,
        "start": str(year),
        "participants": [{"nation": n} for n in nations],
    }
    if releasability:
        record["releasability"] = releasability
    return record


@pytest.fixture
def world(store: Store) -> Store:
    """Two clusters of exercises in 2009-2010 (Europe; the Pacific), a French and a US user."""
    operator = Viewer.operator("tests")
    for username, nation, role in (
        ("analyst.fra", "FRA", "analyst"),
        ("planner.usa", "USA", "planner"),
    ):
        accounts.create_user(
            store, operator, username=username, password=PASSWORD, nation=nation, role=role
        )
    records = []
    for year in (2009, 2010):
        records += [
            _exercise(f"Rhine {year}", year, "FRA", "DEU", "BEL"),
            _exercise(f"Channel {year}", year, "FRA", "GBR"),
            _exercise(f"Pacific {year}", year, "USA", "JPN", "AUS"),
            _exercise(f"Tasman {year}", year, "AUS", "NZL"),
        ]
    records.append(_exercise("Sahel 2010", 2010, "FRA", "MLI"))
    services.add_engagements(store, records, operator)
    return store


@pytest.fixture
def analyst_fra(world: Store) -> Iterator[TestClient]:
    """A client signed in as the French analyst, late in 2010 (the present of this world)."""
    with pinned_today(date(2010, 12, 1)), client_for(world, "analyst.fra") as client:
        yield client


def _pairs(picture: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in picture["edges"]}


def test_the_data_endpoint_answers_nodes_edges_and_communities(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/network/data?year=2010&min_index=0")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    picture = answer.json()
    assert picture["year"] == 2010 and picture["last_year"] == 2010
    assert picture["first_year"] == 2009
    assert _pairs(picture) == {
        ("BEL", "DEU"),
        ("BEL", "FRA"),
        ("DEU", "FRA"),
        ("FRA", "GBR"),
        ("FRA", "MLI"),
        ("AUS", "JPN"),
        ("AUS", "USA"),
        ("JPN", "USA"),
        ("AUS", "NZL"),
    }
    nodes = {n["id"]: n for n in picture["nodes"]}
    assert set(nodes) == {"BEL", "DEU", "FRA", "GBR", "MLI", "AUS", "JPN", "USA", "NZL"}
    assert nodes["FRA"]["name"] == "France"
    assert nodes["FRA"]["size"] == max(n["size"] for n in nodes.values())  # the strongest
    assert nodes["FRA"]["community"] == nodes["DEU"]["community"] != nodes["USA"]["community"]
    assert nodes["FRA"]["colour"] in PALETTE and nodes["FRA"]["colour"] != nodes["USA"]["colour"]
    assert picture["summary"]["nations"] == 9 and picture["summary"]["communities"] >= 2
    assert picture["summary_text"].startswith("In 2010: 9 nations with ties, 9 ties, ")
    assert picture["table"][0]["id"] == "FRA" and picture["table_total"] == 9


def test_the_threshold_and_the_cap_leave_out_the_weakest_ties(analyst_fra: TestClient) -> None:
    everything = analyst_fra.get("/network/data?year=2010&min_index=0").json()
    weakest = min(e["index"] for e in everything["edges"])
    strongest = max(e["index"] for e in everything["edges"])
    above = analyst_fra.get(f"/network/data?year=2010&min_index={weakest + 0.1:.1f}").json()
    assert 0 < len(above["edges"]) < len(everything["edges"])
    assert all(e["index"] > weakest for e in above["edges"])
    capped = analyst_fra.get("/network/data?year=2010&min_index=0&max_ties=2").json()
    assert [e["index"] for e in capped["edges"]][0] == strongest and len(capped["edges"]) == 2
    assert capped["eligible_ties"] == 9
    assert capped["shown_text"].startswith("Drawn: the 2 strongest of 9 ties with an index of 0")
    nodes = {n["id"] for n in capped["nodes"]}
    assert nodes == {e["source"] for e in capped["edges"]} | {e["target"] for e in capped["edges"]}


def test_after_a_write_the_page_shows_the_network_before_it_until_the_new_one_is_ready(
    world: Store, analyst_fra: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comity.services import network_layout

    first = analyst_fra.get("/network/data?year=2010&min_index=0").json()
    assert first["refreshing"] is False and ("FRA", "JPN") not in _pairs(first)
    # The background computation is held until the test lets it run.
    held: list[Any] = []
    monkeypatch.setattr(network_layout, "_refresh", lambda slot, compute: held.append(compute))
    services.add_engagement(
        world, _exercise("Bridge 2010", 2010, "FRA", "JPN"), Viewer.operator("tests")
    )
    page = analyst_fra.get("/network?year=2010&min_index=0")
    assert page.status_code == 200
    assert "Recent changes are being added to the network" in page.text
    assert 'role="status" hidden' not in page.text
    stale = analyst_fra.get("/network/data?year=2010&min_index=0").json()
    assert stale["refreshing"] is True and _pairs(stale) == _pairs(first)
    assert held
    held[0]()
    fresh = analyst_fra.get("/network/data?year=2010&min_index=0").json()
    assert fresh["refreshing"] is False and ("FRA", "JPN") in _pairs(fresh)
    again = analyst_fra.get("/network?year=2010&min_index=0")
    assert 'id="network-refreshing" class="muted" role="status" hidden' in again.text


def test_a_year_without_ties_is_an_empty_picture(analyst_fra: TestClient) -> None:
    picture = analyst_fra.get("/network/data?year=1990").json()
    assert picture["nodes"] == [] and picture["edges"] == [] and picture["summary"] is None
    assert picture["summary_text"] == "No ties recorded in 1990."


def test_the_positions_are_the_same_on_every_call(analyst_fra: TestClient) -> None:
    first = analyst_fra.get("/network/data?year=2010&min_index=0").json()
    second = analyst_fra.get("/network/data?year=2010&min_index=0").json()
    assert [(n["id"], n["x"], n["y"]) for n in first["nodes"]] == [
        (n["id"], n["x"], n["y"]) for n in second["nodes"]
    ]
    assert len({(n["x"], n["y"]) for n in first["nodes"]}) == len(first["nodes"])


def test_every_node_comes_with_its_position_inside_the_frame(analyst_fra: TestClient) -> None:
    for year in (2009, 2010):
        picture = analyst_fra.get(f"/network/data?year={year}&min_index=0").json()
        (x_low, x_high), (y_low, y_high) = picture["extent"]["x"], picture["extent"]["y"]
        assert picture["nodes"]
        for node in picture["nodes"]:
            assert x_low <= node["x"] <= x_high and y_low <= node["y"] <= y_high


def test_the_page_embeds_a_position_for_every_node(analyst_fra: TestClient) -> None:
    page = analyst_fra.get("/network?year=2010&min_index=0").text
    found = re.search(
        r'<script type="application/json" id="network-data">(.*?)</script>', page, re.S
    )
    assert found is not None
    picture = json.loads(found.group(1))
    assert len(picture["nodes"]) == 9
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in picture["nodes"])
    assert '<script src="/static/vendor/sigma.min.js" defer></script>' in page
    assert "cytoscape" not in page


def test_a_community_keeps_its_colour_from_one_year_to_the_next(analyst_fra: TestClient) -> None:
    years = [analyst_fra.get(f"/network/data?year={y}&min_index=0").json() for y in (2009, 2010)]
    colours = [{n["id"]: n["colour"] for n in picture["nodes"]} for picture in years]
    assert colours[0]["FRA"] == colours[1]["FRA"] == colours[1]["DEU"]
    assert colours[0]["USA"] == colours[1]["USA"] != colours[1]["FRA"]
    legend = [{c["name"]: c["colour"] for c in picture["communities"]} for picture in years]
    french = [next(v for k, v in names.items() if k.startswith("France, ")) for names in legend]
    assert french[0] == french[1] == colours[1]["FRA"]


def test_the_legend_names_each_community_by_its_strongest_members(
    analyst_fra: TestClient,
) -> None:
    picture = analyst_fra.get("/network/data?year=2010&min_index=0").json()
    strength = {n["id"]: n["strength"] for n in picture["nodes"]}
    assert strength["FRA"] > strength["BEL"] == strength["DEU"] > strength["GBR"]
    assert strength["AUS"] > strength["JPN"] == strength["USA"] > strength["NZL"]
    names = [(c["name"], c["size"]) for c in picture["communities"]]
    assert names == [
        ("France, Belgium, Germany, …", 5),
        ("Australia, Japan, United States, …", 4),
    ]
    assert "community" not in " ".join(name for name, _ in names).lower()
    rows = {row["id"]: row["community"] for row in picture["table"]}
    assert rows["DEU"] == "France, …" and rows["NZL"] == "Australia, …"
    page = analyst_fra.get("/network?year=2010&min_index=0").text
    assert "<strong>France, Belgium, Germany, …</strong>" in page


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("year=soon", "year: must be a whole number from 1 to 9999"),
        ("min_index=150", "min_index: must be from 0 to 100"),
        ("max_ties=0", "max_ties: must be from 1 to 5000"),
    ],
)
def test_bad_parameters_get_the_json_error_shape(
    analyst_fra: TestClient, query: str, problem: str
) -> None:
    answer = analyst_fra.get(f"/network/data?{query}")
    assert answer.status_code == 422
    body = answer.json()
    assert body["ok"] is False and body["status"] == 422 and body["errors"] == [problem]


def test_anonymous_callers_get_401_json_and_the_page_sends_them_to_sign_in(world: Store) -> None:
    with client_for(world, None) as client:
        answer = client.get("/network/data?year=2010")
        assert answer.status_code == 401 and answer.json()["ok"] is False
        page = client.get("/network?year=2010", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/network%3Fyear%3D2010"


def test_the_page_embeds_the_picture_and_lists_the_strongest_nations(
    analyst_fra: TestClient,
) -> None:
    page = analyst_fra.get("/network?year=2009&min_index=0").text
    found = re.search(
        r'<script type="application/json" id="network-data">(.*?)</script>', page, re.S
    )
    assert found is not None
    assert json.loads(found.group(1))["year"] == 2009
    assert re.search(
        r'<input type="range" id="network-year" name="year" min="2009" max="2010"', page
    )
    rows = re.findall(r'<tr data-nation="([A-Z]{3})">', page)
    assert rows[0] in {"FRA", "AUS"} and set(rows) == {
        "FRA",
        "DEU",
        "BEL",
        "GBR",
        "USA",
        "JPN",
        "AUS",
        "NZL",
    }
    assert '<a href="/nations/FRA">France</a>' in page
    assert "In 2009: 8 nations with ties, 8 ties," in page


def test_a_bad_parameter_on_the_page_shows_the_default_view_with_a_message(
    analyst_fra: TestClient,
) -> None:
    page = analyst_fra.get("/network?min_index=lots").text
    assert "min_index: must be a number from 0 to 100." in page
    assert "Showing the default view instead." in page and 'id="network-graph"' in page


def test_a_rel_usa_tie_is_drawn_for_the_american_only(world: Store) -> None:
    services.add_engagement(
        world,
        _exercise("Quiet 2010", 2010, "USA", "VNM", releasability="REL USA"),
        Viewer.operator("tests"),
    )
    with client_for(world, "analyst.fra") as french, client_for(world, "planner.usa") as american:
        seen_fr = french.get("/network/data?year=2010&min_index=0").json()
        seen_us = american.get("/network/data?year=2010&min_index=0").json()
    assert ("USA", "VNM") in _pairs(seen_us)
    assert ("USA", "VNM") not in _pairs(seen_fr)
    assert "VNM" not in {n["id"] for n in seen_fr["nodes"]}
    assert seen_fr["summary"]["ties"] == seen_us["summary"]["ties"] - 1


def test_a_rel_usa_tie_leaves_no_trace_in_the_french_positions(world: Store) -> None:
    with client_for(world, "analyst.fra") as french:
        before = french.get("/network/data?year=2010&min_index=0").json()
    services.add_engagement(
        world,
        _exercise("Quiet 2010", 2010, "USA", "VNM", "JPN", releasability="REL USA"),
        Viewer.operator("tests"),
    )
    with client_for(world, "analyst.fra") as french, client_for(world, "planner.usa") as american:
        after = french.get("/network/data?year=2010&min_index=0").json()
        seen_us = american.get("/network/data?year=2010&min_index=0").json()

    def placed(picture: dict[str, Any]) -> list[tuple[str, float, float, str]]:
        return [(n["id"], n["x"], n["y"], n["colour"]) for n in picture["nodes"]]

    assert placed(after) == placed(before) and after["extent"] == before["extent"]
    american_nodes = {n["id"]: n for n in seen_us["nodes"]}
    assert "VNM" in american_nodes and "VNM" not in {n["id"] for n in after["nodes"]}
    assert placed(seen_us) != placed(after)


def test_parse_query_takes_defaults_for_blank_parameters() -> None:
    query = parse_query("", None, " ")
    assert (query.year, query.min_index, query.max_ties) == (None, 10.0, 800)


# --- in a browser, on the full data -------------------------------------------------------


def _graph_of(page: Page, year: int) -> None:
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-year", str(year), timeout=30_000)
    expect(graph).to_have_attribute("data-rendered", "true")


@pytest.mark.browser
def test_the_slider_redraws_the_graph_and_a_node_opens_its_nation(page: Page) -> None:
    sign_in(page, "planner.usa")
    page.goto("/network?year=2000")
    _graph_of(page, 2000)
    expect(page.locator("#network-graph canvas").first).to_be_visible()
    nodes_2000 = page.locator("#network-graph").get_attribute("data-nodes")
    expect(page.locator("#network-table tbody tr")).to_have_count(25)
    expect(page.locator("#network-communities li").first).to_contain_text("United States, ")
    slider = page.get_by_label(re.compile("^Year"))
    slider.focus()
    for _ in range(15):
        slider.press("ArrowLeft")
    _graph_of(page, 1985)
    expect(page).to_have_url(re.compile(r"/network\?year=1985&min_index=10&max_ties=800$"))
    expect(page.locator("#network-year-value")).to_have_text("1985")
    expect(page.locator("#network-summary")).to_contain_text("In 1985:")
    expect(page.locator("#network-table-year")).to_have_text("1985")
    expect(page.locator("#network-communities")).to_contain_text("Soviet Union, ")
    assert page.locator("#network-graph").get_attribute("data-nodes") != nodes_2000
    position = page.evaluate("""() => window.comityNetwork.pointOf("USA")""")
    page.mouse.click(position["x"], position["y"])
    expect(page).to_have_url(re.compile(r"/nations/USA$"))


_POSITIONS = """() => window.comityNetwork.graph.mapNodes((key, node) => [key, node.x, node.y])"""


@pytest.mark.browser
def test_one_step_of_the_slider_redraws_with_sigma_and_keeps_the_nations_in_place(
    page: Page,
) -> None:
    sign_in(page, "planner.usa")
    page.goto("/network?year=2005")
    _graph_of(page, 2005)
    expect(page.locator("#network-graph canvas.sigma-nodes")).to_be_attached()
    assert page.evaluate("() => window.comityNetwork.renderer.getGraph().order") > 50
    before = {key: (x, y) for key, x, y in page.evaluate(_POSITIONS)}
    on_screen = page.evaluate("""() => window.comityNetwork.pointOf("USA")""")
    slider = page.get_by_label(re.compile("^Year"))
    slider.focus()
    slider.press("ArrowRight")
    _graph_of(page, 2006)
    after = {key: (x, y) for key, x, y in page.evaluate(_POSITIONS)}
    assert after != before
    extent = page.evaluate("() => JSON.parse(document.getElementById('network-data').text).extent")
    width = extent["x"][1] - extent["x"][0]
    moved = sorted(
        ((after[k][0] - before[k][0]) ** 2 + (after[k][1] - before[k][1]) ** 2) ** 0.5
        for k in set(before) & set(after)
    )
    assert moved[len(moved) // 2] < 0.05 * width  # the median nation barely moves
    # The frame is the same in every year: a nation that stays put stays put on screen.
    moved_on_screen = page.evaluate("""() => window.comityNetwork.pointOf("USA")""")
    assert abs(moved_on_screen["x"] - on_screen["x"]) < 40
    assert abs(moved_on_screen["y"] - on_screen["y"]) < 40


@pytest.mark.browser
def test_pointing_at_a_nation_names_it_and_fades_the_others(page: Page) -> None:
    sign_in(page, "planner.usa")
    page.goto("/network?year=2005")
    _graph_of(page, 2005)
    point = page.evaluate("""() => window.comityNetwork.pointOf("FRA")""")
    page.mouse.move(point["x"], point["y"])
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("title", re.compile(r"^France \(FRA\): strength \d+"))
    shown = page.evaluate(
        """() => { const r = window.comityNetwork.renderer;
                    return [r.getNodeDisplayData("FRA").highlighted,
                            r.getNodeDisplayData("FRA").label,
                            Array.from(r.getNodeDisplayedLabels()),
                            window.comityNetwork.graph.neighbors("FRA")]; }"""
    )
    highlighted, label, labelled, partners = shown
    # The nation itself is drawn highlighted with its full name; every partner is named.
    assert highlighted is True and label == "France (FRA)"
    assert partners and set(partners) <= set(labelled)


@pytest.mark.browser
def test_the_layout_is_the_same_on_every_load(page: Page) -> None:
    sign_in(page, "planner.usa")
    page.goto("/network?year=1995&max_ties=200")
    _graph_of(page, 1995)
    first = page.evaluate(_POSITIONS)
    page.reload()
    _graph_of(page, 1995)
    assert page.evaluate(_POSITIONS) == first and len(first) > 20


_LABELS = """() => { const r = window.comityNetwork.renderer;
    return { size: r.getSetting("labelSize"), ratio: r.getCamera().ratio,
             shown: Array.from(r.getNodeDisplayedLabels()),
             boxes: window.comityNetwork.labels() }; }"""


def _overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (a["node"], b["node"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    ]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_at_the_default_zoom_the_strongest_nations_are_named_legibly_without_overlap(
    page: Page, viewport: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    sign_in(page, "planner.usa")
    page.goto("/network")
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-rendered", "true", timeout=30_000)
    found = page.evaluate(_LABELS)
    assert found["ratio"] == 1 and found["size"] >= 12
    boxes = found["boxes"]
    # Every name is drawn at the label size, whatever the node's size.
    assert all(b["bottom"] - b["top"] >= 12 for b in boxes)
    assert set(found["shown"]) == {b["node"] for b in boxes}
    assert not _overlapping(boxes)
    strongest = [n["id"] for n in page.evaluate(_PICTURE)["nodes"]]
    assert boxes[0]["node"] == strongest[0] == "USA"
    named = {b["node"] for b in boxes}
    assert len(named & set(strongest[:10])) >= 6 and len(named) >= 20
    assert len(named) < len(strongest)  # not every nation: the rest show as one zooms in
    # Zoomed in, names show that had no room before.
    page.evaluate("() => window.comityNetwork.renderer.getCamera().setState({ ratio: 0.4 })")
    page.wait_for_function(
        """(before) => Array.from(window.comityNetwork.renderer.getNodeDisplayedLabels())
                          .some((node) => !before.includes(node))""",
        arg=sorted(named),
    )
    closer = page.evaluate(_LABELS)
    assert set(closer["shown"]) == {b["node"] for b in closer["boxes"]}
    assert not _overlapping(closer["boxes"])


_PICTURE = "() => JSON.parse(document.getElementById('network-data').text)"


@pytest.mark.browser
def test_the_united_states_community_keeps_its_colour_and_the_legend_names_its_members(
    page: Page,
) -> None:
    sign_in(page, "planner.usa")
    seen = {}
    for year in (1960, 1990, 2021):
        picture = page.request.get(f"/network/data?year={year}").json()
        nodes = {n["id"]: n for n in picture["nodes"]}
        legend = {c["id"]: c for c in picture["communities"]}
        ours = legend[nodes["USA"]["community"]]
        assert ours["name"].startswith("United States, ") and ours["name"].endswith(", …")
        assert ours["colour"] == nodes["USA"]["colour"]
        seen[year] = ours["colour"]
    assert len(set(seen.values())) == 1 and seen[1960] in PALETTE
    page.goto("/network?year=1960")
    _graph_of(page, 1960)
    expect(page.locator("#network-communities li").first).to_contain_text(
        re.compile(r"^United States, United Kingdom, France, … \(\d+ nations\)$")
    )
