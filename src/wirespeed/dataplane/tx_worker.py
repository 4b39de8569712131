"""The transmit worker: one process per port that builds, stamps, paces and sends.

The controller sends it commands over a pipe (``start``, ``stop``, ``pause``,
``resume``, ``rate``, ``quit``); it answers ``("done", run_id)`` when a finite job
ends by itself. Counters go to a :class:`CounterBlock` after every batch.

Counter layout (int64 words): see :data:`TX_PORT_WORDS` and :func:`tx_words`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane.afpacket import TxSocket
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.pacer import PortPacer, StreamPlan
from wirespeed.dataplane.stamping import Stamper

__all__ = ["TX_PORT_WORDS", "TxJob", "TxStreamJob", "run_tx_worker", "tx_words"]

# Port words, then 2 words (packets, bytes) per stream slot.
TX_PACKETS, TX_BYTES, TX_NOTPLD_PACKETS, TX_NOTPLD_BYTES, TX_ERRORS = range(5)
TX_RUNNING, TX_RUN_ID, TX_REQUESTED_MPPS, TX_BATCHES = range(5, 9)
TX_PORT_WORDS = 16
_WINDOW_NS = 1_000_000  # frames due within this window leave in one batch


def tx_words(max_streams: int) -> int:
    """Size of a TX counter block for ``max_streams`` stream slots."""
    return TX_PORT_WORDS + 2 * max_streams


@dataclass
class TxStreamJob:
    """One stream as the worker needs it (picklable)."""

    slot: int
    stream: Any  # wirespeed.model.Stream
    plan: StreamPlan
    tid: int  # -1 = no TPLD


@dataclass
class TxJob:
    """Everything one start of a port needs."""

    run_id: int
    streams: list[TxStreamJob]
    tpld_mode: Any  # wirespeed.tpld.TpldMode
    pi_offset: int
    duration_s: float | None
    multiplier: float
    max_batch: int = 1024
    seed: int | None = None


class _Sender:
    def __init__(
        self, sock: TxSocket, counters: CounterBlock, max_streams: int
    ) -> None:
        self.sock = sock
        self.counters = counters
        self.max_streams = max_streams

    def run(self, job: TxJob, conn: Connection) -> bool:
        """Send ``job`` until done or told to stop. Returns False on ``quit``."""
        from wirespeed.fieldengine import compile_stream

        stamper = Stamper(job.tpld_mode, job.pi_offset)
        gens = {}
        tids = {}
        slots = {}
        for sj in job.streams:
            tpld_len = stamper.length if sj.tid >= 0 else 0
            gens[sj.plan.key] = compile_stream(
                sj.stream, tpld_len=tpld_len, seed=job.seed
            )
            tids[sj.plan.key] = sj.tid
            slots[sj.plan.key] = sj.slot
        seqs = dict.fromkeys(gens, 0)
        first = dict.fromkeys(gens, True)
        mono0 = time.monotonic_ns()
        pacer = PortPacer(
            [sj.plan for sj in job.streams],
            mono0,
            duration_ns=None if job.duration_s is None else int(job.duration_s * 1e9),
            multiplier=job.multiplier,
        )
        w = self.counters.words
        with self.counters.writing():
            w[TX_RUNNING] = 1
            w[TX_RUN_ID] = job.run_id
            w[TX_REQUESTED_MPPS] = int(pacer.requested_pps() * 1000)
        batch_port = np.zeros(4, dtype=np.int64)
        while True:
            now = time.monotonic_ns()
            if pacer.is_done(now):
                self._finish(w)
                conn.send(("done", job.run_id))
                return True
            dues = pacer.poll(now, job.max_batch)
            if not dues:
                nxt = pacer.next_wakeup_ns(now)
                wait = 0.05 if nxt is None else max(0.0, (nxt - now) / 1e9)
                if conn.poll(min(wait, 0.05)):
                    verdict = self._command(conn.recv(), pacer, w)
                    if verdict is not None:
                        return verdict
                continue
            ts_ns = time.time_ns()
            batch_port[:] = 0
            parts: list[
                tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], int, float]
            ] = []
            for d in dues:
                fb = gens[d.key].next_batch(d.count)
                tid = tids[d.key]
                if tid >= 0:
                    stamper.stamp(
                        fb.data, fb.lengths, tid, seqs[d.key], ts_ns, first[d.key]
                    )
                    seqs[d.key] = (seqs[d.key] + d.count) & 0xFFFFFF
                    first[d.key] = False
                parts.append((fb.data, fb.lengths, d.first_ns, d.interval_ns))
            if len(parts) == 1:
                sent = self.sock.send_rows(parts[0][0], parts[0][1])
            else:
                sent = self._send_interleaved(parts)
            # Account per stream (a partial send only happens when the link is down:
            # charge it to the streams in order).
            left = sent
            with self.counters.writing():
                for d, (_data, lengths, _f, _i) in zip(dues, parts, strict=True):
                    k = min(left, d.count)
                    left -= k
                    nbytes = int(lengths[:k].sum()) + 4 * k
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
                w[TX_REQUESTED_MPPS] = int(pacer.requested_pps() * 1000)
            # Leave the rest of the window for frames that are about to be due.
            if conn.poll(0):
                verdict = self._command(conn.recv(), pacer, w)
                if verdict is not None:
                    return verdict
            spare = _WINDOW_NS - (time.monotonic_ns() - now)
            nxt = pacer.next_wakeup_ns(now)
            if spare > 0 and nxt is not None:
                # one clock read: re-reading it could make the delay negative
                delay_ns = min(spare, nxt - time.monotonic_ns())
                if delay_ns > 0:
                    time.sleep(delay_ns / 1e9)

    def _send_interleaved(
        self,
        parts: list[tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], int, float]],
    ) -> int:
        addrs = []
        lens = []
        times = []
        for data, lengths, first_ns, interval in parts:
            n = len(lengths)
            addrs.append(
                np.uint64(data.ctypes.data)
                + np.arange(n, dtype=np.uint64) * np.uint64(data.strides[0])
            )
            lens.append(lengths)
            times.append(first_ns + np.arange(n, dtype=np.float64) * interval)
        order = np.argsort(np.concatenate(times), kind="stable")
        return self.sock.send_pointers(
            np.concatenate(addrs)[order], np.concatenate(lens)[order]
        )

    def _finish(self, w: npt.NDArray[np.int64]) -> None:
        with self.counters.writing():
            w[TX_RUNNING] = 0
            w[TX_REQUESTED_MPPS] = 0
            w[TX_ERRORS] = self.sock.errors

    def _command(
        self, msg: tuple[Any, ...], pacer: PortPacer, w: npt.NDArray[np.int64]
    ) -> bool | None:
        op = msg[0]
        now = time.monotonic_ns()
        if op == "stop":
            self._finish(w)
            return True
        if op == "quit":
            self._finish(w)
            return False
        if op == "pause":
            pacer.pause(now)
        elif op == "resume":
            pacer.resume(now)
        elif op == "rate":
            pacer.set_multiplier(now, float(msg[1]))
        elif op == "suppress":
            pacer.suppress(now, int(msg[1]), bool(msg[2]))
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
    from wirespeed.topology.netns import enter_netns

    enter_netns(netns)
    counters = CounterBlock(tx_words(max_streams), name=counter_name)
    sock = TxSocket(ifname, max_batch=4096, qdisc_bypass=qdisc_bypass)
    sender = _Sender(sock, counters, max_streams)
    conn.send(("ready", os.getpid()))
    try:
        while True:
            msg = conn.recv()
            if msg[0] == "start":
                job: TxJob = msg[1]
                try:
                    if not sender.run(job, conn):
                        break
                except Exception as exc:  # report, never die silently
                    sender._finish(counters.words)
                    conn.send(("error", job.run_id, f"{type(exc).__name__}: {exc}"))
            elif msg[0] == "quit":
                break
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        sock.close()
        counters.close()
