"""Partner exchange as stored: this installation's identity, its partners, what came in.

Every function runs in the caller's connection (a transaction for writes). The records a bundle
carries are read and written by :mod:`comity.store.exchange_records`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from comity.store import tables
from comity.store.tables_exchange import exchange_identity, exchange_partners, exchange_records

__all__ = [
    "Identity",
    "Partner",
    "Received",
    "add_partner",
    "get_identity",
    "get_partner",
    "list_partners",
    "mark_exported",
    "mark_imported",
    "member_of",
    "members_in",
    "next_sequence",
    "read_received",
    "replace_partner_key",
    "set_identity",
    "write_received",
]

_I = exchange_identity
_P = exchange_partners
_R = exchange_records


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite keeps no time zone: every stored time was written in UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Identity:
    """This installation as its partners know it.

    Attributes:
        name: Its name (``[a-z0-9._-]``, up to 40 characters).
        nation: The nation it belongs to.
        key_id: Its key's id.
        public_key: Its public key, base64.
        sequence: The sequence number of the last bundle it exported (0: none yet).
        created_at: When its key was made.
        created_by: Who made it.
    """

    name: str
    nation: str
    key_id: str
    public_key: str
    sequence: int
    created_at: datetime
    created_by: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "nation": self.nation,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "sequence": self.sequence,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class Partner:
    """A partner installation whose key this one trusts.

    Attributes:
        id: Its key in the store.
        name: Its name.
        nation: The nation it belongs to.
        key_id: Its key's id.
        public_key: Its public key, base64.
        trusted_at: When its key was recorded.
        trusted_by: Who recorded it.
        last_sequence: The sequence number of the last bundle imported from it.
        last_bundle_at: When that bundle was made.
        last_import_at: When it was imported.
        last_export_at: When a bundle for its nation was last exported.
    """

    id: int
    name: str
    nation: str
    key_id: str
    public_key: str
    trusted_at: datetime
    trusted_by: str
    last_sequence: int | None = None
    last_bundle_at: datetime | None = None
    last_import_at: datetime | None = None
    last_export_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""

        def moment(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "name": self.name,
            "nation": self.nation,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "trusted_at": moment(self.trusted_at),
            "trusted_by": self.trusted_by,
            "last_sequence": self.last_sequence,
            "last_bundle_at": moment(self.last_bundle_at),
            "last_import_at": moment(self.last_import_at),
            "last_export_at": moment(self.last_export_at),
        }


def get_identity(connection: Connection) -> Identity | None:
    """This installation's identity; None before ``comity exchange keygen``."""
    row = connection.execute(select(_I).order_by(_I.c.id).limit(1)).first()
    if row is None:
        return None
    created = _aware(row.created_at)
    assert created is not None
    return Identity(
        row.name, row.nation, row.key_id, row.public_key, row.sequence, created, row.created_by
    )


def set_identity(
    connection: Connection, name: str, nation: str, key_id: str, public_key: str, actor: str
) -> None:
    """Record this installation's identity, or its new key (the sequence carries on)."""
    values = {
        "name": name,
        "nation": nation,
        "key_id": key_id,
        "public_key": public_key,
        "created_at": datetime.now(UTC),
        "created_by": actor,
    }
    if get_identity(connection) is None:
        connection.execute(insert(_I).values(id=1, sequence=0, **values))
    else:
        connection.execute(update(_I).values(**values))


def next_sequence(connection: Connection) -> int:
    """Take the next sequence number for a bundle (in the caller's transaction)."""
    connection.execute(update(_I).values(sequence=_I.c.sequence + 1))
    return int(connection.execute(select(_I.c.sequence).limit(1)).scalar_one())


def _partner(row: Any) -> Partner:
    trusted = _aware(row.trusted_at)
    assert trusted is not None
    return Partner(
        row.id,
        row.name,
        row.nation,
        row.key_id,
        row.public_key,
        trusted,
        row.trusted_by,
        row.last_sequence,
        _aware(row.last_bundle_at),
        _aware(row.last_import_at),
        _aware(row.last_export_at),
    )


def list_partners(connection: Connection) -> list[Partner]:
    """Every trusted partner, by name."""
    return [_partner(row) for row in connection.execute(select(_P).order_by(_P.c.name))]


