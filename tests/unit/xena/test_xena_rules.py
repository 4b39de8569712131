"""Traffic-on and reservation rules, on both protocols.

While a port transmits, its settings, its module's media and speeds and its enabled
streams cannot change (NOTVALID); a disabled stream can. A port held by another
owner, also one that took it over the TRex front end, cannot be changed
(NOTRESERVED). Error injection needs a sending stream with a TPLD (NOTVALID
otherwise); FCS errors cannot be injected on a software port (NOTSUPPORTED).
"""

from __future__ import annotations

import queue

import pytest
from test_xena_both_protocols import Case, Checks  # type: ignore[import-not-found]

from wirespeed.dataplane.messages import InjectError
from wirespeed.fieldengine import InjectedError
from wirespeed.server.xena.session import Push
from wirespeed.server.xena.status import Status
from wirespeed.server.xena.wire import MsgType
from wirespeed.tpld import TpldMode

RUNNING = ("0/0 PS_ENABLE [0] ON", "0/0 PS_CREATE [1]", "0/0 P_TRAFFIC ON")

# sets refused while 0/0 sends with stream 0 enabled; the same on stream 1 (off) pass
PORT_IDLE = [
    Case("0/0", "P_SPEEDSELECTION", values="F10G"),
    Case("0/0", "P_LOOPBACK", values="NONE"),
    Case("0/0", "PP_FECMODE", values="RS_FEC"),
    Case("0/0", "P_TPLDMODE", values="MICRO"),
    Case("0/0", "P_CHECKSUM", values="40"),
    Case("0/0", "P_LATENCYMODE", values="LAST2LAST"),
    Case("0/0", "P_TXTIMELIMIT", values="1000"),
    Case("0/0", "P_TXMODE", values="NORMAL"),
    Case("0/0", "P_RANDOMSEED", values="3"),
    Case("0/0", "P_MAXHEADERLENGTH", values="200"),
    Case("0/0", "P_INTERFRAMEGAP", values="20"),
    Case("0/0", "P_SPEEDREDUCTION", values="0"),
    Case("0", "M_MEDIA", values="QSFP56_PAM4"),
    Case("0", "M_CFPCONFIGEXT", values="2 1000 1000"),
]
STREAM_EDITS = [
    ("PS_PACKETLIMIT", "100"), ("PS_COMMENT", '"x"'), ("PS_TPLDID", "9"),
    ("PS_INSERTFCS", "OFF"), ("PS_RATEFRACTION", "5000"), ("PS_RATEPPS", "10"),
    ("PS_RATEL2BPS", "100000"), ("PS_BURST", "2 50"), ("PS_BURSTGAP", "1 2"),
    ("PS_PACKETHEADER", "0x" + "00" * 20), ("PS_HEADERPROTOCOL", "ETHERNET IP"),
    ("PS_MODIFIERCOUNT", "1"), ("PS_MODIFIEREXTCOUNT", "1"),
    ("PS_PACKETLENGTH", "FIXED 100 100"), ("PS_PAYLOAD", "INC8 0x00"),
    ("PS_AUTOADJUST", ""), ("PS_ENABLE", "OFF"), ("PS_PFCPRIORITY", "3"),
    ("PS_IPV4GATEWAY", "198.18.0.1"), ("PS_OPTIONS", ""),
]  # fmt: skip
MODIFIER_EDITS = [
    ("PS_MODIFIER", "6 0xFFFF0000 INC 1"), ("PS_MODIFIERRANGE", "0 1 5"),
    ("PS_MODIFIER_ENDIAN", "LITTLE"), ("PS_MODIFIEREXT", "6 0xFFFFFF00 INC 1"),
    ("PS_MODIFIEREXTRANGE", "0 1 5"),
]  # fmt: skip
ALLOWED = [
    Case("0/0", "P_COMMENT", values='"while running"'),
    Case("0/0", "P_LATENCYOFFSET", values="10"),
    Case("0/0", "PS_ENABLE", (0,), "SUPPRESS"),
    Case("0/0", "PS_CREATE", (2,)),
    Case("1", "M_MEDIA", values="QSFP56_PAM4"),  # the other module is idle
    Case("0/1", "PP_FECMODE", values="RS_FEC"),  # the other port is idle
]
INJECTIONS = ["PS_INJECTSEQERR", "PS_INJECTMISERR", "PS_INJECTPLDERR",
              "PS_INJECTTPLDERR"]  # fmt: skip


def _stream_cases(sid: int) -> list[Case]:
    edits = [Case("0/0", n, (sid,), v) for n, v in STREAM_EDITS]
    return edits + [Case("0/0", n, (sid, 0), v) for n, v in MODIFIER_EDITS]


