"""The plan form: the same participants as the engagement form, numbers as people type them.

Like :class:`~comity.web.forms.EngagementForm`, it keeps what the user typed and reports every
problem at once: the rows of the participants, the budget read in the user's locale
("12,500", "12 500", "12.500,50" in German), the nations they name, and the other fields. The
``shared`` checkbox marks a plan for the partner installations that may read it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from comity.errors import FieldProblem, ValidationError
from comity.model.engagements import ParticipantRole
from comity.model.numbers import is_whole
from comity.model.plans import Plan
from comity.model.validation import validate_record
from comity.services import plans as plan_service
from comity.store.plans import StoredPlan
from comity.web.forms import (
    ParticipantRow,
    for_the_web,
    merge_problems,
    participant_rows,
    problem_text,
    read_number,
    shown_rows,
    text_of,
)

__all__ = ["PLAN_FIELDS", "PlanForm", "on_form"]

PLAN_FIELDS = (
    "title",
    "kind",
    "start",
    "end",
    "location",
    "objectives",
    "budget_amount",
    "budget_currency",
    "releasability",
)
"""The plan fields a form edits, as text (agencies and ``shared`` come as checkboxes)."""
_LABELS = {
    "title": "Title",
    "kind": "Kind",
    "start": "Start",
    "end": "End",
    "participants": "Participants",
    "objectives": "Objectives",
    "location": "Location",
    "budget": "Budget",
    "agencies": "Agencies",
    "releasability": "Releasability",
    "shared": "Share with partner installations",
    "version": "Version",
}
_ORDER = {name: index for index, name in enumerate(_LABELS)}
_COLUMNS = ("nation", "role", "personnel")


@dataclass
class PlanForm:
    """The plan form as the user filled it in.

    Attributes:
        values: Each field of :data:`PLAN_FIELDS`, as text.
        agencies: The agencies ticked.
        participants: The participant rows typed (empty rows dropped).
        version: The version the user opened (edits only).
        shared: Whether the plan is to travel to partner installations that may read it.
    """

    values: dict[str, str] = field(default_factory=dict)
    agencies: list[str] = field(default_factory=list)
    participants: list[ParticipantRow] = field(default_factory=list)
    version: int | None = None
    shared: bool = False

    @classmethod
    def from_form(cls, form: FormData) -> PlanForm:
        """Read a submitted form (participants come as repeated ``participant_*`` fields)."""
        version = text_of(form, "version")
        return cls(
            values={name: text_of(form, name) for name in PLAN_FIELDS},
            agencies=[str(a) for a in form.getlist("agencies")][:10],
            participants=participant_rows(form),
            version=int(version) if is_whole(version) else None,
            shared=bool(text_of(form, "shared")),
        )

    @classmethod
    def new(cls, nation: str | None) -> PlanForm:
        """An empty form: an exercise, releasable to the planner's own nation."""
        return cls(values={"kind": "exercise", "releasability": _own(nation)})

    @classmethod
    def from_stored(cls, stored: StoredPlan, names: Mapping[str, str]) -> PlanForm:
        """The form of a stored plan, partners by name."""
        p = stored.plan
        values = {
            "title": p.title,
            "kind": p.kind.value,
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
            "location": p.location or "",
            "objectives": "\n".join(p.objectives),
            "budget_amount": f"{p.budget.amount:,}" if p.budget else "",
            "budget_currency": p.budget.currency if p.budget else "",
            "releasability": str(p.releasability),
        }
        rows = [
            ParticipantRow(
                names.get(q.nation, q.nation),
                "" if q.role is ParticipantRole.PARTICIPANT else q.role.value,
                "" if q.personnel is None else f"{q.personnel:,}",
            )
            for q in p.partners
        ]
        return cls(values, [a.value for a in p.agencies], rows, stored.version, p.shared)

    def rows(self, extra: int = 1) -> list[ParticipantRow]:
        """The rows to show: those filled in, then empty ones (at least three rows in all)."""
        return shown_rows(self.participants, extra)

    def known_fields(self) -> list[str]:
        """The fields the form shows a message beside, each participant row's included."""
        rows = [
            f"participants.{i}.{column}"
            for i in range(len(self.rows()))
            for column in ("nation", "role", "personnel")
        ]
        return [*_LABELS, *rows]

    def summary(self, problems: Sequence[FieldProblem]) -> list[tuple[str, str, str]]:
        """For the top of the form: the id of each problem's input, its label, the problem."""
        known = self.known_fields()
        return [
            (_input_id(p.field, known), _label(p.field), problem_text(p))
            for p in sorted(problems, key=lambda p: _place(p.field))
        ]

    def checked(self, locale: str = "en") -> dict[str, Any]:
        """The plan's record, partners resolved to keys; every problem of the form at once.

        Args:
            locale: How the user writes numbers (a babel locale such as ``en`` or ``de``).

        Raises:
            ValidationError: With the problems of the rows, the budget, the nations named and
                the other fields, on the form's field names (``participants.N.nation``).
        """
        record, problems = self._record(locale)
        try:
            record = plan_service.resolve_partners(record)
        except ValidationError as error:
            problems = merge_problems(problems, [on_form(p) for p in error.problems])
        others = _other_problems(record, problems)
        if problems or others:
            raise ValidationError(merge_problems(problems, others), "plan")
        return record

    def _record(self, locale: str) -> tuple[dict[str, Any], list[FieldProblem]]:
        v = self.values
        problems: list[FieldProblem] = [
            FieldProblem(name, "is required: give the day")
            for name in ("start", "end")
            if not v.get(name)
        ]
        partners = []
        for index, row in enumerate(self.participants):
            entry: dict[str, Any] = {"nation": row.nation}
            if not row.nation:
                problems.append(FieldProblem(f"participants.{index}.nation", "name a nation"))
            if row.role:
                entry["role"] = row.role
            if row.personnel:
                number = read_number(row.personnel, locale)
                if number is None or number != number.to_integral_value() or number < 0:
                    problems.append(
                        FieldProblem(
                            f"participants.{index}.personnel",
                            "must be a whole number, 0 or more, e.g. 1,200",
                            row.personnel,
                        )
                    )
                else:
                    entry["personnel"] = int(number)
            partners.append(entry)
        if not partners:
            problems.append(FieldProblem("participants", "name at least one nation"))
        amount_text, currency = v.get("budget_amount", ""), v.get("budget_currency", "")
        budget: dict[str, Any] | None = None
        if amount_text or currency:
            amount = read_number(amount_text, locale) if amount_text else None
            if amount_text and amount is None:
                problems.append(
                    FieldProblem("budget", "the amount must be a number, e.g. 12,500", amount_text)
                )
            elif not amount_text:
                problems.append(FieldProblem("budget", "give the amount as well as the currency"))
            elif not currency:
                problems.append(FieldProblem("budget", "give its currency, e.g. USD or EUR"))
            budget = {"amount": amount if amount is not None else "0", "currency": currency.upper()}
        record = {
            "title": v.get("title", ""),
            "kind": v.get("kind") or None,
            "start": v.get("start") or None,
            "end": v.get("end") or None,
            "location": v.get("location") or None,
            "objectives": [o.strip() for o in v.get("objectives", "").splitlines() if o.strip()],
            "partners": partners,
            "agencies": self.agencies,
            "budget": budget,
            "releasability": v.get("releasability") or None,
            "shared": self.shared,
        }
        return record, problems


