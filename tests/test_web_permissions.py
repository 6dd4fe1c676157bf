"""Who may open which page: every web route x every role x own/other nation x releasability.

The web app's twin of ``tests/test_api_permissions.py``. ``SPECS`` says for each page (method and
path) the least role it needs, the record it reads or changes, and whether it changes a record:
then only the users of the nation that owns it may, and only they get its form. The records
here belong to the USA. The expected answer follows: an anonymous visitor is sent to sign in, a
403 error page below the role, a 404 error page (without the title) for a record the caller's
nation may not see, a 403 error page for another nation's record, else the page (or the
redirect after its form). A page missing from the table, or one the table names that is not
served, fails the suite. ``MOVES`` does the same for each move of a plan's move form besides
``submit`` (in ``SPECS``). Every write goes to a fresh record, so the cases stay independent.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from comity import services
from comity.access import Role, Viewer
from comity.errors import NotFoundError
from comity.extract.draft import Draft, DraftParticipant, Passage, Proposed
from comity.services import accounts, culture, drafts, links
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.store import Store, open_store
from comity.web import auth
from comity.web.pages import PAGES
from tests.api_world import NATIONS, ROLES, engagement_record, role_rank
from tests.link_pairs import pair_link
from tests.test_web_drafts import review_form
from tests.web_client import PASSWORD, client_for, csrf, sign_in_client, web_app

HIDDEN = "US eyes"
"""In the title of every REL USA record here: no page answered to a French user may hold it."""
Caller = tuple[str, str] | None
"""A signed-in user as (role, nation); None for an anonymous visitor."""
SCHOOLS = {"public": "Harbour school", "secret": f"Harbour school ({HIDDEN})"}
"""A school named by a public training record, and one named only by a REL USA record."""
_AUTHOR = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)
_DECIDER = Viewer(name="decider.usa", nation="USA", role=Role.APPROVER, agency="policy")
_OPERATOR = Viewer.operator("tests")
_LABELS = {"public": None, "secret": "REL USA"}


@dataclass
class Case:
    """One request of the matrix, and how to tell whether the write it asks for was made."""

    url: str
    data: dict[str, Any] | None = None
    done: str = ""  # where a form that worked sends the caller (the start of the Location)
    changed: Callable[[], bool] | None = None
    client: TestClient | None = None  # a client of its own (signing in and out), with its token


@dataclass
class World:
    """One app over one store, a signed-in client (and its CSRF token) per caller."""

    store: Store
    app: FastAPI
    clients: dict[Caller, TestClient] = field(default_factory=dict)
    tokens: dict[Caller, str] = field(default_factory=dict)
    engagements: dict[str, int] = field(default_factory=dict)
    _plans: dict[tuple[str, str], int] = field(default_factory=dict)
    _jobs: dict[str, str] = field(default_factory=dict)
    _links: dict[str, int] = field(default_factory=dict)
    _drafts: list[int] = field(default_factory=list)

    def engagement(self, target: str) -> int:
        """A fresh engagement of the USA (REL USA for the ``secret`` target)."""
        if target == "secret":
            record = engagement_record(f"Drill {_tag()} ({HIDDEN})", "REL USA")
        else:
            record = engagement_record(f"Drill {_tag()}")
        return services.add_engagement(self.store, record, _AUTHOR).id

    def plan(self, target: str, state: str = "draft") -> int:
        """A fresh plan of the USA (REL USA for ``secret``) moved by US users to ``state``."""
        title = f"Plan {_tag()}" + (f" ({HIDDEN})" if target == "secret" else "")
        record = {**_PLAN, "title": title}
        if target == "secret":
            record["releasability"] = "REL USA"
        plan_id = plan_service.add_plan(self.store, record, _AUTHOR).id
        for reached in _STATES[1 : _STATES.index(state) + 1]:
            if reached == "approved":
                workflow.approve_plan(self.store, plan_id, _DECIDER)
            else:
                getattr(workflow, _MOVE_TO[reached])(self.store, plan_id, _AUTHOR)
        return plan_id

    def shared_plan(self, target: str, state: str) -> int:
        """A plan in ``state`` that pages only read (made once)."""
        if (target, state) not in self._plans:
            self._plans[(target, state)] = self.plan(target, state)
        return self._plans[(target, state)]

    def job(self, username: str) -> str:
        """An import job of ``username``, finished (made once)."""
        if username not in self._jobs:
            owner = accounts.viewer_of(accounts.get_user(self.store, username=username))
            jobs = self.app.state.import_jobs
            job = jobs.submit(
                owner,
                dataset="cow_states",
                mapping=None,
                uploads=[],
                folder=jobs.staging(),
                dry_run=True,
            )
            jobs.wait(job.id)
            self._jobs[username] = job.id
        return self._jobs[username]

    def link(self, target: str, accepted: bool = False) -> tuple[int, int]:
        """A fresh link of two US records (the first REL USA for ``secret``): (record, link)."""
        title = f"Drill {_tag()}" + (f" ({HIDDEN})" if target == "secret" else "")
        record, link_id = pair_link(self.store, _AUTHOR, title, _LABELS[target])
        if accepted:
            links.accept_link(self.store, _AUTHOR, link_id, "one drill")
        return record, link_id

    def shared_link(self, target: str) -> int:
        """A link that pages only read (made once)."""
        if target not in self._links:
            self._links[target] = self.link(target)[1]
        return self._links[target]

    def draft(self) -> int:
        """A fresh draft in the USA's queue, its passage naming the hidden words."""
        text = f"U.S. and Filipino troops ({HIDDEN}) began drill {_tag()} on 3 May 2027."
        found = Draft(
            passage=Passage(text, published=date(2027, 5, 1)),
            kind=Proposed("exercise"),
            title=Proposed(f"Drill {_tag()}"),
            participants=(DraftParticipant("USA"), DraftParticipant("PHL", "host")),
            host=Proposed("PHL"),
            start=Proposed("2027-05-03"),
        )
        return drafts.save_drafts(self.store, _AUTHOR, [found]).added[0]

    def shared_draft(self) -> int:
        """A draft that pages only read (made once)."""
        if not self._drafts:
            self._drafts.append(self.draft())
        return self._drafts[0]

    def link_of(self, link_id: int) -> dict[str, Any]:
        """A link as it stands now."""
        return links.get_link(self.store, _OPERATOR, link_id)

    def plan_state(self, plan_id: int) -> str:
        """Where a plan stands now."""
        return plan_service.get_plan(self.store, plan_id, _OPERATOR).state.value


