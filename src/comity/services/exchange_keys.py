"""Use cases of an installation's exchange identity: its key pair, and the partners it trusts.

``comity exchange keygen`` makes the installation's Ed25519 key pair: the private key goes to a
file beside the installation's secret key (the user data folder, as
:func:`comity.config.session_secret` keeps its own), readable by its owner only and named by the
key id; the store keeps the installation's name, nation, public key and key id. ``comity
exchange trust`` records a partner's public key. Both are the installation's operator's task.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from platformdirs import user_data_path

from comity.access.signing import key_id_of, new_signing_key, parse_public_key, public_key_of
from comity.access.viewer import Role, Viewer
from comity.errors import (
    ComityError,
    ConflictError,
    FieldProblem,
    PermissionDeniedError,
    ValidationError,
)
from comity.services.engagements import require
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import exchange as exchange_store
from comity.store.audit import append_audit
from comity.store.exchange import Identity, Partner
from comity.store.tables_exchange import NAME_LENGTH

__all__ = [
    "Identity",
    "Partner",
    "check_name",
    "generate_key",
    "get_identity",
    "key_path",
    "list_partners",
    "private_key",
    "require_operator",
    "trust_partner",
]

_NAME = re.compile(rf"^[a-z0-9][a-z0-9._-]{{0,{NAME_LENGTH - 1}}}$")


def require_operator(viewer: Viewer, action: str) -> None:
    """Refuse unless ``viewer`` is the installation's operator (or the local operator).

    Raises:
        PermissionDeniedError: Naming the action.
    """
    if not viewer.spans_nations:
        raise PermissionDeniedError(
            f"{viewer.name} may not {action}: that is the installation operator's task.",
            hint="Ask the installation's operator.",
        )


def check_name(name: str) -> str:
    """An installation's name, checked: lower-case letters, digits, ``.``, ``_`` or ``-``.

    Raises:
        ValidationError: On the ``name`` field.
    """
    cleaned = name.strip()
    if not _NAME.match(cleaned):
        raise ValidationError(
            [
                FieldProblem(
                    "name",
                    f"must be 1-{NAME_LENGTH} lower-case letters, digits, '.', '_' or '-', "
                    "starting with a letter or digit",
                    name,
                )
            ],
            "installation",
        )
    return cleaned


def key_path(key_id: str) -> Path:
    """Where the private key of this key id is kept: beside the secret key, in the data folder."""
    return user_data_path("comity", appauthor=False) / f"exchange-{key_id}.key"


def _write_private(path: Path, pem: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only, before a byte is written.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def get_identity(store: Store) -> Identity | None:
    """This installation's exchange identity; None before a key was made."""
    with store.connect() as connection:
        return exchange_store.get_identity(connection)


def generate_key(
    store: Store,
    viewer: Viewer,
    *,
    name: str | None = None,
    nation: str | None = None,
    replace: bool = False,
) -> Identity:
    """Make this installation's key pair and record its identity.

    Args:
        store: The store.
        viewer: Who asks: the installation's operator.
        name: The installation's name (default: its nation's key in lower case).
        nation: The nation it belongs to (default: the operator account's nation).
        replace: Make a new key even though one exists (the name and nation stay unless given).

    Raises:
        PermissionDeniedError: For anyone but the installation's operator.
        ConflictError: When a key exists and ``replace`` is not given.
        ValidationError: For a name or nation that is not valid.
    """
    require_operator(viewer, "make the installation's exchange key")
    current = get_identity(store)
    if current is not None and not replace:
        raise ConflictError(
            f"This installation already has an exchange key ({current.key_id}, "
            f"{current.name}, {current.nation}).",
            hint="Give --replace to make a new one; every partner must then trust the new key.",
        )
    chosen_nation = nation or (current.nation if current else None) or viewer.nation
    if not chosen_nation:
        raise ValidationError(
            [FieldProblem("nation", "name the nation this installation belongs to")],
            "installation",
        )
    key = resolve_nation(chosen_nation).iso3
    chosen = check_name(name or (current.name if current else key.lower()))
    signing = new_signing_key()
    _write_private(key_path(signing.key_id), signing.private_pem)
    with store.transaction() as connection:
        exchange_store.set_identity(
            connection, chosen, key, signing.key_id, signing.public_key, viewer.name
        )
        identity = exchange_store.get_identity(connection)
        assert identity is not None
        append_audit(
            connection,
            viewer.name,
            "keygen",
            "exchange",
            chosen,
            current.to_dict() if current else None,
            identity.to_dict(),
        )
    return identity


