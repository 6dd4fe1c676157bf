"""Plan pages: the list and its state filter, the form, the moves each role may make.

Fast tests go through FastAPI's TestClient; the browser test drives the whole workflow in
Chromium over a small served store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

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
        "participant_nation": ["Thailand", "USA", ""],
        "participant_role": ["host", "", ""],
        "participant_personnel": ["300", "1,200", ""],
        "objectives": "Interoperability\nTrust",
        "location": "Sattahip",
        "budget_amount": "2,500,000",
        "budget_currency": "USD",
        "agencies": ["policy", "finance"],
        "releasability": "PUBLIC",
    }
    data.update(fields)
    return data


def _post_new(store: Store, **fields: str | list[str]) -> tuple[int, str]:
    client = client_for(store, "planner.usa")
    answer = client.post(
        "/plans/new", data={**_form(**fields), "csrf_token": csrf(client, "/plans/new")}
    )
    return answer.status_code, answer.text


def test_a_refused_form_shows_each_problem_beside_its_field(accounts_made: Store) -> None:
    status, text = _post_new(accounts_made, end="2027-01-01", budget_currency="XYZ")
    assert status == 422
    assert re.search(r'id="end-error">the end \(2027-01-01\) is before the start', text)
    assert "&#39;XYZ&#39; is not an ISO 4217 currency code" in text
    assert plan_service.list_plans(accounts_made, PLANNER) == []


def test_every_problem_of_the_form_is_reported_at_once_in_plain_words(
    accounts_made: Store,
) -> None:
    status, text = _post_new(
        accounts_made,
        title="",
        end="2027-01-01",
        budget_amount="twelve",
        participant_nation=["Wakanda", "USA", ""],
        participant_personnel=["300", "a few", ""],
        agencies=[],
    )
    assert status == 422
    assert "The plan was not saved: 6 problems to fix." in text
    summary = text[
        text.index('id="form-problems"') : text.index("</div>", text.index("form-problems"))
    ]
    assert '<a href="#field-title">Title</a>: is required' in summary
    assert '<a href="#field-end">End</a>: the end (2027-01-01) is before the start' in summary
    assert (
        '<a href="#field-participants-0-nation">Participant 1 nation</a>: unknown nation' in summary
    )
    assert "Did you mean" not in summary  # nothing is close to Wakanda
    assert "Participant 2 personnel</a>: must be a whole number, 0 or more, e.g. 1,200" in summary
    assert '<a href="#field-budget_amount">Budget</a>: the amount must be a number' in summary
    assert (
        '<a href="#agencies">Agencies</a>: name at least one agency whose approval the plan needs<'
        in summary
    )
    assert "String should" not in text and "Input should" not in text
    assert 'value="Wakanda"' in text and 'value="a few"' in text  # what was typed is kept
    # Row by row, column by column; a missing day is said to be missing.
    assert summary.index("Participant 1 nation") < summary.index("Participant 2 personnel")
    _, undated = _post_new(accounts_made, start="", end="")
    assert '<a href="#field-start">Start</a>: is required: give the day' in undated
    assert '<a href="#field-end">End</a>: is required: give the day' in undated


def test_numbers_are_read_as_people_type_them(accounts_made: Store) -> None:
    status, _ = _post_new(accounts_made, budget_amount="12,500.50")
    assert status == 200  # the redirect to the new plan, followed
    [stored] = plan_service.list_plans(accounts_made, PLANNER)
    assert stored.plan.budget is not None and stored.plan.budget.amount == Decimal("12500.50")
    assert [q.personnel for q in stored.plan.partners] == [300, 1200]
    client = client_for(accounts_made, "planner.usa")
    german = client.post(
        "/plans/new",
        data={
            **_form(budget_amount="12.500,50", title="Tamber", participant_personnel=["1.200"]),
            "csrf_token": csrf(client, "/plans/new"),
        },
        headers={"Accept-Language": "de-DE,de;q=0.9"},
    )
    assert german.status_code == 200, german.text
    tamber = next(s for s in plan_service.list_plans(accounts_made, PLANNER) if s.id != stored.id)
    assert tamber.plan.budget is not None and tamber.plan.budget.amount == Decimal("12500.50")
    assert tamber.plan.partners[0].personnel == 1200


def test_a_new_plan_is_releasable_to_the_planners_nation_by_default(
    accounts_made: Store,
) -> None:
    page = client_for(accounts_made, "planner.usa").get("/plans/new").text
    assert 'name="releasability" value="REL USA"' in page
    assert ">Cultural event</option>" in page and ">cultural_event<" not in page


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


def test_the_form_shares_a_plan_and_its_page_says_so(accounts_made: Store) -> None:
    client = client_for(accounts_made, "planner.usa")
    empty = client.get("/plans/new").text
    assert "Share with partner installations (when releasable to them)" in empty
    assert not re.search(r'id="field-shared"[^>]*checked', empty)
    status, _ = _post_new(accounts_made, shared="yes")
    assert status == 200
    [stored] = plan_service.list_plans(accounts_made, PLANNER)
    assert stored.plan.shared
    page = client.get(f"/plans/{stored.id}").text
    assert 'id="plan-sharing">Shared with partner installations' in page
    form = client.get(f"/plans/{stored.id}/edit").text
    assert re.search(r'id="field-shared"[^>]*checked', form)
    # Unticked, the box unshares it.
    edited = client.post(
        f"/plans/{stored.id}/edit",
        data={
            **_form(),
            "version": str(stored.version),
            "csrf_token": csrf(client, f"/plans/{stored.id}/edit"),
        },
    )
    assert edited.status_code == 200
    assert not plan_service.get_plan(accounts_made, stored.id, PLANNER).plan.shared
    assert 'id="plan-sharing">Not shared' in edited.text


def test_a_plan_received_from_a_partner_says_so_and_offers_no_move(accounts_made: Store) -> None:
    from comity.model.plans import PlanState
    from comity.services.plans import validate_plan
    from comity.store import nations as nation_store
    from comity.store.plan_writes import ReceivedPlan, insert_received_plan

    with accounts_made.transaction() as connection:
        plan = validate_plan(plan_record(budget=None), nation_store.load_nations(connection))
        received = ReceivedPlan(plan, PlanState.APPROVED, 1, (), "xchg:us-hq:12", None)
        key = insert_received_plan(connection, received, "tests", "USA")
    client = client_for(accounts_made, "planner.usa")
    page = client.get(f"/plans/{key}").text
    assert "Received from the partner installation us-hq" in page and "(its plan 12)" in page
    assert 'value="schedule"' not in page and "Cancel plan" not in page
    form = client.get(f"/plans/{key}/edit").text
    assert 'name="shared"' not in form
    assert "Received from the partner installation us-hq: only its origin shares it." in form


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


def test_only_the_author_or_an_admin_may_cancel_and_only_with_a_reason(
    accounts_made: Store,
) -> None:
    accounts.create_user(
        accounts_made, OPERATOR, username="admin.usa", password=PASSWORD, nation="USA", role="admin"
    )
    client = client_for(accounts_made, "planner.usa")
    created = client.post(
        "/plans/new",
        data={**_form(), "csrf_token": csrf(client, "/plans/new")},
        follow_redirects=False,
    )
    plan_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert f'href="/plans/{plan_id}/cancel"' in client.get(f"/plans/{plan_id}").text
    # Another planner of the nation sees no cancel action and may not open the confirmation.
    other = plan_service.add_plan(accounts_made, plan_record(title="Theirs"), PLANNER)
    assert "/cancel" not in client.get(f"/plans/{other.id}").text
    assert client.get(f"/plans/{other.id}/cancel").status_code == 403
    # The author is asked for a reason; an empty one changes nothing.
    confirm = client.get(f"/plans/{plan_id}/cancel")
    assert "cannot be undone" in confirm.text
    token = csrf(client, f"/plans/{plan_id}/cancel")
    empty = client.post(f"/plans/{plan_id}/cancel", data={"reason": " ", "csrf_token": token})
    assert empty.status_code == 422
    assert "Say why the plan is cancelled" in empty.text
    assert plan_service.get_plan(accounts_made, plan_id, PLANNER).state.value == "draft"
    done = client.post(
        f"/plans/{plan_id}/cancel", data={"reason": "Host withdrew.", "csrf_token": token}
    )
    assert f"Plan {plan_id} cancelled. The reason is kept in its history." in done.text
    stored = plan_service.get_plan(accounts_made, plan_id, PLANNER)
    assert stored.state.value == "cancelled"
    assert stored.transitions[-1].reason == "Host withdrew."
    assert stored.transitions[-1].actor == "planner.usa"
    # An administrator of the nation may cancel another planner's plan.
    admin = client_for(accounts_made, "admin.usa")
    assert f'href="/plans/{other.id}/cancel"' in admin.get(f"/plans/{other.id}").text
    admin.post(
        f"/plans/{other.id}/cancel",
        data={"reason": "Budget cut.", "csrf_token": csrf(admin, f"/plans/{other.id}/cancel")},
    )
    assert plan_service.get_plan(accounts_made, other.id, PLANNER).state.value == "cancelled"


def test_the_decision_comes_first_and_the_message_says_who_is_still_waited_for(
    accounts_made: Store,
) -> None:
    from comity.services import plan_workflow

    stored = plan_service.add_plan(accounts_made, plan_record(), PLANNER)
    plan_workflow.submit_plan(accounts_made, stored.id, PLANNER)
    policy = client_for(accounts_made, "policy.usa")
    page = policy.get(f"/plans/{stored.id}").text
    assert page.index('id="h-decision"') < page.index('id="h-facts"')
    assert "/cancel" not in page  # an approver who did not write it decides; they do not cancel
    answer = policy.post(
        f"/plans/{stored.id}/move",
        data={"action": "approve", "csrf_token": csrf(policy, f"/plans/{stored.id}")},
    )
    assert f"Plan {stored.id} approved for policy; waiting for finance." in answer.text
    finance = client_for(accounts_made, "finance.usa")
    answer = finance.post(
        f"/plans/{stored.id}/move",
        data={"action": "approve", "csrf_token": csrf(finance, f"/plans/{stored.id}")},
    )
    assert "approved by every agency it needs: it may now be scheduled." in answer.text


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
    # The visitors work to the host's week: their own weekend is no warning.
    assert "United States: weekend" not in page
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
    page.get_by_label("End (required)").fill("2027-03-05")
    page.get_by_label("Participant 1 nation").fill("Thailand")
    page.get_by_label("Participant 1 role").select_option("host")
    page.get_by_label("Participant 1 personnel").fill("300")
    page.get_by_label("Participant 2 nation").fill("United States")
    page.get_by_label("Participant 2 personnel").fill("1,200")
    page.get_by_label("Objectives").fill("Interoperability")
    page.get_by_label("Budget", exact=True).fill("12,500")
    page.get_by_label("Currency", exact=True).fill("USD")
    page.get_by_label("Policy").check()
    page.get_by_label("Finance").check()
    page.get_by_role("button", name="Add the plan").click()
    expect(page.locator("#plan-state")).to_have_text("draft")
    plan_url = page.url
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#plan-state")).to_have_text("submitted")
    for username, agency in _AGENCY_USERS:
        _sign_in(page, username, plan_url)
        page.get_by_role("button", name=f"Approve for {agency}").click()
        expect(page.locator("#flash")).to_be_visible()
    expect(page.locator("#plan-state")).to_have_text("approved")
    expect(page.locator("#approvals")).to_contain_text("policy: approved")
    expect(page.locator("#approvals")).to_contain_text("finance: approved")
    # Its author cancels it: a confirmation, a required reason, and the reason in its history.
    _sign_in(page, "planner.usa", plan_url)
    page.get_by_role("link", name="Cancel plan…").click()
    page.get_by_label("Why is it cancelled?").fill("The host asked to postpone.")
    page.get_by_role("button", name="Cancel the plan").click()
    expect(page.locator("#plan-state")).to_have_text("cancelled")
    expect(page.locator("#flash")).to_contain_text("The reason is kept in its history.")
    expect(page.get_by_role("cell", name="The host asked to postpone.")).to_be_visible()
