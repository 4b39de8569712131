"""Keep the tester's streams in step with the Xena stream drafts.

Every PS_* set rebuilds the stream; a draft that cannot be built yet (the client is
still editing it) is held back from the tester, and the reason is kept. Starting
traffic validates every enabled stream and refuses (NOTVALID) with the reason when
one cannot be sent.
"""

from __future__ import annotations

import logging

from wirespeed.errors import BuildError, StateError, ValidationError
from wirespeed.model import Stream, StreamEnable
from wirespeed.model.stream import FCS_BYTES
from wirespeed.server.xena.build import build_stream
from wirespeed.server.xena.state import ChassisState
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.topology.links import max_frame_bytes

__all__ = ["prepare_port", "remove_stream", "sync_stream"]

log = logging.getLogger("wirespeed.xena")


def remove_stream(c: ChassisState, p: int, sid: int) -> None:
    """Delete stream ``sid`` from the draft set and from the tester.

    While the port sends, the tester keeps its streams; a disabled one (the only
    kind the client may delete then) leaves the tester when the port is idle again.
    """
    state = c.ports[p]
    state.streams.pop(sid, None)
    state.problems.pop(sid, None)
    state.deferred.discard(sid)
    if sid not in c.tester.streams(p):
        return
    if c.traffic_on(p):
        state.orphans.add(sid)
    else:
        c.tester.remove_stream(p, sid)


def _drop_orphans(c: ChassisState, p: int) -> None:
    state = c.ports[p]
    for sid in sorted(state.orphans):
        if sid not in state.streams and sid in c.tester.streams(p):
            c.tester.remove_stream(p, sid)
    state.orphans.clear()


def _build(c: ChassisState, p: int, sid: int) -> Stream:
    state = c.ports[p]
    return build_stream(
        state.streams[sid],
        state.random_seed,
        line_bps=c.tester.ports[p].speed_bps,
        gap_bytes=state.min_gap_bytes,
    )


def sync_stream(c: ChassisState, p: int, sid: int) -> None:
    """Rebuild stream ``sid`` of port ``p`` in the tester from its draft.

    A draft that does not build (or that the port rejects) is removed from the
    tester, and the reason is remembered for :func:`prepare_port`.
    """
    state = c.ports[p]
    state.orphans.discard(sid)
    present = sid in c.tester.streams(p)
    if present and c.traffic_on(p):
        # While the port sends, the tester takes ON <-> SUPPRESS and edits of a
        # stream that is off; anything else waits for the next start.
        try:
            c.tester.replace_stream(p, sid, _build(c, p, sid))
        except (StateError, ValidationError, BuildError):
            state.deferred.add(sid)
        else:
            state.deferred.discard(sid)
        return
    state.deferred.discard(sid)
    try:
        stream = _build(c, p, sid)
        if present:
            c.tester.replace_stream(p, sid, stream)
        else:
            c.tester.add_stream(p, sid, stream)
    except (ValidationError, BuildError) as exc:
        state.problems[sid] = str(exc)
        log.debug("port %d stream %d not sendable yet: %s", p, sid, exc)
        if present:
            c.tester.remove_stream(p, sid)
        return
    state.problems.pop(sid, None)


def _too_long(c: ChassisState, p: int, sid: int) -> str | None:
    """Why the stream's longest frames cannot leave the port (None: they can)."""
    stream = c.tester.streams(p)[sid]
    mtu = c.tester.link_mtu(p)
    limit = max_frame_bytes(mtu, stream.packet) + FCS_BYTES
    longest = stream.frame_length.largest_bytes
    if longest <= limit:
        return None
    return (
        f"PS_PACKETLENGTH: frames of up to {longest} bytes do not fit the port's "
        f"MTU {mtu} (at most {limit} bytes, FCS included)"
    )


def prepare_port(c: ChassisState, p: int) -> None:
    """Make sure every enabled stream of port ``p`` is in the tester, as drafted.

    Raises:
        XenaStatusError: NOTVALID naming the first stream that cannot be sent (a
            draft that does not build, or frames longer than the port's MTU lets
            out: the kernel would refuse them one by one).
    """
    state = c.ports[p]
    _drop_orphans(c, p)
    for sid in sorted(state.streams):
        if sid in state.deferred:
            sync_stream(c, p, sid)
        if state.streams[sid].enable is StreamEnable.OFF:
            continue
        sync_stream(c, p, sid)
        problem = state.problems.get(sid) or _too_long(c, p, sid)
        if problem is not None:
            slot, k = c.place_of(p)
            message = f"{slot}/{k} stream {sid} cannot be sent: {problem}"
            log.warning("xena: traffic not started: %s", message)
            raise XenaStatusError(Status.NOTVALID, message)
