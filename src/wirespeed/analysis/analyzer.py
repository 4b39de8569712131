"""The receive analyzer: batches of frames in, per-TID and port counters out.

:class:`RxAnalyzer` decodes the TPLD of every frame of a batch, then updates, per TID,
traffic counters, sequence analysis (:mod:`wirespeed.analysis.sequence`), latency
(min/avg/max since clear and over the last second), RFC 3550 jitter and a latency
histogram, and the port totals. Receive times are the kernel's RX timestamps in ns,
passed in with each batch; the caller closes each second with
:meth:`RxAnalyzer.roll_second`. Nothing here reads a clock.

Latency is ``rx_ns - tx_ns`` (see :func:`wirespeed.tpld.latency_ns`), in ns; the
TX and RX clocks must agree (the same host, or PTP between hosts).

Jitter follows RFC 3550: for consecutive packets ``i-1, i`` of a TID in arrival
order, ``D = transit_i - transit_(i-1)`` with ``transit = latency``, and
``J += (|D| - J) / 16`` (kept as float64).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wirespeed.analysis.histogram import HISTOGRAM_BUCKETS, histogram_bucket
from wirespeed.analysis.segments import Groups, group_rows, segmented_ewma
from wirespeed.analysis.sequence import DEFAULT_WINDOW, SequenceTracker
from wirespeed.analysis.stats import AnalyzerSnapshot, PortTotals, TidStats
from wirespeed.analysis.table import (
    ADD_F,
    ADD_I,
    INT64_MAX,
    INT64_MIN,
    MAX_F,
    MAX_I,
    MIN_F,
    MIN_I,
    NO_TIME,
    PORT_DTYPE,
    WORDS,
    Col,
    analyzer_dtype,
    new_tid_table,
    reset_tid_rows,
)
from wirespeed.errors import ValidationError
from wirespeed.tpld import DecodeStatus, TpldMode, decode_any, highest_tid, latency_ns

__all__ = ["FCS_BYTES", "MAX_CAPACITY", "RxAnalyzer"]

FCS_BYTES = 4
"""Added to every frame length: counted sizes include the Ethernet FCS."""
VLAN_TAG_BYTES = 4
"""Added to a frame whose VLAN tag the kernel took out (it crossed the wire)."""
MAX_CAPACITY = 32767
"""Most TID rows one analyzer can hold."""
_CHUNK = 8192
_JITTER_KEEP = 15.0 / 16.0
_NO_TID = -1


@dataclass
class _Packets:
    """Valid TPLD packets of a batch, in arrival order."""

    rows: NDArray[np.intp]
    seq: NDArray[np.int64]
    lat: NDArray[np.int64]
    tx: NDArray[np.int64]
    rx: NDArray[np.int64]
    sizes: NDArray[np.int64]
    uniform_size: int | None
    first: NDArray[np.bool_]
    pi_bad: NDArray[np.bool_] | None

    def take(self, idx: NDArray[np.intp] | slice) -> _Packets:
        return _Packets(
            rows=self.rows[idx],
            seq=self.seq[idx],
            lat=self.lat[idx],
            tx=self.tx[idx],
            rx=self.rx[idx],
            sizes=self.sizes[idx],
            uniform_size=self.uniform_size,
            first=self.first[idx],
            pi_bad=None if self.pi_bad is None else self.pi_bad[idx],
        )


class RxAnalyzer:
    """Per-port receive analysis of TPLD frames.

    Args:
        mode: the port's TPLD form.
        capacity: most distinct TIDs tracked (rows of the published table).
        window: sequence window per TID (power of two); see
            :mod:`wirespeed.analysis.sequence`.
        now_ns: start of the first one-second period.

    Raises:
        ValidationError: capacity or window out of range.
    """

    def __init__(
        self,
        mode: TpldMode,
        *,
        capacity: int = 4096,
        window: int = DEFAULT_WINDOW,
        now_ns: int = 0,
    ) -> None:
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ValidationError(f"must be 1..{MAX_CAPACITY}", field="capacity")
        self._mode = mode
        self._max_tid = highest_tid(mode)
        self._capacity = capacity
        self._seq = SequenceTracker(window)
        self._table = new_tid_table(capacity)
        self._words: NDArray[np.int64] = self._table.view(np.int64).reshape(
            capacity, WORDS
        )
        self._tid_row = np.full(self._max_tid + 1, _NO_TID, dtype=np.intp)
        self._accepted: NDArray[np.bool_] | None = None
        self._used = 0
        self._port: dict[str, int] = {}
        self.clear(now_ns)

    @property
    def mode(self) -> TpldMode:
        """The TPLD form decoded."""
        return self._mode

    @property
    def capacity(self) -> int:
        """Most TIDs tracked."""
        return self._capacity

    def set_accepted_tids(self, tids: Iterable[int] | None) -> None:
        """Only analyse these TIDs (None: all). Others count as ``unknown_tid``.

        Raises:
            ValidationError: a TID is out of range for the TPLD form.
        """
        if tids is None:
            self._accepted = None
            return
        accepted = np.zeros(self._max_tid + 1, dtype=bool)
        for tid in tids:
            if not 0 <= tid <= self._max_tid:
                raise ValidationError(f"must be 0..{self._max_tid}", field="tid")
            accepted[tid] = True
        self._accepted = accepted

    def clear(self, now_ns: int) -> None:
        """Reset every counter; a new period starts at ``now_ns``.

        Each TID's place in its sequence stays (see
        :mod:`wirespeed.analysis.sequence`): a clear while traffic runs counts
        nothing lost.
        """
        used = slice(0, self._used)
        self._seq.carry_over(self._words[used], self._table["tid"][used], now_ns)
        reset_tid_rows(self._table, used)
        self._tid_row.fill(_NO_TID)
        self._used = 0
        self._seq.clear()
        self._port = {name: 0 for name in PORT_DTYPE.names or ()}
        self._port["period_start_ns"] = now_ns

    def analyse(
        self,
        frames: NDArray[np.uint8],
        lengths: ArrayLike,
        rx_ns: ArrayLike,
        tags_stripped: ArrayLike | None = None,
    ) -> None:
        """Analyse one batch of received frames.

        Args:
            frames: 2-D uint8 array, one frame per row (no FCS).
            lengths: frame lengths in bytes, one per row.
            rx_ns: kernel receive timestamps in ns, one per row.
            tags_stripped: per row, whether the kernel took a VLAN tag out of the
                frame into its metadata (the frame crossed the wire 4 bytes
                longer: byte counts include them); None: none was.

        Raises:
            ValidationError: ``lengths``, ``rx_ns`` or ``tags_stripped`` do not
                match ``frames``.
        """
        n = frames.shape[0]
        lens = np.asarray(lengths, dtype=np.int64)
        rx = np.asarray(rx_ns, dtype=np.int64)
        if lens.shape != (n,):
            raise ValidationError(f"must have {n} entries", field="lengths")
        if rx.shape != (n,):
            raise ValidationError(f"must have {n} entries", field="rx_ns")
        wire = lens
        if tags_stripped is not None:
            tags = np.asarray(tags_stripped, dtype=np.bool_)
            if tags.shape != (n,):
                raise ValidationError(f"must have {n} entries", field="tags_stripped")
            if np.count_nonzero(tags):
                wire = lens + VLAN_TAG_BYTES * tags
        for start in range(0, n, _CHUNK):
            end = start + _CHUNK
            self._analyse_chunk(
                frames[start:end], lens[start:end], rx[start:end], wire[start:end]
            )

    def roll_second(self, now_ns: int) -> None:
        """Close the current period at ``now_ns``: its latency/jitter figures become
        the "last second" ones and rates are computed over its length."""
        elapsed = now_ns - self._port["period_start_ns"]
        if elapsed <= 0:
            return
        p = self._port
        p["pps_last_s"], p["mark_packets"] = _rate(
            p["packets"], p["mark_packets"], elapsed, 1
        )
        p["bps_last_s"], p["mark_bytes"] = _rate(
            p["bytes"], p["mark_bytes"], elapsed, 8
        )
        p["non_tpld_pps_last_s"], p["mark_non_tpld_packets"] = _rate(
            p["non_tpld_packets"], p["mark_non_tpld_packets"], elapsed, 1
        )
        p["non_tpld_bps_last_s"], p["mark_non_tpld_bytes"] = _rate(
            p["non_tpld_bytes"], p["mark_non_tpld_bytes"], elapsed, 8
        )
        p["period_start_ns"] = now_ns
        t = self._table[: self._used]
        for total, mark, rate, scale in (
            ("packets", "mark_packets", "pps_last_s", 1e9),
            ("bytes", "mark_bytes", "bps_last_s", 8e9),
        ):
            delta = t[total] - t[mark]
            t[rate] = np.rint(delta * (scale / elapsed)).astype(np.int64)
            t[mark] = t[total]
        for prefix in ("lat_", "jit_"):
            for part in ("count", "sum", "min", "max"):
                t[f"{prefix}ls_{part}"] = t[f"{prefix}cur_{part}"]
            t[f"{prefix}cur_count"] = 0
            t[f"{prefix}cur_sum"] = 0
        t["lat_cur_min"] = INT64_MAX
        t["lat_cur_max"] = INT64_MIN
        t["jit_cur_min"] = np.inf
        t["jit_cur_max"] = -np.inf

    def tids(self) -> list[int]:
        """TIDs seen since clear, in order of first sight."""
        return [int(t) for t in self._table["tid"][: self._used]]

    def tid_stats(self, tid: int) -> TidStats | None:
        """Statistics of one TID, or None if it was not seen since clear."""
        if not 0 <= tid <= self._max_tid:
            return None
        row = int(self._tid_row[tid])
        return None if row < 0 else TidStats.from_row(self._table[row])

    def port_totals(self) -> PortTotals:
        """The port totals."""
        return PortTotals(**{f.name: self._port[f.name] for f in fields(PortTotals)})

    def snapshot(self) -> AnalyzerSnapshot:
        """A copy of all counters as plain dataclasses."""
        return AnalyzerSnapshot.from_tables(
            self._port_record(), self._table[: self._used]
        )

    def to_array(self, out: NDArray[np.void] | None = None) -> NDArray[np.void]:
        """Publish the counters as one fixed-layout record.

        Args:
            out: a 0-d array of ``analyzer_dtype(capacity)`` to fill (for example a
                view on shared memory); a new one when None.

        Returns:
            ``out``. Only ``tids[:port['tids_in_use']]`` is written.
        """
        if out is None:
            out = np.zeros((), dtype=analyzer_dtype(self._capacity))
        elif out.dtype != analyzer_dtype(self._capacity):
            raise ValidationError("wrong dtype for this capacity", field="out")
        out["port"] = self._port_record()[0]
        out["tids"][: self._used] = self._table[: self._used]
        return out

    def _port_record(self) -> NDArray[np.void]:
        rec = np.zeros(1, dtype=PORT_DTYPE)
        for name, value in self._port.items():
            rec[name] = value
        rec["tids_in_use"] = self._used
        return rec

    # -- the hot path -------------------------------------------------------------

    def _analyse_chunk(
        self,
        frames: NDArray[np.uint8],
        held: NDArray[np.int64],
        rx: NDArray[np.int64],
        lens: NDArray[np.int64],
    ) -> None:
        """``held``: the bytes of each frame as received (its TPLD ends them);
        ``lens``: its length on the wire (without FCS), what the bytes count."""
        n = lens.shape[0]
        if n == 0:
            return
        dec = decode_any(frames, held, self._mode)
        p = self._port
        lo, hi = int(lens.min()), int(lens.max())
        total_bytes = (
            n * (lo + FCS_BYTES) if lo == hi else int(lens.sum()) + n * FCS_BYTES
        )
        p["packets"] += n
        p["bytes"] += total_bytes
        valid = dec.valid
        n_valid = int(np.count_nonzero(valid))
        if n_valid < n:
            p["tpld_checksum_errors"] += dec.count(DecodeStatus.BAD_CHECKSUM)
            p["too_short"] += dec.count(DecodeStatus.TOO_SHORT)
        sel: NDArray[np.intp] | slice = (
            slice(None) if n_valid == n else np.flatnonzero(valid)
        )
        tid = dec.tid[sel]
        if self._accepted is not None and tid.size:
            known = self._accepted[tid]
            if np.count_nonzero(known) != known.shape[0]:
                p["unknown_tid"] += int(tid.size - np.count_nonzero(known))
                sel = np.flatnonzero(valid)[known]
                tid = dec.tid[sel]
        sel_lens = lens[sel]
        n_tpld = int(tid.size)
        tpld_bytes = (
            n_tpld * (lo + FCS_BYTES)
            if lo == hi
            else int(sel_lens.sum()) + FCS_BYTES * n_tpld
        )
        p["tpld_packets"] += tid.size
        p["tpld_bytes"] += tpld_bytes
        p["non_tpld_packets"] += n - tid.size
        p["non_tpld_bytes"] += total_bytes - tpld_bytes
        if tid.size == 0:
            return
        rows = self._tid_row[tid]
        if np.count_nonzero(rows < 0):
            rows = self._allocate(tid)
            over = rows < 0
            if np.count_nonzero(over):
                p["tid_overflow"] += int(np.count_nonzero(over))
                keep = np.flatnonzero(~over)
                sel = np.arange(n)[sel][keep]
                rows = rows[keep]
                sel_lens = lens[sel]
                if rows.size == 0:
                    return
        rx_v = rx[sel]
        lat = latency_ns(rx_v, dec.ts_ns[sel], self._mode)
        pi_ok = dec.pi_ok[sel]
        pk = _Packets(
            rows=rows,
            seq=dec.seq[sel],
            lat=lat,
            tx=rx_v - lat,
            rx=rx_v,
            sizes=sel_lens + FCS_BYTES,
            uniform_size=lo + FCS_BYTES if lo == hi else None,
            first=dec.is_first[sel],
            pi_bad=None if np.count_nonzero(~pi_ok) == 0 else ~pi_ok,
        )
        if self._mode.has_sequence and np.count_nonzero(pk.first):
            self._process_with_restarts(pk)
        else:
            self._process(pk)

    def _allocate(self, tid: NDArray[np.int64]) -> NDArray[np.intp]:
        """Give rows to unseen TIDs (in TID order) while capacity lasts."""
        new = np.unique(tid[self._tid_row[tid] < 0])
        room = self._capacity - self._used
        take = new[:room]
        if take.size:
            rows = np.arange(self._used, self._used + take.size, dtype=np.intp)
            self._tid_row[take] = rows
            self._table["tid"][rows] = take
            self._table["in_use"][rows] = 1
            self._seq.resume(self._words, rows, take)
            self._used += take.size
        result: NDArray[np.intp] = self._tid_row[tid]
        return result

    def _process_with_restarts(self, pk: _Packets) -> None:
        """Cut the batch before every flagged packet, so that a restart decision
        sees the state left by all earlier packets."""
        cuts = np.flatnonzero(pk.first)
        bounds = [0, *[int(c) for c in cuts if c > 0], pk.rows.shape[0]]
        for start, end in itertools.pairwise(bounds):
            if pk.first[start]:
                self._seq.maybe_restart(
                    self._words, int(pk.rows[start]), int(pk.tx[start])
                )
            self._process(pk.take(slice(start, end)))

    def _process(self, pk: _Packets) -> None:
        groups = group_rows(pk.rows)
        ur, starts, ends = groups.rows, groups.starts, groups.ends
        counts = groups.counts
        n_groups = ur.shape[0]
        blk = self._words[ur]
        add = np.zeros((n_groups, ADD_I.stop - ADD_I.start), dtype=np.int64)
        low = np.full((n_groups, MIN_I.stop - MIN_I.start), INT64_MAX, dtype=np.int64)
        high = np.full((n_groups, MAX_I.stop - MAX_I.start), INT64_MIN, dtype=np.int64)
        a0, m0, x0 = ADD_I.start, MIN_I.start, MAX_I.start
        # traffic
        add[:, Col.PACKETS - a0] = counts
        if pk.uniform_size is not None:
            add[:, Col.BYTES - a0] = counts * pk.uniform_size
        else:
            np.add.reduceat(groups.sort(pk.sizes), starts, out=add[:, Col.BYTES - a0])
        first_at = starts if groups.order is None else groups.order[starts]
        last_at = ends if groups.order is None else groups.order[ends]
        fresh = blk[:, Col.PACKETS] == 0
        if np.count_nonzero(fresh):
            blk[fresh, Col.FIRST_NS] = pk.rx[first_at[fresh]]
        blk[:, Col.LAST_NS] = pk.rx[last_at]
        if pk.pi_bad is not None:
            np.add.reduceat(
                groups.sort(pk.pi_bad),
                starts,
                dtype=np.int64,
                out=add[:, Col.PI_ERRORS - a0],
            )
        # latency
        lat = groups.sort(pk.lat)
        add[:, Col.LAT_COUNT - a0] = counts
        add[:, Col.LAT_CUR_COUNT - a0] = counts
        np.add.reduceat(lat, starts, out=add[:, Col.LAT_SUM - a0])
        add[:, Col.LAT_CUR_SUM - a0] = add[:, Col.LAT_SUM - a0]
        np.minimum.reduceat(lat, starts, out=low[:, Col.LAT_MIN - m0])
        low[:, Col.LAT_CUR_MIN - m0] = low[:, Col.LAT_MIN - m0]
        np.maximum.reduceat(lat, starts, out=high[:, Col.LAT_MAX - x0])
        high[:, Col.LAT_CUR_MAX - x0] = high[:, Col.LAT_MAX - x0]
        bucket = histogram_bucket(lat)
        hist = blk[:, Col.HIST : Col.HIST + HISTOGRAM_BUCKETS]
        if n_groups == 1:
            hist += np.bincount(bucket, minlength=HISTOGRAM_BUCKETS)
        else:
            bucket += groups.gidx * HISTOGRAM_BUCKETS
            hist += np.bincount(bucket, minlength=n_groups * HISTOGRAM_BUCKETS).reshape(
                n_groups, HISTOGRAM_BUCKETS
            )
        self._jitter(blk, groups, lat, add)
        blk[:, ADD_I] += add
        np.minimum(blk[:, MIN_I], low, out=blk[:, MIN_I])
        np.maximum(blk[:, MAX_I], high, out=blk[:, MAX_I])
        self._words[ur] = blk
        if self._mode.has_sequence:
            self._sequence(groups, pk)

    def _jitter(
        self,
        blk: NDArray[np.int64],
        groups: Groups,
        lat: NDArray[np.int64],
        add: NDArray[np.int64],
    ) -> None:
        """RFC 3550 jitter over each group, in arrival order."""
        starts, ends = groups.starts, groups.ends
        fblk = blk.view(np.float64)
        latf = lat.astype(np.float64)
        delta = np.empty_like(latf)
        np.subtract(latf[1:], latf[:-1], out=delta[1:])
        delta[starts] = latf[starts] - blk[:, Col.TRANSIT_LAST]
        np.abs(delta, out=delta)
        had = blk[:, Col.TRANSIT_VALID] == 1
        no_prev = starts[~had]
        delta[no_prev] = 0.0
        jit = segmented_ewma(
            delta, starts, groups.gidx, fblk[:, Col.JITTER], _JITTER_KEEP
        )
        if no_prev.size:
            for_sum = jit.copy()
            for_sum[no_prev] = 0.0
            for_min = jit.copy()
            for_min[no_prev] = np.inf
            for_max = jit.copy()
            for_max[no_prev] = -np.inf
        else:
            for_sum = for_min = for_max = jit
        a0 = ADD_I.start
        samples = groups.counts - ~had
        add[:, Col.JIT_COUNT - a0] = samples
        add[:, Col.JIT_CUR_COUNT - a0] = samples
        total = np.add.reduceat(for_sum, starts)
        fblk[:, ADD_F] += total[:, None]
        np.minimum(
            fblk[:, MIN_F],
            np.minimum.reduceat(for_min, starts)[:, None],
            out=fblk[:, MIN_F],
        )
        np.maximum(
            fblk[:, MAX_F],
            np.maximum.reduceat(for_max, starts)[:, None],
            out=fblk[:, MAX_F],
        )
        fblk[:, Col.JITTER] = jit[ends]
        blk[:, Col.TRANSIT_LAST] = lat[ends]
        blk[:, Col.TRANSIT_VALID] = 1

    def _sequence(self, groups: Groups, pk: _Packets) -> None:
        words = self._words
        if self._seq.has_carried:
            at = _first_at(groups)
            self._seq.go_on(words, groups.rows, pk.seq[at], pk.tx[at])
        tx = groups.sort(pk.tx)
        epoch_start = words[groups.rows, Col.EPOCH_START_TX]
        if np.count_nonzero(epoch_start != NO_TIME) == 0:
            strag = None
        else:
            strag = tx < epoch_start[groups.gidx]
            if np.count_nonzero(strag) == 0:
                strag = None
        if strag is None:
            self._seq.update(
                words, groups, groups.sort(pk.seq), tx, _group_firsts(groups, pk)
            )
            return
        late_rows = groups.rows[groups.gidx[strag]]
        np.add.at(words[:, Col.STALE], late_rows, 1)
        np.add.at(words[:, Col.SEQ_TOO_LOW], late_rows, 1)
        keep = np.flatnonzero(~strag)
        if keep.size == 0:
            return
        arrival = keep if groups.order is None else np.sort(groups.order[keep])
        rest = pk.take(arrival)
        sub = group_rows(rest.rows)
        self._seq.update(
            words, sub, sub.sort(rest.seq), sub.sort(rest.tx), _group_firsts(sub, rest)
        )


def _first_at(groups: Groups) -> NDArray[np.intp]:
    """Where each group's first packet is in the batch (arrival order)."""
    return groups.starts if groups.order is None else groups.order[groups.starts]


def _group_firsts(groups: Groups, pk: _Packets) -> NDArray[np.bool_]:
    """Whether each group's first packet has the first-packet flag."""
    flags: NDArray[np.bool_] = pk.first[_first_at(groups)]
    return flags


def _rate(total: int, mark: int, elapsed_ns: int, scale: int) -> tuple[int, int]:
    """(rate per second over the period, new mark)."""
    return round((total - mark) * scale * 1_000_000_000 / elapsed_ns), total
