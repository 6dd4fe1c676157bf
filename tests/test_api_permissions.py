"""Who may call what: every endpoint x every role x own/other nation x releasability.

One table, ``SPECS``, says for each endpoint the least role it needs and which record it
touches; the expected answer follows: 401 anonymous, 403 below the role, 404 for a record the
caller's nation may not see, 403 for a change to a record another nation owns (the records
written here belong to the USA), else success. A route missing from the table fails the suite.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.api import endpoints
from comity.services import accounts, links
from comity.store import open_store
from tests.api_world import NATIONS, PASSWORD, ROLES, World, engagement_record, role_rank, serve
from tests.draft_texts import queue
from tests.exchange_world import PartnerKeys
from tests.link_pairs import pair_link

Build = Callable[[World, str | None, str, int], dict[str, Any]]
"""Request keyword arguments for a caller (role, nation) and a target record id."""

_OPERATOR = Viewer.operator("tests")
_AUTHOR = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)


@dataclass(frozen=True)
class Spec:
    """An endpoint's rule: the least role (0: anyone), the record kind it reads or writes."""

    role: int
    target: str | None = None
    build: Build | None = None
    owned: bool = False  # changes the record: only its owner's users may
    final: bool = False  # cannot be undone: besides the record's author, its nation's admins only


def _fresh_engagement(world: World, secret: bool) -> tuple[int, str]:
    label = "REL USA" if secret else None
    stored = services.add_engagement(
        world.store, engagement_record(f"Drill {uuid.uuid4().hex[:8]}", label), _AUTHOR
    )
    return stored.id, f'"{stored.id}-{stored.version}"'


