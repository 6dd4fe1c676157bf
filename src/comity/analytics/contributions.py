"""What each pair of nations gets from its engagements each year, observed and projected.

The first half of the tie index (docs/methodology.md, "Contributions" and "Coverage"), as SQL
common table expressions in DuckDB's dialect that SQLGlot carries to Spark. The CTEs end in
``pkv``: one row per pair, year and kind, with

``obs``
    the contribution the records show (step 1 of the method: ``w(k) * s(e) * 2 / n(e)`` summed
    by kind; alliances by their strongest pledge; education capped per year; ``s(e)`` from the
    personnel, or for an arms transfer from its TIV, :func:`size_sql`);
``est``
    the best estimate under ``beyond_coverage = project``: equal to ``obs`` while a source covers
    the pair and kind, and beyond the last year it covers the pair's recent yearly rate of the
    kind (events) or the standing ties still in force (alliances, agreements, postings);
``v``
    the value the chosen ``beyond_coverage`` mode uses (``est``, the held stock, or ``obs``);
``coop``
    1 when the contribution is cooperation (not a non-aggression or neutrality pledge alone,
    not a media event), for continuity.

Inputs (registered by :func:`comity.analytics.tie_index.register_inputs`): ``engagements``
(with ``tiv``: an arms transfer's TIV, None for other kinds; and ``source_last_year``: the last
year the record's source covers its kind, None when it declares none), ``participants``,
optionally ``media``, ``coverage`` (kind, nation, first_year, last_year: the pairs every source
covers, ``nation`` None for every pair) and ``lineage`` (nation, lineage: the states whose ties
pass to a successor, docs/methodology.md "Succession").
"""

from __future__ import annotations

from dataclasses import dataclass

from comity.analytics.settings import IndexSettings
from comity.model.kinds import KINDS

__all__ = [
    "COOPERATIVE_PLEDGES",
    "STANDING_KINDS",
    "TIV_UNIT",
    "Inputs",
    "base_weight_sql",
    "contribution_ctes",
    "kinds_in",
    "number",
    "size_sql",
]

STANDING_KINDS = KINDS.standing
"""Kinds that stand while in force: beyond coverage they carry on, they are not projected."""

COOPERATIVE_PLEDGES = ("defence", "offence", "consultation", "entente")
"""Alliance pledges that count as cooperation for continuity (neutrality and non-aggression
pledges alone do not: a non-aggression pact is not cooperation)."""

_PLEDGES = ("defence", "offence", "consultation", "entente", "neutrality", "non_aggression")
# Kinds with one weight per engagement; alliances, visits and education are weighed below.
_SIMPLE = KINDS.weighed_per_engagement
# A projected contribution must exceed the observed one by more than rounding noise.
_EPSILON = 1e-12

TIV_UNIT = 10.0
"""The TIV (millions) of an arms transfer's size factor ``1 + log10(1 + tiv / TIV_UNIT)``.

Calibrated on SIPRI's supplier-recipient-years 1950-2021 (docs/methodology.md, "Arms transfers
and presence"): the median year (15) weighs 1.4 times a year without value, the 90th percentile
(211) 2.3 times, the largest (4,461) 3.7 times, on the scale of the personnel factor.
"""


@dataclass(frozen=True)
class Inputs:
    """Which optional inputs a query reads (each adds CTEs only when present).

    Attributes:
        media: A ``media`` table of media-event counts per pair-year.
        coverage: A ``coverage`` table, or records whose source declares coverage: the index
            then tells observed contributions from projected ones.
        lineage: A ``lineage`` table: predecessor states whose ties pass to a successor.
        labels: A ``labels`` table: the years each state exists, under its own key.
        among: An ``among`` table (``nation``): only the pairs of two of these nations are
            computed (each engagement still counts all its participants); every pair when False.
        kinds: The engagement kinds the inputs have (media events included), in the order of
            the index kinds: diversity needs a column for those only (a kind absent from the
            inputs adds 0 to every sum). Every index kind when None.
    """

    media: bool = False
    coverage: bool = False
    lineage: bool = False
    labels: bool = False
    among: bool = False
    kinds: tuple[str, ...] | None = None


