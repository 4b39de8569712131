"""A capture socket: AF_PACKET, every protocol, a TPACKET_V3 receive ring.

The kernel packs frames of any size one after another into blocks and hands a block
to user space when it is full or when its timer (``retire_ms``) runs out. Frames are
read a block at a time: where each frame's header is, then their fields and their
bytes with numpy. A block of frames of one size (the usual case for a traffic
generator) is located without a Python loop; mixed sizes take one small step per
frame to follow the chain of offsets.

The filter is attached before the socket is bound to the interface and the socket
is created for protocol 0, which the kernel delivers nothing to: no frame can reach
the socket before the filter does.
"""

from __future__ import annotations

import mmap
import select
import socket
import struct

import numpy as np
import numpy.typing as npt

from wirespeed.capture.bpf import DROP_ALL, BpfProgram
from wirespeed.capture.pcapfile import CapturedFrames, Direction, copy_runs
from wirespeed.errors import PortError

__all__ = ["CaptureRing"]

SOL_PACKET = 263
PACKET_RX_RING = 5
PACKET_STATISTICS = 6
PACKET_VERSION = 10
PACKET_IGNORE_OUTGOING = 23
TPACKET_V3 = 2
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
TP_STATUS_KERNEL = 0
TP_STATUS_USER = 1
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
ETH_ADDRS = 12  # the bytes before a VLAN tag: two MAC addresses
VLAN_TAG = 4

# struct tpacket_block_desc: version, offset_to_priv, then tpacket_hdr_v1:
# block_status, num_pkts, offset_to_first_pkt, blk_len (u32 words 2..5)
_BLK_STATUS, _BLK_NUM_PKTS, _BLK_FIRST = 2, 3, 4
# struct tpacket3_hdr as u32 words: next_offset, sec, nsec, snaplen, len, status,
# mac|net (u16 each), rxhash, vlan_tci, vlan_tpid|padding; sockaddr_ll at byte 48
_NEXT, _SEC, _NSEC, _SNAPLEN, _LEN, _STATUS, _MAC, _TCI, _TPID = (
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    8,
    9,
)
_PKTTYPE_BYTE = 48 + 10  # sockaddr_ll.sll_pkttype


