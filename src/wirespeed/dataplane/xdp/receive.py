"""A port's receive side on the AF_XDP driver: the socket and the packet ring.

The port's XDP program sends its test frames to the AF_XDP socket and the frames
its services answer (ARP, ICMP...) on to the kernel, where the service worker and
the packet ring this class also reads see them (and every frame while a capture
runs). Each frame reaches exactly one of the two, so counting both counts every
frame once. :class:`XdpReceiver` has the packet ring's interface
(:class:`~wirespeed.dataplane.afpacket.RxRing`): the RX worker reads it the same way.
"""

from __future__ import annotations

import math
import select

from wirespeed.dataplane.afpacket import RxBatch, RxRing
from wirespeed.dataplane.xdp.port import XskPort
from wirespeed.dataplane.xdp.veth import VethTuning

__all__ = ["XSK_POLL_S", "XdpReceiver"]

XSK_POLL_S = 0.02
"""How often an idle receiver looks at its AF_XDP socket's RX ring."""


class XdpReceiver:
    """Frames from the AF_XDP socket first, then from the packet ring.

    Args:
        port: the port's AF_XDP socket (this object closes it).
        ring: the port's packet ring (this object closes it).
        tuning: what was set on the port's veth (put back on close).
    """

    def __init__(
        self, port: XskPort, ring: RxRing, tuning: VethTuning | None = None
    ) -> None:
        self.xsk = port
        self.ring = ring
        self.tuning = tuning
        self.count = port.layout.rx_frames
        # The socket itself is not waited on: a process waiting on it is woken
        # (a lock taken on the sending core) for every frame the port's TX worker
        # completes on it, which cost a sender 4 % of its core. Its RX ring is
        # looked at every XSK_POLL_S instead, while nothing else wakes the worker.
        self._poll = select.poll()
        self._poll.register(ring.fileno(), select.POLLIN | select.POLLERR)
        self._lost = 0  # the socket's drops already reported

    def fileno(self) -> int:
        """The AF_XDP socket."""
        return self.xsk.fileno()

    def watch(self, fd: int) -> None:
        """Let :meth:`wait` also return when ``fd`` is readable."""
        self._poll.register(fd, select.POLLIN | select.POLLHUP)

    def wait(self, timeout_s: float | None) -> bool:
        """Wait until a frame is ready in either, a watched descriptor is, or the
        timeout. True if a frame is ready."""
        if self.xsk.rx.ready() or self.ring.wait(0):
            return True
        wait = XSK_POLL_S if timeout_s is None else min(timeout_s, XSK_POLL_S)
        self._poll.poll(max(0, math.ceil(wait * 1000)))
        return bool(self.xsk.rx.ready()) or self.ring.wait(0)

    def read(self, max_frames: int = 8192) -> RxBatch | None:
        """The next frames: the socket's, else the ring's (a stream's frames all
        take one of the two, so each keeps its order)."""
        batch = self.xsk.read(max_frames)
        return batch if batch is not None else self.ring.read(max_frames)

    def read_ring(self, max_frames: int = 8192) -> RxBatch | None:
        """The next frames of the packet ring only."""
        return self.ring.read(max_frames)

    def to_kernel(self, on: bool) -> None:
        """Every frame to the kernel (a capture sees them) or test frames to the
        socket again. The caller drains what came the old way first."""
        self.xsk.program.pass_all(on)

    def drops(self) -> int:
        """Frames dropped since the last call: the packet ring's, and the
        socket's (no free frame in the fill ring, RX ring full)."""
        lost = self.xsk.stats().rx_lost
        new, self._lost = lost - self._lost, lost
        return self.ring.drops() + new

    def close(self) -> None:
        """Close the socket (its program leaves the interface) and the ring; put
        the veth's settings back."""
        if self.tuning is not None:  # while the veth still has its NAPI
            self.tuning.undo()
        self.xsk.close()
        self.ring.close()
