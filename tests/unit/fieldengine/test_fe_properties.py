"""Hypothesis properties: modifier values stay in range, sizes stay in range."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP, UDP, Ether

from wirespeed.fieldengine import compile_stream
from wirespeed.model import FrameLength, LengthType, Modifier, ModifierAction, Stream
from wirespeed.model.modifiers import Endian

HDR = bytes(Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(sport=1, dport=2))


@st.composite
def modifiers(draw):
    extended = draw(st.booleans())
    width = 3 if extended else 2
    lo_bit = draw(st.integers(0, 8 * width - 1))
    hi_bit = draw(st.integers(lo_bit, 8 * width - 1))
    field_mask = ((1 << (hi_bit + 1)) - 1) & ~((1 << lo_bit) - 1)
    top = field_mask >> lo_bit
    step = draw(st.integers(1, max(1, top)))
    lo = draw(st.integers(0, top))
    count = draw(st.integers(0, (top - lo) // step))
    return Modifier(
        pos=draw(st.integers(0, len(HDR) - width)),
        mask=field_mask << (32 - 8 * width),
        action=draw(st.sampled_from(list(ModifierAction))),
        repeat=draw(st.integers(1, 4)),
        min_value=lo,
        step=step,
        max_value=lo + count * step,
        endian=Endian.BIG,
        is_extended=extended,
    )


@settings(max_examples=80, deadline=None)
@given(modifiers(), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_modifier_values_stay_on_their_mask_and_range(mod, n, seed):
    batch = compile_stream(Stream(packet=HDR, modifiers=(mod,)), seed=seed).next_batch(
        n
    )
    width = mod.width_bytes
    field = np.zeros(n, dtype=np.int64)
    for i in range(width):
        field = field << 8 | batch.data[:, mod.pos + i]
    tpl = int.from_bytes(HDR[mod.pos : mod.pos + width])
    mask = mod.field_mask
    assert ((field & ~mask) == (tpl & ~mask)).all()
    values = (field & mask) >> mod.shift
    if mod.action is ModifierAction.RANDOM:
        assert (values <= mod.value_max).all()
    else:
        assert (values >= mod.range_min).all()
        assert (values <= mod.range_max).all()
        assert ((values - mod.range_min) % mod.step == 0).all()
    # each value holds for `repeat` frames
    groups = values[: (n // mod.repeat) * mod.repeat].reshape(-1, mod.repeat)
    assert (groups == groups[:, :1]).all()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(LengthType)),
    st.integers(60, 400),
    st.integers(0, 300),
    st.integers(1, 200),
)
def test_sizes_stay_in_range(kind, lo, extra, n):
    length = FrameLength(kind, lo, lo + extra)
    gen = compile_stream(Stream(packet=HDR, length=length), seed=5)
    sizes = gen.next_batch(n).lengths + 4
    assert sizes.min() >= length.smallest_bytes
    assert sizes.max() <= length.largest_bytes
    assert gen.width == max(len(HDR), length.largest_bytes - 4)
