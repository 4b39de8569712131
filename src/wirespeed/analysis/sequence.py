"""Sequence analysis per TID: loss, misordering, duplicates (exact semantics).

Only frames with a valid TPLD take part, per TID, in arrival order (the order of the
batch, batches in the order they are analysed). The result does not depend on how a
stream of frames is cut into batches.

**Unwrapping.** The 24-bit sequence number ``s`` of each packet is extended to a
64-bit number ``e`` by adding the signed distance, in ``[-2**23, 2**23)``, from the
previous packet of the same TID (modulo ``2**24``). So ``0xFFFFFE, 0xFFFFFF, 0, 1``
become ``0xFFFFFE .. 0x1000001``.

**Where an epoch starts.** Every start numbers a stream's frames from
:data:`EPOCH_FIRST_SEQ` (0), the first of them carrying the first-packet flag, as
wirespeed's transmitter does. So an epoch starts at that number, not at the first
one received: a flagged packet opens it at its own number, any other first packet
at 0, and the first packet ``s`` gets ``e = start + ((s - start) mod 2**24)``.
Frames lost before the first one received are missing like any others (``0`` lost,
``1`` received first: lost 1, seq too high 1).

**State.** ``low``: the epoch's first number. ``max``: the highest ``e`` seen
(``low - 1`` before any). ``unique``: the number of accepted packets. The window:
which numbers in ``(max - W, max]`` were accepted, ``W`` = ``window`` (default
65536).

**Classification** of a packet ``e``, with ``M`` the ``max`` before it:

* ``e > M``: new highest, accepted. If ``e > M + 1`` it is also a *seq too high*
  event: it jumped over ``M+1 .. e-1``, which are missing (for now).
* ``M - W < e <= M`` and ``e`` is in the window: a *duplicate*; not accepted.
* ``M - W < e <= M`` and ``e`` is not in the window: *misordered* (late); accepted.
* ``e <= M - W`` or ``e < low``: *stale*, too old to tell a late packet from a
  duplicate (or from before the epoch); not accepted (and not counted as
  misordered or duplicate).

Every packet with ``e <= M`` is a *seq too low* event, so
``seq_too_low = misordered + duplicates + stale``. An accepted packet enters the
window and updates ``unique``.

**Loss.** ``lost = lost_base + (max - low + 1) - unique``: the numbers from the
epoch's first to the highest accepted packet that have not arrived (yet). A late
packet lowers ``lost`` by one and counts as misordered, as on Xena and TRex; ``lost``
is the only counter that can decrease. Packets that never arrive after the highest one
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

**Clearing** zeroes the counters, not the receiver's place in a stream
(:meth:`SequenceTracker.carry_over`): a TID seen before the clear goes on from the
highest number it had, ``low`` the next one, so a clear while traffic runs counts
nothing lost (and a packet numbered below that, from before the clear, is stale).
Unless its first packet after the clear starts a new epoch: a flagged one sent after
every packet of the old epoch (not counted as a restart: the old epoch is not in
these counters), or one sent after the clear and numbered no higher than the old
epoch's highest, which only a new start can send (within one start, numbers grow
with the transmit time): that epoch starts at 0, its first frames lost with its
flag, and packets sent before the clear are stragglers. (A new start whose first
received number is above the old run's highest, after a run shorter than the frames
lost, is taken for the old run going on.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from wirespeed.analysis.segments import Groups
from wirespeed.analysis.table import INT64_MAX, NO_TIME, Col
from wirespeed.errors import ValidationError
from wirespeed.tpld import SEQ_MODULUS

__all__ = ["DEFAULT_WINDOW", "EPOCH_FIRST_SEQ", "SequenceTracker"]

DEFAULT_WINDOW = 1 << 16
EPOCH_FIRST_SEQ = 0
"""The number every start gives a stream's first frame."""
_FRESH, _VALID, _CARRIED = 0, 1, 2  # seq_valid: no epoch, an epoch, one from a clear
_CARRY = (Col.SEQ_LAST, Col.SEQ_MAX, Col.EPOCH_NEWEST_TX, Col.EPOCH_START_TX)
_SEQ_MASK = SEQ_MODULUS - 1
_HALF = SEQ_MODULUS >> 1
_GROUP_SPACING = np.int64(1 << 40)
_TAG_MASK = 0xFFFF