def _tag() -> str:
    return uuid.uuid4().hex[:8]


_PLAN: dict[str, Any] = {
    "kind": "exercise",
    "start": "2027-05-03",
    "end": "2027-05-07",
    "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
    "agencies": ["policy"],
    "objectives": ["Trust"],
}
_STATES = ["draft", "submitted", "approved", "scheduled", "executed"]
_MOVE_TO = {"submitted": "submit_plan", "scheduled": "schedule_plan", "executed": "execute_plan"}

Build = Callable[[World, Caller, str], Case]
"""The request of a caller for a target (``public``, ``secret``, ``mine``, ``theirs``, ``none``)."""


@dataclass(frozen=True)
class Spec:
    """A page's rule: the least role (0: anyone), the record it touches, what success answers."""

    role: int
    build: Build
    target: str | None = None  # engagement, plan, link or job
    owned: bool = False  # changes the record (or shows the form that does): its nation's only
    ok: int = 200  # 303 for a form that redirects when it worked
    anonymous: int | None = None  # answered instead of the sign-in redirect
    final: bool = False  # cannot be undone: besides the record's author, its nation's admins only


def _get(url: str) -> Build:
    return lambda world, caller, target: Case(url)


def _engagement_page(suffix: str = "") -> Build:
    return lambda world, caller, target: Case(f"/engagements/{world.engagements[target]}{suffix}")


def _engagement_form(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "exercise",
        "title": "Balikatan",
        "start": "2015-04-20",
        "host": "Philippines",
        "releasability": "PUBLIC",
        "participant_nation": ["Philippines", "United States"],
        "participant_role": ["host", ""],
        "participant_personnel": ["", ""],
        **fields,
    }


def _engagement_title(world: World, key: int) -> str | None:
    try:
        return services.get_engagement(world.store, key, _OPERATOR).engagement.title
    except NotFoundError:
        return None


def _new_engagement(world: World, caller: Caller, target: str) -> Case:
    title = f"Port call {_tag()}"
    return Case(
        "/engagements/new",
        _engagement_form(title=title),
        "/engagements/",
        lambda: bool(services.list_engagements(world.store, _OPERATOR, text=title)),
    )


