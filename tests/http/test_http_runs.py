"""What the daemon does for the page beyond counters: an RFC 2544 suite posted to
it runs on its own ports under its owner, with progress while it runs and the
results and report after; captures (any front end's) listed with their counts
and downloaded byte for byte."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_bed import (  # type: ignore[import-not-found]
    TOKEN,
    burst_stream,
    get,
    http_daemon,
    request,
    send_burst,
)

from wirespeed.server.daemon import Daemon
from wirespeed.server.http import HttpServer

pytestmark = [pytest.mark.netns]

SUITE = b"""
pairs: [{tx: 0, rx: 1}]
frame_sizes: [512]
trial_duration: 0.5
wait: 0.2
learning: {enabled: false}
throughput: {initial: 5, min: 1, max: 5, resolution: 1}
latency: {enabled: false}
frame_loss: {rates: [2, 1]}
"""


@pytest.fixture(scope="module")
def bed() -> Iterator[tuple[Daemon, HttpServer]]:
    with http_daemon() as pair:
        yield pair


def _post_yaml(server: HttpServer, body: bytes, owner: str) -> tuple[int, dict]:
    import json
    import urllib.error

    req = urllib.request.Request(
        server.url + f"api/rfc2544?owner={owner}", data=body, method="POST"
    )
    req.add_header("Content-Type", "application/yaml")
    req.add_header("Authorization", f"Bearer {TOKEN}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_an_rfc2544_suite_runs_on_the_daemons_ports(
    bed: tuple[Daemon, HttpServer],
) -> None:
    daemon, server = bed
    assert daemon.tester is not None
    status, run = _post_yaml(server, SUITE, "dora")
    assert status == 201, run
    assert (run["id"], run["owner"], run["ports"], run["state"]) == (
        1,
        "dora",
        [0, 1],
        "running",
    )
    # its ports are the run's owner's while it runs
    assert get(server, "/api/ports/0")[1]["owner"] == "dora"
    assert request(server, "POST", "/api/ports/0/stop", {"owner": "eve"}, TOKEN) == (
        409,
        {"error": "port 0 is owned by dora", "field": None},
    )
    assert _post_yaml(server, SUITE, "eve") == (
        409,
        {"error": "port 0 is owned by dora", "field": None},
    )
    seen = set()
    deadline = time.monotonic() + 60
    while (run := get(server, "/api/rfc2544/1")[1])["state"] == "running":
        seen.add(run["progress"]["done"])
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert run["state"] == "done", run["error"]
    assert run["progress"]["done"] == run["progress"]["planned"] == 3
    assert run["last_trial"]["test"] == "frame_loss"
    (tp,) = run["results"]["throughput"]
    assert tp["rate_pct"] == 5
    (loss,) = run["results"]["frame_loss"]
    assert [(p["rate_pct"], p["tx"] - p["rx"]) for p in loss["points"]] == [
        (2, 0),
        (1, 0),
    ]
    assert len(seen) >= 2  # progress was visible while it ran
    assert [r["id"] for r in get(server, "/api/rfc2544")[1]] == [1]
    assert "results" not in get(server, "/api/rfc2544")[1][0]
    with urllib.request.urlopen(server.url + "api/rfc2544/1/report.html") as r:
        assert r.headers["Content-Type"].startswith("text/html")
        assert b"RFC 2544" in r.read()
    # released at the end
    assert [p["owner"] for p in get(server, "/api/chassis")[1]["ports"]] == [None, None]


def test_captures_are_listed_and_downloaded(
    bed: tuple[Daemon, HttpServer], tmp_path: Path
) -> None:
    daemon, server = bed
    t = daemon.tester
    assert t is not None
    cid = t.services.start_capture(1, filter="udp dst port 9", rx=True, tx=False)
    send_burst(t, 0, burst_stream(250, 10_000, 31, size=200))
    t.services.stop_capture(cid)
    status, caps = get(server, "/api/captures")
    assert status == 200
    (cap,) = [c for c in caps if c["id"] == cid]
    assert (cap["port"], cap["active"], cap["frames"], cap["missed"]) == (
        1,
        False,
        250,
        0,
    )
    with urllib.request.urlopen(server.url + f"api/captures/{cid}") as r:
        assert r.headers["Content-Type"] == "application/octet-stream"
        data = r.read()
    path = tmp_path / cap["file"]
    path.write_bytes(data)
    out = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields",
         "-e", "frame.len", "-e", "udp.dstport"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    # 200 B on the wire = 196 captured (no FCS)
    assert [line for line in out if line] == ["196\t9"] * 250
    t.services.remove_capture(cid)
    assert get(server, f"/api/captures/{cid}")[0] == 404