def running(t: Checks) -> Checks:
    assert [t.cli(x) for x in RUNNING] == ["<OK>"] * len(RUNNING)
    for line in ("0/0 PS_MODIFIERCOUNT [1] 1", "0/0 PS_MODIFIEREXTCOUNT [1] 1",
                 "1 M_RESERVATION RESERVE", "0/1 P_RESERVATION RESERVE"):  # fmt: skip
        assert t.cli(line) == "<OK>"
    return t


def _set(t: Checks, case: Case, over_xoa: bool) -> str:
    if over_xoa:
        return f"<{Status(t.xoa_set(case)).name}>"
    return t.cli(f"{case.command} {case.values}".strip())


@pytest.mark.parametrize("over_xoa", [False, True], ids=["cli", "xoa"])
def test_while_traffic_is_on(over_xoa: bool) -> None:
    t = running(Checks())
    before = [t.cli(f"{c.command} ?") for c in PORT_IDLE]
    refused = [*PORT_IDLE, *_stream_cases(0), Case("0/0", "PS_DELETE", (0,))]
    assert [_set(t, c, over_xoa) for c in refused] == ["<NOTVALID>"] * len(refused)
    assert [t.cli(f"{c.command} ?") for c in PORT_IDLE] == before
    assert t.cli("0/0 PS_INDICES 1") == "<NOTVALID>"  # would delete stream 0
    assert t.cli("0/0 PS_INDICES ?") == "0/0 PS_INDICES 0 1"
    # a disabled stream may be edited (and deleted) while the port sends
    edits = [*_stream_cases(1), Case("0/0", "PS_DELETE", (1,))]
    assert [_set(t, c, over_xoa) for c in edits] == ["<OK>"] * len(edits)
    assert sorted(t.tester.streams(0)) == [0, 1]  # the tester's goes when idle
    assert [_set(t, c, over_xoa) for c in ALLOWED] == ["<OK>"] * len(ALLOWED)
    assert t.cli("0/0 PS_ENABLE [0] ?") == "0/0 PS_ENABLE [0] SUPPRESS"
    assert t.tester.streams(0)[0].enabled.name == "SUPPRESS"
    assert t.cli("0/0 PS_INDICES ?") == "0/0 PS_INDICES 0 2"
    # stopped: the same sets go through; the next start sends what was drafted
    assert t.cli("0/0 P_TRAFFIC OFF") == "<OK>"
    assert [_set(t, c, over_xoa) for c in PORT_IDLE] == ["<OK>"] * len(PORT_IDLE)
    assert t.cli("0/0 PS_ENABLE [0] ON") == "<OK>"
    assert t.cli("0/0 P_TRAFFIC ON") == "<OK>"
    assert sorted(t.tester.streams(0)) == [0, 2]


UNSUPPORTED_MODES = [
    Case("0/1", "P_LOOPBACK", values="L2RX2TX"),
    Case("0/1", "P_LATENCYMODE", values="FIRST2FIRST"),
    Case("0/1", "P_TXMODE", values="BURST"),
    Case("0/1", "P_TXMODE", values="SEQUENTIAL"),
    Case("0/1", "P_SPEEDREDUCTION", values="100"),
    Case("0/0", "PS_OPTIONS", (1,), values="INCPLDFROM0"),
]


@pytest.mark.parametrize("over_xoa", [False, True], ids=["cli", "xoa"])
def test_what_wirespeed_cannot_do_is_not_supported(over_xoa: bool) -> None:
    t = running(Checks())
    fcs = Case("0/0", "PS_INJECTFCSERR", (0,))
    if over_xoa:
        assert Status(t._ask(fcs, 3).code) is Status.NOTSUPPORTED
    else:
        assert t.cli(fcs.command) == "<NOTSUPPORTED>"
    modes = [_set(t, c, over_xoa) for c in UNSUPPORTED_MODES]
    assert modes == ["<NOTSUPPORTED>"] * len(modes)
    assert [
        t.cli(f"0/1 {n} ?") for n in ("P_LATENCYMODE", "P_LOOPBACK", "P_TXMODE")
    ] == [
        "0/1 P_LATENCYMODE LAST2LAST",
        "0/1 P_LOOPBACK NONE",
        "0/1 P_TXMODE NORMAL",
    ]


