"""A port's AF_XDP socket: its UMEM, its four rings and its XDP program.

The port's RX worker opens it (:class:`XskPort`) and uses the RX and fill rings;
the port's TX worker is handed the socket and the UMEM as file descriptors and uses
the TX and completion rings (:mod:`.send`): each ring has one user. The UMEM is a
memory file cut into frames of ``frame_size`` bytes: the first ``rx_frames`` are the
receiver's, the next ``tx_frames`` the sender's.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane.afpacket import RxBatch
from wirespeed.dataplane.xdp.layout import XskLayout
from wirespeed.dataplane.xdp.libs import (
    SOL_XDP,
    XDP_COPY,
    XDP_STATISTICS,
    XDP_USE_NEED_WAKEUP,
    XDP_ZEROCOPY,
    XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
    XskRing,
    XskSocketConfig,
    XskUmemConfig,
    libc,
    libs,
)
from wirespeed.dataplane.xdp.program import PortProgram
from wirespeed.dataplane.xdp.rings import DESC, ConsumerRing, ProducerRing, address_of
from wirespeed.errors import PortError

__all__ = ["STAMP_BYTES", "XskLayout", "XskPort", "XskStats", "xsk_stats"]

STAMP_BYTES = 8
"""The arrival time (CLOCK_TAI ns) the XDP program puts in front of a frame."""


@dataclass(frozen=True)
class XskStats:
    """``struct xdp_statistics``: what the kernel could not deliver."""

    rx_dropped: int  # no frame in the fill ring (or other reasons)
    rx_invalid: int
    tx_invalid: int
    rx_ring_full: int
    fill_empty: int  # times the fill ring was found empty
    tx_ring_empty: int

    @property
    def rx_lost(self) -> int:
        """Frames that reached the socket and were dropped there."""
        return self.rx_dropped + self.rx_invalid + self.rx_ring_full


def xsk_stats(fd: int) -> XskStats:
    """The socket's statistics (counts since it was opened)."""
    buf = (ctypes.c_uint64 * 6)()
    size = ctypes.c_uint32(ctypes.sizeof(buf))
    rc = libc.getsockopt(fd, SOL_XDP, XDP_STATISTICS, buf, ctypes.byref(size))
    if rc < 0:
        raise PortError(f"AF_XDP statistics: {os.strerror(ctypes.get_errno())}")
    return XskStats(*(int(v) for v in buf))


