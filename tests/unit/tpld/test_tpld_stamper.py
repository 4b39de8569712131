"""The transmit-speed stamper writes exactly what the general encoder writes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirespeed.errors import ValidationError
from wirespeed.tpld import TpldFields, TpldMode, decode_batch, encode_batch
from wirespeed.tpld.stamper import TpldStamper


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(TpldMode)),
    st.integers(0, 0xFFFF),
    st.integers(0, (1 << 24) - 1),
    st.integers(1, 300),
    st.booleans(),
    st.integers(0, 2047),
    st.integers(0, 2**32 - 1),
)
def test_same_bytes_as_encode_batch(mode, tid, seq0, n, first, pio, seed):
    tid &= mode.max_tid
    if mode is TpldMode.MICRO:
        pio = 0
    rng = np.random.default_rng(seed)
    ts = rng.integers(0, 1 << 62, n, dtype=np.int64)
    width = 2100
    frames = np.zeros((n, width), dtype=np.uint8)
    frames[:, :2080] = rng.integers(0, 256, (n, 2080), dtype=np.uint8)
    encode_batch(
        frames, np.full(n, width), mode=mode, tid=tid, tx_ns=ts, seq=seq0,
        is_first=np.arange(n) == 0 if first else False, pi_offset=pio,
    )  # fmt: skip
    want = frames[:, width - mode.length :]
    # rows of a wider array: the stamper must honour the row stride
    out = np.full((n, mode.length + 5), 0xEE, dtype=np.uint8)[:, 2 : 2 + mode.length]
    pi = None
    if mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM:
        pi = (want[:, 0].astype(np.int64) << 8) | want[:, 1]
    TpldStamper(mode, pio).stamp(
        out, tid=tid, seq0=seq0, ts_ns=ts, is_first=first, pi_checksums=pi
    )
    assert out.tolist() == want.tolist()


def test_sequence_wraps_at_24_bits_within_a_batch():
    out = np.zeros((4, 20), dtype=np.uint8)
    ts = np.arange(4, dtype=np.int64) * 100
    TpldStamper(TpldMode.NORMAL).stamp(out, tid=5, seq0=0xFFFFFE, ts_ns=ts)
    frames = np.zeros((4, 80), dtype=np.uint8)
    frames[:, 60:] = out
    dec = decode_batch(frames, np.full(4, 80), TpldMode.NORMAL)
    assert dec.valid.all()
    assert dec.seq.tolist() == [0xFFFFFE, 0xFFFFFF, 0, 1]
    assert bytes(out[2]) == TpldFields(tid=5, seq=0, ts_ns=200).to_bytes(
        TpldMode.NORMAL
    )


def test_bad_arguments_name_the_field():
    st_ = TpldStamper(TpldMode.MICRO)
    ts = np.zeros(2, dtype=np.int64)
    with pytest.raises(ValidationError) as exc:
        st_.stamp(np.zeros((2, 6), np.uint8), tid=1024, seq0=0, ts_ns=ts)
    assert exc.value.field == "tid"
    with pytest.raises(ValidationError) as exc:
        st_.stamp(np.zeros((2, 20), np.uint8), tid=1, seq0=0, ts_ns=ts)
    assert exc.value.field == "out"
    with pytest.raises(ValidationError) as exc:
        TpldStamper(TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM).stamp(
            np.zeros((2, 22), np.uint8), tid=1, seq0=0, ts_ns=ts
        )
    assert exc.value.field == "pi_checksums"
    with pytest.raises(ValidationError) as exc:
        TpldStamper(TpldMode.NORMAL, pi_offset=4096)
    assert exc.value.field == "pi_offset"


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(TpldMode)),
    st.integers(0, (1 << 24) - 1),
    st.integers(1, 200),
    st.integers(0, 1 << 62),
    st.booleans(),
)
def test_one_time_for_all_rows_is_the_same_as_a_full_array(mode, seq0, n, t, first):
    """The transmitter stamps one time per batch: the scalar path, word sums too."""
    pi = np.arange(n, dtype=np.int64) if mode.length == 22 else None
    outs, sums = [], []
    for ts in (t, np.full(n, t, dtype=np.int64)):
        out = np.zeros((n, mode.length), dtype=np.uint8)
        stamper = TpldStamper(mode, 0)
        stamper.begin(out, tid=9, seq0=seq0, is_first=first, pi_checksums=pi,
                      want_sums=True)  # fmt: skip
        sums.append(stamper.static_sums + stamper.end(out, ts))
        outs.append(out)
    assert outs[0].tolist() == outs[1].tolist()
    assert sums[0] is not None
    assert sums[1] is not None
    assert (sums[0] % 0xFFFF).tolist() == (sums[1] % 0xFFFF).tolist()
    # the sums are the TPLDs' own word sums (without the payload checksum word)
    core = outs[0] if mode.length in (6, 16) else outs[0][:, mode.length - 20 :]
    words = core.view(">u2").astype(np.int64).sum(axis=1)
    assert (sums[0] % 0xFFFF).tolist() == (words % 0xFFFF).tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(list(TpldMode)),
    st.integers(0, (1 << 24) - 1),
    st.lists(st.integers(0, 40), min_size=1, max_size=6),
    st.integers(0, 1 << 62),
    st.booleans(),
    st.integers(0, 7),
    st.booleans(),
)
def test_parts_ended_with_one_time_each(mode, seq0, parts, t, first, skew, by_view):
    """A transmitter ends a batch a part at a time, one time per part
    (``end_next``, or ``end`` given the part's rows): every TPLD is what the
    general encoder writes for its part's time, in rows of any stride and
    alignment."""
    while parts and parts[-1] == 0:  # (nothing is left to end after the last row)
        parts.pop()
    n = sum(parts)
    if n == 0:
        return
    pi = np.arange(n, dtype=np.int64) + 7 if mode.length == 22 else None
    # rows 61 bytes apart, starting `skew` bytes in: words at every alignment
    buf = np.full((n, 61 + 8), 0xEE, dtype=np.uint8)
    out = buf[:, skew : skew + mode.length]
    stamper = TpldStamper(mode, 0)
    stamper.begin(out, tid=3, seq0=seq0, is_first=first, pi_checksums=pi,
                  want_sums=True)  # fmt: skip
    static = stamper.static_sums.copy()
    times = np.zeros(n, dtype=np.int64)
    sums = np.zeros(n, dtype=np.int64)
    start = 0
    for k, m in enumerate(parts):
        ts = t + k * 1_000_003
        times[start : start + m] = ts
        if by_view:
            got = stamper.end(out[start : start + m], ts, start)
        else:
            got = stamper.end_next(m, ts)
        sums[start : start + m] = got
        start += m
    frames = np.zeros((n, 40), dtype=np.uint8)
    encode_batch(
        frames, np.full(n, 40), mode=mode, tid=3, tx_ns=times, seq=seq0,
        is_first=np.arange(n) == 0 if first else False,
    )  # fmt: skip
    want = frames[:, 40 - mode.length :].copy()
    if pi is not None:
        want[:, 0:2] = pi.astype(">u2").view(np.uint8).reshape(n, 2)
    assert out.tolist() == want.tolist()
    assert (buf[:, :skew] == 0xEE).all()  # nothing outside the TPLDs
    assert (buf[:, skew + mode.length :] == 0xEE).all()
    core = want if mode.length in (6, 16) else want[:, mode.length - 20 :]
    words = core.view(">u2").astype(np.int64).sum(axis=1)
    assert ((static + sums) % 0xFFFF).tolist() == (words % 0xFFFF).tolist()


def test_ending_rows_that_were_not_begun_is_refused():
    out = np.zeros((4, 20), dtype=np.uint8)
    stamper = TpldStamper(TpldMode.NORMAL)
    stamper.begin(out, tid=1, seq0=0)
    with pytest.raises(ValidationError) as exc:  # a copy: not the rows begun
        stamper.end(out[:2].copy(), 5, 0)
    assert exc.value.field == "out"
    with pytest.raises(ValidationError):  # more rows than are left
        stamper.end_next(5, 5)
    stamper.end_next(2, 5)
    with pytest.raises(ValidationError):  # the next rows are 2...
        stamper.end(out[0:2], 5, 0)
    stamper.end(out[2:], 6, 2)
    dec = decode_batch(np.pad(out, ((0, 0), (40, 0))), np.full(4, 60), TpldMode.NORMAL)
    assert dec.valid.all()
    assert dec.seq.tolist() == [0, 1, 2, 3]
    assert dec.ts_ns.tolist() == [5, 5, 6, 6]


@pytest.mark.parametrize(
    ("seq0", "n"),
    [
        (0xFFFF - 2, 7),  # the sequence's top byte changes inside the batch
        (0xFFFFFE, 5),  # the sequence wraps at 24 bits
        (0x12FFF0, 0x10000 + 40),  # more rows than one table run: three runs
    ],
)
def test_batches_across_sequence_runs(seq0, n):
    """begin() writes each run of rows sharing the sequence's top byte from the
    tables; where the runs meet, every TPLD is still the general encoder's."""
    out = np.zeros((n, 20), dtype=np.uint8)
    stamper = TpldStamper(TpldMode.NORMAL)
    stamper.begin(out, tid=0x1A5, seq0=seq0)
    half = n // 2
    stamper.end_next(half, 1_000_000_007)
    stamper.end_next(n - half, 2_000_000_011)
    times = np.where(np.arange(n) < half, 1_000_000_007, 2_000_000_011)
    frames = np.zeros((n, 20), dtype=np.uint8)
    encode_batch(frames, np.full(n, 20), mode=TpldMode.NORMAL, tid=0x1A5,
                 tx_ns=times, seq=seq0)  # fmt: skip
    assert out.tolist() == frames.tolist()
    dec = decode_batch(frames, np.full(n, 20), TpldMode.NORMAL)
    assert dec.seq[:3].tolist() == [seq0, (seq0 + 1) & 0xFFFFFF, (seq0 + 2) & 0xFFFFFF]
    assert int(dec.seq[-1]) == (seq0 + n - 1) & 0xFFFFFF
