"""Fixtures of the Xena command-layer tests: a real tester over the package's fake
data plane (no worker processes or interfaces). A test says what the wire did
through the fake (``count_tx``, ``count_rx``, ``finish`` ...) and checks what the
tester sent its workers (``fake.commands``)."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pytest

from wirespeed.analysis.stats import LatencyStats, TidStats
from wirespeed.dataplane.messages import RxCommand, SyncRx
from wirespeed.errors import OwnershipError, StateError, ValidationError
from wirespeed.model import Stream
from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.session import XenaSession
from wirespeed.service import EventKind, Tester, TrafficEvent
from wirespeed.service.fake import FakeDataplane
from wirespeed.topology.testbed import PortSpec, TesterConfig
from wirespeed.tpld import TpldMode

C = TypeVar("C")
_open: list[Tester] = []


def xena_config(modules: int = 2) -> TesterConfig:
    """Modules of two ports, 1 Gbit/s each, cabled 0<->1, 2<->3, like the embedded
    test bed."""
    ports = tuple(
        PortSpec(f"wsT{i}", None, 1_000_000_000, f"02:00:00:00:00:{i + 1:02x}", i ^ 1)
        for i in range(2 * modules)
    )
    return TesterConfig(ports, TesterConfig.default_modules(ports))


def new_tester(modules: int = 2) -> tuple[Tester, FakeDataplane]:
    """A started tester of ``modules`` x 2 ports over a fake data plane (no CRC
    errors on the wire); the caller closes it."""
    fake = FakeDataplane(2 * modules)
    for port in range(2 * modules):
        fake.kernel[port] = {"rx_crc_errors": 0}
    return Tester(xena_config(modules), dataplane=fake).start(), fake


def fake_tester(modules: int = 2) -> tuple[Tester, FakeDataplane]:
    """:func:`new_tester`, closed when the test ends."""
    tester, fake = new_tester(modules)
    _open.append(tester)
    return tester, fake


@pytest.fixture(autouse=True)
def _close_testers() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def sent(fake: FakeDataplane, port: int, kind: type[C]) -> list[C]:
    """The commands of ``kind`` the tester sent to ``port``'s workers."""
    return [c for c in fake.commands(port, kind) if isinstance(c, kind)]


def until(tester: Tester, kind: EventKind, port: int, act: Callable[[], None]) -> None:
    """Do ``act`` and return once the tester has told its subscribers of a
    ``kind`` event of ``port`` (reports are handled on the tester's own thread)."""
    seen = threading.Event()

    def on_event(ev: TrafficEvent) -> None:
        if ev.kind is kind and ev.port == port:
            seen.set()

    unsubscribe = tester.subscribe(on_event)
    try:
        act()
        assert seen.wait(5.0), f"no {kind.name} event of port {port}"
    finally:
        unsubscribe()


def finish(tester: Tester, fake: FakeDataplane, port: int) -> None:
    """The port's job ends by itself; returns once the tester has handled it."""
    until(tester, EventKind.DONE, port, lambda: fake.finish(port))


class Ring:
    """Frames waiting in a receiver's ring: the fake data plane counts what a test
    gives it at once, so this holds them back until the tester next tells that
    receiver to sync (``settle``), as a real RX worker counts its ring then."""

    def __init__(self, fake: FakeDataplane) -> None:
        self._fake = fake
        self._held: dict[int, list[dict[str, Any]]] = {}
        self._send_rx = fake.send_rx
        fake.send_rx = self._on_command  # type: ignore[method-assign]

    def hold(self, port: int, **count_rx: Any) -> None:
        """Frames (``FakeDataplane.count_rx`` arguments) in ``port``'s ring."""
        self._held.setdefault(port, []).append(count_rx)

    def _on_command(self, port: int, command: RxCommand) -> None:
        if isinstance(command, SyncRx):
            for held in self._held.pop(port, []):
                self._fake.count_rx(port, **held)
        self._send_rx(port, command)


