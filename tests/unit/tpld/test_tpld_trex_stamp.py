"""TRex-style TPLDs stamped a part at a time equal the plain encoder, byte for byte,
and their word sums are the sums of their bytes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirespeed.tpld.codec import trex_tplds
from wirespeed.tpld.trex_stamp import stamp_trex


def _plain(tid: int, ts: np.ndarray | int, first: bool, seqs: np.ndarray) -> np.ndarray:
    flags = np.zeros(len(seqs), dtype=bool)
    flags[:1] = first
    return trex_tplds(np.int64(tid), np.asarray(ts, dtype=np.int64), flags, seqs)


@settings(max_examples=200, deadline=None)
@given(
    tid=st.integers(0, 0x7FFF),
    ts=st.integers(0, 2**63 - 1),
    first=st.booleans(),
    seq0=st.one_of(
        st.integers(0, (1 << 24) - 1),
        st.sampled_from([0xFFFF - 7, 0x1FFFF - 200, (1 << 24) - 9]),  # run edges
    ),
    n=st.integers(1, 300),
    per_row=st.booleans(),
    width=st.integers(16, 40),
)
def test_stamps_equal_the_plain_encoder(
    tid: int, ts: int, first: bool, seq0: int, n: int, per_row: bool, width: int
) -> None:
    seqs = (np.arange(n, dtype=np.int64) + seq0) & ((1 << 24) - 1)  # wraps at 2**24
    times: np.ndarray | int = (
        (np.arange(n, dtype=np.int64) * 977 + ts) & (2**63 - 1) if per_row else ts
    )
    frames = np.full((n, width), 0x5A, dtype=np.uint8)  # TPLDs in the last 16 bytes
    out = frames[:, width - 16 :]
    sums = stamp_trex(out, tid, times, first, seq0)
    assert out.tobytes() == _plain(tid, times, first, seqs).tobytes()
    assert (frames[:, : width - 16] == 0x5A).all()
    assert sums is not None
    assert sums.tolist() == out.view(">u2").astype(np.int64).sum(axis=1).tolist()


def test_no_sums_when_not_wanted() -> None:
    out = np.zeros((3, 16), dtype=np.uint8)
    seqs = np.arange(3, dtype=np.int64)
    assert stamp_trex(out, 7, 5, False, 0, want_sums=False) is None
    assert out.tobytes() == _plain(7, 5, False, seqs).tobytes()


@pytest.mark.parametrize("tid", [0, 1, 0x7FFF])
def test_first_flag_on_row_zero_only(tid: int) -> None:
    out = np.zeros((2, 16), dtype=np.uint8)
    stamp_trex(out, tid, 123, True, 0)
    hw = out[:, 2:4].copy().view("<u2")[:, 0]
    assert hw.tolist() == [tid | 0x8000, tid]
