"""Planning: plan states, the approval rule, friction, and the portfolio optimiser.

The optimiser lives in :mod:`comity.planning.optimiser`. Pure functions over records and
rows, no I/O: the services read and write the store around them.
"""

from comity.planning.friction import (
    FrictionBy,
    FrictionFigure,
    FrictionRow,
    approval_days,
    create_friction,
    p90,
)
from comity.planning.workflow import (
    CANCELLABLE,
    EDITABLE,
    FINAL,
    TRANSITIONS,
    Action,
    IllegalTransitionError,
    check_local_workflow,
    check_transition,
    missing_approvals,
    target_of,
)

__all__ = [
    "CANCELLABLE",
    "EDITABLE",
    "FINAL",
    "TRANSITIONS",
    "Action",
    "FrictionBy",
    "FrictionFigure",
    "FrictionRow",
    "IllegalTransitionError",
    "approval_days",
    "check_local_workflow",
    "check_transition",
    "create_friction",
    "missing_approvals",
    "p90",
    "target_of",
]
