"""Port and stream statistics from the workers' counter words (pure).

Each port counter is declared once, in :data:`PORT_COUNTERS`: the field of
:class:`~wirespeed.service.stats.PortStats`, the worker that counts it and its word
in that worker's block. Counts are differences to the baseline of the last clear;
rates come from :class:`~wirespeed.service.stats.RateMeter` over the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane import rx_worker as rxw
from wirespeed.dataplane import tx_worker as txw
from wirespeed.fieldengine import InjectedError
from wirespeed.service.stats import PortStats, StreamTxStats

__all__ = ["PORT_COUNTERS", "PORT_RATES", "Counter", "port_stats", "stream_stats"]


@dataclass(frozen=True)
class Counter:
    """One port counter: its ``PortStats`` field, ``"tx"`` or ``"rx"``, its word."""

    name: str
    side: str
    word: int


_T, _R = "tx", "rx"
PORT_COUNTERS: tuple[Counter, ...] = (
    Counter("tx_packets", _T, txw.TX_PACKETS),
    Counter("tx_bytes", _T, txw.TX_BYTES),
    Counter("tx_notpld_packets", _T, txw.TX_NOTPLD_PACKETS),
    Counter("tx_notpld_bytes", _T, txw.TX_NOTPLD_BYTES),
    Counter("tx_errors", _T, txw.TX_ERRORS),
    Counter("tx_injected_sequence", _T, txw.TX_INJECTED[InjectedError.SEQUENCE]),
    Counter("tx_injected_misorder", _T, txw.TX_INJECTED[InjectedError.MISORDER]),
    Counter("tx_injected_payload", _T, txw.TX_INJECTED[InjectedError.PAYLOAD]),
    Counter("tx_injected_tpld", _T, txw.TX_INJECTED[InjectedError.TPLD]),
    Counter("rx_packets", _R, rxw.RX_PACKETS),
    Counter("rx_bytes", _R, rxw.RX_BYTES),
    Counter("rx_notpld_packets", _R, rxw.RX_NOTPLD_PACKETS),
    Counter("rx_notpld_bytes", _R, rxw.RX_NOTPLD_BYTES),
    Counter("rx_tpld_packets", _R, rxw.RX_TPLD_PACKETS),
    Counter("rx_tpld_errors", _R, rxw.RX_TPLD_ERRORS),
    Counter("rx_dropped_by_tester", _R, rxw.RX_RING_DROPS),
)
"""Every port counter, once."""

#: Rates (per second, over the meter's window) of some counters: field, counter,
#: factor (8 for bytes -> bits).
PORT_RATES: tuple[tuple[str, str, int], ...] = (
    ("tx_pps", "tx_packets", 1),
    ("tx_bps_l2", "tx_bytes", 8),
    ("rx_pps", "rx_packets", 1),
    ("rx_bps_l2", "rx_bytes", 8),
    ("tx_notpld_pps", "tx_notpld_packets", 1),
    ("tx_notpld_bps_l2", "tx_notpld_bytes", 8),
    ("rx_notpld_pps", "rx_notpld_packets", 1),
    ("rx_notpld_bps_l2", "rx_notpld_bytes", 8),
)
_BY_NAME = {c.name: c for c in PORT_COUNTERS}


def port_stats(
    tx: npt.NDArray[np.int64],
    rx: npt.NDArray[np.int64],
    tx_rates: npt.NDArray[np.float64],
    rx_rates: npt.NDArray[np.float64],
    requested_pps: float,
) -> PortStats:
    """A port's statistics from its counter words (already less their baselines)
    and the rates of the same words."""
    words = {_T: tx, _R: rx}
    rates = {_T: tx_rates, _R: rx_rates}
    counts: dict[str, Any] = {c.name: int(words[c.side][c.word]) for c in PORT_COUNTERS}
    per_s: dict[str, Any] = {}
    for name, counter, factor in PORT_RATES:
        c = _BY_NAME[counter]
        per_s[name] = float(rates[c.side][c.word]) * factor
    return PortStats(**counts, **per_s, requested_tx_pps=requested_pps)


def stream_stats(
    tx: npt.NDArray[np.int64],
    tx_rates: npt.NDArray[np.float64],
    slot: int,
    base: tuple[int, int],
) -> StreamTxStats:
    """What the stream in ``slot`` sent since its baseline, and its rates."""
    s = txw.TX_PORT_WORDS + 2 * slot
    return StreamTxStats(
        int(tx[s]) - base[0],
        int(tx[s + 1]) - base[1],
        float(tx_rates[s]),
        float(tx_rates[s + 1]) * 8,
    )
