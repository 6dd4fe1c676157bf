"""The index as users get it: real-data sanity, caching, releasability, ties and pair reports."""

from __future__ import annotations

from collections import defaultdict

import pyarrow.compute as pc
import pytest

from comity import services
from comity.access import Role, Viewer
from comity.errors import NotFoundError, ValidationError
from comity.nations.organisations import load_organisations
from comity.services import analytics, ties
from comity.store import Store

pytestmark = pytest.mark.full_data


def _by_pair_year(table: object) -> dict[tuple[str, str, int], float]:
    rows = table.select(["iso3_1", "iso3_2", "year", "index"]).to_pylist()  # type: ignore[attr-defined]
    return {(r["iso3_1"], r["iso3_2"], r["year"]): r["index"] for r in rows}


def test_nato_members_are_closer_to_each_other_than_to_others(
    any_full_store: Store, operator: Viewer
) -> None:
    # The mean index among NATO members exceeds their mean with non-members every year since
    # 1990 (pairs absent from the table have an index of 0: they never had a recorded tie).
    _, memberships = load_organisations()
    result = analytics.compute_dyad_years(any_full_store, operator)
    index = _by_pair_year(result.table)
    nations = {k for pair in index for k in pair[:2] if isinstance(k, str)}
    for year in range(1990, result.horizon + 1):
        members = {m.nation for m in memberships if m.organisation == "NATO" and m.active_in(year)}
        others = {n for n in nations if n not in members}
        inside = [
            index.get((min(a, b), max(a, b), year), 0.0) for a in members for b in members if a < b
        ]
        across = [index.get((min(a, b), max(a, b), year), 0.0) for a in members for b in others]
        assert sum(inside) / len(inside) > sum(across) / len(across), year


def test_chinas_partners_grow_from_2003_to_2016(any_full_store: Store, operator: Viewer) -> None:
    table = analytics.compute_dyad_years(any_full_store, operator).table
    counts = {}
    for year in (2003, 2016):
        chosen = table.filter(
            pc.and_(
                pc.equal(table.column("year"), year),
                pc.and_(
                    pc.greater_equal(table.column("index"), 10.0),
                    pc.or_(
                        pc.equal(table.column("iso3_1"), "CHN"),
                        pc.equal(table.column("iso3_2"), "CHN"),
                    ),
                ),
            )
        )
        counts[year] = chosen.num_rows
    assert counts[2016] > counts[2003], counts


def test_the_united_states_strongest_partners_in_2010(
    any_full_store: Store, operator: Viewer
) -> None:
    found, _ = ties.list_ties(any_full_store, operator, "USA", year=2010, top=7)
    top = {t.partner for t in found}
    expected = {"GBR", "AUS", "JPN", "KOR", "CAN", "FRA", "DEU"}
    assert len(top & expected) >= 3, top
    assert [t.index for t in found] == sorted((t.index for t in found), reverse=True)


def test_results_are_cached_and_invalidated_by_new_data(
    any_full_store: Store, operator: Viewer
) -> None:
    first = analytics.compute_dyad_years(any_full_store, operator)
    second = analytics.compute_dyad_years(any_full_store, operator)
    assert (first.cached, second.cached) == (False, True)
    assert second.table.equals(first.table)
    services.add_engagement(
        any_full_store,
        {
            "kind": "exercise",
            "title": "New drill",
            "start": "2009",
            "participants": [{"nation": "USA"}, {"nation": "MNG"}],
        },
        operator,
    )
    third = analytics.compute_dyad_years(any_full_store, operator)
    assert third.cached is False and third.data_version != first.data_version
    before, after = _by_pair_year(first.table), _by_pair_year(third.table)
    assert after[("MNG", "USA", 2009)] > before.get(("MNG", "USA", 2009), 0.0)


def test_the_index_uses_only_what_the_viewer_may_read(
    any_full_store: Store, operator: Viewer
) -> None:
    american = Viewer(name="us", nation="USA", role=Role.ANALYST)
    french = Viewer(name="fr", nation="FRA", role=Role.ANALYST)
    before_us = _by_pair_year(analytics.compute_dyad_years(any_full_store, american).table)
    before_fr = _by_pair_year(analytics.compute_dyad_years(any_full_store, french).table)
    services.add_engagement(
        any_full_store,
        {
            "kind": "exercise",
            "title": "Quiet drill",
            "start": "2008",
            "participants": [{"nation": "USA"}, {"nation": "VNM"}],
            "releasability": "REL USA",
        },
        operator,
    )
    after_us = _by_pair_year(analytics.compute_dyad_years(any_full_store, american).table)
    after_fr = _by_pair_year(analytics.compute_dyad_years(any_full_store, french).table)
    key = ("USA", "VNM", 2008)
    assert after_us[key] > before_us.get(key, 0.0)
    # The French view is the same: the same rows, values equal but for the order of sums.
    assert after_fr.keys() == before_fr.keys()
    differences = [abs(after_fr[k] - v) for k, v in before_fr.items() if v is not None]
    assert len(differences) > 1000 and max(differences) < 1e-9


def test_settings_can_be_overridden_and_are_recorded(
    any_full_store: Store, operator: Viewer
) -> None:
    default = analytics.compute_dyad_years(any_full_store, operator)
    changed = analytics.compute_dyad_years(any_full_store, operator, overrides={"kappa": 40})
    assert default.table.column("settings_digest")[0].as_py() != (
        changed.table.column("settings_digest")[0].as_py()
    )
    assert set(default.table.column("method_version").to_pylist()) == {"2.1"}
    with pytest.raises(ValidationError):
        analytics.compute_dyad_years(any_full_store, operator, overrides={"kappa": -1})


def test_pair_report_has_history_challenges_and_engagements(
    any_full_store: Store, operator: Viewer
) -> None:
    report = ties.pair_report(any_full_store, operator, "India", "Pakistan")
    assert report["pair"] == ["IND", "PAK"]
    by_year = {row["year"]: row for row in report["years"]}
    assert by_year[2000]["rivalry"] is True and by_year[2000]["disputes_50y"] > 0
    assert by_year[2019]["disputes_50y"] is None  # outside the dispute data: missing, not zero
    assert report["engagement_count"] == len(
        services.list_engagements(any_full_store, operator, nation="IND", partner="PAK")
    )


def test_a_pair_without_ties_says_so(any_full_store: Store, operator: Viewer) -> None:
    with pytest.raises(NotFoundError, match="No recorded ties between"):
        ties.dyad_history(any_full_store, operator, "Tuvalu", "Bhutan")


def test_directed_outreach_distinguishes_host_and_guest(
    any_full_store: Store, operator: Viewer
) -> None:
    table = analytics.compute_outreach(any_full_store, operator)
    rows = defaultdict(float)
    for r in table.filter(pc.equal(table.column("year"), 2010)).to_pylist():
        rows[(r["nation_from"], r["nation_to"])] = r["outreach"]
    assert 0.0 <= rows[("USA", "KOR")] <= 100.0
    assert rows[("USA", "KOR")] != rows[("KOR", "USA")]
