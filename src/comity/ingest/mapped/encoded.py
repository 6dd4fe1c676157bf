"""Columns of a file as integer codes into their distinct values, and digests made in bulk.

A column of a million rows holds a few hundred distinct nation names, dates or kinds. Encoding it
once (Arrow's dictionary encoding) lets an importer parse, resolve and check each distinct value
once in Python and apply the answer to every row with NumPy; comparisons between rows become
comparisons of integers. Codes follow the order in which values first appear in the file, and -1
stands for an empty cell.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Codes", "Encoded", "Field", "digests", "encode"]

Codes = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Encoded:
    """A column as codes (one per row, -1 where empty) into its distinct ``values``."""

    codes: Codes
    values: list[Any]

    def value(self, row: int) -> Any:
        """The value of ``row`` (None where empty)."""
        code = int(self.codes[row])
        return None if code < 0 else self.values[code]

    def objects(self, codes: Codes) -> npt.NDArray[np.object_]:
        """The values of ``codes`` as an object array (None where -1)."""
        table = np.empty(len(self.values) + 1, dtype=object)
        table[: len(self.values)] = self.values
        table[-1] = None
        return table[codes]


def encode(array: pa.Array | pa.ChunkedArray, *, trim: bool = True) -> Encoded:
    """Encode a text column; with ``trim``, values are stripped and blank ones count as empty.

    Distinct values that trim to the same text share a code, so equal codes mean equal cleaned
    values.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    encoded = pc.dictionary_encode(array)
    dictionary = encoded.dictionary
    if trim:
        trimmed = pc.utf8_trim_whitespace(dictionary)
        dictionary = pc.if_else(pc.equal(trimmed, ""), None, trimmed)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    if dictionary.null_count == 0 and pc.count_distinct(dictionary).as_py() == len(dictionary):
        return Encoded(indices, dictionary.to_pylist())  # trimming merged nothing: codes stand
    distinct: dict[Any, int] = {}
    remap = np.full(len(dictionary) + 1, -1, dtype=np.int64)
    for position, value in enumerate(dictionary.to_pylist()):
        if value is not None:
            remap[position] = distinct.setdefault(value, len(distinct))
    return Encoded(remap[indices], list(distinct))


Field = tuple[Sequence[Any], Codes]
"""A digested field: its distinct values, and each row's code into them (-1: None)."""


def _reprs(field: Field, before: str = "", after: str = "") -> pa.Array:
    """``repr`` of each row's value, between ``before`` and ``after``, as Arrow strings."""
    values, codes = field
    shown = [f"{before}{v!r}{after}" for v in values]
    shown.append(f"{before}None{after}")
    return pa.array(shown, type=pa.string()).take(pa.array(np.where(codes < 0, len(values), codes)))


def _pieces(fields: Sequence[Field]) -> list[Field | str]:
    """The fields, those with one value in every row written once (runs of them merged)."""
    pieces: list[Field | str] = []
    for values, codes in fields:
        if not len(codes) or not (codes == codes[0]).all():
            pieces.append((values, codes))
            continue
        text = "None" if codes[0] < 0 else repr(values[int(codes[0])])
        if pieces and isinstance(pieces[-1], str):
            pieces[-1] += ", " + text
        else:
            pieces.append(text)
    return pieces


def digests(fields: Sequence[Field], triples: Sequence[Field], offsets: Sequence[int]) -> list[str]:
    """SHA-256 hex digests of ``repr((fields, participants))``, one per engagement.

    The text is put together from the ``repr`` of each distinct value with a few Arrow string
    operations, so it costs little more than hashing.

    Args:
        fields: The digested fields of the engagements, in order.
        triples: Nation, role and personnel of each participation, sorted by nation within
            each engagement.
        offsets: Engagement ``i`` has the participations at ``offsets[i]:offsets[i + 1]``.

    Returns:
        What :func:`comity.model.prepared.digest_of` gives for the same record.
    """
    pieces = _pieces(fields)
    last = len(pieces) - 1
    head = pc.binary_join_element_wise(
        *(
            _reprs(piece, "((" if i == 0 else "", "), (" if i == last else "")
            if not isinstance(piece, str)
            else ("((" if i == 0 else "") + piece + ("), (" if i == last else "")
            for i, piece in enumerate(pieces)
        ),
        ", ",
    )
    nation, role, personnel = triples
    each = pc.binary_join_element_wise(
        _reprs(nation, "("), _reprs(role), _reprs(personnel, after=")"), ", "
    )
    grouped = pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), each)
    single = np.diff(np.asarray(offsets, dtype=np.int64)) == 1  # a 1-tuple is written (x,)
    ends = pa.array([",))", "))"], type=pa.string()).take(pa.array(np.where(single, 0, 1)))
    whole = pc.binary_join_element_wise(head, pc.binary_join(grouped, ", "), ends, "")
    sha256 = hashlib.sha256
    return [sha256(text).hexdigest() for text in whole.cast(pa.binary()).to_pylist()]
