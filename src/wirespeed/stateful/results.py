"""Counters and latency histograms of app traffic, per client entry and per server.

Every number here is counted by the IO layer from real sockets: a connection is
*attempted* when the client starts to connect, *established* when the TCP handshake
(and the TLS handshake, when TLS is on) completed, *completed* when every transaction
of its program got its full and correct response, and *failed* otherwise (with one
cause). Pure: times are given as arguments (nanoseconds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wirespeed.stateful.histogram import LatencyHistogram

__all__ = ["PERCENTILES", "ClientStats", "ServerStats", "summarize_histogram"]

PERCENTILES: tuple[float, ...] = (50.0, 90.0, 99.0)
_CLIENT_HISTS = ("connect", "tls_handshake", "transaction", "connection")
_SERVER_HISTS = ("tls_handshake",)


def summarize_histogram(hist: LatencyHistogram) -> dict[str, float | int]:
    """Count, min, mean, p50/p90/p99 and max of a nanosecond histogram, in ms."""
    out: dict[str, float | int] = {"count": hist.count}
    if hist.count == 0:
        return out
    out["min_ms"] = round(hist.min / 1e6, 3)
    out["mean_ms"] = round(hist.mean / 1e6, 3)
    for pct in PERCENTILES:
        out[f"p{pct:g}_ms"] = round(hist.percentile(pct) / 1e6, 3)
    out["max_ms"] = round(hist.max / 1e6, 3)
    return out


def _add_errors(into: dict[str, int], other: Mapping[str, int]) -> None:
    for cause, n in other.items():
        into[cause] = into.get(cause, 0) + n


def _rate(count: int, elapsed_ns: int) -> float:
    return count / (elapsed_ns / 1e9) if elapsed_ns > 0 else 0.0


@dataclass
class ClientStats:
    """What one client traffic entry (or a sum of them) did.

    Times: ``first_start_ns``/``last_end_ns`` on the worker's monotonic clock
    (``time.monotonic_ns``, shared by all processes of one machine).
    ``peak_concurrent`` is the most connections that were open at once (attempted
    and not yet ended); None for a sum of entries, where it is not known.
    """

    label: str = ""
    planned: int = 0
    attempted: int = 0
    established: int = 0
    completed: int = 0
    failed: int = 0
    transactions: int = 0
    bytes_tx: int = 0
    bytes_rx: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    first_start_ns: int = 0
    last_end_ns: int = 0
    peak_concurrent: int | None = 0
    hists: dict[str, LatencyHistogram] = field(
        default_factory=lambda: {k: LatencyHistogram() for k in _CLIENT_HISTS}
    )

    # -- recording (called by the IO layer) ---------------------------------------
    def on_attempt(self, now_ns: int) -> None:
        """A connection attempt starts now."""
        if self.attempted == 0 or now_ns < self.first_start_ns:
            self.first_start_ns = now_ns
        self.attempted += 1
        if self.peak_concurrent is not None and self.in_flight > self.peak_concurrent:
            self.peak_concurrent = self.in_flight

    def on_failure(self, cause: str, now_ns: int) -> None:
        """A connection ended without completing its program."""
        self.failed += 1
        self.errors[cause] = self.errors.get(cause, 0) + 1
        self.last_end_ns = max(self.last_end_ns, now_ns)

    def on_complete(self, now_ns: int) -> None:
        """A connection ran its whole program."""
        self.completed += 1
        self.last_end_ns = max(self.last_end_ns, now_ns)

    @property
    def in_flight(self) -> int:
        """Connections started and not yet ended."""
        return self.attempted - self.completed - self.failed

    @property
    def elapsed_ns(self) -> int:
        """From the first attempt to the last end."""
        if self.attempted == 0:
            return 0
        return max(0, self.last_end_ns - self.first_start_ns)

    # -- combining and reporting ------------------------------------------------
    def merge(self, other: ClientStats) -> None:
        """Add ``other``'s counts into this one (for totals)."""
        if other.attempted and (
            self.attempted == 0 or other.first_start_ns < self.first_start_ns
        ):
            self.first_start_ns = other.first_start_ns
        self.last_end_ns = max(self.last_end_ns, other.last_end_ns)
        self.peak_concurrent = None  # entries' peaks need not overlap
        for name in ("planned", "attempted", "established", "completed", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.transactions += other.transactions
        self.bytes_tx += other.bytes_tx
        self.bytes_rx += other.bytes_rx
        _add_errors(self.errors, other.errors)
        for key, hist in other.hists.items():
            self.hists.setdefault(key, LatencyHistogram(hist.sub_bits)).merge(hist)

    def summary(self, elapsed_ns: int | None = None) -> dict[str, Any]:
        """Counters, rates and latency percentiles as a JSON-friendly dict.

        Args:
            elapsed_ns: the time to divide by; the entry's own span by default.
        """
        span = self.elapsed_ns if elapsed_ns is None else elapsed_ns
        secs = span / 1e9
        return {
            "label": self.label,
            "planned": self.planned,
            "attempted": self.attempted,
            "established": self.established,
            "completed": self.completed,
            "failed": self.failed,
            "peak_concurrent": self.peak_concurrent,
            "transactions": self.transactions,
            "bytes_tx": self.bytes_tx,
            "bytes_rx": self.bytes_rx,
            "elapsed_s": round(secs, 6),
            "cps": round(_rate(self.completed, span), 1),
            "tx_mbps": round(_rate(self.bytes_tx * 8, span) / 1e6, 3),
            "rx_mbps": round(_rate(self.bytes_rx * 8, span) / 1e6, 3),
            "errors": dict(sorted(self.errors.items())),
            "latency": {k: summarize_histogram(h) for k, h in self.hists.items()},
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, exactly (for sending between processes)."""
        raw: dict[str, Any] = {
            k: getattr(self, k)
            for k in (
                "label",
                "planned",
                "attempted",
                "established",
                "completed",
                "failed",
                "transactions",
                "bytes_tx",
                "bytes_rx",
                "first_start_ns",
                "last_end_ns",
                "peak_concurrent",
            )
        }
        raw["errors"] = dict(self.errors)
        raw["hists"] = {k: h.to_dict() for k, h in self.hists.items()}
        return raw

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ClientStats:
        """Rebuild what :meth:`to_dict` wrote."""
        stats = cls()
        for key, value in raw.items():
            if key == "errors":
                stats.errors = {str(c): int(n) for c, n in value.items()}
            elif key == "hists":
                stats.hists = {
                    str(k): LatencyHistogram.from_dict(h) for k, h in value.items()
                }
            else:
                setattr(stats, key, value)
        return stats

    @classmethod
    def total(cls, parts: Iterable[ClientStats], label: str = "total") -> ClientStats:
        """The sum of several entries."""
        out = cls(label=label)
        for part in parts:
            out.merge(part)
        return out


@dataclass
class ServerStats:
    """What one server counted on its own side of the connections."""

    label: str = ""
    accepted: int = 0
    tls_established: int = 0
    sni_ok: int = 0
    sni_mismatch: int = 0
    completed: int = 0
    failed: int = 0
    transactions: int = 0
    bytes_rx: int = 0
    bytes_tx: int = 0
    icmp_errors: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    hists: dict[str, LatencyHistogram] = field(
        default_factory=lambda: {k: LatencyHistogram() for k in _SERVER_HISTS}
    )

    def on_failure(self, cause: str) -> None:
        """A connection ended before the program completed."""
        self.failed += 1
        self.errors[cause] = self.errors.get(cause, 0) + 1

    @property
    def in_flight(self) -> int:
        """Accepted connections that have not ended yet."""
        return self.accepted - self.completed - self.failed

    def merge(self, other: ServerStats) -> None:
        """Add ``other``'s counts into this one."""
        for name in (
            "accepted",
            "tls_established",
            "sni_ok",
            "sni_mismatch",
            "completed",
            "failed",
            "transactions",
            "bytes_rx",
            "bytes_tx",
            "icmp_errors",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        _add_errors(self.errors, other.errors)
        for key, hist in other.hists.items():
            self.hists.setdefault(key, LatencyHistogram(hist.sub_bits)).merge(hist)

    def summary(self) -> dict[str, Any]:
        """Counters and handshake latency as a JSON-friendly dict."""
        return {
            "label": self.label,
            "accepted": self.accepted,
            "tls_established": self.tls_established,
            "sni_ok": self.sni_ok,
            "sni_mismatch": self.sni_mismatch,
            "completed": self.completed,
            "failed": self.failed,
            "transactions": self.transactions,
            "bytes_rx": self.bytes_rx,
            "bytes_tx": self.bytes_tx,
            "icmp_errors": self.icmp_errors,
            "errors": dict(sorted(self.errors.items())),
            "latency": {k: summarize_histogram(h) for k, h in self.hists.items()},
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, exactly."""
        raw = {k: v for k, v in self.summary().items() if k != "latency"}
        raw["errors"] = dict(self.errors)
        raw["hists"] = {k: h.to_dict() for k, h in self.hists.items()}
        return raw

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ServerStats:
        """Rebuild what :meth:`to_dict` wrote."""
        stats = cls()
        for key, value in raw.items():
            if key == "errors":
                stats.errors = {str(c): int(n) for c, n in value.items()}
            elif key == "hists":
                stats.hists = {
                    str(k): LatencyHistogram.from_dict(h) for k, h in value.items()
                }
            else:
                setattr(stats, key, value)
        return stats
