"""Partner exchange over HTTP: two servers on loopback pull and push bundles both ways."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.cli import app
from comity.services import exchange, exchange_http
from comity.store import Store
from tests.browser import served
from tests.exchange_world import (
    OPERATOR,
    Installation,
    add,
    add_account,
    audit_entries,
    dump,
    installation,
    sqlite_copy,
    trust_each_other,
)


@dataclass
class Pair:
    """Two served installations and the tokens each holds at the other."""

    us: Installation
    fr: Installation
    us_url: str
    fr_url: str
    token_at_us: str  # France's account on the US server (a French planner)
    token_at_fr: str  # the US's account on the French server (a US planner)


@pytest.fixture
def pair(store: Store, seeded_sqlite_file: Path, tmp_path: Path) -> Iterator[Pair]:
    """Two installations that trust each other, each served on a free loopback port."""
    us = installation(store, "us-hq", "USA")
    fr = installation(sqlite_copy(seeded_sqlite_file, tmp_path / "fr"), "fr-hq", "FRA")
    trust_each_other(us, fr)
    token_at_us = add_account(us.store, "fr-hq", "FRA", "planner")
    token_at_fr = add_account(fr.store, "us-hq", "USA", "planner")
    with served(us.store) as us_url, served(fr.store) as fr_url:
        yield Pair(us, fr, us_url, fr_url, token_at_us, token_at_fr)
    fr.store.dispose()


def _titles(site: Installation) -> set[str]:
    return {s.engagement.title for s in services.list_engagements(site.store, OPERATOR)}


def test_a_partner_pulls_its_bundle_and_nothing_labelled_for_others(pair: Pair) -> None:
    add(pair.us, "Balikatan 2015")
    add(pair.us, "Balikatan 2015 (with Britain)", "REL GBR,USA")
    answer = httpx.get(
        f"{pair.us_url}/api/v1/exchange/bundle",
        headers={"Authorization": f"Bearer {pair.token_at_us}"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    titles = [e["record"]["title"] for e in json.loads(answer.content)["records"]["engagements"]]
    assert titles == ["Balikatan 2015"]
    assert b"Britain" not in answer.content
    [exported] = audit_entries(pair.us.store, "exchange_export")
    assert exported["actor"] == "fr-hq" and exported["after"]["via"] == "pull"
    assert exported["after"]["digest"] == answer.headers["x-comity-bundle-digest"]


def test_pull_and_push_in_both_directions(pair: Pair) -> None:
    add(pair.us, "Balikatan 2015")
    add(pair.fr, "Jeanne d'Arc 2015", "REL FRA,USA")
    pulled = exchange_http.pull_bundle(pair.fr.store, OPERATOR, pair.us_url, pair.token_at_us)
    assert (pulled.partner, pulled.added) == ("us-hq", 1)
    pushed = exchange_http.push_bundle(
        pair.fr.store, OPERATOR, pair.us_url, pair.token_at_us, "USA"
    )
    assert (pushed["partner"], pushed["added"]) == ("fr-hq", 1)
    assert _titles(pair.us) == _titles(pair.fr) == {"Balikatan 2015", "Jeanne d'Arc 2015"}
    # And the other way: nothing new to send, nothing comes back.
    again = exchange_http.pull_bundle(pair.us.store, OPERATOR, pair.fr_url, pair.token_at_fr)
    assert (again.added, again.unchanged) == (0, 1)
    back = exchange_http.push_bundle(pair.us.store, OPERATOR, pair.fr_url, pair.token_at_fr, "FRA")
    assert (back["added"], back["unchanged"]) == (0, 1)
    [received] = audit_entries(pair.us.store, "exchange_import")[:1]
    assert received["actor"] == "fr-hq" and received["after"]["via"] == "push"


def test_a_shared_plan_travels_in_a_pull(pair: Pair) -> None:
    from comity.services import plans as plan_service
    from tests.test_plans import PLANNER, plan_record

    plan_service.add_plan(pair.us.store, plan_record(shared=True), PLANNER)
    plan_service.add_plan(pair.us.store, plan_record(title="Kept home"), PLANNER)
    pulled = exchange_http.pull_bundle(pair.fr.store, OPERATOR, pair.us_url, pair.token_at_us)
    assert pulled.to_dict()["by_kind"]["plan"]["added"] == 1
    [stored] = plan_service.list_plans(pair.fr.store, OPERATOR)
    assert (stored.plan.title, stored.received_from) == ("Cobra Gold 2027", "us-hq")


def test_the_command_line_pulls_and_pushes(pair: Pair) -> None:
    add(pair.us, "Balikatan 2015")
    runner = CliRunner(env={"COMITY_DATABASE_URL": pair.fr.url, "COMITY_DEBUG": None})
    pulled = runner.invoke(app, ["exchange", "pull", pair.us_url, "--token", pair.token_at_us])
    assert pulled.exit_code == 0, pulled.output
    assert pulled.output == (
        "From us-hq (USA), bundle 1: 1 added, 0 updated, 0 unchanged, 0 linked, 0 conflict(s).\n"
    )
    add(pair.fr, "Jeanne d'Arc 2015")
    pushed = runner.invoke(
        app,
        ["exchange", "push", pair.us_url, "--for", "USA", "--token", pair.token_at_us],
    )
    assert pushed.exit_code == 0, pushed.output
    assert pushed.output.startswith("From fr-hq (FRA), bundle 1: 1 added, 0 updated")


def test_a_spoiled_push_is_refused_and_nothing_is_written(pair: Pair) -> None:
    add(pair.fr, "Jeanne d'Arc 2015")
    data = exchange.export_bundle(pair.fr.store, OPERATOR, "USA").data
    spoiled = data.replace(b"Jeanne", b"Jeanme", 1)
    before = dump(pair.us.store, without_audit=True)
    answer = httpx.post(
        f"{pair.us_url}/api/v1/exchange/bundle",
        content=spoiled,
        headers={"Authorization": f"Bearer {pair.token_at_us}"},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "do not match the signed manifest" in answer.json()["detail"]
    assert dump(pair.us.store, without_audit=True) == before
    [refused] = audit_entries(pair.us.store, "exchange_refused")
    assert refused["after"]["via"] == "push" and refused["after"]["reason"] == "tampered"


def test_only_a_partners_accounts_pull_and_push_its_bundles(pair: Pair) -> None:
    add(pair.us, "Balikatan 2015")
    british = add_account(pair.us.store, "gb-hq", "GBR", "planner")
    pull = httpx.get(
        f"{pair.us_url}/api/v1/exchange/bundle", headers={"Authorization": f"Bearer {british}"}
    )
    assert pull.status_code == 403
    assert "GBR is not a partner of this installation" in pull.json()["detail"]
    data = exchange.export_bundle(pair.fr.store, OPERATOR, "USA").data
    push = httpx.post(
        f"{pair.us_url}/api/v1/exchange/bundle",
        content=data,
        headers={"Authorization": f"Bearer {british}"},
    )
    assert push.status_code == 403
    assert "only the installation's operator or FRA's planners" in push.json()["detail"]
    viewer = add_account(pair.us.store, "fr-viewer", "FRA", "viewer")
    answer = httpx.get(
        f"{pair.us_url}/api/v1/exchange/bundle", headers={"Authorization": f"Bearer {viewer}"}
    )
    assert answer.status_code == 403


def test_a_pull_that_fails_says_where(pair: Pair) -> None:
    with pytest.raises(Exception, match="answered 401"):
        exchange_http.pull_bundle(pair.fr.store, OPERATOR, pair.us_url, "cmt_wrong")
    planner = Viewer(name="planner.fra", nation="FRA", role=Role.PLANNER)
    with pytest.raises(Exception, match="may not pull bundles"):
        exchange_http.pull_bundle(pair.fr.store, planner, pair.us_url, pair.token_at_us)
