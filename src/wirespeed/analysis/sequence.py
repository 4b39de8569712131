"""Sequence analysis per TID: loss, misordering, duplicates (exact semantics).

Only frames with a valid TPLD take part, per TID, in arrival order (the order of the
batch, batches in the order they are analysed). The result does not depend on how a
stream of frames is cut into batches.

**Unwrapping.** The 24-bit sequence number ``s`` of each packet is extended to a
64-bit number ``e`` by adding the signed distance, in ``[-2**23, 2**23)``, from the
previous packet of the same TID (modulo ``2**24``). The first packet of an epoch gets
``e = s``. So ``0xFFFFFE, 0xFFFFFF, 0, 1`` become ``0xFFFFFE .. 0x1000001``.

**State.** ``max``: the highest ``e`` seen. ``low``: the lowest accepted ``e``.
``unique``: the number of accepted packets. The window: which numbers in
``(max - W, max]`` were accepted, ``W`` = ``window`` (default 65536).

**Classification** of a packet ``e``, with ``M`` the ``max`` before it:

* ``e > M``: new highest, accepted. If ``e > M + 1`` it is also a *seq too high*
  event: it jumped over ``M+1 .. e-1``, which are missing (for now).
* ``M - W < e <= M`` and ``e`` is in the window: a *duplicate*; not accepted.
* ``M - W < e <= M`` and ``e`` is not in the window: *misordered* (late); accepted.
* ``e <= M - W``: *stale*, too old to tell a late packet from a duplicate; not
  accepted (and not counted as misordered or duplicate).

Every packet with ``e <= M`` is a *seq too low* event, so
``seq_too_low = misordered + duplicates + stale``. An accepted packet enters the
window and updates ``unique`` and ``low``.

**Loss.** ``lost = lost_base + (max - low + 1) - unique``: the numbers between the
lowest and the highest accepted packet that have not arrived (yet). A late packet
lowers ``lost`` by one and counts as misordered, as on Xena and TRex; ``lost`` is the
only counter that can decrease. Packets that never arrive after the highest one
received cannot be counted (nothing says they were sent). All other counters only
grow until the analyzer is cleared.

Examples, one TID: ``0..99`` with three dropped: lost 3. ``0..99`` with 50 and 51
swapped: seq too high 1, misordered 1, seq too low 1, lost 0. ``0..99`` with one
packet sent twice: duplicates 1, seq too low 1, lost 0.

**Epochs.** A packet with the first-packet flag whose transmit time is later than
that of every packet of the current epoch (traffic was restarted, numbering starts
again) opens a new epoch: the old epoch's loss is frozen into ``lost_base``, the
state restarts at this packet and ``restarts`` grows by one. A flagged packet that is
not newer (a duplicate or a reordered first packet) is classified as above. Packets
sent before the first packet of a flagged epoch (stragglers of an earlier run) are
counted as stale. Transmit times are reconstructed as ``rx_ns - latency``, which is
exact while latencies stay within +-34 s.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from wirespeed.analysis.segments import Groups
from wirespeed.analysis.table import INT64_MAX, NO_TIME
from wirespeed.errors import ValidationError
from wirespeed.tpld import SEQ_MODULUS

__all__ = ["DEFAULT_WINDOW", "SequenceTracker"]

DEFAULT_WINDOW = 1 << 16
_SEQ_MASK = SEQ_MODULUS - 1
_HALF = SEQ_MODULUS >> 1
_GROUP_SPACING = np.int64(1 << 40)
_TAG_MASK = 0xFFFF


class SequenceTracker:
    """Owns the per-row receive windows and updates the sequence columns of a table.

    The window of a row is a ring of ``window`` 16-bit tags: slot ``e % window``
    holds ``(e // window) % 65536`` of the last accepted number that used it, so
    ``e`` was accepted iff its slot holds its tag (a stale slot would have to
    survive ``2**32`` sequence numbers to match by accident).

    Args:
        window: receive window size, a power of two (4 .. 2**20).
    """

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        if window < 4 or window > (1 << 20) or window & (window - 1):
            raise ValidationError("must be a power of two, 4..2**20", field="window")
        self.window = window
        self._shift = window.bit_length() - 1
        self._ring = np.zeros((0, window), dtype=np.uint16)

    def clear(self) -> None:
        """Drop all windows."""
        self._ring = np.zeros((0, self.window), dtype=np.uint16)

    def _ensure(self, n_rows: int) -> None:
        have = self._ring.shape[0]
        if n_rows > have:
            grown = np.zeros((max(n_rows, 2 * have, 8), self.window), dtype=np.uint16)
            grown[:have] = self._ring
            self._ring = grown

    def maybe_restart(self, table: NDArray[np.void], row: int, tx_ns: int) -> None:
        """Handle a packet with the first-packet flag (see the module docstring)."""
        if table["seq_valid"][row]:
            if tx_ns <= table["epoch_newest_tx"][row]:
                return
            table["lost_base"][row] = table["lost"][row]
            table["seq_valid"][row] = 0
            table["restarts"][row] += 1
        table["epoch_start_tx"][row] = tx_ns

    def stragglers(
        self, table: NDArray[np.void], rows: NDArray[np.intp], tx_ns: NDArray[np.int64]
    ) -> NDArray[np.bool_]:
        """Packets sent before the first packet of their row's flagged epoch."""
        start: NDArray[np.int64] = table["epoch_start_tx"][rows]
        return tx_ns < start

    def update(
        self,
        table: NDArray[np.void],
        groups: Groups,
        seq: NDArray[np.int64],
        tx_ns: NDArray[np.int64],
    ) -> None:
        """Classify a grouped batch and update the table's sequence columns.

        Args:
            table: the TID table (``TID_DTYPE``).
            groups: the batch grouped by row.
            seq: 24-bit sequence numbers, in group order.
            tx_ns: reconstructed transmit times, in group order.
        """
        ur, starts = groups.rows, groups.starts
        self._ensure(int(ur.max()) + 1)
        self._start_fresh(table, ur, seq[starts])
        ext, rel = self._unwrap(table, groups, seq)
        new_high, too_high, stale, key = _running_max_classes(rel, groups, self.window)
        dup = self._duplicates(ur, groups.gidx, ext, key, new_high, stale)
        late = ~new_high & ~stale & ~dup
        accepted = new_high | late

        def per_group(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
            counts: NDArray[np.int64] = np.add.reduceat(mask, starts, dtype=np.int64)
            return counts

        n_high = per_group(new_high)
        table["seq_too_high"][ur] += per_group(too_high)
        table["seq_too_low"][ur] += groups.counts - n_high
        table["duplicates"][ur] += per_group(dup)
        table["misordered"][ur] += per_group(late)
        table["stale"][ur] += per_group(stale)
        table["seq_unique"][ur] += per_group(accepted)
        low_in = np.where(accepted, ext, INT64_MAX)
        table["seq_low"][ur] = np.minimum(
            table["seq_low"][ur], np.minimum.reduceat(low_in, starts)
        )
        new_max = table["seq_max"][ur] + np.maximum(np.maximum.reduceat(rel, starts), 0)
        table["seq_max"][ur] = new_max
        table["seq_last"][ur] = ext[groups.ends]
        table["epoch_newest_tx"][ur] = np.maximum(
            table["epoch_newest_tx"][ur], np.maximum.reduceat(tx_ns, starts)
        )
        table["lost"][ur] = (
            table["lost_base"][ur]
            + (new_max - table["seq_low"][ur] + 1)
            - table["seq_unique"][ur]
        )
        acc_ext = ext[accepted]
        acc_gidx = groups.gidx[accepted]
        keep = acc_ext > new_max[acc_gidx] - self.window
        acc_ext = acc_ext[keep]
        self._ring[ur[acc_gidx[keep]], acc_ext & (self.window - 1)] = (
            acc_ext >> self._shift
        ) & _TAG_MASK

    def _start_fresh(
        self,
        table: NDArray[np.void],
        ur: NDArray[np.intp],
        first_seq: NDArray[np.int64],
    ) -> None:
        fresh = table["seq_valid"][ur] == 0
        if not fresh.any():
            return
        rows = ur[fresh]
        s0 = first_seq[fresh]
        table["seq_valid"][rows] = 1
        table["seq_last"][rows] = s0
        table["seq_max"][rows] = s0 - 1
        table["seq_low"][rows] = INT64_MAX
        table["seq_unique"][rows] = 0
        table["epoch_newest_tx"][rows] = NO_TIME
        fill = ((s0 >> self._shift) + 0x8000) & _TAG_MASK
        self._ring[rows] = fill.astype(np.uint16)[:, None]

    def _unwrap(
        self, table: NDArray[np.void], groups: Groups, seq: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Extended numbers and their distance above each row's previous max."""
        ur, starts, gidx = groups.rows, groups.starts, groups.gidx
        last = table["seq_last"][ur]
        prev = np.empty_like(seq)
        prev[1:] = seq[:-1]
        prev[starts] = last & _SEQ_MASK
        step = ((seq - prev + _HALF) & _SEQ_MASK) - _HALF
        cs = np.cumsum(step)
        base = last - (cs[starts] - step[starts])
        ext = cs + base[gidx]
        rel = ext - table["seq_max"][ur][gidx]
        return ext, rel

    def _duplicates(
        self,
        ur: NDArray[np.intp],
        gidx: NDArray[np.intp],
        ext: NDArray[np.int64],
        key: NDArray[np.int64],
        new_high: NDArray[np.bool_],
        stale: NDArray[np.bool_],
    ) -> NDArray[np.bool_]:
        """Candidates (not new, not stale) already received: in the window or
        earlier in this batch."""
        dup = np.zeros(ext.shape[0], dtype=bool)
        cand = np.flatnonzero(~new_high & ~stale)
        if cand.size == 0:
            return dup
        c_ext = ext[cand]
        in_ring = (
            self._ring[ur[gidx[cand]], c_ext & (self.window - 1)]
            == (c_ext >> self._shift) & _TAG_MASK
        )
        # New-highest keys grow within a group and groups are spaced apart, so they
        # are globally sorted: a binary search finds earlier copies among them.
        high_keys = key[new_high]
        c_key = key[cand]
        pos = np.minimum(np.searchsorted(high_keys, c_key), max(high_keys.size - 1, 0))
        in_batch = (
            high_keys[pos] == c_key if high_keys.size else np.zeros(cand.size, bool)
        )
        order = np.argsort(c_key, kind="stable")
        sorted_keys = c_key[order]
        repeat = np.zeros(cand.size, dtype=bool)
        repeat[order[1:]] = sorted_keys[1:] == sorted_keys[:-1]
        dup[cand] = in_ring | in_batch | repeat
        return dup


def _running_max_classes(
    rel: NDArray[np.int64], groups: Groups, window: int
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.int64]]:
    """New-highest, seq-too-high and stale masks from a per-group running max.

    ``rel`` is each packet's number minus its row's max before the batch. Adding a
    per-group offset makes one global ``maximum.accumulate`` restart at each group.
    """
    lo, hi = int(rel.min()), int(rel.max())
    if max(-lo, hi) < (1 << 38):
        offset = groups.gidx.astype(np.int64) * _GROUP_SPACING
        key = rel + offset
        acc = np.maximum.accumulate(key)
        prev_max = np.empty_like(rel)
        prev_max[0] = 0
        prev_max[1:] = acc[:-1] - offset[1:]
        np.maximum(prev_max, 0, out=prev_max)
    else:  # absurd jumps (garbage sequence numbers): per group, no offsets
        prev_max = np.empty_like(rel)
        for start, end in zip(groups.starts, groups.ends, strict=True):
            part = np.maximum.accumulate(rel[start : end + 1])
            prev_max[start] = 0
            prev_max[start + 1 : end + 1] = np.maximum(part[:-1], 0)
        # distinct, sorted keys per group are still needed for duplicate search
        key = _fallback_keys(rel, groups)
    new_high = rel > prev_max
    too_high = rel > prev_max + 1
    stale = rel <= prev_max - window
    return new_high, too_high, stale, key


def _fallback_keys(rel: NDArray[np.int64], groups: Groups) -> NDArray[np.int64]:
    """Keys for duplicate search when offsets cannot separate the groups.

    Ranks ``(group, rel)`` pairs densely: equal pairs share a key and keys increase
    with the group and, within a group, with ``rel``.
    """
    order = np.lexsort((rel, groups.gidx))
    g_sorted = groups.gidx[order]
    r_sorted = rel[order]
    change = np.ones(rel.shape[0], dtype=np.int64)
    change[1:] = (g_sorted[1:] != g_sorted[:-1]) | (r_sorted[1:] != r_sorted[:-1])
    ranks = np.cumsum(change)
    key = np.empty_like(rel)
    key[order] = ranks
    return key