def _own(nation: str | None) -> str:
    return f"REL {nation}" if nation else "PUBLIC"


def on_form(problem: FieldProblem) -> FieldProblem:
    """A problem of the record on the form's field: ``partners.0.nation`` -> ``participants.0``."""
    name = problem.field
    if name == "partners" or name.startswith("partners."):
        name = "participants" + name.removeprefix("partners")
    return for_the_web(FieldProblem(name, problem.reason, problem.value))


def _other_problems(record: dict[str, Any], found: list[FieldProblem]) -> list[FieldProblem]:
    """The record's problems on fields the form's own checks did not already report."""
    partners = list(record.get("partners") or [])
    if any(p.field.startswith("participants") for p in found):
        # Nations not resolved yet: distinct well-formed keys stand in for them.
        partners = [
            {**p, "nation": _placeholder(i)} if isinstance(p, dict) else p
            for i, p in enumerate(partners)
        ]
    probe = {**record, "partners": partners or [{"nation": _placeholder(0)}]}
    if any(p.field == "budget" for p in found):
        probe["budget"] = None
    try:
        validate_record(Plan, probe, "plan")
    except ValidationError as error:
        taken = {p.field.split(".")[0] for p in found}
        return [on_form(p) for p in error.problems if on_form(p).field.split(".")[0] not in taken]
    return []


def _placeholder(index: int) -> str:
    """A well-formed nation key no registry holds (QAA, QAB, ...), one a row."""
    return "Q" + chr(65 + index // 26 % 26) + chr(65 + index % 26)


def _label(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "participants" and len(parts) >= 3 and is_whole(parts[1]):
        return f"Participant {int(parts[1]) + 1} {parts[2]}"
    return _LABELS.get(parts[0], name)


def _place(name: str) -> tuple[int, int, int]:
    parts = name.split(".")
    row = int(parts[1]) if len(parts) > 2 and is_whole(parts[1]) else -1
    column = _COLUMNS.index(parts[2]) if len(parts) > 2 and parts[2] in _COLUMNS else -1
    return _ORDER.get(parts[0], 99), row, column


def _input_id(name: str, known: list[str]) -> str:
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    if name not in known:
        return "plan-form"
    if name in ("participants", "agencies"):
        return name
    if name == "budget":
        return "field-budget_amount"
    return "field-" + name.replace(".", "-")
