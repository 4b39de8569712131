"""What a port answers: ARP, neighbour solicitations and echo requests (pure).

A :class:`Responder` takes every decoded service frame and returns the answer to
send, if any. It answers only frames in the port's VLAN (tagged with it, or
untagged when the port has none) that ask about its own addresses:

=================  ==========================================  ==================
request            is for the port when                        answer (switch)
=================  ==========================================  ==================
ARP request        target is its IPv4 address; broadcast or    ARP reply
                   to its MAC; not its own announcement        (``arp_reply``)
neighbour solicit  target is its IPv6 address; to that         NA, S=1 O=1
                   address or its solicited-node group/MAC     (``ndp_reply``)
echo request       to its IPv4 address and MAC                 echo reply, TTL 64
                                                               (``ping_reply``)
ICMPv6 echo req.   to its IPv6 address and MAC                 echo reply, hop
                                                               limit 64
                                                               (``ping6_reply``)
=================  ==========================================  ==================

A solicitation from the unspecified address (duplicate address detection) is
answered to ff02::1 with S=0 (RFC 4861 7.2.4). Requests for the port are counted
whether or not its switch lets it answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from ipaddress import IPv4Address, IPv6Address

from wirespeed.l3.frames import (
    BROADCAST_MAC,
    FrameKind,
    NAFlag,
    ServiceFrame,
    encode_arp_reply,
    encode_echo_reply,
    encode_gratuitous_arp,
    encode_neighbor_advert,
    encode_unsolicited_advert,
    multicast_mac,
    parse_mac,
    solicited_node,
)
from wirespeed.l3.identity import L3Identity

__all__ = ["Responder", "ResponderCounters"]


@dataclass(frozen=True, slots=True)
class ResponderCounters:
    """Requests for the port received and answers sent, by protocol (frames)."""

    arp_requests_rx: int = 0
    arp_replies_tx: int = 0
    ns_rx: int = 0
    na_tx: int = 0
    echo_requests_rx: int = 0
    echo_replies_tx: int = 0
    echo6_requests_rx: int = 0
    echo6_replies_tx: int = 0
    gratuitous_tx: int = 0
    """Gratuitous ARPs and unsolicited advertisements sent."""


@dataclass(frozen=True, slots=True)
class _Rule:
    rx: str
    tx: str
    is_on: Callable[[L3Identity], bool]
    is_for_port: Callable[[Responder, ServiceFrame], bool]
    answer: Callable[[Responder, ServiceFrame], bytes]


class Responder:
    """Answers the ARP, neighbour solicitations and pings of a port's addresses.

    Args:
        identity: the port's addresses, VLAN and answering switches.
        mac: the port's MAC (6 bytes or text).

    Raises:
        ConfigError: ``mac`` is not a MAC address.
    """

    def __init__(self, identity: L3Identity, mac: bytes | str) -> None:
        self.identity = identity
        self.mac = parse_mac(mac)
        self._counts = {f.name: 0 for f in fields(ResponderCounters)}

    @property
    def counters(self) -> ResponderCounters:
        """The counters now (a snapshot)."""
        return ResponderCounters(**self._counts)

    def receive(self, frame: ServiceFrame) -> bytes | None:
        """The answer to ``frame``, None when there is none to send."""
        rule = _RULES.get(frame.kind)
        if rule is None or not self.identity.is_own_vlan(frame.vlan):
            return None
        if not rule.is_for_port(self, frame):
            return None
        self._counts[rule.rx] += 1
        if not rule.is_on(self.identity):
            return None
        self._counts[rule.tx] += 1
        return rule.answer(self, frame)

    def gratuitous(self, now_ns: int) -> list[bytes]:
        """A gratuitous ARP and an unsolicited neighbour advertisement for the
        port's addresses, when its ``gratuitous`` switch is on (else nothing).

        ``now_ns`` is when the IO shell sends them; the frames do not depend on it.
        """
        ident, vlan = self.identity, self.identity.vlan
        if not ident.gratuitous:
            return []
        frames = []
        if ident.ipv4 is not None:
            frames.append(encode_gratuitous_arp(self.mac, ident.ipv4.ip, vlan=vlan))
        if ident.ipv6 is not None:
            frames.append(encode_unsolicited_advert(self.mac, ident.ipv6.ip, vlan=vlan))
        self._counts["gratuitous_tx"] += len(frames)
        return frames

    # --------------------------------------------------------------- requests

    def _arp_for_port(self, frame: ServiceFrame) -> bool:
        own = self.identity.ipv4
        return (
            own is not None
            and frame.target == own.ip
            and frame.src_ip != own.ip
            and frame.dst_mac in (BROADCAST_MAC, self.mac)
            and frame.lladdr is not None
            and not frame.lladdr[0] & 1
        )

    def _ns_for_port(self, frame: ServiceFrame) -> bool:
        own = self.identity.ipv6
        if own is None or frame.target != own.ip:
            return False
        group = solicited_node(own.ip)
        return frame.dst_ip in (own.ip, group) and frame.dst_mac in (
            self.mac,
            multicast_mac(group),
        )

    def _echo_for_port(self, frame: ServiceFrame) -> bool:
        return frame.dst_mac == self.mac and self.identity.owns(frame.dst_ip)

    # ---------------------------------------------------------------- answers

    def _arp_reply(self, frame: ServiceFrame) -> bytes:
        asker = frame.src_ip
        assert self.identity.ipv4 is not None
        assert frame.lladdr is not None
        assert isinstance(asker, IPv4Address)
        own, vlan = self.identity.ipv4.ip, self.identity.vlan
        return encode_arp_reply(self.mac, own, frame.lladdr, asker, vlan=vlan)

    def _advert(self, frame: ServiceFrame) -> bytes:
        asker = frame.src_ip
        assert self.identity.ipv6 is not None
        assert isinstance(asker, IPv6Address)
        own, vlan = self.identity.ipv6.ip, self.identity.vlan
        if asker.is_unspecified:
            return encode_unsolicited_advert(self.mac, own, vlan=vlan)
        return encode_neighbor_advert(
            self.mac,
            own,
            frame.lladdr or frame.src_mac,
            asker,
            own,
            flags=NAFlag.SOLICITED | NAFlag.OVERRIDE,
            vlan=vlan,
        )

    def _echo_reply(self, frame: ServiceFrame) -> bytes:
        return encode_echo_reply(
            self.mac,
            frame.src_mac,
            frame.dst_ip,
            frame.src_ip,
            ident=frame.ident,
            seq=frame.seq,
            payload=frame.payload,
            vlan=self.identity.vlan,
        )


_RULES = {
    FrameKind.ARP_REQUEST: _Rule(
        "arp_requests_rx",
        "arp_replies_tx",
        lambda i: i.arp_reply,
        Responder._arp_for_port,
        Responder._arp_reply,
    ),
    FrameKind.NEIGHBOR_SOLICIT: _Rule(
        "ns_rx",
        "na_tx",
        lambda i: i.ndp_reply,
        Responder._ns_for_port,
        Responder._advert,
    ),
    FrameKind.ECHO_REQUEST: _Rule(
        "echo_requests_rx",
        "echo_replies_tx",
        lambda i: i.ping_reply,
        Responder._echo_for_port,
        Responder._echo_reply,
    ),
    FrameKind.ECHO6_REQUEST: _Rule(
        "echo6_requests_rx",
        "echo6_replies_tx",
        lambda i: i.ping6_reply,
        Responder._echo_for_port,
        Responder._echo_reply,
    ),
}
"""Per request kind: its counters, its switch, when it is for the port, the answer."""
