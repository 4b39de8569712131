"""A worker that dies under a real TRex client: the client is told, the port works
again, and another client takes it over from one that vanished mid-traffic."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from trex_bed import TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]


def _kill_tx_worker(bed: TrexBed) -> None:
    """SIGKILL port 0's TX worker (the server's process in namespace netns[0])."""
    pattern = f"wirespeed.dataplane.worker_main tx --netns {bed.netns[0]} "
    pids = subprocess.run(
        ["pgrep", "-f", pattern], capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(pids) == 1, pids
    os.kill(int(pids[0]), signal.SIGKILL)


def test_a_killed_worker_is_a_job_failure_and_the_port_recovers(
    trex_bed: TrexBed,
) -> None:
    out = trex_bed.client_with_pause(
        "flow_worker_death", during=lambda: _kill_tx_worker(trex_bed)
    )
    assert out["still_transmitting"] is False
    assert "port 0 job failed" in out["warnings"]
    assert out["restarted"] is True
    log = trex_bed.log.read_text()
    assert "the TX worker died (killed by signal 9); restarted" in log
    # the first client vanished while port 0 sent: another takes the port by force
    assert trex_bed.client("flow_recover") == {
        "opackets": 2000,
        "ipackets": 2000,
        "tx_pkts": 2000,
        "rx_pkts": 2000,
    }
