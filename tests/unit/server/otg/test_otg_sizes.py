"""OTG frame sizes (FCS included): fixed, increment, random, weight pairs; every
frame keeps its lengths and checksums right."""

from __future__ import annotations

from collections import Counter

import pytest
from otg_env import FakePorts, config, eth, frames, ip4, only_flow, padded
from scapy.layers.inet import UDP

from wirespeed.fieldengine import mix_cycle
from wirespeed.model import LengthType
from wirespeed.server.otg.errors import OtgError


def _flow(metrics: bool = False):
    cfg, flow = config(metrics=metrics)
    _, ip, udp = flow.packet.ethernet().ipv4().udp()
    ip.src.value, ip.dst.value = "1.1.1.1", "1.1.1.2"
    udp.src_port.values = [1, 2, 3]
    return cfg, flow


def _want(j: int, size: int) -> bytes:
    zero = "00:00:00:00:00:00"
    pkt = eth(dst=zero, src=zero) / ip4(src="1.1.1.1", dst="1.1.1.2")
    pkt = pkt / UDP(sport=j % 3 + 1, dport=0)
    return padded(pkt, size)


def _sizes(got: list[bytes]) -> list[int]:
    return [len(f) + 4 for f in got]


def test_fixed_default_is_64_bytes():
    cfg, flow = config(metrics=False)
    flow.packet.ethernet().ipv4().udp()
    flow.size.choice = "fixed"
    flow.size.fixed = 64
    fp = only_flow(cfg)
    assert fp.stream.frame_length.min_bytes == 64
    assert fp.stream.vm.trim_var is None
    frame = frames(fp, 1)[0]
    assert len(frame) == 60
    assert frame[16:18] == (64 - 18).to_bytes(2, "big")


@pytest.mark.parametrize("metrics", [False, True])
def test_increment_step_1_keeps_lengths_and_checksums(metrics):
    cfg, flow = _flow(metrics)
    inc = flow.size.increment
    inc.start, inc.end, inc.step = 66, 72, 1
    fp = only_flow(cfg)
    assert fp.stream.frame_length.kind is LengthType.INCREMENTING
    got = frames(fp, 10)
    assert _sizes(got) == [66 + j % 7 for j in range(10)]
    assert got == [_want(j, 66 + j % 7) for j in range(10)]


def test_increment_with_a_step_stops_at_the_last_size_within_the_end():
    cfg, flow = _flow(metrics=True)
    inc = flow.size.increment
    inc.start, inc.end, inc.step = 66, 100, 10  # 66, 76, 86, 96
    fp = only_flow(cfg)
    assert fp.stream.frame_length.mix == ((66, 1), (76, 1), (86, 1), (96, 1))
    got = frames(fp, 9)
    sizes = [66, 76, 86, 96]
    assert _sizes(got) == [sizes[j % 4] for j in range(9)]
    assert got == [_want(j, sizes[j % 4]) for j in range(9)]


def test_random_sizes_stay_in_range_and_keep_lengths():
    cfg, flow = _flow(metrics=True)
    flow.size.random.min, flow.size.random.max = 100, 110
    fp = only_flow(cfg)
    assert fp.stream.frame_length.kind is LengthType.RANDOM
    assert fp.stream.frame_length.mean_bytes == 105
    got = frames(fp, 200)
    sizes = _sizes(got)
    assert set(sizes) == set(range(100, 111))
    assert got == [_want(j, s) for j, s in enumerate(sizes)]


def test_imix_weights_interleaved_and_each_frame_right():
    cfg, flow = _flow()
    flow.size.weight_pairs.predefined = "imix"
    fp = only_flow(cfg)
    length = fp.stream.frame_length
    assert length.mix == ((64, 7), (570, 4), (1518, 1))
    assert length.mean_bytes == pytest.approx((64 * 7 + 570 * 4 + 1518) / 12)
    got = frames(fp, 24)
    sizes = _sizes(got)
    assert sizes == [int(s) for s in mix_cycle(length.mix)] * 2
    assert Counter(sizes) == {64: 14, 570: 8, 1518: 2}
    assert got == [_want(j, s) for j, s in enumerate(sizes)]


