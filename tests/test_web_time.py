"""The present in a browser, over the bundled data: default year, coverage line, estimates.

Today is pinned to 5 December 2026, so the index runs to 2026 and its default year (the last
mostly observed) is 2022. With ``COMITY_UPDATE_SCREENSHOTS=1`` the pages are saved as the
screenshots of the docs (docs/images).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comity.model.clock import pinned_today
from tests.browser import ARTIFACTS, sign_in

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
DATA_THROUGH = "data through: agreements 2010, exercises 2010, visits 2012, alliances 2018"

pytestmark = [pytest.mark.browser, pytest.mark.full_data]


@pytest.fixture(scope="module", autouse=True)
def _today() -> Iterator[None]:
    with pinned_today(date(2026, 12, 5)):
        yield


def _shoot(page: Page, name: str, selector: str | None = None) -> None:
    """Save the viewport (or one element) under tests/artifacts, and in docs/images if asked."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    if selector:
        page.locator(selector).screenshot(path=str(shot))
    else:
        page.screenshot(path=str(shot))
    assert shot.stat().st_size > 30_000
    if os.environ.get("COMITY_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMAGES / name)


def test_the_dashboard_opens_on_the_default_year_and_marks_estimates(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "admin.usa")
    page.goto("/?nation=USA", timeout=120_000)
    expect(page.locator("#dashboard-heading")).to_have_text(
        re.compile(r"^United States \(USA\) in 2022$"), timeout=120_000
    )
    line = page.get_by_test_id("data-through")
    expect(line).to_contain_text("2022 is the last year whose ties are mostly observed")
    expect(line).to_contain_text(DATA_THROUGH)
    expect(page.locator("option", has_text="2026 (estimate)")).to_have_count(1)
    expect(page.locator("option", has_text="2022 (estimate)")).to_have_count(0)
    # South Korea's tie is mostly projected beyond the exercises' end: marked "est.".
    expect(page.locator('#top-partners tr[data-partner="KOR"] .estimate')).to_have_text("est.")
    expect(page.locator("#dashboard-map")).to_have_attribute(
        "data-rendered", "true", timeout=60_000
    )
    expect(page.locator("#dashboard-trends")).to_have_attribute("data-rendered", "true")
    # The shaded estimate years must not stretch the year axis back to year 0.
    labels = page.locator("#dashboard-trends .role-axis-label text").all_text_contents()
    years = [int(t) for t in labels if re.fullmatch(r"\d{4}", t)]
    assert years and min(years) >= 1900 and max(years) <= 2026, labels
    expect(page.locator("#dashboard-mechanisms")).to_have_attribute(
        "data-rendered", "true", timeout=60_000
    )
    _shoot(page, "dashboard.png")
    page.goto("/?nation=USA&year=2026")
    expect(line).to_contain_text("Best estimate for 2026:")


def test_the_pair_page_gives_the_observed_year_and_the_best_estimate(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "planner.usa")
    page.goto("/pairs/USA/JPN", timeout=120_000)
    line = page.get_by_test_id("data-through")
    expect(line).to_contain_text("Best estimate for 2026", timeout=120_000)
    expect(line).to_contain_text("2022 is the last year whose ties are mostly observed")
    expect(line).to_contain_text("the last year every source behind this pair observes is 2010")
    expect(line).to_contain_text(DATA_THROUGH)
    dashed = page.locator("svg path[stroke-dasharray]")
    expect(dashed.first).to_be_attached(timeout=60_000)
    _shoot(page, "pair.png")


def test_the_briefing_marks_estimated_years_and_says_where_the_data_end(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "planner.usa")
    page.goto("/briefing?nation=Japan&from=2027-03-01&to=2027-03-31", timeout=120_000)
    ties = page.locator("#briefing-ties")
    expect(ties).to_contain_text("Tie index: 94.8 in 2022, steady", timeout=120_000)
    expect(ties).to_contain_text("Best estimate for 2026: 94.9 (75 % projected")
    expect(ties.locator("caption")).to_contain_text(DATA_THROUGH)
    expect(ties.locator("thead abbr")).to_have_count(10)  # 2017-2026: each partly projected
    expect(page.locator("#briefing-ties .caution")).to_contain_text(
        "60% of the 2022 index rests on projections"
    )
    _shoot(page, "briefing.png", "#briefing-relations")


def test_on_a_phone_the_menu_folds_and_the_network_names_its_strongest_nations(
    page: Page,
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "planner.usa")
    page.goto("/?nation=USA", timeout=120_000)
    expect(page.locator("#dashboard-heading")).to_contain_text("United States", timeout=120_000)
    header = page.locator("body > header").bounding_box()
    assert header is not None and header["height"] <= 80, header
    expect(page.get_by_role("link", name="Engagements")).to_be_hidden()
    _shoot(page, "phone.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/network", timeout=120_000)
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-rendered", "true", timeout=120_000)
    names = page.evaluate("() => window.comityNetwork.labels().map((l) => l.node)")
    assert names[:1] == ["USA"], names[:5]
    _shoot(page, "network.png")
