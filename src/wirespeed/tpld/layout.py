"""The test payload (TPLD) byte layout, its modes and a scalar codec.

The TPLD is the last ``mode.length`` bytes of a frame, just before the Ethernet FCS.
wirespeed's frame buffers carry no FCS, so it is the last bytes of the frame buffer.
All multi-byte fields are big-endian. Offsets below are from the TPLD start.

Normal TPLD, 20 bytes (``TpldMode.NORMAL``)::

    0  1  2 | 3  4  5  6 | 7  8 | 9    | 10 11 | 12 13 14 15 | 16 17 18 19
    seq(24) | ts16(32)   | TID  | PIoff| word  | CRC32       | ~CRC32

22-byte form (``TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM``, port P_CHECKSUM on): a
2-byte payload integrity checksum comes first, then the 20 bytes above (offsets +2).

``word`` (16 bits, MSB first): bit 15 first-packet flag, bit 14 checksum-enabled,
bits 13..7 reserved (0), bits 6..4 payload-integrity offset bits 10:9:8, bits 3..0
timestamp decimals. ``PIoff`` holds offset bits 7..0, so the offset is 11 bits
(0..2047), counted in bytes from the start of the frame.

Timestamp: the transmit time ``tx_ns`` is stored modulo 2**36 ns with full ns
precision: ``ts16 = (tx_ns >> 4) & 0xFFFFFFFF`` counts 16 ns units and the 4-bit
decimals hold ``tx_ns & 0xF``. Latency is ``(rx_ns - tx_ns) mod 2**36`` read as a
signed number, so any latency within +-34.36 s is exact to the ns (the counter wraps
every 68.7 s).

TPLD integrity checksum: ``CRC32`` is the standard CRC-32 (zlib) of TPLD bytes 0..11
(sequence through word; in the 22-byte form, of bytes 2..13: the payload checksum is
not covered). Bytes 12..15 hold it, bytes 16..19 hold its bitwise complement. A frame
whose bytes 12..19 are complementary but whose CRC does not match is a corrupted TPLD
(a random non-TPLD frame has them complementary with probability 2**-32); any other
mismatch means the frame carries no TPLD.

Payload integrity checksum (22-byte form): the RFC 1071 Internet checksum of the
frame bytes ``[PI offset, TPLD start)``, words counted from the PI offset; an empty
range gives 0xFFFF.

Micro TPLD, 6 bytes (``TpldMode.MICRO``), one 48-bit big-endian word: bit 47
first-packet flag, bit 46 reserved (0), bits 45..36 TID (0..1023), bits 35..8
timestamp ``(tx_ns >> 4) & 0x0FFFFFFF`` (16 ns units, wraps every 4.29 s, latency
read as signed within +-2.147 s, truncated to 16 ns), bits 7..0 the low 8 bits of the
CRC-32 of bytes 0..4. The micro form has no sequence number. Its 8-bit check cannot
tell a corrupted TPLD from a frame without one (1 in 256 random frames passes), so
receivers should only feed it frames of test streams.

TRex-style TPLD, 16 bytes (``TpldMode.TREX``): the layout of the latency header TRex
puts at the end of its flow-stats frames, little-endian fields, so TRex's 64-byte
latency frames fit::

    0     | 1     | 2  3       | 4  5  6  7 | 8 ... 15
    0xAB  | check | hw_id (LE) | seq (LE)   | ts (LE, ns)

``hw_id``: bit 15 first-packet flag, bits 14..0 the TID (0..0x7FFF). ``seq`` holds
the 24-bit sequence number (its top byte is 0). ``ts`` is the transmit time in ns
(decoded modulo 2**36, as the normal form). ``check`` (where TRex has its flow
sequence) is the low byte of the CRC-32 of bytes 2..15: a frame is a TPLD when the
magic, the check and the zero top byte of ``seq`` all match (a random frame does
with probability 2**-24); magic and zero byte without the check: a corrupted TPLD.

Sequence numbers are 24-bit and wrap from 0xFFFFFF to 0.
"""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass

from wirespeed.errors import ParseError, ValidationError

__all__ = [
    "MICRO_TID_MAX",
    "NORMAL_TID_MAX",
    "PI_OFFSET_MAX",
    "SEQ_MODULUS",
    "TREX_MAGIC",
    "TREX_TID_MAX",
    "TpldFields",
    "TpldMode",
]

