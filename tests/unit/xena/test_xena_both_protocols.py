"""Every implemented command, set and queried over both protocols.

For a command with a set and a get, a value set over the text CLI reads back the
same over the CLI and over the XOA binary protocol, and a value set over XOA reads
back the same over the CLI. Get-only commands answer the same exact values on both,
set-only commands have the same effect on both. A table check makes sure no
command of the server's table is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import pytest
from xena_env import (  # type: ignore[import-not-found]
    fake_tester,
    masked,
    sent,
    tid_stats,
)

from wirespeed import __version__
from wirespeed.dataplane.messages import ClearRx, InjectError
from wirespeed.packet import ethernet_fcs
from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import answer_line
from wirespeed.server.xena.codes import CODE_BY_NAME
from wirespeed.server.xena.commands import TABLE_BY_NAME
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.status import Status
from wirespeed.server.xena.syntax import parse_line
from wirespeed.server.xena.values import (
    decode_binary,
    encode_binary,
    format_text,
    parse_text,
)
from wirespeed.server.xena.wire import NO_INDEX, Message, MessageReader, MsgType
from wirespeed.server.xena.xoa import answer_message

if TYPE_CHECKING:  # not at run time: pytest would collect a class named Test*
    from wirespeed.service import Tester
    from wirespeed.service.fake import FakeDataplane

C = TypeVar("C")

SETUP = [
    'C_LOGON "xena"', 'C_OWNER "alice"', "C_RESERVATION RESERVE",
    "0 M_RESERVATION RESERVE", "0/0 P_RESERVATION RESERVE", "0/0 PS_CREATE [0]",
    "0/0 PS_MODIFIERCOUNT [0] 2", "0/0 PS_MODIFIEREXTCOUNT [0] 1",
]  # fmt: skip
HEADER = "0x02000000000202000000000108004500002E000000007F110000C6120001C6130001"
V6_OWN, V6_GW = ("0x20010002000000010000000000000002",
                 "0x20010002000000010000000000000001")  # fmt: skip
# port 0 at 198.18.1.2/24 via 198.18.1.1; stream 0 sends HEADER to 198.19.0.1 by it
L3_STREAM = (
    "0/0 P_IPADDRESS 198.18.1.2 255.255.255.0 198.18.1.1 0.0.0.0",
    "0/0 PS_HEADERPROTOCOL [0] ETHERNET IP", f"0/0 PS_PACKETHEADER [0] {HEADER}",
    "0/0 PS_IPV4GATEWAY [0] 198.18.1.1",
)  # fmt: skip
GATEWAY_MAC = "02:77:73:01:00:01"
FRAME = bytes.fromhex(HEADER[2:]) + bytes(26)  # 60 bytes, 64 on the wire


def _captured(t: Checks) -> None:
    """Port 0 captures, and receives FRAME."""
    assert t.cli("0/0 P_CAPTURE ON") == "<OK>"
    t.fake.services.capture(0, [FRAME])


@dataclass(frozen=True)
class Case:
    """``<where> NAME [idx] values``; ``reads`` is the query's values if not those."""

    where: str
    name: str
    idx: tuple[int, ...] = ()
    values: str = ""
    reads: str | None = None
    before: tuple[str, ...] = ()
    per_session: bool = False  # the value belongs to the session (C_OWNER...)
    prepare: Callable[[Checks], None] | None = None  # after ``before``: the wire

    @property
    def command(self) -> str:
        idx = f" [{','.join(map(str, self.idx))}]" if self.idx else ""
        return f"{self.where} {self.name}{idx}".strip()

    @property
    def expected(self) -> str:
        values = self.values if self.reads is None else self.reads
        return f"{self.command} {values}".rstrip()


