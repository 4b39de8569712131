"""The layout of an RX worker's counter block, and reading it (pure numpy).

A block holds, as int64 words: the port words (``RX_*``, absolute: never reset),
the analyzer's published record (port totals and one row per TID since the last
clear), and the *retired* table: per TID, everything counted before the clears
(and before a worker that died was replaced). Since-clear statistics read the
analyzer's rows; totals since the port started (monotonic: a clear by any front end
never lowers them) add the retired row.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.analysis import TidStats, analyzer_dtype
from wirespeed.analysis.stats import JitterStats, LatencyStats
from wirespeed.analysis.table import TID_DTYPE, new_tid_table

__all__ = [
    "MAX_TIDS",
    "RX_PORT_WORDS",
    "Retired",
    "record_view",
    "rx_words",
    "shift_latency",
    "table_all_tid_stats",
    "table_tid_stats",
    "table_tids",
    "write_retired",
    "write_table",
]

(
    RX_PACKETS,
    RX_BYTES,
    RX_TPLD_PACKETS,
    RX_NOTPLD_PACKETS,
    RX_NOTPLD_BYTES,
    RX_TPLD_ERRORS,
    RX_RING_DROPS,
    RX_LAST_NS,
    RX_CLEARS,
    RX_SYNCS,
) = range(10)
RX_PORT_WORDS = 16
MAX_TIDS = 4096
DTYPE = analyzer_dtype(MAX_TIDS)
RETIRED_DTYPE = np.dtype([("count", "<i8"), ("tids", TID_DTYPE, (MAX_TIDS,))])
_RECORD_WORDS = (DTYPE.itemsize + 7) // 8
_RETIRED_AT = RX_PORT_WORDS + _RECORD_WORDS


def rx_words() -> int:
    """Size of an RX counter block."""
    return _RETIRED_AT + (RETIRED_DTYPE.itemsize + 7) // 8


def record_view(words: npt.NDArray[np.int64]) -> Any:
    """The analyzer's published record inside ``words`` (a writable view)."""
    raw = words[RX_PORT_WORDS:_RETIRED_AT].view(np.uint8)[: DTYPE.itemsize]
    return np.frombuffer(raw, dtype=DTYPE, count=1).reshape(())


def _retired_view(words: npt.NDArray[np.int64]) -> Any:
    raw = words[_RETIRED_AT:].view(np.uint8)[: RETIRED_DTYPE.itemsize]
    return np.frombuffer(raw, dtype=RETIRED_DTYPE, count=1).reshape(())


def _rows(table: Any, used: int, tid: int) -> TidStats | None:
    hit = np.nonzero(table["tid"][:used] == tid)[0]
    return None if len(hit) == 0 else TidStats.from_row(table[int(hit[0])])


def table_tids(words: npt.NDArray[np.int64], *, since_clear: bool = True) -> list[int]:
    """TIDs of a block: seen since the last clear, or ever (in order of first
    sight)."""
    rec = record_view(words)
    now = [int(t) for t in rec["tids"]["tid"][: int(rec["port"]["tids_in_use"])]]
    if since_clear:
        return now
    ret = _retired_view(words)
    before = [int(t) for t in ret["tids"]["tid"][: int(ret["count"])]]
    return before + [t for t in now if t not in set(before)]


def table_tid_stats(
    words: npt.NDArray[np.int64], tid: int, *, since_clear: bool = True
) -> TidStats | None:
    """One TID's statistics from a block (``None`` if not seen): since the last
    clear, or since the port started (counts, histogram and extremes of every
    period; the last-second figures and the current jitter are the current
    period's)."""
    rec = record_view(words)
    now = _rows(rec["tids"], int(rec["port"]["tids_in_use"]), tid)
    if since_clear:
        return now
    ret = _retired_view(words)
    before = _rows(ret["tids"], int(ret["count"]), tid)
    if before is None or now is None:
        return now or before
    return now.merged(before)


def table_all_tid_stats(
    words: npt.NDArray[np.int64], *, since_clear: bool = True
) -> list[TidStats]:
    """Every TID's statistics from one block, in :func:`table_tids`'s order (one
    reading for all, where :func:`table_tid_stats` reads per TID)."""
    return [
        st
        for tid in table_tids(words, since_clear=since_clear)
        if (st := table_tid_stats(words, tid, since_clear=since_clear)) is not None
    ]


class Retired:
    """Per TID, what was counted before the clears (kept by the RX worker)."""

    def __init__(self) -> None:
        self.by_tid: dict[int, TidStats] = {}

    @classmethod
    def from_words(cls, words: npt.NDArray[np.int64]) -> Retired:
        """What a block holds: its retired table, plus the published analysis of a
        worker that no longer runs (it never reached the retired table)."""
        out = cls()
        ret = _retired_view(words)
        for i in range(int(ret["count"])):
            st = TidStats.from_row(ret["tids"][i])
            out.by_tid[st.tid] = st
        out.add(words)
        return out

    def add(self, words: npt.NDArray[np.int64]) -> None:
        """Retire the analysis published in ``words`` (right before a clear)."""
        rec = record_view(words)
        for i in range(int(rec["port"]["tids_in_use"])):
            st = _without_now(TidStats.from_row(rec["tids"][i]))
            old = self.by_tid.get(st.tid)
            self.by_tid[st.tid] = st if old is None else old.merged(st)

    def write(self, words: npt.NDArray[np.int64]) -> None:
        """Publish the retired table into ``words``."""
        write_retired(words, list(self.by_tid.values()))


def _without_now(st: TidStats) -> TidStats:
    """A period's statistics as history: no last-second figures, no current
    jitter."""
    return replace(
        st,
        pps_last_s=0,
        bps_last_s=0,
        latency_last_s=LatencyStats(),
        jitter_last_s=JitterStats(),
        jitter_ns=None,
    )


def _write_rows(table: Any, stats: list[TidStats]) -> None:
    rows = new_tid_table(len(stats))
    for i, st in enumerate(stats):
        st.to_row(rows[i])
    table[: len(stats)] = rows


def write_table(words: npt.NDArray[np.int64], stats: list[TidStats]) -> None:
    """Write ``stats`` as the analyzer's published per-TID table (a fake data
    plane's way to publish what a test says was received)."""
    rec = record_view(words)
    _write_rows(rec["tids"], stats)
    rec["port"]["tids_in_use"] = len(stats)


def write_retired(words: npt.NDArray[np.int64], stats: list[TidStats]) -> None:
    """Write ``stats`` as the block's retired table."""
    ret = _retired_view(words)
    _write_rows(ret["tids"], stats)
    ret["count"] = len(stats)


def shift_latency(st: TidStats, offset_ns: int) -> dict[str, Any]:
    """Field changes that subtract a port's latency offset from ``st``."""
    out: dict[str, Any] = {}
    for name in ("latency", "latency_last_s"):
        lat = getattr(st, name)
        if lat.count:
            out[name] = replace(
                lat,
                min_ns=lat.min_ns - offset_ns,
                avg_ns=lat.avg_ns - offset_ns,
                max_ns=lat.max_ns - offset_ns,
            )
    return out
