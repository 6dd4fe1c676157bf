"""The dashboard: through the test client on a small world, then in a browser on the full data."""

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
from comity.server import build_app
from comity.services import accounts
from comity.store import Store
from tests.browser import ARTIFACTS, sign_in
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
    """The seeded store with a French analyst, a US planner and a few public exercises.

    France's partners in 2010: Germany (yearly exercises), then the United States.
    """
    operator = Viewer.operator("tests")
    for username, nation, role in (
        ("analyst.fra", "FRA", "analyst"),
        ("planner.usa", "USA", "planner"),
    ):
        accounts.create_user(
            store, operator, username=username, password=PASSWORD, nation=nation, role=role
        )
    records = [_exercise(f"Rhine {y}", y, "FRA", "DEU") for y in (2007, 2008, 2009, 2010)]
    records += [
        _exercise("Atlantic 2010", 2010, "FRA", "USA"),
        _exercise("Pacific 2009", 2009, "USA", "JPN"),
        _exercise("Pacific 2010", 2010, "USA", "JPN"),
    ]
    services.add_engagements(store, records, operator)
    return store


@pytest.fixture
def analyst_fra(world: Store) -> Iterator[TestClient]:
    """A client signed in as the French analyst, late in 2010 (the present of this world)."""
    with pinned_today(date(2010, 12, 1)), client_for(world, "analyst.fra") as client:
        yield client


def _partners(html: str) -> list[str]:
    """The partner keys of the top-partners table, in order."""
    table = re.search(r'<table id="top-partners".*?</table>', html, re.S)
    return re.findall(r'data-partner="([A-Z]{3})"', table.group(0)) if table else []


