"""The plots of a run report as data (the specs ``wirespeed/web/plots.js`` draws):
over time, each port's TX and RX frames/s and Mbit/s (L1), each stream's
frames/s and Mbit/s and each TID's received frames/s, and each TID's latency
(min/avg/max of each second); and each TID's latency histogram at the end, in the
receiver's buckets (:data:`~wirespeed.analysis.HISTOGRAM_BOUNDS_US`, lower bounds
in µs) from the first to the last that holds a frame.

A spec's ``section`` is ``ports``, ``streams`` or ``latency``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from wirespeed.analysis.histogram import HISTOGRAM_BOUNDS_US
from wirespeed.run_report.timeline import Entry, Key, lined_up, times_s
from wirespeed.web import plot_spec

__all__ = ["plot_specs"]

Spec = dict[str, Any]
Results = Mapping[str, Any]
Line = Sequence[Entry | None]
_TIME = "time (s)"


def _values(line: Line, key: str, scale: float = 1.0) -> list[float | None]:
    """An entry's ``key`` in each sample (``None``: not there, or no value)."""
    return [None if e is None or e[key] is None else e[key] / scale for e in line]


_PORT_PLOTS = (  # id suffix, title, y axis, the sample's keys after tx_/rx_, scale
    ("fps", "frames/s", "frames/s", "pps", 1.0),
    ("mbps", "Mbit/s (L1)", "Mbit/s", "bps_l1", 1e6),
)


def _ports(x: list[float], samples: Sequence[Mapping[str, Any]]) -> Iterator[Spec]:
    for (port,), line in lined_up(samples, "ports").items():
        for plot, title, unit, key, scale in _PORT_PLOTS:
            yield plot_spec(
                "ports", f"plot-port-{port}-{plot}", f"Port {port}: {title}",
                (_TIME, unit), x,
                {"TX": _values(line, f"tx_{key}", scale),
                 "RX": _values(line, f"rx_{key}", scale)},
            )  # fmt: skip


def _stream_label(key: Key, line: Line) -> str:
    name = next((e["name"] for e in line if e is not None), "")
    return name or f"port {key[0]} stream {key[1]}"


def _tid_label(key: Key) -> str:
    return f"TID {key[1]} on port {key[0]}"


def _streams(x: list[float], samples: Sequence[Mapping[str, Any]]) -> Iterator[Spec]:
    streams = lined_up(samples, "streams")
    if streams:
        labels = {k: _stream_label(k, line) for k, line in streams.items()}
        for plot_id, title, unit, key, scale in (
            ("plot-streams-fps", "Streams: frames/s sent", "frames/s", "pps", 1.0),
            ("plot-streams-mbps", "Streams: Mbit/s sent (L1)", "Mbit/s", "bps_l1",
             1e6),
        ):  # fmt: skip
            yield plot_spec(
                "streams", plot_id, title, (_TIME, unit), x,
                {labels[k]: _values(line, key, scale) for k, line in streams.items()},
            )  # fmt: skip
    tids = lined_up(samples, "tids")
    if tids:
        yield plot_spec(
            "streams", "plot-tids-fps", "TIDs: frames/s received",
            (_TIME, "frames/s"), x,
            {_tid_label(k): _values(line, "pps") for k, line in tids.items()},
        )  # fmt: skip


def _histograms(results: Results) -> dict[Key, list[int]]:
    """Each TID's final histogram (by receiving port and TID)."""
    out: dict[Key, list[int]] = {}
    for s in results["streams"]:
        if s.get("rx") and s["rx_port"] is not None:
            out.setdefault((s["rx_port"], s["tpld_id"]), list(s["rx"]["histogram"]))
    return out


def _histogram(key: Key, counts: list[int]) -> Spec | None:
    used = [i for i, n in enumerate(counts) if n]
    if not used:
        return None
    lo, hi = used[0], used[-1] + 1
    return plot_spec(
        "latency", f"plot-histogram-{key[0]}-{key[1]}",
        f"Latency histogram, {_tid_label(key)}",
        ("latency (µs, bucket from)", "frames"),
        list(range(hi - lo)), {"frames": counts[lo:hi]},
        x_labels=[str(b) for b in HISTOGRAM_BOUNDS_US[lo:hi]], kind="bars",
    )  # fmt: skip


def _latency(
    x: list[float], samples: Sequence[Mapping[str, Any]], results: Results
) -> Iterator[Spec]:
    tids = lined_up(samples, "tids")
    histograms = _histograms(results)
    for key in [*tids, *(k for k in histograms if k not in tids)]:
        if key in tids:
            yield plot_spec(
                "latency", f"plot-latency-{key[0]}-{key[1]}",
                f"Latency, {_tid_label(key)} (µs, each second)", (_TIME, "µs"), x,
                {stat: _values(tids[key], f"latency_{stat}_ns", 1e3)
                 for stat in ("min", "avg", "max")},
            )  # fmt: skip
        if key in histograms and (spec := _histogram(key, histograms[key])):
            yield spec


def plot_specs(results: Results) -> list[Spec]:
    """Every plot of ``results``: ports, streams, then per TID its latency over
    time and its histogram."""
    samples = results["samples"]
    x = times_s(samples)
    return [*_ports(x, samples), *_streams(x, samples), *_latency(x, samples, results)]
