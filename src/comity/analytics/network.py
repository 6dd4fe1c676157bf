"""Network measures of the tie index: centrality, communities and outreach profiles.

Unit of analysis: the nation-year, nations by ISO 3166 alpha-3 key (the keys of the dyad-year
table of :mod:`comity.analytics.tie_index`, historical states by their comity keys). Each year's
network is the weighted undirected graph of the pairs tied that year, weighted by the index
(0..100); a nation belongs to a year's network when it has at least one tie.

A pair is tied when its index is above 0 and at least ``min_index`` (:data:`MIN_INDEX`, 1e-4).
Below that the index is what is left of a tie that ended decades ago (at the default half-life of
3 years a saturated tie falls under 1e-4 in about 60 years; rounding leaves values down to 1e-14
where the stock is in truth 0), and tie lengths ``100 / index`` would span more orders of
magnitude than weighted shortest paths resolve in double precision: igraph, which compares path
lengths with a relative tolerance, gave betweenness values near 1e30 on the bundled data (igraph
issues #591, #1009). Tie lengths are also rounded to multiples of :data:`LENGTH_STEP` (1/4096;
the shortest tie has length 1) so that their sums are exact: many ties share an index
(alliances with the same pledges), and unrounded, equal paths differ in the last bit, which
networkx counts as distinct paths and igraph as one. Rounded, the two agree on every year of the
bundled data.

Leiden rather than Louvain: on the bundled data it reached the same or a higher modularity than
Louvain (igraph's and networkx's) in every year tried, and its communities are guaranteed to be
connected. Like Louvain it depends on the seed in some years (2000: 0.62905 or 0.62916), hence
the fixed seed. Its communities are given labels that persist from year to year by
:mod:`comity.analytics.community_labels`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from comity.analytics import shortest_paths
from comity.analytics.community_labels import CommunityLabeller, label_communities
from comity.analytics.network_years import YearTies, helper_for, measure_years
from comity.errors import FieldProblem, ValidationError

__all__ = [
    "COMMUNITY_YEAR_COLUMNS",
    "LENGTH_STEP",
    "MIN_INDEX",
    "NATION_YEAR_COLUMNS",
    "OUTREACH_COLUMNS",
    "NetworkMeasures",
    "compute_nation_years",
    "compute_network_measures",
    "compute_outreach_profile",
    "label_communities",
    "load_nation_regions",
]

NATION_YEAR_COLUMNS = (
    "nation",
    "year",
    "partners",
    "strength",
    "weighted_degree",
    "degree",
    "eigenvector",
    "betweenness",
    "community",
)
"""Columns of the nation-year table."""

COMMUNITY_YEAR_COLUMNS = ("year", "nations", "ties", "communities", "modularity")
"""Columns of the table of each year's network and partition."""

OUTREACH_COLUMNS = ("year", "kind", "partner_region", "contribution", "share")
"""Columns of an outreach profile."""

MIN_INDEX = 1e-4
"""The smallest index that counts as a tie in the network (see the module docstring)."""

LENGTH_STEP = 2.0**-12
"""Tie lengths (100 / index) are rounded to multiples of this (see the module docstring)."""

ALGORITHM = "leiden-modularity"
"""The community algorithm, recorded in the tables' metadata."""

_Floats = npt.NDArray[np.float64]
_Ints = npt.NDArray[np.int64]

# igraph warns when a centrality is nearly zero (a very weak tie at the edge of a component);
# the components are handled explicitly below, so the warning says nothing new.
_NEARLY_ZERO = "Some eigenvector centralities are nearly zero"


@dataclass(frozen=True)
class NetworkMeasures:
    """The network measures of a dyad-year table.

    Attributes:
        nation_years: Arrow table, one row per nation and year (:data:`NATION_YEAR_COLUMNS`).
        community_years: Arrow table, one row per year (:data:`COMMUNITY_YEAR_COLUMNS`): the
            number of nations and ties in the year's network, of communities, and the
            partition's weighted modularity.
    """

    nation_years: Any
    community_years: Any


