"""``wirespeed run --json --html --csv`` end to end: a profile of bounded bursts
(3 s at 1000 and 500 frames/s) on the embedded test bed; the CSV of the samples
ends with the exact counts the results hold, and the report plots every sample."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.netns

ROOT = Path(__file__).parents[2]
HDR = {
    0: [{"Ether": {"dst": "02:77:73:00:00:02", "src": "02:77:73:00:00:01"}},
        {"IP": {"src": "198.18.0.1", "dst": "198.19.0.1"}},
        {"UDP": {"sport": 1025, "dport": 9}}],
    1: [{"Ether": {"dst": "02:77:73:00:00:01", "src": "02:77:73:00:00:02"}},
        {"IP": {"src": "198.19.0.1", "dst": "198.18.0.1"}},
        {"UDP": {"sport": 1025, "dport": 9}}],
}  # fmt: skip
FRAMES = {0: 3000, 1: 1500}  # at 1000 and 500 frames/s: 3 s each


def _profile() -> dict[str, object]:
    return {
        "testbed": {"modules": 1, "speed": "1G"},
        "duration": 20,  # an upper bound: the bursts end the run
        "cooldown": 0.5,
        "streams": [
            {
                "name": f"from-{port}",
                "port": port,
                "header": HDR[port],
                "rate": {"pps": n // 3},
                "mode": {"type": "single_burst", "total_pkts": n},
                "length": {"type": "fixed", "min": 128},
                "tpld_id": 10 + port,
            }
            for port, n in FRAMES.items()
        ],
    }


def test_the_csv_ends_with_the_exact_counts(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(_profile()))
    out = {ext: tmp_path / f"r.{ext}" for ext in ("json", "csv", "html")}
    res = subprocess.run(
        [sys.executable, "-m", "wirespeed.cli", "run", str(path), "--quiet",
         *(x for ext, p in out.items() for x in (f"--{ext}", str(p)))],
        capture_output=True, text=True, timeout=120, check=False,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    data = json.loads(out["json"].read_text())
    assert [data["ports"][p]["tx_packets"] for p in ("0", "1")] == [3000, 1500]
    assert [data["ports"][p]["rx_packets"] for p in ("0", "1")] == [1500, 3000]
    samples = data["samples"]
    with out["csv"].open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == sum(
        len(s["ports"]) + len(s["streams"]) + len(s["tids"]) for s in samples
    )
    first = [r for r in rows if r["time_s"] == "0.0"]
    assert [(r["object"], r["tx_packets"]) for r in first] == [
        ("port", "0"), ("port", "0"), ("stream", "0"), ("stream", "0"),
    ]  # fmt: skip
    last_time = rows[-1]["time_s"]
    last = [r for r in rows if r["time_s"] == last_time]
    for r in (r for r in last if r["object"] == "port"):
        counts = data["ports"][r["port"]]
        assert int(r["tx_packets"]) == counts["tx_packets"]
        assert int(r["rx_packets"]) == counts["rx_packets"]
    assert sorted((r["port"], r["tid"], r["tx_packets"])
                  for r in last if r["object"] == "stream") == [
        ("0", "10", "3000"), ("1", "11", "1500"),
    ]  # fmt: skip
    assert [s["tx_packets"] for s in data["streams"]] == [3000, 1500]
    tids = {(r["port"], r["tid"]): r for r in last if r["object"] == "tid"}
    assert set(tids) == {("1", "10"), ("0", "11")}
    for s in data["streams"]:
        r = tids[(str(s["rx_port"]), str(s["tpld_id"]))]
        assert int(r["rx_packets"]) == s["rx"]["packets"] == FRAMES[s["port"]]
        assert int(r["lost"]) == s["rx"]["lost"] == 0
    # every object's count only grows from one sample to the next
    by_object: dict[tuple[str, str, str], list[int]] = {}
    for r in rows:
        col = "rx_packets" if r["object"] == "tid" else "tx_packets"
        by_object.setdefault((r["object"], r["port"], r["tid"]), []).append(int(r[col]))
    assert len(by_object) == 6  # 2 ports, 2 streams, 2 TIDs
    for counts in by_object.values():
        assert counts == sorted(counts)
    html = out["html"].read_text()
    m = re.search(r'id="wirespeed-plots">(.*?)</script>', html)
    assert m is not None
    specs = {s["id"]: s for s in json.loads(m.group(1))}
    assert len(specs["plot-port-0-fps"]["x"]) == len(samples)
    hist = specs["plot-histogram-1-10"]["series"][0]["values"]
    assert sum(hist) == 3000  # every frame of TID 10 in the histogram
