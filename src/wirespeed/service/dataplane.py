"""The data plane behind the tester: what the IO shell needs of it, and the real
one (two supervised worker processes per port).

:class:`Dataplane` is the seam: the tester sends typed commands to a port's TX and
RX worker, reads their counter words (absolute and monotonic: a restarted worker
goes on from where its block stands), and hears their reports and deaths through
one callback. :class:`ProcessDataplane` runs the real workers; the package's fake
(:mod:`wirespeed.service.fake`) serves tests.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Protocol

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import service_messages as sm
from wirespeed.dataplane.rx_table import RX_PORT_WORDS
from wirespeed.dataplane.tx_worker import TX_RUNNING
from wirespeed.service.workers import PortWorkers, worker_cpus
from wirespeed.topology.links import link_counters, link_mtu, set_link_state
from wirespeed.topology.testbed import PortSpec

__all__ = ["Dataplane", "ProcessDataplane", "ReportSink", "WorkerLost"]

_log = logging.getLogger(__name__)


class WorkerLost:
    """A worker process of a port died (and was started again, if it could be).

    Attributes:
        role: ``"tx"`` or ``"rx"``.
        status: its exit status (negative: the signal that killed it).
        restarted: a new worker runs in its place.
    """

    __slots__ = ("restarted", "role", "status")

    def __init__(self, role: str, status: int | None, restarted: bool) -> None:
        self.role = role
        self.status = status
        self.restarted = restarted

    def __repr__(self) -> str:
        return f"WorkerLost({self.role!r}, {self.status!r}, {self.restarted!r})"

    @property
    def message(self) -> str:
        """What happened, for a log line or a client's error."""
        how = (
            f"killed by signal {-self.status}"
            if self.status is not None and self.status < 0
            else f"exit status {self.status}"
        )
        again = "restarted" if self.restarted else "could not be restarted"
        return f"the {self.role.upper()} worker died ({how}); {again}"


ReportSink = Callable[[int, "msg.WorkerReport | sm.ServiceReport | WorkerLost"], None]


class Dataplane(Protocol):
    """What the tester needs of a data plane with a TX, an RX and a service side
    per port."""

    def start(self, on_report: ReportSink) -> None:
        """Bring every port's workers up; reports and deaths go to ``on_report``
        (from a thread of the data plane's own)."""

    def close(self) -> None:
        """Stop every worker."""

    def send_tx(self, port: int, command: msg.TxCommand) -> None:
        """Send a command to the port's TX worker."""

    def send_rx(self, port: int, command: msg.RxCommand) -> None:
        """Send a command to the port's RX worker."""

    def send_svc(self, port: int, command: sm.ServiceCommand) -> None:
        """Send a command to the port's service worker (ARP/ND/ping, single
        frames, captures); its answers come as reports."""

    def tx_words(self, port: int) -> npt.NDArray[np.int64]:
        """A consistent copy of the port's TX counter words."""

    def svc_words(self, port: int) -> npt.NDArray[np.int64]:
        """A consistent copy of the port's service counter words."""

    def rx_words(self, port: int) -> npt.NDArray[np.int64]:
        """A consistent copy of the port's RX counter words (port words, then the
        analyzer's tables: megabytes)."""

    def rx_port_words(self, port: int) -> npt.NDArray[np.int64]:
        """A consistent copy of the port's RX port words alone."""

    def pids(self, port: int) -> tuple[int | None, int | None]:
        """The TX and RX worker processes (``None``: not a process)."""

    def driver(self, port: int) -> tuple[str, str]:
        """The port's driver in use and a note (the AF_XDP mode, or why ``auto``
        took packet sockets)."""

    def set_link(self, port: int, up: bool) -> None:
        """Set the port's link up or down."""

    def link_counters(self, port: int) -> dict[str, int]:
        """The interface's own counters (the kernel's, for a real port)."""

    def link_mtu(self, port: int) -> int:
        """The interface's MTU."""


