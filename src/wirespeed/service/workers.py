"""The worker processes of a port (TX, RX and services) and their shared counters."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.drivers import PortDriver
from wirespeed.dataplane.fdpass import recv_fds, send_fds
from wirespeed.dataplane.messages import (
    AttachXsk,
    DetachXsk,
    Quit,
    Ready,
    RxCommand,
    StartFailed,
    TxCommand,
)
from wirespeed.dataplane.rx_worker import rx_words
from wirespeed.dataplane.service_messages import SVC_WORDS, ServiceCommand
from wirespeed.dataplane.tx_worker import tx_words
from wirespeed.errors import PortError
from wirespeed.service.core import MAX_STREAMS
from wirespeed.service.placement import WorkerCpus, controller_cpus, place_workers
from wirespeed.topology.testbed import PortSpec

__all__ = ["MAX_STREAMS", "ControllerSteering", "PortWorkers", "worker_cpus"]

log = logging.getLogger("wirespeed.service")


CpuOverrides = dict[int, tuple[int | None, int | None]] | None


def _placement(
    specs: tuple[PortSpec, ...],
    overrides: dict[int, tuple[int | None, int | None]] | None,
) -> tuple[list[WorkerCpus], list[int]]:
    overrides = overrides or {}
    pinned = []
    for i, spec in enumerate(specs):
        tx, rx = overrides.get(i, (None, None))
        pinned.append(
            (spec.tx_cpu if tx is None else tx, spec.rx_cpu if rx is None else rx)
        )
    usable = sorted(os.sched_getaffinity(0))
    return place_workers([s.peer for s in specs], usable, pinned), usable


def worker_cpus(
    specs: tuple[PortSpec, ...],
    overrides: dict[int, tuple[int | None, int | None]] | None = None,
) -> list[tuple[int, int]]:
    """Every port's (TX, RX) worker CPUs: the ``overrides`` (per port index), else
    the port's ``tx_cpu``/``rx_cpu``, else the rule of
    :mod:`wirespeed.service.placement` over the CPUs this process may use.

    Raises:
        ConfigError: a CPU asked for is not usable (names the port and worker).
    """
    placed, _ = _placement(specs, overrides)
    return [(p.tx, p.rx) for p in placed]


class ControllerSteering:
    """Keeps this process's threads (the controller: RPC, sampling, and those it
    starts later) off the CPUs where sending ports' TX workers run, where it can
    (:func:`wirespeed.service.placement.controller_cpus`). For a process that
    serves one tester (the daemon)."""

    def __init__(self, specs: tuple[PortSpec, ...], cpus: CpuOverrides = None) -> None:
        self._placed, self._usable = _placement(specs, cpus)
        self._now: list[int] | None = None

    def steer(self, sending: frozenset[int]) -> list[int]:
        """Move the threads for ``sending`` ports; returns their CPUs."""
        cpus = controller_cpus(self._placed, self._usable, sending)
        if cpus != self._now:
            for tid in os.listdir("/proc/self/task"):
                with contextlib.suppress(OSError):  # a thread that just ended
                    os.sched_setaffinity(int(tid), cpus)
            log.info("controller threads on CPU %s", ",".join(map(str, cpus)))
            self._now = cpus
        return cpus


class _Worker:
    """One worker interpreter and the pipe to it."""

    def __init__(
        self, role: str, spec: PortSpec, counters: str, extra: list[str]
    ) -> None:
        parent, child = socket.socketpair()
        src = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = src + (
            os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
        )
        args = [
            sys.executable,
            "-m",
            "wirespeed.dataplane.worker_main",
            role,
            "--netns",
            spec.netns or "",
            "--ifname",
            spec.interface,
            "--counters",
            counters,
            "--fd",
            str(child.fileno()),
            *extra,
        ]
        self.proc = subprocess.Popen(
            args, pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL
        )
        child.close()
        self.conn = Connection(parent.detach())
        self.lock = threading.Lock()
        self.pidfd = os.pidfd_open(self.proc.pid)  # readable once it has exited

    def send(self, msg: object) -> None:
        with self.lock:
            self.conn.send(msg)

    def wait_ready(self, what: str, index: int, interface: str) -> Ready:
        if not self.conn.poll(60):
            raise PortError(f"{interface}: {what} worker did not start", port=index)
        try:
            report = self.conn.recv()
        except EOFError as exc:
            raise PortError(
                f"{interface}: {what} worker died at start", port=index
            ) from exc
        if isinstance(report, StartFailed):
            raise PortError(report.message, port=index)
        if not isinstance(report, Ready):
            raise PortError(f"{interface}: {what} worker: {report!r}", port=index)
        return report

    def recv_fds(self, n: int) -> list[int]:
        """Descriptors the worker passed after its last message."""
        return recv_fds(self.conn, n)

    def send_with_fds(self, msg: object, fds: list[int]) -> None:
        """A message, then descriptors for it."""
        with self.lock:
            self.conn.send(msg)
            send_fds(self.conn, fds)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.send(Quit())
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=3)
        self.conn.close()
        with contextlib.suppress(OSError):
            os.close(self.pidfd)


class PortWorkers:
    """Starts, commands and stops the TX, RX and service processes of one port."""

    def __init__(
        self,
        index: int,
        spec: PortSpec,
        *,
        qdisc_bypass: bool = True,
        cpus: tuple[int | None, int | None] = (None, None),
    ) -> None:
        self.index = index
        self.spec = spec
        self._qdisc_bypass = qdisc_bypass
        self._cpus = cpus
        self.tx_counters = CounterBlock(tx_words(MAX_STREAMS))
        self.rx_counters = CounterBlock(rx_words())
        self.svc_counters = CounterBlock(SVC_WORDS)
        self._tx: _Worker | None = None
        self._rx: _Worker | None = None
        self._svc: _Worker | None = None
        self.driver = PortDriver.AFPACKET
        """The driver the port runs on (``auto`` resolved)."""
        self.driver_note = ""
        """The AF_XDP mode, or why ``auto`` fell back to packet sockets."""
        self._xsk: tuple[AttachXsk, list[int]] | None = None  # for the TX worker

    def _spawn(self, role: str) -> _Worker:
        if role == "tx":
            extra = ["--max-streams", str(MAX_STREAMS)]
            if not self._qdisc_bypass:
                extra.append("--no-qdisc-bypass")
            if self._cpus[0] is not None:
                extra += ["--cpu", str(self._cpus[0])]
            return _Worker("tx", self.spec, self.tx_counters.name, extra)
        if role == "svc":
            return _Worker("svc", self.spec, self.svc_counters.name, [])
        rx_extra = [] if self._cpus[1] is None else ["--cpu", str(self._cpus[1])]
        rx_extra += ["--driver", PortDriver.parse(self.spec.driver).value]
        if not self.spec.reaches_stack:
            rx_extra.append("--keep-from-stack")
        return _Worker("rx", self.spec, self.rx_counters.name, rx_extra)

    def start(self) -> None:
        """Start the processes and wait until they have opened their sockets."""
        self._tx = self._spawn("tx")
        self._rx = self._spawn("rx")
        self._svc = self._spawn("svc")
        self._tx.wait_ready("TX", self.index, self.spec.interface)
        self._rx_ready()
        self._svc.wait_ready("service", self.index, self.spec.interface)
        self._attach_tx()
        log.info(
            "port %d (%s): TX worker pid %d on CPU %s, RX worker pid %d on CPU %s, "
            "driver %s%s",
            self.index,
            self.spec.interface,
            self._tx.proc.pid,
            _cpu_list(self._tx.proc.pid),
            self._rx.proc.pid,
            _cpu_list(self._rx.proc.pid),
            self.driver.value,
            f" ({self.driver_note})" if self.driver_note else "",
        )

    def _rx_ready(self) -> None:
        """Wait for the RX worker; take its AF_XDP socket, if it opened one."""
        assert self._rx is not None
        ready = self._rx.wait_ready("RX", self.index, self.spec.interface)
        self.driver = PortDriver.parse(ready.driver)
        self.driver_note = ready.note
        if ready.xsk is not None:
            self._xsk = (AttachXsk(ready.xsk), self._rx.recv_fds(2))

    def _attach_tx(self) -> None:
        """Hand the port's AF_XDP socket to the TX worker (it keeps the packet
        socket while there is none)."""
        if self._xsk is not None and self._tx is not None:
            msg, fds = self._xsk
            self._tx.send_with_fds(msg, fds)

    def _forget_xsk(self) -> None:
        """Let go of the AF_XDP socket (the TX worker first): a new RX worker
        opens a new one, which the interface's queue takes only once the old one
        is closed everywhere."""
        if self._xsk is None:
            return
        if self._tx is not None and self._tx.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self._tx.send(DetachXsk())
        for fd in self._xsk[1]:
            os.close(fd)
        self._xsk = None

    def restart(self, role: str) -> None:
        """Start the ``role`` worker again (the old one has exited): it goes on
        with the same counter block."""
        old = self._role(role)
        if role == "rx":
            self._forget_xsk()
        if old is not None:
            old.close()
        new = self._spawn(role)
        setattr(self, f"_{role}", new)
        if role == "rx":
            self._rx_ready()
            self._attach_tx()
        else:
            new.wait_ready(role.upper(), self.index, self.spec.interface)
            if role == "tx":
                self._attach_tx()

    def _role(self, role: str) -> _Worker | None:
        return {"tx": self._tx, "rx": self._rx, "svc": self._svc}[role]

    def exit_status(self, role: str) -> int | None:
        """The exit status of the ``role`` worker (``None`` while it runs)."""
        w = self._role(role)
        return None if w is None else w.proc.poll()

    def watched(self) -> list[tuple[str, Connection, int]]:
        """Per live worker: its role, its pipe and a descriptor readable once the
        process has exited."""
        return [
            (role, w.conn, w.pidfd)
            for role, w in (("tx", self._tx), ("rx", self._rx), ("svc", self._svc))
            if w is not None
        ]

    def send_tx(self, command: TxCommand) -> None:
        """Send a command to the TX worker."""
        assert self._tx is not None
        self._tx.send(command)

    def send_rx(self, command: RxCommand) -> None:
        """Send a command to the RX worker."""
        assert self._rx is not None
        self._rx.send(command)

    def send_svc(self, command: ServiceCommand) -> None:
        """Send a command to the service worker."""
        assert self._svc is not None
        self._svc.send(command)

    @property
    def pids(self) -> tuple[int | None, int | None]:
        """The process ids of the TX and RX workers."""
        return (
            self._tx.proc.pid if self._tx else None,
            self._rx.proc.pid if self._rx else None,
        )

    def close(self) -> None:
        """Stop the processes and free the counters."""
        for w in (self._tx, self._rx, self._svc):
            if w is not None:
                w.close()
        self._tx = self._rx = self._svc = None
        if self._xsk is not None:
            for fd in self._xsk[1]:
                os.close(fd)
            self._xsk = None
        self.tx_counters.close()
        self.rx_counters.close()
        self.svc_counters.close()


def _cpu_list(pid: int) -> str:
    """The CPUs a process may run on, as ``0`` or ``0,1``."""
    return ",".join(str(c) for c in sorted(os.sched_getaffinity(pid)))
