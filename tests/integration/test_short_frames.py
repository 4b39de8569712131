"""Frames under 64 bytes leave padded to 64 (60 without FCS), as a NIC sends them.

A veth delivers what it is given, a NIC pads: the tester pads, byte for byte, and
both ends count the padded size.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest
from embedded import DRIVERS  # type: ignore[import-not-found]
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis, Port
from wirespeed.fieldengine import TpldStamp, compile_stream
from wirespeed.model import (
    FrameLength,
    Payload,
    PayloadType,
    Rate,
    SegmentType,
    Stream,
    TxMode,
)
from wirespeed.tpld import decode_batch

pytestmark = pytest.mark.netns

MACS = dict(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
N = 200


@pytest.fixture(scope="module", params=DRIVERS)
def chassis(request: pytest.FixtureRequest) -> Iterator[Chassis]:
    with Chassis.embedded(modules=1, driver=request.param) as c:
        yield c


@pytest.fixture
def ports(chassis: Chassis) -> Iterator[tuple[Port, Port]]:
    """Ports 0 and 1, counters cleared."""
    a, b = chassis.ports[0], chassis.ports[1]
    for p in (a, b):
        p.reserve(force=True)
        p.reset()
        p.clear_counters()
    try:
        yield a, b
    finally:
        chassis.stop([a, b])


def _send(chassis: Chassis, a: Port, stream: Stream, b: Port) -> list[bytes]:
    """What port ``b``'s own capture saw arrive (on AF_XDP, every frame goes to
    the kernel's taps while it runs): one more frame than sent may be taken,
    none may follow."""
    chassis.tester.add_stream(a.index, 0, stream)
    with b.capture(direction="rx", limit=N + 1) as cap:
        chassis.start([a])
        assert chassis.tester.wait_idle([a.index], 10)
        assert chassis.tester.settle()
        time.sleep(0.2)
    got = cap.frames()
    return [
        bytes(got.data[o : o + n])
        for o, n in zip(got.offsets.tolist(), got.cap_len.tolist(), strict=True)
    ]


def test_a_52_byte_frame_leaves_as_60_and_counts_64(chassis, ports) -> None:
    a, b = ports
    hdr = bytes(Ether(**MACS) / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(dport=9))
    stream = Stream(
        packet=hdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDP),
        length=FrameLength.fixed(56),
        payload=Payload(PayloadType.PATTERN, b"\xab\xcd"),
        rate=Rate.pps(10_000),
        mode=TxMode.single_burst(N),
    )
    built = compile_stream(stream).next_batch(N)
    assert built.lengths.tolist() == [52] * N
    got = _send(chassis, a, stream, b)
    # as built (IP and UDP lengths for 52 bytes), then 8 zero bytes
    assert got == [built.frame(i) + bytes(8) for i in range(N)]
    assert got[0][42:52] == b"\xab\xcd" * 5
    tx, rx = a.statistics(), b.statistics()
    assert (tx.tx_packets, tx.tx_bytes, tx.tx_notpld_bytes) == (N, N * 64, N * 64)
    assert (rx.rx_packets, rx.rx_bytes, rx.rx_notpld_bytes) == (N, N * 64, N * 64)


def test_a_test_frame_is_built_at_60_bytes_with_its_tpld_last(chassis, ports) -> None:
    """A NIC's padding would leave the TPLD short of the frame's end: a test frame
    is built at 60 bytes, payload up to its TPLD."""
    a, b = ports
    hdr = bytes(Ether(**MACS) / IP(src="198.18.0.1", dst="198.19.0.1", proto=253))
    stream = Stream(
        packet=hdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP),
        tpld_id=12,
        length=FrameLength.fixed(60),  # 56 bytes: 34 + 2 payload + 20 TPLD
        payload=Payload(PayloadType.INC8),
        rate=Rate.pps(10_000),
        mode=TxMode.single_burst(N),
    )
    mode = a.info.tpld_mode
    built = compile_stream(stream, tpld_mode=mode).fill(N, TpldStamp(12, 0), 0)
    assert built.lengths.tolist() == [60] * N
    got = _send(chassis, a, stream, b)
    assert [len(f) for f in got] == [60] * N
    want = built.frame(0)
    assert IP(want[14:]).len == 46
    for f in got:  # all but the TPLD (its time and CRC): the generator's bytes
        assert f[: -mode.length] == want[: -mode.length]
    data = np.frombuffer(b"".join(got), np.uint8).reshape(N, 60)
    dec = decode_batch(data, np.full(N, 60), mode)
    assert dec.valid.all()
    assert dec.seq.tolist() == list(range(N))
    st = b.tpld_statistics(12)
    assert st is not None
    assert (st.packets, st.bytes, st.lost, st.duplicates) == (N, N * 64, 0, 0)
    tx, rx = a.statistics(), b.statistics()
    assert (tx.tx_packets, tx.tx_bytes) == (N, N * 64)
    assert (rx.rx_packets, rx.rx_bytes, rx.rx_notpld_packets) == (N, N * 64, 0)
