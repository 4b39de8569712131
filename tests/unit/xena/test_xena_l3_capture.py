"""The Xena L3 and capture commands over the tester's port services (fake data
plane): addresses and switches into the identity, ARP/ping from a stream, single
frames, ARP/ping counters with their clears, captures and their frames."""

from __future__ import annotations

from ipaddress import ip_address

import numpy as np
import pytest
from xena_env import sent  # type: ignore[import-not-found]

from wirespeed.dataplane import service_messages as sm
from wirespeed.l3 import L3Identity
from wirespeed.packet import ethernet_fcs
from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import answer_line
from wirespeed.server.xena.profile import ChassisProfile, PortLimits
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import XENA_EPOCH_NS
from wirespeed.tpld import TpldFields, TpldMode, latency_ns, tpld_filter

GW_MAC = "02:77:73:01:00:01"
OWN = "0/0 P_IPADDRESS 198.18.1.2 255.255.255.0 198.18.1.1 0.0.0.0"
V6_OWN = "0x20010002000000010000000000000002"
V6_GW = "0x20010002000000010000000000000001"


def _ipv4_header(dst: str) -> str:
    ip = bytes(ip_address("198.18.1.2").packed + ip_address(dst).packed)
    return "0x020000000001020000000002080045000032000000007F110000" + ip.hex()


def _ipv6_header(dst: str) -> str:
    return (
        "0x02000000000102000000000286DD6000000000081140"
        + ip_address("2001:2:0:1::2").packed.hex()
        + ip_address(dst).packed.hex()
    )


@pytest.fixture
def run(chassis: XenaChassis):
    session = XenaSession("cli", "l3")
    chassis.open_session(session)

    def run(*lines: str) -> list[str]:
        out: list[str] = []
        for line in lines:
            out += answer_line(chassis, session, line).lines
        return out

    setup = ('C_LOGON "xena"', 'C_OWNER "l3"', "0/0 P_RESERVATION RESERVE")
    assert run(*setup) == ["<OK>"] * 3
    return run


def _stream(run, header: str, protocol: str = "ETHERNET IP UDP") -> None:
    lines = ("0/0 PS_CREATE [0]", f"0/0 PS_HEADERPROTOCOL [0] {protocol}",
             f"0/0 PS_PACKETHEADER [0] {header}")  # fmt: skip
    assert run(*lines) == ["<OK>"] * 3


# ------------------------------------------------------------------ addresses
def test_addresses_and_switches_are_the_ports_identity(run, tester) -> None:
    steps = (OWN, f"0/0 P_IPV6ADDRESS {V6_OWN} {V6_GW} 64 128", "0/0 P_ARPREPLY OFF",
             "0/0 P_PINGV6REPLY OFF")  # fmt: skip
    assert run(*steps) == ["<OK>"] * 4
    want = L3Identity.parse(
        ipv4="198.18.1.2/24",
        gateway="198.18.1.1",
        ipv6="2001:2:0:1::2/64",
        gateway6="2001:2:0:1::1",
    ).with_changes(arp_reply=False, ping6_reply=False)
    assert tester.services.l3(0) == want
    assert run("0/0 P_ARPREPLY ?", "0/0 P_PINGREPLY ?") == [
        "0/0 P_ARPREPLY OFF", "0/0 P_PINGREPLY ON",
    ]  # fmt: skip
    # 0.0.0.0 takes the IPv4 address away, the IPv6 one stays
    assert run("0/0 P_IPADDRESS 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0") == ["<OK>"]
    assert tester.services.l3(0) == want.with_changes(ipv4=None, gateway4=None)
    assert run("0/0 P_IPADDRESS ?") == [
        "0/0 P_IPADDRESS 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0"
    ]


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("0/0 P_IPADDRESS 198.18.1.2 255.0.255.0 0.0.0.0 0.0.0.0", "<BADVALUE>"),
        ("0/0 P_IPADDRESS 198.18.1.2 255.255.255.0 198.18.9.1 0.0.0.0", "<BADVALUE>"),
        ("0/0 P_IPADDRESS 198.18.1.2 255.255.255.0 198.18.1.2 0.0.0.0", "<BADVALUE>"),
        ("0/0 P_IPADDRESS 198.18.1.0 255.255.255.0 0.0.0.0 0.0.0.0", "<BADVALUE>"),
        ("0/0 P_IPADDRESS 0.0.0.0 0.0.0.0 198.18.1.1 0.0.0.0", "<BADVALUE>"),
        (
            "0/0 P_IPADDRESS 198.18.1.2 255.255.255.0 0.0.0.0 0.0.0.255",
            "<NOTSUPPORTED>",
        ),
        (f"0/0 P_IPV6ADDRESS {V6_OWN} {V6_GW} 129 128", "<BADVALUE>"),
        (f"0/0 P_IPV6ADDRESS {V6_OWN} {V6_GW} 64 64", "<NOTSUPPORTED>"),
        ("0/0 P_ARPRXTABLE 0xC612000200200002000000", "<BADSIZE>"),
        ("0/1 P_IPADDRESS 198.18.1.2 255.255.255.0 0.0.0.0 0.0.0.0", "<NOTRESERVED>"),
    ],
)
def test_bad_addresses_are_refused_and_change_nothing(run, tester, line, status):
    assert run(OWN) == ["<OK>"]
    before = tester.services.l3(0)
    assert run(line) == [status]
    assert tester.services.l3(0) == before
    assert run("C_KEEPALIVE ?")[0].startswith("C_KEEPALIVE")  # still serving


