"""Use cases of the review queue: drafts read from text wait for a person to accept or reject.

``comity extract`` (and ``POST /drafts``) proposes draft engagements from press releases and news
(:mod:`comity.extract`); :func:`save_drafts` queues them for the nation of the user who asked,
once per passage. A reviewer of that nation lists them, sees each with the stored events it may
duplicate, changes what extraction got wrong (the draft is kept, the changes beside it), then
accepts it, which writes the engagement with the checks every write has and links it to the
stored event it describes, or rejects it with a reason. Queueing and deciding need the role
planner; a draft of another nation's queue is not found (the installation's operator sees every
queue). Every write is in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from comity.access.viewer import Role, Viewer
from comity.errors import ConflictError, FieldProblem, NotFoundError, ValidationError
from comity.linkage.model import LOWER, score_pairs
from comity.linkage.records import LINKED_KINDS, link_record, record_table
from comity.model.dates import PartialDate
from comity.model.validation import validate_engagement
from comity.services.draft_records import (
    check_changes,
    current_values,
    default_title,
    draft_problems,
    engagement_record,
    news_key,
)
from comity.services.engagements import check_release, require
from comity.services.links import distinct_sources, link_connection
from comity.store import Store
from comity.store import drafts as draft_store
from comity.store import engagements as engagement_store
from comity.store import links as link_store
from comity.store import nations as nation_store
from comity.store.audit import append_audit
from comity.store.drafts import StoredDraft
from comity.store.ownership import owner_of
from comity.store.tables_drafts import DRAFT_STATUSES, REASON_LENGTH

if TYPE_CHECKING:
    from comity.extract.draft import Draft

__all__ = [
    "STATUSES",
    "SavedDrafts",
    "accept_draft",
    "count_drafts",
    "default_releasability",
    "edit_draft",
    "get_draft",
    "list_drafts",
    "reject_draft",
    "save_drafts",
]

STATUSES = (*DRAFT_STATUSES, "all")
"""The statuses a list may ask for (``all``: every status)."""


@dataclass(frozen=True)
class SavedDrafts:
    """What queueing did.

    Attributes:
        added: The ids of the drafts queued, in order.
        already_queued: Drafts whose passage the queue already held (queued once only).
        skipped: Drafts proposing no engagement, which are not queued.
    """

    added: list[int] = field(default_factory=list)
    already_queued: int = 0
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "added": list(self.added),
            "already_queued": self.already_queued,
            "skipped": self.skipped,
        }


def default_releasability(viewer: Viewer) -> str:
    """The label an accepted draft gets unless the reviewer chooses one: ``REL`` own nation."""
    return f"REL {viewer.nation}" if viewer.nation else "PUBLIC"


def save_drafts(store: Store, viewer: Viewer, drafts: Sequence[Draft]) -> SavedDrafts:
    """Queue drafts for review in the queue of the viewer's nation, in one transaction.

    A passage (its text and URL) is queued once per nation: queueing it again adds nothing. A
    draft proposing no engagement is not queued.

    Raises:
        PermissionDeniedError: Below the role planner.
    """
    require(viewer, Role.PLANNER, "queue drafts for review")
    proposing = [draft for draft in drafts if draft.is_engagement]
    queued = [
        (draft_store.passage_digest(d.passage.text, d.passage.url), d.to_dict()) for d in proposing
    ]
    with store.transaction() as connection:
        added, already = draft_store.insert_drafts(
            connection, queued, owner_of(viewer), viewer.name
        )
        for draft_id in added:
            stored = _found(connection, viewer, draft_id)
            append_audit(connection, viewer.name, "create", "draft", draft_id, None, _image(stored))
    return SavedDrafts(added, already, len(drafts) - len(proposing))


def _status(status: str | None) -> str | None:
    if status is None or status == "all":
        return None
    if status not in DRAFT_STATUSES:
        raise ValidationError(
            [FieldProblem("status", f"must be {', '.join(STATUSES)}", status)], "query"
        )
    return status


def list_drafts(
    store: Store,
    viewer: Viewer,
    status: str | None = "pending",
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The drafts of the queues the viewer may see, of one status (``all``: any), newest first.

    Raises:
        ValidationError: For an unknown status, a limit outside 1-500 or a negative offset.
    """
    chosen = _status(status)
    if not 1 <= limit <= 500:
        raise ValidationError([FieldProblem("limit", "must be 1 to 500", str(limit))], "query")
    if offset < 0:
        raise ValidationError([FieldProblem("offset", "must be 0 or more", str(offset))], "query")
    with store.connect() as connection:
        found = draft_store.read_drafts(
            connection, viewer, status=chosen, limit=limit, offset=offset
        )
    return [_shown(stored) for stored in found]


