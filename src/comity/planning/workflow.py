"""The plan state machine: which moves are legal, and when a plan is approved.

::

    draft ──submit──▶ submitted ──(every agency approves)──▶ approved ──schedule──▶ scheduled
      ▲                  │                                                            │
      └──(edit)── returned ◀──return (any agency)                                  execute
                     │                                                               ▼
                     └──submit──▶ submitted                       assessed ◀──assess── executed

    cancel: from draft, submitted, returned, approved or scheduled, to cancelled.

An executed plan cannot be cancelled (its engagement took place); assessed and cancelled are
final. An agency approving while others still have to leaves the plan submitted: that is an
approval, not a move. A plan received from a partner installation never moves here: it keeps
the state its origin's workflow gave it (:func:`check_local_workflow`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum

from comity.errors import ConflictError
from comity.model.vocabulary import Agency, PlanState

__all__ = [
    "CANCELLABLE",
    "EDITABLE",
    "FINAL",
    "TRANSITIONS",
    "Action",
    "IllegalTransitionError",
    "check_local_workflow",
    "check_transition",
    "missing_approvals",
    "target_of",
]

S = PlanState


class Action(StrEnum):
    """What a person does to a plan; each leads to one state."""

    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    SCHEDULE = "schedule"
    EXECUTE = "execute"
    ASSESS = "assess"
    CANCEL = "cancel"


CANCELLABLE = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.SCHEDULED})
"""States a plan may be cancelled from."""

FINAL = frozenset({S.ASSESSED, S.CANCELLED})
"""States nothing leaves."""

EDITABLE = frozenset({S.DRAFT, S.RETURNED})
"""States in which a plan's fields may be changed."""

TRANSITIONS: frozenset[tuple[PlanState, PlanState]] = frozenset(
    {
        (S.DRAFT, S.SUBMITTED),
        (S.RETURNED, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
        (S.SUBMITTED, S.RETURNED),
        (S.APPROVED, S.SCHEDULED),
        (S.SCHEDULED, S.EXECUTED),
        (S.EXECUTED, S.ASSESSED),
    }
    | {(state, S.CANCELLED) for state in CANCELLABLE}
)
"""Every legal (from, to) pair."""

_TARGETS = {
    Action.SUBMIT: S.SUBMITTED,
    Action.APPROVE: S.APPROVED,
    Action.RETURN: S.RETURNED,
    Action.SCHEDULE: S.SCHEDULED,
    Action.EXECUTE: S.EXECUTED,
    Action.ASSESS: S.ASSESSED,
    Action.CANCEL: S.CANCELLED,
}


class IllegalTransitionError(ConflictError):
    """A plan cannot move from its state to the one asked for (HTTP 409)."""


def target_of(action: Action) -> PlanState:
    """The state an action leads to."""
    return _TARGETS[action]


def _legal_from(state: PlanState) -> list[str]:
    return sorted(to.value for frm, to in TRANSITIONS if frm is state)


def check_transition(current: PlanState, target: PlanState, plan_id: int | None = None) -> None:
    """Refuse a move that is not in :data:`TRANSITIONS`.

    Args:
        current: The plan's state.
        target: The state asked for.
        plan_id: The plan's id, for the message.

    Raises:
        IllegalTransitionError: Naming both states and the legal moves from ``current``.
    """
    if (current, target) in TRANSITIONS:
        return
    subject = f"Plan {plan_id}" if plan_id is not None else "A plan"
    legal = _legal_from(current)
    hint = (
        f"From {current.value} it may move to: {', '.join(legal)}."
        if legal
        else f"{current.value} is final: nothing follows it."
    )
    raise IllegalTransitionError(
        f"{subject} cannot move from {current.value} to {target.value}.", hint=hint
    )


def check_local_workflow(origin: str | None, plan_id: int) -> None:
    """Refuse to move, or decide on, a plan received from a partner installation.

    Such a plan goes through the approval of the installation that wrote it; here it keeps the
    state that installation's last bundle gave it.

    Args:
        origin: The plan's origin, ``xchg:INSTALLATION:ID`` (None: a plan of this installation).
        plan_id: The plan's id here, for the message.

    Raises:
        IllegalTransitionError: Naming the partner installation and the plan's id there.
    """
    if origin is None:
        return
    _, installation, there = origin.split(":", 2)
    raise IllegalTransitionError(
        f"Plan {plan_id} was received from the partner installation {installation} (its plan "
        f"{there}): it moves through {installation}'s approval, not this installation's, and "
        f"keeps the state {installation}'s last bundle gave it.",
        hint=f"Ask {installation} to move it; its next bundle brings the new state here.",
    )


def missing_approvals(
    required: Iterable[Agency], approved: Collection[Agency]
) -> tuple[Agency, ...]:
    """The required agencies that have not approved yet, in the order required.

    A plan is approved exactly when this is empty.
    """
    return tuple(agency for agency in required if agency not in approved)
