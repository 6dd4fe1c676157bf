"""Requests generated from the OpenAPI document never make the server fail (no 5xx).

And every answer is one the document declares: its status code and its content type.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    status_code_conformance,
)

from comity.access import Viewer
from comity.api import create_api, endpoints
from comity.services import accounts
from comity.store import open_store
from tests.api_world import World, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One served store for every generated request."""
    path = tmp_path_factory.mktemp("schema") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    with serve(store) as served:
        yield served
    store.dispose()


@pytest.fixture(scope="module")
def api_schema(world: World) -> Any:
    """The API's own OpenAPI document, called in process."""
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.client.app)


def _cases() -> list[Any]:
    """Each operation with valid data, and with invalid data where it takes any input."""
    document = create_api(open_store("sqlite://")).openapi()["paths"]
    cases = []
    for method, path in endpoints():
        if path.endswith("/openapi.json"):
            continue
        item = document[path][method.lower()]
        modes = [GenerationMode.POSITIVE]
        if item.get("parameters") or item.get("requestBody"):
            modes.append(GenerationMode.NEGATIVE)
        cases += [pytest.param(method, path, m, id=f"{method} {path} {m.value}") for m in modes]
    return cases


@pytest.mark.parametrize(("method", "path", "mode"), _cases())
def test_no_request_makes_the_server_fail(
    world: World, api_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    admin = accounts.get_user(world.store, username="admin.USA")

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def run(case: schemathesis.Case) -> None:
        # A fresh admin token for each request (generated calls may revoke tokens), revoked
        # after it: an account holds at most 20 live tokens.
        issued = accounts.create_token(world.store, admin, "schemathesis")
        try:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {issued.secret}"},
                checks=[not_a_server_error, status_code_conformance, content_type_conformance],
            )
        finally:
            if not any(
                t.id == issued.record.id and t.revoked_at
                for t in accounts.list_tokens(world.store, admin)
            ):
                accounts.revoke_token(world.store, Viewer.operator("tests"), issued.record.id)

    run()
