"""TRex captures on the tester's captures.

One TRex capture spans several ports and directions (``tx``/``rx`` port lists) and
one buffer; wirespeed captures per port, to a file. A TRex capture is therefore one
tester capture per port (with that port's directions, the filter, the snap length
and the mode), and its buffer is read from their files: ``fetch`` merges the frames
not fetched yet by time, numbers them in that order (1, 2, ...) and moves each part's
cursor past what it handed out, as TRex's buffer gives each frame once.

The limit applies to the whole capture: a fixed capture gives out its first
``limit`` frames, a cyclic one the latest ``limit`` not fetched yet (older ones
are dropped). A fixed part's cursor is a frame count (its file only grows); a cyclic
part's file is trimmed as it goes, so its cursor is the time of the last frame
given out (and how many frames of that very time were).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wirespeed.capture import CapturedFrames, CaptureMode, Direction
from wirespeed.errors import ValidationError
from wirespeed.service import Tester

__all__ = ["CaptureTable", "TrexCapture"]

_FULL_SNAPLEN = 65535


@dataclass
class _Part:
    """One tester capture of a TRex capture, and how far it was read."""

    port: int
    capture_id: int
    taken: int = 0  # fixed: frames of the file given out (or passed over)
    last_ts_ns: int = -1  # cyclic: time of the last frame given out
    at_last: int = 0  # cyclic: frames of exactly that time given out

    def unread(self, frames: CapturedFrames, mode: CaptureMode) -> np.ndarray:
        """Indices of the frames of ``frames`` not given out yet."""
        if mode is CaptureMode.FIXED:
            return np.arange(self.taken, len(frames))
        ts = frames.ts_ns
        same = np.flatnonzero(ts == self.last_ts_ns)[self.at_last :]
        return np.union1d(np.flatnonzero(ts > self.last_ts_ns), same)

    def advance(self, ts_ns: int) -> None:
        """One more frame (of time ``ts_ns``) given out or passed over."""
        self.taken += 1
        if ts_ns == self.last_ts_ns:
            self.at_last += 1
        else:
            self.last_ts_ns, self.at_last = ts_ns, 1


@dataclass(frozen=True)
class _Frame:
    ts_ns: int
    part: int
    index: int


@dataclass
class TrexCapture:
    """One TRex capture: its settings, parts and what was given out."""

    capture_id: int
    tx: tuple[int, ...]
    rx: tuple[int, ...]
    limit: int
    mode: CaptureMode
    bpf: str
    snaplen: int
    start_ts: float
    parts: list[_Part] = field(default_factory=list)
    is_active: bool = True
    fetched: int = 0
    dropped: int = 0

    def pending(
        self, read: Callable[[int], CapturedFrames]
    ) -> tuple[list[_Frame], list[CapturedFrames]]:
        """The frames not given out yet, in time order, within the limit (a
        cyclic capture passes over the older ones now)."""
        files = [read(p.capture_id) for p in self.parts]
        frames = [
            _Frame(int(f.ts_ns[i]), k, int(i))
            for k, (p, f) in enumerate(zip(self.parts, files, strict=True))
            for i in p.unread(f, self.mode)
        ]
        frames.sort(key=lambda f: (f.ts_ns, f.part, f.index))
        if self.mode is CaptureMode.FIXED:
            return frames[: max(0, self.limit - self.fetched)], files
        excess = max(0, len(frames) - self.limit)
        for f in frames[:excess]:
            self.parts[f.part].advance(f.ts_ns)
        self.dropped += excess
        return frames[excess:], files

    def fetch(
        self, read: Callable[[int], CapturedFrames], pkt_limit: int, snaplen: int
    ) -> dict[str, Any]:
        """Give out up to ``pkt_limit`` frames (cut to ``snaplen``, 0: whole)."""
        pending, files = self.pending(read)
        cuts = [n for n in (snaplen, self.snaplen) if n > 0]
        cut = min(cuts) if cuts else None
        pkts = []
        for f in pending[:pkt_limit]:
            part = self.parts[f.part]
            got = files[f.part]
            self.fetched += 1
            part.advance(f.ts_ns)
            outbound = int(got.direction[f.index]) == Direction.OUTBOUND
            pkts.append(
                {
                    "binary": base64.b64encode(got.frame(f.index)[:cut]).decode(),
                    "ts": f.ts_ns / 1e9,
                    "port": part.port,
                    "index": self.fetched,
                    "origin": "TX" if outbound else "RX",
                    "wirelen": int(got.orig_len[f.index]),
                }
            )
        return {
            "pkts": pkts,
            "pending": len(pending) - len(pkts),
            "start_ts": self.start_ts,
        }

    def status(self, read: Callable[[int], CapturedFrames]) -> dict[str, Any]:
        """The capture as ``capture {status}`` lists it (``matched``: frames
        given out, passed over or held; a cyclic part's own file does not show
        the frames it overwrote before they were read)."""
        pending, files = self.pending(read)
        held = sum(int(files[f.part].cap_len[f.index]) for f in pending)
        return {
            "id": self.capture_id,
            "state": "ACTIVE" if self.is_active else "STOPPED",
            "mode": self.mode.value,
            "limit": self.limit,
            "count": len(pending),
            "bytes": held,
            "matched": self.fetched + self.dropped + len(pending),
            "filter": {
                "tx": _mask(self.tx),
                "rx": _mask(self.rx),
                "bpf": self.bpf,
            },
        }


def _mask(ports: Iterable[int]) -> int:
    return sum(1 << p for p in set(ports))


class CaptureTable:
    """The TRex captures of a server (ids from 1)."""

    def __init__(self) -> None:
        self._next_id = 1
        self._captures: dict[int, TrexCapture] = {}

    def get(self, capture_id: int) -> TrexCapture:
        """A capture by id.

        Raises:
            ValidationError: there is none (field ``capture_id``).
        """
        cap = self._captures.get(capture_id)
        if cap is None:
            raise ValidationError(f"no capture {capture_id}", field="capture_id")
        return cap

    def __iter__(self) -> Iterator[TrexCapture]:
        return iter(sorted(self._captures.values(), key=lambda c: c.capture_id))

    def start(
        self,
        tester: Tester,
        *,
        tx: tuple[int, ...],
        rx: tuple[int, ...],
        limit: int,
        mode: CaptureMode,
        bpf: str,
        snaplen: int,
        now_s: float,
    ) -> TrexCapture:
        """Start one tester capture per port; if one fails, none is left."""
        svc = tester.services
        cap = TrexCapture(self._next_id, tx, rx, limit, mode, bpf, snaplen, now_s)
        try:
            for port in sorted(set(tx) | set(rx)):
                cid = svc.start_capture(
                    port,
                    filter=bpf,
                    limit_frames=limit,
                    snaplen=_FULL_SNAPLEN if snaplen == 0 else max(64, snaplen),
                    rx=port in rx,
                    tx=port in tx,
                    mode=mode.value,
                )
                cap.parts.append(_Part(port, cid))
        except BaseException:
            for part in cap.parts:
                svc.remove_capture(part.capture_id)
            raise
        self._captures[cap.capture_id] = cap
        self._next_id += 1
        return cap

    def stop(self, tester: Tester, capture_id: int) -> int:
        """Stop a capture; the frames it holds (what ``fetch`` will give)."""
        svc = tester.services
        cap = self.get(capture_id)
        if cap.is_active:
            for part in cap.parts:
                svc.stop_capture(part.capture_id)
            cap.is_active = False
        return len(cap.pending(svc.read_capture)[0])

    def remove(self, tester: Tester, capture_id: int) -> None:
        """Stop a capture and forget it (its files are deleted)."""
        svc = tester.services
        cap = self.get(capture_id)
        for part in cap.parts:
            svc.remove_capture(part.capture_id)
        del self._captures[capture_id]
