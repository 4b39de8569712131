"""TRex stream JSON -> the shared :class:`wirespeed.model.Stream`, and back.

Translation only: :mod:`.stream_json` reads the stream (including the seed
document's older forms: ``packet.binary`` as byte values, ``rx_stats``,
``vm`` as a bare list, numbers as decimal strings); this module adds what depends on
the port, as TRex's server does:

* ``flags`` bit 0 and dst mode pass through to the stream: the tester writes the
  port's MACs when a job starts (its own as source; as destination the port's
  destination MAC, which is the resolved gateway in L3 mode). TRex's dst mode 2
  ("ARP-resolved") is that same destination, so it becomes ``MacDstMode.PORT``.
* ``flow_stats`` streams get a TPLD whose TID is the pg_id: **the last 20 bytes of
  each such frame are wirespeed's TPLD** (real TRex writes a 16-byte latency trailer
  there instead), so such frames must hold headers + 20 bytes + FCS.
* the seed's ``get_stream`` example gives the rate as ``mode.pps``; that shorthand
  (and ``bps_L1``/``bps_L2``/``percentage``) is read as ``mode.rate``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wirespeed.errors import ConfigError, PacketError, ValidationError
from wirespeed.model import MacDstMode, Stream
from wirespeed.server.trex.stream_json import stream_from_trex_json
from wirespeed.tpld import TpldMode

__all__ = ["build_stream", "normalize_stream_json"]

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


def build_stream(
    port: int, raw: object, *, tpld: TpldMode, payload_checksum: bool = False
) -> Stream:
    """Translate one ``add_stream`` stream object for ``port``.

    Args:
        port: the port index (for messages).
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
    changes: dict[str, Any] = {}
    if stream.mac_dst_mode is MacDstMode.ARP:
        changes["mac_dst_mode"] = MacDstMode.PORT
    if stream.flow_stats is not None:
        pg_id = stream.flow_stats.pg_id
        if pg_id > tpld.max_tid:
            raise ValidationError(
                f"pg_id {pg_id} is above {tpld.max_tid}, the highest TPLD id of port "
                f"{port}",
                field="stream.flow_stats.stream_id",
            )
        changes["tpld_id"] = pg_id
    try:
        final = dataclasses.replace(stream, **changes) if changes else stream
        if final.flow_stats is not None:
            final.validate_for_port(tpld.length, payload_checksum)
    except ConfigError as exc:
        where = exc.field or "stream"
        raise ValidationError(exc.reason, field=f"stream.{where}") from exc
    return final
