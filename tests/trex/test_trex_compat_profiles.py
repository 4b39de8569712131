"""TRex-format stateless profiles loaded with ``add_profile``: counts for all, bytes
(captured on the receiving port) for several."""

from __future__ import annotations

import ipaddress
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from profiles import write_profiles
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import wrpcap
from trex_bed import Capture, TrexBed

from wirespeed.tpld import TpldFields, TpldMode

pytestmark = [pytest.mark.netns, pytest.mark.compat]


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("profiles")
    paths = write_profiles(directory)
    wrpcap(str(directory / "sample.pcap"), _pcap_packets())
    return paths


def _pcap_packets() -> list[Ether]:
    return [
        Ether(dst="02:aa:00:00:00:01", src="02:bb:00:00:00:01")
        / IP(src="198.18.1.1", dst="198.19.1.1")
        / UDP(sport=1000 + i, dport=53)
        / (b"q" * (20 + 100 * i))
        for i in range(3)
    ]


def _run(
    bed: TrexBed,
    path: Path,
    mult: str,
    duration: float,
    tunables: list[str] | None = None,
) -> dict[str, Any]:
    args = [str(path), mult, str(duration)]
    if tunables:
        import json

        args.append(json.dumps(tunables))
    out: dict[str, Any] = bed.client("flow_profile", *args)
    return out


def _ipv4_ok(frame: bytes) -> bool:
    ip = Ether(frame)[IP]
    want = ip.chksum
    del ip.chksum
    return IP(bytes(ip))[IP].chksum == want


