"""``comity drafts``: the review queue from the command line, its messages and its JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app
from comity.services import accounts
from comity.services import drafts as draft_service
from comity.store import Store
from tests.api_world import PASSWORD
from tests.draft_texts import TEXT, queue


@pytest.fixture
def users(store: Store) -> dict[str, Viewer]:
    """A planner and a viewer of the United States, a planner of France."""
    made = {}
    for name, nation, role in (
        ("planner.usa", "USA", "planner"),
        ("viewer.usa", "USA", "viewer"),
        ("planner.fra", "FRA", "planner"),
    ):
        user = accounts.create_user(
            store,
            Viewer.operator("tests"),
            username=name,
            password=PASSWORD,
            nation=nation,
            role=role,
        )
        made[name] = accounts.viewer_of(user)
    return made


def _as(cli: CliRunner, user: str, *args: str) -> object:
    return cli.invoke(app, ["--user", user, "drafts", *args])


def test_the_list_shows_the_queue_and_its_json(
    cli: CliRunner, store: Store, users: dict[str, Viewer]
) -> None:
    first, second = (
        queue(store, users["planner.usa"]),
        queue(store, users["planner.usa"], title="Cope"),
    )
    shown = _as(cli, "viewer.usa", "list")
    assert shown.exit_code == 0, shown.output
    assert "Drafts (pending)" in shown.stdout
    assert shown.stdout.index("Cope") < shown.stdout.index("Balikatan 2015")
    listed = json.loads(_as(cli, "viewer.usa", "list", "--json").stdout)
    assert [d["id"] for d in listed] == [second, first]
    assert listed[0]["values"]["title"] == "Cope"
    empty = _as(cli, "planner.fra", "list")
    assert empty.exit_code == 0
    assert empty.stdout.endswith("No pending drafts in your queue.\n")
    assert _as(cli, "planner.fra", "list", "--status", "all").stdout.endswith(
        "No drafts in your queue.\n"
    )


def _stored_balikatan(store: Store) -> Any:
    """Balikatan 2015 as another source recorded it: the event the queued draft repeats."""
    record = {
        "kind": "exercise",
        "title": "Balikatan 2015",
        "start": "2015-04-20",
        "host": "PHL",
        "participants": [{"nation": "PHL"}, {"nation": "USA"}],
    }
    return services.add_engagement(store, record, Viewer.operator("tests"))


def test_a_list_of_an_unknown_status_is_refused(cli: CliRunner, users: dict[str, Viewer]) -> None:
    result = _as(cli, "viewer.usa", "list", "--status", "maybe")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Invalid query: status: must be pending, accepted, rejected, all (got maybe)\n"
    )


def test_show_quotes_the_passage_and_names_the_stored_event_it_may_repeat(
    cli: CliRunner, store: Store, users: dict[str, Viewer]
) -> None:
    stored = _stored_balikatan(store)
    draft_id = queue(store, users["planner.usa"])
    result = _as(cli, "viewer.usa", "show", str(draft_id))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"Draft {draft_id}: pending, queued by planner.usa on ")
    assert TEXT[:60] in out
    assert '"Exercise"' in out and "0.87" in out
    assert '"U.S. Navy"' in out
    assert "Note: the host is inferred from the first navy named" in out
    assert "Stored events it may repeat" in out
    assert f"{stored.id} " in out.split("Stored events it may repeat")[1]
    as_json = json.loads(_as(cli, "viewer.usa", "show", str(draft_id), "--json").stdout)
    assert as_json == draft_service.get_draft(store, users["viewer.usa"], draft_id)
    assert [d["id"] for d in as_json["duplicates"]] == [stored.id]


def test_edit_then_accept(cli: CliRunner, store: Store, users: dict[str, Viewer]) -> None:
    draft_id = queue(store, users["planner.usa"])
    edited = _as(
        cli,
        "planner.usa",
        "edit",
        str(draft_id),
        "--title",
        "Balikatan XXXI",
        "--participants",
        "Philippines,United States,JPN:observer:40",
        "--start",
        "2015-04",
    )
    assert edited.exit_code == 0, edited.output
    assert edited.stdout == f"Draft {draft_id} changed: participants, start, title.\n"
    shown = _as(cli, "planner.usa", "show", str(draft_id)).stdout
    assert "Balikatan XXXI (edited)" in shown and "Nations (edited)" in shown
    accepted = _as(cli, "planner.usa", "accept", str(draft_id))
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout == f"Draft {draft_id} accepted: engagement 1 (REL USA).\n"
    record = services.get_engagement(store, 1, users["planner.usa"]).engagement
    assert (record.title, str(record.start)) == ("Balikatan XXXI", "2015-04")
    assert [(p.nation, p.role.value, p.personnel) for p in record.participants] == [
        ("PHL", "host", None),
        ("JPN", "observer", 40),
        ("USA", "participant", None),
    ]
    again = _as(cli, "planner.usa", "accept", str(draft_id))
    assert again.exit_code == 1
    assert again.stderr == (
        f"Error: Draft {draft_id} was already accepted by planner.usa: only a pending draft may "
        "be accepted.\n  Hint: Run `comity drafts list` to see the drafts waiting.\n"
    )


def test_accepting_a_repeat_of_a_stored_event_says_which(
    cli: CliRunner, store: Store, users: dict[str, Viewer]
) -> None:
    stored = _stored_balikatan(store)
    draft_id = queue(store, users["planner.usa"])
    result = _as(cli, "planner.usa", "accept", str(draft_id), "--releasability", "REL USA,PHL")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Draft {draft_id} accepted: engagement 2 (REL PHL,USA), one event with engagement "
        f"{stored.id}.\n"
    )


def test_accept_json(cli: CliRunner, store: Store, users: dict[str, Viewer]) -> None:
    draft_id = queue(store, users["planner.usa"])
    result = _as(cli, "planner.usa", "accept", str(draft_id), "--json")
    assert json.loads(result.stdout) == {
        "id": draft_id,
        "status": "accepted",
        "engagement_id": 1,
        "releasability": "REL USA",
        "linked_to": None,
        "for_review": 0,
    }


def test_a_wrong_edit_names_its_field(
    cli: CliRunner, store: Store, users: dict[str, Viewer]
) -> None:
    draft_id = queue(store, users["planner.usa"])
    result = _as(cli, "planner.usa", "edit", str(draft_id), "--host", "Philipines")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: Invalid draft {draft_id}: host: unknown nation; Did you mean: Philippines (PHL)? "
        "(got Philipines)\n"
    )
    nothing = _as(cli, "planner.usa", "edit", str(draft_id))
    assert nothing.exit_code == 1
    assert nothing.stderr.startswith(f"Error: Invalid draft {draft_id}: changes: name a field")


def test_reject_needs_a_reason(cli: CliRunner, store: Store, users: dict[str, Viewer]) -> None:
    draft_id = queue(store, users["planner.usa"])
    missing = _as(cli, "planner.usa", "reject", str(draft_id))
    assert missing.exit_code == 2
    assert "Missing option '--reason'" in missing.output
    empty = _as(cli, "planner.usa", "reject", str(draft_id), "--reason", " ")
    assert empty.exit_code == 1
    assert empty.stderr == (
        "Error: Invalid rejection: reason: is required: say why the draft is not recorded\n"
    )
    done = _as(cli, "planner.usa", "reject", str(draft_id), "--reason", "A drill of one navy.")
    assert (done.exit_code, done.stdout) == (
        0,
        f"Draft {draft_id} rejected: A drill of one navy.\n",
    )


@pytest.mark.parametrize(
    "args",
    [
        ["show", "{id}"],
        ["edit", "{id}", "--title", "Ours"],
        ["accept", "{id}"],
        ["reject", "{id}", "--reason", "not ours"],
    ],
    ids=["show", "edit", "accept", "reject"],
)
def test_a_draft_of_another_nation_is_not_found(
    cli: CliRunner, store: Store, users: dict[str, Viewer], args: list[str]
) -> None:
    draft_id = queue(store, users["planner.usa"])
    result = _as(cli, "planner.fra", *(a.format(id=draft_id) for a in args))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: No draft {draft_id} that you may see.\n"
        "  Hint: Run `comity drafts list` to see the drafts of your queue.\n"
    )


def test_a_viewer_may_not_decide(cli: CliRunner, store: Store, users: dict[str, Viewer]) -> None:
    draft_id = queue(store, users["planner.usa"])
    result = _as(cli, "viewer.usa", "accept", str(draft_id))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: viewer.usa may not accept drafts: it needs the role planner.\n"
    )
