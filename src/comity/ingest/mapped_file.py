"""The generic importer: a user's CSV, TSV, JSON or Parquet file, described by a TOML mapping.

Files can hold millions of participation rows, so the rules of :mod:`comity.model.engagements`
are applied column by column here instead of building one validated model object per record:
every distinct value (a date, a nation name, a kind) is parsed once, rows are grouped into
engagements by their id, and each engagement is checked with the same rules and the same
wording as the model (the test suite checks the two agree on random inputs). The records come
out as :class:`~comity.model.prepared.PreparedEngagement`, with the same content digest the model
gives, so a later import or an edit compares equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pydantic

from comity.ingest.base import Batch, DatasetInfo, ImportContext
from comity.ingest.mapping import Mapping
from comity.ingest.tabular import Columns, read_columns
from comity.model.dates import DatePrecision, PartialDate
from comity.model.details import Details
from comity.model.engagements import STANDING_KINDS, EngagementKind, existence_problem
from comity.model.measures import CoverageSpan
from comity.model.prepared import PreparedEngagement, digest_of, frozen
from comity.model.releasability import PUBLIC
from comity.model.validation import field_problems

__all__ = ["MappedFile"]

_ROLES = {"host", "participant", "observer"}
_DETAILS = pydantic.TypeAdapter(Details)
_Missing = object()


@dataclass(frozen=True, slots=True)
class _When:
    """A date as the reader uses it, worked out once per distinct text in the file."""

    text: str
    value: date
    precision: str
    first: date
    last: date
    year: int

    @classmethod
    def of(cls, parsed: PartialDate) -> _When:
        return cls(str(parsed), parsed.value, parsed.precision.value, parsed.first_day,
                   parsed.last_day, parsed.year)  # fmt: skip


class _Cache:
    """Parse each distinct text once; remember the result or the reason it failed."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self._parse = parse
        self._seen: dict[Any, tuple[Any, str | None]] = {}

    def get(self, text: Any) -> tuple[Any, str | None]:
        found = self._seen.get(text, _Missing)
        if found is _Missing:
            try:
                found = (self._parse(text), None)
            except (ValueError, pydantic.ValidationError) as error:
                found = (None, _reason(error))
            self._seen[text] = found
        return found  # type: ignore[return-value]


def _reason(error: Exception) -> str:
    if isinstance(error, pydantic.ValidationError):
        return "; ".join(p.reason for p in field_problems(error))
    return str(error)


def _clean(text: Any) -> str | None:
    if text is None:
        return None
    stripped = str(text).strip()
    return stripped or None


class MappedFile:
    """An importer built from a mapping.

    Args:
        mapping: The checked mapping file.
    """

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.extra_names = dict(mapping.names)
        section = mapping.dataset
        self.info = DatasetInfo(
            name=section.name,
            title=section.title or section.name,
            files=(),
            citation=section.citation or "",
            licence=section.licence or "",
            version=section.version or "",
            becomes="engagements from your own file",
        )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read, check and prepare every file's engagements."""
        batch = Batch()
        years: list[int] = []
        m = self.mapping
        for path in paths:
            columns = read_columns(
                path, context, wanted=m.used_columns(),
                file_format=m.dataset.format, delimiter=m.dataset.delimiter,
            )  # fmt: skip
            if columns is None:
                continue
            batch.rows_read += columns.rows
            _Reader(m, self.info.name, path.name, columns, context).run(batch, years)
            context.advance(columns.rows)
        if years:
            batch.coverage.append(
                CoverageSpan(self.info.name, min(years), max(years), note="years with records")
            )
        return batch


