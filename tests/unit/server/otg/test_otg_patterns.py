"""OTG field patterns, frame by frame: packet j carries values[j % n] or
start ± (j % count)·step (modulo the field's width), every field stepping once per
frame on its own; compared with scapy-built frames (checksums included)."""

from __future__ import annotations

import ipaddress

import pytest
from otg_env import RX_MAC, TX_MAC, config, eth, frames, ip4, only_flow, padded, tcp
from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.layers.vxlan import VXLAN

from wirespeed.model import FlowVarRandLimit, WriteFlowVar, WriteMaskFlowVar
from wirespeed.server.otg.errors import OtgError

ZERO_MAC = "00:00:00:00:00:00"


def _mac(value: int) -> str:
    return ":".join(f"{b:02x}" for b in value.to_bytes(6, "big"))


def _ip(value: int) -> str:
    return str(ipaddress.IPv4Address(value))


def _ip6(value: int) -> str:
    return str(ipaddress.IPv6Address(value))


def _udp_flow(size: int = 128, metrics: bool = True):
    cfg, flow = config(size=size, metrics=metrics)
    e, ip, udp = flow.packet.ethernet().ipv4().udp()
    e.src.value, e.dst.value = TX_MAC, RX_MAC
    ip.src.value, ip.dst.value = "1.1.1.1", "1.1.1.2"
    return cfg, e, ip, udp


def _udp_frame(j_src, j_dst, **ip_kw):
    ip_kw.setdefault("src", "1.1.1.1")
    ip_kw.setdefault("dst", "1.1.1.2")
    return padded(eth() / ip4(**ip_kw) / UDP(sport=j_src, dport=j_dst), 128)


def test_udp_increment_and_decrement_as_the_conformance_suite():
    cfg, _, _, udp = _udp_flow()
    inc, dec = udp.src_port.increment, udp.dst_port.decrement
    inc.start, inc.step, inc.count = 5000, 2, 10
    dec.start, dec.step, dec.count = 6000, 2, 10
    got = frames(only_flow(cfg), 25)
    want = [_udp_frame(5000 + (j % 10) * 2, 6000 - (j % 10) * 2) for j in range(25)]
    assert got == want


def test_values_and_fields_step_together_not_nested():
    cfg, _, ip, udp = _udp_flow()
    udp.src_port.values = [5010, 5015, 5020]
    udp.dst_port.values = [1, 2, 3, 4]
    ip.time_to_live.increment.start, ip.time_to_live.increment.count = 10, 5
    got = frames(only_flow(cfg), 13)
    want = [
        _udp_frame([5010, 5015, 5020][j % 3], j % 4 + 1, ttl=10 + j % 5)
        for j in range(13)
    ]
    assert got == want


@pytest.mark.parametrize(
    ("choice", "start", "step", "count", "want"),
    [
        ("increment", 65534, 1, 4, [65534, 65535, 0, 1]),
        ("decrement", 1, 1, 4, [1, 0, 65535, 65534]),
        ("decrement", 10, 5, 3, [10, 5, 0]),
        ("decrement", 3, 5, 3, [3, 65534, 65529]),
        ("increment", 60000, 1000, 7, [60000 + 1000 * k & 0xFFFF for k in range(7)]),
    ],
)
def test_counters_wrap_around_the_field(choice, start, step, count, want):
    cfg, _, _, udp = _udp_flow()
    counter = getattr(udp.src_port, choice)
    counter.start, counter.step, counter.count = start, step, count
    got = frames(only_flow(cfg), 2 * count)
    assert got == [_udp_frame(want[j % count], 0) for j in range(2 * count)]


