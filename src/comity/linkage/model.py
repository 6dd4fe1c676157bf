"""The linkage model: which pairs are compared, how, and how likely each pair is one event.

A Fellegi-Sunter model (Splink, DuckDB backend). Pairs are **blocked** to records of one kind
that share a month, a year and the same set of nations, a year and a programme, a year and a
title, a year and a host, or a day; two records of one source are compared only when that
source may hold one event twice (``within``), and then only on the tight rules
(:data:`BLOCKS`); when only some records are new (an import), only pairs with a new record are
compared. Each pair is **compared** on its dates (at their precision), its nations (Jaccard of
the sets), its host, programme, title and location (Jaro-Winkler of the normalised texts).
Missing values are a level of their own that weighs nothing.

The parameters (m and u probabilities, the prior) are estimated once (u by random sampling, m
by expectation maximisation: ``scripts/reference/train_linkage.py``) and shipped as
``linkage_model.json`` with :data:`MODEL_VERSION`; :data:`UPPER` and :data:`LOWER` are the
thresholds of docs/importing.md.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CANDIDATES",
    "LOWER",
    "MODEL_VERSION",
    "UPPER",
    "ScoredPair",
    "base_settings",
    "load_model",
    "one_to_one",
    "score_pairs",
    "train_model",
]

MODEL_VERSION = "1"
"""The version of the shipped parameters: stored with every link they scored."""
UPPER = 0.9
"""A pair at least this likely links when it is scored (at import)."""
LOWER = 0.5
"""A pair at least this likely, below :data:`UPPER`, waits for a person's review."""

_ANY = "(l.source <> r.source OR (l.within AND r.within)) AND (l.fresh OR r.fresh)"
_ACROSS = "l.source <> r.source AND (l.fresh OR r.fresh)"
BLOCKS = (
    ("l.kind = r.kind AND l.month = r.month", _ACROSS),
    ("l.kind = r.kind AND l.year = r.year AND l.nations_key = r.nations_key", _ANY),
    ("l.kind = r.kind AND l.year = r.year AND l.programme = r.programme", _ANY),
    ("l.kind = r.kind AND l.year = r.year AND l.title = r.title", _ANY),
    ("l.kind = r.kind AND l.year = r.year AND l.host = r.host", _ACROSS),
    ("l.kind = r.kind AND l.day = r.day", _ANY),
)
"""The blocking rules, each with its guard: a pair is scored when it meets one of them.

Every pair has a fresh record (when only some are fresh). Two records of one source are
compared on the tight rules alone (one day; one year and the same nations, programme or
title), and only when that source may hold one event twice. On the broad rules (one month;
one year and host) a source's own distinct events, numbered in a series or held often, flood
the review: a generated file of 250,000 distinct engagements gave 361,853 pairs to review,
against 19,223 on the tight rules. A source's duplicates mostly share a name, nations or day
(``linkage_within`` in bench/linkage.py)."""

_JACCARD = (
    "len(list_intersect(l.nations, r.nations)) * 1.0 "
    "/ len(list_distinct(list_concat(l.nations, r.nations)))"
)
_MID = "coalesce(l.day, CAST(l.month || '-15' AS DATE))"
_MID_R = "coalesce(r.day, CAST(r.month || '-15' AS DATE))"


_SIDE = re.compile(r"\b([lr])\.(\w+)")


def _sides(sql: str) -> str:
    """Comparisons name a pair's columns ``x_l`` and ``x_r`` (blocking rules ``l.x``)."""
    return _SIDE.sub(lambda m: f"{m.group(2)}_{m.group(1)}", sql)


def _null(column: str) -> dict[str, Any]:
    return {
        "sql_condition": _sides(f"l.{column} IS NULL OR r.{column} IS NULL"),
        "label_for_charts": "not given",
        "is_null_level": True,
    }


def _level(condition: str, label: str) -> dict[str, Any]:
    return {"sql_condition": _sides(condition), "label_for_charts": label}


_ELSE = {"sql_condition": "ELSE", "label_for_charts": "different"}


def _texts(column: str, description: str, thresholds: Sequence[float]) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_description": description,
        "comparison_levels": [
            _null(column),
            _level(f"l.{column} = r.{column}", "same"),
            *(
                _level(
                    f"jaro_winkler_similarity(l.{column}, r.{column}) >= {t}",
                    f"Jaro-Winkler >= {t}",
                )
                for t in thresholds
            ),
            _ELSE,
        ],
    }


