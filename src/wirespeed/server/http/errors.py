"""Every error a request can cause, as JSON with a 4xx status (5xx only for the
daemon's own faults); nothing a client sends stops the server."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from wirespeed.errors import StateError, WirespeedError

__all__ = ["HttpError", "error_middleware", "json_error"]

_log = logging.getLogger("wirespeed.server.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HttpError(Exception):
    """A request the API refuses: its status, message and the field it names."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def json_error(status: int, message: str, field: str | None = None) -> web.Response:
    """``{"error": message, "field": field}`` with ``status``."""
    return web.Response(
        status=status,
        text=json.dumps({"error": message, "field": field}),
        content_type="application/json",
    )


def _status(exc: WirespeedError) -> int:
    """409 for a port in the wrong hands or state, else 400."""
    return 409 if isinstance(exc, StateError) else 400


@web.middleware
async def error_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Map refusals and wirespeed errors to JSON 4xx; anything else to a logged
    500 (the server goes on)."""
    try:
        return await handler(request)
    except HttpError as exc:
        return json_error(exc.status, exc.message, exc.field)
    except WirespeedError as exc:
        return json_error(_status(exc), str(exc), getattr(exc, "field", None))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return json_error(exc.status, exc.reason)
    except Exception as exc:
        _log.exception("HTTP %s %s failed", request.method, request.path)
        return json_error(500, f"internal error: {type(exc).__name__}: {exc}")
