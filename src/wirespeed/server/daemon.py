"""``wirespeed server``: one tester on real ports, served to every front end.

The daemon builds the embedded test bed (or reads a config naming real interfaces),
starts one :class:`~wirespeed.service.Tester`, then every front end that is
installed: the HTTP dashboard, JSON API and Prometheus metrics (8080), the Open
Traffic Generator API (HTTPS 8443), TRex JSON-RPC (ZeroMQ 4501/4500), Xena XOA
(TCP 22606), the Xena text CLI (TCP 22611) and wirespeed's native RPC for
``Chassis.connect`` (ZeroMQ 4510). The two Xena servers share one
:class:`~wirespeed.server.xena.XenaChassis` that the daemon builds, so a stream set
over one reads back the same over the other. It runs until SIGINT/SIGTERM and
removes what it created. The tester pins its workers to CPUs
(:mod:`wirespeed.service.placement`); the daemon's own threads then move to the
CPUs no worker holds, where there are such.
"""

from __future__ import annotations

import importlib
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wirespeed.service import Tester
from wirespeed.topology.impair import Impairment
from wirespeed.topology.testbed import (
    DEFAULT_SPEED_BPS,
    DutKind,
    EmbeddedTestbed,
    load_config,
)

if TYPE_CHECKING:
    from wirespeed.server.http.runs import SuiteFactory
    from wirespeed.server.xena import ChassisProfile, XenaChassis

__all__ = ["FRONT_ENDS", "XENA_FRONT_ENDS", "Daemon", "DaemonOptions"]

log = logging.getLogger("wirespeed.server")


class FrontEnd(Protocol):
    """What the daemon needs of a front end."""

    def start(self) -> None: ...
    def close(self) -> None: ...


# name -> (module, class, keyword for its port(s))
FRONT_ENDS: dict[str, tuple[str, str]] = {
    "http": ("wirespeed.server.http", "HttpServer"),
    "otg": ("wirespeed.server.otg", "OtgServer"),
    "trex": ("wirespeed.server.trex", "TrexRpcServer"),
    "xoa": ("wirespeed.server.xena", "XoaServer"),
    "xena-cli": ("wirespeed.server.xena", "XenaCliServer"),
    "native": ("wirespeed.server.native", "NativeServer"),
}
XENA_FRONT_ENDS = ("xoa", "xena-cli")  # they share the daemon's one XenaChassis


@dataclass
class DaemonOptions:
    """How to run the daemon."""

    config: Path | None = None
    bind: str = "127.0.0.1"
    modules: int = 2
    speed_bps: int = DEFAULT_SPEED_BPS
    dut: DutKind | str | bool | None = False
    impairment: Impairment | None = None
    firewall: tuple[str, ...] = ()
    mtu: int = 1500
    ifnames: tuple[str, ...] = ()  # embedded test bed: interface names
    driver: str | None = None  # every port's driver (None: the config's, afpacket)
    front_ends: tuple[str, ...] = tuple(FRONT_ENDS)
    ports: dict[str, Any] = field(default_factory=dict)  # per-front-end port overrides
    xena_profile: ChassisProfile | None = None  # the chassis the Xena servers show
    suites: SuiteFactory | None = None
    """Runs RFC 2544 suites for the HTTP front end (given by the layer that
    knows them: the ``wirespeed server`` command)."""


class Daemon:
    """The tester plus its front ends, started and stopped together."""

    def __init__(self, opts: DaemonOptions) -> None:
        self.opts = opts
        self.testbed: EmbeddedTestbed | None = None
        self.tester: Tester | None = None
        self.front_ends: dict[str, FrontEnd] = {}
        self.xena_chassis: XenaChassis | None = None
        self._stop = threading.Event()

    def start(self) -> Tester:
        """Build the ports, start the tester and the front ends."""
        try:
            if self.opts.config is not None:
                config = load_config(self.opts.config)
                if self.opts.driver is not None:
                    config = config.with_driver(self.opts.driver)
            else:
                self.testbed = EmbeddedTestbed(
                    modules=self.opts.modules,
                    speed_bps=self.opts.speed_bps,
                    dut=self.opts.dut,
                    impairment=self.opts.impairment,
                    firewall=self.opts.firewall,
                    mtu=self.opts.mtu,
                    ifnames=self.opts.ifnames,
                    driver=self.opts.driver or "afpacket",
                )
                config = self.testbed.start()
            # its threads (and the front ends' started later) keep off the CPUs
            # of sending ports
            self.tester = Tester(config, steer_threads=True).start()
            for name in self.opts.front_ends:
                fe = self._make(name, self.tester)
                if fe is not None:
                    fe.start()
                    self.front_ends[name] = fe
        except BaseException:
            self.close()
            raise
        return self.tester

    def _make(self, name: str, tester: Tester) -> FrontEnd | None:
        module_name, cls_name = FRONT_ENDS[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            log.warning("front end %s is not installed", name)
            return None
        cls: Callable[..., FrontEnd] = getattr(module, cls_name)
        kwargs = dict(self.opts.ports.get(name, {}))
        if name in XENA_FRONT_ENDS:
            if self.xena_chassis is None:
                self.xena_chassis = module.XenaChassis(tester, self.opts.xena_profile)
            kwargs["chassis"] = self.xena_chassis
        if name == "http":
            kwargs.update(testbed=self.testbed, suites=self.opts.suites)
        return cls(tester, bind=self.opts.bind, **kwargs)

    def run_forever(self, ready: Callable[[], None] | None = None) -> None:
        """Block until SIGINT/SIGTERM (or :meth:`stop`). ``ready`` is called once
        the signals are handled (a caller that says "ready" there can be stopped
        at once: a SIGTERM right after it is a clean stop, not a kill)."""

        def handler(signum: int, frame: Any) -> None:
            self._stop.set()

        old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            if ready is not None:
                ready()
            while not self._stop.wait(0.5):
                pass
        finally:
            for s, h in old.items():
                signal.signal(s, h)

    def stop(self) -> None:
        """Make :meth:`run_forever` return."""
        self._stop.set()

    def close(self) -> None:
        """Stop the front ends, the tester and remove the test bed."""
        for fe in self.front_ends.values():
            try:
                fe.close()
            except Exception:
                log.exception("closing a front end failed")
        self.front_ends.clear()
        if self.xena_chassis is not None:
            self.xena_chassis.close()
            self.xena_chassis = None
        if self.tester is not None:
            self.tester.close()
            self.tester = None
        if self.testbed is not None:
            self.testbed.close()
            self.testbed = None
