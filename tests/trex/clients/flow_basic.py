"""The everyday flow: bursts, every multiplier form with a duration, pause/resume/
update, stats, xstats, attributes, service mode, release."""

from __future__ import annotations

import time
from typing import Any

from _common import connect, emit, udp
from trex.stl.api import (  # type: ignore[import-not-found]
    STLStream,
    STLTXCont,
    STLTXSingleBurst,
)


def run(c: Any, mult: str, duration: float) -> dict[str, int]:
    c.clear_stats()
    c.start(ports=[0], mult=mult, duration=duration)
    c.wait_on_traffic(ports=[0])
    st = c.get_stats()
    return {"tx": st[0]["opackets"], "rx": st[1]["ipackets"]}


def main() -> None:
    c = connect()
    out: dict[str, Any] = {}
    # a single burst: exact counts and bytes
    c.add_streams(
        STLStream(packet=udp(72), mode=STLTXSingleBurst(total_pkts=1000, pps=20000)),
        ports=[0],
    )
    c.clear_stats()
    c.start(ports=[0])
    c.wait_on_traffic(ports=[0])
    st = c.get_stats()
    out["burst"] = [
        st[0]["opackets"],
        st[0]["obytes"],
        st[1]["ipackets"],
        st[1]["ibytes"],
        st["total"]["opackets"],
    ]
    # every multiplier form against a 1000 pps stream of 125-byte frames (with FCS)
    c.remove_all_streams(ports=[0])
    c.add_streams(STLStream(packet=udp(121), mode=STLTXCont(pps=1000)), ports=[0])
    out["mult"] = {
        m: run(c, m, 0.5) for m in ("1", "2", "4kpps", "1mbps", "1.16mbpsl1", "0.116%")
    }
    # pause / resume / update on a continuous stream (real time passes)
    c.clear_stats()
    c.start(ports=[0], mult="2kpps")
    time.sleep(1.2)
    running = c.get_stats()[0]
    c.pause(ports=[0])
    paused_at = c.get_stats()[0]["opackets"]
    state_paused = c.get_port_attr(0)["status"]
    time.sleep(0.3)
    paused_later = c.get_stats()[0]["opackets"]
    c.resume(ports=[0])
    c.update(ports=[0], mult="4kpps")
    time.sleep(1.2)
    updated = c.get_stats()[0]
    c.stop(ports=[0])
    st = c.get_stats()
    out["running"] = {
        "tx_pps_2k": running["tx_pps"],
        "paused_state": state_paused,
        "paused_still": paused_at == paused_later,
        "tx_pps_4k": updated["tx_pps"],
        "tx_bps_l1_4k": updated["tx_bps_L1"],
        "rx_pps_4k": updated.get("rx_pps"),
        "after_stop_equal": st[0]["opackets"] == st[1]["ipackets"],
        "state_after_stop": c.get_port_attr(0)["status"],
    }
    # xstats, attributes, service mode, utilization
    xs = c.get_xstats(0)
    out["xstats"] = {"n": len(xs), "has_rx_packets": "rx_packets" in xs}
    c.set_port_attr(ports=[0], promiscuous=True)
    out["prom"] = c.get_port_attr(0)["prom"]
    c.set_port_attr(ports=[0], promiscuous=False)
    out["prom_off"] = c.get_port_attr(0)["prom"]
    c.set_service_mode(ports=[0], enabled=True)
    out["service"] = c.ports[0].is_service_mode_on()
    c.set_service_mode(ports=[0], enabled=False)
    util = c.get_util_stats()
    out["util_cpu_rows"] = len(util["cpu"])
    c.release()
    c.disconnect()
    emit(out)


if __name__ == "__main__":
    main()
