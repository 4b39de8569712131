"""bench_dataplane's C references, run on the bench's veth pair (p0 -> p1).

The senders are built from ../shared/bench (``pb_sendmmsg``, ``pb_recvmmsg``;
``pb_afxdp`` with libxdp/libbpf) and from this folder (``pb_afxdp_mix.c``: the
AF_XDP sender over the random size mix of case (b)). Each runs in p0's namespace
pinned to CPU 0 (a receiver on CPU 1); a sender's rate is counted at p1's interface
over the sender's own send time (its ``ELAPSED``).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np

from wirespeed.topology.links import link_counters

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "bench"
MIX_SIZES = (64, 320, 576, 832, 1088, 1344, 1518)


def build_refs(out: Path, afxdp: bool = False) -> dict[str, Path]:
    """Compile the references into ``out``; the AF_XDP ones too if ``afxdp``
    (they need Debian's libxdp-dev and libbpf-dev)."""
    bins = {}
    for name in ("pb_sendmmsg", "pb_recvmmsg"):
        dst = out / name
        subprocess.run(
            ["gcc", "-O2", "-Wall", "-o", str(dst), str(SHARED / f"{name}.c")],
            check=True,
        )
        bins[name] = dst
    if afxdp:
        cc = ("gcc", "-O2", "-Wall", f"-I{SHARED}")
        for name, src in (
            ("pb_afxdp", SHARED / "pb_afxdp.c"),
            ("pb_afxdp_mix", HERE / "pb_afxdp_mix.c"),
        ):
            dst = out / name
            subprocess.run(
                [*cc, "-o", str(dst), str(src), "-lxdp", "-lbpf"],
                check=True,
            )
            bins[name] = dst
    return bins


def rx_packets(cfg: Any, port: int) -> int:
    return int(link_counters(cfg.ports[port])["rx_packets"])


def pinned(netns: str, cpu: int, *argv: object) -> list[str]:
    """``argv`` run in ``netns``, pinned to ``cpu``."""
    return ["ip", "netns", "exec", netns, "taskset", "-c", str(cpu), *map(str, argv)]


def _send(cfg: Any, *argv: object) -> float:
    """Run a C sender on p0; pps counted at p1's interface over its ELAPSED."""
    before = rx_packets(cfg, 1)
    out = subprocess.run(
        pinned(cfg.ports[0].netns, 0, *argv),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    time.sleep(0.2)
    elapsed = float(out.split("ELAPSED")[1].split()[0])
    return (rx_packets(cfg, 1) - before) / elapsed


def c_send(bins: dict[str, Path], cfg: Any, frame_len: int, dur: float) -> float:
    """pps of pb_sendmmsg (batch 64, qdisc bypass) on p0, counted at p1."""
    return _send(cfg, bins["pb_sendmmsg"], "p0", frame_len - 4, dur, 64, 1)


def c_afxdp(bins: dict[str, Path], cfg: Any, frame_len: int, dur: float) -> float:
    """pps of pb_afxdp (batch 64, copy mode) on p0, counted at p1."""
    return _send(cfg, bins["pb_afxdp"], "p0", frame_len - 4, dur, 64, 0)


def c_afxdp_mix(bins: dict[str, Path], cfg: Any, dur: float) -> float:
    """pps of pb_afxdp_mix (sizes uniformly random 64..1518, batch 64, copy
    mode) on p0, counted at p1."""
    return _send(cfg, bins["pb_afxdp_mix"], "p0", dur, 64, 0)


def c_send_mix(bins: dict[str, Path], cfg: Any, dur: float) -> tuple[float, float]:
    """pb_sendmmsg's rate for frames of uniformly random sizes 64..1518.

    The C sender sends one size; it runs at each of :data:`MIX_SIZES`, and its time
    per frame, interpolated between them, is averaged over every size of the range
    (the kernel's cost is not linear in the size: a mix of 64..1518 costs more than
    frames of its mean size). Returns (mix rate, rate at the mean size 792).
    """
    per_frame = [1.0 / c_send(bins, cfg, size, dur) for size in MIX_SIZES]
    sizes = np.arange(64, 1519)
    mix = 1.0 / float(np.interp(sizes, MIX_SIZES, per_frame).mean())
    return mix, 1.0 / float(np.interp(792, MIX_SIZES, per_frame))


def c_pair(bins: dict[str, Path], cfg: Any, dur: float) -> tuple[float, int, int]:
    """pb_sendmmsg on p0 and pb_recvmmsg on p1: (receiver pps, sent, received)."""
    ns0, ns1 = cfg.ports[0].netns, cfg.ports[1].netns
    subprocess.run(
        ["ip", "-n", ns1, "addr", "add", "198.18.0.2/24", "dev", "p1"], check=True
    )
    try:
        rx = subprocess.Popen(
            pinned(ns1, 1, bins["pb_recvmmsg"], "198.18.0.2", "9", dur + 2, 64),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert rx.stdout is not None
        assert rx.stdout.readline().strip() == "READY"
        out = subprocess.run(
            pinned(ns0, 0, bins["pb_sendmmsg"], "p0", 60, dur, 64, 1),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        sent = int(out.split("SENT")[1].split()[0])
        elapsed = float(out.split("ELAPSED")[1].split()[0])
        got = int(rx.communicate(timeout=dur + 30)[0].split("COUNT")[1].split()[0])
        return got / elapsed, sent, got
    finally:
        subprocess.run(
            ["ip", "-n", ns1, "addr", "del", "198.18.0.2/24", "dev", "p1"], check=False
        )
