"""The drafts inbox: the queue, a draft beside its passage with its spans, accept, edit, reject.

Drafts are queued as ``comity extract`` queues them (built here by hand, so that these tests
check the pages, not the extractor), by a planner of the Philippines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from comity import services
from comity.access import Role, Viewer
from comity.extract.draft import Draft, DraftParticipant, Evidence, Passage, Proposed
from comity.services import accounts
from comity.services import drafts as draft_service
from comity.store import Store
from tests.browser import WebApp, serve_store
from tests.test_web_time import _shoot as shoot
from tests.web_client import PASSWORD, client_for, csrf

_OPERATOR = Viewer.operator("tests")
PLANNER = Viewer(name="planner.PHL", nation="PHL", role=Role.PLANNER)
TEXT = (
    "MANILA, Philippines — Filipino and U.S. troops began Balikatan 2024 on Monday, "
    "with more than 16,000 personnel."
)


def _span(text: str, words: str, confidence: float = 0.9) -> Evidence:
    start = TEXT.index(words)
    return Evidence(start, start + len(words), text or words, confidence)


def draft(text: str = TEXT, url: str = "https://www.army.mil/article/1") -> Draft:
    return Draft(
        passage=Passage(text, url=url, published=date(2024, 4, 24), publisher="U.S. Army"),
        kind=Proposed("exercise", _span("", "Balikatan", 0.93)),
        title=Proposed("Balikatan 2024", _span("", "Balikatan 2024")),
        programme=Proposed("Balikatan", _span("", "Balikatan")),
        host=Proposed("PHL", _span("", "MANILA, Philippines", 0.8)),
        participants=(
            DraftParticipant("PHL", "host", None, _span("", "Filipino")),
            DraftParticipant("USA", "participant", None, _span("", "U.S. troops")),
        ),
        start=Proposed("2024-04-22", _span("", "on Monday", 0.85)),
        personnel=Proposed(16000, _span("", "16,000 personnel")),
        location=Proposed("Manila", _span("", "MANILA")),
        model_version="test",
    )


@pytest.fixture
def queued(store: Store) -> Store:
    """A planner and a viewer of the Philippines, a planner of France; one draft queued."""
    for role, nation in (("planner", "PHL"), ("viewer", "PHL"), ("planner", "FRA")):
        accounts.create_user(
            store,
            _OPERATOR,
            username=f"{role}.{nation}",
            password=PASSWORD,
            nation=nation,
            role=role,
        )
    draft_service.save_drafts(store, PLANNER, [draft()])
    return store


def _post(client: Any, url: str, **data: Any) -> Any:
    token = csrf(client, "/drafts")
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def review_form(**changes: Any) -> dict[str, Any]:
    """The review form as the page fills it, with ``changes``."""
    return {
        "kind": "exercise",
        "title": "Balikatan 2024",
        "programme": "Balikatan",
        "host": "Philippines",
        "start": "2024-04-22",
        "end": "",
        "location": "Manila",
        "participant_nation": ["Philippines", "United States"],
        "participant_role": ["host", ""],
        "participant_personnel": ["", ""],
        "releasability": "REL PHL",
        **changes,
    }


def test_the_inbox_lists_the_queue_of_ones_own_nation(queued: Store) -> None:
    page = client_for(queued, "viewer.PHL").get("/drafts").text
    assert "<h1>Drafts from news</h1>" in page
    assert '<a href="/drafts/1">Draft 1</a>' in page
    assert "Balikatan 2024" in page and "PHL, USA" in page and "U.S. Army" in page
    assert 'id="read-form"' not in page  # reading passages is a planner's
    assert 'id="read-form"' in client_for(queued, "planner.PHL").get("/drafts").text
    other = client_for(queued, "planner.FRA").get("/drafts").text
    assert "No drafts waiting for review in your queue." in other


def test_a_draft_shows_its_passage_with_each_span_marked(queued: Store) -> None:
    page = client_for(queued, "planner.PHL").get("/drafts/1").text
    marks = re.findall(r'<mark class="([^"]*)"[^>]*>([^<]*)<', page)
    marked = {text: classes.split() for classes, text in marks}
    assert "f-nation" in marked["Filipino"] and "f-nation" in marked["U.S. troops"]
    assert "f-start" in marked["on Monday"]
    assert "many" in marked["Balikatan"]  # the kind, the title and the programme overlap
    assert re.search(r'<tr data-field="start">.*?2024-04-22.*?85 %.*?“on Monday”', page, re.S)
    assert 'id="review-form"' in page and 'id="no-duplicates"' in page


def test_accepting_with_a_change_makes_the_engagement(queued: Store) -> None:
    client = client_for(queued, "planner.PHL")
    answer = _post(client, "/drafts/1/accept", **review_form(title="Balikatan 39"))
    assert answer.status_code == 303 and answer.headers["location"] == "/drafts/1"
    page = client.get("/drafts/1").text
    found = re.search(r"Draft 1 accepted: engagement (\d+), REL PHL\.", page)
    assert found, page
    record = services.get_engagement(queued, int(found.group(1)), PLANNER).engagement
    assert record.title == "Balikatan 39" and str(record.releasability) == "REL PHL"
    assert record.sources[0].url == "https://www.army.mil/article/1"
    assert 'id="review-form"' not in page and 'id="decision"' in page


def test_a_bad_change_is_named_beside_its_field_and_nothing_changes(queued: Store) -> None:
    client = client_for(queued, "planner.PHL")
    answer = _post(client, "/drafts/1/accept", **review_form(start="April", host="Wakanda"))
    assert answer.status_code == 422
    assert 'id="start-error"' in answer.text and 'id="host-error"' in answer.text
    assert 'value="Wakanda"' in answer.text  # what was typed stays
    assert draft_service.get_draft(queued, PLANNER, 1)["status"] == "pending"


def test_saving_changes_keeps_them_without_deciding(queued: Store) -> None:
    client = client_for(queued, "planner.PHL")
    assert _post(client, "/drafts/1/edit", **review_form(location="Luzon")).status_code == 303
    page = client.get("/drafts/1").text
    assert "Draft 1: changes kept." in page and "(changed)" in page
    assert draft_service.get_draft(queued, PLANNER, 1)["values"]["location"] == "Luzon"


def test_rejecting_needs_a_reason(queued: Store) -> None:
    client = client_for(queued, "planner.PHL")
    refused = _post(client, "/drafts/1/reject", reason="")
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    assert _post(client, "/drafts/1/reject", reason="A US-only drill").status_code == 303
    page = client.get("/drafts/1").text
    assert "Draft 1 rejected." in page and "A US-only drill" in page


def test_another_nation_and_a_viewer_cannot_decide(queued: Store) -> None:
    assert client_for(queued, "planner.FRA").get("/drafts/1").status_code == 404
    viewer = client_for(queued, "viewer.PHL")
    assert 'id="review-readonly"' in viewer.get("/drafts/1").text
    assert _post(viewer, "/drafts/1/reject", reason="no").status_code == 403
    french = client_for(queued, "planner.FRA")
    assert _post(french, "/drafts/1/accept", **review_form()).status_code == 404


@pytest.fixture
def web_app(queued: Store) -> Iterator[WebApp]:
    yield from serve_store(queued)


@pytest.mark.browser
def test_a_draft_is_reviewed_and_accepted_in_the_browser(page: Page) -> None:
    page.goto("/drafts")
    page.get_by_label("Username").fill("planner.PHL")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Draft 1").click()
    expect(page.locator("#passage mark.f-start")).to_contain_text("on Monday")
    shoot(page, "drafts.png")
    page.get_by_label("Title").fill("Balikatan 39")
    page.get_by_label("Participant 2 personnel").fill("1,200")
    page.get_by_role("button", name="Accept as an engagement").click()
    expect(page.locator("#flash")).to_contain_text("Draft 1 accepted: engagement")
    page.locator("#decision a").click()
    expect(page.locator("h1")).to_contain_text("Balikatan 39")
