"""The tester's port services: L3 identity, resolution, ping, single frames and
captures, for every front end (the API, TRex, Xena, the CLI).

Each port's service worker does the work (:mod:`wirespeed.dataplane.service_worker`);
this side sends it commands, waits for the answers (without holding the tester's
lock) and records what the core needs: the port's addresses and the MACs resolved,
which streams "to the resolved MAC" are sent to.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from wirespeed.capture import (
    CaptureConfig,
    CapturedFrames,
    read_capture,
)
from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import service_messages as sm
from wirespeed.errors import ConfigError, PortError, StateError, ValidationError
from wirespeed.l3 import IPAddress, L3Identity, parse_address
from wirespeed.model import MacDstMode
from wirespeed.service.dataplane import Dataplane
from wirespeed.service.plans import port_macs
from wirespeed.service.types import CaptureInfo, Effect, Send, SendRx

if TYPE_CHECKING:
    from wirespeed.service.core import TesterCore

__all__ = ["CaptureInfo", "PortServices", "service_counters"]

_log = logging.getLogger("wirespeed.service")

_ANSWER_SLACK_S = 5.0  # how much longer than its own timeout a request may take

_SERVICE_COUNTERS = {
    "service_tx_packets": sm.SVC_TX_PACKETS,
    "service_tx_bytes": sm.SVC_TX_BYTES,
    "service_rx_packets": sm.SVC_RX_PACKETS,
    "service_rx_bytes": sm.SVC_RX_BYTES,
    "single_packets": sm.SVC_SINGLE_PACKETS,
    "single_bytes": sm.SVC_SINGLE_BYTES,
    "single_last_ns": sm.SVC_SINGLE_LAST_NS,
    "arp_requests_rx": sm.ARP_REQUESTS_RX,
    "arp_replies_tx": sm.ARP_REPLIES_TX,
    "arp_requests_tx": sm.ARP_REQUESTS_TX,
    "arp_replies_rx": sm.ARP_REPLIES_RX,
    "ns_rx": sm.NS_RX,
    "na_tx": sm.NA_TX,
    "ns_tx": sm.NS_TX,
    "na_rx": sm.NA_RX,
    "ping_requests_rx": sm.PING4_REQUESTS_RX,
    "ping_replies_tx": sm.PING4_REPLIES_TX,
    "ping_requests_tx": sm.PING4_REQUESTS_TX,
    "ping_replies_rx": sm.PING4_REPLIES_RX,
    "ping6_requests_rx": sm.PING6_REQUESTS_RX,
    "ping6_replies_tx": sm.PING6_REPLIES_TX,
    "ping6_requests_tx": sm.PING6_REQUESTS_TX,
    "ping6_replies_rx": sm.PING6_REPLIES_RX,
    "service_ignored": sm.SVC_IGNORED,
}


def service_counters(words: npt.NDArray[np.int64]) -> dict[str, int]:
    """The service worker's counters by name."""
    return {name: int(words[w]) for name, w in _SERVICE_COUNTERS.items()}


class _Waiter:
    __slots__ = ("event", "port", "report")

    def __init__(self, port: int) -> None:
        self.port = port
        self.event = threading.Event()
        self.report: sm.ServiceReport | None = None


