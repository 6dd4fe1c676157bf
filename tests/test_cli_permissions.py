"""Who may run what on the command line: every command x every role x own/other nation.

The CLI's twin of ``tests/test_api_permissions.py``. ``SPECS`` says for each command the least
role it needs with ``--user`` (``LOCAL``: the machine's own commands, run by the local
operator only) and whether it changes a record the USA owns (a French account is then refused
whatever its role). A command missing from the table fails the suite.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.access.signing import new_signing_key
from comity.cli import app
from comity.services import accounts, culture
from comity.services import links as link_service
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.store import Store, open_store
from tests.draft_texts import queue
from tests.exchange_world import PartnerKeys

pytestmark = pytest.mark.slow  # about 460 commands run

PASSWORD = "violet river lantern quartz"
ROLES = ("viewer", "analyst", "planner", "approver", "admin", "operator")
LOCAL = 99
"""The least role of a command only the machine's local operator runs (never with --user)."""
Args = Callable[["World"], list[str]]


@dataclass
class World:
    store: Store
    url: str
    folder: Path

    def engagement(self) -> str:
        """A fresh public engagement the USA owns."""
        author = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)
        record = {
            "kind": "exercise",
            "title": f"Drill {uuid.uuid4().hex[:6]}",
            "start": "2015",
            "participants": [{"nation": "USA"}, {"nation": "PHL"}],
        }
        return str(services.add_engagement(self.store, record, author).id)

    def plan(self, submitted: bool = False, approved: bool = False) -> str:
        """A fresh plan the USA owns (written by another US planner than the matrix's)."""
        author = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)
        record = {
            "title": "Cobra Gold 2027",
            "kind": "exercise",
            "objectives": ["Trust"],
            "partners": [{"nation": "THA", "role": "host"}, {"nation": "USA"}],
            "start": "2027-02-22",
            "end": "2027-03-05",
            "agencies": ["policy"],
        }
        stored = plan_service.add_plan(self.store, record, author)
        if submitted or approved:
            workflow.submit_plan(self.store, stored.id, author)
        if approved:
            decider = Viewer(name="decider.usa", nation="USA", role=Role.APPROVER, agency="policy")
            workflow.approve_plan(self.store, stored.id, decider)
        return str(stored.id)

    def note(self) -> str:
        author = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)
        record = {"nation": "JPN", "topic": "customs", "title": "Shoes", "body": "Off indoors."}
        note = culture.add_note(self.store, record, author)
        return str(note.id)

    def account(self) -> str:
        """A fresh US viewer account."""
        name = f"target.{uuid.uuid4().hex[:6]}"
        accounts.create_user(
            self.store, Viewer.operator("t"), username=name, password=PASSWORD, nation="USA"
        )
        return name

    def token(self) -> str:
        user = accounts.get_user(self.store, username=self.account())
        return str(accounts.create_token(self.store, user, "matrix").record.id)

    def link(self) -> str:
        """A fresh link waiting for review between two near-identical US records."""
        author = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)
        title = f"Drill {uuid.uuid4().hex[:6]}"
        for _ in range(2):
            record = {
                "kind": "exercise",
                "title": title,
                "start": "2015-04-20",
                "participants": [{"nation": "USA"}, {"nation": "PHL"}],
            }
            services.add_engagement(self.store, record, author)
        link_service.link_store_records(self.store, Viewer.operator("t"))
        [found] = link_service.list_links(
            self.store, Viewer.operator("t"), status="review", limit=500
        )[-1:]
        return str(found["id"])

    def draft(self) -> str:
        """A fresh draft waiting in the USA's review queue."""
        author = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)
        title = f"Drill {uuid.uuid4().hex[:6]}"
        return str(queue(self.store, author, title=title, start="2016", end=None))

    def person(self) -> str:
        return str(
            services.add_person(
                self.store, {"name": "Ana Cruz", "nation": "PHL"}, Viewer.operator("t")
            )
        )


@dataclass(frozen=True)
class Spec:
    role: int
    args: Args
    owned: bool = False  # changes a US record or account: a French account is refused
    final: bool = False  # cannot be undone: besides the record's author, its nation's admins only


def _fixed(*args: str) -> Args:
    return lambda world: list(args)


