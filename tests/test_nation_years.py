"""Years of existence and the codes valid each year: the rules, then the bundled registry."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from comity.model.nations import CodeSystem, NationCode
from comity.nations.successions import Succession
from comity.nations.years import derive_codes_by_year, derive_nation_years
from comity.store import Store, open_store
from comity.store import nations as nation_store


def _succession(predecessor: str, successor: str, day: date) -> Succession:
    return Succession(predecessor, (successor,), "continuation", day, "test", "")


def _code(system: str, code: str, nation: str, first: str = "", last: str = "") -> NationCode:
    return NationCode(
        system=CodeSystem(system),
        code=code,
        nation=nation,
        valid_from=date.fromisoformat(first) if first else None,
        valid_to=date.fromisoformat(last) if last else None,
    )


def test_spells_in_adjacent_years_merge_and_gaps_stay() -> None:
    spells = [
        ("AAA", date(1900, 1, 1), date(1910, 3, 1)),
        ("AAA", date(1911, 2, 1), date(1920, 5, 5)),
        ("AAA", date(1925, 1, 1), None),
        ("BBB", date(1950, 6, 1), date(1950, 8, 1)),
    ]
    assert derive_nation_years(spells, []) == [
        ("AAA", 1900, 1920),
        ("AAA", 1925, None),
        ("BBB", 1950, 1950),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(1991, 12, 26), [("NEW", 1992, None), ("OLD", 1950, 1991)]),
        (date(1991, 3, 1), [("NEW", 1991, None), ("OLD", 1950, 1990)]),
        (date(1991, 7, 1), [("NEW", 1991, None), ("OLD", 1950, 1990)]),
    ],
)
def test_a_continuation_year_goes_to_the_holder_on_1_july(
    day: date, expected: list[tuple[str, int, int | None]]
) -> None:
    spells = [
        ("OLD", date(1950, 1, 1), date.fromordinal(day.toordinal() - 1)),
        ("NEW", day, None),
    ]
    assert derive_nation_years(spells, [_succession("OLD", "NEW", day)]) == expected


def test_other_kinds_of_succession_leave_the_years_alone() -> None:
    day = date(1990, 10, 3)
    spells = [("OLD", date(1954, 1, 1), date(1990, 10, 2)), ("NEW", date(1816, 1, 1), None)]
    absorption = Succession("OLD", ("NEW",), "absorption", day, "test", "")
    assert derive_nation_years(spells, [absorption]) == [("NEW", 1816, None), ("OLD", 1954, 1990)]


def test_the_code_of_a_year_is_the_one_valid_on_1_july() -> None:
    codes = [
        _code("cow", "255", "AAA", last="1945-05-08"),
        _code("cow", "260", "AAA", "1955-05-05", "1990-10-02"),
        _code("cow", "255", "AAA", first="1990-10-03"),
        _code("gw", "260", "AAA", first="1949-05-23"),
    ]
    found = derive_codes_by_year(
        [("AAA", 1944, 1946), ("AAA", 1989, None)], codes, current_year=1992
    )
    assert found == [
        ("AAA", 1944, 255, None),
        ("AAA", 1945, 255, None),
        ("AAA", 1946, None, None),
        ("AAA", 1989, 260, 260),
        ("AAA", 1990, 260, 260),
        ("AAA", 1991, 255, 260),
        ("AAA", 1992, 255, 260),
    ]


def test_a_code_two_nations_claim_in_one_year_goes_to_the_holder_on_1_july() -> None:
    codes = [_code("cow", "1", "OLD", last="1991-12-25"), _code("cow", "1", "NEW", "1991-12-26")]
    years = [("OLD", 1990, 1991), ("NEW", 1991, None)]
    assert derive_codes_by_year(years, codes, current_year=1992) == [
        ("NEW", 1991, None, None),
        ("NEW", 1992, 1, None),
        ("OLD", 1990, 1, None),
        ("OLD", 1991, 1, None),
    ]


def test_without_a_holder_on_1_july_the_code_goes_to_the_one_holding_it_longest() -> None:
    codes = [
        _code("gw", "7", "AAA", "2000-01-01", "2000-03-31"),
        _code("gw", "7", "BBB", "2000-08-01", "2000-12-31"),
    ]
    years = [("AAA", 2000, 2000), ("BBB", 2000, 2000)]
    assert derive_codes_by_year(years, codes, current_year=2001) == [
        ("AAA", 2000, None, None),
        ("BBB", 2000, None, 7),
    ]


def test_a_nation_without_spells_has_only_the_years_its_codes_are_valid() -> None:
    codes = [_code("cow", "9", "TER", "1998-05-01", "2001-02-01"), _code("iso3", "TER", "TER")]
    assert derive_codes_by_year([], codes, current_year=2024) == [
        ("TER", year, 9, None) for year in range(1998, 2002)
    ]


# --- the bundled registry ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A copy of the seeded store, read by every test of this module."""
    path = tmp_path_factory.mktemp("years") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    opened = open_store(f"sqlite:///{path}")
    yield opened
    opened.dispose()


