"""The real XOA clients (both generations) against the XOA server, on a real tester
over the fake data plane.

Each client runs in its own virtual environment (both packages are named
``xoa_driver``): ``WIRESPEED_XOA_PYTHON`` / ``WIRESPEED_XOA2_PYTHON``, else
``<repo>/.venv-xoa`` / ``.venv-xoa2``, else ``/work/venv-xoa`` / ``venv-xoa2``.
The counters are what the test says the wire did; the real data plane is covered in
tests/xena.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from xena_env import sent  # type: ignore[import-not-found]

from wirespeed.dataplane.messages import ClearRx, StartJob, TxCommand
from wirespeed.model import ModeKind, Rate, RateUnit, TxMode
from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.profile import ChassisProfile
from wirespeed.server.xena.xoa import XoaServer

pytestmark = pytest.mark.compat

REPO = Path(__file__).resolve().parents[3]
CLIENTS = REPO / "tests" / "xena" / "clients"


def client_python(env: str, venv: str) -> str:
    """The interpreter of a client's venv, or skip the test saying why."""
    for cand in (
        os.environ.get(env),
        REPO / venv / "bin/python",
        f"/work/{venv[1:]}/bin/python",
    ):
        if cand and Path(cand).is_file():
            return str(cand)
    pytest.skip(f"no {venv} (set {env} or run scripts/bootstrap.sh --test)")


def run_client(python: str, script: str, cfg: dict) -> dict:
    proc = subprocess.run(
        [python, str(CLIENTS / script), json.dumps(cfg)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def xoa(tester) -> Iterator[XoaServer]:
    chassis = XenaChassis(tester, ChassisProfile(module_slots=(4, 8)))
    server = XoaServer(tester, port=0, chassis=chassis)
    server.start()
    yield server
    server.close()
    chassis.close()


def test_seed_flow_xoa_driver_2(xoa, tester, fake) -> None:
    python = client_python("WIRESPEED_XOA2_PYTHON", ".venv-xoa2")
    # the wire: before the flow, frames its clears must hide; during each port's
    # run, 1000 + p frames sent and 900 + p received, of 128 bytes
    for p in range(4):
        fake.count_tx(p, slot=0, packets=5, frame_bytes=64)
        fake.count_rx(p, packets=5, frame_bytes=64)
    send_tx = fake.send_tx

    def on_command(port: int, command: TxCommand) -> None:
        send_tx(port, command)
        if isinstance(command, StartJob):
            fake.count_tx(port, slot=0, packets=1000 + port, frame_bytes=128)
            fake.count_rx(port, packets=900 + port, frame_bytes=128)

    fake.send_tx = on_command
    cfg = {
        "host": "127.0.0.1",
        "port": xoa.port,
        "modules": [4, 8],
        "speed_mbps": 200_000,
        "rate_ppm": 100_000,
        "limit": -1,
        "duration_s": 0.2,
        "cooldown_s": 0.1,
        "sizes": [128, 256],
    }
    out = run_client(python, "flow_v2.py", cfg)
    assert out["media"] == {"4": "QSFP56", "8": "QSFP56"}
    assert out["speeds"] == {"4": [2, 200000, 200000], "8": [2, 200000, 200000]}
    assert out["ports"]["8/1"] == {
        "tx_frames": 1003,
        "rx_frames": 903,
        "tx_bytes": 1003 * 128,
        "rx_bytes": 903 * 128,
    }
    assert [p.speed_bps for p in tester.ports] == [200_000_000_000] * 4
    assert [p.fec_mode for p in tester.ports] == ["RS_FEC"] * 4
    # each port started once, alone and in order, without a time limit
    starts = [(p, c.job.duration_s) for p, c in fake.sent if isinstance(c, StartJob)]
    assert starts == [(0, None), (1, None), (2, None), (3, None)]
    # each port's RX cleared once (and the TX clears hid the frames sent before)
    assert [sent(fake, p, ClearRx) for p in range(4)] == [[ClearRx(1)]] * 4
    streams = tester.streams(3)
    assert sorted(streams) == [0, 1]
    s = streams[1]
    assert (s.tpld_id, s.name, s.segments) == (7, "Test stream", (1, 4))
    assert s.rate == Rate(RateUnit.PPM, 100_000)
    assert s.mode == TxMode.continuous()
    assert s.packet[:12] == bytes.fromhex("020000080101020001080101")
    assert s.packet[26:34] == bytes([198, 18, 1, 3, 198, 19, 1, 3])
    assert s.payload.pattern == b"\xff\xff\x00\x00"
    # the modules and ports are free again
    assert all(tester.reservation(p) is None for p in range(4))


def test_flow_tdl_xoa_driver_1_11(xoa, tester) -> None:
    python = client_python("WIRESPEED_XOA_PYTHON", ".venv-xoa")
    cfg = {
        "host": "127.0.0.1",
        "port": xoa.port,
        "modules": [4, 8],
        "speed_mbps": 1000,
        "pps": 1000,
        "limit": 100,
        "duration_s": 1.0,
        "cooldown_s": 0.1,
        "sizes": [128, 256],
    }
    out = run_client(python, "flow_v1.py", cfg)
    assert out["modules"] == ["MThor400G7S1P", "MThor400G7S1P"]
    assert out["readback"] == {
        "modifier": [36, "ffff0000", 0, 1],
        "range": [1000, 1, 1099],
        "comment": "stream 0",
    }
    assert sorted(out["pushes"]) == sorted(
        [[k, v] for k in ("4/0", "4/1", "8/0", "8/1") for v in (0, 1)]
    )
    assert out["streams"] == {
        f"{k}/{i}": 0 for k in ("4/0", "4/1", "8/0", "8/1") for i in (0, 1)
    }
    s = tester.streams(2)[1]
    assert s.mode == TxMode(ModeKind.SINGLE_BURST, total_pkts=100)
    assert s.rate == Rate(RateUnit.PPS, 1000)
    assert (s.segments, s.tpld_id) == ((1, 4, 6), 5)
    (mod,) = s.modifiers
    assert (mod.pos, mod.mask, mod.range_min, mod.range_max) == (
        36,
        0xFFFF0000,
        1000,
        1099,
    )
