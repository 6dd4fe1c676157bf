"""The hash chain of the audit log: each entry's hash covers the entry and the hash before it.

Editing or deleting any entry breaks the chain from that entry on, which ``verify_chain`` finds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["GENESIS", "AuditEntry", "ChainReport", "entry_hash", "verify_chain"]

GENESIS = "0" * 64
"""The previous hash of the first entry."""


@dataclass(frozen=True)
class AuditEntry:
    """One audit entry: who did what to which record, and the record before and after."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: Any
    after: Any
    prev_hash: str
    hash: str


def entry_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    before: Any,
    after: Any,
) -> str:
    """SHA-256 of the previous hash and the entry's fields in canonical JSON."""
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before,
            "after": after,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain: entries checked, and the first broken one, if any."""

    entries: int
    first_broken: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        """True when every entry is intact and in order."""
        return self.first_broken is None


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Check every entry's hash and its link to the one before, in id order.

    Ids may skip numbers (a PostgreSQL sequence does not give back the id of a rolled-back
    write); what proves nothing was removed is the link of each entry to the one before.
    """
    previous = GENESIS
    count = 0
    last_id = 0
    for entry in entries:
        count += 1
        if entry.prev_hash != previous:
            if entry.id != last_id + 1:
                reason = f"entries {last_id + 1}-{entry.id - 1} are missing"
            else:
                reason = "it does not follow the entry before it"
            return ChainReport(count, entry.id, reason)
        expected = entry_hash(
            entry.prev_hash,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.before,
            entry.after,
        )
        if expected != entry.hash:
            return ChainReport(count, entry.id, "its content was changed after it was written")
        previous = entry.hash
        last_id = entry.id
    return ChainReport(count, None, None)
