"""Calendar checks: holidays and weekends an engagement falls on, and the nearest clear windows."""

from __future__ import annotations

from datetime import date

import pytest

from comity import services
from comity.access import Viewer
from comity.culture.calendar_check import check_calendar
from comity.culture.holiday_calendar import Severity
from comity.errors import NotFoundError, UnknownNationError, ValidationError
from comity.services import culture
from comity.store import Store


def _exercise(store: Store, operator: Viewer, start: str, end: str, *nations: str) -> int:
    stored = services.add_engagement(
        store,
        {
            "kind": "exercise",
            "title": "Falcon Shield",
            "start": start,
            "end": end,
            "host": nations[0],
            "participants": [{"nation": n} for n in nations],
        },
        operator,
    )
    return stored.id


def test_an_exercise_across_a_partners_national_day_is_flagged(
    store: Store, operator: Viewer
) -> None:
    # Saudi National Day, Thursday 23 September 2027; Tuesday to Thursday.
    engagement = _exercise(store, operator, "2027-09-21", "2027-09-23", "SAU", "USA")
    result = culture.check_engagement_calendar(store, operator, engagement)
    saudi = result.check.conflicts["SAU"]
    assert [(c.day, c.name, c.severity) for c in saudi] == [
        (date(2027, 9, 23), "National Day Holiday", Severity.PUBLIC_HOLIDAY)
    ]
    assert result.check.conflicts["USA"] == ()
    assert result.check.worst("SAU") is Severity.PUBLIC_HOLIDAY
    as_json = result.to_dict()
    assert as_json["engagement"]["title"] == "Falcon Shield"
    assert as_json["nations"][0]["conflicts"][0] == {
        "nation": "SAU",
        "date": "2027-09-23",
        "weekday": "Thursday",
        "severity": "public_holiday",
        "name": "National Day Holiday",
        "category": "public",
    }


def test_the_suggested_windows_have_no_conflict_for_anyone(store: Store, operator: Viewer) -> None:
    engagement = _exercise(store, operator, "2027-09-21", "2027-09-23", "SAU", "USA")
    check = culture.check_engagement_calendar(store, operator, engagement).check
    # Monday-Wednesday the day before; Sunday-Tuesday of the next week: Saudi Arabia hosts, and
    # Sunday is a working day there (the visitors' own weekend does not count).
    assert [(s.window.start, s.window.end, s.shift) for s in check.suggestions] == [
        (date(2027, 9, 20), date(2027, 9, 22), -1),
        (date(2027, 9, 26), date(2027, 9, 28), 5),
    ]
    for suggestion in check.suggestions:
        assert suggestion.conflicts == ()
        again = check_calendar(
            suggestion.window.start, suggestion.window.end, ["SAU", "USA"], host="SAU"
        )
        assert not again.has_conflicts and again.suggestions == ()


def test_the_smallest_shift_comes_first_and_later_wins_a_tie() -> None:
    # Saudi Arabia's Eid al-Fitr holidays run 9-12 March 2027, the weekend is Friday-Saturday.
    check = check_calendar(date(2027, 3, 8), date(2027, 3, 11), ["SAU", "USA"])
    assert [s.describe() for s in check.suggestions] == [
        "2027-03-15 to 2027-03-18 (7 days later)",
        "2027-03-01 to 2027-03-04 (7 days earlier)",
    ]


def test_long_windows_relax_to_holidays_only_and_say_so() -> None:
    # Two weeks with nations resting on Friday-Saturday and on Saturday-Sunday: every window
    # meets a weekend, so suggestions avoid holidays and observances only.
    check = check_calendar(date(2027, 3, 1), date(2027, 3, 14), ["SAU", "ISR", "USA"])
    assert (
        "Every window of 14 days within 60 days either way falls on some participant's weekend: "
        "suggestions avoid holidays and observances only."
    ) in check.notices
    assert check.suggestions
    for suggestion in check.suggestions:
        assert suggestion.avoids == {Severity.PUBLIC_HOLIDAY, Severity.OBSERVANCE}
        assert {c.severity for c in suggestion.conflicts} == {Severity.WEEKEND}


def test_weekend_days_are_conflicts_of_the_lowest_severity() -> None:
    # Friday 5 March 2027: Saudi Arabia and Israel rest, France works.
    check = check_calendar(date(2027, 3, 5), date(2027, 3, 5), ["SAU", "ISR", "FRA"])
    assert [(c.name, c.severity) for c in check.conflicts["SAU"]] == [
        ("Friday (weekend)", Severity.WEEKEND)
    ]
    assert check.conflicts["ISR"][0].severity is Severity.WEEKEND
    assert check.conflicts["FRA"] == ()


def test_a_nation_without_holiday_data_gives_a_notice_not_an_error(
    store: Store, operator: Viewer
) -> None:
    # Kosovo became a state in February 2008; the holidays package knows its calendar from 2009.
    engagement = _exercise(store, operator, "2008-06-02", "2008-06-05", "XKX", "USA")
    check = culture.check_engagement_calendar(store, operator, engagement).check
    assert "No holiday data for Kosovo (XKX) before 2009." in check.notices
    assert check.conflicts == {"XKX": (), "USA": ()}


