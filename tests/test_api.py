"""The API's behaviour: sign-in, cursors, ETags, uploads, and bad input that writes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from comity.store import Store
from tests.api_world import PASSWORD, World, serve


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """A served fresh store."""
    with serve(store) as served:
        yield served


def _counts(world: World) -> tuple[int, ...]:
    with world.store.connect() as connection:
        return tuple(
            connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("engagements", "participants", "people", "audit_log", "api_tokens")
        )


def _problem(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_sign_in_then_use_the_token(world: World) -> None:
    credentials = {"username": "analyst.FRA", "password": PASSWORD}
    response = world.client.post("/api/v1/auth/token", json=credentials)
    assert response.status_code == 201
    token = response.json()["token"]
    me = world.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "analyst.FRA", "nation": "FRA", "role": "analyst"}
    credentials["password"] = "not it at all"
    wrong = world.client.post("/api/v1/auth/token", json=credentials)
    assert _problem(wrong, 401)["detail"] == "Wrong username or password."
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_sign_in_attempts_are_limited(store: Store) -> None:
    from fastapi.testclient import TestClient

    from comity.api import create_api
    from comity.api.security import RateLimiter

    app = create_api(store, login_limiter=RateLimiter(burst=3, per_second=0.001))
    with TestClient(app) as client:
        codes = [
            client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code
            for _ in range(5)
        ]
    assert codes == [401, 401, 401, 429, 429]


def test_requests_per_token_are_limited(store: Store) -> None:
    from fastapi.testclient import TestClient

    from comity.access import Viewer
    from comity.api import create_api
    from comity.api.security import RateLimiter
    from comity.services import accounts

    user = accounts.create_user(
        store, Viewer.operator("t"), username="busy", password=PASSWORD, nation="USA"
    )
    headers = {"Authorization": f"Bearer {accounts.create_token(store, user, 't').secret}"}
    app = create_api(store, rate_limiter=RateLimiter(burst=5, per_second=0.001))
    with TestClient(app) as client:
        codes = [client.get("/api/v1/auth/me", headers=headers).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer cmt_not_a_real_token",
        "Bearer ' OR 1=1 --",
    ],
)
def test_bad_credentials_get_401_and_read_nothing(world: World, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    body = _problem(world.client.get("/api/v1/engagements", headers=headers), 401)
    assert "items" not in body


def test_expired_and_revoked_tokens_get_401(world: World) -> None:
    from comity.services import accounts

    user = accounts.get_user(world.store, username="viewer.USA")
    old = accounts.create_token(world.store, user, "old", days=1)
    with world.store.transaction() as connection:
        connection.execute(
            sa.text("UPDATE api_tokens SET expires_at = '2001-01-01 00:00:00' WHERE id = :i"),
            {"i": old.record.id},
        )
    headers = {"Authorization": f"Bearer {old.secret}"}
    assert (
        "expired" in _problem(world.client.get("/api/v1/auth/me", headers=headers), 401)["detail"]
    )
    revoked = world.client.delete(
        f"/api/v1/tokens/{old.record.id}", headers=world.headers("viewer")
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_pages_follow_the_cursor_to_the_end(world: World) -> None:
    from comity import services
    from comity.access import Viewer
    from tests.api_world import engagement_record

    for year in range(2000, 2012):
        services.add_engagement(
            world.store,
            engagement_record(f"Drill {year}", start=f"{year}-01-01"),
            Viewer.operator("t"),
        )
    seen: list[str] = []
    url = "/api/v1/engagements?nation=PHL&limit=5"
    cursor = None
    while True:
        page = world.client.get(
            url + (f"&cursor={cursor}" if cursor else ""), headers=world.headers("viewer", "FRA")
        ).json()
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Drill {y}" for y in range(2000, 2012)] + ["Balikatan 2015"]
    bad = world.client.get(url + "&cursor=not-a-cursor", headers=world.headers("viewer"))
    assert _problem(bad, 422)["errors"][0]["field"] == "cursor"


def test_if_match_guards_every_change(world: World) -> None:
    url = f"/api/v1/engagements/{world.public_id}"
    headers = world.headers("planner")
    read = world.client.get(url, headers=headers)
    tag = read.headers["etag"]
    assert tag == f'"{world.public_id}-1"'
    before = _counts(world)
    _problem(world.client.patch(url, json={"title": "No tag"}, headers=headers), 412)
    _problem(
        world.client.patch(url, json={"title": "Bad"}, headers={**headers, "If-Match": '"99-1"'}),
        412,
    )
    assert _counts(world) == before
    done = world.client.patch(
        url, json={"title": "Balikatan 2015 (revised)"}, headers={**headers, "If-Match": tag}
    )
    assert done.status_code == 200 and done.headers["etag"] == f'"{world.public_id}-2"'
    stale = world.client.patch(
        url, json={"title": "Lost update"}, headers={**headers, "If-Match": tag}
    )
    assert "changed since you read it" in _problem(stale, 412)["detail"]
    gone = world.client.delete(url, headers={**headers, "If-Match": done.headers["etag"]})
    assert gone.status_code == 204
    _problem(world.client.get(url, headers=headers), 404)


BAD_BODIES = [
    ({"kind": "exercise", "title": "T", "start": "2015", "participants": "USA"}, "participants"),
    (
        {"kind": "parade", "title": "T", "start": "2015", "participants": [{"nation": "USA"}]},
        "kind",
    ),
    (
        {"kind": "exercise", "title": "T", "start": "someday", "participants": [{"nation": "USA"}]},
        "start",
    ),
    (
        {
            "kind": "exercise",
            "title": "T",
            "start": "2015",
            "participants": [{"nation": "Freedonia"}],
        },
        "participants.0.nation",
    ),
    (
        {
            "kind": "exercise",
            "title": "T",
            "start": "2015",
            "participants": [{"nation": "USA", "personnel": "many"}],
        },
        "participants.0.personnel",
    ),
    (
        {
            "kind": "exercise",
            "title": "T",
            "start": "2015",
            "participants": [{"nation": "USA"}],
            "unexpected": 1,
        },
        "unexpected",
    ),
    (
        {
            "kind": "exercise",
            "title": "T",
            "start": "2015",
            "end": "2014",
            "participants": [{"nation": "USA"}],
        },
        "end",
    ),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_records_are_refused_field_by_field(
    world: World, body: dict[str, Any], field: str
) -> None:
    before = _counts(world)
    problem = _problem(
        world.client.post("/api/v1/engagements", json=body, headers=world.headers("planner")), 422
    )
    assert field in [error["field"] for error in problem["errors"]], problem
    assert _counts(world) == before


@pytest.mark.parametrize(
    "payload",
    [b"{not json", b"[]", b'"a string"', b"\xff\xfe"],
)
def test_bodies_that_are_not_a_record_get_422(world: World, payload: bytes) -> None:
    before = _counts(world)
    response = world.client.post(
        "/api/v1/engagements",
        content=payload,
        headers={**world.headers("planner"), "Content-Type": "application/json"},
    )
    _problem(response, 422)
    assert _counts(world) == before


def test_oversized_bodies_get_413_and_write_nothing(world: World) -> None:
    before = _counts(world)
    big = {
        "kind": "exercise",
        "title": "T",
        "start": "2015",
        "participants": [{"nation": "USA"}],
        "description": "x" * (2 << 20),
    }
    _problem(
        world.client.post("/api/v1/engagements", json=big, headers=world.headers("planner")), 413
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        for _ in range(40):
            yield b" " * 65536

    streamed = world.client.post(
        "/api/v1/engagements",
        content=chunks(),
        headers={**world.headers("planner"), "Content-Type": "application/json"},
    )
    _problem(streamed, 413)
    assert _counts(world) == before


def test_sql_looking_strings_are_just_text(world: World) -> None:
    attack = "x'); DROP TABLE engagements; --"
    found = world.client.get(
        "/api/v1/engagements", params={"text": attack}, headers=world.headers("viewer")
    )
    assert found.status_code == 200 and found.json()["items"] == []
    unknown = world.client.get("/api/v1/nations/" + attack, headers=world.headers("viewer"))
    _problem(unknown, 422)
    body = {
        "kind": "exercise",
        "title": attack,
        "start": "2015",
        "participants": [{"nation": "USA"}],
    }
    made = world.client.post("/api/v1/engagements", json=body, headers=world.headers("planner"))
    assert made.status_code == 201 and made.json()["title"] == attack
    again = world.client.get(
        "/api/v1/engagements", params={"text": "DROP TABLE"}, headers=world.headers("viewer")
    )
    assert [item["title"] for item in again.json()["items"]] == [attack]


def test_an_upload_is_imported_in_the_background(world: World) -> None:
    mapping = b"""