class PortServices:
    """Port services of one tester (``tester.services``)."""

    def __init__(
        self,
        core: TesterCore,
        dp: Dataplane,
        lock: threading.RLock,
        run: Callable[[list[Effect]], object],
        words: Callable[[int, bool], npt.NDArray[np.int64]],
        settle: Callable[[list[int]], bool] | None = None,
    ) -> None:
        self._core = core
        self._settle = settle
        self._rx_shown: dict[int, bool] = {}
        self._dp = dp
        self._lock = lock
        self._run = run
        self._words = words
        self._req = itertools.count(1)
        self._waiting: dict[int, _Waiter] = {}
        self._wait_lock = threading.Lock()
        self._cap_ids = itertools.count(1)
        self._captures: dict[int, CaptureInfo] = {}
        self._dir: Path | None = None

    # ------------------------------------------------------------------ plumbing
    def on_report(self, port: int, report: sm.ServiceReport) -> None:
        """An answer (or a push) from a port's service worker."""
        if isinstance(report, sm.CaptureDone):
            with self._lock:
                info = self._captures.get(report.capture_id)
                if info is not None:
                    self._captures[report.capture_id] = _with(info, report.stats)
                    self._show_tx(port)
            return
        with self._wait_lock:
            waiter = self._waiting.pop(report.req, None)
        if waiter is not None:
            waiter.report = report
            waiter.event.set()

    def on_worker_lost(self, port: int, message: str) -> None:
        """The port's service worker died: what it was doing is lost."""
        with self._wait_lock:
            lost = [r for r, w in self._waiting.items() if w.port == port]
            waiters = [self._waiting.pop(r) for r in lost]
        for w in waiters:
            w.event.set()  # no report: the caller raises
        with self._lock:
            for cid, info in list(self._captures.items()):
                if info.port == port and info.active:
                    st = sm.CaptureStats(
                        info.stats.frames,
                        info.stats.bytes,
                        info.stats.missed,
                        True,
                        f"the service worker died ({message})",
                    )
                    self._captures[cid] = _with(info, st, active=False)
        _log.error("port %d: service worker lost: %s", port, message)

    def _call(
        self, port: int, make: Callable[[int], sm.ServiceCommand], wait_s: float
    ) -> sm.ServiceReport:
        req = next(self._req)
        waiter = _Waiter(port)
        with self._wait_lock:
            self._waiting[req] = waiter
        self._dp.send_svc(port, make(req))
        if not waiter.event.wait(wait_s + _ANSWER_SLACK_S) or waiter.report is None:
            with self._wait_lock:
                self._waiting.pop(req, None)
            raise PortError(
                f"port {port}: its service worker did not answer", port=port
            )
        return waiter.report

    # ------------------------------------------------------------------ identity
    def set_l3(self, port: int, identity: L3Identity, *, forget: bool = False) -> None:
        """Give the port addresses (or take them: ``L3Identity()``); new
        addresses, or ``forget``, drop the MACs resolved before."""
        identity.check()
        with self._lock:
            self._run(self._core.set_l3(port, identity, forget=forget))

    def l3(self, port: int) -> L3Identity:
        """The port's addresses."""
        return self._core.port(port).info.l3

    def set_dst_mac(self, port: int, mac: str | None) -> None:
        """The L2 destination of streams sent to "the port's destination"."""
        with self._lock:
            self._core.set_dst_mac(port, mac)

    def set_neighbor(self, port: int, addr: IPAddress | str, mac: str) -> None:
        """Record ``mac`` for ``addr`` as if it had been resolved (a client that
        resolved it itself, as TRex's ``set_l3 {resolved_mac}``); a gateway's MAC
        becomes the port's destination MAC.

        Raises:
            ConfigError: ``addr`` is not an address; ValidationError: ``mac``
                is not a MAC.
        """
        ip = parse_address(addr, "address") if isinstance(addr, str) else addr
        with self._lock:
            self._core.add_neighbor(port, ip, mac)

    # ------------------------------------------------------------------ resolving
    def resolve(
        self, port: int, addr: IPAddress | str | None = None, *, timeout_s: float = 3.0
    ) -> str:
        """Resolve ``addr`` (default: the port's IPv4 gateway, else its IPv6
        gateway) to a MAC by ARP / neighbour solicitation; the MAC is recorded
        (a gateway's becomes the port's destination MAC).

        Raises:
            PortError: nobody answered in ``timeout_s`` ("198.18.1.1 did not
                answer ARP on port 0 within 3 s").
            ConfigError: the port has no address for it.
        """
        info = self._core.port(port).info
        target = self._target(info.l3, addr)
        hop = info.l3.next_hop(target)
        if not 0 < timeout_s <= 60:
            raise ValidationError("timeout must be in (0, 60] s", field="timeout")
        rep = self._call(
            port,
            lambda req: sm.Resolve(req, hop, timeout_s, min(0.5, timeout_s / 3)),
            timeout_s,
        )
        assert isinstance(rep, sm.ResolveResult)
        if rep.mac is None:
            why = rep.error or f"{hop} was not resolved within {timeout_s:g} s"
            # the worker's words, with the port named where they say it
            exc = PortError(why.replace(" within ", f" on port {port} within ", 1))
            exc.port = port
            raise exc
        with self._lock:
            self._core.add_neighbor(port, hop, rep.mac)
        return rep.mac

    def resolve_gateways(
        self, port: int, *, timeout_s: float = 3.0
    ) -> dict[IPAddress, str]:
        """Resolve every gateway the port has; their MACs."""
        ident = self.l3(port)
        out: dict[IPAddress, str] = {}
        for gw in (ident.gateway4, ident.gateway6):
            if gw is not None:
                out[gw] = self.resolve(port, gw, timeout_s=timeout_s)
        return out

    @staticmethod
    def _target(ident: L3Identity, addr: IPAddress | str | None) -> IPAddress:
        if addr is not None:
            return addr if not isinstance(addr, str) else parse_address(addr, "address")
        gw = ident.gateway4 or ident.gateway6
        if gw is None:
            raise ConfigError(
                "the port has no gateway: name the address to resolve", field="address"
            )
        return gw

    def neighbors(self, port: int) -> list[tuple[IPAddress, str]]:
        """The port's neighbour table (every MAC it learned or resolved)."""
        rep = self._call(port, sm.QueryNeighbors, 1.0)
        assert isinstance(rep, sm.NeighborList)
        return list(rep.entries)

    # ------------------------------------------------------------------ ping
    def ping(
        self,
        port: int,
        dst: IPAddress | str,
        *,
        count: int = 5,
        interval_s: float = 1.0,
        size_bytes: int = 64,
        timeout_s: float = 1.0,
    ) -> list[sm.PingEntry]:
        """Ping ``dst`` from the port (its next hop is resolved first if need be);
        one entry per request, in order."""
        addr = parse_address(dst, "dst") if isinstance(dst, str) else dst
        if not 1 <= count <= 10_000:
            raise ValidationError("count must be 1..10000", field="count")
        if not 0 < interval_s <= 60 or not 0 < timeout_s <= 60:
            raise ValidationError(
                "interval and timeout must be in (0, 60] s", field="interval"
            )
        if not 64 <= size_bytes <= 9216:
            raise ValidationError("size must be 64..9216 bytes", field="size")
        info = self._core.port(port).info
        hop = info.l3.next_hop(addr)
        mac = info.neighbor(hop) or self.resolve(port, hop)
        rep = self._call(
            port,
            lambda req: sm.StartPing(
                req, addr, mac, count, interval_s, size_bytes, timeout_s
            ),
            count * interval_s + timeout_s,
        )
        assert isinstance(rep, sm.PingResult)
        if rep.error:
            raise PortError(f"port {port}: {rep.error}", port=port)
        return list(rep.entries)

    # ------------------------------------------------------------------ frames
    def send_frames(
        self,
        port: int,
        frames: list[bytes],
        *,
        ipg_us: float = 0.0,
        mac_src_from_packet: Sequence[bool] | None = None,
        mac_dst_mode: Sequence[MacDstMode] | None = None,
    ) -> sm.FramesSent:
        """Send ``frames`` (bytes without FCS) now, one after the other; counted
        as the port's TX (and as single frames).

        ``mac_src_from_packet`` / ``mac_dst_mode`` (one per frame; default: the
        frame's own MACs) say which MACs the port writes, as for a stream's
        frames (:func:`~wirespeed.service.plans.port_macs`).

        Raises:
            ValidationError: a frame's size, the gap, a MAC the port does not
                know (naming the frame).
        """
        for i, f in enumerate(frames):
            if not 14 <= len(f) <= 16_380:
                raise ValidationError(
                    f"frame {i} is {len(f)} bytes (14..16380)", field="frames"
                )
        if not 0 <= ipg_us <= 10_000_000:
            raise ValidationError("ipg must be 0..10 s", field="ipg_usec")
        frames = self._with_macs(port, frames, mac_src_from_packet, mac_dst_mode)
        wait = len(frames) * ipg_us / 1e6 + 1.0
        rep = self._call(
            port, lambda req: sm.SendFrames(req, tuple(frames), ipg_us), wait
        )
        assert isinstance(rep, sm.FramesSent)
        if rep.error:
            raise PortError(f"port {port}: {rep.error}", port=port)
        return rep

    def _with_macs(
        self,
        port: int,
        frames: list[bytes],
        src: Sequence[bool] | None,
        dst: Sequence[MacDstMode] | None,
    ) -> list[bytes]:
        if src is None and dst is None:
            return frames
        n = len(frames)
        srcs = [True] * n if src is None else list(src)
        dsts = [MacDstMode.PACKET] * n if dst is None else list(dst)
        if len(srcs) != n or len(dsts) != n:
            raise ValidationError("one MAC choice per frame", field="frames")
        info = self._core.port(port).info
        return [
            port_macs(f, info, src_from_packet=s, dst_mode=d, what=f"frame {i}")
            for i, (f, s, d) in enumerate(zip(frames, srcs, dsts, strict=True))
        ]

    def counters(self, port: int, *, since_clear: bool = False) -> dict[str, int]:
        """The port's service counters (ARP, ND, ping, single frames): since the
        tester started, or since the last clear of their direction's statistics
        (``since_clear``; a clear of RX statistics zeroes what the port received,
        one of TX the rest)."""
        return service_counters(self._words(port, since_clear))

    # ------------------------------------------------------------------ captures
    def _capture_dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="wirespeed-captures-"))
        return self._dir

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
        """Start capturing on the port; the capture's id.

        Raises:
            ConfigError: a filter libpcap cannot compile (its message), a limit
                beyond the cap, no direction (each naming its field).
            PortError: the capture could not open its socket or file.
        """
        self._core.port(port)
        cid = next(self._cap_ids)
        where = (
            Path(path)
            if path is not None
            else self._capture_dir() / f"capture-{cid}.{fmt}"
        )
        directions = frozenset(d for d, on in (("rx", rx), ("tx", tx)) if on)
        cfg = CaptureConfig.parse(  # checked here: errors name the field
            where,
            filter=filter,
            snaplen=snaplen,
            limit_frames=limit_frames,
            limit_bytes=limit_bytes,
            directions=directions,
            fmt=fmt,
            mode=mode,
        )
        spec = sm.CaptureSpec(
            str(where),
            filter,
            snaplen,
            limit_frames,
            limit_bytes,
            rx,
            tx,
            cfg.fmt.value,
            cfg.mode.value,
        )
        rep = self._call(port, lambda req: sm.StartCapture(req, cid, spec), 5.0)
        assert isinstance(rep, sm.CaptureStatus)
        if rep.error:
            raise PortError(f"port {port}: capture: {rep.error}", port=port)

        with self._lock:
            self._captures[cid] = CaptureInfo(
                cid,
                port,
                spec,
                rep.captures.get(cid, sm.CaptureStats()),
                True,
                time.time_ns(),
            )
            self._show_tx(port)
        return cid

    def _show_tx(self, port: int) -> None:
        """The TX worker sends where captures see it while one captures TX; on
        AF_XDP, the RX worker has every frame go to the kernel (where captures
        see them) while one captures RX — in place once this returns."""
        active = [i for i in self._captures.values() if i.port == port and i.active]
        tx = any(i.spec.tx for i in active)
        rx = any(i.spec.rx for i in active)
        self._run([Send(port, msg.ShowTx(tx))])
        if self._dp.driver(port)[0] != "afxdp":
            return
        if self._rx_shown.get(port, False) != rx:
            self._rx_shown[port] = rx
            self._run([SendRx(port, msg.ShowRx(rx))])
            if self._settle is not None:
                self._settle([port])

    def _info(self, cid: int) -> CaptureInfo:
        info = self._captures.get(cid)
        if info is None:
            raise ValidationError(f"no capture {cid}", field="capture_id")
        return info

    def stop_capture(self, cid: int) -> CaptureInfo:
        """Stop a capture (its file stays until :meth:`remove_capture`)."""
        info = self._info(cid)
        if info.active:
            rep = self._call(info.port, lambda req: sm.StopCapture(req, cid), 5.0)
            assert isinstance(rep, sm.CaptureStatus)
            st = rep.captures.get(cid, info.stats)
            with self._lock:
                info = self._captures[cid] = _with(info, st, active=False)
                self._show_tx(info.port)
        return info

    def captures(self) -> list[CaptureInfo]:
        """Every capture, with counts fresh from the workers."""
        ports = {i.port for i in self._captures.values() if i.active}
        for port in ports:
            rep = self._call(port, sm.QueryCaptures, 1.0)
            assert isinstance(rep, sm.CaptureStatus)
            with self._lock:
                for cid, st in rep.captures.items():
                    if cid in self._captures:
                        self._captures[cid] = _with(self._captures[cid], st)
        return sorted(self._captures.values(), key=lambda i: i.capture_id)

    def capture(self, cid: int) -> CaptureInfo:
        """One capture (fresh counts)."""
        self._info(cid)
        return next(i for i in self.captures() if i.capture_id == cid)

    def read_capture(self, cid: int) -> CapturedFrames:
        """The frames captured so far."""
        info = self._info(cid)
        if not info.path.exists():
            raise StateError(f"capture {cid}: its file is gone", port=info.port)
        return read_capture(info.path)

    def capture_bytes(
        self, cid: int, *, offset: int = 0, size_bytes: int | None = None
    ) -> bytes:
        """The capture file's bytes from ``offset`` on (at most ``size_bytes``):
        how a client on another host saves or reads it. Past the end: ``b""``."""
        info = self._info(cid)
        if offset < 0 or (size_bytes is not None and size_bytes < 1):
            raise ValidationError("offset >= 0 and size >= 1", field="offset")
        try:
            with info.path.open("rb") as f:
                f.seek(offset)
                return f.read(-1 if size_bytes is None else size_bytes)
        except FileNotFoundError as exc:
            raise StateError(
                f"capture {cid}: its file is gone", port=info.port
            ) from exc

    def remove_capture(self, cid: int) -> None:
        """Stop a capture and delete its file (if wirespeed chose where)."""
        info = self.stop_capture(cid)
        with self._lock:
            self._captures.pop(cid, None)
        if self._dir is not None and info.path.parent == self._dir:
            info.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the captures wirespeed kept in its own folder."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


def _with(
    info: CaptureInfo, stats: sm.CaptureStats, *, active: bool | None = None
) -> CaptureInfo:
    return CaptureInfo(
        info.capture_id,
        info.port,
        info.spec,
        stats,
        (info.active and not stats.done) if active is None else active,
        info.start_ns,
    )
