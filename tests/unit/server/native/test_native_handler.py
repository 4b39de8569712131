"""The native RPC's handler without sockets, on a real tester over the package's fake
data plane: sessions, the method allow-list, argument checks, ownership, events and
the release of a silent client's ports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from wirespeed import service
from wirespeed.client.remote import RemoteServices, RemoteTester
from wirespeed.errors import (
    OwnershipError,
    RemoteProtocolError,
    RpcError,
    StateError,
    ValidationError,
)
from wirespeed.model import Rate, Stream
from wirespeed.server.native import NativeHandler
from wirespeed.server.native.methods import MAX_WAIT_S
from wirespeed.service import WIRE_TYPES, EventKind, PortStats
from wirespeed.service.fake import FakeDataplane, fake_config
from wirespeed.wire import Request, decode_response, encode_request

FRAME = bytes.fromhex("020000000002020000000001") + b"\x08\x00" + bytes(46)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def handler(clock: Clock) -> Iterator[NativeHandler]:
    with service.Tester(fake_config(2), dataplane=FakeDataplane(2)) as tester:
        h = NativeHandler(tester, clock=clock)
        yield h
        h.close()


def call(
    h: NativeHandler, method: str, *args: Any, session: str | None, **kw: Any
) -> Any:
    raw = encode_request(Request(9, method, session, args, kw), WIRE_TYPES)
    answer = decode_response(h.handle(raw), WIRE_TYPES)
    assert answer.id == 9
    if answer.error is not None:
        raise answer.error
    return answer.result


def hello(h: NativeHandler, owner: str = "alice", timeout_s: float = 10.0) -> str:
    key: str = call(h, "session.hello", session=None, owner=owner, timeout_s=timeout_s)[
        "session"
    ]
    return key


def test_hello_opens_a_named_session(handler: NativeHandler) -> None:
    answer = call(handler, "session.hello", session=None, owner="alice")
    assert answer["name"] == "native:alice#1"
    assert answer["protocol"] == 1
    assert answer["timeout_s"] == 10.0
    assert answer["server"].startswith("wirespeed ")
    assert "tester.port_stats" in answer["methods"]
    assert len(answer["session"]) == 32
    for bad in ({"owner": ""}, {"owner": "x", "timeout_s": 0.5}):
        with pytest.raises(ValidationError):
            call(handler, "session.hello", session=None, **bad)
    with pytest.raises(ValidationError) as exc:
        call(handler, "session.hello", session=None, owner=5)
    assert exc.value.field == "owner"
    with pytest.raises(RemoteProtocolError, match="owner"):
        call(handler, "session.hello", session=None)


def test_a_call_needs_a_session(handler: NativeHandler) -> None:
    for key in (None, "0" * 32):
        with pytest.raises(StateError, match=r"session\.hello"):
            call(handler, "tester.ports", session=key)


@pytest.mark.parametrize(
    "method",
    ["tester._run", "tester.release_session", "tester.relinquish", "tester.close",
     "services.close", "services.on_report", "tester.check_owner", "os.system", ""],
)  # fmt: skip
def test_only_listed_methods_are_called(handler: NativeHandler, method: str) -> None:
    key = hello(handler)
    with pytest.raises(RemoteProtocolError, match="no method"):
        call(handler, method, 0, session=key)


def test_arguments_are_checked_against_the_signature(handler: NativeHandler) -> None:
    key = hello(handler)
    with pytest.raises(RemoteProtocolError, match=r"tester\.port_stats: missing"):
        call(handler, "tester.port_stats", session=key)
    with pytest.raises(RemoteProtocolError, match="unexpected keyword"):
        call(handler, "tester.port_stats", 0, session=key, bogus=1)
    with pytest.raises(ValidationError) as exc:
        call(handler, "tester.port_stats", "0", session=key)
    assert (exc.value.field, exc.value.reason) == ("index", "expected int, got str")
    with pytest.raises(ValidationError) as exc:
        call(handler, "tester.reserve", 0, session=key, force="yes")
    assert exc.value.field == "force"
    with pytest.raises(ValidationError, match="no port 7"):
        call(handler, "tester.port_stats", 7, session=key)
    assert call(handler, "tester.port_stats", 0, session=key) == PortStats()


def test_a_capture_is_written_where_the_daemon_chooses(handler: NativeHandler) -> None:
    key = hello(handler)
    call(handler, "tester.reserve", 0, session=key)
    with pytest.raises(ValidationError, match="daemon chooses") as exc:
        call(handler, "services.start_capture", 0, session=key, path="/etc/x")
    assert exc.value.field == "path"
    cid = call(handler, "services.start_capture", 0, session=key, filter="udp")
    info = call(handler, "services.capture", cid, session=key)
    assert (info.port, info.spec.filter, info.path.parent.name[:19]) == (
        0,
        "udp",
        "wirespeed-captures-",
    )


def test_bad_messages_are_answered_and_serving_goes_on(handler: NativeHandler) -> None:
    for raw, says in (
        (b"not json", "not a JSON message"),
        (b'{"v": 2, "id": 4}', "speaks version 1"),
        (
            b'{"v": 1, "id": 4, "method": "tester.ports", "args": [{"$": "exec"}]}',
            "exec",
        ),
    ):
        answer = json.loads(handler.handle(raw))
        assert answer["v"] == 1
        assert answer["id"] == (None if raw == b"not json" else 4)
        assert answer["error"]["type"] == "RemoteProtocolError"
        assert says in answer["error"]["message"]
    key = hello(handler)
    assert len(call(handler, "tester.ports", session=key)) == 2


def test_a_fault_of_the_server_is_answered(
    handler: NativeHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = hello(handler)

    def broken(index: int, *, since_clear: bool = True) -> PortStats:
        raise KeyError("oops")

    monkeypatch.setattr(handler.tester, "port_stats", broken)
    with pytest.raises(RpcError, match="internal error: KeyError") as exc:
        call(handler, "tester.port_stats", 0, session=key)
    assert exc.value.code == -32603
    assert call(handler, "tester.port_state", 0, session=key).name == "IDLE"


def test_changes_need_the_port_and_reservations_are_the_sessions(
    handler: NativeHandler,
) -> None:
    alice, bob = hello(handler, "alice"), hello(handler, "bob")
    stream = Stream(FRAME, rate=Rate.pps(10))
    with pytest.raises(OwnershipError, match="not reserved"):
        call(handler, "tester.add_stream", 0, 0, stream, session=alice)
    token = call(handler, "tester.reserve", 0, session=alice)
    call(handler, "tester.add_stream", 0, 0, stream, session=alice)
    assert call(handler, "tester.streams", 0, session=bob) == {0: stream}
    with pytest.raises(OwnershipError, match="owned by 'alice'") as exc:
        call(handler, "tester.reserve", 0, session=bob)
    assert exc.value.port == 0
    for method, args in (
        ("tester.start_traffic", ([0, 1],)),
        ("tester.clear_stats", (0,)),
        ("tester.set_module_media", (0, "SFP")),
        ("services.ping", (0, "198.18.0.2")),
        ("tester.release", (0,)),
    ):
        with pytest.raises(OwnershipError, match="owned by 'alice'"):
            call(handler, method, *args, session=bob)
    mine = call(handler, "tester.reservation", 0, session=alice)
    theirs = call(handler, "tester.reservation", 0, session=bob)
    assert (mine.owner, mine.session, mine.token) == ("alice", "native:alice#1", token)
    assert (theirs.owner, theirs.token) == ("alice", "")
    call(handler, "tester.reserve", 0, session=bob, force=True)
    assert call(handler, "tester.reservation", 0, session=bob).owner == "bob"


def test_events_are_polled_with_tokens_hidden(handler: NativeHandler) -> None:
    key = hello(handler)
    start = call(handler, "events.poll", -1, session=key)
    assert start == {"next": 0, "events": [], "lost": 0}
    call(handler, "tester.reserve", 1, session=key)
    call(handler, "tester.reserve", 1, session=hello(handler, "bob"), force=True)
    got = call(handler, "events.poll", 0, session=key)
    assert got["next"] == 2
    assert [(e.kind, e.port) for e in got["events"]] == [(EventKind.RESERVED, 1)] * 2
    previous = got["events"][1].detail["previous"]
    assert (previous.owner, previous.token) == ("alice", "")
    assert call(handler, "events.poll", 2, session=key)["events"] == []


def test_a_silent_session_loses_its_ports(handler: NativeHandler, clock: Clock) -> None:
    key = hello(handler, "carol", timeout_s=2.0)
    call(handler, "tester.reserve", 1, session=key)
    clock.now += 1.5
    call(handler, "session.heartbeat", session=key)
    clock.now += 1.5
    assert handler.expire() == []
    clock.now += 0.6
    ((session, freed),) = handler.expire()
    assert (session.name, freed) == ("native:carol#1", [1])
    assert handler.tester.reservation(1) is None
    with pytest.raises(StateError, match="expired"):
        call(handler, "tester.ports", session=key)


def test_a_session_busy_in_a_call_is_alive(
    handler: NativeHandler, clock: Clock
) -> None:
    key = hello(handler, timeout_s=1.0)
    session = handler.sessions.enter(key, clock.now)
    clock.now += 60
    assert handler.expire() == []
    handler.sessions.leave(session, clock.now)
    clock.now += 1.5
    assert len(handler.expire()) == 1


def test_bye_releases_at_once(handler: NativeHandler) -> None:
    key = hello(handler)
    call(handler, "tester.reserve", 0, session=key)
    call(handler, "tester.reserve", 1, session=key)
    assert call(handler, "session.bye", session=key) == [0, 1]
    assert len(handler.sessions) == 0
    assert handler.tester.reservation(0) is None


def test_waits_are_bounded(
    handler: NativeHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = hello(handler)
    asked: list[float] = []
    monkeypatch.setattr(
        handler.tester, "wait_idle", lambda ports, t: asked.append(t) or True
    )
    assert call(handler, "tester.wait_idle", [0], 3600.0, session=key) is True
    assert asked == [MAX_WAIT_S]


def test_every_method_the_client_sends_is_served(handler: NativeHandler) -> None:
    served = set(handler.method_names)
    sent = {
        f.rpc_name
        for cls in (RemoteTester, RemoteServices)
        for f in vars(cls).values()
        if hasattr(f, "rpc_name")
    }
    assert len(sent) > 40
    assert sent - served == set()