def test_mac_increment_in_its_low_bytes():
    cfg, e, _, _ = _udp_flow()
    inc = e.src.increment
    inc.start, inc.step, inc.count = "00:00:01:01:01:01", "00:00:00:00:01:00", 300
    fp = only_flow(cfg)
    writes = [i for i in fp.stream.vm.instructions if isinstance(i, WriteFlowVar)]
    assert [(w.pkt_offset, fp.stream.vm.var_sizes[w.name]) for w in writes] == [(8, 4)]
    got = frames(fp, 302)
    for j in (0, 1, 254, 255, 299, 300, 301):
        src = _mac(0x01010101 + (j % 300) * 0x100)
        want = padded(
            Ether(dst=RX_MAC, src=src)
            / ip4(src="1.1.1.1", dst="1.1.1.2")
            / UDP(sport=0, dport=0),
            128,
        )
        assert got[j] == want, j


@pytest.mark.parametrize("choice", ["increment", "decrement"])
def test_mac_counter_across_32_bits_is_a_value_list(choice):
    cfg, e, _, _ = _udp_flow()
    counter = getattr(e.dst, choice)
    start = 0x0000FFFFFFFE if choice == "increment" else 0x000100000001
    counter.start, counter.step, counter.count = _mac(start), _mac(1), 4
    sign = 1 if choice == "increment" else -1
    got = frames(only_flow(cfg), 8)
    for j in range(8):
        dst = _mac(start + sign * (j % 4))
        want = padded(
            Ether(dst=dst, src=TX_MAC)
            / ip4(src="1.1.1.1", dst="1.1.1.2")
            / UDP(sport=0, dport=0),
            128,
        )
        assert got[j] == want, j


def test_mac_values():
    cfg, e, _, _ = _udp_flow()
    macs = ["00:11:22:33:44:55", "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01"]
    e.dst.values = macs
    got = frames(only_flow(cfg), 6)
    for j in range(6):
        want = padded(
            Ether(dst=macs[j % 3], src=TX_MAC)
            / ip4(src="1.1.1.1", dst="1.1.1.2")
            / UDP(sport=0, dport=0),
            128,
        )
        assert got[j] == want


def test_ipv4_counters_values_and_per_frame_checksums():
    cfg, _, ip, _ = _udp_flow()
    inc = ip.src.increment
    inc.start, inc.step, inc.count = "10.0.0.250", "0.0.1.0", 3
    ip.dst.values = ["1.1.1.2", "255.255.255.255"]
    dec = ip.identification.decrement
    dec.start, dec.step, dec.count = 2, 1, 5
    got = frames(only_flow(cfg), 12)
    for j in range(12):
        src = _ip(0x0A0000FA + 0x100 * (j % 3))
        dst = ["1.1.1.2", "255.255.255.255"][j % 2]
        want = _udp_frame(0, 0, src=src, dst=dst, id=(2 - j % 5) % 65536)
        assert got[j] == want, j


def test_ipv4_address_counter_wraps_at_32_bits():
    cfg, _, ip, _ = _udp_flow()
    inc = ip.dst.increment
    inc.start, inc.step, inc.count = "255.255.255.254", "0.0.0.1", 3
    got = frames(only_flow(cfg), 3)
    assert [f[30:34] for f in got] == [b"\xff\xff\xff\xfe", b"\xff" * 4, b"\0" * 4]


def test_random_fields_repeat_their_count_and_stay_in_range():
    cfg, _, ip, udp = _udp_flow()
    rnd = udp.src_port.random
    rnd.min, rnd.max, rnd.seed, rnd.count = 1000, 1010, 7, 5
    ipr = ip.src.random
    ipr.min, ipr.max, ipr.seed, ipr.count = "10.0.0.0", "10.0.0.255", 3, 4
    fp = only_flow(cfg)
    assert [
        i.limit for i in fp.stream.vm.instructions if isinstance(i, FlowVarRandLimit)
    ] == [4, 5]
    got = frames(fp, 20)
    ports = [int.from_bytes(f[34:36], "big") for f in got]
    addrs = [f[26:30] for f in got]
    assert all(1000 <= p <= 1010 for p in ports)
    assert all(a[:3] == b"\x0a\0\0" for a in addrs)
    assert ports == ports[:5] * 4
    assert addrs == addrs[:4] * 5
    assert len(set(ports)) > 1
    for j, frame in enumerate(got):  # the checksums follow
        assert frame == _udp_frame(
            ports[j], 0, src=_ip(int.from_bytes(addrs[j], "big"))
        )
    assert frames(only_flow(cfg), 20, seed=99) == got  # seeded by OTG's seed


