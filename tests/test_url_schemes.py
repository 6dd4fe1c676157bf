"""Web addresses in records: http(s) only, refused by name on every face; old ones never linked.

The rule lives in the model (``comity.model.links``), so the API, the web form and the importers
refuse alike; pages link only to http, https and mailto addresses whatever is stored.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app
from comity.errors import ValidationError
from comity.model import Engagement
from comity.model.links import is_linkable, web_address_problem
from comity.model.validation import validate_engagement
from comity.services import accounts
from comity.store import Store
from comity.web.routing import safe_url
from tests.api_world import serve
from tests.web_client import PASSWORD, client_for, csrf

OPERATOR = Viewer.operator("tests")
WEB_ONLY = "give a web address that starts with http:// or https://"
NOT_WEB = "give one that starts with http:// or https://"
SCRIPTS = [
    ("javascript:alert(1)", "javascript"),
    ("JaVaScRiPt:alert(1)", "javascript"),
    ("  javascript:alert(1)", "javascript"),
    ("data:text/html,<script>alert(1)</script>", "data"),
    ("vbscript:msgbox(1)", "vbscript"),
]


def _record(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "exercise",
        "title": "Balikatan 2015",
        "start": "2015-04",
        "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        **extra,
    }


@pytest.mark.parametrize(("url", "scheme"), SCRIPTS)
def test_a_source_url_that_runs_script_is_refused_naming_the_field(url: str, scheme: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_engagement(_record(sources=[{"url": url}]))
    assert str(raised.value) == (
        f"Invalid engagement: sources.0.url: {scheme}: addresses are refused; {WEB_ONLY} "
        f"(got {url!r})"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("www.example.org", f"is not a web address; {NOT_WEB}"),
        ("java\tscript:alert(1)", f"is not a web address; {NOT_WEB}"),
        ("mailto:desk@example.org", f"mailto: addresses are refused; {WEB_ONLY}"),
        (
            "https://example.org/a page",
            "holds spaces or control characters; encode them (%20) or remove them",
        ),
        ("http:/example.org", "names no host; give a web address such as http://example.org/page"),
    ],
)
def test_a_source_url_must_be_a_whole_web_address(url: str, reason: str) -> None:
    assert web_address_problem(url.strip()) == reason


@pytest.mark.parametrize("url", ["https://example.org/x?y=1#z", "HTTP://EXAMPLE.ORG"])
def test_http_and_https_addresses_are_kept(url: str) -> None:
    engagement = validate_engagement(_record(sources=[{"url": f" {url} "}]))
    assert engagement.sources[0].url == url


def test_a_media_event_source_url_follows_the_same_rule() -> None:
    record = _record(
        kind="media_event", details={"cameo_code": "042", "source_url": "javascript:alert(1)"}
    )
    with pytest.raises(ValidationError) as raised:
        validate_engagement(record)
    assert [(p.field, p.reason) for p in raised.value.problems] == [
        ("details.source_url", f"javascript: addresses are refused; {WEB_ONLY}")
    ]


def test_a_record_stored_before_the_rule_reads_back_as_it_was() -> None:
    # A stored record is validated without the context of a write, as the store reads it back.
    engagement = Engagement.model_validate(_record(sources=[{"url": "javascript:alert(1)"}]))
    assert engagement.sources[0].url == "javascript:alert(1)"
    with pytest.raises(ValidationError, match=r"sources\.0\.url: javascript: addresses"):
        validate_engagement(engagement)


@pytest.mark.parametrize(
    ("value", "linked"),
    [
        ("https://example.org/report", "https://example.org/report"),
        (" http://example.org ", "http://example.org"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("javascript:alert(1)", ""),
        (" JAVASCRIPT:alert(1)", ""),
        ("java\nscript:alert(1)", ""),
        ("data:text/html;base64,PHNjcmlwdD4=", ""),
        ("vbscript:msgbox(1)", ""),
        ("//evil.example/x", ""),
        ("/engagements", ""),
        (None, ""),
    ],
)
def test_pages_link_only_to_http_https_and_mailto(value: str | None, linked: str) -> None:
    assert safe_url(value) == linked
    assert is_linkable(value) is bool(linked)


def test_the_api_refuses_a_script_url_naming_the_field(store: Store) -> None:
    with serve(store) as world:
        before = world.client.get("/api/v1/engagements", headers=world.headers("planner")).json()
        answer = world.client.post(
            "/api/v1/engagements",
            headers=world.headers("planner"),
            json=_record(sources=[{"url": "javascript:alert(1)"}]),
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"] == [
            {
                "field": "sources.0.url",
                "reason": f"javascript: addresses are refused; {WEB_ONLY}",
                "value": "'javascript:alert(1)'",
            }
        ]
        after = world.client.get("/api/v1/engagements", headers=world.headers("planner")).json()
        assert after == before


def _form(**fields: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "kind": "exercise",
        "title": "Pacific Partnership",
        "start": "2012-06",
        "end": "",
        "host": "",
        "location": "Guam",
        "programme": "",
        "objectives": "",
        "description": "",
        "releasability": "PUBLIC",
        "participant_nation": ["United States", "Japan"],
        "participant_role": ["", ""],
        "participant_personnel": ["", ""],
    }
    data.update(fields)
    return data


@pytest.fixture
def planner(store: Store) -> Store:
    """The store with a US planner."""
    accounts.create_user(
        store, OPERATOR, username="planner.usa", password=PASSWORD, nation="USA", role="planner"
    )
    return store


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:,x"])
def test_the_web_form_refuses_a_script_url_beside_the_source_field(
    planner: Store, url: str
) -> None:
    client = client_for(planner, "planner.usa")
    token = csrf(client, "/engagements/new")
    answer = client.post(
        "/engagements/new", data={**_form(sources=url), "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 422
    scheme = url.strip().split(":")[0].lower()
    assert (
        f'<small class="field-error" id="sources-error">{scheme}: addresses are refused; {WEB_ONLY}'
    ) in answer.text
    assert '<a href="#field-sources">Source</a>' in answer.text
    assert services.count_engagements(planner, OPERATOR) == 0


def test_the_web_form_saves_a_web_address_as_the_source(planner: Store) -> None:
    client = client_for(planner, "planner.usa")
    token = csrf(client, "/engagements/new")
    answer = client.post(
        "/engagements/new",
        data={**_form(sources="https://example.org/pp"), "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert (
        '<a href="https://example.org/pp" rel="noopener noreferrer">https://example.org/pp</a>'
    ) in page.text


def test_a_stored_script_url_is_shown_as_text(planner: Store) -> None:
    stored = services.add_engagement(
        planner, _record(sources=[{"document": "Field report"}]), OPERATOR
    )
    with planner.engine.begin() as connection:  # an address stored before the rule
        connection.exec_driver_sql(
            "UPDATE engagement_sources SET url = ? WHERE engagement_id = ?",
            (" javascript:alert(document.cookie)", stored.id),
        )
    page = client_for(planner, "planner.usa").get(f"/engagements/{stored.id}")
    assert page.status_code == 200
    links = re.findall(r'href="([^"]*)"', page.text)
    assert links and not [link for link in links if "script" in link.lower()]
    assert (
        '<span class="unsafe-url" title="Not a web address: shown as text">'
        " javascript:alert(document.cookie)</span>"
    ) in page.text


def test_the_cli_refuses_a_broken_web_address_and_keeps_other_text_as_a_document(
    cli: CliRunner,
) -> None:
    add = ["engagements", "add", "-k", "visit", "-t", "Staff talks", "--start", "2015", "-p", "USA"]
    refused = cli.invoke(app, [*add, "--source", "https://example.org/a page"])
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: Invalid engagement: sources.0.url: holds spaces or control characters; encode "
        "them (%20) or remove them (got 'https://example.org/a page')\n"
    )
    # Only http(s) addresses become links; anything else is a document reference, shown as text.
    kept = cli.invoke(app, [*add, "--source", "javascript:alert(1)", "--json"])
    assert kept.exit_code == 0, kept.output
    shown = json.loads(cli.invoke(app, ["engagements", "show", "1", "--json"]).stdout)
    assert [(s["url"], s["document"]) for s in shown["sources"]] == [(None, "javascript:alert(1)")]
