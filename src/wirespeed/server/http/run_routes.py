"""``/api/rfc2544``: start an RFC 2544 suite on the daemon's ports, follow it,
read its results and report page."""

from __future__ import annotations

import json
from typing import Any

import yaml
from aiohttp import web

from wirespeed.rfc2544_report import render_html
from wirespeed.server.http.context import CONTEXT, Context, in_thread
from wirespeed.server.http.errors import HttpError
from wirespeed.server.http.routes import json_response

__all__ = ["add"]


def _run_id(ctx: Context, request: web.Request) -> int:
    raw = request.match_info["id"]
    try:
        rid = int(raw)
        ctx.runs.summary(rid)
    except (ValueError, KeyError):
        raise HttpError(404, f"no RFC 2544 run {raw!r}", "id") from None
    return rid


async def _suite_body(request: web.Request) -> Any:
    raw = await request.text()
    yaml_body = request.content_type in ("application/yaml", "application/x-yaml")
    try:
        return yaml.safe_load(raw) if yaml_body else json.loads(raw)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        kind = "YAML" if yaml_body else "JSON"
        raise HttpError(400, f"the suite is not {kind}: {exc}", "body") from None


async def _start(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    ctx.check_token(request)
    owner = request.query.get("owner", "rfc2544").strip()
    if not owner:
        raise HttpError(400, "owner must not be empty", "owner")
    data = await _suite_body(request)
    run = await in_thread(lambda: ctx.runs.submit(data, owner))
    return json_response(run, status=201)


async def _list(request: web.Request) -> web.Response:
    return json_response(request.app[CONTEXT].runs.list())


async def _get(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return json_response(ctx.runs.get(_run_id(ctx, request)))


async def _report(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    run = ctx.runs.get(_run_id(ctx, request))
    if run["results"] is None:
        raise HttpError(409, f"run {run['id']} is {run['state']}: no results", "id")
    html = await in_thread(lambda: render_html(run["results"]))
    return web.Response(text=html, content_type="text/html")


def add(app: web.Application) -> None:
    """Add the RFC 2544 routes."""
    app.router.add_post("/api/rfc2544", _start)
    app.router.add_get("/api/rfc2544", _list)
    app.router.add_get("/api/rfc2544/{id}", _get)
    app.router.add_get("/api/rfc2544/{id}/report.html", _report)
