"""Pinger: request bytes, RTT/timeout/done sequences at exact times, and a pair
harness (pinger <-> responder through decode), as aioquic's ``roundtrip``."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from scapy.layers.inet import ICMP, IP, Ether
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import Dot1Q

from wirespeed.errors import ConfigError, ValidationError
from wirespeed.l3 import (
    FrameKind,
    L3Identity,
    PingDone,
    Pinger,
    PingReply,
    PingTimeout,
    Responder,
    decode,
    echo_payload,
    encode_echo_reply,
    parse_mac,
)

S, MS = 1_000_000_000, 1_000_000
T0 = 7 * S + 11
OUR_MAC, PEER_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
OURS, PEER = parse_mac(OUR_MAC), parse_mac(PEER_MAC)
OWN4, PEER4 = IPv4Address("198.18.1.2"), IPv4Address("198.18.1.3")
OWN6, PEER6 = IPv6Address("2001:2:0:1::2"), IPv6Address("2001:2:0:1::3")
IDENTITY = L3Identity.parse(ipv4=f"{OWN4}/24", ipv6=f"{OWN6}/64")
PEER_IDENTITY = L3Identity.parse(ipv4=f"{PEER4}/24", ipv6=f"{PEER6}/64")


def start(pinger: Pinger, dst=PEER4, **kw) -> int:
    args = {
        "count": 3,
        "interval_ns": S,
        "size_bytes": 64,
        "timeout_ns": 2 * S,
        "now_ns": T0,
    }
    return pinger.start(dst, PEER_MAC, **(args | kw))


def reply_to(request: bytes, *, ttl=61, src=None, vlan=None, dst_mac=OURS):
    req = decode(request)
    return decode(
        encode_echo_reply(
            PEER,
            dst_mac,
            src or req.dst_ip,
            req.src_ip,
            ident=req.ident,
            seq=req.seq,
            payload=req.payload,
            ttl=ttl,
            vlan=vlan,
        )
    )


def test_request_bytes_v4():
    pinger = Pinger(IDENTITY, OUR_MAC)
    start(pinger, size_bytes=100)
    (frame,), events = pinger.poll(T0)
    assert events == []
    expected = (
        Ether(src=OUR_MAC, dst=PEER_MAC)
        / IP(src=str(OWN4), dst=str(PEER4), ttl=64, id=1, flags=0)
        / ICMP(type=8, id=1, seq=1)
        / echo_payload(100, 4, None)
    )
    assert frame == bytes(expected)
    assert len(frame) + 4 == 100


def test_request_bytes_v6_tagged():
    pinger = Pinger(IDENTITY.with_changes(vlan=20), OUR_MAC, ident_seed=0x1000)
    start(pinger, PEER6, size_bytes=128)
    (frame,), _ = pinger.poll(T0)
    expected = (
        Ether(src=OUR_MAC, dst=PEER_MAC)
        / Dot1Q(vlan=20)
        / IPv6(src=str(OWN6), dst=str(PEER6), hlim=64)
        / ICMPv6EchoRequest(id=0x1001, seq=1, data=echo_payload(128, 6, 20))
    )
    assert frame == bytes(expected)
    assert len(frame) + 4 == 128


def test_replies_timeouts_and_done_at_exact_times():
    pinger = Pinger(IDENTITY, OUR_MAC)
    ping_id = start(pinger)
    assert ping_id == 1
    assert pinger.next_timer_ns() == T0  # the first request is due now
    (req1,), _ = pinger.poll(T0)
    assert decode(req1).seq == 1
    assert pinger.next_timer_ns() == T0 + S
    assert pinger.receive(reply_to(req1), T0 + 5 * MS) == [
        PingReply(1, 1, PEER4, 5 * MS, 61, 64)
    ]
    assert pinger.poll(T0 + S - 1) == ([], [])
    (req2,), _ = pinger.poll(T0 + S)
    assert decode(req2).seq == 2
    (req3,), _ = pinger.poll(T0 + 2 * S)
    assert decode(req3).seq == 3
    assert pinger.next_timer_ns() == T0 + 3 * S  # request 2 times out
    assert pinger.poll(T0 + 3 * S - 1) == ([], [])
    assert pinger.poll(T0 + 3 * S) == ([], [PingTimeout(1, 2)])
    assert pinger.next_timer_ns() == T0 + 4 * S
    assert pinger.receive(reply_to(req2), T0 + 3 * S + 1) == []  # too late
    assert pinger.receive(reply_to(req3), T0 + 3 * S + 2) == [
        PingReply(1, 3, PEER4, S + 2, 61, 64),
        PingDone(1, 2),
    ]
    assert pinger.next_timer_ns() is None
    assert pinger.poll(T0 + 10 * S) == ([], [])


def test_the_last_timeout_ends_the_run():
    pinger = Pinger(IDENTITY, OUR_MAC)
    start(pinger, count=1, timeout_ns=S // 2)
    pinger.poll(T0)
    assert pinger.poll(T0 + S // 2) == ([], [PingTimeout(1, 1), PingDone(1, 0)])


def test_a_timeout_and_a_request_at_once():
    pinger = Pinger(IDENTITY, OUR_MAC)
    start(pinger, count=2, timeout_ns=S)
    pinger.poll(T0)
    (req2,), events = pinger.poll(T0 + S)
    assert events == [PingTimeout(1, 1)]
    assert decode(req2).seq == 2


def test_a_late_poll_sends_one_and_keeps_the_beat():
    pinger = Pinger(IDENTITY, OUR_MAC)
    start(pinger, count=5, timeout_ns=10 * S)
    pinger.poll(T0)
    frames, _ = pinger.poll(T0 + 3 * S + 7)
    assert [decode(f).seq for f in frames] == [2]
    assert pinger.next_timer_ns() == T0 + 4 * S


def test_reply_size_and_ttl_are_the_replys():
    pinger = Pinger(IDENTITY, OUR_MAC)
    start(pinger, PEER6, size_bytes=1518)
    (req,), _ = pinger.poll(T0)
    (event,) = pinger.receive(reply_to(req, ttl=50), T0 + 1)
    assert (event.size_bytes, event.ttl, event.src) == (1518, 50, PEER6)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda f: reply_to(f, src=IPv4Address("198.18.1.9")), id="src"),
        pytest.param(lambda f: reply_to(f, vlan=20), id="vlan"),
        pytest.param(lambda f: reply_to(f, dst_mac=PEER), id="dst-mac"),
        pytest.param(decode, id="a-request"),
    ],
)
def test_foreign_replies_are_ignored(mangle):
    pinger = Pinger(IDENTITY, OUR_MAC)
    start(pinger)
    (req,), _ = pinger.poll(T0)
    assert pinger.receive(mangle(req), T0 + 1) == []


def test_duplicates_and_unknown_idents_are_ignored():
    pinger = Pinger(IDENTITY, OUR_MAC)
    start(pinger, count=2)
    (req,), _ = pinger.poll(T0)
    assert len(pinger.receive(reply_to(req), T0 + 1)) == 1
    assert pinger.receive(reply_to(req), T0 + 2) == []  # DUP!
    other = Pinger(IDENTITY, OUR_MAC, ident_seed=5)
    assert other.receive(reply_to(req), T0 + 3) == []


def test_two_runs_at_once():
    pinger = Pinger(IDENTITY, OUR_MAC)
    first = start(pinger, count=1)
    second = start(pinger, PEER6, count=1)
    assert (first, second) == (1, 2)
    (req4, req6), _ = pinger.poll(T0)
    assert (decode(req4).ident, decode(req6).ident) == (1, 2)
    assert pinger.receive(reply_to(req6), T0 + 3) == [
        PingReply(2, 1, PEER6, 3, 61, 66),
        PingDone(2, 1),
    ]
    assert pinger.receive(reply_to(req4), T0 + 4)[-1] == PingDone(1, 1)


def test_cancel():
    pinger = Pinger(IDENTITY, OUR_MAC)
    ping_id = start(pinger)
    (req,), _ = pinger.poll(T0)
    pinger.cancel(ping_id)
    pinger.cancel(ping_id)
    assert pinger.receive(reply_to(req), T0 + 1) == []
    assert pinger.poll(T0 + 10 * S) == ([], [])
    assert pinger.next_timer_ns() is None


def test_identifiers_in_use_are_skipped():
    pinger = Pinger(IDENTITY, OUR_MAC, ident_seed=0xFFFF)
    start(pinger, count=1)  # ident 0
    pinger._last_id = 0x10000  # 65536 runs later (ident 0 again), the first still on
    start(pinger, count=1)
    idents = [decode(f).ident for f in pinger.poll(T0)[0]]
    assert idents == [0, 1]


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"count": 0}, ValidationError, "count 0 is outside 1-65535"),
        ({"count": 65536}, ValidationError, "outside"),
        ({"interval_ns": 0}, ValidationError, "interval_ns must be positive"),
        ({"timeout_ns": -1}, ValidationError, "timeout_ns must be positive"),
        ({"size_bytes": 63}, ValidationError, "echo frame is 64-"),
        ({"dst": IPv6Address("2001:2::1")}, ConfigError, "has no ipv6 address"),
    ],
)
def test_bad_starts(kw, error, match):
    pinger = Pinger(L3Identity.parse(ipv4=f"{OWN4}/24"), OUR_MAC)
    with pytest.raises(error, match=match):
        start(pinger, **kw)


def test_bad_dst_mac():
    with pytest.raises(ConfigError, match="dst_mac"):
        Pinger(IDENTITY, OUR_MAC).start(
            PEER4,
            "nope",
            count=1,
            interval_ns=S,
            size_bytes=64,
            timeout_ns=S,
            now_ns=T0,
        )


# --------------------------------------------------------------- pair harness


@pytest.mark.parametrize(("dst", "vlan"), [(PEER4, None), (PEER6, None), (PEER4, 7)])
@pytest.mark.parametrize("size", [64, 200, 1518])
def test_roundtrip_with_a_responder(dst, vlan, size):
    """A port pings another port's responder through decode, 1 ms one way."""
    pinger = Pinger(IDENTITY.with_changes(vlan=vlan), OUR_MAC)
    responder = Responder(PEER_IDENTITY.with_changes(vlan=vlan), PEER_MAC)
    start(pinger, dst, count=4, size_bytes=size)
    events, now = [], T0
    while (due := pinger.next_timer_ns()) is not None:
        now = due
        frames, happened = pinger.poll(now)
        events += happened
        for frame in frames:
            answer = responder.receive(decode(frame))
            events += pinger.receive(decode(answer), now + MS)
    wire = max(size, 66) if dst.version == 6 else size  # IPv6 echo: 66 at least
    assert events == [PingReply(1, s, dst, MS, 64, wire) for s in range(1, 5)] + [
        PingDone(1, 4)
    ]
    assert decode(answer).kind in (FrameKind.ECHO_REPLY, FrameKind.ECHO6_REPLY)
