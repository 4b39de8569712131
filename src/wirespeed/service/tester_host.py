"""What the tester reads of its host and its ports' interfaces: the kernel's
counters, the driver in use, the MTU, the clock's sync state, the workers' CPU.
Mixed into :class:`~wirespeed.service.tester.Tester`, which holds the core, the
data plane and the counting."""

from __future__ import annotations

from wirespeed.analysis.clocksync import ClockSync
from wirespeed.service.core import TesterCore
from wirespeed.service.counting import Counting
from wirespeed.service.dataplane import Dataplane

__all__ = ["TesterHost"]


class TesterHost:
    """Host and interface readings of :class:`~wirespeed.service.tester.Tester`."""

    _core: TesterCore
    _dp: Dataplane
    _mtus: dict[int, int]

    @property
    def _counting(self) -> Counting:
        raise NotImplementedError

    def interface_counters(self, index: int) -> dict[str, int]:
        """The kernel's own counters of the port's interface."""
        self._core.port(index)
        return self._dp.link_counters(index)

    def port_driver(self, index: int) -> tuple[str, str]:
        """The port's driver in use (``afpacket``, ``afxdp``; ``fake`` on the fake
        data plane) and a note: the AF_XDP mode, or why ``auto`` took packet
        sockets."""
        self._core.port(index)
        return self._dp.driver(index)

    def link_mtu(self, index: int) -> int:
        """The MTU of the port's interface (read once)."""
        self._core.port(index)
        if index not in self._mtus:
            self._mtus[index] = self._dp.link_mtu(index)
        return self._mtus[index]

    def clock_sync(self) -> ClockSync:
        """How this host's clock is kept in time (chrony, linuxptp or nothing):
        what latency measured against another host's clock is worth."""
        from wirespeed.topology.clock import read_clock_sync

        return read_clock_sync()

    def cpu_utilization(self) -> list[list[int]]:
        """Worker CPU use per port, newest first (one value a second, 20 s).

        A port has two worker processes (TX and RX): the value is their mean, in
        percent of a core (100 = both busy).
        """
        return self._counting.cpu()