@dataclass(frozen=True)
class _Edges:
    """The positive ties of a dyad-year table as arrays, sorted by year."""

    nations: Any  # Arrow string array, sorted: the global node codes index it
    first: _Ints
    second: _Ints
    weight: _Floats
    years: _Ints  # distinct years, ascending
    bounds: _Ints  # ties of years[i] are rows bounds[i]:bounds[i + 1]


def compute_network_measures(
    dyad_years: Any,
    *,
    threshold: float = 10.0,
    years: Iterable[int] | None = None,
    seed: int = 0,
    min_index: float = MIN_INDEX,
    since: int | None = None,
    before: NetworkMeasures | None = None,
) -> NetworkMeasures:
    """Compute every nation-year measure and each year's communities and modularity.

    Unit of analysis: the nation-year (ISO alpha-3 keys); the input is the non-directed dyad-year
    table of :func:`comity.analytics.tie_index.run_dyad_years`, one row per pair and year.

    Args:
        dyad_years: Arrow table with at least iso3_1, iso3_2, year and index.
        threshold: The index at which a pair counts as partners (the settings'
            ``partner_threshold``).
        years: Only these years (default: every year of the table). Community labels are matched
            from one computed year to the next, so they depend on the years chosen; every other
            value does not.
        seed: Seed of the Leiden algorithm (combined with the year). igraph's random number
            generator is replaced during the call and set back to Python's ``random`` module,
            igraph's default, afterwards.
        min_index: The smallest index that counts as a tie (see the module docstring); pairs
            below it, or at 0, are not in the year's network.
        since: With ``before``: the first year whose ties may differ from those ``before`` was
            computed from (with the same settings, seed and ``years``). Its years before
            ``since`` are kept, and the community labels carry on from them: the result is
            the one a computation of every year would give.
        before: The measures of the same table as it was before a change.

    Returns:
        The nation-year table, sorted by year and nation, with columns: nation; year; partners
        (pairs with index >= threshold); strength (sum of the index over the nation's ties);
        weighted_degree (strength / 100: the number of saturated ties it is worth); degree
        (ties: pairs with index > 0 and >= min_index); eigenvector (principal eigenvector, the
        year's maximum scaled to 1; 0 outside the component with the largest leading
        eigenvalue, in practice the giant component, and when components tie, the one holding
        the alphabetically first nation); betweenness (weighted, tie length 100 / index rounded
        to :data:`LENGTH_STEP`, normalised by 2 / ((n - 1)(n - 2)) for the year's n nations, as
        networkx does; 0 when n < 3); community (a label stable across years). And the table of
        years.

    Raises:
        ValidationError: When a column is missing or a pair appears twice in a year, or pairs a
            nation with itself.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if since is not None and before is not None:
        years = [y for y in (_years_of(dyad_years) if years is None else years) if y >= since]
    # The second process starts while the ties are prepared.
    helper = helper_for(dyad_years, years)
    try:
        edges = _prepare(dyad_years, years, min_index)
        labeller = CommunityLabeller(len(edges.nations))
        kept = kept_years = None
        if since is not None and before is not None:
            kept = _resume_labels(labeller, edges.nations, before.nation_years, since)
            kept_years = before.community_years.filter(
                pc.less(before.community_years.column("year"), since)
            )
        parts: list[dict[str, npt.NDArray[Any]]] = []
        summary: dict[str, list[Any]] = {name: [] for name in COMMUNITY_YEAR_COLUMNS}
        chosen = [
            YearTies(
                year,
                edges.first[int(edges.bounds[i]) : int(edges.bounds[i + 1])],
                edges.second[int(edges.bounds[i]) : int(edges.bounds[i + 1])],
                edges.weight[int(edges.bounds[i]) : int(edges.bounds[i + 1])],
            )
            for i, year in enumerate(edges.years.tolist())
        ]
        measured = measure_years(chosen, threshold, seed, helper)
    finally:
        if helper is not None:
            helper.close()
    # Labels carry on from one year to the next: they are given in order, after the measures.
    for ties, (part, modularity) in zip(chosen, measured, strict=True):
        part["community"] = labeller.label(part["node"], part.pop("membership"))
        part["year"] = np.full(len(part["node"]), ties.year, dtype=np.int32)
        parts.append(part)
        summary["year"].append(ties.year)
        summary["nations"].append(len(part["node"]))
        summary["ties"].append(len(ties.weight))
        summary["communities"].append(len(np.unique(part["community"])))
        summary["modularity"].append(modularity)

    def column(name: str) -> npt.NDArray[Any]:
        return np.concatenate([p[name] for p in parts]) if parts else np.empty(0)

    nodes = column("node").astype(np.int64)
    nation_years = pa.table(
        {
            "nation": edges.nations.take(pa.array(nodes, type=pa.int64())),
            "year": pa.array(column("year"), type=pa.int32()),
            "partners": pa.array(column("partners"), type=pa.int32()),
            "strength": pa.array(column("strength"), type=pa.float64()),
            "weighted_degree": pa.array(column("strength") / 100.0, type=pa.float64()),
            "degree": pa.array(column("degree"), type=pa.int32()),
            "eigenvector": pa.array(column("eigenvector"), type=pa.float64()),
            "betweenness": pa.array(column("betweenness"), type=pa.float64()),
            "community": pa.array(column("community"), type=pa.int32()),
        }
    )
    metadata = {
        "unit": "nation-year",
        "code_system": "iso3",
        "community_algorithm": ALGORITHM,
        "seed": str(seed),
        "partner_threshold": repr(float(threshold)),
    }
    community_years = pa.table(
        {
            "year": pa.array(summary["year"], type=pa.int32()),
            "nations": pa.array(summary["nations"], type=pa.int32()),
            "ties": pa.array(summary["ties"], type=pa.int32()),
            "communities": pa.array(summary["communities"], type=pa.int32()),
            "modularity": pa.array(summary["modularity"], type=pa.float64()),
        }
    )
    if kept is not None and kept_years is not None:
        nation_years = pa.concat_tables([kept.cast(nation_years.schema), nation_years])
        community_years = pa.concat_tables(
            [kept_years.cast(community_years.schema), community_years]
        )
    return NetworkMeasures(
        nation_years=nation_years.replace_schema_metadata(metadata),
        community_years=community_years.replace_schema_metadata({**metadata, "unit": "year"}),
    )


def _years_of(dyad_years: Any) -> list[int]:
    import pyarrow.compute as pc

    return [int(y) for y in pc.unique(dyad_years.column("year")).to_pylist()]


def _resume_labels(labeller: CommunityLabeller, nations: Any, nation_years: Any, since: int) -> Any:
    """Set ``labeller`` as it stood after the last year before ``since``; those years' rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kept = nation_years.filter(pc.less(nation_years.column("year"), since))
    if kept.num_rows == 0:
        return kept
    last = pc.max(kept.column("year"))
    final = kept.filter(pc.equal(kept.column("year"), last))
    codes = pc.index_in(final.column("nation").cast(pa.string()), value_set=nations)
    present = pc.is_valid(codes)
    nodes = np.asarray(codes.filter(present).to_numpy(zero_copy_only=False), dtype=np.int64)
    labels = np.asarray(final.column("community").filter(present).to_numpy(), dtype=np.int64)
    labeller.resume(nodes, labels, int(pc.max(kept.column("community")).as_py()) + 1)
    return kept


