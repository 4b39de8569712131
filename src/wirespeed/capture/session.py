"""A capture running on one interface: ring to file, driven by its host's loop.

A :class:`CaptureSession` is hosted by a port's service worker, in the port's
namespace: the worker selects on :meth:`CaptureSession.fileno` with its other
descriptors and calls :meth:`CaptureSession.poll` when it is readable (or now and
then), which moves every frame the kernel has handed over into the file, one batch
and one write per call, and never blocks.

Frames keep their exact bytes (a VLAN tag the kernel moved into metadata is put
back), the kernel's receive time and their direction: ``rx`` for frames the
interface received, ``tx`` for frames this host sent on it. A sender that bypasses
the qdisc (``PACKET_QDISC_BYPASS``) is not seen in ``tx``: the kernel only shows
packet sockets the frames that go through the qdisc layer.

The limits: a fixed capture keeps the first frames up to the limit and is then
``done`` (the kernel stops passing frames to it); a cyclic capture keeps the latest
ones, rewriting its file when it holds twice what it keeps, and trims it to exactly
that when it closes. ``missed`` counts the frames the kernel dropped because the
ring was full: a capture that cannot keep up says how many it lost.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from wirespeed.capture.config import DIRECTIONS, CaptureConfig, CaptureMode
from wirespeed.capture.pcapfile import (
    CapturedFrames,
    CaptureFormat,
    CaptureWriter,
    read_capture,
)
from wirespeed.capture.ring import CaptureRing

__all__ = ["CaptureSession", "CaptureStats"]


@dataclass(frozen=True)
class CaptureStats:
    """Where a capture stands.

    Attributes:
        frames: frames kept (in the file; cyclic: the latest that count).
        bytes: captured bytes of those frames.
        missed: frames the kernel dropped because the capture fell behind.
        done: a fixed capture reached its limit and takes no more frames.
    """

    frames: int
    bytes: int
    missed: int
    done: bool


class CaptureSession:
    """Capture frames of interface ``ifname`` (in the current namespace) to a file.

    Args:
        ifname: the interface.
        path: the capture file (created or truncated).
        filter, snaplen, limit_frames, limit_bytes, directions, fmt, mode: see
            :class:`~wirespeed.capture.config.CaptureConfig`.
        ring_blocks, block_bytes: the kernel ring's size (blocks of a power of
            two bytes); a frame larger than a block is cut to fit.

    Raises:
        ConfigError: a setting is wrong (the error names it).
        PortError: the interface or the file cannot be used.
    """

    def __init__(
        self,
        ifname: str,
        *,
        path: Path,
        filter: str = "",
        snaplen: int = 65535,
        limit_frames: int | None = None,
        limit_bytes: int | None = None,
        directions: frozenset[str] = DIRECTIONS,
        fmt: CaptureFormat | str = CaptureFormat.PCAPNG,
        mode: CaptureMode | str = CaptureMode.FIXED,
        ring_blocks: int = 16,
        block_bytes: int = 1 << 20,
    ) -> None:
        config = CaptureConfig.parse(
            path,
            filter=filter,
            snaplen=snaplen,
            limit_frames=limit_frames,
            limit_bytes=limit_bytes,
            directions=directions,
            fmt=fmt,
            mode=mode,
        )
        self._start(ifname, config, ring_blocks, block_bytes)

    @classmethod
    def from_config(
        cls,
        ifname: str,
        config: CaptureConfig,
        *,
        ring_blocks: int = 16,
        block_bytes: int = 1 << 20,
    ) -> CaptureSession:
        """Open a capture from settings checked before (by a front end)."""
        session = cls.__new__(cls)
        session._start(ifname, config, ring_blocks, block_bytes)
        return session

    def _start(
        self, ifname: str, config: CaptureConfig, ring_blocks: int, block_bytes: int
    ) -> None:
        self.ifname = ifname
        self.config = config
        self._ring = CaptureRing(
            ifname,
            config.program,
            is_outgoing_seen="tx" in config.directions,
            block_bytes=block_bytes,
            blocks=ring_blocks,
        )
        try:
            self._writer = self._new_writer(config.path)
        except BaseException:
            self._ring.close()
            raise
        self._frames = 0
        self._bytes = 0
        self._missed = 0
        self._done = False
        self._closed = False
        self._file = _Tally()  # cyclic: the frames in the file

    def _new_writer(self, path: Path) -> CaptureWriter:
        c = self.config
        return CaptureWriter(path, c.fmt, snaplen=c.snaplen, ifname=self.ifname)

    # -- the host's loop -------------------------------------------------------
    def fileno(self) -> int:
        """A descriptor that is readable when frames are waiting."""
        return self._ring.fileno()

    def poll(self) -> int:
        """Move the frames waiting into the file (never blocks): one write for
        each block of frames the kernel handed over.

        Returns:
            How many frames were kept.
        """
        kept = 0
        while not self._closed:
            frames = self._ring.read()
            if frames is None:
                break
            if self._done or not len(frames):
                continue
            snaplen = self.config.snaplen
            if int(frames.cap_len.max()) > snaplen:  # a tag put back made it longer
                frames = replace(frames, cap_len=np.minimum(frames.cap_len, snaplen))
            if self.config.mode is CaptureMode.CYCLIC:
                kept += self._keep_latest(frames)
            else:
                kept += self._keep_first(frames)
        return kept

    def _keep_first(self, frames: CapturedFrames) -> int:
        c = self.config
        room = c.max_frames - self._frames
        fits = np.cumsum(frames.cap_len) <= c.max_bytes - self._bytes
        k = min(room, int(np.count_nonzero(fits)))
        if k:
            kept = frames.head(k)
            self._writer.write(kept)
            self._frames += k
            self._bytes += int(kept.cap_len.sum())
        if (
            k < len(frames)
            or self._frames == c.max_frames
            or self._bytes == c.max_bytes
        ):
            self._finish()
        return k

    def _keep_latest(self, frames: CapturedFrames) -> int:
        c = self.config
        self._writer.write(frames)
        self._file.append(frames.cap_len)
        start = self._file.first_kept(c.max_frames, c.max_bytes)
        self._frames = self._file.count - start
        self._bytes = self._file.bytes_from(start)
        if self._file.count >= 2 * c.max_frames or self._file.total >= 2 * c.max_bytes:
            self._trim()
        return len(frames)

    def _trim(self) -> None:
        """Rewrite the file to hold only the frames that count (cyclic)."""
        path = self.config.path
        start = self._file.first_kept(self.config.max_frames, self.config.max_bytes)
        if start == 0:
            return
        kept = read_capture(path).tail(self._file.count - start)
        tmp = path.with_name(path.name + ".trim")
        writer = self._new_writer(tmp)
        writer.write(kept)
        os.replace(tmp, path)
        self._writer.close()
        self._writer = writer
        self._file.drop_before(start)

    def _finish(self) -> None:
        self._done = True
        self._ring.stop()
        self._missed = self._ring.drops()

    # -- reading out -----------------------------------------------------------
    def stats(self) -> CaptureStats:
        """Frames and bytes kept, frames missed, and whether the limit was hit."""
        if not (self._done or self._closed):
            self._missed = self._ring.drops()
        return CaptureStats(self._frames, self._bytes, self._missed, self._done)

    @property
    def is_done(self) -> bool:
        """A fixed capture reached its limit."""
        return self._done

    def close(self) -> None:
        """Stop: keep the frames already captured (waiting at most a second for
        a block the kernel is still filling), then close the socket and the
        file. Idempotent; :meth:`stats` still answers."""
        if self._closed:
            return
        try:
            # the kernel hands the block it is filling over when its timer runs
            # out; on a loaded machine that timer can be late by much more than
            # its period, and a block not handed over is lost to the capture
            deadline = time.monotonic() + max(1.0, 4 * self._ring.retire_ms / 1000)
            self.poll()
            while not self._done and self._ring.is_filling():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._ring.wait(left)
                self.poll()
            if not self._done:
                self._missed = self._ring.drops()
            if self.config.mode is CaptureMode.CYCLIC:
                self._trim()
        finally:
            self._closed = True
            self._ring.close()
            self._writer.close()

    def __enter__(self) -> CaptureSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Tally:
    """The captured lengths of the frames in a file, as running byte totals:
    ``ends[i]`` is the bytes of frames ``0...i-1`` (grows by doubling)."""

    def __init__(self) -> None:
        self._ends = np.zeros(1024, dtype=np.int64)
        self.count = 0

    @property
    def total(self) -> int:
        """Bytes of all the frames."""
        return int(self._ends[self.count])

    def append(self, lens: npt.NDArray[np.int64]) -> None:
        """Count more frames."""
        n, k = self.count, len(lens)
        if n + k + 1 > len(self._ends):
            grown = np.zeros(2 * (n + k + 1), dtype=np.int64)
            grown[: n + 1] = self._ends[: n + 1]
            self._ends = grown
        np.cumsum(lens, out=self._ends[n + 1 : n + k + 1])
        self._ends[n + 1 : n + k + 1] += self._ends[n]
        self.count = n + k

    def first_kept(self, max_frames: int, max_bytes: int) -> int:
        """The first of the latest frames that fit both limits."""
        ends = self._ends[: self.count + 1]
        by_bytes = int(np.searchsorted(ends, self.total - max_bytes, side="left"))
        return max(self.count - max_frames, by_bytes)

    def bytes_from(self, start: int) -> int:
        """Bytes of frames ``start...`` ."""
        return self.total - int(self._ends[start])

    def drop_before(self, start: int) -> None:
        """Forget frames ``0...start-1``."""
        n = self.count
        self._ends[: n - start + 1] = self._ends[start : n + 1] - self._ends[start]
        self.count = n - start
