"""The RFC 2544 results (schema 1) as tables of text: one per test, a row per
frame size (frame loss: per offered rate). The terminal and the HTML report show
the same tables; neither computes a measurement, they only format them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wirespeed.web import Table, fmt

__all__ = ["TESTS", "Table", "size_label", "tables"]

TESTS = ("throughput", "latency", "frame_loss", "back_to_back")
"""The results' keys of the four tests, in the RFC's order (the views' order)."""

Results = Mapping[str, Any]


def size_label(frame_size: int | str) -> str:
    """A frame size as a heading or tick: ``"64"``, ``"imix"``."""
    return str(frame_size)


def _us(ns: float | None) -> str:
    return fmt(ns, ".2f", 1e3)


def _throughput_note(e: Mapping[str, Any]) -> str:
    notes = []
    if e["rate_pct"] is None:
        notes.append("none passed")
    check = e.get("verification") or {}
    if e["verified"] is True and check.get("passed") is False:
        # the short trials' rate did not hold: found again with long trials
        notes.append(f"verified over {fmt(e.get('trial_s'), 'g')} s trials")
    elif e["verified"] is True:
        notes.append("verified")
    elif e["verified"] is False:
        notes.append("verification failed")
    if e["tester_limited"]:
        notes.append("tester limit")
    if e.get("latency_limited"):
        notes.append("latency limit")
    return ", ".join(notes)


def _throughput(entries: Iterable[Mapping[str, Any]]) -> Table:
    return Table(
        "throughput",
        "Throughput",
        (
            "frame B",
            "% of line",
            "frames/s",
            "L1 Mbit/s",
            "L2 Mbit/s",
            "trials",
            "note",
        ),
        tuple(
            (
                size_label(e["frame_size"]),
                fmt(e["rate_pct"], ".3f"),
                fmt(e["fps"], ",.0f"),
                fmt(e["l1_mbps"], ".3f"),
                fmt(e["l2_mbps"], ".3f"),
                str(len(e["trials"])),
                _throughput_note(e),
            )
            for e in entries
        ),
    )


def _latency(entries: Iterable[Mapping[str, Any]]) -> Table:
    return Table(
        "latency",
        "Latency and jitter (µs)",
        ("frame B", "% of line", "min", "avg", "max", "jitter", "p99", "runs"),
        tuple(
            (
                size_label(e["frame_size"]),
                fmt(e["rate_pct"], ".3f"),
                _us(e["min_ns"]),
                _us(e["avg_ns"]),
                _us(e["max_ns"]),
                _us(e["jitter_ns"]),
                _us((e.get("percentiles_ns") or {}).get("99")),
                str(len(e.get("repetitions") or ())),
            )
            for e in entries
        ),
    )


def _frame_loss(entries: Iterable[Mapping[str, Any]]) -> Table:
    return Table(
        "frame_loss",
        "Frame loss",
        ("frame B", "offered %", "sent %", "tx", "rx", "loss %", "note"),
        tuple(
            (
                size_label(e["frame_size"]),
                fmt(p["rate_pct"], ".3f"),
                fmt(p["achieved_pct"], ".3f"),
                str(p["tx"]),
                str(p["rx"]),
                fmt(p["loss_pct"], ".3f"),
                "tester limit" if p["tester_limited"] else "",
            )
            for e in entries
            for p in e["points"]
        ),
    )


def _back_to_back(entries: Iterable[Mapping[str, Any]]) -> Table:
    return Table(
        "back_to_back",
        "Back-to-back",
        ("frame B", "% of line", "bursts (frames)", "average", "µs (avg)"),
        tuple(
            (
                size_label(e["frame_size"]),
                fmt(e["rate_pct"], ".3f"),
                ", ".join(str(n) for n in e["frames"]),
                fmt(e["average"], ".1f"),
                fmt(e["duration_us_avg"], ".1f"),
            )
            for e in entries
        ),
    )


_BUILDERS = dict(
    zip(TESTS, (_throughput, _latency, _frame_loss, _back_to_back), strict=True)
)


def tables(results: Results) -> list[Table]:
    """A table per test that ran, in the RFC's order."""
    return [build(results[key]) for key, build in _BUILDERS.items() if results[key]]
