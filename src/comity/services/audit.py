"""Use cases of the audit log: read a page of it, verify its chain and its checkpoint.

Every write appends to the log in its own transaction (:func:`comity.store.audit.append_audit`);
reading it is filtered by what the reader may see (docs/security.md, "The audit log").
"""

from __future__ import annotations

from typing import Any

from comity.access.audit import ChainReport, verify_chain
from comity.access.viewer import Role, Viewer
from comity.services.engagements import require
from comity.store import Store
from comity.store.audit import audit_id_of, iter_audit, last_audit_hash, last_audit_id, read_audit
from comity.store.audit_checkpoint import Checkpoint, read_checkpoint, write_checkpoint

__all__ = ["audit_page", "checkpoint_audit", "verify_audit"]


def verify_audit(store: Store, viewer: Viewer) -> ChainReport:
    """Check the audit log's hash chain from the first entry to the last (every entry).

    Then check its tail against the store's signed checkpoint
    (:mod:`comity.store.audit_checkpoint`): the entry it names must still be in the log, or
    the last entries were removed.

    Raises:
        PermissionDeniedError: Unless the viewer is an admin (or the operator).
    """
    require(viewer, Role.ADMIN, "verify the audit log")
    with store.connect() as connection:
        entries = iter_audit(connection)
        try:
            report = verify_chain(entries)
        finally:
            entries.close()
        if not report.ok:
            return report
        checkpoint = read_checkpoint(store.checkpoint_url())
        if checkpoint is None:
            return report
        last = last_audit_id(connection)
        if not checkpoint.signed:
            why = "its checkpoint's signature does not match this installation's key"
            return ChainReport(report.entries, last + 1, why)
        if audit_id_of(connection, checkpoint.hash) is None:
            return ChainReport(
                report.entries,
                last + 1,
                f"entries after {last} were removed: the checkpoint of {checkpoint.at} names "
                f"entry {checkpoint.hash[:12]}…, which the log no longer holds",
            )
        return report


def checkpoint_audit(store: Store, actor: Viewer) -> Checkpoint | None:
    """Write the signed checkpoint of the log's last entry now (operator), and return it."""
    require(actor, Role.OPERATOR, "checkpoint the audit log")
    with store.connect() as connection:
        last = last_audit_hash(connection)
    return None if last is None else write_checkpoint(store.checkpoint_url(), last)


def audit_page(
    store: Store,
    actor: Viewer,
    *,
    after_id: int = 0,
    limit: int = 100,
    entity: str | None = None,
    entity_id: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the audit log (admins), oldest first, and the count of entries they may see.

    An account sees the entries about records its nation may see (each image by its label),
    about its nation's accounts and tokens, and about imports its nation's accounts ran; the
    installation's operator sees every nation's accounts and imports.
    """
    require(actor, Role.ADMIN, "read the audit log")
    with store.connect() as connection:
        entries, total = read_audit(
            connection, actor, after_id=after_id, limit=limit, entity=entity, entity_id=entity_id
        )
    return [
        {
            **{
                k: getattr(e, k)
                for k in (
                    "id",
                    "actor",
                    "action",
                    "entity",
                    "entity_id",
                    "before",
                    "after",
                    "prev_hash",
                    "hash",
                )
            },
            "at": e.at.isoformat(),
        }
        for e in entries
    ], total
