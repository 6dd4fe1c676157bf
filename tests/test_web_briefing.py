"""The briefing page, its PDF and JSON: through the test client, then in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from comity.access import Role, Viewer
from comity.services import accounts, culture
from comity.store import Store
from tests.browser import sign_in
from tests.web_client import PASSWORD, client_for

MARCH = "nation=Japan&from=2025-03-01&to=2025-03-31&as=USA"


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """A client signed in as a US planner, over the seeded store."""
    accounts.create_user(
        store,
        Viewer.operator("tests"),
        username="planner.usa",
        password=PASSWORD,
        nation="USA",
        role="planner",
    )
    with client_for(store, "planner.usa") as client:
        yield client


def _field_error(html: str, name: str) -> str:
    found = re.search(rf'<small id="briefing-{name}-error"[^>]*>(.*?)</small>', html, re.S)
    assert found is not None, f"no error beside {name}"
    return found.group(1)


def test_the_form_is_seen_from_the_viewers_nation_by_default(client: TestClient) -> None:
    answer = client.get("/briefing")
    assert answer.status_code == 200
    assert re.search(
        r'id="briefing-as" name="as" list="nations" value="United States"', answer.text
    )
    assert 'id="briefing"' not in answer.text


def test_a_briefing_shows_languages_holidays_and_ties(client: TestClient) -> None:
    answer = client.get(f"/briefing?{MARCH}")
    assert answer.status_code == 200
    page = answer.text
    assert '<h2 id="briefing-title">Briefing: Japan (JPN)</h2>' in page
    assert "<td>Japanese</td>" in page
    assert "Vernal Equinox Day" in page
    assert "Relations with United States" in page
    assert (
        'href="/briefing.pdf?nation=JPN&amp;from=2025-03-01&amp;to=2025-03-31&amp;as=USA"' in page
    )


def test_the_pdf_download_is_a_pdf(client: TestClient) -> None:
    answer = client.get(f"/briefing.pdf?{MARCH}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert "briefing-JPN-2025-03-01-2025-03-31.pdf" in answer.headers["content-disposition"]


def test_the_json_is_the_briefings_dictionary(client: TestClient) -> None:
    answer = client.get("/briefing.json?nation=Japan&from=2025-03-01&to=2025-03-31")
    assert answer.status_code == 200
    data = answer.json()
    assert data["title"] == "Briefing: Japan (JPN)"
    assert data["perspective"]["iso3"] == "USA"
    assert data["window"] == {"start": "2025-03-01", "end": "2025-03-31", "days": 31, "given": True}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "nation=Japan&from=2025-03-31&to=2025-03-01",
            "to",
            "The last day is before the first day (2025-03-31).",
        ),
        (
            "nation=Japan&from=2025-03-01&to=2028-03-01",
            "to",
            "The last day is more than two years after the first day (2025-03-01).",
        ),
        (
            "nation=Japn&from=2025-03-01",
            "nation",
            "Unknown nation &#39;Japn&#39;. Did you mean: Japan (JPN)",
        ),
        ("nation=Japan&as=Atlantis", "as", "Unknown nation &#39;Atlantis&#39;."),
        (
            "nation=Japan&from=1%20March",
            "from",
            "&#39;1 March&#39; is not a date: give it as YYYY-MM-DD.",
        ),
        ("nation=", "nation", "Name the nation to brief on."),
    ],
)
def test_a_wrong_field_gets_its_message_beside_it(
    client: TestClient, query: str, field: str, message: str
) -> None:
    answer = client.get(f"/briefing?{query}")
    assert answer.status_code == 422
    assert message in _field_error(answer.text, field)
    assert 'id="briefing"' not in answer.text


def test_an_htmx_request_with_a_wrong_field_is_swapped_in(client: TestClient) -> None:
    answer = client.get("/briefing?nation=Japn", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "Unknown nation" in _field_error(answer.text, "nation")


def test_the_pdf_of_a_reversed_window_is_an_error_page(client: TestClient) -> None:
    answer = client.get("/briefing.pdf?nation=Japan&from=2025-03-31&to=2025-03-01")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "The last day is before the first day" in answer.text


# --- in a browser, over the full data -------------------------------------------------------


@pytest.mark.browser
def test_a_briefing_on_japan_seen_from_the_united_states(page: Page) -> None:
    sign_in(page, "planner.usa")
    page.goto("/briefing")
    expect(page.get_by_label("Seen from")).to_have_value("United States")
    page.get_by_label("Nation", exact=True).fill("Japan")
    page.get_by_label("First day").fill("2025-03-01")
    page.get_by_label("Last day").fill("2025-03-31")
    page.get_by_role("button", name="Brief me").click()
    expect(page.get_by_role("heading", name="Briefing: Japan (JPN)")).to_be_visible(timeout=60_000)
    expect(page).to_have_url(re.compile(r"nation=Japan.*from=2025-03-01"))
    expect(page.locator("#briefing-languages")).to_contain_text("Japanese")
    expect(page.locator("#briefing-holidays")).to_contain_text("Vernal Equinox Day")
    ties = page.locator("#briefing-ties")
    expect(ties).to_contain_text("Tie index:")
    expect(ties.locator("td.num").first).to_have_text(re.compile(r"^\d+\.\d$"))
    expect(page.get_by_role("link", name="Download PDF")).to_have_attribute(
        "href", re.compile(r"^/briefing\.pdf\?nation=JPN&from=2025-03-01&to=2025-03-31&as=USA$")
    )
    page.emulate_media(media="print")
    expect(page.locator("#briefing-form")).to_be_hidden()
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("#briefing-holidays")).to_be_visible()


@pytest.mark.browser
def test_a_reversed_window_is_flagged_beside_the_field(page: Page) -> None:
    sign_in(page, "planner.usa")
    page.goto("/briefing?nation=Japan")
    page.get_by_label("First day").fill("2025-03-31")
    page.get_by_label("Last day").fill("2025-03-01")
    page.get_by_role("button", name="Brief me").click()
    expect(page.locator("#briefing-to-error")).to_contain_text("before the first day")
    expect(page.get_by_label("Last day")).to_have_attribute("aria-invalid", "true")


def test_each_note_says_which_nation_it_belongs_to(store: Store, client: TestClient) -> None:
    american = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
    ours, installation = (
        culture.add_note(store, {"nation": "JPN", "title": title, "body": "..."}, author)
        for title, author in (("Gifts", american), ("Shoes", Viewer.operator("tests")))
    )
    page = client.get(f"/briefing?{MARCH}").text
    assert f'(note {ours.id}) · Belongs to <a href="/nations/USA">USA</a>' in page
    assert f"(note {installation.id}) · Belongs to the installation" in page


SAU_MARCH = "nation=SAU&from=2027-03-01&to=2027-03-20&as=USA"


def test_the_page_shows_ramadan_and_the_marking(store: Store, client: TestClient) -> None:
    american = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
    culture.add_note(
        store,
        {"nation": "SAU", "title": "Majlis", "body": "...", "releasability": "REL USA"},
        american,
    )
    page = client.get(f"/briefing?{SAU_MARCH}").text
    assert re.search(r'id="briefing-observances".*2027-02-08 to 2027-03-08 \(29 days\)', page, re.S)
    assert "<strong>Ramadan</strong>" in page
    assert (
        '<p id="briefing-marking" class="marking" role="note"><strong>REL USA</strong></p>' in page
    )
    footer = re.search(r'<p id="briefing-marking-footer"[^>]*><small>(.*?)</small>', page, re.S)
    assert footer is not None
    assert re.fullmatch(
        r"Records listed: 1 REL USA\.<br>REL USA · Produced \d{4}-\d{2}-\d{2} for a viewer of "
        r"United States \(USA\) · Data version [0-9a-f]{16}",
        footer.group(1),
    )


def test_the_json_carries_the_print_marking(client: TestClient) -> None:
    data = client.get(f"/briefing.json?{SAU_MARCH}").json()
    assert data["print_marking"]["marking"] == "PUBLIC"
    assert data["print_marking"]["viewer_nation"] == "United States (USA)"
    assert [o["name"] for o in data["observances"]] == ["Ramadan"]


@pytest.mark.browser
def test_a_briefing_on_saudi_arabia_in_march_2027(page: Page) -> None:
    sign_in(page, "planner.usa")
    page.goto(f"/briefing?{SAU_MARCH}")
    expect(page.get_by_role("heading", name="Briefing: Saudi Arabia (SAU)")).to_be_visible(
        timeout=60_000
    )
    seasons = page.locator("#briefing-observances")
    expect(seasons).to_contain_text("Ramadan")
    expect(seasons).to_contain_text("2027-02-08 to 2027-03-08")
    expect(page.locator("#briefing-distance-refusal")).to_contain_text(
        "Saudi Arabia has 2 of Hofstede's 6 dimensions; a distance needs at least 4"
    )
    expect(page.locator("#briefing-marking")).to_have_text("PUBLIC")
    expect(page.locator("#briefing-marking-footer")).to_contain_text(
        "for a viewer of United States (USA) · Data version"
    )
    titles = page.locator("#briefing-relations td a")
    expect(titles.first).not_to_have_text(re.compile(r"^mme\d+$"))
    page.emulate_media(media="print")
    expect(page.locator("#briefing-marking")).to_be_visible()
    expect(page.locator("#briefing-marking-footer")).to_be_visible()
