"""``wirespeed top`` watching a real ``wirespeed server``: a port it starts
sends (its rate shows above 0) and, once it stops it, shows the count the API
gives; another owner is refused with the daemon's message.

The daemon is the command itself in a subprocess (HTTP on a free port, its
printed token; the Xena text CLI on a free port, the other front ends off); the
stream is set up through the Xena text CLI by owner ``topper``, who then starts
and stops the port with top's keys.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator

import pytest
from embedded import server_process  # type: ignore[import-not-found]
from textual.pilot import Pilot

from wirespeed.cli.top_app import TopApp
from wirespeed.cli.top_client import DaemonClient
from wirespeed.errors import RpcError

pytestmark = [pytest.mark.netns]

OWNER = "topper"
SIZE, PPS, TID = 128, 2000, 7
HEADER = ("0x020000000001020000000002080045000032000000007F110000"
          "C6120001C6130001" "04000400001E0000")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def daemon() -> Iterator[dict[str, str | int]]:
    """``wirespeed server --modules 1``: its dashboard URL, token and CLI port."""
    cli_port = _free_port()
    with server_process(
        "--modules", "1", "--no-frontend", "trex", "--no-frontend", "xoa",
        "--no-frontend", "native", "--otg-port", "0",
        "--http-port", "0", "--cli-port", str(cli_port),
    ) as lines:  # fmt: skip
        (dash,) = [ln for ln in lines if ln.startswith("dashboard: ")]
        # dashboard: http://127.0.0.1:PORT/ (control token: TOKEN)
        url, token = dash.split()[1], dash.split()[-1].rstrip(")")
        yield {"url": url, "token": token, "cli": cli_port}


def _xena_cli(port: int, lines: list[str]) -> list[str]:
    """The text CLI's answer to each line, in one session."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        f = sock.makefile("rw", encoding="ascii", newline="\n")
        out = []
        for line in lines:
            f.write(line + "\n")
            f.flush()
            out.append(f.readline().rstrip("\n"))
        return out


async def _until(pilot: Pilot[None], what: str, cond: Callable[[], bool]) -> None:
    """Let the app run until ``cond()`` (a bound of 20 s, not a timing)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 20
    while not cond():
        assert loop.time() < end, f"never: {what}"
        await pilot.pause(0.05)


def _cell(app: TopApp, table: str, row: str, column: str) -> str:
    return app.table(table).get_cell(row, column).plain


def test_top_starts_a_port_shows_its_rate_and_the_apis_count(
    daemon: dict[str, str | int],
) -> None:
    setup = [f'C_OWNER "{OWNER}"', "0/0 P_RESERVATION RESERVE", "0/0 P_RESET",
             "0/0 PS_CREATE [0]", f"0/0 PS_PACKETHEADER [0] {HEADER}",
             "0/0 PS_HEADERPROTOCOL [0] ETHERNET IP UDP",
             f"0/0 PS_PACKETLENGTH [0] FIXED {SIZE} {SIZE}",
             f"0/0 PS_RATEPPS [0] {PPS}", f"0/0 PS_TPLDID [0] {TID}",
             "0/0 PS_ENABLE [0] ON"]  # fmt: skip
    assert _xena_cli(int(daemon["cli"]), ['C_LOGON "xena"', *setup]) == ["<OK>"] * (
        len(setup) + 1
    )

    async def main() -> None:
        client = DaemonClient(str(daemon["url"]), token=str(daemon["token"]),
                              owner=OWNER)  # fmt: skip
        app = TopApp(client, interval_s=0.2)

        def tx_pps() -> int:
            return int(_cell(app, "ports", "0", "tx_pps").replace(",", ""))

        async with app.run_test(size=(200, 50)) as pilot:
            await _until(pilot, "a reading", lambda: app.readings > 0)
            assert _cell(app, "ports", "0", "owner") == OWNER
            await pilot.press("s")
            await _until(pilot, "started", lambda: "done" in app.status_text)
            assert app.status_text == "start port 0: done"
            await _until(pilot, "a TX rate", lambda: tx_pps() > 0)
            assert _cell(app, "ports", "0", "state") == "TX"
            await pilot.press("x")
            await _until(
                pilot, "stopped", lambda: app.status_text == "stop port 0: done"
            )
            async with DaemonClient(str(daemon["url"])) as api:
                snap = await api.snapshot()
            p0, p1 = snap["ports"]
            sent = p0["counters"]["tx_packets"]
            assert sent > 0
            assert p1["counters"]["rx_packets"] == sent
            shown = f"{sent:,}"
            await _until(  # a reading begun before the stop may still come in
                pilot,
                "the API's count",
                lambda: _cell(app, "ports", "0", "tx_packets") == shown,
            )
            n = app.readings
            await _until(pilot, "another reading", lambda: app.readings > n)
            assert _cell(app, "ports", "0", "tx_packets") == shown
            assert _cell(app, "ports", "0", "state") == "STREAMS"
            assert _cell(app, "streams", "0/0", "packets") == shown
            assert _cell(app, "tids", f"1/{TID}", "packets") == shown
            assert _cell(app, "tids", f"1/{TID}", "lost") == "0"
        token = str(daemon["token"])
        async with DaemonClient(str(daemon["url"]), token=token, owner="bob") as bob:
            with pytest.raises(RpcError) as refused:
                await bob.control(0, "start")
        assert (refused.value.code, str(refused.value)) == (
            409,
            f"port 0 is owned by {OWNER}",
        )

    asyncio.run(main())
