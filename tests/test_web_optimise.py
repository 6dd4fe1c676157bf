"""The optimiser page: through the test client, then in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from comity import services
from comity.access import Viewer
from comity.errors import ValidationError
from comity.services import accounts
from comity.store import Store
from comity.web.locale import locale_of
from comity.web.pages.optimise import parse_amount
from tests.browser import WebApp, sign_in
from tests.web_client import PASSWORD, client_for, csrf

CSV = (
    "id,title,kind,partners,year,cost,window\nA,Drill,exercise,PHL,2016,50,spring\n"
    "B,Port call,port_call,PHL,2016,10,spring\nC,Talks,visit,FRA,2016,20,\n"
)
JARGON = re.compile(r"\b(highs|gap|chords?|milp|objective|greedy)\b", re.IGNORECASE)
OPERATOR = Viewer.operator("tests")


def _plan(title: str, **extra: Any) -> dict[str, Any]:
    plan = {
        "title": title,
        "kind": "exercise",
        "start": date(2016, 5, 2),
        "end": date(2016, 5, 6),
        "agencies": ["policy"],
        "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        "budget": {"amount": "12500", "currency": "USD"},
    }
    return {**plan, **extra}


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
    services.add_engagement(store, record, OPERATOR)
    with _client(store, "analyst") as client:
        yield client


@pytest.fixture
def plans(store: Store) -> dict[str, int]:
    """Stored plans: two to pick from, one without a budget, one releasable to France only."""
    found = {}
    for title, extra in (
        ("Manila drill", {}),
        (
            "Port call Subic",
            {"kind": "port_call", "budget": {"amount": "10000", "currency": "USD"}},
        ),
        ("Unfunded talks", {"kind": "visit", "budget": None}),
        (
            "Paris staff talks",
            {
                "kind": "visit",
                "partners": [{"nation": "FRA", "role": "host"}, {"nation": "PHL"}],
                "releasability": "REL FRA",
            },
        ),
    ):
        found[title] = services.plans.add_plan(store, _plan(title, **extra), OPERATOR).id
    return found


def _post(client: TestClient, **fields: Any) -> Any:
    data = {"csrf_token": csrf(client, "/optimise"), "source": "plans", **fields}
    return client.post("/optimise", data=data)


def _chosen(page: str) -> list[str]:
    table = page.split('id="optimise-chosen"')[1].split("</tbody>")[0]
    return re.findall(r"<tr><td>([^<]+)</td>", table)


def test_the_form_lists_only_the_plans_the_user_may_see(
    client: TestClient, plans: dict[str, int]
) -> None:
    answer = client.get("/optimise")
    assert answer.status_code == 200
    assert '<a href="/optimise" aria-current="page">Optimise</a>' in answer.text
    assert "Manila drill" in answer.text and "Port call Subic" in answer.text
    assert "Paris staff talks" not in answer.text  # REL FRA: never offered to an American
    assert f'value="{plans["Paris staff talks"]}"' not in answer.text
    row = answer.text.split('for="plan-{}"'.format(plans["Unfunded talks"]))[1].split("</tr>")[0]
    assert "Cannot be considered: it has no budget." in row
    assert "Philippines" in answer.text and "2016-05-02 to 2016-05-06" in answer.text
    assert "12,500 USD" in answer.text
    assert 'name="budget" inputmode="decimal" autocomplete="off" value=""' in answer.text
    assert "The plans ticked cost 22,500 USD together." in answer.text
    assert 'name="currency" value="USD"' in answer.text


def test_without_stored_plans_the_form_asks_for_a_file(client: TestClient) -> None:
    answer = client.get("/optimise")
    assert answer.status_code == 200
    assert "You may see no stored plan still to decide." in answer.text
    assert 'name="source" value="file" checked' in answer.text
    assert re.search(r'name="budget"[^>]*value=""', answer.text)


def test_picking_stored_plans_chooses_among_them(client: TestClient, plans: dict[str, int]) -> None:
    both = _post(client, plan=[plans["Manila drill"], plans["Port call Subic"]], budget="12,500")
    assert both.status_code == 200, both.text
    assert _chosen(both.text) == ["Manila drill"]
    assert "1 plan chosen, costing 12,500 USD of the 12,500 USD budget (0 USD left)." in both.text
    assert "Raises the tie index with Philippines by" in both.text
    left_out = both.text.split('id="optimise-left-out"')[1].split("</table>")[0]
    assert "Port call Subic" in left_out
    assert "Over budget: it costs 10,000 USD and 0 USD is left." in left_out
    one = _post(client, plan=[plans["Port call Subic"]], budget="12,500")
    assert one.status_code == 200, one.text
    assert _chosen(one.text) == ["Port call Subic"]
    assert 'id="optimise-left-out"' not in one.text


def test_a_must_fund_plan_is_kept_even_when_another_adds_more(
    client: TestClient, plans: dict[str, int]
) -> None:
    answer = _post(
        client,
        plan=[plans["Manila drill"]],
        must=[plans["Port call Subic"]],
        budget="12500",
    )
    assert answer.status_code == 200, answer.text
    assert _chosen(answer.text) == ["Port call Subic"]


def test_a_plan_not_releasable_to_the_user_cannot_be_posted(
    client: TestClient, plans: dict[str, int]
) -> None:
    hidden = plans["Paris staff talks"]
    answer = _post(client, plan=[hidden], budget="50000")
    assert answer.status_code == 422
    assert f"plan {hidden} is not one still to decide that you may see" in answer.text
    assert "Paris staff talks" not in answer.text


def test_the_results_speak_plainly(client: TestClient, plans: dict[str, int]) -> None:
    answer = _post(client, plan=[plans["Manila drill"]], budget="20000")
    assert answer.status_code == 200, answer.text
    assert JARGON.findall(answer.text) == []
    assert '<details id="optimise-method">' in answer.text
    assert "The search proved this the best choice" in answer.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12,500", Decimal("12500")),
        ("12 500", Decimal("12500")),
        ("12\u202f500", Decimal("12500")),
        ("12500.50", Decimal("12500.50")),
        ("USD 12,500", Decimal("12500")),
        ("12,500 usd", Decimal("12500")),
    ],
)
def test_amounts_are_read_as_people_type_them(typed: str, expected: Decimal) -> None:
    assert parse_amount(typed, currency="USD") == expected


def test_amounts_follow_the_locale() -> None:
    assert parse_amount("12 500,50", locale="fr") == Decimal("12500.50")
    assert parse_amount("12.500", locale="de") == Decimal("12500")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("12,50", "is not an amount; did you mean 1,250 or 12.5? write it as 12,500.50"),
        ("sixty", "is not an amount; write it as 12,500.50"),
        ("-5", "must be 0 or more"),
        ("", "give the money you have in USD, e.g. 12,500.50"),
    ],
)
def test_unreadable_amounts_are_refused_with_the_way_to_write_them(typed: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(typed, currency="USD")
    assert caught.value.problems[0].field == "budget"
    assert caught.value.problems[0].reason == reason


def test_the_budget_is_read_in_the_browsers_language(
    client: TestClient, plans: dict[str, int]
) -> None:
    data = {
        "csrf_token": csrf(client, "/optimise"),
        "source": "plans",
        "plan": [plans["Manila drill"]],
        "budget": "12 500,00",
    }
    answer = client.post("/optimise", data=data, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert answer.status_code == 200, answer.text
    assert _chosen(answer.text) == ["Manila drill"]


@pytest.mark.parametrize(
    ("header", "locale"),
    [("", "en"), ("fr-FR,fr;q=0.9,en;q=0.8", "fr_FR"), ("xx, de;q=0.5", "de"), ("*", "en")],
)
def test_the_locale_is_the_first_language_babel_knows(header: str, locale: str) -> None:
    class _Request:
        headers = {"accept-language": header}

    assert locale_of(_Request()) == locale  # type: ignore[arg-type]


def test_every_problem_is_listed_at_once_and_linked_to_its_field(
    client: TestClient, plans: dict[str, int]
) -> None:
    answer = _post(
        client, budget="", currency="USD", priorities="Atlantis=2", max_per_partner="none"
    )
    assert answer.status_code == 422
    summary = answer.text.split('id="form-problems"')[1].split("</div>")[0]
    assert "Nothing was chosen: 4 problems to fix." in summary
    assert '<a href="#optimise-plans">Plans</a>: pick at least one plan' in summary
    assert '<a href="#optimise-budget">Budget</a>: give the money you have in USD' in summary
    assert '<a href="#optimise-priorities">Priority partners</a>' in summary
    assert '<a href="#optimise-max_per_partner">At most per partner</a>' in summary
    assert 'id="optimise-budget-error"' in answer.text
    assert 'value="Atlantis=2"' in answer.text  # the form comes back as typed
    assert 'id="optimise-result"' not in answer.text


def test_an_uploaded_file_with_a_bad_row_names_the_row_and_field(client: TestClient) -> None:
    data = {"csrf_token": csrf(client, "/optimise"), "source": "file", "budget": "70"}
    bad = CSV.replace("visit", "alliance")
    answer = client.post("/optimise", data=data, files={"file": ("plans.csv", bad, "text/csv")})
    assert answer.status_code == 422
    assert (
        '<a href="#optimise-csv">Row 3 (line 4 of the file), column kind</a>: must be one of'
        in answer.text
    )
    assert 'id="optimise-result"' not in answer.text  # nothing half-done
    assert "The rows of plans.csv are kept in the box" in answer.text
    assert "C,Talks,alliance,FRA,2016,20," in answer.text


def test_an_uploaded_file_that_is_not_text_is_refused(client: TestClient) -> None:
    data = {"csrf_token": csrf(client, "/optimise"), "source": "file", "budget": "70"}
    answer = client.post("/optimise", data=data, files={"file": ("plans.csv", b"\xff\xfe\x00")})
    assert answer.status_code == 422
    assert "is not UTF-8 text" in answer.text


def test_an_uploaded_file_is_chosen_from(client: TestClient) -> None:
    data = {
        "csrf_token": csrf(client, "/optimise"),
        "source": "file",
        "budget": "70",
        "currency": "EUR",
        "priorities": "PHL=2, France",
    }
    answer = client.post("/optimise", data=data, files={"file": ("plans.csv", CSV, "text/csv")})
    assert answer.status_code == 200, answer.text
    assert _chosen(answer.text) == ["Drill", "Talks"]
    assert "2 plans chosen, costing 70 EUR of the 70 EUR budget (0 EUR left)." in answer.text
    assert "one plan per time window (spring)" in answer.text


def test_typed_candidates_remain_an_advanced_option(client: TestClient) -> None:
    answer = _post(client, source="text", csv=CSV, budget="70", include="C")
    assert answer.status_code == 200, answer.text
    assert _chosen(answer.text) == ["Drill", "Talks"]
    assert "Port call" in answer.text.split('id="optimise-left-out"')[1]


def test_the_sample_file_is_offered(client: TestClient) -> None:
    answer = client.get("/optimise/sample.csv")
    assert answer.status_code == 200
    assert answer.text.startswith("id,title,kind,partners,host,year,personnel,cost,window")


def test_viewers_may_not_optimise(store: Store) -> None:
    with _client(store, "viewer") as client:
        answer = client.get("/optimise")
    assert answer.status_code == 403
    assert "it needs the role analyst" in answer.text


def _browser_plans(store: Store) -> None:
    common = {
        "kind": "exercise",
        "start": date(2026, 5, 4),
        "end": date(2026, 5, 8),
        "agencies": ["policy"],
        "budget": {"amount": "12500", "currency": "EUR"},
    }
    for title, host, extra in (
        ("Baltic drill", "EST", {}),
        ("Dakar port call", "SEN", {"kind": "port_call"}),
        ("Eyes-only drill", "PHL", {"releasability": "REL USA"}),
    ):
        partners = [{"nation": host, "role": "host"}, {"nation": "FRA"}, {"nation": "USA"}]
        services.plans.add_plan(
            store, {**common, "title": title, "partners": partners, **extra}, OPERATOR
        )


@pytest.mark.browser
def test_choosing_stored_plans_in_the_browser(page: Page, web_app: WebApp) -> None:
    _browser_plans(web_app.store)
    sign_in(page, "analyst.fra")
    page.goto("/optimise")
    plans = page.locator("#optimise-plans")
    expect(plans).to_contain_text("Baltic drill")
    expect(plans).to_contain_text("Estonia")
    expect(plans).not_to_contain_text("Eyes-only drill")
    expect(page.get_by_label("Baltic drill", exact=True)).to_be_checked()
    page.get_by_label("Budget in EUR").fill("12,500")
    page.get_by_role("button", name="Choose plans").click()
    result = page.locator("#optimise-result")
    expect(result).to_contain_text("1 plan chosen, costing 12,500 EUR", timeout=60_000)
    expect(page.locator("#optimise-chosen")).to_contain_text("Raises the tie index with")
    expect(page.locator("#optimise-left-out")).to_contain_text("Over budget: it costs 12,500 EUR")
    assert JARGON.findall(result.inner_text()) == []
    method = page.locator("#optimise-method")
    expect(method.locator("li").first).to_be_hidden()
    method.get_by_text("Method", exact=True).click()
    expect(method).to_contain_text("The search proved this the best choice")
    expect(page.get_by_label("Budget in EUR")).to_have_value("12,500")


@pytest.mark.browser
def test_a_bad_file_is_explained_in_the_browser(page: Page) -> None:
    sign_in(page, "analyst.fra")
    page.goto("/optimise")
    page.get_by_label("A file I upload").check()
    bad = CSV.replace("visit", "alliance").encode()
    page.get_by_label("CSV file (or JSON)").set_input_files(
        {"name": "plans.csv", "mimeType": "text/csv", "buffer": bad}
    )
    page.get_by_label("Budget in EUR").fill("12 500")
    page.get_by_role("button", name="Choose plans").click()
    problems = page.locator("#form-problems")
    expect(problems).to_contain_text("1 problem to fix")
    link = problems.get_by_role("link", name="Row 3 (line 4 of the file), column kind")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#optimise-csv")).to_be_visible()
    expect(page.locator("#optimise-csv")).to_have_value(re.compile("C,Talks,alliance"))
    expect(page.locator("#optimise-result")).to_have_count(0)


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
