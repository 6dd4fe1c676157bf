"""Python's cycle collector paused while bulk work builds millions of small objects.

Each collection walks every object still alive, so a bulk import or insert spent a fifth of its
time or more in collections that found nothing: its records form no cycles, and reference
counting frees them as usual. Pauses nest, across threads too: the collector runs again when
the last pause in the process ends, if it ran before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


class _State:
    lock = threading.Lock()
    pauses = 0
    was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cycle collector for the ``with`` block (usable as a decorator)."""
    with _State.lock:
        if _State.pauses == 0:
            _State.was_enabled = gc.isenabled()
            gc.disable()
        _State.pauses += 1
    try:
        yield
    finally:
        with _State.lock:
            _State.pauses -= 1
            if _State.pauses == 0 and _State.was_enabled:
                gc.enable()
