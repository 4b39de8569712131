"""The RFC 2544 HTML report in a real browser: headless Chromium opens it from
``file://`` with the network cut off (a proxy that does not exist, on top of the
page's own policy that loads nothing), runs its script, and the DOM says what was
drawn: every plot, with the sample's number of points per series.

Needs Debian's ``chromium`` (``scripts/bootstrap.sh --test`` installs it); skipped
without it, except in CI (``CI=true``), where it must run.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

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


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path is not None:
            return path
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail("chromium is not installed (scripts/bootstrap.sh --test does it)")
    pytest.skip("chromium is not installed (scripts/bootstrap.sh --test does it)")


class _Drawn(HTMLParser):
    """The body's attributes, each plot's ``data-points``, the canvases."""

    def __init__(self) -> None:
        super().__init__()
        self.body: dict[str, str | None] = {}
        self.plots: dict[str, str | None] = {}
        self.errors: list[str | None] = []
        self.canvases = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.body = a
        elif tag == "canvas":
            self.canvases += 1
        elif a.get("class") == "plot":
            self.plots[str(a["id"])] = a.get("data-points")
            if "data-error" in a:
                self.errors.append(a["data-error"])


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_report_draws_every_plot_offline(tmp_path: Path) -> None:
    browser = _chromium()
    report = tmp_path / "rfc2544_report.html"
    write_html(load_results(SAMPLE), report)
    shot = tmp_path / "rfc2544_report.png"
    res = subprocess.run(
        [
            browser, "--headless", "--disable-gpu", "--no-sandbox",
            "--no-first-run", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--screenshot={shot}", "--dump-dom", report.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    print(f"screenshot of the report: {shot}")
    dom = _Drawn()
    dom.feed(res.stdout)
    assert dom.errors == []
    assert "data-errors" not in dom.body
    assert dom.body.get("data-plots") == "10"
    assert dom.plots == DRAWN
    assert dom.canvases == 10
    assert _png_size(shot) == WINDOW
