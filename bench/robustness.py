"""Rank stability of every nation's top ten in every year, on the bundled data.

In one run, on a fresh SQLite store with every bundled dataset imported (not timed), or a copy of
the SQLite file given as the first argument, in the view of the installation's operator:

- baseline: the dyad-year index computed from scratch (``compute_dyad_years``, cache off);
- measured: the robustness pass: each pair's stock by kind and year (one query), then 500 draws
  of the weights within ±50 % and the top-10 chance of every partner of every nation-year
  (``comity.services.robustness.every_stability``), from a cold process cache.

Runs ``robustness``: ``wall_s`` (target <= 60 s on 2 cores), ``ratio_to_index`` (information),
``lists`` (nation-years ranked), and the United States' and China's most and least robust top
partners in the default year (printed to standard error for the note).

Usage: ``python -m bench.robustness [SQLITE_FILE]``; progress goes to standard error.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.common import Run, check, peak_mib, report
from bench.network_view import build_store

TARGET_S = 60.0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    from comity.access import Viewer
    from comity.services import analytics, cache
    from comity.services.robustness import every_stability, partner_stability
    from comity.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        url = build_store(Path(folder), sys.argv[1] if len(sys.argv) > 1 else None)
        store = open_store(url)
        operator = Viewer.operator("bench")
        started = time.perf_counter()
        result = analytics.compute_dyad_years(store, operator, use_cache=False)
        baseline = time.perf_counter() - started
        cache.forget_everything()
        started = time.perf_counter()
        found = every_stability(store, operator)
        wall = time.perf_counter() - started
        lists = len({(s.nation, s.year) for s in found})
        year = result.default_year
        for nation in ("USA", "CHN"):
            ranked, _ = partner_stability(store, operator, nation, year=year, partners=20)
            top = [s for s in ranked if s.rank <= 10]
            robust = sorted(ranked, key=lambda s: (-s.chance, s.rank))[:10]
            fragile = sorted(top, key=lambda s: (s.chance, s.rank))[:5]
            _log(
                f"{nation} {year} most robust: "
                + ", ".join(f"{s.partner} {s.chance:.2f} (rank {s.rank})" for s in robust)
            )
            _log(
                f"{nation} {year} least robust of the top ten: "
                + ", ".join(f"{s.partner} {s.chance:.2f} (rank {s.rank})" for s in fragile)
            )
        store.dispose()
    _log(
        f"robustness: {wall:.1f} s for {lists:,} nation-years (index from scratch {baseline:.1f} s)"
    )
    report(
        [
            Run(
                "robustness",
                "wall_s",
                round(wall, 2),
                f"<= {TARGET_S}",
                check(wall, f"<= {TARGET_S}"),
            ),
            Run("robustness", "ratio_to_index", round(wall / baseline, 2), "info", True),
            Run("robustness", "lists", lists, "info", True),
            Run("robustness", "peak_mib", round(peak_mib()), "info", True),
        ]
    )


if __name__ == "__main__":
    main()
