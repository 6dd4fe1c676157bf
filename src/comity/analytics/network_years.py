"""The measures of many years' networks, on two cores when there are many ties.

Each year's measures depend on that year's ties alone (its Leiden run is seeded with the year),
so the years may be measured in any order and in any process: on a large table a second process
takes about half of the work (the years are dealt by their number of ties), and the results
are the ones one process would give. igraph holds Python's global lock while it computes, so
threads would not help.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import random
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["PARALLEL_TIES", "Helper", "YearTies", "helper_for", "measure_years"]

_LOG = logging.getLogger("comity.analytics")

PARALLEL_TIES = 200_000
"""Ties (over every year) from which a second process measures part of the years: below it,
starting one (about half a second) costs more than it saves."""


@dataclass(frozen=True)
class YearTies:
    """One year's ties as global node codes and weights."""

    year: int
    first: npt.NDArray[np.int64]
    second: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]


class Helper:
    """A second process that measures years, started before its years are ready.

    Python and igraph take it a few tenths of a second to start: started first, it is ready by
    the time the ties are prepared, and the years it is handed do not wait for it.
    """

    def __init__(self) -> None:
        """Start it (:attr:`child` is None when it could not be started)."""
        try:
            # A child of its own (not multiprocessing, whose children import the parent's main
            # module again: a server's, a script's): the years go in and the measures come out
            # pickled, between two processes of this installation.
            self.child: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-m", "comity.analytics.network_years"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except OSError as error:
            _LOG.warning("measuring the networks in one process: %s", error)
            self.child = None

    def close(self) -> None:
        """Let it go unused (it ends when its input closes)."""
        if self.child is not None:
            for pipe in (self.child.stdin, self.child.stdout):
                if pipe is not None:
                    pipe.close()
            self.child.wait()
            self.child = None


def helper_for(dyad_years: Any, years: Iterable[int] | None) -> Helper | None:
    """A :class:`Helper` when the table's rows of ``years`` (all when None) may hold enough ties.

    A table has at least as many rows as ties.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if (os.cpu_count() or 1) < 2:
        return None
    rows = int(dyad_years.num_rows)
    if years is not None and rows >= PARALLEL_TIES:
        chosen = pa.array(sorted(set(years)), type=pa.int64())
        found = pc.is_in(dyad_years.column("year").cast(pa.int64()), value_set=chosen)
        rows = int(pc.sum(found).as_py() or 0)
    return Helper() if rows >= PARALLEL_TIES else None


def measure_years(
    years: list[YearTies], threshold: float, seed: int, helper: Helper | None = None
) -> list[tuple[dict[str, npt.NDArray[Any]], float]]:
    """Each year's measures and modularity, in the order given.

    See :func:`comity.analytics.network.measure_year`.

    Args:
        years: The years' ties.
        threshold: The partner threshold.
        seed: The Leiden seed (combined with each year).
        helper: A second process started beforehand (see :func:`helper_for`); one is started
            here when none is given and the years have many ties. It is used up either way.
    """
    ties = sum(len(y.weight) for y in years)
    if ties < PARALLEL_TIES or (os.cpu_count() or 1) < 2 or len(years) < 2:
        if helper is not None:
            helper.close()
        return _measure(years, threshold, seed)
    helper = helper or Helper()
    child = helper.child
    if child is None:
        return _measure(years, threshold, seed)
    assert child.stdin is not None and child.stdout is not None
    mine, theirs = _deal(years)
    with child.stdin:
        pickle.dump(([years[i] for i in theirs], threshold, seed), child.stdin)
    done = dict(zip(mine, _measure([years[i] for i in mine], threshold, seed), strict=True))
    with child.stdout:
        answer = child.stdout.read()
    if child.wait() != 0:
        _LOG.warning("the second process failed: measuring its years here")
        done.update(zip(theirs, _measure([years[i] for i in theirs], threshold, seed), strict=True))
    else:
        done.update(zip(theirs, pickle.loads(answer), strict=True))
    helper.child = None
    return [done[i] for i in range(len(years))]


def _deal(years: list[YearTies]) -> tuple[list[int], list[int]]:
    """Two hands of years with about the same number of ties (largest first, to the lighter)."""
    hands: tuple[list[int], list[int]] = ([], [])
    loads = [0, 0]
    for i in sorted(range(len(years)), key=lambda i: -len(years[i].weight)):
        lighter = 0 if loads[0] <= loads[1] else 1
        hands[lighter].append(i)
        loads[lighter] += len(years[i].weight)
    return sorted(hands[0]), sorted(hands[1])


def _measure(
    years: list[YearTies], threshold: float, seed: int
) -> list[tuple[dict[str, npt.NDArray[Any]], float]]:
    """The years measured here, igraph's random numbers seeded per year (set back after)."""
    import igraph

    from comity.analytics.network import measure_year

    rng = random.Random()
    igraph.set_random_number_generator(rng)
    # Building a year's graph makes a Python object per tie, and each few hundred of them start
    # a collection of the cyclic garbage: over a server's heap, most of the time graphs took to
    # build (2.1 of 2.5 s at a million engagements). They make no cycles; collect once, after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        found = []
        for ties in years:
            rng.seed(seed * 100_000 + ties.year)
            found.append(measure_year(ties.first, ties.second, ties.weight, threshold, ties.year))
        return found
    finally:
        igraph.set_random_number_generator(random)
        if collecting:
            gc.enable()


def main() -> None:
    """The second process: pickled years on standard input, their measures on the output.

    It imports what measuring needs before it reads: it is started before its years are ready.
    An empty input (the years were too few to share) ends it quietly.
    """
    # igraph imports matplotlib (0.5-0.8 s) for drawing, which this process never does.
    sys.modules.setdefault("matplotlib", None)  # type: ignore[arg-type]
    import igraph  # noqa: F401

    import comity.analytics.network  # noqa: F401

    given = sys.stdin.buffer.read()
    if not given:
        return
    years, threshold, seed = pickle.loads(given)
    pickle.dump(_measure(years, threshold, seed), sys.stdout.buffer)


if __name__ == "__main__":
    main()
