"""Plan pages: the list and its state filter, the form, the moves each role may make.

Fast tests go through FastAPI's TestClient; the browser test drives the whole workflow in
Chromium over a small served store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from comity.access import Viewer
from comity.services import accounts
from comity.services import plans as plan_service
from comity.store import Store
from tests.browser import PASSWORD, WebApp, serve_store
from tests.test_plans import PLANNER, plan_record
from tests.test_web_engagements import client_for, csrf

OPERATOR = Viewer.operator("tests")
_AGENCY_USERS = [("policy.usa", "policy"), ("finance.usa", "finance")]


def _approvers(store: Store) -> None:
    for username, agency in _AGENCY_USERS:
        accounts.create_user(
            store,
            OPERATOR,
            username=username,
            password=PASSWORD,
            nation="USA",
            role="approver",
            agency=agency,
        )


@pytest.fixture
def accounts_made(store: Store) -> Store:
    """The store with a US planner and viewer, a British planner, two US approvers."""
    for username, nation, role in [
        ("planner.usa", "USA", "planner"),
        ("viewer.usa", "USA", "viewer"),
        ("planner.gbr", "GBR", "planner"),
    ]:
        accounts.create_user(
            store, OPERATOR, username=username, password=PASSWORD, nation=nation, role=role
        )
    _approvers(store)
    return store


def _form(**fields: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "title": "Cobra Gold 2027",
        "kind": "exercise",
        "start": "2027-02-22",
        "end": "2027-03-05",
        "partners": "Thailand:host:300\nUSA:500",
        "objectives": "Interoperability\nTrust",
        "location": "Sattahip",
        "budget_amount": "2500000",
        "budget_currency": "USD",
        "agencies": ["policy", "finance"],
        "releasability": "PUBLIC",
    }
    data.update(fields)
    return data


def test_a_refused_form_shows_each_problem_beside_its_field(accounts_made: Store) -> None:
    client = client_for(accounts_made, "planner.usa")
    answer = client.post(
        "/plans/new",
        data={
            **_form(end="2027-01-01", budget_currency="XYZ"),
            "csrf_token": csrf(client, "/plans/new"),
        },
    )
    assert answer.status_code == 422
    assert re.search(r'id="end-error">the end \(2027-01-01\) is before the start', answer.text)
    assert "&#39;XYZ&#39; is not an ISO 4217 currency code" in answer.text
    assert plan_service.list_plans(accounts_made, PLANNER) == []


def test_the_form_creates_a_plan_and_the_buttons_follow_the_role(accounts_made: Store) -> None:
    client = client_for(accounts_made, "planner.usa")
    answer = client.post(
        "/plans/new",
        data={**_form(), "csrf_token": csrf(client, "/plans/new")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    url = answer.headers["location"]
    page = client.get(url).text
    assert 'value="submit"' in page and 'value="approve"' not in page
    assert '<dt>Belongs to</dt><dd><a href="/nations/USA">USA</a>' in page
    viewer_page = client_for(accounts_made, "viewer.usa").get(url).text
    assert 'value="submit"' not in viewer_page and "Cobra Gold 2027" in viewer_page


def test_an_illegal_move_is_flashed_and_changes_nothing(accounts_made: Store) -> None:
    stored = plan_service.add_plan(accounts_made, plan_record(), PLANNER)
    client = client_for(accounts_made, "planner.usa")
    token = csrf(client, f"/plans/{stored.id}")
    answer = client.post(
        f"/plans/{stored.id}/move", data={"action": "execute", "csrf_token": token}
    )
    assert f"Plan {stored.id} cannot move from draft to executed." in answer.text
    assert plan_service.get_plan(accounts_made, stored.id, PLANNER).state.value == "draft"
    forged = client.post(f"/plans/{stored.id}/move", data={"action": "submit"})
    assert forged.status_code == 401


def test_a_plan_rel_gbr_is_not_listed_for_a_usa_user(accounts_made: Store) -> None:
    british = Viewer(name="planner.gbr", nation="GBR", role=PLANNER.role)
    record = plan_record(title="Tamber", releasability="REL GBR")
    secret = plan_service.add_plan(accounts_made, record, british)
    us = client_for(accounts_made, "planner.usa")
    assert "Tamber" not in us.get("/plans").text
    assert us.get(f"/plans/{secret.id}").status_code == 404
    assert "Tamber" in client_for(accounts_made, "planner.gbr").get("/plans").text


def test_the_state_filter(accounts_made: Store) -> None:
    plan_service.add_plan(accounts_made, plan_record(title="Drafted"), PLANNER)
    client = client_for(accounts_made, "planner.usa")
    assert "Drafted" in client.get("/plans?state=draft").text
    assert "Drafted" not in client.get("/plans?state=approved").text


def test_calendar_warnings_say_each_thing_once_and_say_when_there_is_nothing(
    accounts_made: Store,
) -> None:
    from comity.services import plan_workflow

    client = client_for(accounts_made, "planner.usa")
    busy = plan_service.add_plan(accounts_made, plan_record(), PLANNER)
    plan_workflow.submit_plan(accounts_made, busy.id, PLANNER)
    page = client.get(f"/plans/{busy.id}").text
    # A weekend day reads "weekend" once; a holiday keeps its name and kind.
    assert "2027-02-27 (Saturday): Thailand: weekend</li>" in page
    assert "(weekend)" not in page
    assert (
        '2027-02-22 (Monday): Thailand: Makha Bucha (in lieu) <small class="muted">public holiday'
        in page
    )
    quiet = plan_service.add_plan(
        accounts_made, plan_record(start="2027-03-09", end="2027-03-11"), PLANNER
    )
    plan_workflow.submit_plan(accounts_made, quiet.id, PLANNER)
    page = client.get(f"/plans/{quiet.id}").text
    assert "No holiday or weekend of the participants falls on these dates." in page
    untold = plan_service.add_plan(accounts_made, plan_record(objectives=[]), PLANNER)
    page = client.get(f"/plans/{untold.id}").text
    assert '<dt>Objectives</dt><dd><span class="muted">None stated</span>' in page


@pytest.fixture
def web_app(store: Store) -> Iterator[WebApp]:
    """The app served over a small store, with two US approvers (policy, finance)."""
    _approvers(store)
    yield from serve_store(store)


def _sign_in(page: Page, username: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.browser
def test_a_plan_is_created_submitted_and_approved_by_two_agencies(page: Page) -> None:
    _sign_in(page, "planner.usa", "/plans/new")
    page.get_by_label("Title").fill("Cobra Gold 2027")
    page.get_by_label("Kind").select_option("exercise")
    page.get_by_label("Start").fill("2027-02-22")
    page.get_by_label("End", exact=True).fill("2027-03-05")
    page.get_by_label("Partners").fill("Thailand:host:300\nUSA:500")
    page.get_by_label("Objectives").fill("Interoperability")
    page.get_by_label("policy").check()
    page.get_by_label("finance").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#plan-state")).to_have_text("draft")
    plan_url = page.url
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#plan-state")).to_have_text("submitted")
    for username, agency in _AGENCY_USERS:
        _sign_in(page, username, plan_url)
        page.get_by_role("button", name=f"Approve for {agency}").click()
        expect(page.locator("#flash")).to_be_visible()
    expect(page.locator("#plan-state")).to_have_text("approved")
    expect(page.locator("#approvals")).to_contain_text("policy: approved")
    expect(page.locator("#approvals")).to_contain_text("finance: approved")
