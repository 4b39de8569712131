"""Statistics methods: global, port, stream, packet-group (pg_id) and xstats.

Counters are absolute and only grow (the TRex client keeps its own baselines);
rates are what really crossed the interfaces in the last second.
"""

from __future__ import annotations

from typing import Any

from wirespeed.errors import ValidationError
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.params import Params
from wirespeed.server.trex.pgstats import MAX_PG_ID, PgGroup
from wirespeed.server.trex.readings import RxReading, read_rx, read_stream_tx

__all__ = ["register"]

_MAX_PGIDS_PER_CALL = 1024 + 128
_NS_PER_US = 1000.0


def _cpu_now(fe: TrexFrontEnd, port: int) -> float:
    history = fe.tester.cpu_utilization()
    if port < len(history) and history[port]:
        return float(history[port][0])
    return 0.0


#: TRex's name for each port counter (``PortStats`` field); the seed document's
#: ``total_*`` names repeat the client's.
_PORT_WIRE = (
    ("opackets", "tx_packets", int),
    ("ipackets", "rx_packets", int),
    ("obytes", "tx_bytes", int),
    ("ibytes", "rx_bytes", int),
    ("oerrors", "tx_errors", int),
    ("ierrors", "rx_dropped_by_tester", int),
    ("m_total_tx_bps", "tx_bps_l2", float),
    ("m_total_tx_pps", "tx_pps", float),
    ("m_total_rx_bps", "rx_bps_l2", float),
    ("m_total_rx_pps", "rx_pps", float),
    ("tx_bps", "tx_bps_l2", float),
    ("rx_bps", "rx_bps_l2", float),
    ("tx_pps", "tx_pps", float),
    ("rx_pps", "rx_pps", float),
    ("total_tx_pkts", "tx_packets", int),
    ("total_rx_pkts", "rx_packets", int),
    ("total_tx_bytes", "tx_bytes", int),
    ("total_rx_bytes", "rx_bytes", int),
    ("_requested_tx_pps", "requested_tx_pps", float),
)


def _port_counters(fe: TrexFrontEnd, port: int) -> dict[str, Any]:
    st = fe.tester.port_stats(port, since_clear=False)
    # the kernel's own error counters are in xstats (reading them costs a netlink
    # round trip into the namespace, too slow for every stats poll)
    out: dict[str, Any] = {
        wire: kind(getattr(st, name)) for wire, name, kind in _PORT_WIRE
    }
    state = fe.tester.port_state(port).name
    out["m_cpu_util"] = _cpu_now(fe, port)
    out["status"] = "transmitting" if state in ("TX", "PAUSE") else "idle"
    out["tx_rx_error"] = out["ierrors"] + out["oerrors"]
    return out


def _get_port_stats(fe: TrexFrontEnd, p: Params) -> object:
    counters = _port_counters(fe, fe.port(p))
    del counters["_requested_tx_pps"]
    return counters


def _get_global_stats(fe: TrexFrontEnd, p: Params) -> object:
    ports = [_port_counters(fe, i) for i in range(fe.port_count)]
    history = fe.tester.cpu_utilization()
    cpus = [h[0] for h in history if h]
    cpu = sum(cpus) / len(cpus) if cpus else 0.0
    tx_bps = sum(c["m_total_tx_bps"] for c in ports)
    tx_pps = sum(c["m_total_tx_pps"] for c in ports)
    rx_bps = sum(c["m_total_rx_bps"] for c in ports)
    rx_pps = sum(c["m_total_rx_pps"] for c in ports)
    active = any(c["status"] == "transmitting" for c in ports)
    owned = any(fe.tester.reservation(i) is not None for i in range(fe.port_count))
    return {
        "m_tx_bps": tx_bps,
        "m_tx_pps": tx_pps,
        "m_rx_bps": rx_bps,
        "m_rx_pps": rx_pps,
        "m_cpu_util": cpu,
        "m_cpu_util_raw": cpu,
        "m_rx_cpu_util": cpu,
        "m_tx_expected_pps": sum(c["_requested_tx_pps"] for c in ports),
        "m_rx_drop_bps": max(0.0, tx_bps - rx_bps),
        "m_active_flows": 0,
        "m_open_flows": 0,
        # the seed document's names
        "state": "active" if active else ("owned" if owned else "unowned"),
        "cpu_util": cpu,
        "tx_bps": tx_bps,
        "rx_bps": rx_bps,
        "tx_pps": tx_pps,
        "rx_pps": rx_pps,
        "total_tx_pkts": sum(c["opackets"] for c in ports),
        "total_rx_pkts": sum(c["ipackets"] for c in ports),
        "total_tx_bytes": sum(c["obytes"] for c in ports),
        "total_rx_bytes": sum(c["ibytes"] for c in ports),
        "tx_rx_error": sum(c["tx_rx_error"] for c in ports),
    }


