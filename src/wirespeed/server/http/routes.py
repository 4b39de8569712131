"""The read-only JSON API (docs/http-api.md): snapshot, chassis, ports, streams,
TIDs, history, captures, and the index of it all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web

from wirespeed.monitor import port_identity, port_view, snapshot
from wirespeed.server.http.context import CONTEXT, Context, in_thread
from wirespeed.server.http.errors import HttpError

__all__ = ["ENDPOINTS", "add", "json_response"]

ENDPOINTS: dict[str, str] = {
    "GET /": "the dashboard page",
    "GET /api": "this list",
    "GET /api/snapshot[?totals=1]": "chassis, ports, streams and TIDs at once",
    "GET /api/chassis": "modules and ports: identity, state, owner, link",
    "GET /api/ports/{port}": "one port, its streams and TIDs",
    "GET /api/ports/{port}/streams": "the port's streams (TX counts and rates)",
    "GET /api/ports/{port}/tids": "what the port's receiver measured per TID",
    "GET /api/ports/{port}/tids/{tid}": "one TID",
    "GET /api/history[?since_ns=N]": "per-second samples of the last minutes",
    "GET /api/live": "WebSocket: {snapshot, sample} once a second",
    "GET /api/captures": "the daemon's captures",
    "GET /api/captures/{id}": "a capture's file (pcap or pcapng)",
    "GET /api/rfc2544": "RFC 2544 runs started here, with their progress",
    "GET /api/rfc2544/{id}": "one run (results when done)",
    "GET /api/rfc2544/{id}/report.html": "a finished run's report page",
    "GET /metrics": "Prometheus text format",
    "POST /api/ports/{port}/{action}": (
        "reserve, release, start, stop, pause, resume, clear (token and owner needed)"
    ),
    "POST /api/rfc2544": "run an RFC 2544 suite on this daemon (token needed)",
}


def json_response(data: Any, status: int = 200) -> web.Response:
    """``data`` as JSON (NaN and infinities never appear in it)."""
    return web.Response(
        status=status,
        text=json.dumps(data, allow_nan=False),
        content_type="application/json",
    )


def _ctx(request: web.Request) -> Context:
    return request.app[CONTEXT]


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "0").lower() in ("1", "true", "yes")


def _int(request: web.Request, name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise HttpError(400, f"{name} must be an integer, got {raw!r}", name) from None


async def _index(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    return json_response(
        {"name": ctx.name, "version": ctx.version, "endpoints": ENDPOINTS}
    )


async def _snapshot(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    totals = _flag(request, "totals")
    return json_response(
        await in_thread(lambda: snapshot(ctx.tester, since_clear=not totals))
    )


async def _chassis(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    t = ctx.tester

    def read() -> dict[str, Any]:
        ports = [port_identity(t, p.index) for p in t.ports]
        modules = [
            {"index": m.index, "ports": list(m.ports), "media": m.media}
            for m in t.modules
        ]
        return {
            "name": ctx.name,
            "version": ctx.version,
            "modules": modules,
            "ports": ports,
        }

    return json_response(await in_thread(read))


async def _port(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    i = ctx.port_index(request)
    return json_response(await in_thread(lambda: port_view(ctx.tester, i)))


async def _streams(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    i = ctx.port_index(request)
    view = await in_thread(lambda: port_view(ctx.tester, i))
    return json_response(view["streams"])


async def _tids(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    i = ctx.port_index(request)
    view = await in_thread(lambda: port_view(ctx.tester, i))
    raw = request.match_info.get("tid")
    if raw is None:
        return json_response(view["tids"])
    tid = _int(request, "tid", raw)
    for t in view["tids"]:
        if t["tid"] == tid:
            return json_response(t)
    raise HttpError(404, f"port {i} has received no frame of TID {tid}", "tid")


async def _history(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    raw = request.query.get("since_ns")
    since = None if raw is None else _int(request, "since_ns", raw)
    return json_response(ctx.history.samples(since))


def _capture_row(info: Any) -> dict[str, Any]:
    return {
        "id": info.capture_id,
        "port": info.port,
        "active": info.active,
        "filter": info.spec.filter,
        "format": info.spec.fmt,
        "file": Path(info.spec.path).name,
        "frames": info.stats.frames,
        "bytes": info.stats.bytes,
        "missed": info.stats.missed,
        "start_ns": info.start_ns,
    }


async def _captures(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    infos = await in_thread(ctx.tester.services.captures)
    return json_response([_capture_row(i) for i in infos])


async def _capture_file(request: web.Request) -> web.StreamResponse:
    ctx = _ctx(request)
    cid = _int(request, "id", request.match_info["id"])
    infos = await in_thread(ctx.tester.services.captures)
    info = next((i for i in infos if i.capture_id == cid), None)
    if info is None:
        raise HttpError(404, f"no capture {cid}", "id")
    if not info.path.exists():
        raise HttpError(404, f"capture {cid}: its file is gone", "id")
    return web.FileResponse(
        info.path,
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f'attachment; filename="{info.path.name}"',
        },
    )


def add(app: web.Application) -> None:
    """Add the read-only routes."""
    app.router.add_get("/api", _index)
    app.router.add_get("/api/snapshot", _snapshot)
    app.router.add_get("/api/chassis", _chassis)
    app.router.add_get("/api/ports/{port}", _port)
    app.router.add_get("/api/ports/{port}/streams", _streams)
    app.router.add_get("/api/ports/{port}/tids", _tids)
    app.router.add_get("/api/ports/{port}/tids/{tid}", _tids)
    app.router.add_get("/api/history", _history)
    app.router.add_get("/api/captures", _captures)
    app.router.add_get("/api/captures/{id}", _capture_file)
