"""AF_PACKET sockets: batched TX with ``sendmmsg`` and a TPACKET_V2 RX ring.

TX: ``sendmmsg``, up to 1024 frames a call. A frame is one message of up to three
pieces: its head (a row of a numpy array), the static rest of its bytes (one buffer
that every frame of the stream shares, so the kernel copies it from a hot cache)
and, for test frames, its TPLD (a row of a small second array), so neither the
shared bytes nor the TPLD need writing into the rows. A frame shorter than 60 bytes
gets a fourth piece, zero bytes up to 60, as a NIC pads it (a veth sends what it is
given). The message headers and
iovecs of one call live in numpy structured arrays, rewritten for each call by a
few vectorised assignments, not a Python loop.

RX: a PACKET_RX_RING in TPACKET_V2 layout. Every slot has a fixed size, so the status
words, lengths and kernel timestamps of all ready slots are read with numpy views and
handed back in one go; no system call is made while frames are waiting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import mmap
import select
import socket
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.errors import PortError
from wirespeed.model.patterns import MIN_WIRE_FRAME_BYTES
from wirespeed.model.stream import FCS_BYTES

__all__ = ["PAD_TO_BYTES", "RxBatch", "RxRing", "TxSocket"]

SOL_PACKET = 263
PACKET_RX_RING = 5
PACKET_STATISTICS = 6
PACKET_VERSION = 10
PACKET_QDISC_BYPASS = 20
PACKET_IGNORE_OUTGOING = 23
TPACKET_V2 = 1
ETH_P_ALL = 0x0003
TP_STATUS_KERNEL = 0
TP_STATUS_USER = 1
TP_STATUS_LOSING = 4
TP_STATUS_VLAN_VALID = 0x10
SO_RCVBUFFORCE = 33
SO_SNDBUFFORCE = 32

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_sendmmsg = _libc.sendmmsg
_sendmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]
_sendmmsg.restype = ctypes.c_int

# struct iovec {void *base; size_t len;}
_IOVEC = np.dtype([("base", np.uint64), ("len", np.uint64)])
# struct mmsghdr {struct msghdr hdr (56 bytes); unsigned int len; pad}
_MMSGHDR = np.dtype(
    [
        ("name", np.uint64),
        ("namelen", np.uint32),
        ("_pad0", np.uint32),
        ("iov", np.uint64),
        ("iovlen", np.uint64),
        ("control", np.uint64),
        ("controllen", np.uint64),
        ("flags", np.int32),
        ("_pad1", np.uint32),
        ("len", np.uint32),
        ("_pad2", np.uint32),
    ]
)
assert _MMSGHDR.itemsize == 64
_PIECES = 3  # the most pieces a message is given: head, shared rest, TPLD
PAD_TO_BYTES = MIN_WIRE_FRAME_BYTES - FCS_BYTES
"""Shortest frame sent (no FCS): shorter ones get zero bytes up to it."""
_ZEROS = np.zeros(PAD_TO_BYTES, dtype=np.uint8)  # what padding pieces point at
_MAX_CALL = 1024  # the most messages sendmmsg takes in one call (UIO_MAXIOV)


def _open_packet_socket(ifname: str, protocol: int) -> socket.socket:
    try:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(protocol))
    except PermissionError as exc:
        raise PortError(f"{ifname}: AF_PACKET needs CAP_NET_RAW (run as root)") from exc
    return sock


class TxSocket:
    """Sends batches of frames on one interface, up to 1024 per ``sendmmsg``.

    A batch of any size is staged (:meth:`stage_rows`, :meth:`stage_pieces`): where
    its frames are is recorded, and their message headers and iovecs are written
    into a small table of ``window`` slots right before the calls that send them.
    The kernel reads a message's header and iovec from user memory for every
    frame: a table for a whole batch of thousands of frames was cold by the time
    it was sent (misses in those reads cost the sending core as much again as the
    Python that builds the frames), while one call's worth, rewritten before each
    call, stays in the cache.

    Args:
        ifname: interface name (in the current namespace).
        window: messages per system call (at most 1024, the kernel's limit).
        qdisc_bypass: skip the local qdisc (fine unless a local qdisc must act).
    """

    def __init__(
        self, ifname: str, *, window: int = _MAX_CALL, qdisc_bypass: bool = True
    ):
        if not 1 <= window <= _MAX_CALL:
            raise ValueError(f"window {window}: 1 to {_MAX_CALL} messages a call")
        self.ifname = ifname
        self.window = window
        self.qdisc_bypass = qdisc_bypass
        self._bypassing = qdisc_bypass
        self._sock = _open_packet_socket(ifname, 0)
        try:
            if qdisc_bypass:
                self._sock.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
            self._sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 4 << 20)
            self._sock.bind((ifname, 0))
        except OSError as exc:
            self._sock.close()
            raise PortError(f"{ifname}: cannot open for TX: {exc}") from exc
        self._fd = self._sock.fileno()
        self._iov = np.zeros((window, _PIECES + 1), dtype=_IOVEC)
        self._msgs = np.zeros(window, dtype=_MMSGHDR)
        stride = np.uint64(self._iov.strides[0])
        self._msgs["iov"] = (
            self._iov.ctypes.data + np.arange(window, dtype=np.uint64) * stride
        )
        self._msgs["iovlen"] = 1
        self._msgs_addr = self._msgs.ctypes.data
        self._slots = np.arange(window, dtype=np.uint64)
        self.errors = 0
        self._staged = _Staged(0, 1, None, None, None, None, None)
        # the window: staged frames first...first + count - 1, in slots 0...; the
        # pieces per message and the lengths laid out there (None: must rewrite)
        self._generation = 0
        self._win = (-1, 0, 0)  # (generation, first, count)
        self._win_k = 1
        self._win_lens: object = None

    def show_to_taps(self, visible: bool) -> None:
        """Send through the qdisc path, which packet taps (captures) see, or
        (``False``) bypass it again if the socket was opened bypassing. Frames sent
        bypassing the qdisc never reach the taps."""
        bypass = self.qdisc_bypass and not visible
        if bypass != self._bypassing:
            self._sock.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, int(bypass))
            self._bypassing = bypass

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()

    def send_rows(
        self,
        frames: npt.NDArray[np.uint8],
        lengths: npt.NDArray[np.int64],
        tplds: npt.NDArray[np.uint8] | None = None,
        tail: npt.NDArray[np.uint8] | None = None,
    ) -> int:
        """Send one frame per row of ``frames``.

        Frame ``i`` is ``frames[i, :lengths[i]]``; with ``tail``, the bytes past the
        row's width come from ``tail`` (the same bytes for every frame); with
        ``tplds``, the frame's last ``t`` bytes are ``tplds[i]`` instead; a frame
        shorter than :data:`PAD_TO_BYTES` is padded with zeros to it. Rows of
        both arrays must be contiguous (any row stride), ``tail`` contiguous.
        Returns how many were sent (all of them unless the interface went down, in
        which case the rest are counted in ``errors``).
        """
        return self.send_staged(self.stage_rows(frames, lengths, tplds, tail))

    def stage_rows(
        self,
        frames: npt.NDArray[np.uint8],
        lengths: npt.NDArray[np.int64],
        tplds: npt.NDArray[np.uint8] | None = None,
        tail: npt.NDArray[np.uint8] | None = None,
    ) -> int:
        """Point the next :meth:`send_staged` at these frames (see
        :meth:`send_rows`); their bytes may still change until then, their lengths
        not. The arrays must stay alive until then. Returns how many are
        staged."""
        n = len(lengths)
        where: tuple[int, int, int, tuple[int, int] | None, int | None] = (
            frames.ctypes.data, frames.strides[0], n,
            None if tplds is None else (tplds.ctypes.data, tplds.strides[0]),
            None if tail is None else tail.ctypes.data,
        )  # fmt: skip
        fixed = not lengths.flags.writeable  # a generator's constant lengths
        if where == self._staged.where and fixed and lengths is self._staged.fixed:
            return n  # the same frames as last time: the window still holds
        t = 0 if tplds is None else tplds.shape[1]
        ends = lengths - t if t else lengths
        if tail is None:
            lens: tuple[npt.NDArray[np.int64], ...] = (ends,)
        else:
            head = np.minimum(ends, frames.shape[1])
            lens = (head, ends - head)
        if tplds is not None:
            lens += (np.full(n, t, dtype=np.int64),)
        pad = _padding(lengths)
        if pad is not None:
            lens += (pad,)
        const = None  # constant lengths: each piece's, the same in every message
        if fixed and n and bool((lengths == lengths[0]).all()):
            const = tuple(int(piece[0]) for piece in lens)
        self._staged = _Staged(
            n, len(lens), where, None, lens, lengths if fixed else None, const
        )
        self._generation += 1
        return n

    def send_staged(self, n: int, start: int = 0) -> int:
        """Send frames ``start...n - 1`` of those staged last (one system call per
        ``window`` frames). Returns how many went."""
        off = start
        retries = 0
        while off < n:
            gen, first, count = self._win
            if gen != self._generation or not first <= off < first + count:
                self._lay_out(off)
                first, count = off, self._win[2]
            m = min(n, first + count) - off
            r = _sendmmsg(self._fd, self._msgs_addr + (off - first) * 64, m, 0)
            if r < 0:
                err = ctypes.get_errno()
                if err in (105, 11, 4) and retries < 1000:  # ENOBUFS, EAGAIN, EINTR
                    retries += 1
                    select.select([], [self._fd], [], 0.001)
                    continue
                # Link down or similar: count the rest as not sent.
                self.errors += n - off
                return off - start
            off += r
        return n - start

    def send_pieces(
        self, addrs: npt.NDArray[np.uint64], lengths: npt.NDArray[np.int64]
    ) -> int:
        """Send frames given as absolute addresses of their pieces.

        Frame ``i`` is ``lengths[i, j]`` bytes at ``addrs[i, j]`` for each column
        ``j`` in turn (at most three; a piece of length 0 adds nothing), padded with
        zeros to :data:`PAD_TO_BYTES`; the caller keeps the memory behind the
        addresses alive until this returns.
        """
        return self.send_staged(self.stage_pieces(addrs, lengths))

    def stage_pieces(
        self, addrs: npt.NDArray[np.uint64], lengths: npt.NDArray[np.int64]
    ) -> int:
        """Stage frames given as addresses (see :meth:`send_pieces`); the arrays
        are read when the frames are sent."""
        n, k = int(addrs.shape[0]), int(addrs.shape[1])
        if k > _PIECES or lengths.shape != addrs.shape:
            raise ValueError(f"({n}, {k}) piece addresses for {lengths.shape} lengths")
        pad = _padding(lengths.sum(axis=1))
        if pad is not None:
            zeros = np.full(n, _ZEROS.ctypes.data, dtype=np.uint64)
            addrs, lengths = (
                np.column_stack((addrs, zeros)),
                np.column_stack((lengths, pad)),
            )
            k += 1
        self._staged = _Staged(n, k, None, addrs, lengths, None, None)
        self._generation += 1
        return n

    def _lay_out(self, first: int) -> None:
        """Write the messages of staged frames ``first...`` (as many as the window
        holds) into its slots."""
        st = self._staged
        m = min(self.window, st.n - first)
        iov = self._iov[:m]
        if st.k != self._win_k:
            self._msgs["iovlen"] = st.k
            self._win_k = st.k
            self._win_lens = None
        if st.where is None:  # pieces by address
            assert st.addrs is not None
            assert isinstance(st.lens, np.ndarray)
            iov[:, : st.k]["base"] = st.addrs[first : first + m]
            iov[:, : st.k]["len"] = st.lens[first : first + m]
            self._win_lens = None
        else:
            base, stride, _, tplds, tail = st.where
            slots = self._slots[:m]
            np.multiply(slots, np.uint64(stride), out=iov[:, 0]["base"])
            iov[:, 0]["base"] += np.uint64(base + first * stride)
            k = 1
            if tail is not None:
                iov[:, 1]["base"] = tail
                k = 2
            if tplds is not None:
                np.multiply(slots, np.uint64(tplds[1]), out=iov[:, k]["base"])
                iov[:, k]["base"] += np.uint64(tplds[0] + first * tplds[1])
                k += 1
            if k < st.k:  # the padding
                iov[:, k]["base"] = _ZEROS.ctypes.data
            # constant lengths already laid out in these slots stay
            key = None if st.const is None else (m, st.const)
            if key is None or key != self._win_lens:
                assert isinstance(st.lens, tuple)
                for j, lens in enumerate(st.lens):
                    iov[:, j]["len"] = lens[first : first + m]
            self._win_lens = key
        self._win = (self._generation, first, m)


def _padding(lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | None:
    """Zero bytes each frame needs to reach :data:`PAD_TO_BYTES` (None: none do)."""
    if len(lengths) == 0 or int(lengths.min()) >= PAD_TO_BYTES:
        return None
    pad: npt.NDArray[np.int64] = np.maximum(PAD_TO_BYTES - lengths, 0)
    return pad


@dataclass
class _Staged:
    """Where the staged frames are: rows (the first row's address, the row stride,
    the number of rows, the first TPLD's address and stride, the tail's address)
    and the lengths of each piece, or the pieces' addresses and lengths given."""

    n: int
    k: int  # pieces per message
    where: tuple[int, int, int, tuple[int, int] | None, int | None] | None
    addrs: npt.NDArray[np.uint64] | None
    lens: tuple[npt.NDArray[np.int64], ...] | npt.NDArray[np.int64] | None
    fixed: npt.NDArray[np.int64] | None  # the read-only lengths they came from
    const: tuple[int, ...] | None  # each piece's length, where all frames agree


@dataclass
class RxBatch:
    """Frames taken from the RX ring (views into a private copy)."""

    data: npt.NDArray[np.uint8]  # (n, snap) frame bytes, left aligned
    lengths: npt.NDArray[np.int64]  # bytes as received (without FCS)
    ts_ns: npt.NDArray[np.int64]  # kernel RX timestamps, CLOCK_REALTIME ns
    vlan_stripped: npt.NDArray[np.bool_]  # a VLAN tag was moved into metadata
    vlan_tci: npt.NDArray[np.uint32]  # that tag's TCI (where stripped)
    vlan_tpid: npt.NDArray[np.uint32]  # and its TPID (0x8100, 0x88A8...)


class RxRing:
    """A TPACKET_V2 receive ring on one interface (incoming frames only).

    Args:
        ifname: interface name (in the current namespace).
        frame_size: slot size; must hold the largest frame plus ~80 bytes of header.
        frame_count: number of slots (power of two recommended).
        snap: how many bytes of each frame :meth:`read` copies out.
    """

    HDR = 32  # tpacket2_hdr size

    def __init__(
        self,
        ifname: str,
        *,
        frame_size: int = 2048,
        frame_count: int = 16384,
        snap: int | None = None,
    ) -> None:
        self.ifname = ifname
        self._sock = _open_packet_socket(ifname, ETH_P_ALL)
        block_size = max(1 << 16, frame_size)
        frames_per_block = block_size // frame_size
        blocks = max(1, frame_count // frames_per_block)
        self.frame_size = frame_size
        self.count = blocks * frames_per_block
        try:
            self._sock.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V2)
            self._sock.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
            req = struct.pack("IIII", block_size, blocks, frame_size, self.count)
            self._sock.setsockopt(SOL_PACKET, PACKET_RX_RING, req)
            self._sock.bind((ifname, ETH_P_ALL))
        except OSError as exc:
            self._sock.close()
            raise PortError(f"{ifname}: cannot open RX ring: {exc}") from exc
        self._mm = mmap.mmap(
            self._sock.fileno(),
            block_size * blocks,
            mmap.MAP_SHARED,
            mmap.PROT_READ | mmap.PROT_WRITE,
        )
        raw = np.frombuffer(self._mm, dtype=np.uint8)
        self._ring8 = raw.reshape(self.count, frame_size)
        self._ring32 = raw.view(np.uint32).reshape(self.count, frame_size // 4)
        self._status = self._ring32[:, 0]
        self._pos = 0
        self.snap = snap if snap is not None else frame_size - 80
        self._poll = select.poll()
        self._poll.register(self._sock.fileno(), select.POLLIN | select.POLLERR)
        # Slot indices for a window starting at 0, reused every read.
        self._ar = np.arange(self.count, dtype=np.int64)

    def fileno(self) -> int:
        """The socket's file descriptor."""
        return self._sock.fileno()

    def close(self) -> None:
        """Unmap the ring and close the socket."""
        self._ring8 = np.zeros((0, 0), dtype=np.uint8)
        self._ring32 = np.zeros((0, 0), dtype=np.uint32)
        self._status = (
            self._ring32[:, 0] if self._ring32.size else np.zeros(0, np.uint32)
        )
        self._mm.close()
        self._sock.close()

    def watch(self, fd: int) -> None:
        """Let :meth:`wait` also return when ``fd`` is readable (or hung up): a
        worker that waits for frames and for commands with one call, however long."""
        self._poll.register(fd, select.POLLIN | select.POLLHUP)

    def wait(self, timeout_s: float | None) -> bool:
        """Wait until a frame is ready, a watched descriptor is, or the timeout
        (``None``: no timeout). True if a frame is ready."""
        if self._status[self._pos] & TP_STATUS_USER:
            return True
        timeout_ms = -1 if timeout_s is None else max(0, math.ceil(timeout_s * 1000))
        for fd, events in self._poll.poll(timeout_ms):
            if fd == self._sock.fileno() and events & select.POLLERR:
                # a pending socket error (ENETDOWN when the link went down) keeps
                # poll() returning at once: read it to clear it
                self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        return bool(self._status[self._pos] & TP_STATUS_USER)

    def read(self, max_frames: int = 8192) -> RxBatch | None:
        """Take every ready frame (up to ``max_frames``), in arrival order."""
        pos = self._pos
        if not self._status[pos] & TP_STATUS_USER:  # the usual answer when idle
            return None
        n = self._ready_run(pos, min(max_frames, self.count))
        idx = self._ar[:n] + pos
        idx[idx >= self.count] -= self.count
        st = self._status[idx]
        ready = (st & TP_STATUS_USER) != 0
        if not ready[0]:  # pragma: no cover - checked above; only we hand slots back
            return None
        # (slots may complete out of order: the run ends at the first not ready)
        k = int(np.argmin(ready)) if not ready.all() else n
        idx = idx[:k]
        hdr = self._ring32[idx, : self.HDR // 4]
        # tpacket2_hdr: status, len, snaplen, mac(u16), net(u16), sec, nsec, vlan_tci..
        lengths = hdr[:, 1].astype(np.int64)
        snaplen = hdr[:, 2].astype(np.int64)
        mac = (hdr[:, 3] & 0xFFFF).astype(np.int64)
        ts_ns = hdr[:, 4].astype(np.int64) * 1_000_000_000 + hdr[:, 5].astype(np.int64)
        vlan = (st[:k] & TP_STATUS_VLAN_VALID) != 0
        # tp_vlan_tci (u16) and tp_vlan_tpid (u16) share word 6 of the header
        tci = hdr[:, 6] & np.uint32(0xFFFF)
        tpid = (hdr[:, 6] >> np.uint32(16)).astype(np.uint32)
        tpid[tpid == 0] = 0x8100
        snap = min(self.snap, int(snaplen.max()))
        m0 = int(mac[0])
        if (mac == m0).all():
            data = self._ring8[idx, m0 : m0 + snap].copy()
        else:  # pragma: no cover - the kernel uses one mac offset per socket
            data = np.zeros((k, snap), dtype=np.uint8)
            for i in range(k):
                s = int(min(snaplen[i], snap))
                data[i, :s] = self._ring8[idx[i], mac[i] : mac[i] + s]
        self._status[idx] = TP_STATUS_KERNEL
        self._pos = (pos + k) % self.count
        return RxBatch(data, lengths, ts_ns, vlan, tci, tpid)

    def _ready_run(self, pos: int, n: int) -> int:
        """About how many slots from ``pos`` on (at most ``n``) are ready, found by
        probing a few status words (doubling steps, then halving).

        Slots are 2 KB or more apart: gathering the status of the whole window
        ahead cost a cache and TLB miss per slot on every read, whatever the
        batch, and touched lines the kernel has yet to fill. The caller checks
        the run it gets slot by slot.
        """
        status, count = self._status, self.count

        def ready(i: int) -> bool:
            j = pos + i
            return bool(status[j - count if j >= count else j] & TP_STATUS_USER)

        good, step = 1, 1  # slots [0, good) taken as ready
        while good < n:
            probe = min(n, good + step)
            if not ready(probe - 1):
                lo, hi = good, probe - 1  # slot hi is not ready
                while lo < hi:
                    mid = (lo + hi) // 2
                    if ready(mid):
                        lo = mid + 1
                    else:
                        hi = mid
                return lo
            good, step = probe, 2 * step
        return good

    def drops(self) -> int:
        """Frames the kernel dropped because the ring was full (since last call)."""
        raw = self._sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        _packets, dropped = struct.unpack("II", raw)
        return int(dropped)
