"""Each OTG header kind becomes the exact bytes scapy builds for it (lengths and
checksums included), frame by frame through the field engine."""

from __future__ import annotations

import pytest
from otg_env import (
    config,
    eth,
    frames,
    ip4,
    only_flow,
    padded,
    tcp,
    vxlan_headers,
)
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw

from wirespeed.packet.checksum import l4_checksum
from wirespeed.server.otg.errors import OtgError
from wirespeed.server.otg.frames import bad_checksum


def _udp_flow(metrics: bool = True, size: int = 128):
    cfg, flow = config(metrics=metrics, size=size)
    e, ip, udp = flow.packet.ethernet().ipv4().udp()
    e.src.value, e.dst.value = "00:00:01:01:01:01", "00:00:01:01:01:02"
    ip.src.value, ip.dst.value = "1.1.1.1", "1.1.1.2"
    udp.src_port.value, udp.dst_port.value = 5000, 6000
    return cfg, flow, (e, ip, udp)


@pytest.mark.parametrize("metrics", [True, False])
def test_ethernet_ipv4_udp(metrics):
    cfg, _, _ = _udp_flow(metrics)
    fp = only_flow(cfg)
    want = padded(
        eth() / ip4(src="1.1.1.1", dst="1.1.1.2") / UDP(sport=5000, dport=6000), 128
    )
    assert frames(fp, 3) == [want] * 3
    assert want[16:18] == (128 - 18).to_bytes(2, "big")  # what the conformance checks
    assert fp.stream.tpld_id == (0 if metrics else -1)
    assert fp.stream.packet[:40] == want[:40]  # the UDP checksum is per frame


def test_ethernet_ipv6_tcp_defaults():
    cfg, flow = config(size=100)
    e, ip6, tcp_h = flow.packet.ethernet().ipv6().tcp()
    e.src.value, e.dst.value = "00:00:01:01:01:01", "00:00:01:01:01:02"
    ip6.src.value, ip6.dst.value = "2001:2::1", "2001:2::2"
    tcp_h.src_port.value, tcp_h.dst_port.value = 80, 8080
    want = padded(
        eth() / IPv6(src="2001:2::1", dst="2001:2::2") / tcp(sport=80, dport=8080),
        100,
    )
    assert frames(only_flow(cfg), 2) == [want] * 2
    assert want[14 + 6] == 6
    assert want[12:14] == b"\x86\xdd"


def test_tcp_fields_and_flags():
    cfg, flow = config(metrics=False, size=80)
    e, _, tcp_h = flow.packet.ethernet().ipv4().tcp()
    e.src.value, e.dst.value = "00:00:01:01:01:01", "00:00:01:01:01:02"
    tcp_h.seq_num.value, tcp_h.ack_num.value, tcp_h.window.value = 0xDEADBEEF, 7, 1024
    tcp_h.ctl_syn.value, tcp_h.ctl_ack.value, tcp_h.ecn_ns.value = 1, 1, 1
    tcp_h.data_offset.value = 6
    scapy_tcp = TCP(
        sport=0, dport=0, seq=0xDEADBEEF, ack=7, window=1024, flags="SAN", dataofs=6
    )
    want = padded(eth() / ip4(src="0.0.0.0", dst="0.0.0.0") / scapy_tcp, 80)
    assert frames(only_flow(cfg), 1) == [want]


def test_vlan_and_qinq_types_follow_the_next_header():
    cfg, flow = config(size=96)
    e, outer, inner, _ip6, udp = flow.packet.ethernet().vlan().vlan().ipv6().udp()
    e.src.value, e.dst.value = "00:00:01:01:01:01", "00:00:01:01:01:02"
    outer.id.value, outer.priority.value, outer.cfi.value = 100, 5, 1
    inner.id.value = 4095
    udp.src_port.value = 1
    want = padded(
        eth()
        / Dot1Q(vlan=100, prio=5, id=1)
        / Dot1Q(vlan=4095)
        / IPv6(src="::", dst="::")
        / UDP(sport=1, dport=0),
        96,
    )
    assert want[12:14] == b"\x81\x00"
    assert want[16:18] == b"\x81\x00"
    assert want[20:22] == b"\x86\xdd"
    assert frames(only_flow(cfg), 2) == [want] * 2


def test_vlan_tpid_kept_when_given_and_vlan_adds_to_the_mtu():
    cfg, flow = config(metrics=False, size=1522)
    _, vlan, _ = flow.packet.ethernet().vlan().ipv4()
    vlan.tpid.value = 0x88A8
    frame = frames(only_flow(cfg), 1)[0]
    assert frame[16:18] == b"\x88\xa8"
    assert len(frame) == 1518  # 1500 + 18 + one VLAN tag