def test_random_with_seed_0_draws_every_frame():
    cfg, _, _, udp = _udp_flow()
    rnd = udp.dst_port.random
    rnd.min, rnd.max, rnd.seed = 7, 9, 0
    got = frames(only_flow(cfg), 60)
    ports = {int.from_bytes(f[36:38], "big") for f in got}
    assert ports == {7, 8, 9}


def test_ipv6_counter_with_a_large_count_in_the_low_bytes():
    cfg, flow = config(size=100)
    _, ip6, _ = flow.packet.ethernet().ipv6().udp()
    inc = ip6.src.increment
    inc.start, inc.step, inc.count = "2001:2::ffff:0", "::1:0", 100_000
    fp = only_flow(cfg)
    got = frames(fp, 3)
    base = int(ipaddress.IPv6Address("2001:2::ffff:0"))
    for j in range(3):
        want = padded(
            eth(dst=ZERO_MAC, src=ZERO_MAC)
            / IPv6(src=_ip6(base + j * 0x10000), dst="::")
            / UDP(sport=0, dport=0),
            100,
        )
        assert got[j] == want


def test_ipv6_values_and_decrement_in_pieces():
    cfg, flow = config(size=100)
    _, ip6, _ = flow.packet.ethernet().ipv6().udp()
    addrs = ["2001:2::1", "fe80::1:2:3:4", "::"]
    ip6.dst.values = addrs
    dec = ip6.src.decrement
    dec.start, dec.step, dec.count = "1::", "::1", 3  # borrows from the high half
    got = frames(only_flow(cfg), 6)
    top = int(ipaddress.IPv6Address("1::"))
    for j in range(6):
        src = _ip6(top - j % 3)
        want = padded(
            eth(dst=ZERO_MAC, src=ZERO_MAC)
            / IPv6(src=src, dst=addrs[j % 3])
            / UDP(sport=0, dport=0),
            100,
        )
        assert got[j] == want, j


def test_ipv6_counter_that_no_write_can_make_is_refused():
    cfg, flow = config(size=100)
    _, ip6, _ = flow.packet.ethernet().ipv6().udp()
    inc = ip6.src.increment
    inc.start, inc.step, inc.count = "::ffff:ffff:ffff:0", "::1:0", 100_000
    with pytest.raises(OtgError, match=r"flows\[0\]\.packet\[1\]\.ipv6\.src: 100000"):
        only_flow(cfg)


def test_bit_fields_vlan_dscp_flow_label_vni():
    cfg, flow = config(size=128)
    _, vlan, ip, _udp, vxlan, _ = (
        flow.packet.ethernet().vlan().ipv4().udp().vxlan().ethernet()
    )
    inc = vlan.id.increment
    inc.start, inc.step, inc.count = 4094, 1, 3
    vlan.priority.values = [7, 0]
    phb = ip.priority.dscp.phb.increment
    phb.start, phb.step, phb.count = 62, 1, 3
    dec = vxlan.vni.decrement
    dec.start, dec.step, dec.count = 1, 1, 3
    got = frames(only_flow(cfg), 6)
    for j in range(6):
        want = padded(
            Ether(dst="00:00:00:00:00:00", src="00:00:00:00:00:00")
            / Dot1Q(vlan=(4094 + j % 3) % 4096, prio=[7, 0][j % 2])
            / ip4(src="0.0.0.0", dst="0.0.0.0", tos=((62 + j % 3) % 64) << 2)
            / UDP(sport=0, dport=4789)
            / VXLAN(flags=0x08, vni=(1 - j % 3) % (1 << 24))
            / Ether(dst="00:00:00:00:00:00", src="00:00:00:00:00:00", type=0xFFFF),
            128,
        )
        assert got[j] == want, j


