"""The service side of :class:`~wirespeed.service.fake.FakeDataplane`: what a
port's service worker would answer, as a test says it (for front-end tests).

    fake.services.neighbors[0]["198.18.1.1"] = "02:00:00:00:01:01"   # answers ARP
    fake.services.rtt_ns = 250_000                                   # ping replies
    fake.services.silent[0].add("198.18.2.2")                        # ... or none

A resolution of an address nobody was told about fails as the worker's does; every
frame sent is kept (``fake.services.sent[port]``) and counted in the port's service
words; captures keep the frames a test hands to :meth:`FakeServices.capture` (with
their times and direction; a fixed capture the first ``limit_frames``, a cyclic one
the latest).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from wirespeed.capture import CapturedFrames, CaptureFormat, CaptureWriter, Direction
from wirespeed.dataplane import service_messages as sm
from wirespeed.l3 import L3Identity

__all__ = ["FakeServices"]

_FCS = 4


@dataclass(frozen=True)
class _Kept:
    frame: bytes
    ts_ns: int
    direction: Direction


class FakeServices:
    """Service workers of ``n_ports`` ports, answering from tables."""

    def __init__(self, n_ports: int) -> None:
        self.words = [np.zeros(sm.SVC_WORDS, dtype=np.int64) for _ in range(n_ports)]
        self.identity = [L3Identity() for _ in range(n_ports)]
        #: per port, address (text) -> MAC that "answers"
        self.neighbors: list[dict[str, str]] = [{} for _ in range(n_ports)]
        self.rtt_ns = 100_000
        self.ttl = 64
        #: per port, addresses (text) whose echo requests get no reply
        self.silent: list[set[str]] = [set() for _ in range(n_ports)]
        self.sent: list[list[bytes]] = [[] for _ in range(n_ports)]
        self._captures: dict[int, tuple[int, sm.CaptureSpec, list[_Kept]]] = {}

    def command(
        self, port: int, cmd: sm.ServiceCommand, report: Callable[[int, object], None]
    ) -> None:
        """Carry out ``cmd`` and answer through ``report`` at once."""
        w = self.words[port]
        match cmd:
            case sm.SetIdentity(identity):
                self.identity[port] = identity
            case sm.Resolve(req, addr, timeout_s):
                mac = self.neighbors[port].get(str(addr))
                word = sm.ARP_REQUESTS_TX if addr.version == 4 else sm.NS_TX
                w[word] += 1
                if mac is None:
                    what = "ARP" if addr.version == 4 else "neighbour solicitation"
                    msg = f"{addr} did not answer {what} within {timeout_s:g} s"
                    report(port, sm.ResolveResult(req, addr, None, msg))
                else:
                    report(port, sm.ResolveResult(req, addr, mac))
            case sm.StartPing(req, dst, _mac, count):
                answered = str(dst) not in self.silent[port]
                entry = sm.PingEntry(0, "timeout")
                if answered:
                    entry = sm.PingEntry(
                        0, "success", dst, self.rtt_ns, self.ttl, cmd.size_bytes
                    )
                v6 = dst.version == 6
                w[sm.PING6_REQUESTS_TX if v6 else sm.PING4_REQUESTS_TX] += count
                w[sm.PING6_REPLIES_RX if v6 else sm.PING4_REPLIES_RX] += (
                    count if answered else 0
                )
                entries = tuple(replace(entry, seq=i + 1) for i in range(count))
                report(port, sm.PingResult(req, entries))
            case sm.SendFrames(req, frames):
                size = sum(max(len(f), 60) + _FCS for f in frames)
                self.sent[port].extend(frames)
                for word, n in (
                    (sm.SVC_TX_PACKETS, len(frames)),
                    (sm.SVC_TX_BYTES, size),
                    (sm.SVC_SINGLE_PACKETS, len(frames)),
                    (sm.SVC_SINGLE_BYTES, size),
                ):
                    w[word] += n
                w[sm.SVC_SINGLE_LAST_NS] = time.time_ns()
                report(port, sm.FramesSent(req, len(frames), size, time.time_ns()))
            case sm.QueryNeighbors(req):
                report(port, sm.NeighborList(req, ()))
            case sm.StartCapture(req, cid, spec):
                self._captures[cid] = (port, spec, [])
                self._write(cid)
                report(port, sm.CaptureStatus(req, {cid: sm.CaptureStats()}))
            case sm.StopCapture(req, cid):
                st = self._stats(cid, done=True)
                self._captures.pop(cid, None)
                report(port, sm.CaptureStatus(req, {cid: st}))
            case sm.QueryCaptures(req):
                stats = {
                    cid: self._stats(cid)
                    for cid, (p, _s, _f) in self._captures.items()
                    if p == port
                }
                report(port, sm.CaptureStatus(req, stats))

    def capture(
        self,
        port: int,
        frames: list[bytes],
        *,
        ts_ns: int | None = None,
        direction: Direction = Direction.INBOUND,
    ) -> None:
        """Frames "seen" on ``port`` (received, or sent with ``OUTBOUND``), frame
        ``i`` at ``ts_ns + i`` (default: now): every running capture there of
        that direction keeps them."""
        t0 = time.time_ns() if ts_ns is None else ts_ns
        new = [_Kept(f, t0 + i, direction) for i, f in enumerate(frames)]
        is_rx = direction is not Direction.OUTBOUND
        for cid, (p, spec, kept) in self._captures.items():
            if p != port or not (spec.rx if is_rx else spec.tx):
                continue
            limit = spec.limit_frames or len(kept) + len(new)
            if spec.mode == "cyclic":
                kept.extend(new)
                del kept[: max(0, len(kept) - limit)]
            else:
                kept.extend(new[: max(0, limit - len(kept))])
            self._write(cid)

    def _stats(self, cid: int, *, done: bool = False) -> sm.CaptureStats:
        _p, _spec, kept = self._captures[cid]
        return sm.CaptureStats(len(kept), sum(len(k.frame) for k in kept), 0, done)

    def _write(self, cid: int) -> None:
        _p, spec, kept = self._captures[cid]
        wr = CaptureWriter(
            Path(spec.path), CaptureFormat(spec.fmt), snaplen=spec.snaplen
        )
        try:
            if kept:
                wr.write(
                    CapturedFrames.from_frames(
                        [k.frame for k in kept],
                        ts_ns=[k.ts_ns for k in kept],
                        direction=[int(k.direction) for k in kept],
                    )
                )
        finally:
            wr.close()

    def svc_words(self, port: int) -> npt.NDArray[np.int64]:
        """A copy of the port's service words."""
        return self.words[port].copy()
