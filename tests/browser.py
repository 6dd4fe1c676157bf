"""Browser tests' world: the whole app on a loopback port, and Chromium that may reach nothing else.

Fixtures (registered in ``conftest.py``):

- ``web_app``: a running server (API and web app) over a copy of the store with every bundled
  dataset, with accounts ``admin.usa`` (admin, USA), ``planner.usa`` (planner, USA) and
  ``analyst.fra`` (analyst, France), all with password :data:`PASSWORD`; one per test module.
- ``browser``: Debian's Chromium driven by Playwright, one per session.
- ``page``: a fresh browser context and page for a test. Every request that leaves the loopback
  server is blocked and fails the test; on failure a screenshot is saved under
  ``tests/artifacts/`` (its path is printed).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright

from comity.access import Viewer
from comity.access.ratelimit import RateLimiter
from comity.server import build_app
from comity.services import accounts
from comity.store import Store, open_store
from tests.web_client import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
USERS = [
    ("admin.usa", "USA", "admin"),
    ("planner.usa", "USA", "planner"),
    ("analyst.fra", "FRA", "analyst"),
]


@dataclass
class WebApp:
    """A served app: its base URL and store."""

    url: str
    store: Store
    blocked: list[str] = field(default_factory=list)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(store: Store) -> Iterator[str]:
    """The whole app over ``store`` on a free loopback port, limits lifted; its base URL."""
    unlimited = RateLimiter(burst=1e9, per_second=1e9)
    app = build_app(
        store,
        secret_key="browser-tests-" + "k" * 32,
        rate_limiter=unlimited,
        login_limiter=unlimited,
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def serve_store(store: Store) -> Iterator[WebApp]:
    """Run the app over ``store`` on a free loopback port until the generator is closed."""
    operator = Viewer.operator("tests")
    for username, nation, role in USERS:
        accounts.create_user(
            store, operator, username=username, password=PASSWORD, nation=nation, role=role
        )
    with served(store) as url:
        yield WebApp(url=url, store=store)


def web_app_fixture(imported_sqlite_folder: Path, tmp_path: Path) -> Iterator[WebApp]:
    """A served copy of the full store (see the module docstring)."""
    target = tmp_path / "web"
    shutil.copytree(imported_sqlite_folder, target)
    store = open_store(f"sqlite:///{target / 'comity.db'}")
    yield from serve_store(store)
    store.dispose()


def browser_fixture() -> Iterator[Browser]:
    """Chromium, headless."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make browser).")
    with sync_playwright() as playwright:
        yield _launch(playwright)


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=CHROMIUM, chromium_sandbox=False, args=["--disable-gpu"]
    )


def page_fixture(
    browser: Browser, web_app: WebApp, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A page that may only talk to the served app; a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=web_app.url)
    # A click that navigates waits for the next page; the first dashboard of a worker computes
    # the index cold, slower while another test process shares the cores.
    context.set_default_timeout(60_000)
    blocked: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(web_app.url + "/") or url == web_app.url or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"{request.node.name}.png".replace("/", "_")
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failure: {shot}")
    context.close()
    assert not blocked, f"the page tried to leave the loopback server: {blocked}"


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form and land on the dashboard (or where the page was going)."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
