"""From a draft to an engagement record: the reviewer's changes, checked, and the record built.

A draft keeps what extraction proposed (``Draft.to_dict()``); a reviewer's changes are checked
field by field (:func:`check_changes`) and kept beside it as edits; :func:`current_values` lays
the edits over the proposal, and :func:`engagement_record` turns the result into the fields of an
engagement, with the passage as its source and the nation's news as its provenance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

from comity.errors import FieldProblem, UnknownNationError, ValidationError
from comity.model.dates import PartialDate
from comity.model.engagements import ParticipantRole
from comity.model.numbers import MAX_PERSONNEL
from comity.model.vocabulary import EngagementKind
from comity.services.engagements import assign_host
from comity.services.registry import resolve_nation
from comity.store.ownership import dataset_key

__all__ = [
    "FIELDS",
    "NEWS",
    "check_changes",
    "current_values",
    "default_title",
    "draft_problems",
    "engagement_record",
    "news_key",
    "sentence_around",
]

FIELDS = (
    "kind",
    "title",
    "programme",
    "host",
    "participants",
    "start",
    "end",
    "personnel",
    "location",
)
"""The fields of a draft a reviewer may change."""
NEWS = "news-read"
"""The name of the dataset accepted drafts come from: news read by a nation (``FRA/news-read``).

A hyphen, which an import's name may not hold (``^[a-z][a-z0-9_]{1,49}$``), so that no import of
the nation's ever updates or removes the records it accepted from its queue."""

_KINDS = tuple(kind.value for kind in EngagementKind)
_ROLES = tuple(role.value for role in ParticipantRole)
_TEXTS = {"title": 300, "programme": 200, "location": 300}
_SENTENCE = 400
"""The most characters quoted from a passage as a source's document."""


def news_key(owner: str | None) -> str:
    """The dataset key of the records a nation accepted from its queue (``FRA/news-read``)."""
    return dataset_key(owner, NEWS)


def current_values(draft: Mapping[str, Any], edits: Mapping[str, Any] | None) -> dict[str, Any]:
    """The draft's values with the reviewer's edits laid over them.

    Args:
        draft: The draft's JSON form (``Draft.to_dict()``).
        edits: The reviewer's changes (field -> value), if any.

    Returns:
        One entry per field of :data:`FIELDS`; ``participants`` as ``nation``, ``role`` and
        ``personnel``, the host (when one is named) among them with the role host.
    """
    values: dict[str, Any] = {name: draft.get(name) for name in FIELDS}
    values["participants"] = [
        {
            "nation": p["nation"],
            "role": p.get("role") or "participant",
            "personnel": p.get("personnel"),
        }
        for p in draft.get("roles", ())
    ]
    values.update(edits or {})
    if values["host"]:
        values["participants"] = [
            {"nation": p["nation"], "role": p["role"], "personnel": p.get("personnel")}
            for p in assign_host(values["participants"], values["host"])
        ]
    return values


