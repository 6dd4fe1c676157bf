"""The imports page: bundled sources, uploads, and each job's progress and report.

Fast tests go through FastAPI's TestClient; browser tests (marked) upload files in Chromium and
watch the job page poll until the report appears.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from playwright.sync_api import Page, expect

from comity import services
from comity.access import Viewer
from comity.ingest.mapped.coverage import PAIRS_HINT
from comity.server import build_app
from comity.services import accounts
from comity.services.imports import import_dataset, list_sources
from comity.services.jobs import ImportJob, ImportJobs
from comity.store import Store
from comity.web.pages import imports as import_pages
from comity.web.routing import templates
from tests.web_client import PASSWORD, sign_in_client
from tests.web_client import csrf as token

OPERATOR = Viewer.operator("tests")
USERS = [
    ("planner.usa", "USA", "planner"),
    ("viewer.usa", "USA", "viewer"),
    ("analyst.fra", "FRA", "analyst"),
]
MAPPING = """
[dataset]
name = "exchanges"
title = "Officer exchanges"
[columns]
id = "id"
title = "title"
start = "start"
end = "end"
host = "host"
[participants]
layout = "long"
nation = "nation"
role = "role"
personnel = "personnel"
[constants]
kind = "training"
"""
HEADER = "id,title,start,end,host,nation,role,personnel\n"
GOOD = HEADER + (
    "X1,Staff talks on logistics,2015-03,2015-03,USA,USA,,10\n"
    "X1,Staff talks on logistics,2015-03,2015-03,USA,United Kingdom,,5\n"
    "X2,Law of armed conflict seminar,2016,,France,France,,\n"
    "X2,Law of armed conflict seminar,2016,,France,Germany,observer,3\n"
)
BAD = HEADER + (
    "X1,Staff talks on logistics,2015-03,2015-03,USA,USA,,10\n"
    "X1,Staff talks on logistics,2015-03,2015-03,USA,Atlantis,,5\n"
    "X2,Law of armed conflict seminar,2016,,France,France,,-4\n"
)


@pytest.fixture
def client(store: Store) -> TestClient:
    """A TestClient on the web app over a store with three accounts (not signed in)."""
    for username, nation, role in USERS:
        accounts.create_user(
            store, OPERATOR, username=username, password=PASSWORD, nation=nation, role=role
        )
    return TestClient(build_app(store, secret_key="x" * 32))


def sign_in(client: TestClient, username: str) -> str:
    """Sign ``client`` in through the form; the session's CSRF token."""
    sign_in_client(client, username)
    return token(client, "/imports")


def upload(
    client: TestClient, csrf: str, data_text: str = GOOD, mapping: str = MAPPING, **fields: str
) -> httpx.Response:
    """POST the upload form with a mapping and one data file; the answer."""
    files = [
        ("mapping", ("exchanges.toml", mapping.encode(), "text/plain")),
        ("files", ("exchanges.csv", data_text.encode(), "text/csv")),
    ]
    return client.post(
        "/imports", data={"csrf_token": csrf, **fields}, files=files, follow_redirects=False
    )


def finished(client: TestClient, location: str) -> str:
    """Wait for the job at ``location`` to end; its page."""
    job_id = location.rsplit("/", 1)[-1]
    jobs: ImportJobs = client.app.state.import_jobs  # type: ignore[attr-defined]
    assert jobs.wait(job_id, timeout=60).finished_at is not None
    return client.get(location).text