class CaptureRing:
    """A receive ring of frames seen on one interface, filtered by the kernel.

    Args:
        ifname: interface name (in the current namespace).
        program: the BPF program the kernel runs on every frame (it also sets how
            many bytes of a frame are kept).
        is_outgoing_seen: also capture frames this host sends on the interface.
        block_bytes: the size of a block (a power of two, at least one page).
        blocks: how many blocks the ring has.
        retire_ms: how long a block that is not full waits for more frames.

    Raises:
        PortError: the socket, the ring or the interface cannot be used.
    """

    def __init__(
        self,
        ifname: str,
        program: BpfProgram,
        *,
        is_outgoing_seen: bool = True,
        block_bytes: int = 1 << 20,
        blocks: int = 16,
        retire_ms: int = 10,
    ) -> None:
        self.ifname = ifname
        self.block_bytes = block_bytes
        self.blocks = blocks
        self.retire_ms = retire_ms
        try:
            self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        except PermissionError as exc:
            raise PortError(f"{ifname}: capture needs CAP_NET_RAW (root)") from exc
        try:
            self._mm = self._set_up(program, is_outgoing_seen)
        except (OSError, PortError) as exc:
            self._sock.close()
            if isinstance(exc, PortError):
                raise
            raise PortError(f"{ifname}: cannot open for capture: {exc}") from exc
        self._raw = np.frombuffer(self._mm, dtype=np.uint8)
        self._words = self._raw.view(np.uint32)
        self._mv = memoryview(self._mm).cast("I")
        self._block = 0  # the next block to read
        self._dropped = 0

    def _set_up(self, program: BpfProgram, is_outgoing_seen: bool) -> mmap.mmap:
        fd = self._sock.fileno()
        program.attach(fd)
        self._sock.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V3)
        if not is_outgoing_seen:
            self._sock.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        frame_size = 2048  # only checked by the kernel: blocks hold any sizes
        req = struct.pack(
            "7I",
            self.block_bytes,
            self.blocks,
            frame_size,
            self.block_bytes // frame_size * self.blocks,
            self.retire_ms,
            0,
            0,
        )
        self._sock.setsockopt(SOL_PACKET, PACKET_RX_RING, req)
        mm = mmap.mmap(
            fd,
            self.block_bytes * self.blocks,
            mmap.MAP_SHARED,
            mmap.PROT_READ | mmap.PROT_WRITE,
        )
        try:
            self._sock.bind((self.ifname, ETH_P_ALL))
        except OSError:
            mm.close()
            raise
        return mm

    def fileno(self) -> int:
        """The socket's descriptor (readable when a block is ready)."""
        return self._sock.fileno()

    def set_program(self, program: BpfProgram) -> None:
        """Replace the filter (:data:`DROP_ALL` stops the capture in the kernel)."""
        program.attach(self._sock.fileno())

    def stop(self) -> None:
        """Let no more frames in."""
        self.set_program(DROP_ALL)

    def read(self) -> CapturedFrames | None:
        """Take the frames of the next block the kernel has handed over (None:
        no block is ready) and give the block back."""
        base = self._block * self.block_bytes
        w = base // 4
        if not self._words[w + _BLK_STATUS] & TP_STATUS_USER:
            return None
        n = int(self._words[w + _BLK_NUM_PKTS])
        first = base + int(self._words[w + _BLK_FIRST])
        frames = self._frames(self._positions(first, n))
        self._words[w + _BLK_STATUS] = TP_STATUS_KERNEL
        self._block = (self._block + 1) % self.blocks
        return frames

    def is_filling(self) -> bool:
        """True if the block the kernel is filling holds frames already."""
        w = self._block * self.block_bytes // 4
        st = int(self._words[w + _BLK_STATUS])
        return not st & TP_STATUS_USER and int(self._words[w + _BLK_NUM_PKTS]) > 0

    def wait(self, timeout_s: float) -> bool:
        """Wait until a block is ready or the timeout. True if one is."""
        ready, _, _ = select.select([self._sock], [], [], timeout_s)
        return bool(ready)

    def drops(self) -> int:
        """Frames the kernel dropped because the ring was full, since opening."""
        raw = self._sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 12)
        _packets, dropped, _freezes = struct.unpack("3I", raw)  # resets them
        self._dropped += dropped
        return self._dropped

    def close(self) -> None:
        """Unmap the ring and close the socket."""
        # the arrays are views of the mapping: drop them before unmapping it
        self._raw = np.zeros(0, dtype=np.uint8)
        self._words = np.zeros(0, dtype=np.uint32)
        self._mv.release()
        self._mm.close()
        self._sock.close()

    def _positions(self, first: int, n: int) -> npt.NDArray[np.int64]:
        """Where the ``n`` frame headers of a block are (bytes into the ring)."""
        words = self._words
        step = int(words[first // 4 + _NEXT])
        pos = first + np.arange(n, dtype=np.int64) * step
        # one frame size all through: every header but the last points one step on
        if n <= 1 or bool((words[pos[:-1] // 4 + _NEXT] == step).all()):
            return pos
        # mixed sizes: follow the chain (a memoryview reads a word fastest)
        mv, out, at = self._mv, [0] * n, first
        for i in range(n):
            out[i] = at
            at += mv[at >> 2]  # tp_next_offset, word 0 of the header
        return np.array(out, dtype=np.int64)

    def _frames(self, pos: npt.NDArray[np.int64]) -> CapturedFrames:
        """Copy out the frames whose headers are at ``pos``, VLAN tags put back."""
        hdr = self._words[(pos // 4)[:, None] + np.arange(10)]
        snap = hdr[:, _SNAPLEN].astype(np.int64)
        wire = hdr[:, _LEN].astype(np.int64)
        mac = pos + (hdr[:, _MAC] & 0xFFFF).astype(np.int64)
        ts = hdr[:, _SEC].astype(np.int64) * 1_000_000_000 + hdr[:, _NSEC]
        outgoing = self._raw[pos + _PKTTYPE_BYTE] == PACKET_OUTGOING
        direction = np.where(outgoing, Direction.OUTBOUND, Direction.INBOUND)
        # a tag the kernel moved into metadata goes back after the MAC addresses
        tagged = (hdr[:, _STATUS] & TP_STATUS_VLAN_VALID) != 0
        tag_len = tagged * VLAN_TAG
        size = snap + tag_len
        offsets = np.zeros(len(pos), dtype=np.int64)
        np.cumsum(size[:-1], out=offsets[1:])
        data = np.empty(int(size.sum()), dtype=np.uint8)
        head = np.minimum(snap, ETH_ADDRS)
        copy_runs(data, offsets, self._raw, mac, head)
        copy_runs(data, offsets + head + tag_len, self._raw, mac + head, snap - head)
        if tagged.any():
            self._put_tags(data, offsets[tagged], hdr[tagged])
        return CapturedFrames(
            data,
            offsets,
            size,
            wire + tag_len,
            ts.astype(np.int64),
            direction.astype(np.uint8),
        )

    @staticmethod
    def _put_tags(
        data: npt.NDArray[np.uint8],
        offsets: npt.NDArray[np.int64],
        hdr: npt.NDArray[np.uint32],
    ) -> None:
        tci = hdr[:, _TCI] & 0xFFFF
        tpid = hdr[:, _TPID] & 0xFFFF
        has_tpid = (hdr[:, _STATUS] & TP_STATUS_VLAN_TPID_VALID) != 0
        tpid = np.where(has_tpid & (tpid != 0), tpid, 0x8100)
        at = offsets + ETH_ADDRS
        for k, value in enumerate((tpid >> 8, tpid, tci >> 8, tci)):
            data[at + k] = (value & 0xFF).astype(np.uint8)
