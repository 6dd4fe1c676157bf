"""Truth in time on the bundled data: the present is a labelled estimate, never an artefact.

Each test runs on SQLite and on PostgreSQL, both holding every bundled dataset. Every figure
here was wrong before the index read coverage (see docs/methodology.md, "Time"):
the ties of a pair faded when its sources ended, dead states kept ties, Russia started from
zero in 1992, and one record dated this year moved every user's default year.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app
from comity.model.clock import pinned_today
from comity.services import analytics, ties
from comity.services.index_tables import observed_shares
from comity.store import Store

pytestmark = pytest.mark.full_data

TODAY = date(2026, 12, 5)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with pinned_today(TODAY):
        yield


def _rows(table: Any, sql: str) -> list[tuple[Any, ...]]:
    connection = duckdb.connect()
    connection.register("t", table)
    return connection.execute(sql).fetchall()


_TREATIES_ONLY = {"weights": {"arms_transfer": 0, "presence": 0}}
"""Settings without the institutional kinds whose sources run to the present."""


def _ties(store: Store, viewer: Viewer) -> list[Any]:
    found, _ = ties.list_ties(store, viewer, "USA", overrides=_TREATIES_ONLY)
    return found


def _value(table: Any, a: str, b: str, year: int, column: str = "index") -> float:
    [(value,)] = _rows(
        table,
        f"""SELECT "{column}" FROM t WHERE iso3_1 = '{a}' AND iso3_2 = '{b}' AND year = {year}""",
    )
    return float(value)


def test_the_default_year_is_the_last_whose_ties_are_mostly_observed(
    any_full_store: Store, operator: Viewer
) -> None:
    result = analytics.compute_dyad_years(any_full_store, operator)
    shares = observed_shares(result.table)
    assert result.horizon == 2026
    # Exercises end in 2010 and alliances in 2018: the present rests mostly on projections.
    assert 2018 < result.default_year < 2026
    assert shares[result.default_year] >= 0.5 > shares[result.default_year + 1]
    assert shares[2010] == pytest.approx(1.0)
    assert result.data_through == (
        "data through: agreements 2010, exercises 2010, visits 2012, alliances 2018 (treaty "
        "organisations 2025), education 2020, training 2020, peacekeeping 2021, arms transfers "
        "2024, presences 2025"
    )


def test_the_united_states_top_partners_in_the_default_year(
    any_full_store: Store, operator: Viewer
) -> None:
    found, result = ties.list_ties(any_full_store, operator, "USA", top=10)
    partners = {tie.partner for tie in found}
    allies = {"GBR", "JPN", "KOR", "AUS", "CAN", "FRA", "DEU", "PHL", "ITA", "NLD", "POL"}
    assert len(partners & allies) >= 6, partners
    assert "PAK" not in partners
    assert {tie.year for tie in found} == {result.default_year}
    assert all(0.0 <= tie.projected_share <= 1.0 for tie in found)
    assert all(tie.last_observed_year <= result.default_year for tie in found)
    # Alliances in force do not fade when the alliance data end (2018). Arms transfers and
    # forces abroad, observed to 2024 and 2025, move the institutional component for real:
    # without them, it holds.
    table = analytics.compute_dyad_years(any_full_store, operator, overrides=_TREATIES_ONLY).table
    treaties = {tie.partner: tie for tie in _ties(any_full_store, operator)}
    for partner in partners:
        a, b = sorted(("USA", partner))
        held = treaties[partner]
        assert held.institutional >= _value(table, a, b, 2018, "institutional") - 0.5, held


def test_standing_treaties_and_new_members_reach_the_present(
    any_full_store: Store, operator: Viewer
) -> None:
    table = analytics.compute_dyad_years(any_full_store, operator).table
    assert _value(table, "PHL", "USA", 2024) >= 40
    table = analytics.compute_dyad_years(any_full_store, operator, overrides=_TREATIES_ONLY).table
    # Finland joined NATO in 2023, Sweden in 2024: treaty ties the ATOP data cannot hold.
    assert _value(table, "FIN", "USA", 2024, "institutional") >= 20
    assert _value(table, "SWE", "USA", 2024, "institutional") >= 10
    # Before it joined, the pair's institutional ties were agreements, arms and no treaty: the
    # pledge of 2023 is what raises them.
    before = _value(table, "FIN", "USA", 2021, "institutional")
    assert _value(table, "FIN", "USA", 2024, "institutional") - before >= 10, before


def test_dead_states_hand_their_ties_to_their_successors(
    any_full_store: Store, operator: Viewer
) -> None:
    table = analytics.compute_dyad_years(any_full_store, operator).table
    after = _rows(
        table,
        """SELECT COUNT(*) FROM t WHERE ((iso3_1 = 'SUN' OR iso3_2 = 'SUN') AND year > 1991)
                                    OR ((iso3_1 = 'DDR' OR iso3_2 = 'DDR') AND year > 1990)
                                    OR ((iso3_1 = 'CSK' OR iso3_2 = 'CSK') AND year > 1992)""",
    )
    assert after == [(0,)]
    # Russia carries on the Soviet Union's ties (CoW code 365 throughout).
    assert _value(table, "POL", "SUN", 1991) > _value(table, "POL", "RUS", 1992) >= 30
    [(ccode,)] = _rows(
        table, "SELECT ccode2 FROM t WHERE iso3_1 = 'POL' AND iso3_2 = 'RUS' AND year = 1992"
    )
    assert ccode == 365


def test_cow_codes_follow_the_years_of_each_state(any_full_store: Store, operator: Viewer) -> None:
    table = analytics.compute_dyad_years(any_full_store, operator).table
    west = _rows(
        table,
        """SELECT DISTINCT ccode1 FROM t
           WHERE iso3_1 = 'DEU' AND iso3_2 = 'USA' AND year BETWEEN 1955 AND 1990""",
    )
    assert west == [(260,)]
    assert _rows(
        table, "SELECT ccode1 FROM t WHERE iso3_1 = 'DEU' AND iso3_2 = 'USA' AND year = 1991"
    ) == [(255,)]
    repeated = _rows(
        table,
        """SELECT COUNT(*) FROM (SELECT ccode1, ccode2, year FROM t
                                 WHERE ccode1 IS NOT NULL AND ccode2 IS NOT NULL
                                 GROUP BY ALL HAVING COUNT(*) > 1)""",
    )
    assert repeated == [(0,)]


def test_continuity_counts_only_cooperation(any_full_store: Store, operator: Viewer) -> None:
    table = analytics.compute_dyad_years(any_full_store, operator).table
    # India and Pakistan share a non-aggression pledge, not five years of cooperation.
    assert _value(table, "IND", "PAK", 1999, "continuity") < 1


def test_one_record_this_year_does_not_move_the_default_year(
    any_full_store: Store, operator: Viewer
) -> None:
    before = analytics.compute_dyad_years(any_full_store, operator).default_year
    services.add_engagement(
        any_full_store,
        {
            "kind": "exercise",
            "title": "Dawn drill",
            "start": "2026-03",
            "participants": [{"nation": "USA"}, {"nation": "VNM"}],
        },
        operator,
    )
    after = analytics.compute_dyad_years(any_full_store, operator)
    assert after.default_year == before
    found, _ = ties.list_ties(any_full_store, operator, "USA", year=2026)
    assert "VNM" in {tie.partner for tie in found}


def test_the_cli_labels_estimates_and_refuses_years_after_the_present(
    any_full_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "COMITY_DATABASE_URL", any_full_store.url.render_as_string(hide_password=False)
    )
    runner = CliRunner()
    estimate = runner.invoke(app, ["ties", "USA", "--year", "2024", "--top", "3"])
    assert estimate.exit_code == 0, estimate.output
    assert "2024 is a best estimate" in estimate.stdout
    assert "data through: agreements 2010, exercises 2010" in estimate.stdout
    rows = json.loads(runner.invoke(app, ["ties", "USA", "--year", "2024", "--json"]).stdout)
    assert rows and all(row["projected_share"] > 0 for row in rows[:3])
    future = runner.invoke(app, ["ties", "USA", "--year", "2030"])
    assert future.exit_code == 1
    assert "No index for 2030: the index runs from" in future.stderr
    assert "to 2026" in future.stderr