SEQ_MODULUS = 1 << 24
"""Sequence numbers are 24-bit: they count modulo this."""
NORMAL_TID_MAX = 0xFFFF
"""Highest TID of the 20/22-byte TPLD."""
MICRO_TID_MAX = 0x3FF
"""Highest TID of the micro TPLD (10 bits)."""
TREX_TID_MAX = 0x7FFF
"""Highest TID of the TRex-style TPLD (15 bits)."""
TREX_MAGIC = 0xAB
"""First byte of a TRex-style TPLD."""
PI_OFFSET_MAX = 0x7FF
"""Highest payload-integrity offset (11 bits)."""

FLAG_FIRST = 0x8000
FLAG_CHECKSUM = 0x4000
RESERVED_MASK = 0x3F80


class TpldMode(enum.Enum):
    """Which TPLD form a port uses (one form per port)."""

    NORMAL = "normal"
    """20 bytes: sequence, timestamp, TID, flags, 8-byte checksum."""
    NORMAL_WITH_PAYLOAD_CHECKSUM = "normal_with_payload_checksum"
    """22 bytes: a 2-byte payload integrity checksum, then the 20 normal bytes."""
    MICRO = "micro"
    """6 bytes: flag, TID (10 bits), timestamp (28 bits), 8-bit checksum."""
    TREX = "trex"
    """16 bytes in the layout of TRex's latency header: magic, check, TID and
    flag, 32-bit sequence, 64-bit timestamp (the TRex front end's ports)."""

    @property
    def length(self) -> int:
        """TPLD size in bytes (20, 22 or 6)."""
        return _LENGTH[self]

    @property
    def has_sequence(self) -> bool:
        """True if the form carries a sequence number (not micro)."""
        return self is not TpldMode.MICRO

    @property
    def ts_bits(self) -> int:
        """The stored timestamp counts ns modulo ``2**ts_bits`` (36 or 32)."""
        return 32 if self is TpldMode.MICRO else 36

    @property
    def ts_resolution_ns(self) -> int:
        """Timestamp resolution in ns (1, or 16 for micro)."""
        return 16 if self is TpldMode.MICRO else 1

    @property
    def max_tid(self) -> int:
        """Highest TID this form can carry."""
        if self is TpldMode.TREX:
            return TREX_TID_MAX
        return MICRO_TID_MAX if self is TpldMode.MICRO else NORMAL_TID_MAX

    @property
    def check_index(self) -> int:
        """Index of a byte of the TPLD's own check (changing it breaks the TPLD)."""
        return 1 if self is TpldMode.TREX else self.length - 1

    @property
    def core_offset(self) -> int:
        """Offset of the sequence field (micro: of the word) within the TPLD."""
        return 2 if self is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM else 0


_LENGTH = {
    TpldMode.NORMAL: 20,
    TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM: 22,
    TpldMode.MICRO: 6,
    TpldMode.TREX: 16,
}


