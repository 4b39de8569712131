"""The TX worker sends frames built ahead: every frame once, in order, whatever
the share of a batch the built frames cover (a second round builds the rest)."""

from __future__ import annotations

import ctypes
import multiprocessing as mp

import numpy as np
import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.dataplane import tx_worker as txw
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.messages import JobDone
from wirespeed.dataplane.pacer import PacerMode, StreamPlan
from wirespeed.model import (
    FrameLength,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    SegmentType,
    Stream,
)
from wirespeed.tpld import TpldMode, decode_batch

HDR = bytes(
    Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=7, dport=9)
)


class _Wire:
    """A socket that keeps the bytes of every frame handed to it, in order."""

    def __init__(self) -> None:
        self.errors = 0
        self.frames: list[bytes] = []
        self._rows: tuple | None = None
        self._pieces: tuple | None = None

    def stage_rows(self, frames, lengths, tplds=None, tail=None) -> int:
        self._rows, self._pieces = (frames, lengths, tplds, tail), None
        return len(lengths)

    def stage_pieces(self, addrs, lengths) -> int:
        self._rows, self._pieces = None, (addrs.copy(), lengths.copy())
        return len(addrs)

    def send_staged(self, n: int, start: int = 0) -> int:
        for i in range(start, n):
            if self._rows is not None:
                frames, lengths, tplds, tail = self._rows
                t = 0 if tplds is None else tplds.shape[1]
                end = int(lengths[i]) - t
                width = frames.shape[1]
                out = bytes(frames[i, : min(end, width)])
                if tail is not None and end > width:
                    out += bytes(tail[: end - width])
                if tplds is not None:
                    out += bytes(tplds[i])
            else:
                assert self._pieces is not None
                addrs, lens = self._pieces
                out = b"".join(
                    ctypes.string_at(int(a), int(k))
                    for a, k in zip(addrs[i], lens[i], strict=True)
                    if k
                )
            self.frames.append(out)
        return n - start


def _stream(length: int, tpld_id: int) -> Stream:
    return Stream(
        packet=HDR,
        header_len_bytes=len(HDR),
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDP),
        tpld_id=tpld_id,
        length=FrameLength.fixed(length),
        payload=Payload(PayloadType.INC8),
        modifiers=(Modifier(pos=18, mask=0xFFFF0000, action=ModifierAction.INC),),
    )


@pytest.mark.parametrize("ahead_ns", [txw._AHEAD_NS, 300_000])
def test_two_interleaved_bursts_leave_complete_and_in_order(monkeypatch, ahead_ns):
    # 300 us ahead: 12 and 6 frames built at a time, about a batch's worth, so
    # many batches find fewer built than they owe, send those and build the rest.
    # On a clock only the worker's waits move (real time under load let a batch
    # owe many frames at once and the share of the first 99 drift past the bound)
    clock = _Clock()
    monkeypatch.setattr(txw, "time", clock)
    monkeypatch.setattr(txw, "CommandPoller", _commands(clock))
    monkeypatch.setattr(txw, "_AHEAD_NS", ahead_ns)
    wire = _Wire()
    counters = CounterBlock(txw.tx_words(16))
    ours, theirs = mp.Pipe()
    try:
        sender = txw._Sender(wire, counters, 16)  # type: ignore[arg-type]
        plans = [
            StreamPlan(0, 40_000.0, PacerMode.SINGLE_BURST, total_pkts=600),
            StreamPlan(1, 20_000.0, PacerMode.SINGLE_BURST, total_pkts=300),
        ]
        job = txw.TxJob(
            run_id=1,
            streams=[
                txw.TxStreamJob(0, _stream(100, 4), plans[0], 4),
                txw.TxStreamJob(1, _stream(180, 5), plans[1], 5),
            ],
            tpld_mode=TpldMode.NORMAL,
            pi_offset=0,
            duration_s=None,
            multiplier=1.0,
        )
        assert sender.run(job, ours) is True
        assert theirs.recv() == JobDone(1)
        words = counters.read()
        assert words[txw.TX_PACKETS] == 900
        assert words[txw.TX_BYTES] == 600 * 100 + 300 * 180
    finally:
        counters.close()
        ours.close()
        theirs.close()
    assert len(wire.frames) == 900
    lengths = np.array([len(f) for f in wire.frames], dtype=np.int64)
    width = int(lengths.max())
    data = np.zeros((900, width), dtype=np.uint8)
    for i, f in enumerate(wire.frames):
        data[i, : len(f)] = np.frombuffer(f, np.uint8)
    dec = decode_batch(data, lengths, TpldMode.NORMAL)
    assert dec.valid.all()
    for tid, n, size in ((4, 600, 96), (5, 300, 176)):
        mine = dec.tid == tid
        assert (lengths[mine] == size).all()
        assert dec.seq[mine].tolist() == list(range(n))  # each once, in order
        ip_id = data[mine, 18].astype(np.int64) << 8 | data[mine, 19]
        assert ip_id.tolist() == list(range(n))  # the modifier's values too
        ts = dec.ts_ns[mine]
        assert (np.diff(ts) >= 0).all()
    # the two streams interleave by due time: stream 0's frames twice as often
    first_99 = dec.tid[:99].tolist()
    assert (first_99.count(4), first_99.count(5)) == (66, 33)