# Contributions are rounded to multiples of 2**-36 before they are summed: sums of such numbers
# are exact in double precision whatever order a parallel engine adds them in, so the same
# records give the same contributions to the last bit, on DuckDB as on Spark (the stock's
# decayed sum is not rounded: docs/methodology.md, "Exact sums").
def exact(expression: str, bits: int = 36) -> str:
    """``expression`` rounded to multiples of ``2**-bits``, whose sums do not depend on order.

    36 bits leave room for sums up to 2**17; a quantity known to stay below 1 in magnitude
    may take more (48 for a diversity term).
    """
    grain = f"{float(2**bits)!r}"
    return f"(ROUND(({expression}) * {grain}) / {grain})"


def number(value: float) -> str:
    """A float as an SQL literal."""
    return repr(float(value))


def kinds_in(kinds: tuple[str, ...]) -> str:
    """A tuple of kinds as an SQL ``IN`` list."""
    return "(" + ", ".join(f"'{k}'" for k in kinds) + ")"


def base_weight_sql(settings: IndexSettings) -> str:
    """The weight of one engagement ``e`` by its kind, before the size factor and 2/n."""
    w, a, v, ed = settings.weights, settings.alliance, settings.visit, settings.education
    pledges = ", ".join(f"e.p_{name} * {number(getattr(a, name))}" for name in _PLEDGES)
    simple = "\n".join(f"        WHEN '{k}' THEN {number(getattr(w, k))}" for k in _SIMPLE)
    return f"""CASE e.kind
{simple}
        WHEN 'alliance' THEN GREATEST({pledges})
        WHEN 'visit' THEN CASE e.level
            WHEN 'minister' THEN {number(v.minister)}
            WHEN 'chief_of_defence' THEN {number(v.chief_of_defence)}
            WHEN 'service_chief' THEN {number(v.service_chief)}
            ELSE {number(v.other)} END
        WHEN 'education' THEN {number(ed.per_course)}
            + {number(ed.per_student)} * COALESCE(e.students, 0)
        ELSE 0.0 END"""


def size_sql() -> str:
    """The size factor ``s(e)`` of one engagement ``e`` (docs/methodology.md, section 1).

    ``1 + log10(1 + tiv / TIV_UNIT)`` for an arms transfer whose TIV is known, ``1 + log10(1 +
    personnel / 100)`` for any other kind but education whose personnel is known, else 1.
    """
    return f"""CASE WHEN e.kind = 'arms_transfer' THEN CASE WHEN e.tiv IS NULL THEN 1.0
                      ELSE 1.0 + LOG10(1.0 + e.tiv / {number(TIV_UNIT)}) END
                  WHEN e.personnel IS NULL OR e.kind = 'education' THEN 1.0
                  ELSE 1.0 + LOG10(1.0 + e.personnel / 100.0) END"""


def _contribution_sql(settings: IndexSettings) -> str:
    return f"""({base_weight_sql(settings)})
           * {size_sql()}
           * 2.0 / s.n"""


def _cooperative_sql() -> str:
    pledges = " + ".join(f"e.p_{name}" for name in COOPERATIVE_PLEDGES)
    return f"""CASE WHEN e.kind = 'media_event' THEN 0
             WHEN e.kind = 'alliance' THEN CASE WHEN {pledges} > 0 THEN 1 ELSE 0 END
             ELSE 1 END"""


def _by_kind(expression: str, cap: str) -> str:
    """How a pair's contributions of one kind in one year add up."""
    return f"""CASE WHEN kind = 'alliance' THEN COALESCE(MAX({expression}), 0.0)
                WHEN kind = 'education' THEN LEAST(COALESCE(SUM({expression}), 0.0), {cap})
                ELSE COALESCE(SUM({expression}), 0.0) END"""


