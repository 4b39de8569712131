"""Fixed-layout numpy records holding the analyzer's counters and state.

The analyzer keeps everything it publishes in two structured arrays:

* ``TID_DTYPE``: one row per TID (rows are handed out in order of first sight, so
  rows ``0 .. tids_in_use-1`` are in use). Every field is 8 bytes: counters and
  times are int64, jitter values float64, and ``hist`` is an int64 sub-array with
  one count per histogram bucket.
* ``PORT_DTYPE``: one record of port totals (int64).

:func:`analyzer_dtype` combines them into one fixed-size record (``port`` plus a
``tids`` sub-array of ``capacity`` rows) that a worker process can copy into shared
memory in one assignment and a reader can turn back into dataclasses with
:meth:`wirespeed.analysis.AnalyzerSnapshot.from_array`. Rows at or beyond
``port['tids_in_use']`` are unspecified.

Because every field is 8 bytes wide, a TID table can also be viewed as a plain 2-D
int64 (or float64) array with one row per TID; :class:`Col` gives each field's
column in that view. The fields that one batch adds to, takes the minimum of or the
maximum of are adjacent (``ADD_I``, ``MIN_I``, ``MAX_I``, ``ADD_F``, ``MIN_F``,
``MAX_F``), so the analyzer updates each group with one operation.

Sentinels: minima start at ``INT64_MAX`` (``+inf`` for floats), maxima at
``INT64_MIN`` (``-inf``); a count of 0 means "not available".
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from wirespeed.analysis.histogram import HISTOGRAM_BUCKETS

__all__ = [
    "ADD_F",
    "ADD_I",
    "INT64_MAX",
    "INT64_MIN",
    "MAX_F",
    "MAX_I",
    "MIN_F",
    "MIN_I",
    "NO_TIME",
    "PORT_DTYPE",
    "TID_DTYPE",
    "WORDS",
    "Col",
    "analyzer_dtype",
    "new_tid_table",
    "reset_tid_rows",
]

INT64_MAX: Final = int(np.iinfo(np.int64).max)
INT64_MIN: Final = int(np.iinfo(np.int64).min)
NO_TIME: Final = INT64_MIN
"""Marks an unset time (epoch start / newest transmit time)."""

_ADD_INTS = (
    "packets", "bytes",
    "lat_count", "lat_cur_count", "lat_sum", "lat_cur_sum",
    "jit_count", "jit_cur_count", "pi_errors",
    "seq_too_high", "seq_too_low", "duplicates", "misordered", "stale", "seq_unique",
)  # fmt: skip
_MIN_INTS = ("lat_min", "lat_cur_min", "seq_low")
_MAX_INTS = ("lat_max", "lat_cur_max", "epoch_newest_tx")
_OTHER_INTS = (
    "tid", "in_use", "first_ns", "last_ns", "pps_last_s", "bps_last_s",
    "mark_packets", "mark_bytes", "lost", "restarts",
    "seq_valid", "seq_max", "seq_last", "seq_run_lo", "lost_base", "epoch_start_tx",
    "lat_ls_count", "lat_ls_sum", "lat_ls_min", "lat_ls_max",
    "transit_valid", "transit_last", "jit_ls_count",
)  # fmt: skip
_ADD_FLOATS = ("jit_sum", "jit_cur_sum")
_MIN_FLOATS = ("jit_min", "jit_cur_min")
_MAX_FLOATS = ("jit_max", "jit_cur_max")
_OTHER_FLOATS = ("jitter", "jit_ls_sum", "jit_ls_min", "jit_ls_max")

_INT_FIELDS = _ADD_INTS + _MIN_INTS + _MAX_INTS + _OTHER_INTS
_FLOAT_FIELDS = _ADD_FLOATS + _MIN_FLOATS + _MAX_FLOATS + _OTHER_FLOATS

TID_DTYPE = np.dtype(
    [(name, "<i8") for name in _INT_FIELDS]
    + [(name, "<f8") for name in _FLOAT_FIELDS]
    + [("hist", "<i8", (HISTOGRAM_BUCKETS,))]
)
"""One row of per-TID counters and analysis state."""


def _word(name: str) -> int:
    fields = TID_DTYPE.fields
    assert fields is not None
    offset: int = fields[name][1]
    return offset // 8


def _block(names: tuple[str, ...]) -> slice:
    return slice(_word(names[0]), _word(names[-1]) + 1)


ADD_I: Final = _block(_ADD_INTS)
MIN_I: Final = _block(_MIN_INTS)
MAX_I: Final = _block(_MAX_INTS)
ADD_F: Final = _block(_ADD_FLOATS)
MIN_F: Final = _block(_MIN_FLOATS)
MAX_F: Final = _block(_MAX_FLOATS)


class Col:
    """Column of each field in the 2-D int64/float64 view of a TID table."""

    PACKETS: Final = _word("packets")
    BYTES: Final = _word("bytes")
    LAT_COUNT: Final = _word("lat_count")
    LAT_CUR_COUNT: Final = _word("lat_cur_count")
    LAT_SUM: Final = _word("lat_sum")
    LAT_CUR_SUM: Final = _word("lat_cur_sum")
    JIT_COUNT: Final = _word("jit_count")
    JIT_CUR_COUNT: Final = _word("jit_cur_count")
    PI_ERRORS: Final = _word("pi_errors")
    SEQ_TOO_HIGH: Final = _word("seq_too_high")
    SEQ_TOO_LOW: Final = _word("seq_too_low")
    DUPLICATES: Final = _word("duplicates")
    MISORDERED: Final = _word("misordered")
    STALE: Final = _word("stale")
    SEQ_UNIQUE: Final = _word("seq_unique")
    LAT_MIN: Final = _word("lat_min")
    LAT_CUR_MIN: Final = _word("lat_cur_min")
    SEQ_LOW: Final = _word("seq_low")
    LAT_MAX: Final = _word("lat_max")
    LAT_CUR_MAX: Final = _word("lat_cur_max")
    EPOCH_NEWEST_TX: Final = _word("epoch_newest_tx")
    TID: Final = _word("tid")
    FIRST_NS: Final = _word("first_ns")
    LAST_NS: Final = _word("last_ns")
    LOST: Final = _word("lost")
    RESTARTS: Final = _word("restarts")
    SEQ_VALID: Final = _word("seq_valid")
    SEQ_MAX: Final = _word("seq_max")
    SEQ_LAST: Final = _word("seq_last")
    SEQ_RUN_LO: Final = _word("seq_run_lo")
    LOST_BASE: Final = _word("lost_base")
    EPOCH_START_TX: Final = _word("epoch_start_tx")
    TRANSIT_VALID: Final = _word("transit_valid")
    TRANSIT_LAST: Final = _word("transit_last")
    JITTER: Final = _word("jitter")
    HIST: Final = _word("hist")


WORDS: Final = TID_DTYPE.itemsize // 8
"""Columns of the 2-D view (one per 8-byte word of a row)."""

_PORT_FIELDS = (
    "packets", "bytes", "pps_last_s", "bps_last_s",
    "tpld_packets", "tpld_bytes",
    "non_tpld_packets", "non_tpld_bytes", "non_tpld_pps_last_s", "non_tpld_bps_last_s",
    "tpld_checksum_errors", "too_short", "unknown_tid", "tid_overflow",
    "mark_packets", "mark_bytes", "mark_non_tpld_packets", "mark_non_tpld_bytes",
    "period_start_ns", "tids_in_use",
)  # fmt: skip

PORT_DTYPE = np.dtype([(name, "<i8") for name in _PORT_FIELDS])
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
