"""Community colours that follow a community from year to year (analytics/layout.py)."""

from __future__ import annotations

import pytest

from comity.analytics.layout import MEMORY, match_communities

Years = dict[int, dict[str, int]]


def years_of(*partitions: str) -> Years:
    """Consecutive years from 2000, each written as groups of keys: "AAA BBB | CCC DDD"."""
    return {
        2000 + i: {
            key: number for number, group in enumerate(text.split("|")) for key in group.split()
        }
        for i, text in enumerate(partitions)
    }


def colour_of(
    found: dict[int, dict[int, tuple[int, int]]], years: Years, year: int, key: str
) -> int:
    return found[year][years[year][key]][1]


def identity_of(
    found: dict[int, dict[int, tuple[int, int]]], years: Years, year: int, key: str
) -> int:
    return found[year][years[year][key]][0]


def test_a_community_keeps_its_colour_when_a_member_leaves_and_another_joins() -> None:
    years = years_of(
        "USA GBR FRA CAN NLD | SUN POL CSK",
        "USA GBR FRA CAN DEU | SUN POL CSK HUN",  # NLD leaves the bloc, DEU joins it
        "USA GBR FRA CAN DEU NOR | SUN POL CSK HUN | EGY SYR IRQ",  # a new community
    )
    found = match_communities(years)
    west = {colour_of(found, years, year, "USA") for year in years}
    east = {colour_of(found, years, year, "SUN") for year in years}
    assert len(west) == 1 and len(east) == 1 and west != east
    assert {identity_of(found, years, year, "USA") for year in years} == {0}
    new = colour_of(found, years, 2002, "EGY")
    assert new not in west | east and new >= 0
    assert identity_of(found, years, 2002, "EGY") == 2


def test_the_numbering_of_communities_does_not_matter() -> None:
    years = years_of("AAA BBB CCC | DDD EEE", "DDD EEE | AAA BBB CCC")
    found = match_communities(years)
    assert colour_of(found, years, 2000, "AAA") == colour_of(found, years, 2001, "AAA")
    assert colour_of(found, years, 2000, "DDD") == colour_of(found, years, 2001, "DDD")


def test_of_a_community_that_splits_the_part_keeping_most_members_keeps_the_colour() -> None:
    years = years_of("AAA BBB CCC DDD EEE FFF GGG", "AAA BBB CCC DDD | EEE FFF GGG")
    found = match_communities(years)
    assert colour_of(found, years, 2001, "AAA") == colour_of(found, years, 2000, "AAA")
    assert colour_of(found, years, 2001, "EEE") != colour_of(found, years, 2000, "AAA")
    assert identity_of(found, years, 2001, "EEE") == 1


def test_of_communities_that_merge_the_one_bringing_most_members_keeps_its_colour() -> None:
    years = years_of("AAA BBB CCC | DDD EEE", "AAA BBB CCC DDD EEE")
    found = match_communities(years)
    assert colour_of(found, years, 2001, "DDD") == colour_of(found, years, 2000, "AAA")


def test_a_community_sharing_too_few_members_is_a_new_one() -> None:
    # One member of five carries over: an overlap of 1/5, below MIN_OVERLAP.
    years = years_of("AAA BBB CCC DDD EEE", "AAA FFF GGG HHH III")
    found = match_communities(years)
    assert identity_of(found, years, 2001, "AAA") == 1
    assert colour_of(found, years, 2001, "AAA") != colour_of(found, years, 2000, "AAA")


def test_a_community_absent_for_a_few_years_returns_with_its_colour() -> None:
    years = years_of(
        "AAA BBB CCC | DDD EEE FFF",
        "AAA BBB CCC DDD EEE FFF",  # merged: DDD's community is absent
        "AAA BBB CCC | GGG HHH",  # a new community, while DDD's may still return
        "AAA BBB CCC | DDD EEE FFF | GGG HHH",
    )
    found = match_communities(years)
    assert colour_of(found, years, 2003, "DDD") == colour_of(found, years, 2000, "DDD")
    assert identity_of(found, years, 2003, "DDD") == identity_of(found, years, 2000, "DDD")
    # The new community did not take the colour kept for the absent one.
    assert colour_of(found, years, 2002, "GGG") != colour_of(found, years, 2000, "DDD")


@pytest.mark.parametrize(("absent", "same"), [(MEMORY, True), (MEMORY + 1, False)])
def test_a_community_absent_longer_than_the_memory_is_new_when_it_returns(
    absent: int, same: bool
) -> None:
    years = {2000: {"AAA": 0, "BBB": 0}, 2001 + absent: {"AAA": 0, "BBB": 0}}
    found = match_communities(years)
    assert (found[2001 + absent][0][0] == found[2000][0][0]) is same


def test_the_largest_communities_take_the_colours_when_there_are_too_few() -> None:
    years = years_of("AAA BBB CCC | DDD EEE | FFF GGG HHH III")
    found = match_communities(years, colours=2)
    assert colour_of(found, years, 2000, "FFF") == 0
    assert colour_of(found, years, 2000, "AAA") == 1
    assert colour_of(found, years, 2000, "DDD") == -1


def test_a_community_without_a_colour_takes_one_when_a_colour_frees() -> None:
    years = years_of("AAA BBB CCC | DDD EEE FFF GGG | HHH III", "AAA BBB CCC | HHH III")
    found = match_communities(years, colours=2, memory=0)
    assert colour_of(found, years, 2000, "HHH") == -1
    assert colour_of(found, years, 2001, "HHH") >= 0
    assert identity_of(found, years, 2001, "HHH") == identity_of(found, years, 2000, "HHH")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_same_communities_give_the_same_colours(seed: int) -> None:
    import random

    keys = [f"N{i:02d}" for i in range(40)]
    chooser = random.Random(seed)
    years = {2000 + y: {k: chooser.randrange(5) for k in keys} for y in range(8)}
    shuffled = {
        y: dict(sorted(p.items(), key=lambda _: chooser.random())) for y, p in years.items()
    }
    assert match_communities(years) == match_communities(years) == match_communities(shuffled)