def _edit_engagement(world: World, caller: Caller, target: str) -> Case:
    key = world.engagement(target)
    title = f"Edited {_tag()}" + (f" ({HIDDEN})" if target == "secret" else "")
    label = "REL USA" if target == "secret" else "PUBLIC"
    return Case(
        f"/engagements/{key}/edit",
        _engagement_form(title=title, releasability=label, version="1"),
        f"/engagements/{key}?saved=1",
        lambda: _engagement_title(world, key) == title,
    )


def _delete_engagement(world: World, caller: Caller, target: str) -> Case:
    key = world.engagement(target)
    return Case(
        f"/engagements/{key}/delete",
        {"version": "1"},
        "/engagements?deleted=",
        lambda: _engagement_title(world, key) is None,
    )


def _link_page(world: World, caller: Caller, target: str) -> Case:
    return Case(f"/links/{world.shared_link(target)}")


def _decide_link(action: str, after: str) -> Build:
    def build(world: World, caller: Caller, target: str) -> Case:
        _, key = world.link(target, accepted=action == "undo")

        def changed() -> bool:
            link = world.link_of(key)
            return link["status"] == after and (link["decided_by"] is None) == (action == "undo")

        return Case(f"/links/{key}/{action}", {"reason": "checked"}, f"/links/{key}", changed)

    return build


def _decide_draft(action: str, after: str) -> Build:
    def build(world: World, caller: Caller, target: str) -> Case:
        key = world.draft()
        data = (
            {"reason": "checked"}
            if action == "reject"
            else review_form(location="Luzon", releasability="REL USA")
        )

        def changed() -> bool:
            found = drafts.get_draft(world.store, _OPERATOR, key)
            if action == "edit":
                return found["values"]["location"] == "Luzon"
            return bool(found["status"] == after)

        return Case(f"/drafts/{key}/{action}", data, f"/drafts/{key}", changed)

    return build


def _split_engagement(world: World, caller: Caller, target: str) -> Case:
    record, key = world.link(target, accepted=True)
    return Case(
        f"/engagements/{record}/split",
        {"reason": "two drills"},
        f"/engagements/{record}",
        lambda: world.link_of(key)["status"] == "rejected",
    )


def _plan_page(suffix: str = "", state: str = "draft") -> Build:
    return lambda world, caller, target: Case(f"/plans/{world.shared_plan(target, state)}{suffix}")


def _plan_form(title: str, target: str, **fields: Any) -> dict[str, Any]:
    return {
        "title": title,
        "kind": "exercise",
        "start": "2027-05-03",
        "end": "2027-05-07",
        "participant_nation": ["Philippines", "USA"],
        "participant_role": ["host", ""],
        "participant_personnel": ["", ""],
        "objectives": "Trust",
        "agencies": ["policy"],
        "releasability": "REL USA" if target == "secret" else "PUBLIC",
        **fields,
    }


def _new_plan(world: World, caller: Caller, target: str) -> Case:
    title = f"Plan {_tag()}"
    return Case(
        "/plans/new",
        _plan_form(title, target),
        "/plans/",
        lambda: title in {s.plan.title for s in plan_service.list_plans(world.store, _OPERATOR)},
    )


def _edit_plan(world: World, caller: Caller, target: str) -> Case:
    key = world.plan(target)
    title = f"Renamed {_tag()}" + (f" ({HIDDEN})" if target == "secret" else "")
    return Case(
        f"/plans/{key}/edit",
        _plan_form(title, target, version="1"),
        f"/plans/{key}",
        lambda: plan_service.get_plan(world.store, key, _OPERATOR).plan.title == title,
    )


def _move_plan(action: str, state: str, after: str, reason: str = "") -> Build:
    def build(world: World, caller: Caller, target: str) -> Case:
        key = world.plan(target, state)
        data = {"action": action, "reason": reason}
        return Case(
            f"/plans/{key}/move", data, f"/plans/{key}", lambda: world.plan_state(key) == after
        )

    return build


def _cancel_plan(world: World, caller: Caller, target: str) -> Case:
    key = world.plan(target)
    return Case(
        f"/plans/{key}/cancel",
        {"reason": "No longer needed."},
        f"/plans/{key}",
        lambda: world.plan_state(key) == "cancelled",
    )


