"""A signed checkpoint of the audit log's last entry, kept outside the database.

The hash chain shows an entry changed or removed in the middle of the log, but removing the
last entries leaves a shorter chain that is still whole. So after every committed write that
appended to the log, the store writes the hash of the log's last entry to a small file beside
its analytic folder, signed (HMAC-SHA256) with the installation's secret key
(``COMITY_SECRET_KEY``, or the key kept in the data folder). ``comity audit verify`` then checks
that the entry the checkpoint names is still in the log; a checkpoint that does not verify
was not written by this installation. ``comity audit checkpoint`` writes one on demand and
prints it, to copy somewhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from comity.config import analytic_directory, session_secret

__all__ = ["Checkpoint", "checkpoint_path", "read_checkpoint", "write_checkpoint"]


@dataclass(frozen=True)
class Checkpoint:
    """The log's last entry when the checkpoint was written.

    Attributes:
        hash: That entry's hash.
        at: When the checkpoint was written (UTC).
        signed: Whether its signature matches this installation's key.
    """

    hash: str
    at: str
    signed: bool


def checkpoint_path(database_url: str) -> Path | None:
    """Where the store at ``database_url`` keeps its checkpoint (None for a store in memory)."""
    if database_url in ("sqlite://", "sqlite:///:memory:"):
        return None
    store_key = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return analytic_directory(database_url).parent / f"audit-checkpoint-{store_key}.json"


def _signature(entry_hash: str, at: str) -> str:
    message = json.dumps({"hash": entry_hash, "at": at}, sort_keys=True).encode()
    return hmac.new(session_secret().encode(), message, hashlib.sha256).hexdigest()


def write_checkpoint(database_url: str, entry_hash: str) -> Checkpoint | None:
    """Write (atomically) the checkpoint of the log's last entry ``entry_hash``."""
    path = checkpoint_path(database_url)
    if path is None:
        return None
    at = datetime.now(UTC).isoformat()
    body = {"hash": entry_hash, "at": at, "signature": _signature(entry_hash, at)}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".audit-checkpoint-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(body, out)
    os.replace(name, path)
    return Checkpoint(entry_hash, at, signed=True)


def read_checkpoint(database_url: str) -> Checkpoint | None:
    """The store's checkpoint, if it has one (``signed`` False when its signature is wrong)."""
    path = checkpoint_path(database_url)
    if path is None or not path.is_file():
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        entry_hash, at, signature = str(body["hash"]), str(body["at"]), str(body["signature"])
    except (ValueError, KeyError, TypeError):
        return Checkpoint("", "", signed=False)
    return Checkpoint(entry_hash, at, hmac.compare_digest(signature, _signature(entry_hash, at)))
