"""Helpers of the TRex front-end unit tests: a front end on a real tester over the
package's fake data plane, and TRex-style stream objects."""

from __future__ import annotations

import base64
import json
import struct
import threading
import zlib
from dataclasses import dataclass
from typing import Any, TypeVar

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.dataplane.messages import StartJob, TxJob
from wirespeed.server.trex.dispatch import Dispatcher
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.service import EventKind, Tester, TrafficEvent
from wirespeed.service.fake import FakeDataplane

API_H = "H1234567"
C = TypeVar("C")


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

    def sent(self, port: int, kind: type[C]) -> list[C]:
        """The commands of ``kind`` the tester sent to ``port``'s workers."""
        return [c for c in self.fake.commands(port, kind) if isinstance(c, kind)]

    def job(self, port: int = 0) -> TxJob:
        """The job of the last start the port's TX worker was given."""
        return self.sent(port, StartJob)[-1].job

    def slot(self, port: int, stream_id: int) -> int:
        """The counter slot of a stream (the tester has no public accessor)."""
        return self.tester._core.slot(port, stream_id)

    def finish(self, port: int) -> TrafficEvent:
        """The port's job ends by itself; returns once the tester has told its
        subscribers (the front end first: it subscribed first)."""
        got: list[TrafficEvent] = []
        done = threading.Event()

        def on_event(ev: TrafficEvent) -> None:
            if ev.kind is EventKind.DONE and ev.port == port:
                got.append(ev)
                done.set()

        unsubscribe = self.tester.subscribe(on_event)
        try:
            self.fake.finish(port)
            assert done.wait(5.0), f"no DONE event for port {port}"
        finally:
            unsubscribe()
        return got[0]

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
