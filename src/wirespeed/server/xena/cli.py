"""The Xena text CLI server (TCP 22611): netcat-friendly scripting sessions.

One command per line: ``[m[/p]] NAME [idx[,idx]] values`` sets (answered ``<OK>``
or ``<STATUS>``), ``... ?`` queries (answered with the command line and its values,
so a reply can be fed back as input). Helper commands: ``SYNC`` (``<SYNC>``),
``SYNC ON``/``SYNC OFF`` (a ``<SYNC>`` line after every answer), ``HELP`` /
``HELP "P_"``, ``WAIT n`` (seconds, at most 60). A malformed line gets a caret
under the first bad column and ``#Syntax error in column N``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from wirespeed.errors import WirespeedError
from wirespeed.server.xena._runner import LoopThreadServer
from wirespeed.server.xena.chassis import XenaChassis, server_chassis
from wirespeed.server.xena.profile import ChassisProfile
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.syntax import CliLine, CliSyntaxError, parse_line
from wirespeed.server.xena.table import CommandSpec, Scope
from wirespeed.server.xena.values import format_text, parse_text

if TYPE_CHECKING:
    from wirespeed.service import Tester

__all__ = ["CLI_PORT", "CliAnswer", "XenaCliServer", "answer_line", "help_lines"]

log = logging.getLogger("wirespeed.xena")
CLI_PORT = 22611
MAX_LINE_BYTES = 1 << 16
MAX_WAIT_S = 60


class CliAnswer:
    """What to send back for one line, and what to do next.

    Attributes:
        lines: reply lines (without line endings).
        close: close the connection after sending.
        wait_s: sleep this long before sending (WAIT).
    """

    def __init__(
        self, lines: list[str], *, close: bool = False, wait_s: float = 0.0
    ) -> None:
        self.lines = lines
        self.close = close
        self.wait_s = wait_s


def _syntax(exc: CliSyntaxError) -> list[str]:
    return [" " * (exc.column - 1) + "^", f"#{exc.kind} error in column {exc.column}"]


def _prefix(line: CliLine) -> str:
    if line.module is None:
        return ""
    if line.port is None:
        return f"{line.module} "
    return f"{line.module}/{line.port} "


def help_lines(chassis: XenaChassis, start: str = "") -> list[str]:
    """HELP output: one line per command whose name starts with ``start``."""
    out: list[str] = []
    names = ("[sid]", "[sid,sub]")
    for name in sorted(chassis.by_name):
        if not name.startswith(start.upper()):
            continue
        spec = chassis.by_name[name]
        where = {Scope.CHASSIS: "", Scope.MODULE: "m ", Scope.PORT: "m/p "}[spec.scope]
        idx = f" {names[spec.n_indices - 1]}" if spec.n_indices else ""
        fields = spec.set_fields if spec.set_fields is not None else spec.get_fields
        types = ",".join(f.type_letter for f in fields or ())
        access = ("get" if spec.getter else "") + (
            "/set" if spec.setter and spec.getter else "set" if spec.setter else ""
        )
        out.append(f"{where}{name}{idx} {types or '-'} ({access}): {spec.help}")
    if not start:
        out += [
            "SYNC [ON|OFF]: <SYNC> now, or after every answer",
            'HELP ["PREFIX"]: this list',
            "WAIT n: answer <OK> after n seconds (n <= 60)",
        ]
    return out


def _helper(
    chassis: XenaChassis, session: XenaSession, line: CliLine
) -> CliAnswer | None:
    if line.module is not None or line.indices:
        return None
    words = [t.text.upper() for t in line.values]
    if line.name == "SYNC":
        if words in ([], ["?"]):
            return CliAnswer(["<SYNC>"])
        if words in (["ON"], ["OFF"]):
            session.sync_on = words == ["ON"]
            return CliAnswer(["<OK>"])
        raise CliSyntaxError("SYNC [ON|OFF]", line.values[0].column)
    if line.name == "HELP":
        start = line.values[0].text if line.values and not line.query else ""
        return CliAnswer(help_lines(chassis, start) or ["<BADPARAMETER>"])
    if line.name == "WAIT":
        if len(line.values) != 1 or not line.values[0].text.isdigit():
            raise CliSyntaxError("WAIT seconds", line.name_column + 5)
        return CliAnswer(["<OK>"], wait_s=min(int(line.values[0].text), MAX_WAIT_S))
    return None


def answer_line(chassis: XenaChassis, session: XenaSession, text: str) -> CliAnswer:
    """Answer one CLI line (never raises for bad input).

    Args:
        chassis: the command layer.
        session: the connection's session.
        text: the line without its line ending.
    """
    try:
        line = parse_line(text)
        if line is None:
            return CliAnswer([""] if not text.strip() else [])
        helper = _helper(chassis, session, line)
        if helper is not None:
            return helper
        if not session.logged_on and line.name != "C_LOGON":
            return CliAnswer(["<NOTLOGGEDON>"], close=True)
        spec = chassis.spec_for(line.name)
        _check_prefix(spec, line)
        _, values = chassis.execute(
            session,
            line.name,
            is_set=not line.query,
            slot=line.module,
            port=line.port,
            indices=line.indices,
            decode=lambda fields: parse_text(fields, line.values, line.end_column),
        )
        if values is None:
            return CliAnswer(["<OK>"], close=session.logging_off)
        assert spec.get_fields is not None
        idx = f" [{','.join(map(str, line.indices))}]" if line.indices else ""
        body = format_text(spec.get_fields, values)
        return CliAnswer([f"{_prefix(line)}{spec.name}{idx} {body}".rstrip()])
    except CliSyntaxError as exc:
        return CliAnswer(_syntax(exc))
    except XenaStatusError as exc:
        return CliAnswer([f"<{exc.status.name}>"])
    except WirespeedError as exc:
        log.warning("cli %s: %r failed: %s", session.peer, text, exc)
        return CliAnswer([f"<{Status.FAILED.name}>"])
    except Exception:  # a bug must cost one <FAILED>, never the session
        log.exception("cli %s: %r crashed", session.peer, text)
        return CliAnswer([f"<{Status.FAILED.name}>"])


def _check_prefix(spec: CommandSpec, line: CliLine) -> None:
    if spec.scope is Scope.CHASSIS and line.module is not None:
        raise CliSyntaxError("chassis commands take no module/port", 1, kind="Index")
    if spec.scope is Scope.MODULE and line.port is not None:
        raise CliSyntaxError("module commands take no port", 1, kind="Index")


class XenaCliServer(LoopThreadServer):
    """The Xena text CLI server of one tester.

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
        port: int = CLI_PORT,
        *,
        chassis: XenaChassis | None = None,
        profile: ChassisProfile | None = None,
    ) -> None:
        super().__init__(bind, port, "xena-cli", line_limit=MAX_LINE_BYTES)
        self.chassis = server_chassis(tester, chassis, profile)

    async def serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        """Serve one connection until logoff, idle timeout or disconnect."""
        session = XenaSession("cli", peer)
        self.chassis.open_session(session)
        log.info("cli session %d from %s", session.id, peer)
        try:
            while True:
                raw = await self._read_line(reader, session)
                if raw is None:
                    return
                text = raw.decode("latin-1").rstrip("\r\n")
                answer = await asyncio.to_thread(
                    answer_line, self.chassis, session, text
                )
                if answer.wait_s:
                    await asyncio.sleep(answer.wait_s)
                lines = answer.lines + (["<SYNC>"] if session.sync_on else [])
                writer.write(
                    "".join(f"{x}\n" for x in lines).encode("ascii", "replace")
                )
                await writer.drain()
                if answer.close:
                    return
        finally:
            self.chassis.close_session(session)
            log.info("cli session %d closed", session.id)

    async def _read_line(
        self, reader: asyncio.StreamReader, session: XenaSession
    ) -> bytes | None:
        try:
            return await asyncio.wait_for(reader.readuntil(b"\n"), session.timeout_s)
        except TimeoutError:
            log.info("cli session %d idle: closed", session.id)
            return None
        except asyncio.IncompleteReadError as exc:
            return exc.partial or None
        except asyncio.LimitOverrunError:
            # a line longer than the limit: drop it, answer a syntax error
            while True:
                chunk = await reader.read(MAX_LINE_BYTES)
                if not chunk or b"\n" in chunk:
                    break
            return b"\x00" * 1 + b"\n"
