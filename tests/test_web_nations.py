"""Nation, pair and organisation pages: through the test client, then in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from comity import services
from comity.access import Viewer
from comity.services import accounts
from comity.store import Store
from tests.browser import sign_in
from tests.web_client import PASSWORD, client_for


def _exercise(title: str, releasability: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "exercise",
        "title": title,
        "start": date(2015, 4, 20),
        "host": "PHL",
        "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
    }
    if releasability:
        record["releasability"] = releasability
    return record


@pytest.fixture
def app_store(store: Store) -> Store:
    """The seeded store with a French analyst, a US planner, and a public and a REL USA exercise."""
    operator = Viewer.operator("tests")
    for username, nation, role in (
        ("analyst.fra", "FRA", "analyst"),
        ("planner.usa", "USA", "planner"),
    ):
        accounts.create_user(
            store, operator, username=username, password=PASSWORD, nation=nation, role=role
        )
    services.add_engagement(store, _exercise("Balikatan 2015"), operator)
    services.add_engagement(store, _exercise("Balikatan 2015 (US eyes)", "REL USA"), operator)
    return store


@pytest.fixture
def analyst_fra(app_store: Store) -> Iterator[TestClient]:
    """A client signed in as the French analyst."""
    with client_for(app_store, "analyst.fra") as client:
        yield client


@pytest.fixture
def planner_usa(app_store: Store) -> Iterator[TestClient]:
    """A client signed in as the US planner."""
    with client_for(app_store, "planner.usa") as client:
        yield client


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert found is not None, f"no section {section_id} in the page"
    return found.group(0)


@pytest.mark.parametrize(
    ("text", "key"), [("France", "FRA"), ("South%20Korea", "KOR"), ("ROK", "KOR"), ("fra", "FRA")]
)
def test_a_nation_page_redirects_any_name_to_its_iso3_address(
    analyst_fra: TestClient, text: str, key: str
) -> None:
    answer = analyst_fra.get(f"/nations/{text}", follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["location"] == f"/nations/{key}"


def test_a_nation_page_shows_codes_memberships_and_counts(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/nations/PHL")
    assert answer.status_code == 200
    page = answer.text
    assert "<h1>Philippines" in page
    assert "PH / PHL / 608" in page
    assert 'href="/organisations/ASEAN"' in page
    assert 'href="/briefing?nation=PHL"' in page
    assert 'hx-get="/nations/PHL/network"' in page


def test_an_unknown_nation_gets_a_message_with_suggestions(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/nations/Frence")
    assert answer.status_code == 404
    assert "Unknown nation &#39;Frence&#39;." in answer.text
    assert '<a href="/nations/FRA">France (FRA)</a>' in answer.text
    assert "Traceback" not in answer.text


def test_the_network_of_a_nation_says_which_year_is_observed_and_how_far_the_data_reach(
    analyst_fra: TestClient,
) -> None:
    fragment = analyst_fra.get("/nations/PHL/network", headers={"HX-Request": "true"}).text
    line = re.search(r'data-testid="data-through">(.*?)</p>', fragment, re.S)
    assert line is not None, fragment
    text = " ".join(re.sub(r"<[^>]+>", "", line.group(1)).split())
    year = date.today().year  # the records declare no coverage: every year is observed
    assert text.startswith(f"{year} is the last year whose ties are mostly observed; index data")
    assert "<h3>Top partners in " + str(year) + "</h3>" in fragment
    # Each partner says how sure its place in the top ten is (few partners: certain).
    chances = re.findall(r'data-testid="top-chance">([^<]*)<', fragment)
    assert chances and set(chances) == {"100 %"}
    assert "Top-10 chance" in fragment


def test_the_network_of_a_nation_without_ties_says_so(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/nations/FJI/network", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert "No recorded ties of Fiji in what you may see" in answer.text


def test_the_nations_list_filters_as_a_fragment_for_htmx(analyst_fra: TestClient) -> None:
    fragment = analyst_fra.get("/nations?search=korea", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment
    assert '<a href="/nations/KOR">South Korea</a>' in fragment
    assert '<a href="/nations/PRK">North Korea</a>' in fragment
    assert "France" not in fragment
    page = analyst_fra.get("/nations?search=korea").text
    assert '<a href="/organisations/NATO">' in page
    assert 'value="korea"' in page


def test_historical_states_are_listed_only_when_asked(analyst_fra: TestClient) -> None:
    current = analyst_fra.get("/nations?search=Soviet").text
    assert "No nation matches “Soviet”" in current
    historical = analyst_fra.get("/nations?search=Soviet&historical=true").text
    assert '<a href="/nations/SUN">Soviet Union</a>' in historical


@pytest.mark.parametrize(
    ("year", "present", "absent"), [(1985, "France", "Poland"), (2005, "Poland", None)]
)
def test_an_organisation_lists_its_members_in_a_year(
    analyst_fra: TestClient, year: int, present: str, absent: str | None
) -> None:
    answer = analyst_fra.get(f"/organisations/NATO?year={year}")
    assert answer.status_code == 200
    members = _section(answer.text, "members-in-year")
    assert f"Members in {year}" in members
    assert f">{present}</a>" in members
    if absent:
        assert absent not in members
    assert "Poland" in _section(answer.text, "members-over-time")


def test_an_unknown_organisation_is_a_clear_404(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/organisations/NOPE")
    assert answer.status_code == 404
    assert "NOPE" in answer.text


def test_a_pair_page_redirects_names_to_the_canonical_order(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/pairs/United%20States/Philippines", follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["location"] == "/pairs/PHL/USA"


def test_the_pair_picker_resolves_names_and_reports_unknown_ones(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/pairs?a=United+States&b=Philippines", follow_redirects=False)
    assert answer.headers["location"] == "/pairs/PHL/USA"
    wrong = analyst_fra.get("/pairs?a=France&b=Frence")
    assert wrong.status_code == 422
    assert 'id="pair-b-error"' in wrong.text
    assert "Unknown nation &#39;Frence&#39;" in wrong.text


def test_a_pair_without_ties_says_so(analyst_fra: TestClient) -> None:
    answer = analyst_fra.get("/pairs/FJI/LUX")
    assert answer.status_code == 404
    assert "No recorded ties between Fiji (FJI) and Luxembourg (LUX)" in answer.text


def test_a_pair_page_shows_the_challenges_with_missing_data_as_no_data(
    analyst_fra: TestClient,
) -> None:
    page = analyst_fra.get("/pairs/PHL/USA").text
    challenges = _section(page, "challenges")
    for name in (
        "Ideological distance",
        "Disputes in the last 50 years",
        "Strategic rivalry",
        "Major-power gap",
        "Media tone",
        "Bureaucratic friction",
    ):
        assert name in challenges
    # The seeded store holds no challenge datasets nor plans: every value is missing, none zero.
    assert challenges.count(">no data<") == 6
    assert "Missing: no plan with both PHL and USA has been approved" in challenges
    assert 'data-vega="pair-history-spec"' in page


def test_a_pair_page_hides_engagements_not_releasable_to_the_viewer(
    analyst_fra: TestClient, planner_usa: TestClient
) -> None:
    french = analyst_fra.get("/pairs/PHL/USA").text
    engagements = _section(french, "engagements")
    assert ">Balikatan 2015</a>" in engagements
    assert "US eyes" not in french
    assert "of 1 engagement of the two you may see" in engagements
    american = _section(planner_usa.get("/pairs/PHL/USA").text, "engagements")
    assert "Balikatan 2015 (US eyes)</a>" in american
    assert "of 2 engagements of the two you may see" in american


def test_a_nation_page_counts_only_releasable_engagements(
    analyst_fra: TestClient, planner_usa: TestClient
) -> None:
    french = analyst_fra.get("/nations/PHL").text
    assert "1 engagement of Philippines you may see" in french
    assert "US eyes" not in french
    american = planner_usa.get("/nations/PHL").text
    assert "2 engagements of Philippines you may see" in american
    assert "Balikatan 2015 (US eyes)</a>" in american


# --- in a browser, over the full data -------------------------------------------------------


@pytest.mark.browser
def test_a_pair_page_draws_its_history_and_challenges(page: Page) -> None:
    sign_in(page, "planner.usa")
    page.goto("/pairs/USA/KOR", timeout=90_000)
    expect(page).to_have_url(re.compile(r"/pairs/KOR/USA$"))
    expect(page.get_by_role("heading", name="South Korea and United States")).to_be_visible()
    chart = page.locator('[data-vega="pair-history-spec"]')
    expect(chart).to_have_attribute("data-rendered", "true", timeout=30_000)
    lines = chart.locator("svg .mark-line path")
    # The index and its three components, solid while observed and dashed beyond the sources.
    assert lines.count() == 8
    dashed = [lines.nth(i).get_attribute("stroke-dasharray") for i in range(8)]
    assert sum(1 for d in dashed if d) == 4, dashed
    assert len(lines.first.get_attribute("d") or "") > 100
    expect(page.get_by_test_id("data-through")).to_contain_text("Best estimate for")
    expect(page.get_by_test_id("data-through")).to_contain_text("data through: ")
    challenges = page.locator("#challenges")
    expect(challenges.get_by_role("rowheader", name="Ideological distance")).to_be_visible()
    expect(
        challenges.get_by_role("rowheader", name="Disputes in the last 50 years")
    ).to_be_visible()
    expect(challenges).to_contain_text("militarised dispute")
    recent = page.locator("#engagements tbody tr")
    assert recent.count() == 20
    expect(recent.first.get_by_role("link")).to_have_attribute(
        "href", re.compile(r"^/engagements/\d+$")
    )


@pytest.mark.browser
def test_a_nation_page_loads_its_network_and_links_partners(page: Page) -> None:
    sign_in(page, "analyst.fra")
    page.goto("/nations/France", timeout=90_000)
    expect(page).to_have_url(re.compile(r"/nations/FRA$"))
    expect(page.get_by_role("heading", name="Top partners in", exact=False)).to_be_visible(
        timeout=60_000
    )
    expect(page.locator('[data-vega="nation-network-spec"]')).to_have_attribute(
        "data-rendered", "true"
    )
    expect(page.locator('[data-vega="nation-mix-spec"] svg .mark-rect path').first).to_be_attached()
    page.locator("#partners").get_by_role("link", name="United States").click()
    expect(page).to_have_url(re.compile(r"/pairs/FRA/USA$"))
    expect(page.get_by_role("heading", name="France and United States")).to_be_visible()


@pytest.mark.browser
def test_the_nations_list_searches_as_you_type(page: Page) -> None:
    sign_in(page, "analyst.fra")
    page.goto("/nations")
    page.get_by_label("Search").fill("korea")
    expect(page).to_have_url(re.compile(r"search=korea"))
    rows = page.locator("#nation-results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("North Korea")
    page.get_by_role("link", name="South Korea").click()
    expect(page).to_have_url(re.compile(r"/nations/KOR$"))


@pytest.mark.browser
def test_an_organisation_page_draws_its_members_over_time(page: Page) -> None:
    sign_in(page, "analyst.fra")
    page.goto("/organisations/NATO")
    chart = page.locator('[data-vega="org-members-spec"]')
    expect(chart).to_have_attribute("data-rendered", "true")
    assert chart.locator("svg .mark-rect path").count() >= 32
    page.get_by_label("Members in the year").fill("1985")
    page.get_by_role("button", name="Show").click()
    members = page.locator("#members-in-year")
    expect(members).to_contain_text("16 members")
    expect(members).not_to_contain_text("Poland")
