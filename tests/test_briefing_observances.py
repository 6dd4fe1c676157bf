"""Seasons that span days in a briefing: Ramadan, Lent, Great Lent, High Holy Days, Spring Festival.

Every date below was checked against the calendar library the season comes from (hijridate's
Umm al-Qura table, convertdate's Easter and Hebrew calendar, lunardate), and against a printed
calendar: Ramadan 1448 AH runs 8 February to 8 March 2027, Eid al-Fitr on 9 March.
"""

from __future__ import annotations

from datetime import date

import pytest
from hijridate import Hijri

from comity.access import Viewer
from comity.culture.observances import find_observances, seasons_kept
from comity.culture.render import render_text
from comity.culture.windows import DateWindow
from comity.services import culture
from comity.store import Store

SAU_MARCH = (date(2027, 3, 1), date(2027, 3, 20))


def test_saudi_arabia_in_march_2027_is_told_of_ramadan(store: Store, operator: Viewer) -> None:
    briefing = culture.create_briefing(store, operator, "SAU", start=SAU_MARCH[0], end=SAU_MARCH[1])
    seasons = briefing.to_dict()["observances"]
    assert [(s["name"], s["start"], s["end"], s["days"]) for s in seasons] == [
        ("Ramadan", "2027-02-08", "2027-03-08", 29)
    ]
    first = Hijri(1448, 9, 1).to_gregorian()
    assert (first.year, first.month, first.day) == (2027, 2, 8)
    ramadan = seasons[0]
    assert ramadan["source"].startswith("Umm al-Qura calendar (hijridate ")
    assert "fast from dawn to sunset" in ramadan["meaning"]
    assert ramadan["reason"] == (
        "Saudi Arabia (SAU)'s national calendar (the holidays package) keeps Eid al-Fitr, "
        "which ends Ramadan."
    )
    text = render_text(briefing)
    assert "    2027-02-08 to 2027-03-08  Ramadan (29 days)\n" in text
    assert "Eid al-Fitr Holiday — national public holiday" in text
    assert any(s.startswith("Ramadan: Umm al-Qura calendar (hijridate") for s in briefing.sources)


@pytest.mark.parametrize(
    ("start", "end", "listed"),
    [
        (date(2027, 1, 20), date(2027, 2, 8), True),  # the window ends on its first day
        (date(2027, 3, 8), date(2027, 3, 31), True),  # the window starts on its last day
        (date(2027, 3, 9), date(2027, 4, 20), False),  # Eid al-Fitr onwards
        (date(2027, 1, 1), date(2027, 2, 7), False),
    ],
)
def test_a_season_is_listed_when_any_day_of_it_is_in_the_window(
    start: date, end: date, listed: bool
) -> None:
    found = find_observances("SA", DateWindow(start, end), "Saudi Arabia (SAU)")
    assert [o.name for o in found] == (["Ramadan"] if listed else [])


@pytest.mark.parametrize(
    ("territory", "start", "end", "expected"),
    [
        # Western Easter 28 March 2027: Ash Wednesday 10 February to Holy Saturday 27 March.
        ("FR", date(2027, 3, 1), date(2027, 3, 10), [("Lent", "2027-02-10", "2027-03-27")]),
        # Orthodox Easter 2 May 2027: Clean Monday 15 March to Holy Saturday 1 May.
        ("GR", date(2027, 4, 1), date(2027, 4, 10), [("Great Lent", "2027-03-15", "2027-05-01")]),
        # 1 Tishrei 5788 is 2 October 2027, 10 Tishrei (Yom Kippur) 11 October.
        (
            "IL",
            date(2027, 10, 10),
            date(2027, 10, 20),
            [("High Holy Days (Rosh Hashanah to Yom Kippur)", "2027-10-02", "2027-10-11")],
        ),
        # Lunar New Year 6 February 2027: its eve to the Lantern Festival (20 February).
        (
            "KR",
            date(2027, 2, 18),
            date(2027, 2, 28),
            [
                (
                    "Spring Festival (Lunar New Year to the Lantern Festival)",
                    "2027-02-05",
                    "2027-02-20",
                )
            ],
        ),
    ],
)
def test_each_season_comes_from_its_calendar(
    territory: str, start: date, end: date, expected: list[tuple[str, str, str]]
) -> None:
    found = find_observances(territory, DateWindow(start, end), territory)
    assert [(o.name, o.start.isoformat(), o.end.isoformat()) for o in found] == expected


@pytest.mark.parametrize(
    ("territory", "kept"),
    [
        ("SA", ["ramadan"]),
        ("FR", ["lent"]),
        ("GR", ["great_lent"]),
        ("IL", ["high_holy_days"]),
        ("CN", ["spring_festival"]),
        ("LB", ["ramadan", "lent", "great_lent"]),
        # Good Friday is no federal holiday: the rule finds nothing it could stand on.
        ("US", []),
        (None, []),
    ],
)
def test_a_season_applies_where_the_national_calendar_keeps_its_feast(
    territory: str | None, kept: list[str]
) -> None:
    assert [s.key for s in seasons_kept(territory, 2027)] == kept


def test_a_nation_without_a_calendar_has_no_season(store: Store, operator: Viewer) -> None:
    briefing = culture.create_briefing(
        store, operator, "Soviet Union", start=date(1985, 6, 1), end=date(1985, 6, 30)
    )
    assert briefing.to_dict()["observances"] == []
