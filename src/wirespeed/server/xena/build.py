"""Turn a Xena stream draft into the tester's :class:`wirespeed.model.Stream`.

Validation errors are re-raised with ``field`` naming the Xena command at fault
(``PS_MODIFIER [1].mask``, ``PS_PACKETLENGTH.min_bytes``...), so the NOTVALID a
client gets at traffic start comes with a log line saying what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from wirespeed.errors import ValidationError
from wirespeed.model import (
    L1_OVERHEAD_BYTES,
    FrameLength,
    Modifier,
    ModifierAction,
    Payload,
    Rate,
    RateUnit,
    Stream,
    TxMode,
)
from wirespeed.model.rate import convert_rate
from wirespeed.server.xena.draft import DraftModifier, RateKind, StreamDraft

__all__ = ["build_stream"]

T = TypeVar("T")
_STREAM_FIELDS = {
    "packet": "PS_PACKETHEADER",
    "segments": "PS_HEADERPROTOCOL",
    "tpld_id": "PS_TPLDID",
    "name": "PS_COMMENT",
    "length": "PS_PACKETLENGTH",
    "payload": "PS_PAYLOAD",
    "mode": "PS_PACKETLIMIT",
    "rate": "PS_RATEFRACTION",
}
_MOD_FIELD = re.compile(r"modifiers\[(\d+)\]\.?(.*)")


def _at(command: str, make: Callable[[], T]) -> T:
    try:
        return make()
    except ValidationError as exc:
        name = f"{command}.{exc.field}" if exc.field else command
        raise ValidationError(exc.reason, field=name) from exc


def _modifier(m: DraftModifier, *, extended: bool) -> Modifier:
    ranged = m.range_set and m.action is not ModifierAction.RANDOM
    return Modifier(
        pos=m.position,
        mask=int.from_bytes(m.mask, "big"),
        action=m.action,
        repeat=m.repetition,
        min_value=m.min_val if ranged else None,
        step=m.step if ranged else 1,
        max_value=m.max_val if ranged else None,
        endian=m.endian,
        is_extended=extended,
    )


def _rate(draft: StreamDraft, line_bps: int, gap_bytes: int) -> Rate:
    if draft.rate_kind is RateKind.PPS:
        return Rate(RateUnit.PPS, draft.rate_pps)
    if draft.rate_kind is RateKind.L2_BPS:
        return Rate(RateUnit.L2_BPS, draft.rate_l2_bps)
    if gap_bytes != L1_OVERHEAD_BYTES and draft.rate_ppm > 0 and line_bps > 0:
        # a fraction of a line whose frames are ``gap_bytes`` apart: more frames
        # per second than at the standard gap (a shorter one), or fewer
        pps = convert_rate(
            draft.rate_ppm, RateUnit.PPM, RateUnit.PPS, line_bps,
            draft.mean_frame_bytes(), overhead_bytes=gap_bytes,
        )  # fmt: skip
        return Rate(RateUnit.PPS, pps)
    return Rate(RateUnit.PPM, draft.rate_ppm)


def _stream_field(field: str, n_std: int) -> str:
    m = _MOD_FIELD.match(field)
    if m:
        i = int(m[1])
        where = f"PS_MODIFIER [{i}]" if i < n_std else f"PS_MODIFIEREXT [{i - n_std}]"
        return f"{where}.{m[2]}" if m[2] else where
    head = field.split(".")[0].split("[")[0]
    command = _STREAM_FIELDS.get(head, "PS_PACKETHEADER")
    return f"{command}.{field}"


def build_stream(
    draft: StreamDraft,
    random_seed: int = 0,
    *,
    line_bps: int = 0,
    gap_bytes: int = L1_OVERHEAD_BYTES,
) -> Stream:
    """Build the stream a draft describes.

    Args:
        draft: the Xena stream values.
        random_seed: the port's P_RANDOMSEED.
        line_bps: the port's nominal speed (for a rate fraction at a gap other
            than the standard one).
        gap_bytes: the port's P_INTERFRAMEGAP.

    Returns:
        The validated stream.

    Raises:
        ValidationError: the draft cannot be sent as it is; ``field`` names the Xena
            command at fault.
    """
    rate_cmd = {
        RateKind.FRACTION_PPM: "PS_RATEFRACTION",
        RateKind.PPS: "PS_RATEPPS",
        RateKind.L2_BPS: "PS_RATEL2BPS",
    }[draft.rate_kind]
    rate = _at(rate_cmd, lambda: _rate(draft, line_bps, gap_bytes))
    mods = [
        _at(f"PS_MODIFIER [{i}]", lambda m=m: _modifier(m, extended=False))  # type: ignore[misc]
        for i, m in enumerate(draft.modifiers)
    ]
    mods += [
        _at(f"PS_MODIFIEREXT [{i}]", lambda m=m: _modifier(m, extended=True))  # type: ignore[misc]
        for i, m in enumerate(draft.ext_modifiers)
    ]
    length = _at(
        "PS_PACKETLENGTH",
        lambda: FrameLength(draft.length_type, draft.length_min, draft.length_max),
    )
    payload = _at(
        "PS_PAYLOAD",
        lambda: Payload(draft.payload_type, draft.payload_pattern),
    )
    mode = _at(
        "PS_PACKETLIMIT",
        lambda: (
            TxMode.single_burst(draft.packet_limit)
            if draft.packet_limit > 0
            else TxMode.continuous()
        ),
    )
    try:
        return Stream(
            packet=draft.header,
            segments=tuple(draft.segments),
            name=draft.comment,
            enabled=draft.enable,
            tpld_id=draft.tpld_id,
            length=length,
            payload=payload,
            rate=rate,
            mode=mode,
            modifiers=tuple(mods),
            random_seed=random_seed & 0xFFFFFFFF,
        )
    except ValidationError as exc:
        field = _stream_field(exc.field or "", len(draft.modifiers))
        raise ValidationError(exc.reason, field=field) from exc