SET_GET = [
    Case("", "C_OWNER", values='"bob"', per_session=True),
    Case("", "C_TIMEOUT", values="77", per_session=True),
    Case("", "C_RESERVATION", values="RESERVE", reads="RESERVED_BY_YOU",
         before=("C_RESERVATION RELEASE",)),
    Case("", "C_NAME", values='"lab chassis"'),
    Case("", "C_COMMENT", values='"a comment"'),
    Case("0", "M_RESERVATION", values="RELEASE", reads="RELEASED"),
    Case("0", "M_MEDIA", values="QSFPDD_PAM4"),
    Case("0", "M_CFPCONFIGEXT", values="2 100000 100000"),
    Case("0/0", "P_RESERVATION", values="RELEASE", reads="RELEASED"),
    Case("0/0", "P_SPEEDSELECTION", values="F10G"),
    Case("0/0", "P_TRAFFIC", values="ON", before=("0/0 PS_ENABLE [0] ON",)),
    Case("0/0", "P_LOOPBACK", values="NONE"),
    Case("0/0", "PP_FECMODE", values="RS_FEC"),
    Case("0/0", "P_TPLDMODE", values="MICRO"),
    Case("0/0", "P_CHECKSUM", values="40"),
    Case("0/0", "P_LATENCYOFFSET", values="-25"),
    Case("0/0", "P_LATENCYMODE", values="LAST2LAST"),
    Case("0/0", "P_COMMENT", values='"port A",13,10,"line 2"'),
    Case("0/0", "P_TXTIMELIMIT", values="1000000"),
    Case("0/0", "P_TXMODE", values="STRICTUNIFORM"),
    Case("0/0", "P_RANDOMSEED", values="7"),
    Case("0/0", "P_MAXHEADERLENGTH", values="256"),
    Case("0/0", "P_INTERFRAMEGAP", values="16"),
    Case("0/0", "P_TXENABLE", values="OFF"),
    Case("0/0", "P_SPEEDREDUCTION", values="0"),
    Case("0/0", "P_PAUSE", values="0"),
    Case("0/0", "P_TXPACKETLIMIT", values="1000"),
    Case("0/0", "PS_INDICES", values="0 2 7"),
    Case("0/0", "PS_ENABLE", (0,), "SUPPRESS"),
    Case("0/0", "PS_PACKETLIMIT", (0,), "1000"),
    Case("0/0", "PS_COMMENT", (0,), '"stream zero"'),
    Case("0/0", "PS_TPLDID", (0,), "5"),
    Case("0/0", "PS_INSERTFCS", (0,), "OFF"),
    Case("0/0", "PS_RATEFRACTION", (0,), "250000"),
    Case("0/0", "PS_RATEPPS", (0,), "1000"),
    Case("0/0", "PS_RATEL2BPS", (0,), "2000000"),
    Case("0/0", "PS_BURST", (0,), "10 50"),
    Case("0/0", "PS_BURSTGAP", (0,), "12 100"),
    Case("0/0", "PS_PACKETHEADER", (0,), HEADER),
    Case("0/0", "PS_HEADERPROTOCOL", (0,), "ETHERNET VLAN IP UDP RAW_4"),
    Case("0/0", "PS_MODIFIERCOUNT", (0,), "3"),
    Case("0/0", "PS_MODIFIER", (0, 1), "6 0x0FC00000 RANDOM 3"),
    Case("0/0", "PS_MODIFIERRANGE", (0, 0), "2 2 10"),
    Case("0/0", "PS_MODIFIER_ENDIAN", (0, 1), "LITTLE"),
    Case("0/0", "PS_MODIFIEREXTCOUNT", (0,), "2"),
    Case("0/0", "PS_MODIFIEREXT", (0, 0), "26 0xFFFFFF00 DEC 2"),
    Case("0/0", "PS_MODIFIEREXTRANGE", (0, 0), "100 10 200"),
    Case("0/0", "PS_PACKETLENGTH", (0,), "INCREMENTING 100 200"),
    Case("0/0", "PS_PAYLOAD", (0,), "INC16 0x00"),
    Case("0/0", "PS_IPV4GATEWAY", (0,), "198.18.0.254"),
    Case("0/0", "PS_IPV6GATEWAY", (0,), "0x20010002000000000000000000000001"),
    Case("0/0", "PS_PFCPRIORITY", (0,), "5"),
    Case("0/0", "PS_OPTIONS", (0,), ""),
    Case("0/0", "P_IPADDRESS", values="198.18.1.2 255.255.255.0 198.18.1.1 0.0.0.0"),
    Case("0/0", "P_IPV6ADDRESS", values=f"{V6_OWN} {V6_GW} 64 128"),
    Case("0/0", "P_ARPREPLY", values="OFF"),
    Case("0/0", "P_PINGREPLY", values="OFF"),
    Case("0/0", "P_ARPV6REPLY", values="OFF"),
    Case("0/0", "P_PINGV6REPLY", values="OFF"),
    Case("0/0", "P_ARPRXTABLE", values="0xC6120002002000020000000001"),
    Case("0/0", "P_NDPRXTABLE",
         values="0x20010002000000010000000000000005008000020000000001"),
    Case("0/0", "P_CAPTURE", values="ON"),
    Case("0/0", "PC_TRIGGER", values="ON 0 USERSTOP 0"),
    Case("0/0", "PC_KEEP", values="TPLD 5 128"),
]  # fmt: skip

