"""The transmit worker: one process per port that builds, stamps, paces and sends.

The controller sends it commands over a pipe (:data:`~wirespeed.dataplane.messages.
TxCommand`); it answers :class:`~wirespeed.dataplane.messages.JobDone` when a finite
job ends by itself. Counters go to a
:class:`CounterBlock` after every batch.

Counter layout (int64 words): see :data:`TX_PORT_WORDS` and :func:`tx_words`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane.afpacket import TxSocket
from wirespeed.dataplane.collector import Collector
from wirespeed.dataplane.commands import CommandPoller
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.fdpass import recv_fds
from wirespeed.dataplane.messages import (
    AttachXsk,
    DetachXsk,
    InjectError,
    JobDone,
    JobFailed,
    PauseJob,
    Quit,
    Ready,
    ResumeJob,
    SetFactor,
    SetStreamFactor,
    ShowTx,
    StartJob,
    StopJob,
    SuppressStream,
    TxCommand,
    TxJob,
    TxStreamJob,
)
from wirespeed.dataplane.pacer import Due, PortPacer
from wirespeed.dataplane.tx_parts import (
    parts,
    past_end,
    send_order,
    split_dues,
)
from wirespeed.dataplane.xdp.layout import XskLayout
from wirespeed.dataplane.xdp.send import XskSender
from wirespeed.fieldengine import ErrorInjector, InjectedError, TpldStamp, TxBatch
from wirespeed.fieldengine.inject import Undo

__all__ = [
    "TX_JOB_FIRST_NS",
    "TX_JOB_FIRST_WALL_NS",
    "TX_JOB_LAST_NS",
    "TX_PORT_WORDS",
    "TxJob",
    "TxStreamJob",
    "run_tx_worker",
    "tx_words",
]

# Port words, then 2 words (packets, bytes) per stream slot.
TX_PACKETS, TX_BYTES, TX_NOTPLD_PACKETS, TX_NOTPLD_BYTES, TX_ERRORS = range(5)
TX_RUNNING, TX_RUN_ID, TX_REQUESTED_MPPS, TX_BATCHES = range(5, 9)
# errors injected (on the wire), one word per kind
TX_INJECTED = {
    InjectedError.SEQUENCE: 9,
    InjectedError.MISORDER: 10,
    InjectedError.PAYLOAD: 11,
    InjectedError.TPLD: 12,
}
TX_JOB_FIRST_NS, TX_JOB_LAST_NS = 13, 14
"""When the running (or last) job sent its first and its last frames (monotonic
ns; 0: not yet): the rate it really sent at, over its whole span."""
TX_JOB_FIRST_WALL_NS = 15
"""The wall-clock time of the job's first frames (ns since the epoch, the clock
of its TPLD timestamps; 0: not yet): a start agreed across hosts is measured by
it."""
TX_PORT_WORDS = 16
_MIN_GAP_NS = 250_000  # batches start at least this far apart
_AHEAD_NS = 5_000_000
"""A stream's frames are built (everything but their transmit times) for about
this long ahead, and sent a batch at a time from there: building costs some 25 us
of numpy calls whatever the number of frames, so at moderate rates, where a batch
holds a few dozen frames every 250 us, building each batch on its own cost more
than sending it (1.5 us a frame at 130 kpps). Flat out a batch is as large as the
worker makes them, and is built for itself as before."""
_PART_FRAMES = 1024  # frames stamped per clock read: one sendmmsg's worth
_FIRST_BUILT = 256
"""Frames of each stream built before an agreed start time."""
_BATCH_BYTES = 6 << 20


def tx_words(max_streams: int) -> int:
    """Size of a TX counter block for ``max_streams`` stream slots."""
    return TX_PORT_WORDS + 2 * max_streams


class _Clock:
    """The TPLD timestamp of a part of a batch: when it is handed to the kernel.

    A batch is built first, then stamped a part (:data:`_PART_FRAMES` frames, one
    ``sendmmsg``'s worth) at a time, each right before the system call that sends
    it: every frame of a part carries the clock read before stamping it plus
    ``lead``, the time stamping a part takes, as the smallest value seen over the
    last :data:`WINDOW` parts (0 until :data:`TRUSTED` were seen) times
    :data:`MARGIN` (stamping takes from 10 to 50 microseconds and varies). A part
    stamped faster than that (warm caches right after a cold one) waits for its
    timestamp before the call (:meth:`hold`), so a timestamp never runs ahead of
    its frame: a negative latency is impossible, whatever preempts the process,
    however the stamping time varies. Frames of one call leave one after the other,
    so the latency of a frame includes the time it waited in the kernel behind the
    earlier frames of its part (a few microseconds at moderate rates; up to a
    part's duration, about 1.5 ms at 0.7 Mpps, when a port sends as fast as it can).
    """

    WINDOW = 32
    TRUSTED = 8
    MARGIN = 0.5

    def __init__(self) -> None:
        self._lead = [float("inf")] * self.WINDOW  # a list: min() of 32 is cheap
        self._i = 0
        self._seen = 0
        self.lead_ns = 0

    def update(self, t0: int, t_send: int) -> None:
        """Learn from one call: stamping began at ``t0``, the call at ``t_send``."""
        self._lead[self._i] = t_send - t0
        self._i = (self._i + 1) % self.WINDOW
        self._seen += 1
        if self._seen >= self.TRUSTED:
            self.lead_ns = int(self.MARGIN * min(self._lead))

    def time(self, t0: int) -> int:
        """The timestamp of the frames of a part whose stamping began at ``t0``."""
        return t0 + self.lead_ns

    @staticmethod
    def hold(ts: int, now: int) -> int:
        """Wait until the clock has passed ``ts`` (read ``now`` last); returns when."""
        while now < ts:
            now = time.time_ns()
        return now


@dataclass
class _Ahead:
    """Frames of one stream built ahead: ``used`` of them are sent already."""

    batch: TxBatch
    used: int = 0
    _pieces: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]] | None = None

    @property
    def left(self) -> int:
        return len(self.batch.lengths) - self.used

    def pieces(
        self, start: int, stop: int
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Rows ``start...stop - 1`` as addresses and lengths of their pieces
        (:meth:`TxBatch.pieces`, worked out once for all the frames built)."""
        if self._pieces is None:
            self._pieces = self.batch.pieces()
        addrs, lens = self._pieces
        return addrs[start:stop], lens[start:stop]


class _Sender:
    def __init__(
        self,
        sock: TxSocket,
        counters: CounterBlock,
        max_streams: int,
        collector: Collector | None = None,
    ) -> None:
        self.packet = sock
        self.conn: Connection | None = None
        self.sock: TxSocket | XskSender = sock
        self.sock_changes = 0  # the socket was swapped (what is staged is gone)
        self.collector = collector
        self.counters = counters
        self.max_streams = max_streams
        self.clock = _Clock()
        self.injectors: dict[int, ErrorInjector] = {}
        self.injecting = False  # any request pending
        self.count_injected = False

    def attach(self, conn: Connection, layout: XskLayout) -> None:
        """Send on the port's AF_XDP socket, whose descriptors follow on ``conn``."""
        fds = recv_fds(conn, 2)
        self.detach()
        self.sock = XskSender(self.packet.ifname, fds[0], fds[1], layout, self.packet)
        self.sock_changes += 1

    def detach(self) -> None:
        """Back to the packet socket (the AF_XDP one is let go of)."""
        if isinstance(self.sock, XskSender):
            self.packet.errors += self.sock.own_errors
            self.sock.close()
            self.sock = self.packet
            self.sock_changes += 1

    def run(self, job: TxJob, conn: Connection) -> bool:
        """Send ``job`` until done or told to stop. Returns False on ``quit``."""
        from wirespeed.fieldengine import compile_stream

        self.conn = conn

        commands = CommandPoller(conn)

        gens = {}
        tids = {}
        slots = {}
        for sj in job.streams:
            gens[sj.plan.key] = compile_stream(
                sj.stream,
                seed=job.seed,
                tpld_mode=job.tpld_mode if sj.tid >= 0 else None,
                pi_offset=job.pi_offset,
            )
            tids[sj.plan.key] = sj.tid
            slots[sj.plan.key] = sj.slot
        seqs = dict.fromkeys(gens, 0)
        first = dict.fromkeys(gens, True)
        ahead: dict[int, _Ahead] = {}
        staged_whole: _Ahead | None = None  # the built batch the socket points at
        changes = self.sock_changes
        self.injectors = {k: g.injector() for k, g in gens.items() if tids[k] >= 0}
        self.injecting = False
        # a batch of full-size frames is kept to a few MB: past that, the kernel's
        # copy of it evicts what the next batch needs and every frame costs more
        width = max((g.head_width for g in gens.values()), default=1)
        max_batch = min(job.max_batch, max(256, _BATCH_BYTES // width))
        mono0 = time.monotonic_ns()
        if job.start_at_ns is not None:  # the agreed wall-clock time, as monotonic
            mono0 += max(0, job.start_at_ns - time.time_ns())
        pacer = PortPacer(
            [sj.plan for sj in job.streams],
            mono0,
            duration_ns=None if job.duration_s is None else int(job.duration_s * 1e9),
            multiplier=job.multiplier,
            packet_limit=job.packet_limit,
        )
        w = self.counters.words
        with self.counters.writing():
            w[TX_RUNNING] = 1
            w[TX_RUN_ID] = job.run_id
            w[TX_REQUESTED_MPPS] = int(pacer.requested_pps() * 1000)
            w[TX_JOB_FIRST_NS] = w[TX_JOB_LAST_NS] = w[TX_JOB_FIRST_WALL_NS] = 0
        if job.start_at_ns is not None:
            # the first frames are built before the agreed time, so at it only
            # their transmit times are written before they leave
            for key in gens:
                n = _FIRST_BUILT
                ahead[key] = _Ahead(
                    gens[key].prepare(n, self._stamp(key, n, tids, seqs, first))
                )
            if len(ahead) == 1:  # one stream: staged now, as its first send would
                staged_whole = next(iter(ahead.values()))
                built = staged_whole.batch
                self.sock.stage_rows(built.body, built.lengths, built.tpld, built.tail)
            verdict = self._wait_start(mono0, pacer, commands, conn, w)
            if verdict is not None:
                return verdict
        while True:
            now = time.monotonic_ns()
            if self.collector is not None:
                self.collector.tick(now)
            if pacer.is_done(now):
                self._finish(w)
                conn.send(JobDone(job.run_id))
                return True
            dues = pacer.poll(now, max_batch)
            if not dues:
                nxt = pacer.next_wakeup_ns(now)
                wait = 0.05 if nxt is None else max(0.0, (nxt - now) / 1e9)
                if commands.ready(min(wait, 0.05)):
                    verdict = self._command(conn.recv(), pacer, w)
                    if verdict is not None:
                        return verdict
                continue
            while dues:
                # each stream's next frames, from what was built ahead (a stream
                # whose built frames run out sends those, then the rest from frames
                # built anew: a second round)
                for d in dues:
                    if d.key not in ahead or ahead[d.key].left == 0:
                        n = d.count
                        if d.interval_ns > 0:
                            n = max(n, min(max_batch, int(_AHEAD_NS / d.interval_ns)))
                        stamp = self._stamp(d.key, n, tids, seqs, first)
                        ahead[d.key] = _Ahead(gens[d.key].prepare(n, stamp))
                dues, rest = split_dues(dues, ahead)
                order = send_order(dues)
                firsts = [ahead[d.key].used for d in dues]
                batches = [
                    ahead[d.key].batch.rows(u, u + d.count)
                    for d, u in zip(dues, firsts, strict=True)
                ]
                if changes != self.sock_changes:  # a new socket has nothing staged
                    changes, staged_whole = self.sock_changes, None
                if order is None:  # one stream: its whole built batch stays staged
                    base = firsts[0]
                    if staged_whole is not ahead[dues[0].key]:
                        staged_whole = ahead[dues[0].key]
                        whole = staged_whole.batch
                        self.sock.stage_rows(
                            whole.body, whole.lengths, whole.tpld, whole.tail
                        )
                    staged = dues[0].count
                elif isinstance(self.sock, XskSender):  # frames are copied: rows do
                    base = 0
                    staged_whole = None
                    staged = self.sock.stage_batches(batches, order)
                else:
                    base = 0
                    staged_whole = None
                    pieces = [
                        ahead[d.key].pieces(u, u + d.count)
                        for d, u in zip(dues, firsts, strict=True)
                    ]
                    staged = self.sock.stage_pieces(
                        np.concatenate([addrs for addrs, _ in pieces])[order],
                        np.concatenate([lens for _, lens in pieces])[order],
                    )
                sent = 0
                per_stream: list[int] | None = [0] * len(dues)
                # A part at a time: only its transmit times (and the checksums over
                # them) are written between the clock read and its send, so a TPLD
                # timestamp stays close to when its frame leaves, also at the end of
                # a large batch. An injection takes the batch as one part.
                part = staged if self.injecting else _PART_FRAMES
                for start, stop, rows in parts(dues, order, staged, part):
                    # what was owed before the end is left unsent: a time limit
                    # is the port's wall clock
                    if past_end(pacer, time.monotonic_ns()):
                        break
                    t0 = time.time_ns()
                    if not w[TX_JOB_FIRST_WALL_NS]:
                        w[TX_JOB_FIRST_WALL_NS] = t0
                    ts = self.clock.time(t0)
                    for d, u, (a, b) in zip(dues, firsts, rows, strict=True):
                        if b > a:
                            gens[d.key].finish(
                                ts if tids[d.key] >= 0 else None, u + a, u + b
                            )
                    t1 = time.time_ns()
                    self.clock.update(t0, t1)  # what stamping took
                    self.clock.hold(ts, t1)  # not sent before its timestamp
                    undos = self._inject(dues, batches) if self.injecting else []
                    took = self.sock.send_staged(base + stop, base + start)
                    sent += took
                    if per_stream is not None and took == stop - start:
                        for i, (a, b) in enumerate(rows):
                            per_stream[i] += b - a
                    else:  # the kernel took part of it (link down)
                        per_stream = None
                    for undo in undos:  # the kernel has its copy: put the bytes back
                        undo.restore()
                for d in dues:
                    ahead[d.key].used += d.count
                self._count(dues, batches, sent, slots, tids, pacer, now, per_stream)
                dues = rest
            # Sleep until the next frame is due, but batches start at least
            # _MIN_GAP_NS apart: a batch costs tens of microseconds whatever its
            # size, so sending each frame on its own at moderate rates would keep
            # the core busy. A port that is behind does not sleep.
            nxt = pacer.next_wakeup_ns(now)
            delay_ns = 0
            if nxt is not None:
                # one clock read: re-reading it could make the delay negative
                delay_ns = max(nxt, now + _MIN_GAP_NS) - time.monotonic_ns()
            if 0 < delay_ns < 1_000_000:  # poll() would round it up to 1 ms
                time.sleep(delay_ns / 1e9)
                delay_ns = 0
            if commands.ready(delay_ns / 1e9):
                verdict = self._command(conn.recv(), pacer, w)
                if verdict is not None:
                    return verdict

    def _stamp(
        self,
        key: int,
        n: int,
        tids: dict[int, int],
        seqs: dict[int, int],
        first: dict[int, bool],
    ) -> TpldStamp | None:
        """What the TPLDs of stream ``key``'s next ``n`` frames carry (None: none)."""
        if tids[key] < 0:
            return None
        if self.injecting:  # a sequence error: numbers skipped from these frames on
            seqs[key] = (seqs[key] + self.injectors[key].skip()) & 0xFFFFFF
        stamp = TpldStamp(tids[key], seqs[key], first[key])
        seqs[key] = (seqs[key] + n) & 0xFFFFFF
        first[key] = False
        return stamp

    def _inject(self, dues: list[Due], batches: list[TxBatch]) -> list[Undo]:
        """Put the pending injected errors into the batches about to be sent."""
        undos = []
        for d, batch in zip(dues, batches, strict=True):
            inj = self.injectors.get(d.key)
            if inj is not None and inj.pending:
                undo = inj.apply(batch)
                if undo is not None:
                    undos.append(undo)
        self.injecting = any(i.pending for i in self.injectors.values())
        self.count_injected = True
        return undos

    def _count(
        self,
        dues: list[Due],
        batches: list[TxBatch],
        sent: int,
        slots: dict[int, int],
        tids: dict[int, int],
        pacer: PortPacer,
        now: int,
        per_stream: list[int] | None = None,
    ) -> None:
        """Account per stream: ``per_stream`` frames each when whole parts were
        sent; a partial send only happens when the link is down: charge it to the
        streams in order."""
        w = self.counters.words
        left = sent
        with self.counters.writing():
            for i, (d, batch) in enumerate(zip(dues, batches, strict=True)):
                k = min(left, d.count) if per_stream is None else per_stream[i]
                left -= k
                nbytes = batch.sent_bytes(k)
                s = TX_PORT_WORDS + 2 * slots[d.key]
                w[s] += k
                w[s + 1] += nbytes
                w[TX_PACKETS] += k
                w[TX_BYTES] += nbytes
                if tids[d.key] < 0:
                    w[TX_NOTPLD_PACKETS] += k
                    w[TX_NOTPLD_BYTES] += nbytes
                pacer.sent(d.key, d.count, now)
            w[TX_ERRORS] = self.sock.errors
            w[TX_BATCHES] += 1
            if sent:
                if not w[TX_JOB_FIRST_NS]:
                    w[TX_JOB_FIRST_NS] = now
                w[TX_JOB_LAST_NS] = time.monotonic_ns()
            if self.count_injected:
                self.count_injected = False
                for inj in self.injectors.values():
                    for error, n in inj.done.items():
                        w[TX_INJECTED[error]] += n
                    inj.done.clear()
            w[TX_REQUESTED_MPPS] = int(pacer.requested_pps() * 1000)

    def _finish(self, w: npt.NDArray[np.int64]) -> None:
        with self.counters.writing():
            w[TX_RUNNING] = 0
            w[TX_REQUESTED_MPPS] = 0
            w[TX_ERRORS] = self.sock.errors

    def _wait_start(
        self,
        mono0: int,
        pacer: PortPacer,
        commands: CommandPoller,
        conn: Connection,
        w: npt.NDArray[np.int64],
    ) -> bool | None:
        """Wait for an agreed start (monotonic ``mono0``), answering commands (a
        stop before it ends the job); the last millisecond is slept, not polled
        (a poll rounds up to whole milliseconds). Cycles are collected first, not
        between the start and the first frames (a collection takes milliseconds)."""
        if self.collector is not None:
            self.collector.collect()
        while (left := mono0 - time.monotonic_ns()) > 2_000_000:
            if commands.ready(min(left - 1_000_000, 50_000_000) / 1e9):
                verdict = self._command(conn.recv(), pacer, w)
                if verdict is not None:
                    return verdict
        left = mono0 - time.monotonic_ns()
        if left > 0:
            time.sleep(left / 1e9)
        return None

    def _command(
        self, msg: TxCommand, pacer: PortPacer, w: npt.NDArray[np.int64]
    ) -> bool | None:
        now = time.monotonic_ns()
        match msg:
            case StopJob():
                self._finish(w)
                return True
            case Quit():
                self._finish(w)
                return False
            case PauseJob():
                pacer.pause(now)
            case ResumeJob():
                pacer.resume(now)
            case SetFactor(factor):
                pacer.set_multiplier(now, factor)
            case SuppressStream(stream_id, suppressed):
                pacer.suppress(now, stream_id, suppressed)
            case SetStreamFactor(stream_id, factor):
                pacer.set_stream_factor(now, stream_id, factor)
            case ShowTx(visible):
                self.sock.show_to_taps(visible)
            case AttachXsk(layout):
                assert self.conn is not None
                self.attach(self.conn, layout)
            case DetachXsk():
                self.detach()
            case InjectError(stream_id, kind):
                inj = self.injectors.get(stream_id)
                error = InjectedError(kind)
                # the controller checked it; one for a stream no longer sent is
                # dropped
                if inj is not None and inj.supported(inj.mode, error):
                    inj.request(error)
                    self.injecting = True
        return None


def run_tx_worker(
    netns: str | None,
    ifname: str,
    counter_name: str,
    max_streams: int,
    conn: Connection,
    qdisc_bypass: bool = True,
) -> None:
    """Entry point of a TX worker process."""
    from wirespeed.dataplane.netns import enter_netns

    enter_netns(netns)
    counters = CounterBlock(tx_words(max_streams), name=counter_name)
    sock = TxSocket(ifname, qdisc_bypass=qdisc_bypass)
    collector = Collector()
    sender = _Sender(sock, counters, max_streams, collector)
    sender.conn = conn
    conn.send(Ready(os.getpid()))
    try:
        while True:
            match conn.recv():
                case StartJob(job):
                    try:
                        if not sender.run(job, conn):
                            break
                    except Exception as exc:  # report, never die silently
                        sender._finish(counters.words)
                        conn.send(JobFailed(job.run_id, f"{type(exc).__name__}: {exc}"))
                    collector.collect()  # what the job left, while idle
                case ShowTx(visible):
                    sender.sock.show_to_taps(visible)
                case AttachXsk(layout):
                    sender.attach(conn, layout)
                case DetachXsk():
                    sender.detach()
                case Quit():
                    break
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        collector.close()
        sender.detach()
        sock.close()
        counters.close()
