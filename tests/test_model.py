"""Validation rules of the domain model: each rejects bad input naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from comity.errors import ValidationError
from comity.model import (
    Engagement,
    Membership,
    Nation,
    PartialDate,
    Posting,
    StateSpell,
    validate_engagement,
    validate_record,
)
from comity.model.clock import pinned_today, today
from comity.model.numbers import is_whole
from comity.model.prepared import EngagementColumns, PreparedEngagement


def _record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "kind": "exercise",
        "title": "Balikatan 2008",
        "start": "2008-02-18",
        "end": "2008-03-03",
        "host": "PHL",
        "participants": [{"nation": "PHL"}, {"nation": "USA", "personnel": 6000}],
    }
    record.update(overrides)
    return record


def _problems(data: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as raised:
        validate_record(Engagement, data, "engagement")
    return [(p.field, p.reason) for p in raised.value.problems]


def test_a_valid_record_passes_and_the_host_gets_its_role() -> None:
    engagement = validate_record(Engagement, _record(), "engagement")
    assert engagement.participants[0].role.value == "host"
    assert (engagement.start_year, engagement.end_year) == (2008, 2008)


def test_end_before_start_is_refused_on_the_end_field() -> None:
    assert _problems(_record(end="2008-02-01")) == [
        ("end", "the end (2008-02-01) is before the start (2008-02-18)")
    ]


def test_end_in_the_same_month_as_a_month_precision_start_is_allowed() -> None:
    engagement = validate_record(Engagement, _record(start="2008-02", end="2008-02-01"), "e")
    assert engagement.start.last_day == date(2008, 2, 29)


def test_at_least_one_participant() -> None:
    assert _problems(_record(host=None, participants=[])) == [
        ("participants", "at least one nation takes part")
    ]


def test_the_host_must_take_part() -> None:
    assert _problems(_record(host="JPN")) == [
        ("host", "the host JPN must be among the participants")
    ]


def test_a_participant_named_host_is_the_host() -> None:
    record = _record(host=None, participants=[{"nation": "PHL", "role": "host"}, {"nation": "USA"}])
    assert Engagement.model_validate(record).host == "PHL"
    del record["host"]
    assert Engagement.model_validate(record).host == "PHL"
    two = _record(
        host=None,
        participants=[{"nation": "PHL", "role": "host"}, {"nation": "USA", "role": "host"}],
    )
    assert _problems(two) == [("host", "participants name PHL, USA as host")]


def test_personnel_is_never_negative() -> None:
    problems = _problems(
        _record(participants=[{"nation": "PHL"}, {"nation": "USA", "personnel": -1}])
    )
    assert problems == [("participants.1.personnel", "Input should be greater than or equal to 0")]


def test_a_nation_is_listed_once() -> None:
    problems = _problems(_record(participants=[{"nation": "PHL"}, {"nation": "PHL"}]))
    assert problems == [("participants", "PHL is listed more than once")]


def test_details_are_checked_against_the_kind() -> None:
    problems = _problems(_record(details={"domains": ["land", "moon"]}))
    assert problems[0][0] == "details.domains.1"
    assert _problems(_record(details={"ships": 3}))[0] == (
        "details.ships",
        "Extra inputs are not permitted",
    )


def test_several_problems_are_reported_together() -> None:
    problems = _problems(_record(title="", end="2007", participants=[{"nation": "usa!"}]))
    assert [field for field, _ in problems] == ["title", "end", "participants.0.nation"]


@pytest.mark.parametrize(
    ("text", "first", "last", "precision"),
    [
        ("1980", date(1980, 1, 1), date(1980, 12, 31), "year"),
        ("1980-02", date(1980, 2, 1), date(1980, 2, 29), "month"),
        ("1980-01-xx", date(1980, 1, 1), date(1980, 1, 31), "month"),
        ("1980-xx-xx", date(1980, 1, 1), date(1980, 12, 31), "year"),
        ("1980-02-14", date(1980, 2, 14), date(1980, 2, 14), "day"),
        ("1980-2-3", date(1980, 2, 3), date(1980, 2, 3), "day"),
    ],
)
def test_partial_dates_keep_their_precision(
    text: str, first: date, last: date, precision: str
) -> None:
    parsed = PartialDate.parse(text)
    assert (parsed.first_day, parsed.last_day, parsed.precision.value) == (first, last, precision)


@pytest.mark.parametrize("text", ["1980-13", "1980-02-30", "80-01-01", "soon", "1980-xx-05"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_record(PartialDate, text, "date")
    assert text in raised.value.message


def test_a_date_round_trips_through_its_text() -> None:
    for text in ("1999", "1999-07", "1999-07-04"):
        assert str(PartialDate.parse(text)) == text


def _nations() -> dict[str, Nation]:
    return {
        "RUS": Nation(
            iso3="RUS",
            name="Russia",
            spells=(
                StateSpell(start=date(1816, 1, 1), end=date(1921, 12, 31)),
                StateSpell(start=date(1991, 12, 26)),
            ),
        ),
        "SUN": Nation(
            iso3="SUN",
            name="Soviet Union",
            spells=(StateSpell(start=date(1922, 1, 1), end=date(1991, 12, 25)),),
        ),
        "USA": Nation(
            iso3="USA", name="United States", spells=(StateSpell(start=date(1816, 1, 1)),)
        ),
    }


def test_known_nations_only() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_engagement(
            _record(host=None, participants=[{"nation": "USA"}, {"nation": "XYZ"}]), _nations()
        )
    assert str(raised.value.problems[0]) == "participants.1.nation: unknown nation (got XYZ)"


def test_a_nation_that_did_not_exist_cannot_take_part() -> None:
    record = _record(
        start="1985", end=None, host=None, participants=[{"nation": "USA"}, {"nation": "RUS"}]
    )
    with pytest.raises(ValidationError) as raised:
        validate_engagement(record, _nations())
    assert str(raised.value.problems[0]) == (
        "participants.1.nation: Russia was not a state in 1985 "
        "(state-system years 1816-1921, 1991-) (got RUS)"
    )
    record["participants"] = [{"nation": "USA"}, {"nation": "SUN"}]
    assert validate_engagement(record, _nations()).nations == ("USA", "SUN")


def test_a_nation_alive_on_any_day_of_the_period_may_take_part() -> None:
    # The USSR ended on 25 December 1991 and Russia began the next day: both took part in 1991.
    record = _record(
        start="1991", end=None, host=None, participants=[{"nation": "RUS"}, {"nation": "SUN"}]
    )
    assert validate_engagement(record, _nations()).start_year == 1991


def test_a_standing_tie_with_no_end_is_in_force() -> None:
    agreement = validate_record(
        Engagement,
        {"kind": "agreement", "title": "DCA", "start": "2010", "participants": [{"nation": "USA"}]},
        "engagement",
    )
    assert agreement.end_year is None
    assert list(agreement.active_years(until=2013)) == [2010, 2011, 2012, 2013]


AHEAD = (
    "is after next year (2027): an engagement records what happened or is about to; check the "
    "year, or record a later engagement as a plan"
)


def _ahead_problems(**dates: object) -> list[tuple[str, str]]:
    with pinned_today(date(2026, 12, 5)), pytest.raises(ValidationError) as raised:
        validate_engagement(_record(**dates))
    return [(p.field, p.reason) for p in raised.value.problems]


@pytest.mark.parametrize(
    "dates",
    [
        {"start": "2027-12-31", "end": None},
        {"start": "2027", "end": None},
        {"start": "2026-12", "end": "2027-12"},
        {"start": "2027-01-01", "end": "2027-12-31"},
    ],
)
def test_an_engagement_may_fall_in_next_year(dates: dict[str, object]) -> None:
    with pinned_today(date(2026, 12, 5)):
        assert validate_engagement(_record(**dates)).end_year == 2027


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"start": "2028-01-01", "end": None}, [("start", f"2028-01-01 {AHEAD}")]),
        ({"start": "2028", "end": None}, [("start", f"2028 {AHEAD}")]),
        ({"start": "2027-06", "end": "2028-01-01"}, [("end", f"2028-01-01 {AHEAD}")]),
        ({"start": "2020", "end": "2028-01"}, [("end", f"2028-01 {AHEAD}")]),
        # A bad start leaves nothing to compare the end with; the end's own date still counts.
        (
            {"start": "3009-03-05", "end": "3009-03-06"},
            [("start", f"3009-03-05 {AHEAD}"), ("end", f"3009-03-06 {AHEAD}")],
        ),
        ({"start": "3009-03-05", "end": "2009-03-06"}, [("start", f"3009-03-05 {AHEAD}")]),
    ],
)
def test_an_engagement_after_next_year_is_refused(
    dates: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert _ahead_problems(**dates) == expected


def test_the_date_rule_is_reported_with_the_other_problems() -> None:
    assert _ahead_problems(title="", start="3009", end=None) == [
        ("title", "String should have at least 1 character"),
        ("start", f"3009 {AHEAD}"),
    ]


def test_next_year_moves_with_today() -> None:
    with pinned_today(date(2027, 1, 1)):
        assert validate_engagement(_record(start="2028-12-31", end=None)).start_year == 2028


def test_a_record_made_without_the_check_is_checked_when_validated_for_writing() -> None:
    # Reading a stored record back validates it without the day of the check.
    record = Engagement.model_validate(_record(start="3009-03-05", end=None))
    with pinned_today(date(2026, 12, 5)), pytest.raises(ValidationError) as raised:
        validate_engagement(record)
    assert str(raised.value) == f"Invalid engagement: start: 3009-03-05 {AHEAD} (got '3009-03-05')"


def test_a_pinned_today_nests_and_is_released() -> None:
    with pinned_today(date(2000, 1, 1)):
        with pinned_today(date(2010, 6, 1)):
            assert today() == date(2010, 6, 1)
        assert today() == date(2000, 1, 1)
    assert today() == date.today()


def test_membership_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_record(
            Membership, {"organisation": "CSTO", "nation": "UZB", "joined": 2006, "left": 1999}, "m"
        )
    assert str(raised.value.problems[0]) == "left: must not be before joined (2006) (got 1999)"


def test_posting_end_cannot_precede_start() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_record(
            Posting, {"person_id": 1, "host": "FRA", "start": "2020-09", "end": "2019"}, "posting"
        )
    assert raised.value.problems[0].field == "end"


def test_only_ascii_digits_are_whole_numbers() -> None:
    assert is_whole("2027") and is_whole("007")
    assert not any(is_whole(t) for t in ("", "²", "٣", "12.5", "-1", " 1", "1e3"))


# --- Engagements as columns -----------------------------------------------------------------------


def _prepared_records() -> list[PreparedEngagement]:
    from comity.model.prepared import prepare
    from comity.nations import default_resolver

    nations = default_resolver().nations
    return [
        prepare(
            validate_engagement(
                _record(title=f"Balikatan {n}", external_id=f"x:{n}", participants=people), nations
            )
        )
        for n, people in enumerate(
            [
                [{"nation": "PHL"}, {"nation": "USA", "personnel": 6000}],
                [{"nation": "PHL"}],
                [{"nation": "PHL"}, {"nation": "JPN", "role": "observer"}, {"nation": "AUS"}],
            ]
        )
    ]


def test_columns_give_back_the_records_they_were_made_of() -> None:
    records = _prepared_records()
    columns = EngagementColumns.of_records(records)
    assert len(columns) == 3 and columns.offsets == [0, 2, 3, 6]
    assert list(columns) == records
    assert columns.record(2).participants == records[2].participants


def test_columns_can_be_taken_from_and_extended() -> None:
    records = _prepared_records()
    columns = EngagementColumns.of_records(records)
    assert list(columns.take([2, 0])) == [records[2], records[0]]
    assert len(columns.take([])) == 0 and columns.take([]).offsets == [0]
    joined = EngagementColumns.of_records(records[:1]).extend(
        EngagementColumns.of_records(records[1:])
    )
    assert list(joined) == records and joined.offsets == columns.offsets