CAPS = "400000 0 20 20 8 256 100 2147483647 400000 65535 0 16383 60 9600 2048 32 18 16"
GET_ONLY = [
    Case("", "C_BUILDSTRING", reads=f'"wirespeed {__version__}"'),
    Case("", "C_CAPABILITIES", reads="1 49 49 32 0 64 0 2 0 1 1 0 0 0 0 0 32 0"),
    Case("", "C_MODEL", reads='"wirespeed Xena emulation"'),
    Case("", "C_MODEL_NAME", reads="0"),
    Case("", "C_PORTCOUNTS", reads="2 2"),
    Case("", "C_RESERVEDBY", reads='"alice"'),
    Case("", "C_SERIALNO", reads="0"),
    Case("", "C_VERSIONNO", reads="460 0"),
    Case("", "C_VERSIONNO_MINOR", reads="5 0 0"),
    Case("", "C_VERSIONSTR", reads='"460.5"'),
    Case("1", "M_CAPABILITIES", reads="0 0 1 0 0 0 0 0 0"),
    Case("1", "M_MEDIASUPPORT", reads="5 1 2 200000 4 3 2 200000 2 100000 2 1000 "
                                      "1 1 2 50000 10 1 2 50000"),
    Case("1", "M_MODEL", reads='"Thor-400G-7S-1P"'),
    Case("1", "M_MODEL_NAME", reads="8"),
    Case("1", "M_NAME", reads='"Thor-400G-7S-1P"'),
    Case("1", "M_PORTCOUNT", reads="2"),
    Case("0", "M_RESERVEDBY", reads='"alice"'),
    Case("1", "M_REVISION", reads='"Thor-400G-7S-1P"'),
    Case("1", "M_SERIALNO", reads="1"),
    Case("1", "M_VERSIONNO", reads="460"),
    Case("1", "M_VERSIONSTR", reads='"460"'),
    Case("1/1", "P_CAPABILITIES", reads=CAPS),  # the first 18 of 228 values
    Case("1/1", "P_INTERFACE", reads='"QSFP56 1G (wsT3)"'),
    Case("1/1", "P_MACADDRESS", reads="0x020000000004"),
    Case("1/1", "P_RECEIVESYNC", reads="IN_SYNC"),
    Case("0/0", "P_RESERVEDBY", reads='"alice"'),
    Case("1/1", "P_SPEED", reads="1000"),
    Case("0/0", "P_TXTIME", reads="0"),
    # counters: what _counters() below says the wire did; "*" is a rate the
    # tester measures over real time (any number)
    Case("0/1", "PT_TOTAL", reads="* * 128000 1000"),
    Case("0/1", "PT_NOTPLD", reads="* * 192 3"),
    Case("0/0", "PT_STREAM", (0,), reads="* * 1152 9"),
    Case("0/1", "PT_EXTRA", reads="0 0 0 0 0 0 0 0 0 0 0"),
    Case("0/1", "PT_TOTALEXT", reads="* * * 128000 1000"),
    Case("0/1", "PT_NOTPLDEXT", reads="* * * 192 3"),
    Case("0/0", "PT_STREAMEXT", (0,), reads="* * * 1152 9"),
    Case("0/1", "PR_NOTPLDEXT", reads="* * * 64 1"),
    Case("0/1", "PR_TPLDTRAFFICEXT", (7,), reads="10240 1280 10 64000 500"),
    Case("0/1", "PR_TOTAL", reads="* * 127872 999"),
    Case("0/1", "PR_NOTPLD", reads="* * 64 1"),
    Case("0/1", "PR_EXTRA", reads="0 0 0 0 0 0 0 0"),
    Case("0/1", "PR_TPLDS", reads="2 7"),
    Case("0/1", "PR_TPLDTRAFFIC", (7,), reads="10240 10 64000 500"),
    Case("0/1", "PR_TPLDERRORS", (7,), reads="0 3 1 2"),
    Case("0/1", "PR_TPLDLATENCY", (7,), reads="1200 1500 9000 1500 1200 9000"),
    Case("0/1", "PR_TPLDJITTER", (7,), reads="-1 -1 -1 -1 -1 -1"),
    Case("0/0", "PS_ARPREQUEST", (0,), reads="0x027773010001", before=L3_STREAM),
    Case("0/0", "PS_PINGREQUEST", (0,), reads="2 64", before=L3_STREAM),
    Case("0/0", "P_XMITONETIME", reads="0"),
    Case("0/0", "PC_STATS", reads="0 1 *", prepare=_captured),
    Case("0/0", "PC_PACKET", (0,),
         reads="0x" + (FRAME + ethernet_fcs(FRAME)).hex().upper(), prepare=_captured),
    Case("0/0", "PC_EXTRA", (0,), reads="* -1 0 64", prepare=_captured),
]  # fmt: skip
# values that change by themselves: the answer is one number on both protocols
CLOCKS = [Case("", "C_KEEPALIVE"), Case("", "C_TIME")]


