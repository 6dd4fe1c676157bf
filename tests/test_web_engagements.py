"""Engagement pages: the list and its filters, one engagement, the forms, releasability.

Fast tests go through FastAPI's TestClient on a small store; browser tests (marked) drive the
forms in Chromium against the full served store.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comity import services
from comity.access import Role, Viewer
from comity.services import accounts
from comity.services.imports import import_dataset, mapped_importer
from comity.store import Store
from comity.web.pages import engagements as engagement_pages
from tests.browser import WebApp
from tests.web_client import PASSWORD, client_for, csrf

OPERATOR = Viewer.operator("tests")
USERS = [
    ("planner.usa", "USA", "planner"),
    ("viewer.usa", "USA", "viewer"),
    ("analyst.fra", "FRA", "analyst"),
]
RECORDS = [
    {
        "kind": "exercise",
        "title": "Cobra Gold 2010",
        "start": "2010-02",
        "end": "2010-03",
        "participants": [{"nation": "THA", "role": "host"}, {"nation": "USA", "personnel": 5000}],
        "location": "Sattahip",
        "programme": "Cobra Gold",
        "objectives": ["Amphibious landing"],
        "details": {"domains": ["amphibious"]},
    },
    {
        "kind": "visit",
        "title": "Staff talks in Paris",
        "start": "1995",
        "participants": [{"nation": "FRA", "role": "host"}, {"nation": "USA"}],
    },
    {
        "kind": "training",
        "title": "Secret talks",
        "start": "2001-05-02",
        "participants": [{"nation": "USA"}, {"nation": "GBR"}],
        "releasability": "REL USA",
    },
    {
        "kind": "port_call",
        "title": "Port call in Toulon",
        "start": "2005-06",
        "participants": [{"nation": "FRA", "role": "host"}, {"nation": "USA"}],
        "location": "Toulon",
    },
]


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    """The store with three accounts and four engagements; their ids by title."""
    for username, nation, role in USERS:
        accounts.create_user(
            store, OPERATOR, username=username, password=PASSWORD, nation=nation, role=role
        )
    author = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)  # the USA's records
    return {r["title"]: services.add_engagement(store, r, author).id for r in RECORDS}


def titles(html: str) -> list[str]:
    """The titles linked in the results table."""
    return re.findall(r'<td><a href="/engagements/\d+">([^<]+)</a>', html)


def form_data(**fields: str | list[str]) -> dict[str, str | list[str]]:
    """A filled-in engagement form (three participant rows), with ``fields`` replacing values."""
    data: dict[str, str | list[str]] = {
        "kind": "exercise",
        "title": "Pacific Partnership",
        "start": "2012-06",
        "end": "",
        "host": "",
        "location": "Guam",
        "programme": "",
        "objectives": "Interoperability\n",
        "description": "",
        "releasability": "PUBLIC",
        "participant_nation": ["United States", "Japan", ""],
        "participant_role": ["", "", ""],
        "participant_personnel": ["", "", ""],
    }
    data.update(fields)
    return data


def test_list_filters_by_nation_kind_and_years(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    everything = client.get("/engagements")
    oldest_first = [
        "Staff talks in Paris",
        "Secret talks",
        "Port call in Toulon",
        "Cobra Gold 2010",
    ]
    assert titles(everything.text) == oldest_first[::-1]  # newest first
    assert 'aria-sort="descending"' in everything.text
    assert '<strong id="total">4</strong> engagements match' in everything.text
    french = client.get("/engagements", params={"nation": "France", "from_year": "2000"})
    assert titles(french.text) == ["Port call in Toulon"]
    assert '<strong id="total">1</strong> engagement matches' in french.text
    kinds = client.get("/engagements", params=[("kind", "visit"), ("kind", "exercise")])
    assert titles(kinds.text) == ["Cobra Gold 2010", "Staff talks in Paris"]
    pair = client.get("/engagements", params={"nation": "USA", "partner": "Thailand"})
    assert titles(pair.text) == ["Cobra Gold 2010"]
    assert titles(client.get("/engagements?text=toulon").text) == ["Port call in Toulon"]
    assert titles(client.get("/engagements?programme=Cobra+Gold").text) == ["Cobra Gold 2010"]


def test_the_list_sorts_by_a_column_and_keeps_the_filters(
    store: Store, ids: dict[str, int]
) -> None:
    client = client_for(store, "planner.usa")
    oldest = client.get("/engagements?sort=oldest")
    assert titles(oldest.text) == [
        "Staff talks in Paris",
        "Secret talks",
        "Port call in Toulon",
        "Cobra Gold 2010",
    ]
    assert 'aria-sort="ascending"' in oldest.text
    by_title = client.get("/engagements?sort=title&nation=USA")
    assert titles(by_title.text) == sorted(titles(by_title.text), key=str.lower)
    # The Date heading of a list by title goes back to newest first, the nation kept.
    assert 'href="/engagements?nation=USA"' in by_title.text
    bad = client.get("/engagements?sort=colour")
    assert "is not an order; known orders: newest, oldest, title, kind" in bad.text
    assert titles(bad.text) == []


def test_list_answers_htmx_with_the_results_and_a_clean_url(
    store: Store, ids: dict[str, int]
) -> None:
    client = client_for(store, "planner.usa")
    answer = client.get(
        "/engagements?nation=FRA&partner=&kind=visit&text=", headers={"HX-Request": "true"}
    )
    assert answer.text.lstrip().startswith('<section id="results"')
    assert "<html" not in answer.text
    assert answer.headers["HX-Push-Url"] == "/engagements?nation=FRA&kind=visit"
    assert titles(answer.text) == ["Staff talks in Paris"]


def test_list_pages_with_a_cursor(
    store: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engagement_pages, "PAGE_SIZE", 3)
    client = client_for(store, "planner.usa")
    for order, pages in [
        (
            "",
            (["Cobra Gold 2010", "Port call in Toulon", "Secret talks"], ["Staff talks in Paris"]),
        ),
        (
            "?sort=oldest",
            (["Staff talks in Paris", "Secret talks", "Port call in Toulon"], ["Cobra Gold 2010"]),
        ),
        ("?sort=title", (["Cobra Gold 2010", "Port call in Toulon", "Secret talks"], None)),
    ]:
        first = client.get("/engagements" + order)
        assert titles(first.text) == pages[0], order
        found = re.search(r'href="(/engagements\?[^"]+)"[^>]*rel="next"', first.text)
        assert found, "no Next page link"
        second = client.get(found.group(1).replace("&amp;", "&"))
        assert titles(second.text) == (pages[1] or ["Staff talks in Paris"]), order
        assert 'rel="next"' not in second.text
        assert ">First page</a>" in second.text


def test_list_explains_a_bad_filter(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    unknown = client.get("/engagements?nation=Narnia")
    assert "Unknown nation &#39;Narnia&#39;." in unknown.text
    assert "Did you mean" not in unknown.text  # no name is close: no guess is offered
    close = client.get("/engagements?nation=Frnace")
    assert "Did you mean: France (FRA)" in close.text
    years = client.get("/engagements?nation=FRA&from_year=nineteen")
    assert "must be a year such as 1995" in years.text
    assert titles(years.text) == []


def test_list_has_an_empty_state(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    answer = client.get("/engagements?nation=Fiji")
    assert "No engagements match these filters." in answer.text


def test_csv_download_holds_the_filtered_rows(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    answer = client.get("/engagements.csv?nation=France")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["title"], r["participants"], r["host"]) for r in rows] == [
        ("Staff talks in Paris", "FRA;USA", "FRA"),
        ("Port call in Toulon", "FRA;USA", "FRA"),
    ]


def test_detail_shows_every_field_and_links(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    page = client.get(f"/engagements/{ids['Cobra Gold 2010']}").text
    for text in (
        "<h1>Cobra Gold 2010</h1>",
        "February 2010",
        "(known to the month)",
        'href="/nations/THA">Thailand</a>',
        'href="/pairs/THA/USA"',
        "5,000",
        "Sattahip",
        "Amphibious landing",
        'href="/engagements?programme=Cobra%20Gold"',
        "<dt>Domains</dt><dd>amphibious</dd>",
        ">PUBLIC</span>",
        "Entered by hand",
        "by planner.usa",
        "<dt>Version</dt><dd>1</dd>",
        ">Edit</a>",
        ">Delete</a>",
        'href="/nations/USA">United States</a>',
    ):
        assert text in page, text


def test_detail_shows_provenance_and_assessments(
    store: Store, ids: dict[str, int], tmp_path: Path
) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[dataset]\nname = "exchanges"\n[columns]\nid = "id"\ntitle = "title"\n'
        'start = "start"\n[participants]\nlayout = "list"\ncolumn = "nations"\n'
        'separator = ";"\n[constants]\nkind = "training"\n'
    )
    data = tmp_path / "exchanges.csv"
    data.write_text("id,title,start,nations\nX1,Staff college exchange,2014,USA;FRA\n")
    import_dataset(store, mapped_importer(mapping), [data], viewer=OPERATOR)
    (stored,) = services.list_engagements(store, OPERATOR, text="Staff college")
    services.add_assessment(
        store,
        {
            "engagement_id": stored.id,
            "assessed_on": "2014-12-01",
            "trust": 4,
            "lessons": "Start the visas early",
        },
        OPERATOR,
    )
    page = client_for(store, "analyst.fra").get(f"/engagements/{stored.id}").text
    assert "Dataset <code>exchanges</code>, row 2" in page
    assert "Assessments (1)" in page
    assert "<dt>Trust</dt><dd>4 / 5</dd>" in page
    assert "Start the visas early" in page


def test_the_form_reads_personnel_as_people_type_it_and_starts_releasable_to_the_author(
    store: Store, ids: dict[str, int]
) -> None:
    client = client_for(store, "planner.usa")
    assert 'name="releasability" value="REL USA"' in client.get("/engagements/new").text
    data = form_data(participant_personnel=["1,200", "350", ""])
    data["csrf_token"] = csrf(client, "/engagements/new")
    assert client.post("/engagements/new", data=data).status_code == 200
    (stored,) = services.list_engagements(store, OPERATOR, text="Pacific Partnership")
    assert {p.nation: p.personnel for p in stored.engagement.participants} == {
        "USA": 1200,
        "JPN": 350,
    }


def test_a_form_with_problems_comes_back_with_each_beside_its_field(
    store: Store, ids: dict[str, int]
) -> None:
    client = client_for(store, "planner.usa")
    data = form_data(
        end="2012-01",
        participant_nation=["United States", "Narnia", ""],
        participant_personnel=["", "lots", ""],
    )
    data["csrf_token"] = csrf(client, "/engagements/new")
    answer = client.post("/engagements/new", data=data)
    assert answer.status_code == 422
    page = answer.text
    assert "The engagement was not saved: 3 problems to fix." in page
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>', page)
    assert summary == [
        ("field-end", "End"),
        ("field-participants-1-nation", "Participant 2 nation"),
        ("field-participants-1-personnel", "Participant 2 personnel"),
    ]
    nation = re.search(
        r'<input id="field-participants-1-nation"[^>]*>\s*<small[^>]*>([^<]*)<', page
    )
    assert nation, "no message beside the second participant"
    assert 'value="Narnia"' in nation.group(0)
    assert 'aria-invalid="true" aria-describedby="participants-1-nation-error"' in nation.group(0)
    assert nation.group(1).startswith("unknown nation; pick a name from the list")
    assert 'id="participants-1-personnel-error">must be a whole number, 0 or more' in page
    assert 'value="Pacific Partnership"' in page  # the user's values are kept
    assert len(services.list_engagements(store, OPERATOR)) == 4

    data.update(participant_nation=["United States", "Japan", ""], participant_personnel="")
    answer = client.post("/engagements/new", data=data)
    assert answer.status_code == 422
    assert re.search(
        r'id="field-end"[^>]*aria-invalid="true"[^>]*>\s*'
        r'<small class="field-error" id="end-error">the end \(2012-01\) is before '
        r"the start \(2012-06\)</small>",
        answer.text,
    )

    data["end"] = "2012-07"
    saved = client.post("/engagements/new", data=data, follow_redirects=False)
    assert saved.status_code == 303
    assert re.fullmatch(r"/engagements/\d+\?saved=1", saved.headers["location"])
    page = client.get(saved.headers["location"]).text
    assert '<p class="notice" role="status">Saved.</p>' in page
    assert "<h1>Pacific Partnership</h1>" in page
    assert 'href="/nations/JPN">Japan</a>' in page


def test_an_edit_saves_and_keeps_the_details_of_its_kind(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    key = ids["Cobra Gold 2010"]
    page = client.get(f"/engagements/{key}/edit").text
    assert 'name="version" value="1"' in page
    assert 'value="Thailand"' in page
    data = form_data(
        kind="exercise",
        title="Cobra Gold 2010 (revised)",
        start="2010-02",
        end="2010-03",
        host="Thailand",
        version="1",
        participant_nation=["Thailand", "USA", "Singapore"],
        participant_role=["host", "", "observer"],
    )
    data["csrf_token"] = csrf(client, f"/engagements/{key}/edit")
    saved = client.post(f"/engagements/{key}/edit", data=data, follow_redirects=False)
    assert saved.headers["location"] == f"/engagements/{key}?saved=1"
    stored = services.get_engagement(store, key, OPERATOR)
    assert stored.version == 2
    assert stored.engagement.title == "Cobra Gold 2010 (revised)"
    assert [(p.nation, p.role.value) for p in stored.engagement.participants] == [
        ("THA", "host"),
        ("SGP", "observer"),
        ("USA", "participant"),
    ]
    assert stored.engagement.details is not None  # the kind did not change


def test_a_stale_edit_is_refused_with_a_clear_message(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    key = ids["Port call in Toulon"]
    token = csrf(client, f"/engagements/{key}/edit")
    services.edit_engagement(store, key, {"location": "Toulon naval base"}, OPERATOR)
    data = form_data(
        kind="port_call",
        title="Port call in Toulon (mine)",
        start="2005-06",
        version="1",
        participant_nation=["France", "USA"],
        participant_role=["host", ""],
        participant_personnel=["", ""],
    )
    data["csrf_token"] = token
    answer = client.post(f"/engagements/{key}/edit", data=data)
    assert answer.status_code == 409
    assert "Someone changed this engagement since you opened it." in answer.text
    assert f'<a href="/engagements/{key}/edit">Reload the engagement</a>' in answer.text
    assert 'value="Port call in Toulon (mine)"' in answer.text
    assert services.get_engagement(store, key, OPERATOR).engagement.title == "Port call in Toulon"


def test_delete_asks_first_and_checks_the_version(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    key = ids["Staff talks in Paris"]
    confirm = client.get(f"/engagements/{key}/delete").text
    assert "Delete “Staff talks in Paris”?" in confirm
    assert 'name="version" value="1"' in confirm
    token = csrf(client, f"/engagements/{key}/delete")
    services.edit_engagement(store, key, {"location": "Paris"}, OPERATOR)
    stale = client.post(f"/engagements/{key}/delete", data={"csrf_token": token, "version": "1"})
    assert stale.status_code == 409
    assert "Nothing was deleted." in stale.text
    done = client.post(
        f"/engagements/{key}/delete",
        data={"csrf_token": token, "version": "2"},
        follow_redirects=False,
    )
    assert done.headers["location"] == f"/engagements?deleted={key}"
    assert f"Engagement #{key} deleted." in client.get(done.headers["location"]).text
    gone = client.get(f"/engagements/{key}")
    assert gone.status_code == 404
    assert f"No engagement with id {key}." in gone.text


def test_a_form_without_its_csrf_token_is_refused(store: Store, ids: dict[str, int]) -> None:
    client = client_for(store, "planner.usa")
    answer = client.post("/engagements/new", data=form_data())
    assert answer.status_code == 401
    assert "This form has expired or did not come from comity." in answer.text
    key = ids["Cobra Gold 2010"]
    deleted = client.post(f"/engagements/{key}/delete", data={"version": "1"})
    assert deleted.status_code == 401
    assert len(services.list_engagements(store, OPERATOR)) == 4


def test_a_viewer_sees_no_edit_or_delete_and_may_not_post(
    store: Store, ids: dict[str, int]
) -> None:
    client = client_for(store, "viewer.usa")
    key = ids["Cobra Gold 2010"]
    page = client.get(f"/engagements/{key}").text
    assert "<h1>Cobra Gold 2010</h1>" in page
    assert ">Edit</a>" not in page
    assert ">Delete</a>" not in page
    assert "Add an engagement" not in client.get("/engagements").text
    token = csrf(client, f"/engagements/{key}")
    for url, data in (
        (f"/engagements/{key}/edit", form_data(version="1")),
        (f"/engagements/{key}/delete", {"version": "1"}),
        ("/engagements/new", form_data()),
    ):
        answer = client.post(url, data={**data, "csrf_token": token})
        assert answer.status_code == 403, url
        assert "viewer.usa may not" in answer.text
        assert "it needs the role planner" in answer.text
    assert client.get("/engagements/new").status_code == 403
    assert services.get_engagement(store, key, OPERATOR).version == 1


def test_a_rel_usa_record_is_never_shown_to_the_french_analyst(
    store: Store, ids: dict[str, int]
) -> None:
    client = client_for(store, "analyst.fra")
    listed = client.get("/engagements")
    assert "Secret talks" not in listed.text
    assert '<strong id="total">3</strong> engagements match' in listed.text
    assert "Secret talks" not in client.get("/engagements.csv").text
    hidden = client.get(f"/engagements/{ids['Secret talks']}")
    assert hidden.status_code == 404
    assert f"No engagement with id {ids['Secret talks']}." in hidden.text
    assert "Secret talks" not in hidden.text
    american = client_for(store, "planner.usa").get(f"/engagements/{ids['Secret talks']}")
    assert ">REL USA</span>" in american.text


def test_anonymous_visitors_are_sent_to_sign_in(store: Store, ids: dict[str, int]) -> None:
    answer = client_for(store).get("/engagements?nation=FRA", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/engagements%3Fnation%3DFRA"


# Browser tests: the forms in Chromium over the full store.


def sign_in_at(page: Page, path: str, username: str) -> None:
    """Open ``path``, sign in on the page it sends to, and land back on ``path``.

    (Not via the dashboard, whose first analytics take seconds on the full data.)
    """
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.browser
def test_filters_update_the_results_and_the_url(page: Page) -> None:
    sign_in_at(page, "/engagements", "analyst.fra")
    expect(page.get_by_role("heading", name="Engagements", exact=True)).to_be_visible()
    page.get_by_label("Nation", exact=True).fill("France")
    page.get_by_label("Partner").fill("Germany")
    page.get_by_label("From year").fill("1995")
    page.get_by_label("To year").fill("1996")
    page.get_by_role("button", name="Filter").click()
    # Swapped in by HTMX: the server pushes a clean URL (no empty fields).
    expect(page).to_have_url(
        re.compile(r"/engagements\?nation=France&partner=Germany&from_year=1995&to_year=1996$")
    )
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    for text in rows.locator("td:nth-child(4)").all_inner_texts():
        assert "FRA" in text and "DEU" in text, text
    total = page.locator("#total").inner_text()
    assert int(total.replace(",", "")) == rows.count() or rows.count() == 50
    page.get_by_label("Exercise").check()
    expect(page).to_have_url(
        re.compile(r"\?nation=France&partner=Germany&kind=exercise&from_year=1995&to_year=1996$")
    )
    expect(rows.first).to_be_visible()
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"Exercise"}


@pytest.mark.browser
def test_a_planner_fixes_a_refused_engagement_and_sees_it_saved(page: Page) -> None:
    sign_in_at(page, "/engagements", "planner.usa")
    page.get_by_role("button", name="Add an engagement").click()
    expect(page.get_by_role("heading", name="New engagement")).to_be_visible()
    page.get_by_label("Kind").select_option("training")
    page.get_by_label("Title").fill("Jungle warfare course")
    page.get_by_label("Start").fill("2009-04")
    page.get_by_label("End", exact=True).fill("2009-02")
    page.get_by_label("Host").fill("Brazil")
    page.get_by_label("Participant 1 nation").fill("Brazil")
    page.get_by_label("Participant 2 nation").fill("United States")
    page.get_by_label("Participant 3 nation").fill("Atlantis")
    page.get_by_role("button", name="Add a participant").click()
    page.get_by_label("Participant 4 nation").fill("Colombia")
    page.get_by_label("Participant 4 personnel").fill("12")
    page.get_by_role("button", name="Add the engagement").click()

    summary = page.locator("#form-problems")
    expect(summary).to_contain_text("The engagement was not saved")
    nation = page.get_by_label("Participant 3 nation")
    expect(nation).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#participants-2-nation-error")).to_have_text(
        "unknown nation; pick a name from the list, or give an ISO or CoW code. (got Atlantis)"
    )
    expect(page.get_by_label("Participant 4 nation")).to_have_value("Colombia")
    expect(page.get_by_label("Title")).to_have_value("Jungle warfare course")

    nation.fill("")
    page.get_by_role("button", name="Add the engagement").click()
    expect(page.locator("#end-error")).to_have_text(
        "the end (2009-02) is before the start (2009-04)"
    )
    expect(page.get_by_label("End", exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label("End", exact=True).fill("2009-05")
    page.get_by_role("button", name="Add the engagement").click()
    expect(page).to_have_url(re.compile(r"/engagements/\d+\?saved=1$"))
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_role("heading", name="Jungle warfare course")).to_be_visible()
    participants = page.locator("section[aria-labelledby=h-participants] tbody tr")
    expect(participants).to_have_count(3)
    expect(participants.filter(has_text="Colombia")).to_contain_text("12")
    expect(participants.filter(has_text="Brazil")).to_contain_text("Host")


@pytest.mark.browser
def test_a_planner_deletes_after_confirming(page: Page, web_app: WebApp) -> None:
    planner = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
    stored = services.add_engagement(
        web_app.store,
        {
            "kind": "visit",
            "title": "Visit to be deleted",
            "start": "2003",
            "participants": [{"nation": "USA"}, {"nation": "CAN"}],
        },
        planner,
    )
    sign_in_at(page, f"/engagements/{stored.id}", "planner.usa")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete “Visit to be deleted”?")).to_be_visible()
    page.get_by_role("button", name="Delete the engagement").click()
    expect(page.get_by_role("status")).to_have_text(f"Engagement #{stored.id} deleted.")
    page.goto(f"/engagements/{stored.id}")
    expect(page.get_by_role("alert")).to_have_text(f"No engagement with id {stored.id}.")
