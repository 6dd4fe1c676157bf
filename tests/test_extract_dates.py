"""Dates in text: each form, relative dates against the publication date, precision, no invented
year, and which date dates the engagement."""

from __future__ import annotations

from datetime import date

import pytest

from comity.extract.dates_in_text import find_dates
from comity.extract.periods import choose_period

WEDNESDAY = date(2024, 3, 6)


def _read(text: str, published: date | None = WEDNESDAY) -> list[tuple[str, str | None]]:
    return [(m.first, m.last) for m in find_dates(text, published)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from Feb. 27 to March 10, 2024", [("2024-02-27", "2024-03-10")]),
        ("27 February to 10 March 2024", [("2024-02-27", "2024-03-10")]),
        ("held 3-14 May 2023", [("2023-05-03", "2023-05-14")]),
        ("May 15-19, 2023", [("2023-05-15", "2023-05-19")]),
        ("from Oct. 31 to Nov. 18, 2022", [("2022-10-31", "2022-11-18")]),
        ("Dec. 28 to Jan. 5, 2024", [("2023-12-28", "2024-01-05")]),
        ("from May 3 to 14", [("2024-05-03", "2024-05-14")]),
        ("between March and May 2024", [("2024-03", "2024-05")]),
        ("from April to October", [("2024-04", "2024-10")]),
        ("on 25 April 2023", [("2023-04-25", None)]),
        ("on Sept. 3, 2022", [("2022-09-03", None)]),
        ("on Feb. 6", [("2024-02-06", None)]),
        ("published 2024-03-01", [("2024-03-01", None)]),
        ("in late August 2024", [("2024-08", None)]),
        ("in March", [("2024-03", None)]),
        ("In March", [("2024-03", None)]),
        ("in 2023", [("2023", None)]),
        ("since 1982", [("1982", None)]),
    ],
)
def test_date_expressions_resolve_at_the_precision_the_text_gives(
    text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert _read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Monday", "2024-03-04"),
        ("began Tuesday", "2024-03-05"),
        ("on Wednesday", "2024-03-06"),
        ("last Monday", "2024-03-04"),
        ("this past Friday", "2024-03-01"),
        ("will begin on Monday", "2024-03-11"),
        ("yesterday", "2024-03-05"),
        ("today", "2024-03-06"),
        ("this week", "2024-03"),
        ("last week", "2024-02"),
        ("this month", "2024-03"),
        ("earlier this month", "2024-03"),
        ("last month", "2024-02"),
        ("next month", "2024-04"),
        ("last year", "2023"),
    ],
)
def test_relative_dates_resolve_against_the_publication_date(text: str, expected: str) -> None:
    assert _read(text) == [(expected, None)]


def test_a_weekday_of_the_publication_day_is_that_day() -> None:
    assert _read("signed the pact on Wednesday") == [("2024-03-06", None)]


def test_a_month_without_a_year_is_the_nearest_one_to_the_publication_date() -> None:
    assert _read("in December", date(2024, 1, 5)) == [("2023-12", None)]
    assert _read("will be held in January", date(2023, 12, 20)) == [("2024-01", None)]


@pytest.mark.parametrize("text", ["on March 3", "on Monday", "last week", "in March", "May 3-14"])
def test_no_year_is_invented_without_a_publication_date(text: str) -> None:
    assert _read(text, None) == []


def test_a_year_in_an_event_name_dates_its_days_without_a_publication_date() -> None:
    assert _read("Cobra Gold 2024 opened on Feb. 27.", None) == [("2024-02-27", None)]
    assert _read("Cobra Gold 2024 opened on Monday.", None) == []


def test_each_mention_keeps_its_words_and_precision() -> None:
    text = "The drills, which began on Monday, run through March 8."
    first, second = find_dates(text, WEDNESDAY)
    assert (first.text, first.precision, first.relative) == ("on Monday", "day", True)
    assert text[second.start : second.end] == "March 8"
    assert (second.precision, second.year_given) == ("day", False)
    assert find_dates("in 2023")[0].precision == "year"
    assert find_dates("in May 2023")[0].precision == "month"


def test_an_impossible_day_is_no_date() -> None:
    assert _read("on Feb. 30, 2024") == []


def _period(text: str, published: date | None = WEDNESDAY, after: int = 0) -> tuple[str, ...]:
    found = choose_period(text, find_dates(text, published), after)
    assert found is not None
    return found[1], found[2] or ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cobra Gold runs from Feb. 27 to March 10, 2024.", ("2024-02-27", "2024-03-10")),
        (
            "South Korean and U.S. forces on Monday began the drills, which run through March 23.",
            ("2024-03-04", "2024-03-23"),
        ),
        (
            "The armies closed out the exercise on Friday. It began Feb. 7 in Pahang.",
            ("2024-02-07", "2024-03-01"),
        ),
        (
            "Russia began delivering the systems this month, the agency said on Sunday.",
            ("2024-03", ""),
        ),
        ("The centre, which opened in 1993, held a course this week.", ("2024-03", "")),
        ("Held since 1982, the exercise began on Tuesday.", ("2024-03-05", "")),
        ("The ministers met on Friday and aim to field the jet by 2035.", ("2024-03-01", "")),
    ],
)
def test_the_engagement_is_dated_by_its_start_and_end(text: str, expected: tuple[str, str]) -> None:
    assert _period(text) == expected


def test_a_dateline_date_is_the_filing_not_the_event() -> None:
    text = "BEIJING, July 4 (Xinhua) -- Officers graduated on Monday."
    assert _period(text, date(2023, 7, 4), after=text.index("Officers")) == ("2023-07-03", "")


def test_no_date_gives_no_period() -> None:
    assert choose_period("No date here.", []) is None
