"""Real frames over veth pairs: exact counts for every mode, per TID, through a DUT."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import numpy as np
import pytest
from embedded import DRIVERS  # type: ignore[import-not-found]
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis
from wirespeed.dataplane.ingress import is_held
from wirespeed.dataplane.worker_main import TX_NICE
from wirespeed.errors import StateError, ValidationError
from wirespeed.fieldengine import TpldStamp, compile_stream
from wirespeed.model import (
    FrameLength,
    LengthType,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    Rate,
    SegmentType,
    Stream,
    TxMode,
)
from wirespeed.service import Multiplier, MultiplierKind, PortState
from wirespeed.topology.impair import parse_impairment
from wirespeed.tpld import TpldMode, decode_batch

pytestmark = pytest.mark.netns

HDR = (
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)


@pytest.fixture(scope="module", params=DRIVERS)
def chassis(request: pytest.FixtureRequest) -> Iterator[Chassis]:
    with Chassis.embedded(modules=1, driver=request.param) as c:
        assert [c.tester.port_driver(i)[0] for i in (0, 1)] == [request.param] * 2
        yield c


@pytest.fixture
def ports(chassis: Chassis) -> Iterator[tuple]:
    a, b = chassis.ports[0], chassis.ports[1]
    for p in (a, b):
        p.reserve(force=True)
        p.reset()
        p.clear_counters()
    yield a, b
    chassis.stop([a, b])


def _run(chassis: Chassis, port, timeout_s: float = 10.0) -> None:
    chassis.start([port])
    assert chassis.tester.wait_idle([port.index], timeout_s)
    time.sleep(0.05)
    assert chassis.tester.settle()


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (TxMode.single_burst(1000), 1000),
        (TxMode.multi_burst(100, 1000.0, 7), 700),
    ],
)
def test_burst_modes_send_exactly_and_rx_equals_tx(
    chassis, ports, mode, expected
) -> None:
    a, b = ports
    s = a.streams.create(
        header=HDR, rate_pps=50_000, length=FrameLength.fixed(128), tpld_id=3, mode=mode
    )
    _run(chassis, a)
    assert a.statistics().tx_packets == expected
    assert a.statistics().tx_bytes == expected * 128
    assert s.statistics().packets == expected
    rx = b.statistics()
    assert (rx.rx_packets, rx.rx_bytes, rx.rx_notpld_packets) == (
        expected,
        expected * 128,
        0,
    )
    tid = b.tpld_statistics(3)
    assert tid is not None
    assert (tid.packets, tid.lost, tid.misordered, tid.duplicates) == (
        expected,
        0,
        0,
        0,
    )
    assert a.info.index in (0,)
    assert chassis.tester.port_state(a.index) is PortState.STREAMS


def test_packet_limit_and_continuous_with_duration(chassis, ports) -> None:
    a, b = ports
    a.streams.create(
        header=HDR,
        rate_pps=2000,
        length=FrameLength.fixed(70),
        tpld_id=1,
        packet_limit=500,
    )
    a.streams.create(
        header=HDR, rate_pps=1000, length=FrameLength.fixed(100), tpld_id=2
    )
    chassis.start([a], duration_s=1.0)
    assert chassis.tester.wait_idle([a.index], 5.0)
    time.sleep(0.1)
    st = a.statistics()
    t1, t2 = b.tpld_statistics(1), b.tpld_statistics(2)
    assert t1 is not None
    assert t2 is not None
    assert t1.packets == 500
    assert 990 <= t2.packets <= 1001  # 1000 pps for 1 s (first frame at t=0)
    assert st.tx_packets == t1.packets + t2.packets == b.statistics().rx_packets
    assert t2.lost == 0


def test_per_tid_counts_with_modifier_and_no_tpld_stream(chassis, ports) -> None:
    a, b = ports
    mod = Modifier(
        pos=33,
        mask=0x00FF0000,
        action=ModifierAction.INC,
        min_value=1,
        step=1,
        max_value=10,
    )
    for tid in range(4):
        a.streams.create(
            header=HDR,
            rate_pps=5000,
            length=FrameLength.fixed(96),
            tpld_id=tid,
            packet_limit=250 * (tid + 1),
            modifiers=(mod,),
        )
    a.streams.create(
        header=HDR, rate_pps=5000, length=FrameLength.fixed(80), packet_limit=321
    )
    _run(chassis, a)
    assert sorted(b.tpld_ids()) == [0, 1, 2, 3]
    for tid in range(4):
        st = b.tpld_statistics(tid)
        assert st is not None
        assert (st.packets, st.bytes, st.lost) == (
            250 * (tid + 1),
            250 * (tid + 1) * 96,
            0,
        )
    rx = b.statistics()
    assert (rx.rx_notpld_packets, rx.rx_notpld_bytes) == (321, 321 * 80)
    assert rx.rx_packets == 2500 + 321
    assert a.statistics().tx_notpld_packets == 321


def test_stop_mid_run_then_counts_still_match(chassis, ports) -> None:
    a, b = ports
    a.streams.create(
        header=HDR, rate_pps=20_000, length=FrameLength.fixed(70), tpld_id=9
    )
    chassis.start([a])
    time.sleep(0.3)
    chassis.stop([a])
    time.sleep(0.1)
    tx = a.statistics().tx_packets
    assert tx > 1000
    st = b.tpld_statistics(9)
    assert st is not None
    assert (b.statistics().rx_packets, st.packets, st.lost) == (tx, tx, 0)


def test_pause_resume_update_rate(chassis, ports) -> None:
    a, _b = ports
    a.streams.create(header=HDR, rate_pps=1000, length=FrameLength.fixed(70), tpld_id=5)
    chassis.start([a])
    time.sleep(0.2)
    chassis.tester.pause([a.index])
    assert chassis.tester.port_state(a.index) is PortState.PAUSE
    time.sleep(0.05)
    before = a.statistics().tx_packets
    time.sleep(0.3)
    assert a.statistics().tx_packets == before
    chassis.tester.resume([a.index])
    chassis.tester.update_traffic([a.index], Multiplier(MultiplierKind.PPS, 5000))
    time.sleep(0.5)
    assert a.statistics().tx_packets > before + 1500
    chassis.stop([a])


def test_invalid_operations_are_refused(chassis, ports) -> None:
    a, _b = ports
    with pytest.raises(StateError):
        chassis.start([a])  # no stream
    a.streams.create(header=HDR, rate_pps=100, length=FrameLength.fixed(70), tpld_id=1)
    chassis.start([a])
    try:
        with pytest.raises(StateError):
            chassis.start([a])
        with pytest.raises(StateError):
            a.streams.all()[0].update(rate=Rate.pps(200))
    finally:
        chassis.stop([a])
    # a frame too short for its headers + TPLD + FCS
    a.streams.create(
        header=HDR,
        rate_pps=100,
        length=FrameLength.fixed(64),
        tpld_id=2,
        payload=Payload(PayloadType.INC8),
    )
    with pytest.raises(ValidationError) as err:
        chassis.start([a])
    assert err.value.field == "length.min_bytes"


def test_chained_streams_leave_in_order(chassis, ports) -> None:
    """S0 (3 frames) -> S1 (2 frames) -> S2 (4 frames), checked with a capture
    (which on AF_XDP also checks that a capture sees what the socket would take)."""
    a, b = ports
    sizes = (70, 80, 90)
    counts = (3, 2, 4)
    for i, (size, n) in enumerate(zip(sizes, counts, strict=True)):
        h = a.streams.create(
            header=HDR,
            rate_pps=1000,
            length=FrameLength.fixed(size),
            tpld_id=10 + i,
            mode=TxMode.single_burst(n),
        )
        h.update(self_start=(i == 0), next_stream_id=i + 1 if i < 2 else -1)
    # the port's own capture: on AF_XDP it has every frame go to the kernel's
    # taps while it runs
    with b.capture(direction="rx", filter="udp") as cap:
        _run(chassis, a)
    got = cap.frames()
    seen = [int(n) + 4 for n in got.orig_len]
    assert seen == [70] * 3 + [80] * 2 + [90] * 4


@pytest.mark.parametrize("impair", ["loss=5%", "duplicate=3%", "loss=4%,duplicate=2%"])
def test_dut_impairments_match_the_dut_counters(impair: str) -> None:
    with Chassis.embedded(
        modules=1, dut=True, impairment=parse_impairment(impair)
    ) as c:
        a, b = c.ports[0], c.ports[1]
        a.reserve()
        a.streams.create(
            header=HDR,
            rate_pps=50_000,
            length=FrameLength.fixed(128),
            tpld_id=7,
            packet_limit=20_000,
        )
        a.clear_counters()
        b.clear_counters()
        _run(c, a)
        assert c.testbed is not None
        dut = c.testbed.dut_counters()
        dropped, duplicated = dut.get("loss_count", 0), dut.get("dup_count", 0)
        st = b.tpld_statistics(7)
        assert st is not None
        assert a.statistics().tx_packets == 20_000
        # nothing but the stream reaches the port (the test bed's namespaces are quiet)
        assert b.statistics().rx_packets == 20_000 - dropped + duplicated
        assert b.statistics().rx_notpld_packets == 0
        assert st.packets == 20_000 - dropped + duplicated
        # every frame is either received (once or more) or lost; a drop of the last
        # frames shows in no sequence gap (the first ones count: numbering starts at 0)
        unique = st.packets - st.duplicates
        assert 0 <= (20_000 - unique) - st.lost <= 2
        if "duplicate" not in impair:
            # a gap is only seen below a received frame: a drop of the burst's last
            # frames is invisible to any receiver
            assert st.duplicates == 0
            assert 0 <= dropped - st.lost <= 2
            assert dropped > 0
        if "loss" not in impair:
            assert (st.lost, st.duplicates) == (0, duplicated)
            assert duplicated > 0


def test_suppress_and_resume_a_running_stream(chassis, ports) -> None:
    from dataclasses import replace

    from wirespeed.model import StreamEnable

    a, b = ports
    s0 = a.streams.create(
        header=HDR, rate_pps=2000, length=FrameLength.fixed(80), tpld_id=20
    )
    s1 = a.streams.create(
        header=HDR, rate_pps=2000, length=FrameLength.fixed(80), tpld_id=21
    )
    chassis.start([a])
    time.sleep(0.2)
    s1.update(enabled=StreamEnable.SUPPRESS)
    time.sleep(0.1)
    muted = s1.statistics().packets
    time.sleep(0.3)
    assert s1.statistics().packets == muted  # nothing sent while suppressed
    s1.update(enabled=StreamEnable.ON)
    time.sleep(0.3)
    with pytest.raises(StateError):  # anything else is refused while running
        s0.update(rate=replace(s0.config.rate, value=100.0))
    chassis.stop([a])
    assert chassis.tester.settle()
    assert s1.statistics().packets > muted + 300
    for sh in (s0, s1):
        st = b.tpld_statistics(sh.config.tpld_id)
        assert st is not None
        assert (st.packets, st.lost) == (sh.statistics().packets, 0)


@pytest.mark.parametrize("form", ["micro", "payload_checksum"])
def test_tpld_forms_are_sent_and_decoded_per_port(chassis, ports, form) -> None:
    """A port receives in the TPLD form it is set to, as a Xena port does."""
    a, b = ports
    for p in (a, b):
        if form == "micro":
            p.tpld_mode = TpldMode.MICRO
        else:
            p.payload_checksum_offset = 42  # from the UDP payload on
    a.streams.create(
        header=HDR, rate_pps=20_000, length=FrameLength.fixed(100), tpld_id=600,
        payload=Payload(PayloadType.INC8), mode=TxMode.single_burst(500),
    )  # fmt: skip
    _run(chassis, a)
    st = b.tpld_statistics(600)
    assert st is not None
    assert (st.packets, st.lost, st.payload_errors) == (500, 0, 0)
    assert b.statistics().rx_packets == 500
    if form == "micro":  # no sequence number: nothing to count as lost or misordered
        assert (st.misordered, st.duplicates) == (0, 0)
    else:
        assert st.seq_too_high == 0
    assert 0 <= st.latency.min_ns <= st.latency.max_ns


def test_injected_errors_are_counted_once_at_each_end(chassis, ports) -> None:
    """One error of each kind, as Xena's PS_INJECT*ERR: the receiver sees exactly it."""
    a, b = ports
    for p in (a, b):
        p.payload_checksum_offset = 42  # the 22-byte TPLD: payload errors show
    s = a.streams.create(
        header=HDR, rate_pps=2000, length=FrameLength.fixed(128), tpld_id=8,
        payload=Payload(PayloadType.INC8),
    )  # fmt: skip
    with pytest.raises(StateError):
        s.inject_error("sequence")  # not sending
    chassis.start([a])
    with pytest.raises(ValidationError):
        s.inject_error("fcs")
    for kind in ("sequence", "misorder", "payload", "tpld"):
        time.sleep(0.15)
        s.inject_error(kind)
    time.sleep(0.15)
    chassis.stop([a])
    time.sleep(0.1)
    assert chassis.tester.settle()
    tx = a.statistics()
    assert (
        tx.tx_injected_sequence,
        tx.tx_injected_misorder,
        tx.tx_injected_payload,
        tx.tx_injected_tpld,
    ) == (1, 1, 1, 1)
    rx = b.statistics()
    st = b.tpld_statistics(8)
    assert st is not None
    assert rx.rx_packets == tx.tx_packets > 1000
    assert (rx.rx_notpld_packets, st.packets) == (1, tx.tx_packets - 1)
    # the skipped number and the broken frame's are missing; the swap is one late
    # frame; the spoiled payload one integrity error
    assert (st.lost, st.misordered, st.duplicates, st.payload_errors) == (2, 1, 0, 1)