def compute_nation_years(
    dyad_years: Any,
    *,
    threshold: float = 10.0,
    years: Iterable[int] | None = None,
    seed: int = 0,
    min_index: float = MIN_INDEX,
) -> Any:
    """Compute the nation-year table of network measures.

    Unit of analysis: the nation-year (ISO alpha-3 keys). See :func:`compute_network_measures`
    for the arguments and every column: nation, year, partners, strength, weighted_degree,
    degree, eigenvector, betweenness, community.
    """
    measures = compute_network_measures(
        dyad_years, threshold=threshold, years=years, seed=seed, min_index=min_index
    )
    return measures.nation_years


def compute_outreach_profile(
    pair_kind_year: Any, nation: str, regions: Mapping[str, str | None]
) -> Any:
    """Compute the mix of mechanisms a nation uses, by its partners' region, year by year.

    Unit of analysis: the nation-year of one nation (ISO alpha-3 key), split by engagement kind
    and partner region. The contributions are those of the index before memory and scale.

    Args:
        pair_kind_year: Arrow table (n1, n2, year, kind, c) from
            :func:`comity.analytics.tie_index.pair_kind_year_sql`.
        nation: The nation's key.
        regions: Region of each partner by key (see :func:`load_nation_regions`).

    Returns:
        Arrow table sorted by year, kind and partner region, one row per year, kind and partner
        region with a positive contribution: year, kind, partner_region (null when ``regions``
        has none), contribution (the sum of c over the nation's pairs) and share (of the
        nation's total contribution that year, so each year's shares sum to 1).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    _require(pair_kind_year, ("n1", "n2", "year", "kind", "c"), "pair-kind-year table")
    first, second = pair_kind_year.column("n1"), pair_kind_year.column("n2")
    mine = pair_kind_year.filter(
        pc.and_(
            pc.or_(pc.equal(first, nation), pc.equal(second, nation)),
            pc.greater(pair_kind_year.column("c"), 0.0),
        )
    )
    partner = pc.if_else(pc.equal(mine.column("n1"), nation), mine.column("n2"), mine.column("n1"))
    keys = pa.array(list(regions), type=pa.string())
    values = pa.array(list(regions.values()), type=pa.string())
    partner_region = values.take(pc.index_in(partner, value_set=keys))
    rows = pa.table(
        {
            "year": mine.column("year").cast(pa.int32()),
            "kind": mine.column("kind").cast(pa.string()),
            "partner_region": partner_region,
            "contribution": mine.column("c").cast(pa.float64()),
        }
    )
    grouped = rows.group_by(["year", "kind", "partner_region"]).aggregate([("contribution", "sum")])
    totals = rows.group_by("year").aggregate([("contribution", "sum")])
    totals = totals.rename_columns(["year", "total"])
    grouped = grouped.rename_columns(["year", "kind", "partner_region", "contribution"])
    joined = grouped.join(totals, keys="year")
    share = pc.divide(joined.column("contribution"), joined.column("total"))
    profile = joined.select(["year", "kind", "partner_region", "contribution"]).append_column(
        "share", share
    )
    return profile.sort_by(
        [("year", "ascending"), ("kind", "ascending"), ("partner_region", "ascending")]
    )


def load_nation_regions(
    level: Literal["region", "continent"] = "region",
) -> dict[str, str | None]:
    """Region of every nation of the reference registry, by ISO alpha-3 key.

    Args:
        level: ``region`` for the UN sub-region (e.g. Western Europe), ``continent`` for the
            continent.
    """
    from comity.nations import load_reference

    return {key: getattr(n, level) for key, n in load_reference().nations.items()}


def _require(table: Any, columns: Sequence[str], subject: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValidationError(
            [FieldProblem(c, "column is missing") for c in missing],
            subject,
            hint="Pass the table made by comity.analytics.tie_index.",
        )


def _prepare(dyad_years: Any, years: Iterable[int] | None, min_index: float) -> _Edges:
    """The positive ties as global node codes, weights and year bounds."""
    import pyarrow as pa
    import pyarrow.compute as pc

    _require(dyad_years, ("iso3_1", "iso3_2", "year", "index"), "dyad-year table")
    table = dyad_years.select(["iso3_1", "iso3_2", "year", "index"])
    index = table.column("index")
    table = table.filter(pc.and_(pc.greater(index, 0.0), pc.greater_equal(index, min_index)))
    if years is not None:
        chosen = pa.array(sorted(set(years)), type=pa.int64())
        table = table.filter(pc.is_in(table.column("year").cast(pa.int64()), value_set=chosen))
    first = table.column("iso3_1").cast(pa.string())
    second = table.column("iso3_2").cast(pa.string())
    # One hashing pass codes both columns (a unique, then a lookup per column, took three):
    # the codes are then renumbered in the nations' sorted order.
    both = pa.chunked_array(first.chunks + second.chunks, type=pa.string()).combine_chunks()
    encoded = pc.dictionary_encode(both)
    by_name = np.asarray(pc.array_sort_indices(encoded.dictionary), dtype=np.int64)
    rank = np.empty(len(by_name), dtype=np.int64)
    rank[by_name] = np.arange(len(by_name), dtype=np.int64)
    codes = (
        rank[np.asarray(encoded.indices, dtype=np.int64)] if len(both) else np.empty(0, np.int64)
    )
    nations = encoded.dictionary.take(pa.array(by_name, type=pa.int64()))
    year = table.column("year").to_numpy().astype(np.int64)
    # Years fit 16 bits, which numpy sorts stably by radix (a third of the time).
    small = len(year) == 0 or (year.min() >= -(2**15) and year.max() < 2**15)
    order = np.argsort(year.astype(np.int16) if small else year, kind="stable")
    year = year[order]
    # The years are sorted: each starts where it differs from the one before.
    starts = np.flatnonzero(np.concatenate([[True], year[1:] != year[:-1]])) if len(year) else year
    distinct = year[starts]
    half = len(first)

    return _Edges(
        nations=nations,
        first=codes[:half][order],
        second=codes[half:][order],
        weight=table.column("index").to_numpy().astype(np.float64)[order],
        years=distinct.astype(np.int64),
        bounds=np.append(starts, len(year)).astype(np.int64),
    )


def measure_year(
    first: _Ints, second: _Ints, weight: _Floats, threshold: float, year: int
) -> tuple[dict[str, npt.NDArray[Any]], float]:
    """Measures of one year's graph, by global node code, and its partition's modularity."""
    import igraph

    nodes = np.unique(np.concatenate([first, second]))
    n = len(nodes)
    a, b = np.searchsorted(nodes, first), np.searchsorted(nodes, second)
    graph = igraph.Graph(n=n, edges=np.column_stack([a, b]))
    if not graph.is_simple():
        raise ValidationError(
            [
                FieldProblem(
                    "iso3_1, iso3_2",
                    "a pair appears twice, or a nation is paired with itself",
                    str(year),
                )
            ],
            "dyad-year table",
            hint="Pass one row per pair and year, as run_dyad_years makes.",
        )
    strong = weight >= threshold
    partners = np.bincount(a[strong], minlength=n) + np.bincount(b[strong], minlength=n)
    strength = np.bincount(a, weights=weight, minlength=n) + np.bincount(
        b, weights=weight, minlength=n
    )
    degree = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    length = np.maximum(np.round(100.0 / weight / LENGTH_STEP), 1.0) * LENGTH_STEP
    betweenness = shortest_paths.betweenness(n, a, b, length)
    betweenness = betweenness * (2.0 / ((n - 1) * (n - 2))) if n > 2 else np.zeros(n)
    clustering = graph.community_leiden(
        objective_function="modularity", weights=weight, resolution=1.0, n_iterations=-1
    )
    membership = np.asarray(clustering.membership, dtype=np.int64)
    modularity = float(graph.modularity(clustering.membership, weights=weight, directed=False))
    measures = {
        "node": nodes,
        "partners": partners,
        "strength": strength,
        "degree": degree,
        "eigenvector": _eigenvector(graph, weight),
        "betweenness": betweenness,
        "membership": membership,
    }
    return measures, modularity


def _eigenvector(graph: Any, weight: _Floats) -> _Floats:
    """Principal eigenvector of the weighted adjacency matrix, its maximum scaled to 1.

    On a disconnected graph it lies in the component with the largest leading eigenvalue (the
    first of them on a tie, components being ordered by their first node); the others get 0.
    """
    components = graph.connected_components()
    graph.es["weight"] = weight
    values = np.zeros(graph.vcount())
    best = -1.0
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_NEARLY_ZERO, category=RuntimeWarning)
        for members in components:
            part = graph if len(components) == 1 else graph.subgraph(members)
            vector, eigenvalue = part.eigenvector_centrality(
                weights="weight", return_eigenvalue=True
            )
            if eigenvalue > best * (1 + 1e-9):
                best = eigenvalue
                values[:] = 0.0
                values[members] = np.maximum(np.asarray(vector, dtype=np.float64), 0.0)
    top = values.max() if len(values) else 0.0
    return values / top if top > 0 else values
