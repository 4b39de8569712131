"""Neighbours of a port: the IP -> MAC table and the resolver that fills it (pure).

The :class:`Resolver` is sans-IO: the IO shell calls :meth:`Resolver.resolve` to
start resolving an address, hands it every service frame with
:meth:`Resolver.receive`, calls :meth:`Resolver.poll` when
:meth:`Resolver.next_timer_ns` is due, sends the frames these return and acts on
the events (:class:`Resolved`, :class:`ResolveFailed`).

A resolution sends a request (ARP for IPv4, a neighbour solicitation for IPv6)
at once and again every ``interval_ns``, and fails ``timeout_ns`` after it started
(no request is sent at that instant). Learning is as a host's: ARP requests and
replies, neighbour solicitations (their source link-layer option) and
advertisements (their target link-layer option, else the Ethernet source) from
addresses on the port's subnets, in the port's VLAN, update the table, whether
or not anything asked for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address

from wirespeed.errors import ConfigError, ValidationError
from wirespeed.l3.frames import (
    FrameKind,
    ServiceFrame,
    encode_arp_request,
    encode_neighbor_solicit,
    parse_mac,
)
from wirespeed.l3.identity import IPAddress, L3Identity

__all__ = [
    "DEFAULT_INTERVAL_NS",
    "DEFAULT_TIMEOUT_NS",
    "Neighbor",
    "NeighborTable",
    "ResolveFailed",
    "Resolved",
    "Resolver",
    "ResolverEvent",
]

DEFAULT_TIMEOUT_NS = 3_000_000_000
DEFAULT_INTERVAL_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Neighbor:
    """A neighbour's MAC and when it was last learned."""

    mac: bytes
    learned_ns: int


