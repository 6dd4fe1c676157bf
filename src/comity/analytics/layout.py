"""Positions of every year's network that stay put from year to year, and community colours.

Unit of analysis: the nation-year (ISO alpha-3 keys), over the network of
:mod:`comity.analytics.network`: each year's pairs with an index of at least
:data:`~comity.analytics.network.MIN_INDEX`, weighted by the index.

Each year is laid out by a force-directed method in the manner of Fruchterman and Reingold
(1991): every two nations repel each other with a force ``1 / d``, each tie pulls its two nations
together with ``ATTRACTION · w · d²`` (``w`` the index / 100, so the strongest ties are the
shortest), and a pull ``GRAVITY · r`` towards the centre keeps the nations without strong ties in
view. A nation moves at most the "temperature" per step, which falls linearly to zero. The two
constants were chosen on the bundled data so that blocs read as groups, with room between their
members for a label, and the ties at the default threshold fill most of the frame.

The first year starts from a sunflower spiral and is relaxed for :data:`FIRST_ITERATIONS` steps.
Every later year starts from the year before: a nation keeps its position; a nation new to the
network starts at the barycentre of its tied neighbours already placed (weighted by the index),
or where it last was, or on a ring just outside the others; and only :data:`ITERATIONS` steps at
a low temperature follow. The picture therefore changes as the ties change and no more: on the
bundled data, from one year to the next of 1950-2025, the median nation moves by about 2 % of the
picture's width, where laying out each year afresh moves it by about 40 %. The method has no
random choice but the small offsets that keep new nations from starting on one point, drawn from
a generator seeded with the seed and the year: the same data give the same positions.

Colours follow communities, not their numbers (:func:`match_communities`): each year's
communities are matched to those seen in the :data:`MEMORY` years before (each as last seen) by
the largest total overlap, the Hungarian algorithm; two groups overlap by the members they share
over the members of the larger, and below :data:`MIN_OVERLAP` not at all. A matched community
keeps its identity and colour (of a community that splits, the part keeping most members). A new
one, largest first, takes the first colour in the palette's order that no community of the year
has, one not held by an absent community that may return first; a year with more communities
than colours leaves its smallest new ones without (-1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from comity.analytics.network import MIN_INDEX

__all__ = [
    "COLOURS",
    "LAYOUT_COLUMNS",
    "LAYOUT_VERSION",
    "MEMORY",
    "MIN_OVERLAP",
    "YearTable",
    "compute_layout",
    "layout_extent",
    "layout_year",
    "match_communities",
    "sort_ties_by_year",
    "strongest_ties",
]

LAYOUT_COLUMNS = ("nation", "year", "x", "y", "colour")
"""Columns of the layout table."""

LAYOUT_VERSION = "3"
"""The layout method; recorded in the table's metadata and in the names of cached layouts."""

COLOURS = 8
"""Colour indexes given to communities by default (0 to 7, the eight colours of Okabe and Ito)."""

MEMORY = 5
"""The most years a community may be absent and still be recognised, with its colour."""

MIN_OVERLAP = 0.3
"""The least overlap (members shared / members of the larger group) that continues a community."""

ATTRACTION = 0.05
"""Pull of a saturated tie (index 100) per unit of distance squared."""

GRAVITY = 3.0
"""Pull towards the centre per unit of distance."""

FIRST_ITERATIONS = 300
ITERATIONS = 30
"""Steps of the first year, and of each later one (started from the year before)."""

FIRST_TEMPERATURE = 1.0
TEMPERATURE = 0.3
"""The most a nation moves in the first step: this times √n in the first year, this in the
later ones."""

_Floats = npt.NDArray[np.float64]
_Ints = npt.NDArray[np.int64]
_GOLDEN = np.pi * (3.0 - np.sqrt(5.0))