def _effect(cmd: str, reads: str) -> Callable[[Checks], None]:
    def check(t: Checks) -> None:
        assert t.cli(f"{cmd} ?") == f"{cmd} {reads}".rstrip()

    return check


def _cleared(tx: bool, rx: bool) -> Callable[[Checks], None]:
    """Port 0 sent 9 frames and received 5 (_counters): the cleared side reads 0,
    and only an RX clear restarts the receiver's per-TID analysis."""

    def check(t: Checks) -> None:
        st = t.tester.port_stats(0)
        assert (st.tx_packets, st.rx_packets) == (0 if tx else 9, 0 if rx else 5)
        assert t.sent(0, ClearRx) == ([ClearRx(1)] if rx else [])

    return check


def _sent_one(t: Checks) -> None:
    """P_XMITONE: the frame without its FCS went out, counted, and timed."""
    assert t.fake.services.sent[0] == [FRAME]
    assert (t.tester.port_stats(0).tx_packets, t.tester.port_stats(0).tx_bytes) == (
        10, 9 * 128 + 64,
    )  # fmt: skip
    assert int(t.cli("0/0 P_XMITONETIME ?").split()[-1]) > 0


def _injected(kind: str) -> Callable[[Checks], None]:
    def check(t: Checks) -> None:
        assert t.sent(0, InjectError) == [InjectError(0, kind)]

    return check


_INJECTIONS = (
    ("PS_INJECTSEQERR", "sequence"),
    ("PS_INJECTMISERR", "misorder"),
    ("PS_INJECTPLDERR", "payload"),
    ("PS_INJECTTPLDERR", "tpld"),
)
_SENDING_WITH_TPLD = ("0/0 PS_TPLDID [0] 5", "0/0 PS_ENABLE [0] ON", "0/0 P_TRAFFIC ON")
SET_ONLY = [
    (Case("0/0", "PS_CREATE", (3,)), _effect("0/0 PS_INDICES", "0 3")),
    (Case("0/0", "PS_DELETE", (0,)), _effect("0/0 PS_INDICES", "")),
    (Case("0/0", "PS_AUTOADJUST", (0,),
          before=("0/0 PS_PACKETLENGTH [0] RANDOM 99 200",)),
     _effect("0/0 PS_PACKETLENGTH [0]", "FIXED 64 64")),
    (Case("0/0", "P_RESET", before=('0/0 P_COMMENT "x"',)),
     _effect("0/0 P_COMMENT", '""')),
    (Case("0/0", "PT_CLEAR"), _cleared(tx=True, rx=False)),
    (Case("0/0", "PR_CLEAR"), _cleared(tx=False, rx=True)),
    (Case("0/0", "PR_CALIBRATE"), _effect("0/0 P_LATENCYOFFSET", "800")),
    (Case("", "C_TRAFFIC", values="ON 0 0", before=("0/0 PS_ENABLE [0] ON",)),
     _effect("0/0 P_TRAFFIC", "ON")),
    *((Case("0/0", name, (0,), before=_SENDING_WITH_TPLD), _injected(kind))
      for name, kind in _INJECTIONS),
    (Case("0/0", "P_XMITONE", values="0x" + (FRAME + bytes(4)).hex()), _sent_one),
    (Case("", "C_LOGOFF"), lambda t: None),
    (Case("", "C_LOGON", values='"xena"'), lambda t: None),
]  # fmt: skip


