"""The generic importer's checks of an engagement's remaining fields, at each engagement's head.

Coordinates, location, programme, the kind's details and the length of the record's id, checked
after the participations as the model checks them. Each limit is read from the model's own field
(:func:`comity.model.limits.field_limits`), so that a rule changes in one place; lengths are
counted for every distinct value at once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pydantic

from comity.ingest.mapped.encoded import Codes, Encoded
from comity.ingest.mapped.problems import Problems, Step
from comity.model.engagements import Engagement
from comity.model.kinds import KINDS, Details
from comity.model.limits import field_limits

if TYPE_CHECKING:
    from comity.ingest.mapped.reader import Reader

__all__ = ["Fields", "lengths", "validate_details"]

Mask = npt.NDArray[np.bool_]
_DETAILS = pydantic.TypeAdapter(Details)


def lengths(values: list[Any]) -> npt.NDArray[np.int64]:
    """The length in characters of each text of ``values`` (0 for None), as the model counts."""
    counted = pc.fill_null(pc.utf8_length(pa.array(values, type=pa.string())), 0)
    found: npt.NDArray[np.int64] = counted.to_numpy(zero_copy_only=False).astype(np.int64)
    return found


class Fields:
    """The engagement's own fields checked after its participations, at each head."""

    def __init__(self, reader: Reader, problems: Problems, going: Mask) -> None:
        self.reader = reader
        self.problems = problems
        self.going = going
        size = len(reader.heads)
        self.latitude: list[float | None] = [None]
        self.longitude: list[float | None] = [None]
        self.latitude_code = self.longitude_code = np.full(size, -1, dtype=np.int64)
        self.texts: dict[str, tuple[list[str | None], Codes]] = {}
        self.details: list[dict[str, Any] | None] = [None] * size

    def check(self, kinds: list[Any], kind: Codes, ids: Encoded) -> None:
        """Coordinates, location and programme, details, and the length of the record's id."""
        c = self.reader.m.columns
        self.latitude, self.latitude_code = self.coordinate(c.latitude, "latitude", Step.LATITUDE)
        self.longitude, self.longitude_code = self.coordinate(
            c.longitude, "longitude", Step.LONGITUDE
        )
        self.text("location", Step.LOCATION)
        self.text("programme", Step.PROGRAMME)
        self.detail(kinds, kind)
        most = field_limits(Engagement, "external_id").max_length
        if most is None:
            return
        # The record's id is the dataset's name, a colon and the file's id.
        too_long = len(self.reader.dataset) + 1 + lengths(ids.values) > most
        for group in np.flatnonzero(self.going & too_long).tolist():
            self.problems.add(
                group,
                Step.ID,
                int(self.reader.heads[group]),
                c.id,
                f"makes an id longer than {most} characters",
                ids.values[group],
            )

    def coordinate(
        self, column: str | None, name: str, step: int
    ) -> tuple[list[float | None], Codes]:
        """A coordinate within the model's range: its value per code, each engagement's code."""
        reader = self.reader
        if column is None:
            return [None], np.full(len(reader.heads), -1, dtype=np.int64)
        limits = field_limits(Engagement, name)
        least = -math.inf if limits.ge is None else limits.ge
        most = math.inf if limits.le is None else limits.le
        encoded = reader.enc(column)
        numbers, reasons = reader.numbers.per_code(encoded.values, parse_empty=False)
        values = np.array([np.nan if n is None else n for n in numbers[:-1]], dtype=np.float64)
        # NaN is in no range: comparisons with it are false.
        outside = ~((values >= least) & (values <= most))
        failed = np.array([r is not None for r in reasons[:-1]], dtype=bool)
        bad = np.append(failed | outside, False)
        code = reader.at_heads(column)
        for group in np.flatnonzero(self.going & bad[code]).tolist():
            head = int(reader.heads[group])
            self.problems.add(
                group,
                step,
                head,
                column,
                f"is not a number from {least:g} to {most:g}",
                encoded.value(head),
            )
        return [
            None if b or n is None else float(n) for n, b in zip(numbers, bad.tolist(), strict=True)
        ], code

    def text(self, label: str, step: int) -> None:
        """A free-text field, from its column or else the mapping's constant."""
        reader = self.reader
        column: str | None = getattr(reader.m.columns, label)
        constant: str | None = getattr(reader.m.constants, label)
        if column is None:
            values, code = [constant], np.zeros(len(reader.heads), dtype=np.int64)
        else:
            values, code = [*reader.enc(column).values, constant], reader.at_heads(column)
            code = np.where(code < 0, len(values) - 1, code)
        self.texts[label] = (values, code)
        most = field_limits(Engagement, label).max_length
        if most is None:
            return
        long = lengths(values) > most
        for group in np.flatnonzero(self.going & long[code]).tolist():
            self.problems.add(
                group,
                step,
                int(reader.heads[group]),
                column,
                f"is longer than {most} characters",
                values[int(code[group])],
            )

    def detail(self, kinds: list[Any], kind: Codes) -> None:
        """The kind's details, checked as the model checks them."""
        reader = self.reader
        mapped = reader.m.details
        if not mapped:
            return
        columns = [(field, reader.enc(column), column) for field, column in mapped.items()]
        where = ", ".join(mapped.values())
        for group in np.flatnonzero(self.going).tolist():
            head = int(reader.heads[group])
            engagement_kind = kinds[int(kind[group])]
            values = []
            for field, encoded, _ in columns:
                text = encoded.value(head)
                if text is not None:
                    listed = field in KINDS[engagement_kind.value].list_fields
                    values.append((field, tuple(text.split(",")) if listed else text))
            dumped, reason = reader.details.get((("kind", engagement_kind.value), *values))
            if reason:
                self.problems.add(group, Step.DETAILS, head, where, reason)
            else:
                self.details[group] = dict(dumped)


def validate_details(key: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """Details given as (field, value) pairs, ``kind`` first, checked and dumped by the model."""
    dumped: dict[str, Any] = _DETAILS.validate_python(dict(key)).model_dump(mode="json")
    return dumped
