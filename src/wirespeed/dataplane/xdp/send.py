"""Sending on a port's AF_XDP socket (the TX worker's side of :mod:`.port`).

:class:`XskSender` has the packet socket's interface (:class:`~wirespeed.dataplane.
afpacket.TxSocket`): frames are staged, then sent a part at a time. Sending a part
writes its frames into the sender's UMEM frames (a few numpy copies per stream: the
rows, the shared tail, the TPLDs, the padding), posts their descriptors to the TX
ring in one write, and kicks the kernel with ``sendto`` until it has taken them all;
it returns once the kernel has completed them (the completion ring), so a frame is
counted when it has left. UMEM frames are used as a ring: completions come back in
the order frames were posted.

Frames go through the packet socket instead while a capture watches the port's
transmit side (packet taps do not see what an AF_XDP socket sends) and while the
link is down (where the packet socket counts them as errors, as on the
``afpacket`` driver).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import mmap
import os
import select
import socket
import struct
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane.afpacket import PAD_TO_BYTES, TxSocket
from wirespeed.dataplane.xdp.layout import XskLayout
from wirespeed.dataplane.xdp.libs import SOL_XDP, XDP_MMAP_OFFSETS, libc
from wirespeed.dataplane.xdp.rings import DESC, ConsumerRing, ProducerRing, address_of
from wirespeed.errors import PortError
from wirespeed.fieldengine import TxBatch

__all__ = ["XskSender"]

_PGOFF_TX_RING = 0x80000000
_PGOFF_COMPLETION_RING = 0x180000000
_AF_XDP = 44
_MSG_DONTWAIT = 0x40
_KICK_FRAMES = 32  # frames one kick sends in copy mode (the kernel's budget)
_COMPLETE_WAIT_S = 1.0  # frames the kernel has not completed by then: errors
_SIOCGIFFLAGS = 0x8913
_LINK_CHECK_NS = 20_000_000
_IFF_UP_RUNNING = 0x1 | 0x40


@dataclass
class _Rows:
    """One batch's rows staged (frames ``i`` = row ``i``)."""

    batch: TxBatch


@dataclass
class _Mixed:
    """Several batches' rows staged in a given order: frame ``i`` is row
    ``row[i]`` of batch ``owner[i]``."""

    batches: list[TxBatch]
    order: npt.NDArray[np.int64]
    owner: npt.NDArray[np.intp]
    row: npt.NDArray[np.intp]


