"""Headless Chromium for the tests of wirespeed's pages (importable from every test
folder: ``tests`` is on the path, as the folder of the root ``conftest.py``).

:func:`chromium` finds the browser and :func:`artifact_dir` says where screenshots
go (the live dashboard's tests drive it over DevTools, ``tests/http/cdp.py``).
:func:`open_report` opens a self-contained report from ``file://`` with the network
cut off (a proxy that does not exist, on top of the page's own policy that loads
nothing); the page's script runs and the DOM says what was drawn (every plot records
the points per series uPlot drew, ``plots.js``).

Needs Debian's ``chromium`` (``scripts/bootstrap.sh --test`` installs it); skipped
without it, except in CI (``CI=true``), where it must run.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

__all__ = [
    "Drawn",
    "artifact_dir",
    "assert_drew",
    "chromium",
    "open_report",
    "png_size",
]


def chromium() -> str:
    """The browser's path (skips, or fails in CI, without one)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path is not None:
            return path
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail("chromium is not installed (scripts/bootstrap.sh --test does it)")
    pytest.skip("chromium is not installed (scripts/bootstrap.sh --test does it)")


def artifact_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``$WIRESPEED_ARTIFACTS`` (kept after the run) or
    the test's own temporary folder."""
    where = os.environ.get("WIRESPEED_ARTIFACTS")
    path = Path(where) if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Parser(HTMLParser):
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


@dataclass(frozen=True)
class Drawn:
    """What the page drew, read from its DOM after the script ran.

    Attributes:
        body: the body's attributes (``data-plots``: how many plots drew).
        plots: each plot's id -> its points per series, comma-separated.
        errors: the errors plots recorded.
        canvases: the canvases on the page.
        screenshot: the PNG of the window.
    """

    body: dict[str, str | None]
    plots: dict[str, str | None]
    errors: list[str | None]
    canvases: int
    screenshot: Path


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def open_report(report: Path, window: tuple[int, int], shot: Path) -> Drawn:
    """Open ``report`` in a ``window``-sized headless browser; its DOM after the
    script ran, and a screenshot written to ``shot``."""
    browser = chromium()
    res = subprocess.run(
        [
            browser, "--headless", "--disable-gpu", "--no-sandbox",
            "--no-first-run", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            f"--user-data-dir={report.parent / 'browser-profile'}",
            "--virtual-time-budget=5000",
            f"--window-size={window[0]},{window[1]}",
            f"--screenshot={shot}", "--dump-dom", report.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    print(f"screenshot of the report: {shot}")
    dom = _Parser()
    dom.feed(res.stdout)
    return Drawn(dom.body, dom.plots, dom.errors, dom.canvases, shot)


def assert_drew(drawn: Drawn, points: dict[str, str], window: tuple[int, int]) -> None:
    """Every plot drew, with these ``points`` per series (plot id -> e.g. "6,6"),
    none failed, and the screenshot is of the whole window."""
    assert drawn.errors == []
    assert "data-errors" not in drawn.body
    assert drawn.body.get("data-plots") == str(len(points))
    assert drawn.plots == points
    assert drawn.canvases == len(points)
    assert png_size(drawn.screenshot) == window
