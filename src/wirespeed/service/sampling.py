"""How often the tester samples its counters for rates (a ``RateMeter``)."""

from __future__ import annotations

__all__ = ["SAMPLE_IDLE_S", "SAMPLE_SENDING_S", "sample_period_s"]

SAMPLE_SENDING_S = 0.1
"""While a port sends."""
SAMPLE_IDLE_S = 0.5
"""While none does: frames from elsewhere still get rates (over a window of one to
one and a half seconds), and the sampling thread wakes a fifth as often."""


def sample_period_s(is_sending: bool) -> float:
    """The time between two samples of the counters."""
    return SAMPLE_SENDING_S if is_sending else SAMPLE_IDLE_S