@dataclass(frozen=True, slots=True)
class TpldFields:
    """The fields of one TPLD (scalar codec for tests, tools and protocol code).

    Attributes:
        tid: test payload id (0..65535; micro 0..1023).
        seq: 24-bit sequence number (ignored and decoded as 0 in micro form).
        ts_ns: transmit time in ns. ``to_bytes`` stores it modulo ``2**36``
            (micro: modulo ``2**32``, truncated to 16 ns); ``from_bytes`` returns the
            stored value.
        is_first: first-packet flag.
        has_pi_checksum: the checksum-enabled flag (not in micro form).
        pi_offset: payload-integrity offset in bytes from the frame start (11 bits;
            not in micro form).
        pi_checksum: the payload integrity checksum (22-byte form only).
    """

    tid: int
    seq: int = 0
    ts_ns: int = 0
    is_first: bool = False
    has_pi_checksum: bool = False
    pi_offset: int = 0
    pi_checksum: int = 0

    def to_bytes(self, mode: TpldMode) -> bytes:
        """Encode these fields as a TPLD of form ``mode``.

        Raises:
            ValidationError: a field is out of range for the form (names the field).
        """
        if not 0 <= self.tid <= mode.max_tid:
            raise ValidationError(f"TID must be 0..{mode.max_tid}", field="tid")
        if self.ts_ns < 0:
            raise ValidationError("must be >= 0", field="ts_ns")
        if mode is TpldMode.MICRO:
            return _micro_to_bytes(self)
        if not 0 <= self.seq < SEQ_MODULUS:
            raise ValidationError("sequence must be 0..0xFFFFFF", field="seq")
        if mode is TpldMode.TREX:
            return _trex_to_bytes(self)
        if not 0 <= self.pi_offset <= PI_OFFSET_MAX:
            raise ValidationError("must be 0..2047", field="pi_offset")
        if not 0 <= self.pi_checksum <= 0xFFFF:
            raise ValidationError("must be 0..0xFFFF", field="pi_checksum")
        ts = self.ts_ns & ((1 << 36) - 1)
        word = (
            (FLAG_FIRST if self.is_first else 0)
            | (FLAG_CHECKSUM if self.has_pi_checksum else 0)
            | ((self.pi_offset >> 8) << 4)
            | (ts & 0xF)
        )
        core = (
            self.seq.to_bytes(3, "big")
            + (ts >> 4).to_bytes(4, "big")
            + self.tid.to_bytes(2, "big")
            + bytes([self.pi_offset & 0xFF])
            + word.to_bytes(2, "big")
        )
        crc = zlib.crc32(core)
        body = core + crc.to_bytes(4, "big") + (crc ^ 0xFFFFFFFF).to_bytes(4, "big")
        if mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM:
            return self.pi_checksum.to_bytes(2, "big") + body
        return body

    @classmethod
    def from_bytes(cls, data: bytes, mode: TpldMode) -> TpldFields:
        """Decode a TPLD of form ``mode`` (exactly ``mode.length`` bytes).

        Raises:
            ParseError: wrong length or TPLD checksum mismatch.
        """
        if len(data) != mode.length:
            raise ParseError(
                f"a {mode.value} TPLD is {mode.length} bytes, got {len(data)}",
                layer="tpld",
            )
        if mode is TpldMode.MICRO:
            return _micro_from_bytes(data)
        if mode is TpldMode.TREX:
            return _trex_from_bytes(data)
        off = mode.core_offset
        core = data[off : off + 12]
        crc = int.from_bytes(data[off + 12 : off + 16], "big")
        ncrc = int.from_bytes(data[off + 16 : off + 20], "big")
        if crc != zlib.crc32(core) or ncrc != crc ^ 0xFFFFFFFF:
            raise ParseError("TPLD checksum mismatch", offset=off + 12, layer="tpld")
        word = int.from_bytes(core[10:12], "big")
        ts = (int.from_bytes(core[3:7], "big") << 4) | (word & 0xF)
        return cls(
            tid=int.from_bytes(core[7:9], "big"),
            seq=int.from_bytes(core[0:3], "big"),
            ts_ns=ts,
            is_first=bool(word & FLAG_FIRST),
            has_pi_checksum=bool(word & FLAG_CHECKSUM),
            pi_offset=(((word >> 4) & 0x7) << 8) | core[9],
            pi_checksum=int.from_bytes(data[0:2], "big") if off else 0,
        )


def _micro_to_bytes(fields: TpldFields) -> bytes:
    ts16 = (fields.ts_ns >> 4) & 0x0FFFFFFF
    head = ((1 << 39) if fields.is_first else 0) | (fields.tid << 28) | ts16
    head_bytes = head.to_bytes(5, "big")
    return head_bytes + bytes([zlib.crc32(head_bytes) & 0xFF])


def _micro_from_bytes(data: bytes) -> TpldFields:
    if data[5] != zlib.crc32(data[:5]) & 0xFF:
        raise ParseError("micro TPLD checksum mismatch", offset=5, layer="tpld")
    head = int.from_bytes(data[:5], "big")
    return TpldFields(
        tid=(head >> 28) & MICRO_TID_MAX,
        ts_ns=(head & 0x0FFFFFFF) << 4,
        is_first=bool(head >> 39),
    )


def _trex_to_bytes(fields: TpldFields) -> bytes:
    hw_id = fields.tid | (0x8000 if fields.is_first else 0)
    body = (
        hw_id.to_bytes(2, "little")
        + fields.seq.to_bytes(4, "little")
        + (fields.ts_ns & ((1 << 64) - 1)).to_bytes(8, "little")
    )
    return bytes([TREX_MAGIC, zlib.crc32(body) & 0xFF]) + body


def _trex_from_bytes(data: bytes) -> TpldFields:
    if data[0] != TREX_MAGIC or data[7] != 0:
        raise ParseError("not a TRex-style TPLD", offset=0, layer="tpld")
    if data[1] != zlib.crc32(data[2:]) & 0xFF:
        raise ParseError("TRex-style TPLD check mismatch", offset=1, layer="tpld")
    hw_id = int.from_bytes(data[2:4], "little")
    return TpldFields(
        tid=hw_id & TREX_TID_MAX,
        seq=int.from_bytes(data[4:8], "little"),
        ts_ns=int.from_bytes(data[8:16], "little") & ((1 << 36) - 1),
        is_first=bool(hw_id & 0x8000),
    )
