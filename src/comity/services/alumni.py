"""Use cases of alumni: record attendances and career steps, import them, and the figures.

Imports are all-or-nothing: every row is checked first (its fields, its nation, its person),
problems are reported together naming row and field, and nothing is written unless all rows
pass. A row names its person by ``person_id``, or by ``person`` and ``nation``: a name not yet
recorded for that nation is added as a new person (with the row's releasability).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.analytics.alumni import create_alumni_figures
from comity.errors import ComityError, FieldProblem, ValidationError
from comity.model.alumni import Attendance, CareerStep
from comity.model.people import Person
from comity.model.validation import validate_record
from comity.services.engagements import check_release, require
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import alumni as alumni_store
from comity.store import nations as nation_store
from comity.store import people as people_store
from comity.store.audit import append_audit
from comity.store.ownership import owner_of

__all__ = ["add_attendance", "add_career_step", "alumni_report", "import_alumni"]

_MODELS: dict[str, type[Attendance] | type[CareerStep]] = {
    "attendance": Attendance,
    "career": CareerStep,
}


def _write(connection: Any, kind: str, record: Any, viewer: Viewer) -> int:
    if kind == "attendance":
        new_id = alumni_store.add_attendance(connection, record, viewer)
        entity = "attendance"
    else:
        new_id = alumni_store.add_career_step(connection, record, viewer)
        entity = "career_step"
    append_audit(
        connection, viewer.name, "create", entity, new_id, None, record.model_dump(mode="json")
    )
    return new_id


def _add(store: Store, kind: str, data: Mapping[str, Any], viewer: Viewer) -> int:
    require(viewer, Role.PLANNER, f"record {kind}s")
    record = validate_record(_MODELS[kind], data, kind)
    check_release(viewer, record, kind)
    with store.transaction() as connection:
        return _write(connection, kind, record, viewer)


def add_attendance(store: Store, data: Mapping[str, Any], viewer: Viewer) -> int:
    """Validate and store an attendance of an education programme; returns its id.

    Raises:
        ValidationError: For a bad field.
        NotFoundError: When the person (or engagement) is not visible to the viewer.
    """
    return _add(store, "attendance", data, viewer)


def add_career_step(store: Store, data: Mapping[str, Any], viewer: Viewer) -> int:
    """Validate and store a career step (promotion or appointment); returns its id.

    Raises:
        ValidationError: For a bad field (seniority outside the vocabulary).
        NotFoundError: When the person is not visible to the viewer.
    """
    return _add(store, "career", data, viewer)


def _person_of(
    connection: Any,
    viewer: Viewer,
    row: dict[str, Any],
    number: int,
    problems: list[FieldProblem],
    known: set[str],
) -> int | None:
    if row.get("person_id"):
        try:
            return int(row["person_id"])
        except ValueError:
            problems.append(
                FieldProblem(f"row {number}.person_id", "not a number", row["person_id"])
            )
            return None
    name, nation = (row.get("person") or "").strip(), (row.get("nation") or "").strip()
    if not name or not nation:
        problems.append(
            FieldProblem(f"row {number}.person", "give person_id, or person and nation")
        )
        return None
    try:
        key = resolve_nation(nation).iso3
    except ComityError as error:
        problems.append(FieldProblem(f"row {number}.nation", error.message, nation))
        return None
    if key not in known:
        problems.append(FieldProblem(f"row {number}.nation", "unknown nation", key))
        return None
    found = alumni_store.find_person(connection, viewer, name, key)
    if found is not None:
        return found
    person = Person(name=name, nation=key, releasability=row.get("releasability") or "PUBLIC")
    check_release(viewer, person, "person")
    new_id = people_store.add_person(connection, person, viewer.name, owner_of(viewer))
    append_audit(
        connection, viewer.name, "create", "person", new_id, None, person.model_dump(mode="json")
    )
    return new_id


def import_alumni(store: Store, viewer: Viewer, text: str, kind: str) -> int:
    """Import attendances (``kind="attendance"``) or career steps (``"career"``) from CSV text.

    Columns: attendance: person_id | person + nation, programme, institution, start, end,
    releasability; career: person_id | person + nation, date, rank, position, seniority,
    releasability. Returns the number of rows written.

    Raises:
        ValidationError: Naming every bad row and field; nothing is written.
    """
    require(viewer, Role.PLANNER, f"import {kind} records")
    if kind not in _MODELS:
        raise ValidationError([FieldProblem("kind", "must be attendance or career", kind)])
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise ValidationError([FieldProblem("file", "no rows under the header")], "import")
    problems: list[FieldProblem] = []
    with store.transaction() as connection:
        known = set(nation_store.load_nations(connection))
        records = []
        for number, raw in enumerate(rows, start=1):
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
            person_id = _person_of(connection, viewer, row, number, problems, known)
            data = {k: v for k, v in row.items() if v and k not in ("person", "nation")}
            data["person_id"] = person_id
            try:
                record = validate_record(_MODELS[kind], data, kind)
                check_release(viewer, record, kind)
                records.append(record)
            except ValidationError as error:
                problems.extend(
                    FieldProblem(f"row {number}.{p.field}", p.reason, p.value)
                    for p in error.problems
                    if person_id or p.field != "person_id"
                )
        if problems:
            raise ValidationError(problems, f"{kind} import", hint="Nothing was written.")
        for record in records:
            _write(connection, kind, record, viewer)
        return len(records)


def alumni_report(
    store: Store,
    viewer: Viewer,
    *,
    programme: str | None = None,
    nation: str | None = None,
    by: str = "programme",
) -> list[dict[str, Any]]:
    """Alumni figures per programme or per nation, from what the viewer may see.

    Raises:
        ValidationError: When ``by`` is neither programme nor nation.
        UnknownNationError: When ``nation`` does not resolve.
    """
    if by not in ("programme", "nation"):
        raise ValidationError([FieldProblem("by", "must be programme or nation", by)], "query")
    key = resolve_nation(nation).iso3 if nation else None
    with store.connect() as connection:
        rows = alumni_store.read_attendances(connection, viewer, programme=programme, nation=key)
        steps = alumni_store.read_career_steps(connection, viewer)
    return [asdict(f) for f in create_alumni_figures(rows, steps, by=by)]