class XskPort:
    """The port's AF_XDP socket, owned by its RX worker.

    Args:
        ifname: the interface (in the current namespace); queue 0 is used.
        frame_size: bytes per UMEM frame (2048 or 4096).
        rx_frames: frames for reception (the fill and RX rings' size).
        tx_frames: frames for transmission (the TX and completion rings' size).
        snap: bytes of each received frame :meth:`read` copies out.

    Raises:
        PortError: AF_XDP cannot be used on this interface (the reason).
    """

    layout: XskLayout
    fd: int
    fill: ProducerRing
    rx: ConsumerRing
    snap: int
    _frames: npt.NDArray[np.uint8]

    def __init__(
        self,
        ifname: str,
        *,
        frame_size: int = 2048,
        rx_frames: int = 32768,
        tx_frames: int = 8192,
        snap: int | None = None,
    ) -> None:
        self.ifname = ifname
        self._libs = libs()
        lib = self._libs.xdp
        size = frame_size * (rx_frames + tx_frames)
        self.program = PortProgram(ifname)
        self._memfd = -1
        self._xsk: int | None = None
        self._umem: int | None = None
        try:
            self._memfd = os.memfd_create("wirespeed-umem")
            os.ftruncate(self._memfd, size)
            self._mm = mmap.mmap(self._memfd, size)
            self._rings = {k: XskRing() for k in ("fill", "comp", "rx", "tx")}
            ucfg = XskUmemConfig(rx_frames, tx_frames, frame_size, 0, 0)
            umem = ctypes.c_void_p()
            rc = lib.xsk_umem__create(
                ctypes.byref(umem),
                address_of(self._mm),
                size,
                ctypes.byref(self._rings["fill"]),
                ctypes.byref(self._rings["comp"]),
                ctypes.byref(ucfg),
            )
            self._libs.check(rc, "AF_XDP UMEM", ifname)
            self._umem = umem.value
            zero_copy = self._bind(rx_frames, tx_frames)
            assert self._xsk is not None
            rc = lib.xsk_socket__update_xskmap(self._xsk, self.program.xsks_fd)
            self._libs.check(rc, "AF_XDP socket into the XDP program's map", ifname)
        except BaseException:
            self.close()
            raise
        self.layout = XskLayout(
            size, frame_size, rx_frames, tx_frames, tx_frames, tx_frames, zero_copy
        )
        self.fd = int(lib.xsk_socket__fd(self._xsk))
        r = self._rings
        self.fill = ProducerRing(
            r["fill"].producer, r["fill"].consumer, r["fill"].ring, r["fill"].flags,
            r["fill"].size, np.uint64,
        )  # fmt: skip
        self.rx = ConsumerRing(
            r["rx"].producer, r["rx"].consumer, r["rx"].ring, r["rx"].flags,
            r["rx"].size, DESC,
        )  # fmt: skip
        raw = np.frombuffer(self._mm, dtype=np.uint8)
        self._frames = raw.reshape(rx_frames + tx_frames, frame_size)
        self.snap = snap if snap is not None else frame_size - 256
        # every receive frame goes into the fill ring
        self.fill.put(np.arange(rx_frames, dtype=np.uint64) * np.uint64(frame_size))

    def _bind(self, rx_frames: int, tx_frames: int) -> bool:
        """Open the socket on queue 0, zero-copy where the driver can, else in
        copy mode; returns whether zero-copy."""
        lib = self._libs.xdp
        err = 0
        for zero_copy, flags in (
            (True, XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP),
            (False, XDP_COPY),
        ):
            cfg = XskSocketConfig(
                rx_frames, tx_frames, XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD, 0, flags
            )
            xsk = ctypes.c_void_p()
            err = lib.xsk_socket__create(
                ctypes.byref(xsk),
                self.ifname.encode(),
                0,
                self._umem,
                ctypes.byref(self._rings["rx"]),
                ctypes.byref(self._rings["tx"]),
                ctypes.byref(cfg),
            )
            if err == 0:
                self._xsk = xsk.value
                return zero_copy
        self._libs.check(err, "AF_XDP socket", self.ifname)
        return False  # pragma: no cover - check() raised

    def fds(self) -> tuple[int, int]:
        """The socket's and the UMEM's file descriptors (for the TX worker)."""
        return self.fd, self._memfd

    def fileno(self) -> int:
        """The socket (readable while the RX ring holds frames)."""
        return self.fd

    def read(self, max_frames: int = 8192) -> RxBatch | None:
        """Take the frames in the RX ring (up to ``max_frames``), in arrival order,
        and give their UMEM frames back to the fill ring."""
        n = min(self.rx.ready(), max_frames)
        if n == 0:
            return None
        desc = self.rx.take(n)
        addrs = desc["addr"]
        lengths = desc["len"].astype(np.int64) - STAMP_BYTES
        fs = np.uint64(self.layout.frame_size)
        index = (addrs // fs).astype(np.intp)
        offsets = addrs % fs
        off = int(offsets[0])
        if not (offsets == offsets[0]).all():  # pragma: no cover - one headroom
            raise PortError(f"{self.ifname}: AF_XDP frames at several offsets")
        snap = min(self.snap, int(lengths.max()))
        at = off + STAMP_BYTES
        data = self._frames[index, at : at + snap]  # copies (one gather)
        tai = self._frames[index, off:at].view(np.int64).ravel()
        self.rx.release(n)
        self.fill.put(index.astype(np.uint64) * fs)
        shift = time.clock_gettime_ns(time.CLOCK_TAI) - time.time_ns()
        ts_ns: npt.NDArray[np.int64] = tai - shift
        no = np.zeros(n, dtype=np.bool_)
        zeros = np.zeros(n, dtype=np.uint32)
        return RxBatch(data, lengths, ts_ns, no, zeros, zeros)

    def stats(self) -> XskStats:
        """The socket's drop counts (since it opened)."""
        return xsk_stats(self.fd)

    def close(self) -> None:
        """Close the socket, free the UMEM, detach the program."""
        lib = self._libs.xdp
        if self._xsk is not None:
            lib.xsk_socket__delete(self._xsk)
            self._xsk = None
        if self._umem is not None:
            lib.xsk_umem__delete(self._umem)
            self._umem = None
        if hasattr(self, "_frames"):
            del self._frames
        if hasattr(self, "_mm"):
            with contextlib.suppress(BufferError):  # a view still alive
                self._mm.close()
        if self._memfd >= 0:
            os.close(self._memfd)
            self._memfd = -1
        self.program.close()
