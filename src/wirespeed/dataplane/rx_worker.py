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

from wirespeed.analysis import RxAnalyzer
from wirespeed.dataplane.afpacket import RxRing
from wirespeed.dataplane.collector import Collector
from wirespeed.dataplane.commands import CommandPoller
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.drivers import PortDriver
from wirespeed.dataplane.fdpass import send_fds
from wirespeed.dataplane.ingress import hold_ingress
from wirespeed.dataplane.messages import (
    ClearRx,
    Quit,
    Ready,
    RxCommand,
    SetRxMode,
    ShowRx,
    StartFailed,
    SyncRx,
)
from wirespeed.dataplane.rx_table import (
    MAX_TIDS,
    RX_BYTES,
    RX_CLEARS,
    RX_LAST_NS,
    RX_NOTPLD_BYTES,
    RX_NOTPLD_PACKETS,
    RX_PACKETS,
    RX_PORT_WORDS,
    RX_RING_DROPS,
    RX_SYNCS,
    RX_TPLD_ERRORS,
    RX_TPLD_PACKETS,
    Retired,
    record_view,
    rx_words,
    shift_latency,
    table_all_tid_stats,
    table_tid_stats,
    table_tids,
    write_table,
)
from wirespeed.dataplane.xdp.receive import XdpReceiver
from wirespeed.errors import PortError
from wirespeed.tpld import TpldMode

__all__ = [  # the block's layout and readers are rx_table's, named here too
    "MAX_TIDS",
    "RX_BYTES",
    "RX_CLEARS",
    "RX_LAST_NS",
    "RX_NOTPLD_BYTES",
    "RX_NOTPLD_PACKETS",
    "RX_PACKETS",
    "RX_PORT_WORDS",
    "RX_RING_DROPS",
    "RX_SYNCS",
    "RX_TPLD_ERRORS",
    "RX_TPLD_PACKETS",
    "run_rx_worker",
    "rx_words",
    "shift_latency",
    "table_all_tid_stats",
    "table_tid_stats",
    "table_tids",
    "write_table",
]

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
# analyzer port-record field behind each absolute port word
_FROM_ANALYZER = (
    (RX_PACKETS, "packets"),
    (RX_BYTES, "bytes"),
    (RX_TPLD_PACKETS, "tpld_packets"),
    (RX_NOTPLD_PACKETS, "non_tpld_packets"),
    (RX_NOTPLD_BYTES, "non_tpld_bytes"),
    (RX_TPLD_ERRORS, "tpld_checksum_errors"),
)


_SET_WORDS = (RX_LAST_NS, RX_CLEARS, RX_SYNCS)


class _Receiver:
    def __init__(self, ring: RxRing | XdpReceiver, counters: CounterBlock) -> None:
        self.ring = ring
        self.counters = counters
        self.analyzer = RxAnalyzer(
            TpldMode.NORMAL, capacity=MAX_TIDS, now_ns=time.time_ns()
        )
        # totals from before clears (and from a worker this one replaces: the
        # block's counts go on from where they stand)
        self.base = counters.words[:RX_PORT_WORDS].copy()
        self.extra = np.zeros(RX_PORT_WORDS, dtype=np.int64)  # counted here, not by it
        for w in _SET_WORDS:  # values, not counts: kept as they are
            self.extra[w], self.base[w] = self.base[w], 0
        self.retired = Retired.from_words(counters.words)
        self.retired_dirty = True  # published with the first record
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
            if self.retired_dirty:
                self.retired.write(w)
                self.retired_dirty = False
            rec = record_view(w)
            self.analyzer.to_array(out=rec)
            w[:RX_PORT_WORDS] = self._totals(rec)
        self.dirty = False
        self.last_pub = time.monotonic_ns()

    def drain(self, *, to_empty: bool = True, ring_only: bool = False) -> int:
        """Analyse the frames in the ring, a batch at a time; returns how many.

        ``to_empty=False``: stop after a read of fewer than ``_SMALL_BATCH`` frames
        (the ring has about caught up), not only when it is empty. ``ring_only``:
        on AF_XDP, only the packet ring's frames.
        """
        total = 0
        read = self.ring.read
        if ring_only and isinstance(self.ring, XdpReceiver):
            read = self.ring.read_ring
        while True:
            batch = read(8192)
            if batch is None:
                return total
            got = len(batch.lengths)
            total += got
            self.quiet_rolls = 0
            # a VLAN tag the kernel moved into metadata crossed the wire too
            self.analyzer.analyse(
                batch.data, batch.lengths, batch.ts_ns, batch.vlan_stripped
            )
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

    def _retire(self) -> None:
        """What the analysis counted so far joins the retired table (before a
        clear): totals since the port started never go down."""
        self.publish()
        self.retired.add(self.counters.words)
        self.retired_dirty = True

    def command(self, msg: RxCommand) -> bool:
        match msg:
            case Quit():
                return False
            case ClearRx(serial):
                self.drain()
                self._retire()
                self._fold()
                self.analyzer.clear(time.time_ns())
                self.extra[RX_CLEARS] = serial
                self.publish()
            case SyncRx(serial):  # everything in the ring now is counted, published
                self.drain()
                self.extra[RX_RING_DROPS] += self.ring.drops()
                self.extra[RX_SYNCS] = serial
                self.publish()
            case ShowRx(visible) if isinstance(self.ring, XdpReceiver):
                # a stream's frames keep their order across the switch: those
                # that came the old way are analysed first
                if visible:
                    self.ring.to_kernel(True)
                    self.drain()  # the socket's frames, then the ring's
                else:
                    self.drain()
                    self.ring.to_kernel(False)
                    self.drain(ring_only=True)
            case SetRxMode(mode):
                self.drain()
                self._retire()
                self._fold()
                self.analyzer = RxAnalyzer(
                    mode, capacity=MAX_TIDS, now_ns=time.time_ns()
                )
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


