"""The dyad-year table as comity serves it: inputs registered, codes joined, its default year.

The pieces :mod:`comity.services.analytics` puts together: the SQL of the exported table (the
index with the Correlates of War and Gleditsch-Ward codes of each state in each year), the
registration of a snapshot's inputs in an engine, the default year of a table (the last year
whose ties are mostly observed, docs/methodology.md "The default year"), and the line
"data through: exercises 2010, alliances 2018, ..." shown with every answer about the present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comity.analytics.settings import IndexSettings
from comity.analytics.snapshot import Snapshot
from comity.analytics.tie_index import Inputs, complete_inputs, dyad_years_sql
from comity.model.kinds import KINDS
from comity.store.analytic_inputs import CoverageRow

__all__ = [
    "EXPORT_COLUMNS",
    "SourceEnd",
    "data_through",
    "default_year_of",
    "describe_data_through",
    "export_sql",
    "observed_shares",
    "register_keyed",
    "register_snapshot",
]

EXPORT_COLUMNS = (
    "iso3_1",
    "iso3_2",
    "ccode1",
    "ccode2",
    "gwcode1",
    "gwcode2",
    "year",
    "index",
    "interoperability",
    "institutional",
    "cultural",
    "continuity",
    "diversity",
    "projected_share",
    "last_observed_year",
    "method_version",
    "settings_digest",
)
"""Columns of the exported dyad-year table."""

_KIND_NAMES = {spec.value: spec.plural for spec in KINDS}


def register_snapshot(engine: Any, snapshot: Snapshot) -> Inputs:
    """Register a snapshot's input tables in a DuckDB connection or an engine.

    Args:
        engine: Anything with ``register(name, arrow_table)``: a DuckDB connection or an
            :class:`comity.analytics.engines.Engine`.
        snapshot: The snapshot.

    Returns:
        Which optional inputs the queries should read.
    """
    found, inputs = _input_tables(snapshot)
    for name, table in found.items():
        engine.register(name, table)
    return inputs


_KEYS = {
    "engagements": (("kind", "kinds"),),
    "participants": (("nation", "nations"),),
    "coverage": (("kind", "kinds"), ("nation", "nations")),
    "lineage": (("nation", "nations"), ("lineage", "nations")),
    "labels": (("lineage", "nations"), ("label", "nations")),
    "media": (("nation1", "nations"), ("nation2", "nations")),
    "ccodes": (("nation", "nations"),),
}
"""The key columns of each input table, and the set of values they take."""


def register_keyed(con: Any, snapshot: Snapshot) -> Inputs:
    """Register a snapshot in a DuckDB connection with its nations and kinds as ENUM types.

    The tables of :func:`register_snapshot`, copied into the connection's temporary tables with
    their keys as ENUMs whose values are sorted: grouping, joining and sorting then compare small
    integers rather than strings (a sixth to a quarter of the index query's time at a million
    engagements), and keys still order as their strings do. A query's result has those ENUM
    columns: cast them back to VARCHAR (:func:`export_sql` does).
    """
    import pyarrow.compute as pc

    found, inputs = _input_tables(snapshot)
    values: dict[str, set[str]] = {"nations": set(), "kinds": set(KINDS.index_kinds)}
    for name, table in found.items():
        for column, domain in _KEYS.get(name, ()):
            values[domain].update(v for v in pc.unique(table.column(column)).to_pylist() if v)
    types = {
        domain: "ENUM(" + ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(known)) + ")"
        for domain, known in values.items()
        if known
    }
    for name, table in found.items():
        keys = [(c, types[d]) for c, d in _KEYS.get(name, ()) if d in types]
        if not keys:
            con.register(name, table)
            continue
        con.register(f"{name}_arrow", table)
        cast = ", ".join(f"CAST({column} AS {kind}) AS {column}" for column, kind in keys)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * REPLACE ({cast}) FROM {name}_arrow"
        )
        con.unregister(f"{name}_arrow")
    return inputs


def _input_tables(snapshot: Snapshot) -> tuple[dict[str, Any], Inputs]:
    tables = snapshot.tables()
    found, inputs = complete_inputs(
        tables["engagements"],
        tables["media"],
        tables["coverage"],
        tables["lineage"],
        tables["labels"],
    )
    found["participants"] = tables["participants"]
    found["ccodes"] = snapshot.ccodes
    return found, inputs


def export_sql(
    settings: IndexSettings, snapshot: Snapshot, inputs: Inputs, *, kinds_as_columns: bool = True
) -> str:
    """The dyad-year table with the codes of each year and the method, in DuckDB's dialect.

    ``kinds_as_columns``: as :func:`comity.analytics.tie_index.dyad_years_sql` (False for Spark).
    """
    sql = dyad_years_sql(settings, snapshot.horizon, inputs, kinds_as_columns=kinds_as_columns)
    return f"""
        SELECT CAST(d.iso3_1 AS VARCHAR) AS iso3_1, CAST(d.iso3_2 AS VARCHAR) AS iso3_2,
               c1.ccode AS ccode1, c2.ccode AS ccode2,
               c1.gwcode AS gwcode1, c2.gwcode AS gwcode2, d.year, d."index",
               d.interoperability, d.institutional, d.cultural, d.continuity, d.diversity,
               d.projected_share, d.last_observed_year,
               '{settings.method_version}' AS method_version,
               '{settings.digest()}' AS settings_digest
        FROM ({sql}) d
        LEFT JOIN ccodes c1 ON c1.nation = d.iso3_1 AND c1.year = d.year
        LEFT JOIN ccodes c2 ON c2.nation = d.iso3_2 AND c2.year = d.year
        ORDER BY d.iso3_1, d.iso3_2, d.year
        """


def observed_shares(table: Any) -> dict[int, float]:
    """Each year's observed share of the ties: 1 minus the index-weighted projected share.

    ``sum(index * (1 - projected_share)) / sum(index)`` over the year's pairs; years whose
    pairs all have a missing or zero index are left out.
    """
    import pyarrow.compute as pc

    # Arrow's own kernels: the table is in memory, and a later call of the command line reads
    # it back without starting DuckDB. No Python number enters them: Arrow would import pandas
    # to check whether it is one of its values (0.2 s of a command that otherwise needs none),
    # hence index > index - index, and index * (1 - projected) as index - index * projected.
    index, projected = table.column("index"), table.column("projected_share")
    kept = pc.and_(pc.greater(index, pc.subtract(index, index)), pc.is_valid(projected))
    index, projected = index.filter(kept), projected.filter(kept)
    years = table.column("year").filter(kept)
    observed = pc.subtract(index, pc.multiply(index, projected))
    # By year through a sort and a sum per run (a group-by would import pandas as well).
    order = pc.sort_indices(years)
    years, observed, index = years.take(order), observed.take(order), index.take(order)
    shares: dict[int, float] = {}
    start = 0
    for run in pc.value_counts(years).to_pylist():
        part = pc.sum(observed.slice(start, run["counts"])).as_py()
        whole = pc.sum(index.slice(start, run["counts"])).as_py()
        shares[int(run["values"])] = float(part) / float(whole)
        start += run["counts"]
    return shares


def default_year_of(table: Any, horizon: int, threshold: float) -> int:
    """The last year whose observed share is at least ``threshold`` (the horizon if none is).

    Args:
        table: A dyad-year table computed with ``beyond_coverage = project``.
        horizon: Its last year.
        threshold: The observed share a year needs (the setting
            ``default_year_observed_share``).
    """
    shares = observed_shares(table)
    mostly = [year for year, share in shares.items() if share >= threshold and year <= horizon]
    return max(mostly) if mostly else horizon


@dataclass(frozen=True)
class SourceEnd:
    """The last year the sources cover one engagement kind.

    Attributes:
        kind: The engagement kind.
        last_year: The last year any source covers it for every pair or one nation's pairs.
        datasets: The datasets that reach that year.
        treaty_last_year: The last year of the treaty ties of organisations (alliances only).
    """

    kind: str
    last_year: int | None
    datasets: tuple[str, ...]
    treaty_last_year: int | None = None

    def describe(self) -> str:
        """E.g. ``alliances 2018`` or ``alliances 2018 (treaty organisations 2025)``."""
        name = _KIND_NAMES.get(self.kind, self.kind.replace("_", " "))
        parts = [name]
        if self.last_year is not None:
            parts.append(str(self.last_year))
        if self.treaty_last_year is not None:
            text = f"treaty organisations {self.treaty_last_year}"
            parts.append(f"({text})" if self.last_year is not None else text)
        return " ".join(parts)


def data_through(rows: list[CoverageRow]) -> list[SourceEnd]:
    """The last year covered of each engagement kind, earliest first.

    Coverage of every pair or one nation's pairs gives ``last_year``; organisation-scoped rows
    (treaty ties implied by memberships) give ``treaty_last_year``.
    """
    general: dict[str, tuple[int, set[str]]] = {}
    treaties: dict[str, int] = {}
    for row in rows:
        if row.organisation is not None:
            treaties[row.kind] = max(treaties.get(row.kind, row.last_year), row.last_year)
            continue
        year, datasets = general.get(row.kind, (row.last_year, set()))
        if row.last_year > year:
            year, datasets = row.last_year, set()
        if row.last_year == year:
            datasets.add(row.dataset)
        general[row.kind] = (year, datasets)
    ends = [
        SourceEnd(kind, year, tuple(sorted(datasets)), treaties.get(kind))
        for kind, (year, datasets) in general.items()
    ]
    ends += [
        SourceEnd(kind, None, (), year) for kind, year in treaties.items() if kind not in general
    ]
    return sorted(ends, key=lambda e: (e.last_year or e.treaty_last_year or 0, e.kind))


def describe_data_through(ends: list[SourceEnd]) -> str:
    """The line shown with answers about the present: ``data through: exercises 2010, ...``."""
    if not ends:
        return "data through: no source declares its coverage"
    return "data through: " + ", ".join(end.describe() for end in ends)
