"""Service methods: ``capture`` (start/status/stop/fetch/remove) and ``push_pkts``.

With them the client's own services work against wirespeed: ``resolve()`` (ARP
request pushed, the reply captured, ``set_l3 {resolved_mac}``), ``ping_ip()``,
``map_ports()``, the console's ``capture record``/``capture monitor``. Captures run
on the tester (:mod:`.capture`), pushed frames go out through the port's service
worker; both are counted as the port's traffic.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from wirespeed.capture import MAX_CAPTURE_FRAMES, CaptureMode
from wirespeed.errors import ValidationError
from wirespeed.model import MacDstMode
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.methods_layer import require_service
from wirespeed.server.trex.params import UINT32_MAX, Params

__all__ = ["register"]

_PUSH_LIMIT_BYTES = 1 << 20  # TRex's limit on one push unless ``force``
_MAX_SNAPLEN = 262144


def _ports(fe: TrexFrontEnd, p: Params, name: str) -> tuple[int, ...]:
    ports = p.int_list(name, default=[], lo=0, hi=fe.port_count - 1)
    return tuple(dict.fromkeys(ports))


def _start(fe: TrexFrontEnd, p: Params) -> object:
    tx, rx = _ports(fe, p, "tx"), _ports(fe, p, "rx")
    limit = p.int("limit", default=1000, lo=1, hi=MAX_CAPTURE_FRAMES)
    mode = p.str("mode", default="fixed", max_len=16)
    bpf = p.str("filter", default="", max_len=4096)
    snaplen = p.int("snaplen", default=0, lo=0, hi=_MAX_SNAPLEN)
    if p.has("endpoint") and p.str("endpoint"):
        raise ValidationError(
            "capturing to an endpoint is not supported (fetch the frames)",
            field="endpoint",
        )
    if mode not in ("fixed", "cyclic"):
        raise ValidationError(f"{mode!r} is not 'fixed' or 'cyclic'", field="mode")
    if not tx and not rx:
        raise ValidationError("no port to capture on (tx and rx are empty)", field="rx")
    cap = fe.captures.start(
        fe.tester,
        tx=tx,
        rx=rx,
        limit=limit,
        mode=CaptureMode(mode),
        bpf=bpf,
        snaplen=snaplen,
        now_s=fe.clock(),
    )
    return {"capture_id": cap.capture_id, "start_ts": cap.start_ts}


def _capture_id(p: Params) -> int:
    return p.int("capture_id", lo=0, hi=UINT32_MAX)


def _status(fe: TrexFrontEnd, p: Params) -> object:
    read = fe.tester.services.read_capture
    return [cap.status(read) for cap in fe.captures]


def _stop(fe: TrexFrontEnd, p: Params) -> object:
    return {"pkt_count": fe.captures.stop(fe.tester, _capture_id(p))}


def _fetch(fe: TrexFrontEnd, p: Params) -> object:
    cap = fe.captures.get(_capture_id(p))
    pkt_limit = p.int("pkt_limit", default=50, lo=1, hi=10_000)
    snaplen = p.int("snaplen", default=0, lo=0, hi=_MAX_SNAPLEN)
    return cap.fetch(fe.tester.services.read_capture, pkt_limit, snaplen)


def _remove(fe: TrexFrontEnd, p: Params) -> object:
    fe.captures.remove(fe.tester, _capture_id(p))
    return {}


_COMMANDS = {
    "start": _start,
    "status": _status,
    "stop": _stop,
    "fetch": _fetch,
    "remove": _remove,
}


def _capture(fe: TrexFrontEnd, p: Params) -> object:
    command = p.str("command", max_len=16)
    handler = _COMMANDS.get(command)
    if handler is None:
        names = ", ".join(_COMMANDS)
        raise ValidationError(f"{command!r} is not one of {names}", field="command")
    return handler(fe, p)


def _pushed(p: Params, i: int, item: Any) -> tuple[bytes, bool, bool]:
    """One ``pkts`` entry: the frame, use the port's source MAC, its dst MAC."""
    where = f"pkts[{i}]"
    if isinstance(item, str):  # a bare base64 frame: sent as it is
        text, src, dst = item, False, False
    elif isinstance(item, dict):
        q = Params(item, f"{where}.")
        text = q.str("binary", max_len=4 * _MAX_SNAPLEN)
        src = q.bool("use_port_src_mac", default=False)
        dst = q.bool("use_port_dst_mac", default=False)
        where += ".binary"
    else:
        raise ValidationError("must be an object or a base64 string", field=where)
    try:
        frame = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError("not base64", field=where) from exc
    return frame, src, dst


def _push_pkts(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    items = p.list("pkts")
    force = p.bool("force", default=False)
    ipg_us = p.float("ipg_usec", default=0.0, lo=0.0, hi=10_000_000.0)
    pushed = [_pushed(p, i, item) for i, item in enumerate(items)]
    size = sum(len(f) for f, _s, _d in pushed)
    if size > _PUSH_LIMIT_BYTES and not force:
        raise ValidationError(
            f"{size} bytes is over the 1 MB a push may hold (set force)", field="pkts"
        )
    require_service(fe, port, "push_pkts", idle=False)
    if not pushed:
        return {"ts": fe.clock()}
    sent = fe.tester.services.send_frames(
        port,
        [f for f, _s, _d in pushed],
        ipg_us=ipg_us,
        mac_src_from_packet=[not s for _f, s, _d in pushed],
        mac_dst_mode=[MacDstMode.PORT if d else MacDstMode.PACKET for *_x, d in pushed],
    )
    return {"ts": sent.last_ns / 1e9}


def _stop_capture_port(fe: TrexFrontEnd, p: Params) -> object:
    """There is never a capture port to stop (the client's reset asks)."""
    fe.owned_port(p)
    return {}


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["capture"] = Method(_capture)
    table["push_pkts"] = Method(_push_pkts)
    table["stop_capture_port"] = Method(_stop_capture_port)