class NeighborTable:
    """IP address -> :class:`Neighbor` (MAC, learned time) of one port."""

    def __init__(self) -> None:
        self._entries: dict[IPAddress, Neighbor] = {}

    def learn(self, addr: IPAddress, mac: bytes, now_ns: int) -> None:
        """``addr`` is at ``mac`` as of ``now_ns``."""
        self._entries[addr] = Neighbor(mac, now_ns)

    def get(self, addr: IPAddress) -> Neighbor | None:
        """The entry of ``addr``, None if unknown."""
        return self._entries.get(addr)

    def mac(self, addr: IPAddress) -> bytes | None:
        """The MAC of ``addr``, None if unknown."""
        entry = self._entries.get(addr)
        return None if entry is None else entry.mac

    def forget(self, addr: IPAddress) -> None:
        """Drop ``addr`` (nothing if unknown)."""
        self._entries.pop(addr, None)

    def items(self) -> Iterator[tuple[IPAddress, Neighbor]]:
        """Every entry, in the order learned first."""
        return iter(list(self._entries.items()))

    def __contains__(self, addr: object) -> bool:
        return addr in self._entries

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A resolution succeeded: ``addr`` is at ``mac`` (6 bytes)."""

    addr: IPAddress
    mac: bytes


@dataclass(frozen=True, slots=True)
class ResolveFailed:
    """A resolution timed out; ``message`` says so for a person
    (``198.18.1.1 did not answer ARP within 3 s``)."""

    addr: IPAddress
    message: str


ResolverEvent = Resolved | ResolveFailed


@dataclass(slots=True)
class _Pending:
    request: bytes
    next_send_ns: int
    deadline_ns: int
    interval_ns: int
    timeout_ns: int


class Resolver:
    """Resolves the MACs of addresses on a port's subnets and learns neighbours.

    Several resolutions may run at once; resolving an address that is being
    resolved sends nothing more.

    Args:
        identity: the port's addresses and VLAN (requests are tagged with it).
        mac: the port's MAC (6 bytes or text).
        table: the table to fill; a new one by default (:attr:`table`).

    Raises:
        ConfigError: ``mac`` is not a MAC address.
    """

    def __init__(
        self,
        identity: L3Identity,
        mac: bytes | str,
        *,
        table: NeighborTable | None = None,
    ) -> None:
        self.identity = identity
        self.mac = parse_mac(mac)
        self.table = NeighborTable() if table is None else table
        self._pending: dict[IPAddress, _Pending] = {}

    def resolve(
        self,
        addr: IPAddress,
        now_ns: int,
        *,
        timeout_ns: int = DEFAULT_TIMEOUT_NS,
        interval_ns: int = DEFAULT_INTERVAL_NS,
    ) -> list[bytes]:
        """Start resolving ``addr`` (again, even if the table knows it).

        Returns:
            The request to send now; nothing if ``addr`` is being resolved.

        Raises:
            ConfigError: the port has no address of ``addr``'s family, ``addr``
                is not on its subnet or is its own address.
            ValidationError: ``timeout_ns`` or ``interval_ns`` is not positive.
        """
        if timeout_ns <= 0 or interval_ns <= 0:
            raise ValidationError(
                f"timeout and interval must be positive, got {timeout_ns} and "
                f"{interval_ns} ns",
                field="timeout_ns" if timeout_ns <= 0 else "interval_ns",
            )
        request = self._request(addr)
        if addr in self._pending:
            return []
        self._pending[addr] = _Pending(
            request, now_ns + interval_ns, now_ns + timeout_ns, interval_ns, timeout_ns
        )
        return [request]

    def is_pending(self, addr: IPAddress) -> bool:
        """``addr`` is being resolved."""
        return addr in self._pending

    def cancel(self, addr: IPAddress) -> None:
        """Stop resolving ``addr``, without an event (nothing if not pending)."""
        self._pending.pop(addr, None)

    def receive(self, frame: ServiceFrame, now_ns: int) -> list[Resolved]:
        """Learn from ``frame``; a :class:`Resolved` if it answers a resolution."""
        learned = self._learned(frame)
        if learned is None:
            return []
        addr, mac = learned
        self.table.learn(addr, mac, now_ns)
        if self._pending.pop(addr, None) is None:
            return []
        return [Resolved(addr, mac)]

    def poll(self, now_ns: int) -> tuple[list[bytes], list[ResolveFailed]]:
        """Requests due again and resolutions that timed out at ``now_ns``."""
        frames: list[bytes] = []
        failed: list[ResolveFailed] = []
        for addr, pending in list(self._pending.items()):
            if now_ns >= pending.deadline_ns:
                del self._pending[addr]
                failed.append(ResolveFailed(addr, _failure(addr, pending.timeout_ns)))
            elif now_ns >= pending.next_send_ns:
                frames.append(pending.request)
                missed = (now_ns - pending.next_send_ns) // pending.interval_ns
                pending.next_send_ns += (missed + 1) * pending.interval_ns
        return frames, failed

    def next_timer_ns(self) -> int | None:
        """When :meth:`poll` has something to do next; None: nothing pending."""
        return min(
            (min(p.next_send_ns, p.deadline_ns) for p in self._pending.values()),
            default=None,
        )

    def _request(self, addr: IPAddress) -> bytes:
        if not self._is_neighbor(addr):
            own = self.identity.source_for(addr)
            family = f"ipv{addr.version}"
            if own is None:
                raise ConfigError(f"the port has no {family} address", field=family)
            raise ConfigError(
                f"{addr} is not a neighbour on the port's subnet", field=family
            )
        vlan = self.identity.vlan
        if isinstance(addr, IPv4Address):
            assert self.identity.ipv4 is not None
            return encode_arp_request(self.mac, self.identity.ipv4.ip, addr, vlan=vlan)
        assert self.identity.ipv6 is not None
        return encode_neighbor_solicit(self.mac, self.identity.ipv6.ip, addr, vlan=vlan)

    def _learned(self, frame: ServiceFrame) -> tuple[IPAddress, bytes] | None:
        """The (address, MAC) ``frame`` tells, if it is to be learned."""
        if not self.identity.is_own_vlan(frame.vlan):
            return None
        match frame.kind:
            case (
                FrameKind.ARP_REQUEST | FrameKind.ARP_REPLY | FrameKind.NEIGHBOR_SOLICIT
            ):
                addr, mac = frame.src_ip, frame.lladdr
            case FrameKind.NEIGHBOR_ADVERT if frame.target is not None:
                addr, mac = frame.target, frame.lladdr or frame.src_mac
            case _:
                return None
        if mac is None or mac[0] & 1 or mac == bytes(6):
            return None
        return (addr, mac) if self._is_neighbor(addr) else None

    def _is_neighbor(self, addr: IPAddress) -> bool:
        """``addr`` is another host on the port's subnet of its family."""
        own = self.identity.ipv4 if addr.version == 4 else self.identity.ipv6
        if own is None or addr not in own.network or addr == own.ip:
            return False
        if addr.is_multicast or addr.is_unspecified:
            return False
        net = own.network
        return not (
            isinstance(addr, IPv4Address)
            and net.prefixlen < 31
            and addr in (net.network_address, net.broadcast_address)
        )


def _failure(addr: IPAddress, timeout_ns: int) -> str:
    what = "ARP" if isinstance(addr, IPv4Address) else "neighbour solicitation"
    return f"{addr} did not answer {what} within {timeout_ns / 1e9:g} s"