@pytest.fixture(scope="module")
def codes(registry: Store) -> dict[tuple[str, int], tuple[int | None, int | None]]:
    """(nation, year) -> (ccode, gwcode) from the bundled registry."""
    with registry.connect() as connection:
        return {(n, y): (c, g) for n, y, c, g in nation_store.codes_by_year(connection)}


@pytest.mark.parametrize(
    ("key", "years"),
    [
        ("SUN", [(1922, 1991)]),
        ("RUS", [(1816, 1921), (1992, None)]),
        ("YUG", [(1919, 1941), (1944, 2005)]),
        ("SRB", [(1878, 1918), (2006, None)]),
        ("DEU", [(1816, 1945), (1955, None)]),
        ("DDR", [(1954, 1990)]),
        ("POL", [(1918, 1939), (1945, None)]),
    ],
)
def test_nation_years_of_the_registry(
    any_store: Store, key: str, years: list[tuple[int, int | None]]
) -> None:
    with any_store.connect() as connection:
        found = nation_store.nation_years(connection)
    assert [(first, last) for nation, first, last in found if nation == key] == years


def test_nations_without_spells_have_no_years(registry: Store) -> None:
    with registry.connect() as connection:
        keys = {nation for nation, _, _ in nation_store.nation_years(connection)}
    assert "HKG" not in keys and "PSE" not in keys and "USA" in keys


def _years(
    codes: dict[tuple[str, int], tuple[int | None, int | None]], key: str, system: int, code: int
) -> list[int]:
    return sorted(
        year for (nation, year), held in codes.items() if nation == key and held[system] == code
    )


_NOW = date.today().year


@pytest.mark.parametrize(
    ("key", "system", "code", "years"),
    [
        ("DEU", 0, 255, [*range(1816, 1946), *range(1991, _NOW + 1)]),
        ("DEU", 0, 260, list(range(1955, 1991))),
        ("DEU", 1, 260, list(range(1955, _NOW + 1))),
        ("DDR", 0, 265, list(range(1954, 1991))),
        ("SUN", 0, 365, list(range(1922, 1992))),
        ("RUS", 0, 365, [*range(1816, 1922), *range(1992, _NOW + 1)]),
        ("YUG", 0, 345, [*range(1919, 1942), *range(1944, 2006)]),
        ("SRB", 0, 345, [*range(1878, 1919), *range(2006, _NOW + 1)]),
        ("SRB", 1, 340, [*range(1878, 1919), *range(2006, _NOW + 1)]),
        ("CSK", 0, 315, [*range(1918, 1940), *range(1945, 1993)]),
        ("CZE", 0, 316, list(range(1993, _NOW + 1))),
        ("SVK", 0, 317, list(range(1993, _NOW + 1))),
        ("YEM", 0, 679, list(range(1990, _NOW + 1))),
        ("YMD", 1, 680, list(range(1967, 1991))),
    ],
)
def test_codes_by_year_follow_the_registry(
    codes: dict[tuple[str, int], tuple[int | None, int | None]],
    key: str,
    system: int,
    code: int,
    years: list[int],
) -> None:
    assert _years(codes, key, system, code) == years


def test_a_state_has_no_codes_after_it_ends(
    codes: dict[tuple[str, int], tuple[int | None, int | None]],
) -> None:
    assert max(year for nation, year in codes if nation == "DDR") == 1990
    assert ("DDR", 2021) not in codes


@pytest.mark.parametrize("system", [0, 1], ids=["cow", "gw"])
def test_no_code_stands_for_two_nations_in_one_year(
    codes: dict[tuple[str, int], tuple[int | None, int | None]], system: int
) -> None:
    held = Counter((pair[system], year) for (_, year), pair in codes.items() if pair[system])
    assert [key for key, count in held.items() if count > 1] == []


def test_cow_codes_by_year_are_codes_by_year_without_gaps(
    registry: Store, codes: dict[tuple[str, int], tuple[int | None, int | None]]
) -> None:
    with registry.connect() as connection:
        cow = nation_store.cow_codes_by_year(connection)
    assert cow == sorted((n, y, c) for (n, y), (c, _) in codes.items() if c is not None)
    assert ("DEU", 1970, 260) in cow and ("DEU", 1950, 255) not in cow
