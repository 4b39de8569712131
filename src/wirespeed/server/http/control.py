"""The control actions (token and owner needed): reserve, release, start, stop,
pause, resume and clear a port, under the ownership rules every front end
follows."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from aiohttp import web

from wirespeed.errors import OwnershipError
from wirespeed.server.http.context import CONTEXT, Context, in_thread
from wirespeed.server.http.errors import HttpError
from wirespeed.server.http.routes import json_response
from wirespeed.service import Tester

__all__ = ["ACTIONS", "add", "read_json"]

ACTIONS = ("reserve", "release", "start", "stop", "pause", "resume", "clear")


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's body: a JSON object (400 naming what is wrong)."""
    raw = await request.text()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HttpError(400, f"the body is not JSON: {exc}", "body") from None
    if not isinstance(body, dict):
        raise HttpError(400, "the body must be a JSON object", "body")
    return body


def owner_of(body: dict[str, Any]) -> str:
    """The ``owner`` of a control request (400 if missing or not a name)."""
    owner = body.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        raise HttpError(400, "name the owner acting on the port", "owner")
    return owner.strip()


def _held_by(tester: Tester, index: int, owner: str) -> None:
    res = tester.reservation(index)
    if res is None:
        raise OwnershipError(
            f"port {index} is not reserved: reserve it first "
            f"(POST /api/ports/{index}/reserve)",
            port=index,
        )
    if res.owner != owner:
        raise OwnershipError(f"port {index} is owned by {res.owner}", port=index)


def _duration(body: dict[str, Any]) -> float | None:
    d = body.get("duration_s")
    if d is None:
        return None
    if isinstance(d, bool) or not isinstance(d, int | float) or not math.isfinite(d):
        raise HttpError(400, "duration_s must be a number of seconds", "duration_s")
    if d <= 0:
        raise HttpError(400, f"duration_s must be > 0, got {d}", "duration_s")
    return float(d)


def _action(
    tester: Tester, index: int, action: str, owner: str, body: dict[str, Any]
) -> Callable[[], None]:
    if action == "reserve":
        res = tester.reservation(index)
        if res is not None and res.owner != owner:
            raise OwnershipError(f"port {index} is owned by {res.owner}", port=index)
        if res is not None:  # already this owner's
            return lambda: None
        return lambda: _reserve(tester, index, owner)
    _held_by(tester, index, owner)
    if action == "release":
        return lambda: tester.relinquish(index)
    if action == "start":
        duration = _duration(body)
        return lambda: tester.start_traffic([index], duration_s=duration)
    if action == "stop":
        return lambda: tester.stop_traffic([index])
    if action == "pause":
        return lambda: tester.pause([index])
    if action == "resume":
        return lambda: tester.resume([index])
    return lambda: tester.clear_stats(index)


def _reserve(tester: Tester, index: int, owner: str) -> None:
    tester.reserve(index, owner, f"http:{owner}")


async def _port_action(request: web.Request) -> web.Response:
    ctx: Context = request.app[CONTEXT]
    ctx.check_token(request)
    index = ctx.port_index(request)
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise HttpError(
            404, f"no action {action!r} (one of {', '.join(ACTIONS)})", "action"
        )
    body = await read_json(request)
    owner = owner_of(body)
    run = await in_thread(lambda: _action(ctx.tester, index, action, owner, body))
    await in_thread(run)
    res = ctx.tester.reservation(index)
    return json_response(
        {
            "port": index,
            "action": action,
            "state": ctx.tester.port_state(index).value,
            "owner": None if res is None else res.owner,
        }
    )


def add(app: web.Application) -> None:
    """Add the control routes."""
    app.router.add_post("/api/ports/{port}/{action}", _port_action)
