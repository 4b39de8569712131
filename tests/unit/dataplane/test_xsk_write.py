"""Frames written into UMEM frames by the AF_XDP sender are byte for byte what the
generator built (head, shared tail, TPLD) with zeros up to 60 bytes, for one
length and for many, from rows in order and picked out of order."""

from __future__ import annotations

import numpy as np
import pytest

from wirespeed.dataplane.xdp.send import _TailCache, _write_rows
from wirespeed.fieldengine import TxBatch


def _batch(lengths: list[int], *, width: int, tail: int, tpld: int) -> TxBatch:
    n = len(lengths)
    rng = np.random.default_rng(7)
    body = rng.integers(0, 256, (n, width), dtype=np.uint8)
    shared = rng.integers(0, 256, tail, dtype=np.uint8) if tail else None
    tp = rng.integers(0, 256, (n, tpld), dtype=np.uint8) if tpld else None
    return TxBatch(body, np.array(lengths, dtype=np.int64), tp, shared)


def _wire(batch: TxBatch, i: int) -> bytes:
    f = batch.frame(i)
    return f + bytes(max(0, 60 - len(f)))


@pytest.mark.parametrize(
    ("lengths", "width", "tail", "tpld"),
    [
        ([64] * 5, 48, 0, 16),  # rows + TPLD, one length
        ([1000] * 3, 48, 1000, 20),  # rows + shared tail + TPLD
        ([42, 60, 100, 1500, 59], 48, 1500, 0),  # many lengths, short ones padded
        ([70, 1518, 64, 300], 48, 1518, 20),  # many lengths with a TPLD
        ([40, 44, 50], 64, 0, 0),  # whole frames in the rows, all padded
    ],
)
def test_frames_land_in_umem_as_built(lengths, width, tail, tpld) -> None:
    batch = _batch(lengths, width=width, tail=tail, tpld=tpld)
    n = len(lengths)
    umem = np.full((n + 3, 2048), 0xEE, dtype=np.uint8)  # old bytes everywhere
    wire = _write_rows(umem, slice(2, 2 + n), batch, slice(0, n))
    for i in range(n):
        want = _wire(batch, i)
        assert int(wire[i]) == len(want)
        assert bytes(umem[2 + i, : len(want)]) == want
    assert (umem[:2] == 0xEE).all()
    assert (umem[2 + n :] == 0xEE).all()


def test_frames_picked_out_of_order_land_where_asked() -> None:
    batch = _batch([64, 80, 96, 112], width=48, tail=112, tpld=20)
    umem = np.zeros((8, 2048), dtype=np.uint8)
    dst = np.array([5, 1, 6], dtype=np.intp)
    src = np.array([3, 0, 2], dtype=np.intp)
    wire = _write_rows(umem, dst, batch, src)
    assert wire.tolist() == [112, 64, 96]
    for d, s in zip(dst.tolist(), src.tolist(), strict=True):
        want = _wire(batch, s)
        assert bytes(umem[d, : len(want)]) == want


def test_a_tail_already_in_a_frame_is_not_written_again() -> None:
    """The tail cache writes a stream's shared bytes into a UMEM frame once, and
    again only where another tail, a TPLD or padding went over them."""
    a = _batch([1000] * 4, width=48, tail=1000, tpld=20)
    b = _batch([1000] * 4, width=48, tail=1000, tpld=20)
    b.tail[:] ^= 0x5A  # another stream's static bytes
    umem = np.zeros((4, 2048), dtype=np.uint8)
    tails = _TailCache(4)
    _write_rows(umem, slice(0, 4), a, slice(0, 4), tails)
    umem[:, 500] = 0xEE  # were the tail written again, this would go
    _write_rows(umem, slice(0, 4), a, slice(0, 4), tails)
    assert (umem[:, 500] == 0xEE).all()
    # another tail into frames 1 and 3: written there, kept in 0 and 2
    _write_rows(umem, np.array([1, 3]), b, np.array([1, 3]), tails)
    for i, (batch, row) in enumerate([(a, 0), (b, 1), (a, 2), (b, 3)]):
        if batch is a:
            assert umem[i, 500] == 0xEE
        else:
            want = _wire(batch, row)
            assert bytes(umem[i, : len(want)]) == want
    # many lengths with a TPLD: each TPLD lands in the tail, so it is rewritten
    c = _batch([300, 900, 1200, 700], width=48, tail=1200, tpld=20)
    for _ in range(2):
        _write_rows(umem, slice(0, 4), c, slice(0, 4), tails)
        for i in range(4):
            want = _wire(c, i)
            assert bytes(umem[i, : len(want)]) == want