class _Reader:
    """One file's rows turned into prepared engagements."""

    def __init__(
        self, mapping: Mapping, dataset: str, file: str, columns: Columns, context: ImportContext
    ) -> None:
        self.m = mapping
        self.dataset = dataset
        self.file = file
        self.cols = columns
        self.context = context
        fmt = mapping.dates.format
        self.dates = _Cache(lambda t: _When.of(_parse_date(t, fmt)))
        self.kinds = _Cache(EngagementKind)
        self.numbers = _Cache(float)
        self.personnel = _Cache(_count)
        self.details = _Cache(_validate_details)
        self.nations: dict[tuple[str, int], str | None] = {}
        self.alive: dict[tuple[str, date, date | None], str | None] = {}
        self.releasability = mapping.constants.releasability or PUBLIC
        # Columns trimmed in bulk once; the description is kept as written. Columns read on every
        # row are turned into Python values now; those of the engagement, only at each first row.
        p = mapping.participants
        per_row = {mapping.columns.id, p.nation, p.role, p.personnel} if p.layout == "long" else {
            mapping.columns.id}  # fmt: skip
        self.data = {name: self.column(name) for name in mapping.used_columns() if name in per_row}
        self.at_head: dict[str, list[Any]] = {}
        self.position: dict[int, int] = {}

    def column(self, name: str, rows: list[int] | None = None) -> list[Any]:
        """A column's values, trimmed (the description as written), for ``rows`` or all rows."""
        if name == self.m.columns.description:
            array = self.cols.table.column(name)
        else:
            array = self.cols.cleaned_array(name)
        if rows is not None:
            import pyarrow as pa

            array = array.take(pa.array(rows, type=pa.int64()))
        values: list[Any] = array.to_pylist()
        return values

    def value(self, field: str | None, index: int) -> Any:
        if field is None:
            return None
        column = self.data.get(field)
        if column is not None:
            return column[index]
        position = self.position.get(index)
        if position is None:  # not the first row of its engagement: only problems ask
            return self.column(field, [index])[0]
        return self.at_head[field][position]

    def issue(self, index: int, column: str | None, reason: str, value: Any = None) -> None:
        self.context.issue(self.file, self.cols.line(index), reason, column=column, value=value)

    def nation(self, text: str, year: int, index: int, column: str) -> str | None:
        key = (text, year)
        known = self.nations.get(key)
        if known is not None:  # the common case, once per row: one lookup
            return known
        if key not in self.nations:
            self.nations[key] = self.context.resolve(
                text, file=self.file, row=self.cols.line(index), column=column,
                system=self.m.participants.code_system, year=year,
            )  # fmt: skip
        elif self.nations[key] is None:
            self.issue(index, column, "unknown nation (see the first problem with this name)", text)
        return self.nations[key]

    def groups(self) -> dict[str, list[int]]:
        ids = self.data[self.m.columns.id]
        groups: dict[str, list[int]] = {}
        for index, key in enumerate(ids):
            if key is None:
                self.issue(index, self.m.columns.id, "is empty: every row needs an id")
                continue
            groups.setdefault(key, []).append(index)
        if self.m.participants.layout == "list":
            for key, rows in groups.items():
                for index in rows[1:]:
                    self.issue(index, self.m.columns.id, f"repeats the id {key!r}: in the list "
                               "layout each engagement is one row")  # fmt: skip
        return groups

    def run(self, batch: Batch, years: list[int]) -> None:
        groups = self.groups()
        heads = [rows[0] for rows in groups.values()]
        self.position = {head: position for position, head in enumerate(heads)}
        self.at_head = {
            name: self.column(name, heads)
            for name in self.m.used_columns()
            if name not in self.data
        }
        rejected = self.inconsistent(groups)
        for key, rows in groups.items():
            if key in rejected:
                continue
            record = self.engagement(key, rows)
            if record is not None:
                batch.engagements.append(record)
                years.append(record.start_year)

    def inconsistent(self, groups: dict[str, list[int]]) -> set[str]:
        """Ids whose rows disagree on a field of the engagement (long layout)."""
        import pyarrow as pa

        if self.m.participants.layout != "long":
            return set()
        c = self.m.columns
        shared = [c.kind, c.title, c.start, c.end, c.host, c.location, c.latitude, c.longitude,
                  c.programme, c.description, *self.m.details.values()]  # fmt: skip
        heads = list(range(self.cols.rows))
        owner: dict[int, str] = {}
        for key, rows in groups.items():
            if len(rows) > 1:
                for index in rows[1:]:
                    heads[index] = rows[0]
                    owner[index] = key
        if not owner:
            return set()
        head_array = pa.array(heads, type=pa.int64())
        bad: set[str] = set()
        for field in dict.fromkeys(f for f in shared if f is not None):
            for index in self.cols.differing(field, head_array):
                if index not in owner:
                    continue
                line = self.cols.line(heads[index])
                self.issue(index, field, f"differs from line {line} of the same engagement",
                           self.value(field, index))  # fmt: skip
                bad.add(owner[index])
        return bad

    def engagement(self, key: str, rows: list[int]) -> PreparedEngagement | None:  # noqa: C901
        m, c, head = self.m, self.m.columns, rows[0]
        errors = self.context.issue_count
        kind: EngagementKind | None = m.constants.kind
        if c.kind is not None:
            kind, reason = self.kinds.get(self.value(c.kind, head))
            if reason:
                self.issue(head, c.kind, reason, self.value(c.kind, head))
        title = self.value(c.title, head) if c.title else key
        if title is None or len(title) > 300:
            self.issue(head, c.title, "a title of 1-300 characters is needed",
                       self.value(c.title, head))  # fmt: skip
        start: _When | None
        start, reason = self.dates.get(self.value(c.start, head))
        if reason or start is None:
            self.issue(head, c.start, reason or "is empty: a start date is needed",
                       self.value(c.start, head))  # fmt: skip
            return None
        end: _When | None = None
        end_text = self.value(c.end, head)
        if end_text is not None:
            end, reason = self.dates.get(end_text)
            if reason:
                self.issue(head, c.end, reason, end_text)
            elif end.last < start.first:
                self.issue(head, c.end, f"the end ({end.text}) is before the start "
                           f"({start.text})", end_text)  # fmt: skip
        year = start.year
        host_text = self.value(c.host, head)
        host = self.nation(host_text, year, head, c.host or "host") if host_text else None
        participants = self.participants(rows, year, host)
        if self.context.issue_count == errors:
            # Checked only when every nation resolved: no second problem from the first.
            host = self.check_host(head, host, participants, c.host)
        if kind is None or participants is None or self.context.issue_count > errors:
            return None
        last = end.last if end else (None if kind in STANDING_KINDS else start.last)
        for nation, _, _ in participants:
            self.check_alive(head, nation, start.first, last)
        coordinates = [
            self.coordinate(head, c.latitude, 90),
            self.coordinate(head, c.longitude, 180),
        ]
        location = self.value(c.location, head) or m.constants.location
        programme = self.value(c.programme, head) or m.constants.programme
        for label, text, limit in (("location", location, 300), ("programme", programme, 200)):
            if text is not None and len(text) > limit:
                self.issue(head, getattr(c, label), f"is longer than {limit} characters", text)
        description = self.value(c.description, head)
        details = self.detail(head, kind)
        external_id = f"{self.dataset}:{key}"
        if len(external_id) > 200:
            self.issue(head, c.id, "makes an id longer than 200 characters", key)
        if self.context.issue_count > errors:
            return None
        releasability = self.releasability
        # The model's JSON form, frozen as content_digest freezes it (the tests compare the two).
        digested = (
            kind.value, title, start.text, end.text if end else None, host, location,
            coordinates[0], coordinates[1], programme, (), description, frozen(details), (),
            str(releasability), external_id,
        )  # fmt: skip
        return PreparedEngagement(
            kind=kind.value, title=title or key, start_date=start.value,
            start_precision=start.precision, end_date=end.value if end else None,
            end_precision=end.precision if end else None, start_year=year,
            end_year=last.year if last else None, host=host, location=location,
            latitude=coordinates[0], longitude=coordinates[1], programme=programme,
            objectives=(), description=description,
            details={k: v for k, v in details.items() if k != "kind"} if details else None,
            releasability=releasability, external_id=external_id, source_dataset=self.dataset,
            source_version=self.context.version, source_row=str(self.cols.line(head)),
            content_hash=digest_of(digested, tuple(sorted(participants))),
            participants=tuple(participants),
        )  # fmt: skip

    def participants(
        self, rows: list[int], year: int, host: str | None
    ) -> list[tuple[str, str, int | None]] | None:
        p = self.m.participants
        found: list[tuple[str, str, int | None]] = []
        seen: set[str] = set()
        long = p.layout == "long"
        if long:
            nation_column = p.nation or "nation"
            nations = self.data[nation_column]
            entries = [(i, nations[i] or "") for i in rows]
            roles = self.data[p.role] if p.role else None
            counts = self.data[p.personnel] if p.personnel else None
        else:
            nation_column = p.column or ""
            text = self.value(nation_column, rows[0]) or ""
            entries = [(rows[0], part.strip()) for part in str(text).split(p.separator)]
            entries = [(i, t) for i, t in entries if t]
            roles = counts = None
        for index, text in entries:
            if not text:
                self.issue(index, nation_column, "is empty: each row names a nation")
                continue
            nation = self.nation(text, year, index, nation_column)
            role_text = roles[index] if roles is not None else None
            role = (role_text or "").lower()
            if role and role not in _ROLES:
                self.issue(index, p.role, "is not a role: write host, participant or observer",
                           role_text)  # fmt: skip
            if not role:
                role = "host" if nation is not None and nation == host else "participant"
            personnel = None
            count_text = counts[index] if counts is not None else None
            if count_text is not None:
                personnel, reason = self.personnel.get(count_text)
                if reason:
                    self.issue(index, p.personnel, reason, count_text)
            if nation is None:
                continue
            if nation in seen:
                self.issue(index, nation_column, f"{nation} is listed more than once", text)
                continue
            seen.add(nation)
            found.append((nation, role, personnel))
        if not found and not entries:
            self.issue(rows[0], nation_column, "at least one nation takes part")
            return None
        return found

    def check_host(
        self,
        head: int,
        host: str | None,
        participants: list[tuple[str, str, int | None]] | None,
        column: str | None,
    ) -> str | None:
        if participants is None:
            return host
        hosts = {n for n, role, _ in participants if role == "host"}
        where = column or self.m.participants.role or "host"
        if host is None and len(hosts) == 1:
            return hosts.pop()  # no host given: the row marked host is the host (as the model)
        if host is None:
            if hosts:
                self.issue(head, where, f"participants name {', '.join(sorted(hosts))} as host")
            return None
        if host not in {n for n, _, _ in participants}:
            self.issue(head, where, f"the host {host} must be among the participants", host)
        elif hosts != {host}:
            self.issue(head, where, f"the host {host} must be the one participant with the "
                       "role host", host)  # fmt: skip
        return host

    def check_alive(self, head: int, nation: str, first: date, last: date | None) -> None:
        key = (nation, first, last)
        if key not in self.alive:
            known = self.context.nations.get(nation)
            self.alive[key] = (
                "unknown nation" if known is None else existence_problem(known, first, last)
            )
        reason = self.alive[key]
        if reason is not None:
            column = self.m.participants.nation or self.m.participants.column
            self.issue(head, column, reason, nation)

    def coordinate(self, head: int, column: str | None, limit: int) -> float | None:
        text = self.value(column, head)
        if text is None:
            return None
        number, reason = self.numbers.get(text)
        if reason or not -limit <= number <= limit:
            self.issue(head, column, f"is not a number from -{limit} to {limit}", text)
            return None
        return float(number)

    def detail(self, head: int, kind: EngagementKind) -> dict[str, Any] | None:
        if not self.m.details:
            return None
        values = []
        for field, column in self.m.details.items():
            text = self.value(column, head)
            if text is not None:
                values.append((field, text.split(",") if _is_list(kind, field) else text))
        key = tuple((f, tuple(v) if isinstance(v, list) else v) for f, v in values)
        dumped, reason = self.details.get((("kind", kind.value), *key))
        if reason:
            self.issue(head, ", ".join(self.m.details.values()), reason)
            return None
        return dict(dumped)


def _validate_details(key: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    dumped: dict[str, Any] = _DETAILS.validate_python(dict(key)).model_dump(mode="json")
    return dumped


def _is_list(kind: EngagementKind, field: str) -> bool:
    return (kind.value, field) in {("exercise", "domains"), ("alliance", "pledges")}


def _parse_date(text: str | None, fmt: str | None) -> PartialDate:
    if text is None:
        raise ValueError("is empty: a date is needed")
    if fmt:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            raise ValueError(f"{text!r} does not match the date format {fmt!r}") from None
        return PartialDate(value=parsed, precision=DatePrecision.DAY)
    return PartialDate.parse(text)


def _count(text: str) -> int:
    try:
        number = float(text)
    except ValueError:
        raise ValueError("is not a whole number") from None
    if not number.is_integer():
        raise ValueError("is not a whole number")
    if number < 0:
        raise ValueError("Input should be greater than or equal to 0")
    return int(number)
