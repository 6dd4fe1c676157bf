"""A nation's partners in a year and over the years, a pair's history and its report.

Every answer names the table it comes from (:class:`comity.services.analytics.IndexTable`): its
default year, the years it covers and the sources and years it rests on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comity.access.viewer import Viewer
from comity.errors import FieldProblem, NotFoundError, ValidationError
from comity.services.analytics import IndexTable, check_year, compute_dyad_years
from comity.services.cache import cache_key, remembered
from comity.services.registry import resolve_nation
from comity.store import Store

__all__ = [
    "Tie",
    "TieTrends",
    "dyad_history",
    "list_ties",
    "nation_rows",
    "pair_report",
    "partner_indices",
    "partner_of",
    "tie_span",
    "tie_trends",
]


@dataclass(frozen=True)
class Tie:
    """A partner of a nation in one year, with the index and its parts.

    ``projected_share`` is the share of the tie that rests on projected contributions (beyond
    the coverage of their sources); ``last_observed_year`` the last year its data observe.
    """

    partner: str
    year: int
    index: float
    interoperability: float
    institutional: float
    cultural: float
    continuity: float
    diversity: float
    projected_share: float
    last_observed_year: int


_TIE_FIELDS = (
    "index",
    "interoperability",
    "institutional",
    "cultural",
    "continuity",
    "diversity",
    "projected_share",
    "last_observed_year",
)


def list_ties(
    store: Store,
    viewer: Viewer,
    nation: str,
    *,
    year: int | None = None,
    top: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[list[Tie], IndexTable]:
    """A nation's partners in a year (default: the table's default year), strongest first.

    Raises:
        UnknownNationError: When ``nation`` names no nation.
        ValidationError: When ``top`` is not positive.
        NotFoundError: When the index has no such year.
    """
    if top is not None and top < 1:
        raise ValidationError([FieldProblem("top", "must be 1 or more", str(top))], "query")
    key = resolve_nation(nation, year=year).iso3
    result = compute_dyad_years(store, viewer, overrides=overrides)
    chosen = check_year(year, result)
    memo = cache_key(
        "ties",
        result.settings.digest(),
        result.data_version,
        result.scope,
        key,
        chosen,
        top,
        result.horizon,
    )
    return remembered(memo, lambda: _ties(result, key, chosen, top)), result


def partner_of(row: Mapping[str, Any], nation: str) -> str:
    """The other nation of an index row's pair (``iso3_1``, ``iso3_2``), seen from ``nation``."""
    return str(row["iso3_2"] if row["iso3_1"] == nation else row["iso3_1"])


def nation_rows(table: Any, nation: str, year: int) -> list[dict[str, Any]]:
    """The rows of an index table (non-directed dyad-years) of ``nation``'s pairs in ``year``."""
    import pyarrow.compute as pc

    from comity.analytics.arrow_values import scalar

    schema = table.schema
    key = scalar(nation, schema.field("iso3_1").type)
    return table.filter(  # type: ignore[no-any-return]
        pc.and_(
            pc.equal(table.column("year"), scalar(year, schema.field("year").type)),
            pc.or_(pc.equal(table.column("iso3_1"), key), pc.equal(table.column("iso3_2"), key)),
        )
    ).to_pylist()


def _ties(result: IndexTable, key: str, chosen: int, top: int | None) -> list[Tie]:
    ties = [
        Tie(partner=partner_of(r, key), year=r["year"], **{f: r[f] for f in _TIE_FIELDS})
        for r in nation_rows(result.table, key, chosen)
        if r["index"] is not None and r["index"] > 0
    ]
    ties.sort(key=lambda tie: (-tie.index, tie.partner))
    return ties[:top] if top else ties


def _positive_of(table: Any, nation: str) -> Any:
    """The rows of ``nation``'s pairs with a positive index."""
    import pyarrow.compute as pc

    return table.filter(
        pc.and_(
            pc.greater(table.column("index"), 0.0),
            pc.or_(
                pc.equal(table.column("iso3_1"), nation), pc.equal(table.column("iso3_2"), nation)
            ),
        )
    )


def partner_indices(result: IndexTable, nation: str, year: int) -> dict[str, float]:
    """Each partner's index with ``nation`` in ``year`` (positive ones only), by partner key."""
    import pyarrow.compute as pc

    table = result.table
    mine = _positive_of(table.filter(pc.equal(table.column("year"), year)), nation)
    return {
        partner_of(r, nation): r["index"]
        for r in mine.select(["iso3_1", "iso3_2", "index"]).to_pylist()
    }


def tie_span(result: IndexTable, nation: str) -> tuple[int, int] | None:
    """The first and last year ``nation`` has a tie in the table, if it has any."""
    import pyarrow.compute as pc

    years = _positive_of(result.table, nation).column("year")
    if len(years) == 0:
        return None
    bounds = pc.min_max(years).as_py()
    return int(bounds["min"]), int(bounds["max"])


@dataclass(frozen=True)
class TieTrends:
    """A nation's index with some partners, year by year.

    Attributes:
        rows: One mapping per year, from the first year of a tie with any of the partners to
            the table's horizon: ``year`` and each partner's index under its key (rounded to
            0.1). A year without a row has an index of 0: the pair had no recorded tie left.
        last_observed: Each partner's last observed year: later years are estimates beyond the
            coverage of their sources.
    """

    rows: list[dict[str, Any]]
    last_observed: dict[str, int]


