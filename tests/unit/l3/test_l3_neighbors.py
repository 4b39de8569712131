"""Resolver: requests, retries and timeouts at exact times; learning as a host."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv6Address

import pytest
from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6
from scapy.layers.l2 import ARP, Dot1Q, Ether

from wirespeed.errors import ConfigError, ValidationError
from wirespeed.l3 import (
    L3Identity,
    NAFlag,
    NeighborTable,
    Resolved,
    ResolveFailed,
    Resolver,
    decode,
    encode_arp_reply,
    encode_arp_request,
    encode_neighbor_advert,
    encode_neighbor_solicit,
    parse_mac,
)

S = 1_000_000_000
T0 = 5 * S + 123  # an arbitrary clock
OUR_MAC, GW_MAC, PEER_MAC = (
    "02:00:00:00:00:0a",
    "02:00:00:00:00:01",
    "02:00:00:00:00:0c",
)
OURS, GW, PEER = parse_mac(OUR_MAC), parse_mac(GW_MAC), parse_mac(PEER_MAC)
GW4, PEER4, OWN4 = (
    IPv4Address("198.18.1.1"),
    IPv4Address("198.18.1.3"),
    IPv4Address("198.18.1.2"),
)
GW6, OWN6 = IPv6Address("2001:2:0:1::1"), IPv6Address("2001:2:0:1::2")
IDENTITY = L3Identity.parse(
    ipv4="198.18.1.2/24", gateway="198.18.1.1", ipv6="2001:2:0:1::2/64"
)


def resolver(identity: L3Identity = IDENTITY) -> Resolver:
    return Resolver(identity, OUR_MAC)


def arp_reply_from(ip=GW4, mac=GW, vlan=None):
    return decode(encode_arp_reply(mac, ip, OURS, OWN4, vlan=vlan))


def na_from(target=GW6, mac=GW, vlan=None, with_option=True):
    frame = encode_neighbor_advert(mac, target, OURS, OWN6, target, vlan=vlan)
    got = decode(frame)
    if not with_option:  # what an NA without the target link-layer option reads as
        got = replace(got, lladdr=None)
    return got


def test_arp_request_is_scapys():
    (frame,) = resolver().resolve(GW4, T0)
    expected = Ether(src=OUR_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(
        hwsrc=OUR_MAC, psrc="198.18.1.2", pdst="198.18.1.1"
    )
    assert frame == bytes(expected).ljust(60, b"\0")


def test_ns_is_scapys_and_tagged_with_the_port_vlan():
    ident = IDENTITY.with_changes(vlan=20)
    (frame,) = resolver(ident).resolve(GW6, T0)
    expected = (
        Ether(src=OUR_MAC, dst="33:33:ff:00:00:01")
        / Dot1Q(vlan=20)
        / IPv6(src=str(OWN6), dst="ff02::1:ff00:1", hlim=255)
        / ICMPv6ND_NS(tgt=str(GW6))
        / ICMPv6NDOptSrcLLAddr(lladdr=OUR_MAC)
    )
    assert frame == bytes(expected)


@pytest.mark.parametrize(
    ("addr", "message"),
    [
        (GW4, "198.18.1.1 did not answer ARP within 3 s"),
        (GW6, "2001:2:0:1::1 did not answer neighbour solicitation within 3 s"),
    ],
)
def test_retries_then_fails_at_exact_times(addr, message):
    r = resolver()
    (request,) = r.resolve(addr, T0)
    assert r.next_timer_ns() == T0 + S
    assert r.poll(T0 + S - 1) == ([], [])
    assert r.poll(T0 + S) == ([request], [])
    assert r.next_timer_ns() == T0 + 2 * S
    assert r.poll(T0 + 2 * S - 1) == ([], [])
    assert r.poll(T0 + 2 * S) == ([request], [])
    assert r.next_timer_ns() == T0 + 3 * S  # the deadline, no third resend
    assert r.poll(T0 + 3 * S - 1) == ([], [])
    assert r.poll(T0 + 3 * S) == ([], [ResolveFailed(addr, message)])
    assert r.next_timer_ns() is None
    assert not r.is_pending(addr)
    assert r.poll(T0 + 10 * S) == ([], [])


def test_custom_timeout_and_interval():
    r = resolver()
    (request,) = r.resolve(GW4, T0, timeout_ns=2_500_000_000, interval_ns=S // 2)
    sent = [t for t in range(T0, T0 + 3 * S, S // 4) if r.poll(t)[0] == [request]]
    assert sent == [T0 + k * S // 2 for k in range(1, 5)]
    r2 = resolver()
    r2.resolve(GW4, T0, timeout_ns=2_500_000_000, interval_ns=S // 2)
    assert r2.poll(T0 + 2_500_000_000) == (
        [],
        [ResolveFailed(GW4, "198.18.1.1 did not answer ARP within 2.5 s")],
    )


def test_a_late_poll_sends_once_and_keeps_the_beat():
    r = resolver()
    (request,) = r.resolve(GW4, T0, timeout_ns=10 * S)
    assert r.poll(T0 + 3 * S + 5) == ([request], [])
    assert r.next_timer_ns() == T0 + 4 * S


def test_an_address_being_resolved_is_not_requested_twice():
    r = resolver()
    assert len(r.resolve(GW4, T0)) == 1
    assert r.resolve(GW4, T0 + 10) == []
    assert r.poll(T0 + S) == ([_request(r, GW4)], [])  # the first one's beat


def _request(r: Resolver, addr):
    return encode_arp_request(r.mac, OWN4, addr)


def test_several_at_once():
    r = resolver()
    assert len(r.resolve(GW4, T0)) == 1
    assert len(r.resolve(PEER4, T0 + 100)) == 1
    assert len(r.resolve(GW6, T0 + 200)) == 1
    assert r.receive(arp_reply_from(PEER4, PEER), T0 + 300) == [Resolved(PEER4, PEER)]
    assert r.receive(na_from(GW6), T0 + 400) == [Resolved(GW6, GW)]
    frames, failed = r.poll(T0 + S + 100)
    assert frames == [_request(r, GW4)]
    assert failed == []
    assert r.poll(T0 + 3 * S)[1] == [
        ResolveFailed(GW4, "198.18.1.1 did not answer ARP within 3 s")
    ]
    assert r.table.mac(PEER4) == PEER
    assert r.table.get(GW6).learned_ns == T0 + 400


def test_resolved_once_then_only_learned():
    r = resolver()
    r.resolve(GW4, T0)
    assert r.receive(arp_reply_from(), T0 + 5) == [Resolved(GW4, GW)]
    assert r.receive(arp_reply_from(), T0 + 6) == []
    assert r.table.get(GW4).learned_ns == T0 + 6
    assert r.poll(T0 + 5 * S) == ([], [])
    assert r.next_timer_ns() is None


def test_resolving_a_known_address_asks_again():
    r = resolver()
    r.receive(arp_reply_from(), T0)
    assert GW4 in r.table
    assert len(r.resolve(GW4, T0 + 1)) == 1


def test_an_arp_request_from_the_target_resolves_it():
    r = resolver()
    r.resolve(GW4, T0)
    asking = decode(encode_arp_request(GW, GW4, OWN4))
    assert r.receive(asking, T0 + 1) == [Resolved(GW4, GW)]


def test_an_ns_from_the_target_resolves_it():
    r = resolver()
    r.resolve(GW6, T0)
    asking = decode(encode_neighbor_solicit(GW, GW6, OWN6))
    assert r.receive(asking, T0 + 1) == [Resolved(GW6, GW)]


def test_na_without_option_uses_the_ethernet_source():
    r = resolver()
    r.resolve(GW6, T0)
    assert r.receive(na_from(with_option=False), T0 + 1) == [Resolved(GW6, GW)]


def test_na_flags_do_not_matter():
    r = resolver()
    r.resolve(GW6, T0)
    frame = encode_neighbor_advert(GW, GW6, OURS, OWN6, GW6, flags=NAFlag.ROUTER)
    assert r.receive(decode(frame), T0 + 1) == [Resolved(GW6, GW)]


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(arp_reply_from(IPv4Address("198.19.0.1")), id="off-subnet"),
        pytest.param(arp_reply_from(vlan=20), id="other-vlan"),
        pytest.param(arp_reply_from(OWN4), id="own-address"),
        pytest.param(arp_reply_from(IPv4Address("198.18.1.255")), id="broadcast"),
        pytest.param(arp_reply_from(IPv4Address("198.18.1.0")), id="network"),
        pytest.param(arp_reply_from(mac=b"\x01" + GW[1:]), id="multicast-mac"),
        pytest.param(arp_reply_from(mac=bytes(6)), id="zero-mac"),
        pytest.param(
            decode(encode_neighbor_solicit(GW, IPv6Address("fe80::1"), OWN6)),
            id="link-local-ns",
        ),
        pytest.param(
            decode(
                bytes(
                    Ether(src=GW_MAC, dst=OUR_MAC)
                    / IPv6(src=str(GW6), dst=str(OWN6), hlim=255)
                    / ICMPv6ND_NS(tgt=str(OWN6))
                )
            ),
            id="ns-without-option",
        ),
        pytest.param(na_from(IPv6Address("2001:2:0:2::1")), id="na-off-subnet"),
    ],
)
def test_not_learned(frame):
    r = resolver()
    assert frame is not None
    assert r.receive(frame, T0) == []
    assert len(r.table) == 0


def test_learned_without_asking():
    r = resolver()
    r.receive(arp_reply_from(PEER4, PEER), T0)
    r.receive(decode(encode_neighbor_solicit(GW, GW6, OWN6)), T0 + 1)
    assert [(a, n.mac, n.learned_ns) for a, n in r.table.items()] == [
        (PEER4, PEER, T0),
        (GW6, GW, T0 + 1),
    ]


def test_tagged_port_learns_its_vlan_only():
    r = resolver(IDENTITY.with_changes(vlan=20))
    assert r.receive(arp_reply_from(), T0) == []
    r.receive(arp_reply_from(vlan=20), T0)
    assert r.table.mac(GW4) == GW


def test_cancel():
    r = resolver()
    r.resolve(GW4, T0)
    r.cancel(GW4)
    r.cancel(GW4)
    assert r.poll(T0 + 5 * S) == ([], [])
    assert r.receive(arp_reply_from(), T0) == []


@pytest.mark.parametrize(
    ("identity", "addr", "match"),
    [
        (IDENTITY, IPv4Address("198.19.0.1"), "not a neighbour on the port's subnet"),
        (IDENTITY, OWN4, "not a neighbour"),
        (IDENTITY, IPv6Address("2001:2:0:2::1"), "not a neighbour"),
        (L3Identity.parse(ipv4="198.18.1.2/24"), GW6, "has no ipv6 address"),
        (L3Identity(), GW4, "has no ipv4 address"),
    ],
)
def test_cannot_resolve(identity, addr, match):
    with pytest.raises(ConfigError, match=match):
        resolver(identity).resolve(addr, T0)


@pytest.mark.parametrize(("timeout", "interval"), [(0, S), (S, 0), (-1, S)])
def test_bad_timers(timeout, interval):
    with pytest.raises(ValidationError):
        resolver().resolve(GW4, T0, timeout_ns=timeout, interval_ns=interval)


def test_bad_mac():
    with pytest.raises(ConfigError, match="not a MAC"):
        Resolver(IDENTITY, "02:00")


def test_table():
    table = NeighborTable()
    table.learn(GW4, GW, 1)
    assert table.mac(GW4) == GW
    assert table.mac(PEER4) is None
    assert table.get(PEER4) is None
    table.forget(GW4)
    table.forget(GW4)
    assert len(table) == 0
    shared = Resolver(IDENTITY, OURS, table=table)
    shared.receive(arp_reply_from(), 2)
    assert table.mac(GW4) == GW
