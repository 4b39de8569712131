"""Capture settings: every wrong value is refused with the field it belongs to."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirespeed.capture import (
    MAX_CAPTURE_BYTES,
    MAX_CAPTURE_FRAMES,
    CaptureConfig,
    CaptureFormat,
    CaptureMode,
    compile_filter,
    direction_guard,
)
from wirespeed.errors import ConfigError

P = Path("/nonexistent/c.pcapng")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"snaplen": 63}, "snaplen"),
        ({"snaplen": 262145}, "snaplen"),
        ({"limit_frames": 0}, "limit"),
        ({"limit_frames": MAX_CAPTURE_FRAMES + 1}, "limit"),
        ({"limit_bytes": 0}, "limit"),
        ({"limit_bytes": MAX_CAPTURE_BYTES + 1}, "limit"),
        ({"limit_bytes": MAX_CAPTURE_BYTES, "mode": "cyclic"}, "limit"),
        ({"directions": frozenset()}, "directions"),
        ({"directions": frozenset({"rx", "both"})}, "directions"),
        ({"filter": "udp and port"}, "filter"),
        ({"fmt": "erf"}, "format"),
        ({"mode": "ring"}, "mode"),
    ],
)
def test_wrong_values_name_their_field(kw: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as info:
        CaptureConfig.parse(P, **kw)  # type: ignore[arg-type]
    assert info.value.field == field


def test_defaults_and_limits_in_force() -> None:
    c = CaptureConfig.parse(P)
    assert (c.fmt, c.mode, c.snaplen) == (
        CaptureFormat.PCAPNG,
        CaptureMode.FIXED,
        65535,
    )
    assert (c.max_frames, c.max_bytes) == (MAX_CAPTURE_FRAMES, MAX_CAPTURE_BYTES)
    assert c.program == compile_filter("", snaplen=65535)
    cyc = CaptureConfig.parse(P, mode="cyclic", fmt="pcap", limit_frames=10)
    assert (cyc.fmt, cyc.mode) == (CaptureFormat.PCAP, CaptureMode.CYCLIC)
    assert (cyc.max_frames, cyc.max_bytes) == (10, MAX_CAPTURE_BYTES // 2)


def test_one_direction_guards_the_program() -> None:
    c = CaptureConfig.parse(P, filter="udp", snaplen=128, directions=frozenset({"tx"}))
    assert c.program == direction_guard(
        compile_filter("udp", snaplen=128), outgoing=True
    )
    rx = CaptureConfig.parse(P, directions=frozenset({"rx"}))
    assert rx.program == direction_guard(
        compile_filter("", snaplen=65535), outgoing=False
    )
