"""wirespeed's own impairer: a process in the DUT namespace that forwards frames.

Used where the kernel has no ``tc netem``. Frames arriving on the DUT's interface
towards the sending port (``a``) are impaired (:mod:`wirespeed.dut.engine`) and sent
out of the interface towards the receiving port (``b``) when due; frames from ``b``
go back to ``a`` untouched. Both ways use the data plane's batch sockets: a receive
ring per interface and one ``sendmmsg`` per batch. VLAN tags the kernel moved into
metadata are put back in the frame.

Its counters (shared memory, :data:`COUNTER_NAMES`) are what it really did, the
ground truth the analyzer's counts are checked against: frames received, sent,
dropped, duplicated, corrupted (and how many of those flips hit the last
``tail_bytes`` of the frame, where a TPLD is), sent at once by ``reorder``, sent
after a frame that arrived later ("late"), and dropped because the delay queue was
full (its ``limit``, as netem's).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane.afpacket import RxBatch, RxRing, TxSocket
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.ingress import hold_ingress
from wirespeed.dut.engine import Decisions, ImpairmentEngine
from wirespeed.dut.spec import Impairment

__all__ = ["COUNTER_NAMES", "DelayQueue", "DutOptions", "run_dut"]

COUNTER_NAMES = (
    "received",
    "sent",
    "dropped",
    "duplicated",
    "corrupted",
    "corrupted_tail",
    "reordered",
    "late",
    "queue_full",
    "reverse",
)
_C = {name: i for i, name in enumerate(COUNTER_NAMES)}
_PUBLISH_NS = 20_000_000
I64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DutOptions:
    """How the impairer runs.

    Attributes:
        netns: the DUT namespace.
        a: interface towards the sending port (impaired direction: a -> b).
        b: interface towards the receiving port.
        imp: the impairment.
        seed: random seed (None: fresh entropy).
        limit: frames the delay queue holds (netem's ``limit``).
        tail_bytes: flips in this many last bytes of a frame are counted apart.
        snap: largest frame forwarded, bytes.
    """

    netns: str
    a: str
    b: str
    imp: Impairment
    seed: int | None = None
    limit: int = 20_000
    tail_bytes: int = 20
    snap: int = 9238


class DelayQueue:
    """Frames waiting for their release time, in a preallocated buffer.

    Args:
        limit: frames it holds; frames beyond are refused (dropped).
        snap: bytes per frame slot.
    """

    def __init__(self, limit: int, snap: int) -> None:
        self._data = np.zeros((limit, snap), dtype=np.uint8)
        self._len = np.zeros(limit, dtype=np.int64)
        self._release = np.full(limit, np.iinfo(np.int64).max, dtype=np.int64)
        self._arrival = np.zeros(limit, dtype=np.int64)
        self._free = list(range(limit - 1, -1, -1))
        self.snap = snap

    def __len__(self) -> int:
        return len(self._len) - len(self._free)

    def add(
        self,
        frames: npt.NDArray[np.uint8],
        lengths: I64Array,
        release_ns: I64Array,
        arrival: I64Array,
    ) -> int:
        """Queue frames (rows of ``frames``); returns how many did not fit."""
        n = min(len(lengths), len(self._free))
        if n:
            slots = np.array([self._free.pop() for _ in range(n)], dtype=np.int64)
            width = min(frames.shape[1], self.snap)
            self._data[slots, :width] = frames[:n, :width]
            self._len[slots] = np.minimum(lengths[:n], self.snap)
            self._release[slots] = release_ns[:n]
            self._arrival[slots] = arrival[:n]
        return len(lengths) - n

    def next_release_ns(self) -> int | None:
        """When the earliest queued frame is due (None: the queue is empty)."""
        if not len(self):
            return None
        return int(self._release.min())

    def pop_due(self, now_ns: int) -> tuple[I64Array, I64Array, I64Array]:
        """Slots of the frames due by ``now_ns`` in release order, their lengths and
        arrival numbers. The slots stay readable until the next :meth:`add`."""
        due = np.flatnonzero(self._release <= now_ns)
        if len(due):
            due = due[np.lexsort((self._arrival[due], self._release[due]))]
            self._release[due] = np.iinfo(np.int64).max
            self._free.extend(int(s) for s in due[::-1])
        return due, self._len[due], self._arrival[due]

    def addresses(self, slots: I64Array) -> npt.NDArray[np.uint64]:
        """Memory addresses of these slots (for ``sendmmsg``)."""
        base = np.uint64(self._data.ctypes.data)
        return base + slots.astype(np.uint64) * np.uint64(self._data.strides[0])


def with_vlan_tags(batch: RxBatch) -> tuple[npt.NDArray[np.uint8], I64Array]:
    """The frames of ``batch`` as they were on the wire (VLAN tags put back)."""
    if not batch.vlan_stripped.any():
        return batch.data, batch.lengths
    n, width = batch.data.shape
    out = np.zeros((n, width + 4), dtype=np.uint8)
    plain = ~batch.vlan_stripped
    out[plain, :width] = batch.data[plain]
    tagged = np.flatnonzero(batch.vlan_stripped)
    out[tagged, :12] = batch.data[tagged, :12]
    tag = (batch.vlan_tpid[tagged].astype(np.uint32) << 16) | batch.vlan_tci[tagged]
    out[tagged, 12:16] = tag.astype(">u4").view(np.uint8).reshape(-1, 4)
    out[tagged, 16:] = batch.data[tagged, 12:]
    return out, batch.lengths + np.where(batch.vlan_stripped, 4, 0)


class _Impairer:
    def __init__(self, opts: DutOptions, counters: CounterBlock) -> None:
        self.opts = opts
        self.counters = counters
        self.engine = ImpairmentEngine(opts.imp, opts.seed)
        self.queue = DelayQueue(min(opts.limit, (256 << 20) // opts.snap), opts.snap)
        self.rx_a = RxRing(opts.a, frame_size=16384, frame_count=4096)
        self.rx_b = RxRing(opts.b, frame_size=16384, frame_count=4096)
        self.tx_a = TxSocket(opts.a)
        self.tx_b = TxSocket(opts.b)
        self.count = np.zeros(len(COUNTER_NAMES), dtype=np.int64)
        self.arrivals = 0
        self.latest_sent = -1
        self.last_pub = 0
        # delayed frames may be taken late (their release is fixed by their
        # arrival time); frames without a delay wait at most this long
        delay_ns = opts.imp.delay_s * 1e9
        self.tick_ns = int(min(1_000_000, max(100_000, delay_ns / 4)))

    def close(self) -> None:
        for s in (self.rx_a, self.rx_b, self.tx_a, self.tx_b):
            s.close()

    def impair(self, batch: RxBatch) -> None:
        frames, lengths = with_vlan_tags(batch)
        d: Decisions = self.engine.decide(lengths, batch.ts_ns)
        c = self.count
        c[_C["received"]] += len(lengths)
        c[_C["dropped"]] += d.dropped
        c[_C["duplicated"]] += d.duplicated
        c[_C["reordered"]] += d.immediate
        out = frames[d.source]
        flips = np.flatnonzero(d.flip_byte >= 0)
        if len(flips):
            out[flips, d.flip_byte[flips]] ^= d.flip_mask[flips]
            tail = d.flip_byte[flips] >= lengths[d.source[flips]] - self.opts.tail_bytes
            c[_C["corrupted"]] += len(flips)
            c[_C["corrupted_tail"]] += int(np.count_nonzero(tail))
        arrival = self.arrivals + d.source
        self.arrivals += len(lengths)
        refused = self.queue.add(out, lengths[d.source], d.release_ns, arrival)
        c[_C["queue_full"]] += refused

    def release(self, now_ns: int) -> None:
        slots, lengths, arrival = self.queue.pop_due(now_ns)
        if not len(slots):
            return
        addrs = self.queue.addresses(slots)
        sent = self.tx_b.send_pieces(addrs[:, None], lengths[:, None])
        c = self.count
        c[_C["sent"]] += sent
        before = np.maximum.accumulate(np.concatenate([[self.latest_sent], arrival]))
        c[_C["late"]] += int(np.count_nonzero(arrival < before[:-1]))
        self.latest_sent = int(before[-1])

    def reverse(self, batch: RxBatch) -> None:
        frames, lengths = with_vlan_tags(batch)
        self.count[_C["reverse"]] += self.tx_a.send_rows(
            np.ascontiguousarray(frames), lengths
        )

    def publish(self, force: bool = False) -> None:
        now = time.monotonic_ns()
        if force or now - self.last_pub >= _PUBLISH_NS:
            with self.counters.writing() as w:
                w[: len(self.count)] = self.count
            self.last_pub = now

    def run(self, conn: Connection) -> None:
        """Forward until told to stop.

        Arrivals are taken every :attr:`tick_ns` (their release times come from
        the kernel's arrival timestamps, so a delayed frame leaves when due however
        late it was taken); frames are released as soon as they are due.
        """
        while not conn.poll(0):
            now = time.time_ns()
            while (batch := self.rx_a.read(4096)) is not None:
                self.impair(batch)
            while (batch := self.rx_b.read(4096)) is not None:
                self.reverse(batch)
            self.release(time.time_ns())
            self.publish()
            wake = now + self.tick_ns
            nxt = self.queue.next_release_ns()
            if nxt is not None:
                wake = min(wake, nxt)
            delay = wake - time.time_ns()
            if delay > 0:
                time.sleep(delay / 1e9)
        conn.recv()
        self.publish(force=True)


def run_dut(opts: DutOptions, counter_name: str, conn: Connection) -> None:
    """Entry point of the impairer process (enters the DUT namespace)."""
    from wirespeed.dataplane.netns import enter_netns

    enter_netns(opts.netns)
    counters = CounterBlock(len(COUNTER_NAMES), name=counter_name)
    imp = _Impairer(opts, counters)
    # the impairer forwards what its rings take: nothing is for the DUT's own stack
    holds = [hold_ingress(opts.a), hold_ingress(opts.b)]
    conn.send(("ready", os.getpid()))
    try:
        imp.run(conn)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        for hold in holds:
            if hold is not None:
                hold.close()
        imp.publish(force=True)
        imp.close()
        counters.close()
