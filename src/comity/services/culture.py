"""Use cases of culture: briefings, calendar checks of engagements, cultural distance, notes.

Each function reads what the viewer may see from the store and hands it to :mod:`comity.culture`,
which adds what babel (CLDR), the holidays package and Hofstede's scores know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.culture.briefing import Briefing, BriefingInputs, build_briefing
from comity.culture.calendar_check import SEARCH_DAYS, CalendarCheck, check_calendar
from comity.culture.distance import DistanceMatrix
from comity.culture.distance import create_distance_matrix as _create_distance_matrix
from comity.culture.windows import DateWindow, validate_window
from comity.errors import FieldProblem, NotFoundError, ValidationError
from comity.model.dates import DatePrecision
from comity.model.engagements import EngagementKind
from comity.model.nations import Nation
from comity.model.notes import Note, NoteTopic
from comity.model.validation import validate_record
from comity.services.analytics import IndexTable
from comity.services.engagements import (
    StoredEngagement,
    check_release,
    count_engagements,
    get_engagement,
    list_engagements,
    require,
)
from comity.services.people import list_assessments
from comity.services.plans import open_plans_with
from comity.services.registry import resolve_nation
from comity.services.ties import dyad_history
from comity.store import Store
from comity.store import nations as nation_store
from comity.store import notes as note_store
from comity.store.audit import append_audit
from comity.store.culture_inputs import read_hofstede_scores
from comity.store.notes import StoredNote
from comity.store.ownership import owner_of

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "EngagementCalendar",
    "add_note",
    "check_calendar",
    "check_engagement_calendar",
    "create_briefing",
    "create_distance_matrix",
    "delete_note",
    "edit_note",
    "get_note",
    "list_notes",
]

DEFAULT_WINDOW_DAYS = 90
"""A briefing without a window covers this many days from today (or from its first day)."""

_RECENT = 10
# Media events are coded from news, many a day: they would crowd out the engagements people
# planned, so a briefing lists the others.
_BRIEFED_KINDS = tuple(k for k in EngagementKind if k is not EngagementKind.MEDIA_EVENT)


def _window(start: date | None, end: date | None) -> tuple[DateWindow, bool]:
    if start is None and end is None:
        first = date.today()
        return DateWindow(first, first + timedelta(days=DEFAULT_WINDOW_DAYS - 1)), False
    first = start if start is not None else date.today()
    last = end if end is not None else first + timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    return validate_window(first, last, subject="briefing window"), True


def create_briefing(
    store: Store,
    viewer: Viewer,
    nation: str,
    *,
    start: date | None = None,
    end: date | None = None,
    perspective: str | None = None,
) -> Briefing:
    """A briefing on ``nation`` for the dates given, seen from ``perspective``.

    Args:
        store: The store.
        viewer: Whose view: engagements, notes, assessments and ties are those it may see.
        nation: Any name or code of the nation briefed.
        start: First day (default: today).
        end: Last day (default: :data:`DEFAULT_WINDOW_DAYS` days from the first).
        perspective: The user's own nation (default: the viewer's nation, if it has one).

    Raises:
        UnknownNationError: When a nation does not resolve.
        ValidationError: For a reversed window or one over two years.
    """
    window, given = _window(start, end)
    subject = resolve_nation(nation)
    chosen = perspective or viewer.nation
    seen_from = resolve_nation(chosen) if chosen else None
    with store.connect() as connection:
        scores = read_hofstede_scores(connection)
        memberships = nation_store.list_memberships(connection, nation=subject.iso3)
        if seen_from is not None:
            memberships += nation_store.list_memberships(connection, nation=seen_from.iso3)
        names = {o.code: o.name for o, _ in nation_store.list_organisations(connection)}
    partner = seen_from.iso3 if seen_from and seen_from.iso3 != subject.iso3 else None
    ties, result = _ties(store, viewer, subject, partner)
    count = count_engagements(
        store, viewer, nation=subject.iso3, partner=partner, kinds=_BRIEFED_KINDS
    )
    recent = list_engagements(
        store,
        viewer,
        nation=subject.iso3,
        partner=partner,
        kinds=_BRIEFED_KINDS,
        offset=max(0, count - _RECENT),
    )
    inputs = BriefingInputs(
        nation=subject,
        window=window,
        window_given=given,
        perspective=seen_from,
        scores=scores,
        memberships=memberships,
        organisation_names=names,
        ties=ties,
        tie_method=result.settings.method_version if result else None,
        tie_default_year=result.default_year if result else None,
        tie_data_through=result.data_through if result else None,
        engagements=[(s.id, s.engagement) for s in recent],
        engagement_count=count,
        notes=list_notes(store, viewer, nation=subject.iso3),
        assessments=_assessments(store, viewer, subject.iso3),
        open_plans=open_plans_with(store, viewer, subject.iso3),
    )
    return build_briefing(inputs)


def _ties(
    store: Store, viewer: Viewer, subject: Nation, partner: str | None
) -> tuple[list[dict[str, Any]] | None, IndexTable | None]:
    if partner is None:
        return None, None
    try:
        _, _, rows, result = dyad_history(store, viewer, subject.iso3, partner)
    except NotFoundError:
        return None, None
    return rows, result


def _assessments(store: Store, viewer: Viewer, nation: str) -> list[Any]:
    found = []
    for _, assessment in list_assessments(store, viewer):
        engagement = get_engagement(store, assessment.engagement_id, viewer).engagement
        if nation in engagement.nations:
            found.append((assessment, assessment.engagement_id, engagement))
    return found


@dataclass(frozen=True)
class EngagementCalendar:
    """A calendar check of one stored engagement.

    Attributes:
        engagement: The engagement checked.
        check: Conflicts, notices and suggested windows.
    """

    engagement: StoredEngagement
    check: CalendarCheck

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: the engagement's key facts, then the check."""
        e = self.engagement.engagement
        return {
            "engagement": {
                "id": self.engagement.id,
                "kind": e.kind.value,
                "title": e.title,
                "start": str(e.start),
                "end": str(e.end) if e.end else None,
            },
            **self.check.to_dict(),
        }


