"""Frames compared byte for byte with scapy-built equivalents (checksums included)."""

import numpy as np
from scapy.layers.inet import ICMP, IP, TCP, UDP, Ether
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6

from wirespeed.fieldengine import TpldStamp, compile_stream
from wirespeed.model import (
    FixChecksumHw,
    FixChecksumIcmpv6,
    FixChecksumIpv4,
    FlowVar,
    FrameLength,
    L4Type,
    LengthType,
    Payload,
    PayloadType,
    SegmentType,
    Stream,
    TrimPktSize,
    TupleFlowVar,
    VmProgram,
    WriteFlowVar,
)
from wirespeed.tpld import TpldFields, TpldMode

ETH = Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")
BASE_IP = 0xC6120001  # 198.18.0.1


def _ip(v):
    return ".".join(str((v >> s) & 0xFF) for s in (24, 16, 8, 0))


def _frames(gen, n):
    batch = gen.next_batch(n)
    return [batch.frame(i) for i in range(n)]


def test_udp_src_ip_walk_with_fix_checksum_hw():
    payload = b"wirespeed-payload"
    template = (
        ETH
        / IP(src="198.18.0.1", dst="198.19.0.9")
        / UDP(sport=1025, dport=7)
        / payload
    )
    vm = VmProgram(
        (
            FlowVar("src", size=4, min_value=BASE_IP, max_value=BASE_IP + 5),
            WriteFlowVar("src", pkt_offset=26),
            FixChecksumHw(l2_len=14, l3_len=20, l4_type=L4Type.UDP),
        )
    )
    got = _frames(compile_stream(Stream(packet=bytes(template), vm=vm)), 8)
    want = [
        bytes(
            ETH
            / IP(src=_ip(BASE_IP + i % 6), dst="198.19.0.9")
            / UDP(sport=1025, dport=7)
            / payload
        )
        for i in range(8)
    ]
    assert got == want


def test_tcp_tuple_with_ipv4_fix_and_hw_l4():
    template = (
        ETH
        / IP(src="198.18.0.1", dst="198.19.0.1")
        / TCP(sport=1025, dport=80, flags="S")
    )
    vm = VmProgram(
        (
            TupleFlowVar(
                "t",
                ip_min=BASE_IP,
                ip_max=BASE_IP + 2,
                port_min=1025,
                port_max=1026,
                limit_flows=5,
            ),
            WriteFlowVar("t.ip", pkt_offset=26),
            FixChecksumIpv4(pkt_offset=14),
            WriteFlowVar("t.port", pkt_offset=34),
            FixChecksumHw(l2_len=14, l3_len=20, l4_type=L4Type.TCP),
        )
    )
    got = _frames(compile_stream(Stream(packet=bytes(template), vm=vm)), 6)
    flows = [(0, 1025), (1, 1025), (2, 1025), (0, 1026), (1, 1026), (0, 1025)]
    want = [
        bytes(
            ETH
            / IP(src=_ip(BASE_IP + i), dst="198.19.0.1")
            / TCP(sport=p, dport=80, flags="S")
        )
        for i, p in flows
    ]
    assert got == want


def test_icmpv6_fix():
    template = (
        ETH
        / IPv6(src="2001:2::1", dst="2001:2::2")
        / ICMPv6EchoRequest(id=1, seq=0, data=b"ping")
    )
    vm = VmProgram(
        (
            FlowVar("seq", size=2, min_value=0, max_value=100),
            WriteFlowVar("seq", pkt_offset=14 + 40 + 6),
            FixChecksumIcmpv6(l2_len=14, l3_len=40),
        )
    )
    got = _frames(compile_stream(Stream(packet=bytes(template), vm=vm)), 3)
    want = [
        bytes(
            ETH
            / IPv6(src="2001:2::1", dst="2001:2::2")
            / ICMPv6EchoRequest(id=1, seq=i, data=b"ping")
        )
        for i in range(3)
    ]
    assert got == want


