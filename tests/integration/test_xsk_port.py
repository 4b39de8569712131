"""A port's AF_XDP socket on its own: every frame the XDP program takes is either
delivered or counted as dropped (a fill ring that runs dry is never silent), its
arrival time is the kernel's, and ARP goes on to the kernel."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from wirespeed.dataplane.afpacket import RxRing, TxSocket
from wirespeed.dataplane.xdp.port import XskPort
from wirespeed.topology.netns import Lab, in_netns

pytestmark = pytest.mark.netns


@pytest.fixture
def pair() -> Iterator[tuple[str, str]]:
    with Lab("wsxk") as lab:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        lab.add_veth(
            "k0", a, "k1", b, mac="02:78:6b:00:00:01", peer_mac="02:78:6b:00:00:02"
        )
        yield a, b


def _frames(n: int, ethertype: int = 0x88B5) -> tuple[np.ndarray, np.ndarray]:
    rows = np.zeros((n, 64), dtype=np.uint8)
    rows[:, 0:6] = [2, 0x78, 0x6B, 0, 0, 2]
    rows[:, 6:12] = [2, 0x78, 0x6B, 0, 0, 1]
    rows[:, 12:14] = [ethertype >> 8, ethertype & 0xFF]
    rows[:, 14:18] = np.arange(n, dtype=">u4").view(np.uint8).reshape(n, 4)
    lengths = np.full(n, 64, dtype=np.int64)
    return rows, lengths


def test_a_dry_fill_ring_drops_are_counted_exactly(pair) -> None:
    a, b = pair
    with in_netns(b):
        port = XskPort("k1", rx_frames=64, tx_frames=64)
    with in_netns(a):
        tx = TxSocket("k0")
    try:
        rows, lengths = _frames(1000)
        t0 = time.time_ns()
        assert tx.send_rows(rows, lengths) == 1000
        time.sleep(0.1)
        got = port.read(8192)
        assert got is not None
        # the 64 frames of the fill ring were filled, in order; the rest dropped
        assert len(got.lengths) == 64
        assert got.lengths.tolist() == [64] * 64
        seq = got.data[:, 14:18].copy().view(">u4").ravel().tolist()
        assert seq == list(range(64))
        st = port.stats()
        assert st.rx_lost == 1000 - 64
        assert st.fill_empty > 0
        # arrival times: the XDP program's clock, between the send and now
        assert (got.ts_ns >= t0).all()
        assert (got.ts_ns <= time.time_ns()).all()
        assert (np.diff(got.ts_ns) >= 0).all()
        # the frames read went back to the fill ring: the next ones arrive
        assert tx.send_rows(rows[:10], lengths[:10]) == 10
        time.sleep(0.05)
        again = port.read(8192)
        assert again is not None
        assert len(again.lengths) == 10
        assert port.stats().rx_lost == 1000 - 64
    finally:
        tx.close()
        port.close()


def test_arp_goes_to_the_kernel_and_test_frames_to_the_socket(pair) -> None:
    a, b = pair
    with in_netns(b):
        port = XskPort("k1")
        ring = RxRing("k1", frame_count=64)
    with in_netns(a):
        tx = TxSocket("k0")
    try:
        test_rows, lengths = _frames(5)
        arp_rows, _ = _frames(3, ethertype=0x0806)
        tx.send_rows(test_rows, lengths)
        tx.send_rows(arp_rows, lengths[:3])
        time.sleep(0.1)
        xsk, kernel = port.read(), ring.read()
        assert xsk is not None
        assert kernel is not None
        assert bytes(xsk.data[0, 12:14]) == b"\x88\xb5"
        assert len(xsk.lengths) == 5
        assert [bytes(r[12:14]) for r in kernel.data] == [b"\x08\x06"] * 3
        # a capture is running: every frame to the kernel
        port.program.pass_all(True)
        tx.send_rows(test_rows, lengths)
        time.sleep(0.1)
        assert port.read() is None
        seen = ring.read()
        assert seen is not None
        assert len(seen.lengths) == 5
    finally:
        tx.close()
        ring.close()
        port.close()
