"""The final counts of a run as tables of text: ports, streams with what their
receiver measured, the DUT's own counters and the captures. The terminal and the
HTML report show the same tables; neither computes a measurement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wirespeed.web import Table, flat, fmt

__all__ = ["tables"]

Results = Mapping[str, Any]


def _us(ns: float | None) -> str:
    return fmt(ns, ".1f", 1e3)


def _ports(results: Results) -> Table:
    return Table(
        "ports",
        "ports",
        ("port", "TX frames", "RX frames", "TX bytes", "RX bytes", "non-TPLD RX"),
        tuple(
            (
                name,
                str(p["tx_packets"]),
                str(p["rx_packets"]),
                str(p["tx_bytes"]),
                str(p["rx_bytes"]),
                str(p["rx_notpld_packets"]),
            )
            for name, p in results["ports"].items()
        ),
    )


def _stream(s: Mapping[str, Any]) -> tuple[str, ...]:
    rx = s.get("rx") or {}
    lat = rx.get("latency") or {}
    return (
        s["name"],
        str(s["tpld_id"]),
        str(s["tx_packets"]),
        str(rx.get("packets", "-")),
        str(rx.get("lost", "-")),
        str(rx.get("misordered", "-")),
        str(rx.get("duplicates", "-")),
        _us(lat.get("min_ns")),
        _us(lat.get("avg_ns")),
        _us(lat.get("max_ns")),
        _us(rx.get("jitter_ns")),
    )


def _streams(results: Results) -> Table:
    return Table(
        "streams",
        "streams (RX analysis per TPLD id)",
        ("stream", "TID", "TX", "RX", "lost", "misord", "dup", "lat min us",
         "lat avg us", "lat max us", "jitter us"),
        tuple(_stream(s) for s in results["streams"]),
    )  # fmt: skip


def _dut(dut: Mapping[str, Any]) -> Table:
    return Table(
        "dut",
        f"DUT counters ({dut['mechanism']})",
        ("counter", "value"),
        tuple(flat(dut["counters"])),
    )


def _captures(captures: list[Mapping[str, Any]]) -> Table:
    return Table(
        "captures",
        "captures",
        ("port", "filter", "frames", "bytes", "missed", "file"),
        tuple(
            (
                str(c["port"]),
                c["filter"] or "all",
                str(c["frames"]),
                str(c["bytes"]),
                str(c["missed"]),
                c["file"],
            )
            for c in captures
        ),
    )


def tables(results: Results) -> list[Table]:
    """Ports and streams; the DUT's counters when the run had a DUT, the captures
    when it captured."""
    out = [_ports(results), _streams(results)]
    if results.get("dut"):
        out.append(_dut(results["dut"]))
    if results.get("captures"):
        out.append(_captures(results["captures"]))
    return out
