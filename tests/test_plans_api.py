"""``/api/v1/plans``: create, read with ETags, moves, roles, agencies and releasability."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from comity.access import Viewer
from comity.api import create_api
from comity.api.security import RateLimiter
from comity.services import accounts
from comity.store import Store
from tests.api_world import PASSWORD
from tests.test_plans import plan_record

_USERS = {  # username: (nation, role, agency)
    "us.planner": ("USA", "planner", None),
    "us.viewer": ("USA", "viewer", None),
    "us.policy": ("USA", "approver", "policy"),
    "us.finance": ("USA", "approver", "finance"),
    "gb.planner": ("GBR", "planner", None),
}


@pytest.fixture
def api(store: Store) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The API over a fresh store, and the Authorization header of each user."""
    operator = Viewer.operator("tests")
    headers = {}
    for name, (nation, role, agency) in _USERS.items():
        user = accounts.create_user(
            store,
            operator,
            username=name,
            password=PASSWORD,
            nation=nation,
            role=role,
            agency=agency,
        )
        secret = accounts.create_token(store, user, "tests").secret
        headers[name] = {"Authorization": f"Bearer {secret}"}
    limiter = RateLimiter(burst=1e9, per_second=1e9)
    app = create_api(store, rate_limiter=limiter, login_limiter=limiter)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, headers


