"""Admins are bounded by their nation; the installation's operator is not.

A French admin once read REL USA records in full through the audit log, saw every nation's
import jobs, made a USA admin and signed in as it, and could disable the US admin. Each test
here replays one of those moves, and checks the installation's operator still may.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.api import create_api
from comity.api.security import RateLimiter
from comity.cli import app
from comity.errors import NotFoundError, PermissionDeniedError
from comity.services import accounts, culture, plan_workflow, plans
from comity.services.jobs import ImportJobs
from comity.store import Store, alembic_config, open_store
from tests.api_world import PASSWORD, engagement_record
from tests.conftest import _create
from tests.pg_server import PostgresServer

OPERATOR = Viewer.operator("tests")
# (username, nation, role): the installation's operator is Canadian.
ACCOUNTS = [
    ("root", "CAN", "operator"),
    ("fr.admin", "FRA", "admin"),
    ("us.admin", "USA", "admin"),
    ("us.planner", "USA", "planner"),
    ("fr.analyst", "FRA", "analyst"),
    ("pl.admin", "POL", "admin"),
]


@dataclass
class Bounded:
    """A store with the accounts above, each one's viewer by username."""

    store: Store
    viewers: dict[str, Viewer]


def _populate(store: Store) -> Bounded:
    viewers = {}
    for username, nation, role in ACCOUNTS:
        user = accounts.create_user(
            store, OPERATOR, username=username, password=PASSWORD, nation=nation, role=role
        )
        viewers[username] = accounts.viewer_of(user)
    return Bounded(store, viewers)


@pytest.fixture
def bounded(store: Store) -> Bounded:
    """The accounts, on a fresh SQLite store."""
    return _populate(store)


@pytest.fixture
def any_bounded(any_store: Store) -> Bounded:
    """The accounts, on a fresh SQLite store and on a fresh PostgreSQL database."""
    return _populate(any_store)


@pytest.fixture
def api(bounded: Bounded) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The API over the store, and each account's authorization header."""
    headers = {}
    for username, *_ in ACCOUNTS:
        user = accounts.get_user(bounded.store, username=username)
        secret = accounts.create_token(bounded.store, user, "tests").secret
        headers[username] = {"Authorization": f"Bearer {secret}"}
    unlimited = RateLimiter(burst=1e9, per_second=1e9)
    served = create_api(bounded.store, rate_limiter=unlimited, login_limiter=unlimited)
    with TestClient(served, raise_server_exceptions=False) as client:
        yield client, headers


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["detail"])


# Accounts ------------------------------------------------------------------------------------


def test_an_admin_lists_their_own_nations_accounts(bounded: Bounded) -> None:
    listed = accounts.list_users(bounded.store, bounded.viewers["fr.admin"])
    assert [u.username for u in listed] == ["fr.admin", "fr.analyst"]
    everyone = accounts.list_users(bounded.store, bounded.viewers["root"])
    assert sorted(u.username for u in everyone) == sorted(a[0] for a in ACCOUNTS)


def test_an_admin_creates_accounts_of_their_own_nation_only(bounded: Bounded) -> None:
    french = bounded.viewers["fr.admin"]
    with pytest.raises(PermissionDeniedError) as refused:
        accounts.create_user(
            bounded.store, french, username="us.boss", password=PASSWORD, nation="USA", role="admin"
        )
    assert refused.value.message == (
        "fr.admin may not create an account of USA: an admin manages the accounts of their own "
        "nation (FRA) only."
    )
    assert refused.value.hint == (
        "The installation's operator (role operator) manages every nation's accounts."
    )
    with pytest.raises(PermissionDeniedError) as higher:
        accounts.create_user(
            bounded.store,
            french,
            username="fr.root",
            password=PASSWORD,
            nation="FRA",
            role="operator",
        )
    assert higher.value.message == (
        "fr.admin may not create an account with the role operator: it is above their own (admin)."
    )
    made = accounts.create_user(
        bounded.store,
        french,
        username="fr.deputy",
        password=PASSWORD,
        nation="France",
        role="admin",
    )
    assert (made.nation, made.role) == ("FRA", Role.ADMIN)