def check_engagement_calendar(
    store: Store, viewer: Viewer, engagement_id: int, *, search_days: int = SEARCH_DAYS
) -> EngagementCalendar:
    """Check an engagement's days against every participant's holidays and weekends.

    Raises:
        NotFoundError: When the viewer sees no such engagement.
        ValidationError: When its dates are not known to the day, it has no end (a standing
            tie in force), or it spans more than two years.
    """
    stored = get_engagement(store, engagement_id, viewer)
    e = stored.engagement
    subject = f"calendar check of engagement {engagement_id}"
    for name, value in (("start", e.start), ("end", e.end)):
        if value is not None and value.precision is not DatePrecision.DAY:
            raise ValidationError(
                [FieldProblem(name, f"is known only to the {value.precision.value}", str(value))],
                subject,
                hint="A calendar check needs dates known to the day; edit the engagement.",
            )
    last = e.last_day
    if last is None:
        raise ValidationError(
            [FieldProblem("end", "is open: the tie is still in force")],
            subject,
            hint="A calendar check needs an engagement with an end.",
        )
    check = check_calendar(e.first_day, last, list(e.nations), search_days=search_days, host=e.host)
    return EngagementCalendar(stored, check)


def create_distance_matrix(store: Store, nations: Sequence[str] | None = None) -> DistanceMatrix:
    """Kogut-Singh distances between nations (any names or codes; None: every scored nation).

    Raises:
        UnknownNationError: When a nation does not resolve.
        ValidationError: When fewer than two distinct nations are given.
        NotFoundError: When the store holds no Hofstede scores.
    """
    keys = None
    if nations is not None:
        keys = list(dict.fromkeys(resolve_nation(n).iso3 for n in nations))
        if len(keys) < 2:
            raise ValidationError(
                [FieldProblem("nations", "name at least two different nations", ", ".join(keys))],
                "distance matrix",
            )
    with store.connect() as connection:
        scores = read_hofstede_scores(connection)
    if not scores:
        raise NotFoundError(
            "The store holds no Hofstede scores.", hint="Import them: comity import hofstede"
        )
    return _create_distance_matrix(keys, scores)