def test_flow_label_counter_and_random_is_a_masked_write():
    cfg, flow = config(size=100)
    _, ip6, _ = flow.packet.ethernet().ipv6().udp()
    inc = ip6.flow_label.increment
    inc.start, inc.step, inc.count = 0xFFFFE, 1, 3
    ip6.traffic_class.value = 0xAB
    fp = only_flow(cfg)
    masked = [i for i in fp.stream.vm.instructions if isinstance(i, WriteMaskFlowVar)]
    assert [(m.pkt_offset, m.pkt_cast_size, m.mask) for m in masked] == [
        (14, 4, 0xFFFFF)
    ]
    got = frames(fp, 3)
    for j in range(3):
        want = padded(
            eth(dst=ZERO_MAC, src=ZERO_MAC)
            / IPv6(src="::", dst="::", tc=0xAB, fl=(0xFFFFE + j) % (1 << 20))
            / UDP(sport=0, dport=0),
            100,
        )
        assert got[j] == want


def test_tcp_sequence_decrement_wraps_at_32_bits():
    cfg, flow = config(size=100)
    _, _, tcp_h = flow.packet.ethernet().ipv4().tcp()
    dec = tcp_h.seq_num.decrement
    dec.start, dec.step, dec.count = 1, 0x10, 3
    got = frames(only_flow(cfg), 3)
    for j in range(3):
        seq = (1 - 0x10 * j) % (1 << 32)
        want = padded(
            eth(dst="00:00:00:00:00:00", src="00:00:00:00:00:00")
            / ip4(src="0.0.0.0", dst="0.0.0.0")
            / tcp(seq=seq, sport=0, dport=0),
            100,
        )
        assert got[j] == want


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda udp, ip: setattr(udp.src_port.increment, "count", 0),
            r"packet\[2\]\.udp\.src_port\.increment\.count: must be at least 1",
        ),
        (
            lambda udp, ip: (
                setattr(udp.src_port.random, "min", 9),
                setattr(udp.src_port.random, "max", 8),
            ),
            r"flows\[0\]\.packet\[2\]\.udp\.src_port\.random\.max: 8 < min 9",
        ),
        (
            lambda udp, ip: setattr(ip.src.auto, "choice", "dhcp"),
            r"packet\[1\]\.ipv4\.src\.auto: an address from DHCP is not supported",
        ),
        (
            lambda udp, ip: udp.dst_port.metric_tags.add(name="t"),
            r"flows\[0\]\.packet\[2\]\.udp\.dst_port\.metric_tags: tracking flows",
        ),
    ],
)
def test_refused_patterns_name_the_field(setup, message):
    cfg, _, ip, udp = _udp_flow()
    setup(udp, ip)
    with pytest.raises(OtgError, match=message):
        only_flow(cfg)


def test_ipv4_header_checksum_alone_per_frame():
    cfg, flow = config(size=64, metrics=False)
    _, ip = flow.packet.ethernet().ipv4()
    ttl = ip.time_to_live.increment
    ttl.start, ttl.step, ttl.count = 1, 100, 3
    fp = only_flow(cfg)
    assert [type(i).__name__ for i in fp.stream.vm.instructions] == [
        "FlowVar",
        "WriteFlowVar",
        "FixChecksumIpv4",
    ]
    got = frames(fp, 3)
    for j in range(3):
        want = padded(
            eth(dst=ZERO_MAC, src=ZERO_MAC)
            / ip4(src="0.0.0.0", dst="0.0.0.0", ttl=1 + 100 * j, proto=61),
            64,
        )
        assert got[j] == want
