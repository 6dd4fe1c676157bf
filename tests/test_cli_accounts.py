"""``comity init --admin``, ``comity users``, ``comity audit`` and ``--as``."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app
from comity.errors import AuthenticationError
from comity.services import accounts
from comity.store import Store
from tests.api_world import PASSWORD, engagement_record


def test_init_creates_the_first_admin_once(
    cli: CliRunner, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMITY_ADMIN_PASSWORD", PASSWORD)
    first = cli.invoke(app, ["init", "--admin", "root", "--admin-nation", "Canada"])
    assert first.exit_code == 0, first.output
    assert "Created the administrator root." in first.stdout
    user = accounts.authenticate_password(store, "root", PASSWORD)
    assert (user.nation, user.role.name) == ("CAN", "OPERATOR")  # the installation's
    again = cli.invoke(app, ["init", "--admin", "root", "--admin-nation", "Canada"])
    assert "exists already" in again.stdout
    missing = cli.invoke(app, ["init", "--admin", "root2"])
    assert missing.exit_code == 2 and "--admin-nation" in missing.output


def test_init_can_make_up_the_password_and_users_password_resets_it(
    cli: CliRunner, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMITY_ADMIN_PASSWORD", raising=False)
    made = cli.invoke(
        app, ["init", "--admin", "demo", "--admin-nation", "USA", "--generate-password"]
    )
    assert made.exit_code == 0, made.output
    password = made.stdout.split("with the password: ")[1].split()[0]
    assert accounts.authenticate_password(store, "demo", password).role.name == "OPERATOR"
    again = cli.invoke(
        app, ["init", "--admin", "demo", "--admin-nation", "USA", "--generate-password"]
    )
    assert "exists already" in again.stdout and "with the password" not in again.stdout
    reset = cli.invoke(app, ["users", "password", "demo", "--generate"])
    fresh = reset.stdout.split("The new password: ")[1].split()[0]
    assert fresh != password
    assert accounts.authenticate_password(store, "demo", fresh).username == "demo"
    with pytest.raises(AuthenticationError):
        accounts.authenticate_password(store, "demo", password)


def test_init_asks_for_the_password(
    cli: CliRunner, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The runner's input is not a terminal: pretend it is one, as a person typing would have.
    monkeypatch.setattr("comity.cli.setup._has_terminal", lambda: True)
    answers = f"{PASSWORD}\n{PASSWORD}\n"
    done = cli.invoke(app, ["init", "--admin", "root", "--admin-nation", "FRA"], input=answers)
    assert done.exit_code == 0, done.output
    assert PASSWORD not in done.output
    assert accounts.authenticate_password(store, "root", PASSWORD).nation == "FRA"


def test_users_add_list_token_disable(
    cli: CliRunner, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMITY_NEW_PASSWORD", PASSWORD)
    added = cli.invoke(
        app,
        [
            "users",
            "add",
            "ana",
            "--nation",
            "Philippines",
            "--role",
            "planner",
            "--name",
            "Ana Cruz",
        ],
    )
    assert added.exit_code == 0, added.output
    assert "Created ana (PHL, planner)." in added.stdout
    short = cli.invoke(
        app, ["users", "add", "bob", "--nation", "USA"], env={"COMITY_NEW_PASSWORD": "short"}
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    listed = json.loads(cli.invoke(app, ["users", "list", "--json"]).stdout)
    assert [(u["username"], u["nation"], u["role"]) for u in listed] == [("ana", "PHL", "planner")]
    assert "password_hash" not in listed[0]
    secret = cli.invoke(app, ["users", "token", "ana", "--days", "7"]).stdout.strip()
    assert accounts.authenticate_token(store, secret).username == "ana"
    assert cli.invoke(app, ["users", "disable", "ana"]).stdout.startswith("Disabled ana.")
    with pytest.raises(AuthenticationError, match="disabled"):
        accounts.authenticate_token(store, secret)
    cli.invoke(app, ["users", "enable", "ana"])
    assert accounts.authenticate_token(store, secret).username == "ana"
    unknown = cli.invoke(app, ["users", "token", "nobody"])
    assert unknown.exit_code == 1 and "No user 'nobody'" in unknown.output


def test_audit_verify_and_list(cli: CliRunner, store: Store) -> None:
    services.add_engagement(store, engagement_record("Balikatan 2015"), Viewer.operator("ops"))
    ok = cli.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 1 entries" in ok.stdout
    listed = json.loads(cli.invoke(app, ["audit", "list", "--json"]).stdout)
    assert [(e["actor"], e["action"], e["entity"]) for e in listed["items"]] == [
        ("ops", "create", "engagement")
    ]
    with store.transaction() as connection:
        connection.execute(sa.text("DROP TRIGGER audit_log_no_update"))
        connection.execute(sa.text("UPDATE audit_log SET actor = 'someone else'"))
    broken = cli.invoke(app, ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["first_broken"] == listed["items"][0]["id"]


def test_acting_as_a_user_shows_what_it_may_see(
    cli: CliRunner, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = Viewer.operator("ops")
    services.add_engagement(store, engagement_record("Balikatan 2015"), operator)
    services.add_engagement(store, engagement_record("US eyes only", "REL USA"), operator)
    for name, nation in [("fr", "FRA"), ("us", "USA")]:
        accounts.create_user(
            store,
            operator,
            username=f"{name}.analyst",
            password=PASSWORD,
            nation=nation,
            role="analyst",
        )
    titles = {}
    for name in ("fr", "us"):
        shown = cli.invoke(app, ["--user", f"{name}.analyst", "engagements", "list", "--json"])
        assert shown.exit_code == 0, shown.output
        titles[name] = {e["title"] for e in json.loads(shown.stdout)}
    assert titles == {"fr": {"Balikatan 2015"}, "us": {"Balikatan 2015", "US eyes only"}}
    refused = cli.invoke(app, ["--user", "fr.analyst", "audit", "list"])
    assert refused.exit_code == 1 and "may not" in refused.output


def test_a_viewer_may_not_export_whole_tables_from_the_command_line(
    cli: CliRunner, store: Store
) -> None:
    # The API answers 403 to a viewer's export; the command line says the same.
    operator = Viewer.operator("ops")
    services.add_engagement(store, engagement_record("Balikatan 2015"), operator)
    accounts.create_user(
        store, operator, username="fr.viewer", password=PASSWORD, nation="FRA", role="viewer"
    )
    for command in (
        ["export", "dyad-years"],
        ["export", "network"],
        ["export", "directed-dyad-years"],
    ):
        refused = cli.invoke(app, ["--user", "fr.viewer", *command])
        assert refused.exit_code == 1, (command, refused.output)
        assert "fr.viewer may not export whole tables: it needs the role analyst." in refused.output


@pytest.mark.parametrize(
    ("args", "instead"),
    [
        (["users", "add", "ana", "--nation", "PHL"], "give --password or set COMITY_NEW_PASSWORD"),
        (["users", "password", "ana"], "give --generate or set COMITY_NEW_PASSWORD"),
    ],
)
def test_without_a_terminal_a_password_command_says_what_to_do(
    cli: CliRunner, store: Store, monkeypatch: pytest.MonkeyPatch, args: list[str], instead: str
) -> None:
    if args[1] == "password":
        accounts.create_user(
            store, Viewer.operator("ops"), username="ana", password=PASSWORD, nation="PHL"
        )
    monkeypatch.delenv("COMITY_NEW_PASSWORD", raising=False)
    result = cli.invoke(app, args)  # the runner's input is not a terminal
    assert result.exit_code == 1, result.output
    assert f"No password for ana: there is no terminal to ask on; {instead}." in result.output
    assert "Aborted" not in result.output


def test_users_password_reads_the_new_password_from_the_environment(
    cli: CliRunner, store: Store
) -> None:
    accounts.create_user(
        store, Viewer.operator("ops"), username="ana", password=PASSWORD, nation="PHL"
    )
    fresh = "violet river lantern quartz"
    done = cli.invoke(app, ["users", "password", "ana"], env={"COMITY_NEW_PASSWORD": fresh})
    assert done.exit_code == 0, done.output
    assert accounts.authenticate_password(store, "ana", fresh).username == "ana"
