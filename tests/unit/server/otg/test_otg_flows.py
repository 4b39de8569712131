"""A flow's rate, duration and metrics as the stream's rate, mode, delay and TPLD."""

from __future__ import annotations

import numpy as np
import pytest
from otg_env import FakePorts, config, frames, only_flow, plan
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether

from wirespeed.fieldengine import TpldStamp, compile_stream
from wirespeed.model import ModeKind, Rate, RateUnit, TxMode
from wirespeed.server.otg.errors import OtgError
from wirespeed.tpld import TpldMode, decode_batch

GBPS = 1_000_000_000


def _flow(size: int = 128, metrics: bool = True, speed: str | None = None):
    cfg, flow = config(size=size, metrics=metrics)
    flow.packet.ethernet().ipv4().udp()
    if speed:
        cfg.layer1.add(name="l1", port_names=["p1", "p2"]).speed = speed
    return cfg, flow


def test_pps_is_the_default_rate():
    cfg, _ = _flow()
    assert only_flow(cfg).stream.rate == Rate(RateUnit.PPS, 1000)


@pytest.mark.parametrize(
    ("choice", "value", "bps"),
    [("bps", 1_000_000, 1e6), ("kbps", 500, 5e5), ("mbps", 100, 1e8), ("gbps", 2, 2e9)],
)
def test_bit_rates_count_the_frames_with_their_fcs(choice, value, bps):
    cfg, flow = _flow()
    setattr(flow.rate, choice, value)
    rate = only_flow(cfg).stream.rate
    assert rate == Rate(RateUnit.L2_BPS, bps)
    assert rate.to_pps(10 * GBPS, 128) == pytest.approx(bps / (128 * 8))


def test_percentage_is_of_the_layer1_speed_on_the_wire():
    cfg, flow = _flow(speed="speed_1_gbps")
    flow.rate.percentage = 50
    fp = only_flow(cfg)
    assert fp.stream.rate == Rate(RateUnit.PERCENT, 50)
    assert fp.stream.rate.to_pps(GBPS, 128) == pytest.approx(0.5 * GBPS / (148 * 8))


@pytest.mark.parametrize(
    ("choice", "value", "message"),
    [
        (
            "gbps",
            2,
            r"flows\[0\]\.rate\.gbps: .* above the 1000 Mbit/s line rate of port p1",
        ),
        ("pps", 1_500_000, r"flows\[0\]\.rate\.pps: 1\.5e\+06 frames/s of 64 bytes"),
        ("percentage", 0, r"flows\[0\]\.rate\.percentage: must be > 0"),
    ],
)
def test_rates_above_the_line_rate_are_refused(choice, value, message):
    cfg, flow = _flow(size=64, metrics=False, speed="speed_1_gbps")
    setattr(flow.rate, choice, value)
    with pytest.raises(OtgError, match=message):
        only_flow(cfg)


def test_line_rate_exactly_is_accepted():
    cfg, flow = _flow(size=64, metrics=False, speed="speed_1_gbps")
    flow.rate.pps = 1_488_095  # 1 Gbit/s of 64-byte frames: 1488095.2
    assert only_flow(cfg).stream.rate.value == 1_488_095


def test_fixed_packets_with_a_delay_in_bytes_at_the_line_rate():
    cfg, flow = _flow(speed="speed_1_gbps")
    fixed = flow.duration.fixed_packets
    fixed.packets = 100
    fixed.delay.bytes = 125  # 1000 bit at 1 Gbit/s
    fp = only_flow(cfg)
    assert fp.stream.mode == TxMode.single_burst(100)
    assert fp.packets == 100
    assert fp.delay_ns == 1000
    assert fp.stream.isg_us == 1.0


@pytest.mark.parametrize(
    ("choice", "value", "ns"), [("microseconds", 2.5, 2500), ("nanoseconds", 700, 700)]
)
def test_continuous_with_a_delay_in_time(choice, value, ns):
    cfg, flow = _flow()
    setattr(flow.duration.continuous.delay, choice, value)
    fp = only_flow(cfg)
    assert fp.stream.mode.kind is ModeKind.CONTINUOUS
    assert fp.packets is None
    assert fp.delay_ns == ns


def test_fixed_seconds_is_the_frames_those_seconds_carry():
    cfg, flow = _flow()
    flow.rate.pps = 50
    flow.duration.fixed_seconds.seconds = 2.5
    fp = only_flow(cfg)
    assert fp.packets == 125
    assert fp.stream.mode == TxMode.single_burst(125)
    cfg, flow = _flow(size=100)
    flow.rate.kbps = 80  # 100 frames/s of 100 bytes
    flow.duration.fixed_seconds.seconds = 3
    assert only_flow(cfg).packets == 300


def test_fixed_seconds_without_a_frame_is_refused():
    cfg, flow = _flow()
    flow.rate.pps = 10
    flow.duration.fixed_seconds.seconds = 0.01
    with pytest.raises(OtgError, match=r"duration\.fixed_seconds\.seconds: 0\.01 s"):
        only_flow(cfg)