def count_drafts(store: Store, viewer: Viewer, status: str | None = "pending") -> int:
    """How many drafts :func:`list_drafts` finds without a limit."""
    chosen = _status(status)
    with store.connect() as connection:
        return draft_store.count_drafts(connection, viewer, status=chosen)


def get_draft(store: Store, viewer: Viewer, draft_id: int) -> dict[str, Any]:
    """One draft: as proposed, with the reviewer's edits applied, and the events it may repeat.

    ``duplicates`` are stored engagements the viewer may see that the linkage model scores at
    least :data:`~comity.linkage.model.LOWER` likely to be the draft's event, likeliest first.

    Raises:
        NotFoundError: When no draft of this id waits in a queue the viewer may see.
    """
    with store.connect() as connection:
        stored = _found(connection, viewer, draft_id)
        return {**_shown(stored), "duplicates": _duplicates(connection, viewer, stored)}


def edit_draft(
    store: Store, viewer: Viewer, draft_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Change fields of a pending draft; the proposal is kept, the changes stored beside it.

    Args:
        store: The store.
        viewer: The reviewer; needs the role planner.
        draft_id: The draft.
        changes: Field -> value, for kind, title, programme, host, participants (each a nation,
            or its ``nation``, ``role`` and ``personnel``), start, end, personnel, location.

    Raises:
        NotFoundError: When the viewer may not see the draft.
        ConflictError: When it was decided already.
        ValidationError: Naming each field that is wrong.
    """
    require(viewer, Role.PLANNER, "edit drafts")
    with store.transaction() as connection:
        stored = _pending(_found(connection, viewer, draft_id, for_update=True), "edited")
        checked = _checked(stored, stored.edits or {}, changes)
        edits = {**(stored.edits or {}), **checked}
        if not draft_store.edit_draft(connection, draft_id, edits):
            raise _decided(_found(connection, viewer, draft_id), "edited")
        after = _found(connection, viewer, draft_id)
        append_audit(
            connection, viewer.name, "update", "draft", draft_id, _image(stored), _image(after)
        )
        return _shown(after)


def accept_draft(
    store: Store,
    viewer: Viewer,
    draft_id: int,
    releasability: str | None = None,
    changes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Accept a pending draft: write its engagement, and link it to the event it repeats.

    In one transaction: the changes (if any) are checked and kept as edits; the engagement is
    validated and stored as :func:`comity.services.engagements.add_engagement` stores one (the
    viewer's nation owns it; labelled ``releasability``, by default ``REL`` the viewer's
    nation); the draft is marked accepted. The new record is then scored against the stored
    ones: a pair at or above :data:`~comity.linkage.model.UPPER` links (one event, counted once),
    one at or above :data:`~comity.linkage.model.LOWER` waits for review.

    Returns:
        ``id`` (the draft's), ``status``, ``engagement_id``, ``releasability``, ``linked_to``
        (the stored record it was linked to, which the viewer may see, or None) and
        ``for_review`` (its pairs waiting for a person).

    Raises:
        NotFoundError: When the viewer may not see the draft.
        ConflictError: When it was decided already.
        ValidationError: Naming the draft's fields that keep it from being an engagement;
            nothing is written.
    """
    require(viewer, Role.PLANNER, "accept drafts")
    with store.transaction() as connection:
        stored = _pending(_found(connection, viewer, draft_id, for_update=True), "accepted")
        edits = {**(stored.edits or {})}
        if changes:
            edits.update(_checked(stored, edits, changes))
        values = current_values(stored.draft, edits)
        owner = owner_of(viewer)
        label = (releasability or "").strip() or default_releasability(viewer)
        try:
            data = engagement_record(
                draft_id, stored.draft, values, owner=owner, releasability=label
            )
            engagement = validate_engagement(data, nation_store.load_nations(connection))
            check_release(viewer, engagement)
            (engagement_id,) = engagement_store.insert_engagements(
                connection, [engagement], viewer.name, owner
            )
            engagement_store.check_readable(connection, engagement_id, owner)
        except ValidationError as error:
            raise draft_problems(error, draft_id) from None
        created = engagement_store.get_engagement(connection, engagement_id, viewer)
        append_audit(
            connection, viewer.name, "create", "engagement", engagement_id, None, created.to_dict()
        )
        decided = draft_store.decide_draft(
            connection,
            draft_id,
            status="accepted",
            who=viewer.name,
            engagement_id=engagement_id,
            releasability=str(engagement.releasability),
            edits=edits or None,
        )
        if not decided:
            raise _decided(_found(connection, viewer, draft_id), "accepted")
        link_connection(connection, fresh_ids={engagement_id})
        linked_to, for_review = _joined(connection, viewer, engagement_id)
        after = _found(connection, viewer, draft_id)
        joined = {"linked_to": linked_to, "for_review": for_review}
        append_audit(
            connection,
            viewer.name,
            "accept",
            "draft",
            draft_id,
            _image(stored),
            {**_image(after), **joined},
        )
    return {
        "id": draft_id,
        "status": "accepted",
        "engagement_id": engagement_id,
        "releasability": str(engagement.releasability),
        **joined,
    }


def reject_draft(store: Store, viewer: Viewer, draft_id: int, reason: str) -> dict[str, Any]:
    """Reject a pending draft, saying why.

    Raises:
        ValidationError: When the reason is empty or longer than the store keeps.
        NotFoundError: When the viewer may not see the draft.
        ConflictError: When it was decided already.
    """
    require(viewer, Role.PLANNER, "reject drafts")
    why = (reason or "").strip()
    if not why:
        problem = FieldProblem("reason", "is required: say why the draft is not recorded")
        raise ValidationError([problem], "rejection")
    if len(why) > REASON_LENGTH:
        problem = FieldProblem("reason", f"at most {REASON_LENGTH} characters", why[:40] + "...")
        raise ValidationError([problem], "rejection")
    with store.transaction() as connection:
        stored = _pending(_found(connection, viewer, draft_id, for_update=True), "rejected")
        if not draft_store.decide_draft(
            connection, draft_id, status="rejected", who=viewer.name, reason=why
        ):
            raise _decided(_found(connection, viewer, draft_id), "rejected")
        after = _found(connection, viewer, draft_id)
        append_audit(
            connection, viewer.name, "reject", "draft", draft_id, _image(stored), _image(after)
        )
        return _shown(after)


def _found(
    connection: Any, viewer: Viewer, draft_id: int, *, for_update: bool = False
) -> StoredDraft:
    stored = draft_store.get_draft(connection, viewer, draft_id, for_update=for_update)
    if stored is None:
        raise NotFoundError(
            f"No draft {draft_id} that you may see.",
            hint="Run `comity drafts list` to see the drafts of your queue.",
        )
    return stored


def _decided(stored: StoredDraft, verb: str) -> ConflictError:
    return ConflictError(
        f"Draft {stored.id} was already {stored.status} by {stored.decided_by}: only a pending "
        f"draft may be {verb}.",
        hint="Run `comity drafts list` to see the drafts waiting.",
    )


def _pending(stored: StoredDraft, verb: str) -> StoredDraft:
    if stored.status != "pending":
        raise _decided(stored, verb)
    return stored


def _checked(
    stored: StoredDraft, edits: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    try:
        return check_changes(changes, current_values(stored.draft, edits))
    except ValidationError as error:
        raise ValidationError(error.problems, f"draft {stored.id}") from None


def _shown(stored: StoredDraft) -> dict[str, Any]:
    """A draft as the faces show it: its values (edits applied), and the proposal as it was."""
    passage = stored.draft["passage"]
    return {
        "id": stored.id,
        "status": stored.status,
        "owner": stored.owner,
        "created_at": stored.created_at.isoformat(),
        "created_by": stored.created_by,
        "values": current_values(stored.draft, stored.edits),
        "edited": sorted(stored.edits or {}),
        "passage": passage,
        "reasons": stored.draft.get("reasons", []),
        "model_version": stored.draft.get("model_version", ""),
        "proposed": {
            "fields": stored.draft.get("fields", {}),
            "roles": stored.draft.get("roles", []),
        },
        "decided_by": stored.decided_by,
        "decided_at": stored.decided_at.isoformat() if stored.decided_at else None,
        "reason": stored.reason,
        "engagement_id": stored.engagement_id,
        "releasability": stored.releasability,
    }


def _image(stored: StoredDraft) -> dict[str, Any]:
    """A draft as the audit log keeps it.

    No ``releasability`` key: the log would show an entry carrying a label to every account that
    may read the label, and a draft is its own nation's (only the operator reads its entries).
    """
    return {
        "id": stored.id,
        "owner": stored.owner,
        "status": stored.status,
        "digest": stored.digest,
        "url": stored.draft["passage"].get("url"),
        "kind": stored.draft.get("kind"),
        "title": stored.draft.get("title"),
        "edits": stored.edits,
        "decided_by": stored.decided_by,
        "reason": stored.reason,
        "engagement_id": stored.engagement_id,
        "label_chosen": stored.releasability,
    }


def _duplicates(connection: Any, viewer: Viewer, stored: StoredDraft) -> list[dict[str, Any]]:
    """Stored records the viewer may see that may be the draft's event, likeliest first."""
    values = current_values(stored.draft, stored.edits)
    kind, start = values.get("kind"), values.get("start")
    if kind not in LINKED_KINDS or not start:
        return []
    try:
        when = PartialDate.parse(str(start))
    except ValueError:
        return []
    candidates = [
        record
        for record in draft_store.visible_link_records(
            connection, viewer, distinct_sources(), kind, when.year
        )
        if record.id != stored.engagement_id
    ]
    if not candidates:
        return []
    nations = [p["nation"] for p in values["participants"]]
    # The draft scores as the record it would become: id 0, which no stored record has.
    draft = link_record(
        0,
        source=news_key(stored.owner),
        within=True,
        kind=kind,
        start=when.first_day,
        precision=when.precision.value,
        host=values.get("host"),
        nations=nations,
        programme=values.get("programme"),
        title=values.get("title") or default_title(kind, nations, str(start)),
        location=values.get("location"),
    )
    pairs = score_pairs(record_table([draft, *candidates]), fresh={0}, threshold=LOWER)
    found = sorted(
        (
            (p.right if p.left == 0 else p.left, p.probability)
            for p in pairs
            if 0 in (p.left, p.right)
        ),
        key=lambda item: (-item[1], item[0]),
    )
    duplicates = []
    for key, probability in found:
        record = engagement_store.get_engagement(connection, key, viewer)
        engagement = record.engagement
        duplicates.append(
            {
                "id": key,
                "title": engagement.title,
                "kind": engagement.kind.value,
                "start": str(engagement.start),
                "nations": list(engagement.nations),
                "probability": round(probability, 6),
            }
        )
    return duplicates


def _joined(connection: Any, viewer: Viewer, record: int) -> tuple[int | None, int]:
    """The visible record a new record was linked to (the likeliest), and its pairs for review."""
    links = link_store.read_links(connection, viewer, record=record)
    linked = [link for link in links if link.status == "linked"]
    other = None
    if linked:
        best = linked[0]  # likeliest first
        other = best.right if best.left == record else best.left
    return other, sum(1 for link in links if link.status == "review")
