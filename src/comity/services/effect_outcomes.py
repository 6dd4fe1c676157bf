"""The outcomes an effect estimate may look at, per pair of a provider and a partner and year.

An outcome never includes the treatment's own contribution (docs/effects.md, "The outcome"):

- ``exercises``: the pair's yearly exercise contribution to the index, before memory and scale
  (:func:`comity.services.pair_kinds.compute_pair_kind_years`), observed years only;
- ``agreements``: the defence cooperation agreements the pair entered in the year (a count);
- ``index-without-treated``: the pair's tie index with the weights of the treated kinds set to 0
  (:func:`comity.services.analytics.compute_dyad_years` with overrides).

Every read takes the viewer: the outcome is what the viewer may see.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.settings import default_settings
from comity.model.engagements import EngagementKind
from comity.services.analytics import compute_dyad_years
from comity.services.engagements import list_engagements
from comity.services.imports import list_sources
from comity.services.pair_kinds import compute_pair_kind_years
from comity.store import Store

__all__ = [
    "OUTCOMES",
    "OUTCOME_KINDS",
    "OutcomeSeries",
    "covered_years",
    "read_outcome",
    "zero_weights",
]

OUTCOME_KINDS = {
    "exercises": EngagementKind.EXERCISE.value,
    "agreements": EngagementKind.AGREEMENT.value,
    "index-without-treated": None,
}
"""Each outcome and the engagement kind it counts (None: every kind but the treated)."""
OUTCOMES = tuple(OUTCOME_KINDS)
"""The outcomes an estimate may look at."""


@dataclass(frozen=True)
class OutcomeSeries:
    """One outcome of a provider's pairs.

    Attributes:
        name: The outcome (one of :data:`OUTCOMES`).
        words: What it measures, in words (the ``outcome`` of a result).
        label: A short name for sentences (``exercise contribution``).
        values: (partner, year) -> value; a pair-year not listed is 0.
        first_year: The first year the outcome is observed (None: unknown).
        last_year: The last year it is observed.
        note: How it was computed (settings, coverage), for the answer's caveats.
    """

    name: str
    words: str
    label: str
    values: dict[tuple[str, int], float]
    first_year: int | None
    last_year: int | None
    note: str


def covered_years(store: Store, kinds: Collection[str], provider: str) -> tuple[int, int] | None:
    """The years some source covers ``kinds`` for the provider's pairs (None: none declares).

    A source covering every pair, or the provider's pairs, counts; one covering the co-members
    of an organisation does not (it says nothing of the provider's other pairs).
    """
    spans = [
        span
        for source in list_sources(store)
        for span in source.coverage
        if span.kind in kinds and span.organisation is None and span.nation in (None, provider)
    ]
    if not spans:
        return None
    return min(s.first_year for s in spans), max(s.last_year for s in spans)


def zero_weights(kinds: Collection[str]) -> dict[str, Any]:
    """The index settings' overrides that give ``kinds`` no weight.

    A kind weighed by one number (``weights.training``) gets 0; a kind weighed by a table
    (``alliance`` by pledge, ``visit`` by level, ``education`` per course and student) gets 0 in
    every entry of it.
    """
    defaults = default_settings().model_dump(mode="json")
    overrides: dict[str, Any] = {}
    for kind in sorted(kinds):
        if kind in defaults["weights"]:
            overrides.setdefault("weights", {})[kind] = 0
        elif isinstance(defaults.get(kind), dict):
            overrides[kind] = {key: 0 for key in defaults[kind]}
    return overrides


def _other(n1: str, n2: str, provider: str) -> str:
    return n2 if n1 == provider else n1


def _exercises(store: Store, viewer: Viewer, provider: str) -> OutcomeSeries:
    import pyarrow.compute as pc

    table = compute_pair_kind_years(store, viewer)
    mine = table.filter(
        pc.and_(
            pc.equal(table.column("kind"), EngagementKind.EXERCISE.value),
            pc.or_(pc.equal(table.column("n1"), provider), pc.equal(table.column("n2"), provider)),
        )
    )
    values: dict[tuple[str, int], float] = {}
    for row in mine.to_pylist():
        observed = float(row["c"]) - float(row["projected"] or 0.0)
        if observed > 0:
            key = (_other(row["n1"], row["n2"], provider), int(row["year"]))
            values[key] = values.get(key, 0.0) + observed
    years = covered_years(store, [EngagementKind.EXERCISE.value], provider)
    first, last = years or _span(values)
    words = (
        f"yearly exercise contribution of the pair with {provider} (exercises weighted as in "
        "the index, before memory and scale; observed years only)"
    )
    return OutcomeSeries(
        "exercises",
        words,
        "exercise contribution",
        values,
        first,
        last,
        _covered("exercises", years),
    )


def _agreements(store: Store, viewer: Viewer, provider: str) -> OutcomeSeries:
    kind = EngagementKind.AGREEMENT.value
    values: dict[tuple[str, int], float] = {}
    for stored in list_engagements(store, viewer, nation=provider, kinds=[kind]):
        record = stored.engagement
        for nation in record.nations:
            if nation != provider:
                key = (nation, record.start_year)
                values[key] = values.get(key, 0.0) + 1.0
    years = covered_years(store, [kind], provider)
    first, last = years or _span(values)
    words = f"defence cooperation agreements the pair with {provider} entered in the year (count)"
    return OutcomeSeries(
        "agreements",
        words,
        "agreements entered",
        values,
        first,
        last,
        _covered("agreements", years),
    )


def _index(
    store: Store, viewer: Viewer, provider: str, treated_kinds: Collection[str]
) -> OutcomeSeries:
    import pyarrow.compute as pc

    overrides = zero_weights(treated_kinds)
    result = compute_dyad_years(store, viewer, overrides=overrides)
    table = result.table
    mine = table.filter(
        pc.or_(
            pc.equal(table.column("iso3_1"), provider), pc.equal(table.column("iso3_2"), provider)
        )
    ).select(["iso3_1", "iso3_2", "year", "index"])
    values = {
        (_other(r["iso3_1"], r["iso3_2"], provider), int(r["year"])): float(r["index"])
        for r in mine.to_pylist()
        if r["index"] is not None
    }
    listed = ", ".join(sorted(treated_kinds))
    words = (
        f"tie index (0-100) of the pair with {provider}, computed with the weights of {listed} "
        "set to 0"
    )
    note = (
        f"The index is read to {result.default_year}, the last year whose ties are mostly "
        f"observed ({result.data_through}); settings digest {result.settings.digest()}."
    )
    first = int(min(years)) if (years := [y for _, y in values]) else None
    label = f"index without {' and '.join(k.replace('_', ' ') for k in sorted(treated_kinds))}"
    return OutcomeSeries(
        "index-without-treated", words, label, values, first, result.default_year, note
    )


def _span(values: Mapping[tuple[str, int], float]) -> tuple[int | None, int | None]:
    years = [year for _, year in values]
    return (min(years), max(years)) if years else (None, None)


def _covered(name: str, years: tuple[int, int] | None) -> str:
    if years is None:
        return f"No source declares the years it covers {name}: the years of the records are used."
    return f"The sources cover {name} {years[0]}-{years[1]}; other years are not used."


def read_outcome(
    store: Store, viewer: Viewer, name: str, provider: str, treated_kinds: Collection[str]
) -> OutcomeSeries:
    """The outcome ``name`` of every pair of ``provider``, from what ``viewer`` may see.

    Raises:
        ValidationError: When an override of the index's settings is refused.
    """
    if name == "exercises":
        return _exercises(store, viewer, provider)
    if name == "agreements":
        return _agreements(store, viewer, provider)
    return _index(store, viewer, provider, treated_kinds)
