"""B takes port 0 from a client that vanished while it sent, resets it and sends an
exact burst with flow stats."""

from __future__ import annotations

import sys
from typing import Any

from _common import emit, udp
from trex.stl.api import (  # type: ignore[import-not-found]
    STLClient,
    STLFlowStats,
    STLStream,
    STLTXSingleBurst,
)


def main() -> None:
    c = STLClient(
        username="bob",
        server="127.0.0.1",
        sync_port=int(sys.argv[1]),
        async_port=int(sys.argv[2]),
        verbose_level="error",
    )
    c.connect()
    c.acquire(ports=[0, 1], force=True)
    c.reset(ports=[0, 1])
    stream = STLStream(
        packet=udp(100),
        mode=STLTXSingleBurst(total_pkts=2000, pps=20_000),
        flow_stats=STLFlowStats(pg_id=5),
    )
    c.add_streams(stream, ports=[0])
    c.clear_stats()
    c.start(ports=[0])
    c.wait_on_traffic(ports=[0], timeout=30)
    stats = c.get_stats()
    pg = c.get_pgid_stats([5])["flow_stats"][5]
    out: dict[str, Any] = {
        "opackets": stats[0]["opackets"],
        "ipackets": stats[1]["ipackets"],
        "tx_pkts": pg["tx_pkts"][0],
        "rx_pkts": pg["rx_pkts"][1],
    }
    c.reset(ports=[0, 1])
    c.release()
    c.disconnect()
    emit(out)


if __name__ == "__main__":
    main()
