"""The exchange page: keys, partners, and the preview of a partner's bundle."""

from __future__ import annotations

import pytest

from comity.access import Role, Viewer
from comity.services import accounts, exchange_keys
from comity.services import plans as plan_service
from comity.store import Store
from tests.exchange_world import OPERATOR, PASSWORD, add, installation
from tests.test_plans import plan_record
from tests.web_client import client_for


@pytest.fixture
def site(store: Store) -> Store:
    """A US installation with a partner in France, two records for it and one hidden from it."""
    us = installation(store, "us-hq", "USA")
    exchange_keys.trust_partner(store, OPERATOR, "fr-hq", "B" * 43 + "=", "FRA")
    add(us, "Balikatan 2015")
    add(us, "Balikatan 2015 (with France)", "REL FRA,USA")
    add(us, "Balikatan 2015 (with Britain)", "REL GBR,USA")
    for label in ("REL FRA,USA", "REL GBR,USA"):
        plan = plan_record(title=f"Cobra Gold 2027 ({label})", shared=True, releasability=label)
        plan_service.add_plan(store, plan, us.planner())
    for name, nation, role in (("admin.usa", "USA", "admin"), ("admin.gbr", "GBR", "admin")):
        accounts.create_user(
            store, OPERATOR, username=name, password=PASSWORD, nation=nation, role=role
        )
    accounts.create_user(
        store, OPERATOR, username="planner.usa", password=PASSWORD, nation="USA", role="planner"
    )
    return store


def test_the_page_shows_the_key_the_partners_and_a_preview(site: Store) -> None:
    identity = exchange_keys.get_identity(site)
    assert identity is not None
    with client_for(site, "admin.usa") as client:
        page = client.get("/exchange?for=FRA")
    assert page.status_code == 200
    assert identity.public_key in page.text and identity.key_id in page.text
    assert "fr-hq" in page.text
    assert "A bundle for FRA would hold 2 engagement(s)" in page.text
    assert "0 note(s) and 1 shared plan(s)" in page.text
    assert "REL FRA,USA" in page.text and "REL GBR,USA" not in page.text


def test_an_admin_counts_only_what_their_nation_may_read_too(site: Store) -> None:
    with client_for(site, "admin.gbr") as client:
        page = client.get("/exchange?for=FRA")
    assert page.status_code == 200
    assert "A bundle for FRA would hold 1 engagement(s)" in page.text
    assert "0 note(s) and 0 shared plan(s)" in page.text
    assert "counting only what your nation may read too" in page.text
    assert "REL FRA,USA" not in page.text


def test_the_page_is_for_administrators(site: Store) -> None:
    with client_for(site, "planner.usa") as client:
        page = client.get("/exchange")
    assert page.status_code == 403
    assert "may not see the exchange partners" in page.text


def test_the_preview_of_the_operator_counts_the_whole_bundle(site: Store) -> None:
    from comity.services import exchange

    british = Viewer(name="admin.gbr", nation="GBR", role=Role.ADMIN)
    assert exchange.preview_bundle(site, OPERATOR, "FRA")["counts"]["engagements"] == 2
    assert exchange.preview_bundle(site, british, "FRA")["counts"]["engagements"] == 1
    whole = exchange.preview_bundle(site, OPERATOR, "FRA")
    assert (whole["counts"]["plans"], whole["by_label"]["REL FRA,USA"]) == (1, 2)
