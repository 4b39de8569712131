"""Latency statistics of frames the test injects: the client waits on stdin while
the test sends crafted TPLD frames (TID = pg_id 41) into port 1, then reads them.

argv: rpc pub EXPECTED_RX
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import connect, finish, udp
from trex.stl.api import (  # type: ignore[import-not-found]
    STLFlowLatencyStats,
    STLStream,
    STLTXCont,
)

PG_ID = 41


def main() -> None:
    want = int(sys.argv[3])
    c = connect()
    # the latency group exists (its stream is never started: the test's frames are
    # the only ones carrying TID 41)
    c.add_streams(
        STLStream(
            packet=udp(124),
            mode=STLTXCont(pps=1000),
            flow_stats=STLFlowLatencyStats(pg_id=PG_ID),
        ),
        ports=[0],
    )
    c.clear_stats()
    print("READY", flush=True)
    sys.stdin.readline()
    deadline = time.monotonic() + 5
    while True:
        pg = c.get_pgid_stats([PG_ID])
        rx = pg["flow_stats"][PG_ID]["rx_pkts"]["total"]
        if rx >= want or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    out: dict[str, Any] = {
        "flow": {
            k: {str(p): v for p, v in pg["flow_stats"][PG_ID][k].items()}
            for k in ("tx_pkts", "rx_pkts", "rx_bytes")
        },
        "latency": pg["latency"][PG_ID],
    }
    finish(c, out)


if __name__ == "__main__":
    main()
