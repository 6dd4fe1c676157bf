"""The plan state machine and friction figures, as pure functions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.model.plans import Agency, PlanState
from comity.planning import (
    CANCELLABLE,
    FINAL,
    TRANSITIONS,
    Action,
    IllegalTransitionError,
    check_transition,
    missing_approvals,
    target_of,
)
from comity.planning.friction import FrictionRow, create_friction, p90

S = PlanState
LEGAL = {
    (S.DRAFT, S.SUBMITTED),
    (S.RETURNED, S.SUBMITTED),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.RETURNED),
    (S.APPROVED, S.SCHEDULED),
    (S.SCHEDULED, S.EXECUTED),
    (S.EXECUTED, S.ASSESSED),
    (S.DRAFT, S.CANCELLED),
    (S.SUBMITTED, S.CANCELLED),
    (S.RETURNED, S.CANCELLED),
    (S.APPROVED, S.CANCELLED),
    (S.SCHEDULED, S.CANCELLED),
}
ALL_PAIRS = list(itertools.product(PlanState, PlanState))


def test_the_transition_table_is_the_documented_one() -> None:
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_every_illegal_move_is_refused(current: PlanState, target: PlanState) -> None:
    with pytest.raises(IllegalTransitionError) as raised:
        check_transition(current, target, 7)
    assert raised.value.status == 409
    assert raised.value.message == (f"Plan 7 cannot move from {current.value} to {target.value}.")


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_every_legal_move_is_allowed(current: PlanState, target: PlanState) -> None:
    check_transition(current, target)


def test_final_states_lead_nowhere_and_the_hint_says_so() -> None:
    assert all(frm not in FINAL for frm, _ in TRANSITIONS)
    with pytest.raises(IllegalTransitionError) as raised:
        check_transition(S.CANCELLED, S.DRAFT)
    assert raised.value.hint == "cancelled is final: nothing follows it."


def test_cancellation_is_allowed_from_every_state_before_execution() -> None:
    assert {frm for frm, to in TRANSITIONS if to is S.CANCELLED} == CANCELLABLE
    assert S.EXECUTED not in CANCELLABLE


def test_a_plan_is_approved_only_when_every_required_agency_has() -> None:
    required = (Agency.POLICY, Agency.FINANCE, Agency.LEGAL)
    assert missing_approvals(required, {Agency.POLICY}) == (Agency.FINANCE, Agency.LEGAL)
    assert missing_approvals(required, {Agency.POLICY, Agency.LEGAL}) == (Agency.FINANCE,)
    assert missing_approvals(required, {Agency.LEGAL, Agency.FINANCE, Agency.POLICY}) == ()
    # An agency the plan does not need does not stand in for one it does.
    assert missing_approvals((Agency.LEGAL,), {Agency.INTELLIGENCE}) == (Agency.LEGAL,)


@given(st.lists(st.sampled_from(list(Action)), max_size=40))
def test_random_sequences_of_actions_never_reach_an_illegal_state(actions: list[Action]) -> None:
    state = S.DRAFT
    visited = [state]
    for action in actions:
        target = target_of(action)
        try:
            check_transition(state, target)
        except IllegalTransitionError:
            continue  # refused: the state is unchanged
        assert (state, target) in LEGAL
        state = target
        visited.append(state)
    # Nothing leaves a final state, and only a submitted plan is ever approved or returned.
    for before, after in itertools.pairwise(visited):
        assert before not in FINAL
        if after in (S.APPROVED, S.RETURNED):
            assert before is S.SUBMITTED
        if after is S.EXECUTED:
            assert before is S.SCHEDULED


_T0 = datetime(2027, 1, 1, tzinfo=UTC)


def _row(
    plan: int, agency: str | None, days: float, partners: tuple[str, ...] = ("THA",)
) -> FrictionRow:
    return FrictionRow(plan, 1, agency, partners, _T0, _T0 + timedelta(days=days))


def test_friction_per_agency_on_a_hand_made_dataset() -> None:
    rows = [
        _row(1, "policy", 2),
        _row(2, "policy", 4),
        _row(3, "policy", 10),
        _row(1, "finance", 1),
        _row(2, "finance", 3),
        _row(1, None, 5),
    ]
    figures = {f.key: f for f in create_friction(rows, "agency")}
    assert set(figures) == {"finance", "policy"}
    # policy: 2, 4, 10 -> median 4; p90 at rank 0.9 * 2 = 1.8: 4 + 0.8 * (10 - 4) = 8.8
    assert (figures["policy"].approvals, figures["policy"].median_days) == (3, 4.0)
    assert figures["policy"].p90_days == 8.8
    # finance: 1, 3 -> median 2; p90 at rank 0.9: 1 + 0.9 * 2 = 2.8
    assert (figures["finance"].median_days, figures["finance"].p90_days) == (2.0, 2.8)


def test_friction_per_partner_counts_each_partner_of_an_approved_plan() -> None:
    rows = [
        _row(1, None, 6, ("THA", "USA")),
        _row(2, None, 12, ("USA",)),
        _row(3, None, 1.5, ("USA", "JPN")),
        _row(1, "policy", 99, ("THA", "USA")),
    ]
    figures = {f.key: f for f in create_friction(rows, "partner")}
    assert set(figures) == {"JPN", "THA", "USA"}
    # USA: 1.5, 6, 12 -> median 6; p90 at rank 1.8: 6 + 0.8 * 6 = 10.8
    assert (figures["USA"].approvals, figures["USA"].median_days, figures["USA"].p90_days) == (
        3,
        6.0,
        10.8,
    )
    assert (figures["THA"].median_days, figures["THA"].p90_days) == (6.0, 6.0)


def test_no_approvals_means_no_figure_not_zero() -> None:
    assert create_friction([], "agency") == []
    assert p90([]) is None