def _assess_plan(world: World, caller: Caller, target: str) -> Case:
    key = world.plan(target, "executed")
    data = {"score-0": "4", "trust": "4", "lessons": "Plan the heat."}
    return Case(
        f"/plans/{key}/assess", data, f"/plans/{key}", lambda: world.plan_state(key) == "assessed"
    )


def _start_import(world: World, caller: Caller, target: str) -> Case:
    jobs = world.app.state.import_jobs
    before = len(jobs.list(_OPERATOR))
    return Case(
        "/imports",
        {"dataset": "cow_states", "dry_run": "on"},
        "/imports/",
        lambda: len(jobs.list(_OPERATOR)) == before + 1,
    )


def _job_page(suffix: str = "") -> Build:
    def build(world: World, caller: Caller, target: str) -> Case:
        owner = f"{caller[0]}.{caller[1]}" if target == "mine" and caller else "planner.USA"
        return Case(f"/imports/{world.job(owner)}{suffix}")

    return build


def _fresh_client(world: World, caller: Caller) -> tuple[TestClient, str]:
    client = TestClient(world.app)
    if caller is not None:
        sign_in_client(client, f"{caller[0]}.{caller[1]}")
    return client, csrf(client, "/login")


def _sign_in(world: World, caller: Caller, target: str) -> Case:
    client, token = _fresh_client(world, None)
    username = f"{caller[0]}.{caller[1]}" if caller else "viewer.USA"
    data = {"username": username, "password": PASSWORD, "next": "/plans", "csrf_token": token}
    return Case(
        "/login",
        data,
        "/plans",
        lambda: client.get("/plans", follow_redirects=False).status_code == 200,
        client,
    )


def _sign_out(world: World, caller: Caller, target: str) -> Case:
    client, token = _fresh_client(world, caller)

    def signed_out() -> bool:
        return client.get("/plans", follow_redirects=False).status_code == 303

    return Case("/logout", {"csrf_token": token}, "/login", signed_out if caller else None, client)


_CANDIDATES = "id,title,kind,partners,host,year,cost\nA,Drill,exercise,PHL,PHL,2027,50\n"