def _open_ring(ifname: str, ring_bytes: int = _RING_BYTES) -> RxRing:
    """A ring whose slots hold the interface's largest frame (jumbo MTUs too)."""
    need = _mtu(ifname) + 14 + 4 + 4 + 96  # L2 header, VLAN, FCS, ring header
    frame_size = 2048
    while frame_size < need:
        frame_size *= 2
    count = max(4096, ring_bytes // frame_size)
    return RxRing(ifname, frame_size=frame_size, frame_count=count)


_XSK_HEADROOM = 256 + 8  # the kernel's XDP headroom, the arrival time
_XSK_BUSY_S = 3.0
"""How long a new socket waits for the port's previous one to be let go of (a
replaced RX worker's: the TX worker closes its copy first)."""


def open_receiver(
    ifname: str, driver: PortDriver, netns: str | None = None
) -> tuple[RxRing | XdpReceiver, PortDriver, str]:
    """The port's receive side on ``driver``: the reader, the driver used, and a
    note (the AF_XDP mode, or why ``auto`` fell back to packet sockets).

    Raises:
        PortError: ``afxdp`` asked for and not possible here (the reason).
    """
    if driver is PortDriver.AFPACKET:
        return _open_ring(ifname), driver, ""
    try:
        rx = _open_xdp(ifname, netns)
    except PortError as exc:
        if driver is PortDriver.AFXDP:
            raise
        return _open_ring(ifname), PortDriver.AFPACKET, f"AF_XDP not used: {exc}"
    return rx, PortDriver.AFXDP, f"AF_XDP, {rx.xsk.layout.mode} mode"


def _open_xdp(ifname: str, netns: str | None) -> XdpReceiver:
    from wirespeed.dataplane.xdp.port import XskPort
    from wirespeed.dataplane.xdp.veth import VethTuning, is_veth

    need = _mtu(ifname) + 14 + 4 + _XSK_HEADROOM  # L2 header, VLAN
    if need > 4096:
        raise PortError(
            f"{ifname}: MTU {_mtu(ifname)} too large for AF_XDP frames "
            f"(at most {4096 - 18 - _XSK_HEADROOM})"
        )
    frame_size = 2048 if need <= 2048 else 4096
    deadline = time.monotonic() + _XSK_BUSY_S
    while True:
        try:
            port = XskPort(ifname, frame_size=frame_size)
            break
        except PortError as exc:
            if "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        ring = _open_ring(ifname, 16 << 20)
    except BaseException:
        port.close()
        raise
    tuning = VethTuning(ifname, netns) if is_veth(ifname) else None
    if tuning is not None:
        tuning.apply()
    return XdpReceiver(port, ring, tuning)


def run_rx_worker(
    netns: str | None,
    ifname: str,
    counter_name: str,
    conn: Connection,
    keep_from_stack: bool = False,
    driver: PortDriver = PortDriver.AFPACKET,
) -> None:
    """Entry point of an RX worker process."""
    from wirespeed.dataplane.netns import enter_netns

    enter_netns(netns)
    counters = CounterBlock(rx_words(), name=counter_name)
    try:
        ring, used, note = open_receiver(ifname, driver, netns)
    except PortError as exc:
        conn.send(StartFailed(str(exc)))
        counters.close()
        return
    # after the ring: the drop acts behind the packet taps, so it sees every frame
    hold = hold_ingress(ifname) if keep_from_stack else None
    rcv = _Receiver(ring, counters)
    rcv.publish()
    commands = CommandPoller(conn)
    ring.watch(conn.fileno())  # a command ends any wait
    collector = Collector()
    if isinstance(ring, XdpReceiver):
        conn.send(Ready(os.getpid(), used.value, note, ring.xsk.layout))
        send_fds(conn, list(ring.xsk.fds()))
    else:
        conn.send(Ready(os.getpid(), used.value, note))
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