def _group_tx(
    fe: TrexFrontEnd, group: PgGroup
) -> tuple[dict[int, list[int]], dict[int, list[float]]]:
    """Per TX port: [packets, bytes] since the group was created, and [pps, bps]."""
    totals = {
        port: list(group.tx_retired.get(port, (0, 0))) for port in range(fe.port_count)
    }
    rates = {port: [0.0, 0.0] for port in range(fe.port_count)}
    for key in sorted(group.members):
        port, stream_id = key
        reading = read_stream_tx(fe, port, stream_id)
        totals[port][0] += reading.totals[0]
        totals[port][1] += reading.totals[1]
        rates[port][0] += reading.pps
        rates[port][1] += reading.bps_l2
    return totals, rates


def _rx_delta(group: PgGroup, port: int, reading: RxReading) -> tuple[int, ...]:
    base = group.rx_base.get(port, (0,) * len(reading.totals))
    return tuple(v - b for v, b in zip(reading.totals, base, strict=True))


def _us(value_ns: float | None) -> float:
    return 0.0 if value_ns is None else value_ns / _NS_PER_US


def _latency(group: PgGroup, readings: dict[int, RxReading]) -> dict[str, Any]:
    """Latency of a group over the ports that received it (times in µs)."""
    errors = [0] * 5
    histogram: dict[str, int] = {}
    total = jitter = None
    recent: list[int] = []
    for port, reading in readings.items():
        delta = _rx_delta(group, port, reading)
        for i in range(5):
            errors[i] += delta[2 + i]
        base = group.hist_base.get(port, {})
        for lo_us, count in reading.histogram.items():
            n = count - base.get(lo_us, 0)
            if n > 0:
                histogram[str(lo_us)] = histogram.get(str(lo_us), 0) + n
        st = reading.stats
        if st is None or delta[0] <= 0:
            continue
        total = st.latency if total is None else total.merged(st.latency)
        if reading.recent_max_ns is not None:
            recent.append(reading.recent_max_ns)
        if st.jitter_ns is not None:
            jitter = max(jitter or 0.0, st.jitter_ns)
    lat = {
        "average": _us(total.avg_ns if total else None),
        "jit": _us(jitter),
        "last_max": int(_us(max(recent, default=None))),
        "total_max": int(_us(total.max_ns if total else None)),
        "total_min": int(_us(total.min_ns if total else None)),
        "histogram": histogram,
    }
    names = ("drp", "ooo", "dup", "sth", "stl")
    return {"lat": lat, "er": dict(zip(names, errors, strict=True))}


