"""``wirespeed top`` against a small aiohttp server serving a fixed snapshot.

What is checked is what the console shows of the daemon's JSON (exact cells,
the alert style of errors) and what its keys send (path, token, owner), not the
daemon: that is the integration test's.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from click.testing import CliRunner
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from wirespeed.cli.main import cli
from wirespeed.cli.top_app import CONTROL_HELP, TopApp
from wirespeed.cli.top_client import NO_ANSWER, DaemonClient
from wirespeed.cli.top_view import ALERT
from wirespeed.errors import (
    ConfigError,
    RemoteProtocolError,
    RpcError,
    ValidationError,
)

_ZERO_LATENCY = {"count": 0, "min_ns": None, "avg_ns": None, "max_ns": None}


def _counters(**values: float) -> dict[str, float]:
    names = (
        "tx_packets rx_packets tx_bytes rx_bytes tx_errors rx_tpld_errors "
        "rx_dropped_by_tester tx_pps tx_bps_l2 tx_bps_l1 rx_pps rx_bps_l2 rx_bps_l1"
    )
    out: dict[str, float] = dict.fromkeys(names.split(), 0)
    out.update(values)
    return out


SNAPSHOT: dict[str, Any] = {
    "schema": 1,
    "time_ns": 1_765_000_000_000_000_000,
    "since_clear": True,
    "histogram_bounds_us": [0, 1, 2],
    "modules": [{"index": 0, "ports": [0, 1], "media": "QSFP56_PAM4"}],
    "ports": [
        {
            "index": 0,
            "name": "ws-p0/veth0",
            "link_up": True,
            "state": "TX",
            "owner": "alice",
            "counters": _counters(
                tx_packets=123_456,
                tx_bytes=7_901_184,
                rx_packets=17,
                tx_pps=1000.0,
                tx_bps_l2=512_000.0,
                tx_bps_l1=672_000.0,
            ),
            "streams": [
                {
                    "id": 0,
                    "name": "s0",
                    "tid": 7,
                    "enabled": "ON",
                    "packets": 123_456,
                    "bytes": 7_901_184,
                    "pps": 1000.0,
                    "bps_l2": 512_000.0,
                    "bps_l1": 672_000.0,
                },
                {
                    "id": 3,
                    "name": "",
                    "tid": None,
                    "enabled": "ON",
                    "packets": 0,
                    "bytes": 0,
                    "pps": 0.0,
                    "bps_l2": 0.0,
                    "bps_l1": 0.0,
                },
            ],
            "tids": [],
        },
        {
            "index": 1,
            "name": "ws-p1/veth1",
            "link_up": False,
            "state": "IDLE",
            "owner": None,
            "counters": _counters(
                rx_packets=123_450,
                rx_pps=998.0,
                rx_bps_l1=670_656.0,
                tx_errors=2,
                rx_dropped_by_tester=5,
            ),
            "streams": [],
            "tids": [
                {
                    "tid": 7,
                    "packets": 123_450,
                    "pps": 998,
                    "lost": 6,
                    "misordered": 0,
                    "duplicates": 1,
                    "payload_errors": 0,
                    "latency": {
                        "count": 123_450,
                        "min_ns": 9000,
                        "avg_ns": 12_345.6,
                        "max_ns": 40_000,
                    },
                    "latency_last_s": _ZERO_LATENCY,
                    "jitter_ns": 800.0,
                },
                {
                    "tid": 9,
                    "packets": 0,
                    "pps": 0,
                    "lost": 0,
                    "misordered": 0,
                    "duplicates": 0,
                    "payload_errors": 0,
                    "latency": _ZERO_LATENCY,
                    "latency_last_s": _ZERO_LATENCY,
                    "jitter_ns": None,
                },
            ],
        },
    ],
}


class FakeDaemon:
    """Serves ``snap`` at /api/snapshot; records port actions and answers each
    with ``answer`` (status, JSON body)."""

    def __init__(self, snap: dict[str, Any], port: int = 0) -> None:
        self.snap = snap
        self.port = port
        self.posts: list[tuple[str, str | None, Any]] = []
        self.answer: tuple[int, dict[str, Any]] = (200, {})
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeDaemon:
        app = web.Application()
        app.router.add_get("/api/snapshot", self._snapshot)
        app.router.add_post("/api/ports/{port}/{action}", self._action)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()
        self._runner = None

    async def _snapshot(self, request: web.Request) -> web.Response:
        return web.json_response(self.snap)

    async def _action(self, request: web.Request) -> web.Response:
        self.posts.append(
            (
                request.path,
                request.headers.get("Authorization"),
                await request.json(),
            )
        )
        status, body = self.answer
        return web.json_response(body, status=status)


async def _until(pilot: Pilot[None], what: str, cond: Callable[[], bool]) -> None:
    """Let the app run until ``cond()`` (at most 10 s: a bound, not a timing)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 10
    while not cond():
        assert loop.time() < end, f"never: {what}"
        await pilot.pause(0.02)