class SequenceTracker:
    """Owns the per-row receive windows and updates the sequence columns of a table.

    A row's window is its *run* ``[seq_run_lo, seq_max]`` (numbers accepted in
    order since the last irregular batch of that row, kept as two integers) plus a
    ring of ``window`` 16-bit tags for everything else: slot ``e % window`` holds
    ``(e // window) % 65536`` of the last number written there, so ``e`` was
    accepted iff its slot holds its tag (a stale slot would have to survive
    ``2**32`` sequence numbers to match by accident). In-order traffic only moves
    ``seq_max``; a row's run is written into the ring when that row first sees
    anything irregular, which is when the ring is read.

    Args:
        window: receive window size, a power of two (4 .. 2**20).
    """

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        if window < 4 or window > (1 << 20) or window & (window - 1):
            raise ValidationError("must be a power of two, 4..2**20", field="window")
        self.window = window
        self._shift = window.bit_length() - 1
        self._ring = np.zeros((0, window), dtype=np.uint16)
        self._carry_tids = np.zeros(0, dtype=np.int64)
        self._carry = np.zeros((0, len(_CARRY)), dtype=np.int64)
        self._cleared_ns = INT64_MAX
        self._pending = 0  # rows carried over a clear that have not gone on yet

    def clear(self) -> None:
        """Drop all windows."""
        self._ring = np.zeros((0, self.window), dtype=np.uint16)

    @property
    def has_carried(self) -> bool:
        """Some rows still hold a place carried over a clear (see :meth:`go_on`)."""
        return self._pending > 0

    def carry_over(
        self, words: NDArray[np.int64], tids: NDArray[np.int64], now_ns: int
    ) -> None:
        """Remember where each TID's sequence is before the table is cleared at
        ``now_ns`` (what was remembered at an earlier clear stays for TIDs not
        seen since); :meth:`resume` gives it back to their new rows.

        Args:
            words: the rows in use, as a 2-D int64 array (see ``table.Col``).
            tids: the TID of each of these rows.
            now_ns: when the clear happens (the transmitters' clock).
        """
        seen = words[:, Col.SEQ_VALID] != _FRESH
        new_tids = tids[seen].astype(np.int64)
        older = ~np.isin(self._carry_tids, new_tids)
        all_tids = np.concatenate([self._carry_tids[older], new_tids])
        state = np.concatenate([self._carry[older], words[seen][:, _CARRY]])
        order = np.argsort(all_tids)
        self._carry_tids, self._carry = all_tids[order], state[order]
        self._cleared_ns = now_ns
        self._pending = 0

    def resume(
        self, words: NDArray[np.int64], rows: NDArray[np.intp], tids: NDArray[np.int64]
    ) -> None:
        """Give new rows the place in their sequence carried over a clear."""
        if self._carry_tids.size == 0:
            return
        at = np.searchsorted(self._carry_tids, tids)
        at[at == self._carry_tids.size] = 0
        hit = self._carry_tids[at] == tids
        for col, values in zip(_CARRY, self._carry[at[hit]].T, strict=True):
            words[rows[hit], col] = values
        words[rows[hit], Col.SEQ_VALID] = _CARRIED
        self._pending += int(np.count_nonzero(hit))

    def _ensure(self, n_rows: int) -> None:
        have = self._ring.shape[0]
        if n_rows > have:
            grown = np.zeros((max(n_rows, 2 * have, 8), self.window), dtype=np.uint16)
            grown[:have] = self._ring
            self._ring = grown

    def maybe_restart(self, words: NDArray[np.int64], row: int, tx_ns: int) -> None:
        """Handle a packet with the first-packet flag (see the module docstring).

        Args:
            words: the TID table as a 2-D int64 array (see ``table.Col``).
            row: the packet's row.
            tx_ns: the packet's reconstructed transmit time.
        """
        state = words[row]
        if state[Col.SEQ_VALID] != _FRESH:
            if tx_ns <= state[Col.EPOCH_NEWEST_TX]:
                return
            if state[Col.SEQ_VALID] == _VALID:
                state[Col.LOST_BASE] = state[Col.LOST]
                state[Col.RESTARTS] += 1
            else:  # a new start after a clear: the old epoch is gone
                self._pending -= 1
            state[Col.SEQ_VALID] = _FRESH
        state[Col.EPOCH_START_TX] = tx_ns

    def stragglers(
        self, words: NDArray[np.int64], rows: NDArray[np.intp], tx_ns: NDArray[np.int64]
    ) -> NDArray[np.bool_]:
        """Packets sent before the first packet of their row's flagged epoch."""
        start: NDArray[np.int64] = words[rows, Col.EPOCH_START_TX]
        return tx_ns < start

    def update(
        self,
        words: NDArray[np.int64],
        groups: Groups,
        seq: NDArray[np.int64],
        tx_ns: NDArray[np.int64],
        flagged: NDArray[np.bool_],
    ) -> None:
        """Classify a grouped batch and update the sequence columns.

        Args:
            words: the TID table as a 2-D int64 array (see ``table.Col``).
            groups: the batch grouped by row.
            seq: 24-bit sequence numbers, in group order.
            tx_ns: reconstructed transmit times, in group order.
            flagged: whether each group's first packet has the first-packet flag.
        """
        ur, starts = groups.rows, groups.starts
        self._ensure(int(ur[-1]) + 1)
        blk = words[ur]
        self._start_fresh(blk, ur, seq[starts], flagged)
        last = blk[:, Col.SEQ_LAST]
        high = blk[:, Col.SEQ_MAX]
        prev = np.empty_like(seq)
        prev[1:] = seq[:-1]
        prev[starts] = last & _SEQ_MASK
        step = ((seq - prev + _HALF) & _SEQ_MASK) - _HALF
        if np.count_nonzero(step != 1) == 0 and np.count_nonzero(last != high) == 0:
            self._in_order(blk, groups)
        else:
            self._general(blk, groups, step)
        blk[:, Col.EPOCH_NEWEST_TX] = np.maximum(
            blk[:, Col.EPOCH_NEWEST_TX], np.maximum.reduceat(tx_ns, starts)
        )
        blk[:, Col.LOST] = (
            blk[:, Col.LOST_BASE]
            + (blk[:, Col.SEQ_MAX] - blk[:, Col.SEQ_LOW] + 1)
            - blk[:, Col.SEQ_UNIQUE]
        )
        words[ur] = blk

    def _in_order(self, blk: NDArray[np.int64], groups: Groups) -> None:
        """Every packet is the next number of its row: all new, no events. The
        rows' runs grow; the windows need no writes."""
        counts = groups.counts
        high = blk[:, Col.SEQ_MAX]
        blk[:, Col.SEQ_UNIQUE] += counts
        blk[:, Col.SEQ_LAST] = high + counts
        blk[:, Col.SEQ_MAX] = high + counts

    def _general(
        self, blk: NDArray[np.int64], groups: Groups, step: NDArray[np.int64]
    ) -> None:
        """Any order: unwrap, running max, classification, window updates."""
        ur, starts, gidx = groups.rows, groups.starts, groups.gidx
        last = blk[:, Col.SEQ_LAST]
        cs = np.cumsum(step)
        base = last - (cs[starts] - step[starts])
        ext = cs + base[gidx]
        rel = ext - blk[:, Col.SEQ_MAX][gidx]
        new_high, too_high, stale, key = _running_max_classes(rel, groups, self.window)
        stale |= ext < blk[:, Col.SEQ_LOW][gidx]  # before the epoch (or a clear)

        def per_group(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
            counts: NDArray[np.int64] = np.add.reduceat(mask, starts, dtype=np.int64)
            return counts

        n_high = per_group(new_high)
        n_too_high = per_group(too_high)
        # Rows whose packets were all "next number" keep their run; the others
        # get their run written into the window, which the duplicate test reads.
        messy = np.flatnonzero((n_high != groups.counts) | (n_too_high != 0))
        self._materialize(
            ur[messy], blk[messy, Col.SEQ_RUN_LO], blk[messy, Col.SEQ_MAX]
        )
        dup = self._duplicates(ur, gidx, ext, key, new_high, stale)
        late = ~new_high & ~stale & ~dup
        accepted = new_high | late
        blk[:, Col.SEQ_TOO_HIGH] += n_too_high
        blk[:, Col.SEQ_TOO_LOW] += groups.counts - n_high
        blk[:, Col.DUPLICATES] += per_group(dup)
        blk[:, Col.MISORDERED] += per_group(late)
        blk[:, Col.STALE] += per_group(stale)
        blk[:, Col.SEQ_UNIQUE] += per_group(accepted)
        blk[:, Col.SEQ_MAX] += np.maximum(np.maximum.reduceat(rel, starts), 0)
        blk[:, Col.SEQ_LAST] = ext[groups.ends]
        if messy.size:
            blk[messy, Col.SEQ_RUN_LO] = blk[messy, Col.SEQ_MAX] + 1
            in_messy = np.zeros(ur.shape[0], dtype=bool)
            in_messy[messy] = True
            write = accepted & in_messy[gidx]
            self._remember(ur, ext[write], gidx[write], blk[:, Col.SEQ_MAX])

    def _materialize(
        self, rows: NDArray[np.intp], run_lo: NDArray[np.int64], high: NDArray[np.int64]
    ) -> None:
        """Write each row's run ``[run_lo, high]`` (within the window) into the
        window ring."""
        window = self.window
        lo = np.maximum(run_lo, high - window + 1)
        lengths = np.maximum(high - lo + 1, 0)
        total = int(lengths.sum())
        if total == 0:
            return
        first_at = np.cumsum(lengths) - lengths
        ext = np.repeat(lo - first_at, lengths) + np.arange(total, dtype=np.int64)
        base = np.repeat(rows.astype(np.int64) * window, lengths)
        flat = self._ring.reshape(-1)
        flat[base + (ext & (window - 1))] = (ext >> self._shift) & _TAG_MASK

    def _remember(
        self,
        ur: NDArray[np.intp],
        ext: NDArray[np.int64],
        gidx: NDArray[np.intp],
        new_max: NDArray[np.int64],
    ) -> None:
        """Mark accepted numbers that are inside their row's final window."""
        window = self.window
        keep = ext > new_max[gidx] - window
        if np.count_nonzero(keep) != keep.shape[0]:
            ext, gidx = ext[keep], gidx[keep]
        flat = self._ring.reshape(-1)
        flat[ur[gidx] * window + (ext & (window - 1))] = (
            ext >> self._shift
        ) & _TAG_MASK

    def _start_fresh(
        self,
        blk: NDArray[np.int64],
        ur: NDArray[np.intp],
        first_seq: NDArray[np.int64],
        flagged: NDArray[np.bool_],
    ) -> None:
        """Open an epoch in the rows that have none: at the first packet's number if
        it is flagged, else at :data:`EPOCH_FIRST_SEQ`."""
        fresh = blk[:, Col.SEQ_VALID] == _FRESH
        if np.count_nonzero(fresh) == 0:
            return
        s0 = first_seq[fresh]
        start = np.where(flagged[fresh], s0, EPOCH_FIRST_SEQ)
        rows = blk[fresh]
        rows[:, Col.SEQ_VALID] = _VALID
        rows[:, Col.SEQ_LAST] = start + ((s0 - start) & _SEQ_MASK) - 1
        rows[:, Col.SEQ_MAX] = start - 1
        rows[:, Col.SEQ_RUN_LO] = start
        rows[:, Col.SEQ_LOW] = start
        rows[:, Col.SEQ_UNIQUE] = 0
        rows[:, Col.EPOCH_NEWEST_TX] = NO_TIME
        blk[fresh] = rows
        self._fill(ur[fresh], start)

    def go_on(
        self,
        words: NDArray[np.int64],
        rows: NDArray[np.intp],
        s0: NDArray[np.int64],
        tx0: NDArray[np.int64],
    ) -> None:
        """Settle rows carried over a clear by their first packet since (``s0``
        sent at ``tx0``, one per row): on from the number after their highest, or
        a new epoch at 0 when that packet can only be from a new start (see the
        module docstring). Other rows are left alone.

        Args:
            words: the TID table as a 2-D int64 array (see ``table.Col``).
            rows: rows that received packets.
            s0: the 24-bit sequence number of each row's first packet.
            tx0: its reconstructed transmit time.
        """
        carried = words[rows, Col.SEQ_VALID] == _CARRIED
        if np.count_nonzero(carried) == 0:
            return
        rows, s0, tx0 = rows[carried], s0[carried], tx0[carried]
        self._pending -= rows.size
        self._ensure(int(rows.max()) + 1)
        blk = words[rows]
        last, high = blk[:, Col.SEQ_LAST], blk[:, Col.SEQ_MAX]
        ext = last + ((s0 - (last & _SEQ_MASK) + _HALF) & _SEQ_MASK) - _HALF
        restarted = (tx0 > self._cleared_ns) & (ext <= high)
        blk[restarted, Col.SEQ_VALID] = _FRESH
        blk[restarted, Col.EPOCH_START_TX] = self._cleared_ns
        on = ~restarted
        blk[on, Col.SEQ_VALID] = _VALID
        blk[on, Col.SEQ_RUN_LO] = high[on] + 1
        blk[on, Col.SEQ_LOW] = high[on] + 1
        blk[on, Col.SEQ_UNIQUE] = 0
        words[rows] = blk
        self._fill(rows[on], high[on] + 1)

    def _fill(self, rows: NDArray[np.intp], start: NDArray[np.int64]) -> None:
        """Empty the windows of ``rows``: a tag no number near ``start`` has."""
        fill = ((start >> self._shift) + 0x8000) & _TAG_MASK
        self._ring[rows] = fill.astype(np.uint16)[:, None]

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
