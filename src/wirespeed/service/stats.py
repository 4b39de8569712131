"""Statistics the tester reports: port and stream counters and rates (pure: the
remote client decodes them)."""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.model import L1_OVERHEAD_BYTES

__all__ = ["PortStats", "StreamTxStats"]

_L1_BITS = L1_OVERHEAD_BYTES * 8


@dataclass(frozen=True)
class StreamTxStats:
    """What one stream sent (frame sizes include the FCS)."""

    packets: int
    bytes: int
    pps: float
    bps_l2: float

    @property
    def bps_l1(self) -> float:
        """L1 bit rate: L2 plus 20 bytes of preamble and gap per frame."""
        return self.bps_l2 + self.pps * _L1_BITS


@dataclass(frozen=True)
class PortStats:
    """Counters and last-second rates of one port (frame sizes include the FCS)."""

    tx_packets: int = 0
    tx_bytes: int = 0
    rx_packets: int = 0
    rx_bytes: int = 0
    tx_notpld_packets: int = 0
    tx_notpld_bytes: int = 0
    rx_notpld_packets: int = 0
    rx_notpld_bytes: int = 0
    rx_tpld_packets: int = 0
    rx_tpld_errors: int = 0
    rx_dropped_by_tester: int = 0
    tx_errors: int = 0
    service_tx_packets: int = 0
    """Frames the port's services sent (answers, requests, single frames): in
    ``tx_packets`` too, as the interface counts them."""
    service_tx_bytes: int = 0
    service_rx_packets: int = 0
    """ARP, neighbour discovery and echo frames for the port (in ``rx_packets``
    too; never in TPLD statistics)."""
    service_rx_bytes: int = 0
    tx_pps: float = 0.0
    tx_bps_l2: float = 0.0
    rx_pps: float = 0.0
    rx_bps_l2: float = 0.0
    requested_tx_pps: float = 0.0
    tx_notpld_pps: float = 0.0
    tx_notpld_bps_l2: float = 0.0
    rx_notpld_pps: float = 0.0
    rx_notpld_bps_l2: float = 0.0
    tx_injected_sequence: int = 0
    tx_injected_misorder: int = 0
    tx_injected_payload: int = 0
    tx_injected_tpld: int = 0

    @property
    def tx_bps_l1(self) -> float:
        """TX L1 bit rate (L2 plus 20 bytes per frame)."""
        return self.tx_bps_l2 + self.tx_pps * _L1_BITS

    @property
    def rx_bps_l1(self) -> float:
        """RX L1 bit rate (L2 plus 20 bytes per frame)."""
        return self.rx_bps_l2 + self.rx_pps * _L1_BITS
