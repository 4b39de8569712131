"""A data plane without processes or interfaces, for tests (as httpx ships
``MockTransport``): run a real :class:`~wirespeed.service.Tester` on it and every
rule, state change, event and statistics path is the real one.

It records every command it is sent, keeps counter words in the workers' own
layout, and answers as the workers do: a start marks the port running, a stop ends
it, a sync or clear is acknowledged at once. A test says what the wire did:

    fake = FakeDataplane(2)
    tester = Tester(fake_config(2), dataplane=fake).start()
    ...
    fake.count_tx(0, slot=tester_slot, packets=10, frame_bytes=64)
    fake.count_rx(1, packets=10, frame_bytes=64, tid=TidStats(7, packets=10))
    fake.finish(0)            # the job ends by itself: DONE

Nothing here is a figure a user sees: the counts are the test's own.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.analysis import TidStats
from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import rx_worker as rxw
from wirespeed.dataplane import service_messages as sm
from wirespeed.dataplane import tx_worker as txw
from wirespeed.dataplane.rx_table import Retired
from wirespeed.fieldengine import InjectedError
from wirespeed.service.core import MAX_STREAMS
from wirespeed.service.dataplane import ReportSink, WorkerLost
from wirespeed.service.fake_services import FakeServices
from wirespeed.topology.testbed import PortSpec, TesterConfig

__all__ = ["FakeDataplane", "fake_config"]


def fake_config(n_ports: int = 2, speed_bps: int = 10_000_000_000) -> TesterConfig:
    """Ports cabled 0<->1, 2<->3 ..., in modules of two, with fixed MACs."""
    ports = tuple(
        PortSpec(f"p{i}", f"fake{i}", speed_bps, f"02:00:00:00:00:{i + 1:02x}", i ^ 1)
        for i in range(n_ports)
    )
    modules = tuple(tuple(range(m, min(m + 2, n_ports))) for m in range(0, n_ports, 2))
    return TesterConfig(ports, modules)


class FakeDataplane:
    """``n_ports`` ports of counter words and a log of commands."""

    def __init__(self, n_ports: int) -> None:
        self.sent: list[tuple[int, msg.TxCommand | msg.RxCommand]] = []
        self._tx = [
            np.zeros(txw.tx_words(MAX_STREAMS), dtype=np.int64) for _ in range(n_ports)
        ]
        self._rx = [np.zeros(rxw.rx_words(), dtype=np.int64) for _ in range(n_ports)]
        self._tids: list[dict[int, TidStats]] = [{} for _ in range(n_ports)]
        self._retired = [Retired() for _ in range(n_ports)]
        self._ring: list[list[dict[str, Any]]] = [[] for _ in range(n_ports)]
        self._on_report: ReportSink | None = None
        self._run_id = [0] * n_ports
        self._lock = threading.Lock()
        self.started = False
        self.links = [True] * n_ports
        self.mtus = [1500] * n_ports
        #: the interfaces' own counters, as a test sets them
        self.kernel: list[dict[str, int]] = [{} for _ in range(n_ports)]
        #: the ports' service workers (ARP/ND/ping, single frames, captures)
        self.services = FakeServices(n_ports)

    # ------------------------------------------------------------------ Dataplane
    def start(self, on_report: ReportSink) -> None:
        """Nothing to start; reports go to ``on_report``."""
        self._on_report = on_report
        self.started = True

    def close(self) -> None:
        """Nothing to stop."""
        self.started = False

    def send_tx(self, port: int, command: msg.TxCommand) -> None:
        """Record ``command``; a start or stop changes ``TX_RUNNING``."""
        with self._lock:
            self.sent.append((port, command))
            w = self._tx[port]
            match command:
                case msg.StartJob(job):
                    w[txw.TX_RUNNING] = 1
                    w[txw.TX_RUN_ID] = self._run_id[port] = job.run_id
                case msg.StopJob() | msg.Quit():
                    w[txw.TX_RUNNING] = 0

    def send_rx(self, port: int, command: msg.RxCommand) -> None:
        """Record ``command``; syncs and clears are acknowledged at once (both
        count the frames held in the ring first)."""
        with self._lock:
            self.sent.append((port, command))
            w = self._rx[port]
            match command:
                case msg.SyncRx(serial):
                    for held in self._ring[port]:  # the ring is read, then published
                        self._count_rx(port, **held)
                    self._ring[port].clear()
                    w[rxw.RX_SYNCS] = serial
                case msg.ClearRx(serial):  # the ring is read first, as a worker does
                    for held in self._ring[port]:
                        self._count_rx(port, **held)
                    self._ring[port].clear()
                    w[rxw.RX_CLEARS] = serial
                    self._retire(port)
                case msg.SetRxMode():
                    self._retire(port)

    def send_svc(self, port: int, command: sm.ServiceCommand) -> None:
        """Answer as :attr:`services` says."""
        with self._lock:
            self.sent.append((port, command))  # type: ignore[arg-type]
        sink = self._on_report
        self.services.command(
            port,
            command,
            lambda p, rep: sink(p, rep) if sink else None,  # type: ignore[arg-type]
        )

    def svc_words(self, port: int) -> npt.NDArray[np.int64]:
        """A copy of the port's service words."""
        with self._lock:
            return self.services.svc_words(port)

    def tx_words(self, port: int) -> npt.NDArray[np.int64]:
        """A copy of the port's TX words."""
        with self._lock:
            return self._tx[port].copy()

    def rx_words(self, port: int) -> npt.NDArray[np.int64]:
        """A copy of the port's RX words."""
        with self._lock:
            return self._rx[port].copy()

    def rx_port_words(self, port: int) -> npt.NDArray[np.int64]:
        """A copy of the port's RX port words."""
        with self._lock:
            return self._rx[port][: rxw.RX_PORT_WORDS].copy()

    def pids(self, port: int) -> tuple[int | None, int | None]:
        """No processes."""
        return (None, None)

    def driver(self, port: int) -> tuple[str, str]:
        """No interface: the fake data plane."""
        return "fake", ""

    def set_link(self, port: int, up: bool) -> None:
        """Record the link state."""
        self.links[port] = up

    def link_mtu(self, port: int) -> int:
        """What the test put in ``mtus[port]`` (1500)."""
        return self.mtus[port]

    def link_counters(self, port: int) -> dict[str, int]:
        """What the test put in ``kernel[port]``."""
        return dict(self.kernel[port])

    # ------------------------------------------------------------------ the wire
    def commands(self, port: int, kind: type | None = None) -> list[object]:
        """The commands sent to ``port`` (of ``kind`` only, if given)."""
        with self._lock:
            return [
                c
                for p, c in self.sent
                if p == port and (kind is None or isinstance(c, kind))
            ]

    def count_tx(
        self,
        port: int,
        *,
        slot: int,
        packets: int,
        frame_bytes: int,
        tpld: bool = True,
        span_ns: int | None = None,
    ) -> None:
        """``packets`` frames of ``frame_bytes`` (FCS included) left ``port`` from
        the stream in ``slot``; with ``span_ns``, the job's first and last frame
        were that far apart (the TX worker's clock)."""
        nbytes = packets * frame_bytes
        with self._lock:
            w = self._tx[port]
            if span_ns is not None:
                w[txw.TX_JOB_FIRST_NS] = w[txw.TX_JOB_FIRST_NS] or 1
                w[txw.TX_JOB_LAST_NS] = w[txw.TX_JOB_FIRST_NS] + span_ns
            s = txw.TX_PORT_WORDS + 2 * slot
            w[s] += packets
            w[s + 1] += nbytes
            w[txw.TX_PACKETS] += packets
            w[txw.TX_BYTES] += nbytes
            if not tpld:
                w[txw.TX_NOTPLD_PACKETS] += packets
                w[txw.TX_NOTPLD_BYTES] += nbytes

    def count_rx(
        self,
        port: int,
        *,
        packets: int,
        frame_bytes: int,
        tid: TidStats | None = None,
        ring_drops: int = 0,
    ) -> None:
        """``packets`` frames of ``frame_bytes`` arrived on ``port``; with ``tid``,
        they carried its TPLD and its analysis now reads ``tid``."""
        with self._lock:
            self._count_rx(port, packets, frame_bytes, tid, ring_drops)

    def hold_rx(self, port: int, **count_rx: Any) -> None:
        """Frames (:meth:`count_rx`'s arguments) that wait in ``port``'s ring: they
        are counted when the tester next has that receiver sync (``settle``) or
        clear, as a real RX worker counts its ring then."""
        with self._lock:
            self._ring[port].append(count_rx)

    def count_tx_errors(self, port: int, n: int) -> None:
        """``n`` frames of ``port`` the kernel refused."""
        with self._lock:
            self._tx[port][txw.TX_ERRORS] += n

    def count_injected(self, port: int, error: InjectedError, n: int = 1) -> None:
        """``n`` injected errors of kind ``error`` went out on ``port``."""
        with self._lock:
            self._tx[port][txw.TX_INJECTED[error]] += n

    def _count_rx(
        self,
        port: int,
        packets: int = 0,
        frame_bytes: int = 0,
        tid: TidStats | None = None,
        ring_drops: int = 0,
    ) -> None:
        nbytes = packets * frame_bytes
        w = self._rx[port]
        w[rxw.RX_PACKETS] += packets
        w[rxw.RX_BYTES] += nbytes
        w[rxw.RX_RING_DROPS] += ring_drops
        if tid is None:
            w[rxw.RX_NOTPLD_PACKETS] += packets
            w[rxw.RX_NOTPLD_BYTES] += nbytes
        else:
            w[rxw.RX_TPLD_PACKETS] += packets
            self._tids[port][tid.tid] = tid
        self._publish(port)

    def finish(self, port: int) -> None:
        """The port's job ends by itself (the worker reports it done)."""
        with self._lock:
            self._tx[port][txw.TX_RUNNING] = 0
            run_id = self._run_id[port]
        if self._on_report is not None:
            self._on_report(port, msg.JobDone(run_id))

    def fail(self, port: int, message: str) -> None:
        """The port's job ends with an error."""
        with self._lock:
            self._tx[port][txw.TX_RUNNING] = 0
            run_id = self._run_id[port]
        if self._on_report is not None:
            self._on_report(port, msg.JobFailed(run_id, message))

    def kill(self, port: int, role: str = "tx", status: int = -9) -> None:
        """The port's ``role`` worker dies (and is restarted)."""
        with self._lock:
            if role == "tx":
                self._tx[port][txw.TX_RUNNING] = 0
        if self._on_report is not None:
            self._on_report(port, WorkerLost(role, status, restarted=True))

    def _retire(self, port: int) -> None:
        """As the RX worker does before a clear: what was counted is history."""
        self._retired[port].add(self._rx[port])
        self._retired[port].write(self._rx[port])
        self._tids[port].clear()
        self._publish(port)

    def _publish(self, port: int) -> None:
        rxw.write_table(self._rx[port], list(self._tids[port].values()))