def _known(store: Store, key: str) -> None:
    with store.connect() as connection:
        if key not in nation_store.load_nations(connection):
            raise ValidationError([FieldProblem("nation", "unknown nation", key)], "note")


def add_note(store: Store, data: Mapping[str, Any], viewer: Viewer) -> StoredNote:
    """Validate and store a note on a nation, written by the viewer.

    ``data["nation"]`` may be any name or code of the nation.

    Raises:
        ValidationError: For a bad field or a label that would hide the note from its author.
        UnknownNationError: When the nation does not resolve.
        PermissionDeniedError: When the viewer may not write (it needs the role planner).
    """
    require(viewer, Role.PLANNER, "add notes")
    fields = dict(data)
    if isinstance(fields.get("nation"), str):
        fields["nation"] = resolve_nation(fields["nation"]).iso3
    note = validate_record(Note, fields, "note")
    check_release(viewer, note, "note")
    _known(store, note.nation)
    with store.transaction() as connection:
        note_id = note_store.add_note(connection, note, viewer.name, owner_of(viewer))
        stored = note_store.get_note(connection, note_id, viewer)
        append_audit(connection, viewer.name, "create", "note", note_id, None, stored.to_dict())
        return stored


def get_note(store: Store, note_id: int, viewer: Viewer) -> StoredNote:
    """One note the viewer may see.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    with store.connect() as connection:
        return note_store.get_note(connection, note_id, viewer)


def list_notes(
    store: Store,
    viewer: Viewer,
    *,
    nation: str | None = None,
    topic: NoteTopic | str | None = None,
) -> list[StoredNote]:
    """Notes the viewer may see, of one nation (any name or code) and topic if given.

    Raises:
        UnknownNationError: When the nation does not resolve.
        ValidationError: For an unknown topic.
    """
    key = resolve_nation(nation).iso3 if nation else None
    chosen = _topic(topic) if topic is not None else None
    with store.connect() as connection:
        return note_store.list_notes(connection, viewer, nation=key, topic=chosen)


def _topic(topic: NoteTopic | str) -> NoteTopic:
    try:
        return NoteTopic(topic)
    except ValueError:
        known = ", ".join(t.value for t in NoteTopic)
        raise ValidationError(
            [FieldProblem("topic", f"must be one of {known}", str(topic))], "note"
        ) from None


def edit_note(
    store: Store,
    note_id: int,
    changes: Mapping[str, Any],
    viewer: Viewer,
    *,
    expected_version: int | None = None,
) -> StoredNote:
    """Apply ``changes`` (field -> new value) to a note the viewer may see; the viewer is recorded.

    Raises:
        NotFoundError: When the viewer sees no such note.
        ValidationError: When the changed note breaks a rule.
        ConflictError: When ``expected_version`` is given and stale.
    """
    require(viewer, Role.PLANNER, "edit notes")
    fields = dict(changes)
    if isinstance(fields.get("nation"), str):
        fields["nation"] = resolve_nation(fields["nation"]).iso3
        _known(store, fields["nation"])
    with store.transaction() as connection:
        current = note_store.get_note(connection, note_id, viewer)
        note = validate_record(Note, {**current.note.model_dump(mode="json"), **fields}, "note")
        check_release(viewer, note, "note")
        note_store.update_note(connection, note_id, note, viewer, expected_version)
        stored = note_store.get_note(connection, note_id, viewer)
        append_audit(
            connection, viewer.name, "update", "note", note_id, current.to_dict(), stored.to_dict()
        )
        return stored


def delete_note(store: Store, note_id: int, viewer: Viewer) -> None:
    """Delete a note the viewer may see.

    Raises:
        NotFoundError: When the viewer sees no such note.
    """
    require(viewer, Role.PLANNER, "delete notes")
    with store.transaction() as connection:
        before = note_store.get_note(connection, note_id, viewer)
        note_store.delete_note(connection, note_id, viewer)
        append_audit(connection, viewer.name, "delete", "note", note_id, before.to_dict(), None)
