"""A small world for API tests: users of every role in two nations, and labelled records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from comity import services
from comity.access import Role, Viewer
from comity.api import create_api
from comity.api.security import RateLimiter
from comity.services import accounts
from comity.store import Store

PASSWORD = "correct horse battery"
ROLES = ["viewer", "analyst", "planner", "approver", "admin"]
NATIONS = ["USA", "FRA"]


def engagement_record(title: str, releasability: str | None = None, **extra: Any) -> dict[str, Any]:
    """An exercise between the United States and the Philippines in 2015."""
    record: dict[str, Any] = {
        "kind": "exercise",
        "title": title,
        "start": date(2015, 4, 20),
        "host": "PHL",
        "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        **extra,
    }
    if releasability:
        record["releasability"] = releasability
    return record


@dataclass
class World:
    """A served store with a token per (role, nation) and one public and one REL USA record."""

    store: Store
    client: TestClient
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    public_id: int = 0
    secret_id: int = 0
    public_person: int = 0
    secret_person: int = 0

    def headers(self, role: str | None, nation: str = "USA") -> dict[str, str]:
        """The authorization header of a user (none for anonymous)."""
        if role is None:
            return {}
        return {"Authorization": f"Bearer {self.tokens[(role, nation)]}"}

    def viewer(self, role: str, nation: str) -> Viewer:
        """The viewer a user acts as."""
        return accounts.viewer_of(accounts.get_user(self.store, username=f"{role}.{nation}"))


@contextmanager
def serve(store: Store) -> Iterator[World]:
    """Seed users and records into ``store`` and serve it; rate limits are out of the way."""
    operator = Viewer.operator("tests")
    world_tokens = {}
    for role in ROLES:
        for nation in NATIONS:
            user = accounts.create_user(
                store,
                operator,
                username=f"{role}.{nation}",
                password=PASSWORD,
                nation=nation,
                role=role,
            )
            world_tokens[(role, nation)] = accounts.create_token(store, user, "tests").secret
    # The engagements belong to the USA (written by its planner): only US users change them.
    author = accounts.viewer_of(accounts.get_user(store, username="planner.USA"))
    public = services.add_engagement(store, engagement_record("Balikatan 2015"), author)
    secret = services.add_engagement(
        store, engagement_record("Balikatan 2015 (US eyes)", "REL USA"), author
    )
    public_person = services.add_person(store, {"name": "Ana Cruz", "nation": "PHL"}, operator)
    secret_person = services.add_person(
        store, {"name": "John Doe", "nation": "USA", "releasability": "REL USA"}, operator
    )
    app = create_api(
        store,
        rate_limiter=RateLimiter(burst=1e9, per_second=1e9),
        login_limiter=RateLimiter(burst=1e9, per_second=1e9),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(store, client, world_tokens, public.id, secret.id, public_person, secret_person)


def role_rank(role: str | None) -> int:
    """0 for anonymous, then 1 (viewer) to 5 (admin)."""
    return 0 if role is None else Role[role.upper()].value