def test_a_port_the_trex_front_end_holds() -> None:
    t = Checks()
    t.tester.reserve(1, "trex-user", "trex:1234")
    assert [t.cli(x) for x in ("0/1 P_RESERVATION ?", "0/1 P_RESERVEDBY ?")] == [
        "0/1 P_RESERVATION RESERVED_BY_OTHER",
        '0/1 P_RESERVEDBY "trex-user"',
    ]
    comment = Case("0/1", "P_COMMENT", values='"mine"')
    assert t.cli('0/1 P_COMMENT "mine"') == "<NOTRESERVED>"
    assert t.xoa_set(comment) == Status.NOTRESERVED
    assert t.cli("0/1 PS_CREATE [0]") == "<NOTRESERVED>"
    assert t.cli("C_TRAFFIC ON 0 1") == "<NOTRESERVED>"
    assert t.cli("0/1 P_RESERVATION RESERVE") == "<NOTVALID>"
    assert t.cli("0/1 P_RESERVATION RELEASE") == "<NOTVALID>"
    assert t.tester.reservation(1).owner == "trex-user"
    # RELINQUISH takes it away; then it can be reserved and changed
    assert t.cli("0/1 P_RESERVATION RELINQUISH") == "<OK>"
    assert t.cli("0/1 P_RESERVATION ?") == "0/1 P_RESERVATION RELEASED"
    assert t.cli("0/1 P_RESERVATION RESERVE") == "<OK>"
    assert t.xoa_set(comment) == Status.OK
    assert t.tester.reservation(1).session == "xena:alice"


def test_chassis_reservation_pushes(chassis) -> None:
    from test_xena_stats_pushes import run, user  # type: ignore[import-not-found]

    chassis.start()
    qa: queue.Queue[Push] = queue.Queue()
    qb: queue.Queue[Push] = queue.Queue()
    a, b = user(chassis, "alice", qa), user(chassis, "bob", qb)
    assert run(chassis, a, "C_RESERVATION RESERVE") == ["<OK>"]
    assert [qa.get(timeout=5), qa.get(timeout=5)] == [
        Push("C_RESERVATION", None, None, (1,)),
        Push("C_RESERVEDBY", None, None, ("alice",)),
    ]
    assert [qb.get(timeout=5), qb.get(timeout=5)] == [
        Push("C_RESERVATION", None, None, (2,)),
        Push("C_RESERVEDBY", None, None, ("alice",)),
    ]
    assert run(chassis, b, "C_RESERVATION RESERVE", "C_RESERVATION RELINQUISH") == [
        "<NOTVALID>",
        "<OK>",
    ]
    assert qa.get(timeout=5) == Push("C_RESERVATION", None, None, (0,))


def _inject(t: Checks, case: Case, over_xoa: bool) -> str:
    if over_xoa:
        return f"<{Status(t._ask(case, 3).code).name}>"
    return t.cli(case.command)


@pytest.mark.parametrize("over_xoa", [False, True], ids=["cli", "xoa"])
def test_injection_needs_a_sending_stream_with_a_tpld(over_xoa: bool) -> None:
    t = running(Checks())  # stream 0 sends without a TPLD, stream 1 is off
    on_0 = [Case("0/0", name, (0,)) for name in INJECTIONS]
    on_1 = [Case("0/0", name, (1,)) for name in INJECTIONS]
    on_9 = [Case("0/0", name, (9,)) for name in INJECTIONS]
    assert [_inject(t, c, over_xoa) for c in on_0] == ["<NOTVALID>"] * 4
    assert [_inject(t, c, over_xoa) for c in on_1] == ["<NOTVALID>"] * 4
    assert [_inject(t, c, over_xoa) for c in on_9] == ["<BADINDEX>"] * 4
    assert t.sent(0, InjectError) == []
    assert t.cli("0/0 P_TRAFFIC OFF") == "<OK>"
    assert t.cli("0/0 PS_TPLDID [0] 3") == "<OK>"
    assert [_inject(t, c, over_xoa) for c in on_0] == ["<NOTVALID>"] * 4  # not sending
    assert t.cli("0/0 P_TRAFFIC ON") == "<OK>"
    assert [_inject(t, c, over_xoa) for c in on_0] == ["<OK>"] * 4
    assert t.sent(0, InjectError) == [
        InjectError(0, "sequence"), InjectError(0, "misorder"),
        InjectError(0, "payload"), InjectError(0, "tpld"),
    ]  # fmt: skip


def test_pt_extra_counts_the_injected_errors_the_port_sent() -> None:
    t = Checks()
    for n, error in enumerate(InjectedError, start=1):
        t.fake.count_injected(0, error, n)
    assert t.cli("0/0 PT_EXTRA ?") == "0/0 PT_EXTRA 0 0 0 0 0 1 2 3 4 0 0"
    assert t.xoa_get(Case("0/0", "PT_EXTRA")) == "0/0 PT_EXTRA 0 0 0 0 0 1 2 3 4 0 0"


def test_a_port_in_the_trex_form_says_so_until_reset() -> None:
    t = Checks()
    t.tester.set_tpld_mode(0, TpldMode.TREX)  # what the TRex front end sets
    assert t.cli("0/0 P_TPLDMODE ?") == "<NOTVALID>"
    reply = t._ask(Case("0/0", "P_TPLDMODE"), MsgType.QUERY)
    assert Status(reply.code) is Status.NOTVALID
    assert t.cli("0/0 P_RESET") == "<OK>"
    assert t.cli("0/0 P_TPLDMODE ?") == "0/0 P_TPLDMODE NORMAL"