def tie_trends(result: IndexTable, nation: str, partners: Sequence[str]) -> TieTrends:
    """The index of ``nation`` with each of ``partners``, every year up to the horizon.

    Both empty when no partner is given or none has a tie with ``nation``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not partners:
        return TieTrends([], {})
    table = result.table
    chosen = pa.array(list(partners), type=pa.string())
    first, second = table.column("iso3_1"), table.column("iso3_2")
    rows = table.filter(
        pc.and_(
            pc.greater(table.column("index"), 0.0),
            pc.or_(
                pc.and_(pc.equal(first, nation), pc.is_in(second, value_set=chosen)),
                pc.and_(pc.equal(second, nation), pc.is_in(first, value_set=chosen)),
            ),
        )
    ).select(["iso3_1", "iso3_2", "year", "index", "last_observed_year"])
    found: dict[tuple[str, int], float] = {}
    observed: dict[str, int] = {}
    for r in rows.to_pylist():
        partner = partner_of(r, nation)
        found[(partner, r["year"])] = r["index"]
        observed[partner] = max(
            observed.get(partner, r["last_observed_year"]), r["last_observed_year"]
        )
    if not found:
        return TieTrends([], {})
    start = min(year for _, year in found)
    trends = [
        {"year": year, **{p: round(found.get((p, year), 0.0), 1) for p in partners}}
        for year in range(start, result.horizon + 1)
    ]
    return TieTrends(trends, observed)


def _lineage_members(store: Store, nation: str) -> set[str]:
    """A state and the states whose ties it carries on (Russia: Russia and the Soviet Union)."""
    from comity.analytics.snapshot import load_lineage

    lineage = remembered(cache_key("lineage", store.describe_url()), lambda: load_lineage(store))
    return lineage.members(nation)


def dyad_history(
    store: Store,
    viewer: Viewer,
    first: str,
    second: str,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[str, str, list[dict[str, Any]], IndexTable]:
    """Every year of a pair's index with its components (oldest first).

    The history of a state includes the years of the states whose ties it carries on: Russia and
    Poland before 1992 are the Soviet Union and Poland (each row names its pair).

    Returns:
        The two keys in table order, the rows, and the table they come from.

    Raises:
        UnknownNationError: When a nation does not resolve.
        NotFoundError: When the pair has no ties at all in what the viewer may see.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    a, b = sorted((resolve_nation(first).iso3, resolve_nation(second).iso3))
    if a == b:
        raise ValidationError([FieldProblem("nations", "name two different nations", a)], "pair")
    result = compute_dyad_years(store, viewer, overrides=overrides)
    t = result.table
    left = pa.array(sorted(_lineage_members(store, a)), type=pa.string())
    right = pa.array(sorted(_lineage_members(store, b)), type=pa.string())
    first_in, second_in = pc.is_in(t.column("iso3_1"), left), pc.is_in(t.column("iso3_2"), right)
    swapped = pc.and_(pc.is_in(t.column("iso3_1"), right), pc.is_in(t.column("iso3_2"), left))
    rows = t.filter(pc.or_(pc.and_(first_in, second_in), swapped)).to_pylist()
    rows.sort(key=lambda row: row["year"])
    if not rows:
        raise NotFoundError(
            f"No recorded ties between {a} and {b}.",
            hint="Check the names, or the records you may see (comity engagements list).",
        )
    return a, b, rows, result


def pair_report(
    store: Store,
    viewer: Viewer,
    first: str,
    second: str,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A pair's history with the challenges beside each year, and the engagements behind it.

    Returns a JSON-ready mapping: ``title``, ``pair``, ``columns``, ``years`` (one mapping per
    year: the index and its parts with the projected share and the last observed year, the pair
    of that year (a predecessor's key before its successor existed), then the challenges,
    missing ones as None), ``default_year``, ``data_through``, ``notes``,
    ``engagements`` (the most recent 20 the viewer may see), ``friction`` (bureaucratic
    friction of the pair's plans, see :func:`comity.services.plans.pair_friction`),
    ``method_version`` and ``settings_digest``.
    """
    from comity.analytics.challenges import create_pair_challenges
    from comity.services.engagements import list_engagements
    from comity.services.plans import pair_friction

    a, b, rows, result = dyad_history(store, viewer, first, second, overrides=overrides)
    challenges = create_pair_challenges(store, a, b, in_system_only=False)
    by_year = {row["year"]: row for row in challenges.rows()}
    keep = (
        "ideological_distance",
        "polity_distance",
        "disputes_50y",
        "fatal_disputes_50y",
        "last_dispute_year",
        "rivalry",
        "major_power_gap",
        "media_tone",
        "media_events",
    )
    shown = (
        "year",
        "index",
        "interoperability",
        "institutional",
        "cultural",
        "continuity",
        "diversity",
        "projected_share",
        "last_observed_year",
    )
    years = []
    for row in rows:
        extra = by_year.get(row["year"], {})
        # Years before a successor existed belong to its predecessor: each row names its pair.
        years.append(
            {
                **{k: row[k] for k in shown},
                "pair": [row["iso3_1"], row["iso3_2"]],
                **{k: extra.get(k) for k in keep},
            }
        )
    engagements = list_engagements(store, viewer, nation=a, partner=b)
    names = {key: resolve_nation(key).name for key in (a, b)}
    return {
        "title": f"{names[a]} ({a}) and {names[b]} ({b})",
        "pair": [a, b],
        "columns": [*shown, "pair", *keep],
        "years": years,
        "default_year": result.default_year,
        "data_through": result.data_through,
        "notes": list(challenges.notes),
        "engagements": [s.to_dict() for s in engagements[-20:]],
        "engagement_count": len(engagements),
        "friction": pair_friction(store, viewer, a, b),
        "method_version": result.settings.method_version,
        "settings_digest": result.settings.digest(),
    }
