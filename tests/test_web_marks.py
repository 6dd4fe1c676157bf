"""The passage beside a draft: cut at every span, each piece marked with what covers it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from comity.web.marks import Mark, segments


def test_overlapping_spans_mark_the_shared_part_with_both_fields() -> None:
    text = "Cobra Gold 2024 began in Thailand on Feb. 27."
    marks = [
        Mark(0, 15, "title", "title"),
        Mark(11, 15, "start", "start: 2024"),
        Mark(25, 33, "host", "host: THA"),
    ]
    found = [(s.text, s.fields) for s in segments(text, marks)]
    assert found == [
        ("Cobra Gold ", ("title",)),
        ("2024", ("title", "start")),
        (" began in ", ()),
        ("Thailand", ("host",)),
        (" on Feb. 27.", ()),
    ]
    assert segments(text, marks)[1].title == "title; start: 2024"


def test_spans_beyond_the_text_are_clipped_and_empty_ones_dropped() -> None:
    found = segments(
        "abc", [Mark(2, 9, "kind", "k"), Mark(1, 1, "host", "h"), Mark(5, 7, "x", "x")]
    )
    assert [(s.text, s.fields) for s in found] == [("ab", ()), ("c", ("kind",))]


_spans = st.lists(st.tuples(st.integers(-3, 40), st.integers(-3, 40), st.sampled_from("abc")))


@given(st.text(max_size=30), _spans)
def test_segments_rebuild_the_text_and_mark_exactly_the_covered_characters(text, spans) -> None:
    marks = [Mark(s, e, f, f) for s, e, f in spans]
    found = segments(text, marks)
    assert "".join(s.text for s in found) == text
    position = 0
    for segment in found:
        for offset in range(len(segment.text)):
            at = position + offset
            expected = {m.field for m in marks if m.start <= at < m.end and m.end > m.start}
            assert set(segment.fields) == expected
        position += len(segment.text)
    assert all(s.text for s in found)
