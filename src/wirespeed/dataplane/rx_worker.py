"""The receive worker: one process per port that drains the RX ring and analyses.

Every frame that arrives on the port is counted; frames with a valid TPLD are
analysed per TID (loss, misorder, duplicates, latency, jitter) by
:class:`wirespeed.analysis.Analyzer`. The port words and the analyzer's table are
published in a :class:`CounterBlock` (the table is copied in as raw int64 words).

Port words (absolute, never reset: a clear only resets the per-TID analysis):
see the ``RX_*`` constants.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.analysis import RxAnalyzer, TidStats, analyzer_dtype
from wirespeed.dataplane.afpacket import RxRing
from wirespeed.dataplane.collector import Collector
from wirespeed.dataplane.commands import CommandPoller
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.ingress import hold_ingress
from wirespeed.tpld import TpldMode

__all__ = [
    "MAX_TIDS",
    "RX_PORT_WORDS",
    "run_rx_worker",
    "rx_words",
    "shift_latency",
    "table_tid_stats",
    "table_tids",
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
_PUBLISH_NS = 20_000_000  # publish at least every 20 ms while frames flow
_RING_BYTES = 96 << 20
"""Receive ring size: at 2 KiB a slot, 49152 frames, a quarter second of a port
sending flat out, for a receiver that shares its cores with busy senders."""
_SMALL_BATCH = 4096
_GATHER_FRAMES = 2048
_GATHER_MIN_S = 0.002
_GATHER_MAX_S = 0.010
"""A read of fewer than ``_SMALL_BATCH`` frames means the worker has about caught
up: it then lets frames gather before it reads again, for as long as about
``_GATHER_FRAMES`` take to arrive at the rate of the last drain, at least
``_GATHER_MIN_S`` and at most ``_GATHER_MAX_S``, and never longer than a quarter of
the ring takes to fill. Analysing a batch costs a few hundred microseconds of numpy
calls whatever its size, so a worker that read again at once kept itself busy: at
0.6 Mpps it read 230-260 frames at a time, 1.2-1.3 us of analysis each, and used all
of its core; gathering 2 ms, it reads about 2000 at a time, 0.29 us each. At the
demo's 130-150 kpps a port, 2 ms gathered only ~300 frames (~1.3 us of analysis
each): the four RX workers took 0.66 of a core, 0.49 with 10 ms, which left the
senders enough to reach their rates. The wait changes no figure (the timestamps are
the kernel's); counts are published at most ~30 ms late."""
_DTYPE = analyzer_dtype(MAX_TIDS)
# analyzer port-record field behind each absolute port word
_FROM_ANALYZER = (
    (RX_PACKETS, "packets"),
    (RX_BYTES, "bytes"),
    (RX_TPLD_PACKETS, "tpld_packets"),
    (RX_NOTPLD_PACKETS, "non_tpld_packets"),
    (RX_NOTPLD_BYTES, "non_tpld_bytes"),
    (RX_TPLD_ERRORS, "tpld_checksum_errors"),
)


def rx_words() -> int:
    """Size of an RX counter block."""
    return RX_PORT_WORDS + (_DTYPE.itemsize + 7) // 8


def _record(words: npt.NDArray[np.int64]) -> Any:
    raw = words[RX_PORT_WORDS:].view(np.uint8)[: _DTYPE.itemsize]
    return np.frombuffer(raw, dtype=_DTYPE, count=1)[0]


def table_tids(words: npt.NDArray[np.int64]) -> list[int]:
    """TIDs present in a published RX block, in order of first sight."""
    rec = _record(words)
    used = int(rec["port"]["tids_in_use"])
    return [int(t) for t in rec["tids"]["tid"][:used]]


def table_tid_stats(words: npt.NDArray[np.int64], tid: int) -> TidStats | None:
    """One TID's statistics from a published RX block (``None`` if never seen)."""
    rec = _record(words)
    used = int(rec["port"]["tids_in_use"])
    rows = np.nonzero(rec["tids"]["tid"][:used] == tid)[0]
    if len(rows) == 0:
        return None
    return TidStats.from_row(rec["tids"][int(rows[0])])


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


class _Receiver:
    def __init__(self, ring: RxRing, counters: CounterBlock) -> None:
        self.ring = ring
        self.counters = counters
        self.analyzer = RxAnalyzer(
            TpldMode.NORMAL, capacity=MAX_TIDS, now_ns=time.time_ns()
        )
        self.base = np.zeros(RX_PORT_WORDS, dtype=np.int64)  # totals from before clears
        self.extra = np.zeros(RX_PORT_WORDS, dtype=np.int64)  # counted here, not by it
        self.dirty = False
        self.last_pub = 0
        self.next_second = (time.time_ns() // 1_000_000_000 + 1) * 1_000_000_000
        self.quiet_rolls = 0  # seconds rolled since the last frame arrived

    def _totals(self, rec: Any) -> npt.NDArray[np.int64]:
        words = self.base + self.extra
        for w, name in _FROM_ANALYZER:
            words[w] += int(rec["port"][name])
        return words

    def publish(self) -> None:
        with self.counters.writing() as w:
            rec = np.frombuffer(
                w[RX_PORT_WORDS:].view(np.uint8)[: _DTYPE.itemsize],
                dtype=_DTYPE,
                count=1,
            ).reshape(())
            self.analyzer.to_array(out=rec)
            w[:RX_PORT_WORDS] = self._totals(rec)
        self.dirty = False
        self.last_pub = time.monotonic_ns()

    def drain(self, *, to_empty: bool = True) -> int:
        """Analyse the frames in the ring, a batch at a time; returns how many.

        ``to_empty=False``: stop after a read of fewer than ``_SMALL_BATCH`` frames
        (the ring has about caught up), not only when it is empty.
        """
        total = 0
        while True:
            batch = self.ring.read(8192)
            if batch is None:
                return total
            got = len(batch.lengths)
            total += got
            self.quiet_rolls = 0
            self.analyzer.analyse(batch.data, batch.lengths, batch.ts_ns)
            vlan = int(batch.vlan_stripped.sum())
            if vlan:  # the kernel moved a VLAN tag into metadata: 4 bytes crossed
                self.extra[RX_BYTES] += 4 * vlan
            self.extra[RX_LAST_NS] = int(batch.ts_ns[-1])
            self.dirty = True
            if time.monotonic_ns() - self.last_pub > _PUBLISH_NS:
                self.extra[RX_RING_DROPS] += self.ring.drops()
                self.publish()
            if not to_empty and got < _SMALL_BATCH:
                return total

    def tick(self) -> None:
        now = time.time_ns()
        if now >= self.next_second:
            self.analyzer.roll_second(now)
            self.next_second = (now // 1_000_000_000 + 1) * 1_000_000_000
            self.dirty = True
            self.quiet_rolls += 1

    def idle_wait_s(self) -> float | None:
        """How long an idle worker may wait for frames: until the next second's
        roll, or without end once two rolls saw no frame (the first closes the
        second the last frames arrived in, the second sets the last second's
        rates to zero; later ones would change nothing)."""
        if self.quiet_rolls >= 2:
            return None
        return max(0.0, (self.next_second - time.time_ns()) / 1e9)

    def _fold(self) -> None:
        """Move the analyzer's totals into ``base`` before it is reset."""
        rec = self.analyzer.to_array()
        for w, name in _FROM_ANALYZER:
            self.base[w] += int(rec["port"][name])

    def command(self, msg: tuple[Any, ...]) -> bool:
        op = msg[0]
        if op == "quit":
            return False
        if op == "clear":
            self.drain()
            self._fold()
            self.analyzer.clear(time.time_ns())
            self.extra[RX_CLEARS] = int(msg[1])
            self.publish()
        elif op == "sync":  # everything in the ring now is counted and published
            self.drain()
            self.extra[RX_RING_DROPS] += self.ring.drops()
            self.extra[RX_SYNCS] = int(msg[1])
            self.publish()
        elif op == "mode":
            self.drain()
            self._fold()
            self.analyzer = RxAnalyzer(msg[1], capacity=MAX_TIDS, now_ns=time.time_ns())
            self.publish()
        return True


def _mtu(ifname: str) -> int:
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16si12x", ifname.encode()[:15], 0)
        res = fcntl.ioctl(s.fileno(), 0x8921, req)  # SIOCGIFMTU
        return int(struct.unpack("16si12x", res)[1])


def _open_ring(ifname: str) -> RxRing:
    """A ring whose slots hold the interface's largest frame (jumbo MTUs too)."""
    need = _mtu(ifname) + 14 + 4 + 4 + 96  # L2 header, VLAN, FCS, ring header
    frame_size = 2048
    while frame_size < need:
        frame_size *= 2
    count = max(4096, _RING_BYTES // frame_size)
    return RxRing(ifname, frame_size=frame_size, frame_count=count)


def run_rx_worker(
    netns: str | None,
    ifname: str,
    counter_name: str,
    conn: Connection,
    keep_from_stack: bool = False,
) -> None:
    """Entry point of an RX worker process."""
    from wirespeed.topology.netns import enter_netns

    enter_netns(netns)
    counters = CounterBlock(rx_words(), name=counter_name)
    ring = _open_ring(ifname)
    # after the ring: the drop acts behind the packet taps, so it sees every frame
    hold = hold_ingress(ifname) if keep_from_stack else None
    rcv = _Receiver(ring, counters)
    rcv.publish()
    commands = CommandPoller(conn)
    ring.watch(conn.fileno())  # a command ends any wait
    collector = Collector()
    conn.send(("ready", os.getpid()))
    drained = time.monotonic_ns()
    try:
        while True:
            # 5 ms for the last counts, else until the next second's roll (none
            # once the last second is closed: the worker sleeps until a frame or
            # a command comes)
            if ring.wait(0.005 if rcv.dirty else rcv.idle_wait_s()):
                rcv.tick()  # a second that ended while it slept closes first
                got = rcv.drain(to_empty=False)
                now = time.monotonic_ns()
                # caught up: let frames gather
                time.sleep(_gather_s(got, now - drained, ring.count))
                drained = now
            else:  # idle for 5 ms: the next frames' rate counts from now
                drained = time.monotonic_ns()
                if rcv.dirty:  # publish the final counts now
                    rcv.extra[RX_RING_DROPS] += ring.drops()
                    rcv.publish()
            rcv.tick()
            collector.tick(time.monotonic_ns())
            if commands.ready() and not rcv.command(conn.recv()):
                break
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        collector.close()
        if hold is not None:
            hold.close()
        ring.close()
        counters.close()


def _gather_s(got: int, elapsed_ns: int, slots: int) -> float:
    """How long to let frames gather after a drain that read ``got`` frames, which
    arrived over ``elapsed_ns``, into a ring of ``slots`` (see
    :data:`_GATHER_FRAMES`)."""
    if got <= 0 or elapsed_ns <= 0:
        return _GATHER_MIN_S
    per_s = got * 1e9 / elapsed_ns
    wait = min(max(_GATHER_FRAMES / per_s, _GATHER_MIN_S), _GATHER_MAX_S)
    return min(wait, slots / 4 / per_s)