def counts(page: str) -> dict[str, str]:
    """The report's counts, by name."""
    return dict(re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", page))


def test_the_page_lists_the_bundled_sources(client: TestClient, store: Store) -> None:
    sign_in(client, "analyst.fra")
    page = client.get("/imports").text
    sources = list_sources(store)
    assert sources
    for source in sources:
        assert f"<code>{source.importer.info.name}</code>" in page
        assert str(escape(source.importer.info.citation)) in page
    assert page.count("Not imported yet") == sum(1 for s in sources if s.imported is None)


@pytest.mark.full_data
def test_the_page_shows_years_and_records_of_imported_sources(full_store: Store) -> None:
    accounts.create_user(
        full_store,
        OPERATOR,
        username="analyst.fra",
        password=PASSWORD,
        nation="FRA",
        role="analyst",
    )
    client = TestClient(build_app(full_store, secret_key="x" * 32))
    sign_in(client, "analyst.fra")
    page = client.get("/imports").text
    mme = next(s for s in list_sources(full_store) if s.importer.info.name == "mme_exercises")
    assert mme.imported is not None
    row = page[page.index("<code>mme_exercises</code>") :].split("</tr>")[0]
    assert f"{mme.imported.first_year}–{mme.imported.last_year}" in row
    assert f'<td class="num">{mme.imported.records:,}</td>' in row
    assert "Not imported yet" not in page


def test_the_page_shows_what_each_imported_source_covers(client: TestClient, store: Store) -> None:
    import_dataset(store, "us_senior_visits", viewer=OPERATOR)
    import_dataset(store, "organisations", viewer=OPERATOR)
    sign_in(client, "analyst.fra")
    page = client.get("/imports").text

    def row(name: str) -> str:
        return page[page.index(f"<code>{name}</code>") :].split("</tr>")[0]

    assert '<td class="coverage">visit 1992-2012, pairs with USA</td>' in row("us_senior_visits")
    assert (
        '<td class="coverage">alliance 1949-2025, co-members of NATO<br>alliance 1992-2025, '
        "co-members of CSTO<br>alliance 1951-2025, co-members of ANZUS<br>alliance 2009-2025, "
        "co-members of EU<br>alliance 1976-2025, co-members of ASEAN<br>alliance 2007-2025, "
        "co-members of SCO</td>"
    ) in row("organisations")


def test_an_upload_report_says_which_coverage_it_assumed(client: TestClient) -> None:
    csrf = sign_in(client, "planner.usa")
    page = finished(client, upload(client, csrf).headers["location"])
    assert (
        '<p id="coverage">Coverage assumed (years, kinds, pairs from the rows): training '
        f"2015-2016, every pair.<br><small>{escape(PAIRS_HINT)}</small></p>"
    ) in page


def test_a_planner_uploads_a_mapping_and_sees_the_report(client: TestClient, store: Store) -> None:
    csrf = sign_in(client, "planner.usa")
    answer = upload(client, csrf)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/imports/[0-9a-f]{32}", location)
    page = finished(client, location)
    assert '<span class="status status-done" id="job-status">Done</span>' in page
    assert counts(page) == {
        "Rows read": "4",
        "Added": "2",
        "Updated": "0",
        "Unchanged": "0",
        "Removed": "0",
        "Excluded": "0",
    }
    assert 'hx-trigger="every 1s"' not in page  # done: the page stops polling
    fragment = client.get(f"{location}/progress", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<section id="job"')
    assert "<html" not in fragment
    assert '<span class="status status-done" id="job-status">Done</span>' in fragment
    titles = {s.engagement.title for s in services.list_engagements(store, OPERATOR)}
    assert titles == {"Staff talks on logistics", "Law of armed conflict seminar"}
    listed = client.get("/imports").text
    assert f'<a href="{location}">' in listed

    again = finished(client, upload(client, csrf).headers["location"])
    assert counts(again)["Unchanged"] == "2"


def test_a_dry_run_writes_nothing(client: TestClient, store: Store) -> None:
    csrf = sign_in(client, "planner.usa")
    answer = upload(client, csrf, dry_run="on")
    page = finished(client, answer.headers["location"])
    assert "Dry run: nothing was written" in page
    assert counts(page)["Added"] == "2"
    assert services.list_engagements(store, OPERATOR) == []


def test_a_rejected_upload_lists_each_problem_with_file_row_and_column(
    client: TestClient, store: Store
) -> None:
    csrf = sign_in(client, "planner.usa")
    answer = upload(client, csrf, data_text=BAD)
    page = finished(client, answer.headers["location"])
    assert 'id="job-status">Rejected</span>. Nothing was written.' in page
    assert "2 problems found" in page
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td class=\"num\">([^<]*)</td><td>([^<]*)</td>"
        r"<td>(?:<code>([^<]*)</code>)?</td><td>([^<]*)</td></tr>",
        page,
    )
    assert [(f, r, c, v) for f, r, c, v, _ in rows] == [
        ("exchanges.csv", "3", "nation", "Atlantis"),
        ("exchanges.csv", "4", "personnel", "-4"),
    ]
    assert rows[0][4] == (
        "unknown nation; look it up on the Nations page, or map it with a names file."
    )
    assert services.list_engagements(store, OPERATOR) == []


def test_the_form_explains_what_is_missing(client: TestClient) -> None:
    csrf = sign_in(client, "planner.usa")
    assert "The import was not started." not in client.get("/imports").text
    nothing = client.post(
        "/imports",
        data={"csrf_token": csrf},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert nothing.status_code == 422
    assert "The import was not started." in nothing.text
    assert re.search(
        r'id="field-dataset" name="dataset" aria-invalid="true" '
        r'aria-describedby="dataset-error">',
        nothing.text,
    )
    assert (
        '<small class="field-error" id="dataset-error">choose a bundled dataset, or give a '
        "mapping file below</small>"
    ) in nothing.text
    alone = [("mapping", ("m.toml", MAPPING.encode(), "text/plain"))]
    lonely = client.post("/imports", data={"csrf_token": csrf}, files=alone)
    assert 'id="files-error">a mapping needs the data files it describes' in lonely.text
    broken = upload(client, csrf, mapping="[dataset\nname=")
    assert broken.status_code == 422
    text = broken.text
    assert 'id="mapping-error">The mapping file exchanges.toml is not valid TOML' in text
    assert "comity-upload-" not in text  # no server path leaks out
    assert client.app.state.import_jobs.list(Viewer(name="planner.usa")) == []


def test_a_viewer_sees_no_upload_form_and_may_not_upload(client: TestClient) -> None:
    csrf = sign_in(client, "viewer.usa")
    page = client.get("/imports").text
    assert "Only planners may import data" in page
    assert 'id="upload-form"' not in page
    answer = upload(client, csrf)
    assert answer.status_code == 403
    assert "viewer.usa may not import data: it needs the role planner." in answer.text


def test_an_upload_without_its_csrf_token_is_refused(client: TestClient) -> None:
    sign_in(client, "planner.usa")
    answer = client.post("/imports", data={"dataset": "mme_exercises"})
    assert answer.status_code == 401
    assert "This form has expired" in answer.text
    assert client.app.state.import_jobs.list(Viewer(name="planner.usa")) == []


def test_someone_elses_job_is_not_found(client: TestClient) -> None:
    csrf = sign_in(client, "planner.usa")
    location = upload(client, csrf).headers["location"]
    finished(client, location)
    client.post("/logout", data={"csrf_token": csrf})
    sign_in(client, "analyst.fra")
    assert client.get(location).status_code == 404
    assert location not in client.get("/imports").text
    assert client.get("/imports/not-a-job").status_code == 404


@pytest.mark.parametrize(
    ("status", "polls"), [("queued", True), ("running", True), ("done", False), ("rejected", False)]
)
def test_the_job_fragment_polls_only_while_the_job_runs(status: str, polls: bool) -> None:
    job = ImportJob(
        id="a" * 32,
        owner="planner.usa",
        dataset="exchanges",
        dry_run=False,
        files=["exchanges.csv"],
        status=status,
        rows_read=12345,
    )
    html = templates.get_template("imports/_job.html").render(import_pages._job_context(job))
    assert ('hx-trigger="every 1s"' in html) is polls
    assert ("12,345</span> rows read so far" in html) is polls


# Browser tests: uploads in Chromium, the job page polling until the report appears.


def sign_in_at(page: Page, path: str, username: str) -> None:
    """Open ``path``, sign in on the page it sends to, and land back on ``path``.

    (Not via the dashboard, whose first analytics take seconds on the full data.)
    """
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _write(tmp_path: Path, data_text: str) -> tuple[Path, Path]:
    mapping = tmp_path / "exchanges.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    data = tmp_path / "exchanges.csv"
    data.write_text(data_text, encoding="utf-8")
    return mapping, data


@pytest.mark.browser
def test_an_upload_shows_its_progress_then_its_report(page: Page, tmp_path: Path) -> None:
    mapping, data = _write(tmp_path, GOOD.replace("Staff talks", "Browser staff talks"))
    sign_in_at(page, "/imports", "planner.usa")
    expect(page.get_by_role("heading", name="Bundled datasets")).to_be_visible()
    expect(page.locator("#sources")).to_contain_text("mme_exercises")
    page.get_by_label("Mapping file").set_input_files(mapping)
    page.get_by_label("Data files").set_input_files(data)
    page.get_by_role("button", name="Start the import").click()
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f]{32}$"))
    expect(page.get_by_role("heading", name="Import of exchanges")).to_be_visible()
    expect(page.locator("#job-status")).to_have_text("Done", timeout=30_000)
    report = page.locator("#counts")
    expect(report.locator("div", has_text="Added")).to_contain_text("2")
    expect(report.locator("div", has_text="Rows read")).to_contain_text("4")
    page.goto("/engagements?text=Browser+staff+talks")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr")).to_contain_text("USA (host), GBR")


@pytest.mark.browser
def test_a_rejected_upload_shows_the_file_row_and_field_of_each_problem(
    page: Page, tmp_path: Path
) -> None:
    mapping, data = _write(tmp_path, BAD)
    sign_in_at(page, "/imports", "planner.usa")
    page.get_by_label("Mapping file").set_input_files(mapping)
    page.get_by_label("Data files").set_input_files(data)
    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("#job-status")).to_have_text("Rejected", timeout=30_000)
    expect(page.get_by_role("heading", name="2 problems found")).to_be_visible()
    rows = page.locator("#problems tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(
        ["exchanges.csv", "3", "nation", "Atlantis", re.compile("^unknown nation")]
    )
    expect(rows.nth(1).locator("td")).to_have_text(
        ["exchanges.csv", "4", "personnel", "-4", re.compile(".+")]
    )
