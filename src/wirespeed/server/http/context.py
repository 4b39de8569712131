"""What every handler of the HTTP front end reads: the tester and the objects
the server keeps beside it."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from wirespeed import __version__
from wirespeed.monitor import History
from wirespeed.server.http.errors import HttpError
from wirespeed.server.http.metrics import TesterMetrics
from wirespeed.server.http.runs import Runs
from wirespeed.service import Tester

__all__ = ["CONTEXT", "Context", "in_thread"]

T = TypeVar("T")


@dataclass
class Context:
    """The tester, its history, metrics, RFC 2544 runs and the control token."""

    tester: Tester
    history: History
    metrics: TesterMetrics
    runs: Runs
    token: str
    name: str
    testbed: Any = None
    version: str = __version__

    def check_token(self, request: web.Request) -> None:
        """Refuse (401) a request without the control token."""
        auth = request.headers.get("Authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not given:
            raise HttpError(
                401,
                "control needs the token the daemon printed at start "
                "(Authorization: Bearer TOKEN)",
                "Authorization",
            )
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise HttpError(401, "wrong control token", "Authorization")

    def port_index(self, request: web.Request) -> int:
        """The ``{port}`` of the path, checked (404 if there is no such port)."""
        raw = request.match_info["port"]
        n = len(self.tester.ports)
        try:
            index = int(raw)
        except ValueError:
            raise HttpError(
                404, f"no port {raw!r} (ports 0..{n - 1})", "port"
            ) from None
        if not 0 <= index < n:
            raise HttpError(404, f"no port {index} (ports 0..{n - 1})", "port")
        return index


CONTEXT: web.AppKey[Context] = web.AppKey("wirespeed", Context)


async def in_thread(fn: Callable[[], T]) -> T:
    """Run a tester call off the event loop (it may wait for the workers)."""
    return await asyncio.get_running_loop().run_in_executor(None, fn)
