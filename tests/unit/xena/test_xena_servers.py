"""Both servers over real TCP sockets, with malformed input (fuzzed) in between."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import XenaCliServer
from wirespeed.server.xena.status import Status
from wirespeed.server.xena.wire import Message, MessageReader, MsgType, encode_message
from wirespeed.server.xena.xoa import XoaServer

TIMEOUT_S = 5.0


@pytest.fixture
def servers(chassis: XenaChassis) -> Iterator[tuple[XoaServer, XenaCliServer]]:
    xoa = XoaServer(chassis.tester, port=0, chassis=chassis)
    cli = XenaCliServer(chassis.tester, port=0, chassis=chassis)
    xoa.start()
    cli.start()
    try:
        yield xoa, cli
    finally:
        xoa.close()
        cli.close()


_open: list[socket.socket] = []


@pytest.fixture(autouse=True)
def _close_sockets() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
    _open.append(sock)
    return sock


class CliClient:
    def __init__(self, port: int) -> None:
        self.sock = _connect(port)
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> str:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf.split(b"\n", 1)
        return out.decode()

    def ask(self, text: str, n: int = 1) -> list[str]:
        self.send(text.encode() + b"\n")
        return [self.line() for _ in range(n)]

    def closed(self) -> bool:
        return self.sock.recv(1) == b""


class XoaClient:
    def __init__(self, port: int) -> None:
        self.sock = _connect(port)
        self.reader = MessageReader()
        self.pending: list[Message] = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def replies(self, n: int) -> list[Message]:
        while len(self.pending) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            for item in self.reader.feed(chunk):
                assert isinstance(item, Message)
                self.pending.append(item)
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def ask(
        self,
        kind: int,
        code: int,
        module: int = 0xFF,
        port: int = 0xFF,
        indices: tuple[int, ...] = (),
        value: bytes = b"",
        rid: int = 1,
    ) -> Message:
        self.send(
            encode_message(Message(kind, code, module, port, rid, indices, value))
        )
        (reply,) = self.replies(1)
        assert reply.request_id == rid
        return reply


def test_cli_session(servers) -> None:
    c = CliClient(servers[1].port)
    assert c.ask("") == [""]
    assert c.ask('C_LOGON "xena"') == ["<OK>"]
    assert c.ask('C_OWNER "nc"\r') == ["<OK>"]
    assert c.ask("SYNC ON", 2) == ["<OK>", "<SYNC>"]
    assert c.ask("0/1 P_RESERVATION RESERVE", 2) == ["<OK>", "<SYNC>"]
    assert c.ask("0/1 PS_CREATE [5]", 2) == ["<OK>", "<SYNC>"]
    assert c.ask("0/1 PS_MODIFIERCOUNT [5] 1", 2) == ["<OK>", "<SYNC>"]
    assert c.ask("0/1 PS_MODIFIER [5,0] 6 0x0FC00000 RANDOM 1", 2) == ["<OK>", "<SYNC>"]
    assert c.ask("0/1 PS_MODIFIER [5,0] ?", 2) == [
        "0/1 PS_MODIFIER [5,0] 6 0x0FC00000 RANDOM 1",
        "<SYNC>",
    ]
    assert c.ask("0/1 PS_MODIFIER [5,0] 6 0xZZ RANDOM 1", 3) == [
        " " * 24 + "^",
        "#Syntax error in column 25",
        "<SYNC>",
    ]
    assert c.ask("SYNC OFF") == ["<OK>"]
    assert c.ask("C_LOGOFF") == ["<OK>"]
    assert c.closed()


def test_cli_logon_first_and_state_shared(servers, chassis) -> None:
    c = CliClient(servers[1].port)
    assert c.ask("C_PORTCOUNTS ?") == ["<NOTLOGGEDON>"]
    assert c.closed()
    a, b = CliClient(servers[1].port), CliClient(servers[1].port)
    for cl in (a, b):
        assert cl.ask('C_LOGON "xena"') == ["<OK>"]
    a.ask('C_OWNER "a"')
    a.ask("1/0 P_RESERVATION RESERVE")
    assert a.ask('1/0 P_COMMENT "from a"') == ["<OK>"]
    assert b.ask("1/0 P_COMMENT ?") == ['1/0 P_COMMENT "from a"']
    # the XOA side reads the same port
    x = XoaClient(servers[0].port)
    assert x.ask(MsgType.VALUE, 1, value=b"xena").code == Status.OK
    reply = x.ask(MsgType.QUERY, 112, 1, 0)
    assert reply.value.rstrip(b"\0") == b"from a"


def test_cli_garbage_never_kills_the_server(servers) -> None:
    c = CliClient(servers[1].port)
    c.ask('C_LOGON "xena"')
    c.send(b"\xff\xfe C_MODEL ?\n")
    assert c.line() == "^"
    assert c.line() == "#Syntax error in column 1"
    c.send(b"X" * 70000 + b"\n")
    assert c.line() == "^"
    assert c.line() == "#Syntax error in column 1"
    assert c.ask("C_MODEL ?") == ['C_MODEL "wirespeed Xena emulation"']


def test_cli_idle_timeout_closes(servers) -> None:
    c = CliClient(servers[1].port)
    c.ask('C_LOGON "xena"')
    assert c.ask("C_TIMEOUT 1") == ["<OK>"]
    assert c.closed()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
)
def test_cli_fuzz_one_answer_per_line(servers, text: str) -> None:
    c = CliClient(servers[1].port)
    assert c.ask('C_LOGON "xena"') == ["<OK>"]
    c.send(text.encode() + b"\nSYNC\n")
    lines = []
    # a fuzz line that is itself SYNC answers <SYNC> too
    syncs = 2 if text.strip().upper() == "SYNC" else 1
    while lines.count("<SYNC>") < syncs:
        lines.append(c.line())
    assert "<FAILED>" not in lines
    if (
        not text.upper()
        .lstrip()
        .startswith(("HELP", "C_LOGOFF", "C_TIMEOUT", "SYNC", "WAIT"))
    ):
        assert len(lines) <= 3
        assert c.ask("C_PORTCOUNTS ?") == ["C_PORTCOUNTS 2 2"]
    c.sock.close()


def test_xoa_pipelined_and_split(servers) -> None:
    x = XoaClient(servers[0].port)
    batch = b"".join(
        encode_message(m)
        for m in (
            Message(MsgType.VALUE, 1, 0xFF, 0xFF, 1, (), b"xena"),
            Message(MsgType.VALUE, 2, 0xFF, 0xFF, 2, (), b"XOA"),
            Message(MsgType.VALUE, 4, 0xFF, 0xFF, 3, (), struct.pack("!i", 130)),
            Message(MsgType.QUERY, 13, 0xFF, 0xFF, 4),
        )
    )
    for i in range(0, len(batch), 7):  # segments that cut headers and bodies
        x.send(batch[i : i + 7])
    replies = x.replies(4)
    assert [(r.request_id, r.msg_type, r.code) for r in replies] == [
        (1, 4, 0),
        (2, 4, 0),
        (3, 4, 0),
        (4, 3, 13),
    ]
    assert replies[3].value == b"\x02\x02"


def test_xoa_bad_magic_then_recovers(servers) -> None:
    x = XoaClient(servers[0].port)
    x.send(b"NOPE" + bytes(8) + struct.pack("!I", 77) + b"trailing junk")
    (bad,) = x.replies(1)
    assert (bad.msg_type, bad.code, bad.request_id) == (4, Status.BADHEADER, 77)
    assert x.ask(MsgType.VALUE, 1, value=b"xena", rid=5).code == Status.OK


def test_xoa_lying_length(servers) -> None:
    x = XoaClient(servers[0].port)
    x.ask(MsgType.VALUE, 1, value=b"xena")
    # says 2 value bytes, carries 8: the extra 4 are read as the start of a header
    raw = encode_message(Message(MsgType.VALUE, 2, 0xFF, 0xFF, 8, (), b"ab"))
    x.send(raw[:16] + b"abcdefgh")
    (first,) = x.replies(1)
    assert (first.request_id, first.code) == (8, Status.OK)
    x.send(encode_message(Message(MsgType.QUERY, 2, 0xFF, 0xFF, 9)))
    bad, owner = x.replies(2)
    assert bad.code == Status.BADHEADER
    assert (owner.request_id, owner.value.rstrip(b"\0")) == (9, b"ab")


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 15),
            st.integers(0, 4095),
            st.sampled_from([0, 1, 4, 0xFE, 0xFF]),
            st.sampled_from([0, 1, 2, 0xFF]),
            st.lists(st.integers(0, 2**32 - 1), max_size=3),
            st.binary(max_size=24),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_xoa_fuzz_every_request_answered(servers, frames) -> None:
    x = XoaClient(servers[0].port)
    assert x.ask(MsgType.VALUE, 1, value=b"xena", rid=1).code == Status.OK
    msgs = [
        Message(k, c, m, p, 100 + i, tuple(idx), v)
        for i, (k, c, m, p, idx, v) in enumerate(frames)
    ]
    x.send(b"".join(encode_message(m) for m in msgs))
    replies = x.replies(len(msgs))
    assert [r.request_id for r in replies] == [m.request_id for m in msgs]
    assert all(r.msg_type in (MsgType.VALUE, MsgType.STATUS) for r in replies)
    x.sock.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.binary(min_size=1, max_size=200))
def test_xoa_fuzz_raw_bytes(servers, junk: bytes) -> None:
    x = XoaClient(servers[0].port)
    x.send(junk)
    x.sock.close()
    y = XoaClient(servers[0].port)  # the server still serves
    assert y.ask(MsgType.VALUE, 1, value=b"xena").code == Status.OK
    y.sock.close()


def test_xoa_traffic_push_comes_before_the_reply(servers, chassis) -> None:
    """The XOA driver's cached traffic state is ON once ``set_start`` returns."""
    from wirespeed.server.xena.values import encode_binary

    x = XoaClient(servers[0].port)

    def sets(name: str, module: int, port: int, idx: tuple[int, ...], *vals):
        spec = chassis.by_name[name]
        assert spec.set_fields is not None
        value = encode_binary(spec.set_fields, vals)
        x.send(encode_message(Message(MsgType.VALUE, spec.code, module, port, 50,
                                      idx, value)))  # fmt: skip
        while (reply := x.replies(1)[0]).request_id == 0:  # pushes
            pass
        return reply

    assert x.ask(MsgType.VALUE, 1, value=b"xena").code == Status.OK
    assert x.ask(MsgType.VALUE, 2, value=b"alice").code == Status.OK
    assert sets("P_RESERVATION", 0, 1, (), 1).code == Status.OK
    assert sets("PS_CREATE", 0, 1, (0,)).code == Status.OK
    assert sets("PS_ENABLE", 0, 1, (0,), 1).code == Status.OK
    traffic = chassis.by_name["P_TRAFFIC"]
    assert traffic.set_fields is not None
    x.send(
        encode_message(
            Message(MsgType.VALUE, traffic.code, 0, 1, 60, (),
                    encode_binary(traffic.set_fields, (1,)))
        )
    )  # fmt: skip
    push, reply = x.replies(2)
    assert (push.request_id, push.msg_type, push.code, push.module, push.port) == (
        0, MsgType.VALUE, traffic.code, 0, 1,
    )  # fmt: skip
    assert push.value == b"\x01"
    assert (reply.request_id, reply.msg_type, reply.code) == (60, 4, Status.OK)


def test_xoa_idle_timeout_closes(servers) -> None:
    x = XoaClient(servers[0].port)
    assert x.ask(MsgType.VALUE, 1, value=b"xena").code == Status.OK
    assert x.ask(MsgType.VALUE, 4, value=struct.pack("!i", 1), rid=2).code == 0
    assert x.ask(MsgType.QUERY, 4, rid=3).value == struct.pack("!i", 1)
    assert x.sock.recv(1) == b""  # closed after 1 s without a request


def test_xoa_logoff_closes_after_the_reply(servers) -> None:
    x = XoaClient(servers[0].port)
    assert x.ask(MsgType.VALUE, 1, value=b"xena").code == Status.OK
    assert x.ask(MsgType.VALUE, 7, rid=2).code == Status.OK
    assert x.sock.recv(1) == b""
