"""Capture filters (tcpdump expressions) that keep frames with or without a TPLD.

A kernel filter cannot compute the TPLD's CRC, so it goes by the TPLD's shape: the
last 8 bytes of a 20/22-byte TPLD are a CRC and its complement, which a frame
without a TPLD shows with probability 2**-32 (see :mod:`wirespeed.tpld.layout`). The
TID sits 13 bytes before the end of the frame in both forms. The micro TPLD has no
such shape: no filter can tell its frames.
"""

from __future__ import annotations

from wirespeed.errors import ValidationError
from wirespeed.tpld.layout import TpldMode

__all__ = ["tpld_filter"]

_SHAPED = (TpldMode.NORMAL, TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM)
_TID_FROM_END = 13  # the TID's two bytes, counted back from the end of the frame


def tpld_filter(mode: TpldMode, *, with_tpld: bool, tid: int | None = None) -> str:
    """A tcpdump expression keeping the frames of a port of form ``mode`` that
    carry a TPLD (of TID ``tid``, if given), or (``with_tpld=False``) those that
    carry none.

    Raises:
        ValidationError: the micro or TRex-style form (no shape a filter can
            check), a TID outside the form, or a TID with ``with_tpld=False``.
    """
    if mode not in _SHAPED:
        raise ValidationError(
            f"frames with or without a {mode.value} TPLD cannot be told apart by "
            "a capture filter",
            field="tpld_mode",
        )
    shaped = "ether[len - 8 : 4] ^ ether[len - 4 : 4] = 0xffffffff"
    if not with_tpld:
        if tid is not None:
            raise ValidationError("a TID needs with_tpld", field="tid")
        return f"len < {mode.length} or not ({shaped})"
    expr = f"len >= {mode.length} and {shaped}"
    if tid is None:
        return expr
    if not 0 <= tid <= mode.max_tid:
        raise ValidationError(f"TID {tid} is outside 0..{mode.max_tid}", field="tid")
    return f"{expr} and ether[len - {_TID_FROM_END} : 2] = {tid}"