# sets a software port cannot carry out: refused alike on both protocols
REFUSED = [
    (Case("0/0", "PS_INJECTFCSERR", (0,), before=_SENDING_WITH_TPLD),
     "NOTSUPPORTED"),
]  # fmt: skip


class Checks:
    """A fresh chassis with one CLI and one XOA session of the same owner."""

    def __init__(self) -> None:
        self.tester, self.fake = fake_tester()
        self.chassis = XenaChassis(self.tester)
        self.text = XenaSession("cli", "cli")
        self.binary = XenaSession("xoa", "xoa")
        for s in (self.text, self.binary):
            self.chassis.open_session(s)
        assert [self.cli(x) for x in SETUP] == ["<OK>"] * len(SETUP)
        for name, value in (("C_LOGON", "xena"), ("C_OWNER", "alice")):
            assert self.xoa_set(Case("", name, values=f'"{value}"')) == Status.OK
        _counters(self.tester, self.fake)

    def sent(self, port: int, kind: type[C]) -> list[C]:
        """The commands of ``kind`` the tester sent to ``port``'s workers."""
        result: list[C] = sent(self.fake, port, kind)
        return result

    def cli(self, line: str, session: XenaSession | None = None) -> str:
        lines = answer_line(self.chassis, session or self.text, line).lines
        assert len(lines) == 1, lines
        return lines[0]

    def _ask(self, case: Case, msg_type: int, value: bytes = b"") -> Message:
        where = case.where.split("/") if case.where else []
        module = int(where[0]) if where else NO_INDEX
        port = int(where[1]) if len(where) > 1 else NO_INDEX
        msg = Message(msg_type, CODE_BY_NAME[case.name], module, port, 7,
                      case.idx, value)  # fmt: skip
        (reply,) = MessageReader().feed(answer_message(self.chassis, self.binary, msg))
        assert isinstance(reply, Message)
        assert (reply.request_id, reply.module, reply.port) == (7, module, port)
        return reply

    def xoa_get(self, case: Case) -> str:
        """The XOA answer, written the CLI way."""
        spec = TABLE_BY_NAME[case.name]
        reply = self._ask(case, MsgType.QUERY)
        assert (reply.msg_type, reply.code) == (MsgType.VALUE, spec.code), reply
        assert spec.get_fields is not None
        values = decode_binary(spec.get_fields, reply.value)
        return f"{case.command} {format_text(spec.get_fields, values)}".rstrip()

    def xoa_set(self, case: Case) -> int:
        spec = TABLE_BY_NAME[case.name]
        assert spec.set_fields is not None
        line = parse_line(f"{case.command} {case.values}")
        assert line is not None
        values = parse_text(spec.set_fields, line.values, line.end_column)
        reply = self._ask(case, MsgType.VALUE, encode_binary(spec.set_fields, values))
        assert reply.msg_type == MsgType.STATUS
        return reply.code


def _counters(tester: Tester, fake: FakeDataplane) -> None:
    """The wire: port 1 sent 1000 frames (3 without a TPLD) and received 999 (1
    without; TIDs 2 and 7); port 0's stream 0 sent 9, port 0 received TID 4. The
    byte counts need a few frame sizes."""
    fake.count_tx(1, slot=0, packets=3, frame_bytes=64, tpld=False)
    fake.count_tx(1, slot=0, packets=996, frame_bytes=128)
    fake.count_tx(1, slot=0, packets=1, frame_bytes=320)
    fake.count_rx(1, packets=1, frame_bytes=64)
    fake.count_rx(1, packets=5, frame_bytes=128, tid=tid_stats(2, 5, 900, 950.0, 1000))
    tid7 = tid_stats(7, 500, 1200, 1500.4, 9000)
    fake.count_rx(1, packets=992, frame_bytes=128, tid=tid7)
    fake.count_rx(1, packets=1, frame_bytes=192, tid=tid7)
    fake.count_tx(0, slot=tester._core.slot(0, 0), packets=9, frame_bytes=128)
    fake.count_rx(0, packets=5, frame_bytes=128, tid=tid_stats(4, 5, 800, 900.0, 1000))
    # port 0's gateway answers ARP, echoes come back in 2.5 ms
    fake.services.neighbors[0]["198.18.1.1"] = GATEWAY_MAC
    fake.services.rtt_ns = 2_500_000


def test_every_command_is_checked() -> None:
    cases = [*SET_GET, *GET_ONLY, *CLOCKS, *(c for c, _ in (*SET_ONLY, *REFUSED))]
    assert sorted(c.name for c in cases) == sorted(TABLE_BY_NAME)