def test_xena_segments_fill_lengths_and_checksums():
    # Header as a Xena script sends it: IP total length and checksums left at zero.
    header = (
        ETH
        / IP(src="198.18.0.2", dst="198.19.0.2", len=0, chksum=0, ttl=0x7F)
        / UDP(sport=5, dport=6, len=0, chksum=0)
    )
    stream = Stream(
        packet=bytes(header),
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        length=FrameLength(LengthType.INCREMENTING, 64, 70),
        payload=Payload(PayloadType.PATTERN, b"\xff\xff\x00\x00"),
    )
    got = _frames(compile_stream(stream), 7)
    want = []
    for size in range(64, 71):
        data = (b"\xff\xff\x00\x00" * 20)[: size - 4 - 42]
        want.append(
            bytes(
                ETH
                / IP(src="198.18.0.2", dst="198.19.0.2", ttl=0x7F)
                / UDP(sport=5, dport=6)
                / data
            )
        )
    assert got == want


def test_tpld_area_zeroed_in_whole_frames():
    header = (
        ETH / IP(src="198.18.0.2", dst="198.19.0.2") / UDP(sport=5, dport=6, chksum=0)
    )
    stream = Stream(
        packet=bytes(header),
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        length=FrameLength.fixed(100),
        payload=Payload(PayloadType.INC8),
    )
    batch = compile_stream(stream, tpld_len=20).next_batch(2)
    assert batch.data[:, 76:96].tolist() == [[0] * 20] * 2
    body = bytes(range(34)) + bytes(20)
    want = bytes(
        ETH / IP(src="198.18.0.2", dst="198.19.0.2") / UDP(sport=5, dport=6) / body
    )
    assert batch.frame(0) == want


def test_udp_and_tcp_checksums_cover_the_stamped_tpld():
    """The TPLD is part of the UDP/TCP payload: the checksums include it."""
    ts = np.array([10**18 + 7, 10**18 + 1111, 10**18 + 2222], dtype=np.int64)
    for l4 in (UDP(sport=5, dport=6, chksum=0), TCP(sport=5, dport=6, chksum=0)):
        header = ETH / IP(src="198.18.0.2", dst="198.19.0.2") / l4
        check = SegmentType.UDPCHECK if isinstance(l4, UDP) else SegmentType.TCPCHECK
        for length in (
            FrameLength.fixed(101),
            FrameLength(LengthType.INCREMENTING, 99, 101),
        ):
            stream = Stream(
                packet=bytes(header),
                segments=(SegmentType.ETHERNET, SegmentType.IP, check),
                length=length,
                payload=Payload(PayloadType.INC8),
            )
            gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
            frames = gen.fill(3, TpldStamp(tid=9, seq0=40), ts).assemble()
            for i in range(3):
                size = int(frames.lengths[i])
                tpld = TpldFields(tid=9, seq=40 + i, ts_ns=int(ts[i])).to_bytes(
                    TpldMode.NORMAL
                )
                hlen = len(header)
                want = ETH / IP(src="198.18.0.2", dst="198.19.0.2")
                want = want / l4.__class__(sport=5, dport=6)
                want = want / (bytes(range(size - 20 - hlen)) + tpld)
                assert frames.frame(i) == bytes(want), (l4.name, length, i)


def test_trim_with_length_writes_matches_scapy():
    base = (
        ETH
        / IP(src="198.18.0.1", dst="198.19.0.1")
        / UDP(sport=1, dport=2)
        / (b"\x55" * 40)
    )
    vm = VmProgram(
        (
            FlowVar("size", size=2, min_value=60, max_value=len(base)),
            TrimPktSize("size"),
            WriteFlowVar("size", pkt_offset=16, add_value=-14),
            FixChecksumIpv4(pkt_offset=14),
            WriteFlowVar("size", pkt_offset=38, add_value=-34),
            FixChecksumHw(l2_len=14, l3_len=20, l4_type=L4Type.UDP),
        )
    )
    stream = Stream(packet=bytes(base), header_len_bytes=42, vm=vm)
    got = _frames(compile_stream(stream), 4)
    want = [
        bytes(
            ETH
            / IP(src="198.18.0.1", dst="198.19.0.1")
            / UDP(sport=1, dport=2)
            / (b"\x55" * (n - 42))
        )
        for n in (60, 61, 62, 63)
    ]
    assert got == want


def test_icmp_template_untouched_without_program():
    frame = bytes(ETH / IP(src="198.18.0.1", dst="198.19.0.1") / ICMP(id=3) / b"abc")
    batch = compile_stream(Stream(packet=frame)).next_batch(3)
    assert [batch.frame(i) for i in range(3)] == [frame] * 3