SPECS: dict[str, Spec] = {
    "init": Spec(LOCAL, _fixed("init")),
    "serve": Spec(LOCAL, _fixed("serve")),
    "status": Spec(LOCAL, _fixed("status")),
    "nations": Spec(Role.VIEWER, _fixed("nations", "--limit", "3")),
    "nation": Spec(Role.VIEWER, _fixed("nation", "JPN")),
    "orgs": Spec(Role.VIEWER, _fixed("orgs")),
    "sources": Spec(Role.VIEWER, _fixed("sources")),
    "ties": Spec(Role.VIEWER, _fixed("ties", "USA", "--year", "2015")),
    "dyad": Spec(Role.VIEWER, _fixed("dyad", "USA", "PHL")),
    "outlook": Spec(Role.VIEWER, _fixed("outlook", "USA")),
    "profile": Spec(Role.VIEWER, _fixed("profile", "USA")),
    "network": Spec(Role.VIEWER, _fixed("network", "--year", "2015")),
    "compare": Spec(Role.VIEWER, _fixed("compare", "USA", "PHL")),
    "effect": Spec(Role.VIEWER, _fixed("effect", "--kind", "training", "--provider", "USA")),
    "briefing": Spec(Role.VIEWER, _fixed("briefing", "JPN")),
    "alumni": Spec(Role.VIEWER, _fixed("alumni")),
    "quality": Spec(Role.VIEWER, _fixed("quality")),
    "schools": Spec(Role.VIEWER, _fixed("schools")),
    "links run": Spec(Role.OPERATOR, _fixed("links", "run")),
    "links review": Spec(Role.VIEWER, _fixed("links", "review")),
    "links show": Spec(Role.VIEWER, lambda w: ["links", "show", w.link()]),
    "links event": Spec(Role.VIEWER, lambda w: ["links", "event", w.engagement()]),
    "links accept": Spec(Role.PLANNER, lambda w: ["links", "accept", w.link()], owned=True),
    "links reject": Spec(Role.PLANNER, lambda w: ["links", "reject", w.link()], owned=True),
    "links undo": Spec(Role.PLANNER, lambda w: ["links", "undo", w.link()], owned=True),
    "links split": Spec(Role.PLANNER, lambda w: ["links", "split", w.engagement()], owned=True),
    "extract": Spec(Role.PLANNER, lambda w: ["extract", str(w.folder / "news.txt")]),
    "drafts list": Spec(Role.VIEWER, _fixed("drafts", "list")),
    "drafts show": Spec(Role.VIEWER, lambda w: ["drafts", "show", w.draft()]),
    "drafts edit": Spec(
        Role.PLANNER, lambda w: ["drafts", "edit", w.draft(), "--title", "E"], owned=True
    ),
    "drafts accept": Spec(Role.PLANNER, lambda w: ["drafts", "accept", w.draft()], owned=True),
    "drafts reject": Spec(
        Role.PLANNER, lambda w: ["drafts", "reject", w.draft(), "--reason", "x"], owned=True
    ),
    "engagements list": Spec(Role.VIEWER, _fixed("engagements", "list")),
    "engagements show": Spec(Role.VIEWER, lambda w: ["engagements", "show", w.engagement()]),
    "plans list": Spec(Role.VIEWER, _fixed("plans", "list")),
    "plans show": Spec(Role.VIEWER, lambda w: ["plans", "show", w.plan()]),
    "plans friction": Spec(Role.VIEWER, _fixed("plans", "friction")),
    "calendar check": Spec(Role.VIEWER, lambda w: ["calendar", "check", w.engagement()]),
    "calendar window": Spec(
        Role.VIEWER,
        _fixed("calendar", "window", "JPN", "--from", "2027-03-01", "--to", "2027-03-10"),
    ),
    "culture distance": Spec(Role.VIEWER, _fixed("culture", "distance", "JPN", "USA")),
    "notes list": Spec(Role.VIEWER, _fixed("notes", "list")),
    "optimise": Spec(Role.ANALYST, _fixed("optimise", "--budget", "1000", "--from-plans")),
    "export dyad-years": Spec(Role.ANALYST, _fixed("export", "dyad-years")),
    "export directed-dyad-years": Spec(Role.ANALYST, _fixed("export", "directed-dyad-years")),
    "export network": Spec(Role.ANALYST, _fixed("export", "network", "--year", "2015")),
    "engagements add": Spec(
        Role.PLANNER,
        _fixed(
            "engagements",
            "add",
            "--kind",
            "exercise",
            "--title",
            "T",
            "--start",
            "2015",
            "-p",
            "USA",
            "-p",
            "PHL",
        ),
    ),
    "engagements edit": Spec(
        Role.PLANNER,
        lambda w: ["engagements", "edit", w.engagement(), "--title", "Edited"],
        owned=True,
    ),
    "engagements delete": Spec(
        Role.PLANNER, lambda w: ["engagements", "delete", w.engagement(), "--yes"], owned=True
    ),
    "plans add": Spec(
        Role.PLANNER,
        _fixed(
            "plans",
            "add",
            "--title",
            "P",
            "--kind",
            "exercise",
            "--start",
            "2027-02-01",
            "--end",
            "2027-02-05",
            "-p",
            "THA:host",
            "-p",
            "USA",
            "--agency",
            "policy",
        ),
    ),
    "plans edit": Spec(
        Role.PLANNER, lambda w: ["plans", "edit", w.plan(), "--title", "E"], owned=True
    ),
    "plans submit": Spec(Role.PLANNER, lambda w: ["plans", "submit", w.plan()], owned=True),
    "plans schedule": Spec(
        Role.PLANNER, lambda w: ["plans", "schedule", w.plan(approved=True)], owned=True
    ),
    "plans execute": Spec(Role.PLANNER, lambda w: ["plans", "execute", w.plan()], owned=True),
    "plans assess": Spec(Role.PLANNER, lambda w: ["plans", "assess", w.plan()], owned=True),
    "plans cancel": Spec(
        Role.PLANNER,
        lambda w: ["plans", "cancel", w.plan(), "--reason", "x"],
        owned=True,
        final=True,
    ),
    "plans approve": Spec(
        Role.APPROVER, lambda w: ["plans", "approve", w.plan(submitted=True)], owned=True
    ),
    "plans return": Spec(
        Role.APPROVER,
        lambda w: ["plans", "return", w.plan(submitted=True), "--reason", "budget"],
        owned=True,
    ),
    "notes add": Spec(Role.PLANNER, _fixed("notes", "add", "JPN", "--title", "T", "--body", "B")),
    "notes edit": Spec(
        Role.PLANNER, lambda w: ["notes", "edit", w.note(), "--title", "E"], owned=True
    ),
    "notes delete": Spec(Role.PLANNER, lambda w: ["notes", "delete", w.note()], owned=True),
    "people attend": Spec(
        Role.PLANNER,
        lambda w: [
            "people",
            "attend",
            "--person",
            w.person(),
            "--programme",
            "Staff course",
            "--start",
            "2015",
        ],
    ),
    "people career": Spec(
        Role.PLANNER,
        lambda w: [
            "people",
            "career",
            "--person",
            w.person(),
            "--date",
            "2016",
            "--position",
            "Colonel",
        ],
    ),
    "people import": Spec(
        Role.PLANNER, lambda w: ["people", "import", str(w.folder / "x.csv"), "--kind", "career"]
    ),
    "import": Spec(Role.OPERATOR, _fixed("import", "us_senior_visits", "--dry-run")),
    "media run": Spec(Role.OPERATOR, lambda w: ["media", "run", str(w.folder / "none.csv")]),
    "backup": Spec(Role.OPERATOR, lambda w: ["backup", str(w.folder / f"{uuid.uuid4().hex}.c")]),
    "restore": Spec(Role.OPERATOR, lambda w: ["restore", str(w.folder / "missing.comity")]),
    "users add": Spec(
        Role.ADMIN,
        lambda w: ["users", "add", f"new.{uuid.uuid4().hex[:6]}", "--nation", "USA"],
        owned=True,
    ),
    "users list": Spec(Role.ADMIN, _fixed("users", "list")),
    "users disable": Spec(Role.ADMIN, lambda w: ["users", "disable", w.account()], owned=True),
    "users enable": Spec(Role.ADMIN, lambda w: ["users", "enable", w.account()], owned=True),
    "users password": Spec(
        Role.ADMIN, lambda w: ["users", "password", w.account(), "--generate"], owned=True
    ),
    "users token": Spec(Role.ADMIN, lambda w: ["users", "token", w.account()], owned=True),
    "users tokens": Spec(Role.ADMIN, lambda w: ["users", "tokens", w.account()], owned=True),
    "users revoke-token": Spec(
        Role.ADMIN, lambda w: ["users", "revoke-token", w.token()], owned=True
    ),
    "audit verify": Spec(Role.ADMIN, _fixed("audit", "verify")),
    "audit list": Spec(Role.ADMIN, _fixed("audit", "list")),
    "audit checkpoint": Spec(Role.OPERATOR, _fixed("audit", "checkpoint")),
}

