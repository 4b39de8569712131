"""Latency error counters and the histogram through the real client, from frames
that really crossed the veth: the test sends frames with the TRex-style TPLD the
TRex front end's ports use (TID = pg_id 41) with sequence gaps, a swap and a
duplicate into port 1."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from trex_bed import TrexBed, inject

from wirespeed.tpld import TpldFields, TpldMode

pytestmark = [pytest.mark.netns, pytest.mark.compat]

PG_ID = 41
DELAY_NS = 5_000_000  # each frame's timestamp is 5 ms before it is sent


def _sequence() -> list[int]:
    """0..99 without 10, 20, 30; 51 before 50; 70 twice."""
    seqs = [s for s in range(100) if s not in (10, 20, 30)]
    i = seqs.index(50)
    seqs[i], seqs[i + 1] = seqs[i + 1], seqs[i]
    seqs.insert(seqs.index(70) + 1, 70)
    return seqs


def _frames(bed: TrexBed, seqs: list[int]) -> Iterator[bytes]:
    head = bytes(
        Ether(dst=bed.macs[1], src=bed.macs[0])
        / IP(src="198.18.0.1", dst="198.19.0.1")
        / UDP(sport=1025, dport=12)
        / (b"x" * 66)
    )
    for seq in seqs:
        tpld = TpldFields(tid=PG_ID, seq=seq, ts_ns=time.time_ns() - DELAY_NS)
        yield head + tpld.to_bytes(TpldMode.TREX)  # 124 bytes, 128 with FCS


def test_dropped_out_of_order_dup_and_sequence_errors(any_trex_bed: TrexBed) -> None:
    seqs = _sequence()
    assert len(seqs) == 98
    out = any_trex_bed.client_with_pause(
        "flow_latency_errors",
        str(len(seqs)),
        during=lambda: inject(
            any_trex_bed.netns[0], any_trex_bed.ifnames[0], _frames(any_trex_bed, seqs)
        ),
    )
    assert out["flow"] == {
        "tx_pkts": {"0": 0, "1": 0, "total": 0},
        "rx_pkts": {"0": 0, "1": 98, "total": 98},
        "rx_bytes": {"0": 0, "1": 98 * 128, "total": 98 * 128},
    }
    lat = out["latency"]
    # three gaps (3 dropped, 3 jumps), 51 before 50 (a jump, then a late one),
    # 70 twice (a duplicate, and at or below the highest: too low)
    assert lat["err_cntrs"] == {
        "dropped": 3,
        "out_of_order": 1,
        "dup": 1,
        "seq_too_high": 4,
        "seq_too_low": 2,
    }
    stats = lat["latency"]
    assert stats["total_min"] >= DELAY_NS // 1000
    assert stats["total_min"] <= stats["average"] <= stats["total_max"]
    assert stats["jitter"] >= 0
    histogram = {int(k): v for k, v in stats["histogram"].items()}
    assert sum(histogram.values()) == 98
    assert min(histogram) >= DELAY_NS // 1000