def _media(horizon: int, inputs: Inputs, *, directed: bool, half: str, weight: str) -> str:
    if not inputs.media:
        return ""
    first, second = ("nation1", "nation2")
    if inputs.lineage:
        source = """(SELECT COALESCE(l1.lineage, m.nation1) AS nation1,
                   COALESCE(l2.lineage, m.nation2) AS nation2, m.year, m.events
            FROM media m
            LEFT JOIN lineage l1 ON l1.nation = m.nation1
            LEFT JOIN lineage l2 ON l2.nation = m.nation2) md"""
    else:
        source = "media md"
    if not directed:
        return f"""
    UNION ALL
    SELECT LEAST({first}, {second}) AS n1, GREATEST({first}, {second}) AS n2, year,
           'media_event' AS kind, {exact(f"events * {weight}")} AS c, 0 AS coop,
           CAST(NULL AS INTEGER) AS carried_after
    FROM {source}
    WHERE year <= {horizon} AND {first} <> {second}"""
    return f"""
    UNION ALL
    SELECT {first} AS n1, {second} AS n2, year, 'media_event' AS kind,
           {exact(f"events * {half}")} AS c,
           0 AS coop, CAST(NULL AS INTEGER) AS carried_after
    FROM {source}
    WHERE year <= {horizon} AND {first} <> {second}
    UNION ALL
    SELECT {second}, {first}, year, 'media_event', {exact(f"events * {half}")}, 0,
           CAST(NULL AS INTEGER)
    FROM {source}
    WHERE year <= {horizon} AND {first} <> {second}"""


def _pairs(inputs: Inputs, *, directed: bool) -> str:
    """Pairs of participants of one engagement, predecessors mapped to their successors."""
    where = "\n    WHERE p.nation IN (SELECT nation FROM among)" if inputs.among else ""
    if inputs.lineage:
        members = f"""members AS (
    SELECT p.engagement_id, p.nation AS origin, COALESCE(l.lineage, p.nation) AS nation
    FROM participants p
    LEFT JOIN lineage l ON l.nation = p.nation{where}
),"""
        distinct = "AND a.origin <> b.origin"
    else:
        members = f"""members AS (
    SELECT p.engagement_id, p.nation AS origin, p.nation FROM participants p{where}
),"""
        distinct = ""
    order = "a.nation <> b.nation" if directed else "a.nation < b.nation"
    return f"""{members}
pairs AS (
    SELECT a.engagement_id, a.nation AS n1, b.nation AS n2, a.origin AS o1, b.origin AS o2
    FROM members a
    JOIN members b ON a.engagement_id = b.engagement_id AND {order} {distinct}
),"""


def _share(host_gives: tuple[str, ...], guest_gives: tuple[str, ...]) -> str:
    """The directed share of a contribution that goes from ``n1`` to ``n2``.

    The host is compared with the participants' own keys (``o1``, ``o2``), before predecessors
    are mapped to their successors.
    """
    hosted, visiting = kinds_in(host_gives), kinds_in(guest_gives)
    return f"""CASE
               WHEN b.kind IN {hosted} AND b.host = p.o1 THEN 1.0
               WHEN b.kind IN {hosted} AND b.host = p.o2 THEN 0.0
               WHEN b.kind IN {visiting} AND b.host = p.o2 THEN 1.0
               WHEN b.kind IN {visiting} AND b.host = p.o1 THEN 0.0
               ELSE 0.5 END"""