COMPARISONS: tuple[dict[str, Any], ...] = (
    {
        "output_column_name": "dates",
        "comparison_description": "start dates at their precision",
        "comparison_levels": [
            _null("month"),
            _level("l.day = r.day", "same day"),
            _level("abs(date_diff('day', l.day, r.day)) <= 3", "within 3 days"),
            _level("abs(date_diff('day', l.day, r.day)) <= 10", "within 10 days"),
            _level("abs(date_diff('day', l.day, r.day)) <= 31", "within a month"),
            _level("l.day IS NOT NULL AND r.day IS NOT NULL", "more than a month apart"),
            _level("l.month = r.month", "same month (one known to the month)"),
            _level(f"abs(date_diff('day', {_MID}, {_MID_R})) <= 45", "next month"),
            _ELSE,
        ],
    },
    {
        "output_column_name": "nations",
        "comparison_description": "the nations taking part (Jaccard of the sets)",
        "comparison_levels": [
            {
                "sql_condition": _sides("len(l.nations) = 0 OR len(r.nations) = 0"),
                "label_for_charts": "not given",
                "is_null_level": True,
            },
            _level("l.nations_key = r.nations_key", "same nations"),
            _level(f"{_JACCARD} >= 0.6", "Jaccard >= 0.6"),
            _level(f"{_JACCARD} >= 0.3", "Jaccard >= 0.3"),
            _ELSE,
        ],
    },
    {
        "output_column_name": "host",
        "comparison_description": "the host nation",
        "comparison_levels": [_null("host"), _level("l.host = r.host", "same"), _ELSE],
    },
    _texts("programme", "the programme or series", (0.9,)),
    _texts("title", "the title (lower case, without years)", (0.92, 0.8)),
    _texts("location", "the place", (0.85,)),
)


