"""What ``wirespeed app`` shows: tables, error lines, live progress, JSON (no root)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from wirespeed.cli.app import (
    _client_table,
    _errors,
    _latency_table,
    _Live,
    _report,
    _server_table,
)
from wirespeed.cli.jsonout import JsonTarget
from wirespeed.stateful.orchestrator import AppResults
from wirespeed.stateful.results import ClientStats, ServerStats


def _results() -> AppResults:
    a = ClientStats(label="c1[0]->s1", planned=4)
    for t in (0, 10, 20, 30):
        a.on_attempt(t)
    a.established = 3
    for t in (500_000_000, 1_000_000_000, 1_500_000_000):
        a.on_complete(t)
    a.on_failure("refused", 1_000)
    a.bytes_tx, a.bytes_rx, a.transactions = 3_000, 6_000, 3
    for v in (1_000_000, 2_000_000, 3_000_000):
        a.hists["connect"].record(v)
    b = ClientStats(label="c2[0]->s1", planned=1)
    b.on_attempt(0)
    b.on_failure("connect_timeout", 10)
    s = ServerStats(label="s1", accepted=3, tls_established=3, sni_ok=3)
    s.completed, s.bytes_rx, s.bytes_tx = 3, 3_000, 6_000
    return AppResults(
        case="base",
        clients={a.label: a, b.label: b},
        servers={"s1": s},
        finished=True,
        impairment_drops={"c1": {"egress": 7}},
        worker_errors={"s2": "server worker s2 exited unexpectedly (exit status 1)"},
    )


def _text(renderable: object) -> list[str]:
    console = Console(file=io.StringIO(), width=160, record=True)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def _rows(lines: list[str]) -> list[list[str]]:
    return [line.split() for line in lines if line.startswith("  c") or "total" in line]


def test_client_table_has_every_count_and_a_total() -> None:
    rows = _rows(_text(_client_table(_results())))
    assert rows == [
        ["c1[0]->s1", "4", "4", "3", "3", "1", "4", "2.0", "0.016", "0.032"],
        ["c2[0]->s1", "1", "1", "0", "0", "1", "1", "0.0", "0.000", "0.000"],
        ["total", "5", "5", "3", "3", "2", "-", "2.0", "0.016", "0.032"],
    ]


def test_latency_table_shows_recorded_metrics_only() -> None:
    lines = _text(_latency_table(_results()))
    rows = [line.split() for line in lines if "connect" in line]
    # p50 is the top of 2 ms's bucket (1,999,872..2,000,895 ns), as HdrHistogram
    # reports; p99 and max are capped at the exact maximum
    assert rows == [
        ["c1[0]->s1", "connect", "3", "1.000", "2.001", "3.000", "3.000", "3.000"],
        ["total", "connect", "3", "1.000", "2.001", "3.000", "3.000", "3.000"],
    ]
    assert len(_rows(lines)) == 2  # nothing else was recorded (txn, tls, conn)


def test_server_table_and_error_lines() -> None:
    res = _results()
    rows = [line.split() for line in _text(_server_table(res)) if "  s1 " in line]
    assert rows == [["s1", "3", "3", "3", "0", "3", "0", "3000", "6000"]]
    assert _errors(res) == [
        "client c1[0]->s1: refused x1",
        "client c2[0]->s1: connect_timeout x1",
        "host s2: server worker s2 exited unexpectedly (exit status 1); "
        "its counts are the last it reported",
        "impairment c1 egress: 7 packets dropped",
    ]


def test_live_progress_follows_each_entry() -> None:
    live = _Live(Console(file=io.StringIO(), width=120))
    res = _results()
    live.update(res)
    tasks = {t.description: t for t in live.progress.tasks}
    assert set(tasks) == {"c1[0]->s1", "c2[0]->s1"}
    first = tasks["c1[0]->s1"]
    assert (first.total, first.completed) == (4, 4)  # 3 completed + 1 failed
    assert first.fields["detail"] == "     2.0 conn/s failed 1"
    res.clients["c2[0]->s1"].on_attempt(20)
    live.update(res)
    assert len(live.progress.tasks) == 2
    assert tasks["c2[0]->s1"].completed == 1


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    err = io.StringIO()
    _report(
        _results(), json_out=JsonTarget(None), console=Console(file=err), stop_s=0.1
    )
    printed = capsys.readouterr().out
    assert printed == json.dumps(_results().to_dict(), indent=2) + "\n"
    assert err.getvalue() == ""  # nothing but the JSON, and no "cleaned up" line
    out = json.loads(printed)
    assert out["total"]["completed"] == 3
    assert out["total"]["errors"] == {"connect_timeout": 1, "refused": 1}
    assert out["clients"][0]["latency"]["connect"]["p99_ms"] == 3.0
    assert out["clients"][0]["peak_concurrent"] == 4
    assert out["servers"][0]["sni_ok"] == 3
    assert out["worker_errors"] == {
        "s2": "server worker s2 exited unexpectedly (exit status 1)"
    }
    assert out["impairment_drops"] == {"c1": {"egress": 7}}


def test_json_file_report_keeps_the_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.json"
    printed, errs = [], []
    for target in (JsonTarget(None), None, JsonTarget(path)):
        err = io.StringIO()
        _report(_results(), json_out=target, console=Console(file=err), stop_s=0.1)
        printed.append(capsys.readouterr().out)
        errs.append(err.getvalue())
    only_json, without, with_file = printed
    assert path.read_text() == only_json
    assert "app traffic: clients (base)" in without.splitlines()[0]
    assert with_file == without  # the same tables as without --json
    assert errs == ["", "cleaned up in 0.1 s\n", "cleaned up in 0.1 s\n"]
