"""The samples of a run as one tidy CSV: a row per sample and port, stream or TID,
in the samples' order (in each sample: ports, then streams, then TIDs).

Columns (an empty cell: the object has no such value):

=====================  ===========================================================
``time_s``             seconds since the first sample (taken as the traffic
                       started, every count 0); the last is taken after the
                       cool-down and holds the final counts
``object``             ``port``, ``stream`` or ``tid``
``port``               the port; of a TID, the port that received it
``stream``             the stream's id on its port
``name``               the stream's name
``tid``                the TPLD id a stream's frames carry (empty: none), or the
                       TID received
``tx_packets``         frames sent since the start: by the port, by the stream
``rx_packets``         frames received since the start: by the port, of the TID
``tx_pps``             frames/s sent over the last second (port, stream)
``rx_pps``             frames/s received over the last second (port, TID)
``tx_bps_l1``          bit/s sent over the last second, at layer 1 (port, stream)
``rx_bps_l1``          bit/s received over the last second, at layer 1 (port)
``lost``               TID: sequence numbers missing so far
``misordered``         TID: frames that came after a later one
``duplicates``         TID: frames whose sequence number had come already
``latency_min_ns``     TID: the latency of the frames received in the last second
``latency_avg_ns``     (empty: none received in it)
``latency_max_ns``
``jitter_ns``          TID: the RFC 3550 jitter at the time
=====================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from wirespeed import web
from wirespeed.run_report.timeline import times_s

__all__ = ["CSV_COLUMNS", "csv_rows"]

CSV_COLUMNS = (
    "time_s",
    "object",
    "port",
    "stream",
    "name",
    "tid",
    "tx_packets",
    "rx_packets",
    "tx_pps",
    "rx_pps",
    "tx_bps_l1",
    "rx_bps_l1",
    "lost",
    "misordered",
    "duplicates",
    "latency_min_ns",
    "latency_avg_ns",
    "latency_max_ns",
    "jitter_ns",
)

Row = dict[str, str]
_PORT = ("tx_packets", "rx_packets", "tx_pps", "rx_pps", "tx_bps_l1", "rx_bps_l1")
_TID = (
    "lost",
    "misordered",
    "duplicates",
    "latency_min_ns",
    "latency_avg_ns",
    "latency_max_ns",
    "jitter_ns",
)


def _rows(time_s: float, sample: Mapping[str, Any]) -> Iterator[Row]:
    def row(obj: str, port: int, **values: Any) -> Row:
        return web.csv_row(CSV_COLUMNS, time_s=time_s, object=obj, port=port, **values)

    for p in sample["ports"]:
        yield row("port", p["port"], **{k: p[k] for k in _PORT})
    for s in sample["streams"]:
        yield row(
            "stream", s["port"], stream=s["stream"], name=s["name"],
            tid=s["tid"] if s["tid"] >= 0 else None, tx_packets=s["packets"],
            tx_pps=s["pps"], tx_bps_l1=s["bps_l1"],
        )  # fmt: skip
    for t in sample["tids"]:
        yield row(
            "tid", t["port"], tid=t["tid"], rx_packets=t["packets"], rx_pps=t["pps"],
            **{k: t[k] for k in _TID},
        )  # fmt: skip


def csv_rows(results: Mapping[str, Any]) -> list[Row]:
    """Every sample of ``results`` as CSV rows (column -> cell text)."""
    samples = results["samples"]
    return [
        row
        for time_s, sample in zip(times_s(samples), samples, strict=True)
        for row in _rows(time_s, sample)
    ]
