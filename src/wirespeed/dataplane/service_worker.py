"""The service worker: one process per port for its frames that are not test traffic.

It owns a packet socket on the port whose kernel BPF filter (compiled by libpcap)
passes only ARP, and ICMP / ICMPv6 for the port's addresses (and IPv6 multicast), so
a port receiving test frames at full rate wakes it only for those. For each it runs
:mod:`wirespeed.l3`'s state machines: the responder answers ARP, neighbour
solicitations and echo requests for the port's own addresses; the resolver finds
neighbours' MACs (with retries and a timeout); the pinger pings. It also sends single
frames on request and runs the port's captures (:mod:`wirespeed.capture`), each on a
socket of its own.

The port's RX worker counts every frame that arrives, these too (the interface's
view); this worker counts the service frames separately, and every frame it sends
itself (answers, requests, single frames), in its counter block
(:mod:`wirespeed.dataplane.service_messages`' ``SVC_*`` words). Frames it receives
are timestamped by the kernel; a ping's round trip is from the moment the request
was handed to the kernel to the reply's kernel timestamp.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import socket
import struct
import time
from multiprocessing.connection import Connection
from pathlib import Path

from wirespeed.capture import DROP_ALL, CaptureSession, compile_filter
from wirespeed.dataplane import service_messages as sm
from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.messages import Quit, Ready
from wirespeed.errors import WirespeedError
from wirespeed.l3 import (
    FrameKind,
    L3Identity,
    NeighborTable,
    PingDone,
    Pinger,
    PingReply,
    PingTimeout,
    Resolved,
    ResolveFailed,
    Resolver,
    Responder,
    ServiceFrame,
    decode,
    format_mac,
    parse_mac,
)

__all__ = ["run_service_worker", "service_filter"]

SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_IGNORE_OUTGOING = 23
TP_STATUS_VLAN_VALID = 0x10
ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
_AUX = struct.Struct("=IIIHHHH")
_FCS = 4
_MIN_FRAME = 60

# kind of a received frame -> its counter, and the counter of its answer
_RX_WORD = {
    FrameKind.ARP_REQUEST: (sm.ARP_REQUESTS_RX, sm.ARP_REPLIES_TX),
    FrameKind.ARP_REPLY: (sm.ARP_REPLIES_RX, None),
    FrameKind.NEIGHBOR_SOLICIT: (sm.NS_RX, sm.NA_TX),
    FrameKind.NEIGHBOR_ADVERT: (sm.NA_RX, None),
    FrameKind.ECHO_REQUEST: (sm.PING4_REQUESTS_RX, sm.PING4_REPLIES_TX),
    FrameKind.ECHO_REPLY: (sm.PING4_REPLIES_RX, None),
    FrameKind.ECHO6_REQUEST: (sm.PING6_REQUESTS_RX, sm.PING6_REPLIES_TX),
    FrameKind.ECHO6_REPLY: (sm.PING6_REPLIES_RX, None),
}


def service_filter(identity: L3Identity) -> str:
    """The BPF filter (libpcap syntax) of the frames the service socket takes:
    ARP, echo/ICMP for the port's IPv4 address, ICMPv6 for its IPv6 address and
    IPv6 multicast; tagged or not. A port without addresses takes nothing."""
    parts = []
    if identity.ipv4 is not None:
        parts += ["arp", f"(icmp and dst host {identity.ipv4.ip})"]
    if identity.ipv6 is not None:
        parts.append(f"(icmp6 and (dst host {identity.ipv6.ip} or dst net ff00::/8))")
    if not parts:
        return "less 1"  # matches no frame
    expr = " or ".join(parts)
    return f"({expr}) or (vlan and ({expr}))"


def _mac_of(ifname: str) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        res = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", ifname.encode()[:15]))
    return res[18:24]  # SIOCGIFHWADDR: sockaddr at 16, data at 18


def _link_went_down(exc: OSError) -> None:
    """A packet socket reports its link going down once, as the error of a read
    (reading clears it; frames come again when the link is back): anything else
    is raised."""
    if exc.errno != errno.ENETDOWN:
        raise exc


class _Socket:
    """The service socket: filtered receive with VLAN and kernel timestamps.

    It listens only while the port has an address: every frame the port receives
    passes a listening packet socket's filter (on a veth, on the sending CPU), a
    cost an L2 port has no reason to pay. Sending works either way.
    """

    def __init__(self, ifname: str) -> None:
        self.ifname = ifname
        self.sock = self._open()

    def _open(self) -> socket.socket:
        # protocol 0: not on the receive path until bound to ETH_P_ALL (a bind
        # with protocol 0 keeps the socket's protocol, so leaving it again means a
        # new socket)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        with contextlib.suppress(OSError):
            s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        DROP_ALL.attach(s.fileno())  # nothing until a filter is set
        s.bind((self.ifname, 0))
        s.setblocking(False)
        return s

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while True:
                try:
                    self.sock.recv(65536)
                except OSError as exc:
                    _link_went_down(exc)

    def listen(self, expr: str | None) -> None:
        """Take the frames ``expr`` matches from now on (``None``: none)."""
        if expr is None:
            old, self.sock = self.sock, self._open()
            old.close()
        else:
            compile_filter(expr).attach(self.sock.fileno())
            self.sock.bind((self.ifname, ETH_P_ALL))
        self._drain()  # frames taken by the old filter

    def fileno(self) -> int:
        return self.sock.fileno()

    def receive(self) -> list[tuple[bytes, int | None, int]]:
        """Every frame waiting: (bytes, VLAN id the kernel took out or None,
        kernel timestamp ns)."""
        out: list[tuple[bytes, int | None, int]] = []
        while True:
            try:
                data, anc, _flags, _addr = self.sock.recvmsg(65536, 256)
            except BlockingIOError:
                return out
            except OSError as exc:
                _link_went_down(exc)
                return out
            vlan = None
            ts = time.time_ns()
            for level, kind, raw in anc:
                if level == SOL_PACKET and kind == PACKET_AUXDATA:
                    status, *_rest, tci, _tpid = _AUX.unpack_from(raw)
                    if status & TP_STATUS_VLAN_VALID:
                        vlan = tci & 0x0FFF
                elif level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack_from("qq", raw)
                    ts = sec * 1_000_000_000 + nsec
            out.append((data, vlan, ts))

    def send(self, frame: bytes) -> int:
        """Send one frame (padded to 60 bytes as a NIC pads it); its wire size."""
        if len(frame) < _MIN_FRAME:
            frame = frame + bytes(_MIN_FRAME - len(frame))
        self.sock.send(frame)
        return len(frame) + _FCS

    def close(self) -> None:
        self.sock.close()


class _Service:
    """The worker's state: the l3 machines, captures, counters, pending requests."""

    def __init__(self, ifname: str, counters: CounterBlock, conn: Connection) -> None:
        self.ifname = ifname
        self.counters = counters
        self.conn = conn
        self.mac = _mac_of(ifname)
        self.sock = _Socket(ifname)
        self.captures: dict[int, CaptureSession] = {}
        self.capture_done: set[int] = set()
        self.pending: dict[object, list[int]] = {}  # address -> resolve requests
        self.pings: dict[int, tuple[int, list[sm.PingEntry]]] = {}  # id -> req, so far
        self.table = NeighborTable()
        self.set_identity(L3Identity())

    # ------------------------------------------------------------- counting
    def count(self, *pairs: tuple[int, int]) -> None:
        with self.counters.writing() as w:
            for word, n in pairs:
                w[word] += n

    def send(self, frame: bytes, *words: int) -> None:
        try:
            size = self.sock.send(frame)
        except OSError:
            return  # link down: the frame is not sent, not counted
        pairs = [(sm.SVC_TX_PACKETS, 1), (sm.SVC_TX_BYTES, size)]
        self.count(*pairs, *((w, 1) for w in words))

    # ------------------------------------------------------------- identity
    def set_identity(self, identity: L3Identity) -> None:
        self.identity = identity
        self.responder = Responder(identity, self.mac)
        self.table = NeighborTable()
        self.resolver = Resolver(identity, self.mac, table=self.table)
        self.pinger = Pinger(identity, self.mac, ident_seed=os.getpid())
        changed = "the port's addresses changed"
        for addr, reqs in self.pending.items():
            for req in reqs:
                self.report(sm.ResolveResult(req, addr, None, changed))  # type: ignore[arg-type]
        self.pending.clear()
        for req, _entries in self.pings.values():
            self.report(sm.PingResult(req, (), changed))
        self.pings.clear()
        self.sock.listen(service_filter(identity) if identity.is_l3 else None)

    def report(self, rep: sm.ServiceReport) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(rep)

    # ------------------------------------------------------------- frames in
    def on_frames(self) -> None:
        now = time.time_ns()
        for data, vlan, ts in self.sock.receive():
            sf = decode(data, vlan)
            if sf is None:
                self.count((sm.SVC_IGNORED, 1))
                continue
            self.on_frame(sf, len(data), ts)
        self.on_timers(now)

    def on_frame(self, sf: ServiceFrame, size: int, ts_ns: int) -> None:
        words = _RX_WORD.get(sf.kind)
        if words is None:
            self.count((sm.SVC_IGNORED, 1))
            return
        rx_word, answer_word = words
        self.count(
            (sm.SVC_RX_PACKETS, 1),
            (sm.SVC_RX_BYTES, max(size, _MIN_FRAME) + _FCS),
            (rx_word, 1),
        )
        answer = self.responder.receive(sf)
        if answer is not None and answer_word is not None:
            self.send(answer, answer_word)
        for rev in self.resolver.receive(sf, ts_ns):
            self.on_resolve_event(rev)
        for pev in self.pinger.receive(sf, ts_ns):
            self.on_ping_event(pev)

    # ------------------------------------------------------------- timers
    def next_timer_s(self) -> float | None:
        due = [
            t
            for t in (self.resolver.next_timer_ns(), self.pinger.next_timer_ns())
            if t is not None
        ]
        if not due:
            return None
        return max(0.0, (min(due) - time.time_ns()) / 1e9)

    def on_timers(self, now_ns: int) -> None:
        frames, failed = self.resolver.poll(now_ns)
        for frame in frames:
            self.send(frame, sm.ARP_REQUESTS_TX if _is_arp(frame) else sm.NS_TX)
        for ev in failed:
            self.on_resolve_event(ev)
        frames, events = self.pinger.poll(now_ns)
        for frame in frames:
            self.send(
                frame, sm.PING4_REQUESTS_TX if _is_ipv4(frame) else sm.PING6_REQUESTS_TX
            )
        for pev in events:
            self.on_ping_event(pev)

    def on_resolve_event(self, ev: object) -> None:
        match ev:
            case Resolved(addr, mac):
                for req in self.pending.pop(addr, []):
                    self.report(sm.ResolveResult(req, addr, format_mac(mac)))
            case ResolveFailed(addr, message):
                for req in self.pending.pop(addr, []):
                    self.report(sm.ResolveResult(req, addr, None, message))

    def on_ping_event(self, ev: object) -> None:
        match ev:
            case PingReply(ping_id, seq, src, rtt_ns, ttl, size):
                if ping_id in self.pings:
                    self.pings[ping_id][1].append(
                        sm.PingEntry(seq, "success", src, rtt_ns, ttl, size)
                    )
            case PingTimeout(ping_id, seq):
                if ping_id in self.pings:
                    self.pings[ping_id][1].append(sm.PingEntry(seq, "timeout"))
            case PingDone(ping_id):
                req, entries = self.pings.pop(ping_id, (0, []))
                if req:
                    ordered = sorted(entries, key=lambda e: e.seq)
                    self.report(sm.PingResult(req, tuple(ordered)))

    # ------------------------------------------------------------- commands
    def command(self, cmd: object) -> bool:
        match cmd:
            case Quit():
                return False
            case sm.SetIdentity(identity):
                self.set_identity(identity)
            case sm.Resolve(req, addr, timeout_s, interval_s):
                self.resolve(req, addr, timeout_s, interval_s)
            case sm.StartPing():
                self.ping(cmd)
            case sm.SendFrames(req, frames, ipg_us):
                self.send_frames(req, frames, ipg_us)
            case sm.Gratuitous():
                for frame in self.responder.gratuitous(time.time_ns()):
                    self.send(frame)
            case sm.QueryNeighbors(req):
                entries = tuple(
                    (addr, format_mac(n.mac)) for addr, n in self.table.items()
                )
                self.report(sm.NeighborList(req, entries))
            case sm.StartCapture(req, cid, spec):
                self.start_capture(req, cid, spec)
            case sm.StopCapture(req, cid):
                self.stop_capture(req, cid)
            case sm.QueryCaptures(req):
                self.report(sm.CaptureStatus(req, self.capture_stats()))
        return True

    def resolve(
        self, req: int, addr: object, timeout_s: float, interval_s: float
    ) -> None:
        try:
            frames = self.resolver.resolve(
                addr,  # type: ignore[arg-type]
                time.time_ns(),
                timeout_ns=int(timeout_s * 1e9),
                interval_ns=int(interval_s * 1e9),
            )
        except WirespeedError as exc:
            self.report(sm.ResolveResult(req, addr, None, str(exc)))  # type: ignore[arg-type]
            return
        self.pending.setdefault(addr, []).append(req)
        for frame in frames:
            self.send(frame, sm.ARP_REQUESTS_TX if _is_arp(frame) else sm.NS_TX)

    def ping(self, cmd: sm.StartPing) -> None:
        try:
            run = self.pinger.start(
                cmd.dst,
                parse_mac(cmd.dst_mac),
                count=cmd.count,
                interval_ns=int(cmd.interval_s * 1e9),
                size_bytes=cmd.size_bytes,
                timeout_ns=int(cmd.timeout_s * 1e9),
                now_ns=time.time_ns(),
            )
        except WirespeedError as exc:
            self.report(sm.PingResult(cmd.req, (), str(exc)))
            return
        self.pings[run] = (cmd.req, [])
        self.on_timers(time.time_ns())

    def send_frames(self, req: int, frames: tuple[bytes, ...], ipg_us: float) -> None:
        count = total = 0
        last = 0
        try:
            for i, frame in enumerate(frames):
                if i and ipg_us > 0:
                    time.sleep(ipg_us / 1e6)
                size = self.sock.send(frame)
                last = time.time_ns()
                count += 1
                total += size
        except OSError as exc:
            self._count_single(count, total, last)
            self.report(
                sm.FramesSent(req, count, total, last, f"{self.ifname}: {exc.strerror}")
            )
            return
        self._count_single(count, total, last)
        self.report(sm.FramesSent(req, count, total, last))

    def _count_single(self, count: int, total: int, last: int) -> None:
        if not count:
            return
        with self.counters.writing() as w:
            w[sm.SVC_TX_PACKETS] += count
            w[sm.SVC_TX_BYTES] += total
            w[sm.SVC_SINGLE_PACKETS] += count
            w[sm.SVC_SINGLE_BYTES] += total
            w[sm.SVC_SINGLE_LAST_NS] = last

    # ------------------------------------------------------------- captures
    def start_capture(self, req: int, cid: int, spec: sm.CaptureSpec) -> None:
        directions = frozenset(d for d, on in (("rx", spec.rx), ("tx", spec.tx)) if on)
        try:
            self.captures[cid] = CaptureSession(
                self.ifname,
                path=Path(spec.path),
                filter=spec.filter,
                snaplen=spec.snaplen,
                limit_frames=spec.limit_frames,
                limit_bytes=spec.limit_bytes,
                directions=directions,
                fmt=spec.fmt,
                mode=spec.mode,
            )
        except (WirespeedError, OSError) as exc:
            self.report(sm.CaptureStatus(req, {}, str(exc)))
            return
        self.report(sm.CaptureStatus(req, self.capture_stats()))

    def stop_capture(self, req: int, cid: int) -> None:
        cap = self.captures.pop(cid, None)
        if cap is None:
            self.report(sm.CaptureStatus(req, {}, f"no capture {cid} on {self.ifname}"))
            return
        cap.poll()
        st = _stats(cap, done=True)
        cap.close()
        self.capture_done.discard(cid)
        self.report(sm.CaptureStatus(req, {cid: st}))

    def capture_stats(self) -> dict[int, sm.CaptureStats]:
        return {cid: _stats(cap) for cid, cap in self.captures.items()}

    def poll_captures(self, ready: set[int]) -> None:
        for cid, cap in self.captures.items():
            if cap.fileno() in ready:
                cap.poll()
            if cap.stats().done and cid not in self.capture_done:
                self.capture_done.add(cid)
                self.report(sm.CaptureDone(cid, _stats(cap)))

    def close(self) -> None:
        for cap in self.captures.values():
            with contextlib.suppress(Exception):
                cap.close()
        self.sock.close()