def contribution_ctes(
    settings: IndexSettings,
    horizon: int,
    inputs: Inputs,
    *,
    directed: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
) -> str:
    """The CTEs up to ``pkv`` (n1, n2, year, kind, obs, est, v, coop); see the module docstring.

    Args:
        settings: The method's settings.
        horizon: The last year.
        inputs: Which optional inputs exist.
        directed: For directed outreach, the kinds whose host gives and those whose guests give
            (``n1`` gives to ``n2``); None for non-directed pairs (``n1 < n2``).
    """
    cap = number(settings.education.cap_per_year)
    host = "e.host" if directed else "CAST(NULL AS VARCHAR)"
    share = f" * {_share(*directed)}" if directed else ""
    media = _media(
        horizon,
        inputs,
        directed=directed is not None,
        half=number(settings.weights.media_event / 2),
        weight=number(settings.weights.media_event),
    )
    carried = (
        "CASE WHEN e.last_year IS NULL THEN e.source_last_year END"
        if inputs.coverage
        else "CAST(NULL AS INTEGER)"
    )
    head = f"""
sizes AS (
    SELECT engagement_id, COUNT(*) AS n FROM participants GROUP BY engagement_id
),
base AS (
    SELECT e.engagement_id, e.kind, {host} AS host, e.first_year,
           COALESCE(e.last_year, {horizon}) AS last_year,
           {carried} AS carried_after,
           {exact(_contribution_sql(settings))} AS c,
           {_cooperative_sql()} AS coop
    FROM engagements e
    JOIN sizes s ON s.engagement_id = e.engagement_id
),
{_pairs(inputs, directed=directed is not None)}
contributions AS (
    SELECT p.n1, p.n2,
           UNNEST(GENERATE_SERIES(b.first_year, LEAST(b.last_year, {horizon}))) AS year,
           b.kind, {exact("b.c" + share) if share else "b.c"} AS c, b.coop, b.carried_after
    FROM pairs p
    JOIN base b ON b.engagement_id = p.engagement_id
    -- Spark's SEQUENCE counts down where DuckDB's GENERATE_SERIES is empty: skip such spans.
    WHERE b.first_year <= LEAST(b.last_year, {horizon}){media}
),"""
    if not inputs.coverage:
        return (
            head
            + f"""
pkv AS (
    SELECT n1, n2, year, kind, obs, obs AS est, obs AS v, 0 AS unobserved, coop
    FROM (
        SELECT n1, n2, year, kind, {_by_kind("c", cap)} AS obs, MAX(coop) AS coop
        FROM contributions
        GROUP BY n1, n2, year, kind
    ) g
),"""
        )
    return head + _projection(settings, horizon, cap)


