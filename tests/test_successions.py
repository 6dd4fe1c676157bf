"""The successor table: its TSV (columns, kinds, keys, dates against spells), its sentences."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from importlib import resources

import pytest

from comity.model import CodeSystem
from comity.model.nations import Nation
from comity.nations import load_reference
from comity.nations.successions import (
    SUCCESSION_KINDS,
    Succession,
    describe_succession,
    load_successions,
    successions_of,
)

_ROWS = list(
    csv.DictReader(
        resources.files("comity.nations")
        .joinpath("successions.tsv")
        .read_text(encoding="utf-8")
        .splitlines(),
        delimiter="\t",
    )
)
_DAY = timedelta(days=1)
_NEW_STATE_WITHIN = timedelta(days=3 * 365)
"""How long after its declaration a new state may enter the CoW list (Macedonia: 19 months)."""


def _exists_on(nation: Nation, day: date) -> bool:
    return any(s.start <= day and (s.end is None or day <= s.end) for s in nation.spells)


def _cow_code_on(key: str, day: date) -> str:
    codes = load_reference().codes
    return next(
        c.code for c in codes if c.nation == key and c.system is CodeSystem.COW and c.valid_on(day)
    )


def test_successions_file_has_its_columns_kinds_and_sources() -> None:
    assert list(_ROWS[0]) == ["predecessor", "successor", "kind", "date", "source", "note"]
    for row in _ROWS:
        assert row["kind"] in SUCCESSION_KINDS, row
        date.fromisoformat(row["date"])
        assert row["source"].strip(), row
        assert row["predecessor"] != row["successor"], row


def test_every_key_of_the_successor_table_is_a_nation() -> None:
    nations = load_reference().nations
    assert {k for row in _ROWS for k in (row["predecessor"], row["successor"])} <= set(nations)


def test_no_predecessor_and_successor_pair_is_listed_twice() -> None:
    pairs = [(row["predecessor"], row["successor"]) for row in _ROWS]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("row", _ROWS, ids=lambda r: f"{r['predecessor']}-{r['successor']}")
def test_the_date_falls_where_the_kind_says(row: dict[str, str]) -> None:
    nations = load_reference().nations
    before, after = nations[row["predecessor"]], nations[row["successor"]]
    day = date.fromisoformat(row["date"])
    assert _exists_on(before, day - _DAY), "the predecessor exists the day before"
    if row["kind"] == "continuation":
        assert not _exists_on(before, day) and any(s.start == day for s in after.spells)
        assert _cow_code_on(before.iso3, day - _DAY) == _cow_code_on(after.iso3, day)
    elif row["kind"] == "absorption":
        assert not _exists_on(before, day + _DAY) and _exists_on(after, day)
    else:  # dissolution or secession: a new state, in the CoW list soon after
        assert not _exists_on(after, day - _DAY)
        assert any(day <= s.start <= day + _NEW_STATE_WITHIN for s in after.spells)
        if row["kind"] == "dissolution":
            assert not _exists_on(before, day + _DAY)


def test_rows_of_one_predecessor_kind_and_day_make_one_succession() -> None:
    found = {(s.predecessor, s.kind, s.date): s.successors for s in load_successions()}
    assert found[("CSK", "dissolution", date(1993, 1, 1))] == ("CZE", "SVK")
    assert found[("SUN", "secession", date(1991, 8, 31))] == ("KGZ", "UZB")
    assert found[("SUN", "continuation", date(1991, 12, 26))] == ("RUS",)
    assert sum(len(s) for s in found.values()) == len(_ROWS)


def test_only_a_dissolution_or_a_secession_has_several_successors() -> None:
    for succession in load_successions():
        if succession.kind == "dissolution":
            assert len(succession.successors) >= 2, succession
        elif succession.kind != "secession":
            assert len(succession.successors) == 1, succession


def test_successions_are_in_date_order() -> None:
    days = [s.date for s in load_successions()]
    assert days == sorted(days)


def test_successions_of_a_nation_include_both_sides() -> None:
    found = [(s.predecessor, s.kind, s.date.year) for s in successions_of("SRB")]
    assert found == [
        ("SRB", "continuation", 1918),
        ("YUG", "continuation", 2006),
        ("SRB", "secession", 2008),
    ]
    assert successions_of("FRA") == ()


_NAMES = {k: n.name for k, n in load_reference().nations.items()}


@pytest.mark.parametrize(
    ("predecessor", "kind", "day", "key", "text"),
    [
        ("SUN", "continuation", date(1991, 12, 26), "SUN", "Continued by Russia from 1991-12-26"),
        (
            "SUN",
            "continuation",
            date(1991, 12, 26),
            "RUS",
            "Continues the Soviet Union from 1991-12-26",
        ),
        ("DDR", "absorption", date(1990, 10, 3), "DDR", "Absorbed by Germany 1990-10-03"),
        ("DDR", "absorption", date(1990, 10, 3), "DEU", "Absorbed East Germany 1990-10-03"),
        (
            "CSK",
            "dissolution",
            date(1993, 1, 1),
            "CSK",
            "Dissolved into Czechia and Slovakia 1993-01-01",
        ),
        (
            "CSK",
            "dissolution",
            date(1993, 1, 1),
            "SVK",
            "Formed when Czechoslovakia dissolved 1993-01-01",
        ),
        ("ETH", "secession", date(1993, 5, 24), "ETH", "Eritrea seceded 1993-05-24"),
        ("ETH", "secession", date(1993, 5, 24), "ERI", "Seceded from Ethiopia 1993-05-24"),
        (
            "SUN",
            "secession",
            date(1991, 8, 31),
            "SUN",
            "Kyrgyzstan and Uzbekistan seceded 1991-08-31",
        ),
    ],
)
def test_a_succession_is_told_from_either_side(
    predecessor: str, kind: str, day: date, key: str, text: str
) -> None:
    succession = next(
        s for s in load_successions() if (s.predecessor, s.kind, s.date) == (predecessor, kind, day)
    )
    assert describe_succession(succession, key, _NAMES) == text


def test_three_successors_are_listed_with_commas() -> None:
    succession = Succession("XAH", ("AUT", "HUN", "CSK"), "dissolution", date(1918, 11, 12), "", "")
    assert describe_succession(succession, "XAH", _NAMES) == (
        "Dissolved into Austria, Hungary and Czechoslovakia 1918-11-12"
    )


def test_a_nation_outside_the_succession_is_refused() -> None:
    succession = load_successions()[0]
    with pytest.raises(ValueError) as error:
        describe_succession(succession, "FRA", _NAMES)
    assert str(error.value) == "FRA takes no part in the secession of NLD on 1830-10-04"
