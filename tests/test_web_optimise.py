"""The optimiser page: through the test client, then in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from comity import services
from comity.access import Viewer
from comity.services import accounts
from comity.store import Store
from tests.browser import WebApp, sign_in
from tests.web_client import PASSWORD, client_for, csrf

CSV = (
    "id,title,kind,partners,year,cost,window\nA,Drill,exercise,PHL,2016,50,spring\n"
    "B,Port call,port_call,PHL,2016,10,spring\nC,Talks,visit,FRA,2016,20,\n"
)


def _client(store: Store, role: str) -> TestClient:
    accounts.create_user(
        store,
        Viewer.operator("tests"),
        username=f"{role}.usa",
        password=PASSWORD,
        nation="USA",
        role=role,
    )
    return client_for(store, f"{role}.usa")


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """A client signed in as a US analyst; the store holds a USA-PHL exercise in 2015."""
    record = {
        "kind": "exercise",
        "title": "Balikatan",
        "start": date(2015, 4, 1),
        "participants": [{"nation": "PHL"}, {"nation": "USA"}],
    }
    services.add_engagement(store, record, Viewer.operator("tests"))
    with _client(store, "analyst") as client:
        yield client


def _csrf(client: TestClient) -> str:
    return csrf(client, "/optimise")


def test_the_form_offers_an_example_and_the_users_nation(client: TestClient) -> None:
    answer = client.get("/optimise")
    assert answer.status_code == 200
    assert 'name="nation" value="USA"' in answer.text
    assert "Pacific drill" in answer.text
    assert '<a href="/optimise" aria-current="page">Optimise</a>' in answer.text


def test_posting_the_form_shows_the_choice_and_the_greedy_pick(client: TestClient) -> None:
    data = {
        "csrf_token": _csrf(client),
        "csv": CSV,
        "budget": "70",
        "priorities": "PHL=2 FRA",
        "nation": "USA",
    }
    answer = client.post("/optimise", data=data)
    assert answer.status_code == 200, answer.text
    rows = re.findall(r"<tr><td>([ABC])</td>", answer.text.split('id="optimise-result"')[1])
    assert rows[:2] == ["A", "C"] and rows[2] == "B"  # chosen A, C; B left out
    assert "Binding: budget, one per window spring." in answer.text
    assert 'id="optimise-greedy"' in answer.text


def test_bad_rows_are_named_on_the_page(client: TestClient) -> None:
    data = {"csrf_token": _csrf(client), "csv": CSV.replace("visit", "alliance"), "budget": "7"}
    answer = client.post("/optimise", data=data)
    assert answer.status_code == 422
    assert "row 3.kind: must be one of" in answer.text


def test_viewers_may_not_optimise(store: Store) -> None:
    with _client(store, "viewer") as client:
        answer = client.get("/optimise")
    assert answer.status_code == 403
    assert "it needs the role analyst" in answer.text


@pytest.mark.browser
def test_optimising_in_the_browser(page: Page) -> None:
    sign_in(page, "analyst.fra")
    page.goto("/optimise")
    page.get_by_label("Budget").fill("60")
    page.get_by_label("Priority partners").fill("PHL=2")
    page.get_by_role("button", name="Optimise").click()
    result = page.locator("#optimise-result")
    expect(result).to_contain_text("Chosen plans for FRA", timeout=60_000)
    expect(result).to_contain_text("Pacific drill")
    expect(page.locator("#optimise-greedy")).to_contain_text("Greedy gain per cost: A")


@pytest.mark.browser
def test_alumni_and_quality_in_the_browser(page: Page, web_app: WebApp) -> None:
    from comity.services import alumni

    operator = Viewer.operator("tests")
    person = services.add_person(web_app.store, {"name": "Jean Martin", "nation": "FRA"}, operator)
    alumni.add_attendance(
        web_app.store,
        {"person_id": person, "programme": "Staff College", "start": "1995"},
        operator,
    )
    alumni.add_career_step(
        web_app.store,
        {
            "person_id": person,
            "date": "2005",
            "position": "Chief of staff",
            "seniority": "service_chief",
        },
        operator,
    )
    sign_in(page, "analyst.fra")
    page.get_by_role("link", name="Alumni").click()
    expect(page.get_by_role("heading", name="Alumni")).to_be_visible()
    figures = page.locator("#alumni-figures")
    expect(figures).to_contain_text("Staff College")
    row = figures.locator("tr", has_text="Staff College")
    expect(row.locator("td").nth(2)).to_have_text("1")  # reached a senior post
    expect(row.locator("td").nth(4)).to_have_text("10.0")  # years from attendance
    page.get_by_label("Group by").select_option("nation")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/alumni\?.*by=nation"))
    expect(figures.locator("tr", has_text="FRA")).to_have_count(1)

    page.get_by_role("link", name="Data quality").click()
    expect(page.get_by_role("heading", name="Data quality")).to_be_visible()
    page.get_by_label("Nation").fill("FRA")
    page.get_by_label("Group by").select_option("nation")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#quality-groups tbody tr").first).to_contain_text("FRA")
    first = page.locator("#quality-fix a").first
    title = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/engagements/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)


def test_alumni_and_quality_pages(client: TestClient, store: Store) -> None:
    from comity.services import alumni

    person = services.add_person(store, {"name": "Ana", "nation": "PHL"}, Viewer.operator("t"))
    alumni.add_attendance(
        store, {"person_id": person, "programme": "IMET", "start": "2000"}, Viewer.operator("t")
    )
    page = client.get("/alumni?by=programme")
    assert page.status_code == 200
    assert "<tr><td>IMET</td><td>1</td><td>0</td><td>0%</td>" in page.text
    quality = client.get("/quality?by=nation")
    assert quality.status_code == 200
    assert "<td>PHL</td><td>1</td>" in quality.text
    assert 'href="/engagements/' in quality.text


def test_the_stored_plans_can_be_the_candidates(client: TestClient, store: Store) -> None:
    plan = {
        "title": "Manila drill",
        "kind": "exercise",
        "start": date(2016, 5, 2),
        "end": date(2016, 5, 6),
        "agencies": ["policy"],
        "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        "budget": {"amount": "40", "currency": "USD"},
    }
    services.plans.add_plan(store, plan, Viewer.operator("tests"))
    services.plans.add_plan(
        store, {**plan, "title": "Unfunded", "budget": None}, Viewer.operator("tests")
    )
    data = {"csrf_token": _csrf(client), "source": "plans", "csv": "", "budget": "50"}
    answer = client.post("/optimise", data=data)
    assert answer.status_code == 200, answer.text
    result = answer.text.split('id="optimise-result"')[1]
    assert "<td>plan-1</td><td>Manila drill</td>" in result
    assert "plan 2 (Unfunded): it has no budget" in result
