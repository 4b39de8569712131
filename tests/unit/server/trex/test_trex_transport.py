"""The ZeroMQ transport: REP answers framed requests, PUB sends the trigger (on a
real tester over the fake data plane: the ``tester`` fixture)."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import zmq

from wirespeed.errors import PortError
from wirespeed.server.trex import TrexRpcServer

if TYPE_CHECKING:  # not at run time: pytest would collect a class named Test*
    from wirespeed.service import Tester


@pytest.fixture
def server(tester: Tester) -> Iterator[TrexRpcServer]:
    srv = TrexRpcServer(tester, rpc_port=0, pub_port=0)
    srv.start()
    try:
        yield srv
    finally:
        srv.close()


def _req(ctx: zmq.Context[zmq.Socket[bytes]], port: int) -> zmq.Socket[bytes]:
    sock = ctx.socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, 5000)
    sock.connect(f"tcp://127.0.0.1:{port}")
    return sock


def test_requests_and_triggers(server: TrexRpcServer) -> None:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    req = _req(ctx, server.rpc_port)
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.RCVTIMEO, 5000)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://127.0.0.1:{server.pub_port}")
    try:
        body = (
            b'{"jsonrpc":"2.0","id":"x1","method":"api_sync_v2","params":'
            b'{"name":"STL","major":5,"minor":1}}'
        )
        req.send(struct.pack(">II", 0xABE85CEA, len(body)) + zlib.compress(body))
        reply = req.recv()
        assert reply[:4] == b"\xab\xe8\x5c\xea"  # the reply uses the request's framing
        api_h = json.loads(zlib.decompress(reply[8:]))["result"]["api_h"]
        assert api_h == server.frontend.api_h
        # a multipart message is read as one
        req.send_multipart([b'{"jsonrpc":"2.0","id":2,', b'"method":"ping"}'])
        assert set(json.loads(req.recv())["result"]) == {"ts"}
        # publish_now: the PUB socket sends exactly "{}"
        req.send(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 3,
                    "method": "publish_now",
                    "params": {"key": 1, "baseline": False, "api_h": api_h},
                }
            ).encode()
        )
        assert json.loads(req.recv())["result"] == {}
        assert sub.recv() == b"{}"
    finally:
        req.close()
        sub.close()
        ctx.term()


def test_close_announces_the_stop(server: TrexRpcServer) -> None:
    hub = server.frontend.hub
    hub.drain(42, now_s=server.frontend.clock())
    server.frontend.close("maintenance")
    events = hub.drain(42, now_s=server.frontend.clock())
    assert [(e["type"], e["data"]) for e in events] == [(100, {"cause": "maintenance"})]


def test_a_busy_port_is_reported(tester: Tester) -> None:
    first = TrexRpcServer(tester, rpc_port=0, pub_port=0)
    first.start()
    try:
        second = TrexRpcServer(tester, rpc_port=first.rpc_port, pub_port=0)
        with pytest.raises(PortError, match=r"cannot listen on 127\.0\.0\.1"):
            second.start()
        second.frontend.close()
    finally:
        first.close()


def test_defaults_and_bind_address(tester: Tester) -> None:
    srv = TrexRpcServer(tester)
    assert (srv.bind, srv.rpc_port, srv.pub_port) == ("127.0.0.1", 4501, 4500)
    srv.frontend.close()
    other = TrexRpcServer(tester, bind="127.0.0.2", rpc_port=0, pub_port=0)
    other.start()
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    try:
        body = b'{"jsonrpc":"2.0","id":1,"method":"ping"}'
        there = ctx.socket(zmq.REQ)
        there.setsockopt(zmq.LINGER, 0)
        there.setsockopt(zmq.RCVTIMEO, 5000)
        there.connect(f"tcp://127.0.0.2:{other.rpc_port}")
        there.send(body)
        assert "ts" in json.loads(there.recv())["result"]
        # nothing listens on 127.0.0.1
        here = _req(ctx, other.rpc_port)
        here.setsockopt(zmq.RCVTIMEO, 300)
        here.send(body)
        with pytest.raises(zmq.Again):
            here.recv()
        for sock in (there, here):
            sock.close()
    finally:
        ctx.term()
        other.close()
