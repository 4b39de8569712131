"""Stream methods: add, remove, list and read back streams (one profile per port)."""

from __future__ import annotations

from typing import Any

from wirespeed.errors import StateError, ValidationError
from wirespeed.model import Stream
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.params import Params
from wirespeed.server.trex.readings import pg_rx_now, read_stream_tx
from wirespeed.server.trex.stream_json import stream_to_trex_json
from wirespeed.server.trex.streams import build_stream
from wirespeed.topology.links import max_frame_bytes

__all__ = ["register", "remove_streams", "stream_json"]

_MAX_STREAM_ID = 0x7FFFFFFF


def stream_json(fe: TrexFrontEnd, port: int, stream_id: int) -> dict[str, Any]:
    """A stream as TRex JSON: what ``add_stream`` stored, or the model's rendering
    for a stream another front end added."""
    stored = fe.views[port].stream_json.get(stream_id)
    if stored is not None:
        return stored
    return stream_to_trex_json(fe.tester.streams(port)[stream_id])


def _check_size(fe: TrexFrontEnd, port: int, stream: Stream) -> None:
    limit = max_frame_bytes(fe.mtu(port), stream.packet)
    if len(stream.packet) > limit:
        raise ValidationError(
            f"a {len(stream.packet)}-byte packet does not fit port {port}: its MTU "
            f"{fe.mtu(port)} allows frames of at most {limit} bytes (FCS excluded)",
            field="stream.packet.binary",
        )


def _add_stream(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    profile = fe.profile(p, port)
    stream_id = p.int("stream_id", lo=0, hi=_MAX_STREAM_ID)
    if "stream" not in p.raw:
        raise ValidationError("missing", field="stream")
    raw = p.raw["stream"]
    if fe.tester.port_state(port).name in ("TX", "PAUSE"):
        raise StateError(
            f"port {port} is transmitting: streams can be added once it stops",
            port=port,
        )
    if stream_id in fe.tester.streams(port):
        raise ValidationError(
            f"stream {stream_id} already exists on port {port}", field="stream_id"
        )
    view = fe.views[port]
    info = fe.tester.ports[port]
    stream = build_stream(
        port,
        raw,
        tpld=info.tpld_mode,
        payload_checksum=info.payload_checksum_offset > 0,
    )
    _check_size(fe, port, stream)
    key = (port, stream_id)
    flow = stream.flow_stats
    if flow is not None:
        fe.pgs.check_add(flow.pg_id, flow.is_latency, key)
    fe.tester.add_stream(port, stream_id, stream)
    view.stream_json[stream_id] = raw
    view.profile_id = profile
    if flow is not None:
        rx_now, hist_now = pg_rx_now(fe, flow.pg_id)
        fe.pgs.add(flow.pg_id, flow.is_latency, key, rx_now=rx_now, hist_now=hist_now)
        view.pg_of_stream[stream_id] = flow.pg_id
    return {}


def remove_streams(fe: TrexFrontEnd, port: int, stream_ids: list[int]) -> None:
    """Remove streams from a port, keeping their packet-group TX counts."""
    view = fe.views[port]
    for stream_id in stream_ids:
        sent = (0, 0)
        if stream_id in view.pg_of_stream:
            sent = read_stream_tx(fe, port, stream_id).totals
        fe.tester.remove_stream(port, stream_id)
        fe.pgs.remove((port, stream_id), sent)
        view.pg_of_stream.pop(stream_id, None)
        view.stream_json.pop(stream_id, None)
    if not fe.tester.streams(port):
        view.profile_id = None


def _remove_stream(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    stream_id = p.int("stream_id", lo=0, hi=_MAX_STREAM_ID)
    if stream_id not in fe.tester.streams(port):
        raise ValidationError(
            f"stream {stream_id} does not exist on port {port}", field="stream_id"
        )
    remove_streams(fe, port, [stream_id])
    return {}


def _remove_all_streams(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    profile = p.str("profile_id", default="_", max_len=128)
    held = fe.views[port].profile_id
    if profile == "*" or held is None or profile == held:
        remove_streams(fe, port, sorted(fe.tester.streams(port)))
    return {}


def _check_profile_read(fe: TrexFrontEnd, p: Params, port: int) -> bool:
    """True if the (optional) profile_id names the port's profile, or all."""
    profile = p.str("profile_id", default="*", max_len=128)
    held = fe.views[port].profile_id or "_"
    return profile in ("*", held)


def _get_stream_list(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    if not _check_profile_read(fe, p, port):
        return []
    return sorted(fe.tester.streams(port))


def _get_stream(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    stream_id = p.int("stream_id", lo=0, hi=_MAX_STREAM_ID)
    if stream_id not in fe.tester.streams(port) or not _check_profile_read(fe, p, port):
        raise ValidationError(
            f"stream {stream_id} does not exist on port {port}", field="stream_id"
        )
    return {"stream": stream_json(fe, port, stream_id)}


def _get_all_streams(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    streams: dict[str, Any] = {}
    if _check_profile_read(fe, p, port):
        streams = {
            str(sid): stream_json(fe, port, sid)
            for sid in sorted(fe.tester.streams(port))
        }
    profile = fe.views[port].profile_id or "_"
    return {"profiles": {profile: streams} if streams else {}, "streams": streams}


def _get_profile_list(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    if not fe.tester.streams(port):
        return []
    return [fe.views[port].profile_id or "_"]


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["add_stream"] = Method(_add_stream)
    table["remove_stream"] = Method(_remove_stream)
    table["remove_all_streams"] = Method(_remove_all_streams)
    table["get_stream_list"] = Method(_get_stream_list)
    table["get_stream"] = Method(_get_stream)
    table["get_all_streams"] = Method(_get_all_streams)
    table["get_profile_list"] = Method(_get_profile_list)