# ------------------------------------------------------------------ PS_ARPREQUEST
def _resolved(fake) -> list[str]:
    return [str(c.addr) for c in sent(fake, 0, sm.Resolve)]


def test_arp_request_targets(run, fake) -> None:
    fake.services.neighbors[0].update(
        {"198.18.1.1": GW_MAC, "198.18.1.7": "02:00:00:00:01:07"}
    )
    assert run(OWN) == ["<OK>"]
    # on the port's subnet: the header's destination, whatever the stream gateway
    _stream(run, _ipv4_header("198.18.1.7"))
    assert run("0/0 PS_IPV4GATEWAY [0] 198.18.1.1") == ["<OK>"]
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["0/0 PS_ARPREQUEST [0] 0x020000000107"]
    # off the subnet: the stream's gateway, else the port's
    assert run(f"0/0 PS_PACKETHEADER [0] {_ipv4_header('198.18.2.2')}") == ["<OK>"]
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["0/0 PS_ARPREQUEST [0] 0x027773010001"]
    assert run("0/0 PS_IPV4GATEWAY [0] 0.0.0.0") == ["<OK>"]
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["0/0 PS_ARPREQUEST [0] 0x027773010001"]
    assert _resolved(fake) == ["198.18.1.7", "198.18.1.1", "198.18.1.1"]
    # no IP segment: the stream's gateway, or nothing to resolve
    assert run("0/0 PS_HEADERPROTOCOL [0] ETHERNET RAW_20") == ["<OK>"]
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["<NOTVALID>"]
    assert run("0/0 PS_IPV4GATEWAY [0] 198.18.1.1") == ["<OK>"]
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["0/0 PS_ARPREQUEST [0] 0x027773010001"]
    assert run("0/0 PS_ARPREQUEST [1] ?") == ["<BADINDEX>"]


def test_arp_request_by_neighbour_solicitation(run, fake) -> None:
    fake.services.neighbors[0]["2001:2:0:1::1"] = GW_MAC
    assert run(f"0/0 P_IPV6ADDRESS {V6_OWN} {V6_GW} 64 128") == ["<OK>"]
    _stream(run, _ipv6_header("2001:2:0:2::2"), "ETHERNET IPV6 UDP")
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["0/0 PS_ARPREQUEST [0] 0x027773010001"]
    assert _resolved(fake) == ["2001:2:0:1::1"]
    # a neighbour solicitation counts as an ARP request (Xena's "ARPv6")
    assert run("0/0 PT_EXTRA ?") == ["0/0 PT_EXTRA 1 0 0 0 0 0 0 0 0 0 0"]


def test_arp_request_failures_and_the_server_goes_on(run, fake) -> None:
    _stream(run, _ipv4_header("198.18.2.2"))
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["<NOTVALID>"]  # the port has no IPv4
    assert run(OWN, "0/0 PS_ARPREQUEST [0] ?") == ["<OK>", "<FAILED>"]  # no answer
    fake.services.neighbors[0]["198.18.1.1"] = GW_MAC
    assert run("0/0 PS_ARPREQUEST [0] ?") == ["0/0 PS_ARPREQUEST [0] 0x027773010001"]


def test_ping_request(run, fake) -> None:
    fake.services.neighbors[0]["198.18.1.1"] = GW_MAC
    fake.services.rtt_ns, fake.services.ttl = 3_700_000, 63
    _stream(run, _ipv4_header("198.18.2.2"))
    assert run(OWN, "0/0 PS_PINGREQUEST [0] ?") == [
        "<OK>",
        "0/0 PS_PINGREQUEST [0] 3 63",
    ]
    (ping,) = sent(fake, 0, sm.StartPing)
    assert (str(ping.dst), ping.dst_mac, ping.count) == ("198.18.2.2", GW_MAC, 1)
    fake.services.silent[0].add("198.18.2.2")
    assert run("0/0 PS_PINGREQUEST [0] ?") == ["<FAILED>"]
    assert run("0/0 PS_HEADERPROTOCOL [0] ETHERNET RAW_20") == ["<OK>"]
    assert run("0/0 PS_PINGREQUEST [0] ?") == ["<NOTVALID>"]