def base_settings() -> dict[str, Any]:
    """The model's structure without parameters (what training starts from)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 0.001,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": f"{rule} AND {guard}", "sql_dialect": "duckdb"}
            for rule, guard in BLOCKS
        ],
        "comparisons": [dict(c) for c in COMPARISONS],
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
    }


def load_model() -> dict[str, Any]:
    """The shipped, trained model (Splink settings with their parameters)."""
    text = resources.files("comity.linkage").joinpath("linkage_model.json").read_text("utf-8")
    model: dict[str, Any] = json.loads(text)
    version = model.pop("comity_model_version", None)
    if version != MODEL_VERSION:
        raise RuntimeError(f"linkage_model.json is version {version}, not {MODEL_VERSION}")
    # Which pairs are compared is :data:`BLOCKS`; the file keeps a copy (a test holds them equal).
    model["blocking_rules_to_generate_predictions"] = base_settings()[
        "blocking_rules_to_generate_predictions"
    ]
    return model


@dataclass(frozen=True)
class ScoredPair:
    """Two records, how likely they are one event, and what each comparison found.

    ``explanation``: the prior (``prior``: the match weight of two records drawn at random)
    and, per comparison, the level found and its match weight (log2 Bayes factor); they add up
    to ``weight``.
    """

    left: int
    right: int
    probability: float
    weight: float
    explanation: dict[str, dict[str, Any]]


def _quiet() -> None:
    logging.getLogger("splink").setLevel(logging.WARNING)


CANDIDATES = 3
"""A record keeps at most this many candidates of each source (its likeliest): a person reviews
a record's best few, and a source of near-identical records (a numbered series on one day)
does not fill the store with every pair of them."""
MEMORY_LIMIT = "2GB"
"""The most memory scoring takes; beyond it the engine spills to a temporary folder."""


def _linker(table: pa.Table, settings: dict[str, Any], spill: str | None = None) -> tuple[Any, Any]:
    """A Splink linker over ``table`` and the DuckDB connection it runs in (bounded memory)."""
    import duckdb
    from splink import Linker
    from splink.internals.duckdb.database_api import DuckDBAPI

    _quiet()
    connection = duckdb.connect(":memory:")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute("SET preserve_insertion_order = false")
    if spill is not None:
        connection.execute("SET temp_directory = ?", [spill])
    api = DuckDBAPI(connection)
    frame = api.register(table, table_name="records")
    return Linker(frame, settings, log_level=logging.WARNING), connection


def _fresh(table: pa.Table, fresh: set[int] | None) -> pa.Table:
    import pyarrow as pa

    ids = table.column("unique_id").to_pylist()
    flags = [True] * len(ids) if fresh is None else [i in fresh for i in ids]
    return table.append_column("fresh", pa.array(flags, pa.bool_()))


def _labels(model: dict[str, Any]) -> dict[str, list[str]]:
    return {
        c["output_column_name"]: [
            level.get("label_for_charts", "") for level in c["comparison_levels"]
        ]
        for c in model["comparisons"]
    }


def _capped(predictions: str, names: Sequence[str], candidates: int) -> str:
    """The predictions a record keeps: its ``candidates`` likeliest of each source, either side."""
    columns = ", ".join(f"p.gamma_{n}, p.mw_{n}" for n in names)
    return f"""
        WITH sides AS (
            SELECT unique_id_l AS record, source_r AS other_source, unique_id_r AS other,
                   match_probability AS probability, unique_id_l AS l, unique_id_r AS r
            FROM {predictions}
            UNION ALL
            SELECT unique_id_r, source_l, unique_id_l, match_probability,
                   unique_id_l, unique_id_r
            FROM {predictions}
        ),
        ranked AS (
            SELECT l, r, row_number() OVER (
                PARTITION BY record, other_source ORDER BY probability DESC, other
            ) AS rank
            FROM sides
        ),
        kept AS (SELECT DISTINCT l, r FROM ranked WHERE rank <= {candidates})
        SELECT p.unique_id_l, p.unique_id_r, p.match_probability, p.match_weight, {columns}
        FROM {predictions} p JOIN kept k ON k.l = p.unique_id_l AND k.r = p.unique_id_r
        ORDER BY p.unique_id_l, p.unique_id_r
    """


def score_pairs(
    table: pa.Table,
    *,
    fresh: set[int] | None = None,
    model: dict[str, Any] | None = None,
    threshold: float = LOWER,
    candidates: int = CANDIDATES,
) -> list[ScoredPair]:
    """Score the blocked pairs of ``table`` (:func:`comity.linkage.records.record_table`).

    Memory stays bounded (:data:`MEMORY_LIMIT`, spilling to a temporary folder) and so does the
    answer: each record keeps its ``candidates`` likeliest pairs with each source.

    Args:
        table: The records.
        fresh: Only pairs with at least one of these ids (all pairs when None).
        model: The parameters (the shipped model by default).
        threshold: Keep pairs at least this likely.
        candidates: The most pairs a record keeps with one source.
    """
    import tempfile

    if table.num_rows < 2:
        return []
    model = model or load_model()
    labels = _labels(model)
    with tempfile.TemporaryDirectory(prefix="comity-linkage-") as spill:
        linker, connection = _linker(_fresh(table, fresh), model, spill)
        try:
            frame = linker.inference.predict(threshold_match_probability=threshold)
            result = connection.sql(_capped(frame.physical_name, list(labels), candidates))
            columns = result.to_arrow_table().to_pydict()
        finally:
            connection.close()
    prior = float(model["probability_two_random_records_match"])
    start = {"level": "two records at random", "weight": round(math.log2(prior / (1 - prior)), 3)}
    # Splink numbers levels from the most similar down; the null level is -1.
    pairs = []
    for i, (left, right) in enumerate(
        zip(columns["unique_id_l"], columns["unique_id_r"], strict=True)
    ):
        explanation = {"prior": dict(start)}
        for name, names in labels.items():
            gamma = columns[f"gamma_{name}"][i]
            weight = columns[f"mw_{name}"][i]
            level = len(names) - 1 - gamma if gamma is not None and gamma >= 0 else 0
            explanation[name] = {
                "level": names[level] if 0 <= level < len(names) else str(gamma),
                "weight": round(float(weight or 0.0), 3),
            }
        low, high = sorted((int(left), int(right)))
        pairs.append(
            ScoredPair(
                low,
                high,
                float(columns["match_probability"][i]),
                float(columns["match_weight"][i]),
                explanation,
            )
        )
    return pairs


def one_to_one(pairs: Sequence[ScoredPair], source_of: dict[int, str]) -> list[ScoredPair]:
    """The pairs a source's record may keep: at most one record of each other source, the likeliest.

    A source records an event once (its own duplicates aside): when a record matches two of
    another source's records, the likelier pair stands and the other is dropped. Pairs are
    taken from the most to the least likely, ties by their ids.
    """
    taken: set[tuple[int, str]] = set()
    kept = []
    for pair in sorted(pairs, key=lambda p: (-p.probability, p.left, p.right)):
        left = (pair.left, source_of[pair.right])
        right = (pair.right, source_of[pair.left])
        if left in taken or right in taken:
            continue
        taken.update((left, right))
        kept.append(pair)
    return kept


def train_model(table: pa.Table, *, seed: int = 20261206) -> dict[str, Any]:
    """Estimate the model's parameters on ``table``: u by random sampling, m by EM.

    Returns the Splink settings with the parameters, ready to save as ``linkage_model.json``.
    """
    linker, _ = _linker(_fresh(table, None), base_settings())
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    for rule in (
        "l.kind = r.kind AND l.year = r.year AND l.nations_key = r.nations_key",
        "l.kind = r.kind AND l.month = r.month",
    ):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    model: dict[str, Any] = linker.misc.save_model_to_json()
    return model
