"""The daemon's ports as OTG locations: a port's interface name (``veth-a``), or
``netns/interface``."""

from __future__ import annotations

from wirespeed.service import Tester

__all__ = ["TesterPorts"]


class TesterPorts:
    """:class:`~wirespeed.server.otg.plan.PortLookup` over a tester."""

    def __init__(self, tester: Tester) -> None:
        self.tester = tester

    def locate(self, location: str) -> int | None:
        """The port at ``location`` (``None``: no such port)."""
        for p in self.tester.ports:
            if location in (p.spec.interface, p.name):
                return p.index
        return None

    def locations(self) -> list[str]:
        """Every port's location, for messages."""
        return [p.spec.interface for p in self.tester.ports]

    def speed_bps(self, port: int) -> int:
        """The port's nominal line rate."""
        return self.tester.ports[port].speed_bps

    def mtu(self, port: int) -> int:
        """The port's MTU."""
        return self.tester.link_mtu(port)
