"""TRex stream JSON -> the shared :class:`wirespeed.model.Stream`, and back.

Translation only: :mod:`.stream_json` reads the stream (including the seed
document's older forms: ``packet.binary`` as byte values, ``rx_stats``,
``vm`` as a bare list, numbers as decimal strings); this module adds what depends on
the port, as TRex's server does:

* ``flags`` bit 0 = 0 writes the port's own MAC as source; dst mode 0 (and 2, ARP,
  once resolved) writes the port's configured destination MAC. The stream then
  carries the final bytes and "MACs from packet".
* ``flow_stats`` streams get a TPLD whose TID is the pg_id: **the last 20 bytes of
  each such frame are wirespeed's TPLD** (real TRex writes a 16-byte latency trailer
  there instead), so such frames must hold headers + 20 bytes + FCS.
* the seed's ``get_stream`` example gives the rate as ``mode.pps``; that shorthand
  (and ``bps_L1``/``bps_L2``/``percentage``) is read as ``mode.rate``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from wirespeed.errors import ConfigError, PacketError, ValidationError
from wirespeed.model import MacDstMode, Stream
from wirespeed.server.trex.stream_json import stream_from_trex_json
from wirespeed.tpld import TpldMode

if TYPE_CHECKING:
    from wirespeed.server.trex.frontend import TrexFrontEnd
    from wirespeed.server.trex.portview import PortView

__all__ = ["build_stream", "normalize_stream_json", "rebuild_port_streams"]

_RATE_KEYS = ("pps", "bps_L1", "bps_L2", "percentage")


def _fail(reason: str, where: str) -> ValidationError:
    return ValidationError(reason, field=f"stream.{where}")


def normalize_stream_json(raw: object) -> dict[str, Any]:
    """Read the seed's rate shorthand (``mode.pps`` ...) as ``mode.rate``.

    Returns a new object (the input is not modified).

    Raises:
        ValidationError: the stream is not an object.
    """
    if not isinstance(raw, dict):
        raise ValidationError("must be an object", field="stream")
    obj = dict(raw)
    mode = obj.get("mode")
    if isinstance(mode, dict) and "rate" not in mode:
        for key in _RATE_KEYS:
            if key in mode:
                rest = {k: v for k, v in mode.items() if k != key}
                obj["mode"] = {**rest, "rate": {"type": key, "value": mode[key]}}
                break
    return obj


def _mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def build_stream(
    view: PortView, raw: object, *, tpld: TpldMode, payload_checksum: bool = False
) -> Stream:
    """Translate one ``add_stream`` stream object for the port of ``view``.

    Args:
        view: the port's TRex state (MACs).
        raw: the stream object.
        tpld: the port's TPLD form (its size and highest TID).
        payload_checksum: the port's payload checksum is on.

    Raises:
        ValidationError: a field is missing, of a wrong type or impossible (the
            field is named as ``stream.<path>``), or flow-stats frames too small
            for the TPLD.
    """
    obj = normalize_stream_json(raw)
    try:
        stream = stream_from_trex_json(obj)
    except ConfigError as exc:
        where = exc.field or "stream"
        raise ValidationError(exc.reason, field=f"stream.{where}") from exc
    except PacketError as exc:
        raise ValidationError(str(exc), field="stream.packet") from exc
    packet = bytearray(stream.packet)
    if not stream.mac_src_from_packet:
        packet[6:12] = _mac_bytes(view.src_mac)
    if stream.mac_dst_mode is not MacDstMode.PACKET:
        packet[0:6] = _mac_bytes(view.dst_mac)
    changes: dict[str, Any] = {
        "packet": bytes(packet),
        "mac_src_from_packet": True,
        "mac_dst_mode": MacDstMode.PACKET,
    }
    if stream.flow_stats is not None:
        pg_id = stream.flow_stats.pg_id
        if pg_id > tpld.max_tid:
            raise ValidationError(
                f"pg_id {pg_id} is above {tpld.max_tid}, the highest TPLD id of port "
                f"{view.index}",
                field="stream.flow_stats.stream_id",
            )
        changes["tpld_id"] = pg_id
    try:
        final = dataclasses.replace(stream, **changes)
        if final.flow_stats is not None:
            final.validate_for_port(tpld.length, payload_checksum)
    except ConfigError as exc:
        where = exc.field or "stream"
        raise ValidationError(exc.reason, field=f"stream.{where}") from exc
    return final


def rebuild_port_streams(fe: TrexFrontEnd, port: int) -> None:
    """Translate a port's streams again after its MACs changed (``set_l2``/``l3``)."""
    view = fe.views[port]
    info = fe.tester.ports[port]
    for stream_id, obj in view.stream_json.items():
        stream = build_stream(
            view,
            obj,
            tpld=info.tpld_mode,
            payload_checksum=info.payload_checksum_offset > 0,
        )
        fe.tester.replace_stream(port, stream_id, stream)