def _vxlan_flow(outer: str, inner: str):
    cfg, flow = config(size=256)
    _, out, _, _, _, inn, _ = vxlan_headers(flow, outer, inner)
    return cfg, out, inn


def _vxlan_frame(outer, vni, inner_ip, ip_off, ip_len):
    """The frame scapy builds, but for the inner TCP checksum: the engine's covers
    the frame to its end, 4 bytes more than the inner IP length says."""

    def build(csum):
        return padded(
            eth()
            / outer
            / UDP(sport=0, dport=4789)
            / VXLAN(flags=0x08, vni=vni)
            / Ether(dst="00:00:01:01:01:04", src="00:00:01:01:01:03")
            / inner_ip
            / tcp(sport=80, dport=80, chksum=csum),
            256,
        )

    raw = build(0)
    tcp_off = ip_off + ip_len
    return build(l4_checksum(raw[ip_off:tcp_off], raw[tcp_off:], 6))


def test_vxlan_inner_ipv6_as_ixia_c_and_the_conformance_suite():
    cfg, outer, ip6 = _vxlan_flow("ipv4", "ipv6")
    outer.src.value, outer.dst.value = "1.1.1.1", "1.1.1.2"
    ip6.src.value, ip6.dst.value = "::3", "::5"
    got = frames(only_flow(cfg), 6)
    inner = IPv6(src="::3", dst="::5", plen=256 - 4 - 64 - 40 - 4)
    for j, frame in enumerate(got):
        vni = 1000 + j % 5
        want = _vxlan_frame(ip4(src="1.1.1.1", dst="1.1.1.2"), vni, inner, 64, 40)
        assert frame == want, j
        # the conformance suite's capture checks
        assert frame[46:49] == vni.to_bytes(3, "big")
        inner_len = 256 - 14 - 4 - 20 - 8 - 8 - 14 - 4 - 40
        assert frame[68:70] == inner_len.to_bytes(2, "big")
        assert frame[38:40] == (256 - 14 - 4 - 20).to_bytes(2, "big")


def test_vxlan_inner_ipv4_as_ixia_c_and_the_conformance_suite():
    cfg, outer, ip = _vxlan_flow("ipv6", "ipv4")
    outer.src.value, outer.dst.value = "::1", "::2"
    ip.src.value, ip.dst.value = "1.1.1.1", "1.1.1.2"
    frame = frames(only_flow(cfg), 1)[0]
    inner = ip4(src="1.1.1.1", dst="1.1.1.2", len=256 - 4 - 84 - 4)
    assert frame == _vxlan_frame(IPv6(src="::1", dst="::2"), 1000, inner, 84, 20)
    assert frame[18:20] == (256 - 14 - 40 - 4).to_bytes(2, "big")
    assert frame[86:88] == (256 - 14 - 4 - 40 - 8 - 8 - 14 - 4).to_bytes(2, "big")
    assert frame[93] == 6


def test_custom_bytes_as_the_quickstart():
    cfg, flow = config(size=128)
    e, ip, _udp, cus = flow.packet.ethernet().ipv4().udp().custom()
    e.src.value, e.dst.value = "00:11:22:33:44:55", "00:11:22:33:44:66"
    ip.src.value, ip.dst.value = "10.1.1.1", "20.1.1.1"
    cus.bytes = "".join(hex(c)[2:] for c in b"..QUICKSTART SNAPPI..")
    want = padded(
        Ether(src="00:11:22:33:44:55", dst="00:11:22:33:44:66")
        / ip4(src="10.1.1.1", dst="20.1.1.1")
        / UDP(sport=0, dport=0)
        / Raw(b"..QUICKSTART SNAPPI.."),
        128,
    )
    fp = only_flow(cfg)
    assert frames(fp, 1) == [want]
    assert fp.stream.header_bytes == 42 + 21  # the TPLD goes behind the custom bytes


def test_custom_alone_with_spaces_colons_and_0x():
    cfg, flow = config(metrics=False, size=64)
    (cus,) = flow.packet.custom()
    cus.bytes = "0x0102030405 06:0708090a0b0c0d0e"
    assert frames(only_flow(cfg), 1)[0] == bytes(range(1, 15)) + bytes(46)


