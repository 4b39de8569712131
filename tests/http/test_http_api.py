"""The daemon's JSON API against real frames: exact counts after a burst, the
history and the live WebSocket, control under the token and ownership rules, and
a clear error for every bad request while the server goes on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import aiohttp
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

N, TID = 1000, 7


@pytest.fixture(scope="module")
def sent() -> Iterator[tuple[Daemon, HttpServer]]:
    """One daemon; 1000 frames of 128 B sent from port 0 to port 1."""
    with http_daemon() as (daemon, server):
        assert daemon.tester is not None
        send_burst(daemon.tester, 0, burst_stream(N, 20_000, TID))
        yield daemon, server


def test_the_api_reports_the_exact_counts(sent: tuple[Daemon, HttpServer]) -> None:
    _, server = sent
    status, p0 = get(server, "/api/ports/0")
    assert status == 200
    assert p0["counters"]["tx_packets"] == N
    assert p0["counters"]["tx_bytes"] == N * 128
    assert p0["state"] == "STREAMS"
    assert [(s["id"], s["tid"], s["packets"], s["bytes"]) for s in p0["streams"]] == [
        (0, TID, N, N * 128)
    ]
    status, tid = get(server, f"/api/ports/1/tids/{TID}")
    assert status == 200
    assert (tid["packets"], tid["bytes"], tid["lost"], tid["misordered"]) == (
        N,
        N * 128,
        0,
        0,
    )
    assert tid["latency"]["count"] == N
    assert sum(tid["histogram"]) == N
    _, snap = get(server, "/api/snapshot")
    assert snap["ports"][1]["counters"]["rx_packets"] == N
    assert snap["ports"][1]["tids"] == [tid]
    _, chassis = get(server, "/api/chassis")
    assert [
        (p["index"], p["peer"], p["link_up"], p["driver"], p["driver_note"])
        for p in chassis["ports"]
    ] == [(0, 1, True, "afpacket", ""), (1, 0, True, "afpacket", "")]


def test_totals_survive_a_clear(sent: tuple[Daemon, HttpServer]) -> None:
    daemon, server = sent
    assert daemon.tester is not None
    daemon.tester.reserve(0, "carol", "s-carol")
    try:
        assert (
            request(server, "POST", "/api/ports/0/clear", {"owner": "carol"}, TOKEN)[0]
            == 200
        )
        _, p0 = get(server, "/api/ports/0")
        assert p0["counters"]["tx_packets"] == 0
        assert p0["owner"] == "carol"
        _, snap = get(server, "/api/snapshot?totals=1")
        assert snap["since_clear"] is False
        assert snap["ports"][0]["counters"]["tx_packets"] >= N
    finally:
        daemon.tester.relinquish(0)


def test_the_history_and_the_live_socket(sent: tuple[Daemon, HttpServer]) -> None:
    _, server = sent
    status, samples = get(server, "/api/history")
    assert status == 200
    assert samples
    assert {p["port"] for p in samples[-1]["ports"]} == {0, 1}
    last = samples[-1]["time_ns"]
    assert get(server, f"/api/history?since_ns={last}") == (200, [])

    async def two_messages() -> list[dict[str, Any]]:
        async with (
            aiohttp.ClientSession() as s,
            s.ws_connect(server.url + "api/live") as ws,
        ):
            return [json.loads((await ws.receive(timeout=5)).data) for _ in range(2)]

    first, second = asyncio.run(two_messages())
    assert second["snapshot"]["time_ns"] > first["snapshot"]["time_ns"]
    rx = second["snapshot"]["ports"][1]["tids"][0]
    assert (rx["tid"], rx["packets"]) == (TID, N)
    assert second["sample"]["time_ns"] == second["snapshot"]["time_ns"]


def test_control_follows_token_and_ownership(sent: tuple[Daemon, HttpServer]) -> None:
    daemon, server = sent
    assert daemon.tester is not None
    owner = {"owner": "bob"}
    assert request(server, "POST", "/api/ports/1/stop", owner) == (
        401,
        {
            "error": "control needs the token the daemon printed at start "
            "(Authorization: Bearer TOKEN)",
            "field": "Authorization",
        },
    )
    assert request(server, "POST", "/api/ports/1/stop", owner, "nope") == (
        401,
        {"error": "wrong control token", "field": "Authorization"},
    )
    assert request(server, "POST", "/api/ports/1/start", owner, TOKEN)[0] == 409
    daemon.tester.reserve(1, "alice", "s-alice")
    try:
        assert request(server, "POST", "/api/ports/1/reserve", owner, TOKEN) == (
            409,
            {"error": "port 1 is owned by alice", "field": None},
        )
        assert request(server, "POST", "/api/ports/1/clear", owner, TOKEN) == (
            409,
            {"error": "port 1 is owned by alice", "field": None},
        )
    finally:
        daemon.tester.relinquish(1)
    assert request(server, "POST", "/api/ports/1/reserve", owner, TOKEN) == (
        200,
        {"port": 1, "action": "reserve", "state": "IDLE", "owner": "bob"},
    )
    daemon.tester.add_stream(1, 0, burst_stream(500, 10_000, 9))
    status, answer = request(server, "POST", "/api/ports/1/start", owner, TOKEN)
    assert (status, answer["action"]) == (200, "start")
    assert daemon.tester.wait_idle([1], 10)
    daemon.tester.settle()
    assert get(server, "/api/ports/0/tids/9")[1]["packets"] == 500
    assert (
        request(server, "POST", "/api/ports/1/release", owner, TOKEN)[1]["owner"]
        is None
    )
    daemon.tester.remove_all_streams(1)


@pytest.mark.parametrize(
    ("method", "path", "body", "token", "status", "field"),
    [
        ("GET", "/api/ports/9", None, None, 404, "port"),
        ("GET", "/api/ports/x/tids", None, None, 404, "port"),
        ("GET", "/api/ports/1/tids/x", None, None, 400, "tid"),
        ("GET", "/api/ports/1/tids/4242", None, None, 404, "tid"),
        ("GET", "/api/history?since_ns=soon", None, None, 400, "since_ns"),
        ("GET", "/api/captures/77", None, None, 404, "id"),
        ("GET", "/api/rfc2544/77", None, None, 404, "id"),
        ("POST", "/api/ports/0/explode", b"{}", TOKEN, 404, "action"),
        ("POST", "/api/ports/0/start", b"{not json", TOKEN, 400, "body"),
        ("POST", "/api/ports/0/start", b"[1]", TOKEN, 400, "body"),
        ("POST", "/api/ports/0/start", b"{}", TOKEN, 400, "owner"),
        ("POST", "/api/rfc2544", b"{oops", TOKEN, 400, "body"),
        ("POST", "/api/rfc2544", b'{"pairs": [{"tx": 0, "rx": 5}]}', TOKEN, 400,
         "pairs.0.rx"),
        ("POST", "/api/rfc2544", b'{"framesizes": [64]}', TOKEN, 400, "framesizes"),
    ],
)  # fmt: skip
def test_bad_requests_get_a_clear_error(
    sent: tuple[Daemon, HttpServer],
    method: str,
    path: str,
    body: bytes | None,
    token: str | None,
    status: int,
    field: str,
) -> None:
    _, server = sent
    got, answer = request(server, method, path, token=token, raw=body)
    assert (got, answer["field"]) == (status, field), answer
    assert answer["error"]
    assert get(server, "/api/ports/0")[0] == 200  # and the server goes on