def _spec(html: str, spec_id: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{spec_id}">(.*?)</script>', html, re.S)
    assert found is not None, f"no {spec_id} in the page"
    spec: dict[str, Any] = json.loads(found.group(1))
    return spec


def test_the_dashboard_defaults_to_the_viewers_nation_and_the_latest_year(
    analyst_fra: TestClient,
) -> None:
    page = analyst_fra.get("/")
    assert page.status_code == 200
    assert re.search(r"<h2[^>]*>France <span[^>]*>\(FRA\)</span> in 2010</h2>", page.text)
    assert _partners(page.text) == ["DEU", "USA"]
    assert '<a href="/nations/DEU">Germany</a>' in page.text
    assert '<a href="/pairs/DEU/FRA"' in page.text and '<a href="/pairs/FRA/USA"' in page.text
    assert 'data-testid="partner-count">2<' in page.text
    assert "Server-Timing" in page.headers and page.headers["Server-Timing"].startswith("app;dur=")


def test_the_map_shades_partners_by_iso_numeric_code_and_marks_the_nation(
    analyst_fra: TestClient,
) -> None:
    spec = _spec(analyst_fra.get("/?nation=France&year=2010").text, "map-spec")
    assert spec["data"]["url"] == "/static/vendor/countries-110m.json"
    lookup = spec["layer"][1]["transform"][0]
    partners = {v["id"]: v["partner"] for v in lookup["from"]["data"]["values"]}
    assert partners == {"276": "Germany", "840": "United States"}
    assert spec["layer"][2]["transform"][0]["filter"] == {"field": "id", "equal": "250"}


def test_changing_nation_and_year_by_htmx_swaps_only_the_body(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/?nation=JPN&year=2009", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text and 'id="dashboard-form"' not in answer.text
    assert "<title>Japan in 2009 · Dashboard · comity</title>" in answer.text
    assert _partners(answer.text) == ["USA"]
    trends = _spec(answer.text, "trend-spec")["layer"][0]["data"]["values"]
    assert [row["year"] for row in trends] == [2009, 2010]
    assert "HX-Request" in answer.headers["Vary"]


def test_a_year_without_ties_says_so_and_offers_the_years_with_ties(
    analyst_fra: TestClient,
) -> None:
    page = analyst_fra.get("/?nation=Japan&year=1995").text
    assert "No recorded ties in 1995 for Japan." in page
    assert "Japan has ties on record from 2009 to 2010" in page
    assert 'href="/?nation=JPN&amp;year=2010"' in page
    assert _partners(page) == []


def test_a_nation_without_any_tie_has_an_empty_state(analyst_fra: TestClient) -> None:
    page = analyst_fra.get("/?nation=Fiji").text
    assert "No recorded ties in 2010 for Fiji." in page
    assert "Nothing you may see links Fiji to another nation." in page


def test_an_unknown_nation_is_named_with_suggestions(analyst_fra: TestClient) -> None:
    page = analyst_fra.get("/?nation=Frnace&year=2010")
    assert page.status_code == 200
    assert "Unknown nation &#39;Frnace&#39;." in page.text
    assert '<a href="/?nation=FRA&amp;year=2010">France (FRA)</a>' in page.text
    assert 'id="dashboard-form"' in page.text  # the form stays, to try again


def test_a_year_that_is_not_a_number_is_refused_clearly(analyst_fra: TestClient) -> None:
    page = analyst_fra.get("/?nation=FRA&year=twenty").text
    assert "year: must be a whole number such as 2005" in page


def test_the_mechanisms_load_after_the_page(analyst_fra: TestClient) -> None:
    page = analyst_fra.get("/?nation=FRA&year=2010").text
    assert 'hx-get="/dashboard/mechanisms?nation=FRA&amp;year=2010"' in page
    fragment = analyst_fra.get("/dashboard/mechanisms?nation=FRA&year=2010").text
    assert "Mechanisms of France in 2010" in fragment
    assert re.search(r"<strong>exercise</strong> 100%", fragment)
    regions = {v["region"] for v in _spec(fragment, "mechanisms-spec")["data"]["values"]}
    assert regions == {"Western Europe", "Northern America"}


def test_the_mechanisms_of_a_year_without_engagements_say_so(analyst_fra: TestClient) -> None:
    fragment = analyst_fra.get("/dashboard/mechanisms?nation=Japan&year=1990").text
    assert "No engagements of Japan in 1990 to profile" in fragment
    fragment = analyst_fra.get("/dashboard/mechanisms?nation=Fiji").text
    assert "No engagements of Fiji" in fragment


def test_anonymous_visitors_are_sent_to_sign_in(world: Store) -> None:
    with TestClient(build_app(world, secret_key="x" * 32)) as client:
        answer = client.get("/?nation=FRA", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=/%3Fnation%3DFRA"
        answer = client.get("/dashboard/mechanisms?nation=FRA", headers={"HX-Request": "true"})
        assert answer.status_code == 204 and answer.headers["HX-Redirect"] == "/login"


def test_a_rel_usa_record_changes_the_american_dashboard_only(world: Store) -> None:
    with client_for(world, "analyst.fra") as french, client_for(world, "planner.usa") as american:
        _compare_before_and_after(world, french, american)


def _compare_before_and_after(world: Store, french: TestClient, american: TestClient) -> None:
    before_fr = french.get("/?nation=USA&year=2010").text
    before_us = american.get("/?nation=USA&year=2010").text
    assert _partners(before_fr) == _partners(before_us) == ["JPN", "FRA"]
    services.add_engagement(
        world,
        _exercise("Quiet 2010", 2010, "USA", "VNM", releasability="REL USA"),
        Viewer.operator("tests"),
    )
    after_fr = french.get("/?nation=USA&year=2010").text
    after_us = american.get("/?nation=USA&year=2010").text
    assert _partners(after_fr) == ["JPN", "FRA"]
    body = after_fr[after_fr.index('<div id="dashboard-body">') :]
    assert "Viet" not in body and "VNM" not in body
    assert "704" not in json.dumps(_spec(after_fr, "map-spec"))  # Viet Nam's ISO numeric code
    assert "704" in json.dumps(_spec(after_us, "map-spec"))
    assert set(_partners(after_us)) == {"JPN", "FRA", "VNM"}
    assert 'data-testid="partner-count">3<' in after_us
    assert 'data-testid="partner-count">2<' in after_fr


# --- in a browser, on the full data -------------------------------------------------------


def _wait_for_charts(page: Page) -> None:
    expect(page.locator("#dashboard-map")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#dashboard-trends")).to_have_attribute("data-rendered", "true")


def _first_partner(page: Page) -> str:
    return page.locator("#top-partners tbody tr").first.get_attribute("data-partner") or ""


@pytest.mark.browser
def test_changing_the_nation_and_year_redraws_map_and_table(page: Page) -> None:
    sign_in(page, "analyst.fra")
    page.goto("/?nation=USA&year=2010")
    _wait_for_charts(page)
    expect(page.locator("#top-partners tbody tr")).to_have_count(10)
    assert _first_partner(page) == "KOR"
    red = page.locator('#dashboard-map svg path[fill="#c0392b"]')
    expect(red).to_have_count(1)
    page.get_by_label("Nation", exact=True).fill("Russia")
    page.get_by_label("Nation", exact=True).press("Enter")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"^Russia \(RUS\) in 2010")
    )
    expect(page).to_have_url(re.compile(r"/\?nation=Russia&year=2010$"))
    _wait_for_charts(page)
    assert _first_partner(page) == "KAZ"
    expect(page.locator("#dashboard-map")).to_have_attribute("aria-label", re.compile("Russia"))
    expect(red).to_have_count(1)
    page.get_by_label("Year", exact=True).select_option("1985")
    # "Russia" in 1985 is the Soviet Union: names resolve for the year chosen.
    expect(page.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"^Soviet Union \(SUN\) in 1985")
    )
    expect(page).to_have_url(re.compile(r"/\?nation=Russia&year=1985$"))
    _wait_for_charts(page)
    partners = page.locator("#top-partners tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.partner)"
    )
    assert "KAZ" not in partners and partners[0] != "KAZ"  # not yet a state in 1985
    # The mechanisms come after the page; the first profile of a viewer's scope takes seconds.
    expect(page.locator("#mechanisms-heading")).to_have_text(
        "Mechanisms of Soviet Union in 1985", timeout=30_000
    )
    expect(page.locator("#dashboard-mechanisms")).to_have_attribute("data-rendered", "true")
    page.locator("#top-partners tbody tr").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/nations/[A-Z]{3}$"))


@pytest.mark.browser
def test_a_screenshot_of_the_dashboard(page: Page) -> None:
    sign_in(page, "admin.usa")
    page.goto("/?nation=USA&year=2010")
    _wait_for_charts(page)
    expect(page.locator("#dashboard-mechanisms")).to_have_attribute(
        "data-rendered", "true", timeout=30_000
    )
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000  # the docs' screenshot is tests/test_web_time.py's


@pytest.mark.browser
def test_on_a_phone_and_with_the_keyboard_alone(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, "analyst.fra")
    page.goto("/?nation=USA&year=2010")
    _wait_for_charts(page)
    # Nothing sideways but the tables meant to scroll: the page is as wide as the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
    # The first Tab reaches the skip link; following it puts the keyboard in the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
        if "nation" in reached and "year" in reached:
            break
    assert "nation" in reached or "dashboard-nation" in reached, reached
    # Pico marks focus with an outline or a ring (box shadow): either shows where the keyboard is.
    outline, ring = page.evaluate(
        "[getComputedStyle(document.activeElement).outlineStyle,"
        " getComputedStyle(document.activeElement).boxShadow]"
    )
    assert outline != "none" or ring != "none", "the focused control shows no focus mark"
