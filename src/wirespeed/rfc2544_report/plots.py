"""The plots of the RFC 2544 report as data (the specs ``wirespeed/web/plots.js``
draws): throughput in frames/s, Mbit/s and % of line, latency min/avg/max and a
histogram per size, loss vs offered rate per size, back-to-back burst length.

Frame sizes are categories on the x axis (``imix`` has no single size)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wirespeed.rfc2544_report.tables import TESTS, size_label
from wirespeed.web import plot_spec as _spec

__all__ = ["plot_specs"]

Spec = dict[str, Any]
Entries = Sequence[Mapping[str, Any]]


def _by_size(
    test: str, plot_id: str, title: str, y_label: str, entries: Entries,
    series: dict[str, str], *, scale: float = 1.0, kind: str = "lines",
) -> Spec:  # fmt: skip
    """Values against frame size: ``series`` maps a label to an entry's key."""
    return _spec(
        test, plot_id, title, ("frame size (bytes)", y_label),
        list(range(len(entries))),
        {
            label: [None if e[key] is None else e[key] / scale for e in entries]
            for label, key in series.items()
        },
        x_labels=[size_label(e["frame_size"]) for e in entries], kind=kind,
    )  # fmt: skip


def _throughput(entries: Entries) -> list[Spec]:
    t = "throughput"
    return [
        _by_size(t, "plot-throughput-fps", "Throughput (frames/s)", "frames/s",
                 entries, {"frames/s": "fps"}),
        _by_size(t, "plot-throughput-mbps", "Throughput (Mbit/s)", "Mbit/s",
                 entries, {"L1 Mbit/s": "l1_mbps", "L2 Mbit/s": "l2_mbps"}),
        _by_size(t, "plot-throughput-pct", "Throughput (% of line)", "% of line",
                 entries, {"% of line": "rate_pct"}),
    ]  # fmt: skip


def _latency(entries: Entries) -> list[Spec]:
    out = [
        _by_size("latency", "plot-latency", "Latency at the throughput (µs)", "µs",
                 entries, {"min": "min_ns", "avg": "avg_ns", "max": "max_ns"},
                 scale=1e3),
    ]  # fmt: skip
    for i, e in enumerate(entries):
        hist = e.get("histogram")
        if not hist:
            continue
        out.append(
            _spec(
                "latency",
                f"plot-latency-histogram-{i}",
                f"Latency histogram, {size_label(e['frame_size'])} B",
                ("latency (µs, bin start)", "frames"),
                [edge / 1e3 for edge in hist["edges_ns"][:-1]],
                {"frames": list(hist["counts"])},
                kind="bars",
            )
        )
    return out


def _frame_loss(entries: Entries) -> list[Spec]:
    rates = sorted({p["rate_pct"] for e in entries for p in e["points"]})
    series: dict[str, list[float | None]] = {}
    for e in entries:
        loss = {p["rate_pct"]: p["loss_pct"] for p in e["points"]}
        series[f"{size_label(e['frame_size'])} B"] = [loss.get(r) for r in rates]
    return [
        _spec("frame_loss", "plot-frame-loss", "Frame loss vs offered rate",
              ("offered rate (% of line)", "loss %"), rates, series)
    ]  # fmt: skip


def _back_to_back(entries: Entries) -> list[Spec]:
    return [
        _by_size("back_to_back", "plot-back-to-back", "Back-to-back burst (frames)",
                 "frames", entries, {"average": "average"}, kind="bars")
    ]  # fmt: skip


_TESTS = dict(
    zip(TESTS, (_throughput, _latency, _frame_loss, _back_to_back), strict=True)
)


def plot_specs(results: Mapping[str, Any]) -> list[Spec]:
    """Every plot of ``results``, by test in the RFC's order (a test that did not
    run has none). Each spec's ``section`` is its test's key."""
    return [
        spec
        for key, make in _TESTS.items()
        if results[key]
        for spec in make(results[key])
    ]
