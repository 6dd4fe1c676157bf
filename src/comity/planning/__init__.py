"""Planning: the portfolio optimiser (plans, approvals and assessments join it)."""
