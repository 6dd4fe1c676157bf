"""The cultural distance a briefing gives: at least four dimensions, and a median on the same."""

from __future__ import annotations

import pytest

from comity.culture.distance import median_distance
from comity.culture.hofstede_section import judge_distance
from comity.model.nations import Nation

SAU = Nation(iso3="SAU", name="Saudi Arabia")
USA = Nation(iso3="USA", name="United States")
FRA = Nation(iso3="FRA", name="France")

# Four nations on four dimensions (sample variances 1,600/3 on pdi and idv, 400/3 on mas and
# uai), Saudi Arabia on two.
SCORES = {
    "USA": {"pdi": 40.0, "idv": 90.0, "mas": 60.0, "uai": 50.0, "ltowvs": 26.0, "ivr": 68.0},
    "FRA": {"pdi": 80.0, "idv": 50.0, "mas": 40.0, "uai": 70.0},
    "DEU": {"pdi": 40.0, "idv": 50.0, "mas": 60.0, "uai": 70.0},
    "JPN": {"pdi": 80.0, "idv": 90.0, "mas": 40.0, "uai": 50.0},
    "SAU": {"ltowvs": 36.0, "ivr": 52.0},
}


def test_variances_of_the_example_are_as_worked_out() -> None:
    from comity.culture.distance import dimension_variances

    variances = dimension_variances(SCORES)
    # pdi: 40, 80, 40, 80 -> mean 60, squares 4 x 400 = 1600, / 3.
    assert variances["pdi"] == pytest.approx(1600 / 3)
    assert variances["mas"] == pytest.approx(400 / 3)


def test_two_dimensions_are_refused_with_the_reason() -> None:
    verdict = judge_distance(SAU, USA, SCORES)
    assert verdict.value is None
    assert verdict.refusal == (
        "Not computed: Saudi Arabia has 2 of Hofstede's 6 dimensions; a distance needs at least 4."
    )
    section = verdict.to_dict(SCORES, "SAU")
    assert section["kogut_singh"] is None and section["summary"] is None
    assert section["dimensions_text"] == "2 of 6" and section["comparison"] is None
    assert all(d["contribution"] is None for d in section["dimensions"])


def test_four_dimensions_give_a_distance_said_to_rest_on_four_of_six() -> None:
    verdict = judge_distance(FRA, USA, SCORES)
    # pdi and idv differ by 40, mas and uai by 20:
    # (1600/(1600/3) + 1600/(1600/3) + 400/(400/3) + 400/(400/3)) / 4 = 3.
    assert verdict.value == pytest.approx(3.0)
    assert verdict.refusal is None
    section = verdict.to_dict(SCORES, "FRA")
    assert section["dimensions_text"] == "4 of 6"
    assert "over 4 of 6 dimensions" in section["summary"]


def test_the_median_is_taken_on_the_same_dimensions_only() -> None:
    # Pairs on pdi, idv, mas, uai: FRA-USA 3, DEU-USA 1.5, JPN-USA 1.5, DEU-FRA 1.5, FRA-JPN 1.5,
    # DEU-JPN 3 -> median 1.5 over six pairs; Saudi Arabia, scored on none of them, takes no part.
    median, pairs = median_distance(SCORES, ("pdi", "idv", "mas", "uai"))
    assert (median, pairs) == (pytest.approx(1.5), 6)
    verdict = judge_distance(FRA, USA, SCORES)
    assert verdict.comparison() == (
        "For scale: the median over the 6 pairs of nations scored on the same 4 dimensions is 1.50."
    )


def test_a_distance_no_other_pair_shares_dimensions_with_cannot_be_compared() -> None:
    scores = {
        "USA": {"pdi": 10.0, "idv": 10.0, "mas": 10.0, "uai": 10.0},
        "FRA": {"pdi": 30.0, "idv": 20.0, "mas": 40.0, "uai": 50.0},
        "DEU": {"pdi": 20.0, "idv": 30.0},
        "JPN": {"mas": 20.0, "uai": 30.0},
    }
    verdict = judge_distance(FRA, USA, scores)
    assert verdict.value is not None
    assert verdict.median_pairs == 1  # the pair itself
    assert verdict.comparison() == (
        "It cannot be compared: no other pair is scored on the same 4 dimensions."
    )


def test_two_nations_sharing_too_few_dimensions_are_named_together() -> None:
    scores = {
        "USA": {"pdi": 10.0, "idv": 10.0, "mas": 10.0, "uai": 10.0},
        "FRA": {"mas": 40.0, "uai": 50.0, "ltowvs": 20.0, "ivr": 30.0},
        "DEU": {"pdi": 20.0, "idv": 30.0, "mas": 10.0, "uai": 5.0, "ltowvs": 1.0, "ivr": 9.0},
    }
    assert judge_distance(FRA, USA, scores).refusal == (
        "Not computed: France and United States share 2 of Hofstede's 6 dimensions; "
        "a distance needs at least 4."
    )


def test_no_perspective_or_no_scores_gives_no_verdict() -> None:
    assert judge_distance(SAU, None, SCORES).refusal is None
    assert judge_distance(SAU, SAU, SCORES).distance is None
    unscored = judge_distance(SAU, Nation(iso3="ARE", name="United Arab Emirates"), SCORES)
    assert unscored.distance is None and unscored.refusal is None
