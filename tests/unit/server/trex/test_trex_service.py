"""TRex's ``push_pkts`` and ``capture`` over the tester's port services (the fake
data plane's service workers)."""

from __future__ import annotations

import base64

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import ARP, Ether
from trex_env import Env

from wirespeed.capture import Direction

MAC0, MAC1 = "02:00:00:00:00:01", "02:00:00:00:00:02"


def _b64(frame: bytes) -> str:
    return base64.b64encode(frame).decode()


def _udp(n: int) -> bytes:
    eth = Ether(src="0a:00:00:00:00:01", dst="0b:00:00:00:00:01")
    return bytes(eth / IP(src="198.18.1.2", dst="198.18.2.2") / UDP(dport=n) / b"z")


def _in_service(env: Env, port: int = 0) -> str:
    h = env.acquire(port)
    env.ok("service", handler=h, port_id=port, enabled=True, filtered=False)
    return h


def test_push_pkts_writes_the_macs_asked_for_and_counts_them(env: Env) -> None:
    arp = bytes(Ether(src=MAC0, dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="198.18.1.1"))
    ping = bytes(Ether() / IP(dst="198.18.2.2"))
    pkts = [
        {"binary": _b64(arp), "use_port_dst_mac": False, "use_port_src_mac": False},
        {"binary": _b64(ping), "use_port_dst_mac": True, "use_port_src_mac": True},
        _b64(_udp(9)),  # a bare frame: as it is
    ]
    h = env.acquire()
    assert env.err("push_pkts", port_id=0, pkts=pkts, force=True, ipg_usec=0)[
        "specific_err"
    ] == ("push_pkts: push_pkts needs service mode on port 0")
    env.ok("service", handler=h, port_id=0, enabled=True, filtered=False)
    out = env.ok("push_pkts", port_id=0, pkts=pkts, force=True, ipg_usec=1000)
    assert isinstance(out["ts"], float)
    assert out["ts"] > 1e9
    sent = env.fake.services.sent[0]
    assert sent[0] == arp
    assert (Ether(sent[1]).src, Ether(sent[1]).dst) == (MAC0, MAC1)
    assert sent[1][12:] == ping[12:]
    assert sent[2] == _udp(9)
    stats = env.ok("get_port_stats", port_id=0)
    assert (stats["opackets"], stats["obytes"]) == (3, 3 * 64)


def test_push_pkts_refuses_bad_input(env: Env) -> None:
    _in_service(env)
    big = [_b64(bytes(1400))] * 750
    for params, msg in (
        ({"pkts": big}, "pkts: 1050000 bytes is over the 1 MB a push may hold"),
        ({"pkts": ["%%%"]}, "pkts[0]: not base64"),
        ({"pkts": [{"binary": "%%"}]}, "pkts[0].binary: not base64"),
        ({"pkts": [7]}, "pkts[0]: must be an object or a base64 string"),
        ({"pkts": [_b64(b"short")]}, "frames: frame 0 is 5 bytes (14..16380)"),
    ):
        err = env.err("push_pkts", port_id=0, **params)
        assert err["specific_err"].startswith(f"push_pkts: {msg}"), err
    assert env.fake.services.sent[0] == []


def _frames(env: Env) -> tuple[list[bytes], list[bytes]]:
    """Port 1 receives two frames, port 0 sends one and receives one (times
    interleaved)."""
    rx1 = [_udp(1), _udp(3)]
    p0 = [_udp(2), _udp(4)]
    services = env.fake.services
    services.capture(1, rx1[:1], ts_ns=5_000_000_000)
    services.capture(0, p0[:1], ts_ns=5_000_000_001, direction=Direction.OUTBOUND)
    services.capture(1, rx1[1:], ts_ns=5_000_000_002)
    services.capture(0, p0[1:], ts_ns=5_000_000_003)
    return rx1, p0


def test_a_capture_spans_ports_and_directions(env: Env) -> None:
    start = env.ok(
        "capture", command="start", tx=[0], rx=[1, 0], limit=3, mode="fixed", filter=""
    )
    assert start == {"capture_id": 1, "start_ts": 1000.0}
    rx1, p0 = _frames(env)
    assert env.ok("capture", command="status") == [
        {
            "id": 1,
            "state": "ACTIVE",
            "mode": "fixed",
            "limit": 3,
            "count": 3,
            "bytes": 3 * len(rx1[0]),
            "matched": 3,
            "filter": {"tx": 1, "rx": 3, "bpf": ""},
        }
    ]
    first = env.ok("capture", command="fetch", capture_id=1, pkt_limit=2, snaplen=0)
    assert first == {
        "pkts": [
            {
                "binary": _b64(rx1[0]),
                "ts": 5.0,
                "port": 1,
                "index": 1,
                "origin": "RX",
                "wirelen": len(rx1[0]),
            },
            {
                "binary": _b64(p0[0]),
                "ts": 5.000000001,
                "port": 0,
                "index": 2,
                "origin": "TX",
                "wirelen": len(p0[0]),
            },
        ],
        "pending": 1,
        "start_ts": 1000.0,
    }
    assert env.ok("capture", command="stop", capture_id=1) == {"pkt_count": 1}
    rest = env.ok("capture", command="fetch", capture_id=1, pkt_limit=50, snaplen=20)
    assert rest["pending"] == 0
    assert [(p["index"], p["port"], p["origin"], p["ts"]) for p in rest["pkts"]] == [
        (3, 1, "RX", 5.000000002)
    ]
    assert base64.b64decode(rest["pkts"][0]["binary"]) == rx1[1][:20]
    assert rest["pkts"][0]["wirelen"] == len(rx1[1])
    status = env.ok("capture", command="status")[0]
    assert (status["state"], status["count"], status["matched"]) == ("STOPPED", 0, 3)
    assert env.ok("capture", command="remove", capture_id=1) == {}
    assert env.ok("capture", command="status") == []


