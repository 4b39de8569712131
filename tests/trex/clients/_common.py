"""Helpers for the client scenarios (run by the TRex client's own interpreter)."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import lbr_trex_client  # noqa: F401  (puts the TRex packages on sys.path)
from trex.stl.api import (  # type: ignore[import-not-found]
    IP,
    UDP,
    Ether,
    STLClient,
    STLPktBuilder,
)


def connect() -> STLClient:
    """A connected client on the server named by argv[1:3], ports reset."""
    c = STLClient(
        server="127.0.0.1",
        sync_port=int(sys.argv[1]),
        async_port=int(sys.argv[2]),
        verbose_level="error",
    )
    c.connect()
    c.reset(ports=[0, 1])
    return c


def emit(result: dict[str, Any]) -> None:
    """Print the scenario's result as the last stdout line."""
    print(json.dumps(result, sort_keys=True), flush=True)


def finish(c: STLClient, result: dict[str, Any]) -> None:
    """Remove port 0's streams, release, disconnect, then print ``result``."""
    c.remove_all_streams(ports=[0])
    c.release()
    c.disconnect()
    emit(result)


def udp(size: int) -> STLPktBuilder:
    """A UDP packet of ``size`` bytes (FCS not included), TRex's default MACs."""
    base = Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(sport=1025, dport=12)
    return STLPktBuilder(pkt=base / ("x" * (size - len(base))))


def burst_counts(c: Any, pg_id: int) -> dict[str, Any]:
    """Send port 0's bursts to port 1 once; the run's port and pg_id counters."""
    c.clear_stats()
    c.start(ports=[0])
    c.wait_on_traffic(ports=[0])
    time.sleep(0.3)  # the frames in flight reach port 1
    st = c.get_stats()
    pg = c.get_pgid_stats([pg_id])["flow_stats"][pg_id]
    return {
        "opackets": st[0]["opackets"],
        "ipackets": st[1]["ipackets"],
        "pg_tx": pg["tx_pkts"][0],
        "pg_rx": pg["rx_pkts"][1],
    }
