"""A record's digest and stored form, read field by field, equal their definitions.

``Engagement.content_hash`` and the bulk path of ``as_columns`` read a validated record's fields
directly rather than dumping it; the definitions they must agree with are
``content_digest(model_dump(mode="json"))`` and ``EngagementColumns.of_records(prepare(...))``.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comity import collector
from comity.model.dates import PartialDate
from comity.model.engagements import Engagement
from comity.model.prepared import (
    EngagementColumns,
    PreparedEngagement,
    as_columns,
    content_digest,
    prepare,
)

_KEYS = ["USA", "GBR", "FRA", "PHL", "JPN", "AUS"]
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
_WORDS = _TEXT.filter(lambda t: t.strip() != "")
_DETAILS: dict[str, list[dict[str, Any] | None]] = {
    "exercise": [None, {"domains": ["sea", "air"], "scale": "large"}, {"warfighting": True}],
    "visit": [None, {"level": "minister", "visitor": "A. Minister"}],
    "training": [None, {"schools": {"Staff College": 3, "War College": None}, "students": 4}],
    "alliance": [None],
}


@st.composite
def _records(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(_DETAILS)))
    nations = draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=4, unique=True))
    roles = draw(st.lists(st.sampled_from(["participant", "observer"]), min_size=len(nations)))
    host = draw(st.none() | st.sampled_from(nations))
    participants = [
        {"nation": n, "personnel": draw(st.none() | st.integers(0, 50_000))}
        | ({} if n == host else {"role": r})  # the host's role is filled in
        for n, r in zip(nations, roles, strict=False)
    ]
    year = draw(st.integers(1950, 2020))
    start = draw(st.sampled_from([f"{year}", f"{year}-02", f"{year}-06-30"]))
    end = draw(st.none() | st.sampled_from([f"{year + 1}", f"{year + 2}-12", f"{year}-12-31"]))
    return {
        "kind": kind,
        "title": draw(_WORDS),
        "start": start,
        "end": end,
        "participants": participants,
        "host": host,
        "location": draw(st.none() | _WORDS),
        "latitude": draw(st.none() | st.floats(-90, 90) | st.integers(-90, 90)),
        "longitude": draw(st.none() | st.floats(-180, 180)),
        "programme": draw(st.none() | _WORDS),
        "objectives": draw(st.lists(_WORDS, max_size=3)),
        "description": draw(st.none() | _TEXT),
        "details": draw(st.sampled_from(_DETAILS[kind])),
        "sources": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"dataset": _WORDS},
                    optional={
                        "row": _TEXT,
                        "document": _TEXT,
                        "version": _TEXT,
                        "url": st.just("https://example.org/a"),
                    },
                ),
                max_size=3,
            )
        ),
        "releasability": draw(st.sampled_from(["PUBLIC", "REL USA", "REL TO GBR, NATO, USA"])),
        "external_id": draw(st.none() | _WORDS),
        "provenance": draw(st.none() | st.just({"dataset": "mme", "version": "2", "row": "7"})),
    }


def _valid(record: dict[str, Any]) -> Engagement:
    return Engagement.model_validate(record)


@settings(max_examples=300, deadline=None)
@given(_records())
def test_the_digest_read_field_by_field_equals_the_digest_of_the_dumped_record(
    record: dict[str, Any],
) -> None:
    engagement = _valid(record)
    expected = content_digest(engagement.model_dump(mode="json"))
    assert engagement.content_hash() == expected
    assert engagement.content_hash(engagement.participations()) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(_records(), max_size=5))
def test_columns_of_engagements_equal_the_columns_of_their_prepared_records(
    records: list[dict[str, Any]],
) -> None:
    engagements = [_valid(r) for r in records]
    prepared = [prepare(e) for e in engagements]
    columns = as_columns(engagements)
    assert columns == EngagementColumns.of_records(prepared)
    assert list(columns) == prepared
    # Prepared records and validated ones may be mixed.
    assert as_columns([*prepared[:2], *engagements[2:]]) == columns


def test_the_digest_ignores_the_order_participants_are_listed_in_but_not_their_fields() -> None:
    base = {
        "kind": "exercise",
        "title": "Balikatan",
        "start": "2010-04",
        "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        "sources": [{"dataset": "mme", "row": "1"}],
    }
    swapped = {**base, "participants": base["participants"][::-1]}
    assert _valid(base).content_hash() == _valid(swapped).content_hash()
    for change in (
        {"sources": [{"dataset": "mme", "row": "2"}]},
        {"participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA", "personnel": 1}]},
        {"end": "2010-05"},
        {"releasability": "REL USA"},
    ):
        assert _valid({**base, **change}).content_hash() != _valid(base).content_hash(), change


def test_a_prepared_record_keeps_its_sources_as_plain_dictionaries() -> None:
    record = prepare(
        _valid(
            {
                "kind": "visit",
                "title": "Visit",
                "start": "2001",
                "participants": [{"nation": "USA"}],
                "sources": [{"dataset": "d", "url": "https://example.org/a"}],
            }
        )
    )
    assert isinstance(record, PreparedEngagement)
    assert record.sources == (
        {
            "dataset": "d",
            "version": None,
            "row": None,
            "url": "https://example.org/a",
            "document": None,
        },
    )
    assert record.end_year == 2001 and record.start_date == PartialDate.parse("2001").value


def test_pauses_of_the_collector_nest_and_restore_it() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("an import failed")
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pauses_overlapping_across_threads_end_with_the_last() -> None:
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collector.paused():
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(5)
    with collector.paused():
        pass
    assert not gc.isenabled()  # the other thread's pause is still open
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_the_bulk_insert_runs_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    from comity.store import engagement_writes

    seen: list[bool] = []
    monkeypatch.setattr(
        engagement_writes, "as_columns", lambda records: seen.append(gc.isenabled()) or []
    )
    assert engagement_writes.insert_engagements(None, [], "someone") == []  # type: ignore[arg-type]
    assert seen == [False] and gc.isenabled()
