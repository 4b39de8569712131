"""``/monitor/metrics`` and ``/monitor/states``: port and flow metrics from the
tester's one statistics path, built as snappi's own response objects.

A flow's TX counts are its stream's; its RX counts, loss, latency and timestamps
are the receiver's per-TID analysis of its TPLD id on its RX ports (what the
TRex and Xena front ends report for the same frames). Counters are since the
flows' last start (OTG's start clears them). ``loss`` is the percentage of the
frames sent that have not arrived.
"""

from __future__ import annotations

from typing import Any

from wirespeed.server.otg.errors import OtgError, unsupported
from wirespeed.server.otg.parse import API
from wirespeed.server.otg.session import OtgSession

__all__ = ["metrics", "states"]

_PORT_COLUMNS = (
    "transmit", "location", "link", "capture", "frames_tx", "frames_rx",
    "bytes_tx", "bytes_rx", "frames_tx_rate", "frames_rx_rate", "bytes_tx_rate",
    "bytes_rx_rate",
)  # fmt: skip
_FLOW_METRICS = (
    "transmit", "frames_tx", "frames_rx", "bytes_tx", "bytes_rx", "frames_tx_rate",
    "frames_rx_rate",
)  # fmt: skip


def metrics(session: OtgSession, req: Any) -> Any:
    """A ``MetricsResponse`` for a ``MetricsRequest``."""
    if req.choice in (None, "port"):
        return _ports(session, list(req.port.port_names or []), req.port.column_names)
    if req.choice == "flow":
        return _flows(session, list(req.flow.flow_names or []), req.flow.metric_names)
    raise unsupported(f"metrics_request.choice ({req.choice})", f"{req.choice} metrics")


def _pick(names: Any, allowed: tuple[str, ...], what: str) -> set[str]:
    chosen = set(names or []) or set(allowed)
    bad = chosen - set(allowed)
    if bad:
        raise OtgError(f"{what}: unknown {', '.join(sorted(bad))}")
    return chosen


def _ports(session: OtgSession, names: list[str], columns: Any) -> Any:
    cols = _pick(columns, _PORT_COLUMNS, "port.column_names")
    t = session.tester
    resp = API.metrics_response()
    for name in names or session.port_names():
        i = session.port_index(name, "port.port_names")
        st = t.port_stats(i)
        info = t.ports[i]
        values: dict[str, Any] = {
            "location": info.spec.interface,
            "link": "up" if info.link_up else "down",
            "capture": session.capture_state(i),
            "transmit": "started" if t.port_state(i).is_active else "stopped",
            "frames_tx": st.tx_packets,
            "frames_rx": st.rx_packets,
            "bytes_tx": st.tx_bytes,
            "bytes_rx": st.rx_bytes,
            "frames_tx_rate": st.tx_pps,
            "frames_rx_rate": st.rx_pps,
            "bytes_tx_rate": st.tx_bps_l2 / 8,
            "bytes_rx_rate": st.rx_bps_l2 / 8,
        }
        resp.port_metrics.add(
            name=name, **{k: v for k, v in values.items() if k in cols}
        )
    return resp


def _flows(session: OtgSession, names: list[str], wanted: Any) -> Any:
    chosen = _pick(wanted, _FLOW_METRICS, "flow.metric_names")
    t = session.tester
    resp = API.metrics_response()
    flows = session.flows()
    if names:
        known = {f.plan.name for f in flows}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise OtgError(f"flow.flow_names: no flow {', '.join(unknown)}")
        flows = [f for f in flows if f.plan.name in names]
    for f in flows:
        p = f.plan
        tx = t.stream_tx_stats(p.tx_port, f.stream_id)
        values: dict[str, Any] = {
            "transmit": session.flow_state(f, tx.packets),
            "frames_tx": tx.packets,
            "bytes_tx": tx.bytes,
            "frames_tx_rate": tx.pps,
            "frames_rx": 0,
            "bytes_rx": 0,
            "frames_rx_rate": 0.0,
        }
        rx = [
            st
            for port in p.rx_ports
            if p.tid is not None and (st := t.tid_stats(port, p.tid)) is not None
        ]
        lat = None
        for st in rx:
            values["frames_rx"] += st.packets
            values["bytes_rx"] += st.bytes
            values["frames_rx_rate"] += float(st.pps_last_s)
            lat = st.latency if lat is None else lat.merged(st.latency)
        m = resp.flow_metrics.add(
            name=p.name,
            port_tx=_port_name(session, p.tx_port),
            port_rx=_port_name(session, p.rx_ports[0]) if p.rx_ports else None,
            **{k: v for k, v in values.items() if k in chosen},
        )
        if p.tid is None:
            continue
        sent = values["frames_tx"]
        m.loss = 100.0 * max(0, sent - values["frames_rx"]) / sent if sent else 0.0
        if lat is not None and lat.count:
            m.latency.minimum_ns = float(lat.min_ns or 0)
            m.latency.maximum_ns = float(lat.max_ns or 0)
            m.latency.average_ns = float(lat.avg_ns or 0.0)
        if p.timestamps and rx:
            firsts = [st.first_ns for st in rx if st.first_ns is not None]
            lasts = [st.last_ns for st in rx if st.last_ns is not None]
            if firsts:
                m.timestamps.first_timestamp_ns = float(min(firsts))
            if lasts:
                m.timestamps.last_timestamp_ns = float(max(lasts))
    return resp


def _port_name(session: OtgSession, index: int) -> str | None:
    plan = session.plan()
    if plan is None:
        return None
    return next((n for n, i in plan.ports.items() if i == index), None)


def states(session: OtgSession, req: Any) -> Any:
    """A ``StatesResponse``: neighbour tables are empty (wirespeed serves no OTG
    devices); protocol states are not served."""
    choice = req.choice
    resp = API.states_response()
    if choice in ("ipv4_neighbors", "ipv6_neighbors"):
        resp.choice = choice
        return resp
    raise unsupported(f"states_request.choice ({choice})", f"{choice} states")
