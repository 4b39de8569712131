"""Helpers for the snappi scenarios (run by snappi 1.62's own interpreter, inside
the daemon's namespace): argv[1] is the daemon's OTG location over HTTPS, argv[2]
over plain HTTP, argv[3:] the cases to run (none: all).

A scenario is a set of named cases; each case builds a configuration with snappi,
runs it and returns what the test asserts (flow metrics, the capture of the RX
port as base64). A case that raises reports ``{"error": ...}`` instead, so one
failure does not hide the others. The result is one JSON line on stdout.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import snappi

TX, RX = "veth-a", "veth-z"
FLOW_FIELDS = ("transmit", "frames_tx", "frames_rx", "bytes_tx", "bytes_rx", "loss")
PORT_FIELDS = (
    "location", "link", "capture", "transmit", "frames_tx", "frames_rx",
    "bytes_tx", "bytes_rx",
)  # fmt: skip


def location() -> str:
    """The daemon's OTG location (HTTPS)."""
    return sys.argv[1]


def http_location() -> str:
    """The daemon's OTG location over plain HTTP."""
    return sys.argv[2]


def new_api(url: str | None = None, **kwargs: Any) -> Any:
    """A snappi API handle on the daemon."""
    return snappi.api(location=url or location(), verify=False, **kwargs)


def new_config(
    api: Any, *, capture: str | None = "pcap", speed: str | None = None
) -> Any:
    """Ports p1 (veth-a) and p2 (veth-z); a capture of p2 in ``capture``'s
    format (None: no capture); layer1 ``speed`` on both (None: none)."""
    cfg = api.config()
    cfg.ports.port(name="p1", location=TX).port(name="p2", location=RX)
    if speed is not None:
        cfg.layer1.layer1(name="l1", port_names=["p1", "p2"], speed=speed)
    if capture is not None:
        cfg.captures.capture(name="c2", port_names=["p2"], format=capture)
    return cfg


def new_flow(
    cfg: Any,
    name: str = "f1",
    *,
    packets: int | None = 100,
    pps: int | None = 10_000,
    size: int | None = 128,
) -> Any:
    """A flow p1 -> p2 with loss, latency and timestamps on; ``packets`` frames
    (None: duration left to the caller), ``pps`` (None: rate left to the
    caller), ``size`` bytes with FCS (None: left to the caller)."""
    f = cfg.flows.flow(name=name)[-1]
    f.tx_rx.port.tx_name = "p1"
    f.tx_rx.port.rx_names = ["p2"]
    if packets is not None:
        f.duration.fixed_packets.packets = packets
    if pps is not None:
        f.rate.pps = pps
    if size is not None:
        f.size.fixed = size
    f.metrics.enable = True
    f.metrics.loss = True
    f.metrics.timestamps = True
    f.metrics.latency.enable = True
    f.metrics.latency.mode = f.metrics.latency.STORE_FORWARD
    return f


def control(api: Any, what: str, state: str, names: list[str] | None = None) -> None:
    """``what`` = "traffic" (flow_transmit) or "capture" (port capture)."""
    cs = api.control_state()
    if what == "traffic":
        cs.traffic.flow_transmit.state = state
        cs.traffic.flow_transmit.flow_names = names or []
    else:
        cs.port.capture.state = state
        cs.port.capture.port_names = names or []
    api.set_control_state(cs)


def flow_metrics(api: Any, names: list[str] | None = None) -> dict[str, Any]:
    """Each flow's metrics (transmit, counts, loss, latency, timestamps)."""
    req = api.metrics_request()
    req.flow.flow_names = names or []
    out = {}
    for m in api.get_metrics(req).flow_metrics:
        d = {k: getattr(m, k) for k in FLOW_FIELDS}
        d["latency"] = [
            m.latency.minimum_ns,
            m.latency.average_ns,
            m.latency.maximum_ns,
        ]
        d["timestamps"] = [
            m.timestamps.first_timestamp_ns,
            m.timestamps.last_timestamp_ns,
        ]
        d["port_tx"], d["port_rx"] = m.port_tx, m.port_rx
        out[m.name] = d
    return out


def port_metrics(api: Any) -> dict[str, Any]:
    """Each port's counters and states."""
    req = api.metrics_request()
    req.port.port_names = []
    return {
        m.name: {k: getattr(m, k) for k in PORT_FIELDS}
        for m in api.get_metrics(req).port_metrics
    }


def wait_done(api: Any, timeout_s: float) -> dict[str, Any]:
    """Poll the flow metrics until every flow says ``stopped`` by itself and has
    received what it sent (or ``timeout_s`` passed); the last metrics, each flow
    with ``stopped_tx``: its frames_tx when it first said ``stopped``."""
    deadline = time.monotonic() + timeout_s
    stopped_tx: dict[str, int] = {}
    while True:
        m = flow_metrics(api)
        for name, f in m.items():
            if f["transmit"] == "stopped":
                stopped_tx.setdefault(name, f["frames_tx"])
        done = all(
            f["transmit"] == "stopped" and f["frames_rx"] >= f["frames_tx"]
            for f in m.values()
        )
        if done or time.monotonic() > deadline:
            for name, f in m.items():
                f["stopped_tx"] = stopped_tx.get(name)
            return m
        time.sleep(0.05)


def get_capture(api: Any, port: str = "p2") -> str:
    """The port's capture file, base64."""
    req = api.capture_request()
    req.port_name = port
    return base64.b64encode(api.get_capture(req).getvalue()).decode()


def run(
    api: Any, cfg: Any, *, timeout_s: float = 10.0, capture: bool = True
) -> dict[str, Any]:
    """Set ``cfg``, capture on p2, start every flow, wait until they are done by
    themselves; the flow metrics and the capture (base64)."""
    api.set_config(cfg)
    if capture:
        control(api, "capture", "start")
    control(api, "traffic", "start")
    out: dict[str, Any] = {"flows": wait_done(api, timeout_s)}
    if capture:
        control(api, "capture", "stop")
        out["capture"] = get_capture(api)
    return out


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    """The OTG error a snappi call raised, as a dict (``{"ok": ...}``: none)."""
    try:
        result = call()
    except Exception as exc:
        err = exc.args[0] if exc.args else exc
        if hasattr(err, "serialize"):
            return dict(err.serialize(err.DICT))
        return {"exception": f"{type(exc).__name__}: {exc}"}
    return {"ok": str(result)}


def main(cases: dict[str, Callable[[], Any]]) -> None:
    """Run the cases named in argv[3:] (none: all); print one JSON line."""
    wanted = sys.argv[3:] or list(cases)
    out: dict[str, Any] = {}
    for name in wanted:
        try:
            out[name] = cases[name]()
        except Exception as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(out, sort_keys=True), flush=True)
