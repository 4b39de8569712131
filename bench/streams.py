"""The streams the benchmarks measure (shared by bench_engine and bench_dataplane).

Addresses are from 198.18.0.0/15; MACs are those of the peer benchmark frame
(../shared/bench/pbframe.py), so wirespeed and the C reference send to the same
destination and the receiving kernel does the same work for both.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.model import (
    FixChecksumIpv4,
    FlowVar,
    FlowVarOp,
    FrameLength,
    LengthType,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    Rate,
    SegmentType,
    Stream,
    TrimPktSize,
    TupleFlowVar,
    VmProgram,
    WriteFlowVar,
)
from wirespeed.packet.template import header_length, segments_from_scapy

MAC0, MAC1 = "02:70:62:00:00:01", "02:70:62:00:00:02"
LINE = Rate.pps(100e6)  # more than a veth can take: "as fast as it goes"


def pb_header() -> bytes:
    """Ethernet/IPv4/UDP header of the peer benchmark frame (UDP checksum 0)."""
    pkt = (
        Ether(dst=MAC1, src=MAC0)
        / IP(src="198.18.0.1", dst="198.18.0.2", flags="DF", id=0)
        / UDP(sport=10000, dport=9, chksum=0)
    )
    return bytes(pkt)


def xena_modifier() -> Stream:
    """64 B Xena stream: Ethernet + IPv4 header segments, a 16-bit INC modifier
    on the IP id (the IPv4 checksum changes every frame), TPLD id 1."""
    hdr = bytes(
        Ether(dst=MAC1, src=MAC0)
        / IP(src="198.18.0.1", dst="198.18.0.2", proto=253, id=0)
    )
    return Stream(
        packet=hdr,
        header_len_bytes=len(hdr),
        segments=segments_from_scapy(hdr),
        tpld_id=1,
        length=FrameLength.fixed(64),
        rate=LINE,
        modifiers=(Modifier(pos=18, mask=0xFFFF0000, action=ModifierAction.INC),),
    )


def tuple_random_size() -> Stream:
    """The 1M-flow tuple generator (IP source x UDP source port) + IPv4 checksum,
    random sizes 64-1518 (IP and UDP lengths per frame), no TPLD, no UDP checksum."""
    hdr = pb_header()
    vm = VmProgram(
        (
            TupleFlowVar(
                "tuple",
                ip_min=0xC6120001,
                ip_max=0xC613FFFE,
                port_min=1025,
                port_max=65500,
                limit_flows=1_000_000,
            ),
            WriteFlowVar("tuple.ip", pkt_offset=26),
            WriteFlowVar("tuple.port", pkt_offset=34),
            FixChecksumIpv4(pkt_offset=14),
        )
    )
    return Stream(
        packet=hdr,
        header_len_bytes=header_length(hdr),
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDP),
        length=FrameLength(LengthType.RANDOM, 64, 1518),
        rate=LINE,
        vm=vm,
    )


def tuple_64() -> Stream:
    """TRex's udp_1pkt_tuple_gen shape: 1M flows + IPv4 checksum, 64 B."""
    hdr = pb_header() + b"x" * 18
    vm = VmProgram(
        (
            TupleFlowVar(
                "tuple",
                ip_min=0xC6120001,
                ip_max=0xC61200FE,
                port_min=1025,
                port_max=65500,
                limit_flows=1_000_000,
            ),
            WriteFlowVar("tuple.ip", pkt_offset=26),
            FixChecksumIpv4(pkt_offset=14),
            WriteFlowVar("tuple.port", pkt_offset=34),
        )
    )
    return Stream(packet=hdr, vm=vm, rate=LINE)


def trim_random_size() -> Stream:
    """TRex's random length with trim: a random size variable, trim, IP and UDP
    lengths written by the VM, IPv4 checksum fixed."""
    pkt = pb_header() + b"\x55" * 1472
    vm = VmProgram(
        (
            FlowVar("size", size=2, op=FlowVarOp.RANDOM, min_value=60, max_value=1514),
            TrimPktSize("size"),
            WriteFlowVar("size", pkt_offset=16, add_value=-14),
            FixChecksumIpv4(pkt_offset=14),
            WriteFlowVar("size", pkt_offset=38, add_value=-34),
        )
    )
    return Stream(packet=pkt, header_len_bytes=42, vm=vm, rate=LINE)


def xena_random_udp_checksum() -> Stream:
    """Xena stream of random sizes 66-1518 with a random 16-bit modifier on the UDP
    source port and a UDP checksum over payload and TPLD (TPLD id 2)."""
    hdr = pb_header()
    return Stream(
        packet=hdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        tpld_id=2,
        length=FrameLength(LengthType.RANDOM, 66, 1518),
        payload=Payload(PayloadType.PATTERN, bytes.fromhex("FFFF0000")),
        rate=LINE,
        modifiers=(Modifier(pos=34, mask=0xFFFF0000, action=ModifierAction.RANDOM),),
    )