@pytest.mark.parametrize(
    ("name", "mix"),
    [
        ("ipsec_imix", ((90, 5867), (92, 200), (594, 2366), (1418, 1567))),
        ("ipv6_imix", ((60, 5867), (496, 200), (594, 2366), (1518, 1567))),
        ("standard_imix", ((58, 5867), (62, 200), (594, 2366), (1518, 1567))),
        ("tcp_imix", ((90, 5867), (92, 200), (594, 2366), (1518, 1567))),
    ],
)
def test_predefined_mixes_as_the_model_documents_them(name, mix):
    cfg, flow = config(metrics=False)
    flow.packet.ethernet()
    flow.size.weight_pairs.predefined = name
    fp = only_flow(cfg)
    assert fp.stream.frame_length.mix == mix
    got = frames(fp, 10000)
    assert Counter(_sizes(got)) == dict(mix)


def test_custom_weights_count_to_hundredths():
    cfg, flow = _flow()
    custom = flow.size.weight_pairs.custom
    custom.add(size=100, weight=1.5)
    custom.add(size=200, weight=0.5)
    custom.add(size=300, weight=0)  # never sent
    fp = only_flow(cfg)
    assert fp.stream.frame_length.mix == ((100, 3), (200, 1))
    got = frames(fp, 8)
    assert Counter(_sizes(got)) == {100: 6, 200: 2}
    assert got == [_want(j, len(f) + 4) for j, f in enumerate(got)]


def test_sizes_that_hold_no_test_payload_name_the_minimum():
    cfg, flow = config(metrics=True)
    flow.packet.ethernet().ipv4().udp()
    flow.size.fixed = 64
    with pytest.raises(OtgError) as err:
        only_flow(cfg)
    assert err.value.errors == [
        "flows[0].size: 64-byte frames cannot hold the 42 bytes of headers, the "
        "20-byte test payload of metrics and the FCS: at least 66 bytes"
    ]
    cfg, flow = config(metrics=True)
    flow.packet.ethernet()
    flow.size.weight_pairs.predefined = "standard_imix"
    with pytest.raises(OtgError, match=r"flows\[0\]\.size: 58-byte .* at least 64"):
        only_flow(cfg)


def test_frames_must_hold_the_headers_without_metrics_too():
    cfg, flow = config(metrics=False, size=40)
    flow.packet.ethernet().ipv4().udp()
    with pytest.raises(OtgError, match=r"flows\[0\]\.size: 40-byte .* at least 46"):
        only_flow(cfg)


def test_mtu_limits_the_largest_frame():
    cfg, flow = _flow()
    flow.size.fixed = 1519
    with pytest.raises(OtgError, match=r"flows\[0\]\.size: 1519-byte frames exceed"):
        only_flow(cfg)
    assert len(frames(only_flow(cfg, FakePorts(mtu=9000)), 1)[0]) == 1515


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda s: (
                setattr(s.increment, "start", 100),
                setattr(s.increment, "end", 99),
            ),
            r"flows\[0\]\.size\.increment\.end: 99 < start 100",
        ),
        (
            lambda s: (setattr(s.random, "min", 90), setattr(s.random, "max", 80)),
            r"flows\[0\]\.size\.random\.max: 80 < min 90",
        ),
        (
            lambda s: setattr(s, "fixed", 20000),
            r"flows\[0\]\.size\.fixed: 20000 bytes not in 18\.\.16384",
        ),
        (
            lambda s: s.weight_pairs.custom.add(size=100, weight=0),
            r"flows\[0\]\.size\.weight_pairs\.custom: needs a size of weight > 0",
        ),
        (
            lambda s: s.weight_pairs.custom.add(size=100, weight=0.001),
            r"flows\[0\]\.size\.weight_pairs\.custom\[0\]\.weight: 0\.001",
        ),
    ],
)
def test_bad_sizes_name_the_field(setup, message):
    cfg, flow = _flow()
    setup(flow.size)
    with pytest.raises(OtgError, match=message):
        only_flow(cfg)