# ------------------------------------------------------------------ frames, counts
def test_single_frames_and_the_extra_counters_with_their_clears(run, fake) -> None:
    frame = bytes.fromhex(_ipv4_header("198.18.2.2")[2:]) + bytes(30)
    assert run(f"0/0 P_XMITONE 0x{frame.hex()}") == ["<OK>"]
    assert fake.services.sent[0] == [frame[:-4]]  # the FCS is the kernel's
    assert run("0/0 P_XMITONE 0x0200000000010200000000020800") == ["<BADVALUE>"]
    stamp = int(run("0/0 P_XMITONETIME ?")[0].split()[-1])
    last_ns = int(fake.services.words[0][sm.SVC_SINGLE_LAST_NS])
    assert stamp == last_ns - XENA_EPOCH_NS > 0
    words = fake.services.words[0]
    for name, n in (("ARP_REQUESTS_RX", 3), ("NS_RX", 1), ("ARP_REPLIES_RX", 2),
                    ("PING4_REQUESTS_RX", 5), ("PING6_REPLIES_RX", 1),
                    ("ARP_REPLIES_TX", 3), ("NA_TX", 1), ("PING4_REPLIES_TX", 5),
                    ("PING4_REQUESTS_TX", 2)):  # fmt: skip
        words[getattr(sm, name)] += n
    assert run("0/0 PT_EXTRA ?", "0/0 PR_EXTRA ?") == [
        "0/0 PT_EXTRA 0 4 2 5 0 0 0 0 0 0 0", "0/0 PR_EXTRA 0 0 4 2 5 1 0 0",
    ]  # fmt: skip
    assert run("0/0 PR_CLEAR", "0/0 PT_EXTRA ?", "0/0 PR_EXTRA ?") == [
        "<OK>", "0/0 PT_EXTRA 0 4 2 5 0 0 0 0 0 0 0", "0/0 PR_EXTRA 0 0 0 0 0 0 0 0",
    ]  # fmt: skip
    assert run("0/0 PT_CLEAR", "0/0 PT_EXTRA ?") == [
        "<OK>", "0/0 PT_EXTRA 0 0 0 0 0 0 0 0 0 0 0",
    ]  # fmt: skip


# ------------------------------------------------------------------ capture
def _captures(tester) -> list:
    return tester.services.captures()


def test_capture_settings_become_the_tester_capture(run, tester) -> None:
    assert run("0/0 P_CAPTURE ON", "0/0 P_CAPTURE ?") == ["<OK>", "0/0 P_CAPTURE ON"]
    (info,) = _captures(tester)
    spec = info.spec
    assert (spec.filter, spec.snaplen, spec.limit_frames) == ("", 65535, 4096)
    assert (spec.rx, spec.tx, spec.mode) == (True, False, "fixed")
    # settings are refused while it runs, taken after
    assert run("0/0 PC_KEEP TPLD 5 100") == ["<NOTVALID>"]
    steps = ("0/0 P_CAPTURE OFF", "0/0 PC_TRIGGER ON 0 USERSTOP 0",
             "0/0 PC_KEEP TPLD 5 100", "0/0 P_CAPTURE ON")  # fmt: skip
    assert run(*steps) == ["<OK>"] * 4
    (info,) = _captures(tester)  # the earlier capture is gone
    spec = info.spec
    assert spec.filter == tpld_filter(TpldMode.NORMAL, with_tpld=True, tid=5)
    assert (spec.snaplen, spec.mode) == (100, "cyclic")
    steps = ("0/0 P_CAPTURE OFF", "0/0 PC_KEEP NOTPLD -1 20", "0/0 P_CAPTURE ON")
    assert run(*steps) == ["<OK>"] * 3
    spec = _captures(tester)[0].spec
    assert spec.filter == tpld_filter(TpldMode.NORMAL, with_tpld=False)
    assert spec.snaplen == 64  # the capture's least; PC_PACKET cuts to 20
    assert run("0/0 P_RESET", "0/0 PC_STATS ?", "0/0 P_CAPTURE ?") == [
        "<OK>", "0/0 PC_STATS 0 0 0", "0/0 P_CAPTURE OFF",
    ]  # fmt: skip
    assert _captures(tester) == []


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("0/0 PC_TRIGGER FILTER 0 FULL 0", "<NOTSUPPORTED>"),
        ("0/0 PC_TRIGGER ON 0 FCSERR 0", "<NOTSUPPORTED>"),
        ("0/0 PC_KEEP FCSERR -1 -1", "<NOTSUPPORTED>"),
        ("0/0 PC_KEEP FILTER 0 -1", "<NOTSUPPORTED>"),
        ("0/0 PC_KEEP PLDERR -1 -1", "<NOTSUPPORTED>"),
        ("0/0 PC_KEEP ALL -1 0", "<BADVALUE>"),
        ("0/0 PC_KEEP TPLD 70000 -1", "<BADVALUE>"),
        ("0/0 PC_PACKET [0] ?", "<NOTVALID>"),
        ("0/0 PC_TRIGGER 9 0 FULL 0", "<BADVALUE>"),
    ],
)
def test_capture_settings_refused(run, line, status) -> None:
    assert run(line) == [status]
    assert run("0/0 PC_TRIGGER ?", "0/0 PC_KEEP ?") == [
        "0/0 PC_TRIGGER ON 0 FULL 0", "0/0 PC_KEEP ALL -1 -1",
    ]  # fmt: skip


