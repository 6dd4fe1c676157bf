"""Forms of the web app: fields in, records out, and problems shown beside their fields.

A form keeps what the user typed (as text) so that a refused form comes back as it was sent,
with each :class:`~comity.errors.FieldProblem` beside the field it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from starlette.datastructures import FormData

from comity.errors import FieldProblem, UnknownNationError, ValidationError
from comity.model.engagements import ParticipantRole
from comity.model.numbers import is_whole
from comity.model.validation import validate_engagement
from comity.services import resolve_nation
from comity.services.engagements import StoredEngagement, resolve_nations

__all__ = [
    "ENGAGEMENT_FIELDS",
    "EngagementForm",
    "ParticipantRow",
    "for_the_web",
    "merge_problems",
    "messages_by_field",
    "participant_rows",
    "plain",
    "problem_text",
    "read_number",
    "shown_rows",
    "text_of",
]

ENGAGEMENT_FIELDS = (
    "kind",
    "title",
    "start",
    "end",
    "host",
    "location",
    "programme",
    "objectives",
    "description",
    "releasability",
    "sources",
)
"""The engagement fields a form edits, as text; the others are kept as they are. ``sources``
is one web address, asked of new engagements only: an edit keeps the sources stored."""
_MIN_ROWS = 3
_MAX_ROWS = 300
_MAX_TEXT = 10_000


def text_of(form: FormData, name: str) -> str:
    """A text field of a form, stripped ('' when missing or when it is a file)."""
    value = form.get(name)
    return value.strip()[:_MAX_TEXT] if isinstance(value, str) else ""


_PLAIN = [
    (re.compile(r"^(String should have at least 1 character|Field required)$"), "is required"),
    (
        re.compile(r"^String should have at least (\d+) characters$"),
        r"needs at least \1 characters",
    ),
    (
        re.compile(r"^String should have at most (\d+) characters?$"),
        r"is too long: at most \1 characters",
    ),
    (re.compile(r"^Input should be greater than or equal to (\S+)$"), r"must be \1 or more"),
    (re.compile(r"^Input should be greater than (\S+)$"), r"must be more than \1"),
    (re.compile(r"^Input should be less than or equal to (\S+)$"), r"must be \1 or less"),
    (re.compile(r"^Input should be a valid (decimal|number).*$"), "must be a number, e.g. 12,500"),
    (re.compile(r"^Input should be a valid integer.*$"), "must be a whole number, e.g. 1,200"),
    (re.compile(r"^Input should be a valid date.*$"), "must be a date: YYYY-MM-DD"),
    (
        re.compile(r"^Decimal input should have no more than (\d+) decimal places?$"),
        r"at most \1 decimals",
    ),
    (re.compile(r"^(?:List|Tuple) should have at least 1 item.*$"), "needs at least one"),
    (re.compile(r"^Input should be (.+)$"), r"must be \1"),
]
"""Messages of the validation library, as a person would say them on a form."""


def plain(reason: str) -> str:
    """A validation message in plain words ("String should have at least 1 character": required)."""
    for pattern, words in _PLAIN:
        if pattern.match(reason):
            return pattern.sub(words, reason)
    return reason


def read_number(text: str, locale: str = "en") -> Decimal | None:
    """A number as a person types it in ``locale`` ("12,500", "12 500"), None if it is not one."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    try:
        return parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, ValueError):
        return None


def problem_text(problem: FieldProblem) -> str:
    """A problem's reason in plain words, with the value given when the reason does not name it."""
    reason = plain(problem.reason)
    value = (problem.value or "").strip("'\"")
    if value in ("", "[]", "()", "None") or value in reason or reason == "is required":
        return reason
    return f"{reason} (got {value})"


def messages_by_field(
    problems: Iterable[FieldProblem], known: Iterable[str] = ()
) -> dict[str, str]:
    """Each field's problems as one sentence, keyed by the field that shows them.

    A problem deeper than a shown field goes beside it (``objectives.2`` beside ``objectives``);
    one on an unknown field goes under ``form``.

    Args:
        problems: The problems, e.g. of a :class:`~comity.errors.ValidationError`.
        known: Field names that have a place on the page.
    """
    shown = set(known)
    found: dict[str, list[str]] = {}
    for problem in problems:
        name = problem.field
        while name not in shown and "." in name:
            name = name.rsplit(".", 1)[0]
        if name not in shown:
            name = "form"
        found.setdefault(name, []).append(problem_text(problem))
    return {name: "; ".join(reasons) for name, reasons in found.items()}


@dataclass
class ParticipantRow:
    """One row of the participants of a form, as typed."""

    nation: str = ""
    role: str = ""
    personnel: str = ""

    @property
    def empty(self) -> bool:
        """True when nothing was typed in the row."""
        return not (self.nation or self.role or self.personnel)