Scenario = Callable[[TopApp, Pilot[None], FakeDaemon], Awaitable[None]]


def _run(
    scenario: Scenario,
    *,
    snap: dict[str, Any] = SNAPSHOT,
    token: str | None = "T0K",
    owner: str | None = "bob",
) -> None:
    async def main() -> None:
        daemon = await FakeDaemon(snap).start()
        try:
            client = DaemonClient(daemon.url, token=token, owner=owner)
            app = TopApp(client, interval_s=0.1)
            async with app.run_test(size=(200, 50)) as pilot:
                await _until(pilot, "a reading", lambda: app.readings > 0)
                await scenario(app, pilot, daemon)
        finally:
            await daemon.stop()

    asyncio.run(main())


def _cells(app: TopApp, table_id: str, key: str) -> list[str]:
    table = app.table(table_id)
    return [table.get_cell(key, c.key).plain for c in table.ordered_columns]


def _style(app: TopApp, table_id: str, key: str, column: str) -> str:
    return str(app.table(table_id).get_cell(key, column).style)


def test_tables_show_the_snapshot() -> None:
    async def scenario(app: TopApp, pilot: Pilot[None], daemon: FakeDaemon) -> None:
        assert _cells(app, "ports", "0") == [
            "0", "ws-p0/veth0", "TX", "alice", "up", "1,000", "0.672", "0",
            "0.000", "123,456", "17", "0", "0", "0",
        ]  # fmt: skip
        assert _cells(app, "ports", "1") == [
            "1", "ws-p1/veth1", "IDLE", "-", "DOWN", "0", "0.000", "998",
            "0.671", "0", "123,450", "2", "0", "5",
        ]  # fmt: skip
        assert _cells(app, "streams", "0/0") == [
            "0", "0", "s0", "7", "1,000", "0.672", "123,456",
        ]  # fmt: skip
        assert _cells(app, "streams", "0/3") == ["0", "3", "-", "-", "0", "0.000", "0"]
        assert _cells(app, "tids", "1/7") == [
            "1", "7", "123,450", "998", "6", "0", "1", "0", "9.0", "12.3",
            "40.0", "0.8",
        ]  # fmt: skip
        assert _cells(app, "tids", "1/9") == [
            "1", "9", "0", "0", "0", "0", "0", "0", "-", "-", "-", "-",
        ]  # fmt: skip
        assert app.table("tids").row_count == 2
        assert "  connected" in app.header_text
        assert daemon.url in app.header_text

    _run(scenario)


def test_errors_and_link_down_are_highlighted() -> None:
    async def scenario(app: TopApp, pilot: Pilot[None], daemon: FakeDaemon) -> None:
        assert _style(app, "ports", "1", "link") == ALERT
        assert _style(app, "ports", "0", "link") == ""
        assert _style(app, "ports", "1", "tx_errors") == ALERT
        assert _style(app, "ports", "1", "rx_tpld_errors") == ""
        assert _style(app, "ports", "1", "rx_dropped_by_tester") == ALERT
        assert _style(app, "ports", "0", "tx_errors") == ""
        alerts = [
            c for c in ("lost", "misordered", "duplicates", "payload_errors")
            if _style(app, "tids", "1/7", c) == ALERT
        ]  # fmt: skip
        assert alerts == ["lost", "duplicates"]
        assert _style(app, "tids", "1/9", "lost") == ""

    _run(scenario)


def test_start_posts_the_selected_port_with_token_and_owner() -> None:
    async def scenario(app: TopApp, pilot: Pilot[None], daemon: FakeDaemon) -> None:
        assert app.selected_port() == 0
        await pilot.press("down")
        assert app.selected_port() == 1
        await pilot.press("s")
        await _until(pilot, "the POST", lambda: "done" in app.status_text)
        assert daemon.posts == [("/api/ports/1/start", "Bearer T0K", {"owner": "bob"})]
        assert app.status_text == "start port 1: done"
        await pilot.press("up", "x", "c")
        await _until(pilot, "3 POSTs", lambda: len(daemon.posts) == 3)
        assert [p[0] for p in daemon.posts[1:]] == [
            "/api/ports/0/stop",
            "/api/ports/0/clear",
        ]
        await pilot.press("r")
        await _until(pilot, "4 POSTs", lambda: len(daemon.posts) == 4)
        await pilot.press("R")
        await _until(pilot, "5 POSTs", lambda: len(daemon.posts) == 5)
        assert [p[0] for p in daemon.posts[3:]] == [
            "/api/ports/0/reserve",
            "/api/ports/0/release",
        ]

    _run(scenario)


