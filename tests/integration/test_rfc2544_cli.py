"""``wirespeed rfc2544 FILE.yaml`` end to end on a DUT of known throughput, and the
suite file's errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wirespeed.errors import ConfigError
from wirespeed.rfc2544_suite import load_suite

SUITE = """
testbed: {modules: 1, dut: bridge, impair: "rate=20mbit"}
pairs: [{tx: 0, rx: 1}]
frame_sizes: [1518]
trial_duration: 1
wait: 0.3
throughput: {initial: 10, min: 0.5, max: 10, resolution: 0.1}
frame_loss: {rates: [8, 1]}
back_to_back: {min_frames: 10, max_frames: 400, resolution: 2}
"""


@pytest.mark.netns
@pytest.mark.slow
def test_the_cli_runs_every_test_and_writes_json(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE)
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "wirespeed.cli", "rfc2544", str(suite)]
    files = ["--json", str(out), "--csv", str(tmp_path / "r.csv"),
             "--html", str(tmp_path / "r.html")]  # fmt: skip
    res = subprocess.run(
        [*cmd, *files], capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "RFC 2544: wirespeed " in res.stderr
    data = json.loads(out.read_text())
    assert data["schema"] == 1
    (tp,) = data["throughput"]
    assert tp["frame_size"] == 1518
    # 20 Mbit/s of 1514-byte frames is 2.03 % of 1 Gb/s at L1; a 1 s trial also
    # passes what the bucket and queue hold (up to ~2.17 %)
    assert 1.93 <= tp["rate_pct"] <= 2.2
    assert tp["tester_limited"] is False
    (lat,) = data["latency"]
    assert lat["min_ns"] > 0
    (fl,) = data["frame_loss"]
    points = fl["points"]
    assert [x["rate_pct"] for x in points] == [8.0, 1.0]
    assert points[0]["tx"] - points[0]["rx"] > 0
    assert points[1]["tx"] == points[1]["rx"]
    (b2b,) = data["back_to_back"]
    (frames,) = b2b["frames"]
    assert 113 <= frames <= 128  # bucket + queue: 115.6 frames, plus what drained
    assert data["dut_counters"]["shaper_drops"] > 0
    # the views of those results: a CSV row per trial and point, the report
    with (tmp_path / "r.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["test"] for r in rows] == (
        ["throughput"] * len(tp["trials"]) + ["latency"] * len(lat["repetitions"])
        + ["frame_loss"] * 2 + ["back_to_back"]
    )  # fmt: skip
    assert rows[-1]["burst_frames"] == str(frames)
    html = (tmp_path / "r.html").read_text()
    for plot in ("throughput-fps", "latency", "frame-loss", "back-to-back"):
        assert f'<div class="plot" id="plot-{plot}"></div>' in html


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("pairs: []", "pairs"),
        ("pairs: [{tx: 0}]", "pairs.0.rx"),
        (
            "pairs: [{tx: 0, rx: 1}]\nthroughput: {min: 50, max: 40, initial: 45}",
            "throughput.min",
        ),
        (
            "pairs: [{tx: 0, rx: 1}]\nthroughput: {resolution: 0}",
            "throughput.resolution",
        ),
        ("pairs: [{tx: 0, rx: 1}]\ntrial_duration: 0", "trial_duration"),
        ("pairs: [{tx: 0, rx: 1}]\nframe_lost: {rates: [1]}", "frame_lost"),
    ],
)
def test_suite_errors_name_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_suite(path)
    assert err.value.field == field