ANYONE, VIEWER, ANALYST, PLANNER, APPROVER, ADMIN = 0, 1, 2, 3, 4, 5
SPECS: dict[tuple[str, str], Spec] = {
    ("GET", "/login"): Spec(ANYONE, _get("/login")),
    ("POST", "/login"): Spec(ANYONE, _sign_in, ok=303),
    ("POST", "/logout"): Spec(ANYONE, _sign_out, ok=303),
    ("GET", "/"): Spec(VIEWER, _get("/?nation=PHL")),
    ("GET", "/dashboard/mechanisms"): Spec(VIEWER, _get("/dashboard/mechanisms?nation=PHL")),
    ("GET", "/dashboard/outlook"): Spec(VIEWER, _get("/dashboard/outlook?nation=PHL")),
    ("GET", "/network"): Spec(VIEWER, _get("/network")),
    ("GET", "/network/data"): Spec(VIEWER, _get("/network/data"), anonymous=401),
    ("GET", "/engagements"): Spec(VIEWER, _get("/engagements?nation=PHL")),
    ("GET", "/engagements.csv"): Spec(VIEWER, _get("/engagements.csv?nation=PHL")),
    ("GET", "/engagements/new"): Spec(PLANNER, _get("/engagements/new")),
    ("POST", "/engagements/new"): Spec(PLANNER, _new_engagement, ok=303),
    ("GET", "/engagements/{engagement_id}"): Spec(VIEWER, _engagement_page(), "engagement"),
    ("GET", "/engagements/{engagement_id}/edit"): Spec(
        PLANNER, _engagement_page("/edit"), "engagement", owned=True
    ),
    ("POST", "/engagements/{engagement_id}/edit"): Spec(
        PLANNER, _edit_engagement, "engagement", owned=True, ok=303
    ),
    ("GET", "/engagements/{engagement_id}/delete"): Spec(
        PLANNER, _engagement_page("/delete"), "engagement", owned=True
    ),
    ("POST", "/engagements/{engagement_id}/delete"): Spec(
        PLANNER, _delete_engagement, "engagement", owned=True, ok=303
    ),
    ("POST", "/engagements/{engagement_id}/split"): Spec(
        PLANNER, _split_engagement, "engagement", owned=True, ok=303
    ),
    ("GET", "/links"): Spec(VIEWER, _get("/links?status=review")),
    ("GET", "/links/{link_id}"): Spec(VIEWER, _link_page, "link"),
    ("POST", "/links/{link_id}/accept"): Spec(
        PLANNER, _decide_link("accept", "linked"), "link", owned=True, ok=303
    ),
    ("POST", "/links/{link_id}/reject"): Spec(
        PLANNER, _decide_link("reject", "rejected"), "link", owned=True, ok=303
    ),
    ("POST", "/links/{link_id}/undo"): Spec(
        PLANNER, _decide_link("undo", "review"), "link", owned=True, ok=303
    ),
    ("GET", "/drafts"): Spec(VIEWER, _get("/drafts")),
    ("GET", "/drafts/{draft_id}"): Spec(
        VIEWER, lambda world, caller, target: Case(f"/drafts/{world.shared_draft()}"), "draft"
    ),
    ("POST", "/drafts/{draft_id}/accept"): Spec(
        PLANNER, _decide_draft("accept", "accepted"), "draft", owned=True, ok=303
    ),
    ("POST", "/drafts/{draft_id}/edit"): Spec(
        PLANNER, _decide_draft("edit", "pending"), "draft", owned=True, ok=303
    ),
    ("POST", "/drafts/{draft_id}/reject"): Spec(
        PLANNER, _decide_draft("reject", "rejected"), "draft", owned=True, ok=303
    ),
    ("POST", "/drafts/read"): Spec(
        PLANNER,
        lambda world, caller, target: Case(
            "/drafts/read",
            {"text": f"U.S. and Thai troops began Cobra Gold {_tag()} in Thailand on 3 May 2027."},
            "/drafts",
        ),
        ok=303,
    ),
    ("GET", "/plans"): Spec(VIEWER, _get("/plans")),
    ("GET", "/plans/new"): Spec(PLANNER, _get("/plans/new")),
    ("POST", "/plans/new"): Spec(PLANNER, _new_plan, ok=303),
    ("GET", "/plans/{plan_id}"): Spec(VIEWER, _plan_page(), "plan"),
    ("GET", "/plans/{plan_id}/edit"): Spec(PLANNER, _plan_page("/edit"), "plan", owned=True),
    ("POST", "/plans/{plan_id}/edit"): Spec(PLANNER, _edit_plan, "plan", owned=True, ok=303),
    ("POST", "/plans/{plan_id}/move"): Spec(
        PLANNER, _move_plan("submit", "draft", "submitted"), "plan", owned=True, ok=303
    ),
    ("GET", "/plans/{plan_id}/assess"): Spec(
        PLANNER, _plan_page("/assess", "executed"), "plan", owned=True
    ),
    ("GET", "/plans/{plan_id}/cancel"): Spec(
        PLANNER,
        lambda world, caller, target: Case(f"/plans/{world.plan(target)}/cancel"),
        "plan",
        owned=True,
        final=True,
    ),
    ("POST", "/plans/{plan_id}/cancel"): Spec(
        PLANNER, _cancel_plan, "plan", owned=True, ok=303, final=True
    ),
    ("POST", "/plans/{plan_id}/assess"): Spec(PLANNER, _assess_plan, "plan", owned=True, ok=303),
    ("GET", "/imports"): Spec(VIEWER, _get("/imports")),
    ("GET", "/exchange"): Spec(ADMIN, _get("/exchange?for=PHL")),
    ("POST", "/imports"): Spec(PLANNER, _start_import, ok=303),
    ("GET", "/imports/{job_id}"): Spec(VIEWER, _job_page(), "job"),
    ("GET", "/imports/{job_id}/progress"): Spec(VIEWER, _job_page("/progress"), "job"),
    ("GET", "/nations"): Spec(VIEWER, _get("/nations")),
    ("GET", "/nations/{nation}"): Spec(VIEWER, _get("/nations/PHL")),
    ("GET", "/nations/{nation}/network"): Spec(VIEWER, _get("/nations/PHL/network")),
    ("GET", "/pairs"): Spec(VIEWER, _get("/pairs")),
    ("GET", "/pairs/{first}/{second}"): Spec(VIEWER, _get("/pairs/PHL/USA")),
    ("GET", "/organisations"): Spec(VIEWER, _get("/organisations")),
    ("GET", "/organisations/{code}"): Spec(VIEWER, _get("/organisations/NATO")),
    ("GET", "/briefing"): Spec(VIEWER, _get("/briefing?nation=PHL&as=USA")),
    ("GET", "/briefing.pdf"): Spec(VIEWER, _get("/briefing.pdf?nation=PHL&as=USA")),
    ("GET", "/briefing.json"): Spec(VIEWER, _get("/briefing.json?nation=PHL&as=USA")),
    ("GET", "/optimise"): Spec(ANALYST, _get("/optimise")),
    ("GET", "/optimise/sample.csv"): Spec(VIEWER, _get("/optimise/sample.csv")),  # no data
    ("POST", "/optimise"): Spec(
        ANALYST,
        lambda world, caller, target: Case(
            "/optimise", {"source": "text", "csv": _CANDIDATES, "budget": "60", "nation": "USA"}
        ),
    ),
    ("GET", "/alumni"): Spec(VIEWER, _get("/alumni")),
    ("GET", "/quality"): Spec(VIEWER, _get("/quality")),
    ("GET", "/alumni/schools"): Spec(VIEWER, _get("/alumni/schools")),
    ("GET", "/alumni/school"): Spec(
        VIEWER,
        lambda world, caller, target: Case(f"/alumni/school?name={quote(SCHOOLS[target])}"),
        "engagement",
    ),
}