def check_changes(changes: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Check a reviewer's changes to a draft; return them as they are kept.

    Dates are kept as ISO text at their precision, nations as keys (any name or code is read,
    for the draft's start year), a participant given by its nation alone keeps the role and
    personnel it had.

    Args:
        changes: Field -> new value, for fields of :data:`FIELDS` (None clears a field but the
            kind, the start and the participants).
        current: The draft's values now (:func:`current_values`).

    Raises:
        ValidationError: Naming every field that is wrong (its subject ``draft``).
    """
    problems: list[FieldProblem] = []
    checked: dict[str, Any] = {}
    if not changes:
        problems.append(FieldProblem("changes", f"name a field to change: {', '.join(FIELDS)}"))
    for name in sorted(set(changes) - set(FIELDS)):
        problems.append(
            FieldProblem(name, f"is not a field of a draft; its fields: {', '.join(FIELDS)}")
        )
    _check_dates(changes, current, checked, problems)
    start = _parsed(checked.get("start", current.get("start")))
    year = start.year if start is not None else None
    if "kind" in changes:
        _check_kind(changes["kind"], checked, problems)
    for name, limit in _TEXTS.items():
        if name in changes:
            _check_text(name, changes[name], limit, checked, problems)
    if "host" in changes:
        value = changes["host"]
        checked["host"] = None if _blank(value) else _nation(value, "host", year, problems)
    if "participants" in changes:
        _check_participants(changes["participants"], current, year, checked, problems)
    if "personnel" in changes:
        checked["personnel"] = _personnel(changes["personnel"], "personnel", problems)
    if problems:
        # In the order of the fields, whatever order they were checked in.
        order = {name: index for index, name in enumerate(FIELDS)}
        problems.sort(key=lambda p: order.get(p.field.split(".")[0], -1))
        raise ValidationError(problems, "draft")
    return checked


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parsed(value: Any) -> PartialDate | None:
    if _blank(value):
        return None
    try:
        return PartialDate.parse(str(value).strip())
    except (pydantic.ValidationError, ValueError):
        return None


def _check_dates(
    changes: Mapping[str, Any],
    current: Mapping[str, Any],
    checked: dict[str, Any],
    problems: list[FieldProblem],
) -> None:
    for name in ("start", "end"):
        if name not in changes:
            continue
        value = changes[name]
        if _blank(value):
            if name == "start":
                problems.append(FieldProblem("start", "is required: give the day, month or year"))
            else:
                checked["end"] = None
            continue
        parsed = _parsed(value)
        if parsed is None:
            problems.append(
                FieldProblem(name, "is not a date: write YYYY, YYYY-MM or YYYY-MM-DD", str(value))
            )
        else:
            checked[name] = parsed.isoformat()
    if not ({"start", "end"} & set(checked)):
        return
    start = _parsed(checked.get("start", current.get("start")))
    end = _parsed(checked.get("end", current.get("end")))
    if start is not None and end is not None and end.last_day < start.first_day:
        problems.append(FieldProblem("end", f"is before the start ({start})", str(end)))


def _check_kind(value: Any, checked: dict[str, Any], problems: list[FieldProblem]) -> None:
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in _KINDS:
        checked["kind"] = text
        return
    known = ", ".join(_KINDS)
    shown = None if value is None else str(value)
    problems.append(
        FieldProblem("kind", f"is not a kind of engagement; known kinds: {known}", shown)
    )


def _check_text(
    name: str, value: Any, limit: int, checked: dict[str, Any], problems: list[FieldProblem]
) -> None:
    if _blank(value):
        checked[name] = None
    elif not isinstance(value, str):
        problems.append(FieldProblem(name, "must be text", str(value)))
    elif len(value.strip()) > limit:
        problems.append(FieldProblem(name, f"at most {limit} characters", value[:40] + "..."))
    else:
        checked[name] = value.strip()


def _nation(value: Any, field: str, year: int | None, problems: list[FieldProblem]) -> str | None:
    if not isinstance(value, str):
        problems.append(FieldProblem(field, "must be a nation's name or code", str(value)))
        return None
    try:
        return resolve_nation(value.strip(), year=year).iso3
    except UnknownNationError as error:
        reason = "unknown nation" + (f"; {error.hint}" if error.hint else "")
        problems.append(FieldProblem(field, reason, value))
        return None


def _personnel(value: Any, field: str, problems: list[FieldProblem]) -> int | None:
    if _blank(value):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > MAX_PERSONNEL:
        problems.append(
            FieldProblem(field, f"must be a whole number from 0 to {MAX_PERSONNEL:,}", text)
        )
        return None
    return int(text)


def _check_participants(
    value: Any,
    current: Mapping[str, Any],
    year: int | None,
    checked: dict[str, Any],
    problems: list[FieldProblem],
) -> None:
    if not isinstance(value, list | tuple) or not value:
        problems.append(FieldProblem("participants", "at least one nation takes part"))
        return
    before = {p["nation"]: p for p in current.get("participants") or ()}
    result: list[dict[str, Any]] = []
    count = len(problems)
    for index, item in enumerate(value):
        field = f"participants.{index}"
        entry = {"nation": item} if isinstance(item, str) else item
        if not isinstance(entry, Mapping):
            problems.append(FieldProblem(field, "must be a nation, or its nation, role, personnel"))
            continue
        key = _nation(entry.get("nation"), f"{field}.nation", year, problems)
        if key is None:
            continue
        had = before.get(key, {})
        role = str(entry.get("role") or had.get("role") or "participant")
        if role not in _ROLES:
            problems.append(FieldProblem(f"{field}.role", f"must be {', '.join(_ROLES)}", role))
        personnel = (
            _personnel(entry["personnel"], f"{field}.personnel", problems)
            if entry.get("personnel") is not None
            else had.get("personnel")
        )
        if key in {p["nation"] for p in result}:
            problems.append(FieldProblem(field, f"{key} is listed more than once", key))
        result.append({"nation": key, "role": role, "personnel": personnel})
    if len(problems) == count:
        checked["participants"] = result


def default_title(kind: str, nations: Sequence[str], start: str) -> str:
    """A title for a draft whose passage names none: ``Exercise PHL-USA 2024``."""
    named = "-".join(nations[:4]) + (" and others" if len(nations) > 4 else "")
    return f"{kind.replace('_', ' ').capitalize()} {named} {start[:4]}".replace("  ", " ")


# Ends of sentences: a full stop, question or exclamation mark before a space, or a line break.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]\.?")
_SHORTENED = frozenset(
    "adm capt cdr cmdr col dr gen gov jr lt maj mr mrs ms no pres prof rep sen sgt sr st vs".split()
)


def _ends_sentence(text: str, boundary: re.Match[str]) -> bool:
    """Whether a boundary ends a sentence (``U.S. Navy`` and ``Gen. Smith`` do not)."""
    if boundary.group().startswith("\n"):
        return True
    word = text[: boundary.start()].rsplit(maxsplit=1)[-1].strip("\"'()[]")
    if not word.endswith("."):
        return True
    stem = word.rstrip(".")
    return not (_ABBREVIATION.fullmatch(word) or stem.lower() in _SHORTENED)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding ``text[start:end]`` (its middle when very long)."""
    begin, stop = 0, len(text)
    for boundary in _BOUNDARY.finditer(text):
        if not _ends_sentence(text, boundary):
            continue
        if boundary.end() <= start:
            begin = boundary.end()
        elif boundary.start() >= end:
            stop = boundary.start()
            break
    sentence = text[begin:stop].strip()
    if len(sentence) <= _SENTENCE:
        return sentence
    middle = (start + end) // 2 - begin
    first = max(0, min(middle - _SENTENCE // 2, len(sentence) - _SENTENCE))
    return "..." + sentence[first : first + _SENTENCE].strip() + "..."


def _quoted(draft: Mapping[str, Any]) -> str | None:
    """The sentence the kind was read from (else the title's, else the passage's first)."""
    text = draft["passage"]["text"] or ""
    for name in ("kind", "title", "programme"):
        span = (draft.get("fields") or {}).get(name, {}).get("span")
        if span:
            return sentence_around(text, span[0], span[1]) or None
    return sentence_around(text, 0, 0) or None


def _source(draft: Mapping[str, Any]) -> dict[str, Any] | None:
    passage = draft["passage"]
    sentence = _quoted(draft)
    publisher = passage.get("publisher")
    quoted = f'"{sentence}"' if sentence else None
    document = ": ".join(part for part in (publisher, quoted) if part) or None
    if not (passage.get("url") or document):
        return None
    return {"url": passage.get("url"), "document": document}


def engagement_record(
    draft_id: int,
    draft: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    owner: str | None,
    releasability: str,
) -> dict[str, Any]:
    """The fields of the engagement a draft becomes.

    The title defaults to the kind, the nations and the year; the passage is the one source
    (its URL, and its publisher with the sentence the kind was read from); the provenance is the
    nation's news (:func:`news_key`), the row the draft's id. The personnel the passage gives in
    all, which no participant's figure holds, is said in the description.

    Raises:
        ValidationError: When the draft lacks a kind, a start or a nation taking part.
    """
    problems = []
    if not values.get("kind"):
        problems.append(FieldProblem("kind", "is missing: the draft proposes no engagement"))
    if not values.get("start"):
        problems.append(FieldProblem("start", "is missing: give the day, month or year"))
    if not values.get("participants"):
        problems.append(FieldProblem("participants", "at least one nation takes part"))
    if problems:
        raise ValidationError(
            problems, f"draft {draft_id}", hint=f"Change it with `comity drafts edit {draft_id}`."
        )
    participants = [
        {k: v for k, v in p.items() if v is not None and k in ("nation", "role", "personnel")}
        for p in values["participants"]
    ]
    nations = [p["nation"] for p in participants]
    source = _source(draft)
    personnel = values.get("personnel")
    described = (
        f"Personnel in all: {personnel:,}, as the source says."
        if personnel is not None and all(p.get("personnel") is None for p in participants)
        else None
    )
    version = draft.get("model_version") or None
    return {
        "kind": values["kind"],
        "title": values.get("title") or default_title(values["kind"], nations, values["start"]),
        "start": values["start"],
        "end": values.get("end"),
        "host": values.get("host"),
        "participants": participants,
        "location": values.get("location"),
        "programme": values.get("programme"),
        "description": described,
        "sources": [source] if source else [],
        "releasability": releasability,
        "provenance": {
            "dataset": news_key(owner),
            "version": version[:64] if version else None,
            "row": str(draft_id),
        },
    }


def draft_problems(error: ValidationError, draft_id: int) -> ValidationError:
    """The problems of the engagement a draft became, named by the draft's fields."""

    def field(name: str) -> str:
        if name.startswith("sources."):
            return "passage.url" if name.endswith(".url") else "passage"
        if name == "description":
            return "personnel"
        return name

    return ValidationError(
        [FieldProblem(field(p.field), p.reason, p.value) for p in error.problems],
        f"draft {draft_id}",
        hint=f"Change it with `comity drafts edit {draft_id}`, or reject it.",
    )