def _stats(cap: CaptureSession, *, done: bool | None = None) -> sm.CaptureStats:
    st = cap.stats()
    return sm.CaptureStats(
        st.frames, st.bytes, st.missed, st.done if done is None else done
    )


def _is_arp(frame: bytes) -> bool:
    et = frame[12:14] if frame[12:14] != b"\x81\x00" else frame[16:18]
    return et == b"\x08\x06"


def _is_ipv4(frame: bytes) -> bool:
    et = frame[12:14] if frame[12:14] != b"\x81\x00" else frame[16:18]
    return et == b"\x08\x00"


def run_service_worker(
    netns: str | None, ifname: str, counter_name: str, conn: Connection
) -> None:
    """Entry point of a service worker process."""
    from wirespeed.dataplane.netns import enter_netns

    enter_netns(netns)
    counters = CounterBlock(sm.SVC_WORDS, name=counter_name)
    svc = _Service(ifname, counters, conn)
    conn.send(Ready(os.getpid()))
    try:
        while True:
            fds = [conn.fileno(), svc.sock.fileno()]
            fds += [c.fileno() for c in svc.captures.values() if not c.is_done]
            ready, _, _ = select.select(fds, [], [], svc.next_timer_s())
            got = set(ready)
            if svc.sock.fileno() in got:
                svc.on_frames()
            else:
                svc.on_timers(time.time_ns())
            svc.poll_captures(got)
            if conn.fileno() in got and not svc.command(conn.recv()):
                break
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        svc.close()
        counters.close()
