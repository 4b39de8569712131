"""A flow's frames: the template and the field-engine program that generates its
lengths, changing fields and checksums (pure).

* Lengths: written into the template when every frame has the same size, else
  from the trim variable (:data:`.sizes.SIZE_VAR`) with ``write_flow_var``'s
  ``add_value``, so every frame carries its own.
* Checksums, innermost header first: a ``good`` one that is the same in every frame
  is computed here into the template; one that changes (a field in its range
  changes, sizes vary, or a test payload (TPLD) with its sequence and timestamp is
  behind it) is the engine's, as the TRex front end does it:
  ``fix_checksum_hw`` for UDP/TCP (which also fixes the IPv4 header in front) and
  ``fix_checksum_ipv4`` for an IPv4 header alone. ``bad`` is the good value plus
  one (one's complement, never 0), ``custom`` the value given.
* Refused (the engine would overwrite or cannot know the value): a ``bad``
  checksum over bytes that change from frame to frame, and a ``bad`` or ``custom``
  IPv4 header checksum in front of a UDP/TCP checksum the engine computes.
"""

from __future__ import annotations

from wirespeed.fieldengine import static_payload
from wirespeed.model import (
    FCS_BYTES,
    FixChecksumHw,
    FixChecksumIpv4,
    Instruction,
    L4Type,
    Payload,
    TrimPktSize,
    WriteFlowVar,
)
from wirespeed.packet.checksum import ipv4_header_checksum, l4_checksum
from wirespeed.server.otg.errors import OtgError
from wirespeed.server.otg.fields import is_constant, program
from wirespeed.server.otg.headers import Checksum, Headers
from wirespeed.server.otg.sizes import SIZE_VAR, Sizes

__all__ = ["bad_checksum", "build_frames"]

_L4 = {"udp": (L4Type.UDP, 17), "tcp": (L4Type.TCP, 6)}


def bad_checksum(good: int) -> int:
    """A checksum that no receiver takes for ``good`` (0 and 0xFFFF are the same
    one's complement number, and a UDP checksum of 0 means none)."""
    bad = (good % 0xFFFF + 1) % 0xFFFF
    return bad or 1


class _Frames:
    """The template being built and what changes in it."""

    def __init__(self, headers: Headers, sizes: Sizes, payload: Payload, tpld: bool):
        self.headers = headers
        self.sizes = sizes
        self.payload = payload
        self.tpld = tpld
        self.template = bytearray(headers.template)
        self.program: list[Instruction] = []
        self.changing: list[tuple[int, int]] = []  # byte ranges
        self.hw_ipv4: set[int] = set()  # IPv4 headers fix_checksum_hw fixes

    def lengths(self) -> None:
        var = self.sizes.var
        if var is not None:
            self.program += [var, TrimPktSize(SIZE_VAR)]
        for length in self.headers.lengths:
            if var is None:
                value = self.sizes.smallest - FCS_BYTES + length.delta
                self._put(length.offset, value)
            else:
                self.program.append(
                    WriteFlowVar(SIZE_VAR, length.offset, add_value=length.delta)
                )
                self.changing.append((length.offset, length.offset + 2))

    def fields(self) -> None:
        for f in self.headers.fields:
            self.program += program(f.name, f.seq, f.pos, f.bits, f.path)
            if not is_constant(f.seq):
                self.changing.append((f.pos // 8, (f.pos + f.bits + 7) // 8))

    def checksums(self) -> None:
        for c in reversed(self.headers.checksums):  # innermost first
            if c.kind == "ipv4":
                self._ipv4(c)
            else:
                self._l4(c)

    def _changes(self, start: int, end: int | None = None) -> bool:
        return any(hi > start and (end is None or lo < end) for lo, hi in self.changing)

    def _ipv4_len(self, off: int) -> int:
        return max(20, (self.template[off] & 0x0F) * 4)

    def _ipv4(self, c: Checksum) -> None:
        end = c.header + self._ipv4_len(c.header)
        header = bytes(self.template[c.header : end])
        good = ipv4_header_checksum(header)
        dynamic = self._changes(c.header, end)
        if c.mode == "good":
            self._put(c.offset, good)
            if dynamic and c.header not in self.hw_ipv4:
                self.program.append(FixChecksumIpv4(c.header))
                self.changing.append((c.offset, c.offset + 2))
            return
        if c.header in self.hw_ipv4:
            raise OtgError(
                f"{c.path}: a {_what(c.mode)} IPv4 header checksum in front of a "
                "UDP/TCP checksum computed for each frame is not supported"
            )
        self._put(c.offset, self._fixed_value(c, good, dynamic))

    def _l4(self, c: Checksum) -> None:
        if c.ip is None:  # no IP header in front: no pseudo-header to sum
            self._put(c.offset, c.mode if isinstance(c.mode, int) else 0)
            return
        l4_type, proto = _L4[c.kind]
        dynamic = self.tpld or self.sizes.var is not None or self._changes(c.ip)
        if c.mode == "good" and dynamic:
            self.program.append(FixChecksumHw(c.ip, c.header - c.ip, l4_type))
            self.changing.append((c.offset, c.offset + 2))
            if self.headers.kinds.get(c.ip) == "ipv4":
                self.hw_ipv4.add(c.ip)
            return
        good = 0
        if not dynamic:
            frame = self._whole_frame()
            ip_end = c.ip + (
                40 if self.headers.kinds.get(c.ip) == "ipv6" else self._ipv4_len(c.ip)
            )
            good = l4_checksum(frame[c.ip : ip_end], frame[c.header :], proto)
        self._put(c.offset, self._fixed_value(c, good, dynamic))

    def _fixed_value(self, c: Checksum, good: int, dynamic: bool) -> int:
        if isinstance(c.mode, int):
            return c.mode
        if c.mode == "good":
            return good
        if dynamic:
            raise OtgError(
                f"{c.path}: a bad checksum over bytes that change from frame to "
                "frame (changing fields or sizes, or the test payload of metrics) "
                "is not supported"
            )
        return bad_checksum(good)

    def _whole_frame(self) -> bytes:
        """Frame 0 with its payload (every frame, when nothing changes)."""
        fill = self.sizes.smallest - FCS_BYTES - len(self.template)
        kind, pattern = self.payload.kind, self.payload.pattern
        return bytes(self.template) + static_payload(kind, pattern, fill).tobytes()

    def _put(self, offset: int, value: int) -> None:
        self.template[offset : offset + 2] = value.to_bytes(2, "big")


def _what(mode: str | int) -> str:
    return "custom" if isinstance(mode, int) else str(mode)


def build_frames(
    headers: Headers, sizes: Sizes, payload: Payload, *, tpld: bool
) -> tuple[bytes, tuple[Instruction, ...]]:
    """The template and field-engine program of a flow's frames.

    Args:
        headers: the flow's headers (:func:`.headers.read_headers`).
        sizes: its frame sizes; the smallest must hold the headers and FCS.
        payload: what fills the frames behind the headers.
        tpld: whether a test payload (metrics) ends each frame.

    Raises:
        OtgError: a checksum the engine cannot make (see the module docstring),
            or a field pattern it cannot produce.
    """
    frames = _Frames(headers, sizes, payload, tpld)
    frames.lengths()
    frames.fields()
    frames.checksums()
    return bytes(frames.template), tuple(frames.program)
