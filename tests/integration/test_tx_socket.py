"""TxSocket over a veth pair: every way of staging frames leaves exactly its bytes.

Frames go out as one to three pieces each (whole rows; a head, a shared tail, a
TPLD; or pieces by address), staged one way after another so that every message
changes its number of pieces and some lengths of earlier stagings remain in the
socket's tables: the frames received on the peer are checked byte for byte. A frame
under 60 bytes arrives padded with zeros to 60, as a NIC sends it (a veth would
deliver it short).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from ring_frames import ring_frames

from wirespeed.dataplane.afpacket import PAD_TO_BYTES, RxRing, TxSocket
from wirespeed.topology.netns import Lab, in_netns

pytestmark = pytest.mark.netns

MAC_A, MAC_B = "02:00:00:00:08:01", "02:00:00:00:08:02"


@contextmanager
def _pair(name: str) -> Iterator[tuple[TxSocket, RxRing]]:
    """A TxSocket of 16-message windows on one end of a veth pair, a ring on the
    other."""
    with Lab(name) as lab:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        lab.add_veth("e0", a, "e1", b, mac=MAC_A, peer_mac=MAC_B)
        with in_netns(b):
            ring = RxRing("e1", frame_size=2048, frame_count=512, snap=1600)
        with in_netns(a):
            tx = TxSocket("e0", window=16)
        try:
            yield tx, ring
        finally:
            tx.close()
            ring.close()


def _frame_rows(n: int, width: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).integers(0, 256, (n, width), dtype=np.uint8)
    rows[:, 0:6] = np.frombuffer(bytes.fromhex(MAC_B.replace(":", "")), np.uint8)
    rows[:, 6:12] = np.frombuffer(bytes.fromhex(MAC_A.replace(":", "")), np.uint8)
    rows[:, 12:14] = (0x88, 0xB5)  # local experimental EtherType: no stack wants it
    return rows


def _frames(
    width: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """64 rows of ``width`` bytes, a shared tail, 64 TPLDs and 64 frame lengths."""
    rng = np.random.default_rng(seed)
    tail = np.arange(1500, dtype=np.uint8) % 251
    tpld = rng.integers(0, 256, (64, 20), dtype=np.uint8)
    lengths = rng.integers(60, 1400, 64).astype(np.int64)
    return _frame_rows(64, width, seed), tail, tpld, lengths


def _wire(frames: list[bytes]) -> list[bytes]:
    """Frames as they arrive: padded with zeros to 60 bytes."""
    return [f.ljust(PAD_TO_BYTES, b"\0") for f in frames]


def _head_and_tail(row: np.ndarray, tail: np.ndarray, end: int) -> bytes:
    """A frame's first ``end`` bytes: its row's 48, then the shared tail's."""
    return bytes(row[: min(48, end)]) + bytes(tail[: max(0, end - 48)])


def test_every_staging_sends_exactly_its_frames() -> None:
    with _pair("wsx") as (tx, ring):
        want: list[bytes] = []
        body, tail, tpld, lengths = _frames(48, 1)
        short = np.full(64, 40, dtype=np.int64)
        # 1 piece (rows hold whole frames), 20 frames
        assert tx.send_rows(body[:20], short[:20]) == 20
        want += [bytes(body[i, :40]) for i in range(20)]
        # 3 pieces: head, shared tail, TPLD; more frames than laid out before
        assert tx.send_rows(body[:50], lengths[:50], tpld[:50], tail) == 50
        for i in range(50):
            want.append(_head_and_tail(body[i], tail, int(lengths[i]) - 20))
            want[-1] += bytes(tpld[i])
        # 2 pieces: head and TPLD, fewer frames
        assert tx.send_rows(body[:10], short[:10] + 20, tpld[:10]) == 10
        want += [bytes(body[i, :40]) + bytes(tpld[i]) for i in range(10)]
        # 2 pieces: head and shared tail
        assert tx.send_rows(body[:30], lengths[:30], None, tail) == 30
        for i in range(30):
            want.append(_head_and_tail(body[i], tail, int(lengths[i])))
        # pieces by address: a column no frame uses is left out
        addrs = np.zeros((40, 3), dtype=np.uint64)
        lens = np.zeros((40, 3), dtype=np.int64)
        addrs[:, 0] = body.ctypes.data + np.arange(40, dtype=np.uint64) * 48
        lens[:, 0] = 44
        addrs[:, 2] = tpld.ctypes.data + np.arange(40, dtype=np.uint64) * 20
        lens[:, 2] = 20
        assert tx.send_pieces(addrs, lens) == 40
        want += [bytes(body[i, :44]) + bytes(tpld[i]) for i in range(40)]
        # and back to whole rows: the one-piece layout again
        assert tx.send_rows(body[:64], short) == 64
        want += [bytes(body[i, :40]) for i in range(64)]
        got = ring_frames(ring, len(want))
        assert len(got) == len(want) == 214
        assert got == _wire(want)
        assert tx.errors == 0