def test_ipv4_priority_flags_ttl_and_explicit_values():
    cfg, flow = config(metrics=False, size=70)
    _, ip = flow.packet.ethernet().ipv4()
    ip.priority.dscp.phb.value, ip.priority.dscp.ecn.value = 46, 1
    ip.dont_fragment.value, ip.time_to_live.value = 1, 3
    ip.identification.value, ip.protocol.value = 0x1234, 99
    ip.total_length.value = 1000  # given: kept, the checksum over it
    want = padded(
        Ether(dst="00:00:00:00:00:00", src="00:00:00:00:00:00")
        / ip4(
            src="0.0.0.0",
            dst="0.0.0.0",
            tos=46 << 2 | 1,
            flags="DF",
            ttl=3,
            id=0x1234,
            proto=99,
            len=1000,
        ),
        70,
    )
    assert frames(only_flow(cfg), 1) == [want]


@pytest.mark.parametrize(
    ("choice", "tos"),
    [("raw", 0xB8), ("tos", 0b101_1_0_1_0_1)],
)
def test_ipv4_priority_raw_and_tos(choice, tos):
    cfg, flow = config(metrics=False, size=64)
    _, ip = flow.packet.ethernet().ipv4()
    if choice == "raw":
        ip.priority.raw.value = 0xB8
    else:
        t = ip.priority.tos
        t.precedence.value, t.delay.value, t.throughput.value = 5, 1, 0
        t.reliability.value, t.monetary.value, t.unused.value = 1, 0, 1
    assert frames(only_flow(cfg), 1)[0][15] == tos


def test_ether_type_auto_without_a_known_next_header_and_explicit():
    cfg, flow = config(metrics=False, size=64)
    _, cus = flow.packet.ethernet().custom()
    cus.bytes = "aabb"
    assert frames(only_flow(cfg), 1)[0][12:16] == b"\xff\xff\xaa\xbb"
    cfg, flow = config(metrics=False, size=64)
    e, _ = flow.packet.ethernet().ipv4()
    e.ether_type.value = 0x88B5
    assert frames(only_flow(cfg), 1)[0][12:14] == b"\x88\xb5"


def test_udp_length_and_checksum_given():
    cfg, _, (_, _, udp) = _udp_flow(metrics=False)
    udp.length.value, udp.checksum.custom = 12, 0xBEEF
    frame = frames(only_flow(cfg), 1)[0]
    assert frame[38:42] == b"\x00\x0c\xbe\xef"


def test_bad_checksums_on_frames_that_do_not_change():
    cfg, _, (_, ip, udp) = _udp_flow(metrics=False)
    ip.header_checksum.generated = "bad"
    udp.checksum.generated = "bad"
    frame = frames(only_flow(cfg), 1)[0]
    good = Ether(
        padded(
            eth() / ip4(src="1.1.1.1", dst="1.1.1.2") / UDP(sport=5000, dport=6000), 128
        )
    )
    assert frame[24:26] == bad_checksum(good[IP].chksum).to_bytes(2, "big")
    assert frame[40:42] == bad_checksum(good[UDP].chksum).to_bytes(2, "big")
    assert frame[24:26] != good[IP].chksum.to_bytes(2, "big")


def test_bad_checksum_never_means_none():
    assert bad_checksum(0x1234) == 0x1235
    assert bad_checksum(0xFFFE) == 1
    assert bad_checksum(0xFFFF) == 1
    assert bad_checksum(0) == 1


def test_bad_ipv4_checksum_kept_when_no_l4_checksum_is_computed_per_frame():
    cfg, flow = config(size=64)
    _, ip = flow.packet.ethernet().ipv4()
    ip.header_checksum.generated = "bad"
    frame = frames(only_flow(cfg), 1)[0]
    good = IP(frame[14:34])
    del good.chksum
    assert frame[24:26] == bad_checksum(IP(bytes(good)).chksum).to_bytes(2, "big")


def test_refused_checksums_name_the_field():
    cfg, _, (_, _, udp) = _udp_flow(metrics=True)
    udp.checksum.generated = "bad"
    with pytest.raises(OtgError) as err:
        only_flow(cfg)
    assert err.value.errors[0].startswith(
        "flows[0].packet[2].udp.checksum: a bad checksum"
    )
    cfg, _, (_, ip, _) = _udp_flow(metrics=True)
    ip.header_checksum.custom = 7
    with pytest.raises(
        OtgError, match=r"flows\[0\]\.packet\[1\]\.ipv4\.header_checksum: a custom"
    ):
        only_flow(cfg)


def test_custom_ipv4_checksum_with_a_static_udp_checksum():
    cfg, _, (_, ip, _) = _udp_flow(metrics=False)
    ip.header_checksum.custom = 7
    frame = frames(only_flow(cfg), 1)[0]
    assert frame[24:26] == b"\x00\x07"
    want = padded(
        eth()
        / ip4(src="1.1.1.1", dst="1.1.1.2", chksum=7)
        / UDP(sport=5000, dport=6000),
        128,
    )
    assert frame == want
