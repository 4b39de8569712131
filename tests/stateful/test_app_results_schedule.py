from __future__ import annotations

import pytest

from wirespeed.stateful.results import ClientStats, ServerStats, summarize_histogram
from wirespeed.stateful.schedule import StartSchedule


def _client(label: str, start: int, end: int) -> ClientStats:
    s = ClientStats(label=label, planned=3)
    s.on_attempt(start)
    s.on_attempt(start + 10)
    s.on_attempt(start + 20)
    s.established = 2
    s.on_complete(start + 1_000)
    s.on_complete(end)
    s.on_failure("refused", start + 30)
    s.bytes_tx, s.bytes_rx, s.transactions = 1_000, 2_000, 4
    s.hists["connect"].record(1_000_000)
    return s


def test_client_counters_and_summary() -> None:
    s = _client("a", 1_000_000_000, 1_500_000_000)
    assert (s.attempted, s.completed, s.failed, s.in_flight) == (3, 2, 1, 0)
    assert s.peak_concurrent == 3  # three attempts before any ended
    assert s.elapsed_ns == 500_000_000
    summ = s.summary()
    assert summ["cps"] == 4.0
    assert summ["tx_mbps"] == 0.016
    assert summ["rx_mbps"] == 0.032
    assert summ["errors"] == {"refused": 1}
    assert summ["latency"]["connect"] == {
        "count": 1,
        "min_ms": 1.0,
        "mean_ms": 1.0,
        "p50_ms": 1.0,
        "p90_ms": 1.0,
        "p99_ms": 1.0,
        "max_ms": 1.0,
    }
    assert summ["latency"]["transaction"] == {"count": 0}


def test_client_total_and_round_trip() -> None:
    a = _client("a", 1_000, 5_000)
    b = _client("b", 500, 9_000)
    total = ClientStats.total([a, b])
    assert (total.planned, total.attempted, total.completed, total.failed) == (
        6,
        6,
        4,
        2,
    )
    assert (total.first_start_ns, total.last_end_ns) == (500, 9_000)
    assert total.errors == {"refused": 2}
    assert total.hists["connect"].count == 2
    assert (a.peak_concurrent, total.peak_concurrent) == (3, None)
    assert total.summary()["peak_concurrent"] is None
    back = ClientStats.from_dict(total.to_dict())
    assert back == total
    assert ClientStats.from_dict(a.to_dict()) == a
    assert ClientStats().summary()["cps"] == 0.0


def test_server_stats_round_trip_and_merge() -> None:
    s = ServerStats(label="s1", accepted=3, completed=2, sni_ok=3)
    s.on_failure("eof")
    s.hists["tls_handshake"].record(2_500_000)
    assert s.in_flight == 0
    other = ServerStats(label="s1", accepted=1, completed=1)
    s.merge(other)
    assert (s.accepted, s.completed, s.failed) == (4, 3, 1)
    back = ServerStats.from_dict(s.to_dict())
    assert back == s
    assert back.summary()["latency"]["tls_handshake"]["p50_ms"] == 2.5


def test_summarize_empty() -> None:
    assert summarize_histogram(ClientStats().hists["connect"]) == {"count": 0}


def test_schedule_open_loop() -> None:
    sched = StartSchedule(1_000, cps=4.0)
    assert sched.is_open_loop
    assert [sched.due_ns(i, 123) for i in range(4)] == [
        1_000,
        250_001_000,
        500_001_000,
        750_001_000,
    ]


def test_schedule_closed_loop_gap_follows_real_starts() -> None:
    sched = StartSchedule(1_000, gap_s=0.5)
    assert not sched.is_open_loop
    assert sched.due_ns(0, None) == 1_000
    assert sched.due_ns(1, 2_000) == 500_002_000
    assert StartSchedule(0).due_ns(7, 42) == 42


def test_schedule_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="cps"):
        StartSchedule(0, cps=0.0)
    with pytest.raises(ValueError, match="gap_s"):
        StartSchedule(0, gap_s=-1.0)
