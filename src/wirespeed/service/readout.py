"""Port and stream statistics from the workers' counter words (pure).

Each port counter is declared once, in :data:`PORT_COUNTERS`: the field of
:class:`~wirespeed.service.stats.PortStats`, the worker that counts it and its word
in that worker's block. Counts are differences to the baseline of the last clear;
rates come from :class:`~wirespeed.service.counting.RateMeter` over the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane import rx_worker as rxw
from wirespeed.dataplane import service_messages as svw
from wirespeed.dataplane import tx_worker as txw
from wirespeed.fieldengine import InjectedError
from wirespeed.service.stats import PortStats, StreamTxStats

__all__ = ["PORT_COUNTERS", "PORT_RATES", "Counter", "port_stats", "stream_stats"]


@dataclass(frozen=True)
class Counter:
    """One port counter: its ``PortStats`` field, ``"tx"``, ``"rx"`` or ``"svc"``
    (the worker that counts it), its word."""

    name: str
    side: str
    word: int


_T, _R, _S = "tx", "rx", "svc"
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
    Counter("service_tx_packets", _S, svw.SVC_TX_PACKETS),
    Counter("service_tx_bytes", _S, svw.SVC_TX_BYTES),
    Counter("service_rx_packets", _S, svw.SVC_RX_PACKETS),
    Counter("service_rx_bytes", _S, svw.SVC_RX_BYTES),
)
"""Every port counter, once."""
_ALSO_IN: tuple[tuple[str, str], ...] = (
    ("tx_packets", "service_tx_packets"),
    ("tx_bytes", "service_tx_bytes"),
    ("tx_notpld_packets", "service_tx_packets"),
    ("tx_notpld_bytes", "service_tx_bytes"),
)
"""Totals that include another counter: the interface sent the services' frames
too."""

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
    words: dict[str, npt.NDArray[np.int64]],
    rates: dict[str, npt.NDArray[np.float64]],
    requested_pps: float,
) -> PortStats:
    """A port's statistics from its workers' counter words (``"tx"``, ``"rx"``,
    ``"svc"``: already less their baselines) and the rates of the same words."""
    counts: dict[str, Any] = {c.name: int(words[c.side][c.word]) for c in PORT_COUNTERS}
    per_s: dict[str, Any] = {}
    for name, counter, factor in PORT_RATES:
        c = _BY_NAME[counter]
        per_s[name] = float(rates[c.side][c.word]) * factor
    for total, part in _ALSO_IN:
        counts[total] += counts[part]
    svc_rates = rates[_S]
    per_s["tx_pps"] += float(svc_rates[svw.SVC_TX_PACKETS])
    per_s["tx_bps_l2"] += float(svc_rates[svw.SVC_TX_BYTES]) * 8
    per_s["tx_notpld_pps"] += float(svc_rates[svw.SVC_TX_PACKETS])
    per_s["tx_notpld_bps_l2"] += float(svc_rates[svw.SVC_TX_BYTES]) * 8
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
