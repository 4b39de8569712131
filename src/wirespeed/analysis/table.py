"""Fixed-layout numpy records holding the analyzer's counters and state.

The analyzer keeps everything it publishes in two structured arrays:

* ``TID_DTYPE``: one row per TID (rows are handed out in order of first sight, so
  rows ``0 .. tids_in_use-1`` are in use). Counters are int64; jitter values float64;
  ``hist`` is an int64 sub-array with one count per histogram bucket.
* ``PORT_DTYPE``: one record of port totals.

:func:`analyzer_dtype` combines them into one fixed-size record (``port`` plus a
``tids`` sub-array of ``capacity`` rows) that a worker process can copy into shared
memory in one assignment and a reader can turn back into dataclasses with
:meth:`wirespeed.analysis.AnalyzerSnapshot.from_array`. Rows at or beyond
``port['tids_in_use']`` are unspecified.

Sentinels: minima start at ``INT64_MAX`` (``+inf`` for floats), maxima at
``INT64_MIN`` (``-inf``); a count of 0 means "not available".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from wirespeed.analysis.histogram import HISTOGRAM_BUCKETS

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "NO_TIME",
    "PORT_DTYPE",
    "TID_DTYPE",
    "analyzer_dtype",
    "new_port_record",
    "new_tid_table",
    "reset_tid_rows",
]

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min
NO_TIME = INT64_MIN
"""Marks an unset time (epoch start / newest transmit time)."""

_I8 = "<i8"
_F8 = "<f8"

_TID_INT_FIELDS = (
    # identity
    "tid", "in_use",
    # traffic
    "packets", "bytes", "first_ns", "last_ns", "pps_last_s", "bps_last_s",
    "mark_packets", "mark_bytes",
    # sequence analysis results
    "lost", "misordered", "duplicates", "stale", "seq_too_high", "seq_too_low",
    "pi_errors", "restarts",
    # sequence analysis state
    "seq_valid", "seq_max", "seq_low", "seq_last", "seq_unique", "lost_base",
    "epoch_start_tx", "epoch_newest_tx",
    # latency: since clear, current (open) second, last completed second
    "lat_count", "lat_sum", "lat_min", "lat_max",
    "lat_cur_count", "lat_cur_sum", "lat_cur_min", "lat_cur_max",
    "lat_ls_count", "lat_ls_sum", "lat_ls_min", "lat_ls_max",
    # jitter state and sample counts
    "transit_valid", "transit_last",
    "jit_count", "jit_cur_count", "jit_ls_count",
)  # fmt: skip

_TID_FLOAT_FIELDS = (
    "jitter",
    "jit_sum", "jit_min", "jit_max",
    "jit_cur_sum", "jit_cur_min", "jit_cur_max",
    "jit_ls_sum", "jit_ls_min", "jit_ls_max",
)  # fmt: skip

TID_DTYPE = np.dtype(
    [(name, _I8) for name in _TID_INT_FIELDS]
    + [(name, _F8) for name in _TID_FLOAT_FIELDS]
    + [("hist", _I8, (HISTOGRAM_BUCKETS,))]
)
"""One row of per-TID counters and analysis state."""

_PORT_FIELDS = (
    "packets", "bytes", "pps_last_s", "bps_last_s",
    "tpld_packets", "tpld_bytes",
    "non_tpld_packets", "non_tpld_bytes", "non_tpld_pps_last_s", "non_tpld_bps_last_s",
    "tpld_checksum_errors", "too_short", "unknown_tid", "tid_overflow",
    "mark_packets", "mark_bytes", "mark_non_tpld_packets", "mark_non_tpld_bytes",
    "period_start_ns", "tids_in_use",
)  # fmt: skip

PORT_DTYPE = np.dtype([(name, _I8) for name in _PORT_FIELDS])
"""The port totals record."""

_INITIAL = {
    "lat_min": INT64_MAX, "lat_cur_min": INT64_MAX, "lat_ls_min": INT64_MAX,
    "lat_max": INT64_MIN, "lat_cur_max": INT64_MIN, "lat_ls_max": INT64_MIN,
    "jit_min": np.inf, "jit_cur_min": np.inf, "jit_ls_min": np.inf,
    "jit_max": -np.inf, "jit_cur_max": -np.inf, "jit_ls_max": -np.inf,
    "seq_low": INT64_MAX, "epoch_start_tx": NO_TIME, "epoch_newest_tx": NO_TIME,
}  # fmt: skip


def analyzer_dtype(capacity: int) -> np.dtype[np.void]:
    """The dtype of one published analyzer record with ``capacity`` TID rows."""
    return np.dtype([("port", PORT_DTYPE), ("tids", TID_DTYPE, (capacity,))])


def reset_tid_rows(table: NDArray[np.void], rows: slice | NDArray[np.intp]) -> None:
    """Zero ``table[rows]`` and set the minimum/maximum sentinels."""
    table[rows] = np.zeros(1, dtype=TID_DTYPE)[0]
    for name, value in _INITIAL.items():
        table[name][rows] = value


def new_tid_table(capacity: int) -> NDArray[np.void]:
    """A table of ``capacity`` empty TID rows."""
    table = np.zeros(capacity, dtype=TID_DTYPE)
    reset_tid_rows(table, slice(None))
    return table


def new_port_record() -> NDArray[np.void]:
    """A zeroed port totals record (shape ``(1,)``)."""
    return np.zeros(1, dtype=PORT_DTYPE)
