"""Helpers of the TRex front-end unit tests: a front end on a tester over the fake
data plane, and
TRex-style stream objects."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.server.trex.dispatch import Dispatcher
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.service import Tester
from wirespeed.service.fake import FakeDataplane

API_H = "H1234567"


@dataclass
class Env:
    tester: Tester
    fake: FakeDataplane
    fe: TrexFrontEnd
    dispatcher: Dispatcher

    def raw(self, payload: bytes, *, compress: bool = True) -> Any:
        msg = payload
        if compress:
            msg = struct.pack(">II", 0xABE85CEA, len(payload)) + zlib.compress(payload)
        reply = self.dispatcher.handle(msg)
        if reply[:4] == b"\xab\xe8\x5c\xea":
            reply = zlib.decompress(reply[8:])
        return json.loads(reply) if reply else None

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        params.setdefault("api_h", API_H)
        req = {"jsonrpc": "2.0", "id": "ab12cd34", "method": method, "params": params}
        out: dict[str, Any] = self.raw(json.dumps(req).encode())
        assert out["id"] == "ab12cd34"
        return out

    def ok(self, method: str, **params: Any) -> Any:
        out = self.call(method, **params)
        assert "result" in out, out
        return out["result"]

    def err(self, method: str, **params: Any) -> dict[str, Any]:
        out = self.call(method, **params)
        assert "error" in out, out
        error: dict[str, Any] = out["error"]
        return error

    def events(self, session: int) -> list[tuple[int, int, dict[str, Any]]]:
        assert self.fe.relay_idle()
        data = self.ok("get_async_events", session_id=session, user="sub")["data"]
        return [(e["type"], e["seq"], e["data"]) for e in data]

    def acquire(self, port: int = 0, session: int = 111, user: str = "root") -> str:
        handler: str = self.ok(
            "acquire", port_id=port, user=user, session_id=session, force=False
        )
        return handler


def udp_packet(size: int = 100, **ether: str) -> bytes:
    """A TRex-style UDP packet (scapy's TRex default MACs unless given)."""
    eth = Ether(
        dst=ether.get("dst", "00:00:00:01:00:00"),
        src=ether.get("src", "00:00:00:02:00:00"),
    )
    base = eth / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(sport=1025, dport=12)
    return bytes(base / (b"x" * (size - len(base))))


def stream_json(
    packet: bytes | None = None,
    *,
    flags: int = 0,
    pg_id: int | None = None,
    latency: bool = False,
    mode: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A stream object as ``STLStream.to_json()`` makes it."""
    flow: dict[str, Any] = {"enabled": False}
    if pg_id is not None:
        flow = {
            "enabled": True,
            "stream_id": pg_id,
            "rule_type": "latency" if latency else "stats",
            "vxlan": False,
            "ieee_1588": False,
        }
    return {
        "flags": flags,
        "action_count": 0,
        "enabled": True,
        "self_start": True,
        "start_paused": False,
        "isg": 0.0,
        "core_id": -1,
        "mode": mode or {"type": "continuous", "rate": {"type": "pps", "value": 1000}},
        "packet": {
            "binary": base64.b64encode(packet or udp_packet()).decode(),
            "meta": "",
        },
        "vm": {"instructions": []},
        "flow_stats": flow,
        "next_stream_id": -1,
        **extra,
    }
