"""Briefings on real nations: languages, holidays, weekends, time zones, cultural distance."""

from __future__ import annotations

import csv
import math
import re
from datetime import date
from importlib import resources
from typing import Any

import pytest
from babel.core import Locale

from comity.access import Viewer
from comity.culture.distance import create_distance_matrix, dimension_variances, kogut_singh
from comity.culture.weekends import cldr_weekend, weekend_of, weekends_between
from comity.errors import UnknownNationError, ValidationError
from comity.ingest.datasets.hofstede import MEASURES, REGIONAL_CODES, SUB_NATIONAL_CODES
from comity.model import clock
from comity.services import culture
from comity.store import Store

# nation, a language, its name in its own language, a window, a holiday in it (date, name,
# severity), and the weekend days.
FACTS = [
    (
        "JPN",
        "Japanese",
        "日本",
        "2027-02-20",
        "2027-02-28",
        ("2027-02-23", "Emperor's Birthday", "public_holiday"),
        ["Saturday", "Sunday"],
    ),
    (
        "SAU",
        "Arabic",
        "المملكة العربية السعودية",
        "2027-03-01",
        "2027-03-31",
        ("2027-03-09", "Eid al-Fitr Holiday", "public_holiday"),
        ["Friday", "Saturday"],
    ),
    (
        "ISR",
        "Hebrew",
        "ישראל",
        "2027-09-25",
        "2027-10-15",
        ("2027-10-11", "Yom Kippur", "public_holiday"),
        ["Friday", "Saturday"],
    ),
    (
        "IND",
        "Hindi",
        "भारत",
        "2027-10-25",
        "2027-11-05",
        ("2027-10-29", "Diwali", "public_holiday"),
        ["Sunday"],
    ),
    (
        "BRA",
        "Portuguese",
        "Brasil",
        "2027-02-01",
        "2027-04-30",
        ("2027-02-09", "Carnival", "observance"),
        ["Saturday", "Sunday"],
    ),
    (
        "FRA",
        "French",
        "France",
        "2027-07-01",
        "2027-07-31",
        ("2027-07-14", "National Day", "public_holiday"),
        ["Saturday", "Sunday"],
    ),
    (
        "NGA",
        "Yoruba",
        "Nàìjíríà",
        "2027-06-01",
        "2027-06-30",
        ("2027-06-12", "Democracy Day", "public_holiday"),
        ["Saturday", "Sunday"],
    ),
    (
        "IDN",
        "Indonesian",
        "Indonesia",
        "2027-08-01",
        "2027-08-31",
        ("2027-08-17", "Independence Day", "public_holiday"),
        ["Saturday", "Sunday"],
    ),
    (
        "ARE",
        "Arabic",
        "الإمارات العربية المتحدة",
        "2027-11-25",
        "2027-12-10",
        ("2027-12-02", "National Day", "public_holiday"),
        ["Saturday", "Sunday"],
    ),
    (
        "KOR",
        "Korean",
        "대한민국",
        "2027-09-10",
        "2027-09-20",
        ("2027-09-15", "Chuseok", "public_holiday"),
        ["Saturday", "Sunday"],
    ),
    (
        "IRN",
        "Persian",
        "ایران",
        "2027-03-15",
        "2027-04-05",
        ("2027-03-21", "Nowruz", "public_holiday"),
        ["Friday"],
    ),
]


@pytest.mark.parametrize(
    ("nation", "language", "own_name", "start", "end", "holiday", "weekend"),
    FACTS,
    ids=[f[0] for f in FACTS],
)
def test_a_briefing_states_real_facts(
    store: Store,
    operator: Viewer,
    nation: str,
    language: str,
    own_name: str,
    start: str,
    end: str,
    holiday: tuple[str, str, str],
    weekend: list[str],
) -> None:
    briefing = culture.create_briefing(
        store, operator, nation, start=date.fromisoformat(start), end=date.fromisoformat(end)
    ).to_dict()
    languages = {lang["name"]: lang for lang in briefing["languages"]}
    assert languages[language]["status"] == "official"
    assert 0 < languages[language]["share"] <= 100
    assert own_name in [n["name"] for n in briefing["native_names"]]
    day, name, severity = holiday
    assert {"date": day, "name": name, "severity": severity} in [
        {k: h[k] for k in ("date", "name", "severity")} for h in briefing["holidays"]
    ]
    assert all(start <= h["date"] <= end for h in briefing["holidays"])
    assert [w["days"] for w in briefing["weekend"]] == [weekend]
    assert briefing["time_zones"], "every one of these nations has a time zone"


