"""One RFC 2544 trial's outcome, without IO: per flow, the test frames sent and
received (and their latency), and the rate the tester really sent.

A trial of several flows (both directions of a pair, a mesh) sends on all of them
at once; its counts are the sums, and it passes only if every flow passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.rfc2544.latency import LatencySummary

__all__ = ["FlowCount", "Trial"]

_ACHIEVED_TOLERANCE = 0.99
"""A trial whose sent rate is below 99 % of the asked rate did not test that rate."""


class _Loss:
    """Loss of test frames sent and received."""

    tx_frames: int
    rx_frames: int

    @property
    def loss_frames(self) -> int:
        """Frames lost (TX - RX; negative: the DUT duplicated)."""
        return self.tx_frames - self.rx_frames

    @property
    def loss_pct(self) -> float:
        """Lost frames in % of those sent (100 when none was sent)."""
        tx = self.tx_frames
        return 100.0 * self.loss_frames / tx if tx else 100.0


@dataclass(frozen=True)
class FlowCount(_Loss):
    """One flow of a trial: test frames sent and received, their latency
    (``None``: nothing received, or not measured)."""

    tx_frames: int
    rx_frames: int
    latency: LatencySummary | None = None


@dataclass(frozen=True)
class Trial(_Loss):
    """One trial's outcome: the rate asked (% of line), the test frames sent and
    received (over every flow), and the rate the tester really sent.

    Attributes:
        flows: per flow, when the trial had several (empty: one flow, the
            trial's own counts).
        tx_bytes: bytes of the frames sent (FCS included), over every flow.
        tx_span_ns: from the first to the last frame sent (the longest of the
            sending ports).
    """

    rate_pct: float
    tx_frames: int
    rx_frames: int
    achieved_pct: float
    flows: tuple[FlowCount, ...] = ()
    tx_bytes: int = 0
    tx_span_ns: int = 0

    @classmethod
    def of_flows(
        cls,
        rate_pct: float,
        achieved_pct: float,
        flows: tuple[FlowCount, ...],
        *,
        tx_bytes: int = 0,
        tx_span_ns: int = 0,
    ) -> Trial:
        """A trial of ``flows`` sent at once (its counts are their sums)."""
        return cls(
            rate_pct,
            sum(f.tx_frames for f in flows),
            sum(f.rx_frames for f in flows),
            achieved_pct,
            flows,
            tx_bytes,
            tx_span_ns,
        )

    @property
    def per_flow(self) -> tuple[FlowCount, ...]:
        """Every flow's counts (the trial's own when it had one flow)."""
        return self.flows or (FlowCount(self.tx_frames, self.rx_frames),)

    @property
    def worst_loss_pct(self) -> float:
        """The highest loss of any flow (a flow's duplicates never hide
        another's loss)."""
        return max(f.loss_pct for f in self.per_flow)

    @property
    def is_lossless(self) -> bool:
        """No flow lost a frame (and every flow sent)."""
        return all(f.tx_frames > 0 and f.loss_frames <= 0 for f in self.per_flow)

    @property
    def latency(self) -> LatencySummary | None:
        """The latency over every flow (``None``: none measured)."""
        return LatencySummary.merge_all([f.latency for f in self.per_flow])

    @property
    def tester_limited(self) -> bool:
        """The tester sent less than the rate asked: this trial says nothing of
        the DUT at that rate."""
        return self.achieved_pct < self.rate_pct * _ACHIEVED_TOLERANCE