def add_tx_words(fake: FakeDataplane, port: int, words: dict[int, int]) -> None:
    """Add to TX counter words the fake cannot count (errors, injected errors):
    every read of ``port``'s TX words has ``words`` added."""
    read = fake.tx_words

    def tx_words(p: int) -> npt.NDArray[np.int64]:
        w = read(p)
        if p == port:
            for word, n in words.items():
                w[word] += n
        return w

    fake.tx_words = tx_words  # type: ignore[method-assign]


_NUMBER = re.compile(r"\d+")


def masked(answers: list[str], expected: list[str]) -> list[str]:
    """``answers`` with each value that ``expected`` has as ``*`` written ``*`` if
    it is a number >= 0: rates the tester measures over real time (compare the
    result with ``expected``)."""
    out = []
    for got, want in zip(answers, expected, strict=False):
        a, b = got.split(" "), want.split(" ")
        if len(a) == len(b):
            a = [
                "*" if y == "*" and _NUMBER.fullmatch(x) else x
                for x, y in zip(a, b, strict=True)
            ]
        out.append(" ".join(a))
    return out + answers[len(out) :]


def tid_stats(tid: int, packets: int, lo: int, avg: float, hi: int) -> TidStats:
    """A TidStats with latency figures."""
    lat = LatencyStats(count=packets, min_ns=lo, avg_ns=avg, max_ns=hi)
    return TidStats(
        tid=tid,
        packets=packets,
        bytes=packets * 128,
        pps_last_s=10,
        bps_last_s=10240,
        lost=3,
        misordered=1,
        payload_errors=2,
        latency=lat,
        latency_last_s=lat,
    )


@dataclass
class FakeEvent:
    kind: Any
    port: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakePortInfo:
    index: int
    spec: Any
    module: int
    index_in_module: int
    mac: str
    speed_bps: int
    link_up: bool = True
    tpld_mode: TpldMode = TpldMode.NORMAL
    payload_checksum_offset: int = 0
    latency_offset_ns: int = 0
    fec_mode: str = "OFF"


@dataclass
class FakeModuleInfo:
    index: int
    ports: tuple[int, ...]
    media: str = "QSFP56_PAM4"


@dataclass
class FakeReservation:
    owner: str
    session: str
    token: str


@dataclass
class FakeStats:
    tx_packets: int = 0
    tx_bytes: int = 0
    rx_packets: int = 0
    rx_bytes: int = 0
    tx_notpld_packets: int = 0
    tx_notpld_bytes: int = 0
    rx_notpld_packets: int = 0
    rx_notpld_bytes: int = 0
    tx_pps: float = 0.0
    tx_bps_l2: float = 0.0
    rx_pps: float = 0.0
    rx_bps_l2: float = 0.0
    requested_tx_pps: float = 0.0
    tx_notpld_pps: float = 0.0
    tx_notpld_bps_l2: float = 0.0
    rx_notpld_pps: float = 0.0
    rx_notpld_bps_l2: float = 0.0
    rx_dropped_by_tester: int = 0
    tx_injected_sequence: int = 0
    tx_injected_misorder: int = 0
    tx_injected_payload: int = 0
    tx_injected_tpld: int = 0


