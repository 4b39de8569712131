"""L3 mode through the router DUT: the client resolves its gateways (service mode,
capture, push_pkts, set_l3 {resolved_mac}), pings across the router, sends flow-stats
bursts with TRex's default MACs, and captures what port 1 receives: to a list, to
a pcap file, and with the console's ``capture record``.

argv[3]: a folder for the pcap files.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from _common import burst_counts, connect, emit
from trex.common.trex_exceptions import TRexError  # type: ignore[import-not-found]
from trex.console.trex_capture import CaptureManager  # type: ignore[import-not-found]
from trex.stl.api import (  # type: ignore[import-not-found]
    IP,
    UDP,
    Ether,
    STLFlowStats,
    STLPktBuilder,
    STLStream,
    STLTXSingleBurst,
)

BURST = 1000  # UDP to port 9, pg 5
OTHER = 200  # UDP to port 10 (the capture filter leaves them out)


def _layer(c: Any, port: int) -> dict[str, Any]:
    cfg = c.ports[port].get_layer_cfg()
    return {"ether": cfg["ether"], "ipv4": cfg["ipv4"], "ipv6": cfg["ipv6"]}


def _udp(dport: int, size: int = 100) -> STLPktBuilder:
    # default Ether(): flags 0, the server writes the port's MACs; an IP source
    # on port 0's subnet, so that the router forwards it as any host's
    base = (
        Ether() / IP(src="198.18.1.2", dst="198.18.2.2") / UDP(sport=1025, dport=dport)
    )
    return STLPktBuilder(pkt=base / ("x" * (size - len(base))))


def _summary(pkts: list[dict[str, Any]]) -> dict[str, Any]:
    rows = set()
    for p in pkts:
        eth = Ether(p["binary"])
        rows.add(
            (eth.src, eth.dst, eth[IP].ttl, eth[UDP].dport, p["port"], p["origin"])
        )
    ts = [p["ts"] for p in pkts]
    return {
        "count": len(pkts),
        "rows": sorted(list(r) for r in rows),
        "indices_in_order": [p["index"] for p in pkts] == list(range(1, len(pkts) + 1)),
        "ts_in_order": ts == sorted(ts),
    }


def main() -> None:
    folder = Path(sys.argv[3])
    c = connect()
    out: dict[str, Any] = {"initial": [_layer(c, 0), _layer(c, 1)]}
    c.set_service_mode(ports=[0, 1], enabled=True)
    c.set_l3_mode(0, "198.18.1.2", "198.18.1.1")
    c.set_l3_mode(1, "198.18.2.2", "198.18.2.1")
    out["resolved"] = [_layer(c, 0), _layer(c, 1)]
    pings = c.ping_ip(0, "198.18.2.2", count=3, interval_sec=0.2)
    out["ping"] = [(p.state == p.SUCCESS, p.responder_ip, p.ttl) for p in pings]
    c.set_service_mode(ports=[0, 1], enabled=False)
    # The router learned both ports' MACs from their ARP requests (Linux keeps
    # those STALE) and probes each 5 s after first sending to it (the ping):
    # let those ARP exchanges pass, so that the counts below are the bursts' alone
    # (the entries then stay reachable for 15 s at least).
    time.sleep(6.0)

    c.add_streams(
        [
            STLStream(
                packet=_udp(9),
                mode=STLTXSingleBurst(total_pkts=BURST, pps=10_000),
                flow_stats=STLFlowStats(pg_id=5),
            ),
            STLStream(
                packet=_udp(10), mode=STLTXSingleBurst(total_pkts=OTHER, pps=2000)
            ),
        ],
        ports=[0],
    )
    # a capture fetched to a list
    cap = c.start_capture(rx_ports=[1], limit=5000, bpf_filter="udp")
    out["listed_run"] = burst_counts(c, 5)
    listed: list[dict[str, Any]] = []
    c.stop_capture(cap["id"], listed)
    out["listed"] = _summary(listed)

    # a filtered capture saved as a pcap file (by the client)
    cap = c.start_capture(rx_ports=[1], bpf_filter="udp and dst port 9")
    out["pcap_run"] = burst_counts(c, 5)
    c.stop_capture(cap["id"], str(folder / "client.pcap"))

    # the console's capture record
    lock = threading.Lock()  # the console's: its monitor thread fetches under it
    console = CaptureManager(c, lock)
    console.parse_line("record start --rx 1 --limit 5000")
    ids = list(c.get_capture_status())
    out["console_run"] = burst_counts(c, 5)
    console.parse_line(f"record stop --id {ids[0]} -o {folder / 'console.pcap'}")

    # the console's capture monitor (cyclic, 100 frames, fetched 10 at a time);
    # its writer redraws the console's prompt (the console sets this)
    c.logger.prompt_redraw = lambda: None
    console.parse_line("monitor start --rx 1")
    with lock:
        out["monitor_run"] = burst_counts(c, 5)
        listed_ids = list(c.get_capture_status())
    time.sleep(2.0)
    monitor = console.monitor
    out["monitor"] = {
        "listed": listed_ids == [monitor.get_capture_id()],
        "seen": monitor.pkt_count,
    }
    console.parse_line("monitor stop")

    # a filter libpcap refuses: an error, and the server goes on
    try:
        c.start_capture(rx_ports=[1], bpf_filter="udp and dst port")
        out["bad_filter"] = "accepted"
    except TRexError as exc:
        out["bad_filter"] = str(exc)
    out["captures_left"] = list(c.get_capture_status())
    out["still_serving"] = c.get_port_attr(0)["link"]
    c.remove_all_streams(ports=[0])
    c.release()
    c.disconnect()
    emit(out)


if __name__ == "__main__":
    main()