def participant_rows(form: FormData) -> list[ParticipantRow]:
    """The participant rows of a submitted form (``participant_*`` fields), empty ones dropped."""
    columns = [
        [v.strip() if isinstance(v, str) else "" for v in form.getlist(f"participant_{c}")]
        for c in ("nation", "role", "personnel")
    ]
    size = min(max((len(c) for c in columns), default=0), _MAX_ROWS)
    rows = [
        ParticipantRow(*(c[i][:200] if i < len(c) else "" for c in columns)) for i in range(size)
    ]
    return [r for r in rows if not r.empty]


def shown_rows(filled: Sequence[ParticipantRow], extra: int = 1) -> list[ParticipantRow]:
    """The participant rows a form shows: those filled in, then empty ones (three at least)."""
    return [*filled, *(ParticipantRow() for _ in range(max(_MIN_ROWS - len(filled), extra)))]


@dataclass
class EngagementForm:
    """The engagement form as the user filled it in.

    Attributes:
        values: Each field of :data:`ENGAGEMENT_FIELDS`, as text.
        participants: The participant rows typed (empty rows dropped).
        version: The version the user opened (edits only).
    """

    values: dict[str, str] = field(default_factory=dict)
    participants: list[ParticipantRow] = field(default_factory=list)
    version: int | None = None

    @classmethod
    def from_form(cls, form: FormData) -> EngagementForm:
        """Read a submitted form (participants come as repeated ``participant_*`` fields)."""
        version = text_of(form, "version")
        return cls(
            values={name: text_of(form, name) for name in ENGAGEMENT_FIELDS},
            participants=participant_rows(form),
            version=int(version) if is_whole(version) else None,
        )

    @classmethod
    def from_stored(cls, stored: StoredEngagement, names: Mapping[str, str]) -> EngagementForm:
        """The form of a stored engagement, nations by name where the name reads back the same.

        Args:
            stored: The engagement.
            names: Nation names by key.
        """
        e = stored.engagement
        year = e.start_year

        def shown(key: str | None) -> str:
            if key is None:
                return ""
            name = names.get(key)
            try:
                if name and resolve_nation(name, year=year).iso3 == key:
                    return name
            except UnknownNationError:
                pass
            return key

        values = {
            "kind": e.kind.value,
            "title": e.title,
            "start": str(e.start),
            "end": str(e.end) if e.end else "",
            "host": shown(e.host),
            "location": e.location or "",
            "programme": e.programme or "",
            "objectives": "\n".join(e.objectives),
            "description": e.description or "",
            "releasability": str(e.releasability),
        }
        rows = [
            ParticipantRow(
                shown(p.nation),
                "" if p.role is ParticipantRole.PARTICIPANT else p.role.value,
                "" if p.personnel is None else str(p.personnel),
            )
            for p in e.participants
        ]
        return cls(values=values, participants=rows, version=stored.version)

    def rows(self, extra: int = 1) -> list[ParticipantRow]:
        """The rows to show: those filled in, then empty ones (at least three rows in all)."""
        return shown_rows(self.participants, extra)

    def known_fields(self) -> list[str]:
        """The fields the form shows, each participant row's included."""
        rows = [
            f"participants.{i}.{column}"
            for i in range(len(self.rows()))
            for column in ("nation", "role", "personnel")
        ]
        return [*ENGAGEMENT_FIELDS, "participants", *rows]

    def summary(self, problems: Sequence[FieldProblem]) -> list[tuple[str, str, str]]:
        """The problems for the top of the form, in the order the fields come.

        Returns:
            For each problem: the id of its input, the field's label and the problem in words.
        """
        known = self.known_fields()
        ordered = sorted(problems, key=lambda p: _place(p.field))
        return [(_input_id(p.field, known), _label(p.field), problem_text(p)) for p in ordered]

    def checked(self, locale: str = "en") -> dict[str, Any]:
        """The record of the form, with nations resolved to keys; every problem found at once.

        Args:
            locale: How the user writes numbers (personnel "1,200" in ``en``).

        Raises:
            ValidationError: With the problems of the form, of the nations it names, and of the
                other fields (so that the user fixes everything in one go).
        """
        record, problems = self.to_record(locale)
        try:
            record = resolve_nations(record)
        except ValidationError as error:
            problems = merge_problems(problems, [for_the_web(p) for p in error.problems])
        if problems:
            raise ValidationError(
                merge_problems(problems, _other_problems(record, problems)), "engagement"
            )
        return record

    def to_record(self, locale: str = "en") -> tuple[dict[str, Any], list[FieldProblem]]:
        """The record to validate (nations still as typed), and the problems the form alone shows.

        Blank optional fields become None; objectives are read one per line.
        """
        v = self.values
        problems: list[FieldProblem] = []
        if not v.get("kind"):
            problems.append(FieldProblem("kind", "choose a kind"))
        if not v.get("start"):
            problems.append(FieldProblem("start", "give a date: YYYY, YYYY-MM or YYYY-MM-DD"))
        participants = []
        for index, row in enumerate(self.participants):
            entry: dict[str, Any] = {"nation": row.nation}
            if not row.nation:
                problems.append(FieldProblem(f"participants.{index}.nation", "name a nation"))
            if row.role:
                entry["role"] = row.role
            if row.personnel:
                number = read_number(row.personnel, locale)
                if number is not None and number >= 0 and number == number.to_integral_value():
                    entry["personnel"] = int(number)
                else:
                    problems.append(
                        FieldProblem(
                            f"participants.{index}.personnel",
                            "must be a whole number, 0 or more, e.g. 1,200",
                            row.personnel,
                        )
                    )
            participants.append(entry)

        def optional(name: str) -> str | None:
            return v.get(name) or None

        record: dict[str, Any] = {
            "kind": optional("kind"),
            "title": v.get("title", ""),
            "start": optional("start"),
            "end": optional("end"),
            "host": optional("host"),
            "participants": participants,
            "location": optional("location"),
            "programme": optional("programme"),
            "objectives": _lines(v.get("objectives", "")),
            "description": optional("description"),
            "releasability": v.get("releasability") or "PUBLIC",
        }
        if v.get("sources"):
            record["sources"] = [{"url": v["sources"]}]
        return record, problems


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def merge_problems(*groups: Sequence[FieldProblem]) -> list[FieldProblem]:
    """The problems of several checks, each (field, reason) once, in order."""
    seen: set[tuple[str, str]] = set()
    merged = []
    for group in groups:
        for problem in group:
            if (problem.field, problem.reason) not in seen:
                seen.add((problem.field, problem.reason))
                merged.append(problem)
    return merged


