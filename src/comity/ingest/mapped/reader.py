"""One file of the generic importer read: its engagements grouped, their own fields checked.

Rows sharing an id are one engagement; the checks run over every engagement at once, in the order
the model makes them (kind, title, dates, then the participations of
:mod:`comity.ingest.mapped.participants`, then the remaining fields of
:mod:`comity.ingest.mapped.fields`). The limits come from the model's fields
(:func:`comity.model.limits.field_limits`), the wording is the importer's; dates, kinds and
personnel are parsed once per distinct text, with the model's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from comity.ingest.base import ImportContext
from comity.ingest.mapped.encoded import Codes, Encoded, encode
from comity.ingest.mapped.fields import Fields, lengths, validate_details
from comity.ingest.mapped.mapping import Mapping
from comity.ingest.mapped.output import Output
from comity.ingest.mapped.participants import Checked, Participations
from comity.ingest.mapped.problems import Cache, Problems, Step, flags
from comity.ingest.mapped.tabular import Columns
from comity.model.clock import today
from comity.model.dates import DatePrecision, PartialDate
from comity.model.engagements import (
    STANDING_KINDS,
    Engagement,
    EngagementKind,
    Participant,
    horizon_problem,
)
from comity.model.limits import field_adapter, field_limits
from comity.model.numbers import is_whole
from comity.model.prepared import EngagementColumns
from comity.model.releasability import PUBLIC

__all__ = ["Dates", "Reader", "When"]

Mask = npt.NDArray[np.bool_]
_TITLE = field_limits(Engagement, "title")
_PERSONNEL = field_adapter(Participant, "personnel")


@dataclass(frozen=True, slots=True)
class When:
    """A date as the reader uses it, worked out once per distinct text in the file."""

    text: str
    value: date
    precision: str
    first: date
    last: date
    year: int

    @classmethod
    def of(cls, parsed: PartialDate) -> When:
        """What the reader needs of a parsed date."""
        return cls(
            str(parsed),
            parsed.value,
            parsed.precision.value,
            parsed.first_day,
            parsed.last_day,
            parsed.year,
        )


@dataclass
class Dates:
    """Per engagement: the codes of its start and end, and the dates they stand for."""

    start: Codes
    end: Codes
    starts: list[When | None]
    ends: list[When | None]


class Reader:
    """One file's rows checked and turned into engagement columns.

    Rows sharing an id are one engagement ("group"), numbered in the order ids first appear;
    its first row is its head, where problems of the engagement's own fields are reported.
    """

    def __init__(
        self, mapping: Mapping, dataset: str, file: str, columns: Columns, context: ImportContext
    ) -> None:
        self.m = mapping
        self.dataset = dataset
        self.file = file
        self.cols = columns
        self.context = context
        fmt, checked_on = mapping.dates.format, today()
        self.dates = Cache(lambda t: When.of(_engagement_date(t, fmt, checked_on)))
        self.kinds = Cache(EngagementKind)
        self.numbers = Cache(float)
        self.personnel = Cache(_personnel)
        self.details = Cache(validate_details)
        self.releasability = mapping.constants.releasability or PUBLIC
        self.heads: Codes = np.zeros(0, dtype=np.int64)
        self._encoded: dict[tuple[str, bool], Encoded] = {}

    def enc(self, name: str, *, trim: bool = True) -> Encoded:
        """The column ``name`` encoded (trimmed, or as written), once."""
        key = (name, trim)
        if key not in self._encoded:
            self._encoded[key] = encode(self.cols.table.column(name), trim=trim)
        return self._encoded[key]

    def at_heads(self, name: str) -> Codes:
        """The codes of a column at each engagement's head."""
        return self.enc(name).codes[self.heads]

    def shown(self, name: str | None, row: int) -> Any:
        """A cell as messages show it: trimmed, the description as written."""
        if name is None:
            return None
        return self.enc(name, trim=name != self.m.columns.description).value(row)

    def issue(self, row: int, column: str | None, reason: str, value: Any = None) -> None:
        """Note a problem at ``row``."""
        self.context.issue(self.file, self.cols.line(row), reason, column=column, value=value)

    def run(self) -> EngagementColumns:
        """Check every engagement of the file; return those without problems."""
        m, c = self.m, self.m.columns
        ids = self.enc(c.id)
        for row in np.flatnonzero(ids.codes < 0).tolist():
            self.issue(row, c.id, "is empty: every row needs an id")
        rows = np.flatnonzero(ids.codes >= 0)
        order = rows[np.argsort(ids.codes[rows], kind="stable")]
        sizes = np.bincount(ids.codes[rows], minlength=len(ids.values))
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.heads = order[bounds[:-1]]
        long = m.participants.layout == "long"
        if not long:
            for group in np.flatnonzero(sizes > 1).tolist():
                for row in order[bounds[group] + 1 : bounds[group + 1]].tolist():
                    self.issue(
                        row,
                        c.id,
                        f"repeats the id {ids.values[group]!r}: in the list "
                        "layout each engagement is one row",
                    )
        live = self.consistent(ids.codes, rows) if long else np.ones(len(sizes), dtype=bool)
        problems = Problems(len(sizes))
        kinds, kind = self.check_kinds(problems, live)
        self.check_titles(problems, live, ids)
        dates, going = self.check_dates(problems, live)
        years = np.array([w.year if w else 0 for w in dates.starts], dtype=np.int64)[dates.start]
        if long:
            parts = Participations.of_rows(self, order, ids.codes)
        else:
            parts = Participations.of_lists(self, self.heads, going)
            listed = np.bincount(parts.group, minlength=len(sizes)) > 0
            for group in np.flatnonzero(going & ~listed).tolist():
                problems.add(
                    group,
                    Step.PARTICIPATIONS,
                    int(self.heads[group]),
                    m.participants.column or "",
                    "at least one nation takes part",
                )
        checked = Checked(self, parts, self.heads)
        checked.run(problems, going, years)
        checked.check_hosts(problems, problems.clean(going))
        going = problems.clean(going)
        span, spans = self.spans(dates, kinds, kind)
        checked.check_state_system(problems, going, span, spans)
        fields = Fields(self, problems, going)
        fields.check(kinds, kind, ids)
        accepted = problems.clean(going)
        problems.report(self.issue)
        return Output(self, ids, checked, fields, dates, kinds, kind).columns(accepted, spans, span)

    def consistent(self, ids: Codes, rows: Codes) -> Mask:
        """Engagements whose rows agree on every field of the engagement (long layout)."""
        c = self.m.columns
        shared = [
            c.kind,
            c.title,
            c.start,
            c.end,
            c.host,
            c.location,
            c.latitude,
            c.longitude,
            c.programme,
            c.description,
            *self.m.details.values(),
        ]
        head_of = np.arange(self.cols.rows, dtype=np.int64)
        head_of[rows] = self.heads[ids[rows]]
        others = rows[head_of[rows] != rows]
        good = np.ones(len(self.heads), dtype=bool)
        for field in dict.fromkeys(f for f in shared if f is not None):
            codes = self.enc(field).codes
            for row in others[codes[others] != codes[head_of[others]]].tolist():
                line = self.cols.line(int(head_of[row]))
                self.issue(
                    row,
                    field,
                    f"differs from line {line} of the same engagement",
                    self.shown(field, row),
                )
                good[ids[row]] = False
        return good

    def check_kinds(self, problems: Problems, live: Mask) -> tuple[list[Any], Codes]:
        """The kind of each engagement: the distinct kinds, and each engagement's code."""
        column = self.m.columns.kind
        if column is None:
            return [self.m.constants.kind], np.zeros(len(self.heads), dtype=np.int64)
        kinds = self.enc(column)
        parsed, reasons = self.kinds.per_code(kinds.values)
        code = self.at_heads(column)
        for group in np.flatnonzero(live & flags(reasons, code)).tolist():
            head = int(self.heads[group])
            problems.add(
                group, Step.KIND, head, column, str(reasons[int(code[group])]), kinds.value(head)
            )
        return parsed, code

    def check_titles(self, problems: Problems, live: Mask, ids: Encoded) -> None:
        """A title as long as the model allows (the id when no column gives one)."""
        column = self.m.columns.title
        if column is None:
            failing = live & _bad_titles(ids.values)
            code = np.zeros(0, dtype=np.int64)
        else:
            titles = self.enc(column)
            code = self.at_heads(column)
            failing = live & ((code < 0) | np.append(_bad_titles(titles.values), False)[code])
        reason = f"a title of {_TITLE.min_length}-{_TITLE.max_length} characters is needed"
        for group in np.flatnonzero(failing).tolist():
            head = int(self.heads[group])
            problems.add(group, Step.TITLE, head, column, reason, self.shown(column, head))

    def check_dates(self, problems: Problems, live: Mask) -> tuple[Dates, Mask]:
        """Start and end dates; the engagements whose checks go on past a good start."""
        c = self.m.columns
        starts, reasons = self.dates.per_code(self.enc(c.start).values)
        start = self.at_heads(c.start)
        bad = flags(reasons, start)
        for group in np.flatnonzero(live & bad).tolist():
            head = int(self.heads[group])
            problems.add(
                group,
                Step.START,
                head,
                c.start,
                reasons[int(start[group])] or "is empty: a start date is needed",
                self.shown(c.start, head),
            )
        going = live & ~bad
        dates = Dates(start, np.full(len(start), -1, dtype=np.int64), starts, [None])
        if c.end is None:
            return dates, going
        dates.ends, end_reasons = self.dates.per_code(self.enc(c.end).values, parse_empty=False)
        dates.end = end = self.at_heads(c.end)
        failing = going & flags(end_reasons, end)
        firsts = np.array([w.first.toordinal() if w else 0 for w in starts], dtype=np.int64)
        lasts = np.array([w.last.toordinal() if w else 0 for w in dates.ends], dtype=np.int64)
        before = going & (end >= 0) & ~failing & (lasts[end] < firsts[start])
        for group in np.flatnonzero(failing | before).tolist():
            head = int(self.heads[group])
            code = int(end[group])
            reason = end_reasons[code]
            if reason is None:
                shown_end, shown_start = dates.ends[code], starts[int(start[group])]
                assert shown_end is not None and shown_start is not None
                reason = f"the end ({shown_end.text}) is before the start ({shown_start.text})"
            problems.add(group, Step.END, head, c.end, reason, self.shown(c.end, head))
        return dates, going

    def spans(
        self, dates: Dates, kinds: list[Any], kind: Codes
    ) -> tuple[Codes, list[tuple[date, date | None]]]:
        """Per engagement, the id of its span (first day, last day or None) in the list."""
        standing = np.array([k in STANDING_KINDS for k in kinds] + [False], dtype=bool)[kind]
        keys = (dates.start * (len(dates.ends) + 1) + dates.end + 1) * 2 + standing
        distinct, inverse = np.unique(keys, return_inverse=True)
        spans: list[tuple[date, date | None]] = []
        for key in distinct.tolist():
            pair, is_standing = divmod(key, 2)
            start_code, end_code = divmod(pair, len(dates.ends) + 1)
            start = dates.starts[start_code]
            end = dates.ends[end_code - 1] if end_code else None
            first = start.first if start else date.min
            last = end.last if end else (None if is_standing or not start else start.last)
            spans.append((first, last))
        return inverse.reshape(-1).astype(np.int64), spans


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


