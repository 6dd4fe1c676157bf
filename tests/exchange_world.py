"""Two comity installations for exchange tests: stores with keys, trust, servers, table dumps."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from comity import services
from comity.access import Role, Viewer
from comity.access.signing import new_signing_key
from comity.services import accounts, exchange_keys
from comity.services.exchange_format import write_bundle
from comity.store import Store, open_store
from comity.store.tables import metadata

PASSWORD = "correct horse battery"
OPERATOR = Viewer.operator("tests")


@dataclass
class Installation:
    """One comity installation: its store, name and nation, and its operator."""

    name: str
    nation: str
    store: Store

    @property
    def url(self) -> str:
        return self.store.url.render_as_string(hide_password=False)

    @property
    def public_key(self) -> str:
        identity = exchange_keys.get_identity(self.store)
        assert identity is not None
        return identity.public_key

    def planner(self, nation: str | None = None) -> Viewer:
        """A planner of ``nation`` (its own by default) writing here."""
        nation = nation or self.nation
        return Viewer(name=f"planner.{nation.lower()}", nation=nation, role=Role.PLANNER)


def installation(store: Store, name: str, nation: str) -> Installation:
    """Give ``store`` an exchange identity (a fresh key)."""
    exchange_keys.generate_key(store, OPERATOR, name=name, nation=nation)
    return Installation(name, nation, store)


def sqlite_copy(seeded: Path, folder: Path) -> Store:
    """A fresh SQLite store in ``folder``, copied from the seeded template."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "comity.db"
    shutil.copyfile(seeded, path)
    return open_store(f"sqlite:///{path}")


def trust_each_other(first: Installation, second: Installation) -> None:
    """Each installation trusts the other's key."""
    exchange_keys.trust_partner(
        first.store, OPERATOR, second.name, second.public_key, second.nation
    )
    exchange_keys.trust_partner(second.store, OPERATOR, first.name, first.public_key, first.nation)


def exercise(title: str, label: str | None = None, **extra: Any) -> dict[str, Any]:
    """An exercise of the United States, France and the Philippines in 2015."""
    record: dict[str, Any] = {
        "kind": "exercise",
        "title": title,
        "start": "2015-04-20",
        "end": "2015-04-30",
        "host": "PHL",
        "participants": [
            {"nation": "PHL", "role": "host"},
            {"nation": "USA", "personnel": 500},
            {"nation": "FRA"},
        ],
        "location": "Luzon",
        **extra,
    }
    if label:
        record["releasability"] = label
    return record


def add(site: Installation, title: str, label: str | None = None, **extra: Any) -> int:
    """Add an exercise at ``site``, written by its own planner; its id."""
    return services.add_engagement(site.store, exercise(title, label, **extra), site.planner()).id


def dump(store: Store, *, without_audit: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two dumps are equal when the store is unchanged."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.connect() as connection:
        for name, table in metadata.tables.items():
            if without_audit and name == "audit_log":
                continue
            rows = connection.execute(select(table)).all()
            out[name] = sorted((tuple(row) for row in rows), key=repr)
    return out


def audit_entries(store: Store, action: str) -> list[dict[str, Any]]:
    """The audit log's entries of one action, oldest first, as (actor, entity_id, after)."""
    from comity.store.tables_access import audit_log

    with store.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.actor, audit_log.c.entity_id, audit_log.c.after)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.id)
        ).all()
    return [{"actor": r.actor, "entity_id": r.entity_id, "after": r.after} for r in rows]


def add_account(store: Store, username: str, nation: str, role: str) -> str:
    """An account and an API token of it; the token."""
    user = accounts.create_user(
        store, OPERATOR, username=username, password=PASSWORD, nation=nation, role=role
    )
    return accounts.create_token(store, user, "exchange").secret


_SEQUENCES = itertools.count(1)


class PartnerKeys:
    """Partners of the permission matrices: a trusted key per nation, and bundles it signs."""

    def __init__(self, store: Store, home: str) -> None:
        self.store = store
        self.home = home
        self.keys: dict[str, bytes] = {}

    def ready(self) -> None:
        """Give the store an identity of ``home`` (once)."""
        if exchange_keys.get_identity(self.store) is None:
            exchange_keys.generate_key(self.store, OPERATOR, name="home", nation=self.home)

    def trust(self, nation: str) -> str:
        """A partner of ``nation`` trusted by the store (made once); its name."""
        self.ready()
        name = f"partner-{nation.lower()}"
        if nation not in self.keys:
            key = new_signing_key()
            exchange_keys.trust_partner(self.store, OPERATOR, name, key.public_key, nation)
            self.keys[nation] = key.private_pem
        return name

    def bundle(self, nation: str, records: dict[str, list[Any]] | None = None) -> bytes:
        """A fresh bundle from the partner of ``nation`` for the store's nation."""
        from comity.access.signing import key_id_of, public_key_of

        name = self.trust(nation)
        pem = self.keys[nation]
        manifest = {
            "installation": {
                "name": name,
                "nation": nation,
                "key_id": key_id_of(public_key_of(pem)),
            },
            "for": self.home,
            "since": None,
            "created_at": datetime.now(UTC).isoformat(),
            "sequence": next(_SEQUENCES),
            "data_version": "tests",
        }
        return write_bundle(manifest, records or {}, pem)
