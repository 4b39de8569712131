"""Before a start: every stream it sends compiles as its port's sender will
compile it. Without this a stream the field engine refuses would start, send
nothing and say so only in an event; with it the start itself is refused, naming
the port and the stream, for every front end. A stream checked once is not
checked again while it (and its port's TPLD settings) is unchanged."""

from __future__ import annotations

from wirespeed.errors import ValidationError
from wirespeed.fieldengine import compile_stream
from wirespeed.model import Stream, StreamEnable
from wirespeed.service.core import TesterCore
from wirespeed.service.plans import tid_of
from wirespeed.tpld import TpldMode

__all__ = ["BuildCheck"]

_Build = tuple[Stream, TpldMode | None, int]


class BuildCheck:
    """The streams checked so far, by (port, stream id)."""

    def __init__(self) -> None:
        self._done: dict[tuple[int, int], _Build] = {}

    def todo(self, core: TesterCore, ports: list[int]) -> list[tuple[int, int, _Build]]:
        """What a start of ``ports`` sends that was not checked yet (read under
        the tester's lock)."""
        out = []
        for i in ports:
            info = core.port(i).info
            for sid, stream in core.streams(i).items():
                if stream.enabled is StreamEnable.OFF:
                    continue
                mode = info.tpld_mode if tid_of(stream) >= 0 else None
                build = (stream, mode, info.payload_checksum_offset)
                done = self._done.get((i, sid))
                if done is None or done[0] is not stream or done[1:] != build[1:]:
                    out.append((i, sid, build))
        return out

    def check(self, todo: list[tuple[int, int, _Build]]) -> None:
        """Compile each.

        Raises:
            ValidationError: naming the port, the stream and what is wrong.
        """
        for i, sid, (stream, mode, pi_offset) in todo:
            # what the start itself checks first, with its own message
            stream.validate_for_port(0 if mode is None else mode.length, pi_offset > 0)
            try:
                compile_stream(stream, tpld_mode=mode, pi_offset=pi_offset)
            except ValidationError as exc:
                raise ValidationError(
                    f"port {i} stream {sid} cannot be built: {exc.reason}",
                    field=exc.field,
                ) from exc
            self._done[(i, sid)] = (stream, mode, pi_offset)
