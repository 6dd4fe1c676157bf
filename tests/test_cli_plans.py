"""``comity plans``: the workflow from the command line, its messages and its output formats."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from comity.access import Viewer
from comity.cli import app
from comity.services import accounts
from comity.store import Store
from tests.api_world import PASSWORD

_ADD = [
    "plans",
    "add",
    "-t",
    "Cobra Gold 2027",
    "-k",
    "exercise",
    "--start",
    "2027-02-22",
    "--end",
    "2027-03-05",
    "-p",
    "Thailand:host:300",
    "-p",
    "USA:500",
    "-a",
    "policy",
    "-a",
    "finance",
    "--budget",
    "2500000 USD",
    "--objective",
    "Trust",
]


def _user(store: Store, name: str, role: str, agency: str | None = None) -> None:
    accounts.create_user(
        store,
        Viewer.operator("tests"),
        username=name,
        password=PASSWORD,
        nation="USA",
        role=role,
        agency=agency,
    )


def test_the_workflow_from_the_command_line(cli: CliRunner, store: Store) -> None:
    _user(store, "planner", "planner")
    _user(store, "policy", "approver", "policy")
    _user(store, "finance", "approver", "finance")
    added = cli.invoke(app, ["--user", "planner", *_ADD])
    assert added.exit_code == 0, added.output
    assert added.stdout == "Added plan 1: Cobra Gold 2027 (draft)\n"
    submitted = cli.invoke(app, ["--user", "planner", "plans", "submit", "1"])
    assert submitted.stdout.startswith("Plan 1 submitted: now submitted.\n")
    # The calendar's warnings: a weekend day said once, a holiday by its name.
    assert "2027-02-27 Saturday THA: weekend\n" in submitted.stdout
    assert "(weekend)" not in submitted.stdout
    assert "2027-02-22 Monday THA: Makha Bucha (in lieu) (public holiday)\n" in submitted.stdout
    first = cli.invoke(app, ["--user", "policy", "plans", "approve", "1"])
    assert first.stdout == "Plan 1 approved by your agency: now submitted (waiting for finance).\n"
    second = cli.invoke(app, ["--user", "finance", "plans", "approve", "1"])
    assert second.stdout == "Plan 1 approved by your agency: now approved.\n"
    listed = json.loads(cli.invoke(app, ["plans", "list", "--json"]).stdout)
    assert [(p["id"], p["state"], p["approved_by"]) for p in listed] == [
        (1, "approved", ["policy", "finance"])
    ]
    csv = cli.invoke(app, ["plans", "friction", "--by", "agency", "--csv"]).stdout
    assert csv.splitlines()[0] == "agency,approvals,median_days,p90_days"
    assert [line.split(",")[:2] for line in csv.splitlines()[1:]] == [
        ["finance", "1"],
        ["policy", "1"],
    ]


def test_a_plan_is_shared_and_unshared_from_the_command_line(cli: CliRunner, store: Store) -> None:
    assert cli.invoke(app, [*_ADD, "--shared"]).exit_code == 0
    shown = cli.invoke(app, ["plans", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "  Shared:         yes, with partner installations that may read it\n" in shown.stdout
    edited = cli.invoke(app, ["plans", "edit", "1", "--not-shared", "--json"])
    assert edited.exit_code == 0, edited.output
    assert json.loads(edited.stdout)["shared"] is False
    assert "  Shared:         no\n" in cli.invoke(app, ["plans", "show", "1"]).stdout
    assert cli.invoke(app, [*_ADD, "--title", "Second"]).exit_code == 0
    listed = json.loads(cli.invoke(app, ["plans", "list", "--json"]).stdout)
    assert [p["shared"] for p in listed] == [False, False]


def test_an_illegal_move_is_a_clear_error(cli: CliRunner, store: Store) -> None:
    assert cli.invoke(app, _ADD).exit_code == 0
    result = cli.invoke(app, ["plans", "schedule", "1"])
    assert result.exit_code == 1
    assert "Error: Plan 1 cannot move from draft to scheduled." in result.stderr
    assert "Hint: From draft it may move to: cancelled, submitted." in result.stderr


def test_a_viewer_cannot_submit(cli: CliRunner, store: Store) -> None:
    _user(store, "watcher", "viewer")
    assert cli.invoke(app, _ADD).exit_code == 0
    result = cli.invoke(app, ["--user", "watcher", "plans", "submit", "1"])
    assert result.exit_code == 1
    assert "Error: watcher may not submit plans: it needs the role planner." in result.stderr


def test_users_add_records_the_agency(cli: CliRunner, store: Store) -> None:
    result = cli.invoke(
        app,
        [
            "users",
            "add",
            "legal1",
            "--nation",
            "USA",
            "--role",
            "approver",
            "--agency",
            "legal",
            "--password",
            PASSWORD,
        ],
    )
    assert result.exit_code == 0, result.output
    assert accounts.get_user(store, username="legal1").agency == "legal"
    refused = cli.invoke(
        app, ["users", "add", "v1", "--nation", "USA", "--agency", "legal", "--password", PASSWORD]
    )
    assert refused.exit_code == 1
    assert "agency: is for approvers and admins only" in refused.stderr