def test_a_staging_sent_in_several_calls_and_staged_again() -> None:
    # windows of 16 messages, laid out from wherever a call starts; constant
    # lengths already in the window's slots are kept, other lengths rewritten
    with _pair("wsy") as (tx, ring):
        want: list[bytes] = []
        body, tail, tpld, lengths = _frames(64, 4)
        # one staging of 50 frames, sent as 0-6, 7-29, 30-49
        assert tx.stage_rows(body[:50], lengths[:50], tpld[:50], tail) == 50
        assert tx.send_staged(7) == 7
        assert tx.send_staged(30, 7) == 23
        assert tx.send_staged(50, 30) == 20
        for i in range(50):
            end = int(lengths[i]) - 20
            head = bytes(body[i, : min(64, end)])
            want.append(head + bytes(tail[: max(0, end - 64)]) + bytes(tpld[i]))
        # a generator's constant lengths (read-only), the same rows staged again
        # after their bytes changed: the same addresses, the new bytes
        fixed = np.full(64, 40, dtype=np.int64)
        fixed.flags.writeable = False
        assert tx.send_rows(body[:40], fixed[:40]) == 40
        want += [bytes(body[i, :40]) for i in range(40)]
        body[:, 30] ^= 0xFF
        assert tx.stage_rows(body[:40], fixed[:40]) == 40
        assert tx.send_staged(40, 3) == 37
        want += [bytes(body[i, :40]) for i in range(3, 40)]
        # other constant lengths, then the first ones again from other rows
        other = np.full(64, 52, dtype=np.int64)
        other.flags.writeable = False
        assert tx.send_rows(body[:20], other[:20]) == 20
        want += [bytes(body[i, :52]) for i in range(20)]
        assert tx.send_rows(body[10:42], fixed[:32]) == 32
        want += [bytes(body[i, :40]) for i in range(10, 42)]
        got = ring_frames(ring, len(want))
        assert len(got) == len(want) == 179
        assert got == _wire(want)
        assert tx.errors == 0


def test_short_frames_are_padded_to_60_bytes() -> None:
    """Every staging with frames of 14-70 bytes: those under 60 get a fourth piece
    of zeros, the others none, also when one staging mixes both and when the
    window's slots held a padded layout before."""
    with _pair("wsp") as (tx, ring):
        want: list[bytes] = []
        body, tail, tpld, _ = _frames(48, 7)
        sizes = np.arange(14, 71, dtype=np.int64)  # 57 frames: 46 short ones
        n = len(sizes)
        # whole rows (the first 48 bytes of each frame, then the shared tail)
        assert tx.send_rows(body[:n], sizes, None, tail) == n
        want += [_head_and_tail(body[i], tail, int(sizes[i])) for i in range(n)]
        # head and TPLD: 20 + 20 bytes, padded after the TPLD as a NIC pads
        forty = np.full(16, 40, dtype=np.int64)
        assert tx.send_rows(body[:16], forty, tpld[:16]) == 16
        want += [bytes(body[i, :20]) + bytes(tpld[i]) for i in range(16)]
        # a generator's constant length of 44 bytes (read-only), sent in two calls
        fixed = np.full(64, 44, dtype=np.int64)
        fixed.flags.writeable = False
        assert tx.stage_rows(body[:40], fixed[:40]) == 40
        assert tx.send_staged(25) == 25
        assert tx.send_staged(40, 25) == 15
        want += [bytes(body[i, :44]) for i in range(40)]
        # pieces by address, three of them given: 30 bytes, or 64 (no padding)
        addrs = np.zeros((20, 3), dtype=np.uint64)
        lens = np.zeros((20, 3), dtype=np.int64)
        addrs[:, 0] = body.ctypes.data + np.arange(20, dtype=np.uint64) * 48
        lens[:, 0] = 10
        addrs[:, 1] = tail.ctypes.data
        lens[:, 1] = np.where(np.arange(20) % 2, 34, 0)
        addrs[:, 2] = tpld.ctypes.data + np.arange(20, dtype=np.uint64) * 20
        lens[:, 2] = 20
        assert tx.send_pieces(addrs, lens) == 20
        for i in range(20):
            want.append(
                bytes(body[i, :10]) + bytes(tail[: 34 * (i % 2)]) + bytes(tpld[i])
            )
        got = ring_frames(ring, len(want))
        assert len(got) == len(want) == n + 16 + 40 + 20
        assert [len(f) for f in got[:n]] == [max(int(k), 60) for k in sizes]
        assert got == _wire(want)
        assert tx.errors == 0