def test_single_udp_stream_bytes(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    out = _run(trex_bed, profiles["udp_simple"], "1kpps", 0.5)
    frames = capture_rx.stop()
    assert (out["tx"], out["rx"]) == (500, 500)
    expected = bytes(
        Ether(dst=trex_bed.macs[1], src=trex_bed.macs[0])
        / IP(src="198.18.0.1", dst="198.19.0.1")
        / UDP(dport=12, sport=1025)
        / (10 * "x")
    )
    # 52 bytes as built, padded with zeros to 60 on the wire as a NIC pads a runt
    # (TRex's simulator shows the same padded frames); counted as 64 with the FCS
    assert len(expected) == 52
    assert out["obytes"] == 500 * 64
    assert frames == [expected + bytes(8)] * 500


def test_imix_counts_sizes_and_addresses(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    out = _run(trex_bed, profiles["imix"], "10", 0.5)
    frames = capture_rx.stop()
    # 28, 20 and 4 frames/s times 10 for 0.5 s
    assert (out["tx"], out["rx"]) == (260, 260)
    assert out["obytes"] == 140 * 64 + 100 * 594 + 20 * 1518
    assert Counter(len(f) for f in frames) == {60: 140, 590: 100, 1514: 20}
    for size in (60, 590, 1514):
        got = [(Ether(f)[IP].src, Ether(f)[IP].dst) for f in frames if len(f) == size]
        assert got == [
            (f"198.18.0.{1 + i}", f"198.19.0.{1 + i}") for i in range(len(got))
        ]
    assert all(_ipv4_ok(f) for f in frames)


def test_tuple_generator_sequence(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    out = _run(trex_bed, profiles["tuple_gen"], "1kpps", 0.05)
    frames = capture_rx.stop()
    assert (out["tx"], out["rx"]) == (50, 50)
    got = [(Ether(f)[IP].src, Ether(f)[UDP].sport) for f in frames]
    assert got == [(f"198.18.0.{1 + k % 2}", 1025 + k // 2) for k in range(50)]
    assert all(_ipv4_ok(f) for f in frames)


def test_syn_flood_random_fields_repeat_with_the_seed(
    trex_bed: TrexBed, profiles: dict[str, Path]
) -> None:
    runs = []
    for _ in range(2):
        cap = Capture(trex_bed.netns[1], trex_bed.ifnames[1])
        out = _run(trex_bed, profiles["syn_attack"], "1kpps", 0.2)
        runs.append(cap.stop())
        assert (out["tx"], out["rx"]) == (200, 200)
    assert runs[0] == runs[1]  # random_seed 0x1234: the same frames every run
    lo, hi = (int(ipaddress.IPv4Address(a)) for a in ("198.18.0.0", "198.19.255.254"))
    pkts = [Ether(f) for f in runs[0]]
    assert all(lo <= int(ipaddress.IPv4Address(p[IP].src)) <= hi for p in pkts)
    assert all(1025 <= p[TCP].sport <= 65000 and p[TCP].flags == "S" for p in pkts)
    assert len({p[IP].src for p in pkts}) > 150
    assert all(_ipv4_ok(f) for f in runs[0])


def test_random_length_with_trim_and_length_fixes(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    out = _run(trex_bed, profiles["rand_len"], "1kpps", 0.1)
    frames = capture_rx.stop()
    assert (out["tx"], out["rx"]) == (100, 100)
    assert out["obytes"] == sum(len(f) + 4 for f in frames)
    assert len({len(f) for f in frames}) > 50
    for f in frames:
        assert 64 <= len(f) <= 9230
        pkt = Ether(f)
        assert (pkt[IP].len, pkt[UDP].len) == (len(f) - 14, len(f) - 34)
        assert _ipv4_ok(f)


def test_burst_chain_loops_action_count_times(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    out = _run(trex_bed, profiles["burst_loop"], "1", -1)
    frames = capture_rx.stop()
    # action_count=2 on S2: the chain S0 -> S1 -> S2 runs twice, as in TRex
    assert (out["tx"], out["rx"]) == (12, 12)
    order = [int(Ether(f)[IP].src.rsplit(".", 1)[1]) for f in frames]
    assert order == [1, 2, 2, 3, 3, 3] * 2


def test_multi_burst_after_a_single_burst(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    out = _run(trex_bed, profiles["multi_burst"], "1", -1)
    frames = capture_rx.stop()
    assert (out["tx"], out["rx"]) == (22, 22)
    order = [int(Ether(f)[IP].src.rsplit(".", 1)[1]) for f in frames]
    assert order == [1, 1] + [2] * 20


def test_flow_stats_per_pg_id(trex_bed: TrexBed, profiles: dict[str, Path]) -> None:
    out = _run(trex_bed, profiles["flow_stats"], "1", -1)
    assert (out["tx"], out["rx"]) == (1500, 1500)
    assert out["flow"]["5"] == {
        "tx_pkts": {"0": 1000, "1": 0, "total": 1000},
        "rx_pkts": {"0": 0, "1": 1000, "total": 1000},
        "tx_bytes": {"0": 128000, "1": 0, "total": 128000},
        "rx_bytes": {"0": 0, "1": 128000, "total": 128000},
    }
    assert out["flow"]["6"]["rx_pkts"] == {"0": 0, "1": 500, "total": 500}


def test_latency_stream(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    """TRex's flow_stats_latency shape at its default 64 B, as TRex runs it."""
    out = _run(trex_bed, profiles["latency"], "1", 1.0)
    frames = capture_rx.stop()
    assert (out["tx"], out["rx"]) == (1000, 1000)
    assert out["flow"]["7"]["rx_pkts"] == {"0": 0, "1": 1000, "total": 1000}
    assert out["flow"]["7"]["rx_bytes"] == {"0": 0, "1": 64000, "total": 64000}
    lat = out["latency"]["7"]
    assert lat["err_cntrs"] == {
        "dropped": 0,
        "out_of_order": 0,
        "dup": 0,
        "seq_too_high": 0,
        "seq_too_low": 0,
    }
    stats = lat["latency"]
    assert 0 <= stats["total_min"] <= stats["average"] <= stats["total_max"]
    assert stats["jitter"] >= 0
    assert sum(stats["histogram"].values()) == 1000
    # 60 bytes (64 with FCS): the profile's packet, its last 16 bytes the TRex-style
    # TPLD (magic 0xAB; TID = pg_id, sequence 0..999), as TRex puts its latency
    # header over the end of the payload
    assert {len(f) for f in frames} == {60}
    assert {f[:44] for f in frames} == {frames[0][:42] + b"xx"}
    assert {f[44] for f in frames} == {0xAB}
    fields = [TpldFields.from_bytes(f[-16:], TpldMode.TREX) for f in frames]
    assert [(t.tid, t.seq) for t in fields] == [(7, i) for i in range(1000)]


def test_latency_frames_too_small_for_the_tpld_are_refused(
    trex_bed: TrexBed, profiles: dict[str, Path]
) -> None:
    out = _run(trex_bed, profiles["latency"], "1", 1.0, ["--fsize", "60"])
    assert "need 62" in out["error"]


def test_pcap_profile_bytes(
    trex_bed: TrexBed, profiles: dict[str, Path], capture_rx: Capture
) -> None:
    out = _run(trex_bed, profiles["pcap"], "1", -1)
    frames = capture_rx.stop()
    # loop_count=2: the capture is sent twice; load_pcap keeps neither MAC from
    # the file by default, so the ports' MACs are written, as TRex does
    assert (out["tx"], out["rx"]) == (6, 6)
    macs = bytes.fromhex(
        trex_bed.macs[1].replace(":", "") + trex_bed.macs[0].replace(":", "")
    )
    assert frames == [macs + bytes(p)[12:] for p in _pcap_packets()] * 2
