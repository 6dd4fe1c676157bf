"""Web defences: security headers, no inline script or style, Secure cookies, trusted proxies.

Fast tests go through the ASGI test client and the CLI runner; browser tests (marked) open the
main pages on the full bundled data in Chromium and check that the Content-Security-Policy
refuses nothing they need and everything a stored address could smuggle in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, Page, expect
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app as cli_app
from comity.server import build_app, create_app
from comity.store import Store
from comity.web import CONTENT_SECURITY_POLICY, SESSION_COOKIE
from comity.web.routing import WEB_DIR
from tests.browser import WebApp
from tests.web_client import PASSWORD, client_for

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "content-security-policy": POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
TEMPLATES = sorted((WEB_DIR / "templates").rglob("*.html"))


def test_the_policy_allows_this_site_only_and_no_inline_code() -> None:
    assert CONTENT_SECURITY_POLICY == POLICY


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),
        ("GET", "/", 303),
        ("GET", "/static/app.js", 200),
        ("GET", "/static/vendor/vega-embed.css", 200),
        ("GET", "/static/nothing.js", 404),
        ("GET", "/no-such-page", 404),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/api/v1/engagements", 401),
        ("POST", "/login", 401),
    ],
)
def test_every_response_carries_the_security_headers(
    store: Store, method: str, path: str, status: int
) -> None:
    answer = client_for(store).request(method, path, follow_redirects=False)
    assert answer.status_code == status
    assert {name: answer.headers.get(name) for name in HEADERS} == HEADERS


def test_an_unexpected_failure_and_a_refused_body_carry_them_too(store: Store) -> None:
    app = build_app(store, secret_key="k" * 32)

    @app.get("/api/v1/failing")
    def failing() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    failed = client.get("/api/v1/failing")
    too_big = client.post(
        "/api/v1/engagements",
        content=b" " * (2 << 20),
        headers={"Content-Type": "application/json"},
    )
    assert (failed.status_code, too_big.status_code) == (500, 413)
    for answer in (failed, too_big):
        assert {name: answer.headers.get(name) for name in HEADERS} == HEADERS


def _rendered_markup(path: Path) -> str:
    return re.sub(r"{#.*?#}", "", path.read_text("utf-8"), flags=re.S)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB_DIR)))
def test_no_template_holds_inline_script_handlers_or_styles(path: Path) -> None:
    markup = _rendered_markup(path)
    scripts = re.findall(r"<script\b[^>]*>", markup)
    assert [s for s in scripts if "src=" not in s and 'type="application/json"' not in s] == []
    assert re.findall(r"\son[a-z]+\s*=", markup) == []
    assert re.findall(r"\sstyle\s*=|<style\b", markup) == []
    assert "javascript:" not in markup.lower()
    assert "hx-on" not in markup and "hx-vars" not in markup and "js:" not in markup


def test_htmx_is_told_not_to_eval_inject_styles_or_keep_snapshots(store: Store) -> None:
    page = client_for(store).get("/login").text
    found = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert found, "no htmx-config"
    assert json.loads(found.group(1)) == {
        "allowEval": False,
        "includeIndicatorStyles": False,
        "attributesToSettle": ["class", "width", "height"],
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
    }


def _session_cookie(client: TestClient) -> str:
    answer = client.get("/login")
    cookies = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    found = [c for c in cookies if c.startswith(f"{SESSION_COOKIE}=")]
    assert len(found) == 1, cookies
    return found[0]


def test_the_session_cookie_is_secure_only_when_asked(store: Store) -> None:
    plain = _session_cookie(TestClient(build_app(store, secret_key="k" * 32)))
    assert "secure" not in plain.lower() and "httponly" in plain.lower()
    secure = _session_cookie(TestClient(build_app(store, secret_key="k" * 32, secure_cookies=True)))
    assert "; secure" in secure.lower() and "samesite=lax" in secure.lower()


@pytest.fixture
def served(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[tuple[dict[str, Any], str]]]:
    """``comity serve`` with uvicorn.run replaced: each call's options and the app's cookie."""
    calls: list[tuple[dict[str, Any], str]] = []

    def run(target: str, **options: Any) -> None:
        assert (target, options["factory"]) == ("comity.server:create_app", True)
        calls.append((options, _session_cookie(TestClient(create_app()))))

    # Each variable serve reads or sets is recorded, so the test leaves the environment as it was.
    monkeypatch.setenv("COMITY_SECURE_COOKIES", "0")
    monkeypatch.setenv("COMITY_FORWARDED_ALLOW_IPS", "")
    monkeypatch.setenv("COMITY_SECRET_KEY", "s" * 32)
    # No warm-up thread: it would outlive the test and could write into the next one's stderr.
    monkeypatch.setenv("COMITY_WARM_UP", "0")
    monkeypatch.setattr("uvicorn.run", run)
    yield calls


def test_serve_believes_no_forwarded_headers_and_sends_plain_cookies_by_default(
    cli: CliRunner, served: list[tuple[dict[str, Any], str]]
) -> None:
    result = cli.invoke(cli_app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    [(options, cookie)] = served
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (False, None)
    assert (options["host"], options["port"]) == ("127.0.0.1", 8123)
    assert "secure" not in cookie.lower()


def test_serve_behind_a_tls_proxy(cli: CliRunner, served: list[tuple[dict[str, Any], str]]) -> None:
    result = cli.invoke(
        cli_app, ["serve", "--secure-cookies", "--forwarded-allow-ips", "10.0.0.5, 10.1.0.0/16"]
    )
    assert result.exit_code == 0, result.output
    assert "Session cookies are Secure: open it through the HTTPS proxy." in result.stdout
    assert "Believing X-Forwarded-For and -Proto from 10.0.0.5,10.1.0.0/16 only." in result.stdout
    [(options, cookie)] = served
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (
        True,
        "10.0.0.5,10.1.0.0/16",
    )
    assert "; secure" in cookie.lower()


def test_serve_reads_both_from_the_environment(
    cli: CliRunner, served: list[tuple[dict[str, Any], str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMITY_SECURE_COOKIES", "1")
    monkeypatch.setenv("COMITY_FORWARDED_ALLOW_IPS", "::1")
    result = cli.invoke(cli_app, ["serve"])
    assert result.exit_code == 0, result.output
    [(options, cookie)] = served
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (True, "::1")
    assert "; secure" in cookie.lower()


def test_serve_refuses_a_proxy_that_is_not_an_address(
    cli: CliRunner, served: list[tuple[dict[str, Any], str]]
) -> None:
    result = cli.invoke(cli_app, ["serve", "--forwarded-allow-ips", "proxy.example"])
    assert result.exit_code == 2
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert "'proxy.example' is not an IP address or network: give the TLS proxy's" in words
    assert served == []


def test_a_bad_proxy_in_the_environment_names_the_variable(
    cli: CliRunner, served: list[tuple[dict[str, Any], str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMITY_FORWARDED_ALLOW_IPS", "10.0.0.300")
    result = cli.invoke(cli_app, ["serve"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: Bad setting in the environment: COMITY_FORWARDED_ALLOW_IPS: Value error, "
        "'10.0.0.300' is not an IP address or network"
    )
    assert served == []


# --- in a browser, on the full data -------------------------------------------------------

MAIN_PAGES = [
    ("/?nation=USA", ["#dashboard-map", "#dashboard-trends", "#dashboard-mechanisms"]),
    ("/network", ["#network-graph"]),
    ("/nations/USA", ['[data-vega="nation-network-spec"]', '[data-vega="nation-mix-spec"]']),
    ("/pairs/USA/JPN", ['[data-vega="pair-history-spec"]']),
    ("/briefing?nation=Japan", []),
    ("/engagements", []),
    ("/plans", []),
    ("/imports", []),
    ("/optimise", []),
    ("/alumni", []),
]
_LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} refused ${e.blockedURI || "inline"}`));
"""


