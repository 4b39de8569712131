"""Capture sessions on a veth in a namespace: filters, directions, files, limits.

Frames go in both directions over one veth pair: "tx" frames are sent on the
captured interface ``e0`` (namespace a), "rx" frames on its peer ``e1`` (namespace
b). Every test waits until the capture holds the frames it expects (or a deadline
passes), then closes it and checks the file: counts and bytes are exact.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from capframes import MAC_A, MAC_B, tshark_fields, udp_frame

from wirespeed.capture import (
    CapturedFrames,
    CaptureSession,
    CaptureStats,
    read_capture,
)
from wirespeed.dataplane.afpacket import PACKET_QDISC_BYPASS, SOL_PACKET, TxSocket
from wirespeed.errors import PortError
from wirespeed.topology.netns import Lab, in_netns
from wirespeed.tpld import TpldFields, TpldMode

pytestmark = pytest.mark.netns

DEADLINE_S = 5.0


@dataclass
class Link:
    a: str  # namespace of the captured interface e0
    b: str  # namespace of its peer e1
    tx: socket.socket  # sends on e0
    rx: socket.socket  # sends on e1 (received by e0)

    def send(self, frames: list[tuple[str, bytes]]) -> None:
        for way, frame in frames:
            (self.tx if way == "tx" else self.rx).send(frame)


def _raw(ns: str, ifname: str) -> socket.socket:
    with in_netns(ns):
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sock.bind((ifname, 0))
    return sock


@pytest.fixture
def link() -> Iterator[Link]:
    with Lab("wscap") as lab:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        lab.add_veth("e0", a, "e1", b, mac=MAC_A, peer_mac=MAC_B)
        tx = _raw(a, "e0")
        try:
            rx = _raw(b, "e1")
            try:
                yield Link(a, b, tx, rx)
            finally:
                rx.close()
        finally:
            tx.close()


def _open(link: Link, path: Path, **kw: object) -> CaptureSession:
    with in_netns(link.a):
        return CaptureSession("e0", path=path, **kw)  # type: ignore[arg-type]


def _run(session: CaptureSession, expect: int) -> tuple[CaptureStats, CapturedFrames]:
    """Poll until ``expect`` frames are kept (or done), close, read the file."""
    end = time.monotonic() + DEADLINE_S
    try:
        while time.monotonic() < end:
            st = session.stats()
            if st.frames >= expect or st.done:
                break
            select.select([session], [], [], 0.05)
            session.poll()
    finally:
        session.close()
    return session.stats(), read_capture(session.config.path)


def _frames(got: CapturedFrames) -> list[bytes]:
    return [got.frame(i) for i in range(len(got))]


MIXED = [
    ("tx", udp_frame(9, b"a")),
    ("rx", udp_frame(9, b"bb", src=MAC_B, dst=MAC_A)),
    ("tx", udp_frame(10)),
    ("rx", udp_frame(53, src=MAC_B, dst=MAC_A)),
    ("tx", udp_frame(9, bytes(100))),
    ("rx", udp_frame(10, src=MAC_B, dst=MAC_A, sport=9)),
    ("rx", udp_frame(9, bytes(300), src=MAC_B, dst=MAC_A)),
    ("tx", udp_frame(9000, sport=9)),
]
MATCHING = [(w, f) for w, f in MIXED if f[36:38] == b"\x00\x09"]


def test_filter_keeps_exactly_the_matching_frames(link: Link, tmp_path: Path) -> None:
    session = _open(link, tmp_path / "c.pcapng", filter="udp and dst port 9")
    link.send(MIXED)
    st, got = _run(session, len(MATCHING))
    assert (st.frames, st.missed, st.done) == (4, 0, False)
    assert st.bytes == sum(len(f) for _, f in MATCHING)
    assert _frames(got) == [f for _, f in MATCHING]
    rows = tshark_fields(
        session.config.path,
        "frame.len",
        "udp.dstport",
        "frame.packet_flags_direction",
        "frame.interface_name",
    )
    assert rows == [
        ["43", "9", "0x00000002", "e0"],
        ["44", "9", "0x00000001", "e0"],
        ["142", "9", "0x00000002", "e0"],
        ["342", "9", "0x00000001", "e0"],
    ]


@pytest.mark.parametrize(
    ("directions", "ways"),
    [({"rx", "tx"}, "rx tx"), ({"rx"}, "rx"), ({"tx"}, "tx")],
)
def test_directions(
    link: Link, tmp_path: Path, directions: set[str], ways: str
) -> None:
    session = _open(link, tmp_path / "c", directions=frozenset(directions))
    link.send(MIXED)
    want = [(w, f) for w, f in MIXED if w in ways.split()]
    st, got = _run(session, len(want))
    assert _frames(got) == [f for _, f in want]
    assert got.direction.tolist() == [1 if w == "rx" else 2 for w, _ in want]
    assert st.frames == len(want)


def test_pcap_file_read_by_tshark(link: Link, tmp_path: Path) -> None:
    session = _open(link, tmp_path / "c.pcap", fmt="pcap", filter="udp")
    link.send(MIXED)
    _, got = _run(session, len(MIXED))
    rows = tshark_fields(session.config.path, "frame.len", "udp.dstport")
    assert rows == [[str(len(f)), str(int.from_bytes(f[36:38]))] for _, f in MIXED]
    assert _frames(got) == [f for _, f in MIXED]
    assert (got.ts_ns > 0).all()
    assert (got.ts_ns[1:] >= got.ts_ns[:-1]).all()


def test_frame_limit_stops_at_exactly_n(link: Link, tmp_path: Path) -> None:
    session = _open(link, tmp_path / "c", limit_frames=3)
    link.send(MIXED)
    st, got = _run(session, 3)
    assert (st.frames, st.done, st.missed) == (3, True, 0)
    assert _frames(got) == [f for _, f in MIXED[:3]]
    assert session.poll() == 0


def test_byte_limit_keeps_the_frames_that_fit(link: Link, tmp_path: Path) -> None:
    sizes = [len(f) for _, f in MIXED]
    limit = sum(sizes[:4]) + 1  # the fifth frame does not fit
    session = _open(link, tmp_path / "c", limit_bytes=limit)
    link.send(MIXED)
    st, got = _run(session, len(MIXED))
    assert (st.frames, st.bytes, st.done) == (4, sum(sizes[:4]), True)
    assert _frames(got) == [f for _, f in MIXED[:4]]


def test_snaplen_cuts_frames_and_keeps_orig_len(link: Link, tmp_path: Path) -> None:
    session = _open(link, tmp_path / "c.pcapng", snaplen=64)
    link.send(MIXED)
    st, got = _run(session, len(MIXED))
    assert got.cap_len.tolist() == [min(64, len(f)) for _, f in MIXED]
    assert got.orig_len.tolist() == [len(f) for _, f in MIXED]
    assert _frames(got) == [f[:64] for _, f in MIXED]
    assert st.bytes == int(got.cap_len.sum())
    rows = tshark_fields(session.config.path, "frame.len", "frame.cap_len")
    assert rows == [[str(len(f)), str(min(64, len(f)))] for _, f in MIXED]


def test_test_payload_comes_out_byte_for_byte(link: Link, tmp_path: Path) -> None:
    frames = []
    for seq in range(4):
        tpld = TpldFields(tid=7, seq=seq, ts_ns=123_456_789 + seq).to_bytes(
            TpldMode.NORMAL
        )
        frames.append(udp_frame(9, bytes(range(seq, seq + 18)) + tpld))
    session = _open(link, tmp_path / "c.pcapng")
    link.send([("tx", f) for f in frames] + [("rx", f) for f in frames])
    _, got = _run(session, 8)
    assert _frames(got) == frames + frames
    for i in range(8):
        assert TpldFields.from_bytes(got.frame(i)[-20:], TpldMode.NORMAL).seq == i % 4


def test_vlan_tag_is_put_back(link: Link, tmp_path: Path) -> None:
    plain = udp_frame(9, bytes(30), src=MAC_B, dst=MAC_A)
    tagged = [
        plain[:12] + tag + plain[12:]
        for tag in (b"\x81\x00\x20\x05", b"\x88\xa8\x00\x07")
    ]
    session = _open(link, tmp_path / "c")
    link.send([("rx", f) for f in tagged] + [("tx", f) for f in tagged])
    _, got = _run(session, 4)
    assert _frames(got) == tagged + tagged
    assert got.orig_len.tolist() == [len(f) for f in tagged + tagged]


def test_cyclic_keeps_the_latest_frames(link: Link, tmp_path: Path) -> None:
    frames = [("tx", udp_frame(9, bytes([i]) * (i + 1))) for i in range(40)]
    session = _open(link, tmp_path / "c.pcapng", mode="cyclic", limit_frames=6)
    for k in range(0, 40, 5):  # in several batches, so the file is rewritten
        link.send(frames[k : k + 5])
        end = time.monotonic() + DEADLINE_S
        while session.stats().frames < min(6, k + 5) and time.monotonic() < end:
            select.select([session], [], [], 0.05)
            session.poll()
    st, got = _run(session, 6)
    assert (st.frames, st.done) == (6, False)
    assert st.bytes == sum(len(f) for _, f in frames[-6:])
    assert _frames(got) == [f for _, f in frames[-6:]]


def test_a_capture_that_falls_behind_counts_what_it_missed(
    link: Link, tmp_path: Path
) -> None:
    # a ring of two 4 KiB blocks, not read while 200 frames arrive
    session = _open(link, tmp_path / "c", ring_blocks=2, block_bytes=4096)
    frames = [("tx", udp_frame(9, bytes([i % 256]) * 100)) for i in range(200)]
    link.send(frames)
    session.poll()
    link.send(frames[:1])  # the kernel now has a free block for this one
    st, got = _run(session, 10**6)
    assert st.frames + st.missed == 201
    assert 0 < st.frames < 200
    assert _frames(got)[: st.frames - 1] == [f for _, f in frames[: st.frames - 1]]
    assert got.frame(st.frames - 1) == frames[0][1]


def test_filter_is_in_place_before_the_first_frame(link: Link, tmp_path: Path) -> None:
    # frames that do not match flow all the time while captures are opened
    stop = threading.Event()

    def flood() -> None:
        frame = udp_frame(10)
        while not stop.is_set():
            link.tx.send(frame)

    sender = threading.Thread(target=flood)
    sender.start()
    try:
        for i in range(20):
            session = _open(link, tmp_path / f"c{i}", filter="udp dst port 9")
            link.send([("tx", udp_frame(9))])
            st, got = _run(session, 1)
            assert (st.frames, _frames(got)) == (1, [udp_frame(9)])
    finally:
        stop.set()
        sender.join()


def test_qdisc_bypass_hides_frames_from_a_tx_capture(
    link: Link, tmp_path: Path
) -> None:
    with in_netns(link.a):
        sender = TxSocket("e0", qdisc_bypass=True)
    try:
        session = _open(link, tmp_path / "c", directions=frozenset({"tx"}))
        rows = [udp_frame(9, bytes([i]) * 20) for i in range(3)]
        batch = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(3, -1)
        lens = np.full(3, len(rows[0]), dtype=np.int64)
        assert sender.send_rows(batch[:1], lens[:1]) == 1  # bypassed: not seen
        sender._sock.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 0)  # at run time
        assert sender.send_rows(batch[1:], lens[1:]) == 2
        _, got = _run(session, 2)
        assert _frames(got) == rows[1:]
    finally:
        sender.close()


@pytest.mark.parametrize("sizes", [[100], [0, 500, 1400]])
def test_many_frames_in_order(link: Link, tmp_path: Path, sizes: list[int]) -> None:
    frames = [
        (
            "tx" if i % 2 else "rx",
            udp_frame(9, i.to_bytes(2) * (sizes[i % len(sizes)] // 2)),
        )
        for i in range(2000)
    ]
    session = _open(link, tmp_path / "c.pcapng")
    link.send(frames)
    st, got = _run(session, len(frames))
    assert (st.frames, st.missed) == (2000, 0)
    assert _frames(got) == [f for _, f in frames]
    assert got.direction.tolist() == [2 if w == "tx" else 1 for w, _ in frames]


def test_file_reads_while_the_capture_runs(link: Link, tmp_path: Path) -> None:
    session = _open(link, tmp_path / "c.pcapng")
    try:
        assert len(read_capture(session.config.path)) == 0  # header already there
        link.send(MIXED[:3])
        end = time.monotonic() + DEADLINE_S
        while session.stats().frames < 3 and time.monotonic() < end:
            select.select([session], [], [], 0.05)
            session.poll()
        assert _frames(read_capture(session.config.path)) == [f for _, f in MIXED[:3]]
    finally:
        session.close()


def test_unknown_interface_is_a_port_error(link: Link, tmp_path: Path) -> None:
    with pytest.raises(PortError, match="e9"), in_netns(link.a):
        CaptureSession("e9", path=tmp_path / "c")
    with pytest.raises(PortError, match="capture file"):
        _open(link, tmp_path / "missing-dir" / "c")
