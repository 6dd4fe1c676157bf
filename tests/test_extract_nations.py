"""Nations, places, agencies and programmes in text: the word lists and how they are matched."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from comity.extract.nations_in_text import (
    default_finder,
    find_nations,
    find_places,
    load_agencies,
    load_news_terms,
    load_places,
    load_programmes,
)
from comity.model.vocabulary import EngagementKind
from comity.nations import default_resolver


def _header(name: str) -> list[str]:
    text = resources.files("comity.extract").joinpath(name).read_text(encoding="utf-8")
    return next(csv.reader(text.splitlines(), delimiter="\t"))


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("news_terms.tsv", ["term", "iso3", "from_year", "to_year", "note"]),
        ("places.tsv", ["place", "iso3", "note"]),
        ("news_agencies.tsv", ["name", "iso3", "note"]),
        ("programmes.tsv", ["name", "kind", "note"]),
    ],
)
def test_each_word_list_has_its_columns(name: str, columns: list[str]) -> None:
    assert _header(name) == columns


def test_every_nation_of_the_news_terms_is_known_to_the_resolver() -> None:
    known = set(default_resolver().nations)
    unknown = {t.term: t.iso3 for t in load_news_terms() if t.iso3 and t.iso3 not in known}
    assert unknown == {}


def test_news_terms_have_ordered_years_and_no_overlapping_readings() -> None:
    by_term: dict[str, list[tuple[int, int]]] = {}
    for term in load_news_terms():
        first, last = term.from_year or 0, term.to_year or 9999
        assert first <= last, term
        assert term.note, term
        for earlier in by_term.get(term.term, []):
            assert last < earlier[0] or first > earlier[1], term
        by_term.setdefault(term.term, []).append((first, last))


def test_places_and_agencies_lie_in_known_nations_and_are_listed_once() -> None:
    known = set(default_resolver().nations)
    places = load_places()
    assert {p for p, iso3, _ in places if iso3 and iso3 not in known} == set()
    assert len({p for p, _, _ in places}) == len(places)
    agencies = load_agencies()
    assert {a for a, iso3, _ in agencies if iso3 not in known} == set()
    assert len({a for a, _, _ in agencies}) == len(agencies)


def test_programmes_run_a_kind_of_engagement_and_are_listed_once() -> None:
    programmes = load_programmes()
    assert {kind for _, kind, _ in programmes} <= {k.value for k in EngagementKind}
    assert len({name for name, _, _ in programmes}) == len(programmes)


def _keys(text: str, year: int | None = 2024) -> list[str]:
    return [m.iso3 for m in find_nations(text, year)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("American and Filipino troops", ["USA", "PHL"]),
        ("Japanese destroyers", ["JPN"]),
        ("Filipinos and Americans", ["PHL", "USA"]),
        ("Thai and Indonesian marines", ["THA", "IDN"]),
        ("the Philippine Navy", ["PHL"]),
        ("South Korean and North Korean officials", ["KOR", "PRK"]),
        ("Emirati, Saudi and Qatari pilots", ["ARE", "SAU", "QAT"]),
        ("Welsh and Scottish regiments", ["GBR", "GBR"]),
    ],
)
def test_demonyms_name_their_nation(text: str, expected: list[str]) -> None:
    assert _keys(text) == expected


@pytest.mark.parametrize(
    ("force", "iso3"),
    [
        ("U.S. Marines", "USA"),
        ("U.S. Army", "USA"),
        ("the PLA", "CHN"),
        ("PLA Navy", "CHN"),
        ("People's Liberation Army", "CHN"),
        ("People’s Liberation Army", "CHN"),
        ("JMSDF", "JPN"),
        ("JGSDF", "JPN"),
        ("Self-Defense Forces", "JPN"),
        ("ROK Navy", "KOR"),
        ("ROK Army", "KOR"),
        ("IDF", "ISR"),
        ("Tatmadaw", "MMR"),
        ("Bundeswehr", "DEU"),
        ("Royal Thai Navy", "THA"),
        ("Indian Navy", "IND"),
        ("Royal Australian Navy", "AUS"),
        ("Armed Forces of the Philippines", "PHL"),
        ("Royal Navy", "GBR"),
        ("Royal Navy of Oman", "OMN"),
        ("Massachusetts National Guard", "USA"),
        ("USS Blue Ridge", "USA"),
        ("HMAS Canberra", "AUS"),
    ],
)
def test_forces_services_and_ship_prefixes_name_their_nation(force: str, iso3: str) -> None:
    assert _keys(f"Sailors of the {force} trained.") == [iso3]


def test_the_longest_term_wins() -> None:
    assert _keys("drills in the South China Sea") == []
    assert _keys("Papua New Guinea and Guinea-Bissau") == ["PNG", "GNB"]
    assert _keys("the Korean Peninsula and the Indian Ocean") == []
    assert _keys("Latin American and North American delegates") == []


def test_mentions_carry_their_spans() -> None:
    text = "Forces of the Philippines, Japan's JMSDF and U.S. Marines."
    for mention in find_nations(text, 2024):
        assert text[mention.start : mention.end] == mention.text
    assert [m.text for m in find_nations(text, 2024)] == [
        "Philippines",
        "Japan",
        "JMSDF",
        "U.S. Marines",
    ]


def test_acronyms_match_as_written_and_names_also_in_capitals() -> None:
    assert _keys("Let us train with the US and the UK.") == ["USA", "GBR"]
    assert _keys("JAPAN AND THE PHILIPPINES SIGN PACT") == ["JPN", "PHL"]
    assert _keys("the pla and the us") == []


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("Soviet advisers", 1985, ["SUN"]),
        ("Soviet advisers", 2024, []),
        ("Russian officers", 1985, ["SUN"]),
        ("Russian officers", 2024, ["RUS"]),
        ("Czech pilots", 1990, ["CSK"]),
        ("Czech pilots", 2000, ["CZE"]),
        ("East German troops", 1985, ["DDR"]),
        ("Burmese soldiers", 2024, ["MMR"]),
        ("the Tatmadaw", 1990, ["MMR"]),
        ("Burma's army", 1985, ["MMR"]),
        ("Zairean troops", 1980, ["COD"]),
        ("Czech pilots", None, ["CZE"]),
    ],
)
def test_names_are_read_for_the_passage_year(
    text: str, year: int | None, expected: list[str]
) -> None:
    assert _keys(text, year) == expected


def test_a_ship_name_names_no_nation_or_place() -> None:
    text = "USS Georgia and HMAS Canberra arrived in Manila."
    assert _keys(text) == ["USA", "AUS"]
    assert [(p.text, p.iso3) for p in find_places(text)] == [("Manila", "PHL")]


def test_a_nation_that_is_also_a_given_name_is_skipped_before_a_surname() -> None:
    assert _keys("Capt. Chad Miller met Jordan Smith.") == []
    assert _keys("Chad and Jordan Armed Forces trained.") == ["TCD", "JOR"]


def test_territories_are_read_as_the_state_they_belong_to() -> None:
    assert _keys("ships at Guam, in Hong Kong and in New Caledonia") == ["USA", "CHN", "FRA"]


def test_a_news_agency_name_hides_the_nation_inside_it() -> None:
    assert _keys("the Philippine News Agency and the South China Morning Post said") == []
    agencies = default_finder().agencies("(Xinhua) and Yonhap reported")
    assert [(a.text, a.iso3) for a in agencies] == [("Xinhua", "CHN"), ("Yonhap", "KOR")]


def test_places_ports_and_seas_lie_in_their_nation_or_none() -> None:
    places = find_places("from Yokosuka and Subic Bay to the Philippine Sea and Pearl Harbor")
    assert [(p.text, p.iso3) for p in places] == [
        ("Yokosuka", "JPN"),
        ("Subic Bay", "PHL"),
        ("Philippine Sea", None),
        ("Pearl Harbor", "USA"),
    ]


def test_programmes_are_found_with_their_kind() -> None:
    found = default_finder().programmes("Cobra Gold 2024 and RIMPAC 2022 and Pacific Partnership")
    assert [(p.name, p.kind) for p in found] == [
        ("Cobra Gold", "exercise"),
        ("RIMPAC", "exercise"),
        ("Pacific Partnership", "humanitarian"),
    ]