_PARTNERS: dict[int, PartnerKeys] = {}


def _bundle_file(world: World) -> str:
    """A fresh bundle from a French partner of the matrix store (a US installation)."""
    partners = _PARTNERS.setdefault(id(world.store), PartnerKeys(world.store, "USA"))
    path = world.folder / f"bundle-{uuid.uuid4().hex[:8]}.json"
    path.write_bytes(partners.bundle("FRA"))
    return str(path)


_NOWHERE = "http://127.0.0.1:9"  # nothing listens: a command that may run fails to connect
SPECS.update(
    {
        "exchange keygen": Spec(Role.OPERATOR, _fixed("exchange", "keygen", "--nation", "USA")),
        "exchange trust": Spec(
            Role.OPERATOR,
            lambda w: [
                "exchange",
                "trust",
                f"p-{uuid.uuid4().hex[:8]}",
                new_signing_key().public_key,
                "--nation",
                "GBR",
            ],
        ),
        "exchange partners": Spec(Role.ADMIN, _fixed("exchange", "partners")),
        "exchange export": Spec(
            Role.ANALYST,
            lambda w: ["exchange", "export", "--for", "USA", "-o", str(w.folder / "b.json")],
        ),
        "exchange import": Spec(Role.OPERATOR, lambda w: ["exchange", "import", _bundle_file(w)]),
        "exchange pull": Spec(Role.OPERATOR, _fixed("exchange", "pull", _NOWHERE, "--token", "x")),
        "exchange push": Spec(
            Role.OPERATOR,
            _fixed("exchange", "push", _NOWHERE, "--token", "x", "--for", "FRA"),
        ),
    }
)