def test_a_cyclic_capture_keeps_the_latest(env: Env) -> None:
    env.ok("capture", command="start", rx=[1], limit=2, mode="cyclic")
    frames = [_udp(n) for n in range(5)]
    env.fake.services.capture(1, frames[:4], ts_ns=10_000_000_000)
    got = env.ok("capture", command="fetch", capture_id=1, pkt_limit=10)
    assert [base64.b64decode(p["binary"]) for p in got["pkts"]] == frames[2:4]
    assert [p["index"] for p in got["pkts"]] == [1, 2]
    env.fake.services.capture(1, frames[4:], ts_ns=20_000_000_000)
    status = env.ok("capture", command="status")[0]
    assert (status["count"], status["matched"], status["mode"]) == (1, 3, "cyclic")
    got = env.ok("capture", command="fetch", capture_id=1, pkt_limit=10)
    assert [(p["index"], p["ts"]) for p in got["pkts"]] == [(3, 20.0)]
    assert env.ok("capture", command="fetch", capture_id=1, pkt_limit=10)["pkts"] == []


def test_capture_refuses_bad_requests_and_keeps_serving(env: Env) -> None:
    bad = env.err("capture", command="start", rx=[0], filter="udp and dst port")
    assert bad["code"] == -32602
    assert bad["specific_err"].startswith("capture: filter: "), bad
    assert len(bad["specific_err"]) > len("capture: filter: ")
    assert env.ok("capture", command="status") == []
    for params, msg in (
        ({"command": "start"}, "rx: no port to capture on (tx and rx are empty)"),
        ({"command": "start", "rx": [2]}, "rx[0]: 2 is above the maximum 1"),
        ({"command": "start", "rx": [0], "mode": "ring"}, "mode: 'ring' is not"),
        ({"command": "start", "rx": [0], "limit": 0}, "limit: 0 is below"),
        (
            {"command": "start", "rx": [0], "endpoint": "file:///tmp/x"},
            "endpoint: capturing to an endpoint is not supported",
        ),
        ({"command": "fetch", "capture_id": 9}, "capture_id: no capture 9"),
        ({"command": "record"}, "command: 'record' is not one of start, status"),
    ):
        err = env.err("capture", **params)
        assert err["specific_err"].startswith(f"capture: {msg}"), err
    good = env.ok("capture", command="start", rx=[0], filter="udp and dst port 9")
    assert good["capture_id"] == 1


@pytest.mark.parametrize("service", [False, True])
def test_stop_capture_port_has_nothing_to_stop(env: Env, service: bool) -> None:
    h = _in_service(env) if service else env.acquire()
    assert env.ok("stop_capture_port", handler=h, port_id=0) == {}


def test_a_cyclic_capture_over_ports_keeps_the_latest_of_all(env: Env) -> None:
    env.ok("capture", command="start", rx=[0, 1], limit=2, mode="cyclic")
    frames = [_udp(n) for n in range(4)]
    for n, frame in enumerate(frames):  # each port keeps its own latest 2
        env.fake.services.capture(n % 2, [frame], ts_ns=(n + 1) * 1_000_000_000)
    status = env.ok("capture", command="status")[0]
    assert (status["count"], status["matched"]) == (2, 4)
    got = env.ok("capture", command="fetch", capture_id=1, pkt_limit=10)
    assert [(p["index"], p["port"], p["ts"]) for p in got["pkts"]] == [
        (1, 0, 3.0),
        (2, 1, 4.0),
    ]
    assert [base64.b64decode(p["binary"]) for p in got["pkts"]] == frames[2:]


def test_what_reset_asks_has_nothing_to_undo(env: Env) -> None:
    h = env.acquire()
    assert (
        env.ok("set_rx_feature", handler=h, port_id=0, type="queue", enabled=False)
        == {}
    )
    assert env.ok("capture", command="status") == []
    assert env.ok("get_tpg_status", port_id=0) == {"enabled": False}
    assert env.ok("get_tpg_status", username="root") == {"enabled": False}
