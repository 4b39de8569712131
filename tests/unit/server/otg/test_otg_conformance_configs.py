"""The configurations of the OTG conformance suite's traffic-only b2b tests
(open-traffic-generator/conformance, feature/b2b/packet/*, examples), built as those
tests build them, translate; the engine's 100 frames pass their capture checks
(sizes with the FCS, field bytes at their offsets, packet j's pattern values)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import pytest
from otg_env import API, frames, plan, vxlan_headers

from wirespeed.model import Rate, RateUnit, TxMode

TX_MAC, RX_MAC = "00:00:01:01:01:01", "00:00:01:01:01:02"
INNER_TX_MAC, INNER_RX_MAC = "00:00:01:01:01:03", "00:00:01:01:01:04"
Check = tuple[str, int, bytes]


def _mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def _ip(text: str) -> bytes:
    return ipaddress.ip_address(text).packed


def _num(value: int, width: int) -> bytes:
    return value.to_bytes(width, "big")


def _suite_config(size: int):
    """What every test of the suite sets up (capture check on, 1 Gbit/s)."""
    c = API.config()
    p1 = c.ports.add(name="p1", location="veth-a")
    p2 = c.ports.add(name="p2", location="veth-z")
    ly = c.layer1.add(name="ly", port_names=[p1.name, p2.name])
    ly.speed = "speed_1_gbps"
    ca = c.captures.add(name="ca", port_names=[p1.name, p2.name])
    ca.format = ca.PCAP
    f1 = c.flows.add(name="f1")
    f1.tx_rx.port.tx_name = p1.name
    f1.tx_rx.port.rx_names = [p2.name]
    f1.duration.fixed_packets.packets = 100
    f1.rate.pps = 50
    f1.size.fixed = size
    f1.metrics.enable = True
    return c, f1


def _l4(flow, kind: str, ip: str = "ipv4", src: str = "1.1.1.1", dst: str = "1.1.1.2"):
    eth, ip_h, l4 = getattr(getattr(flow.packet.ethernet(), ip)(), kind)()
    eth.src.value, eth.dst.value = TX_MAC, RX_MAC
    ip_h.src.value, ip_h.dst.value = src, dst
    return l4


def _ipv4_checks(size: int, proto: int) -> list[Check]:
    return [
        ("ethernet dst", 0, _mac(RX_MAC)),
        ("ethernet type", 12, _num(2048, 2)),
        ("ipv4 total length", 16, _num(size - 14 - 4, 2)),
        ("ipv4 protocol", 23, _num(proto, 1)),
        ("ipv4 src", 26, _ip("1.1.1.1")),
        ("ipv4 dst", 30, _ip("1.1.1.2")),
    ]


def _udp_port_value(flow) -> Callable[[int], list[Check]]:
    udp = _l4(flow, "udp")
    udp.src_port.value, udp.dst_port.value = 5000, 6000
    return lambda j: [
        *_ipv4_checks(128, 17),
        ("udp src", 34, _num(5000, 2)),
        ("udp dst", 36, _num(6000, 2)),
        ("udp length", 38, _num(128 - 14 - 4 - 20, 2)),
    ]


def _udp_port_values(flow) -> Callable[[int], list[Check]]:
    udp = _l4(flow, "udp")
    src, dst = [5000, 5010, 5020, 5030], [6000, 6010, 6020, 6030]
    udp.src_port.values, udp.dst_port.values = src, dst
    return lambda j: [
        *_ipv4_checks(128, 17),
        ("udp src", 34, _num(src[j % 4], 2)),
        ("udp dst", 36, _num(dst[j % 4], 2)),
        ("udp length", 38, _num(128 - 14 - 4 - 20, 2)),
    ]


def _counters(pattern_src, pattern_dst) -> None:
    inc = pattern_src
    inc.start, inc.step, inc.count = 5000, 2, 10
    dec = pattern_dst
    dec.start, dec.step, dec.count = 6000, 2, 10


def _udp_port_incr_decr(flow) -> Callable[[int], list[Check]]:
    udp = _l4(flow, "udp")
    _counters(udp.src_port.increment, udp.dst_port.decrement)
    return lambda j: [
        *_ipv4_checks(128, 17),
        ("udp src", 34, _num(5000 + (j % 10) * 2, 2)),
        ("udp dst", 36, _num(6000 - (j % 10) * 2, 2)),
        ("udp length", 38, _num(128 - 14 - 4 - 20, 2)),
    ]


def _ipv6_udp_port_values(flow) -> Callable[[int], list[Check]]:
    udp = _l4(flow, "udp", "ipv6", "2000::1", "2000::2")
    src, dst = [5000, 5010, 5020, 5030], [6000, 6010, 6020, 6030]
    udp.src_port.values, udp.dst_port.values = src, dst
    return lambda j: [
        ("ethernet dst", 0, _mac(RX_MAC)),
        ("ethernet type", 12, _num(34525, 2)),
        ("ipv6 next header", 20, _num(17, 1)),
        ("ipv6 src", 22, _ip("2000::1")),
        ("ipv6 dst", 38, _ip("2000::2")),
        ("udp src", 54, _num(src[j % 4], 2)),
        ("udp dst", 56, _num(dst[j % 4], 2)),
        ("udp length", 58, _num(128 - 14 - 4 - 40, 2)),
    ]


def _tcp_checks(j: int, src: int, dst: int) -> list[Check]:
    return [
        *_ipv4_checks(128, 6),
        ("tcp src", 34, _num(src, 2)),
        ("tcp dst", 36, _num(dst, 2)),
        ("tcp data offset", 46, _num(80, 1)),
    ]


def _tcp_port_value(flow) -> Callable[[int], list[Check]]:
    tcp = _l4(flow, "tcp")
    tcp.src_port.value, tcp.dst_port.value = 5000, 6000
    return lambda j: _tcp_checks(j, 5000, 6000)


def _tcp_port_values(flow) -> Callable[[int], list[Check]]:
    tcp = _l4(flow, "tcp")
    src, dst = [5000, 5010, 5020, 5030], [6000, 6010, 6020, 6030]
    tcp.src_port.values, tcp.dst_port.values = src, dst
    return lambda j: _tcp_checks(j, src[j % 4], dst[j % 4])


def _tcp_port_incr_decr(flow) -> Callable[[int], list[Check]]:
    tcp = _l4(flow, "tcp")
    _counters(tcp.dst_port.increment, tcp.src_port.decrement)
    return lambda j: _tcp_checks(j, 6000 - (j % 10) * 2, 5000 + (j % 10) * 2)


VNIS = [1000, 1001, 1002, 1003, 1004]


def _vxlan(flow, outer: str, inner: str):
    _, ip_o, udp, _, _, ip_i, _ = vxlan_headers(flow, outer, inner)
    udp.src_port.value = udp.dst_port.value = 4789
    return ip_o, ip_i


def _vxlan_inner_ipv6(flow) -> Callable[[int], list[Check]]:
    ip, ip6 = _vxlan(flow, "ipv4", "ipv6")
    ip.src.value, ip.dst.value = "1.1.1.1", "1.1.1.2"
    ip6.src.value, ip6.dst.value = "::3", "::5"
    size = 256
    return lambda j: [
        *_ipv4_checks(size, 17),
        ("udp src", 34, _num(4789, 2)),
        ("udp dst", 36, _num(4789, 2)),
        ("udp length", 38, _num(size - 14 - 4 - 20, 2)),
        ("vxlan Network Identifier", 46, _num(VNIS[j % 5], 3)),
        ("ethernet dst", 50, _mac(INNER_RX_MAC)),
        ("ethernet type", 62, _num(34525, 2)),
        ("ipv6 payload length", 68, _num(size - 14 - 4 - 20 - 8 - 8 - 14 - 4 - 40, 2)),
        ("ipv6 next header", 70, _num(6, 1)),
        ("ipv6 src", 72, _ip("::3")),
        ("ipv6 dst", 88, _ip("::5")),
        ("tcp src port", 104, _num(80, 2)),
        ("tcp dst port", 106, _num(80, 2)),
    ]


def _vxlan_inner_ipv4(flow) -> Callable[[int], list[Check]]:
    ip6, ip = _vxlan(flow, "ipv6", "ipv4")
    ip6.src.value, ip6.dst.value = "::3", "::5"
    ip.src.value, ip.dst.value = "1.1.1.1", "1.1.1.2"
    size = 256
    return lambda j: [
        ("ethernet dst", 0, _mac(RX_MAC)),
        ("ethernet type", 12, _num(34525, 2)),
        ("ipv6 payload length", 18, _num(size - 14 - 40 - 4, 2)),
        ("ipv6 next header", 20, _num(17, 1)),
        ("ipv6 src", 22, _ip("::3")),
        ("ipv6 dst", 38, _ip("::5")),
        ("udp src", 54, _num(4789, 2)),
        ("udp dst", 56, _num(4789, 2)),
        ("udp length", 58, _num(size - 14 - 40 - 4, 2)),
        ("vxlan Network Identifier", 66, _num(VNIS[j % 5], 3)),
        ("ethernet dst", 70, _mac(INNER_RX_MAC)),
        ("ethernet type", 82, _num(2048, 2)),
        ("ipv4 total length", 86, _num(size - 14 - 4 - 40 - 8 - 8 - 14 - 4, 2)),
        ("ipv4 protocol", 93, _num(6, 1)),
        ("ipv4 src", 96, _ip("1.1.1.1")),
        ("ipv4 dst", 100, _ip("1.1.1.2")),
        ("tcp src port", 104, _num(80, 2)),
        ("tcp dst port", 106, _num(80, 2)),
    ]


CASES = {
    "udp/test_udp_port_value": (128, _udp_port_value),
    "udp/test_udp_port_values": (128, _udp_port_values),
    "udp/test_udp_port_incr_decr": (128, _udp_port_incr_decr),
    "udp/test_ipv6_udp_port_values": (128, _ipv6_udp_port_values),
    "tcp/test_tcp_port_value": (128, _tcp_port_value),
    "tcp/test_tcp_port_values": (128, _tcp_port_values),
    "tcp/test_tcp_port_incr_decr": (128, _tcp_port_incr_decr),
    "vxlan/test_vxlan_inner_ipv4": (256, _vxlan_inner_ipv4),
    "vxlan/test_vxlan_inner_ipv6": (256, _vxlan_inner_ipv6),
}


@pytest.mark.parametrize("name", CASES)
def test_packet_tests_translate_and_pass_their_capture_checks(name):
    size, setup = CASES[name]
    cfg, flow = _suite_config(size)
    checks = setup(flow)
    result = plan(cfg)
    assert result.ports == {"p1": 0, "p2": 1}
    assert result.speeds == {0: 1_000_000_000, 1: 1_000_000_000}
    assert [(c.name, c.ports, c.fmt) for c in result.captures] == [
        ("ca", (0, 1), "pcap")
    ]
    (fp,) = result.flows
    assert (fp.tx_port, fp.rx_ports, fp.tid, fp.packets) == (0, (1,), 0, 100)
    assert fp.stream.rate == Rate(RateUnit.PPS, 50)
    assert fp.stream.mode == TxMode.single_burst(100)
    for j, frame in enumerate(frames(fp, 100)):
        assert len(frame) + 4 == size  # the capture holds the FCS
        assert frame[6:12] == _mac(TX_MAC)  # the suite's filter
        for field, offset, want in checks(j):
            assert frame[offset : offset + len(want)] == want, (j, field)


def test_quickstart_translates():
    cfg = API.config()
    ptx = cfg.ports.add(name="ptx", location="veth-a")
    flow = cfg.flows.add(name="flow")
    flow.tx_rx.port.tx_name = ptx.name
    flow.metrics.enable = True
    flow.duration.fixed_packets.packets = 100
    flow.size.fixed = 128
    eth, ip, udp, cus = flow.packet.ethernet().ipv4().udp().custom()
    eth.src.value = "00:11:22:33:44:55"
    eth.dst.value = "00:11:22:33:44:66"
    ip.src.value = "10.1.1.1"
    ip.dst.value = "20.1.1.1"
    udp.src_port.values = [5010, 5015, 5020, 5025, 5030]
    udp.dst_port.increment.start = 6010
    udp.dst_port.increment.step = 5
    udp.dst_port.increment.count = 5
    cus.bytes = "".join([hex(c)[2:] for c in b"..QUICKSTART SNAPPI.."])
    (fp,) = plan(cfg).flows
    assert (fp.tx_port, fp.rx_ports, fp.packets) == (0, (), 100)
    assert fp.stream.rate == Rate(RateUnit.PPS, 1000)
    got = frames(fp, 10)
    for j, frame in enumerate(got):
        assert frame[34:38] == _num([5010, 5015, 5020, 5025, 5030][j % 5], 2) + _num(
            6010 + 5 * (j % 5), 2
        )
        assert frame[42:63] == b"..QUICKSTART SNAPPI.."