_LABELS = {
    "kind": "Kind",
    "title": "Title",
    "start": "Start",
    "end": "End",
    "host": "Host",
    "location": "Location",
    "programme": "Programme",
    "objectives": "Objectives",
    "description": "Description",
    "releasability": "Releasability",
    "participants": "Participants",
    "version": "Version",
    "sources": "Source",
}
_FORM_ORDER = {
    name: index
    for index, name in enumerate(
        (
            "kind",
            "title",
            "start",
            "end",
            "host",
            "location",
            "participants",
            "programme",
            "releasability",
            "objectives",
            "description",
            "sources",
        )
    )
}
_COLUMNS = {"nation": "nation", "role": "role", "personnel": "personnel"}


def _label(name: str) -> str:
    """A field's name as the form labels it: ``participants.0.nation`` -> Participant 1 nation."""
    parts = name.split(".")
    if parts[0] == "participants" and len(parts) >= 3 and is_whole(parts[1]):
        return f"Participant {int(parts[1]) + 1} {_COLUMNS.get(parts[2], parts[2])}"
    return _LABELS.get(parts[0], name)


def _place(name: str) -> tuple[int, int, str]:
    """Where a field comes in the form, to list problems in the order the user meets them."""
    parts = name.split(".")
    row = int(parts[1]) if len(parts) > 2 and is_whole(parts[1]) else -1
    return _FORM_ORDER.get(parts[0], 99), row, ".".join(parts[2:])


def _input_id(name: str, known: list[str]) -> str:
    """The id of the input a problem is about (the closest field the form shows)."""
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    if name not in known:
        return "engagement-form"
    if name == "participants":
        return "participants"
    return "field-" + name.replace(".", "-")


def for_the_web(problem: FieldProblem) -> FieldProblem:
    """The problem with the resolver's hint for the command line put for a page."""
    # The resolver's hint names a CLI command; on a page, the list of names is at hand.
    reason = problem.reason.replace(
        "Run `comity nations --search TEXT` to look it up.",
        "pick a name from the list, or give an ISO or CoW code.",
    )
    return FieldProblem(problem.field, reason, problem.value)


def _other_problems(record: dict[str, Any], found: list[FieldProblem]) -> list[FieldProblem]:
    """Problems of the fields other than the nations, on fields not already in ``found``."""
    probe = {**record, "host": None, "participants": [{"nation": "AAA"}]}
    try:
        validate_engagement(probe)
    except ValidationError as error:
        taken = {p.field.split(".")[0] for p in found}
        return [
            p
            for p in error.problems
            if p.field.split(".")[0] not in taken | {"host", "participants"}
        ]
    return []