def test_time_zones_come_from_cldr_with_their_offsets(store: Store, operator: Viewer) -> None:
    zones = culture.create_briefing(
        store, operator, "Indonesia", start=date(2027, 1, 1), end=date(2027, 1, 31)
    ).to_dict()["time_zones"]
    offsets = {z["name"]: z["utc_offsets"] for z in zones}
    assert offsets["Asia/Jakarta"] == ["+07:00"]
    assert offsets["Asia/Jayapura"] == ["+09:00"]
    israel = culture.create_briefing(
        store, operator, "ISR", start=date(2027, 3, 1), end=date(2027, 4, 30)
    ).to_dict()["time_zones"]
    assert israel == [{"name": "Asia/Jerusalem", "utc_offsets": ["+02:00", "+03:00"]}]


@pytest.mark.parametrize(
    ("territory", "locale", "days"),
    [
        ("SA", "ar_SA", [4, 5]),
        ("IL", "he_IL", [4, 5]),
        ("FR", "fr_FR", [5, 6]),
        ("AE", "ar_AE", [5, 6]),
        ("IR", "fa_IR", [4]),
    ],
)
def test_babel_knows_the_weekends_of_the_issue(
    territory: str, locale: str, days: list[int]
) -> None:
    # CLDR 41+ has the UAE's Saturday-Sunday weekend of 2022: no correction is needed for it.
    parsed = Locale.parse(locale)
    assert list(range(parsed.weekend_start, parsed.weekend_end + 1)) == days
    rule = weekend_of(territory, date(2027, 1, 4))
    assert rule is not None and list(rule.days) == days and not rule.corrected


def test_corrections_cover_split_and_past_weekends() -> None:
    brunei = weekend_of("BN", date(2027, 1, 4))
    assert brunei is not None and brunei.names == ["Friday", "Sunday"] and brunei.corrected
    assert cldr_weekend("BN") is not None and cldr_weekend("BN").names == ["Saturday", "Sunday"]  # type: ignore[union-attr]
    assert weekend_of("AE", date(2021, 12, 31)).names == ["Friday", "Saturday"]  # type: ignore[union-attr]
    assert weekend_of("AE", date(2022, 1, 1)).names == ["Saturday", "Sunday"]  # type: ignore[union-attr]
    assert weekend_of("AE", date(2006, 8, 31)).names == ["Thursday", "Friday"]  # type: ignore[union-attr]
    assert weekend_of("SA", date(2013, 6, 28)).names == ["Thursday", "Friday"]  # type: ignore[union-attr]
    assert weekend_of("SA", date(2013, 6, 29)).names == ["Friday", "Saturday"]  # type: ignore[union-attr]
    across = weekends_between("AE", date(2021, 12, 20), date(2022, 1, 10))
    assert [w.describe() for w in across] == ["Friday and Saturday", "Saturday and Sunday"]
    assert weekend_of("SU", date(1980, 1, 1)) is None


