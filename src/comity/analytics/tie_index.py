"""The tie-strength index per pair of nations and year (DESIGN.md section 3; docs/methodology.md).

Unit of analysis: the non-directed dyad-year, nations by ISO alpha-3 key (``iso3_1 < iso3_2``),
each state under its own key in the years it exists. The computation is one SQL query in plain
DuckDB SQL that SQLGlot carries to Spark, over the inputs of
:mod:`comity.analytics.contributions` (engagements, participants, media, coverage, lineage) and
``labels`` (lineage, label, first_year, last_year, is_primary): the years each state exists.

Steps, for a pair {a, b} and year t (docs/methodology.md):

1. contributions, observed and, beyond the coverage of their source, projected
   (:mod:`comity.analytics.contributions`);
2. the stock ``S(t) = S(t-1) * 2^(-1/h) + sum of c``, computed as ``d^t * cumsum(c * d^-t)`` on a
   dense grid of years from the pair's first contribution to the horizon; a state that continues
   another (Russia the Soviet Union) or succeeds a dissolved one (Czechia and Slovakia
   Czechoslovakia) carries its predecessor's stocks on;
3. ``index(t) = 100 * (1 - exp(-S(t) / kappa))``; the components use the same steps on subsets of
   kinds; ``projected_share`` is the share of the stock that rests on projected contributions;
   continuity is the share of the last ``window`` years with cooperation; diversity is the
   Shannon evenness of the kinds' contributions over those years;
4. each row is labelled with the keys of the states that exist that year; years in which one of
   the two does not exist have no row.
"""

from __future__ import annotations

from typing import Any

from comity.analytics.contributions import Inputs, contribution_ctes, kinds_in, number
from comity.analytics.diversity import by_columns, by_rows, kind_columns
from comity.analytics.settings import IndexSettings
from comity.model.kinds import KINDS as KIND_TABLE

__all__ = [
    "COLUMNS",
    "DIRECTED_COLUMNS",
    "KINDS",
    "METHOD_COLUMNS",
    "Inputs",
    "complete_inputs",
    "directed_sql",
    "dyad_years_sql",
    "labelled_from",
    "pair_kind_year_sql",
    "register_inputs",
    "run_dyad_years",
    "stock_sql",
]

KINDS = KIND_TABLE.index_kinds
"""Every kind that contributes: the engagement kinds and attache postings."""

