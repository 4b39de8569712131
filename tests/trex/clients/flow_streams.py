"""Stream-level control while a port sends: pause_streams, resume_streams and
update_streams on one of two streams, counted per stream with flow stats."""

from __future__ import annotations

import time
from typing import Any

from _common import connect, finish, udp
from flow_mult import expected_pps
from trex.stl.api import (  # type: ignore[import-not-found]
    STLFlowStats,
    STLStream,
    STLTXCont,
    TRexError,
)


def counts(c: Any) -> dict[str, dict[str, int]]:
    pg = c.get_pgid_stats([1, 2])["flow_stats"]
    return {
        str(i): {"tx": pg[i]["tx_pkts"]["total"], "rx": pg[i]["rx_pkts"]["total"]}
        for i in (1, 2)
    }


def main() -> None:
    c = connect()
    out: dict[str, Any] = {}
    streams = [
        STLStream(
            packet=udp(100), mode=STLTXCont(pps=1000), flow_stats=STLFlowStats(pg_id=i)
        )
        for i in (1, 2)
    ]
    ids = c.add_streams(streams, ports=[0])
    c.clear_stats()
    c.start(ports=[0], mult="1")
    out["expected"] = [expected_pps(c, 2000.0)]
    time.sleep(0.3)
    c.pause_streams(0, [ids[1]])
    out["expected"].append(expected_pps(c, 2000.0))  # a paused stream still counts
    time.sleep(0.1)
    paused = counts(c)["2"]["tx"]
    time.sleep(0.5)
    out["paused_sent"] = counts(c)["2"]["tx"] - paused
    out["active_while_paused"] = bool(c.is_traffic_active(ports=[0]))
    c.resume_streams(0, [ids[1]])
    c.update_streams(0, mult="3kpps", stream_ids=[ids[1]])
    out["expected"].append(expected_pps(c, 4000.0))
    c.update(ports=[0], mult="2")  # the port's factor: stream 2 keeps 3 kpps
    out["expected"].append(expected_pps(c, 5000.0))
    time.sleep(1.0)
    try:
        c.update_streams(0, mult="1kpps+", stream_ids=[ids[1]])
        out["relative"] = "accepted"
    except TRexError as exc:
        out["relative"] = str(exc)
    try:
        c.pause_streams(0, [ids[1] + 100])
        out["unknown"] = "accepted"
    except TRexError as exc:
        out["unknown"] = str(exc)
    c.stop(ports=[0])
    time.sleep(0.2)
    st = c.get_stats()
    out["tx"], out["rx"] = st[0]["opackets"], st[1]["ipackets"]
    out["flows"] = counts(c)
    finish(c, out)


if __name__ == "__main__":
    main()