def get_partner(
    connection: Connection, *, name: str | None = None, key_id: str | None = None
) -> Partner | None:
    """The partner of this name, or holding this key id."""
    query = select(_P)
    if name is not None:
        query = query.where(_P.c.name == name)
    if key_id is not None:
        query = query.where(_P.c.key_id == key_id)
    row = connection.execute(query).first()
    return None if row is None else _partner(row)


def add_partner(
    connection: Connection, name: str, nation: str, key_id: str, public_key: str, actor: str
) -> None:
    """Trust a new partner's key."""
    connection.execute(
        insert(_P).values(
            name=name,
            nation=nation,
            key_id=key_id,
            public_key=public_key,
            trusted_at=datetime.now(UTC),
            trusted_by=actor,
        )
    )


def replace_partner_key(
    connection: Connection, partner_id: int, nation: str, key_id: str, public_key: str, actor: str
) -> None:
    """Trust a known partner's new key (its last bundle is kept: replays stay refused)."""
    connection.execute(
        update(_P)
        .where(_P.c.id == partner_id)
        .values(
            nation=nation,
            key_id=key_id,
            public_key=public_key,
            trusted_at=datetime.now(UTC),
            trusted_by=actor,
        )
    )


def mark_imported(connection: Connection, partner_id: int, sequence: int, made: datetime) -> None:
    """Note the bundle just imported from a partner: later ones must be newer."""
    connection.execute(
        update(_P)
        .where(_P.c.id == partner_id)
        .values(last_sequence=sequence, last_bundle_at=made, last_import_at=datetime.now(UTC))
    )


def mark_exported(connection: Connection, nation: str) -> None:
    """Note that a bundle for ``nation`` was exported, on each partner of that nation."""
    connection.execute(
        update(_P).where(_P.c.nation == nation).values(last_export_at=datetime.now(UTC))
    )


@dataclass(frozen=True)
class Received:
    """A record an import wrote: where it came from, what it became, and its digests.

    Attributes:
        local_id: The record here.
        bundle_digest: SHA-256 of the record as the partner last sent it.
        local_digest: SHA-256 of the stored record as that import wrote it.
    """

    local_id: int
    bundle_digest: str
    local_digest: str


def read_received(connection: Connection, partner_id: int, kind: str) -> dict[str, Received]:
    """The records of one kind imported from a partner, by their id at the partner."""
    query = select(_R.c.origin_id, _R.c.local_id, _R.c.bundle_digest, _R.c.local_digest).where(
        _R.c.partner_id == partner_id, _R.c.kind == kind
    )
    return {
        row.origin_id: Received(row.local_id, row.bundle_digest, row.local_digest)
        for row in connection.execute(query)
    }


def write_received(
    connection: Connection, partner_id: int, kind: str, origin_id: str, received: Received
) -> None:
    """Record (or record again) what a record from a partner became, with its digests."""
    connection.execute(
        delete(_R).where(
            _R.c.partner_id == partner_id, _R.c.kind == kind, _R.c.origin_id == origin_id
        )
    )
    connection.execute(
        insert(_R).values(
            partner_id=partner_id,
            kind=kind,
            origin_id=origin_id,
            local_id=received.local_id,
            bundle_digest=received.bundle_digest,
            local_digest=received.local_digest,
            imported_at=datetime.now(UTC),
        )
    )


def member_of(connection: Connection, nation: str, organisation: str, year: int) -> bool:
    """Whether ``nation`` belonged to ``organisation`` in ``year``."""
    members = tables.memberships
    found = connection.execute(
        select(members.c.id).where(
            members.c.nation == nation,
            members.c.organisation == organisation,
            members.c.joined_year <= year,
            or_(members.c.left_year.is_(None), members.c.left_year >= year),
        )
    ).first()
    return found is not None


def members_in(connection: Connection, organisations: Iterable[str], year: int) -> set[str]:
    """The nations that belonged to any of ``organisations`` in ``year``."""
    wanted = list(organisations)
    if not wanted:
        return set()
    members = tables.memberships
    query = select(members.c.nation).where(
        members.c.organisation.in_(wanted),
        members.c.joined_year <= year,
        or_(members.c.left_year.is_(None), members.c.left_year >= year),
    )
    return set(connection.execute(query).scalars())
