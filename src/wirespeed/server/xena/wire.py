"""Framing of the Xena XOA binary protocol (TCP 22606).

Every message is a 16-byte big-endian header ``!4sHHHBBI`` (magic ``XENA``, number of
indices, number of value bytes, command parameter, module, port, request id), then
the indices (u32 each), the value bytes and zero padding up to a multiple of 4. The
command parameter packs a 12-bit command (or status) code and the 4-bit message type:
bits 0-7 code low byte, bits 8-11 type, bits 12-15 code bits 8-11.

:class:`MessageReader` cuts a byte stream into messages; it never raises: a header
without the magic becomes a :class:`BadHeader` and the reader skips to the next magic.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

__all__ = [
    "HEADER",
    "MAGIC",
    "NO_INDEX",
    "WILDCARD",
    "BadHeader",
    "Message",
    "MessageReader",
    "MsgType",
    "encode_message",
]

HEADER = struct.Struct("!4sHHHBBI")
MAGIC = b"XENA"
NO_INDEX = 0xFF
WILDCARD = 0xFE


class MsgType(enum.IntEnum):
    """Message types (bits 8-11 of the command parameter)."""

    CHAIN = 1
    QUERY = 2
    VALUE = 3
    STATUS = 4


@dataclass(frozen=True)
class Message:
    """One protocol message.

    Attributes:
        msg_type: the raw 4-bit type (a :class:`MsgType` value when valid).
        code: the command code, or the status code of a STATUS message.
        module: module index (0xFF = none, 0xFE = wildcard).
        port: port index (0xFF = none).
        request_id: the client's request id (0 = unsolicited push).
        indices: the sub-indices.
        value: the value bytes, without padding.
    """

    msg_type: int
    code: int
    module: int
    port: int
    request_id: int
    indices: tuple[int, ...] = ()
    value: bytes = b""


@dataclass(frozen=True)
class BadHeader:
    """Bytes that do not start with the magic word (``request_id`` best effort)."""

    request_id: int
    skipped: int


def _padded(n: int) -> int:
    return n + (-n % 4)


def encode_message(msg: Message) -> bytes:
    """Serialize a message with its header and padding.

    Args:
        msg: the message; ``code`` < 4096, ``msg_type`` < 16.

    Returns:
        The bytes to send.
    """
    param = (msg.code & 0xFF) | ((msg.msg_type & 0xF) << 8) | ((msg.code & 0xF00) << 4)
    body = struct.pack(f"!{len(msg.indices)}I", *msg.indices) + msg.value
    head = HEADER.pack(
        MAGIC,
        len(msg.indices),
        len(msg.value),
        param,
        msg.module,
        msg.port,
        msg.request_id,
    )
    return head + body + b"\0" * (-len(body) % 4)


class MessageReader:
    """Incremental decoder: feed it bytes, get complete messages back.

    Pipelined requests in one segment and messages split across segments both work.
    The buffer never holds more than one message (at most 16 + 4*65535 + 65535 + 3
    bytes) plus what the caller fed.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete message."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Message | BadHeader]:
        """Add received bytes; return every message completed by them.

        Args:
            data: the bytes just received.

        Returns:
            Messages and bad-header markers, in stream order.
        """
        self._buf += data
        out: list[Message | BadHeader] = []
        while len(self._buf) >= HEADER.size:
            if self._buf[:4] != MAGIC:
                out.append(self._resync())
                continue
            _, n_idx, n_val, param, module, port, req = HEADER.unpack_from(self._buf)
            body_len = _padded(4 * n_idx + n_val)
            if len(self._buf) < HEADER.size + body_len:
                break
            body = bytes(self._buf[HEADER.size : HEADER.size + body_len])
            del self._buf[: HEADER.size + body_len]
            indices = struct.unpack_from(f"!{n_idx}I", body)
            out.append(
                Message(
                    msg_type=(param >> 8) & 0xF,
                    code=(param & 0xFF) | ((param >> 4) & 0xF00),
                    module=module,
                    port=port,
                    request_id=req,
                    indices=indices,
                    value=body[4 * n_idx : 4 * n_idx + n_val],
                )
            )
        return out

    def _resync(self) -> BadHeader:
        request_id = int.from_bytes(self._buf[12:16], "big")
        nxt = self._buf.find(MAGIC, 1)
        if nxt < 0:
            # keep a tail that could be the start of a magic word split in two
            keep = next(
                (k for k in (3, 2, 1) if MAGIC.startswith(bytes(self._buf[-k:]))), 0
            )
            skipped = len(self._buf) - keep
        else:
            skipped = nxt
        del self._buf[:skipped]
        return BadHeader(request_id=request_id, skipped=skipped)
