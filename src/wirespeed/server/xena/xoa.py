"""The XOA binary protocol server (TCP 22606), for the official Python clients.

Each connection is a session: requests are parsed from the byte stream (pipelined
batches and split messages both work), run in order through the shared
:class:`~wirespeed.server.xena.chassis.XenaChassis`, and answered by request id: a
get with a VALUE message, a set with STATUS OK, anything wrong with the matching
STATUS code. Every request gets an answer. Pushes (request id 0) carry P_TRAFFIC and
reservation changes.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import TYPE_CHECKING

from wirespeed.errors import WirespeedError
from wirespeed.server.xena._runner import LoopThreadServer
from wirespeed.server.xena.chassis import XenaChassis, server_chassis
from wirespeed.server.xena.profile import ChassisProfile
from wirespeed.server.xena.session import Push, XenaSession
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.values import decode_binary, encode_binary
from wirespeed.server.xena.wire import (
    NO_INDEX,
    WILDCARD,
    BadHeader,
    Message,
    MessageReader,
    MsgType,
    encode_message,
)

if TYPE_CHECKING:
    from wirespeed.service import Tester

__all__ = ["XOA_PORT", "XoaServer", "answer_message"]

log = logging.getLogger("wirespeed.xena")
XOA_PORT = 22606
READ_CHUNK = 1 << 16


def _status(msg: Message, status: Status) -> bytes:
    return encode_message(
        Message(MsgType.STATUS, int(status), msg.module, msg.port, msg.request_id)
    )


def _place(value: int) -> int | None:
    if value == NO_INDEX:
        return None
    if value == WILDCARD:
        raise XenaStatusError(Status.NOTSUPPORTED, "wildcard module/port")
    return value


def answer_message(chassis: XenaChassis, session: XenaSession, msg: Message) -> bytes:
    """Run one request and return the encoded answer (never raises for bad input).

    Args:
        chassis: the command layer.
        session: the connection's session.
        msg: the request.

    Returns:
        A VALUE message (get) or a STATUS message (set, error).
    """
    if msg.msg_type not in (MsgType.QUERY, MsgType.VALUE):
        return _status(msg, Status.BADCOMMAND)
    is_set = msg.msg_type == MsgType.VALUE
    try:
        spec, values = chassis.execute(
            session,
            msg.code,
            is_set=is_set,
            slot=_place(msg.module),
            port=_place(msg.port),
            indices=msg.indices,
            decode=lambda fields: decode_binary(fields, msg.value),
        )
        if values is None:
            return _status(msg, Status.OK)
        assert spec.get_fields is not None
        body = encode_binary(spec.get_fields, values)
        return encode_message(
            Message(
                MsgType.VALUE,
                msg.code,
                msg.module,
                msg.port,
                msg.request_id,
                msg.indices,
                body,
            )
        )
    except XenaStatusError as exc:
        return _status(msg, exc.status)
    except (WirespeedError, struct.error, ValueError, OverflowError) as exc:
        log.exception("xoa %s: command %d failed: %s", session.peer, msg.code, exc)
        return _status(msg, Status.FAILED)
    except Exception:  # a bug must cost one FAILED answer, never the session
        log.exception("xoa %s: command %d crashed", session.peer, msg.code)
        return _status(msg, Status.FAILED)


class XoaServer(LoopThreadServer):
    """The XOA binary server of one tester.

    Args:
        tester: the tester service.
        bind: address to listen on.
        port: TCP port (0 = any free port).
        chassis: the command layer, shared with the tester's other Xena server
            (default: a new one of this server's own).
        profile: the chassis model (module slots, module revision...) of a new
            chassis.

    Raises:
        ValueError: ``chassis`` was given with another profile.
    """

    def __init__(
        self,
        tester: Tester,
        bind: str = "127.0.0.1",
        port: int = XOA_PORT,
        *,
        chassis: XenaChassis | None = None,
        profile: ChassisProfile | None = None,
    ) -> None:
        super().__init__(bind, port, "xena-xoa")
        self.chassis = server_chassis(tester, chassis, profile)

    def start(self) -> None:
        """Start serving (and delivering pushes); returns once listening."""
        self.chassis.start()
        super().start()

    def close(self) -> None:
        """Close every connection, stop listening and stop delivering pushes."""
        super().close()
        self.chassis.close()

    async def serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        """Serve one connection until logoff, idle timeout or disconnect."""
        loop = asyncio.get_running_loop()

        def push(item: Push) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._write_push, writer, item)

        session = XenaSession("xoa", peer, push=push)
        decoder = MessageReader()
        self.chassis.open_session(session)
        log.info("xoa session %d from %s", session.id, peer)
        try:
            while not session.logging_off:
                try:
                    data = await asyncio.wait_for(
                        reader.read(READ_CHUNK), session.timeout_s
                    )
                except TimeoutError:
                    log.info("xoa session %d idle for %ss: closed", session.id,
                             session.timeout_s)  # fmt: skip
                    return
                if not data:
                    return
                items = decoder.feed(data)
                if items:
                    out = await asyncio.to_thread(self._answer_all, session, items)
                    writer.write(out)
                    await writer.drain()
        finally:
            self.chassis.close_session(session)
            log.info("xoa session %d closed", session.id)

    def _answer_all(
        self, session: XenaSession, items: list[Message | BadHeader]
    ) -> bytes:
        out = bytearray()
        for item in items:
            if session.logging_off:
                break
            if isinstance(item, BadHeader):
                log.info("xoa %s: %d bytes without the XENA magic skipped",
                         session.peer, item.skipped)  # fmt: skip
                bad = Message(MsgType.STATUS, int(Status.BADHEADER), NO_INDEX,
                              NO_INDEX, item.request_id)  # fmt: skip
                out += encode_message(bad)
                continue
            out += answer_message(self.chassis, session, item)
        if any(isinstance(i, Message) and i.msg_type == MsgType.VALUE for i in items):
            self.chassis.flush_pushes()  # a set's pushes go out before its reply
        return bytes(out)

    def _write_push(self, writer: asyncio.StreamWriter, item: Push) -> None:
        if writer.is_closing():
            return
        spec = self.chassis.by_name[item.name]
        assert spec.get_fields is not None
        msg = Message(
            MsgType.VALUE,
            spec.code,
            NO_INDEX if item.slot is None else item.slot,
            NO_INDEX if item.port_in_module is None else item.port_in_module,
            0,
            (),
            encode_binary(spec.get_fields, item.values),
        )
        writer.write(encode_message(msg))