MOVES: dict[str, Spec] = {
    action: Spec(
        role,
        _move_plan(action, state, after, reason),
        "plan",
        owned=True,
        ok=303,
        final=action == "cancel",
    )
    for action, role, state, after, reason in [
        ("approve", APPROVER, "submitted", "approved", ""),
        ("return", APPROVER, "submitted", "returned", "Too costly."),
        ("schedule", PLANNER, "approved", "scheduled", ""),
        ("execute", PLANNER, "scheduled", "executed", ""),
        ("cancel", PLANNER, "draft", "cancelled", "No longer needed."),
    ]
}
"""The moves of ``POST /plans/{plan_id}/move`` besides ``submit`` (in ``SPECS``), by action."""


def pages() -> set[tuple[str, str]]:
    """Every (method, path) the web app serves."""
    return {
        (method, route.path)
        for module in (auth, *PAGES)
        for route in module.router.routes
        for method in set(getattr(route, "methods", ())) - {"HEAD"}
    }


def _targets(spec: Spec, caller: Caller) -> list[str]:
    if spec.target in ("engagement", "plan", "link"):
        return ["public", "secret"]
    if spec.target == "draft":
        return ["secret"]  # a draft is its nation's queue's
    if spec.target == "job":
        own = caller is not None and role_rank(caller[0]) >= PLANNER
        return ["mine", "theirs"] if own else ["theirs"]
    return ["none"]


_CALLERS: list[Caller] = [None, *((role, nation) for role in ROLES for nation in NATIONS)]


def _cases(table: dict[Any, Spec]) -> list[Any]:
    return [
        pytest.param(key, caller, target, id=f"{key} {caller or 'anonymous'} {target}")
        for key, spec in table.items()
        for caller in _CALLERS
        for target in _targets(spec, caller)
    ]


def _expected(spec: Spec, caller: Caller, target: str) -> str:
    """``ok``, ``sign in``, or the status of the error page."""
    if caller is None:
        if spec.role == ANYONE:
            return "ok"
        return str(spec.anonymous) if spec.anonymous else "sign in"
    role, nation = caller
    if role_rank(role) < spec.role:
        return "403"
    if target == "secret" and nation != "USA":
        return "404"
    if target == "theirs" and caller not in (("planner", "USA"), ("admin", "USA")):
        return "404"  # a job is its owner's, and its nation's admins'
    if spec.owned and nation != "USA":
        return "403"
    if spec.final and role_rank(role) < ADMIN:
        return "403"  # the matrix's callers did not write the record
    return "ok"