def _projection(settings: IndexSettings, horizon: int, cap: str) -> str:
    """CTEs that tell observed from unobserved contributions and estimate the latter."""
    d = number(settings.decay)
    n = settings.projection_years
    standing = kinds_in(STANDING_KINDS)
    mode = settings.beyond_coverage
    value = {
        "project": "y.est",
        "hold": """CASE WHEN y.last_covered IS NULL OR y.year <= y.last_covered THEN y.obs
                   ELSE GREATEST(y.obs, y.hold) END""",
        "decay": "y.obs",
        "missing": "y.obs",
    }[mode]
    grid_when = f"(r.kind NOT IN {standing} AND r.rate > 0)"
    rate = f"""SUM(CASE WHEN o.year >= GREATEST(b.first_covered, b.last_covered - {n - 1})
                     AND o.year <= b.last_covered THEN o.obs ELSE 0.0 END)
               / (b.last_covered - GREATEST(b.first_covered, b.last_covered - {n - 1}) + 1)"""
    term = exact(f"o.obs * POWER({d}, b.last_covered - o.year)")
    held = f"CASE WHEN o.year <= b.last_covered THEN {term} ELSE 0.0 END"
    if mode == "hold":
        grid_when = f"({grid_when} OR r.hold > 0)"
    return f"""
marked AS (
    SELECT n1, n2, year, kind, c, coop, carried_after,
           CASE WHEN carried_after IS NOT NULL AND year > carried_after THEN 1 ELSE 0 END
               AS carried
    FROM contributions
),
pair_kinds AS (SELECT DISTINCT n1, n2, kind FROM marked),
covered AS (
    SELECT k.n1, k.n2, k.kind, MIN(c.first_year) AS covered_from,
           MAX(c.last_year) AS covered_until
    FROM pair_kinds k
    JOIN coverage c ON c.kind = k.kind
        AND (c.nation IS NULL OR c.nation = k.n1 OR c.nation = k.n2)
    GROUP BY k.n1, k.n2, k.kind
),
limits AS (
    SELECT n1, n2, kind, MAX(covered_until) AS covered_until,
           MIN(covered_from) AS covered_from, MAX(own_end) AS own_end
    FROM (
        SELECT n1, n2, kind, covered_until, covered_from,
               CAST(NULL AS INTEGER) AS own_end
        FROM covered
        UNION ALL
        SELECT n1, n2, kind, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), carried_after
        FROM marked WHERE carried = 1
    ) u
    GROUP BY n1, n2, kind
),
kept AS (
    -- A record in force after its source ends carries on only while no later source covers
    -- the pair and kind (its silence would then be the later source's to speak).
    SELECT n1, n2, year, kind, c, coop, carried FROM marked WHERE carried = 0
    UNION ALL
    SELECT m.n1, m.n2, m.year, m.kind, m.c, m.coop, m.carried
    FROM marked m
    JOIN limits l ON l.n1 = m.n1 AND l.n2 = m.n2 AND l.kind = m.kind
    WHERE m.carried = 1 AND (l.covered_until IS NULL OR m.carried_after >= l.covered_until)
),
pky AS (
    SELECT n1, n2, year, kind,
           {_by_kind("CASE WHEN carried = 0 THEN c END", cap)} AS obs,
           {_by_kind("c", cap)} AS all_c,
           MAX(coop) AS coop
    FROM kept
    GROUP BY n1, n2, year, kind
),
beyond AS (
    SELECT n1, n2, kind, COALESCE(covered_until, own_end) AS last_covered,
           COALESCE(covered_from, own_end - {n - 1}) AS first_covered
    FROM limits
    WHERE COALESCE(covered_until, own_end) < {horizon}
),
rates AS (
    -- The pair's recent yearly rate of the kind: the mean of its last covered years (those
    -- without records count as 0), and its stock at the last covered year, for `hold`.
    SELECT b.n1, b.n2, b.kind, b.last_covered,
           {exact(rate)} AS rate,
           {exact(f"(1.0 - {d}) * SUM({held})")} AS hold,
           MAX(CASE WHEN o.year <= b.last_covered THEN o.coop ELSE 0 END) AS coop
    FROM beyond b
    JOIN pky o ON o.n1 = b.n1 AND o.n2 = b.n2 AND o.kind = b.kind
    GROUP BY b.n1, b.n2, b.kind, b.last_covered, b.first_covered
),
pk_rows AS (
    SELECT n1, n2, year, kind, obs, all_c, coop FROM pky
    UNION ALL
    SELECT r.n1, r.n2, UNNEST(GENERATE_SERIES(r.last_covered + 1, {horizon})) AS year, r.kind,
           0.0 AS obs, 0.0 AS all_c, r.coop
    FROM rates r
    WHERE {grid_when}
),
pk_year AS (
    SELECT n1, n2, year, kind, SUM(obs) AS obs, SUM(all_c) AS all_c, MAX(coop) AS coop
    FROM pk_rows
    GROUP BY n1, n2, year, kind
),
pk_est AS (
    SELECT y.n1, y.n2, y.year, y.kind, y.obs, y.coop, r.last_covered, r.hold,
           CASE WHEN r.last_covered IS NULL OR y.year <= r.last_covered THEN y.obs
                WHEN y.kind IN {standing} THEN y.all_c
                ELSE GREATEST(y.all_c, r.rate) END AS est
    FROM pk_year y
    LEFT JOIN rates r ON r.n1 = y.n1 AND r.n2 = y.n2 AND r.kind = y.kind
),
pkv AS (
    SELECT y.n1, y.n2, y.year, y.kind, y.obs, y.est, {value} AS v,
           CASE WHEN y.est > y.obs + {_EPSILON} THEN 1 ELSE 0 END AS unobserved, y.coop
    FROM pk_est y
),"""