def _sign_in_at(page: Page, path: str, username: str) -> None:
    """Open ``path``, sign in on the page it sends to, and land back on ``path``.

    (Not via the dashboard, whose first analytics take seconds on the full data.)
    """
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


class Refusals:
    """What the browser refused or failed at: CSP console messages, violation events, errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: list[str] = []
        page.add_init_script(_LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def of_this_page(self) -> list[str]:
        """Everything refused so far, this page's violation events included."""
        events = self.page.evaluate("window.__violations || []")
        return self.found + [f"{self.page.url}: {event}" for event in events]


@pytest.mark.browser
@pytest.mark.full_data
def test_the_main_pages_draw_everything_under_the_policy(page: Page) -> None:
    refusals = Refusals(page)
    _sign_in_at(page, "/plans", "admin.usa")
    for path, drawn in MAIN_PAGES:
        answer = page.goto(path, timeout=90_000)
        assert answer is not None and answer.status == 200, path
        assert answer.headers["content-security-policy"] == POLICY
        for selector in drawn:
            expect(page.locator(selector)).to_have_attribute(
                "data-rendered", "true", timeout=60_000
            )
        charts = page.locator("[data-vega]")
        for index in range(charts.count()):
            expect(charts.nth(index)).to_have_attribute("data-rendered", "true", timeout=60_000)
        page.wait_for_load_state("networkidle")
        assert refusals.of_this_page() == [], path


