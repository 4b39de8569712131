"""Layer-3 commands: the port's addresses and answers, ARP/ping from a stream, single
frames. Each translates to the tester's port services (``tester.services``).

P_IPADDRESS / P_IPV6ADDRESS set the port's L3 identity (0.0.0.0 / :: is "none"),
P_ARPREPLY, P_ARPV6REPLY, P_PINGREPLY, P_PINGV6REPLY its answering switches. A port
answers only for its own address: wildcards (P_IPADDRESS ``wild``, a
P_IPV6ADDRESS wildcard prefix other than 0 or 128) are NOTSUPPORTED, and the reply
tables P_ARPRXTABLE / P_NDPRXTABLE are kept and read back (the RFC suites write
them) without extending what the port answers.

PS_ARPREQUEST resolves the IP destination of the stream's header, or the stream's
gateway when that destination is off the port's subnet (the RFC suites' gateway
flow: a header addressed to the gateway, gateways 0.0.0.0 and ::); IPv6 headers
resolve by neighbour solicitation. PS_PINGREQUEST pings the header's destination
once. Both answer FAILED when nothing answers (as Xena does), NOTVALID when the
port or the stream lacks the addresses. P_XMITONE sends one frame whose last four
bytes are the FCS (Xena overwrites them; the kernel writes its own).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface

from wirespeed.errors import ConfigError
from wirespeed.l3 import IPAddress, L3Identity
from wirespeed.model import SegmentType
from wirespeed.packet import segment_offsets
from wirespeed.server.xena.commands.fields import (
    addr4,
    addr6,
    as_int,
    hexf,
    i32,
    i64,
    u8,
)
from wirespeed.server.xena.draft import StreamDraft
from wirespeed.server.xena.enums import OnOff
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import XENA_EPOCH_NS, ChassisState, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.table import CommandSpec, Getter, Scope, Setter
from wirespeed.server.xena.values import Value

__all__ = ["ARP_TIMEOUT_S", "COMMANDS", "PING_TIMEOUT_S"]

log = logging.getLogger("wirespeed.xena")
_P = Scope.PORT
ARP_TIMEOUT_S = 1.0  # Xena waits 500 ms; a software worker gets some slack
PING_TIMEOUT_S = 2.0  # as Xena
FCS = 4
ARP_ENTRY_BYTES = 13  # IPv4, prefix (16 bits), patch flag, MAC
NDP_ENTRY_BYTES = 25  # IPv6, prefix (16 bits), patch flag, MAC
_NO_V4 = IPv4Address(0)
_NO_V6 = IPv6Address(0)
_EXACT_V6_WILDCARDS = (0, 128)


def _ident(c: ChassisState, t: Target) -> L3Identity:
    return c.tester.services.l3(t.port_index)


def _set_ident(c: ChassisState, t: Target, **changes: object) -> None:
    c.tester.services.set_l3(t.port_index, _ident(c, t).with_changes(**changes))


# ------------------------------------------------------------------ addresses
def _prefix4(mask: IPv4Address) -> int:
    bits = int(mask)
    prefix = bin(bits).count("1")
    if bits != (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF:
        raise XenaStatusError(Status.BADVALUE, f"{mask} is not a subnet mask")
    return prefix


def _ipv4(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    ident = _ident(c, t)
    if ident.ipv4 is None:
        return (_NO_V4, _NO_V4, _NO_V4, _NO_V4)
    return (ident.ipv4.ip, ident.ipv4.netmask, ident.gateway4 or _NO_V4, _NO_V4)


def _set_ipv4(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    ip, mask, gateway, wild = v
    assert isinstance(ip, IPv4Address)
    assert isinstance(mask, IPv4Address)
    assert isinstance(gateway, IPv4Address)
    assert isinstance(wild, IPv4Address)
    if wild != _NO_V4:
        raise XenaStatusError(
            Status.NOTSUPPORTED, f"wildcard {wild}: the port answers its own address"
        )
    iface = None if ip == _NO_V4 else IPv4Interface((ip, _prefix4(mask)))
    _set_ident(c, t, ipv4=iface, gateway4=None if gateway == _NO_V4 else gateway)


def _ipv6(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    ident = _ident(c, t)
    wildcard = c.ports[t.port_index].ipv6_wildcard_prefix
    if ident.ipv6 is None:
        return (_NO_V6, _NO_V6, 0, wildcard)
    iface = ident.ipv6
    return (iface.ip, ident.gateway6 or _NO_V6, iface.network.prefixlen, wildcard)


def _set_ipv6(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    ip, gateway, prefix, wildcard = v
    assert isinstance(ip, IPv6Address)
    assert isinstance(gateway, IPv6Address)
    prefix, wildcard = as_int(prefix), as_int(wildcard)
    if not 0 <= prefix <= 128:
        raise XenaStatusError(Status.BADVALUE, f"subnet prefix {prefix} (0..128)")
    if wildcard not in _EXACT_V6_WILDCARDS:
        raise XenaStatusError(
            Status.NOTSUPPORTED,
            f"wildcard prefix {wildcard}: the port answers its own address (128)",
        )
    iface = None if ip == _NO_V6 else IPv6Interface((ip, prefix))
    _set_ident(c, t, ipv6=iface, gateway6=None if gateway == _NO_V6 else gateway)
    c.ports[t.port_index].ipv6_wildcard_prefix = wildcard


def _switch(name: str) -> tuple[Getter, Setter]:
    """Getter and setter of one of the identity's answering switches."""

    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        return (OnOff.ON if getattr(_ident(c, t), name) else OnOff.OFF,)

    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        _set_ident(c, t, **{name: as_int(v[0]) == OnOff.ON})

    return getter, setter