def test_the_correction_table_is_well_formed() -> None:
    text = resources.files("comity.culture").joinpath("weekend_corrections.tsv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    assert list(rows[0]) == ["territory", "days", "valid_from", "valid_to", "recorded", "source"]
    spans: dict[str, list[tuple[date, date]]] = {}
    for row in rows:
        assert len(row["territory"]) == 2 and row["territory"].isupper()
        assert row["days"] and all(
            d in {"mon", "tue", "wed", "thu", "fri", "sat", "sun"} for d in row["days"].split(",")
        )
        assert date.fromisoformat(row["recorded"]) and len(row["source"]) > 40
        first = date.fromisoformat(row["valid_from"]) if row["valid_from"] else date.min
        last = date.fromisoformat(row["valid_to"]) if row["valid_to"] else date.max
        assert first <= last
        for other_first, other_last in spans.get(row["territory"], []):
            assert last < other_first or other_last < first, f"{row['territory']} overlaps"
        spans.setdefault(row["territory"], []).append((first, last))


def _hofstede_by_hand() -> dict[str, dict[str, float]]:
    """The bundled matrix read directly: national rows, #NULL! left out (Hofstede codes)."""
    path = resources.files("comity").joinpath(
        "data/hofstede/6-dimensions-for-website-2015-08-16.csv"
    )
    scores: dict[str, dict[str, float]] = {}
    with path.open(encoding="ascii", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["ctr"] in REGIONAL_CODES or row["ctr"] in SUB_NATIONAL_CODES:
                continue
            scores[row["ctr"]] = {m: float(row[m]) for m in MEASURES if row[m] != "#NULL!"}
    return scores


def _sample_variance(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _kogut_singh_by_hand(a: str, b: str) -> float:
    scores = _hofstede_by_hand()
    shared = [m for m in MEASURES if m in scores[a] and m in scores[b]]
    total = 0.0
    for m in shared:
        variance = _sample_variance([s[m] for s in scores.values() if m in s])
        total += (scores[a][m] - scores[b][m]) ** 2 / variance
    return total / len(shared)


@pytest.mark.full_data
def test_kogut_singh_matches_a_computation_by_hand(any_full_store: Store) -> None:
    matrix = culture.create_distance_matrix(any_full_store, ["USA", "Japan", "Saudi Arabia"])
    # Hofstede's own codes in the file: USA, JPN, SAU are also the ISO codes.
    usa_jpn, usa_sau = _kogut_singh_by_hand("USA", "JPN"), _kogut_singh_by_hand("USA", "SAU")
    assert matrix.value("USA", "JPN") == pytest.approx(usa_jpn, rel=1e-12)
    assert matrix.value("SAU", "USA") == pytest.approx(usa_sau, rel=1e-12)
    # Worked out once from the file; pinned so that a change of variance (sample vs population)
    # or of the dimensions used shows.
    assert round(usa_jpn, 4) == 3.0851
    assert round(usa_sau, 4) == 0.3417
    pairs = {(r["iso3_1"], r["iso3_2"]): r["dimensions"] for r in matrix.rows()}
    assert pairs == {("JPN", "SAU"): 2, ("JPN", "USA"): 6, ("SAU", "USA"): 2}


def test_kogut_singh_names_the_dimensions_that_differ_most() -> None:
    scores = {
        "AAA": {"pdi": 10.0, "idv": 50.0},
        "BBB": {"pdi": 90.0, "idv": 55.0},
        "CCC": {"pdi": 50.0, "idv": 60.0},
    }
    variances = dimension_variances(scores)
    assert variances == {"pdi": 1600.0, "idv": 25.0}
    distance = kogut_singh("AAA", "BBB", scores)
    assert distance.value == pytest.approx(((80**2 / 1600) + (5**2 / 25)) / 2)
    assert distance.largest_differences() == ["pdi", "idv"]
    assert "differs most in power distance (AAA 10, BBB 90)" in distance.describe()


def test_a_nation_without_scores_is_missing_from_the_matrix() -> None:
    scores = {"AAA": {"pdi": 10.0}, "BBB": {"pdi": 30.0}, "CCC": {"ivr": 5.0}, "DDD": {"ivr": 9.0}}
    matrix = create_distance_matrix(["AAA", "BBB", "CCC", "EEE"], scores)
    assert matrix.unscored == ("EEE",)
    assert matrix.value("AAA", "EEE") is None and matrix.value("EEE", "EEE") is None
    assert matrix.value("AAA", "CCC") is None
    assert matrix.value("BBB", "AAA") == pytest.approx(400 / 200)
    assert matrix.notices == (
        "No Hofstede scores for EEE: its distances are missing.",
        "AAA and CCC share no scored dimension: their distance is missing.",
        "BBB and CCC share no scored dimension: their distance is missing.",
    )
    assert all(math.isclose(r, c) for r, c in [(matrix.matrix()[0][1], matrix.matrix()[1][0])])


@pytest.mark.full_data
def test_a_briefing_as_seen_from_the_users_nation(any_full_store: Store, operator: Viewer) -> None:
    briefing = culture.create_briefing(
        any_full_store,
        operator,
        "SAU",
        start=date(2027, 3, 1),
        end=date(2027, 3, 31),
        perspective="United States",
    ).to_dict()
    hofstede = briefing["hofstede"]
    # Two shared dimensions: the distance (0.34 by hand) is refused, not compared with a median
    # of six-dimension pairs.
    assert round(_kogut_singh_by_hand("USA", "SAU"), 2) == 0.34
    assert hofstede["kogut_singh"] is None and hofstede["summary"] is None
    assert hofstede["shared_dimensions"] == 2 and hofstede["dimensions_text"] == "2 of 6"
    assert hofstede["refusal"] == (
        "Not computed: Saudi Arabia has 2 of Hofstede's 6 dimensions; a distance needs at least 4."
    )
    assert f"No cultural distance. {hofstede['refusal']}" in briefing["missing"]
    assert [o["name"] for o in briefing["observances"]] == ["Ramadan"]
    sources = [e for e in briefing["engagements"]["recent"] if e["source_id"]]
    assert all(
        not re.fullmatch(r"mme\d+(#\d+)?", e["title"]) for e in briefing["engagements"]["recent"]
    )
    assert all(re.fullmatch(r"[A-Z][a-z ]+ (with|of) .+, \d{4}", e["title"]) for e in sources)
    assert briefing["ties"]["years"] and briefing["ties"]["method_version"]
    assert briefing["engagements"]["count"] > 0
    assert all("USA" in e["nations"] for e in briefing["engagements"]["recent"])
    assert (
        "Hofstede scores of Saudi Arabia (SAU) lack power distance, individualism, masculinity, "
        "uncertainty avoidance." in briefing["missing"]
    )
    assert "Open plans: none with this nation that you may see." in briefing["missing"]


@pytest.mark.full_data
def test_a_distance_on_six_dimensions_is_compared_with_six_dimension_pairs(
    any_full_store: Store, operator: Viewer
) -> None:
    hofstede = culture.create_briefing(
        any_full_store,
        operator,
        "JPN",
        start=date(2027, 3, 1),
        end=date(2027, 3, 20),
        perspective="USA",
    ).to_dict()["hofstede"]
    assert hofstede["kogut_singh"] == pytest.approx(_kogut_singh_by_hand("USA", "JPN"))
    assert hofstede["dimensions_text"] == "6 of 6" and hofstede["refusal"] is None
    scores = _hofstede_by_hand()
    six = [n for n, s in scores.items() if len(s) == 6]
    assert hofstede["median_pairs"] == len(six) * (len(six) - 1) // 2
    assert hofstede["comparison"].startswith(
        f"For scale: the median over the {hofstede['median_pairs']:,} pairs of nations scored on "
        "the same 6 dimensions is "
    )


@pytest.mark.full_data
def test_the_years_after_the_datasets_end_are_estimates_not_a_fall(
    any_full_store: Store, operator: Viewer
) -> None:
    # The bundled exercises end in 2010 and the senior visits in 2012: beyond them the pair's
    # recent rate is projected, so the headline stays on the default year and does not fall.
    with clock.pinned_today(date(2026, 12, 5)):
        briefing = culture.create_briefing(any_full_store, operator, "JPN", perspective="USA")
    ties = briefing.to_dict()["ties"]
    assert ties["latest_year"] == 2022 and ties["trend"] in ("steady", "rising")
    assert ties["data_through"].startswith("data through: agreements 2010, exercises 2010")
    assert ties["estimate"]["year"] == 2026 and ties["estimate"]["projected_share"] > 0.5
    assert ties["estimate"]["last_observed_year"] == 2010
    assert [y["year"] for y in ties["years"] if y["estimate"]][-1] == 2026
    assert ties["caution"].startswith("60% of the 2022 index rests on projections: the last year ")
    assert "every source behind this pair observes is 2010" in ties["caution"]


@pytest.mark.full_data
def test_shared_memberships_in_the_windows_year(any_full_store: Store, operator: Viewer) -> None:
    briefing = culture.create_briefing(
        any_full_store,
        operator,
        "FRA",
        start=date(2027, 5, 1),
        end=date(2027, 5, 31),
        perspective="USA",
    ).to_dict()
    assert "NATO" in [o["code"] for o in briefing["memberships"]["organisations"]]
    assert briefing["memberships"]["shared"] is True


def test_missing_data_is_said_missing_never_guessed(store: Store, operator: Viewer) -> None:
    briefing = culture.create_briefing(
        store, operator, "Soviet Union", start=date(1985, 6, 1), end=date(1985, 6, 30)
    ).to_dict()
    assert briefing["languages"] == [] and briefing["holidays"] == []
    assert briefing["weekend"] == [] and briefing["time_zones"] == []
    assert briefing["missing"][:5] == [
        "No language data for Soviet Union (SUN): CLDR has none for its territory.",
        "No holiday data for Soviet Union (SUN): the holidays package has no calendar for it.",
        "No weekend data for Soviet Union (SUN): CLDR has no week data for its territory.",
        "No time zone data for Soviet Union (SUN): CLDR assigns its territory no zone.",
        "No Hofstede scores for Soviet Union (SUN).",
    ]


def test_a_briefing_without_a_window_covers_the_next_ninety_days(
    store: Store, operator: Viewer
) -> None:
    window = culture.create_briefing(store, operator, "JPN").to_dict()["window"]
    assert window["days"] == 90 and window["given"] is False
    assert window["start"] == date.today().isoformat()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            date(2027, 3, 31),
            date(2027, 3, 1),
            "Invalid briefing window: to: is before from (2027-03-31) (got 2027-03-01)",
        ),
        (
            date(2027, 1, 1),
            date(2029, 1, 2),
            "Invalid briefing window: to: is more than two years after from (2027-01-01) "
            "(got 2029-01-02)",
        ),
    ],
)
def test_bad_windows_are_refused(
    store: Store, operator: Viewer, start: date, end: date, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        culture.create_briefing(store, operator, "JPN", start=start, end=end)
    assert caught.value.message == message


def test_two_years_to_the_day_is_allowed(store: Store, operator: Viewer) -> None:
    briefing = culture.create_briefing(
        store, operator, "JPN", start=date(2027, 1, 1), end=date(2029, 1, 1)
    )
    assert briefing.to_dict()["window"]["days"] == 732


def test_an_unknown_nation_is_refused(store: Store, operator: Viewer) -> None:
    with pytest.raises(UnknownNationError) as caught:
        culture.create_briefing(store, operator, "Atlantis")
    assert caught.value.message == "Unknown nation 'Atlantis'."


def _holidays_of(briefing: dict[str, Any]) -> dict[str, str]:
    return {h["date"]: h["severity"] for h in briefing["holidays"]}


def test_observances_are_told_apart_from_public_holidays(store: Store, operator: Viewer) -> None:
    india = culture.create_briefing(
        store, operator, "IND", start=date(2027, 10, 25), end=date(2027, 11, 5)
    ).to_dict()
    assert _holidays_of(india)["2027-10-29"] == "public_holiday"  # Diwali
    assert _holidays_of(india)["2027-10-30"] == "observance"  # Govardhan Puja, optional
    usa = culture.create_briefing(
        store, operator, "USA", start=date(2027, 10, 25), end=date(2027, 11, 5)
    ).to_dict()
    assert "2027-10-31" not in _holidays_of(usa), "Halloween is unofficial: not a day off"