def _school(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
    """A school named only by a fresh training record, public or REL USA like the target."""
    school = f"School {uuid.uuid4().hex[:8]}"
    label = "REL USA" if target == world.secret_id else None
    record = engagement_record(
        f"Course at {school}", label, kind="training", details={"institution": school}
    )
    services.add_engagement(world.store, record, _AUTHOR)
    return {"url": f"/api/v1/schools/one?name={quote(school)}"}


def _link(world: World, target: int, accepted: bool = False) -> tuple[int, int]:
    """A fresh link of two US records, the first REL USA like the target: (record, link)."""
    secret = target == world.secret_id
    title = f"Drill {uuid.uuid4().hex[:8]}" + (" (US eyes)" if secret else "")
    record, link_id = pair_link(world.store, _AUTHOR, title, "REL USA" if secret else None)
    if accepted:
        links.accept_link(world.store, _AUTHOR, link_id, "one drill")
    return record, link_id


def _link_call(action: str = "") -> Build:
    def build(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
        _, link_id = _link(world, target, accepted=action == "undo")
        body = {"reason": "checked"} if action in ("accept", "reject") else None
        return {"url": f"/api/v1/links/{link_id}" + (f"/{action}" if action else ""), "json": body}

    return build


def _split(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
    record, _ = _link(world, target, accepted=True)
    return {"url": f"/api/v1/engagements/{record}/split", "json": {"reason": "two drills"}}


def _draft_call(method: str, action: str = "") -> Build:
    """A fresh draft in the USA's queue, and the call on it (another nation: not found)."""

    def build(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
        draft_id = queue(world.store, _AUTHOR, title=_unique("Drill"), start="2016-09-12", end=None)
        body = {"reason": "not an exercise"} if action == "reject" else None
        if method == "PATCH":
            body = {"title": "Patched"}
        suffix = f"/{action}" if action else ""
        return {"url": f"/api/v1/drafts/{draft_id}{suffix}", "json": body}

    return build


_PASSAGES = {
    "passages": [
        {
            "text": "The Philippine and U.S. navies began Exercise Balikatan on 20 April 2016.",
            "url": "https://news.example.org/balikatan-2016",
            "published": "2016-04-21",
            "publisher": "Philippine News Agency",
        }
    ]
}


def _write(method: str) -> Build:
    def build(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
        key, tag = _fresh_engagement(world, secret=target == world.secret_id)
        body: dict[str, Any] | None = None
        if method == "PUT":
            body = {**_engagement_body(0), "title": "Replaced"}
        elif method == "PATCH":
            body = {"title": "Patched"}
        return {
            "url": f"/api/v1/engagements/{key}",
            "headers_extra": {"If-Match": tag},
            "json": body,
        }

    return build


def _token_to_revoke(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
    username = f"{role or 'viewer'}.{nation}"
    issued = accounts.create_token(
        world.store, accounts.get_user(world.store, username=username), "to revoke"
    )
    return {"url": f"/api/v1/tokens/{issued.record.id}"}


def _user_to_toggle(action: str) -> Build:
    def build(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
        name = f"target.{uuid.uuid4().hex[:8]}"
        # An admin manages their own nation's accounts (tests/test_admin_bounds.py: others').
        accounts.create_user(
            world.store, _OPERATOR, username=name, password=PASSWORD, nation=nation
        )
        return {"url": f"/api/v1/users/{name}/{action}"}

    return build


def _job(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
    owner = world.viewer(role or "viewer", nation)
    jobs = world.client.app.state.import_jobs
    if role_rank(role) < 3:
        owner = world.viewer("planner", nation)  # the caller's colleague: not theirs to see
    job = jobs.submit(
        owner, dataset="cow_states", mapping=None, uploads=[], folder=jobs.staging(), dry_run=True
    )
    jobs.wait(job.id)
    return {"url": f"/api/v1/imports/{job.id}"}


def _get(url: str) -> Build:
    return lambda world, role, nation, target: {"url": url.format(target=target)}


def _post(url: str, body: Callable[[int], Any], **extra: Any) -> Build:
    return lambda world, role, nation, target: {"url": url, "json": body(target), **extra}


def _engagement_body(target: int) -> dict[str, Any]:
    return {
        "kind": "port_call",
        "title": "Port call",
        "start": "2016-02-01",
        "participants": [{"nation": "Philippines", "role": "host"}, {"nation": "USA"}],
    }


def _named(target: int) -> dict[str, str]:
    return {"name": "another"}


def _unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


ANYONE, VIEWER, ANALYST, PLANNER, ADMIN = 0, 1, 2, 3, 5
SPECS: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/openapi.json"): Spec(ANYONE, build=_get("/api/v1/openapi.json")),
    ("GET", "/api/v1/health"): Spec(ANYONE, build=_get("/api/v1/health")),
    ("POST", "/api/v1/auth/token"): Spec(
        ANYONE,
        build=_post(
            "/api/v1/auth/token", lambda t: {"username": "viewer.USA", "password": PASSWORD}
        ),
    ),
    ("GET", "/api/v1/auth/me"): Spec(VIEWER, build=_get("/api/v1/auth/me")),
    ("GET", "/api/v1/tokens"): Spec(VIEWER, build=_get("/api/v1/tokens")),
    ("POST", "/api/v1/tokens"): Spec(VIEWER, build=_post("/api/v1/tokens", _named)),
    ("DELETE", "/api/v1/tokens/{token_id}"): Spec(VIEWER, build=_token_to_revoke),
    ("GET", "/api/v1/users"): Spec(ADMIN, build=_get("/api/v1/users")),
    ("POST", "/api/v1/users"): Spec(
        ADMIN,
        build=lambda w, r, n, t: {
            "url": "/api/v1/users",
            "json": {"username": f"new.{uuid.uuid4().hex[:8]}", "password": PASSWORD, "nation": n},
        },
    ),
    ("POST", "/api/v1/users/{username}/disable"): Spec(ADMIN, build=_user_to_toggle("disable")),
    ("POST", "/api/v1/users/{username}/enable"): Spec(ADMIN, build=_user_to_toggle("enable")),
    ("GET", "/api/v1/audit"): Spec(ADMIN, build=_get("/api/v1/audit")),
    ("GET", "/api/v1/audit/verify"): Spec(ADMIN, build=_get("/api/v1/audit/verify")),
    ("GET", "/api/v1/nations"): Spec(VIEWER, build=_get("/api/v1/nations")),
    ("GET", "/api/v1/nations/{nation}"): Spec(VIEWER, build=_get("/api/v1/nations/Philippines")),
    ("GET", "/api/v1/organisations"): Spec(VIEWER, build=_get("/api/v1/organisations")),
    ("GET", "/api/v1/organisations/{code}"): Spec(VIEWER, build=_get("/api/v1/organisations/NATO")),
    ("GET", "/api/v1/engagements"): Spec(VIEWER, build=_get("/api/v1/engagements?nation=PHL")),
    ("GET", "/api/v1/agreements"): Spec(VIEWER, build=_get("/api/v1/agreements")),
    ("POST", "/api/v1/engagements"): Spec(
        PLANNER, build=_post("/api/v1/engagements", _engagement_body)
    ),
    ("GET", "/api/v1/engagements/{engagement_id}"): Spec(
        VIEWER, "engagement", _get("/api/v1/engagements/{target}")
    ),
    ("GET", "/api/v1/engagements/{engagement_id}/participants"): Spec(
        VIEWER, "engagement", _get("/api/v1/engagements/{target}/participants")
    ),
    ("PUT", "/api/v1/engagements/{engagement_id}"): Spec(
        PLANNER, "engagement", _write("PUT"), owned=True
    ),
    ("PATCH", "/api/v1/engagements/{engagement_id}"): Spec(
        PLANNER, "engagement", _write("PATCH"), owned=True
    ),
    ("DELETE", "/api/v1/engagements/{engagement_id}"): Spec(
        PLANNER, "engagement", _write("DELETE"), owned=True
    ),
    ("GET", "/api/v1/engagements/{engagement_id}/event"): Spec(
        VIEWER, "engagement", _get("/api/v1/engagements/{target}/event")
    ),
    ("POST", "/api/v1/engagements/{engagement_id}/split"): Spec(
        PLANNER, "engagement", _split, owned=True
    ),
    ("GET", "/api/v1/links"): Spec(VIEWER, build=_get("/api/v1/links?status=review")),
    ("GET", "/api/v1/links/{link_id}"): Spec(VIEWER, "engagement", _link_call()),
    ("POST", "/api/v1/links/{link_id}/accept"): Spec(
        PLANNER, "engagement", _link_call("accept"), owned=True
    ),
    ("POST", "/api/v1/links/{link_id}/reject"): Spec(
        PLANNER, "engagement", _link_call("reject"), owned=True
    ),
    ("POST", "/api/v1/links/{link_id}/undo"): Spec(
        PLANNER, "engagement", _link_call("undo"), owned=True
    ),
    ("GET", "/api/v1/drafts"): Spec(VIEWER, build=_get("/api/v1/drafts?status=all")),
    ("POST", "/api/v1/drafts"): Spec(PLANNER, build=_post("/api/v1/drafts", lambda t: _PASSAGES)),
    ("GET", "/api/v1/drafts/{draft_id}"): Spec(VIEWER, "draft", _draft_call("GET")),
    ("PATCH", "/api/v1/drafts/{draft_id}"): Spec(PLANNER, "draft", _draft_call("PATCH")),
    ("POST", "/api/v1/drafts/{draft_id}/accept"): Spec(
        PLANNER, "draft", _draft_call("POST", "accept")
    ),
    ("POST", "/api/v1/drafts/{draft_id}/reject"): Spec(
        PLANNER, "draft", _draft_call("POST", "reject")
    ),
    ("GET", "/api/v1/institutions"): Spec(VIEWER, build=_get("/api/v1/institutions")),
    ("POST", "/api/v1/institutions"): Spec(
        PLANNER,
        build=_post(
            "/api/v1/institutions", lambda t: {"name": _unique("Academy"), "nation": "France"}
        ),
    ),
    ("GET", "/api/v1/people"): Spec(VIEWER, build=_get("/api/v1/people")),
    ("GET", "/api/v1/people/{person_id}"): Spec(VIEWER, "person", _get("/api/v1/people/{target}")),
    ("POST", "/api/v1/people"): Spec(
        PLANNER,
        build=_post(
            "/api/v1/people", lambda t: {"name": _unique("Officer"), "nation": "Philippines"}
        ),
    ),
    ("GET", "/api/v1/postings"): Spec(VIEWER, build=_get("/api/v1/postings")),
    ("POST", "/api/v1/postings"): Spec(
        PLANNER,
        "person",
        _post(
            "/api/v1/postings", lambda t: {"person_id": t, "host": "Australia", "start": "2019-08"}
        ),
    ),
    ("GET", "/api/v1/assessments"): Spec(VIEWER, build=_get("/api/v1/assessments")),
    ("POST", "/api/v1/assessments"): Spec(
        PLANNER,
        "engagement",
        _post(
            "/api/v1/assessments",
            lambda t: {"engagement_id": t, "assessed_on": "2015-06-01", "trust": 4},
        ),
    ),
    ("GET", "/api/v1/ties/{nation}"): Spec(VIEWER, build=_get("/api/v1/ties/USA?year=2015")),
    ("GET", "/api/v1/outlook/{nation}"): Spec(VIEWER, build=_get("/api/v1/outlook/USA")),
    ("GET", "/api/v1/dyads/{first}/{second}"): Spec(VIEWER, build=_get("/api/v1/dyads/USA/PHL")),
    ("GET", "/api/v1/nations/{nation}/profile"): Spec(
        VIEWER, build=_get("/api/v1/nations/USA/profile")
    ),
    ("GET", "/api/v1/network"): Spec(VIEWER, build=_get("/api/v1/network")),
    ("GET", "/api/v1/compare/{first}/{second}"): Spec(
        VIEWER, build=_get("/api/v1/compare/USA/PHL")
    ),
    ("GET", "/api/v1/effects"): Spec(
        VIEWER, build=_get("/api/v1/effects?provider=USA&kind=training")
    ),
    ("GET", "/api/v1/sources"): Spec(VIEWER, build=_get("/api/v1/sources")),
    ("POST", "/api/v1/imports"): Spec(
        PLANNER,
        build=lambda w, r, n, t: {
            "url": "/api/v1/imports",
            "data": {"dataset": "cow_states", "dry_run": "true"},
        },
    ),
    ("GET", "/api/v1/imports"): Spec(VIEWER, build=_get("/api/v1/imports")),
    ("GET", "/api/v1/imports/{job_id}"): Spec(VIEWER, "job", _job),
    ("GET", "/api/v1/exports/dyad-years"): Spec(ANALYST, build=_get("/api/v1/exports/dyad-years")),
    ("GET", "/api/v1/exports/network"): Spec(ANALYST, build=_get("/api/v1/exports/network")),
    ("POST", "/api/v1/optimise"): Spec(
        ANALYST,
        build=_post(
            "/api/v1/optimise",
            lambda t: {
                "budget": 1,
                "nation": "USA",
                "candidates": [
                    {
                        "id": "A",
                        "title": "Drill",
                        "kind": "exercise",
                        "partners": ["PHL"],
                        "year": 2016,
                        "cost": 1,
                    }
                ],
            },
        ),
    ),
    ("POST", "/api/v1/attendances"): Spec(
        PLANNER,
        "person",
        _post(
            "/api/v1/attendances",
            lambda t: {"person_id": t, "programme": "IMET", "start": "2001-08"},
        ),
    ),
    ("POST", "/api/v1/career-steps"): Spec(
        PLANNER,
        "person",
        _post(
            "/api/v1/career-steps",
            lambda t: {
                "person_id": t,
                "date": "2010",
                "position": "Chief",
                "seniority": "minister",
            },
        ),
    ),
    ("GET", "/api/v1/alumni"): Spec(VIEWER, build=_get("/api/v1/alumni")),
    ("GET", "/api/v1/quality"): Spec(VIEWER, build=_get("/api/v1/quality")),
    ("GET", "/api/v1/schools"): Spec(VIEWER, build=_get("/api/v1/schools")),
    ("GET", "/api/v1/schools/one"): Spec(VIEWER, "engagement", build=_school),
}


APPROVER = 4
_PLAN = {
    "title": "Plan",
    "kind": "exercise",
    "start": "2027-05-03",
    "end": "2027-05-07",
    "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
    "agencies": ["policy"],
    "objectives": ["Trust"],
}
_STEPS = {
    "submitted": ["submit"],
    "approved": ["submit", "approve"],
    "scheduled": ["submit", "approve", "schedule"],
    "executed": ["submit", "approve", "schedule", "execute"],
}


def _plan_in(world: World, state: str) -> Any:
    """A fresh public plan of the USA, moved by US accounts to ``state``."""
    from comity.services import plan_workflow, plans

    decider = Viewer(name="decider.usa", nation="USA", role=Role.APPROVER, agency="policy")
    stored = plans.add_plan(world.store, _PLAN, _AUTHOR)
    for step in _STEPS.get(state, []):
        if step == "approve":
            stored = plan_workflow.approve_plan(world.store, stored.id, decider)
        else:
            stored = getattr(plan_workflow, f"{step}_plan")(world.store, stored.id, _AUTHOR)
    return stored


def _plan_move(state: str, action: str, body: dict[str, Any] | None = None) -> Build:
    def build(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
        if action in ("approve", "return") and role in ("approver", "admin"):
            from sqlalchemy import update

            from comity.store.tables_access import users

            with world.store.transaction() as connection:  # the caller decides for policy
                connection.execute(
                    update(users)
                    .where(users.c.username == f"{role}.{nation}")
                    .values(agency="policy")
                )
            accounts.forget_checked_tokens()  # changed behind the service's back
        stored = _plan_in(world, state)
        if action == "patch":
            return {
                "url": f"/api/v1/plans/{stored.id}",
                "json": {"title": "Renamed"},
                "headers_extra": {"If-Match": f'"plan-{stored.id}-{stored.version}"'},
            }
        url = f"/api/v1/plans/{stored.id}" + (f"/{action}" if action != "get" else "")
        return {"url": url, "json": body} if body is not None else {"url": url}

    return build


SPECS.update(
    {
        ("GET", "/api/v1/plans"): Spec(VIEWER, build=_get("/api/v1/plans")),
        ("GET", "/api/v1/plans/friction"): Spec(VIEWER, build=_get("/api/v1/plans/friction")),
        ("POST", "/api/v1/plans"): Spec(PLANNER, build=_post("/api/v1/plans", lambda t: _PLAN)),
        ("GET", "/api/v1/plans/{plan_id}"): Spec(VIEWER, build=_plan_move("draft", "get")),
        ("PATCH", "/api/v1/plans/{plan_id}"): Spec(
            PLANNER, build=_plan_move("draft", "patch"), owned=True
        ),
        ("POST", "/api/v1/plans/{plan_id}/submit"): Spec(
            PLANNER, build=_plan_move("draft", "submit"), owned=True
        ),
        ("POST", "/api/v1/plans/{plan_id}/approve"): Spec(
            APPROVER, build=_plan_move("submitted", "approve"), owned=True
        ),
        ("POST", "/api/v1/plans/{plan_id}/return"): Spec(
            APPROVER, build=_plan_move("submitted", "return", {"reason": "No"}), owned=True
        ),
        ("POST", "/api/v1/plans/{plan_id}/schedule"): Spec(
            PLANNER, build=_plan_move("approved", "schedule"), owned=True
        ),
        ("POST", "/api/v1/plans/{plan_id}/execute"): Spec(
            PLANNER, build=_plan_move("scheduled", "execute"), owned=True
        ),
        ("POST", "/api/v1/plans/{plan_id}/cancel"): Spec(
            PLANNER,
            build=_plan_move("draft", "cancel", {"reason": "Not needed"}),
            owned=True,
            final=True,
        ),
        ("POST", "/api/v1/plans/{plan_id}/assess"): Spec(
            PLANNER,
            build=_plan_move(
                "executed", "assess", {"objectives": [{"objective": "Trust", "score": 4}]}
            ),
            owned=True,
        ),
    }
)


_PARTNERS: dict[int, PartnerKeys] = {}


def _partners(world: World) -> PartnerKeys:
    """The matrix store as a US installation, trusting a partner of each nation."""
    return _PARTNERS.setdefault(id(world.store), PartnerKeys(world.store, "USA"))


def _exchange_pull(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
    _partners(world).trust(nation)  # the caller's nation is a partner's
    return {"url": "/api/v1/exchange/bundle"}


def _exchange_push(world: World, role: str | None, nation: str, target: int) -> dict[str, Any]:
    return {"url": "/api/v1/exchange/bundle", "content": _partners(world).bundle(nation)}


SPECS.update(
    {
        ("GET", "/api/v1/exchange/bundle"): Spec(ANALYST, build=_exchange_pull),
        ("POST", "/api/v1/exchange/bundle"): Spec(PLANNER, build=_exchange_push),
    }
)


def _cases() -> Iterator[Any]:
    for (method, path), spec in SPECS.items():
        targets = ["public", "secret"] if spec.target in ("engagement", "person") else ["none"]
        for role in [None, *ROLES]:
            for nation in NATIONS if role else ["USA"]:
                for target in targets:
                    name = f"{method} {path} {role or 'anonymous'} {nation} {target}"
                    yield pytest.param(method, path, role, nation, target, id=name)


def _expected(spec: Spec, role: str | None, nation: str, target: str) -> int | str:
    if role_rank(role) < spec.role:
        return 401 if role is None else 403
    if spec.target == "job" and role not in ("planner", "approver", "admin"):
        return 404  # someone else's job
    if spec.target == "draft" and nation != "USA":
        return 404  # another nation's review queue: not found, never forbidden
    if target == "secret" and nation != "USA":
        return 404
    if spec.owned and nation != "USA":
        return 403  # visible, but the USA's
    if spec.final and role_rank(role) < ADMIN:
        return 403  # the matrix's callers did not write the record
    return "2xx"


@pytest.fixture(scope="module")
def world(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One served store for the whole matrix (each write targets a fresh record)."""
    path = tmp_path_factory.mktemp("matrix") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    with serve(store) as served:
        yield served
    store.dispose()


def test_the_table_names_every_endpoint_and_nothing_else() -> None:
    served = set(endpoints())
    assert set(SPECS) == served, (
        f"missing from SPECS: {sorted(served - set(SPECS))}; "
        f"not served: {sorted(set(SPECS) - served)}"
    )


def test_the_openapi_document_lists_the_same_endpoints(world: World) -> None:
    paths = world.client.get("/api/v1/openapi.json").json()["paths"]
    listed = {(m.upper(), p) for p, item in paths.items() for m in item}
    assert listed | {("GET", "/api/v1/openapi.json")} == set(endpoints())


@pytest.mark.parametrize(("method", "path", "role", "nation", "target"), list(_cases()))
def test_permission(
    world: World, method: str, path: str, role: str | None, nation: str, target: str
) -> None:
    spec = SPECS[(method, path)]
    target_id = {
        ("engagement", "public"): world.public_id,
        ("engagement", "secret"): world.secret_id,
        ("person", "public"): world.public_person,
        ("person", "secret"): world.secret_person,
    }.get((spec.target or "", target), 0)
    assert spec.build is not None
    request = spec.build(world, role, nation, target_id)
    headers = {**world.headers(role, nation), **request.pop("headers_extra", {})}
    response = world.client.request(method, headers=headers, **request)
    expected = _expected(spec, role, nation, target)
    if expected == "2xx":
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == expected, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == expected
        if expected == 404:
            assert "REL USA" not in response.text and "US eyes" not in response.text
