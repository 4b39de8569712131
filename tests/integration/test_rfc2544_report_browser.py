"""The RFC 2544 HTML report in a real browser (:mod:`browser`): headless Chromium
opens it offline, runs its script, and the DOM says what was drawn: every plot,
with the sample's number of points per series."""

from __future__ import annotations

from pathlib import Path

from browser import artifact_dir, assert_drew, open_report
from wirespeed.rfc2544_report import load_results, write_html

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "rfc2544_result_v1.json"
WINDOW = (1280, 3600)
# points per series of each plot: 4 frame sizes (64, 512, 1518, imix), 8 bins per
# latency histogram, 7 offered rates per frame size for the loss curves
DRAWN = {
    "plot-throughput-fps": "4",
    "plot-throughput-mbps": "4,4",
    "plot-throughput-pct": "4",
    "plot-latency": "4,4,4",
    "plot-latency-histogram-0": "8",
    "plot-latency-histogram-1": "8",
    "plot-latency-histogram-2": "8",
    "plot-latency-histogram-3": "8",
    "plot-frame-loss": "7,7,7,7",
    "plot-back-to-back": "4",
}


def test_the_report_draws_every_plot_offline(tmp_path: Path) -> None:
    report = tmp_path / "rfc2544_report.html"
    write_html(load_results(SAMPLE), report)
    shot = artifact_dir(tmp_path) / "rfc2544_report.png"
    assert_drew(open_report(report, WINDOW, shot), DRAWN, WINDOW)
