"""What every benchmark shares: timing, peak memory, and the result record."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Run:
    """One figure: a benchmark's metric, its target and whether it is met."""

    name: str
    metric: str
    value: float
    target: str
    met: bool


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    """Time a block; call the yielded function afterwards for the seconds it took."""
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0]
    elapsed.append(time.perf_counter() - start)


def best_of(repeat: int, work: Callable[[], Any]) -> float:
    """The shortest wall time of ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def check(value: float, target: str) -> bool:
    """Whether ``value`` meets a target such as ``>= 2.0`` or ``<= 1.25``; ``info`` has none."""
    if target == "info":
        return True
    operator, number = target.split()
    return value >= float(number) if operator == ">=" else value <= float(number)


def report(runs: list[Run]) -> None:
    """Hand the figures to the runner (one JSON document on standard output)."""
    json.dump([asdict(r) for r in runs], sys.stdout)