class ProcessDataplane:
    """Three worker processes per port (TX, RX, services), watched: a worker that
    dies is logged with its exit status, reported and started again on the same
    counter block.

    Args:
        specs: the ports.
        qdisc_bypass: send without the local qdisc.
        cpus: per port, the CPUs of its TX and RX worker (``None``: the port's
            own, else placed by :mod:`wirespeed.service.placement`).
    """

    def __init__(
        self,
        specs: list[PortSpec],
        *,
        qdisc_bypass: bool = True,
        cpus: dict[int, tuple[int | None, int | None]] | None = None,
    ) -> None:
        placed = worker_cpus(tuple(specs), cpus)
        self._workers = [
            PortWorkers(i, spec, qdisc_bypass=qdisc_bypass, cpus=placed[i])
            for i, spec in enumerate(specs)
        ]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_report: ReportSink | None = None

    def start(self, on_report: ReportSink) -> None:
        """Start every worker, then the thread that watches them."""
        self._on_report = on_report
        try:
            for w in self._workers:
                w.start()
        except BaseException:
            self.close()
            raise
        self._thread = threading.Thread(
            target=self._watch, name="ws-workers", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop the watcher, then every worker."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
        for w in self._workers:
            w.close()

    def send_tx(self, port: int, command: msg.TxCommand) -> None:
        """Send to the TX worker (a dead one is restarted by the watcher)."""
        with contextlib.suppress(OSError):
            self._workers[port].send_tx(command)

    def send_rx(self, port: int, command: msg.RxCommand) -> None:
        """Send to the RX worker (a dead one is restarted by the watcher)."""
        with contextlib.suppress(OSError):
            self._workers[port].send_rx(command)

    def send_svc(self, port: int, command: sm.ServiceCommand) -> None:
        """Send to the service worker (a dead one is restarted by the watcher)."""
        with contextlib.suppress(OSError):
            self._workers[port].send_svc(command)

    def tx_words(self, port: int) -> npt.NDArray[np.int64]:
        """The TX counter words."""
        return self._workers[port].tx_counters.read()

    def svc_words(self, port: int) -> npt.NDArray[np.int64]:
        """The service counter words."""
        return self._workers[port].svc_counters.read()

    def rx_words(self, port: int) -> npt.NDArray[np.int64]:
        """The RX counter words."""
        return self._workers[port].rx_counters.read()

    def rx_port_words(self, port: int) -> npt.NDArray[np.int64]:
        """The RX port words."""
        return self._workers[port].rx_counters.read(RX_PORT_WORDS)

    def pids(self, port: int) -> tuple[int | None, int | None]:
        """The TX and RX worker processes."""
        return self._workers[port].pids

    def driver(self, port: int) -> tuple[str, str]:
        """The driver the port's workers use, and its note."""
        w = self._workers[port]
        return w.driver.value, w.driver_note

    def set_link(self, port: int, up: bool) -> None:
        """Really set the interface up or down."""
        set_link_state(self._workers[port].spec, up)

    def link_counters(self, port: int) -> dict[str, int]:
        """The kernel's counters of the interface."""
        return link_counters(self._workers[port].spec)

    def link_mtu(self, port: int) -> int:
        """The interface's MTU (netlink)."""
        return link_mtu(self._workers[port].spec)

    # ------------------------------------------------------------------ watching
    def _watch(self) -> None:
        while not self._stop.is_set():
            conns: dict[object, tuple[int, str]] = {}
            watched: list[Connection | int] = []
            for w in self._workers:
                for role, conn, sentinel in w.watched():
                    conns[conn] = (w.index, role)
                    conns[sentinel] = (w.index, role + "-exit")
                    watched += [conn, sentinel]
            try:
                ready = wait(watched, timeout=1.0)
            except OSError:
                continue
            for obj in ready:
                index, what = conns[obj]
                if what.endswith("-exit"):
                    self._lost(index, what[:-5])
                elif isinstance(obj, Connection):
                    self._read(index, what, obj)

    def _read(self, index: int, role: str, conn: Connection) -> None:
        try:
            report = conn.recv()
        except (EOFError, OSError):
            return  # the process sentinel says why
        if self._on_report is not None and role in ("tx", "svc"):
            self._on_report(index, report)

    def _lost(self, index: int, role: str) -> None:
        workers = self._workers[index]
        if self._stop.is_set():
            return
        status = workers.exit_status(role)
        restarted = False
        # killed inside a counter update, it left the block's lock odd: readers
        # would wait for ever, and the next writer would keep it odd
        {
            "tx": workers.tx_counters,
            "rx": workers.rx_counters,
            "svc": workers.svc_counters,
        }[role].recover()
        try:
            if role == "tx":
                with workers.tx_counters.writing() as w:
                    w[TX_RUNNING] = 0
            workers.restart(role)
            restarted = True
        except Exception as exc:  # logged and reported; the port stays in error
            _log.error("port %d: %s worker cannot start again: %s", index, role, exc)
        lost = WorkerLost(role, status, restarted)
        _log.error("port %d (%s): %s", index, workers.spec.interface, lost.message)
        if self._on_report is not None:
            self._on_report(index, lost)