def test_p_pauses_a_sending_port_and_resumes_a_paused_one() -> None:
    async def scenario(app: TopApp, pilot: Pilot[None], daemon: FakeDaemon) -> None:
        await pilot.press("p")
        await _until(pilot, "the pause", lambda: len(daemon.posts) == 1)
        daemon.snap = copy.deepcopy(SNAPSHOT)
        daemon.snap["ports"][0]["state"] = "PAUSE"
        n = app.readings
        await _until(pilot, "a new reading", lambda: app.readings > n + 1)
        assert _cells(app, "ports", "0")[2] == "PAUSE"
        assert app.selected_port() == 0
        await pilot.press("p")
        await _until(pilot, "the resume", lambda: len(daemon.posts) == 2)
        assert [p[0] for p in daemon.posts] == [
            "/api/ports/0/pause",
            "/api/ports/0/resume",
        ]

    _run(scenario)


def test_a_refused_action_shows_the_daemons_message() -> None:
    async def scenario(app: TopApp, pilot: Pilot[None], daemon: FakeDaemon) -> None:
        daemon.answer = (409, {"error": "port 0 is owned by alice", "field": None})
        await pilot.press("c")
        await _until(pilot, "the answer", lambda: "owned" in app.status_text)
        assert app.status_text == "clear port 0: port 0 is owned by alice"
        status = app.query_one("#status", Static).content
        assert isinstance(status, Text)
        assert str(status.style) == ALERT
        assert app.is_running
        await pilot.press("q")
        await _until(pilot, "the exit", lambda: not app.is_running)

    _run(scenario)


@pytest.mark.parametrize(("token", "owner"), [(None, "bob"), ("T0K", None)])
def test_control_without_token_or_owner_says_what_it_needs(
    token: str | None, owner: str | None
) -> None:
    async def scenario(app: TopApp, pilot: Pilot[None], daemon: FakeDaemon) -> None:
        await pilot.press("s")
        await pilot.pause()
        assert app.status_text == CONTROL_HELP
        assert daemon.posts == []

    _run(scenario, token=token, owner=owner)


def test_an_unreachable_daemon_is_shown_and_read_again() -> None:
    async def main() -> None:
        daemon = await FakeDaemon(SNAPSHOT).start()
        await daemon.stop()  # its port is now closed
        app = TopApp(DaemonClient(daemon.url), interval_s=0.1)
        async with app.run_test(size=(200, 50)) as pilot:
            await _until(pilot, "2 failures", lambda: app.failures >= 2)
            assert "unreachable: " + daemon.url in app.header_text
            assert "(retrying every 0.1 s)" in app.header_text
            assert app.table("ports").row_count == 0
            await daemon.start()  # same port
            try:
                await _until(pilot, "a reading", lambda: app.readings > 0)
                assert "  connected" in app.header_text
                assert _cells(app, "ports", "0")[9] == "123,456"
            finally:
                await daemon.stop()
            failures = app.failures
            await _until(pilot, "a failure", lambda: app.failures > failures)
            assert "unreachable" in app.header_text
            assert "last reading 20" in app.header_text
            assert _cells(app, "ports", "0")[9] == "123,456"  # kept

    asyncio.run(main())


def test_client_errors() -> None:
    with pytest.raises(ValidationError) as bad_url:
        DaemonClient("127.0.0.1:8080")
    assert bad_url.value.field == "url"

    async def main() -> None:
        daemon = await FakeDaemon({"not": "json"}).start()
        client = DaemonClient(daemon.url, token="t", owner="o")
        try:
            with pytest.raises(ValidationError) as bad_action:
                await client.control(0, "explode")
            assert bad_action.value.field == "action"
            with pytest.raises(ConfigError) as no_owner:
                await DaemonClient(daemon.url, token="t").control(0, "start")
            assert no_owner.value.field == "owner"
            daemon.answer = (404, {"error": "no port 9", "field": "port"})
            with pytest.raises(RpcError) as refused:
                await client.control(9, "start")
            assert (str(refused.value), refused.value.code) == ("no port 9", 404)
            assert refused.value.data == "port"
            assert await client.snapshot() == {"not": "json"}
        finally:
            await client.close()
            await daemon.stop()
        with pytest.raises(RpcError) as gone:
            await client.snapshot()
        assert gone.value.code == NO_ANSWER
        await client.close()

    asyncio.run(main())


def test_a_non_json_answer_is_a_protocol_error() -> None:
    async def text(request: web.Request) -> web.Response:
        return web.Response(text="<html>hello</html>")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/api/snapshot", text)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with DaemonClient(url) as client:
                with pytest.raises(RemoteProtocolError, match="not JSON"):
                    await client.snapshot()
        finally:
            await runner.cleanup()

    asyncio.run(main())


def test_top_is_a_subcommand_and_checks_its_url() -> None:
    runner = CliRunner()
    assert "top" in runner.invoke(cli, ["--help"]).output
    result = runner.invoke(cli, ["top", "--url", "ftp://example"])
    assert result.exit_code == 1
    assert "url: an http:// or https:// URL, not 'ftp://example'" in result.output
