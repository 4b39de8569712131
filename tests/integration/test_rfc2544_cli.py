"""``wirespeed rfc2544 FILE.yaml`` end to end on a DUT of known throughput, and the
suite file's errors."""

from __future__ import annotations

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
    res = subprocess.run(
        [*cmd, "--json", str(out)], capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "RFC 2544: port 0 -> port 1" in res.stderr
    data = json.loads(out.read_text())
    (entry,) = data["pairs"][0]["frame_sizes"]
    # 20 Mbit/s of 1514-byte frames is 2.03 % of 1 Gb/s at L1; a 1 s trial also
    # passes what the bucket and queue hold (up to ~2.17 %)
    assert 1.93 <= entry["throughput_pct"] <= 2.2
    assert entry["tester_limited"] is False
    assert entry["latency_ns"]["min"] > 0
    fl = entry["frame_loss"]
    assert [x["rate_pct"] for x in fl] == [8.0, 1.0]
    assert fl[0]["tx"] - fl[0]["rx"] > 0
    assert fl[1]["tx"] == fl[1]["rx"]
    (b2b,) = entry["back_to_back"]["frames"]
    assert 113 <= b2b <= 128  # bucket + queue: 115.6 frames, plus what drained
    assert data["dut"]["shaper_drops"] > 0


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("pairs: []", "pairs"),
        ("pairs: [{tx: 0}]", "pairs.0.rx"),
        (
            "pairs: [{tx: 0, rx: 1}]\nthroughput: {min: 50, max: 40, initial: 45}",
            "rate.min",
        ),
        ("pairs: [{tx: 0, rx: 1}]\nthroughput: {resolution: 0}", "rate.resolution"),
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
