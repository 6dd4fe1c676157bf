"""Signing in and out in a real browser; anonymous visitors meet the sign-in page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_anonymous_visitors_are_sent_to_sign_in(page: Page) -> None:
    page.goto("/?nation=FRA&year=2005")
    expect(page).to_have_url("/login?next=/%3Fnation%3DFRA%26year%3D2005")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_refused_then_sign_in_and_out(page: Page) -> None:
    sign_in_page = page
    sign_in_page.goto("/login")
    page.get_by_label("Username").fill("analyst.fra")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    sign_in(page, "analyst.fra")
    expect(page.get_by_role("button", name="Sign out analyst.fra")).to_be_visible()
    page.get_by_role("button", name="Sign out analyst.fra").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url("/login?next=/")
