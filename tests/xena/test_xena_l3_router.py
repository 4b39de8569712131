"""Xena L3 services with the real xoa-driver 2.9.3 through a routing DUT.

One daemon (the Daemon of ``wirespeed server --dut router``): ports 0/0 and 0/1
face the router (198.18.1.2/24 via 198.18.1.1, MAC 02:77:73:01:00:01, and
198.18.2.2/24 via 198.18.2.1, MAC 02:77:73:01:00:02; the same in 2001:2:0:{1,2}::).
The client resolves the gateway with PS_ARPREQUEST, sends a stream to that MAC and
finds it at port 1, one hop later, in counts and in a capture.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_xena_testbed import client_python, run_client  # type: ignore[import-not-found]
from xena_bed import daemon_process  # type: ignore[import-not-found]

pytestmark = [pytest.mark.netns, pytest.mark.slow, pytest.mark.compat]

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ROUTER_MAC = ("027773010001", "027773010002")
COUNT, COUNT6 = 1000, 500


@pytest.fixture(scope="module")
def router_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    log = tmp_path_factory.mktemp("xena-l3") / "daemon.log"
    yield from daemon_process({"dut": "router"}, log)


def _ttl_and_macs(frame_hex: str) -> tuple[str, str, int]:
    frame = bytes.fromhex(frame_hex)
    hop = frame[22] if frame[12:14] == b"\x08\x00" else frame[21]
    return frame[:6].hex(), frame[6:12].hex(), hop


def test_l3_services_through_the_router_xoa_driver_2(router_daemon) -> None:
    python = client_python("WIRESPEED_XOA2_PYTHON", ".venv-xoa2")
    assert router_daemon["router_netns"]
    cfg = {"host": "127.0.0.1", "port": router_daemon["xoa"],
           "router_netns": router_daemon["router_netns"], "count": COUNT,
           "count6": COUNT6, "pps": 10_000}  # fmt: skip
    t0 = time.time()
    out = run_client(python, "l3_v2.py", cfg)
    mac0, mac1 = out["macs"]
    assert mac0 != mac1
    assert out["p0_ipv4"] == ["198.18.1.2", "255.255.255.0", "198.18.1.1", "0.0.0.0"]
    assert out["p1_ipv6"] == ["2001:2:0:2::2", "2001:2:0:2::1", 64, 128]
    # the router's three echo requests: received and answered by port 1
    assert out["router_ping_rx"] == [3, 0]
    assert out["router_ping_tx"][2:4] == [0, 3]
    # PS_ARPREQUEST: the gateway's MAC; PS_PINGREQUEST: one hop (TTL 64 - 1)
    assert (out["gateway4"], out["arp"], out["arp6"]) == (
        "198.18.1.1", ROUTER_MAC[0], ROUTER_MAC[0],
    )  # fmt: skip
    delay_ms, ttl = out["ping"]
    assert (ttl, 0 <= delay_ms < 1000) == (63, True)
    for key, n, size in (("v4", COUNT, 128), ("v6", COUNT6, 160)):
        run = out[key]
        assert run["tx"] == [n, n * size], key
        assert run["rx"] == [n, n * size], key
        assert run["tid"] == [n, n * size], key
        assert run["rx_arp_ping"] == [0, 0, 0, 0], key
        assert run["capture"] == [0, n, n], key
        assert t0 < run["start_time_s"] < time.time()
        for frame in (run["first"], run["last"]):
            # the router's side to port 1 sent it to port 1, one hop down
            assert _ttl_and_macs(frame) == (mac1, ROUTER_MAC[1], 63), key
            assert len(frame) == 2 * size  # the whole frame, with its FCS
        when_s, latency_ns, length = run["first_extra"]
        assert t0 < when_s < time.time()
        assert 0 < latency_ns < 1_000_000_000
        assert length == size
    # P_XMITONE: one 64-byte frame out of port 0, through the router to port 1
    assert out["xmit"]["tx"] == [1, 64]
    assert out["xmit"]["rx"] == [1, 64]
    assert 0 <= out["xmit"]["after_s"] < 5
    # a gateway nobody answers: FAILED, and the next request is served
    assert out["silent_gateway"] == "XmpFailedError"
    assert out["after_error"] == ROUTER_MAC[0]
    assert out["arp_rx_table"] == [["198.18.2.2", 32, 0, mac1]]
    log = router_daemon["log"].read_text()
    assert "198.18.1.99 did not answer ARP" in log