class XskSender:
    """Sends a port's frames on the AF_XDP socket its RX worker opened.

    Args:
        ifname: the interface (in the current namespace).
        xsk_fd: the socket (a descriptor of this process).
        umem_fd: the UMEM's memory file.
        layout: how the UMEM is cut.
        packet: the packet socket used while captures watch, or the link is down.
    """

    def __init__(
        self,
        ifname: str,
        xsk_fd: int,
        umem_fd: int,
        layout: XskLayout,
        packet: TxSocket,
    ) -> None:
        self.ifname = ifname
        self.layout = layout
        self.packet = packet
        # sends (kicks) go through a socket object: a C call, not ctypes
        self._sock = socket.socket(_AF_XDP, socket.SOCK_RAW, fileno=xsk_fd)
        self._umem_fd = umem_fd
        off = _mmap_offsets(xsk_fd)
        self._mm_umem = mmap.mmap(umem_fd, layout.size)
        tx_len = off["tx"][2] + layout.tx_ring * DESC.itemsize
        cr_len = off["cr"][2] + layout.comp_ring * 8
        try:
            self._mm_tx = mmap.mmap(xsk_fd, tx_len, offset=_PGOFF_TX_RING)
            self._mm_cr = mmap.mmap(xsk_fd, cr_len, offset=_PGOFF_COMPLETION_RING)
        except OSError as exc:
            raise PortError(f"{ifname}: cannot map the AF_XDP rings: {exc}") from exc
        tx_base, cr_base = address_of(self._mm_tx), address_of(self._mm_cr)
        p, c, d, f = off["tx"]
        self.tx = ProducerRing(
            tx_base + p, tx_base + c, tx_base + d, tx_base + f, layout.tx_ring, DESC
        )
        p, c, d, f = off["cr"]
        self.comp = ConsumerRing(
            cr_base + p, cr_base + c, cr_base + d, cr_base + f, layout.comp_ring,
            np.uint64,
        )  # fmt: skip
        frames = np.frombuffer(self._mm_umem, dtype=np.uint8).reshape(
            layout.rx_frames + layout.tx_frames, layout.frame_size
        )
        self._frames = frames[layout.rx_frames :]
        if layout.tx_ring != layout.tx_frames:
            raise PortError(f"{ifname}: AF_XDP TX ring and frames differ in size")
        # TX ring entry i always points at the sender's UMEM frame i (both are
        # used in order): the addresses are written once, a part writes lengths
        base = np.uint64(layout.rx_frames * layout.frame_size)
        fs = np.uint64(layout.frame_size)
        self.tx.entries["addr"] = base + np.arange(layout.tx_ring, dtype=np.uint64) * fs
        self.tx.entries["options"] = 0
        self._tails = _TailCache(layout.tx_frames)
        self._link_checked = 0
        # every frame posted comes back through the completion ring, in order:
        # where an earlier sender on this socket (a worker replaced) left off
        posted = self.tx.prod.value
        self._head = posted % layout.tx_frames  # next UMEM frame to use
        self._outstanding = (posted - self.comp.cons.value) & 0xFFFFFFFF
        self._abandoned = self._outstanding  # not this sender's to count
        self._staged: _Rows | _Mixed | None = None
        self._packet_staged = False
        self._visible = False
        self._ifreq = struct.pack("16sH14x", ifname.encode()[:15], 0)
        self._probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._errors = 0

    @property
    def own_errors(self) -> int:
        """Frames given up here (not completed in time)."""
        return self._errors

    @property
    def errors(self) -> int:
        """Frames not sent (link down, or not completed in time)."""
        return self._errors + self.packet.errors

    def show_to_taps(self, visible: bool) -> None:
        """Send through the packet socket (whose frames packet taps see) while
        ``visible``."""
        self._visible = visible
        self.packet.show_to_taps(visible)

    def stage_rows(
        self,
        frames: npt.NDArray[np.uint8],
        lengths: npt.NDArray[np.int64],
        tplds: npt.NDArray[np.uint8] | None = None,
        tail: npt.NDArray[np.uint8] | None = None,
    ) -> int:
        """Stage one batch's frames (see :meth:`TxSocket.stage_rows`)."""
        self._staged = _Rows(TxBatch(frames, lengths, tplds, tail))
        self._packet_staged = False
        return len(lengths)

    def stage_batches(
        self, batches: list[TxBatch], order: npt.NDArray[np.int64]
    ) -> int:
        """Stage the frames of several batches, in ``order`` (positions in the
        batches' frames numbered batch after batch)."""
        counts = [len(b.lengths) for b in batches]
        owner = np.repeat(np.arange(len(batches), dtype=np.intp), counts)
        row = np.concatenate([np.arange(c, dtype=np.intp) for c in counts])
        self._staged = _Mixed(batches, order, owner[order], row[order])
        self._packet_staged = False
        return int(sum(counts))

    def send_staged(self, n: int, start: int = 0) -> int:
        """Send staged frames ``start...n - 1``; returns how many were sent."""
        if n <= start:
            return 0
        if self._visible or not self._link_up():
            self._stage_packet()
            return self.packet.send_staged(n, start)
        off = start
        tries = 0
        while off < n:
            self._reap()
            room = min(self.layout.tx_frames - self._outstanding, self.tx.free())
            # a part never wraps around the end of the sender's frames
            m = min(room, n - off, self.layout.tx_frames - self._head)
            if m <= 0:
                tries += 1
                if not self._kick() or tries > 10_000:
                    break
                select.select([], [], [], 0.0001)
                continue
            tries = 0
            lens = self._write(off, off + m, self._head)
            self.tx.entries["len"][self._head : self._head + m] = lens
            self.tx.submit(m)
            self._outstanding += m
            self._head = (self._head + m) % self.layout.tx_frames
            off += m
            if not self._kick():
                break
        sent = off - start - self._complete()
        return sent

    def _link_up(self) -> bool:
        """The link is up (asked of the kernel at most every 20 ms)."""
        now = time.monotonic_ns()
        if now - self._link_checked < _LINK_CHECK_NS:
            return True
        res = fcntl.ioctl(self._probe.fileno(), _SIOCGIFFLAGS, self._ifreq)
        flags = int(struct.unpack_from("H", res, 16)[0])
        up = flags & _IFF_UP_RUNNING == _IFF_UP_RUNNING
        self._link_checked = now if up else 0
        return up

    def _stage_packet(self) -> None:
        """Stage on the packet socket what is staged here."""
        if self._packet_staged or self._staged is None:
            return
        st = self._staged
        if isinstance(st, _Rows):
            b = st.batch
            self.packet.stage_rows(b.body, b.lengths, b.tpld, b.tail)
        else:
            pieces = [b.pieces() for b in st.batches]
            self.packet.stage_pieces(
                np.concatenate([a for a, _ in pieces])[st.order],
                np.concatenate([ln for _, ln in pieces])[st.order],
            )
        self._packet_staged = True

    def _kick(self) -> bool:
        """Have the kernel take what the TX ring holds; False if the link went
        down (the frames stay until it is up: they are waited for, then errors).

        In copy mode a kick sends up to 32 frames (the kernel's default budget,
        kept: with 1024 a kick overran a veth peer's 256-frame XDP ring, whose
        drops the kernel counts as the sender's ``tx_dropped`` while the socket
        completes the frames as sent)."""
        spins = 0
        send = self._sock.send  # 0.5 us a call; through ctypes 1.7
        while pending := self.tx.pending():
            try:
                for _ in range((pending + _KICK_FRAMES - 1) // _KICK_FRAMES):
                    send(b"", _MSG_DONTWAIT)
            except OSError as exc:
                if exc.errno in (errno.ENETDOWN, errno.ENXIO):
                    return False
                if exc.errno not in (errno.EAGAIN, errno.EBUSY, errno.ENOBUFS):
                    raise PortError(f"{self.ifname}: AF_XDP send: {exc}") from exc
                self._reap()  # the completion ring full, or the device busy
                spins += 1
                if spins > 100_000:
                    return False
        return True

    def _reap(self) -> None:
        k = self.comp.ready()
        if k:
            self.comp.release(k)
            self._outstanding -= k
            # frames given up on are the oldest: they complete first
            self._abandoned -= min(k, self._abandoned)

    def _complete(self) -> int:
        """Wait until the kernel has completed every frame posted; returns how
        many it did not in time (counted as errors)."""
        deadline = time.monotonic() + _COMPLETE_WAIT_S
        self._reap()
        while self._outstanding > 0 and time.monotonic() < deadline:
            if self.tx.pending():
                self._kick()
            else:
                select.select([], [], [], 0.00005)
            self._reap()
        lost = self._outstanding - self._abandoned  # this call's, not before
        if lost > 0:  # given up: counted as not sent
            self._abandoned = self._outstanding
            self._errors += lost
            return lost
        return 0

    def _write(self, start: int, stop: int, head: int) -> npt.NDArray[np.int64]:
        """Write staged frames ``start...stop - 1`` into UMEM frames from ``head``
        on; returns their lengths on the wire (padding included)."""
        st = self._staged
        assert st is not None
        k = stop - start
        if isinstance(st, _Rows):
            return _write_rows(
                self._frames,
                slice(head, head + k),
                st.batch,
                slice(start, stop),
                self._tails,
            )
        lens = np.empty(k, dtype=np.int64)
        owner = st.owner[start:stop]
        row = st.row[start:stop]
        for i, batch in enumerate(st.batches):
            pick = np.flatnonzero(owner == i)
            if len(pick):
                lens[pick] = _write_rows(
                    self._frames, pick + head, batch, row[pick], self._tails
                )
        return lens

    def close(self) -> None:
        """Unmap the rings and close the descriptors (the socket stays the RX
        worker's)."""
        self.tx = self.comp = None  # type: ignore[assignment]
        del self._frames
        for mm in (self._mm_tx, self._mm_cr, self._mm_umem):
            with contextlib.suppress(BufferError):  # a view still alive
                mm.close()
        self._probe.close()
        self._sock.close()
        os.close(self._umem_fd)


_IDX = slice | npt.NDArray[np.intp]


class _TailCache:
    """Which UMEM frames still hold which shared tail.

    A stream's static bytes (its batch's ``tail``) are the same in every frame:
    a UMEM frame that got them last time it was used, and was not written over
    there since, keeps them, and a part writes only the frames that do not (for
    a stream alone on its port, all of them once). 1518-byte frames cost a 1.4 KB
    copy each without this.
    """

    _MAX_KEYS = 64

    def __init__(self, frames: int) -> None:
        self.token = np.full(frames, -1, dtype=np.int64)
        self._keys: dict[tuple[int, int], tuple[int, npt.NDArray[np.uint8]]] = {}

    def key(self, tail: npt.NDArray[np.uint8], extent: int) -> int:
        """The token of ``tail`` written up to byte ``extent`` of a frame (the
        array is kept alive with it, so its id is never another's)."""
        k = (id(tail), extent)
        got = self._keys.get(k)
        if got is None:
            if len(self._keys) >= self._MAX_KEYS:
                self._keys.clear()
                self.token[:] = -1
            got = (len(self._keys), tail)
            self._keys[k] = got
        return got[0]

    def write(
        self,
        frames: npt.NDArray[np.uint8],
        dst: _IDX,
        tail: npt.NDArray[np.uint8],
        width: int,
        extent: int,
    ) -> None:
        """``tail`` into bytes ``width...extent - 1`` of frames ``dst`` that do
        not hold it already."""
        token = self.key(tail, extent)
        stale = self.token[dst] != token
        if not stale.any():
            return
        if stale.all():
            frames[dst, width:extent] = tail[: extent - width]
        else:
            rows = np.arange(frames.shape[0], dtype=np.intp)[dst][stale]
            frames[rows, width:extent] = tail[: extent - width]
        self.token[dst] = token

    def spoil(self, dst: _IDX) -> None:
        """Frames ``dst`` had bytes of their tail written over."""
        self.token[dst] = -1


def _write_rows(
    frames: npt.NDArray[np.uint8],
    dst: _IDX,
    batch: TxBatch,
    src: _IDX,
    tails: _TailCache | None = None,
) -> npt.NDArray[np.int64]:
    """Write frames ``src`` of ``batch`` into UMEM frames ``dst`` (rows of
    ``frames``): head, shared tail (only where ``tails`` says it is not there
    already), TPLD, zero padding. Returns their lengths on the wire."""
    body, tail, tpld = batch.body, batch.tail, batch.tpld
    lengths = batch.lengths[src]
    width = body.shape[1]
    t = 0 if tpld is None else tpld.shape[1]
    lo, hi = int(lengths.min()), int(lengths.max())
    if lo == hi:  # one length: slices only
        end = lo - t
        head = min(end, width)
        frames[dst, :head] = body[src, :head]
        if tail is not None and end > width:
            if tails is None:
                frames[dst, width:end] = tail[: end - width]
            else:  # the TPLD and padding come after ``end``: the tail stays
                tails.write(frames, dst, tail, width, end)
        if tpld is not None:
            frames[dst, end:lo] = tpld[src]
        if lo < PAD_TO_BYTES:
            frames[dst, lo:PAD_TO_BYTES] = 0
        return np.full(len(lengths), max(lo, PAD_TO_BYTES), dtype=np.int64)
    ends = lengths - t
    top = int(ends.max())
    head = min(top, width)
    frames[dst, :head] = body[src, :head]
    if tail is not None and top > width:
        if tails is None:
            frames[dst, width:top] = tail[: top - width]
        else:  # the whole tail, so that any length finds it
            tails.write(frames, dst, tail, width, width + len(tail))
    rows = np.arange(frames.shape[0], dtype=np.intp)[dst][:, None]
    if tpld is not None:
        frames[rows, ends[:, None] + np.arange(t)] = tpld[src]
        if tails is not None:  # each TPLD lands somewhere in the tail
            tails.spoil(dst)
    if lo < PAD_TO_BYTES:
        cols = np.arange(PAD_TO_BYTES)
        short = lengths < PAD_TO_BYTES
        pad = frames[rows[short, 0], :PAD_TO_BYTES]
        pad[cols >= lengths[short][:, None]] = 0
        frames[rows[short, 0], :PAD_TO_BYTES] = pad
        if tails is not None:
            tails.spoil(rows[short, 0])
    out: npt.NDArray[np.int64] = np.maximum(lengths, PAD_TO_BYTES)
    return out


def _mmap_offsets(fd: int) -> dict[str, tuple[int, int, int, int]]:
    """``struct xdp_mmap_offsets``: where each ring's parts are in its mapping."""
    buf = (ctypes.c_uint64 * 16)()
    size = ctypes.c_uint32(ctypes.sizeof(buf))
    if libc.getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, buf, ctypes.byref(size)) < 0:
        raise PortError(f"AF_XDP ring offsets: {os.strerror(ctypes.get_errno())}")
    v = [int(x) for x in buf]
    return {
        name: (v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3])
        for i, name in enumerate(("rx", "tx", "fr", "cr"))
    }
