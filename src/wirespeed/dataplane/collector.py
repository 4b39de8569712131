"""Python's cycle collector, kept out of a worker's hot loop.

A worker allocates a few objects per batch (batches, stamps, tuples), nearly all
freed again by reference counting; CPython's collector still runs every 700 of
them and now and then walks every object the process holds. Sending 64-byte frames
as fast as they go, that was about 1.5 % of the sending core (``perf``: the
collector's traversal), and each run leaves the caches colder for the next batch.
A worker therefore freezes what it holds once set up (imports, sockets: never
garbage), switches automatic collection off and collects itself from its loop: at
most once a second, and never more than 1 % of its time.
"""

from __future__ import annotations

import gc
import time

__all__ = ["Collector"]


class Collector:
    """Collects cycles when :meth:`tick` says it is time, not on allocation.

    Create it when the worker is set up; call :meth:`tick` from its loop with the
    monotonic time it has just read, and :meth:`close` on the way out.

    Args:
        every_ns: the shortest time between two collections.
        share: the largest part of the time collections may take (a collection
            that took ``t`` is followed by the next one ``t / share`` later at
            the earliest).
    """

    def __init__(self, every_ns: int = 1_000_000_000, share: float = 0.01) -> None:
        self.every_ns = every_ns
        self.share = share
        self.collections = 0
        self.found = 0  # unreachable objects the collections freed
        import os

        if not os.environ.get("WS_NOCOLL"):
            gc.collect()
            gc.freeze()
            gc.disable()
        self._next = time.monotonic_ns() + every_ns

    def tick(self, now_ns: int) -> None:
        """Collect if the time for it has come."""
        if now_ns >= self._next:
            self.collect()

    def collect(self) -> None:
        """Collect now (a worker between jobs: what the last one left)."""
        t0 = time.monotonic_ns()
        self.found += gc.collect()
        took = time.monotonic_ns() - t0
        self.collections += 1
        self._next = t0 + max(self.every_ns, int(took / self.share))

    def close(self) -> None:
        """Automatic collection on again (what was frozen stays frozen)."""
        gc.enable()