def _engagement_date(text: str | None, fmt: str | None, checked_on: date) -> PartialDate:
    # The model's rule on starts and ends, applied once per distinct date of the file.
    parsed = _parse_date(text, fmt)
    reason = horizon_problem(parsed, checked_on)
    if reason is not None:
        raise ValueError(reason)
    return parsed


def _bad_titles(values: list[Any]) -> Mask:
    """Which distinct titles are shorter or longer than the model allows."""
    counted = lengths(values)
    bad: Mask = counted < (_TITLE.min_length or 0)
    if _TITLE.max_length is not None:
        bad |= counted > _TITLE.max_length
    return bad


def _personnel(text: str) -> int:
    # The model's rule on personnel, applied once per distinct text of the column with the
    # field's own type: a whole number (``12`` or ``12.0``) within the cap the API and the CLI
    # apply too, refused in the model's words.
    number: int | float
    if is_whole(text):
        digits = text.lstrip("0")
        # Past 18 digits it is beyond any cap (and Python refuses to read 4,300 digits or more).
        number = int(digits or "0") if len(digits) <= 18 else 10**18
    else:
        try:
            number = float(text)
        except ValueError:
            raise ValueError("is not a whole number") from None
    if isinstance(number, float):
        if not number.is_integer():  # also inf and nan
            raise ValueError("is not a whole number")
        number = int(number)
    checked: int = _PERSONNEL.validate_python(number)
    return checked
