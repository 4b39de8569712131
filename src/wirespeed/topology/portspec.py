"""A test port's description (pure: the remote client decodes it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from wirespeed.l3 import L3Identity

__all__ = ["DEFAULT_SPEED_BPS", "PortSpec"]

DEFAULT_SPEED_BPS = 1_000_000_000


@dataclass(frozen=True)
class PortSpec:
    """One test port: an interface, optionally inside a namespace."""

    interface: str
    netns: str | None = None
    speed_bps: int = DEFAULT_SPEED_BPS
    mac: str | None = None
    peer: int | None = None  # the port this one is cabled to, when known
    host_stack: bool | None = None
    """Whether frames the port receives also go on to the network stack of its
    namespace. ``None``: not for a port in a namespace (the tester's own: frames
    stop at its analyzer), yes for one in the root namespace (a host's interface,
    whose own traffic must keep flowing)."""
    tx_cpu: int | None = None
    """The CPU of the port's TX worker (``None``: placed by the rule)."""
    rx_cpu: int | None = None
    """The CPU of the port's RX worker (``None``: placed by the rule)."""
    l3: L3Identity = field(default_factory=L3Identity)
    """The port's addresses and gateways (none: a layer-2 port)."""
    driver: str = "afpacket"
    """How its workers reach the interface: ``afpacket``, ``afxdp`` or ``auto``
    (:class:`wirespeed.dataplane.drivers.PortDriver`)."""

    @property
    def reaches_stack(self) -> bool:
        """Frames received here go on to the namespace's stack."""
        return self.netns is None if self.host_stack is None else self.host_stack