def test_micro_tpld_frames_cannot_be_told_by_a_filter(run) -> None:
    assert run("0/0 P_TPLDMODE MICRO", "0/0 PC_KEEP TPLD -1 -1") == [
        "<OK>", "<NOTSUPPORTED>",
    ]  # fmt: skip
    # kept before the port changed its form: refused when the capture starts
    steps = ("0/0 P_TPLDMODE NORMAL", "0/0 PC_KEEP NOTPLD -1 -1",
             "0/0 P_TPLDMODE MICRO", "0/0 P_CAPTURE ON", "0/0 P_CAPTURE ?")  # fmt: skip
    assert run(*steps) == ["<OK>"] * 3 + ["<NOTSUPPORTED>", "0/0 P_CAPTURE OFF"]


def test_captured_frames_their_bytes_and_extra(run, tester, fake) -> None:
    plain = bytes.fromhex(_ipv4_header("198.18.2.2")[2:]) + bytes(26)
    tx_ns = 1_700_000_000_123_456_789
    body = bytes.fromhex(_ipv4_header("198.18.2.2")[2:]) + bytes(46)
    tpld = body + TpldFields(9, seq=1, ts_ns=tx_ns).to_bytes(TpldMode.NORMAL)
    assert run("0/0 P_CAPTURE ON") == ["<OK>"]
    fake.services.capture(0, [plain, tpld])
    (info,) = _captures(tester)
    assert run("0/0 PC_STATS ?") == [
        f"0/0 PC_STATS 0 2 {info.start_ns - XENA_EPOCH_NS}"
    ]
    assert run("0/0 PC_PACKET [1] ?") == [
        f"0/0 PC_PACKET [1] 0x{(tpld + ethernet_fcs(tpld)).hex().upper()}"
    ]
    assert run("0/0 PC_PACKET [2] ?") == ["<BADINDEX>"]
    ts0, ts = (int(t) for t in tester.services.read_capture(info.capture_id).ts_ns)
    latency = int(latency_ns(ts, np.int64(tx_ns & (2**36 - 1)), TpldMode.NORMAL))
    assert run("0/0 PC_EXTRA [1] ?", "0/0 PC_EXTRA [0] ?") == [
        f"0/0 PC_EXTRA [1] {ts - XENA_EPOCH_NS} {latency} 0 {len(tpld) + 4}",
        f"0/0 PC_EXTRA [0] {ts0 - XENA_EPOCH_NS} -1 0 64",
    ]
    # stopped: still readable, until a new capture starts afresh
    assert run("0/0 P_CAPTURE OFF", "0/0 PC_PACKET [0] ?")[1].endswith(
        (plain + ethernet_fcs(plain)).hex().upper()
    )
    assert run("0/0 P_CAPTURE ON", "0/0 PC_STATS ?")[1].startswith("0/0 PC_STATS 0 0 ")


def test_keep_byte_count_cuts_frames_and_full_buffer_status(tester, fake) -> None:
    chassis = XenaChassis(tester, ChassisProfile(limits=PortLimits(capture_frames=2)))
    s = XenaSession("cli", "cap")
    chassis.open_session(s)
    lines = ('C_LOGON "xena"', 'C_OWNER "cap"', "0/1 P_RESERVATION RESERVE",
             "0/1 PC_KEEP ALL -1 20", "0/1 P_CAPTURE ON")  # fmt: skip
    try:
        for line in lines:
            assert answer_line(chassis, s, line).lines == ["<OK>"]
        frames = [bytes([i]) * 60 for i in range(3)]
        fake.services.capture(1, frames)
        (stats,) = answer_line(chassis, s, "0/1 PC_STATS ?").lines
        assert stats.split()[2:4] == ["1", "2"]  # stopped full, 2 frames
        (packet,) = answer_line(chassis, s, "0/1 PC_PACKET [1] ?").lines
        assert packet == "0/1 PC_PACKET [1] 0x" + "01" * 20
    finally:
        chassis.close()