@pytest.fixture(scope="module")
def world(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One app over one store for the whole matrix: users, records, a client per caller."""
    path = tmp_path_factory.mktemp("web-matrix") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    for role in ROLES:
        for nation in NATIONS:
            accounts.create_user(
                store,
                _OPERATOR,
                username=f"{role}.{nation}",
                password=PASSWORD,
                nation=nation,
                role=role,
                agency="policy" if role_rank(role) >= APPROVER else None,
            )
    made = World(store, web_app(store))
    made.engagements = {
        "public": services.add_engagement(store, engagement_record("Balikatan 2015"), _AUTHOR).id,
        "secret": services.add_engagement(
            store, engagement_record(f"Balikatan 2015 ({HIDDEN})", "REL USA"), _AUTHOR
        ).id,
    }
    for target, school in SCHOOLS.items():
        course = engagement_record(
            f"Course at {school}",
            "REL USA" if target == "secret" else None,
            kind="training",
            details={"institution": school, "students": 4},
        )
        services.add_engagement(store, course, _AUTHOR)
    for title, label in (("Greetings", "PUBLIC"), (f"Ranks ({HIDDEN})", "REL USA")):
        note = {"nation": "PHL", "topic": "etiquette", "title": title, "body": "Use titles."}
        culture.add_note(store, {**note, "releasability": label}, _AUTHOR)
    for caller in _CALLERS:
        made.clients[caller], made.tokens[caller] = _fresh_client(made, caller)
    yield made
    made.app.state.import_jobs.close()
    store.dispose()


def test_the_table_names_every_page_and_nothing_else() -> None:
    served = pages()
    assert set(SPECS) == served, (
        f"missing from SPECS: {sorted(served - set(SPECS))}; "
        f"not served: {sorted(set(SPECS) - served)}"
    )


def _check(world: World, method: str, spec: Spec, caller: Caller, target: str) -> None:
    case = spec.build(world, caller, target)
    client = case.client or world.clients[caller]
    data = case.data
    if method == "POST" and case.client is None:
        data = {**(data or {}), "csrf_token": world.tokens[caller]}
    answer = client.request(method, case.url, data=data, follow_redirects=False)
    expected = _expected(spec, caller, target)
    if caller is None or caller[1] != "USA":
        assert HIDDEN not in answer.text
    if expected == "ok":
        assert answer.status_code == spec.ok, answer.text
        if spec.ok == 303:
            assert answer.headers["location"].startswith(case.done)
        if target == "secret" and method == "GET":
            assert HIDDEN in answer.text  # the page is the REL USA record's
    elif expected == "sign in":
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=" + quote(case.url)
    else:
        assert answer.status_code == int(expected), answer.text
        if spec.anonymous is None or caller is not None:
            assert '<p role="alert">' in answer.text  # the error page
        if expected == "403":
            assert "may not" in answer.text or "may change or remove it" in answer.text
    if case.changed is not None:
        assert case.changed() is (expected == "ok")


@pytest.mark.slow  # 606 requests, many of them writes
@pytest.mark.parametrize(("key", "caller", "target"), _cases(SPECS))
def test_permission(world: World, key: tuple[str, str], caller: Caller, target: str) -> None:
    _check(world, key[0], SPECS[key], caller, target)


@pytest.mark.slow
@pytest.mark.parametrize(("action", "caller", "target"), _cases(MOVES))
def test_plan_move_permission(world: World, action: str, caller: Caller, target: str) -> None:
    _check(world, "POST", MOVES[action], caller, target)


def test_another_nations_record_offers_no_form_to_change_it(store: Store) -> None:
    accounts.create_user(
        store, _OPERATOR, username="planner.FRA", password=PASSWORD, nation="FRA", role="planner"
    )
    engagement = services.add_engagement(store, engagement_record("Balikatan 2015"), _AUTHOR).id
    plan = plan_service.add_plan(store, {**_PLAN, "title": "Cobra Gold 2027"}, _AUTHOR).id
    client = client_for(store, "planner.FRA")
    for url, subject in (
        (f"/engagements/{engagement}/edit", f"Engagement {engagement}"),
        (f"/engagements/{engagement}/delete", f"Engagement {engagement}"),
        (f"/plans/{plan}/edit", f"Plan {plan}"),
        (f"/plans/{plan}/assess", f"Plan {plan}"),
    ):
        answer = client.get(url)
        assert answer.status_code == 403, url
        assert "<h1>Something is not right</h1>" in answer.text
        assert f"{subject} belongs to USA: only USA&#39;s users may change" in answer.text
    token = csrf(client, "/login")
    moved = client.post(f"/plans/{plan}/move", data={"action": "submit", "csrf_token": token})
    assert moved.status_code == 403
    assert f"Plan {plan} belongs to USA" in moved.text
    assert plan_service.get_plan(store, plan, _OPERATOR).state.value == "draft"
