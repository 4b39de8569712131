"""Session, identity, reservation and module commands through the CLI layer."""

from __future__ import annotations

from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import answer_line
from wirespeed.server.xena.session import XenaSession


def run(chassis: XenaChassis, session: XenaSession, *lines: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += answer_line(chassis, session, line).lines
    return out


def logon(chassis: XenaChassis, owner: str) -> XenaSession:
    s = XenaSession("cli", owner)
    chassis.open_session(s)
    assert run(chassis, s, 'C_LOGON "xena"', f'C_OWNER "{owner}"') == ["<OK>"] * 2
    return s


def test_logon_first(chassis, session) -> None:
    answer = answer_line(chassis, session, "C_MODEL ?")
    assert (answer.lines, answer.close) == (["<NOTLOGGEDON>"], True)
    assert run(chassis, session, 'C_LOGON "nope"') == ["<BADVALUE>"]
    assert run(chassis, session, 'C_LOGON "xena"', "C_OWNER ?") == [
        "<OK>",
        'C_OWNER ""',
    ]


def test_identity(chassis) -> None:
    s = logon(chassis, "alice")
    assert run(
        chassis,
        s,
        "C_PORTCOUNTS ?",
        "C_VERSIONNO ?",
        "C_VERSIONNO_MINOR ?",
        "0 M_REVISION ?",
        "1 M_MODEL_NAME ?",
        "0 M_PORTCOUNT ?",
        "0/1 P_SPEED ?",
        "0/1 P_INTERFACE ?",
        "0/1 P_RECEIVESYNC ?",
        "0/0 P_MACADDRESS ?",
    ) == [
        "C_PORTCOUNTS 2 2",
        "C_VERSIONNO 460 0",
        "C_VERSIONNO_MINOR 5 0 0",
        '0 M_REVISION "Thor-400G-7S-1P"',
        "1 M_MODEL_NAME 8",
        "0 M_PORTCOUNT 2",
        "0/1 P_SPEED 1000",
        '0/1 P_INTERFACE "QSFP56 1G (wsT1)"',
        "0/1 P_RECEIVESYNC IN_SYNC",
        "0/0 P_MACADDRESS 0x020000000001",
    ]


def test_addressing_errors(chassis) -> None:
    s = logon(chassis, "alice")
    assert run(
        chassis,
        s,
        "5 M_MODEL ?",
        "0/7 P_SPEED ?",
        "P_SPEED ?",
        "0/0 PS_COMMENT ?",
        "0/0 C_MODEL ?",
        "NO_SUCH ?",
        "C_DOWN ?",
        "0/0 P_RESET ?",
        '0 M_REVISION "x"',
    ) == [
        "<BADMODULE>",
        "<BADPORT>",
        "<BADMODULE>",
        "<BADINDEX>",
        "^",
        "#Index error in column 1",
        "<BADPARAMETER>",
        "<NOTSUPPORTED>",
        "<NOTREADABLE>",
        "<NOTWRITABLE>",
    ]


def test_port_reservation_between_owners(chassis, tester) -> None:
    a, b = logon(chassis, "alice"), logon(chassis, "bob")
    assert run(chassis, a, "0/0 P_RESERVATION RESERVE", "0/0 P_RESERVATION ?") == [
        "<OK>",
        "0/0 P_RESERVATION RESERVED_BY_YOU",
    ]
    assert tester.reservation(0).owner == "alice"
    assert tester.reservation(0).session == "xena:alice"
    assert run(
        chassis,
        b,
        "0/0 P_RESERVATION ?",
        "0/0 P_RESERVEDBY ?",
        '0/0 P_COMMENT "x"',
        "0/0 P_RESERVATION RESERVE",
        "0/0 P_RESERVATION RELEASE",
    ) == [
        "0/0 P_RESERVATION RESERVED_BY_OTHER",
        '0/0 P_RESERVEDBY "alice"',
        "<NOTRESERVED>",
        "<NOTVALID>",
        "<NOTVALID>",
    ]
    # another session of the same owner shares the reservation
    a2 = logon(chassis, "alice")
    assert run(chassis, a2, '0/0 P_COMMENT "mine"', "0/0 P_COMMENT ?") == [
        "<OK>",
        '0/0 P_COMMENT "mine"',
    ]
    assert run(chassis, b, "0/0 P_RESERVATION RELINQUISH", "0/0 P_RESERVATION ?") == [
        "<OK>",
        "0/0 P_RESERVATION RELEASED",
    ]
    assert tester.reservation(0) is None


def test_reserve_needs_owner(chassis, session) -> None:
    assert run(chassis, session, 'C_LOGON "xena"', "0/0 P_RESERVATION RESERVE") == [
        "<OK>",
        "<NOTVALID>",
    ]


def test_module_reservation_blocks_other_owners(chassis) -> None:
    a, b = logon(chassis, "alice"), logon(chassis, "bob")
    assert run(chassis, b, "0/1 P_RESERVATION RESERVE") == ["<OK>"]
    assert run(chassis, a, "0 M_RESERVATION RESERVE") == ["<NOTVALID>"]
    assert run(chassis, a, "1 M_RESERVATION RESERVE", "1 M_RESERVEDBY ?") == [
        "<OK>",
        '1 M_RESERVEDBY "alice"',
    ]
    assert run(chassis, b, "1/0 P_RESERVATION RESERVE", "1 M_RESERVATION ?") == [
        "<NOTVALID>",
        "1 M_RESERVATION RESERVED_BY_OTHER",
    ]
    assert run(chassis, b, "1 M_RESERVATION RELINQUISH", "1 M_RESERVATION ?") == [
        "<OK>",
        "1 M_RESERVATION RELEASED",
    ]


def test_chassis_reservation(chassis) -> None:
    a, b = logon(chassis, "alice"), logon(chassis, "bob")
    assert run(chassis, a, 'C_NAME "x"', "C_RESERVATION RESERVE", 'C_NAME "lab"') == [
        "<NOTRESERVED>",
        "<OK>",
        "<OK>",
    ]
    assert run(
        chassis, b, "C_RESERVATION ?", "C_RESERVEDBY ?", 'C_NAME "y"', "C_NAME ?"
    ) == [
        "C_RESERVATION RESERVED_BY_OTHER",
        'C_RESERVEDBY "alice"',
        "<NOTRESERVED>",
        'C_NAME "lab"',
    ]


def test_media_and_port_speeds(chassis, tester) -> None:
    a = logon(chassis, "alice")
    # the ports' current 1G is offered under the current media
    assert run(chassis, a, "0 M_MEDIASUPPORT ?") == [
        "0 M_MEDIASUPPORT 5 1 2 200000 4 3 2 200000 2 100000 2 1000 1 1 2 50000 "
        "10 1 2 50000"
    ]
    assert run(
        chassis,
        a,
        "0 M_MEDIA ?",
        "0 M_CFPCONFIGEXT ?",
        "0 M_CFPCONFIGEXT 2 200000 200000",
    ) == ["0 M_MEDIA QSFP56_PAM4", "0 M_CFPCONFIGEXT 2 1000 1000", "<NOTRESERVED>"]
    assert run(
        chassis,
        a,
        "0 M_RESERVATION RESERVE",
        "0 M_CFPCONFIGEXT 2 200000 200000",
        "0 M_CFPCONFIGEXT ?",
        "0 M_CFPCONFIGEXT 1 400000",
        "0 M_CFPCONFIGEXT 2 200000 123",
        "0/0 P_SPEED ?",
    ) == [
        "<OK>",
        "<OK>",
        "0 M_CFPCONFIGEXT 2 200000 200000",
        "<BADVALUE>",
        "<BADVALUE>",
        "0/0 P_SPEED 200000",
    ]
    assert tester.ports[1].speed_bps == 200_000_000_000
    assert run(chassis, a, "0 M_MEDIASUPPORT ?") == [
        "0 M_MEDIASUPPORT 5 1 2 200000 4 2 2 200000 2 100000 1 1 2 50000 10 1 2 50000"
    ]
    assert run(
        chassis, a, "0 M_MEDIA QSFPDD_PAM4", "0 M_MEDIA CFP4", "0 M_MEDIA ?"
    ) == ["<OK>", "<BADVALUE>", "0 M_MEDIA QSFPDD_PAM4"]
    assert tester.modules[0].media == "QSFPDD_PAM4"


def test_timeout_keepalive_logoff(chassis) -> None:
    a = logon(chassis, "alice")
    assert run(chassis, a, "C_TIMEOUT 99999", "C_TIMEOUT ?", "C_TIMEOUT 0") == [
        "<OK>",
        "C_TIMEOUT 99999",
        "<BADVALUE>",
    ]
    assert a.timeout_s == 99999
    keep = run(chassis, a, "C_KEEPALIVE ?")[0].split()
    assert keep[0] == "C_KEEPALIVE"
    assert int(keep[1]) >= 0
    answer = answer_line(chassis, a, "C_LOGOFF")
    assert (answer.lines, answer.close) == (["<OK>"], True)


def test_helpers(chassis, session) -> None:
    assert run(chassis, session, "SYNC", "", "SYNC ON") == ["<SYNC>", "", "<OK>"]
    assert session.sync_on
    lines = run(chassis, session, 'HELP "PS_MODIFIER"')
    assert lines[0] == (
        "m/p PS_MODIFIER [sid,sub] I,H4,I,I (get/set): byte position, mask, "
        "INC/DEC/RANDOM, repeat"
    )
    assert len(lines) == 7
    assert answer_line(chassis, session, "WAIT 2").wait_s == 2
    assert run(chassis, session, "SYNC MAYBE") == [
        "     ^",
        "#Syntax error in column 6",
    ]
