"""``wirespeed rfc2544`` and ``rfc2544-report``: what the CLI does with results of
schema 1 (the run itself is replaced by the fixed sample; no root, no traffic), and
the live progress on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from wirespeed.cli.main import cli
from wirespeed.cli.rfc2544 import LiveProgress, describe
from wirespeed.rfc2544 import Trial
from wirespeed.rfc2544_report import load_results, render_html, write_csv
from wirespeed.rfc2544_suite import SuiteModel, TrialEvent

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "rfc2544_result_v1.json"
EVENTS = [
    TrialEvent("throughput", 0, 1, 64, Trial(100.0, 1488095, 273447, 38.304), 1, 40),
    TrialEvent("frame_loss", 0, 1, "imix", Trial(5.0, 16368, 16368, 5.0), 2, 40),
]


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """``run_suite`` returns the sample; records whether it got a progress view."""
    calls: list[bool] = []

    def run_suite(
        model: SuiteModel, base: Path | None = None, progress: Any = None
    ) -> dict[str, Any]:
        calls.append(progress is not None)
        return load_results(SAMPLE)

    monkeypatch.setattr("wirespeed.rfc2544_suite.run_suite", run_suite)
    return calls


def test_describe_names_the_test_size_rate_and_loss() -> None:
    assert describe(EVENTS[0]) == (
        "throughput 64 B 0→1: 100.000 % (sent 38.304 %), tx 1488095 rx 273447, "
        "loss 81.624 %"
    )
    assert describe(EVENTS[1]) == (
        "frame_loss imix B 0→1: 5.000 % (sent 5.000 %), tx 16368 rx 16368, loss 0.000 %"
    )


def test_live_progress_shows_done_of_planned_and_the_last_trial() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    with LiveProgress(console) as live:
        for ev in EVENTS:
            live(ev)
    text = out.getvalue()
    assert "2/40" in text
    assert describe(EVENTS[1]) in text


def test_the_run_prints_tables_and_writes_every_file(
    fake_run: list[bool], tmp_path: Path
) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text("pairs: [{tx: 0, rx: 1}]\n")
    paths = {ext: tmp_path / f"r.{ext}" for ext in ("json", "csv", "html")}
    res = _invoke(
        "rfc2544",
        str(suite),
        *(x for ext, p in paths.items() for x in (f"--{ext}", str(p))),
    )
    assert res.exit_code == 0, res.output
    assert fake_run == [False]  # not a terminal: no live view, tables only
    results = load_results(SAMPLE)
    assert json.loads(paths["json"].read_text()) == results
    assert paths["html"].read_text() == render_html(results)
    write_csv(results, tmp_path / "expected.csv")
    assert paths["csv"].read_text() == (tmp_path / "expected.csv").read_text()
    assert res.stderr.startswith(
        "RFC 2544: wirespeed 0.1.0, flows 0→1, DUT bridge (rate=50mbit)\n"
    )
    for title in (
        "Throughput",
        "Latency and jitter (µs)",
        "Frame loss",
        "Back-to-back",
    ):
        assert title in res.stderr
    assert "DUT: shaper_sent_packets 2983137, shaper_drops 8720115" in res.stderr


def test_the_report_command_reads_saved_results(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    res = _invoke("rfc2544-report", str(SAMPLE), "--html", str(html))
    assert res.exit_code == 0, res.output
    assert html.read_text() == render_html(load_results(SAMPLE))
    assert "  1518          4.783      3,887      47.826      47.204 " in res.stderr


def test_the_report_command_names_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"pairs": []}')
    res = CliRunner().invoke(cli, ["rfc2544-report", str(bad)])
    assert res.exit_code == 1
    assert "schema: " in res.stderr
    res = CliRunner().invoke(
        cli, ["rfc2544-report", str(SAMPLE), "--csv", str(tmp_path / "no" / "r.csv")]
    )
    assert res.exit_code == 2
    assert "Invalid value for '--csv': no directory" in res.stderr
