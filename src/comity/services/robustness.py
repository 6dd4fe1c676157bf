"""How sure a nation's list of top partners is: its partners' top-10 chances.

Each kind's stock comes from the same inputs and settings as the index the viewer sees
(:func:`comity.analytics.robustness.kind_stocks_sql`, over the viewer's scope; remembered per
scope, settings and data version); the weights are then drawn within their spread and each
partner's chance of staying in the list counted
(:func:`comity.analytics.robustness.rank_stability`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.robustness import (
    DEFAULT_DRAWS,
    DEFAULT_SPREAD,
    DEFAULT_TOP,
    Stability,
    draw_factors,
    kind_stocks_sql,
    rank_stability,
)
from comity.errors import FieldProblem, ValidationError
from comity.services.analytics import (
    IndexTable,
    analytic_inputs,
    check_year,
    compute_dyad_years,
    index_identity,
)
from comity.services.cache import cache_key, remembered
from comity.services.registry import resolve_nation
from comity.store import Store

__all__ = [
    "MAX_DRAWS",
    "band_text",
    "check_draws",
    "every_stability",
    "kind_stocks",
    "partner_stability",
    "stability_by_partner",
    "with_stability",
]

MAX_DRAWS = 5_000
"""The most draws one request may ask for."""


def check_draws(draws: int, spread: float, top: int) -> None:
    """Refuse settings of the draws out of their range, naming each."""
    problems = []
    if not 1 <= draws <= MAX_DRAWS:
        problems.append(FieldProblem("draws", f"must be from 1 to {MAX_DRAWS}", str(draws)))
    if not 0 <= spread < 1:
        problems.append(
            FieldProblem("spread", "must be from 0 up to (not including) 1", str(spread))
        )
    if not 1 <= top <= 100:
        problems.append(FieldProblem("top", "must be from 1 to 100", str(top)))
    if problems:
        raise ValidationError(problems, "robustness")


def kind_stocks(store: Store, viewer: Viewer, *, overrides: Mapping[str, Any] | None = None) -> Any:
    """Each pair's stock by kind and year in the viewer's scope, as an Arrow table (remembered)."""
    settings, version, scope, last = index_identity(store, viewer, overrides=overrides)
    key = cache_key("kind_stocks", settings.method_version, settings.digest(), version, scope, last)

    def compute() -> Any:
        con, snapshot, inputs = analytic_inputs(store, viewer, last)
        return con.sql(kind_stocks_sql(settings, snapshot.horizon, inputs)).to_arrow_table()

    return remembered(key, compute)


def _rows(table: Any) -> list[tuple[str, str, int, str, float]]:
    columns = [table.column(name).to_pylist() for name in ("iso3_1", "iso3_2", "year", "kind")]
    return list(zip(*columns, table.column("stock").to_pylist(), strict=True))


def partner_stability(
    store: Store,
    viewer: Viewer,
    nation: str,
    *,
    year: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    draws: int = DEFAULT_DRAWS,
    spread: float = DEFAULT_SPREAD,
    top: int = DEFAULT_TOP,
    partners: int | None = None,
) -> tuple[list[Stability], IndexTable]:
    """A nation's strongest partners in a year with their top-``top`` chances.

    Args:
        store: The store.
        viewer: Whose view: only what it may read counts.
        nation: Any name or code.
        year: The year (default: the index's default year).
        overrides: Settings of the index to change (as for the index itself).
        draws: Draws of the weights.
        spread: Each weight is drawn within ``±spread`` of its value.
        top: The length of the list.
        partners: How many partners to report (default ``top``).

    Returns:
        The partners, strongest first, and the index table they rest on.
    """
    check_draws(draws, spread, top)
    key = resolve_nation(nation, year=year).iso3
    result = compute_dyad_years(store, viewer, overrides=overrides)
    chosen = check_year(year, result)
    memo = cache_key(
        "stability",
        result.settings.digest(),
        result.data_version,
        result.scope,
        key,
        chosen,
        draws,
        spread,
        top,
        partners,
    )

    def compute() -> list[Stability]:
        import pyarrow.compute as pc

        from comity.analytics.arrow_values import scalar

        table = kind_stocks(store, viewer, overrides=overrides)
        schema = table.schema
        mine = scalar(key, schema.field("iso3_1").type)
        chosen_year = scalar(chosen, schema.field("year").type)
        table = table.filter(
            pc.and_(
                pc.equal(table.column("year"), chosen_year),
                pc.or_(
                    pc.equal(table.column("iso3_1"), mine), pc.equal(table.column("iso3_2"), mine)
                ),
            )
        )
        factors = draw_factors(draws, spread)
        return rank_stability(
            _rows(table), factors, spread=spread, top=top, nations=[key], partners=partners
        )

    return remembered(memo, compute), result


def every_stability(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    draws: int = DEFAULT_DRAWS,
    spread: float = DEFAULT_SPREAD,
    top: int = DEFAULT_TOP,
) -> list[Stability]:
    """The top-``top`` chances of every nation's list in every year (for exports and the bench)."""
    check_draws(draws, spread, top)
    table = kind_stocks(store, viewer, overrides=overrides)
    return rank_stability(_rows(table), draw_factors(draws, spread), spread=spread, top=top)


def band_text(stability: Stability | None, top: int = DEFAULT_TOP) -> str:
    """The ranks a partner holds in 90 % of draws, as the faces write them: "3–5", "7–>10"."""
    if stability is None or stability.low is None:
        return f"beyond {top}"
    high = stability.high if stability.high is not None else f">{top}"
    return f"{stability.low}–{high}"


def stability_by_partner(
    store: Store,
    viewer: Viewer,
    nation: str,
    *,
    year: int,
    partners: int,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Stability]:
    """:func:`partner_stability` of a nation's ``partners`` strongest in ``year``, by partner."""
    found, _ = partner_stability(
        store, viewer, nation, year=year, overrides=overrides, partners=partners
    )
    return {s.partner: s for s in found}


def with_stability(
    store: Store, viewer: Viewer, nation: str, year: int, partners: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rows of a nation's top partners (each with its ``partner``), with ``chance`` and ``band``."""
    found = stability_by_partner(store, viewer, nation, year=year, partners=len(partners))
    return [
        {
            **row,
            "chance": found[row["partner"]].chance if row["partner"] in found else 0.0,
            "band": band_text(found.get(row["partner"])),
        }
        for row in partners
    ]