class _Caught:
    """The frames a port's own capture took, read once it is stopped."""

    def __init__(self, port, count: int) -> None:
        self.cap = port.capture(direction="rx", limit=count, snaplen=4096)
        self.frames: list[bytes] = []

    def join(self) -> None:
        self.cap.stop()
        got = self.cap.frames()
        self.frames[:] = [
            bytes(got.data[o : o + n])
            for o, n in zip(got.offsets.tolist(), got.cap_len.tolist(), strict=True)
        ]


def _capture(port, count: int, seconds: float) -> tuple[list[bytes], _Caught]:
    """Frames arriving at ``port`` (the first ``count``), taken by the port's own
    capture (on AF_XDP every frame then goes to the kernel's taps); the list is
    filled by ``join()``."""
    caught = _Caught(port, count)
    return caught.frames, caught


def test_long_frames_with_a_shared_tail_arrive_byte_exact(chassis, ports) -> None:
    """Frames of 64-1518 B whose static payload is one piece all frames share (the
    rows hold 48 bytes): alone on a port, and interleaved with a TPLD stream of
    incrementing sizes and UDP checksums, every frame arrives as the generator
    builds it, byte for byte, in order."""
    a, b = ports
    n = 400
    hdr = bytes(HDR)
    plain = Stream(
        packet=hdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDP),
        length=FrameLength(LengthType.RANDOM, 64, 1518),
        payload=Payload(PayloadType.PATTERN, b"\xca\xfe\x00\x01"),
        modifiers=(Modifier(pos=18, mask=0xFFFF0000, action=ModifierAction.INC),),
        rate=Rate.pps(20_000),
        mode=TxMode.single_burst(n),
        random_seed=11,
    )
    thdr = bytes(
        Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
        / IP(src="198.18.0.1", dst="198.19.0.1")
        / UDP(sport=2000, dport=9)
    )
    tagged = Stream(
        packet=thdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        tpld_id=5,
        length=FrameLength(LengthType.INCREMENTING, 600, 1518),
        payload=Payload(PayloadType.INC8),
        rate=Rate.pps(15_000),
        mode=TxMode.single_burst(n),
    )
    mode = a.info.tpld_mode
    assert compile_stream(plain).head_width == 48
    assert compile_stream(tagged, tpld_mode=mode).head_width == 48
    want_plain = compile_stream(plain).next_batch(n)
    want_tagged = compile_stream(tagged, tpld_mode=mode).fill(n, TpldStamp(5, 0), 0)
    t = chassis.tester
    for streams in ([plain], [plain, tagged]):
        t.remove_all_streams(a.index)
        for i, s in enumerate(streams):
            t.add_stream(a.index, i, s)
        seen, th = _capture(b, n * len(streams), 10)
        _run(chassis, a)
        th.join()
        by_port: dict[int, list[bytes]] = {1025: [], 2000: []}
        for f in seen:
            by_port[Ether(f)[UDP].sport].append(f)
        assert len(by_port[1025]) == n
        assert by_port[1025] == [want_plain.frame(i) for i in range(n)]
        got = by_port[2000]
        assert len(got) == (n if tagged in streams else 0)
        for i, f in enumerate(got):
            want = want_tagged.frame(i)
            assert len(f) == len(want) == 600 - 4 + i % 919
            # all but the UDP checksum and the TPLD's time: the generator's bytes
            assert f[:40] == want[:40]
            assert f[42 : -mode.length] == want[42 : -mode.length]
            assert UDP(bytes(Ether(f)[UDP])).chksum == Ether(f)[UDP].chksum
        if got:
            data = np.zeros((n, 1514), dtype=np.uint8)
            for i, f in enumerate(got):
                data[i, : len(f)] = np.frombuffer(f, np.uint8)
            dec = decode_batch(data, np.array([len(f) for f in got]), mode)
            assert dec.valid.all()
            assert dec.tid.tolist() == [5] * n
            assert dec.seq.tolist() == list(range(n))