def _rx_table(name: str, attr: str, entry_bytes: int) -> tuple[Getter, Setter]:
    """Getter and setter of a reply table kept as the client wrote it."""

    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        value = getattr(c.ports[t.port_index], attr)
        assert isinstance(value, bytes)
        return (value,)

    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        table = v[0]
        assert isinstance(table, bytes)
        if len(table) % entry_bytes:
            raise XenaStatusError(
                Status.BADSIZE, f"{name} entries are {entry_bytes} bytes each"
            )
        setattr(c.ports[t.port_index], attr, table)
        if table:
            slot, k = c.place_of(t.port_index)
            log.warning(
                "port %d/%d: %s kept (%d entries); the port answers only for its "
                "own address", slot, k, name, len(table) // entry_bytes,
            )  # fmt: skip

    return getter, setter


# ------------------------------------------------------------------ stream requests
def _header_ip(d: StreamDraft) -> IPAddress | None:
    """The IP destination of the stream's header (its first IP/IPv6 segment)."""
    h = d.header
    for seg, off in segment_offsets(d.segments, h):
        if seg == SegmentType.IP and len(h) >= off + 20:
            return IPv4Address(h[off + 16 : off + 20])
        if seg == SegmentType.IPV6 and len(h) >= off + 40:
            return IPv6Address(h[off + 24 : off + 40])
    return None


def _arp_target(c: ChassisState, t: Target) -> IPAddress:
    d = c.draft(t)
    dst = _header_ip(d)
    if dst is None:
        gateways = [g for g in (d.ipv4_gateway, d.ipv6_gateway) if int(g)]
        if not gateways:
            raise XenaStatusError(
                Status.NOTVALID,
                f"stream {t.indices[0]}: no IP segment in its header and no gateway",
            )
        return gateways[0]
    gateway = d.ipv4_gateway if dst.version == 4 else d.ipv6_gateway
    own = _ident(c, t).ipv4 if dst.version == 4 else _ident(c, t).ipv6
    if int(gateway) and (own is None or dst not in own.network):
        return gateway
    return dst


def _request(call: Callable[[], tuple[Value, ...]]) -> tuple[Value, ...]:
    """Run a resolution or ping; what the port lacks for it is NOTVALID."""
    try:
        return call()
    except ConfigError as exc:  # no address of the family, no gateway
        raise XenaStatusError(Status.NOTVALID, str(exc)) from exc


