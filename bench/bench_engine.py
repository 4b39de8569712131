"""Field-engine build rate on one core: frames built per second.

Plain script (no asserts). Scenarios:
  1. one 16-bit INC modifier on a 64-byte frame (Xena style);
  2. the 1M-flow tuple generator (16.0.0.1-16.0.0.254 x ports 1025-65500,
     limit 1,000,000) written to IP src / UDP sport, plus the IPv4 checksum fix;
  3. random frame sizes 64-1518 by a random flow var + trim (TRex style).
For each: frames/s at several batch sizes, the ratio to the 10 M frames/s target,
and the ratio to a reference measured in the same run: copying an equal batch of
pre-built frames with numpy (the memory-bound ceiling of any builder here), plus,
for scenario 1, a per-frame Python loop (bytearray + struct.pack_into).
The 16.0.0.x addresses are pure data in memory; nothing is sent.

Run: PYTHONPATH=src python bench/bench_engine.py [--quick]
"""

from __future__ import annotations

import struct
import sys
import time
from collections.abc import Callable

import numpy as np
from scapy.layers.inet import IP, UDP, Ether

from wirespeed.fieldengine import compile_stream
from wirespeed.model import (
    FixChecksumIpv4,
    FlowVar,
    FlowVarOp,
    Modifier,
    Stream,
    TrimPktSize,
    TupleFlowVar,
    VmProgram,
    WriteFlowVar,
)

TARGET_FPS = 10_000_000
QUICK = "--quick" in sys.argv
SECONDS = 0.5 if QUICK else 1.5


def _rate(build: Callable[[], int]) -> float:
    build()  # warm up
    frames, start = 0, time.perf_counter()
    while True:
        frames += build()
        elapsed = time.perf_counter() - start
        if elapsed >= SECONDS:
            return frames / elapsed


def _copy_ref(width: int, n: int) -> float:
    src = np.random.default_rng(1).integers(0, 256, (n, width), dtype=np.uint8)

    def build() -> int:
        dst = np.empty_like(src)
        np.copyto(dst, src)
        return n

    return _rate(build)


def _python_loop_ref(template: bytes, n: int) -> float:
    def build() -> int:
        out = []
        for k in range(n):
            frame = bytearray(template)
            struct.pack_into(">H", frame, 14, k & 0xFFFF)
            out.append(frame)
        return n

    return _rate(build)


def scenario_modifier() -> Stream:
    pkt = bytes(
        Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP() / (b"\x00" * 18)
    )
    return Stream(packet=pkt, modifiers=(Modifier(pos=14, mask=0xFFFF0000),))


def scenario_tuple() -> Stream:
    pkt = bytes(
        Ether()
        / IP(src="16.0.0.1", dst="48.0.0.1")
        / UDP(sport=1025, dport=12)
        / (b"x" * 18)
    )
    vm = VmProgram(
        (
            TupleFlowVar(
                "tuple_gen",
                ip_min=0x10000001,
                ip_max=0x100000FE,
                port_min=1025,
                port_max=65500,
                limit_flows=1_000_000,
            ),
            WriteFlowVar("tuple_gen.ip", pkt_offset=26),
            FixChecksumIpv4(pkt_offset=14),
            WriteFlowVar("tuple_gen.port", pkt_offset=34),
        )
    )
    return Stream(packet=pkt, vm=vm)


def scenario_random_sizes() -> Stream:
    pkt = bytes(
        Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP() / (b"\x55" * 1472)
    )
    vm = VmProgram(
        (
            FlowVar("size", size=2, op=FlowVarOp.RANDOM, min_value=60, max_value=1514),
            TrimPktSize("size"),
            WriteFlowVar("size", pkt_offset=16, add_value=-14),
            FixChecksumIpv4(pkt_offset=14),
            WriteFlowVar("size", pkt_offset=38, add_value=-34),
        )
    )
    return Stream(packet=pkt, header_len_bytes=42, vm=vm)


def _profile(stream: Stream, n: int) -> str:
    """Split one batch's time: lengths+copy (no program) vs the whole build."""
    bare = Stream(packet=stream.packet, header_len_bytes=stream.header_len_bytes)
    full_gen, bare_gen = compile_stream(stream, seed=1), compile_stream(bare, seed=1)
    full = _rate(lambda: len(full_gen.next_batch(n).lengths))
    base = _rate(lambda: len(bare_gen.next_batch(n).lengths))
    share = max(0.0, 1 - full / base) * 100
    return f"template copy only: {base / 1e6:7.2f} M/s -> field program takes {share:4.1f}% of the time"


def main() -> None:
    batches = [4096, 65536] if QUICK else [4096, 16384, 65536]
    scenarios = [
        ("1 modifier, 64 B", scenario_modifier()),
        ("1M-flow tuple + IPv4 csum, 64 B", scenario_tuple()),
        ("random size 64-1518 + trim", scenario_random_sizes()),
    ]
    print(f"target: {TARGET_FPS / 1e6:.0f} M frames/s built on one core\n")
    for title, stream in scenarios:
        gen = compile_stream(stream, seed=1)
        print(
            f"== {title} (row width {gen.width} B, mean frame {gen.mean_frame_len:.1f} B incl. FCS)"
        )
        for n in batches:
            gen.reset()
            fps = _rate(lambda n=n, g=gen: len(g.next_batch(n).lengths))
            ref = _copy_ref(gen.width, n)
            gbps = fps * (gen.mean_frame_len - 4) * 8 / 1e9
            print(
                f"  batch {n:6d}: {fps / 1e6:7.2f} M frames/s ({gbps:6.1f} Gbit/s of frame bytes)"
                f"  x{fps / TARGET_FPS:5.2f} of target"
                f"  x{fps / ref:5.2f} of numpy batch copy ({ref / 1e6:.2f} M/s)"
            )
        print(f"  {_profile(stream, batches[-1])}")
        if title.startswith("1 modifier"):
            loop = _python_loop_ref(stream.packet, 4096)
            print(f"  per-frame Python loop reference: {loop / 1e6:.2f} M frames/s")
        print()


if __name__ == "__main__":
    main()
