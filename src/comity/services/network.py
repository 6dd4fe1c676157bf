"""Use cases of the network: nation-year measures, one year's network, profiles, comparisons.

Computed from the dyad-year index of what the viewer may see, cached like it (see
:mod:`comity.services.analytics`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comity.access.viewer import Viewer
from comity.config import analytic_directory
from comity.errors import NotFoundError
from comity.services.analytics import (
    IndexTable,
    compute_dyad_years,
    first_changed_year,
)
from comity.services.cache import (
    after_answers,
    cache_key,
    on_forget,
    read_table,
    recall,
    remembered,
    store_result,
)
from comity.services.pair_kinds import compute_pair_kind_years
from comity.services.registry import resolve_nation
from comity.services.ties import list_ties
from comity.store import Store
from comity.store.analytic_cache import find_result

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

__all__ = [
    "NetworkTables",
    "NetworkYear",
    "compare_nations",
    "compute_network",
    "first_year_to_compute",
    "mechanisms_in_window",
    "nation_profile",
    "network_year",
    "profile_document",
    "view_slot",
    "wait_for_background",
]

PROFILE_WINDOW = 10
"""Years of mechanisms a profile document sums by default, ending with the latest year."""


_NETWORK_LOCK = threading.Lock()
"""igraph's random generator is process-wide: one network computation at a time."""

_Slot = tuple[str, str, str, int]
"""A store, settings digest, viewer scope and horizon: one view of the network over time."""
_LATEST_NETWORK: dict[_Slot, NetworkTables] = {}
"""The latest network computed in this process for each view: after a change, the years before
the first one it moved are kept from it (:func:`first_changed_year`)."""
_LATEST_LOCK = threading.Lock()


def _forget_latest() -> None:
    with _LATEST_LOCK:
        _LATEST_NETWORK.clear()


on_forget(_forget_latest)


def view_slot(store: Store, index: IndexTable) -> _Slot:
    """The view an index belongs to: its store, settings digest, scope and horizon."""
    return (store.describe_url(), index.settings.digest(), index.scope, index.horizon)


def first_year_to_compute(before: IndexTable, after: IndexTable) -> int:
    """The first year to compute again after ``before`` (beyond the horizon: none)."""
    found = first_changed_year(before.table, after.table)
    return after.horizon + 1 if found is None else found


@dataclass(frozen=True)
class NetworkTables:
    """Nation-year network measures and yearly community summaries, for one viewer."""

    nation_years: Any
    community_years: Any
    index: IndexTable
    cached: bool


def compute_network(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    use_cache: bool = True,
    index: IndexTable | None = None,
) -> NetworkTables:
    """Network measures of every year (partners, strength, centralities, communities), cached.

    Unit of analysis: the nation-year (ISO alpha-3). See :mod:`comity.analytics.network`.
    ``index``: the caller's :func:`compute_dyad_years` of this view and ``overrides``, if it
    has it already.
    """
    from comity.analytics.network import NetworkMeasures, compute_network_measures

    if index is None:
        index = compute_dyad_years(store, viewer, overrides=overrides, use_cache=use_cache)
    directory = analytic_directory(store.describe_url())
    key = cache_key(
        "network", index.settings.digest(), index.data_version, index.scope, index.horizon
    )

    def compute() -> NetworkTables:
        with _LATEST_LOCK:
            base = _LATEST_NETWORK.get(view_slot(store, index)) if use_cache else None
        resume: dict[str, Any] = {}
        if base is not None and base.index.data_version != index.data_version:
            before = NetworkMeasures(base.nation_years, base.community_years)
            resume = {"since": first_year_to_compute(base.index, index), "before": before}
        with _NETWORK_LOCK:
            measures = compute_network_measures(
                index.table, threshold=index.settings.partner_threshold, **resume
            )
        return NetworkTables(measures.nation_years, measures.community_years, index, False)

    if not use_cache:
        return compute()
    hit, value = recall(key)
    if hit:
        remembered_tables: NetworkTables = value
        return replace(remembered_tables, cached=True)

    def load() -> NetworkTables:
        with store.connect() as connection:
            nations = find_result(connection, key + "n")
            communities = find_result(connection, key + "c")
        if (
            nations
            and communities
            and Path(nations.path).exists()
            and Path(communities.path).exists()
        ):
            found = read_table(nations.path, key + "n"), read_table(communities.path, key + "c")
            return _latest_network(store, NetworkTables(*found, index, cached=True))
        tables = _latest_network(store, compute())
        results = (
            ("n", "network_nations", tables.nation_years),
            ("c", "network_communities", tables.community_years),
        )
        for suffix, kind, table in results:
            store_result(
                store,
                directory,
                key + suffix,
                kind,
                index.settings,
                index.data_version,
                index.scope,
                index.horizon,
                table,
            )
        return tables

    return remembered(key, load)


