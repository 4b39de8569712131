"""``Chassis.connect`` against the native front end over ZeroMQ on loopback, the
tester on the package's fake data plane: the whole API, events, captures, errors,
many clients at once, and a client that vanishes."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed import service
from wirespeed.analysis import TidStats
from wirespeed.capture import Direction
from wirespeed.client import Chassis
from wirespeed.errors import (
    ConfigError,
    OwnershipError,
    PortError,
    RpcTimeout,
    ValidationError,
)
from wirespeed.model import FrameLength
from wirespeed.server.native import NativeServer
from wirespeed.service import EventKind, PortState, TrafficEvent
from wirespeed.service.fake import FakeDataplane, fake_config

HDR = Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01") / IP() / UDP()


@pytest.fixture
def fake() -> FakeDataplane:
    return FakeDataplane(2)


@pytest.fixture
def server(fake: FakeDataplane) -> Iterator[NativeServer]:
    with (
        service.Tester(fake_config(2), dataplane=fake) as tester,
        NativeServer(tester, port=0) as srv,
    ):
        yield srv


@pytest.fixture
def chassis(server: NativeServer) -> Iterator[Chassis]:
    with Chassis.connect(f"127.0.0.1:{server.port}", owner="alice") as c:
        yield c


def _when_sending(chassis: Chassis, port: int, then: object) -> threading.Thread:
    def run() -> None:
        deadline = time.monotonic() + 5
        while chassis.tester.port_state(port) is not PortState.TX:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        then()  # type: ignore[operator]

    t = threading.Thread(target=run)
    t.start()
    return t


def test_the_api_over_the_wire(
    chassis: Chassis, server: NativeServer, fake: FakeDataplane
) -> None:
    a, b = chassis.ports
    assert [m.index for m in chassis.modules] == [0]
    assert (a.info.name, b is a.peer, chassis.session) == (
        "fake0/p0",
        True,
        "native:alice#1",
    )
    for p in (a, b):
        p.reserve()
    s = a.streams.create(
        header=HDR, rate_pps=1000, length=FrameLength.fixed(100), tpld_id=4,
        packet_limit=50,
    )  # fmt: skip
    assert [h.index for h in a.streams] == [0]
    assert s.config.mode.total_pkts == 50
    s.update(name="renamed")
    assert s.config.name == "renamed"
    slot = server.handler.tester._core.slot(0, 0)

    def send() -> None:
        fake.count_tx(0, slot=slot, packets=50, frame_bytes=100)
        fake.count_rx(1, packets=50, frame_bytes=100, tid=TidStats(4, packets=50))
        fake.finish(0)

    t = _when_sending(chassis, 0, send)
    events: list[TrafficEvent] = []
    unsubscribe = chassis.tester.subscribe(events.append)
    chassis.traffic([a], duration_s=1.0, cooldown_s=0.0)
    t.join()
    unsubscribe()
    assert [e.kind for e in events if e.port == 0] == [
        EventKind.STARTED,
        EventKind.DONE,
    ]
    assert (a.statistics().tx_packets, s.statistics().packets) == (50, 50)
    assert (b.statistics().rx_packets, b.tpld_ids()) == (50, [4])
    tid = b.tpld_statistics(4)
    assert tid is not None
    assert tid.packets == 50
    assert b.tpld_statistics(5) is None
    a.fec_mode = "RS_FEC"
    chassis.modules[0].media = "SFP28"
    assert (a.fec_mode, chassis.modules[0].media) == ("RS_FEC", "SFP28")
    s.delete()
    assert list(a.streams) == []
    chassis.modules[0].release()
    assert chassis.tester.reservation(0) is None


def test_a_failed_job_is_raised_by_traffic(
    chassis: Chassis, fake: FakeDataplane
) -> None:
    a = chassis.ports[0]
    a.reserve()
    a.streams.create(header=HDR, rate_pps=10, length=FrameLength.fixed(64))
    t = _when_sending(chassis, 0, lambda: fake.fail(0, "the link went away"))
    with pytest.raises(PortError, match="port 0: the link went away") as exc:
        chassis.traffic([a], duration_s=2.0, cooldown_s=0.0)
    t.join()
    assert exc.value.port == 0


def test_a_capture_is_read_and_saved_here(
    chassis: Chassis, fake: FakeDataplane, tmp_path: Path
) -> None:
    b = chassis.ports[1]
    b.reserve()
    frames = [bytes(HDR) + bytes([i]) * 20 for i in range(3)]
    with pytest.raises(ValidationError) as exc:
        b.capture(path=tmp_path / "there.pcapng")
    assert exc.value.field == "path"
    with b.capture(limit=10) as cap:
        fake.services.capture(1, frames, direction=Direction.INBOUND)
    got = cap.frames()
    assert [got.frame(i) for i in range(len(got))] == frames
    assert cap.stats.frames == 3
    saved = cap.save(tmp_path / "here.pcapng")
    assert saved.read_bytes() == cap.path.read_bytes()  # same host here


def test_errors_are_their_own_class(chassis: Chassis, server: NativeServer) -> None:
    chassis.ports[0].reserve()
    with Chassis.connect(f"127.0.0.1:{server.port}", owner="bob") as bob:
        with pytest.raises(OwnershipError, match="owned by 'alice'"):
            bob.ports[0].reserve()
        with pytest.raises(ValidationError, match="one of OFF") as exc:
            bob.ports[1].fec_mode = "NOPE"
        assert exc.value.field == "fec_mode"
    with pytest.raises(ValidationError, match="no port 9") as bad:
        chassis.tester.port_stats(9)
    assert bad.value.field == "port_id"


def test_nothing_listening_is_a_timeout_naming_the_host() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(
        RpcTimeout, match=f"127.0.0.1:{port}: no answer to session.hello"
    ):
        Chassis.connect(f"127.0.0.1:{port}", timeout_s=0.3)
    with pytest.raises(ConfigError) as exc:
        Chassis.connect("host:99999")
    assert exc.value.field == "address"


def test_many_clients_at_once(
    chassis: Chassis, server: NativeServer, fake: FakeDataplane
) -> None:
    a = chassis.ports[0]
    a.reserve()
    a.streams.create(header=HDR, rate_pps=10, length=FrameLength.fixed(64))
    chassis.start([a])
    order: list[str] = []

    def waiter() -> None:
        chassis.tester.wait_idle([0], 30.0)
        order.append("idle")

    t = threading.Thread(target=waiter)
    t.start()
    sessions = server.handler.sessions._by_key.values()
    while not any(s.busy for s in sessions):  # alice's wait is being served
        time.sleep(0.01)
    # a server serving one call at a time would keep bob waiting past his timeout
    with Chassis.connect(f"127.0.0.1:{server.port}", owner="bob", timeout_s=2.0) as bob:
        for _ in range(20):
            bob.ports[1].statistics()
        order.append("bob")
    fake.finish(0)
    t.join()
    assert order == ["bob", "idle"]


def test_a_vanished_client_loses_its_ports(
    chassis: Chassis, server: NativeServer
) -> None:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.connect(f"tcp://127.0.0.1:{server.port}")

    def ask(req: dict) -> dict:
        sock.send(json.dumps({"v": 1, "args": [], "kwargs": {}, **req}).encode())
        assert sock.poll(5000)
        answer: dict = json.loads(sock.recv())
        return answer

    hello = ask(
        {
            "id": 1,
            "method": "session.hello",
            "kwargs": {"owner": "ghost", "timeout_s": 1},
        }
    )
    key = hello["result"]["session"]
    assert (
        ask({"id": 2, "session": key, "method": "tester.reserve", "args": [1]})["id"]
        == 2
    )
    sock.close(linger=0)
    ctx.term()
    assert chassis.tester.reservation(1).owner == "ghost"
    deadline = time.monotonic() + 5
    while chassis.tester.reservation(1) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert chassis.tester.reservation(1) is None