def _create(client: TestClient, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    record = plan_record(**extra)
    record["partners"] = [
        {**p, "nation": {"THA": "Thailand"}.get(p["nation"], p["nation"])}
        for p in record["partners"]
    ]
    answer = client.post("/api/v1/plans", json=record, headers=headers)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_create_submit_and_approve_by_two_agencies(api: Any) -> None:
    client, h = api
    created = _create(client, h["us.planner"])
    assert (created["state"], created["partners"][0]["nation"]) == ("draft", "THA")
    url = f"/api/v1/plans/{created['id']}"
    read = client.get(url, headers=h["us.viewer"])
    assert read.headers["ETag"] == f'"plan-{created["id"]}-1"'
    submitted = client.post(f"{url}/submit", headers=h["us.planner"])
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    first = client.post(f"{url}/approve", headers=h["us.policy"], json={"reason": "In policy"})
    assert (first.json()["state"], first.json()["approved_by"]) == ("submitted", ["policy"])
    second = client.post(f"{url}/approve", headers=h["us.finance"])
    assert second.json()["state"] == "approved"
    assert [t["to"] for t in second.json()["transitions"]] == ["draft", "submitted", "approved"]


def test_an_illegal_move_is_a_409_problem(api: Any) -> None:
    client, h = api
    created = _create(client, h["us.planner"])
    answer = client.post(f"/api/v1/plans/{created['id']}/execute", headers=h["us.planner"])
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["detail"] == f"Plan {created['id']} cannot move from draft to executed."
    assert body["hint"] == "From draft it may move to: cancelled, submitted."
    assert (
        client.get(f"/api/v1/plans/{created['id']}", headers=h["us.planner"]).json()["state"]
        == "draft"
    )


def test_roles_and_agencies_are_enforced(api: Any) -> None:
    client, h = api
    created = _create(client, h["us.planner"])
    url = f"/api/v1/plans/{created['id']}"
    assert client.post(f"{url}/submit", headers=h["us.viewer"]).status_code == 403
    client.post(f"{url}/submit", headers=h["us.planner"])
    assert client.post(f"{url}/approve", headers=h["us.planner"]).status_code == 403
    wrong = client.post(f"{url}/approve", headers=h["us.policy"], json={"agency": "finance"})
    assert wrong.status_code == 403
    assert wrong.json()["detail"] == "us.policy decides for policy, not for finance."


def test_a_return_needs_a_reason_and_goes_back_to_returned(api: Any) -> None:
    client, h = api
    created = _create(client, h["us.planner"])
    url = f"/api/v1/plans/{created['id']}"
    client.post(f"{url}/submit", headers=h["us.planner"])
    assert client.post(f"{url}/return", headers=h["us.finance"], json={}).status_code == 422
    back = client.post(f"{url}/return", headers=h["us.finance"], json={"reason": "Too costly"})
    assert back.json()["state"] == "returned"
    assert back.json()["transitions"][-1]["reason"] == "finance: Too costly"


def test_patch_needs_if_match_and_refuses_a_stale_one(api: Any) -> None:
    client, h = api
    created = _create(client, h["us.planner"])
    url = f"/api/v1/plans/{created['id']}"
    assert client.patch(url, json={"title": "X"}, headers=h["us.planner"]).status_code == 412
    tag = client.get(url, headers=h["us.planner"]).headers["ETag"]
    changed = client.patch(
        url,
        json={"title": "Cobra Gold 2027 (revised)"},
        headers={**h["us.planner"], "If-Match": tag},
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.patch(url, json={"title": "Y"}, headers={**h["us.planner"], "If-Match": tag})
    assert stale.status_code == 412


def test_a_plan_is_shared_through_the_api(api: Any) -> None:
    client, h = api
    assert _create(client, h["us.planner"])["shared"] is False
    created = _create(client, h["us.planner"], shared=True)
    assert created["shared"] is True and created["origin"] is None
    url = f"/api/v1/plans/{created['id']}"
    tag = client.get(url, headers=h["us.planner"]).headers["ETag"]
    changed = client.patch(
        url, json={"shared": False}, headers={**h["us.planner"], "If-Match": tag}
    )
    assert changed.status_code == 200 and changed.json()["shared"] is False
    wrong = client.post("/api/v1/plans", json={"shared": "maybe"}, headers=h["us.planner"])
    assert wrong.status_code == 422


def test_a_plan_rel_gbr_is_invisible_to_a_usa_user(api: Any) -> None:
    client, h = api
    secret = _create(
        client,
        h["gb.planner"],
        releasability="REL GBR",
        partners=[{"nation": "GBR", "role": "host"}, {"nation": "USA"}],
    )
    listed = client.get("/api/v1/plans", headers=h["us.planner"]).json()["items"]
    assert secret["id"] not in [p["id"] for p in listed]
    assert client.get(f"/api/v1/plans/{secret['id']}", headers=h["us.planner"]).status_code == 404
    gb = client.get("/api/v1/plans", headers=h["gb.planner"]).json()["items"]
    assert [p["id"] for p in gb] == [secret["id"]]


def test_friction_endpoint(api: Any) -> None:
    client, h = api
    created = _create(client, h["us.planner"])
    url = f"/api/v1/plans/{created['id']}"
    client.post(f"{url}/submit", headers=h["us.planner"])
    client.post(f"{url}/approve", headers=h["us.policy"])
    answer = client.get("/api/v1/plans/friction?by=agency", headers=h["us.viewer"])
    assert answer.status_code == 200
    assert [(i["key"], i["approvals"]) for i in answer.json()["items"]] == [("policy", 1)]
    assert client.get("/api/v1/plans/friction?by=x", headers=h["us.viewer"]).status_code == 422


@pytest.mark.parametrize("start", ["²⁰²⁷-01-01", "٢٠٢٧-01-01", "2027-1²-01"])
def test_digits_that_are_not_ascii_are_a_field_error(
    api: tuple[TestClient, dict[str, dict[str, str]]], start: str
) -> None:
    client, headers = api
    body = {
        "title": "Drill",
        "kind": "visit",
        "start": start,
        "end": "2027-01-02",
        "partners": [{"nation": "FRA"}],
        "agencies": ["legal"],
    }
    answer = client.post("/api/v1/plans", json=body, headers=headers["us.planner"])
    assert answer.status_code == 422, answer.text
    assert "start" in {e["field"] for e in answer.json()["errors"]}