# Accounts and review queues are the installation operator's across nations; records stay
# their nation's.
_ACCOUNTS = {name for name in SPECS if name.startswith("users ")}
_QUEUES = {"drafts edit", "drafts accept", "drafts reject"}
_REFUSED = (
    "may not",
    "may change or remove it",
    "an admin manages the accounts",
    "decides for no agency",
    "No token ",  # another's token is not theirs to see
    "No draft ",  # nor another nation's draft
)


def commands() -> list[str]:
    """Every command the CLI has, as it is typed (``plans approve``)."""

    def walk(command: object, path: tuple[str, ...]) -> Iterator[str]:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        else:
            yield " ".join(path)

    return list(walk(typer.main.get_command(app), ()))


def test_the_table_names_every_command_and_nothing_else() -> None:
    assert set(SPECS) == set(commands())


@pytest.fixture(scope="module")
def world(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("cli-matrix")
    path = folder / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    operator = Viewer.operator("tests")
    for role in ROLES:
        for nation in ("USA", "FRA"):
            agency = "policy" if Role[role.upper()] >= Role.APPROVER else None
            accounts.create_user(
                store,
                operator,
                username=f"{role}.{nation}",
                password=PASSWORD,
                nation=nation,
                role=role,
                agency=agency,
            )
    (folder / "x.csv").write_text("person,date,position\n", encoding="utf-8")
    news = "U.S. and Thai troops began Cobra Gold 2016 in Thailand on 9 February 2016."
    (folder / "news.txt").write_text(news, encoding="utf-8")
    yield World(store, f"sqlite:///{path}", folder)
    store.dispose()


def _expected(spec: Spec, command: str, role: str, nation: str) -> bool:
    """Whether ``role`` of ``nation`` may run the command (True) or is refused (False)."""
    rank = Role[role.upper()]
    if spec.role == LOCAL or rank < spec.role:
        return False
    if spec.owned and nation != "USA":
        return command in _ACCOUNTS | _QUEUES and rank >= Role.OPERATOR
    if spec.final:
        return rank >= Role.ADMIN  # the matrix's callers did not write the record
    return True


_CASES = [
    pytest.param(command, role, nation, id=f"{command} {role} {nation}")
    for command, spec in SPECS.items()
    if spec.role != LOCAL
    for role in ROLES
    for nation in (("USA", "FRA") if spec.owned else ("USA",))
]


@pytest.mark.parametrize(("command", "role", "nation"), _CASES)
def test_permission(world: World, command: str, role: str, nation: str) -> None:
    spec = SPECS[command]
    runner = CliRunner(
        env={
            "COMITY_DATABASE_URL": world.url,
            "COMITY_NEW_PASSWORD": PASSWORD,
            "COMITY_DEBUG": None,
        }
    )
    result = runner.invoke(app, ["--user", f"{role}.{nation}", *spec.args(world)])
    refused = result.exit_code == 1 and any(text in result.output for text in _REFUSED)
    if _expected(spec, command, role, nation):
        assert not refused, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    else:
        assert refused, (result.exit_code, result.output)
    assert "Traceback" not in result.output
