"""The main job: the seed's "Thor module and stream" flow, end to end, on real ports.

It does what ``xoa-script-thor-module-and-stream`` does against a hardware chassis,
through the native API against the embedded test bed: two modules of two ports,
media and port speeds, FEC, 2-3 streams per port (10 % each, fixed 128/256/512 bytes,
payload pattern FFFF0000, TPLD ids 0-9), clear counters, traffic for 10 s, a 2 s
cool-down, then the TX/RX counters of every port and the loss and latency per TID.
Every number printed comes from frames that crossed the veth pairs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from scapy.layers.inet import IP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis, Port
from wirespeed.model import FrameLength, Payload, PayloadType

__all__ = ["DemoResult", "run_demo"]

SEP = "=================================="

# (module, port) -> [(mac suffix, src ip, dst ip, frame size)], TPLD ids in order.
_STREAMS = {
    (0, 0): [
        ("0A010002", "198.18.0.2", "198.19.0.2", 128),
        ("0A010003", "198.18.0.3", "198.19.0.3", 256),
    ],
    (0, 1): [
        ("0B010002", "198.18.1.2", "198.19.1.2", 128),
        ("0B010003", "198.18.1.3", "198.19.1.3", 256),
        ("0B010004", "198.18.1.4", "198.19.1.4", 512),
    ],
}


@dataclass
class DemoResult:
    """Per-port counters and per-TID results of a demo run."""

    ports: dict[str, dict[str, int]]
    tids: dict[int, dict[str, float]]

    @property
    def clean(self) -> bool:
        """TX of every port equals RX of its peer, and no TID lost anything."""
        return all(t["lost"] == 0 for t in self.tids.values()) and all(
            p["tx_frames"] == self.ports[p["peer"]]["rx_frames"]  # type: ignore[index]
            for p in self.ports.values()
        )


def _mac(suffix: str) -> str:
    raw = "0000" + suffix
    return ":".join(raw[i : i + 2] for i in range(0, 12, 2))


def run_demo(
    *,
    duration_s: float = 10.0,
    cooldown_s: float = 2.0,
    rate_percent: float = 10.0,
    speed_bps: int = 1_000_000_000,
    out: Callable[[str], None] = print,
) -> DemoResult:
    """Run the seed flow on the embedded test bed and print its sections."""
    out(SEP)
    out("START")
    out(SEP)
    with Chassis.embedded(
        modules=2, speed_bps=speed_bps, owner="wirespeed-demo"
    ) as chassis:
        names = ", ".join(p.info.name for p in chassis.ports)
        out(f"Connect to chassis: embedded test bed ({names})")
        out(f"Username:           {chassis.owner}")
        out(SEP)
        out("MODULE MEDIA CONFIG")
        out(SEP)
        speeds = [2, speed_bps // 1_000_000, speed_bps // 1_000_000]
        for module in chassis.modules:
            out(f"Reserve Module {module.index}")
            module.reserve(force=True)
            out(f"Module {module.index}'s current media: {module.media}")
            out(f"Module {module.index}'s media: no change")
            cur = module.port_speeds
            out(f"Module {module.index}'s current port count x speed: {cur}")
            if cur != speeds:
                module.set_port_speeds(speeds)
                out(f"Module {module.index}'s port count x speed: changed to {speeds}")
            else:
                out(f"Module {module.index}'s port count x speed: no change")
        out(SEP)
        out("PORT & STREAM CONFIG")
        out(SEP)
        tid = 0
        ports: list[Port] = []
        for module in chassis.modules:
            for port in module.ports:
                ports.append(port)
                port.reset()
                port.fec_mode = "RS_FEC"
                out(f"Set Port {_pname(port)} to {port.fec_mode}")
                for i, (mac, src, dst, size) in enumerate(
                    _STREAMS[(0, port.info.index_in_module)]
                ):
                    header = Ether(dst=_mac(mac), src=_mac(mac)) / IP(
                        src=src, dst=dst, ttl=127, proto=255, id=0, flags=0
                    )
                    port.streams.create(
                        header=header,
                        rate_percent=rate_percent,
                        length=FrameLength.fixed(size),
                        payload=Payload(PayloadType.PATTERN, bytes.fromhex("FFFF0000")),
                        tpld_id=tid,
                        comment="Test stream",
                    )
                    out(f"Create a stream on port {_pname(port)}")
                    for k, v in (
                        ("Index", i),
                        ("DMAC", "0000" + mac),
                        ("SMAC", "0000" + mac),
                        ("SRC IPv4", src),
                        ("DST IPv4", dst),
                        ("Rate", f"{rate_percent}%"),
                        ("Frame Size Type", "FIXED bytes"),
                        ("Frame Size (min)", f"{size} bytes"),
                        ("Frame Size (max)", f"{size} bytes"),
                        ("Payload Pattern", "FFFF0000"),
                        ("TPLD ID", tid),
                    ):
                        out(f"  {k + ':':<18}{v}")
                    tid += 1
        out(SEP)
        out("TRAFFIC CONTROL")
        out(SEP)
        for p in ports:
            out(f"Clear port {_pname(p)} RX & TX counters")
            p.clear_counters()
        out(f"Traffic duration: {duration_s:g} seconds")
        for p in ports:
            out(f"Start traffic on Port {_pname(p)}")
        chassis.start(ports)
        time.sleep(duration_s)
        chassis.stop(ports)
        for p in ports:
            out(f"Stop traffic on Port {_pname(p)}")
        out(f"Cooling down: {cooldown_s:g} seconds")
        time.sleep(cooldown_s)
        result = DemoResult({}, {})
        for p in ports:
            out(f"Read port {_pname(p)} RX & TX counters")
            st = p.statistics()
            out(SEP)
            out("TRAFFIC STATS")
            out(SEP)
            out(f"TX FRAMES:          {st.tx_packets}")
            out(f"RX FRAMES:          {st.rx_packets}")
            out(f"TX BYTES:           {st.tx_bytes}")
            out(f"RX BYTES:           {st.rx_bytes}")
            result.ports[_pname(p)] = {
                "tx_frames": st.tx_packets,
                "rx_frames": st.rx_packets,
                "tx_bytes": st.tx_bytes,
                "rx_bytes": st.rx_bytes,
                "peer": _pname(p.peer),  # type: ignore[dict-item]
            }
        out(SEP)
        out("TPLD STATISTICS (per TID, at the receiving port)")
        out(SEP)
        out(
            f"{'TID':>3} {'RX port':>7} {'TX frames':>10} {'RX frames':>10} "
            f"{'lost':>5} {'misord':>6} {'dup':>4} {'latency min/avg/max us':>24} "
            f"{'jitter us':>9}"
        )
        for p in ports:
            for sh in p.streams.all():
                _tid_row(out, result, sh.config.tpld_id, p, sh.statistics().packets)
        for module in chassis.modules:
            module.release()
    out(SEP)
    out("DONE")
    out(SEP)
    return result


def _pname(p: Port) -> str:
    return f"{p.info.module}/{p.info.index_in_module}"


def _tid_row(
    out: Callable[[str], None], result: DemoResult, tid: int, p: Port, tx: int
) -> None:
    rx = p.peer.tpld_statistics(tid)
    head = f"{tid:>3} {_pname(p.peer):>7} {tx:>10}"
    if rx is None:
        out(f"{head} {0:>10}   (nothing received)")
        result.tids[tid] = {"tx": tx, "rx": 0, "lost": tx}
        return
    lat = rx.latency
    text = "-"
    if lat.count:
        assert lat.min_ns is not None
        assert lat.avg_ns is not None
        assert lat.max_ns is not None
        text = f"{lat.min_ns / 1e3:.1f}/{lat.avg_ns / 1e3:.1f}/{lat.max_ns / 1e3:.1f}"
    jit = "-" if rx.jitter_ns is None else f"{rx.jitter_ns / 1e3:.2f}"
    out(
        f"{head} {rx.packets:>10} {rx.lost:>5} {rx.misordered:>6} {rx.duplicates:>4} "
        f"{text:>24} {jit:>9}"
    )
    result.tids[tid] = {
        "tx": tx,
        "rx": rx.packets,
        "lost": rx.lost,
        "misordered": rx.misordered,
        "duplicates": rx.duplicates,
        "latency_avg_ns": lat.avg_ns if lat.avg_ns is not None else -1.0,
    }
