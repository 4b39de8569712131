"""Two finished bursts with a clear between them, for a test that scrapes the
server's ``/metrics`` after each (the stream stays on port 0 meanwhile).

argv: rpc pub FRAMES. Port 0 sends a single burst of FRAMES 64-byte frames with
latency statistics (pg_id 5 = TID 5), then prints ``READY`` and waits for a line
on stdin; then it clears the statistics, sends the burst again, prints
``READY`` and waits again. Its last line: the stream's id and what the client
read after each burst.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import connect, finish, udp
from trex.stl.api import (  # type: ignore[import-not-found]
    STLFlowLatencyStats,
    STLStream,
    STLTXSingleBurst,
)

PG_ID = 5


def burst(c: Any, frames: int) -> dict[str, int]:
    """Send the burst; what the client reads once port 1 has counted it."""
    c.start(ports=[0])
    c.wait_on_traffic(ports=[0])
    deadline = time.monotonic() + 5
    while True:
        flow = c.get_pgid_stats([PG_ID])["flow_stats"][PG_ID]
        if flow["rx_pkts"][1] >= frames or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    st = c.get_stats()
    return {
        "opackets": st[0]["opackets"],
        "tx": flow["tx_pkts"][0],
        "rx": flow["rx_pkts"][1],
    }


def main() -> None:
    frames = int(sys.argv[3])
    c = connect()
    stream_id = c.add_streams(
        STLStream(
            packet=udp(60),
            mode=STLTXSingleBurst(total_pkts=frames, pps=20_000),
            flow_stats=STLFlowLatencyStats(pg_id=PG_ID),
        ),
        ports=[0],
    )
    c.clear_stats()
    runs = [burst(c, frames)]
    print("READY", flush=True)
    sys.stdin.readline()
    c.clear_stats()
    runs.append(burst(c, frames))
    print("READY", flush=True)
    sys.stdin.readline()
    finish(c, {"stream": stream_id, "runs": runs})


if __name__ == "__main__":
    main()
