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
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.analysis import Analyzer, TidStats
from wirespeed.dataplane.afpacket import RxRing
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.tpld import TpldMode

__all__ = [
    "MAX_TIDS",
    "RX_PORT_WORDS",
    "rx_words",
    "run_rx_worker",
    "shift_latency",
    "table_tid_stats",
    "table_tids",
]

(RX_PACKETS, RX_BYTES, RX_TPLD_PACKETS, RX_NOTPLD_PACKETS, RX_NOTPLD_BYTES,
 RX_TPLD_ERRORS, RX_RING_DROPS, RX_LAST_NS, RX_CLEARS) = range(9)
RX_PORT_WORDS = 16
MAX_TIDS = 4096
_PUBLISH_NS = 20_000_000  # publish at least every 20 ms while frames flow


def _table_words() -> int:
    nbytes = Analyzer(TpldMode.NORMAL, capacity=MAX_TIDS).to_array().nbytes
    return (nbytes + 7) // 8


def rx_words() -> int:
    """Size of an RX counter block."""
    return RX_PORT_WORDS + _table_words()


def _table(words: npt.NDArray[np.int64]) -> Any:
    raw = words[RX_PORT_WORDS:]
    return Analyzer.table_from_bytes(raw.view(np.uint8), capacity=MAX_TIDS)


def table_tids(words: npt.NDArray[np.int64]) -> list[int]:
    """TIDs present in a published RX block."""
    return Analyzer.tids_in(_table(words))


def table_tid_stats(words: npt.NDArray[np.int64], tid: int) -> TidStats | None:
    """One TID's statistics from a published RX block (``None`` if never seen)."""
    return Analyzer.tid_stats_in(_table(words), tid)


def shift_latency(st: TidStats, offset_ns: int) -> dict[str, Any]:
    """Field changes that subtract a port's latency offset from ``st``."""
    out: dict[str, Any] = {}
    for name in ("latency_min_ns", "latency_avg_ns", "latency_max_ns",
                 "latency_min_1s_ns", "latency_avg_1s_ns", "latency_max_1s_ns"):
        value = getattr(st, name, None)
        if value is not None and value >= 0:
            out[name] = value - offset_ns
    return out


class _Receiver:
    def __init__(self, ring: RxRing, counters: CounterBlock) -> None:
        self.ring = ring
        self.counters = counters
        self.mode = TpldMode.NORMAL
        self.analyzer = Analyzer(self.mode, capacity=MAX_TIDS)
        self.port = np.zeros(RX_PORT_WORDS, dtype=np.int64)
        self.dirty = False
        self.last_pub = 0
        self.next_second = (time.time_ns() // 1_000_000_000 + 1) * 1_000_000_000

    def publish(self) -> None:
        table = self.analyzer.to_array()
        raw = np.frombuffer(table.tobytes(), dtype=np.uint8)
        with self.counters.writing() as w:
            w[:RX_PORT_WORDS] = self.port
            dst = w[RX_PORT_WORDS:].view(np.uint8)
            dst[: len(raw)] = raw
        self.dirty = False
        self.last_pub = time.monotonic_ns()

    def drain(self) -> None:
        while True:
            batch = self.ring.read(8192)
            if batch is None:
                break
            lengths = batch.lengths + 4 * batch.vlan_stripped  # what crossed the wire
            n = len(lengths)
            nbytes = int(lengths.sum()) + 4 * n
            res = self.analyzer.process(batch.data, lengths, batch.ts_ns)
            p = self.port
            p[RX_PACKETS] += n
            p[RX_BYTES] += nbytes
            p[RX_TPLD_PACKETS] += res.tpld_packets
            p[RX_NOTPLD_PACKETS] += n - res.tpld_packets
            p[RX_NOTPLD_BYTES] += res.notpld_bytes
            p[RX_TPLD_ERRORS] += res.tpld_errors
            p[RX_LAST_NS] = int(batch.ts_ns[-1])
            self.dirty = True
            if time.monotonic_ns() - self.last_pub > _PUBLISH_NS:
                self.port[RX_RING_DROPS] += self.ring.drops()
                self.publish()

    def tick(self) -> None:
        now = time.time_ns()
        if now >= self.next_second:
            self.analyzer.roll_second(now)
            self.next_second = (now // 1_000_000_000 + 1) * 1_000_000_000
            self.dirty = True

    def command(self, msg: tuple[Any, ...]) -> bool:
        op = msg[0]
        if op == "quit":
            return False
        if op == "clear":
            self.drain()
            self.analyzer.clear()
            self.port[RX_CLEARS] = int(msg[1])
            self.publish()
        elif op == "mode":
            self.drain()
            self.mode = msg[1]
            self.analyzer = Analyzer(self.mode, capacity=MAX_TIDS)
            self.publish()
        return True


def run_rx_worker(netns: str | None, ifname: str, counter_name: str, conn: Connection) -> None:
    """Entry point of an RX worker process."""
    from wirespeed.topology.netns import enter_netns

    enter_netns(netns)
    counters = CounterBlock(rx_words(), name=counter_name)
    ring = RxRing(ifname)
    rcv = _Receiver(ring, counters)
    rcv.publish()
    conn.send(("ready", os.getpid()))
    try:
        while True:
            if ring.wait(0.005):
                rcv.drain()
            elif rcv.dirty:  # idle for 5 ms: publish the final counts now
                rcv.port[RX_RING_DROPS] += ring.drops()
                rcv.publish()
            rcv.tick()
            if conn.poll(0) and not rcv.command(conn.recv()):
                break
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        ring.close()
        counters.close()
