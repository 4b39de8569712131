"""Reading what a port's RX ring received, for the tests that send real frames."""

from __future__ import annotations

import time

from wirespeed.dataplane.afpacket import RxRing


def ring_frames(ring: RxRing, n: int, wait_s: float = 5.0) -> list[bytes]:
    """The bytes of the next ``n`` frames the ring receives (fewer if ``wait_s``
    passes first), in arrival order."""
    got: list[bytes] = []
    deadline = time.monotonic() + wait_s
    while len(got) < n and time.monotonic() < deadline:
        batch = ring.read() if ring.wait(0.05) else None
        if batch is not None:
            for row, length in zip(batch.data, batch.lengths, strict=True):
                got.append(bytes(row[: int(length)]))
    return got
