"""The bundled reference tables: columns, uniqueness, year ranges and agreement with CoW."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources

import pytest

from comity.model import CodeSystem
from comity.nations import load_reference
from comity.nations.organisations import load_organisations


def _tsv(name: str) -> list[dict[str, str]]:
    text = resources.files("comity.nations").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


@pytest.mark.parametrize(
    "name",
    sorted(
        p.name
        for p in resources.files("comity.nations").iterdir()
        if p.name.startswith("crosswalk") and p.name.endswith(".tsv")
    ),
)
def test_crosswalk_columns_and_keys_are_sound(name: str) -> None:
    rows = _tsv(name)
    assert list(rows[0]) == ["system", "code", "iso3", "valid_from", "valid_to", "note"]
    nations = load_reference().nations
    for row in rows:
        assert row["system"] in {s.value for s in CodeSystem}
        assert row["iso3"] in nations, row
        if row["valid_from"] and row["valid_to"]:
            assert date.fromisoformat(row["valid_from"]) <= date.fromisoformat(row["valid_to"])


def test_no_code_means_two_nations_on_the_same_day() -> None:
    codes = load_reference().codes
    by_code: dict[tuple[str, str], list[tuple[date, date]]] = {}
    for code in codes:
        span = (code.valid_from or date.min, code.valid_to or date.max)
        for other in by_code.get((code.system.value, code.code), []):
            assert span[1] < other[0] or other[1] < span[0], code
        by_code.setdefault((code.system.value, code.code), []).append(span)


def test_every_cow_state_maps_to_a_nation() -> None:
    path = resources.files("comity").joinpath("data/cow_states/cow_states_2016.csv")
    ccodes = {row["ccode"] for row in csv.DictReader(path.read_text().splitlines())}
    mapped = {c.code for c in load_reference().codes if c.system is CodeSystem.COW}
    assert ccodes == mapped
    assert len(ccodes) == 217


def test_extra_nations_and_aliases_are_unique() -> None:
    keys = [row["iso3"] for row in _tsv("extra_nations.tsv")]
    assert len(keys) == len(set(keys))
    aliases = [row["alias"].casefold() for row in _tsv("aliases.tsv")]
    assert len(aliases) == len(set(aliases))


@pytest.mark.parametrize(
    ("key", "years"),
    [
        ("USA", "1816-"),
        ("RUS", "1816-1921, 1991-"),
        ("SUN", "1922-1991"),
        ("DEU", "1816-1945, 1955-"),
        ("DDR", "1954-1990"),
        ("YUG", "1918-1941, 1944-2006"),
        ("SRB", "1878-1918, 2006-"),
        ("CSK", "1918-1939, 1945-1992"),
        ("YEM", "1926-"),
        ("XVN", "1954-1975"),
        ("SSD", "2011-"),
        ("HKG", "not tracked"),
    ],
)
def test_state_system_years_follow_cow_cut_by_the_crosswalk(key: str, years: str) -> None:
    assert load_reference().nations[key].years == years


def test_codes_of_the_registry_are_the_latest() -> None:
    nations = load_reference().nations
    assert (nations["DEU"].cow_code, nations["DEU"].gw_code) == (255, 260)
    assert (nations["YEM"].cow_code, nations["YEM"].gw_code) == (679, 678)
    assert nations["KOR"].cow_abbrev == "ROK"
    assert nations["NAM"].iso2 == "NA"  # pandas must not read Namibia's code as missing


def test_organisations_match_their_provenance() -> None:
    organisations, memberships = load_organisations()
    assert {o.code for o in organisations} == {
        "NATO",
        "SCO",
        "CSTO",
        "ASEAN",
        "ANZUS",
        "FVEY",
        "EU",
    }
    nato_2024 = {m.nation for m in memberships if m.organisation == "NATO" and m.active_in(2024)}
    assert len(nato_2024) == 32
    uzbek = sorted(
        (m.joined, m.left) for m in memberships if m.organisation == "CSTO" and m.nation == "UZB"
    )
    assert uzbek == [(1992, 1999), (2006, 2012)]
    nations = load_reference().nations
    assert all(m.nation in nations for m in memberships)


def test_country_converter_rows_are_those_its_converter_holds() -> None:
    """Read without pandas, the rows are the ones ``CountryConverter().data`` holds."""
    import country_converter

    from comity.nations.reference import converter_rows

    mine = converter_rows()
    theirs = {
        row["ISO3"]: row for row in country_converter.CountryConverter().data.to_dict("records")
    }
    assert set(mine) == set(theirs) and len(mine) > 240

    def text(value: object) -> str | None:
        if value is None or (isinstance(value, float) and value != value) or value == "":
            return None
        return str(value)

    fields = ("name_short", "name_official", "ISO2", "UNregion", "continent", "regex")
    for key, row in theirs.items():
        assert {f: text(row.get(f)) for f in fields} == {f: text(mine[key].get(f)) for f in fields}


def test_naming_a_nation_loads_no_pandas() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from comity.nations.reference import load_reference; load_reference(); "
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
