"""TRex stream JSON -> the shared :class:`wirespeed.model.Stream`, and back.

Translation only: the model's ``Stream.from_trex_json`` reads the stream; this module
adds what depends on the port, as TRex's server does:

* ``flags`` bit 0 = 0 writes the port's own MAC as source; dst mode 0 (and 2, ARP,
  once resolved) writes the port's configured destination MAC. The stream then
  carries the final bytes and "MACs from packet".
* ``flow_stats`` streams get a TPLD whose TID is the pg_id: **the last 20 bytes of
  each such frame are wirespeed's TPLD** (real TRex writes a 16-byte latency trailer
  there instead).
* the seed document's older forms are accepted: ``packet.binary`` as an array of
  byte values, ``rx_stats`` instead of ``flow_stats``, ``vm`` as a bare instruction
  array, and a rate given as ``mode.pps`` (and the like).
"""

from __future__ import annotations

import base64
import dataclasses
from typing import TYPE_CHECKING, Any

from wirespeed.errors import ConfigError, PacketError, ValidationError
from wirespeed.model import MacDstMode, Stream

if TYPE_CHECKING:
    from wirespeed.server.trex.frontend import TrexFrontEnd
    from wirespeed.server.trex.portview import PortView

__all__ = ["build_stream", "normalize_stream_json", "rebuild_port_streams"]

_RATE_KEYS = ("pps", "bps_L1", "bps_L2", "percentage")


def _fail(reason: str, where: str) -> ValidationError:
    return ValidationError(reason, field=f"stream.{where}")


def normalize_stream_json(raw: object) -> dict[str, Any]:
    """Bring a stream object in the seed's older forms to the current TRex form.

    Returns a new object (the input is not modified).

    Raises:
        ValidationError: the stream is not an object, or ``packet.binary`` is neither
            base64 text nor an array of byte values.
    """
    if not isinstance(raw, dict):
        raise ValidationError("must be an object", field="stream")
    obj = dict(raw)
    packet = obj.get("packet")
    if not isinstance(packet, dict):
        raise _fail("must be an object", "packet")
    binary = packet.get("binary")
    if isinstance(binary, list):
        if not all(
            isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255
            for b in binary
        ):
            raise _fail("an array must hold byte values 0..255", "packet.binary")
        obj["packet"] = {
            **packet,
            "binary": base64.b64encode(bytes(binary)).decode(),
            "meta": packet.get("meta", ""),
        }
    elif not isinstance(binary, str):
        raise _fail("must be base64 text or an array of bytes", "packet.binary")
    if "flow_stats" not in obj and isinstance(obj.get("rx_stats"), dict):
        rx = obj.pop("rx_stats")
        if rx.get("enabled") is True:
            latency = bool(rx.get("latency_enabled") or rx.get("seq_enabled"))
            obj["flow_stats"] = {
                "enabled": True,
                "stream_id": rx.get("stream_id"),
                "rule_type": "latency" if latency else "stats",
            }
        else:
            obj["flow_stats"] = {"enabled": False}
    if isinstance(obj.get("vm"), list):
        obj["vm"] = {"instructions": obj["vm"]}
    mode = obj.get("mode")
    if isinstance(mode, dict) and "rate" not in mode:
        for key in _RATE_KEYS:
            if key in mode:
                obj["mode"] = {
                    **{k: v for k, v in mode.items() if k != key},
                    "rate": {"type": key, "value": mode[key]},
                }
                break
    return obj


def _mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def build_stream(view: PortView, raw: object) -> Stream:
    """Translate one ``add_stream`` stream object for the port of ``view``.

    Raises:
        ValidationError: a field is missing, of a wrong type or impossible (the
            field is named as ``stream.<path>``).
    """
    obj = normalize_stream_json(raw)
    try:
        stream = Stream.from_trex_json(obj)
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
        changes["tpld_id"] = stream.flow_stats.pg_id
    try:
        return dataclasses.replace(stream, **changes)
    except ConfigError as exc:
        where = exc.field or "stream"
        raise ValidationError(exc.reason, field=f"stream.{where}") from exc


def rebuild_port_streams(fe: TrexFrontEnd, port: int) -> None:
    """Translate a port's streams again after its MACs changed (``set_l2``/``l3``)."""
    view = fe.views[port]
    for stream_id, obj in view.stream_json.items():
        fe.tester.replace_stream(port, stream_id, build_stream(view, obj))
