"""The OTG REST server: OTG's endpoints over HTTPS (a certificate made at start,
or the user's) and, where asked, plain HTTP, served by aiohttp from a thread of
the daemon. Requests are read with snappi's model classes (:mod:`.parse`);
answers are snappi's objects serialized, errors OTG's shape (:mod:`.errors`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from wirespeed.errors import WirespeedError
from wirespeed.server.otg import metrics as otg_metrics
from wirespeed.server.otg.errors import OtgError, unsupported
from wirespeed.server.otg.parse import API, parse, parse_config
from wirespeed.server.otg.session import OtgSession
from wirespeed.service import Tester
from wirespeed.tlscerts import CertStore, server_context

__all__ = ["API_SPEC_VERSIONS", "DEFAULT_OTG_PORT", "OtgServer"]

_log = logging.getLogger("wirespeed.server.otg")

DEFAULT_OTG_PORT = 8443
API_SPEC_VERSIONS = ">=1.58.0,<2.0.0"
"""The OTG model versions served (snappi checks its own against it)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_SESSION: web.AppKey[OtgSession] = web.AppKey("otg_session", OtgSession)


def _json(obj: Any, status: int = 200) -> web.Response:
    text = obj if isinstance(obj, str) else json.dumps(obj)
    return web.Response(status=status, text=text, content_type="application/json")


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except OtgError as exc:
        return _json(exc.body(), exc.code)
    except WirespeedError as exc:
        return _json(OtgError(str(exc)).body(), 400)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = "validation" if exc.status < 500 else "internal"
        return _json(OtgError(exc.reason, kind=kind).body(), exc.status)
    except Exception as exc:
        _log.exception("OTG %s %s failed", request.method, request.path)
        err = OtgError(f"{type(exc).__name__}: {exc}", kind="internal")
        return _json(err.body(), 500)


async def _run(fn: Callable[[], Any]) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


def _warnings(items: list[str]) -> str:
    w = API.warning()
    w.warnings = items
    return str(w.serialize())


async def _set_config(request: web.Request) -> web.Response:
    session = request.app[_SESSION]
    cfg = parse_config(await request.read())
    return _json(_warnings(await _run(lambda: session.set_config(cfg))))


async def _get_config(request: web.Request) -> web.Response:
    return _json(request.app[_SESSION].config_text())


async def _update_config(request: web.Request) -> web.Response:
    session = request.app[_SESSION]
    update = parse("config_update", await request.read())
    if update.choice != "flows":
        raise unsupported(f"config_update.choice ({update.choice})", "this update")
    return _json(_warnings(await _run(lambda: session.update_flows(update))))


async def _control_state(request: web.Request) -> web.Response:
    session = request.app[_SESSION]
    cs = parse("control_state", await request.read())

    def act() -> None:
        if cs.choice == "traffic" and cs.traffic.choice == "flow_transmit":
            ft = cs.traffic.flow_transmit
            session.transmit(ft.state, list(ft.flow_names or []))
        elif cs.choice == "port" and cs.port.choice == "capture":
            session.capture(
                cs.port.capture.state, list(cs.port.capture.port_names or [])
            )
        elif cs.choice == "port" and cs.port.choice == "link":
            session.set_link(cs.port.link.state, list(cs.port.link.port_names or []))
        else:
            what = cs.choice if cs.choice != "port" else f"port.{cs.port.choice}"
            raise unsupported(f"control_state.choice ({what})", f"{what} control")

    await _run(act)
    return _json(_warnings([]))


async def _control_action(request: web.Request) -> web.Response:
    action = parse("control_action", await request.read())
    raise unsupported(f"control_action.choice ({action.choice})", "protocol actions")


async def _metrics(request: web.Request) -> web.Response:
    session = request.app[_SESSION]
    req = parse("metrics_request", await request.read())
    resp = await _run(lambda: otg_metrics.metrics(session, req))
    return _json(resp.serialize())


