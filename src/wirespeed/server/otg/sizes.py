"""OTG frame sizes (``flows[i].size``, FCS included) for the one engine (pure).

A flow of one size is a ``FIXED`` frame length. A flow whose sizes vary gets both:

* the model's :class:`~wirespeed.model.FrameLength` that describes them (``RANDOM``
  uniform in min..max, ``INCREMENTING``, or ``MIX`` of (size, weight) pairs: a size
  increment by more than 1 is a mix of equal weights), which the service converts
  rates and checks ports with;
* a TRex-style trim variable, ``size``, that sets each frame's length (FCS
  excluded) in the same order, so that the lengths the headers carry are written
  from it (``write_flow_var`` with ``add_value``).

Weights are counted to 1/100 (OTG's predefined mixes are given that way) and the
frames of one cycle of a mix are interleaved as the engine interleaves ``MIX``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from wirespeed.fieldengine import mix_cycle
from wirespeed.model import (
    FCS_BYTES,
    MAX_FRAME_BYTES,
    MIN_FRAME_BYTES,
    FlowVar,
    FlowVarOp,
    FrameLength,
    LengthType,
)
from wirespeed.server.otg.errors import OtgError
from wirespeed.server.otg.fields import MAX_LIST

__all__ = ["PREDEFINED_MIXES", "SIZE_VAR", "Sizes", "read_size"]

SIZE_VAR = "size"
"""The flow variable that holds each frame's length (FCS excluded)."""
PREDEFINED_MIXES: dict[str, tuple[tuple[int, float], ...]] = {
    "imix": ((64, 7), (570, 4), (1518, 1)),
    "ipsec_imix": ((90, 58.67), (92, 2), (594, 23.66), (1418, 15.67)),
    "ipv6_imix": ((60, 58.67), (496, 2), (594, 23.66), (1518, 15.67)),
    "standard_imix": ((58, 58.67), (62, 2), (594, 23.66), (1518, 15.67)),
    "tcp_imix": ((90, 58.67), (92, 2), (594, 23.66), (1518, 15.67)),
}
"""OTG's ``weight_pairs.predefined`` (size with FCS, weight), as its model says."""
_WEIGHT_SCALE = 100


@dataclass(frozen=True)
class Sizes:
    """A flow's frame sizes.

    Attributes:
        length: the sizes as the model's frame-length pattern (FCS included).
        var: the trim variable when sizes vary (lengths without FCS), else None.
    """

    length: FrameLength
    var: FlowVar | None = None

    @property
    def smallest(self) -> int:
        """Smallest frame, FCS included."""
        return self.length.smallest_bytes

    @property
    def largest(self) -> int:
        """Largest frame, FCS included."""
        return self.length.largest_bytes


def _check(size: int, path: str) -> int:
    if not MIN_FRAME_BYTES <= size <= MAX_FRAME_BYTES:
        raise OtgError(
            f"{path}: {size} bytes not in {MIN_FRAME_BYTES}..{MAX_FRAME_BYTES}"
        )
    return size


def read_size(size: Any, path: str) -> Sizes:
    """Read ``flows[i].size`` (``path`` names it).

    Raises:
        OtgError: sizes out of range, an empty or reversed range, bad weights.
    """
    choice = str(size.choice)
    if choice == "fixed":
        return Sizes(FrameLength.fixed(_check(int(size.fixed), f"{path}.fixed")))
    if choice == "increment":
        return _increment(size.increment, f"{path}.increment")
    if choice == "random":
        return _random(size.random, f"{path}.random")
    return _weights(size.weight_pairs, f"{path}.weight_pairs")


def _increment(inc: Any, path: str) -> Sizes:
    start = _check(int(inc.start), f"{path}.start")
    end = _check(int(inc.end), f"{path}.end")
    step = int(inc.step)
    if end < start:
        raise OtgError(f"{path}.end: {end} < start {start}")
    if step < 1:
        raise OtgError(f"{path}.step: must be at least 1")
    sizes = range(start, end + 1, step)
    if len(sizes) == 1:
        return Sizes(FrameLength.fixed(start))
    last = sizes[-1]
    if step == 1:
        length = FrameLength(LengthType.INCREMENTING, start, last)
    else:
        mix = tuple((s, 1) for s in sizes)
        length = FrameLength(LengthType.MIX, start, last, mix=mix)
    var = FlowVar(
        SIZE_VAR,
        size=2,
        op=FlowVarOp.INC,
        min_value=start - FCS_BYTES,
        max_value=last - FCS_BYTES,
        step=step,
    )
    return Sizes(length, var)


def _random(rnd: Any, path: str) -> Sizes:
    lo = _check(int(rnd.min), f"{path}.min")
    hi = _check(int(rnd.max), f"{path}.max")
    if hi < lo:
        raise OtgError(f"{path}.max: {hi} < min {lo}")
    if hi == lo:
        return Sizes(FrameLength.fixed(lo))
    var = FlowVar(
        SIZE_VAR,
        size=2,
        op=FlowVarOp.RANDOM,
        min_value=lo - FCS_BYTES,
        max_value=hi - FCS_BYTES,
    )
    return Sizes(FrameLength(LengthType.RANDOM, lo, hi), var)


def _weights(pairs: Any, path: str) -> Sizes:
    if str(pairs.choice) == "predefined":
        raw = PREDEFINED_MIXES[str(pairs.predefined)]
        where = f"{path}.predefined"
    else:
        where = f"{path}.custom"
        raw = tuple((int(p.size), float(p.weight)) for p in pairs.custom)
    mix: list[tuple[int, int]] = []
    for k, (size, weight) in enumerate(raw):
        scaled = round(weight * _WEIGHT_SCALE)
        if weight < 0 or (weight > 0 and scaled == 0):
            raise OtgError(f"{where}[{k}].weight: {weight} (weights count to 0.01)")
        if scaled:
            mix.append((_check(size, f"{where}[{k}].size"), scaled))
    if not mix:
        raise OtgError(f"{where}: needs a size of weight > 0")
    common = math.gcd(*(w for _, w in mix))
    mix = [(s, w // common) for s, w in mix]
    cycle = sum(w for _, w in mix)
    if cycle > MAX_LIST:
        raise OtgError(
            f"{where}: weights of {cycle} frames a cycle, at most {MAX_LIST}"
        )
    sizes = [s for s, _ in mix]
    if len(set(sizes)) == 1:
        return Sizes(FrameLength.fixed(sizes[0]))
    length = FrameLength(LengthType.MIX, min(sizes), max(sizes), mix=tuple(mix))
    lengths = tuple(int(s) - FCS_BYTES for s in mix_cycle(length.mix))
    return Sizes(length, FlowVar(SIZE_VAR, size=2, value_list=lengths))