class FakeTester:
    """Two modules of two ports, 1 Gbit/s each, like the embedded test bed."""

    def __init__(self, modules: int = 2) -> None:
        n = 2 * modules
        self.modules = [FakeModuleInfo(m, (2 * m, 2 * m + 1)) for m in range(modules)]
        self.ports = [
            FakePortInfo(
                i,
                SimpleNamespace(interface=f"wsT{i}", netns=None),
                i // 2,
                i % 2,
                f"02:00:00:00:00:{i + 1:02x}",
                1_000_000_000,
            )
            for i in range(n)
        ]
        self.state = ["IDLE"] * n
        self.res: list[FakeReservation | None] = [None] * n
        self._streams: list[dict[int, Stream]] = [{} for _ in range(n)]
        self.stats = [FakeStats() for _ in range(n)]
        self.stream_stats: dict[tuple[int, int], SimpleNamespace] = {}
        self.tid: dict[tuple[int, int], TidStats] = {}
        self.cleared: list[tuple[int, bool, bool]] = []
        self.injected: list[tuple[int, int, str]] = []
        self.started: list[tuple[list[int], float | None]] = []
        # what each receiver holds but has not published yet (frames in its ring,
        # drops it has not counted yet): settle() publishes it
        self.unpublished = [FakeStats() for _ in range(n)]
        self.settles = 0
        self._subs: list[Callable[[Any], None]] = []

    def _emit(self, kind: str, port: int, **detail: Any) -> None:
        ev = FakeEvent(SimpleNamespace(name=kind), port, detail)
        for cb in list(self._subs):
            cb(ev)

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        self._subs.append(callback)
        return lambda: self._subs.remove(callback)

    def port_state(self, p: int) -> Any:
        name = self.state[p]
        return SimpleNamespace(name=name, is_active=name in ("TX", "PAUSE"))

    # ownership (same rules as service.ownership)
    def reserve(self, p: int, owner: str, session: str, *, force: bool = False) -> str:
        cur = self.res[p]
        if cur is not None and cur.session != session and not force:
            raise OwnershipError(f"port {p} owned by {cur.owner}", port=p)
        self.res[p] = FakeReservation(owner, session, secrets.token_hex(4))
        self._emit("RESERVED", p)
        return self.res[p].token  # type: ignore[union-attr]

    def release(self, p: int, who: str) -> None:
        cur = self.res[p]
        if cur is None:
            raise StateError(f"port {p} is not reserved", port=p)
        if who not in (cur.session, cur.token):
            raise OwnershipError(f"port {p} owned by {cur.owner}", port=p)
        self.res[p] = None
        self._emit("RELEASED", p)

    def relinquish(self, p: int) -> None:
        if self.res[p] is not None:
            self.res[p] = None
            self._emit("RELEASED", p)

    def reservation(self, p: int) -> FakeReservation | None:
        return self.res[p]

    # port config
    def _idle(self, p: int) -> None:
        if self.state[p] in ("TX", "PAUSE"):
            raise StateError(f"port {p} is transmitting", port=p)

    def set_speed(self, p: int, speed_bps: int) -> None:
        self._idle(p)
        self.ports[p].speed_bps = speed_bps

    def set_tpld_mode(self, p: int, mode: TpldMode) -> None:
        self._idle(p)
        self.ports[p].tpld_mode = mode

    def set_payload_checksum(self, p: int, offset: int) -> None:
        self._idle(p)
        info = self.ports[p]
        info.payload_checksum_offset = offset
        if offset and info.tpld_mode is TpldMode.NORMAL:
            info.tpld_mode = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
        elif not offset and info.tpld_mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM:
            info.tpld_mode = TpldMode.NORMAL

    def set_latency_offset(self, p: int, offset_ns: int) -> None:
        self.ports[p].latency_offset_ns = offset_ns

    def reset_port(self, p: int) -> None:
        self.stop_traffic([p])
        self._streams[p].clear()
        self.state[p] = "IDLE"
        info = self.ports[p]
        info.tpld_mode, info.payload_checksum_offset = TpldMode.NORMAL, 0
        info.latency_offset_ns = 0

    # streams
    def add_stream(self, p: int, sid: int, stream: Stream) -> None:
        if self.state[p] in ("TX", "PAUSE") and sid in self._streams[p]:
            # the real tester's rule: a stream that is off may change, and a running
            # one may switch between ON and SUPPRESS, nothing else
            old = self._streams[p][sid]
            off = old.enabled == 0 and stream.enabled == 0
            toggle = (
                0 not in (old.enabled, stream.enabled)
                and replace(old, enabled=stream.enabled) == stream
            )
            if not (off or toggle):
                raise StateError(f"port {p} is transmitting", port=p)
        if not isinstance(stream, Stream):
            raise ValidationError("not a stream", field="stream")
        self._streams[p][sid] = stream
        if self.state[p] == "IDLE":
            self.state[p] = "STREAMS"

    replace_stream = add_stream

    def remove_stream(self, p: int, sid: int) -> None:
        if sid not in self._streams[p]:
            raise ValidationError(f"no stream {sid}", field="stream_id")
        self._idle(p)
        del self._streams[p][sid]
        if not self._streams[p]:
            self.state[p] = "IDLE"

    def streams(self, p: int) -> dict[int, Stream]:
        return dict(self._streams[p])

    # traffic
    def start_traffic(
        self, ports: list[int], *, duration_s: float | None = None
    ) -> None:
        for p in ports:
            if self.state[p] in ("TX", "PAUSE"):
                raise StateError(f"port {p} is already transmitting", port=p)
            if not any(s.enabled == 1 for s in self._streams[p].values()):
                raise StateError(f"port {p} has no enabled stream", port=p)
        for p in ports:
            self.state[p] = "TX"
        self.started.append((list(ports), duration_s))
        for p in ports:
            self._emit("STARTED", p)

    def stop_traffic(self, ports: list[int]) -> None:
        for p in ports:
            if self.state[p] in ("TX", "PAUSE"):
                self.state[p] = "STREAMS" if self._streams[p] else "IDLE"
                self._emit("STOPPED", p)

    def finish(self, p: int) -> None:
        """Test helper: the port's job ended by itself."""
        self.state[p] = "STREAMS"
        self._emit("DONE", p)

    def inject_error(self, p: int, sid: int, error: str) -> None:
        """The real tester's rules: a sending stream with a TPLD."""
        stream = self._streams[p].get(sid)
        if stream is None:
            raise ValidationError(f"no stream {sid}", field="stream_id")
        if self.state[p] not in ("TX", "PAUSE") or stream.enabled == 0:
            raise StateError(f"port {p} is not transmitting stream {sid}", port=p)
        if stream.tpld_id < 0:
            raise ValidationError("no TPLD", field="tpld_id")
        self.injected.append((p, sid, error))

    # statistics
    def port_stats(self, p: int, *, since_clear: bool = True) -> FakeStats:
        return self.stats[p]

    def stream_tx_stats(self, p: int, sid: int) -> SimpleNamespace:
        if sid not in self._streams[p]:
            raise ValidationError(f"no stream {sid}", field="stream_id")
        return self.stream_stats.get(
            (p, sid), SimpleNamespace(packets=0, bytes=0, pps=0.0, bps_l2=0.0)
        )

    def tids(self, p: int) -> list[int]:
        return sorted(tid for (q, tid) in self.tid if q == p)

    def tid_stats(self, p: int, tid: int) -> TidStats | None:
        return self.tid.get((p, tid))

    def clear_stats(self, p: int, *, tx: bool = True, rx: bool = True) -> None:
        self.cleared.append((p, tx, rx))

    def settle(self, ports: list[int] | None = None, timeout_s: float = 5.0) -> bool:
        self.settles += 1
        for st, new in zip(self.stats, self.unpublished, strict=True):
            st.rx_packets += new.rx_packets
            st.rx_bytes += new.rx_bytes
            st.rx_dropped_by_tester += new.rx_dropped_by_tester
        self.unpublished = [FakeStats() for _ in self.stats]
        return True

    def interface_counters(self, p: int) -> dict[str, int]:
        return {"rx_crc_errors": 0}


@pytest.fixture
def tester() -> FakeTester:
    return FakeTester()


@pytest.fixture
def chassis(tester: FakeTester) -> Iterator[XenaChassis]:
    c = XenaChassis(tester)  # type: ignore[arg-type]
    yield c
    c.close()


@pytest.fixture
def session(chassis: XenaChassis) -> XenaSession:
    s = XenaSession("cli", "test")
    chassis.open_session(s)
    return s
