"""Columns as codes into their distinct values, and content digests made in bulk."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from comity.ingest.mapped.encoded import digests, encode
from comity.model.prepared import digest_of


def test_codes_follow_first_appearance_and_trimmed_values_share_one() -> None:
    encoded = encode(pa.chunked_array([[" b", "a", None], ["b ", "  ", "c", "a"]]))
    assert encoded.values == ["b", "a", "c"]
    assert encoded.codes.tolist() == [0, 1, -1, 0, -1, 2, 1]
    assert [encoded.value(row) for row in (0, 2, 5)] == ["b", None, "c"]


def test_values_as_written_keep_their_spaces() -> None:
    encoded = encode(pa.array(["  x  ", "x", None]), trim=False)
    assert encoded.values == ["  x  ", "x"]
    assert encoded.codes.tolist() == [0, 1, -1]


_scalars = st.one_of(
    st.none(),
    st.text(max_size=12),  # quotes, backslashes, newlines, any code point
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    st.sampled_from([(), ("a",), (("k", "v"), ("n", 1))]),
)
_triples = st.tuples(
    st.text(min_size=1, max_size=3),
    st.sampled_from(["host", "participant"]),
    st.one_of(st.none(), st.integers(0, 5000)),
)
_records = st.lists(
    st.tuples(
        st.lists(_scalars, min_size=15, max_size=15),
        st.lists(_triples, max_size=4, unique_by=lambda t: t[0]),
    ),
    min_size=1,
    max_size=8,
)


def _field(values: list[Any]) -> tuple[list[Any], Any]:
    """A column as distinct values and codes, None as -1 (how the importer passes them).

    Values are the same when their ``repr`` is (0.0 and -0.0 are equal, not the same text).
    """
    distinct: list[Any] = []
    codes = []
    for value in values:
        if value is None:
            codes.append(-1)
            continue
        position = next((i for i, d in enumerate(distinct) if repr(d) == repr(value)), None)
        if position is None:
            distinct.append(value)
            position = len(distinct) - 1
        codes.append(position)
    return distinct, np.array(codes, dtype=np.int64)


@given(records=_records)
def test_bulk_digests_equal_the_digest_of_each_record(
    records: list[tuple[list[Any], list[tuple[str, str, int | None]]]],
) -> None:
    fields = [_field([fields[i] for fields, _ in records]) for i in range(15)]
    ranked = [sorted(triples) for _, triples in records]
    offsets = [0]
    for triples in ranked:
        offsets.append(offsets[-1] + len(triples))
    flat = [t for triples in ranked for t in triples]
    triples = [_field([t[i] for t in flat]) for i in range(3)]
    expected = [digest_of(tuple(f), tuple(t)) for (f, _), t in zip(records, ranked, strict=True)]
    assert digests(fields, triples, offsets) == expected
