"""Accessibility: axe-core on every page, the focus ring, and the navigation on a phone.

axe-core (vendored from npm, served from ``/static/vendor/axe.min.js``; no page loads it) runs
on every page the web app serves, signed out and as an administrator, and on the pages that
change with the role as each other role, at a desktop and a phone size, once the page's charts,
map and network are drawn. A serious or critical violation fails the test, which lists each
one's rule, impact, elements and help text.

The pages' Content-Security-Policy allows scripts from the app only, so the test adds axe as a
``<script src>`` of the served copy, not as inline text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from comity import services
from comity.access import Role, Viewer
from comity.services import accounts
from comity.services import drafts as draft_service
from comity.services import plans as plan_service
from comity.services import schools as schools_service
from comity.services.plan_workflow import submit_plan
from tests.api_world import engagement_record
from tests.browser import WebApp
from tests.link_pairs import link_records
from tests.test_plans import plan_record
from tests.test_web_drafts import draft as news_draft
from tests.test_web_imports import BAD, MAPPING
from tests.web_client import PASSWORD

AXE = "/static/vendor/axe.min.js"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")
OPERATOR = Viewer.operator("tests")
EXTRA_USERS = [
    ("approver.usa", "USA", "approver", "policy"),
    ("viewer.gbr", "GBR", "viewer", None),
]
"""Accounts beyond the served app's admin, planner and analyst, so that every role signs in."""

PAGES = [
    "/",
    "/nations",
    "/nations/FRA",
    "/nations/FRA/network",
    "/nations/Atlantis",
    "/pairs",
    "/pairs/FRA/USA",
    "/pairs/AND/TUV",
    "/organisations",
    "/organisations/NATO",
    "/network",
    "/engagements",
    "/engagements?text=Balikatan",
    "/engagements/{engagement}",
    "/engagements/new",
    "/engagements/{engagement}/edit",
    "/engagements/{engagement}/delete",
    "/plans",
    "/plans/new",
    "/plans/{plan}",
    "/plans/{plan}/edit",
    "/plans/{plan}/assess",
    "/plans/{plan}/cancel",
    "/imports",
    "/imports/{job}",
    "/links",
    "/links/{link}",
    "/drafts",
    "/drafts/{draft}",
    "/alumni",
    "/alumni/schools",
    "/alumni/school?name={school}",
    "/quality",
    "/optimise",
    "/briefing",
    "/briefing?nation=FRA",
    "/briefing?nation=SAU",
    "/no-such-page",
]
"""Every page a GET serves (``web/auth.py`` and ``web/pages/*.py``), with records to show.

A page a role may not open answers with the error page, which is checked as well.
"""
ROLE_PAGES = [
    "/",
    "/engagements/{engagement}",
    "/engagements/new",
    "/plans",
    "/plans/{plan}",
    "/plans/{plan}/assess",
    "/imports",
    "/imports/{job}",
    "/links/{link}",
    "/drafts/{draft}",
    "/optimise",
]
"""The pages whose controls or data change with the role or nation, checked for every role."""
ROLES = ["planner.usa", "approver.usa", "analyst.fra", "viewer.gbr"]
SIGNED_OUT = ["/login", "/login?next=/plans", "/no-such-page"]


@dataclass(frozen=True)
class World:
    """The records the pages show: an engagement (linked to another), a plan, a school, a draft."""

    engagement: int
    plan: int
    link: int
    school: str
    draft: int


@pytest.fixture(scope="module")
def world(web_app: WebApp) -> World:
    """The served store with an account of every role, a linked pair of records, a plan."""
    store = web_app.store
    for username, nation, role, agency in EXTRA_USERS:
        accounts.create_user(
            store,
            OPERATOR,
            username=username,
            password=PASSWORD,
            nation=nation,
            role=role,
            agency=agency,
        )
    author = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
    first, second = (
        services.add_engagement(store, engagement_record(title), author).id
        for title in ("Balikatan 2015", "Balikatan 15")
    )
    link = link_records(store, first, second)
    plan = plan_service.add_plan(store, plan_record(), author)
    submit_plan(store, plan.id, author)
    school = schools_service.school_list(store, OPERATOR, limit=1)[0]["school"]
    (draft,) = draft_service.save_drafts(store, author, [news_draft()]).added
    return World(engagement=first, plan=plan.id, link=link, school=school, draft=draft)