def test_a_former_state_has_neither_holiday_nor_weekend_data() -> None:
    check = check_calendar(date(1985, 6, 3), date(1985, 6, 7), ["Soviet Union", "USA"])
    assert check.notices == (
        "No holiday data for Soviet Union (SUN): the holidays package has no calendar for it.",
        "No weekend data for Soviet Union (SUN): CLDR has no week data for its territory.",
    )


def test_a_past_weekend_is_checked_as_it_was() -> None:
    # Thursday 7 January 2010: the UAE rested Friday-Saturday then, Saudi Arabia Thursday-Friday.
    check = check_calendar(date(2010, 1, 7), date(2010, 1, 7), ["ARE", "SAU"], search_days=0)
    assert check.conflicts["ARE"] == ()
    assert [c.name for c in check.conflicts["SAU"]] == ["Thursday (weekend)"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            date(2027, 3, 10),
            date(2027, 3, 1),
            "Invalid calendar check: to: is before from (2027-03-10) (got 2027-03-01)",
        ),
        (
            date(2027, 3, 1),
            date(2029, 6, 1),
            "Invalid calendar check: to: is more than two years after from (2027-03-01) "
            "(got 2029-06-01)",
        ),
    ],
)
def test_bad_windows_are_refused(start: date, end: date, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_calendar(start, end, ["SAU"])
    assert caught.value.message == message


def test_unknown_nations_and_bad_search_ranges_are_refused() -> None:
    with pytest.raises(UnknownNationError, match="Unknown nation 'Atlantis'."):
        check_calendar(date(2027, 3, 1), date(2027, 3, 2), ["SAU", "Atlantis"])
    with pytest.raises(ValidationError, match="search_days: must be 0-366"):
        check_calendar(date(2027, 3, 1), date(2027, 3, 2), ["SAU"], search_days=400)
    with pytest.raises(ValidationError, match="nations: name at least one nation"):
        check_calendar(date(2027, 3, 1), date(2027, 3, 2), [])


def test_engagements_without_days_are_refused(store: Store, operator: Viewer) -> None:
    engagement = _exercise(store, operator, "2010-05", "2010-05", "SAU", "USA")
    with pytest.raises(ValidationError) as caught:
        culture.check_engagement_calendar(store, operator, engagement)
    assert caught.value.message == (
        f"Invalid calendar check of engagement {engagement}: start: is known only to the month "
        "(got 2010-05)"
    )
    with pytest.raises(NotFoundError, match="No engagement with id 999."):
        culture.check_engagement_calendar(store, operator, 999)


def test_a_hosted_window_counts_only_the_hosts_weekend_and_everyones_holidays() -> None:
    # Ten days in Saudi Arabia in March 2027: Friday 5 and Saturday 6 are its weekend; the
    # visitors from the United States work to it, so their Saturday and Sunday are no conflict.
    hosted = check_calendar(
        date(2027, 3, 1), date(2027, 3, 10), ["SAU", "USA"], search_days=0, host="SAU"
    )
    saudi = {(c.day, c.severity) for c in hosted.conflicts["SAU"]}
    assert {(date(2027, 3, 5), Severity.WEEKEND), (date(2027, 3, 6), Severity.WEEKEND)} <= saudi
    assert [c for c in hosted.conflicts["USA"] if c.severity is Severity.WEEKEND] == []
    assert hosted.rule is not None
    assert hosted.rule.startswith("Only the host's weekend counts (Saudi Arabia (SAU))")
    # Without a host every participant's weekend counts.
    everyone = check_calendar(date(2027, 3, 1), date(2027, 3, 10), ["SAU", "USA"], search_days=0)
    assert date(2027, 3, 7) in {c.day for c in everyone.conflicts["USA"]}
    # A visitor's public holiday still counts: Independence Day during a visit to Thailand.
    july = check_calendar(
        date(2027, 7, 1), date(2027, 7, 7), ["THA", "USA"], search_days=0, host="THA"
    )
    assert {c.name for c in july.conflicts["USA"]} == {
        "Independence Day",
        "Independence Day (observed)",
    }


def test_holidays_the_package_lacks_for_a_year_are_a_notice_not_a_failure() -> None:
    # The holidays package knows India's Hindu holidays to 2035 only, and warns for later years
    # (an error under this suite's settings): the check says what is missing and goes on.
    check = check_calendar(date(2040, 10, 1), date(2040, 10, 31), ["IND"], search_days=0)
    assert (
        "Some holidays of India (IND) are missing: Requested Holidays are available only from "
        "2001 to 2035." in check.notices
    )
    assert "Mahatma Gandhi's Birthday" in {c.name for c in check.conflicts["IND"]}  # a civil one
