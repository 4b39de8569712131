"""What a capture is asked to do, checked once (no sockets, no files).

Front ends build a :class:`CaptureConfig` from a request and get a
:class:`~wirespeed.errors.ConfigError` naming the field (``filter``, ``snaplen``,
``limit``, ``directions``, ``format``, ``mode``) before anything is opened; the
service worker opens a :class:`~wirespeed.capture.session.CaptureSession` from it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from wirespeed.capture.bpf import (
    MAX_SNAPLEN,
    BpfProgram,
    compile_filter,
    direction_guard,
)
from wirespeed.capture.pcapfile import CaptureFormat
from wirespeed.errors import ConfigError

__all__ = [
    "DIRECTIONS",
    "MAX_CAPTURE_BYTES",
    "MAX_CAPTURE_FRAMES",
    "MIN_SNAPLEN",
    "CaptureConfig",
    "CaptureMode",
]

MAX_CAPTURE_BYTES = 1 << 30
"""The most frame bytes a capture file holds (a fixed capture keeps that many, a
cyclic one half: its file holds up to twice what it keeps)."""
MAX_CAPTURE_FRAMES = 1 << 24
"""The most frames one capture keeps."""
MIN_SNAPLEN = 64
DIRECTIONS = frozenset({"rx", "tx"})
_E = TypeVar("_E", bound=enum.Enum)


class CaptureMode(enum.Enum):
    """What happens at the limit.

    FIXED: the first frames are kept; the capture is done at the limit.
    CYCLIC: the latest frames are kept; older ones make room for them.
    """

    FIXED = "fixed"
    CYCLIC = "cyclic"


@dataclass(frozen=True)
class CaptureConfig:
    """A capture's settings, validated.

    Attributes:
        path: the file the frames go to.
        filter: a tcpdump filter expression (empty: every frame).
        snaplen: bytes kept of each frame (64 to 262144); ``orig_len`` keeps the
            frame's real length.
        limit_frames: the most frames kept (None: no frame limit).
        limit_bytes: the most frame bytes kept (None: :data:`MAX_CAPTURE_BYTES`,
            half that in cyclic mode).
        directions: ``"rx"`` (frames the interface receives), ``"tx"`` (frames
            this host sends on it) or both.
        fmt: the file format.
        mode: fixed or cyclic.
        program: the compiled filter (set from the others).

    Raises:
        ConfigError: a value is out of range or the filter does not compile.
    """

    path: Path
    filter: str = ""
    snaplen: int = 65535
    limit_frames: int | None = None
    limit_bytes: int | None = None
    directions: frozenset[str] = DIRECTIONS
    fmt: CaptureFormat = CaptureFormat.PCAPNG
    mode: CaptureMode = CaptureMode.FIXED
    program: BpfProgram = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not MIN_SNAPLEN <= self.snaplen <= MAX_SNAPLEN:
            raise ConfigError(
                f"{self.snaplen}: {MIN_SNAPLEN} to {MAX_SNAPLEN} bytes", field="snaplen"
            )
        _check_limit("frames", self.limit_frames, MAX_CAPTURE_FRAMES)
        _check_limit("bytes", self.limit_bytes, self._most_bytes)
        if not self.directions or not self.directions <= DIRECTIONS:
            raise ConfigError(
                f"{sorted(self.directions)}: 'rx', 'tx' or both", field="directions"
            )
        program = compile_filter(self.filter, snaplen=self.snaplen)
        if self.directions != DIRECTIONS:
            program = direction_guard(program, outgoing="tx" in self.directions)
        object.__setattr__(self, "program", program)

    @classmethod
    def parse(
        cls,
        path: Path,
        *,
        filter: str = "",
        snaplen: int = 65535,
        limit_frames: int | None = None,
        limit_bytes: int | None = None,
        directions: frozenset[str] = DIRECTIONS,
        fmt: CaptureFormat | str = CaptureFormat.PCAPNG,
        mode: CaptureMode | str = CaptureMode.FIXED,
    ) -> CaptureConfig:
        """Settings with the format and the mode also given by name."""
        return cls(
            path,
            filter,
            snaplen,
            limit_frames,
            limit_bytes,
            frozenset(directions),
            _enum(CaptureFormat, fmt, "format"),
            _enum(CaptureMode, mode, "mode"),
        )

    @property
    def max_frames(self) -> int:
        """The frame limit in force."""
        return MAX_CAPTURE_FRAMES if self.limit_frames is None else self.limit_frames

    @property
    def max_bytes(self) -> int:
        """The byte limit in force."""
        return self._most_bytes if self.limit_bytes is None else self.limit_bytes

    @property
    def _most_bytes(self) -> int:
        if self.mode is CaptureMode.CYCLIC:
            return MAX_CAPTURE_BYTES // 2
        return MAX_CAPTURE_BYTES


def _check_limit(what: str, value: int | None, most: int) -> None:
    if value is not None and not 1 <= value <= most:
        raise ConfigError(f"{value} {what}: 1 to {most}", field="limit")


def _enum(kind: type[_E], value: _E | str, name: str) -> _E:
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(repr(m.value) for m in kind)
        raise ConfigError(f"{value!r}: one of {names}", field=name) from None