def _arp_request(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    target = _arp_target(c, t)

    def resolve() -> tuple[Value, ...]:
        mac = c.tester.services.resolve(t.port_index, target, timeout_s=ARP_TIMEOUT_S)
        return (bytes.fromhex(mac.replace(":", "")),)

    return _request(resolve)


def _ping_request(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    dst = _header_ip(c.draft(t))
    if dst is None:
        raise XenaStatusError(
            Status.NOTVALID, f"stream {t.indices[0]}: no IP segment in its header"
        )

    def ping() -> tuple[Value, ...]:
        entry = c.tester.services.ping(
            t.port_index, dst, count=1, timeout_s=PING_TIMEOUT_S
        )[0]
        if entry.status != "success":
            raise XenaStatusError(
                Status.FAILED, f"no echo reply from {dst} within {PING_TIMEOUT_S:g} s"
            )
        return (entry.rtt_ns // 1_000_000, entry.ttl)

    return _request(ping)


# ------------------------------------------------------------------ single frames
def _xmit_one(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    frame = v[0]
    assert isinstance(frame, bytes)
    if len(frame) < 14 + FCS:
        raise XenaStatusError(
            Status.BADVALUE, "a frame has 14 header bytes and a 4-byte FCS at least"
        )
    c.tester.services.send_frames(t.port_index, [frame[:-FCS]])


def _xmit_time(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    last_ns = c.tester.services.counters(t.port_index)["single_last_ns"]
    return (last_ns - XENA_EPOCH_NS if last_ns else 0,)


_ARP_REPLY = _switch("arp_reply")
_PING_REPLY = _switch("ping_reply")
_NDP_REPLY = _switch("ndp_reply")
_PING6_REPLY = _switch("ping6_reply")
_ARP_TABLE = _rx_table("P_ARPRXTABLE", "arp_rx_table", ARP_ENTRY_BYTES)
_NDP_TABLE = _rx_table("P_NDPRXTABLE", "ndp_rx_table", NDP_ENTRY_BYTES)
_V4 = (addr4("ipv4_address"), addr4("subnet_mask"), addr4("gateway"), addr4("wild"))
_V6 = (addr6("ipv6_address"), addr6("gateway"), u8("subnet_prefix"),
       u8("wildcard_prefix"))  # fmt: skip
_ONOFF = (u8("on_off", OnOff),)
COMMANDS: list[CommandSpec] = [
    CommandSpec("P_IPADDRESS", _P, get_fields=_V4, getter=_ipv4, set_fields=_V4,
                setter=_set_ipv4, help="IPv4 address, subnet mask, gateway, wild"),
    CommandSpec("P_IPV6ADDRESS", _P, get_fields=_V6, getter=_ipv6, set_fields=_V6,
                setter=_set_ipv6,
                help="IPv6 address, gateway, subnet prefix, wildcard prefix"),
    CommandSpec("P_ARPREPLY", _P, get_fields=_ONOFF, getter=_ARP_REPLY[0],
                set_fields=_ONOFF, setter=_ARP_REPLY[1],
                help="answer ARP requests for the port's IPv4 address"),
    CommandSpec("P_PINGREPLY", _P, get_fields=_ONOFF, getter=_PING_REPLY[0],
                set_fields=_ONOFF, setter=_PING_REPLY[1],
                help="answer IPv4 echo requests"),
    CommandSpec("P_ARPV6REPLY", _P, get_fields=_ONOFF, getter=_NDP_REPLY[0],
                set_fields=_ONOFF, setter=_NDP_REPLY[1],
                help="answer neighbour solicitations for the port's IPv6 address"),
    CommandSpec("P_PINGV6REPLY", _P, get_fields=_ONOFF, getter=_PING6_REPLY[0],
                set_fields=_ONOFF, setter=_PING6_REPLY[1],
                help="answer IPv6 echo requests"),
    CommandSpec("P_ARPRXTABLE", _P, get_fields=(hexf("chunks"),),
                getter=_ARP_TABLE[0], set_fields=(hexf("chunks"),),
                setter=_ARP_TABLE[1],
                help="ARP reply entries (kept; the port answers its own address)"),
    CommandSpec("P_NDPRXTABLE", _P, get_fields=(hexf("chunks"),),
                getter=_NDP_TABLE[0], set_fields=(hexf("chunks"),),
                setter=_NDP_TABLE[1],
                help="NDP reply entries (kept; the port answers its own address)"),
    CommandSpec("PS_ARPREQUEST", _P, 1, get_fields=(hexf("mac_address", 6),),
                getter=_arp_request,
                help="resolve the header's IP destination (or the gateway): MAC"),
    CommandSpec("PS_PINGREQUEST", _P, 1, get_fields=(i32("delay"), u8("time_to_live")),
                getter=_ping_request, help="ping the header's IP destination"),
    CommandSpec("P_XMITONE", _P, set_fields=(hexf("hex_data"),), setter=_xmit_one,
                help="send one frame (its last 4 bytes are the FCS)"),
    CommandSpec("P_XMITONETIME", _P, get_fields=(i64("nanoseconds"),),
                getter=_xmit_time,
                help="when the last P_XMITONE frame left (ns since 2010)"),
]  # fmt: skip