COLUMNS = (
    "iso3_1",
    "iso3_2",
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
"""Columns of the dyad-year table the query returns."""

DIRECTED_COLUMNS = (
    "nation_from",
    "nation_to",
    "year",
    "outreach",
    "projected_share",
    "last_observed_year",
)
"""Columns of the directed outreach table."""

METHOD_COLUMNS = ("method_version", "settings_digest")

# Years are counted from here in the stock's powers, so that d^-t stays far from overflow.
_BASE_YEAR = 1800

# Which side gives in a directed view, by kind (comity.model.kinds): the host (it receives
# others), the guests (they go to the host), or neither (standing ties and media: half each way).
_HOST_GIVES = KIND_TABLE.host_gives
_GUEST_GIVES = KIND_TABLE.guests_give


def stock_sql(column: str, d: str, a: str = "n1", b: str = "n2") -> str:
    """The SQL of a decayed stock ``S(t) = d^t · Σ_{τ≤t} column(τ) · d^(−τ)`` per partition.

    ``a`` and ``b`` name the partition (``b`` may list more columns: ``"n2, kind"``).
    """
    return (
        f"POWER({d}, year - {_BASE_YEAR}) * SUM({column} * POWER({d}, {_BASE_YEAR} - year)) "
        f"OVER (PARTITION BY {a}, {b} ORDER BY year ROWS BETWEEN UNBOUNDED PRECEDING AND "
        "CURRENT ROW)"
    )


def _scaled(column: str, kappa: str) -> str:
    return f"100.0 * (1.0 - EXP(-{column} / {kappa}))"


def labelled_from(source: str, inputs: Inputs) -> tuple[str, str, str, str]:
    """The FROM clause that labels ``source`` rows (n1, n2, year) with the states that exist.

    Returns:
        The FROM clause with its joins and WHERE, and the SQL of the two labels; rows of years
        in which a state does not exist, or whose label belongs to another successor of a
        dissolved state, are left out.
    """
    if not inputs.labels:
        return f"FROM {source} f", "", "f.n1", "f.n2"
    joins = f"""FROM {source} f
LEFT JOIN labels la ON la.lineage = f.n1 AND f.year BETWEEN la.first_year AND la.last_year
LEFT JOIN labels lb ON lb.lineage = f.n2 AND f.year BETWEEN lb.first_year AND lb.last_year
LEFT JOIN (SELECT DISTINCT lineage FROM labels) sa ON sa.lineage = f.n1
LEFT JOIN (SELECT DISTINCT lineage FROM labels) sb ON sb.lineage = f.n2"""
    where = """WHERE (sa.lineage IS NULL OR la.is_primary = 1)
  AND (sb.lineage IS NULL OR lb.is_primary = 1)"""
    return joins, where, "COALESCE(la.label, f.n1)", "COALESCE(lb.label, f.n2)"


def pair_kind_year_sql(
    settings: IndexSettings,
    horizon: int,
    inputs: Inputs | None = None,
    *,
    directed: bool = False,
) -> str:
    """The query of each pair's yearly contribution by kind, before memory and scale.

    Columns: n1, n2 (n1 < n2), year, kind, c (the value the index uses), projected (the part of
    c that is projected beyond coverage). With ``directed``, ordered pairs: what ``n1`` gives
    to ``n2``, shared by kind as in :func:`directed_sql` (an arms transfer from its supplier).
    """
    inputs = inputs or Inputs()
    joins, where, a, b = labelled_from("pkv", inputs)
    sides = (_HOST_GIVES, _GUEST_GIVES) if directed else None
    # Keys as text, whatever their type in the inputs (ENUMs: register_keyed).
    first, second = ("a", "b") if directed else ("LEAST(a, b)", "GREATEST(a, b)")
    pair = f"CAST({first} AS VARCHAR) AS n1, CAST({second} AS VARCHAR) AS n2"
    return f"""WITH {contribution_ctes(settings, horizon, inputs, directed=sides)}
labelled AS (
    SELECT {a} AS a, {b} AS b, f.year, f.kind, f.v, f.obs
    {joins}
    {where}
)
SELECT {pair}, year, CAST(kind AS VARCHAR) AS kind, v AS c, v - obs AS projected
FROM labelled
WHERE v > 0"""


def dyad_years_sql(
    settings: IndexSettings,
    horizon: int,
    inputs: Inputs | None = None,
    *,
    kinds_as_columns: bool = True,
) -> str:
    """The query of the dyad-year table, columns :data:`COLUMNS` (inputs: the module docstring).

    Diversity needs each kind's contributions over the window. With ``kinds_as_columns`` (DuckDB)
    they are one column per kind on the pair's dense grid of years, summed by the same window as
    continuity; without (Spark, whose planner runs out of memory on those sixteen windows), one
    row per pair, kind and year its window reaches. Both give the same values.
    """
    inputs = inputs or Inputs()
    d, kappa, window = number(settings.decay), number(settings.kappa), settings.window
    groups = settings.components
    missing = settings.beyond_coverage == "missing"

    def component(name: str, kinds: tuple[str, ...]) -> str:
        return f"SUM(CASE WHEN kind IN {kinds_in(kinds)} THEN v ELSE 0.0 END) AS {name}"

    def shown(expression: str) -> str:
        if not missing:
            return expression
        return (
            "CASE WHEN f.first_unobserved IS NOT NULL AND f.year >= f.first_unobserved "
            f"THEN NULL ELSE {expression} END"
        )

    # A column for each kind the inputs have (at least one), evenness over all the index kinds.
    present = (inputs.kinds if inputs.kinds is not None else KINDS) or KINDS[:1]
    by_kind, filled_kinds, windowed_kinds = (
        kind_columns(present, window) if kinds_as_columns else ("", "", "")
    )
    diversity = (
        by_columns(present, len(KINDS)) if kinds_as_columns else by_rows(KINDS, window, horizon)
    )
    joins, where, a, b = labelled_from("final", inputs)
    return f"""
WITH {contribution_ctes(settings, horizon, inputs)}
yearly AS (
    SELECT n1, n2, year, SUM(v) AS total, SUM(v - obs) AS proj,
           {component("io", groups.interoperability)},
           {component("inst", groups.institutional)},
           {component("cult", groups.cultural)},
           MAX(CASE WHEN coop = 1 AND v > 0 THEN 1 ELSE 0 END) AS coop,
           MAX(unobserved) AS unobserved{by_kind}
    FROM pkv
    GROUP BY n1, n2, year
),
spans AS (
    SELECT n1, n2, MIN(year) AS first_year,
           MIN(CASE WHEN unobserved = 1 THEN year END) AS first_unobserved
    FROM yearly
    GROUP BY n1, n2
),
grid AS (
    SELECT n1, n2, first_unobserved, UNNEST(GENERATE_SERIES(first_year, {horizon})) AS year
    FROM spans
),
filled AS (
    SELECT g.n1, g.n2, g.year, g.first_unobserved,
           COALESCE(v.total, 0.0) AS total, COALESCE(v.proj, 0.0) AS proj,
           COALESCE(v.io, 0.0) AS io, COALESCE(v.inst, 0.0) AS inst,
           COALESCE(v.cult, 0.0) AS cult, COALESCE(v.coop, 0) AS coop{filled_kinds}
    FROM grid g
    LEFT JOIN yearly v ON v.n1 = g.n1 AND v.n2 = g.n2 AND v.year = g.year
),
stocks AS (
    SELECT n1, n2, year, first_unobserved,
           {stock_sql("total", d)} AS s_total,
           {stock_sql("proj", d)} AS s_proj,
           {stock_sql("io", d)} AS s_io,
           {stock_sql("inst", d)} AS s_inst,
           {stock_sql("cult", d)} AS s_cult,
           SUM(coop) OVER (
               PARTITION BY n1, n2 ORDER BY year
               ROWS BETWEEN {window - 1} PRECEDING AND CURRENT ROW) AS active_years{windowed_kinds}
    FROM filled
),
{diversity}
labelled AS (
    SELECT {a} AS a, {b} AS b, f.year,
           {shown(_scaled("f.s_total", kappa))} AS "index",
           {shown(_scaled("f.s_io", kappa))} AS interoperability,
           {shown(_scaled("f.s_inst", kappa))} AS institutional,
           {shown(_scaled("f.s_cult", kappa))} AS cultural,
           {shown(f"CAST(f.active_years AS DOUBLE) / {window}")} AS continuity,
           {shown("f.diversity")} AS diversity,
           {shown("CASE WHEN f.s_total > 0 THEN f.s_proj / f.s_total ELSE 0.0 END")}
               AS projected_share,
           CASE WHEN f.first_unobserved IS NULL OR f.year < f.first_unobserved THEN f.year
                ELSE f.first_unobserved - 1 END AS last_observed_year
    {joins}
    {where}
)
SELECT LEAST(a, b) AS iso3_1, GREATEST(a, b) AS iso3_2, CAST(year AS BIGINT) AS year,
       "index", interoperability, institutional, cultural, continuity, diversity,
       projected_share, CAST(last_observed_year AS BIGINT) AS last_observed_year
FROM labelled
"""


def directed_sql(settings: IndexSettings, horizon: int, inputs: Inputs | None = None) -> str:
    """The query of directed outreach (columns :data:`DIRECTED_COLUMNS`).

    Hosted kinds give from the host to each guest (an exercise, a course hosted), visiting kinds
    from each guest to the host (a visit, a port call, an attache posted); standing ties, media
    events and engagements where neither of the two hosts count half each way. Beyond coverage,
    each direction is projected as the pairs are (``beyond_coverage``).
    """
    inputs = inputs or Inputs()
    d, kappa = number(settings.decay), number(settings.kappa)
    ctes = contribution_ctes(settings, horizon, inputs, directed=(_HOST_GIVES, _GUEST_GIVES))
    joins, where, a, b = labelled_from("final", inputs)
    missing = settings.beyond_coverage == "missing"
    outreach = _scaled("f.s_total", kappa)
    share = "CASE WHEN f.s_total > 0 THEN f.s_proj / f.s_total ELSE 0.0 END"
    if missing:
        hidden = "f.first_unobserved IS NOT NULL AND f.year >= f.first_unobserved"
        outreach = f"CASE WHEN {hidden} THEN NULL ELSE {outreach} END"
        share = f"CASE WHEN {hidden} THEN NULL ELSE {share} END"
    return f"""
WITH {ctes}
yearly AS (
    SELECT n1, n2, year, SUM(v) AS total, SUM(v - obs) AS proj, MAX(unobserved) AS unobserved
    FROM pkv
    GROUP BY n1, n2, year
),
spans AS (
    SELECT n1, n2, MIN(year) AS first_year,
           MIN(CASE WHEN unobserved = 1 THEN year END) AS first_unobserved
    FROM yearly
    GROUP BY n1, n2
),
grid AS (
    SELECT n1, n2, first_unobserved, UNNEST(GENERATE_SERIES(first_year, {horizon})) AS year
    FROM spans
),
filled AS (
    SELECT g.n1, g.n2, g.year, g.first_unobserved,
           COALESCE(v.total, 0.0) AS total, COALESCE(v.proj, 0.0) AS proj
    FROM grid g
    LEFT JOIN yearly v ON v.n1 = g.n1 AND v.n2 = g.n2 AND v.year = g.year
),
final AS (
    SELECT n1, n2, year, first_unobserved,
           {stock_sql("total", d)} AS s_total,
           {stock_sql("proj", d)} AS s_proj
    FROM filled
)
SELECT {a} AS nation_from, {b} AS nation_to, CAST(f.year AS BIGINT) AS year,
       {outreach} AS outreach, {share} AS projected_share,
       CAST(CASE WHEN f.first_unobserved IS NULL OR f.year < f.first_unobserved THEN f.year
                 ELSE f.first_unobserved - 1 END AS BIGINT) AS last_observed_year
{joins}
{where}
"""


_COVERAGE_TYPES = {
    "kind": "string",
    "nation": "string",
    "first_year": "int32",
    "last_year": "int32",
}


def _empty(types: dict[str, str]) -> Any:
    import pyarrow as pa

    return pa.table({name: pa.array([], type=getattr(pa, kind)()) for name, kind in types.items()})


def complete_inputs(
    engagements: Any,
    media: Any = None,
    coverage: Any = None,
    lineage: Any = None,
    labels: Any = None,
) -> tuple[dict[str, Any], Inputs]:
    """The optional input tables a query needs, and which of them it reads.

    Engagements without ``tiv`` or ``source_last_year`` get them empty; coverage is read when
    there are coverage rows or records whose source declares coverage; lineage and labels when
    not empty.

    Returns:
        The tables by name (``engagements`` always; ``media``, ``coverage``, ``lineage``,
        ``labels`` when read) and the :class:`Inputs` flags.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # A table built without these columns (by hand, or before TIV was read) has none known.
    for name, kind in (("tiv", pa.float64()), ("source_last_year", pa.int32())):
        if name not in engagements.column_names:
            engagements = engagements.append_column(name, pa.nulls(engagements.num_rows, kind))
    sourced = (
        engagements.num_rows > 0
        and pc.any(pc.is_valid(engagements.column("source_last_year"))).as_py()
    )
    has_coverage = coverage is not None and coverage.num_rows > 0
    has_media = media is not None and media.num_rows > 0
    present = set(pc.unique(engagements.column("kind")).to_pylist()) | (
        {"media_event"} if has_media else set()
    )
    flags = Inputs(
        media=has_media,
        coverage=bool(has_coverage or sourced),
        lineage=lineage is not None and lineage.num_rows > 0,
        labels=labels is not None and labels.num_rows > 0,
        kinds=tuple(kind for kind in KINDS if kind in present),
    )
    tables: dict[str, Any] = {"engagements": engagements}
    if flags.media:
        tables["media"] = media
    if flags.coverage:
        tables["coverage"] = coverage if has_coverage else _empty(_COVERAGE_TYPES)
    if flags.lineage:
        tables["lineage"] = lineage
    if flags.labels:
        tables["labels"] = labels
    return tables, flags


def register_inputs(
    connection: Any,
    engagements: Any,
    participants: Any,
    media: Any = None,
    *,
    first_year: int,
    horizon: int,
    coverage: Any = None,
    lineage: Any = None,
    labels: Any = None,
) -> Inputs:
    """Register the input tables (Arrow) and a table of years in a DuckDB connection.

    Returns:
        Which optional inputs the queries should read.
    """
    import pyarrow as pa

    tables, flags = complete_inputs(engagements, media, coverage, lineage, labels)
    tables["participants"] = participants
    for name, table in tables.items():
        connection.register(name, table)
    years = pa.table({"year": pa.array(range(first_year, horizon + 1), type=pa.int32())})
    connection.register("years", years)
    return flags


def run_dyad_years(
    engagements: Any,
    participants: Any,
    settings: IndexSettings,
    *,
    horizon: int,
    media: Any = None,
    coverage: Any = None,
    lineage: Any = None,
    labels: Any = None,
    connection: Any = None,
) -> Any:
    """Compute the dyad-year table on DuckDB; return it as an Arrow table sorted by pair and year.

    Args:
        engagements: Arrow table of engagements (see :mod:`comity.analytics.contributions`).
        participants: Arrow table of participants.
        settings: The method's settings.
        horizon: The last year of the table (standing ties in force run to it).
        media: Optional Arrow table of media-event counts per pair-year.
        coverage: Optional Arrow table of the pairs each source covers (kind, nation,
            first_year, last_year).
        lineage: Optional Arrow table (nation, lineage) of states whose ties pass on.
        labels: Optional Arrow table (lineage, label, first_year, last_year, is_primary) of the
            years each state exists.
        connection: A DuckDB connection (a new in-memory one by default).
    """
    from comity.analytics.engines import connect_duckdb

    con = connection or connect_duckdb()
    first = _first_year(engagements, media)
    inputs = register_inputs(
        con,
        engagements,
        participants,
        media,
        first_year=first,
        horizon=horizon,
        coverage=coverage,
        lineage=lineage,
        labels=labels,
    )
    sql = dyad_years_sql(settings, horizon, inputs)
    return con.sql(sql + " ORDER BY iso3_1, iso3_2, year").to_arrow_table()


def _first_year(engagements: Any, media: Any) -> int:
    import pyarrow.compute as pc

    years = [pc.min(engagements.column("first_year")).as_py()]
    if media is not None and media.num_rows:
        years.append(pc.min(media.column("year")).as_py())
    known = [y for y in years if y is not None]
    return int(min(known)) if known else _BASE_YEAR