async def _states(request: web.Request) -> web.Response:
    session = request.app[_SESSION]
    req = parse("states_request", await request.read())
    return _json(otg_metrics.states(session, req).serialize())


async def _capture(request: web.Request) -> web.Response:
    session = request.app[_SESSION]
    req = parse("capture_request", await request.read())
    data = await _run(lambda: session.capture_file(req.port_name))
    return web.Response(body=data, content_type="application/octet-stream")


async def _version(request: web.Request) -> web.Response:
    from wirespeed import __version__

    return _json(
        {
            "api_spec_version": API_SPEC_VERSIONS,
            "sdk_version": API.get_local_version().sdk_version,
            "app_version": __version__,
        }
    )


def make_app(session: OtgSession) -> web.Application:
    """OTG's REST endpoints over ``session``."""
    app = web.Application(middlewares=[_errors], client_max_size=64 << 20)
    app[_SESSION] = session
    r = app.router
    r.add_post("/config", _set_config)
    r.add_get("/config", _get_config)
    r.add_patch("/config", _update_config)
    r.add_post("/control/state", _control_state)
    r.add_post("/control/action", _control_action)
    r.add_post("/monitor/metrics", _metrics)
    r.add_post("/monitor/states", _states)
    r.add_post("/monitor/capture", _capture)
    r.add_get("/capabilities/version", _version)
    return app


class OtgServer:
    """The OTG front end of the daemon.

    Args:
        tester: the tester its flows run on.
        bind: the address to listen on.
        port: HTTPS port (0: any free one; :attr:`port` says which).
        http_port: also plain HTTP on this port (``None``: not served).
        cert, key: the server's certificate and key (PEM files; default: a
            self-signed one made at start for the bind address and localhost).
    """

    def __init__(
        self,
        tester: Tester,
        *,
        bind: str = "127.0.0.1",
        port: int = DEFAULT_OTG_PORT,
        http_port: int | None = None,
        cert: Path | None = None,
        key: Path | None = None,
    ) -> None:
        self.session = OtgSession(tester)
        self.bind = bind
        self.port = port
        self.http_port = http_port
        self._cert, self._key = cert, key
        self._store: CertStore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """Where snappi connects (``snappi.api(location=url)``)."""
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"https://{host}:{self.port}"

    @property
    def http_url(self) -> str | None:
        """The plain HTTP location, if served."""
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return None if self.http_port is None else f"http://{host}:{self.http_port}"

    def _ssl(self) -> ssl.SSLContext:
        if self._cert is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self._cert, self._key)
            return ctx
        names = ["localhost", self.bind]
        self._store = CertStore.create(names)
        return server_context(self._store, "localhost", lambda _sni: True)

    def start(self) -> None:
        """Listen (raises if a port cannot be bound)."""
        self._thread = threading.Thread(
            target=self._serve, name="wirespeed-otg", daemon=True
        )
        self._thread.start()
        self._ready.wait(15)
        if self._error is not None:
            raise self._error
        _log.info(
            "OTG API on %s%s",
            self.url,
            f" and {self.http_url}" if self.http_url else "",
        )

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            runner = web.AppRunner(
                make_app(self.session), access_log=None, handle_signals=False
            )
            loop.run_until_complete(runner.setup())
            sites = [
                web.TCPSite(
                    runner,
                    self.bind,
                    self.port,
                    ssl_context=self._ssl(),
                    reuse_address=True,
                )
            ]
            if self.http_port is not None:
                sites.append(
                    web.TCPSite(runner, self.bind, self.http_port, reuse_address=True)
                )
            for site in sites:
                loop.run_until_complete(site.start())
            bound = [s._server.sockets[0].getsockname()[1] for s in sites]  # type: ignore[union-attr]
            self.port = bound[0]
            if self.http_port is not None:
                self.http_port = bound[1]
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
        """Stop serving; remove what the session set and the certificate."""
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        try:
            self.session.close()
        finally:
            if self._store is not None:
                self._store.remove()
                self._store = None