def _get_pgid_stats(fe: TrexFrontEnd, p: Params) -> object:
    wanted = p.int_list("pgids", lo=0, hi=2**32 - 1)
    if len(wanted) > _MAX_PGIDS_PER_CALL:
        raise ValidationError(
            f"{len(wanted)} pg_ids asked, at most {_MAX_PGIDS_PER_CALL} per call",
            field="pgids",
        )
    ports = [str(i) for i in range(fe.port_count)]
    flow: dict[str, Any] = {}
    latency: dict[str, Any] = {}
    versions: dict[str, int] = {}
    for pg_id in dict.fromkeys(wanted):
        group = fe.pgs.groups.get(pg_id) if pg_id <= MAX_PG_ID else None
        if group is None:
            continue
        tx, tx_rates = _group_tx(fe, group)
        readings = {port: read_rx(fe, port, pg_id) for port in range(fe.port_count)}
        rx = {port: _rx_delta(group, port, r) for port, r in readings.items()}
        flow[str(pg_id)] = {
            "tp": {s: tx[i][0] for i, s in enumerate(ports)},
            "tb": {s: tx[i][1] for i, s in enumerate(ports)},
            "rp": {s: rx[i][0] for i, s in enumerate(ports)},
            "rb": {s: rx[i][1] for i, s in enumerate(ports)},
            "tps": {s: tx_rates[i][0] for i, s in enumerate(ports)},
            "tbs": {s: tx_rates[i][1] for i, s in enumerate(ports)},
            "rps": {s: readings[i].pps for i, s in enumerate(ports)},
            "rbs": {s: readings[i].bps_l2 for i, s in enumerate(ports)},
        }
        versions[str(pg_id)] = group.ver_id
        if group.is_latency:
            latency[str(pg_id)] = _latency(group, readings)
    stats = [fe.tester.port_stats(i, since_clear=False) for i in range(fe.port_count)]
    flow["g"] = {
        "rx_err": {s: int(stats[i].rx_tpld_errors) for i, s in enumerate(ports)},
        "tx_err": {s: 0 for s in ports},
    }
    latency["global"] = {
        "old_flow": 0,
        "bad_hdr": sum(int(st.rx_tpld_errors) for st in stats),
    }
    return {"ver_id": versions, "flow_stats": flow, "latency": latency}


def _get_active_pgids(fe: TrexFrontEnd, p: Params) -> object:
    return {"ids": fe.pgs.active()}


def _get_stream_stats(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    stream_id = p.int("stream_id", lo=0)
    if stream_id not in fe.tester.streams(port):
        raise ValidationError(
            f"stream {stream_id} does not exist on port {port}", field="stream_id"
        )
    tx = read_stream_tx(fe, port, stream_id)
    out: dict[str, Any] = {
        "tx_pps": tx.pps,
        "tx_bps": tx.bps_l2,
        "total_tx_pkts": tx.totals[0],
        "total_tx_bytes": tx.totals[1],
    }
    pg_id = fe.views[port].pg_of_stream.get(stream_id)
    group = fe.pgs.groups.get(pg_id) if pg_id is not None else None
    if group is not None:
        readings = {i: read_rx(fe, i, group.pg_id) for i in range(fe.port_count)}
        deltas = [_rx_delta(group, i, r) for i, r in readings.items()]
        lat = _latency(group, readings)["lat"]
        out.update(
            {
                "rx_pps": sum(r.pps for r in readings.values()),
                "rx_bps": sum(r.bps_l2 for r in readings.values()),
                "total_rx_pkts": sum(d[0] for d in deltas),
                "total_rx_bytes": sum(d[1] for d in deltas),
                "latency": [lat["average"], lat["total_max"]],
            }
        )
    return out


def _xstats_names(fe: TrexFrontEnd) -> list[str]:
    if fe.xstats_names is None:
        fe.xstats_names = sorted(fe.tester.interface_counters(0))
    return fe.xstats_names


def _get_port_xstats_names(fe: TrexFrontEnd, p: Params) -> object:
    fe.port(p)
    return {"xstats_names": list(_xstats_names(fe))}


def _get_port_xstats_values(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    counters = fe.tester.interface_counters(port)
    return {"xstats_values": [int(counters.get(n, 0)) for n in _xstats_names(fe)]}


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["get_global_stats"] = Method(_get_global_stats)
    table["get_port_stats"] = Method(_get_port_stats)
    table["get_stream_stats"] = Method(_get_stream_stats)
    table["get_pgid_stats"] = Method(_get_pgid_stats)
    table["get_active_pgids"] = Method(_get_active_pgids)
    table["get_port_xstats_names"] = Method(_get_port_xstats_names)
    table["get_port_xstats_values"] = Method(_get_port_xstats_values)
