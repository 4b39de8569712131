"""Per-second samples of the tester, kept for the last minutes.

One thread reads a :func:`~wirespeed.monitor.snapshot.snapshot` once a period and
keeps it with a small :data:`Sample` of the rates over time (what the charts and
the reports' CSV hold). Every viewer (pages, ``wirespeed top``, reports) shares
that one reading, so watching costs the same whatever the number of viewers.

A sample (JSON-ready)::

    {"time_ns": wall clock,
     "ports":   [{"port", "tx_pps", "rx_pps", "tx_bps_l1", "rx_bps_l1",
                  "tx_packets", "rx_packets"}],
     "streams": [{"port", "stream", "name", "tid", "pps", "bps_l1", "packets"}],
     "tids":    [{"port", "tid", "pps", "packets", "lost", "misordered",
                  "duplicates", "latency_min_ns", "latency_avg_ns",
                  "latency_max_ns", "jitter_ns"}]}

TID latencies in a sample cover its last second (``None``: no frame in it).
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from typing import Any

from wirespeed.monitor.snapshot import snapshot
from wirespeed.service import Tester

__all__ = ["History", "Sample", "sample_of"]

_log = logging.getLogger(__name__)

Sample = dict[str, Any]
Listener = Callable[[dict[str, Any], Sample], None]


def sample_of(snap: dict[str, Any]) -> Sample:
    """The rates over time of a snapshot (see the module)."""
    ports, streams, tids = [], [], []
    for p in snap["ports"]:
        c = p["counters"]
        ports.append(
            {
                "port": p["index"],
                "tx_pps": c["tx_pps"],
                "rx_pps": c["rx_pps"],
                "tx_bps_l1": c["tx_bps_l1"],
                "rx_bps_l1": c["rx_bps_l1"],
                "tx_packets": c["tx_packets"],
                "rx_packets": c["rx_packets"],
            }
        )
        for s in p["streams"]:
            streams.append(
                {
                    "port": p["index"],
                    "stream": s["id"],
                    "name": s["name"],
                    "tid": s["tid"],
                    "pps": s["pps"],
                    "bps_l1": s["bps_l1"],
                    "packets": s["packets"],
                }
            )
        for t in p["tids"]:
            last = t["latency_last_s"]
            tids.append(
                {
                    "port": p["index"],
                    "tid": t["tid"],
                    "pps": t["pps"],
                    "packets": t["packets"],
                    "lost": t["lost"],
                    "misordered": t["misordered"],
                    "duplicates": t["duplicates"],
                    "latency_min_ns": last["min_ns"],
                    "latency_avg_ns": last["avg_ns"],
                    "latency_max_ns": last["max_ns"],
                    "jitter_ns": t["jitter_ns"],
                }
            )
    return {
        "time_ns": snap["time_ns"],
        "ports": ports,
        "streams": streams,
        "tids": tids,
    }


class History:
    """Samples the tester every ``period_s`` and keeps ``keep_s`` of them.

    Args:
        tester: the tester to read.
        period_s: time between two readings.
        keep_s: how far back :meth:`samples` reaches.
    """

    def __init__(
        self, tester: Tester, *, period_s: float = 1.0, keep_s: float = 600.0
    ) -> None:
        self.tester = tester
        self.period_s = period_s
        self._samples: collections.deque[Sample] = collections.deque(
            maxlen=max(1, int(keep_s / period_s))
        )
        self._latest: dict[str, Any] | None = None
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> History:
        """Take the first reading now, then one every period in a thread."""
        self.read()
        self._thread = threading.Thread(
            target=self._loop, name="wirespeed-history", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop sampling (the samples stay readable)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> History:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _loop(self) -> None:
        while not self._stop.wait(self.period_s):
            try:
                self.read()
            except Exception:  # a reading never stops the sampling
                _log.exception("reading the tester for the history failed")

    def read(self) -> tuple[dict[str, Any], Sample]:
        """Read the tester now, keep the sample and tell the listeners."""
        snap = snapshot(self.tester)
        sample = sample_of(snap)
        with self._lock:
            self._latest = snap
            self._samples.append(sample)
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(snap, sample)
            except Exception:
                _log.exception("a history listener failed")
        return snap, sample

    def latest(self) -> dict[str, Any]:
        """The newest snapshot (read now if there is none yet)."""
        with self._lock:
            snap = self._latest
        return snap if snap is not None else self.read()[0]

    def samples(self, since_ns: int | None = None) -> list[Sample]:
        """The samples kept (newer than ``since_ns`` if given), oldest first."""
        with self._lock:
            out = list(self._samples)
        if since_ns is not None:
            out = [s for s in out if s["time_ns"] > since_ns]
        return out

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn(snapshot, sample)`` after each reading; returns the
        unsubscribe function."""
        with self._lock:
            self._listeners.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)

        return unsubscribe
