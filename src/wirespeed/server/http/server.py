"""The HTTP front end's server: an aiohttp application in a thread of its own.

The daemon starts it like every front end (``start``/``close``). One
:class:`~wirespeed.monitor.History` reads the tester once a second; the page's
WebSocket, ``wirespeed top`` and the JSON API's history share that reading, so
the number of viewers does not change what the tester does. ``/metrics`` and
the per-port endpoints read the tester when asked (one snapshot per request).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import threading
from typing import Any

from aiohttp import web

from wirespeed.monitor import History
from wirespeed.server.http import control, live, pages, routes, run_routes
from wirespeed.server.http.context import CONTEXT, Context
from wirespeed.server.http.errors import error_middleware
from wirespeed.server.http.metrics import TesterMetrics
from wirespeed.server.http.runs import Runs, SuiteFactory
from wirespeed.service import Tester

__all__ = ["DEFAULT_HTTP_PORT", "HttpServer"]

_log = logging.getLogger("wirespeed.server.http")

DEFAULT_HTTP_PORT = 8080


class HttpServer:
    """The dashboard, JSON API, WebSocket and ``/metrics`` of one tester.

    Args:
        tester: the tester it shows.
        bind: the address to listen on (loopback by default: the page can
            control ports once given the token).
        port: the TCP port (0: any free one; :attr:`port` says which).
        token: the control token (default: a new random one, :attr:`token`).
        name: the chassis name in the page and the metrics' labels.
        testbed: the embedded test bed (its DUT counters), if any.
        suites: makes the service that runs RFC 2544 suites on this tester
            (``None``: ``POST /api/rfc2544`` answers that it is not served).
        history_s: how far back the history reaches.
    """

    def __init__(
        self,
        tester: Tester,
        *,
        bind: str = "127.0.0.1",
        port: int = DEFAULT_HTTP_PORT,
        token: str | None = None,
        name: str | None = None,
        testbed: Any = None,
        suites: SuiteFactory | None = None,
        history_s: float = 600.0,
    ) -> None:
        self.tester = tester
        self.bind = bind
        self.port = port
        self.token = token or secrets.token_urlsafe(18)
        self.name = name or socket.gethostname()
        self.history = History(tester, period_s=1.0, keep_s=history_s)
        self.runs = Runs(
            suites(tester, testbed) if suites is not None else None, tester
        )
        self.context = Context(
            tester=tester,
            history=self.history,
            metrics=TesterMetrics(tester, self.name),
            runs=self.runs,
            token=self.token,
            name=self.name,
            testbed=testbed,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """Where the dashboard is."""
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"http://{host}:{self.port}/"

    def app(self) -> web.Application:
        """The aiohttp application (routes of :mod:`.routes`, :mod:`.control`,
        :mod:`.run_routes`, :mod:`.live`, :mod:`.pages`)."""
        app = web.Application(middlewares=[error_middleware], client_max_size=4 << 20)
        app[CONTEXT] = self.context
        routes.add(app)
        control.add(app)
        run_routes.add(app)
        live.add(app)
        pages.add(app)
        return app

    def start(self) -> None:
        """Listen (raises if the port cannot be bound) and sample the tester."""
        self.history.start()
        self._thread = threading.Thread(
            target=self._serve, name="wirespeed-http", daemon=True
        )
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            self.history.close()
            raise self._error
        _log.info("dashboard on %s", self.url)

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.bind, self.port, reuse_address=True)
            loop.run_until_complete(site.start())
            if self.port == 0:
                server = site._server
                assert isinstance(server, asyncio.base_events.Server)
                self.port = server.sockets[0].getsockname()[1]
            self._runner = runner
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def close(self) -> None:
        """Stop serving and sampling; wait for running RFC 2544 runs to stop."""
        self.runs.close()
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.history.close()