def test_flat_out_batches_are_stamped_a_part_at_a_time(chassis, ports) -> None:
    """Two TPLD streams with UDP checksums as fast as the port goes: batches of
    thousands of frames, interleaved, each 1024-frame part stamped right before its
    send. Every frame arrives with a valid TPLD and checksum, in sequence, and the
    TPLDs carry at least one time per part (8000 frames: 8 parts at least)."""
    a, b = ports
    n = 4000
    t = chassis.tester
    t.remove_all_streams(a.index)
    mode = a.info.tpld_mode
    for i, size in enumerate((128, 700)):
        hdr = bytes(
            Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
            / IP(src="198.18.0.1", dst="198.19.0.1")
            / UDP(sport=3000 + i, dport=9)
        )
        t.add_stream(
            a.index,
            i,
            Stream(
                packet=hdr,
                segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
                tpld_id=20 + i,
                length=FrameLength.fixed(size),
                rate=Rate.pps(50e6),
                mode=TxMode.single_burst(n),
            ),
        )
    seen, th = _capture(b, 2 * n, 10)
    _run(chassis, a)
    th.join()
    for tid in (20, 21):
        st = b.tpld_statistics(tid)
        assert st is not None
        assert (st.packets, st.lost, st.misordered, st.duplicates) == (n, 0, 0, 0)
    assert b.statistics().rx_notpld_packets == 0
    assert len(seen) == 2 * n
    for f in seen:
        assert UDP(bytes(Ether(f)[UDP])).chksum == Ether(f)[UDP].chksum
    data = np.zeros((len(seen), 1514), dtype=np.uint8)
    for i, f in enumerate(seen):
        data[i, : len(f)] = np.frombuffer(f, np.uint8)
    dec = decode_batch(data, np.array([len(f) for f in seen]), mode)
    assert dec.valid.all()
    for tid in (20, 21):
        assert dec.seq[dec.tid == tid].tolist() == list(range(n))
    assert len(set(dec.ts_ns.tolist())) >= 8


def test_ports_keep_what_they_receive_from_their_namespace(chassis) -> None:
    ports = chassis.tester.config.ports
    assert [p.reaches_stack for p in ports] == [False, False]
    assert [is_held(p.interface, p.netns) for p in ports] == [True, True]


def test_receivers_go_before_senders_on_a_shared_core(chassis) -> None:
    """TX workers run nicer than RX workers (and than the controller): a starved
    sender sends less and says so, a starved receiver would drop frames."""
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    for port in chassis.tester.ports:
        tx, rx = chassis.tester.dataplane.pids(port.index)
        assert os.getpriority(os.PRIO_PROCESS, tx) == mine + TX_NICE == mine + 5
        assert os.getpriority(os.PRIO_PROCESS, rx) == mine
