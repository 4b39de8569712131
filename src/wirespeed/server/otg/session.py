"""An OTG session on the tester: the configuration applied as streams, the
flows' transmit state, their metrics, captures and links.

One configuration at a time (OTG's model): setting one stops and removes the
previous one's flows, captures and port reservations. Ports are reserved for the
owner ``otg`` (another owner's port is refused with its name, or taken when the
configuration sets ``options.port_options.location_preemption``). A flow's
frames_rx, loss and latency are the receiver's per-TID analysis of its TPLD id.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, replace
from typing import Any

from wirespeed.errors import WirespeedError
from wirespeed.fieldengine import compile_stream
from wirespeed.model import StreamEnable
from wirespeed.server.otg.capture import capture_bytes
from wirespeed.server.otg.errors import OtgError
from wirespeed.server.otg.lookup import TesterPorts
from wirespeed.server.otg.parse import API
from wirespeed.server.otg.plan import ConfigPlan, FlowPlan
from wirespeed.server.otg.translate import plan_config
from wirespeed.service import Tester

__all__ = ["OWNER", "OtgSession"]

OWNER = "otg"
_SESSION = "otg-session"
_CAPTURE_LIMIT_BYTES = 256 << 20


@dataclass
class _Flow:
    plan: FlowPlan
    stream_id: int
    paused: bool = False
    started: bool = False


class OtgSession:
    """The state behind OTG's endpoints (thread-safe)."""

    def __init__(self, tester: Tester) -> None:
        self.tester = tester
        self.ports = TesterPorts(tester)
        self._lock = threading.RLock()
        self._config: Any = None
        self._text = "{}"  # the configuration as it was set (GET /config)
        self._plan: ConfigPlan | None = None
        self._flows: dict[str, _Flow] = {}
        self._captures: dict[int, int] = {}  # port -> capture id
        self._capture_fmt: dict[int, str] = {}

    # ------------------------------------------------------------------ config
    def _translate(self, cfg: Any) -> ConfigPlan:
        """The plan of ``cfg``, each flow checked to build as its port's sender
        builds it when it starts (else it would start and send nothing)."""
        plan = plan_config(cfg, self.ports)
        errors = []
        for i, f in enumerate(plan.flows):
            info = self.tester.ports[f.tx_port]
            try:  # what the port's TX worker does when the flow starts
                compile_stream(
                    f.stream,
                    tpld_mode=None if f.tid is None else info.tpld_mode,
                    pi_offset=info.payload_checksum_offset,
                )
            except WirespeedError as exc:
                errors.append(f"flows[{i}] ({f.name}): {exc}")
        if errors:
            raise OtgError(errors)
        return plan

    def set_config(self, cfg: Any) -> list[str]:
        """Apply a parsed ``Config``; the warnings."""
        with self._lock:
            text = cfg.serialize()  # as given: reading it below adds defaults
            plan = self._translate(cfg)
            self._clear()
            preempt = bool(cfg.options.port_options.location_preemption)
            try:
                self._reserve(plan, cfg, preempt)
                for port, bps in plan.speeds.items():
                    self.tester.set_speed(port, bps)
                per_port: dict[int, int] = {}
                for f in plan.flows:
                    sid = per_port.get(f.tx_port, 0)
                    per_port[f.tx_port] = sid + 1
                    self.tester.add_stream(f.tx_port, sid, f.stream)
                    self._flows[f.name] = _Flow(f, sid)
            except BaseException:
                self._clear()
                raise
            self._config, self._plan, self._text = cfg, plan, text
            return list(plan.warnings)

    def _reserve(self, plan: ConfigPlan, cfg: Any, preempt: bool) -> None:
        names = {p.name: p.location for p in cfg.ports}
        for name, port in plan.ports.items():
            res = self.tester.reservation(port)
            if res is not None and res.session == _SESSION:
                continue
            if res is not None and not preempt:
                raise OtgError(
                    f"ports ({name}).location: {names.get(name)} is owned by "
                    f"{res.owner} (set options.port_options.location_preemption "
                    "to take it)"
                )
            self.tester.reserve(port, OWNER, _SESSION, force=preempt)

    def _clear(self) -> None:
        ports = set() if self._plan is None else set(self._plan.ports.values())
        for port, cid in list(self._captures.items()):
            with contextlib.suppress(WirespeedError):  # its file is gone already
                self.tester.services.remove_capture(cid)
            self._captures.pop(port, None)
        tx = sorted({f.plan.tx_port for f in self._flows.values()})
        if tx:
            self.tester.stop_traffic(tx)
        for port in tx:
            self.tester.remove_all_streams(port)
        for port in ports:
            res = self.tester.reservation(port)
            if res is not None and res.session == _SESSION:
                self.tester.relinquish(port)
        self._flows.clear()
        self._config, self._plan, self._text = None, None, "{}"

    def config_text(self) -> str:
        """The configuration as it was set (``{}``: none), as JSON."""
        return self._text

    def config(self) -> Any:
        """The configuration set (``None``: none)."""
        return self._config

    def update_flows(self, update: Any) -> list[str]:
        """``PATCH /config``: new rate or size of some flows (a config update)."""
        with self._lock:
            if self._config is None:
                raise OtgError("no configuration is set")
            props = list(update.flows.property_names)
            bad = [p for p in props if p not in ("rate", "size")]
            if bad:
                raise OtgError(f"flows.property_names: only rate and size, not {bad}")
            # a new configuration (the one set stays if it is refused) with the
            # flows' properties replaced (snappi's have no setters)
            data = json.loads(self._text)
            flows = {f["name"]: f for f in data.get("flows", [])}
            for new in update.flows.flows:
                if new.name not in flows:
                    raise OtgError(f"flows ({new.name}): no such flow")
                for prop in props:
                    flows[new.name][prop] = json.loads(getattr(new, prop).serialize())
            cfg = API.config().deserialize(json.dumps(data))
            running = [n for n, f in self._flows.items() if f.started]
            plan = self._translate(cfg)
            for f in plan.flows:
                fl = self._flows[f.name]
                fl.plan = f
                self.tester.add_stream(f.tx_port, fl.stream_id, f.stream)
            self._config, self._plan, self._text = cfg, plan, json.dumps(data)
            return (
                [f"flows {', '.join(running)} take the change at their next start"]
                if running
                else []
            )

    # ------------------------------------------------------------------ traffic
    def _named(self, names: list[str]) -> list[_Flow]:
        if not names:
            return list(self._flows.values())
        unknown = [n for n in names if n not in self._flows]
        if unknown:
            raise OtgError(f"flow_names: no flow {', '.join(unknown)}")
        return [self._flows[n] for n in names]

    def transmit(self, state: str, names: list[str]) -> None:
        """``flow_transmit``: start, stop, pause or resume flows (all: none named)."""
        with self._lock:
            flows = self._named(list(names))
            if not flows:
                raise OtgError("flow_transmit: the configuration has no flow")
            ports = sorted({f.plan.tx_port for f in flows})
            if state == "start":
                self._start(flows, ports)
            elif state == "stop":
                self.tester.stop_traffic(ports)
                for f in self._flows.values():
                    if f.plan.tx_port in ports:
                        f.started, f.paused = False, False
            elif state in ("pause", "resume"):
                (self.tester.pause if state == "pause" else self.tester.resume)(ports)
                for f in self._flows.values():
                    if f.plan.tx_port in ports:
                        f.paused = state == "pause"
            else:
                raise OtgError(f"flow_transmit.state: {state!r} is not served")

    def _start(self, flows: list[_Flow], ports: list[int]) -> None:
        """Start ``flows``: on their ports only they send; counters start at 0."""
        chosen = {id(f) for f in flows}
        active = [p for p in ports if self.tester.port_state(p).is_active]
        if active:
            self.tester.stop_traffic(active)
        for f in self._flows.values():
            if f.plan.tx_port not in ports:
                continue
            on = id(f) in chosen
            enabled = StreamEnable.ON if on else StreamEnable.OFF
            self.tester.add_stream(
                f.plan.tx_port, f.stream_id, replace(f.plan.stream, enabled=enabled)
            )
            f.started, f.paused = on, False
        touched = set(ports) | {p for f in flows for p in f.plan.rx_ports}
        for p in sorted(touched):
            self.tester.clear_stats(p)
        self.tester.start_traffic(ports)

    def flow_state(self, f: _Flow, tx_packets: int) -> str:
        """``started``, ``paused`` or ``stopped`` (a finite flow that sent all its
        frames is stopped by itself)."""
        if not f.started or not self.tester.port_state(f.plan.tx_port).is_active:
            return "stopped"
        if f.plan.packets is not None and tx_packets >= f.plan.packets:
            return "stopped"
        return "paused" if f.paused else "started"

    # ------------------------------------------------------------------ ports
    def port_index(self, name: str, where: str) -> int:
        """The tester port of an OTG port name."""
        if self._plan is None or name not in self._plan.ports:
            raise OtgError(f"{where}: no port {name!r} in the configuration")
        return self._plan.ports[name]

    def port_names(self) -> list[str]:
        """Every OTG port name of the configuration."""
        return [] if self._plan is None else list(self._plan.ports)

    def set_link(self, state: str, names: list[str]) -> None:
        """``port.link``: take links up or down."""
        with self._lock:
            for name in names or self.port_names():
                self.tester.set_link(self.port_index(name, "port_names"), state == "up")

    def capture(self, state: str, names: list[str]) -> None:
        """``port.capture``: start or stop the configured captures."""
        with self._lock:
            plan = self._plan
            if plan is None:
                raise OtgError("no configuration is set")
            wanted = (
                {self.port_index(n, "port_names") for n in names} if names else None
            )
            for cap in plan.captures:
                for port in cap.ports:
                    if wanted is not None and port not in wanted:
                        continue
                    if state == "start":
                        self._start_capture(port, cap.fmt, cap.snaplen, cap.bpf_filter)
                    elif port in self._captures:
                        self.tester.services.stop_capture(self._captures[port])
            if wanted is not None:
                missing = wanted - {p for c in plan.captures for p in c.ports}
                if missing:
                    raise OtgError(
                        "port_names: no capture is configured on "
                        + ", ".join(n for n, p in plan.ports.items() if p in missing)
                    )

    def _start_capture(self, port: int, fmt: str, snaplen: int, bpf: str) -> None:
        old = self._captures.pop(port, None)
        if old is not None:
            self.tester.services.remove_capture(old)
        self._captures[port] = self.tester.services.start_capture(
            port,
            filter=bpf,
            limit_frames=None,
            limit_bytes=_CAPTURE_LIMIT_BYTES,
            snaplen=snaplen,
            rx=True,
            tx=False,
            fmt="pcapng",
        )
        self._capture_fmt[port] = fmt

    def capture_state(self, port: int) -> str:
        """``started`` or ``stopped``."""
        cid = self._captures.get(port)
        if cid is None:
            return "stopped"
        return "started" if self.tester.services.capture(cid).active else "stopped"

    def capture_file(self, name: str) -> bytes:
        """``/monitor/capture``: what the port captured, FCS included."""
        with self._lock:
            port = self.port_index(name, "port_name")
            cid = self._captures.get(port)
            if cid is None:
                raise OtgError(f"port_name: no capture was started on {name}")
            frames = self.tester.services.read_capture(cid)
            return capture_bytes(frames, self._capture_fmt.get(port, "pcap"))

    # ------------------------------------------------------------------ read
    def flows(self) -> list[_Flow]:
        """The flows, in the configuration's order."""
        return list(self._flows.values())

    def plan(self) -> ConfigPlan | None:
        """The applied plan."""
        return self._plan

    def close(self) -> None:
        """Stop and remove everything this session set."""
        with self._lock:
            self._clear()
