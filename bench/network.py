"""Centrality and communities for every year of a dyad-year table, against networkx per year.

Input: by default a generated dyad-year table shaped like the real one (fixed seed): 210
nations in eight blocs, 1950-2025, about 1.5M dyad-years, each pair's index following a stock
of yearly contributions (frequent within a bloc, rare across blocs, more for a few great powers,
steady for alliances) that halves every 3 years, as the tie index does. With a store URL as the
first argument (``python -m bench.network sqlite:///comity.db``) the store's records are used
instead, through the same snapshot and query as the CLI.

In one run:

- comity: :func:`comity.analytics.network.compute_network_measures` on every year (igraph:
  weighted eigenvector and betweenness centrality, Leiden communities, stable labels);
- networkx, on 10 evenly spaced years of the same table: the year's graph built from its ties,
  ``eigenvector_centrality_numpy`` (scaled to a maximum of 1), ``betweenness_centrality``
  (normalised; tie length ``100 / index`` on comity's grid of 1/4096, see
  :mod:`comity.analytics.network`), ``louvain_communities`` and ``modularity``.

Runs ``network_all_years``: comity's wall seconds, speedup per year over networkx (target >= 20),
the largest difference of any centrality of any nation in the sampled years (<= 1e-6), peak
memory, and two figures comparing each sampled year's modularity, relative to networkx's:

- ``modularity_gap``, the most comity's partition falls short of networkx's (target <= 1 %);
- ``modularity_gain``, the most it exceeds it (information). Leiden and Louvain are both
  heuristics: they agree to 1e-6 on every sampled year but the first, where the generated
  network is still sparse and weakly structured and Leiden finds a partition about 4 % better.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench.common import Run, check, peak_mib, report
from comity.analytics.network import LENGTH_STEP, MIN_INDEX, compute_network_measures

NATIONS = 210
BLOCS = 8
FIRST_YEAR, LAST_YEAR = 1950, 2025
SAMPLED_YEARS = 10
SEED = 20240601
LOUVAIN_SEED = 7


def generate(seed: int = SEED) -> Any:
    """A dyad-year table (iso3_1, iso3_2, year, index) shaped like the real one."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    codes = rng.choice(26**3, size=NATIONS, replace=False)
    keys = np.sort(letters[codes // 676] + letters[codes // 26 % 26] + letters[codes % 26])
    bloc = rng.integers(0, BLOCS, NATIONS)
    powers = rng.choice(NATIONS, size=5, replace=False)
    first, second = np.triu_indices(NATIONS, k=1)
    same = bloc[first] == bloc[second]
    great = np.isin(first, powers) | np.isin(second, powers)
    rate = np.where(same, 1.2, 0.08) + np.where(great, 0.8, 0.0)
    allied = rng.random(len(first)) < np.where(same, 0.6, 0.04)
    alliance = np.where(allied, rng.uniform(2.0, 6.0, len(first)), 0.0)
    alliance_from = FIRST_YEAR + rng.integers(0, 40, len(first))
    alliance_to = alliance_from + rng.integers(5, 80, len(first))
    # Ties start within blocs and alliances first, as in the real data.
    wait = rng.geometric(np.where(same | great, 0.35, 0.12), len(first)) - 1
    start = np.where(allied, np.minimum(alliance_from, FIRST_YEAR + wait), FIRST_YEAR + wait)
    start = np.minimum(start, LAST_YEAR)
    decay = 2.0 ** (-1.0 / 3.0)
    stock = np.zeros(len(first))
    frames = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        events = rng.poisson(rate)
        contribution = events * rng.gamma(2.0, 0.6, len(first))
        in_force = (alliance_from <= year) & (year <= alliance_to)
        contribution += np.where(in_force, alliance, 0.0)
        contribution[start == year] += rng.gamma(2.0, 0.6, int((start == year).sum()))
        live = start <= year
        stock = stock * decay + np.where(live, contribution, 0.0)
        frames.append((first[live], second[live], year, 100.0 * -np.expm1(-stock[live] / 20.0)))
    table = pa.table(
        {
            "iso3_1": pa.array(keys[np.concatenate([f[0] for f in frames])]),
            "iso3_2": pa.array(keys[np.concatenate([f[1] for f in frames])]),
            "year": pa.array(
                np.concatenate([np.full(len(f[0]), f[2]) for f in frames]), pa.int32()
            ),
            "index": pa.array(np.concatenate([f[3] for f in frames]), pa.float64()),
        }
    )
    # Sorted by pair and year, as run_dyad_years returns it.
    return table.sort_by([("iso3_1", "ascending"), ("iso3_2", "ascending"), ("year", "ascending")])


def from_store(url: str) -> Any:
    """The dyad-year table of a store's records (everything the operator sees)."""
    from comity.access import Viewer
    from comity.analytics.settings import default_settings
    from comity.analytics.snapshot import load_snapshot
    from comity.analytics.tie_index import run_dyad_years
    from comity.store import open_store

    snap = load_snapshot(open_store(url), Viewer.operator("bench"))
    return run_dyad_years(
        snap.engagements,
        snap.participants,
        default_settings(),
        horizon=snap.horizon,
        media=snap.media,
    )


def _eigenvector(graph: Any) -> dict[str, float]:
    """Eigenvector centrality by networkx, scaled to a maximum of 1.

    A disconnected graph (only in early years of the real data) has no unique answer in
    networkx; as comity does, take the component with the largest leading eigenvalue.
    """
    part = graph
    if not nx.is_connected(graph):
        components = [graph.subgraph(c) for c in nx.connected_components(graph)]
        part = max(
            components,
            key=lambda g: np.linalg.eigvalsh(nx.to_numpy_array(g, weight="weight")).max(),
        )
    values = nx.eigenvector_centrality_numpy(part, weight="weight")
    top = max(values.values())
    return {node: values.get(node, 0.0) / top for node in graph}


def networkx_year(ties: Any) -> tuple[dict[str, float], dict[str, float], float]:
    """Eigenvector, betweenness and Louvain modularity of one year's ties, by networkx."""
    graph = nx.Graph()
    first = ties.column("iso3_1").to_pylist()
    second = ties.column("iso3_2").to_pylist()
    weight = ties.column("index").to_numpy()
    # The tie's length as comity defines it: 100 / index on a grid of LENGTH_STEP.
    distance = np.maximum(np.round(100.0 / weight / LENGTH_STEP), 1.0) * LENGTH_STEP
    graph.add_edges_from(
        (a, b, {"weight": w, "distance": d})
        for a, b, w, d in zip(first, second, weight.tolist(), distance.tolist(), strict=True)
    )
    eigenvector = _eigenvector(graph)
    betweenness = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    communities = nx.community.louvain_communities(graph, weight="weight", seed=LOUVAIN_SEED)
    modularity = nx.community.modularity(graph, communities, weight="weight")
    return eigenvector, betweenness, modularity


def main() -> None:
    table = from_store(sys.argv[1]) if len(sys.argv) > 1 else generate()
    index = table.column("index")
    ties = table.filter(pc.and_(pc.greater(index, 0.0), pc.greater_equal(index, MIN_INDEX)))
    years = np.unique(ties.column("year").to_numpy())

    comity_s = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        measures = compute_network_measures(table)
        comity_s = min(comity_s, time.perf_counter() - start)
    nation_years = measures.nation_years.to_pandas().set_index(["year", "nation"])
    modularity = dict(
        zip(
            measures.community_years.column("year").to_pylist(),
            measures.community_years.column("modularity").to_pylist(),
            strict=True,
        )
    )
    assert len(modularity) == len(years), "comity computed every year"

    sampled = np.unique(years[np.linspace(0, len(years) - 1, SAMPLED_YEARS).round().astype(int)])
    networkx_s = 0.0
    diff = 0.0
    gap = 0.0
    gain = 0.0
    for year in sampled.tolist():
        year_ties = ties.filter(pc.equal(ties.column("year"), year))
        start = time.perf_counter()
        eigenvector, betweenness, nx_modularity = networkx_year(year_ties)
        networkx_s += time.perf_counter() - start
        ours = nation_years.loc[year]
        assert sorted(ours.index) == sorted(eigenvector), f"same nations in {year}"
        for name, theirs in (("eigenvector", eigenvector), ("betweenness", betweenness)):
            expected = np.array([theirs[n] for n in ours.index])
            diff = max(diff, float(np.abs(ours[name].to_numpy() - expected).max()))
        relative = (modularity[year] - nx_modularity) / abs(nx_modularity)
        gap, gain = max(gap, -relative), max(gain, relative)
    peak = peak_mib()

    speedup = (networkx_s / len(sampled)) / (comity_s / len(years))
    figures = [
        ("wall_s", round(comity_s, 2), "info"),
        ("speedup_vs_networkx", round(speedup, 1), ">= 20"),
        ("max_centrality_diff", float(f"{diff:.3g}"), "<= 1e-6"),
        ("modularity_gap", float(f"{gap:.3g}"), "<= 0.01"),
        ("modularity_gain", float(f"{gain:.3g}"), "info"),
    ]
    runs = [Run("network_all_years", m, v, t, check(v, t)) for m, v, t in figures]
    runs.append(Run("network_all_years", "peak_mib", round(peak), "< 2048", peak < 2048))
    report(runs)


if __name__ == "__main__":
    main()
