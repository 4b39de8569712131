"""Headless Chromium driven over the DevTools protocol (a WebSocket): open a live
page, wait for what its script says, read values out of the DOM, take a
screenshot. Needs Debian's ``chromium`` (``scripts/bootstrap.sh --test``
installs it); skipped without it, except in CI (``CI=true``), where it must run.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from browser import artifact_dir, chromium

__all__ = ["Page", "artifact_dir", "browser_page", "chromium"]


class Page:
    """One browser tab."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """A DevTools command; its result (events in between are skipped)."""
        cid = next(self._ids)
        await self._ws.send_json({"id": cid, "method": method, "params": params})
        while True:
            msg = await self._ws.receive_json(timeout=30)
            if msg.get("id") == cid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg["result"]
                return result

    async def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-serialisable)."""
        res = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    async def wait_for(self, expression: str, timeout_s: float = 60) -> Any:
        """Wait until ``expression`` is truthy; its value."""
        deadline = time.monotonic() + timeout_s
        guarded = (
            f"(() => {{ try {{ return {expression}; }} "
            "catch (e) { return null; } })()"
        )
        while True:
            value = await self.eval(guarded)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page never had {expression}")
            await asyncio.sleep(0.2)

    async def screenshot(self, path: Path) -> None:
        """A PNG of the whole page."""
        res = await self.call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=True
        )
        path.write_bytes(base64.b64decode(res["data"]))


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """End the browser and every process it started (a renderer left running
    would take CPU from the tests after it)."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)  # anyone of the group still there?
            except ProcessLookupError:
                proc.wait()
                return
            proc.poll()  # reap the leader so it does not count as alive
            time.sleep(0.05)
    proc.wait()


@asynccontextmanager
async def browser_page(
    url: str, size: tuple[int, int] = (1500, 2200)
) -> AsyncIterator[Page]:
    """A headless Chromium showing ``url`` (no network beyond loopback)."""
    exe = chromium()
    # the browser's helper processes may still write to the profile as they go
    with tempfile.TemporaryDirectory(
        prefix="ws-chromium-", ignore_cleanup_errors=True
    ) as profile:
        proc = subprocess.Popen(
            [
                exe, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update",
                "--proxy-server=127.0.0.1:9",  # loopback only: it bypasses proxies
                "--remote-debugging-port=0", f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}", "about:blank",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its renderers and helpers: one group to end
        )  # fmt: skip
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not port_file.exists() or not port_file.read_text().strip():
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("chromium did not open its DevTools port")
                await asyncio.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            async with aiohttp.ClientSession() as s:
                async with s.get(f"http://127.0.0.1:{port}/json/list") as r:
                    targets = json.loads(await r.text())
                page = next(t for t in targets if t["type"] == "page")
                async with s.ws_connect(
                    page["webSocketDebuggerUrl"], max_msg_size=64 << 20
                ) as ws:
                    tab = Page(ws)
                    await tab.call("Page.enable")
                    await tab.call("Runtime.enable")
                    await tab.call("Page.navigate", url=url)
                    yield tab
        finally:
            _end_group(proc)