def compute_layout(
    dyad_years: Any,
    nation_years: Any,
    *,
    years: Iterable[int] | None = None,
    seed: int = 0,
    min_index: float = MIN_INDEX,
    colours: int = COLOURS,
    since: int | None = None,
    before: Any = None,
) -> Any:
    """Lay out every year's network, each year started from the year before, and colour it.

    Unit of analysis: the nation-year (ISO alpha-3 keys). See the module docstring for the
    method.

    Args:
        dyad_years: The non-directed dyad-year table (iso3_1, iso3_2, year, index), as
            :func:`comity.analytics.tie_index.run_dyad_years` makes it.
        nation_years: The nation-year table of
            :func:`comity.analytics.network.compute_network_measures` (nation, year, community).
        years: Only these years (default: every year with a tie). Each year starts from the
            previous year computed, so positions depend on the years chosen.
        seed: Seeds the offsets of new nations (a non-negative integer, combined with the
            year).
        min_index: The smallest index that counts as a tie, as for the network measures.
        colours: How many colour indexes there are.
        since: With ``before``: the first year whose ties may differ from those ``before`` was
            laid out from (with the same arguments). Its positions before ``since`` are kept and
            the later years start from them: the result is the one laying out every year gives.
        before: The layout of the same table as it was before a change.

    Returns:
        Arrow table sorted by year and nation: nation, year, x and y (in units of the ideal
        distance between two nations), colour (the colour index of the nation's community, -1
        when it has none).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = dyad_years.select(["iso3_1", "iso3_2", "year", "index"])
    index = table.column("index")
    table = table.filter(pc.and_(pc.greater(index, 0.0), pc.greater_equal(index, min_index)))
    if years is not None:
        chosen = pa.array(sorted(set(years)), type=pa.int64())
        table = table.filter(pc.is_in(table.column("year").cast(pa.int64()), value_set=chosen))
    kept = None
    if since is not None and before is not None:
        table = table.filter(pc.greater_equal(table.column("year"), since))
        kept = before.filter(pc.less(before.column("year"), since))
    first = table.column("iso3_1").cast(pa.string())
    second = table.column("iso3_2").cast(pa.string())
    nations = pc.unique(pa.chunked_array(first.chunks + second.chunks, type=pa.string()))
    nations = nations.take(pc.array_sort_indices(nations))
    keys: list[str] = nations.to_pylist()
    year = table.column("year").to_numpy().astype(np.int64)
    order = np.argsort(year, kind="stable")
    year = year[order]
    distinct, starts = np.unique(year, return_index=True)
    bounds = np.append(starts, len(year))

    def codes(column: Any) -> _Ints:
        found = pc.index_in(column, value_set=nations).to_numpy(zero_copy_only=False)
        return np.asarray(found, dtype=np.int64)[order]

    a_all, b_all = codes(first), codes(second)
    weight_all = table.column("index").to_numpy().astype(np.float64)[order] / 100.0
    colour_of = _colours_by_year(nation_years, colours)
    known = np.full((len(keys), 2), np.nan)
    previous: _Ints = np.empty(0, dtype=np.int64)
    if kept is not None and kept.num_rows:
        known, previous = _resume(kept, nations)
    parts: dict[str, list[Any]] = {name: [] for name in LAYOUT_COLUMNS}
    for i, chosen_year in enumerate(distinct.tolist()):
        rows = slice(int(bounds[i]), int(bounds[i + 1]))
        nodes = np.unique(np.concatenate([a_all[rows], b_all[rows]]))
        a = np.searchsorted(nodes, a_all[rows])
        b = np.searchsorted(nodes, b_all[rows])
        start = known[nodes] if len(previous) else None
        was_there = np.isin(nodes, previous)
        positions = layout_year(
            a, b, weight_all[rows], start, was_there, rng=np.random.default_rng([seed, chosen_year])
        )
        # Rounded as stored, so that a later year starts from what the table holds (and a
        # layout resumed from the table is the one computed in one go).
        positions = np.round(positions, 4)
        known[nodes] = positions
        previous = nodes
        names = [keys[n] for n in nodes.tolist()]
        communities = colour_of.get(chosen_year, {})
        parts["nation"] += names
        parts["year"].append(np.full(len(nodes), chosen_year, dtype=np.int32))
        parts["x"].append(positions[:, 0])
        parts["y"].append(positions[:, 1])
        parts["colour"].append(np.array([communities.get(n, -1) for n in names], dtype=np.int32))

    def joined(name: str, kind: Any) -> Any:
        values = parts[name]
        return pa.array(np.concatenate(values) if values else np.empty(0), type=kind)

    result = pa.table(
        {
            "nation": pa.array(parts["nation"], type=pa.string()),
            "year": joined("year", pa.int32()),
            "x": joined("x", pa.float64()),
            "y": joined("y", pa.float64()),
            "colour": joined("colour", pa.int32()),
        }
    )
    if kept is not None and kept.num_rows:
        result = pa.concat_tables([kept.select(list(LAYOUT_COLUMNS)).cast(result.schema), result])
    metadata = {
        "unit": "nation-year",
        "code_system": "iso3",
        "layout_version": LAYOUT_VERSION,
        "seed": str(seed),
        "colours": str(colours),
    }
    return result.replace_schema_metadata(metadata)


def _resume(kept: Any, nations: Any) -> tuple[_Floats, _Ints]:
    """Each nation's last position before the years to lay out, and the last year's nodes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    known = np.full((len(nations), 2), np.nan)
    codes = pc.index_in(kept.column("nation").cast(pa.string()), value_set=nations)
    code = np.asarray(codes.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    year = kept.column("year").to_numpy()
    x, y = kept.column("x").to_numpy(), kept.column("y").to_numpy()
    # By nation then year: each nation's last row is its position when last seen.
    order = np.lexsort((year, code))
    ordered = code[order]
    last_of = order[np.append(ordered[1:] != ordered[:-1], True)]
    last_of = last_of[code[last_of] >= 0]
    known[code[last_of]] = np.column_stack([x[last_of], y[last_of]])
    last = year == year.max()
    previous = np.unique(code[last & (code >= 0)])
    return known, previous


def layout_year(
    first: _Ints,
    second: _Ints,
    weight: _Floats,
    start: _Floats | None,
    placed: npt.NDArray[np.bool_] | None = None,
    *,
    rng: np.random.Generator | None = None,
) -> _Floats:
    """Positions of one year's nations, started from ``start`` where it has them.

    Args:
        first: Each tie's first nation (0..n - 1; every nation has a tie).
        second: Each tie's second nation.
        weight: Each tie's weight (the index / 100).
        start: Each nation's position in the year before or where it last was (n x 2; NaN
            for a nation never placed), or None for the first year: a full layout from a spiral.
        placed: Which nations were in the network the year before (default: those with a start).
            The others start at the barycentre of their placed neighbours when they have any.
        rng: Draws the offsets of new nations (default: seeded with 0).

    Returns:
        The n x 2 positions.
    """
    n = int(max(first.max(initial=-1), second.max(initial=-1))) + 1
    rng = np.random.default_rng(0) if rng is None else rng
    if start is None or n == 0 or np.isnan(start).all():
        radius = np.sqrt(np.arange(n) + 0.5)
        angle = np.arange(n) * _GOLDEN
        spiral = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        return _relax(
            spiral, first, second, weight, FIRST_ITERATIONS, FIRST_TEMPERATURE * np.sqrt(n)
        )
    positions = start.copy()
    placed = ~np.isnan(start[:, 0]) if placed is None else placed.copy()
    # The nations of last year stay; a new one joins its neighbours, else returns where it was.
    fresh = ~placed
    for _ in range(n):
        if not fresh.any():
            break
        pull = _neighbour_sums(first, second, weight, positions, placed)
        joining = fresh & (pull[:, 2] > 0)
        if not joining.any():
            break
        positions[joining] = pull[joining, :2] / pull[joining, 2:]
        positions[joining] += rng.normal(scale=0.25, size=(int(joining.sum()), 2))
        placed |= joining
        fresh &= ~joining
    back = fresh & ~np.isnan(start[:, 0])
    positions[back] = start[back]
    outside = fresh & np.isnan(start[:, 0])
    if outside.any():
        reach = np.sqrt((positions[~outside] ** 2).sum(axis=1)).max(initial=0.0) + 1.0
        angle = rng.uniform(0.0, 2 * np.pi, size=int(outside.sum()))
        positions[outside] = reach * np.column_stack([np.cos(angle), np.sin(angle)])
    return _relax(positions, first, second, weight, ITERATIONS, TEMPERATURE)


@dataclass(frozen=True)
class YearTable:
    """An Arrow table sorted by year, whose rows of one year are found without a scan.

    Attributes:
        table: The table, sorted by its ``year`` column first.
        bounds: The first row and the row after the last of each year.
    """

    table: Any
    bounds: Mapping[int, tuple[int, int]]

    @classmethod
    def of(cls, table: Any) -> YearTable:
        """Index ``table``, which must be sorted by year."""
        years = table.column("year").to_numpy()
        distinct, starts = np.unique(years, return_index=True)
        ends = np.append(starts[1:], len(years)) if len(years) else starts
        spans = zip(starts.tolist(), ends.tolist(), strict=True)
        return cls(table, dict(zip(distinct.tolist(), spans, strict=True)))

    def rows(self, year: int) -> Any:
        """The rows of ``year``, in the table's order (none when the year has none)."""
        first, end = self.bounds.get(year, (0, 0))
        return self.table.slice(first, end - first)


def sort_ties_by_year(dyad_years: Any, min_index: float = MIN_INDEX) -> YearTable:
    """The ties of every year's network, by year, strongest first (then by the pair's keys).

    Unit of analysis: the non-directed dyad-year. Returns a :class:`YearTable` of iso3_1,
    iso3_2, year and index, for pairs with an index above 0 and at least ``min_index``.
    """
    import pyarrow.compute as pc

    table = dyad_years.select(["iso3_1", "iso3_2", "year", "index"])
    index = table.column("index")
    table = table.filter(pc.and_(pc.greater(index, 0.0), pc.greater_equal(index, min_index)))
    order = [
        ("year", "ascending"),
        ("index", "descending"),
        ("iso3_1", "ascending"),
        ("iso3_2", "ascending"),
    ]
    return YearTable.of(table.take(pc.sort_indices(table, sort_keys=order)))


def strongest_ties(
    ties: YearTable, year: int, min_index: float, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """How many of a year's ties reach ``min_index``, and the ``limit`` strongest of them.

    Args:
        ties: The ties by year, strongest first, as :func:`sort_ties_by_year` gives them.
        year: The year.
        min_index: The weakest tie counted.
        limit: The most ties returned.

    Returns:
        The count, and the ties as dicts of iso3_1, iso3_2, year and index.
    """
    rows = ties.rows(year)
    strongest_first = rows.column("index").to_numpy()
    reaching = int(np.searchsorted(-strongest_first, -min_index, side="right"))
    return reaching, rows.slice(0, min(reaching, limit)).to_pylist()


def layout_extent(positions: Any) -> tuple[float, float, float, float]:
    """The smallest and largest x, then y, of a layout table (zeros when it is empty)."""
    import pyarrow.compute as pc

    x, y = (pc.min_max(positions.column(axis)).as_py() for axis in ("x", "y"))
    return (x["min"] or 0.0, x["max"] or 0.0, y["min"] or 0.0, y["max"] or 0.0)


def match_communities(
    years: Mapping[int, Mapping[str, int]],
    colours: int = COLOURS,
    *,
    memory: int = MEMORY,
    min_overlap: float = MIN_OVERLAP,
) -> dict[int, dict[int, tuple[int, int]]]:
    """Follow communities from year to year, and give each one a colour while it lasts.

    Unit of analysis: the community-year; the rule is the module docstring's.

    Args:
        years: Per year, each nation's community that year (nation key -> any integer; the
            numbers need not agree from one year to the next).
        colours: How many colour indexes there are.
        memory: The most years a community may be absent and still be recognised.
        min_overlap: The least overlap by which a community continues one seen before.

    Returns:
        Per year, each community as numbered in ``years`` -> (identity, colour index), the
        identities numbered from 0 in order of appearance, the colour -1 when none was free.
    """
    from scipy.optimize import linear_sum_assignment

    seen: list[tuple[frozenset[str], int]] = []  # each identity's members when last seen, and when
    colour_of: list[int] = []
    result: dict[int, dict[int, tuple[int, int]]] = {}
    for year in sorted(years):
        groups: dict[int, set[str]] = {}
        for nation, community in years[year].items():
            groups.setdefault(community, set()).add(nation)
        order = sorted(groups, key=lambda c: (-len(groups[c]), min(groups[c])))
        alive = [i for i, (_, when) in enumerate(seen) if year - when <= memory + 1]
        overlap = np.zeros((len(order), len(alive)))
        for row, community in enumerate(order):
            for column, i in enumerate(alive):
                shared = len(groups[community] & seen[i][0])
                overlap[row, column] = shared / max(len(groups[community]), len(seen[i][0]))
        identity: dict[int, int] = {}
        for row, column in zip(*linear_sum_assignment(overlap, maximize=True), strict=True):
            if overlap[row, column] >= min_overlap:
                identity[order[row]] = alive[column]
        chosen: dict[int, int] = {}
        for community in order:  # a continuing community keeps its colour, largest first
            colour = colour_of[identity[community]] if community in identity else -1
            if colour >= 0 and colour not in chosen.values():
                chosen[community] = colour
        # The colours of communities absent this year are kept for their return, if possible.
        reserved = {colour_of[i] for i in alive} - {colour_of[i] for i in identity.values()}
        for community in order:
            if community not in identity:
                identity[community] = len(seen)
                seen.append((frozenset(), year))
                colour_of.append(-1)
            if community not in chosen:
                free = [c for c in range(colours) if c not in chosen.values()]
                colour = min(free, key=lambda c: (c in reserved, c), default=-1)
                chosen[community] = colour_of[identity[community]] = colour
        for community in order:
            seen[identity[community]] = (frozenset(groups[community]), year)
        result[year] = {c: (identity[c], chosen[c]) for c in order}
    return result


def _colours_by_year(nation_years: Any, colours: int) -> dict[int, dict[str, int]]:
    """Each year's colour index per nation, from the nation-year table's communities."""
    members: dict[int, dict[str, int]] = {}
    for row in nation_years.select(["nation", "year", "community"]).to_pylist():
        if row["community"] is not None:
            members.setdefault(int(row["year"]), {})[row["nation"]] = int(row["community"])
    found = match_communities(members, colours)
    return {y: {n: found[y][c][1] for n, c in nations.items()} for y, nations in members.items()}


def _neighbour_sums(
    first: _Ints, second: _Ints, weight: _Floats, positions: _Floats, placed: Any
) -> _Floats:
    """Per nation: the weighted sums of its placed neighbours' x and y, and of their weights."""
    n = len(positions)
    result = np.zeros((n, 3))
    for near, far in ((first, second), (second, first)):
        usable = placed[far]
        w = weight[usable]
        result[:, 0] += np.bincount(near[usable], w * positions[far[usable], 0], n)
        result[:, 1] += np.bincount(near[usable], w * positions[far[usable], 1], n)
        result[:, 2] += np.bincount(near[usable], w, n)
    return result


def _relax(
    positions: _Floats,
    first: _Ints,
    second: _Ints,
    weight: _Floats,
    iterations: int,
    temperature: float,
) -> _Floats:
    """Move the nations by the forces of the module docstring, cooling linearly to zero."""
    n = len(positions)
    x = positions[:, 0].copy()
    y = positions[:, 1].copy()
    diagonal = np.eye(n, dtype=bool)
    for step in range(iterations):
        limit = temperature * (1.0 - step / iterations)
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        inverse = dx * dx
        inverse += dy * dy
        # Two nations on one point push each other apart as if a little apart.
        np.maximum(inverse, 1e-4, out=inverse)
        np.divide(1.0, inverse, out=inverse)
        inverse[diagonal] = 0.0
        fx = (dx * inverse).sum(axis=1)
        fy = (dy * inverse).sum(axis=1)
        ex = x[first] - x[second]
        ey = y[first] - y[second]
        pull = ATTRACTION * weight * np.sqrt(ex * ex + ey * ey)
        fx += np.bincount(second, pull * ex, n) - np.bincount(first, pull * ex, n) - GRAVITY * x
        fy += np.bincount(second, pull * ey, n) - np.bincount(first, pull * ey, n) - GRAVITY * y
        length = np.sqrt(fx * fx + fy * fy)
        scale = np.minimum(length, limit) / np.maximum(length, 1e-12)
        x += fx * scale
        y += fy * scale
    return np.column_stack([x, y])