def test_the_api_refuses_an_account_of_another_nation_with_403(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, headers = api
    body = {"username": "us.boss", "password": PASSWORD, "nation": "USA", "role": "admin"}
    refused = client.post("/api/v1/users", json=body, headers=headers["fr.admin"])
    assert _problem(refused, 403).startswith("fr.admin may not create an account of USA")
    assert client.post("/api/v1/users", json=body, headers=headers["root"]).status_code == 201
    listed = client.get("/api/v1/users", headers=headers["fr.admin"]).json()
    assert {u["nation"] for u in listed} == {"FRA"}


def test_an_admin_cannot_disable_or_reset_another_nations_account(
    api: tuple[TestClient, dict[str, dict[str, str]]], bounded: Bounded
) -> None:
    client, headers = api
    refused = client.post("/api/v1/users/us.admin/disable", headers=headers["fr.admin"])
    assert _problem(refused, 403) == (
        "fr.admin may not disable the account us.admin of USA: an admin manages the accounts of "
        "their own nation (FRA) only."
    )
    assert not accounts.get_user(bounded.store, username="us.admin").disabled
    with pytest.raises(PermissionDeniedError, match="may not set the password of us.admin"):
        accounts.set_password(
            bounded.store, bounded.viewers["fr.admin"], "us.admin", "a password of my choosing"
        )
    done = client.post("/api/v1/users/us.admin/disable", headers=headers["root"])
    assert done.status_code == 200 and done.json()["disabled"] is True
    # An admin does not disable the operator of their own nation's installation either.
    with pytest.raises(PermissionDeniedError, match="role operator: it is above"):
        accounts.set_user_disabled(bounded.store, bounded.viewers["us.admin"], "root", True)


def test_an_admin_cannot_sign_in_as_another_nations_account(
    cli: CliRunner, bounded: Bounded, api: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    made = cli.invoke(app, ["--user", "fr.admin", "users", "token", "us.admin"])
    assert made.exit_code == 1
    assert "fr.admin may not issue tokens for us.admin of USA" in made.output
    client, headers = api
    us_token = accounts.list_tokens(
        bounded.store, accounts.get_user(bounded.store, username="us.admin")
    )[0]
    refused = client.delete(f"/api/v1/tokens/{us_token.id}", headers=headers["fr.admin"])
    assert _problem(refused, 404) == f"No token {us_token.id}."
    listed = cli.invoke(app, ["--user", "fr.admin", "users", "tokens", "us.admin"])
    assert listed.exit_code == 1 and "may not list the tokens of us.admin" in listed.output
    # The installation's operator may, and so may the local operator of the CLI.
    assert cli.invoke(app, ["--user", "root", "users", "token", "us.admin"]).exit_code == 0
    shown = cli.invoke(app, ["users", "tokens", "us.admin", "--json"])
    assert [t["name"] for t in json.loads(shown.stdout)] == ["cli", "tests"]
    revoked = cli.invoke(app, ["users", "revoke-token", str(us_token.id)])
    assert revoked.exit_code == 0 and f"Revoked token {us_token.id} (tests" in revoked.stdout


# Import jobs ---------------------------------------------------------------------------------


def test_import_jobs_show_to_their_nations_admins_and_the_operator(bounded: Bounded) -> None:
    jobs = ImportJobs(bounded.store)
    try:
        job = jobs.submit(
            bounded.viewers["us.planner"],
            dataset="cow_states",
            mapping=None,
            uploads=[],
            folder=jobs.staging(),
            dry_run=True,
        )
        jobs.wait(job.id)
        seen = {
            name: [j.id for j in jobs.list(bounded.viewers[name])]
            for name in ("us.planner", "us.admin", "fr.admin", "root")
        }
        assert seen == {
            "us.planner": [job.id],
            "us.admin": [job.id],
            "fr.admin": [],
            "root": [job.id],
        }
        with pytest.raises(NotFoundError, match="No import job"):
            jobs.get(bounded.viewers["fr.admin"], job.id)
        assert jobs.get(bounded.viewers["root"], job.id).to_dict()["nation"] == "USA"
    finally:
        jobs.close()


# The audit log -------------------------------------------------------------------------------


def _entries(bounded: Bounded, reader: str, **filters: str) -> list[dict[str, Any]]:
    items, total = accounts.audit_page(
        bounded.store, bounded.viewers[reader], limit=1000, **filters
    )
    assert total == len(items)
    return items


def _us_records(bounded: Bounded) -> dict[str, str]:
    """REL USA records of every kind, written, changed and deleted; their ids by kind."""
    store, planner = bounded.store, bounded.viewers["us.planner"]
    secret = services.add_engagement(store, engagement_record("Eyes only", "REL USA"), planner)
    services.edit_engagement(store, secret.id, {"title": "Eyes only (moved)"}, planner)
    gone = services.add_engagement(store, engagement_record("Eyes only, gone", "REL USA"), planner)
    services.delete_engagement(store, gone.id, planner)
    plan = plans.add_plan(
        store,
        {
            "title": "Quiet drill",
            "kind": "exercise",
            "start": "2027-05-03",
            "end": "2027-05-07",
            "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
            "agencies": ["policy"],
            "objectives": ["Trust"],
            "releasability": "REL USA",
        },
        planner,
    )
    plan_workflow.submit_plan(store, plan.id, planner)
    note = culture.add_note(
        store,
        {
            "nation": "PHL",
            "title": "Host sensitivities",
            "body": "Names withheld.",
            "releasability": "REL USA",
        },
        planner,
    )
    person = services.add_person(
        store, {"name": "John Doe", "nation": "USA", "releasability": "REL USA"}, planner
    )
    # A public posting of a hidden person still names them: hidden with them.
    posting = services.add_posting(
        store, {"person_id": person, "host": "PHL", "start": "2019-08"}, planner
    )
    return {
        "engagement": str(secret.id),
        "gone": str(gone.id),
        "plan": str(plan.id),
        "note": str(note.id),
        "person": str(person),
        "posting": str(posting),
    }


def test_an_admin_reads_no_entry_about_a_record_their_nation_may_not_see(
    any_bounded: Bounded,
) -> None:
    ids = _us_records(any_bounded)
    for kind, key in ids.items():
        entity = "engagement" if kind == "gone" else kind
        assert _entries(any_bounded, "fr.admin", entity=entity, entity_id=key) == [], kind
        assert _entries(any_bounded, "us.admin", entity=entity, entity_id=key), kind
    shown = json.dumps(_entries(any_bounded, "fr.admin"))
    assert "REL USA" not in shown and "Eyes only" not in shown and "John Doe" not in shown
    # Every write above by the US planner is in the US admin's view, none in the French one's.
    actors = {e["actor"] for e in _entries(any_bounded, "fr.admin")}
    assert "us.planner" not in actors
    us_view = [
        (e["entity"], e["action"])
        for e in _entries(any_bounded, "us.admin")
        if e["actor"] == "us.planner"
    ]
    assert ("engagement", "delete") in us_view and ("plan", "submit") in us_view


def test_an_entry_shows_only_when_both_its_images_may_be_seen(any_bounded: Bounded) -> None:
    store, planner = any_bounded.store, any_bounded.viewers["us.planner"]
    opened = services.add_engagement(store, engagement_record("Open, then closed"), planner)
    services.edit_engagement(store, opened.id, {"releasability": "REL USA"}, planner)
    services.edit_engagement(store, opened.id, {"releasability": "PUBLIC"}, planner)
    french = _entries(any_bounded, "fr.admin", entity="engagement", entity_id=str(opened.id))
    # Created public: shown. Closed, and opened again: each shows the closed image: hidden.
    assert [e["action"] for e in french] == ["create"]
    american = _entries(any_bounded, "us.admin", entity="engagement", entity_id=str(opened.id))
    assert [e["action"] for e in american] == ["create", "update", "update"]


def test_an_organisation_label_is_read_for_the_records_year(any_bounded: Bounded) -> None:
    store, planner = any_bounded.store, any_bounded.viewers["us.planner"]
    before = services.add_engagement(
        store,
        {**engagement_record("Cold War drill", "REL NATO"), "start": date(1985, 6, 1)},
        planner,
    )
    after = services.add_engagement(
        store,
        {**engagement_record("Enlarged drill", "REL NATO"), "start": date(2005, 6, 1)},
        planner,
    )
    # Poland joined NATO in 1999: the 1985 record is hidden from it, as it is in every list.
    polish = {e["entity_id"] for e in _entries(any_bounded, "pl.admin", entity="engagement")}
    assert polish == {str(after.id)}
    assert "Cold War drill" not in json.dumps(_entries(any_bounded, "pl.admin"))
    american = {e["entity_id"] for e in _entries(any_bounded, "us.admin", entity="engagement")}
    assert american == {str(before.id), str(after.id)}


def test_account_entries_show_to_their_nations_admins_and_the_operator(
    any_bounded: Bounded,
) -> None:
    store = any_bounded.store
    user = accounts.get_user(store, username="us.planner")
    accounts.create_token(store, user, "laptop")
    accounts.set_user_disabled(store, any_bounded.viewers["us.admin"], "us.planner", True)

    def about(reader: str) -> set[str]:
        entries = _entries(any_bounded, reader, entity="user")
        tokens = _entries(any_bounded, reader, entity="token")
        return {e["entity_id"] for e in entries} | {e["after"]["user"] for e in tokens}

    assert about("fr.admin") == {"fr.admin", "fr.analyst"}
    assert about("us.admin") == {"us.admin", "us.planner"}
    assert about("root") == {a[0] for a in ACCOUNTS}


def test_the_cli_lists_for_an_account_what_it_may_see(cli: CliRunner, bounded: Bounded) -> None:
    ids = _us_records(bounded)
    args = ["audit", "list", "--entity", "engagement", "--id", ids["engagement"], "--json"]
    french = cli.invoke(app, ["--user", "fr.admin", *args])
    assert french.exit_code == 0, french.output
    assert json.loads(french.stdout) == {"items": [], "total": 0}
    local = json.loads(cli.invoke(app, args).stdout)
    assert [e["action"] for e in local["items"]] == ["create", "update"]


def test_the_api_answers_the_french_admin_no_rel_usa_entry(
    api: tuple[TestClient, dict[str, dict[str, str]]], bounded: Bounded
) -> None:
    client, headers = api
    ids = _us_records(bounded)
    url = f"/api/v1/audit?entity=engagement&entity_id={ids['engagement']}"
    french = client.get(url, headers=headers["fr.admin"])
    assert french.status_code == 200
    assert french.json() == {"items": [], "total": 0, "next_after": None}
    american = client.get(url, headers=headers["us.admin"]).json()
    assert american["total"] == 2 and american["items"][1]["after"]["releasability"] == "REL USA"
    # The chain is checked whole, whoever asks.
    verified = client.get("/api/v1/audit/verify", headers=headers["fr.admin"]).json()
    assert (
        verified["ok"]
        and verified["entries"] == accounts.verify_audit(bounded.store, OPERATOR).entries
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PLANNER, Role.APPROVER])
def test_only_an_admin_verifies_the_audit_log_whichever_face_asks(
    bounded: Bounded, role: Role
) -> None:
    viewer = Viewer(name="someone", nation="USA", role=role)
    with pytest.raises(PermissionDeniedError, match="verify the audit log"):
        accounts.verify_audit(bounded.store, viewer)
    assert accounts.verify_audit(bounded.store, Viewer(name="a", nation="USA", role=Role.ADMIN)).ok


# The first administrator becomes the installation's operator ---------------------------------

_names = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty database, never migrated, on each engine."""
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp_path}/empty.db")
        yield store
        store.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"comity_bounds_{next(_names)}"
    janitor = _create(server, name)
    store = open_store(server.url(name))
    yield store
    store.dispose()
    janitor.drop()


def test_migrating_makes_the_first_admin_the_installations_operator(empty_store: Store) -> None:
    empty_store.migrate("0010")
    user = (
        "INSERT INTO users (username, nation, role, password_hash, disabled, created_at, "
        "created_by) VALUES ('{name}', 'USA', '{role}', 'x', false, '2026-01-01', 't')"
    )
    with empty_store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO nations (iso3, name, historical) VALUES ('USA', 'United States', false)"
        )
        for name, role in [("viewer1", "viewer"), ("first", "admin"), ("second", "admin")]:
            connection.exec_driver_sql(user.format(name=name, role=role))
    empty_store.migrate()
    roles = "SELECT username, role FROM users ORDER BY id"
    with empty_store.engine.connect() as connection:
        assert connection.exec_driver_sql(roles).all() == [
            ("viewer1", "viewer"),
            ("first", "operator"),
            ("second", "admin"),
        ]
    with pytest.raises(sa.exc.IntegrityError, match="ck_users_role"):
        with empty_store.engine.begin() as connection:
            connection.exec_driver_sql(user.format(name="general", role="general"))
    with empty_store.engine.begin() as connection:
        config = alembic_config(empty_store.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    with empty_store.engine.connect() as connection:
        assert [r for _, r in connection.exec_driver_sql(roles)] == ["viewer", "admin", "admin"]
        assert "sessions" not in sa.inspect(connection).get_table_names()
