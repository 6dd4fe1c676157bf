"""Diversity of a pair's ties: the Shannon evenness of the kinds' contributions over a window.

``-Σ p ln p / ln K`` over the K kinds' shares of what the pair's last ``window`` years hold (docs/
methodology.md); 0 where no kind has a contribution. Each ``p ln p`` term is rounded
(:func:`comity.analytics.contributions.exact`), so the sum does not depend on its order. Two
formulations of the ``final`` CTE of :func:`comity.analytics.tie_index.dyad_years_sql`, which give
the same values: one column per kind (DuckDB: a fifth of the index query's time less at a million
engagements) and one row per pair, kind and year (Spark).
"""

from __future__ import annotations

from comity.analytics.contributions import exact

__all__ = ["by_columns", "by_rows", "kind_columns"]


def kind_columns(kinds: tuple[str, ...], window: int) -> tuple[str, str, str]:
    """The columns ``k0``... that :func:`by_columns` reads, as three lists to append to selects.

    Each kind's positive contributions in a pair's year (selected from ``pkv`` grouped by pair
    and year), the same or 0 on the pair's grid of years (from ``yearly`` joined as ``v``), and
    their sums over the last ``window`` rows of the grid (its years: the grid is dense).
    """
    indices = range(len(kinds))
    by_kind = "".join(
        f",\n           SUM(CASE WHEN kind = '{kinds[i]}' AND v > 0 THEN v ELSE 0.0 END) AS k{i}"
        for i in indices
    )
    filled = "".join(f", COALESCE(v.k{i}, 0.0) AS k{i}" for i in indices)
    windowed = "".join(
        f",\n           SUM(k{i}) OVER (PARTITION BY n1, n2 ORDER BY year "
        f"ROWS BETWEEN {window - 1} PRECEDING AND CURRENT ROW) AS k{i}"
        for i in indices
    )
    return by_kind, filled, windowed


def by_columns(kinds: tuple[str, ...], every: int) -> str:
    """The ``final`` CTE: stocks with the Shannon evenness of their kind columns ``k0``...

    ``-Σ p ln p / ln K`` over the kinds' shares of their sum, 0 where no kind has a contribution;
    ``K`` is ``every``, the number of index kinds, of which ``kinds`` are those with a column
    (the others have no share). Each ``p ln p`` term is rounded (:func:`exact`), so the sum does
    not depend on its order.
    """
    columns = [f"k{i}" for i in range(len(kinds))]
    terms = " + ".join(
        f"CASE WHEN {c} > 0 THEN {exact(f'{c} / kinds_total * LN({c} / kinds_total)', 48)} "
        "ELSE 0.0 END"
        for c in columns
    )
    return f"""final AS (
    SELECT s.*, CASE WHEN kinds_total > 0
                     THEN GREATEST(0.0, -({terms}) / LN({every}.0)) ELSE 0.0 END AS diversity
    FROM (SELECT *, {" + ".join(columns)} AS kinds_total FROM stocks) s
),"""


def by_rows(kinds: tuple[str, ...], window: int, horizon: int) -> str:
    """The ``final`` CTE: stocks with the evenness of the kinds over rows of (pair, kind, year)."""
    return f"""positive AS (
    SELECT n1, n2, kind, year, v,
           LEAD(year) OVER (PARTITION BY n1, n2, kind ORDER BY year) AS next_year
    FROM pkv
    WHERE v > 0
),
tails AS (
    SELECT n1, n2, kind, year,
           LEAST(year + {window - 1}, COALESCE(next_year - 1, {horizon}), {horizon}) AS last_year
    FROM positive
),
reach AS (
    -- The years a kind's window covers: each year it has a value, and the years after it
    -- (up to the window's width) until its next value: the zeros only mark those years.
    SELECT n1, n2, kind, year, v FROM positive
    UNION ALL
    SELECT n1, n2, kind, UNNEST(GENERATE_SERIES(year + 1, last_year)) AS year, 0.0 AS v
    FROM tails
    WHERE last_year > year
),
windowed AS (
    SELECT n1, n2, year, kind,
           SUM(v) OVER (
               PARTITION BY n1, n2, kind ORDER BY year
               RANGE BETWEEN {window - 1} PRECEDING AND CURRENT ROW) AS v
    FROM reach
),
shares AS (
    SELECT n1, n2, year, v / SUM(v) OVER (PARTITION BY n1, n2, year) AS p FROM windowed
),
diversity AS (
    SELECT n1, n2, year,
           GREATEST(0.0, -SUM({exact("p * LN(p)", 48)}) / LN({len(kinds)}.0)) AS diversity
    FROM shares
    GROUP BY n1, n2, year
),
final AS (
    SELECT s.*, COALESCE(dv.diversity, 0.0) AS diversity
    FROM stocks s
    LEFT JOIN diversity dv ON dv.n1 = s.n1 AND dv.n2 = s.n2 AND dv.year = s.year
),"""
