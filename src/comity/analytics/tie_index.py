"""The tie-strength index per pair of nations and year (DESIGN.md section 3; docs/methodology.md).

Unit of analysis: the non-directed dyad-year, nations by ISO alpha-3 key (``iso3_1 < iso3_2``),
with the Correlates of War codes of that year beside them. The computation is one SQL query over
two tables, run on DuckDB, written in plain SQL that SQLGlot can carry to other engines:

``engagements``
    engagement_id, kind, first_year, last_year (None: in force to the horizon), host,
    personnel, p_defence ... p_non_aggression (0/1 alliance pledges), level (visits), students.
``participants``
    engagement_id, nation, role.

plus, optionally, ``media`` (nation1, nation2, year, events): media-event counts per pair-year.

Steps, for a pair {a, b} and year t:

1. every engagement of kind k active in t with both a and b adds
   ``c = w(k) * s(e) * 2 / n(e)``; alliances count by the strongest pledge in force (the maximum
   over the pair's alliance records, so overlapping datasets do not double count); education adds
   ``per_course + per_student * students``, at most ``cap_per_year`` a year;
2. the stock ``S(t) = S(t-1) * 2^(-1/h) + sum of c``, computed as
   ``d^t * cumsum(c * d^-t)`` on a dense grid of years from the pair's first contribution to the
   horizon;
3. ``index(t) = 100 * (1 - exp(-S(t) / kappa))``; the components use the same steps on subsets of
   kinds; continuity is the share of the last ``window`` years with any contribution; diversity
   is the Shannon evenness of the kinds' contributions over those years.
"""

from __future__ import annotations

from typing import Any

from comity.analytics.settings import IndexSettings

__all__ = [
    "COLUMNS",
    "KINDS",
    "METHOD_COLUMNS",
    "directed_sql",
    "dyad_years_sql",
    "pair_kind_year_sql",
    "register_inputs",
    "run_dyad_years",
]

KINDS = (
    "exercise", "education", "training", "research", "cultural_event", "visit", "port_call",
    "peacekeeping", "humanitarian", "outreach", "agreement", "alliance", "media_event", "posting",
)  # fmt: skip
"""Every kind that contributes: the engagement kinds and attache postings."""

COLUMNS = ("iso3_1", "iso3_2", "year", "index", "interoperability", "institutional", "cultural",
           "continuity", "diversity")  # fmt: skip
"""Columns of the dyad-year table the query returns."""

METHOD_COLUMNS = ("method_version", "settings_digest")

# Years are counted from here in the stock's powers, so that d^-t stays far from overflow.
_BASE_YEAR = 1800

# Which side gives in a directed view, by kind: the host (it receives others), the guests (they
# go to the host), or neither (standing ties and media: half each way).
_HOST_GIVES = ("exercise", "training", "education", "cultural_event", "research")
_GUEST_GIVES = ("visit", "port_call", "humanitarian", "outreach", "posting")


def _number(value: float) -> str:
    return repr(float(value))


