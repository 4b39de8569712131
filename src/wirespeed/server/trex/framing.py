"""TRex's message framing: an optional zlib envelope around every ZeroMQ message.

A compressed message is ``struct.pack(">II", MAGIC, len(plain))`` followed by
``zlib.compress(plain)``. The TRex client compresses every request (its threshold is
0) and accepts either form in replies. A message whose first four bytes are not the
magic is plain JSON.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from wirespeed.errors import RemoteProtocolError

__all__ = [
    "MAGIC",
    "MAX_PLAIN_BYTES",
    "Unframed",
    "decode_frame",
    "encode_frame",
]

MAGIC = 0xABE85CEA
_HEADER = struct.Struct(">II")
#: The largest uncompressed request accepted (the client splits batches at ~500 kB).
MAX_PLAIN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Unframed:
    """A received message with its envelope removed.

    Attributes:
        payload: the plain JSON bytes.
        was_compressed: True if the message came in the zlib envelope (the reply
            then uses it too).
    """

    payload: bytes
    was_compressed: bool


def decode_frame(message: bytes, *, max_plain_bytes: int = MAX_PLAIN_BYTES) -> Unframed:
    """Remove the zlib envelope from ``message`` if it has one.

    Args:
        message: the raw ZeroMQ message.
        max_plain_bytes: refuse envelopes announcing (or inflating to) more.

    Returns:
        The plain payload and whether it was compressed.

    Raises:
        RemoteProtocolError: the envelope is truncated, corrupt, too large, or its
            length field does not match the inflated size.
    """
    if len(message) < _HEADER.size or _HEADER.unpack_from(message)[0] != MAGIC:
        return Unframed(bytes(message), False)
    _, declared = _HEADER.unpack_from(message)
    if declared > max_plain_bytes:
        raise RemoteProtocolError(
            f"compressed frame announces {declared} bytes, more than the "
            f"{max_plain_bytes}-byte limit"
        )
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(message[_HEADER.size :], declared + 1)
    except zlib.error as exc:
        raise RemoteProtocolError(f"compressed frame is not valid zlib: {exc}") from exc
    if not inflater.eof:
        if len(plain) > declared:
            raise RemoteProtocolError(
                f"compressed frame inflates to more than the announced {declared} bytes"
            )
        raise RemoteProtocolError(
            f"compressed frame is truncated: the zlib stream ends early "
            f"({len(plain)} of {declared} bytes inflated)"
        )
    if inflater.unused_data:
        raise RemoteProtocolError(
            f"compressed frame has {len(inflater.unused_data)} bytes after the zlib "
            "stream"
        )
    if len(plain) != declared:
        raise RemoteProtocolError(
            f"compressed frame length mismatch: header says {declared} bytes, "
            f"inflated {len(plain)}"
        )
    return Unframed(plain, True)


def encode_frame(payload: bytes, *, compress: bool) -> bytes:
    """Wrap ``payload`` in the zlib envelope (``compress=True``) or return it as is."""
    if not compress:
        return payload
    return _HEADER.pack(MAGIC, len(payload)) + zlib.compress(payload)
