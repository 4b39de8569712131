"""One test across three hosts: each a network namespace with its own daemon,
driven from the root namespace by the remote native client over real TCP (the
hosts bed's control network), test ports cabled across hosts.

A profile with streams A->B, B->C and C->A runs with one start agreed across the
daemons and exact TX == RX per stream, each stream's TX counted on its host and
its RX analysed on the other; RFC 2544 throughput across two hosts; a host whose
daemon is killed mid-run is reported by name, the others' counts are exact."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hosts_bed import HostsBed, hosts_bed  # type: ignore[import-not-found]

from wirespeed.profiles import Profile, ProfileModel
from wirespeed.rfc2544_suite import SuiteModel, run_suite
from wirespeed.runner import run_profile

pytestmark = [pytest.mark.netns, pytest.mark.slow]

N = 3000
NATIVE_PORT = 4510
HDR = [{"Ether": {}}, {"IP": {"src": "198.18.0.1", "dst": "198.19.0.1"}},
       {"UDP": {"sport": 1025, "dport": 9}}]  # fmt: skip


@pytest.fixture(scope="module")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostsBed]:
    with hosts_bed(tmp_path_factory.mktemp("hosts")) as b:
        yield b


def _hosts(bed: HostsBed) -> dict[str, str]:
    return {n: f"{h.address}:{NATIVE_PORT}" for n, h in bed.hosts.items()}


def _stream(tx: str, rx: str, tid: int, **more: Any) -> dict[str, Any]:
    return {
        "port": tx, "rx_port": rx, "header": HDR, "tpld_id": tid,
        "length": {"type": "fixed", "min": 128}, "rate": {"pps": 10_000},
        "mode": {"type": "single_burst", "total_pkts": N},
    } | more  # fmt: skip


def test_streams_across_three_hosts_are_exact(bed: HostsBed) -> None:
    model = ProfileModel.model_validate(
        {
            "hosts": _hosts(bed),
            "duration": 5,
            "cooldown": 0.5,
            "streams": [
                _stream("hostA/0", "hostB/0", 1),
                _stream("hostB/1", "hostC/0", 2),
                _stream("hostC/1", "hostA/1", 3),
            ],
        }
    )
    out = run_profile(Profile(model))
    assert "lost_hosts" not in out
    rows = [(s["port"], s["rx_port"], s["tx_packets"], s["rx"]["packets"],
             s["rx"]["lost"], s["rx"]["misordered"], s["rx"]["duplicates"])
            for s in out["streams"]]  # fmt: skip
    assert rows == [
        ("hostA/0", "hostB/0", N, N, 0, 0, 0),
        ("hostB/1", "hostC/0", N, N, 0, 0, 0),
        ("hostC/1", "hostA/1", N, N, 0, 0, 0),
    ]
    firsts = [s["tx_first_ns"] for s in out["streams"]]
    skew = max(firsts) - min(firsts)
    print(f"the three hosts' first frames left within {skew / 1e3:.1f} us")
    assert 0 < skew < 100_000_000  # agreed (how close: a measurement, see README)
    # latency between hosts is only as good as their clocks: none is synced here
    assert [s["latency_note"] for s in out["streams"]] == [
        "latency across these hosts is not meaningful: hostA's and hostB's clocks "
        "are not synchronised",
        "latency across these hosts is not meaningful: hostB's and hostC's clocks "
        "are not synchronised",
        "latency across these hosts is not meaningful: hostC's and hostA's clocks "
        "are not synchronised",
    ]
    assert {h: c["source"] for h, c in out["clocks"].items()} == dict.fromkeys(
        ("hostA", "hostB", "hostC"), "none"
    )
    # every port's counters, by host/index
    assert out["ports"]["hostB/0"]["rx_packets"] == N
    assert out["ports"]["hostA/0"]["tx_packets"] == N


def test_rfc2544_throughput_across_two_hosts(bed: HostsBed) -> None:
    model = SuiteModel.from_dict(
        {
            "hosts": _hosts(bed),
            "pairs": [{"tx": "hostA/1", "rx": "hostC/1"}],
            "frame_sizes": [512],
            "trial_duration": 0.5,
            "wait": 0.2,
            "throughput": {"initial": 5, "min": 1, "max": 5, "resolution": 1},
            "latency": {"enabled": False},
        }
    )
    res = run_suite(model)
    (tp,) = res["throughput"]
    assert tp["rate_pct"] == 5
    (flow,) = tp["flows"]
    assert flow["tx_frames"] == flow["rx_frames"] > 0


def test_a_host_killed_mid_run_is_named_and_the_rest_is_exact(
    bed: HostsBed, tmp_path: Path
) -> None:
    model = ProfileModel.model_validate(
        {
            "hosts": _hosts(bed),
            "duration": 3,
            "cooldown": 0.5,
            "streams": [
                _stream("hostA/0", "hostB/0", 7, mode={"type": "continuous"}),
                _stream("hostC/1", "hostA/1", 8, mode={"type": "continuous"}),
            ],
        }
    )
    killer = threading.Timer(1.5, bed.kill, args=("hostB",))
    killer.start()
    t0 = time.monotonic()
    out = run_profile(Profile(model))
    killer.join()
    assert time.monotonic() - t0 < 30
    assert out["lost_hosts"] == ["hostB"]
    to_b, c_to_a = out["streams"]
    assert "hostB" in to_b["error"]
    assert to_b["tx_packets"] > 0  # A, its sender, still answered
    assert c_to_a["tx_packets"] == c_to_a["rx"]["packets"] > 0
    assert c_to_a["rx"]["lost"] == 0
    assert "error" in out["ports"]["hostB/0"]
