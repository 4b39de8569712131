# Every stub below is sent by @rpc: its body is never run.
# mypy: disable-error-code="empty-body"
"""A tester on another host, driven over the daemon's native RPC.

:class:`RemoteTester` has the methods of :class:`~wirespeed.service.Tester` the
native API uses (and a few more), each sent to ``wirespeed server``'s native front
end (:mod:`wirespeed.server.native`) and answered with the same values, or the same
errors; ``Chassis.connect("host[:port]")`` puts the whole API on it::

    from wirespeed.client import Chassis

    with Chassis.connect("198.18.10.2", owner="alice") as chassis:
        port = chassis.ports[0]
        port.reserve()
        ...

Reservations are the session's: ``reserve``/``release`` ignore the owner and session
they are given (the daemon uses those the session opened with), and when the
program goes away without closing, the daemon releases its ports once the session
timeout has passed without a word from it.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from wirespeed.analysis import TidStats
from wirespeed.analysis.clocksync import ClockSync
from wirespeed.client.connection import RpcConnection
from wirespeed.dataplane.service_messages import FramesSent, PingEntry
from wirespeed.errors import RemoteProtocolError, ValidationError, WirespeedError
from wirespeed.fieldengine import InjectedError
from wirespeed.l3 import IPAddress, L3Identity
from wirespeed.model import Stream
from wirespeed.service import (
    CaptureInfo,
    ModuleInfo,
    Multiplier,
    PortInfo,
    PortState,
    PortStats,
    Reservation,
    StreamTxStats,
    TrafficEvent,
)
from wirespeed.tpld import TpldMode
from wirespeed.wire import check_type

if TYPE_CHECKING:  # the engine: not imported by a client-only install
    from wirespeed.capture import CapturedFrames
    from wirespeed.service import PortServices, Tester

__all__ = ["RemoteServices", "RemoteTester", "capture_chunks"]

_log = logging.getLogger("wirespeed.client")

F = TypeVar("F", bound=Callable[..., Any])

_WAIT_CHUNK_S = 5.0  # one wait_idle call (the server waits at most 10 s per call)
_POLL_S = 0.1  # events are fetched this often while someone listens
_CHUNK_BYTES = 16 << 20  # capture bytes per call


class _Remote:
    _conn: RpcConnection


def rpc(
    name: str, wait_s: Callable[[dict[str, Any]], float] | None = None
) -> Callable[[F], F]:
    """Send calls of the stub to method ``name``: the arguments as given (the
    daemon applies the defaults), the answer checked against the stub's return
    annotation. ``wait_s(arguments)``: how long the call itself waits."""

    def wrap(stub: F) -> F:
        sig = inspect.signature(stub)
        returns: Any = None

        @functools.wraps(stub)
        def call(self: _Remote, *args: Any, **kwargs: Any) -> Any:
            nonlocal returns
            bound = sig.bind(self, *args, **kwargs)
            given, named = bound.args[1:], bound.kwargs  # sent: what the caller gave
            wait = 0.0
            if wait_s is not None:
                bound.apply_defaults()
                wait = wait_s(bound.arguments)
            result = self._conn.call(name, *given, wait_s=wait, **named)
            if returns is None:
                returns = typing.get_type_hints(stub)["return"]
            _check_answer(result, returns, name)
            return result

        call.__dict__["rpc_name"] = name  # what the tests match against the server
        return cast(F, call)

    return wrap


def _check_answer(result: object, hint: Any, name: str) -> None:
    try:
        check_type(result, hint, name)
    except ValidationError as exc:
        raise RemoteProtocolError(f"the answer to {exc}") from exc


class RemoteServices(_Remote):
    """A remote tester's port services (``tester.services``)."""

    def __init__(self, conn: RpcConnection) -> None:
        self._conn = conn

    @rpc("services.l3")
    def l3(self, port: int) -> L3Identity: ...

    @rpc("services.set_l3")
    def set_l3(
        self, port: int, identity: L3Identity, *, forget: bool = False
    ) -> None: ...

    @rpc("services.resolve", lambda a: float(a["timeout_s"]))
    def resolve(
        self, port: int, addr: IPAddress | str | None = None, *, timeout_s: float = 3.0
    ) -> str: ...

    @rpc("services.resolve_gateways", lambda a: 2 * float(a["timeout_s"]))
    def resolve_gateways(
        self, port: int, *, timeout_s: float = 3.0
    ) -> dict[IPAddress, str]: ...

    @rpc("services.set_neighbor")
    def set_neighbor(self, port: int, addr: IPAddress | str, mac: str) -> None: ...

    @rpc("services.set_dst_mac")
    def set_dst_mac(self, port: int, mac: str | None) -> None: ...

    @rpc("services.neighbors")
    def neighbors(self, port: int) -> list[tuple[IPAddress, str]]: ...

    @rpc(
        "services.ping",
        lambda a: a["count"] * float(a["interval_s"]) + 2 * float(a["timeout_s"]),
    )
    def ping(
        self,
        port: int,
        dst: IPAddress | str,
        *,
        count: int = 5,
        interval_s: float = 1.0,
        size_bytes: int = 64,
        timeout_s: float = 1.0,
    ) -> list[PingEntry]: ...

    @rpc("services.send_frames", lambda a: len(a["frames"]) * a["ipg_us"] / 1e6)
    def send_frames(
        self, port: int, frames: list[bytes], *, ipg_us: float = 0.0
    ) -> FramesSent: ...

    @rpc("services.counters")
    def counters(self, port: int, *, since_clear: bool = False) -> dict[str, int]: ...

    @rpc("services.start_capture")
    def start_capture(
        self,
        port: int,
        *,
        filter: str = "",
        limit_frames: int | None = 1000,
        limit_bytes: int | None = None,
        snaplen: int = 65535,
        rx: bool = True,
        tx: bool = True,
        path: str | Path | None = None,
        fmt: str = "pcapng",
        mode: str = "fixed",
    ) -> int:
        """Start a capture on the daemon's host, in a file it chooses (a ``path``
        is refused: read the file with :meth:`capture_bytes`, or
        ``Capture.save`` it here)."""

    @rpc("services.capture")
    def capture(self, cid: int) -> CaptureInfo: ...

    @rpc("services.captures")
    def captures(self) -> list[CaptureInfo]: ...

    @rpc("services.stop_capture")
    def stop_capture(self, cid: int) -> CaptureInfo: ...

    @rpc("services.remove_capture")
    def remove_capture(self, cid: int) -> None: ...

    @rpc("services.capture_bytes")
    def capture_bytes(
        self, cid: int, *, offset: int = 0, size_bytes: int | None = None
    ) -> bytes: ...

    def read_capture(self, cid: int) -> CapturedFrames:
        """The frames captured so far (the file fetched, then decoded here: needs
        numpy, which a client-only install lacks)."""
        import numpy as np

        from wirespeed.capture import decode_capture

        data = b"".join(capture_chunks(self, cid))
        return decode_capture(np.frombuffer(data, dtype=np.uint8))


