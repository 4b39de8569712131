"""One reading of the whole tester, as plain JSON-ready data.

The dashboard's JSON API, ``/metrics``, ``wirespeed top`` and the reports all
read the tester through :func:`snapshot`, so they show the same numbers the TRex
and Xena front ends report for the same frames.

Shape (``SCHEMA`` 1)::

    {"schema": 1, "time_ns": wall clock, "since_clear": bool,
     "histogram_bounds_us": [...],            # lower bound of each latency bucket
     "modules": [{"index", "ports", "media"}],
     "ports": [port_view(...), ...]}

``since_clear=False`` reads counts that only grow (what a Prometheus counter
needs): a client's clear moves only its own baseline.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from wirespeed.analysis import HISTOGRAM_BOUNDS_US, TidStats
from wirespeed.errors import WirespeedError
from wirespeed.service import Tester, tid_of

__all__ = ["SCHEMA", "port_identity", "port_view", "snapshot", "tid_view"]

SCHEMA = 1


def snapshot(
    tester: Tester, *, since_clear: bool = True, ports: list[int] | None = None
) -> dict[str, Any]:
    """The chassis, and every port (or ``ports``) with its streams and TIDs."""
    indexes = range(len(tester.ports)) if ports is None else ports
    return {
        "schema": SCHEMA,
        "time_ns": time.time_ns(),
        "since_clear": since_clear,
        "histogram_bounds_us": list(HISTOGRAM_BOUNDS_US),
        "modules": [
            {"index": m.index, "ports": list(m.ports), "media": m.media}
            for m in tester.modules
        ],
        "ports": [port_view(tester, i, since_clear=since_clear) for i in indexes],
    }


def port_view(
    tester: Tester, index: int, *, since_clear: bool = True
) -> dict[str, Any]:
    """One port: identity, owner, state, counters with rates, streams, TIDs.

    Raises:
        ValidationError: no such port (field ``port``).
    """
    info = tester.ports[index] if 0 <= index < len(tester.ports) else None
    if info is None:
        from wirespeed.errors import ValidationError

        raise ValidationError(
            f"no port {index} (ports 0..{len(tester.ports) - 1})", field="port"
        )
    stats = tester.port_stats(index, since_clear=since_clear)
    counters = dataclasses.asdict(stats)
    counters["tx_bps_l1"] = stats.tx_bps_l1
    counters["rx_bps_l1"] = stats.rx_bps_l1
    return {
        **port_identity(tester, index),
        "counters": counters,
        "streams": _streams(tester, index, since_clear),
        "tids": _tids(tester, index, since_clear),
    }


def port_identity(tester: Tester, index: int) -> dict[str, Any]:
    """A port's identity and state: name, place, MAC, speed, link, driver, state,
    owner, peer, addresses (what ``/api/chassis`` lists per port)."""
    info = tester.ports[index]
    res = tester.reservation(index)
    driver, note = tester.port_driver(index)
    return {
        "index": index,
        "name": info.name,
        "module": info.module,
        "port_in_module": info.index_in_module,
        "mac": info.mac,
        "speed_bps": info.speed_bps,
        "link_up": info.link_up,
        "driver": driver,
        "driver_note": note,
        "state": tester.port_state(index).value,
        "owner": None if res is None else res.owner,
        "peer": info.spec.peer,
        "l3": info.l3.describe() if info.l3.is_l3 else None,
    }


def _tids(tester: Tester, index: int, since_clear: bool) -> list[dict[str, Any]]:
    # a port that never received a test frame has no TID to read (and an idle
    # daemon's readings then skip copying the receivers' megabytes of tables)
    if tester.port_stats(index, since_clear=False).rx_tpld_packets == 0:
        return []
    return [tid_view(st) for st in tester.all_tid_stats(index, since_clear=since_clear)]


def _streams(tester: Tester, index: int, since_clear: bool) -> list[dict[str, Any]]:
    out = []
    for sid, stream in sorted(tester.streams(index).items()):
        try:
            tx = tester.stream_tx_stats(index, sid, since_clear=since_clear)
        except WirespeedError:  # removed since the list was read
            continue
        out.append(
            {
                "id": sid,
                "name": stream.name,
                "tid": tid_of(stream),
                "enabled": stream.enabled.name,
                "rate": {"unit": stream.rate.unit.value, "value": stream.rate.value},
                "packets": tx.packets,
                "bytes": tx.bytes,
                "pps": tx.pps,
                "bps_l2": tx.bps_l2,
                "bps_l1": tx.bps_l1,
            }
        )
    return out


def tid_view(st: TidStats) -> dict[str, Any]:
    """What the receiver measured for one TID (latency and jitter in ns; the
    histogram as counts per bucket of ``histogram_bounds_us``)."""
    return {
        "tid": st.tid,
        "packets": st.packets,
        "bytes": st.bytes,
        "pps": st.pps_last_s,
        "bps": st.bps_last_s,
        "first_ns": st.first_ns,
        "last_ns": st.last_ns,
        "lost": st.lost,
        "misordered": st.misordered,
        "duplicates": st.duplicates,
        "stale": st.stale,
        "seq_too_high": st.seq_too_high,
        "seq_too_low": st.seq_too_low,
        "payload_errors": st.payload_errors,
        "restarts": st.restarts,
        "latency": dataclasses.asdict(st.latency),
        "latency_last_s": dataclasses.asdict(st.latency_last_s),
        "jitter_ns": st.jitter_ns,
        "jitter": dataclasses.asdict(st.jitter),
        "histogram": list(st.histogram),
    }