def test_bursts_with_an_inter_burst_gap():
    cfg, flow = _flow(speed="speed_10_gbps")
    burst = flow.duration.burst
    burst.bursts, burst.packets = 3, 10
    burst.inter_burst_gap.microseconds = 5
    fp = only_flow(cfg)
    assert fp.stream.mode == TxMode.multi_burst(10, 5.0, 3)
    assert fp.packets == 30
    cfg, flow = _flow(speed="speed_1_gbps")
    flow.duration.burst.packets = 4  # bursts 0: forever; the gap: 12 bytes
    fp = only_flow(cfg)
    assert fp.stream.mode == TxMode.multi_burst(4, 0.096, 0)
    assert fp.packets is None


def test_a_gap_other_than_12_bytes_is_a_warning():
    cfg, flow = _flow()
    flow.duration.fixed_packets.gap = 20
    result = plan(cfg)
    assert result.warnings == (
        "flows[0].duration.fixed_packets.gap: frames leave 12 bytes apart at least; "
        "the rate sets the gap",
    )


def test_metrics_give_each_flow_its_own_tpld_id():
    cfg, flow = _flow()
    latency = flow.metrics.latency
    latency.enable, latency.mode = True, "cut_through"
    flow.metrics.timestamps = flow.metrics.loss = True
    second = cfg.flows.add(name="f2")
    second.tx_rx.port.tx_name = "p2"
    second.tx_rx.port.rx_name = "p1"  # the deprecated single receiver
    second.packet.ethernet()
    third = cfg.flows.add(name="f3")
    third.tx_rx.port.tx_name = "p1"
    third.metrics.enable = True
    third.packet.ethernet()
    f1, f2, f3 = plan(cfg).flows
    assert (f1.tid, f1.stream.tpld_id, f1.rx_ports) == (0, 0, (1,))
    assert (f1.latency, f1.latency_mode, f1.timestamps, f1.loss) == (
        True,
        "cut_through",
        True,
        True,
    )
    assert (f2.tid, f2.stream.tpld_id, f2.tx_port, f2.rx_ports) == (None, -1, 1, (0,))
    assert (f3.tid, f3.latency, f3.latency_mode, f3.rx_ports) == (
        2,
        False,
        "store_forward",
        (),
    )


def test_latency_without_metrics_is_a_warning():
    cfg, flow = _flow(metrics=False)
    flow.metrics.latency.enable = True
    result = plan(cfg)
    assert result.flows[0].tid is None
    assert result.warnings == (
        "flows[0].metrics: latency and timestamps need metrics.enable; not measured",
    )


def test_payload_fills():
    cfg, flow = _flow(metrics=False, size=64)
    flow.payload.choice = "increment_byte"
    fp = only_flow(cfg)
    assert fp.stream.payload.kind.name == "INC8"
    assert frames(fp, 1)[0][42:] == bytes(range(18))
    cfg, flow = _flow(metrics=False, size=64)
    flow.payload.fixed.pattern, flow.payload.fixed.repeat = "abcd", False
    fp = only_flow(cfg)
    assert fp.stream.payload.pattern == b"\xab\xcd" + bytes(16)
    assert frames(fp, 1)[0][42:] == b"\xab\xcd" + bytes(16)


def test_one_flow_speed_per_port_from_layer1():
    cfg, _ = _flow(speed="speed_25_gbps")
    result = plan(cfg, FakePorts(speed_bps=GBPS))
    assert result.speeds == {0: 25 * GBPS, 1: 25 * GBPS}


def test_stamped_frames_carry_the_flow_tid_and_right_checksums():
    cfg, flow = config(size=100)
    second = cfg.flows.add(name="f2")
    second.tx_rx.port.tx_name = "p1"
    second.metrics.enable = True
    second.size.fixed = 100
    for f in (flow, second):
        _, _, tcp_h = f.packet.ethernet().ipv4().tcp()
        tcp_h.src_port.values = [1, 2, 3]
    for fp in plan(cfg).flows:
        fp.stream.validate_for_port(TpldMode.NORMAL.length)
        gen = compile_stream(fp.stream, seed=1, tpld_mode=TpldMode.NORMAL)
        batch = gen.fill(4, TpldStamp(fp.tid, 0), 123)
        got = [batch.frame(i) for i in range(4)]
        rows = np.frombuffer(b"".join(got), np.uint8).reshape(4, 96)
        dec = decode_batch(rows, np.full(4, 96), TpldMode.NORMAL)
        assert dec.valid.all()
        assert dec.tid.tolist() == [fp.tid] * 4
        assert dec.seq.tolist() == [0, 1, 2, 3]
        for j, frame in enumerate(got):
            pkt = Ether(frame)
            assert pkt[TCP].sport == j % 3 + 1
            sent = (pkt[IP].chksum, pkt[TCP].chksum)
            del pkt[IP].chksum, pkt[TCP].chksum
            again = Ether(bytes(pkt))
            assert sent == (again[IP].chksum, again[TCP].chksum)