def _latest_network(store: Store, tables: NetworkTables) -> NetworkTables:
    with _LATEST_LOCK:
        _LATEST_NETWORK[view_slot(store, tables.index)] = tables
    return tables


@dataclass(frozen=True)
class NetworkYear:
    """The network of one year, as :func:`network_year` finds it.

    Attributes:
        year: The year.
        nations: Each nation's measures (partners, strength, centralities, community),
            strongest first.
        communities: The year's community summary (modularity), if any.
        method_version: The method of the index the network is built on.
        settings_digest: The digest of the settings used.
    """

    year: int
    nations: list[dict[str, Any]]
    communities: dict[str, Any] | None
    method_version: str
    settings_digest: str

    def to_dict(self) -> dict[str, Any]:
        """The network as JSON-ready data, the attributes by name."""
        return {
            "year": self.year,
            "method_version": self.method_version,
            "settings_digest": self.settings_digest,
            "communities": self.communities,
            "nations": self.nations,
        }


def network_year(
    store: Store,
    viewer: Viewer,
    year: int | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> NetworkYear:
    """The network of one year (default: the default year of the index), strongest nation first.

    Args:
        store: The store.
        viewer: Whose view.
        year: The year (default: the last year whose ties are mostly observed).
        overrides: Settings to change from the defaults (``{"partner_threshold": 20}``).

    Raises:
        NotFoundError: When no tie is recorded that year.
        ValidationError: When an override is unknown or out of range.
    """
    import pyarrow.compute as pc

    tables = compute_network(store, viewer, overrides=overrides)
    chosen = tables.index.default_year if year is None else year
    nations = tables.nation_years.filter(pc.equal(tables.nation_years.column("year"), chosen))
    rows = sorted(nations.to_pylist(), key=lambda r: (-r["strength"], r["nation"]))
    if not rows:
        raise NotFoundError(
            f"No ties recorded in {chosen}.",
            hint=(
                f"The index runs from {tables.index.first_year()} to {tables.index.horizon}; "
                f"{tables.index.default_year} is the last year whose ties are mostly observed."
            ),
        )
    summary = tables.community_years.filter(pc.equal(tables.community_years.column("year"), chosen))
    found = summary.to_pylist()
    settings = tables.index.settings
    return NetworkYear(
        chosen, rows, found[0] if found else None, settings.method_version, settings.digest()
    )


def nation_profile(
    store: Store,
    viewer: Viewer,
    nation: str,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A nation's profile, JSON-ready.

    Its network measures year by year, its strongest partners in ``latest_year`` (the default
    year: the last whose ties are mostly observed; ``last_year`` is the table's last), the mix of
    mechanisms it uses by partner region, the years its sources reach (``data_through``), with
    the method version and settings digest.

    Args:
        store: The store.
        viewer: Whose view.
        nation: Any name or code of the nation.
        overrides: Settings to change from the defaults (``{"weights": {"exercise": 2}}``).

    Raises:
        UnknownNationError: When ``nation`` names no nation.
        NotFoundError: When the nation has no recorded ties.
        ValidationError: When an override is unknown or out of range.
    """
    return _remembered_profile(store, viewer, nation, overrides)[1]


def _remembered_profile(
    store: Store, viewer: Viewer, nation: str, overrides: Mapping[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """The profile's memo key (naming its settings, data version and scope) and the profile."""
    import pyarrow.compute as pc

    key = resolve_nation(nation).iso3
    index = compute_dyad_years(store, viewer, overrides=overrides)
    first = not index.cached
    if first:
        # The first profile of this view: the nation's pairs by kind (DuckDB, which lets go of
        # the interpreter) are computed while the network is measured (igraph); the whole
        # pair-kind table, which the next questions use, after the answer.
        _in_background(compute_pair_kind_years, store, viewer, overrides=overrides, nation=key)
    tables = compute_network(store, viewer, overrides=overrides, index=index)
    memo = cache_key(
        "profile",
        tables.index.settings.digest(),
        tables.index.data_version,
        tables.index.scope,
        tables.index.horizon,
        key,
    )

    def compute() -> dict[str, Any]:
        history = tables.nation_years.filter(pc.equal(tables.nation_years.column("nation"), key))
        if history.num_rows == 0:
            raise NotFoundError(
                f"No recorded ties of {key}.", hint="Check the name, or the records you may see."
            )
        return _profile(store, viewer, key, tables, history, overrides)

    profile = remembered(memo, compute)
    if first:
        _in_background(compute_pair_kind_years, store, viewer, overrides=overrides, _after=True)
    return memo, profile


_BACKGROUND: dict[bool, Any] = {}


def _in_background(work: Any, *args: Any, _after: bool = False, **kwargs: Any) -> None:
    """Start ``work`` in this module's background thread (``_after``: the one after answers).

    Whoever needs its (remembered) answer waits for it there, or computes it again if it failed.
    What no answer waits on runs in a thread that yields the cores to those that do
    (:func:`comity.services.cache.after_answers`).
    """
    from concurrent.futures import ThreadPoolExecutor

    with _LATEST_LOCK:
        if _after not in _BACKGROUND:
            _BACKGROUND[_after] = ThreadPoolExecutor(
                1,
                thread_name_prefix="comity-later" if _after else "comity-profile",
                initializer=after_answers if _after else None,
            )
        pool = _BACKGROUND[_after]

    def run() -> None:
        try:
            work(*args, **kwargs)
        except Exception:  # the caller that needs it computes it again and reports
            logger.debug("background work failed", exc_info=True)

    pool.submit(run)


def wait_for_background() -> None:
    """Return when the work started in this module's background threads so far is done."""
    with _LATEST_LOCK:
        pools = list(_BACKGROUND.values())
    for pool in pools:
        pool.submit(lambda: None).result()


def profile_document(
    store: Store,
    viewer: Viewer,
    nation: str,
    first: int | None = None,
    last: int | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> bytes:
    """A nation's profile as a compact JSON document (the API's answer), encoded once.

    Like :func:`nation_profile`, but the mechanisms are summed over the years ``first`` to
    ``last`` (default: the :data:`PROFILE_WINDOW` years ending with the latest): by kind and
    partner region (``mechanisms``) and by year and kind (``mechanisms_by_year``), each row with
    its contribution and its share of the window's total. The encoded bytes are kept with the
    profile, so a repeated request costs a lookup. ``overrides`` as for :func:`nation_profile`.
    """
    import json

    memo, profile = _remembered_profile(store, viewer, nation, overrides)
    last = profile["latest_year"] if last is None else last
    first = last - PROFILE_WINDOW + 1 if first is None else first
    memo = cache_key("profile-document", memo, first, last)

    def encode() -> bytes:
        document = {key: value for key, value in profile.items() if key != "mechanisms"}
        document.update(
            window={"from": first, "to": last}, **mechanisms_in_window(profile, first, last)
        )
        return json.dumps(document, separators=(",", ":"), allow_nan=False).encode()

    return remembered(memo, encode, small=True)


def mechanisms_in_window(profile: Mapping[str, Any], first: int, last: int) -> dict[str, Any]:
    """A profile's mechanisms summed over the years ``first`` to ``last``.

    Returns:
        ``mechanisms``: kind, partner_region, contribution and share of the window's total,
        largest first; ``mechanisms_by_year``: year, kind, contribution and share, by year.
    """
    by_region: dict[tuple[str, str | None], float] = {}
    by_year: dict[tuple[int, str], float] = {}
    for row in profile["mechanisms"]:
        if first <= row["year"] <= last:
            value = float(row["contribution"])
            region = (row["kind"], row["partner_region"])
            by_region[region] = by_region.get(region, 0.0) + value
            by_year[row["year"], row["kind"]] = by_year.get((row["year"], row["kind"]), 0.0) + value
    whole = sum(by_region.values()) or 1.0
    return {
        "mechanisms": [
            {"kind": kind, "partner_region": region, "contribution": value, "share": value / whole}
            for (kind, region), value in sorted(by_region.items(), key=lambda kv: -kv[1])
        ],
        "mechanisms_by_year": [
            {"year": year, "kind": kind, "contribution": value, "share": value / whole}
            for (year, kind), value in sorted(by_year.items())
        ],
    }


def _profile(
    store: Store,
    viewer: Viewer,
    key: str,
    tables: NetworkTables,
    history: Any,
    overrides: Mapping[str, Any] | None,
) -> dict[str, Any]:
    import pyarrow.compute as pc

    from comity.analytics.network import compute_outreach_profile, load_nation_regions

    # The profile opens on the default year: the last year whose ties are mostly observed.
    last = int(pc.max(history.column("year")).as_py())
    latest = min(last, tables.index.default_year)
    ties, _ = list_ties(store, viewer, key, year=latest, top=10, overrides=overrides)
    pair_kinds = compute_pair_kind_years(store, viewer, overrides=overrides, nation=key)
    mix = compute_outreach_profile(pair_kinds, key, load_nation_regions()).to_pylist()
    return {
        "nation": key,
        "name": resolve_nation(key).name,
        "latest_year": latest,
        "last_year": last,
        "data_through": tables.index.data_through,
        "years": history.to_pylist(),
        "top_partners": [vars(t) for t in ties],
        "mechanisms": mix,
        "method_version": tables.index.settings.method_version,
        "settings_digest": tables.index.settings.digest(),
    }


def compare_nations(
    store: Store,
    viewer: Viewer,
    first: str,
    second: str,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Two nations side by side, JSON-ready (e.g. the United States and China).

    Year by year: partners, strength, centralities; and the share of each mechanism in what they
    do; with the method version and settings digest.

    Raises:
        UnknownNationError: When a nation does not resolve.
        ValidationError: When an override is unknown or out of range.
    """
    import pyarrow.compute as pc

    keys = [resolve_nation(first).iso3, resolve_nation(second).iso3]
    tables = compute_network(store, viewer, overrides=overrides)
    pair_kinds = compute_pair_kind_years(store, viewer, overrides=overrides)
    years: dict[int, dict[str, Any]] = {}
    for key in keys:
        rows = tables.nation_years.filter(pc.equal(tables.nation_years.column("nation"), key))
        for row in rows.to_pylist():
            entry = years.setdefault(row["year"], {"year": row["year"]})
            for column in ("partners", "strength", "eigenvector", "betweenness"):
                entry[f"{key}_{column}"] = row[column]
    mix: dict[str, dict[str, float]] = {}
    for key in keys:
        chosen = pair_kinds.filter(
            pc.or_(pc.equal(pair_kinds.column("n1"), key), pc.equal(pair_kinds.column("n2"), key))
        )
        totals: dict[str, float] = {}
        for row in chosen.to_pylist():
            totals[row["kind"]] = totals.get(row["kind"], 0.0) + float(row["c"])
        whole = sum(totals.values()) or 1.0
        mix[key] = {kind: value / whole for kind, value in sorted(totals.items())}
    return {
        "nations": keys,
        "years": [years[y] for y in sorted(years)],
        "mechanisms": mix,
        "method_version": tables.index.settings.method_version,
        "settings_digest": tables.index.settings.digest(),
    }
