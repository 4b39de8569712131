"""The native API on another host: ``Chassis.connect`` drives ``wirespeed server``
running in its own namespace, over a veth link (real TCP), with exact counts."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from embedded import HDR
from native_bed import ENV, RemoteDaemon, remote_daemon

from wirespeed.client import Chassis
from wirespeed.errors import OwnershipError, ValidationError
from wirespeed.model import FrameLength

pytestmark = pytest.mark.netns


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteDaemon]:
    with remote_daemon(tmp_path_factory.mktemp("native") / "daemon.log") as d:
        yield d


@pytest.fixture
def chassis(daemon: RemoteDaemon) -> Iterator[Chassis]:
    """Alice's session, holding both ports (released when it closes)."""
    with Chassis.connect(daemon.address, owner="alice") as c:
        for p in c.ports:
            p.reserve()
            p.reset()
            p.clear_counters()
        yield c


def test_the_daemon_says_where_its_native_rpc_listens(daemon: RemoteDaemon) -> None:
    host = daemon.address.split(":")[0]
    assert f"native RPC: tcp://{daemon.address} (Chassis.connect)\n" in daemon.lines
    assert daemon.lines[-1] == f"front ends: native on {host}; Ctrl-C to stop\n"


def test_a_burst_counts_exactly_through_the_remote_client(chassis: Chassis) -> None:
    a, b = chassis.ports
    assert b is a.peer
    s = a.streams.create(
        header=HDR,
        rate_pps=20_000,
        length=FrameLength.fixed(128),
        tpld_id=7,
        packet_limit=1000,
    )
    chassis.traffic([a], duration_s=2.0, cooldown_s=0.2)
    tx, rx = a.statistics(), b.statistics()
    assert (tx.tx_packets, tx.tx_bytes, s.statistics().packets) == (1000, 128_000, 1000)
    assert (rx.rx_packets, rx.rx_bytes, rx.rx_notpld_packets) == (1000, 128_000, 0)
    assert b.tpld_ids() == [7]
    tid = b.tpld_statistics(7)
    assert tid is not None
    assert (tid.packets, tid.lost, tid.misordered, tid.duplicates) == (1000, 0, 0, 0)
    assert s.config.tpld_id == 7
    a.clear_counters()
    b.clear_counters()
    assert (a.statistics().tx_packets, b.statistics().rx_packets) == (0, 0)
    assert b.tpld_ids() == []
    # the daemon says which driver its ports run on
    assert chassis.tester.port_driver(a.index) == ("afpacket", "")


def test_errors_come_back_as_their_own_class(
    chassis: Chassis, daemon: RemoteDaemon
) -> None:
    with Chassis.connect(daemon.address, owner="bob") as bob:
        with pytest.raises(OwnershipError, match="owned by 'alice'") as exc:
            bob.ports[0].reserve()
        assert exc.value.port == 0
        with pytest.raises(OwnershipError, match="owned by 'alice'"):
            bob.ports[1].clear_counters()
    a = chassis.ports[0]
    a.streams.create(  # 42 bytes of headers, a 20-byte TPLD and the FCS: 66
        header=HDR, rate_pps=10, length=FrameLength.fixed(64), tpld_id=1
    )
    too_short = "frames of 64 bytes cannot hold 42 header"
    with pytest.raises(ValidationError, match=too_short) as bad:
        chassis.start([a])
    assert bad.value.field == "length.min_bytes"


def test_ping_and_a_capture_fetched_from_the_daemon(
    chassis: Chassis, tmp_path: Path
) -> None:
    a, b = chassis.ports
    a.set_l3(ipv4="198.18.0.1/24")
    b.set_l3(ipv4="198.18.0.2/24")
    replies = a.ping("198.18.0.2", count=3, interval_s=0.05)
    assert [(r.seq, r.status) for r in replies] == [(i, "success") for i in (1, 2, 3)]
    with b.capture(filter="udp", limit=100) as cap:
        a.streams.create(
            header=HDR, rate_pps=1000, length=FrameLength.fixed(100), packet_limit=5
        )
        chassis.traffic([a], duration_s=1.0, cooldown_s=0.2)
    frames = cap.frames()
    assert len(frames) == 5
    assert {frames.frame(i)[:14] for i in range(5)} == {bytes(HDR)[:14]}
    saved = cap.save(tmp_path / "b.pcapng")
    assert saved.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"  # a pcapng section


_CAROL = """
import sys
from wirespeed.client import Chassis
c = Chassis.connect(sys.argv[1], owner="carol", session_timeout_s=1.0)
c.ports[1].reserve()
print("reserved", flush=True)
sys.stdin.read()
"""


def test_a_client_that_goes_away_has_its_ports_released(daemon: RemoteDaemon) -> None:
    carol = subprocess.Popen(
        [sys.executable, "-c", _CAROL, daemon.address],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        assert carol.stdout is not None
        assert carol.stdout.readline() == "reserved\n"
        with Chassis.connect(daemon.address, owner="dave") as dave:
            time.sleep(2.5)  # carol is silent but alive: her heartbeats keep it
            res = dave.tester.reservation(1)
            assert res is not None
            assert (res.owner, res.token) == ("carol", "")
            carol.send_signal(signal.SIGKILL)
            carol.wait(timeout=10)
            deadline = time.monotonic() + 10
            while dave.tester.reservation(1) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert dave.tester.reservation(1) is None
            dave.ports[1].reserve()  # free for anyone now
    finally:
        carol.kill()
        carol.wait()
        assert carol.stdout is not None
        carol.stdout.close()
        assert carol.stdin is not None
        carol.stdin.close()
