"""The nation resolver: real-world spellings and codes, historical states, and the known traps."""

from __future__ import annotations

import pytest

from comity.errors import NationCandidate, UnknownNationError, UnknownNationReason
from comity.nations import NationResolver, default_resolver

# (value, code system or None, year or None, expected key). More than sixty real spellings.
CASES = [
    # ISO codes
    ("USA", None, None, "USA"),
    ("US", None, None, "USA"),
    ("840", "iso_numeric", None, "USA"),
    ("kor", None, None, "KOR"),
    ("KR", "iso2", None, "KOR"),
    ("GBR", "iso3", None, "GBR"),
    ("NA", "iso2", None, "NAM"),
    # Correlates of War numeric codes, year-aware
    ("2", "cow", None, "USA"),
    ("732", "cow", None, "KOR"),
    ("731", "cow", None, "PRK"),
    ("365", "cow", 1985, "SUN"),
    ("365", "cow", 1995, "RUS"),
    ("365", "cow", 1900, "RUS"),
    ("255", "cow", 1935, "DEU"),
    ("260", "cow", 1985, "DEU"),
    ("265", "cow", 1985, "DDR"),
    ("345", "cow", 1985, "YUG"),
    ("345", "cow", 2010, "SRB"),
    ("315", "cow", 1980, "CSK"),
    ("316", "cow", None, "CZE"),
    ("317", "cow", None, "SVK"),
    ("678", "cow", 1980, "YEM"),
    ("679", "cow", None, "YEM"),
    ("680", "cow", 1980, "YMD"),
    ("816", "cow", 1970, "VNM"),
    ("817", "cow", 1970, "XVN"),
    ("625", "cow", None, "SDN"),
    ("626", "cow", None, "SSD"),
    ("970", "cow", None, "NRU"),
    ("713", "cow", None, "TWN"),
    ("2.0", "cow", None, "USA"),
    # Correlates of War abbreviations
    ("GMY", None, None, "DEU"),
    ("GFR", None, None, "DEU"),
    ("GDR", None, None, "DDR"),
    ("UKG", None, None, "GBR"),
    ("ROK", None, None, "KOR"),
    ("KOR", "cow_abbrev", None, "XKR"),
    ("RVN", None, None, "XVN"),
    ("DRV", None, None, "VNM"),
    ("YAR", None, None, "YEM"),
    ("YPR", None, None, "YMD"),
    ("CZE", "cow_abbrev", None, "CSK"),
    ("CZR", None, None, "CZE"),
    ("SWZ", "cow_abbrev", None, "CHE"),
    # Gleditsch-Ward codes: where they differ from CoW
    ("260", "gw", 2000, "DEU"),
    ("340", "gw", 2010, "SRB"),
    ("345", "gw", 1995, "YUG"),
    ("678", "gw", 2000, "YEM"),
    ("970", "gw", None, "KIR"),
    ("971", "gw", None, "NRU"),
    # Names, official names and common variants
    ("United States", None, None, "USA"),
    ("United States of America", None, None, "USA"),
    ("U.S.A.", None, None, "USA"),
    ("Republic of Korea", None, None, "KOR"),
    ("South Korea", None, None, "KOR"),
    ("Korea, Republic of", None, None, "KOR"),
    ("Korea South", None, None, "KOR"),
    ("North Korea", None, None, "PRK"),
    ("DPRK", None, None, "PRK"),
    ("Democratic People's Republic of Korea", None, None, "PRK"),
    ("United Kingdom", None, None, "GBR"),
    ("Great Britain", None, None, "GBR"),
    ("Russian Federation", None, None, "RUS"),
    ("People's Republic of China", None, None, "CHN"),
    ("PRC", None, None, "CHN"),
    ("Taiwan", None, None, "TWN"),
    ("Côte d’Ivoire", None, None, "CIV"),
    ("Ivory Coast", None, None, "CIV"),
    ("Congo - Kinshasa", None, None, "COD"),
    ("Democratic Republic of the Congo", None, None, "COD"),
    ("Congo - Brazzaville", None, None, "COG"),
    ("Myanmar (Burma)", None, None, "MMR"),
    ("Burma", None, None, "MMR"),
    ("Czechia", None, None, "CZE"),
    ("Czech Republic", None, None, "CZE"),
    ("Eswatini", None, None, "SWZ"),
    ("Swaziland", None, None, "SWZ"),
    ("North Macedonia", None, None, "MKD"),
    ("Macedonia", None, None, "MKD"),
    ("Timor-Leste", None, None, "TLS"),
    ("East Timor", None, None, "TLS"),
    ("Trinidad & Tobago", None, None, "TTO"),
    ("Bosnia & Herzegovina", None, None, "BIH"),
    ("St. Vincent & Grenadines", None, None, "VCT"),
    ("São Tomé & Príncipe", None, None, "STP"),
    ("Hong Kong SAR China", None, None, "HKG"),
    ("Viet Nam", None, None, "VNM"),
    ("Namibia", None, None, "NAM"),
    ("the Netherlands", None, None, "NLD"),
    ("Kosovo", None, None, "XKX"),
    ("United Arab Emirates", None, None, "ARE"),
    ("UAE", None, None, "ARE"),
    # Historical states and names read for their year
    ("USSR", None, None, "SUN"),
    ("Soviet Union", None, None, "SUN"),
    ("Russia", None, 1985, "SUN"),
    ("Russia", None, 1995, "RUS"),
    ("RUS", None, 1985, "SUN"),
    ("Germany", None, 1985, "DEU"),
    ("Federal Republic of Germany", None, None, "DEU"),
    ("West Germany", None, None, "DEU"),
    ("East Germany", None, None, "DDR"),
    ("German Democratic Republic", None, None, "DDR"),
    ("Yugoslavia", None, None, "YUG"),
    ("Serbia", None, 1995, "YUG"),
    ("Serbia", None, 2010, "SRB"),
    ("Serbia and Montenegro", None, None, "YUG"),
    ("Czechoslovakia", None, None, "CSK"),
    ("South Yemen", None, None, "YMD"),
    ("Yemen Arab Republic", None, None, "YEM"),
    ("Republic of Vietnam", None, None, "XVN"),
    ("South Vietnam", None, None, "XVN"),
    ("Zaire", None, None, "COD"),
    ("Netherlands Antilles", None, None, "ANT"),
]


