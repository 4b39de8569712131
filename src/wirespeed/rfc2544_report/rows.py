"""The RFC 2544 results (schema 1) as one tidy CSV: a row per trial or point.

Columns (an empty cell: the test has no such value):

======================  ==========================================================
``test``                ``throughput``, ``latency``, ``frame_loss``, ``back_to_back``
``frame_size``          bytes incl. FCS, or ``imix``
``trial``               1, 2 ... in the order run: a throughput search step, a
                        latency repetition, a frame-loss point, a back-to-back
                        repetition
``rate_pct``            the rate offered, % of line (L1)
``achieved_pct``        the rate the tester really sent, % of line
``tx``, ``rx``          test frames sent and received (exact, after the in-flight
                        wait; sums over the flows)
``loss_pct``            (tx - rx) / tx in %, as the runner reported it
``passed``              throughput: the trial passed (``true``/``false``)
``tester_limited``      frame loss: the tester could not send the rate offered
``latency_min_ns``      latency: that repetition's min, avg and max, and its jitter;
``latency_avg_ns``      throughput: ``latency_avg_ns`` of the trial
``latency_max_ns``
``jitter_ns``
``burst_frames``        back-to-back: the longest lossless burst that repetition found
======================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from wirespeed import web
from wirespeed.rfc2544_report.tables import TESTS

__all__ = ["CSV_COLUMNS", "csv_rows"]

CSV_COLUMNS = (
    "test",
    "frame_size",
    "trial",
    "rate_pct",
    "achieved_pct",
    "tx",
    "rx",
    "loss_pct",
    "passed",
    "tester_limited",
    "latency_min_ns",
    "latency_avg_ns",
    "latency_max_ns",
    "jitter_ns",
    "burst_frames",
)

Row = dict[str, str]


def _row(test: str, frame_size: int | str, trial: int, **values: Any) -> Row:
    return web.csv_row(
        CSV_COLUMNS, test=test, frame_size=frame_size, trial=trial, **values
    )


_TRIAL_KEYS = ("rate_pct", "achieved_pct", "tx", "rx", "loss_pct")


def _trial(x: Mapping[str, Any]) -> dict[str, Any]:
    """What a throughput trial and a frame-loss point both hold."""
    return {key: x[key] for key in _TRIAL_KEYS}


def _throughput(e: Mapping[str, Any]) -> Iterator[Row]:
    for i, t in enumerate(e["trials"], 1):
        yield _row(
            "throughput", e["frame_size"], i, **_trial(t), passed=t["passed"],
            latency_avg_ns=t.get("latency_avg_ns"),
        )  # fmt: skip


def _latency(e: Mapping[str, Any]) -> Iterator[Row]:
    for i, r in enumerate(e.get("repetitions") or (), 1):
        yield _row(
            "latency", e["frame_size"], i,
            rate_pct=e["rate_pct"], tx=r["tx"], rx=r["rx"],
            latency_min_ns=r["min_ns"], latency_avg_ns=r["avg_ns"],
            latency_max_ns=r["max_ns"], jitter_ns=r["jitter_ns"],
        )  # fmt: skip


def _frame_loss(e: Mapping[str, Any]) -> Iterator[Row]:
    for i, p in enumerate(e["points"], 1):
        yield _row(
            "frame_loss", e["frame_size"], i, **_trial(p),
            tester_limited=p["tester_limited"],
        )  # fmt: skip


def _back_to_back(e: Mapping[str, Any]) -> Iterator[Row]:
    for i, n in enumerate(e["frames"], 1):
        yield _row(
            "back_to_back", e["frame_size"], i, rate_pct=e["rate_pct"], burst_frames=n
        )


_TESTS = dict(
    zip(TESTS, (_throughput, _latency, _frame_loss, _back_to_back), strict=True)
)


def csv_rows(results: Mapping[str, Any]) -> list[Row]:
    """Every trial and point of ``results`` as a CSV row (column -> cell text), by
    test in the RFC's order, then by frame size as run."""
    return [
        row
        for key, rows in _TESTS.items()
        for entry in results[key]
        for row in rows(entry)
    ]