@pytest.fixture(scope="module")
def job(web_app: WebApp, browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The id of an import the planner started from the form (rejected: it writes nothing)."""
    folder = tmp_path_factory.mktemp("upload")
    mapping, data = folder / "exchanges.toml", folder / "exchanges.csv"
    mapping.write_text(MAPPING, encoding="utf-8")
    data.write_text(BAD, encoding="utf-8")
    context = browser.new_context(base_url=web_app.url)
    page = context.new_page()
    try:
        _sign_in_at(page, "/imports", "planner.usa")
        page.get_by_label("Mapping file").set_input_files(mapping)
        page.get_by_label("Data files").set_input_files(data)
        page.get_by_role("button", name="Start the import").click()
        expect(page.locator("#job-status")).to_have_text("Rejected", timeout=30_000)
        return page.url.rsplit("/", 1)[1]
    finally:
        context.close()


def _sign_in_at(page: Page, path: str, username: str) -> None:
    """Open ``path``, sign in on the page it sends to, and land back on ``path``."""
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _settle(page: Page) -> None:
    """Wait until the charts, the map and the network are drawn (or say they could not be)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-vega]')].every(
                   e => e.dataset.rendered === 'true' || e.textContent.includes('could not'))
                 && [...document.querySelectorAll('#network-graph')].every(
                   e => e.dataset.rendered !== undefined)
                 && !document.querySelector('[aria-busy="true"]')""",
        timeout=90_000,
    )


def _violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    page.add_script_tag(url=AXE)
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in found if v.get("impact") in BLOCKING]


_SIZES = (("desktop", DESKTOP), ("phone", PHONE))


def _check(
    page: Page, paths: list[str], who: str, sizes: tuple[tuple[str, Any], ...] = _SIZES
) -> list[str]:
    """Every blocking violation of ``paths`` at ``sizes``, one line each, as the report."""
    lines = []
    for size, viewport in sizes:
        page.set_viewport_size(viewport)
        for path in paths:
            answer = page.goto(path)
            if answer is None or answer.status >= 500:
                lines.append(f"{who} {size} {path}: the server answered {answer and answer.status}")
                continue
            _settle(page)
            for violation in _violations(page):
                targets = [" ".join(node["target"]) for node in violation["nodes"]]
                lines.append(
                    f"{who} {size} {path}: {violation['id']} ({violation['impact']}) "
                    f"{violation['help']}, on {targets[:5]}"
                )
    return lines


def _paths(paths: list[str], world: World, job: str) -> list[str]:
    names = {
        "engagement": world.engagement,
        "plan": world.plan,
        "link": world.link,
        "draft": world.draft,
    }
    return [p.format(school=world.school, job=job, **names) for p in paths]


@pytest.mark.browser
@pytest.mark.slow
def test_the_signed_out_pages_have_no_serious_violations(page: Page) -> None:
    lines = _check(page, SIGNED_OUT, "signed out")
    assert not lines, "axe-core found:\n" + "\n".join(lines)


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_has_no_serious_violations_for_an_administrator(
    page: Page, world: World, job: str
) -> None:
    _sign_in_at(page, "/nations", "admin.usa")
    lines = _check(page, _paths(PAGES, world, job), "admin.usa")
    assert not lines, "axe-core found:\n" + "\n".join(lines)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("username", ROLES)
def test_the_pages_of_each_role_have_no_serious_violations(
    page: Page, world: World, job: str, username: str
) -> None:
    _sign_in_at(page, "/nations", username)
    # What a role changes is what a page holds, not its layout: the administrator's run checks
    # every page at both sizes, each role's at the desktop's.
    lines = _check(page, _paths(ROLE_PAGES, world, job), username, _SIZES[:1])
    assert not lines, "axe-core found:\n" + "\n".join(lines)


@pytest.mark.browser
def test_the_focus_ring_is_a_solid_3px_outline_set_off_from_the_element(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Username").focus()
    for control in (
        page.get_by_label("Username"),
        page.get_by_label("Password"),
        page.get_by_role("button", name="Sign in"),
    ):
        expect(control).to_be_focused()
        ring = control.evaluate(
            "e => { const s = getComputedStyle(e);"
            " return [s.outlineStyle, s.outlineWidth, s.outlineOffset]; }"
        )
        assert ring == ["solid", "3px", "2px"], ring
        page.keyboard.press("Tab")


@pytest.mark.browser
def test_on_a_phone_the_navigation_is_one_row_behind_a_menu_button(page: Page) -> None:
    page.set_viewport_size(PHONE)
    _sign_in_at(page, "/nations", "planner.usa")
    header = page.locator("header.site")
    navigation = page.get_by_role("navigation", name="Main")
    plans = navigation.get_by_role("link", name="Plans")
    box = header.bounding_box()
    assert box is not None and box["height"] <= 80, box
    expect(plans).to_be_hidden()
    # A keyboard opens it: the skip link, the name, then the button.
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.site-menu > summary')"):
            break
    expect(navigation.locator("summary")).to_be_focused()
    expect(navigation.locator("summary")).to_have_text("Menu")
    page.keyboard.press("Enter")
    expect(plans).to_be_visible()
    page.keyboard.press("Tab")
    expect(navigation.get_by_role("link", name="Dashboard", exact=True)).to_be_focused()
    box = header.bounding_box()
    assert box is not None and box["height"] <= 80, "the open menu lies over the page"
    expect(navigation.get_by_role("button", name="Sign out planner.usa")).to_be_in_viewport()
    plans.click()
    expect(page).to_have_url(re.compile(r"/plans$"))


@pytest.mark.browser
def test_on_a_desktop_every_link_is_in_the_bar_without_a_menu_button(page: Page) -> None:
    _sign_in_at(page, "/nations", "planner.usa")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.locator("summary")).to_be_hidden()
    links = navigation.locator(".menu > li")
    expect(links).to_have_count(10)
    boxes = links.evaluate_all("items => items.map(i => i.getBoundingClientRect().toJSON())")
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 10, f"the links are on more than one row: {boxes}"
    navigation.get_by_role("link", name="comity: dashboard").focus()
    page.keyboard.press("Tab")
    expect(navigation.get_by_role("link", name="Dashboard", exact=True)).to_be_focused()