def _kinds_in(kinds: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _base_weight(settings: IndexSettings) -> str:
    w, a, v, ed = settings.weights, settings.alliance, settings.visit, settings.education
    pledges = ", ".join(
        f"e.p_{name} * {_number(getattr(a, name))}"
        for name in ("defence", "offence", "consultation", "entente", "neutrality",
                     "non_aggression")
    )  # fmt: skip
    simple = "\n".join(
        f"        WHEN '{kind}' THEN {_number(getattr(w, kind))}"
        for kind in ("exercise", "humanitarian", "research", "training", "cultural_event",
                     "port_call", "peacekeeping", "outreach", "agreement", "posting",
                     "media_event")
    )  # fmt: skip
    return f"""CASE e.kind
{simple}
        WHEN 'alliance' THEN GREATEST({pledges})
        WHEN 'visit' THEN CASE e.level
            WHEN 'minister' THEN {_number(v.minister)}
            WHEN 'chief_of_defence' THEN {_number(v.chief_of_defence)}
            WHEN 'service_chief' THEN {_number(v.service_chief)}
            ELSE {_number(v.other)} END
        WHEN 'education' THEN {_number(ed.per_course)}
            + {_number(ed.per_student)} * COALESCE(e.students, 0)
        ELSE 0.0 END"""


def _contributions(settings: IndexSettings, horizon: int, with_media: bool) -> str:
    """SQL of the CTEs up to ``pair_kind_year`` (n1, n2, year, kind, c)."""
    cap = _number(settings.education.cap_per_year)
    media = (
        f"""
    UNION ALL
    SELECT nation1 AS n1, nation2 AS n2, year, 'media_event' AS kind,
           events * {_number(settings.weights.media_event)} AS c
    FROM media
    WHERE year <= {horizon}"""
        if with_media
        else ""
    )
    return f"""
sizes AS (
    SELECT engagement_id, COUNT(*) AS n FROM participants GROUP BY engagement_id
),
base AS (
    SELECT e.engagement_id, e.kind, e.first_year,
           COALESCE(e.last_year, {horizon}) AS last_year,
           ({_base_weight(settings)})
           * CASE WHEN e.personnel IS NULL OR e.kind = 'education' THEN 1.0
                  ELSE 1.0 + LOG10(1.0 + e.personnel / 100.0) END
           * 2.0 / s.n AS c
    FROM engagements e
    JOIN sizes s ON s.engagement_id = e.engagement_id
),
pairs AS (
    SELECT a.engagement_id, a.nation AS n1, b.nation AS n2
    FROM participants a
    JOIN participants b ON a.engagement_id = b.engagement_id AND a.nation < b.nation
),
contributions AS (
    SELECT p.n1, p.n2, UNNEST(GENERATE_SERIES(b.first_year, LEAST(b.last_year, {horizon}))) AS year,
           b.kind, b.c
    FROM pairs p
    JOIN base b ON b.engagement_id = p.engagement_id
    -- Spark's SEQUENCE counts down where DuckDB's GENERATE_SERIES is empty: skip such spans.
    WHERE b.first_year <= LEAST(b.last_year, {horizon}){media}
),
pair_kind_year AS (
    SELECT n1, n2, year, kind,
           CASE WHEN kind = 'alliance' THEN MAX(c)
                WHEN kind = 'education' THEN LEAST(SUM(c), {cap})
                ELSE SUM(c) END AS c
    FROM contributions
    GROUP BY n1, n2, year, kind
)"""


def pair_kind_year_sql(settings: IndexSettings, horizon: int, *, with_media: bool = False) -> str:
    """The query of each pair's yearly contribution by kind: (n1, n2, year, kind, c).

    The contributions before memory and scale; the outreach profile sums them by kind.
    """
    return f"WITH {_contributions(settings, horizon, with_media)}\nSELECT * FROM pair_kind_year"


def dyad_years_sql(settings: IndexSettings, horizon: int, *, with_media: bool = False) -> str:
    """The query of the dyad-year table (see the module docstring for its tables and columns)."""
    d = _number(settings.decay)
    kappa = _number(settings.kappa)
    window = settings.window
    groups = settings.components

    def component(name: str, kinds: tuple[str, ...]) -> str:
        return f"SUM(CASE WHEN kind IN {_kinds_in(kinds)} THEN c ELSE 0.0 END) AS {name}"

    def stock(column: str) -> str:
        return (
            f"POWER({d}, year - {_BASE_YEAR}) * SUM({column} * POWER({d}, {_BASE_YEAR} - year)) "
            "OVER (PARTITION BY n1, n2 ORDER BY year ROWS BETWEEN UNBOUNDED PRECEDING AND "
            "CURRENT ROW)"
        )

    def scaled(column: str) -> str:
        return f"100.0 * (1.0 - EXP(-{column} / {kappa}))"

    return f"""
WITH {_contributions(settings, horizon, with_media)},
yearly AS (
    SELECT n1, n2, year, SUM(c) AS total,
           {component("io", groups.interoperability)},
           {component("inst", groups.institutional)},
           {component("cult", groups.cultural)}
    FROM pair_kind_year
    GROUP BY n1, n2, year
),
spans AS (
    SELECT n1, n2, MIN(year) AS first_year FROM yearly GROUP BY n1, n2
),
grid AS (
    SELECT n1, n2, UNNEST(GENERATE_SERIES(first_year, {horizon})) AS year FROM spans
),
filled AS (
    SELECT g.n1, g.n2, g.year,
           COALESCE(v.total, 0.0) AS total, COALESCE(v.io, 0.0) AS io,
           COALESCE(v.inst, 0.0) AS inst, COALESCE(v.cult, 0.0) AS cult
    FROM grid g
    LEFT JOIN yearly v ON v.n1 = g.n1 AND v.n2 = g.n2 AND v.year = g.year
),
stocks AS (
    SELECT n1, n2, year,
           {stock("total")} AS s_total,
           {stock("io")} AS s_io,
           {stock("inst")} AS s_inst,
           {stock("cult")} AS s_cult,
           SUM(CASE WHEN total > 0 THEN 1 ELSE 0 END) OVER (
               PARTITION BY n1, n2 ORDER BY year
               ROWS BETWEEN {window - 1} PRECEDING AND CURRENT ROW) AS active_years
    FROM filled
),
reach AS (
    SELECT n1, n2, kind, c,
           UNNEST(GENERATE_SERIES(year, LEAST(year + {window - 1}, {horizon}))) AS year
    FROM pair_kind_year
    WHERE c > 0
),
windowed AS (
    SELECT n1, n2, year, kind, SUM(c) AS c FROM reach GROUP BY n1, n2, year, kind
),
shares AS (
    SELECT n1, n2, year, c / SUM(c) OVER (PARTITION BY n1, n2, year) AS p FROM windowed
),
diversity AS (
    SELECT n1, n2, year, GREATEST(0.0, -SUM(p * LN(p)) / LN({len(KINDS)}.0)) AS diversity
    FROM shares
    GROUP BY n1, n2, year
)
SELECT s.n1 AS iso3_1, s.n2 AS iso3_2, CAST(s.year AS BIGINT) AS year,
       {scaled("s.s_total")} AS "index",
       {scaled("s.s_io")} AS interoperability,
       {scaled("s.s_inst")} AS institutional,
       {scaled("s.s_cult")} AS cultural,
       CAST(s.active_years AS DOUBLE) / {window} AS continuity,
       COALESCE(dv.diversity, 0.0) AS diversity
FROM stocks s
LEFT JOIN diversity dv ON dv.n1 = s.n1 AND dv.n2 = s.n2 AND dv.year = s.year
"""


def directed_sql(settings: IndexSettings, horizon: int, *, with_media: bool = False) -> str:
    """The query of directed outreach: (nation_from, nation_to, year, outreach).

    Hosted kinds give from the host to each guest (an exercise, a course hosted), visiting kinds
    from each guest to the host (a visit, a port call, an attache posted); standing ties, media
    events and engagements where neither of the two hosts count half each way.
    """
    d = _number(settings.decay)
    kappa = _number(settings.kappa)
    cap = _number(settings.education.cap_per_year)
    half = _number(settings.weights.media_event / 2)
    media = (
        f"""
    UNION ALL
    SELECT nation1, nation2, year, 'media_event', events * {half} FROM media
    WHERE year <= {horizon}
    UNION ALL
    SELECT nation2, nation1, year, 'media_event', events * {half} FROM media
    WHERE year <= {horizon}"""
        if with_media
        else ""
    )
    return f"""
WITH sizes AS (
    SELECT engagement_id, COUNT(*) AS n FROM participants GROUP BY engagement_id
),
base AS (
    SELECT e.engagement_id, e.kind, e.host, e.first_year,
           COALESCE(e.last_year, {horizon}) AS last_year,
           ({_base_weight(settings)})
           * CASE WHEN e.personnel IS NULL OR e.kind = 'education' THEN 1.0
                  ELSE 1.0 + LOG10(1.0 + e.personnel / 100.0) END
           * 2.0 / s.n AS c
    FROM engagements e JOIN sizes s ON s.engagement_id = e.engagement_id
),
ordered AS (
    SELECT a.engagement_id, a.nation AS giver, b.nation AS receiver
    FROM participants a
    JOIN participants b ON a.engagement_id = b.engagement_id AND a.nation <> b.nation
),
shares AS (
    SELECT o.giver, o.receiver,
           UNNEST(GENERATE_SERIES(b.first_year, LEAST(b.last_year, {horizon}))) AS year, b.kind,
           b.c * CASE
               WHEN b.kind IN {_kinds_in(_HOST_GIVES)} AND b.host = o.giver THEN 1.0
               WHEN b.kind IN {_kinds_in(_HOST_GIVES)} AND b.host = o.receiver THEN 0.0
               WHEN b.kind IN {_kinds_in(_GUEST_GIVES)} AND b.host = o.receiver THEN 1.0
               WHEN b.kind IN {_kinds_in(_GUEST_GIVES)} AND b.host = o.giver THEN 0.0
               ELSE 0.5 END AS c
    FROM ordered o
    JOIN base b ON b.engagement_id = o.engagement_id
    WHERE b.first_year <= LEAST(b.last_year, {horizon}){media}
),
kind_year AS (
    SELECT giver, receiver, year, kind,
           CASE WHEN kind = 'alliance' THEN MAX(c)
                WHEN kind = 'education' THEN LEAST(SUM(c), {cap})
                ELSE SUM(c) END AS c
    FROM shares
    GROUP BY giver, receiver, year, kind
),
yearly AS (
    SELECT giver, receiver, year, SUM(c) AS c FROM kind_year GROUP BY giver, receiver, year
),
spans AS (SELECT giver, receiver, MIN(year) AS first_year FROM yearly GROUP BY giver, receiver),
grid AS (
    SELECT giver, receiver, UNNEST(GENERATE_SERIES(first_year, {horizon})) AS year FROM spans
),
filled AS (
    SELECT g.giver, g.receiver, g.year, COALESCE(v.c, 0.0) AS c
    FROM grid g
    LEFT JOIN yearly v ON v.giver = g.giver AND v.receiver = g.receiver AND v.year = g.year
)
SELECT giver AS nation_from, receiver AS nation_to, year,
       100.0 * (1.0 - EXP(-(POWER({d}, year - {_BASE_YEAR})
           * SUM(c * POWER({d}, {_BASE_YEAR} - year)) OVER (
               PARTITION BY giver, receiver ORDER BY year
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) / {kappa})) AS outreach
FROM filled
"""


def register_inputs(
    connection: Any,
    engagements: Any,
    participants: Any,
    media: Any = None,
    *,
    first_year: int,
    horizon: int,
) -> None:
    """Register the input tables (Arrow) and a table of years in a DuckDB connection."""
    import pyarrow as pa

    connection.register("engagements", engagements)
    connection.register("participants", participants)
    if media is not None:
        connection.register("media", media)
    years = pa.table({"year": pa.array(range(first_year, horizon + 1), type=pa.int32())})
    connection.register("years", years)


def run_dyad_years(
    engagements: Any,
    participants: Any,
    settings: IndexSettings,
    *,
    horizon: int,
    media: Any = None,
    connection: Any = None,
) -> Any:
    """Compute the dyad-year table on DuckDB; return it as an Arrow table sorted by pair and year.

    Args:
        engagements: Arrow table of engagements (see the module docstring).
        participants: Arrow table of participants.
        settings: The method's settings.
        horizon: The last year of the table (standing ties in force run to it).
        media: Optional Arrow table of media-event counts per pair-year.
        connection: A DuckDB connection (a new in-memory one by default).
    """
    import duckdb

    con = connection or duckdb.connect()
    first = _first_year(engagements, media)
    register_inputs(con, engagements, participants, media, first_year=first, horizon=horizon)
    sql = dyad_years_sql(settings, horizon, with_media=media is not None)
    return con.sql(sql + " ORDER BY iso3_1, iso3_2, year").to_arrow_table()


def _first_year(engagements: Any, media: Any) -> int:
    import pyarrow.compute as pc

    years = [pc.min(engagements.column("first_year")).as_py()]
    if media is not None and media.num_rows:
        years.append(pc.min(media.column("year")).as_py())
    known = [y for y in years if y is not None]
    return int(min(known)) if known else _BASE_YEAR
