"""The report of ``wirespeed run`` in a real browser (:mod:`browser`): headless
Chromium opens it offline, runs its script, and the DOM says what was drawn: every
plot of the sample run (``tests/data/run_results.json``, see
``tests/unit/test_run_report.py``), with its number of points per series."""

from __future__ import annotations

from pathlib import Path

from browser import artifact_dir, assert_drew, open_report
from wirespeed.run_report import load_results, write_html

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "run_results.json"
WINDOW = (1280, 3200)
# 6 samples; the TIDs have no value in the first (no frame yet); the histograms
# from the first to the last bucket that holds a frame
DRAWN = {
    "plot-port-0-fps": "6,6",
    "plot-port-0-mbps": "6,6",
    "plot-port-1-fps": "6,6",
    "plot-port-1-mbps": "6,6",
    "plot-streams-fps": "6,6",
    "plot-streams-mbps": "6,6",
    "plot-tids-fps": "5,5",
    "plot-latency-0-1": "5,5,5",
    "plot-histogram-0-1": "21",
    "plot-latency-1-0": "5,5,5",
    "plot-histogram-1-0": "15",
}


def test_the_run_report_draws_every_plot_offline(tmp_path: Path) -> None:
    report = tmp_path / "run_report.html"
    write_html(load_results(SAMPLE), report)
    shot = artifact_dir(tmp_path) / "run_report.png"
    assert_drew(open_report(report, WINDOW, shot), DRAWN, WINDOW)
