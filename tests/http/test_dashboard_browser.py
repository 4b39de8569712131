"""The dashboard in a real browser: headless Chromium loads the daemon's page
(every script from the daemon; nothing else is reachable), the live socket fills
it, and the numbers it shows for ports, streams and TIDs are the API's — exact
counts of a finished burst, digit for digit. A screenshot is kept."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cdp import artifact_dir, browser_page  # type: ignore[import-not-found]
from http_bed import (  # type: ignore[import-not-found]
    TOKEN,
    burst_stream,
    get,
    http_daemon,
    send_burst,
)

from wirespeed.server.daemon import Daemon
from wirespeed.server.http import HttpServer

pytestmark = [pytest.mark.netns, pytest.mark.slow]

N0, N1 = 3000, 1200
COUNTERS = ("tx_packets", "rx_packets", "tx_bytes", "rx_bytes",
            "tx_errors", "rx_tpld_errors", "rx_dropped_by_tester")  # fmt: skip

CELLS = """JSON.stringify([...document.querySelectorAll('#%s tbody tr')].map(r => ({
  row: Object.assign({}, r.dataset),
  cells: Object.fromEntries([...r.querySelectorAll('td[data-field]')].map(
    c => [c.dataset.field, [c.dataset.value ?? null, c.textContent]]))})))"""


@pytest.fixture(scope="module")
def bed() -> Iterator[tuple[Daemon, HttpServer]]:
    with http_daemon() as (daemon, server):
        t = daemon.tester
        assert t is not None
        send_burst(t, 0, burst_stream(N0, 30_000, 21, size=256))
        send_burst(t, 1, burst_stream(N1, 30_000, 22, size=1000))
        yield daemon, server


def _fmt(n: int) -> str:
    return f"{n:,}"


async def _read(url: str, shot: Path, token: str | None = None) -> dict[str, Any]:
    import json

    async with browser_page(url) as page:
        await page.wait_for("document.body.dataset.ready === '1'")
        # two live updates after the history: the page follows the socket
        await page.wait_for("Number(document.body.dataset.updates) >= 3")
        out = {
            t: json.loads(await page.eval(CELLS % t))
            for t in ("ports", "streams", "tids")
        }
        out["charts"] = await page.eval(
            "Object.fromEntries([...document.querySelectorAll('.chart')].map("
            "c => [c.id, c.dataset.points ?? null]))"
        )
        out["canvases"] = await page.eval("document.querySelectorAll('canvas').length")
        out["conn"] = await page.eval("document.getElementById('conn').textContent")
        await page.screenshot(shot)
    return out


def test_the_dashboard_shows_the_apis_numbers(
    bed: tuple[Daemon, HttpServer], tmp_path: Path
) -> None:
    _, server = bed
    shot = artifact_dir(tmp_path) / "dashboard.png"
    page = asyncio.run(_read(server.url, shot))
    print(f"screenshot of the dashboard: {shot}")
    assert shot.stat().st_size > 10_000
    assert page["conn"] == "live"
    _, snap = get(server, "/api/snapshot")
    # ports: every counter the page shows equals the API's, value and text
    assert [r["row"]["port"] for r in page["ports"]] == ["0", "1"]
    for row, api in zip(page["ports"], snap["ports"], strict=True):
        c = api["counters"]
        for field in COUNTERS:
            assert row["cells"][field] == [str(c[field]), _fmt(c[field])], field
        assert row["cells"]["state"][0] == api["state"]
    assert page["ports"][0]["cells"]["tx_packets"] == ["3000", "3,000"]
    assert page["ports"][1]["cells"]["rx_packets"] == ["3000", "3,000"]
    assert page["ports"][1]["cells"]["tx_bytes"] == ["1200000", "1,200,000"]
    # streams
    assert [(r["row"]["port"], r["cells"]["packets"]) for r in page["streams"]] == [
        ("0", ["3000", "3,000"]),
        ("1", ["1200", "1,200"]),
    ]
    # TIDs: counts and latency exactly as the API has them
    tids = {(r["row"]["port"], r["row"]["tid"]): r["cells"] for r in page["tids"]}
    assert set(tids) == {("1", "21"), ("0", "22")}
    for api in snap["ports"]:
        for t in api["tids"]:
            cells = tids[(str(api["index"]), str(t["tid"]))]
            assert cells["packets"] == [str(t["packets"]), _fmt(t["packets"])]
            for f in ("lost", "misordered", "duplicates", "payload_errors"):
                assert cells[f] == [str(t[f]), _fmt(t[f])]
            assert cells["latency_min_ns"][0] == str(t["latency"]["min_ns"])
            assert cells["latency_max_ns"][0] == str(t["latency"]["max_ns"])
            assert float(cells["latency_avg_ns"][0]) == t["latency"]["avg_ns"]
            assert cells["latency_max_ns"][1] == f"{t['latency']['max_ns'] / 1e3:.2f}"
    assert tids[("1", "21")]["packets"][0] == "3000"
    assert tids[("0", "22")]["packets"][0] == "1200"
    # every chart drew: 2 ports × TX/RX, 2 streams, min/avg/max, the histogram
    charts = page["charts"]
    assert set(charts) == {"chart-fps", "chart-mbps", "chart-streams",
                           "chart-latency", "chart-histogram"}  # fmt: skip
    n = int(charts["chart-fps"].split(",")[0])
    assert n >= 3
    assert charts["chart-fps"] == ",".join([str(n)] * 4)
    assert charts["chart-streams"] == f"{n},{n}"
    assert int(charts["chart-histogram"]) >= 1
    assert page["canvases"] == 5


def test_the_page_loads_nothing_from_outside(bed: tuple[Daemon, HttpServer]) -> None:
    import urllib.request

    _, server = bed
    with urllib.request.urlopen(server.url, timeout=10) as r:
        html = r.read().decode()
        csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "http" not in html.replace("http-equiv", "")  # no outside URL at all
    for asset in ("uPlot.min.js", "uPlot.min.css", "dashboard.js", "dashboard.css"):
        with urllib.request.urlopen(server.url + "assets/" + asset, timeout=10) as r:
            assert r.status == 200
    assert TOKEN not in html


async def _live_rate(url: str, shot: Path) -> float:
    async with browser_page(url) as page:
        await page.wait_for("document.body.dataset.ready === '1'")
        rate = await page.wait_for(
            "Number(document.querySelector("
            '\'#ports tr[data-port="0"] td[data-field="tx_pps"]\').dataset.value)',
        )
        await page.wait_for("Number(document.body.dataset.updates) >= 4")
        await page.screenshot(shot)
    return float(rate)


def test_the_dashboard_follows_a_running_port(
    bed: tuple[Daemon, HttpServer], tmp_path: Path
) -> None:
    daemon, server = bed
    t = daemon.tester
    assert t is not None
    t.add_stream(0, 0, burst_stream(200_000, 20_000, 21, size=256))
    t.start_traffic([0])
    try:
        shot = artifact_dir(tmp_path) / "dashboard-live.png"
        rate = asyncio.run(_live_rate(server.url, shot))
        print(f"screenshot of the dashboard while port 0 sends: {shot}")
    finally:
        t.stop_traffic([0])
    assert rate > 0  # the page shows the measured rate while the port sends
