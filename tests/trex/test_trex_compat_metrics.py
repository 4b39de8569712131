"""``/metrics`` of a running daemon after the real TRex client's
bursts: the exact frame counts of each finished run, parsed with
prometheus_client's parser, and counters that a client's clear does not move
back."""

from __future__ import annotations

import contextlib
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from trex_bed import TrexBed, trex_python

from wirespeed.server.daemon import Daemon, DaemonOptions
from wirespeed.server.http import HttpServer
from wirespeed.server.trex import TrexRpcServer

pytestmark = [pytest.mark.netns, pytest.mark.compat]

FRAMES = 1000
TID = "5"  # the client's pg_id


@contextlib.contextmanager
def _daemon(tmp: Path) -> Iterator[tuple[TrexBed, str]]:
    """The daemon on the embedded bed with its TRex and HTTP front ends on free
    ports: the bed for the client and the dashboard's URL."""
    python = trex_python()
    if python is None:
        pytest.skip("no lbr-trex-client interpreter (set WIRESPEED_TREX_PYTHON)")
    daemon = Daemon(
        DaemonOptions(
            modules=1,
            front_ends=("trex", "http"),
            ports={"trex": {"rpc_port": 0, "pub_port": 0}, "http": {"port": 0}},
        )
    )
    daemon.start()
    try:
        trex, http = daemon.front_ends["trex"], daemon.front_ends["http"]
        assert isinstance(trex, TrexRpcServer)
        assert isinstance(http, HttpServer)
        log = tmp / "server.log"
        log.write_text("(the daemon runs in the test's process: its log is pytest's)")
        yield TrexBed(python, trex.rpc_port, trex.pub_port, ("", ""), log=log), http.url
    finally:
        daemon.close()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _scrape(url: str) -> Samples:
    with urllib.request.urlopen(url + "metrics", timeout=10) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = resp.read().decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }


def _values(samples: Samples, name: str, **labels: str) -> list[float]:
    """Every sample of ``wirespeed_<name>`` whose labels include ``labels``."""
    want = set(labels.items())
    return [
        v for (n, lab), v in samples.items() if n == "wirespeed_" + name and want <= lab
    ]


def test_metrics_count_each_finished_run(tmp_path: Path) -> None:
    scrapes = []
    with _daemon(tmp_path) as (bed, url):
        proc = subprocess.Popen(
            bed._cmd("flow_metrics", (str(FRAMES),)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            for _ in range(2):
                line = proc.stdout.readline()
                if line.strip() != "READY":
                    break
                scrapes.append(_scrape(url))
                proc.stdin.write("go\n")
                proc.stdin.flush()
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        res = bed._result("flow_metrics", proc.returncode, line + out, err)
    assert len(scrapes) == 2
    # the client's own reading of each run: every frame sent arrived
    assert [r["opackets"] for r in res["runs"]] == [FRAMES, FRAMES]
    assert [r["rx"] for r in res["runs"]] == [FRAMES, FRAMES]
    stream = str(res["stream"])
    for runs, s in enumerate(scrapes, start=1):
        total = runs * FRAMES  # the client cleared between the runs; Prometheus not
        assert _values(s, "port_tx_frames_total", port="0") == [total]
        assert _values(s, "stream_tx_frames_total", port="0") == [total]
        assert _values(s, "stream_tx_frames_total", stream=stream, tid=TID) == [total]
        assert _values(s, "tid_rx_frames_total", port="1", tid=TID) == [total]
        assert _values(s, "tid_rx_bytes_total", port="1", tid=TID) == [total * 64]
        assert _values(s, "tid_lost_frames", port="1", tid=TID) == [0]
        assert _values(s, "tid_latency_seconds_count", port="1", tid=TID) == [total]
        inf = _values(s, "tid_latency_seconds_bucket", port="1", tid=TID, le="+Inf")
        assert inf == [total]
        assert _values(s, "tid_rx_frames_total", port="0") == []