[dataset]
name = "exchanges"
title = "Officer exchanges"
[columns]
id = "id"
title = "title"
start = "start"
[participants]
layout = "long"
nation = "nation"
[constants]
kind = "training"
"""
    data = "id,title,start,nation\nX1,Staff course,2018-09,France\nX1,Staff course,2018-09,Chile\n"
    response = world.client.post(
        "/api/v1/imports",
        headers=world.headers("planner"),
        files=[("mapping", ("exchanges.toml", mapping)), ("files", ("my courses.csv", data))],
    )
    assert response.status_code == 202, response.text
    job = world.client.app.state.import_jobs.wait(response.json()["id"])
    assert job.status == "done", job.message
    polled = world.client.get(response.headers["location"], headers=world.headers("planner")).json()
    assert polled["report"]["added"] == 1 and polled["rows_read"] == 2
    assert polled["report"]["files"] == ["my courses.csv"]


def test_a_bad_upload_is_rejected_with_file_row_and_field(world: World) -> None:
    before = _counts(world)
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerows(
        [
            ["id", "title", "start", "nation"],
            ["X1", "Course", "2018", "France"],
            ["X2", "Course", "2019", "Freedonia"],
            ["X3", "Course", "someday", "Chile"],
        ]
    )
    mapping = (
        b'[dataset]\nname = "courses"\ntitle = "X"\n[columns]\nid = "id"\ntitle = "title"\n'
        b'start = "start"\n[participants]\nlayout = "long"\nnation = "nation"\n'
        b'[constants]\nkind = "training"\n'
    )
    response = world.client.post(
        "/api/v1/imports",
        headers=world.headers("planner"),
        files=[("mapping", ("m.toml", mapping)), ("files", ("../../etc/bad.csv", rows.getvalue()))],
    )
    assert response.status_code == 202, response.text
    job = world.client.app.state.import_jobs.wait(response.json()["id"])
    assert job.status == "rejected"
    issues = {(i["file"], i["row"], i["column"]) for i in job.report["issues"]}
    assert ("bad.csv", 3, "nation") in issues
    assert ("bad.csv", 4, "start") in issues
    assert _counts(world) == before
    neither = world.client.post("/api/v1/imports", headers=world.headers("planner"), data={})
    assert _problem(neither, 422)["errors"][0]["field"] == "dataset"
    unknown = world.client.post(
        "/api/v1/imports", headers=world.headers("planner"), data={"dataset": "no_such_dataset"}
    )
    assert _problem(unknown, 422)["errors"][0]["field"] == "dataset"


def test_a_profile_sums_its_mechanisms_over_the_window(world: World) -> None:
    headers = world.headers("viewer")
    whole = world.client.get("/api/v1/nations/PHL/profile?from=2000&to=2030", headers=headers)
    assert whole.status_code == 200, whole.text
    body = whole.json()
    assert body["nation"] == "PHL" and body["window"] == {"from": 2000, "to": 2030}
    # Two 2015 exercises with the United States, the only partner: one row in each view.
    assert [(m["kind"], m["partner_region"]) for m in body["mechanisms"]] == [
        ("exercise", "Northern America")
    ]
    assert body["mechanisms"][0]["share"] == pytest.approx(1.0)
    by_year = body["mechanisms_by_year"]
    assert [(m["year"], m["kind"]) for m in by_year][:1] == [(2015, "exercise")]
    assert sum(m["contribution"] for m in by_year) == pytest.approx(
        body["mechanisms"][0]["contribution"]
    )
    # The default window is the ten years ending with the latest year.
    default = world.client.get("/api/v1/nations/PHL/profile", headers=headers).json()
    latest = default["latest_year"]
    assert default["window"] == {"from": latest - 9, "to": latest}
    assert all(latest - 9 <= m["year"] <= latest for m in default["mechanisms_by_year"])
    empty = world.client.get("/api/v1/nations/PHL/profile?from=2020&to=2019", headers=headers)
    assert _problem(empty, 422)["errors"][0]["field"] == "from"


def test_the_openapi_document_declares_the_errors_and_files_the_api_answers(
    world: World,
) -> None:
    paths = world.client.get("/api/v1/openapi.json").json()["paths"]
    responses = paths["/api/v1/engagements/{engagement_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "412", "422", "429"} <= set(responses)
    for code in ("401", "404", "412", "422"):
        assert list(responses[code]["content"]) == ["application/problem+json"]
    exported = paths["/api/v1/exports/network"]["get"]["responses"]["200"]["content"]
    assert {"application/graphml+xml", "application/gexf+xml", "text/csv"} <= set(exported)
    assert "401" not in paths["/api/v1/health"]["get"]["responses"]
