"""bench_dataplane case (d), the client side: run by the real TRex client's interpreter.

Usage: ``python trex_flat_out.py RPC_PORT PUB_PORT DURATION_S``. On port 0 of the
server it sends, as fast as it goes for ``DURATION_S``, the stream of case (c):
64-byte frames (Ethernet + IPv4 protocol 253, 60 bytes without the FCS), the IP id
incremented per frame with the IPv4 checksum fixed, flow statistics with latency on
pg_id 1 (wirespeed's TPLD, TID 1). It prints ``STARTED`` once the traffic started,
then one JSON line: the frames the server sent and the frames its analyzer counted
on port 1, with the analyzer's error counters and the frames port 1's ring dropped.
"""

from __future__ import annotations

import json
import sys

import lbr_trex_client  # noqa: F401  (puts the TRex packages on sys.path)
from trex.stl.api import (  # type: ignore[import-not-found]
    IP,
    Ether,
    STLClient,
    STLFlowLatencyStats,
    STLPktBuilder,
    STLScVmRaw,
    STLStream,
    STLTXCont,
    STLVmFixIpv4,
    STLVmFlowVar,
    STLVmWrFlowVar,
)

MAC0, MAC1 = "02:70:62:00:00:01", "02:70:62:00:00:02"
PG_ID = 1


def stream() -> STLStream:
    hdr = Ether(dst=MAC1, src=MAC0) / IP(
        src="198.18.0.1", dst="198.18.0.2", proto=253, id=0
    )
    vm = STLScVmRaw(
        [
            STLVmFlowVar(name="id", min_value=0, max_value=65535, size=2, op="inc"),
            STLVmWrFlowVar(fv_name="id", pkt_offset="IP.id"),
            STLVmFixIpv4(offset="IP"),
        ]
    )
    return STLStream(
        packet=STLPktBuilder(pkt=hdr / (b"\0" * (60 - len(hdr))), vm=vm),
        mode=STLTXCont(pps=100e6),
        flow_stats=STLFlowLatencyStats(pg_id=PG_ID),
    )


def main() -> None:
    rpc, pub, dur = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    c = STLClient(
        server="127.0.0.1", sync_port=rpc, async_port=pub, verbose_level="error"
    )
    c.connect()
    try:
        c.reset(ports=[0, 1])
        c.add_streams(stream(), ports=[0])
        c.clear_stats()
        c.start(ports=[0], mult="1", duration=dur)
        print("STARTED", flush=True)
        c.wait_on_traffic(ports=[0])
        pg = c.get_pgid_stats([PG_ID])
        st = c.get_stats()
        flow = pg["flow_stats"][PG_ID]
        out = {
            "tx": flow["tx_pkts"][0],
            "rx": flow["rx_pkts"][1],
            "opackets": st[0]["opackets"],
            "ipackets": st[1]["ipackets"],
            "ring_drops": st[1]["ierrors"],
            "errors": pg["latency"][PG_ID]["err_cntrs"],
        }
        c.remove_all_streams(ports=[0])
        c.release()
    finally:
        c.disconnect()
    print(json.dumps(out, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
