"""The effect estimate's use case and a plan's observed against expected change.

On the small world of ``tests/effect_world.py`` (US training of ten partners, a planted effect of
1.0 on their yearly exercise contribution), and once on the bundled real data.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from comity.access import Viewer
from comity.errors import ValidationError
from comity.model.clock import today
from comity.services import plans
from comity.services.analytics import compute_dyad_years
from comity.services.effect_outcomes import zero_weights
from comity.services.effects import TreatmentSpec, estimate_effect, parse_pair
from comity.services.plan_effects import plan_effect
from comity.store import Store
from tests.effect_world import AUTHOR, EFFECT, executed_plan, seed_effect_world

TRAINING = TreatmentSpec("USA", kinds=("training",))
FRENCH = Viewer(name="viewer.fra", nation="FRA")


@pytest.fixture
def world(store: Store) -> Store:
    """A fresh store holding the effect world."""
    seed_effect_world(store)
    return store


def test_the_planted_effect_of_training_on_exercises_is_found(
    world: Store, operator: Viewer
) -> None:
    answer = estimate_effect(world, operator, treatment=TRAINING, outcome="exercises")
    assert answer["answerable"], answer["reason"]
    assert answer["ci_low"] <= EFFECT <= answer["ci_high"]
    assert answer["ci_low"] > 0
    assert answer["design"] == "did"
    assert answer["treatment"] == "training from USA"
    assert answer["outcome"].startswith("yearly exercise contribution of the pair with USA")
    assert answer["outcome_name"] == "exercises"
    # Ten partners and Chile (REL USA) are treated; every other state is a comparison pair.
    assert answer["n_treated"] == 11
    assert answer["n_comparison"] > 150
    assert answer["years"] == [2002, 2012]
    assert answer["treated"]["treated_kinds"] == ["training"]
    assert answer["pre_trend"]["passed"]


def test_the_estimate_rests_on_what_the_viewer_may_see(world: Store) -> None:
    answer = estimate_effect(world, FRENCH, treatment=TRAINING, outcome="exercises")
    # Chile's training is REL USA: for a French viewer Chile was never trained.
    assert answer["treated"]["treated_partners"] == 10
    assert answer["n_treated"] == 10
    assert answer["ci_low"] <= EFFECT <= answer["ci_high"]


def test_a_programme_matches_the_funding_of_records_whatever_its_case(
    world: Store, operator: Viewer
) -> None:
    spec = TreatmentSpec("United States", programmes=("imet",))
    answer = estimate_effect(world, operator, treatment=spec, outcome="exercises")
    assert answer["treatment"] == "imet from USA"
    assert answer["treated"]["records"] == 61
    assert answer["n_treated"] == 11


def test_an_outcome_of_the_treatments_own_kind_is_refused(world: Store, operator: Viewer) -> None:
    spec = TreatmentSpec("USA", kinds=("exercise",))
    with pytest.raises(ValidationError) as caught:
        estimate_effect(world, operator, treatment=spec, outcome="exercises")
    assert caught.value.message == (
        "Invalid effect: outcome: counts the treatment's own kind (exercise); choose another "
        "outcome (got exercises)"
    )


def test_the_index_outcome_leaves_out_the_treated_kinds(world: Store, operator: Viewer) -> None:
    answer = estimate_effect(world, operator, treatment=TRAINING, outcome="index-without-treated")
    assert answer["outcome"] == (
        "tie index (0-100) of the pair with USA, computed with the weights of training set to 0"
    )
    assert answer["n_treated"] == 11


def test_a_treatment_without_records_cannot_answer(world: Store, operator: Viewer) -> None:
    spec = TreatmentSpec("USA", programmes=("CTFP",))
    answer = estimate_effect(world, operator, treatment=spec, outcome="exercises")
    assert not answer["answerable"]
    assert answer["reason"] == "no record of CTFP from USA that you may see names a partner."
    assert answer["estimate"] is None


def test_an_outcome_without_any_change_cannot_answer(world: Store, operator: Viewer) -> None:
    answer = estimate_effect(world, operator, treatment=TRAINING, outcome="agreements")
    assert answer["reason"] == (
        "the outcome (agreements entered) is 0 in every pair and year used: there is nothing to "
        "compare."
    )


def test_a_synthetic_control_needs_enough_comparison_pairs(world: Store, operator: Viewer) -> None:
    answer = estimate_effect(
        world, operator, treatment=TRAINING, outcome="exercises", design="synth", pair="PHL-USA"
    )
    assert not answer["answerable"]
    assert answer["reason"] == (
        "too few comparison pairs: 9 never or not yet treated whose outcome is observed and "
        "changes in 2000-2010 (a placebo test at 5 % needs at least 19)."
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"design": "synth"},
            "Invalid effect: pair: the synthetic control needs one pair, e.g. USA-PHL",
        ),
        (
            {"design": "synth", "pair": "FRA-PHL"},
            "Invalid effect: pair: does not include the provider USA (got FRA-PHL)",
        ),
        (
            {"outcome": "trust"},
            "Invalid effect: outcome: is one of exercises, agreements, index-without-treated "
            "(got trust)",
        ),
        (
            {"from_year": 2010, "to_year": 2000},
            "Invalid effect: from_year: is after to_year (2000) (got 2010)",
        ),
    ],
)
def test_invalid_requests_are_refused(
    world: Store, operator: Viewer, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        estimate_effect(
            world, operator, **{"treatment": TRAINING, "outcome": "exercises", **options}
        )
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("USA-PHL", ("USA", "PHL")),
        ("Philippines-United States", ("PHL", "USA")),
        ("Guinea-Bissau-USA", ("GNB", "USA")),
    ],
)
def test_a_pair_is_two_nations_joined_by_a_hyphen(text: str, pair: tuple[str, str]) -> None:
    assert parse_pair(text) == pair


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "Guinea-Bissau-United States",
            "names two nations in more than one way; write their codes, e.g. GNB-USA",
        ),
        ("USA", "is not two nations joined by a hyphen, e.g. USA-PHL"),
    ],
)
def test_a_pair_that_does_not_read_one_way_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_pair(text)
    assert caught.value.message == f"Invalid effect: pair: {reason} (got {text})"


def test_zero_weights_reach_kinds_weighed_by_a_table() -> None:
    assert zero_weights(["training", "education", "visit"]) == {
        "weights": {"training": 0},
        "education": {"per_course": 0, "per_student": 0, "cap_per_year": 0},
        "visit": {"minister": 0, "chief_of_defence": 0, "service_chief": 0, "other": 0},
    }


def test_a_plan_shows_observed_against_expected_change(world: Store, operator: Viewer) -> None:
    plan_id = executed_plan(world, "2008-03-01", "2008-03-20")
    effect = plan_effect(world, operator, plan_id)
    assert effect["available"], effect["reason"]
    assert effect["outcome"] == "tie index without training (its weight set to 0)"
    [pair] = effect["pairs"]
    assert pair["pair"] == "PHL-USA"
    assert [r["year"] for r in pair["rows"]] == [2008, 2009, 2010, 2011, 2012]
    index = compute_dyad_years(world, operator, overrides={"weights": {"training": 0}}).table
    observed = {
        r["year"]: r["index"]
        for r in index.to_pylist()
        if (r["iso3_1"], r["iso3_2"]) == ("PHL", "USA")
    }
    for row in pair["rows"]:
        assert row["observed"] == pytest.approx(observed[row["year"]], abs=0.01)
        assert row["difference"] == pytest.approx(row["observed"] - row["expected"], abs=0.02)
    assert pair["comparable"] > 0


def test_a_plan_not_executed_says_so(world: Store, operator: Viewer) -> None:
    record = {
        "title": "Later",
        "kind": "training",
        "partners": [{"nation": "PHL"}, {"nation": "USA"}],
        "start": "2027-05-01",
        "end": "2027-05-02",
        "agencies": ["policy"],
    }
    stored = plans.add_plan(world, record, AUTHOR)
    effect = plan_effect(world, operator, stored.id)
    assert not effect["available"]
    assert effect["reason"] == (
        "The plan is draft: the change after it is shown once it is executed."
    )


def test_a_plan_too_recent_says_so(world: Store, operator: Viewer) -> None:
    # An engagement may be recorded up to next year, after the index's last year (this one).
    year = today().year + 1
    plan_id = executed_plan(world, f"{year}-01-10", f"{year}-01-12")
    effect = plan_effect(world, operator, plan_id)
    assert not effect["available"]
    assert effect["reason"].startswith(f"Too recent: the plan began in {year}, after ")


@pytest.mark.full_data
def test_the_imet_estimate_runs_on_the_bundled_data(full_store: Store, operator: Viewer) -> None:
    spec = TreatmentSpec("USA", programmes=("IMET",))
    answer = estimate_effect(full_store, operator, treatment=spec, outcome="exercises")
    assert answer["answerable"], answer["reason"]
    assert math.isfinite(answer["ci_low"]) and math.isfinite(answer["ci_high"])
    assert answer["ci_low"] <= answer["estimate"] <= answer["ci_high"]
    # Most recipients had IMET already in FY1999, the first report: they are left out.
    assert len(answer["treated"]["already_treated"]) > 100
    assert answer["n_treated"] >= 20 and answer["n_comparison"] >= 20


@pytest.mark.full_data
def test_a_pair_treated_when_the_source_begins_cannot_answer_alone(
    full_store: Store, operator: Viewer
) -> None:
    spec = TreatmentSpec("USA", programmes=("IMET",))
    answer = estimate_effect(
        full_store, operator, treatment=spec, outcome="exercises", design="synth", pair="USA-PHL"
    )
    assert answer["reason"] == (
        "PHL received IMET from USA already in 1999, the first year the source covers: when its "
        "treatment began is unknown (give the treatment year if it is known)."
    )