class RemoteTester(_Remote):
    """A tester served by ``wirespeed server`` on another host.

    Use :meth:`connect` (or ``Chassis.connect``); :meth:`close` ends the session
    and releases its ports.
    """

    def __init__(self, conn: RpcConnection, hello: dict[str, Any]) -> None:
        self._conn = conn
        self.address = conn.address
        self.session: str = hello["name"]
        """The session's name (what the daemon's reservations show)."""
        self.server: str = hello["server"]
        self.services = RemoteServices(conn)
        self._subs: list[Callable[[TrafficEvent], None]] = []
        self._subs_lock = threading.Lock()
        self._deliver_lock = threading.Lock()
        self._cursor = 0
        self._poller: tuple[threading.Thread, threading.Event] | None = None

    @classmethod
    def connect(
        cls,
        address: str,
        *,
        owner: str = "wirespeed",
        timeout_s: float = 10.0,
        session_timeout_s: float = 10.0,
    ) -> RemoteTester:
        """Open a session on the daemon at ``address`` (``host[:port]``, port 4510
        by default) as ``owner``.

        Args:
            timeout_s: how long a call may go unanswered.
            session_timeout_s: how long the daemon keeps the session (and its
                ports) once this program has gone silent (a background thread
                keeps it alive while the program runs).

        Raises:
            RpcTimeout: no daemon answered at ``address``.
            RemoteProtocolError: it speaks another version of the native RPC.
        """
        conn = RpcConnection(address, timeout_s=timeout_s)
        try:
            return cls(conn, conn.hello(owner, session_timeout_s))
        except BaseException:
            conn.close()
            raise

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> RemoteTester:
        """Nothing to start: the daemon's tester runs."""
        return self

    def close(self) -> None:
        """End the session (its ports are released) and disconnect."""
        self._stop_poller()
        self._conn.close()

    # ------------------------------------------------------------------ inventory
    @property
    def ports(self) -> list[PortInfo]:
        """Every port, in index order."""
        return self._ports()

    @rpc("tester.ports")
    def _ports(self) -> list[PortInfo]: ...

    @property
    def modules(self) -> list[ModuleInfo]:
        """Every module, in index order."""
        return self._modules()

    @rpc("tester.modules")
    def _modules(self) -> list[ModuleInfo]: ...

    @rpc("tester.port_state")
    def port_state(self, index: int) -> PortState: ...

    # ------------------------------------------------------------------ ownership
    def reserve(
        self, index: int, owner: str = "", session: str = "", *, force: bool = False
    ) -> str:
        """Reserve a port for this session (``owner`` and ``session`` are the
        session's own, whatever is given); its token."""
        return self._reserve(index, force=force)

    @rpc("tester.reserve")
    def _reserve(self, index: int, *, force: bool = False) -> str: ...

    def release(self, index: int, who: str = "") -> None:
        """Release a port this session holds."""
        self._release(index)

    @rpc("tester.release")
    def _release(self, index: int) -> None: ...

    @rpc("tester.reservation")
    def reservation(self, index: int) -> Reservation | None: ...

    # ------------------------------------------------------------------ streams
    @rpc("tester.add_stream")
    def add_stream(self, index: int, stream_id: int, stream: Stream) -> None: ...

    @rpc("tester.replace_stream")
    def replace_stream(self, index: int, stream_id: int, stream: Stream) -> None: ...

    @rpc("tester.remove_stream")
    def remove_stream(self, index: int, stream_id: int) -> None: ...

    @rpc("tester.remove_all_streams")
    def remove_all_streams(self, index: int) -> None: ...

    @rpc("tester.streams")
    def streams(self, index: int) -> dict[int, Stream]: ...

    @rpc("tester.inject_error")
    def inject_error(
        self, index: int, stream_id: int, error: InjectedError | str
    ) -> None: ...

    # ------------------------------------------------------------------ traffic
    @rpc("tester.start_traffic")
    def start_traffic(
        self,
        ports: list[int],
        *,
        duration_s: float | None = None,
        multiplier: Multiplier | None = None,
        force: bool = False,
        packet_limit: int | None = None,
        start_at_ns: int | None = None,
    ) -> None: ...

    @rpc("tester.stop_traffic", lambda a: 10.0)
    def stop_traffic(self, ports: list[int]) -> None: ...

    @rpc("tester.pause")
    def pause(self, ports: list[int]) -> None: ...

    @rpc("tester.resume")
    def resume(self, ports: list[int]) -> None: ...

    @rpc("tester.update_traffic")
    def update_traffic(
        self, ports: list[int], multiplier: Multiplier, *, force: bool = False
    ) -> None: ...

    def wait_idle(self, ports: list[int], timeout_s: float) -> bool:
        """Wait until none of ``ports`` transmits; True if they all stopped."""
        end = time.monotonic() + timeout_s
        while True:
            left = end - time.monotonic()
            if self._wait_idle(ports, max(0.01, min(left, _WAIT_CHUNK_S))):
                return True
            if left <= _WAIT_CHUNK_S:
                return False

    @rpc("tester.wait_idle", lambda a: float(a["timeout_s"]))
    def _wait_idle(self, ports: list[int], timeout_s: float) -> bool: ...

    @rpc("tester.settle", lambda a: float(a["timeout_s"]))
    def settle(
        self, ports: list[int] | None = None, timeout_s: float = 5.0
    ) -> bool: ...

    # ------------------------------------------------------------------ statistics
    @rpc("tester.port_stats")
    def port_stats(self, index: int, *, since_clear: bool = True) -> PortStats: ...

    @rpc("tester.stream_tx_stats")
    def stream_tx_stats(
        self, index: int, stream_id: int, *, since_clear: bool = True
    ) -> StreamTxStats: ...

    @rpc("tester.tids")
    def tids(self, index: int, *, since_clear: bool = True) -> list[int]: ...

    @rpc("tester.tid_stats")
    def tid_stats(
        self, index: int, tid: int, *, since_clear: bool = True
    ) -> TidStats | None: ...

    @rpc("tester.all_tid_stats")
    def all_tid_stats(
        self, index: int, *, since_clear: bool = True
    ) -> list[TidStats]: ...

    @rpc("tester.clear_stats", lambda a: 2.0)
    def clear_stats(self, index: int, *, tx: bool = True, rx: bool = True) -> None: ...

    @rpc("tester.tx_job_span_ns")
    def tx_job_span_ns(self, index: int) -> int: ...

    @rpc("tester.tx_job_first_ns")
    def tx_job_first_ns(self, index: int) -> int: ...

    @rpc("tester.clock_sync")
    def clock_sync(self) -> ClockSync: ...

    @rpc("tester.interface_counters")
    def interface_counters(self, index: int) -> dict[str, int]: ...

    @rpc("tester.port_driver")
    def port_driver(self, index: int) -> tuple[str, str]: ...

    # ------------------------------------------------------------------ port settings
    @rpc("tester.set_speed")
    def set_speed(self, index: int, speed_bps: int) -> None: ...

    @rpc("tester.set_tpld_mode", lambda a: 5.0)
    def set_tpld_mode(self, index: int, mode: TpldMode) -> None: ...

    @rpc("tester.set_payload_checksum", lambda a: 5.0)
    def set_payload_checksum(self, index: int, offset: int) -> None: ...

    @rpc("tester.set_fec_mode")
    def set_fec_mode(self, index: int, mode: str) -> None: ...

    @rpc("tester.set_module_media")
    def set_module_media(self, module: int, media: str) -> None: ...

    @rpc("tester.set_link")
    def set_link(self, index: int, up: bool) -> None: ...

    @rpc("tester.reset_port", lambda a: 10.0)
    def reset_port(self, index: int) -> None: ...

    # ------------------------------------------------------------------ events
    def subscribe(self, callback: Callable[[TrafficEvent], None]) -> Callable[[], None]:
        """Call ``callback`` (in a background thread) for every event from now
        on; returns a function that unsubscribes, once the events up to then
        have been delivered."""
        with self._subs_lock:
            if not self._subs:
                self._cursor = self._poll(-1)["next"]
                stop = threading.Event()
                thread = threading.Thread(
                    target=self._poll_loop, args=(stop,), name="wirespeed-events",
                    daemon=True,
                )  # fmt: skip
                self._poller = (thread, stop)
                thread.start()
            self._subs.append(callback)

        def unsubscribe() -> None:
            self._deliver()
            with self._subs_lock:
                if callback in self._subs:
                    self._subs.remove(callback)
                if not self._subs:
                    self._stop_poller()

        return unsubscribe

    @rpc("events.poll")
    def _poll(self, after: int) -> dict[str, Any]: ...

    def _deliver(self) -> None:
        with self._deliver_lock:
            answer = self._poll(self._cursor)
            self._cursor = answer["next"]
            if answer["lost"]:
                _log.warning("%s: %d events were missed", self.address, answer["lost"])
            for event in answer["events"]:
                for cb in list(self._subs):
                    try:
                        cb(event)
                    except Exception:  # as the in-process tester does
                        _log.exception("event subscriber failed on %s", event.kind.name)

    def _poll_loop(self, stop: threading.Event) -> None:
        while not stop.wait(_POLL_S):
            try:
                self._deliver()
            except WirespeedError as exc:  # unsubscribe's last poll raises it
                _log.debug("events from %s: %s", self.address, exc)

    def _stop_poller(self) -> None:
        if self._poller is not None:
            thread, stop = self._poller
            stop.set()
            if thread is not threading.current_thread():
                thread.join()
            self._poller = None


if TYPE_CHECKING:
    AnyTester = Tester | RemoteTester
    """What the native API drives: a tester in this process or on another host."""


def capture_chunks(
    services: PortServices | RemoteServices, cid: int
) -> Iterator[bytes]:
    """A capture's file, in pieces of at most 16 MiB (each a call to a remote
    tester)."""
    offset = 0
    while chunk := services.capture_bytes(cid, offset=offset, size_bytes=_CHUNK_BYTES):
        offset += len(chunk)
        yield chunk
