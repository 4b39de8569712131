"""``/api/live``: a WebSocket that pushes ``{"snapshot", "sample"}`` after every
reading of the history (once a second).

The message is encoded once per reading, whatever the number of viewers; a
viewer that cannot keep up loses old messages, never the server's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import WSMsgType, web

from wirespeed.monitor import Sample, sample_of
from wirespeed.server.http.context import CONTEXT

__all__ = ["Hub", "add"]

_BACKLOG = 4


class Hub:
    """Hands each reading of the history to every connected viewer."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver in ``loop`` (the server's)."""
        self._loop = loop

    def publish(self, snap: dict[str, Any], sample: Sample) -> None:
        """A history listener (called from the sampling thread)."""
        loop = self._loop
        if loop is None or not self._queues:
            return
        text = encode(snap, sample)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._deliver, text)

    def _deliver(self, text: str) -> None:
        for q in self._queues:
            if q.full():
                q.get_nowait()  # the oldest goes
            q.put_nowait(text)

    def open(self) -> asyncio.Queue[str]:
        """A new viewer's queue."""
        q: asyncio.Queue[str] = asyncio.Queue(maxsize=_BACKLOG)
        self._queues.add(q)
        return q

    def close(self, q: asyncio.Queue[str]) -> None:
        """A viewer left."""
        self._queues.discard(q)


HUB: web.AppKey[Hub] = web.AppKey("wirespeed_hub", Hub)


def encode(snap: dict[str, Any], sample: Sample) -> str:
    """One live message."""
    return json.dumps({"snapshot": snap, "sample": sample}, allow_nan=False)


async def _live(request: web.Request) -> web.WebSocketResponse:
    ctx = request.app[CONTEXT]
    hub = request.app[HUB]
    ws = web.WebSocketResponse(heartbeat=30.0)
    await ws.prepare(request)
    q = hub.open()
    try:
        snap = ctx.history.latest()
        await ws.send_str(encode(snap, sample_of(snap)))
        sender = asyncio.ensure_future(_send(ws, q))
        async for msg in ws:  # viewers say nothing; this waits for the close
            if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
    finally:
        hub.close(q)
    return ws


async def _send(ws: web.WebSocketResponse, q: asyncio.Queue[str]) -> None:
    while not ws.closed:
        text = await q.get()
        try:
            await ws.send_str(text)
        except ConnectionError:
            return


def add(app: web.Application) -> None:
    """Add ``/api/live`` and subscribe its hub to the history."""
    hub = Hub()
    app[HUB] = hub

    async def startup(app: web.Application) -> None:
        hub.attach(asyncio.get_running_loop())
        app[_UNSUB] = app[CONTEXT].history.subscribe(hub.publish)

    async def cleanup(app: web.Application) -> None:
        app[_UNSUB]()

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    app.router.add_get("/api/live", _live)


_UNSUB: web.AppKey[Any] = web.AppKey("wirespeed_hub_unsubscribe", object)