@pytest.mark.parametrize("case", SET_GET, ids=lambda c: c.name)
def test_set_over_cli_reads_back_on_both(case: Case) -> None:
    t = Checks()
    for line in case.before:
        assert t.cli(line) == "<OK>"
    assert t.cli(f"{case.command} {case.values}") == "<OK>"
    assert t.cli(f"{case.command} ?") == case.expected
    if not case.per_session:
        assert t.xoa_get(case) == case.expected


@pytest.mark.parametrize("case", SET_GET, ids=lambda c: c.name)
def test_set_over_xoa_reads_back_on_both(case: Case) -> None:
    t = Checks()
    for line in case.before:
        assert t.cli(line) == "<OK>"
    assert t.xoa_set(case) == Status.OK
    assert t.xoa_get(case) == case.expected
    if not case.per_session:
        assert t.cli(f"{case.command} ?") == case.expected


def test_a_new_stream_has_no_burst_size_and_takes_minus_one_back() -> None:
    # Xena's default, and what the RFC suites write to their ARP stream
    t = Checks()
    assert t.cli("0/0 PS_CREATE [3]") == "<OK>"
    assert t.cli("0/0 PS_BURST [3] ?") == "0/0 PS_BURST [3] -1 100"
    assert t.cli("0/0 PS_BURST [3] 4 100") == "<OK>"
    assert t.cli("0/0 PS_BURST [3] -1 100") == "<OK>"
    assert t.cli("0/0 PS_BURST [3] ?") == "0/0 PS_BURST [3] -1 100"
    assert t.cli("0/0 PS_BURST [3] 0 100").startswith("<BADVALUE>")


@pytest.mark.parametrize("case", GET_ONLY, ids=lambda c: c.name)
def test_get_only_commands_answer_the_same_on_both(case: Case) -> None:
    t = Checks()
    for line in case.before:
        assert t.cli(line) == "<OK>"
    if case.prepare is not None:
        case.prepare(t)
    cli = t.cli(f"{case.command} ?")
    assert masked([t.xoa_get(case)], [case.expected]) == masked([cli], [case.expected])
    if case.name == "P_CAPABILITIES":
        assert len(cli.split()) == 2 + 228
        cli = " ".join(cli.split()[: 2 + 18])
    assert masked([cli], [case.expected]) == [case.expected]
    # read-only: a set is refused on both
    assert t.cli(f"{case.command} 1") == "<NOTWRITABLE>"
    assert t._ask(case, MsgType.VALUE, b"\0\0\0\1").code == Status.NOTWRITABLE


@pytest.mark.parametrize("case", CLOCKS, ids=lambda c: c.name)
def test_clock_commands(case: Case) -> None:
    t = Checks()
    for answer in (t.cli(f"{case.command} ?"), t.xoa_get(case)):
        name, value = answer.split()
        assert name == case.name
        assert int(value) >= 0


@pytest.mark.parametrize(
    ("case", "effect"), SET_ONLY, ids=[c.name for c, _ in SET_ONLY]
)
def test_set_only_commands_act_the_same_on_both(
    case: Case, effect: Callable[[Checks], None]
) -> None:
    for over_xoa in (False, True):
        t = Checks()
        for line in case.before:
            assert t.cli(line) == "<OK>"
        if over_xoa:
            assert t.xoa_set(case) == Status.OK
            session = t.binary
        else:
            assert t.cli(f"{case.command} {case.values}".strip()) == "<OK>"
            session = t.text
        assert session.logging_off == (case.name == "C_LOGOFF")
        if case.name not in ("C_LOGOFF", "C_LOGON"):
            effect(t)
        # write-only: a query is refused on both
        assert t.cli(f"{case.command} ?", XenaSession("cli", "q", logged_on=True)) in (
            "<NOTREADABLE>",
        )
        assert t._ask(case, MsgType.QUERY).code == Status.NOTREADABLE


@pytest.mark.parametrize(("case", "status"), REFUSED, ids=[c.name for c, _ in REFUSED])
def test_refused_sets_are_refused_the_same_on_both(case: Case, status: str) -> None:
    t = Checks()
    for line in case.before:
        assert t.cli(line) == "<OK>"
    assert t.cli(f"{case.command} {case.values}".strip()) == f"<{status}>"
    assert t.xoa_set(case) == Status[status]