class _Clock:
    """The worker's monotonic clock, moved only by the worker's own waits and by
    the link: the run's timeline is the same every time."""

    def __init__(self) -> None:
        self.now = 0

    def monotonic_ns(self) -> int:
        return self.now

    def time_ns(self) -> int:
        return 1_700_000_000_000_000_000 + self.now

    def sleep(self, s: float) -> None:
        self.now += int(s * 1e9)


def _commands(clock: _Clock) -> type:
    """A command pipe that never has a command and waits on ``clock``."""

    class _Commands:
        def __init__(self, conn: object) -> None:
            pass

        def ready(self, timeout: float = 0.0) -> bool:
            clock.sleep(max(0.0, timeout))  # as poll() does
            return False

    return _Commands


class _SlowWire(_Wire):
    """A link that takes 1 ms per call: the worker falls behind its schedule."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self.clock = clock

    def send_staged(self, n: int, start: int = 0) -> int:
        self.clock.now += 1_000_000
        return super().send_staged(n, start)


@pytest.mark.parametrize("ahead_ns", [2_750_000, 9_000_000])
def test_a_late_last_batch_still_sends_every_frame_owed(monkeypatch, ahead_ns):
    # 50 ms of 40 kpps is frames 0..1999. Each call takes 1 ms (on a clock that
    # only the worker's waits and the link move), so a batch owes 40 or 80 frames
    # and some find fewer built (110 or 360 at a time): they send those and build
    # the rest. With 2.75 ms built ahead the last batch, after the end of the
    # duration, is one of them (sending only what was built loses 20 frames).
    clock = _Clock()
    monkeypatch.setattr(txw, "time", clock)
    monkeypatch.setattr(txw, "CommandPoller", _commands(clock))
    monkeypatch.setattr(txw, "_AHEAD_NS", ahead_ns)
    wire = _SlowWire(clock)
    counters = CounterBlock(txw.tx_words(16))
    ours, theirs = mp.Pipe()
    try:
        sender = txw._Sender(wire, counters, 16)  # type: ignore[arg-type]
        job = txw.TxJob(
            run_id=2,
            streams=[txw.TxStreamJob(0, _stream(72, 6), StreamPlan(0, 40_000.0), 6)],
            tpld_mode=TpldMode.NORMAL,
            pi_offset=0,
            duration_s=0.05,
            multiplier=1.0,
        )
        assert sender.run(job, ours) is True
        assert theirs.recv() == JobDone(2)
        assert counters.read()[txw.TX_PACKETS] == 2000
    finally:
        counters.close()
        ours.close()
        theirs.close()
    data = np.frombuffer(b"".join(wire.frames), np.uint8).reshape(2000, 68)
    dec = decode_batch(data, np.full(2000, 68, np.int64), TpldMode.NORMAL)
    assert dec.seq.tolist() == list(range(2000))
