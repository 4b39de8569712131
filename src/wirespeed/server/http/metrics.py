"""Prometheus ``/metrics``: the tester's reading in the text exposition format.

One :func:`~wirespeed.monitor.snapshot` per scrape, read with
``since_clear=False``: counts since the daemon started, which no client's clear
moves back, so every ``_total`` is a true Prometheus counter. Each daemon has its
own :class:`~prometheus_client.CollectorRegistry` (never the process-wide one).

Labels: ``chassis``, ``module``, ``port`` (the tester's port index, as in the
JSON API) and ``name`` (its interface) on port metrics; ``chassis``,
``module``, ``port``, ``stream`` and ``tid`` (empty: the stream's frames carry
no TPLD) on stream metrics; ``chassis``, ``module``, ``port`` (the receiving
port) and ``tid`` on TID metrics. Units are base units: frames, bytes,
seconds; rates are what the engine measured over the last second.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from wirespeed.monitor import snapshot
from wirespeed.service import Tester

__all__ = ["TesterMetrics"]

_PREFIX = "wirespeed_"
_NS = 1e-9
View = dict[str, Any]


_C, _G = CounterMetricFamily, GaugeMetricFamily


@dataclass(frozen=True)
class _Def:
    """One metric: its name (after the prefix; a counter's without ``_total``),
    kind, help text, the key of its value in a view (``None``: no sample) and
    the factor to base units."""

    name: str
    kind: type[CounterMetricFamily] | type[GaugeMetricFamily]
    key: str
    doc: str
    scale: float = 1.0


_PORT_LABELS = ("chassis", "module", "port", "name")
_PORT = (  # read from the port's counters, link_up and speed_bps
    _Def("port_tx_frames", _C, "tx_packets", "Frames the port sent (services' too)."),
    _Def("port_tx_bytes", _C, "tx_bytes", "Bytes the port sent, FCS included."),
    _Def("port_rx_frames", _C, "rx_packets", "Frames the port received."),
    _Def("port_rx_bytes", _C, "rx_bytes", "Bytes the port received, FCS included."),
    _Def("port_tx_errors", _C, "tx_errors", "Frames the kernel refused to send."),
    _Def("port_rx_tpld_frames", _C, "rx_tpld_packets", "Frames with a TPLD."),
    _Def("port_rx_tpld_errors", _C, "rx_tpld_errors", "TPLDs that failed checksum."),
    _Def(
        "port_rx_dropped_by_tester_frames",
        _C,
        "rx_dropped_by_tester",
        "Frames that reached the port but the tester could not read (ring full).",
    ),
    _Def("port_tx_non_tpld_frames", _C, "tx_notpld_packets", "Sent without TPLD."),
    _Def("port_rx_non_tpld_frames", _C, "rx_notpld_packets", "Received without TPLD."),
    _Def(
        "port_service_tx_frames",
        _C,
        "service_tx_packets",
        "Frames the port's services sent (ARP, ND, ping, single frames).",
    ),
    _Def(
        "port_service_rx_frames",
        _C,
        "service_rx_packets",
        "ARP, neighbour discovery and echo frames the port received.",
    ),
    _Def("port_tx_frames_per_second", _G, "tx_pps", "TX rate over the last second."),
    _Def("port_rx_frames_per_second", _G, "rx_pps", "RX rate over the last second."),
    _Def(
        "port_tx_l1_bits_per_second",
        _G,
        "tx_bps_l1",
        "TX bit rate over the last second, with preamble and gap (20 B a frame).",
    ),
    _Def(
        "port_rx_l1_bits_per_second",
        _G,
        "rx_bps_l1",
        "RX bit rate over the last second, with preamble and gap (20 B a frame).",
    ),
    _Def("port_link_up", _G, "link_up", "1 when the port's link is up."),
    _Def("port_speed_bits_per_second", _G, "speed_bps", "The port's line rate."),
)

_STREAM_LABELS = ("chassis", "module", "port", "stream", "tid")
_STREAM = (
    _Def("stream_tx_frames", _C, "packets", "Frames the stream sent since added."),
    _Def("stream_tx_bytes", _C, "bytes", "Its bytes since added, FCS included."),
    _Def("stream_tx_frames_per_second", _G, "pps", "Its rate over the last second."),
    _Def(
        "stream_tx_l1_bits_per_second",
        _G,
        "bps_l1",
        "Its bit rate over the last second, with preamble and gap.",
    ),
)

_TID_LABELS = ("chassis", "module", "port", "tid")
_TID = (
    _Def("tid_rx_frames", _C, "packets", "Frames received with this TID's TPLD."),
    _Def("tid_rx_bytes", _C, "bytes", "Their bytes, FCS included."),
    _Def("tid_rx_frames_per_second", _G, "pps", "Their rate over the last second."),
    _Def("tid_misordered_frames", _C, "misordered", "Late: after a higher sequence."),
    _Def("tid_duplicate_frames", _C, "duplicates", "Sequence numbers seen twice."),
    _Def("tid_payload_errors", _C, "payload_errors", "Payload integrity failures."),
    _Def(
        "tid_lost_frames",
        _G,
        "lost",
        "Sequence numbers missing; a gauge: it goes down when late frames arrive.",
    ),
    _Def(
        "tid_jitter_seconds",
        _G,
        "jitter_ns",
        "The current RFC 3550 interarrival jitter (absent before a second frame).",
        _NS,
    ),
)


class _Families:
    """The families of one scrape, filled port by port."""

    def __init__(self, defs: Sequence[_Def], labels: Sequence[str]) -> None:
        self._defs = defs
        self._families: list[CounterMetricFamily | GaugeMetricFamily] = [
            d.kind(_PREFIX + d.name, d.doc, labels=labels) for d in defs
        ]

    def add(self, labels: list[str], view: View) -> None:
        for d, fam in zip(self._defs, self._families, strict=True):
            value = view[d.key]
            if value is not None:
                fam.add_metric(labels, value * d.scale)

    def __iter__(self) -> Iterator[Metric]:
        return iter(self._families)


class _Collector:
    """A custom collector: one snapshot of the tester per :meth:`collect`."""

    def __init__(self, tester: Tester, chassis: str) -> None:
        self.tester = tester
        self.chassis = chassis

    def collect(self) -> Iterator[Metric]:
        snap = snapshot(self.tester, since_clear=False)
        ports = _Families(_PORT, _PORT_LABELS)
        streams = _Families(_STREAM, _STREAM_LABELS)
        tids = _Families(_TID, _TID_LABELS)
        latency = HistogramMetricFamily(
            _PREFIX + "tid_latency_seconds",
            "Latency of this TID's frames (the receiver's buckets).",
            labels=_TID_LABELS,
        )
        les = [repr(us / 1e6) for us in snap["histogram_bounds_us"][1:]]
        for p in snap["ports"]:
            where = [self.chassis, str(p["module"]), str(p["index"])]
            port = {
                **p["counters"],
                "link_up": p["link_up"],
                "speed_bps": p["speed_bps"],
            }
            ports.add([*where, p["name"]], port)
            for s in p["streams"]:
                tid = "" if s["tid"] < 0 else str(s["tid"])
                streams.add([*where, str(s["id"]), tid], s)
            for t in p["tids"]:
                labels = [*where, str(t["tid"])]
                tids.add(labels, t)
                latency.add_metric(labels, *_buckets(les, t))
        yield from ports
        yield from streams
        yield from tids
        yield latency


def _buckets(les: list[str], tid: View) -> tuple[list[tuple[str, float]], float]:
    """A TID's histogram as Prometheus buckets, and the latencies' sum (s).

    The receiver's bucket *k* holds latencies from bound *k* up to, not
    including, bound *k+1*; the count through *k* is the ``le`` bucket of bound
    *k+1* (a latency of exactly a bound is in the bucket above it, as the
    receiver counts it). The last bucket (1 s and more) is only in ``+Inf``.
    """
    out: list[tuple[str, float]] = []
    total = 0
    for le, count in zip(les, tid["histogram"], strict=False):
        total += count
        out.append((le, total))
    out.append(("+Inf", sum(tid["histogram"])))
    lat = tid["latency"]
    return out, (lat["avg_ns"] or 0.0) * lat["count"] * _NS


class TesterMetrics:
    """A daemon's ``/metrics``: its own registry over one tester.

    Args:
        tester: the tester to read.
        chassis: the value of every metric's ``chassis`` label.
    """

    def __init__(self, tester: Tester, chassis: str) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Collector(tester, chassis))

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """The exposition (body, content type) in the format ``accept`` (the
        request's ``Accept`` header) asks for; Prometheus text by default.

        Reads the tester (blocking, a few ms): call it off the event loop.
        """
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type
