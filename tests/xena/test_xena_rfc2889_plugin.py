"""Xena's own RFC 2889 suite (xoa-core 2.0.8 + plugin2889 v2.0.4, vendored under
tests/peers, with xoa-driver 2.9.3 in .venv-xoarfc) run headless against the daemon.

The DUT is a learning switch: one Linux bridge between the four ports
(``--dut switch``), its egress to port 1 shaped to 20 Mbit/s by the kernel's token
bucket. Every test type runs on it with 1518-byte frames, and what the suite reports
is checked against what that DUT must do:

- throughput, forwarding and maximum forwarding rate from port 0 to the shaped port
  1: the shaper's rate;
- congestion control (port 0 sends to ports 2 and 1, port 3 to port 1): port 1
  loses, port 2 receives everything (a bridge has no head-of-line blocking);
- forward pressure (port 2 to 3 with a 16-byte gap): the frames of the shorter gap,
  all forwarded;
- errored frames (port 2 to 3): what the bridge receives it forwards (it polices
  no frame size); no frame with a bad FCS can be sent (a veth frame has none), and
  the undersized frames leave padded to 64 bytes, as from a NIC;
- broadcast forwarding (port 0 to 1, 2, 3): the shaped port bounds the rate;
- address caching capacity and learning rate (ports 3, 2, 0) with the bridge's table
  limited to 50 learned addresses (``fdb_max_learned``): 49 addresses besides the
  test port's own, learned at 10 000 frames/s.

The plugin's rates are % of ``rate_fraction`` (its own rate definition), here 5 %
of the 1 Gbit/s line: "100 %" is 50 Mbit/s, what two sources can send at once.
Its fixed waits are shortened (``DELAYS``): the DUT holds at most 60 ms of frames.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from rfc2889_plugin_config import (  # type: ignore[import-not-found]
    address_caching_capacity,
    address_learning_rate,
    broadcast_forwarding,
    congestion_control,
    errored_frames_filtering,
    forward_pressure,
    max_forwarding_rate,
    plugin2889_config,
    rate_test,
    xoa_tester_id,
)
from rfc_suite import run_rfc_suite  # type: ignore[import-not-found]
from xena_bed import (  # type: ignore[import-not-found]
    LINE_BPS,
    SHAPER_BPS,
    daemon_process,
    frames_in,
    shaper_bounds,
)

pytestmark = [pytest.mark.netns, pytest.mark.slow, pytest.mark.compat]

HERE = Path(__file__).resolve().parent
PORTS = [[0, 0], [0, 1], [1, 0], [1, 1]]
SIZE = 1518
FRACTION = 5  # % of the line the plugin's 100 % stands for
SEARCH = {"initial": 50, "min": 30, "max": 50, "resolution": 10}
FDB_LIMIT = 50
DELAYS = {
    "DELAY_WAIT_TRAFFIC_STOP": 0.5, "DELAY_LEARNING_MAC": 0.1,
    "DELAY_LEARNING_ADDRESS": 0.1, "DELAY_CREATE_PORT_PAIR": 0.1,
    "DELAY_WAIT_RESET_PORT": 0.2, "DELAY_WAIT_RESET_STATS": 0.1,
    "INTERVAL_CHECK_PORT_SYNC": 0.1,
}  # fmt: skip
TOGGLE = {"toggle_sync_state": True, "sync_off_duration": 0, "sync_on_duration": 0}


@pytest.fixture(scope="module")
def switch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("xena-2889")
    cfg = {"dut": "switch", "impair": f"rate={SHAPER_BPS // 1_000_000}mbit"}
    yield from daemon_process(cfg, tmp / "daemon.log")


def _run_suite(daemon: dict[str, Any], tmp: Path, tests: dict[str, Any]) -> dict:
    config = plugin2889_config(
        xoa_tester_id("127.0.0.1", daemon["xoa"]),
        [(m, p) for m, p in PORTS],
        frame_sizes=[SIZE],
        tests=tests,
        rate_fraction_pct=FRACTION,
    )
    return run_rfc_suite(
        daemon, tmp, "RFC-2889", config, ports=PORTS, timeout_s=240,
        delays={"plugin2889.const": DELAYS},
    )  # fmt: skip


def _finals(out: dict, test_type: str) -> list[dict]:
    return [f for f in out["finals"] if f["test_type"] == test_type]


def _port(final: dict, i: int) -> dict:
    """The statistics of port ``i`` (of PORTS) in a result."""
    m, p = PORTS[i]
    (stats,) = (v for k, v in final["ports"].items() if k.endswith(f"-{m}-{p}"))
    return dict(stats)


def _limit(
    pct: float | Fraction, size: int = SIZE, gap: int = 20, seconds: int = 1
) -> int:
    """A stream's packet limit as the plugin sets it: its rate (``pct`` of the
    plugin's 100 %) for the trial's duration, whole frames."""
    line = Fraction(LINE_BPS) * FRACTION / 100 * Fraction(pct) / 100
    return math.floor(line / ((size + gap) * 8) * seconds)


def _shaped(frames: int, slack_s: float = 0.0) -> None:
    """Frames through the shaper in a trial of 1 s: its rate, up to its bucket
    and queue (``slack_s``: sources that start that far apart keep its queue
    full for longer)."""
    low, high = (
        pct * LINE_BPS / 100 / ((SIZE + 20) * 8) for pct in shaper_bounds(SIZE)
    )
    high += slack_s * SHAPER_BPS / 8 / (SIZE - 4)
    assert low <= frames <= high, (low, frames, high)


def test_xenas_rfc2889_suite_on_a_shaped_switch(switch, tmp_path) -> None:
    out = _run_suite(switch, tmp_path, {
        "rate_test": rate_test(0, 1, throughput=SEARCH, forwarding=(20, 60, 40)),
        "congestion_control": congestion_control(0, 3, 2, 1),
        "forward_pressure": forward_pressure(2, 3, ifg_delta=4),
        "max_forwarding_rate": max_forwarding_rate(0, 1, (60, 60, 10)),
        "errored_frames_filtering": errored_frames_filtering(
            2, 3, (20, 20, 10), max_frame=1500, oversize_span=18, duration_s=2,
        ),
        "broadcast_forwarding": broadcast_forwarding(0, [1, 2, 3], SEARCH),
    })  # fmt: skip
    # throughput: 50 % (2.5 % of line) loses at the shaper, 40 % (2.0 %, just under
    # its 2.03 % at 1518 bytes) does not; forwarding rate: 20 % gets through
    # whole, 60 % at the shaper's rate
    rate = {float(f["rate"]): f for f in _finals(out, "rate_test")}
    assert sorted(rate) == [20.0, 40.0, 50.0, 60.0]
    for pct, ok in ((20, True), (40, True), (50, False), (60, False)):
        tx, rx = _port(rate[pct], 0)["tx_packet"], _port(rate[pct], 1)["rx_packet"]
        assert tx == _limit(pct)
        assert rate[pct]["status"] == ("success" if ok else "fail")
        if ok:
            assert rx == tx
        else:
            _shaped(rx)
    (mfr,) = _finals(out, "max_forwarding_rate")
    assert _port(mfr, 0)["tx_packet"] == _limit(60)
    _shaped(_port(mfr, 1)["rx_packet"])
    assert _port(mfr, 1)["rx_pps"] == _port(mfr, 1)["rx_packet"]  # frames/1 s
    # congestion: a 1 s time limit, port 0 at 2 x 2.5 %, port 3 at 5 % of line
    (cc,) = _finals(out, "congestion_control")
    assert cc["status"] == "success"
    assert _port(cc, 0)["tx_packet"] == 2 * frames_in(2.5, SIZE)
    assert _port(cc, 3)["tx_packet"] == frames_in(5.0, SIZE)
    assert cc["extra"]["uncongested"]["tx_packet"] == frames_in(2.5, SIZE)
    assert cc["extra"]["uncongested"]["rx_packet"] == frames_in(2.5, SIZE)
    assert _port(cc, 2)["rx_packet"] == frames_in(2.5, SIZE)
    congested = cc["extra"]["congested"]
    assert congested["tx_packet"] == frames_in(2.5, SIZE) + frames_in(5.0, SIZE)
    _shaped(congested["rx_packet"], slack_s=0.1)
    # forward pressure: 5 % of line at a 16-byte gap (4074 frames; 4063 at 20),
    # all forwarded; well under the line, so it passes
    (fp,) = _finals(out, "forward_pressure")
    assert _port(fp, 2)["tx_packet"] == _limit(100, gap=16) == 4074
    assert _port(fp, 3)["rx_packet"] == _limit(100, gap=16)
    assert fp["status"] == "success"
    assert fp["extra"]["tx_util"] == pytest.approx(4074 * (SIZE + 20) * 8 / 1e7)
    # errored frames: 1 % of line for 2 s over three streams, each at its mean
    # size (62, 782 and 1510 bytes), every one forwarded; no FCS error sent (the
    # plugin's verdict is FAIL whatever the counts: it checks "valid >= 0")
    (ef,) = _finals(out, "errored_frames_filtering")
    streams = {s["name"]: (s["tx"], s["rx"]) for s in ef["extra"]["streams"]}
    expected = {
        name: _limit(Fraction(20, 3), size, seconds=2)
        for name, size in (("UNDER_SIZE", 62), ("VALID", 782), ("OVER_SIZE", 1510))
    }
    assert streams == {name: (n, n) for name, n in expected.items()}
    assert (ef["extra"]["fcs_tx"], ef["extra"]["fcs_rx"]) == (0, 0)
    assert "PS_INJECTFCSERR: NOTSUPPORTED: a frame on a veth has no FCS" in (
        switch["log"].read_text()
    )
    # broadcast: every port receives each frame at 40 %; at 50 % port 1 loses
    bcast = {float(f["rate"]): f for f in _finals(out, "broadcast_forwarding")}
    assert sorted(bcast) == [40.0, 50.0]
    assert (bcast[40.0]["status"], bcast[50.0]["status"]) == ("success", "fail")
    assert [_port(bcast[40.0], i)["rx_packet"] for i in (1, 2, 3)] == [_limit(40)] * 3
    assert [_port(bcast[50.0], i)["rx_packet"] for i in (2, 3)] == [_limit(50)] * 2
    _shaped(_port(bcast[50.0], 1)["rx_packet"])
    assert out["awaited_payloads"] >= 1  # congestion control's results


def _fdb(daemon: dict[str, Any], *limit: int) -> dict[str, int]:
    ns = ["ip", "netns", "exec", daemon["dut_netns"]]
    argv = [*ns, sys.executable, str(HERE / "bridge_fdb.py"), "br0", *map(str, limit)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=30)
    result: dict[str, int] = json.loads(proc.stdout)
    return result


def test_xenas_rfc2889_address_tests_find_the_bridges_table_size(switch, tmp_path):
    """Toggle-sync (P_TXENABLE off and on) flushes the bridge's table before each
    trial; the test port's own address takes one of the 50 places."""
    assert _fdb(switch, FDB_LIMIT)["max_learned"] == FDB_LIMIT
    try:
        out = _run_suite(switch, tmp_path, {
            "address_caching_capacity": {
                **address_caching_capacity(
                    3, 2, 0, {"initial": 50, "min": 48, "max": 50, "resolution": 1},
                ),
                **TOGGLE,
            },
            "address_learning_rate": {
                **address_learning_rate(
                    3, 2, 0, (1, 1, 1),
                    {"initial": 100, "min": 50, "max": 100, "resolution": 50},
                    learning_rate_fps=10_000,
                ),
                **TOGGLE,
                "only_use_capacity": True,
            },
        })  # fmt: skip
        table = _fdb(switch)
    finally:
        _fdb(switch, 0)
    assert table == {"learned": FDB_LIMIT, "max_learned": FDB_LIMIT}
    trials = [
        (f["test_type"], f["status"], _port(f, 3)["tx_packet"],
         _port(f, 2)["rx_packet"], _port(f, 0)["rx_packet"])
        for f in out["finals"]
    ]  # fmt: skip
    # (test, verdict, addresses the test port sent to, received by the learning
    # port, flooded to the monitoring port): the 50th address was not learned
    assert trials == [
        ("address_caching_capacity", "fail", 50, 50, 1),
        ("address_caching_capacity", "success", 49, 49, 0),
        ("address_learning_rate", "success", 49, 49, 0),
    ]