@pytest.mark.browser
@pytest.mark.full_data
def test_htmx_swaps_and_going_back_stay_within_the_policy(page: Page) -> None:
    refusals = Refusals(page)
    _sign_in_at(page, "/engagements", "analyst.fra")
    page.goto("/?nation=USA&year=2010", timeout=90_000)
    expect(page.locator("#dashboard-map")).to_have_attribute("data-rendered", "true")
    page.get_by_label("Nation", exact=True).fill("Japan")
    page.get_by_label("Nation", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"/\?nation=Japan&year=2010$"))
    expect(page.locator("#dashboard-map")).to_have_attribute("aria-label", re.compile("Japan"))
    expect(page.locator("#dashboard-map")).to_have_attribute("data-rendered", "true")
    page.locator("#dashboard-map").hover()  # a tooltip, where the map has one
    assert refusals.of_this_page() == []
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?nation=USA&year=2010$"))
    expect(page.locator("#dashboard-map")).to_have_attribute("aria-label", re.compile("United"))
    expect(page.locator("#dashboard-map")).to_have_attribute("data-rendered", "true")
    assert refusals.of_this_page() == []


@pytest.fixture
def scripted_source(web_app: WebApp) -> int:
    """An engagement whose source address was stored, before the rule, as javascript:."""
    stored = services.add_engagement(
        web_app.store,
        {
            "kind": "visit",
            "title": "Visit with a scripted source",
            "start": "2012",
            "participants": [{"nation": "USA", "role": "host"}, {"nation": "JPN"}],
            "sources": [{"document": "placeholder"}],
        },
        Viewer.operator("tests"),
    )
    with web_app.store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE engagement_sources SET url = ?, document = NULL WHERE engagement_id = ?",
            ("JavaScript:alert(document.cookie)", stored.id),
        )
    return stored.id


@pytest.mark.browser
@pytest.mark.full_data
def test_a_stored_script_address_is_text_that_runs_nothing(
    page: Page, scripted_source: int
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _sign_in_at(page, f"/engagements/{scripted_source}", "analyst.fra")
    shown = page.get_by_text("JavaScript:alert(document.cookie)", exact=True)
    expect(shown).to_be_visible()
    expect(page.locator("a[href*='script' i]")).to_have_count(0)
    shown.click()
    page.wait_for_timeout(300)
    expect(page).to_have_url(re.compile(rf"/engagements/{scripted_source}$"))
    assert dialogs == []


@pytest.mark.browser
@pytest.mark.full_data
def test_the_policy_refuses_a_script_link_even_if_one_slipped_through(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    refusals = Refusals(page)
    _sign_in_at(page, "/engagements", "analyst.fra")
    page.evaluate(
        """() => {
        const link = document.createElement("a");
        link.id = "smuggled"; link.href = "javascript:alert(1)"; link.textContent = "smuggled";
        document.querySelector("main").prepend(link);
        const div = document.createElement("div");
        div.innerHTML = '<img src="/nothing.png" onerror="alert(2)">';
        document.querySelector("main").append(div);
      }"""
    )
    page.locator("#smuggled").click()
    page.wait_for_timeout(300)
    assert dialogs == []
    refused = refusals.of_this_page()
    assert any("script-src" in r for r in refused), refused


@pytest.mark.browser
@pytest.mark.full_data
def test_the_form_refuses_a_script_source_beside_its_field(page: Page) -> None:
    _sign_in_at(page, "/engagements/new", "planner.usa")
    page.get_by_label("Kind").select_option("visit")
    page.get_by_label("Title").fill("Visit with a bad source")
    page.get_by_label("Start").fill("2012")
    page.get_by_label("Participant 1 nation").fill("United States")
    page.get_by_label("Source", exact=True).fill(" javascript:alert(1)")
    page.get_by_role("button", name="Add the engagement").click()
    expect(page.locator("#sources-error")).to_have_text(
        "javascript: addresses are refused; give a web address that starts with http:// or "
        "https:// (got javascript:alert(1))"
    )
    expect(page.get_by_label("Source", exact=True)).to_have_attribute("aria-invalid", "true")


@pytest.mark.browser
@pytest.mark.full_data
def test_the_back_link_of_an_error_page_goes_back_without_inline_script(page: Page) -> None:
    refusals = Refusals(page)
    _sign_in_at(page, "/engagements", "analyst.fra")
    page.goto("/engagements/999999999")
    expect(page.get_by_role("alert")).to_contain_text("No engagement with id 999999999.")
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(re.compile(r"/engagements$"))
    assert refusals.of_this_page() == []
