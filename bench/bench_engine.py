"""Field-engine build rate on one core: frames built per second, as the TX uses it.

Plain script (no asserts). It times ``StreamGenerator.fill`` (prepare + finish: the
frames in the reused buffer, TPLD stamped with the batch's transmit time as the
transmit worker stamps it (one time per batch), every checksum final), i.e.
everything the transmit worker does per batch except the system call,
for the streams in ``bench/streams.py``:

  1. Xena: 64 B, IPv4 header segments, a 16-bit modifier on the IP id (the IPv4
     checksum changes every frame), TPLD;
  2. TRex: the 1M-flow tuple generator (IP source + UDP source port) + IPv4
     checksum fix, 64 B;
  3. the tuple generator with random sizes 64-1518 (IP/UDP lengths per frame);
  4. TRex: random size 64-1518 by a random variable + trim, lengths by the VM;
  5. Xena: random sizes 66-1518, a random 16-bit modifier, UDP checksum over
     payload + TPLD (the TPLD goes as a second piece of each message).

Each is printed in frames/s per batch size, as a ratio to the issue's target
(10 M frames/s) and to a reference measured in the same run: the per-batch work of
the Python sender of ../shared/bench/pysend.py (``ctypes_sendmmsg``: one vectorised
32-bit sequence write into prebuilt 64-byte frames), the least a numpy sender does.

Run: PYTHONPATH=src python bench/bench_engine.py [--quick]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from streams import (
    trim_random_size,
    tuple_64,
    tuple_random_size,
    xena_modifier,
    xena_random_udp_checksum,
)

from wirespeed.fieldengine import TpldStamp, compile_stream
from wirespeed.model import Stream
from wirespeed.tpld import TpldMode

TARGET_FPS = 10_000_000
QUICK = "--quick" in sys.argv
SECONDS = 0.4 if QUICK else 1.5


def _rate(build: Callable[[], int]) -> float:
    """Frames per CPU second of this process (robust to other load), best of 3."""
    build()  # warm up
    best = 0.0
    for _ in range(3):
        frames, start = 0, time.process_time()
        while True:
            frames += build()
            elapsed = time.process_time() - start
            if elapsed >= SECONDS / 3:
                break
        best = max(best, frames / elapsed)
    return best


def reference(n: int) -> float:
    """pysend.py's per-batch build: ``np.add(ar, base, out=seqbuf)`` and one
    column write of the big-endian sequence into (n, 60) prebuilt frames."""
    frames = np.zeros((n, 60), dtype=np.uint8)
    ar = np.arange(n, dtype=np.uint32)
    seqbuf = np.empty(n, dtype=">u4")
    seqview = seqbuf.view(np.uint8).reshape(n, 4)
    state = {"base": 0}

    def build() -> int:
        np.add(ar, state["base"], out=seqbuf, casting="unsafe")
        frames[:, 42:46] = seqview
        state["base"] += n
        return n

    return _rate(build)


def engine(stream: Stream, n: int) -> float:
    """Frames/s of ``fill`` for ``stream`` in batches of ``n``."""
    has_tpld = stream.tpld_id >= 0
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL if has_tpld else None)
    state = {"seq": 0, "ts": 1_700_000_000_000_000_000}

    def build() -> int:
        stamp = TpldStamp(1, state["seq"]) if has_tpld else None
        gen.fill(n, stamp, state["ts"] if has_tpld else None)
        state["seq"] = (state["seq"] + n) & 0xFFFFFF
        state["ts"] += 1100 * n
        return n

    return _rate(build)


def main() -> None:
    batches = [1024, 4096] if QUICK else [1024, 4096, 16384]
    scenarios = [
        ("Xena 64 B, modifier on the IP id + IPv4 checksum + TPLD", xena_modifier()),
        ("TRex 1M-flow tuple + IPv4 checksum, 64 B", tuple_64()),
        ("1M-flow tuple + IPv4 checksum, random 64-1518", tuple_random_size()),
        ("TRex random size 64-1518 by trim + VM lengths", trim_random_size()),
        (
            "Xena random 66-1518, random modifier, UDP csum + TPLD",
            xena_random_udp_checksum(),
        ),
    ]
    refs = {n: reference(n) for n in batches}
    print(f"target: {TARGET_FPS / 1e6:.0f} M frames/s built on one core (CPU time)")
    print(
        "reference (pysend.py per-batch seq write): "
        + ", ".join(f"batch {n}: {refs[n] / 1e6:.1f} M/s" for n in batches)
        + "\n"
    )
    for title, stream in scenarios:
        print(f"== {title}")
        for n in batches:
            fps = engine(stream, n)
            print(
                f"  batch {n:6d}: {fps / 1e6:7.2f} M frames/s"
                f" ({1e9 / fps:6.1f} ns/frame)"
                f"  x{fps / TARGET_FPS:5.2f} of target"
                f"  x{fps / refs[n]:5.2f} of the reference"
            )
        print()


if __name__ == "__main__":
    main()
