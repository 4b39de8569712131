"""The dashboard page and its scripts (served from the package: it works with no
network), and Prometheus ``/metrics``."""

from __future__ import annotations

from aiohttp import web

from wirespeed import web as assets
from wirespeed.server.http.context import CONTEXT, in_thread

__all__ = ["ASSETS", "add"]

ASSETS: dict[str, tuple[str, str]] = {
    "uPlot.min.js": ("vendor/uplot/uPlot.iife.min.js", "text/javascript"),
    "uPlot.min.css": ("vendor/uplot/uPlot.min.css", "text/css"),
    "dashboard.js": ("dashboard.js", "text/javascript"),
    "dashboard.css": ("dashboard.css", "text/css"),
}
"""What ``/assets/{name}`` serves: name -> (file in wirespeed.web, type)."""

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
)


async def _page(request: web.Request) -> web.Response:
    return web.Response(
        text=assets.asset_text("dashboard.html"),
        content_type="text/html",
        headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-store"},
    )


async def _asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    entry = ASSETS.get(name)
    if entry is None:
        raise web.HTTPNotFound(reason=f"no asset {name!r}")
    path, ctype = entry
    return web.Response(
        text=assets.asset_text(path),
        content_type=ctype,
        headers={"Cache-Control": "max-age=3600"},
    )


async def _metrics(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    accept = request.headers.get("Accept", "")  # OpenMetrics when asked
    body, ctype = await in_thread(lambda: ctx.metrics.render(accept))
    resp = web.Response(body=body)
    resp.headers["Content-Type"] = ctype
    return resp


def add(app: web.Application) -> None:
    """Add the page, its assets and ``/metrics``."""
    app.router.add_get("/", _page)
    app.router.add_get("/assets/{name}", _asset)
    app.router.add_get("/metrics", _metrics)