def private_key(identity: Identity) -> bytes:
    """The private key of this installation's identity, read from its file.

    Raises:
        ComityError: When the file is missing, or holds another key.
    """
    path = key_path(identity.key_id)
    try:
        pem = path.read_bytes()
    except OSError:
        raise ComityError(
            f"The private key of {identity.name} ({identity.key_id}) is not in {path.parent}: "
            "bundles cannot be signed.",
            hint="Copy exchange-KEYID.key from the machine that made the key, or make a new "
            "one with `comity exchange keygen --replace`.",
        ) from None
    try:
        matches = public_key_of(pem) == identity.public_key
    except ValueError:
        matches = False
    if not matches:
        raise ComityError(
            f"{path.name} does not hold the private key of {identity.name} ({identity.key_id}).",
            hint="Make a new key with `comity exchange keygen --replace`.",
        )
    return pem


def trust_partner(
    store: Store, viewer: Viewer, name: str, public_key: str, nation: str
) -> tuple[Partner, str]:
    """Trust a partner installation's public key: its bundles may then be imported.

    Trusting a known partner again with another key replaces its key (the partner made a new
    one); its last bundle is kept, so an older bundle stays a replay.

    Returns:
        The partner, and what was done: ``added``, ``replaced`` or ``unchanged``.

    Raises:
        PermissionDeniedError: For anyone but the installation's operator.
        ValidationError: For a name, key or nation that is not valid.
        ConflictError: When another partner holds the key, or it is this installation's own.
    """
    require_operator(viewer, "trust a partner's key")
    chosen = check_name(name)
    try:
        key = parse_public_key(public_key)
    except ValueError as error:
        raise ValidationError([FieldProblem("public_key", str(error))], "partner") from None
    key_id = key_id_of(key)
    iso3 = resolve_nation(nation).iso3
    with store.transaction() as connection:
        own = exchange_store.get_identity(connection)
        if own is not None and own.key_id == key_id:
            raise ConflictError(
                f"{key_id} is this installation's own key, not a partner's.",
                hint="Give the partner's public key (`comity exchange keygen` prints it there).",
            )
        holder = exchange_store.get_partner(connection, key_id=key_id)
        if holder is not None and holder.name != chosen:
            raise ConflictError(
                f"The key {key_id} is already trusted as {holder.name}'s.",
                hint="One key names one partner.",
            )
        before = exchange_store.get_partner(connection, name=chosen)
        if before is None:
            exchange_store.add_partner(connection, chosen, iso3, key_id, key, viewer.name)
            done = "added"
        elif before.key_id != key_id or before.nation != iso3:
            exchange_store.replace_partner_key(
                connection, before.id, iso3, key_id, key, viewer.name
            )
            done = "replaced"
        else:
            return before, "unchanged"
        after = exchange_store.get_partner(connection, name=chosen)
        assert after is not None
        append_audit(
            connection,
            viewer.name,
            "trust",
            "exchange",
            chosen,
            before.to_dict() if before else None,
            after.to_dict(),
        )
        return after, done


def list_partners(store: Store, viewer: Viewer) -> list[Partner]:
    """Every trusted partner with its last exchange (what the page and ``partners`` show).

    Raises:
        PermissionDeniedError: Below the role admin.
    """
    require(viewer, Role.ADMIN, "see the exchange partners")
    with store.connect() as connection:
        return exchange_store.list_partners(connection)