@pytest.mark.parametrize(("value", "system", "year", "expected"), CASES)
def test_resolves(value: str, system: str | None, year: int | None, expected: str) -> None:
    assert default_resolver().resolve_key(value, system=system, year=year) == expected


def test_there_are_at_least_sixty_real_spellings() -> None:
    assert len(CASES) >= 60


def test_a_misspelling_gets_a_suggestion() -> None:
    with pytest.raises(UnknownNationError) as raised:
        default_resolver().resolve("Germny")
    assert raised.value.message == "Unknown nation 'Germny'."
    assert raised.value.suggestions[0] == "Germany (DEU)"
    assert raised.value.hint is not None and raised.value.hint.startswith("Did you mean: Germany")


def test_a_name_nobody_knows_points_to_the_search() -> None:
    with pytest.raises(UnknownNationError) as raised:
        default_resolver().resolve("Atlantis")
    assert raised.value.suggestions == []
    assert raised.value.hint == "Run `comity nations --search TEXT` to look it up."


def test_a_bare_number_needs_its_code_system() -> None:
    with pytest.raises(UnknownNationError) as raised:
        default_resolver().resolve("840")
    assert raised.value.message == "'840' is a number: name its code system."
    assert "iso_numeric 840 = United States (USA)" in (raised.value.hint or "")
    assert "cow 840 = Philippines (PHL)" in (raised.value.hint or "")


def test_an_unknown_nation_carries_its_reason_and_candidates_as_data() -> None:
    with pytest.raises(UnknownNationError) as raised:
        default_resolver().resolve("Germny")
    assert raised.value.reason is UnknownNationReason.NO_MATCH
    assert raised.value.candidates[0] == NationCandidate("DEU", "Germany (DEU)")


def test_a_name_of_two_nations_is_ambiguous() -> None:
    with pytest.raises(UnknownNationError) as raised:
        default_resolver().resolve("Niger Nigeria")
    assert raised.value.reason is UnknownNationReason.AMBIGUOUS_NAME
    assert raised.value.message == "Nation name 'Niger Nigeria' is ambiguous."
    assert [c.key for c in raised.value.candidates] == ["NER", "NGA"]
    assert raised.value.hint == "Did you mean: Niger (NER), Nigeria (NGA)?"


def test_a_bare_number_lists_its_readings_as_candidates() -> None:
    with pytest.raises(UnknownNationError) as raised:
        default_resolver().resolve("840")
    assert raised.value.reason is UnknownNationReason.BARE_NUMBER
    assert NationCandidate("PHL", "cow 840 = Philippines (PHL)") in raised.value.candidates


def test_an_unknown_code_names_its_system() -> None:
    with pytest.raises(UnknownNationError) as raised:
        default_resolver().resolve("999", system="cow")
    assert raised.value.message == "Unknown nation '999' as a cow code."


def test_extra_aliases_from_a_mapping_take_precedence() -> None:
    resolver = NationResolver(extra_aliases={"Baltic States": "EST", "Korea": "PRK"})
    assert resolver.resolve_key("Baltic States") == "EST"
    assert resolver.resolve_key("korea") == "PRK"


def test_an_alias_to_an_unknown_key_is_refused() -> None:
    with pytest.raises(UnknownNationError):
        NationResolver(extra_aliases={"Atlantis": "ATL"})


def test_search_finds_by_part_of_a_name() -> None:
    keys = [n.iso3 for n in default_resolver().search("korea")]
    assert keys[:2] == ["KOR", "PRK"] and "XKR" in keys
