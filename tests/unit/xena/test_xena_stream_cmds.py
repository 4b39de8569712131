"""Stream commands: drafts become tester streams; traffic-on rules; rates."""

from __future__ import annotations

import pytest
from xena_env import sent  # type: ignore[import-not-found]

from wirespeed.dataplane.messages import StartJob, SuppressStream
from wirespeed.model import (
    Endian,
    FrameLength,
    LengthType,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    Rate,
    RateUnit,
    StreamEnable,
    TxMode,
)
from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import answer_line
from wirespeed.server.xena.session import XenaSession

HEADER = (
    "0x00000A01000200000A0100020800"  # DMAC, SMAC, IPv4
    "450000000000000007FFF0000"
    "0A000002"
    "0A010002"
)
HEADER = HEADER.replace("07FFF", "7FFF")  # TTL 7F, proto FF, checksum 0000


def run(chassis: XenaChassis, session: XenaSession, *lines: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += answer_line(chassis, session, line).lines
    return out


@pytest.fixture
def alice(chassis: XenaChassis) -> XenaSession:
    s = XenaSession("cli", "alice")
    chassis.open_session(s)
    assert (
        run(
            chassis, s, 'C_LOGON "xena"', 'C_OWNER "alice"', "0/0 P_RESERVATION RESERVE"
        )
        == ["<OK>"] * 3
    )
    return s


SEED_STREAM = [
    "0/0 PS_CREATE [0]",
    "0/0 PS_ENABLE [0] ON",
    "0/0 PS_PACKETLIMIT [0] -1",
    '0/0 PS_COMMENT [0] "Test stream"',
    "0/0 PS_RATEFRACTION [0] 100000",
    "0/0 PS_HEADERPROTOCOL [0] ETHERNET IP",
    f"0/0 PS_PACKETHEADER [0] {HEADER}",
    "0/0 PS_PACKETLENGTH [0] FIXED 128 128",
    "0/0 PS_PAYLOAD [0] PATTERN 0xFFFF0000",
    "0/0 PS_TPLDID [0] 0",
    "0/0 PS_INSERTFCS [0] ON",
]


def test_seed_stream_becomes_a_tester_stream(chassis, tester, alice) -> None:
    assert run(chassis, alice, *SEED_STREAM) == ["<OK>"] * len(SEED_STREAM)
    stream = tester.streams(0)[0]
    assert stream.packet == bytes.fromhex(HEADER[2:])
    assert len(stream.packet) == 34
    assert stream.segments == (1, 4)
    assert stream.name == "Test stream"
    assert stream.enabled is StreamEnable.ON
    assert stream.tpld_id == 0
    assert stream.length == FrameLength(LengthType.FIXED, 128, 128)
    assert stream.payload == Payload(PayloadType.PATTERN, b"\xff\xff\x00\x00")
    assert stream.rate == Rate(RateUnit.PPM, 100000)
    assert stream.mode == TxMode.continuous()


def test_queries_echo_the_line(chassis, alice) -> None:
    run(chassis, alice, *SEED_STREAM)
    assert run(
        chassis,
        alice,
        "0/0 PS_INDICES ?",
        "0/0 PS_ENABLE [0] ?",
        "0/0 PS_HEADERPROTOCOL [0] ?",
        "0/0 PS_PACKETLENGTH [0] ?",
        "0/0 PS_PAYLOAD [0] ?",
        "0/0 PS_COMMENT [0] ?",
        "0/0 PS_PACKETLIMIT [0] ?",
        "0/0 PS_PACKETHEADER [0] ?",
    ) == [
        "0/0 PS_INDICES 0",
        "0/0 PS_ENABLE [0] ON",
        "0/0 PS_HEADERPROTOCOL [0] ETHERNET IP",
        "0/0 PS_PACKETLENGTH [0] FIXED 128 128",
        "0/0 PS_PAYLOAD [0] PATTERN 0xFFFF0000",
        '0/0 PS_COMMENT [0] "Test stream"',
        "0/0 PS_PACKETLIMIT [0] -1",
        "0/0 PS_PACKETHEADER [0] 0x" + HEADER[2:].upper(),
    ]
    # a reply is valid input
    assert run(chassis, alice, "0/0 PS_PACKETLENGTH [0] FIXED 128 128") == ["<OK>"]


def test_rate_forms_convert(chassis, alice) -> None:
    run(chassis, alice, *SEED_STREAM)
    # 10% of 1 Gbit/s with 128-byte frames (148 bytes on the line)
    assert run(
        chassis,
        alice,
        "0/0 PS_RATEFRACTION [0] ?",
        "0/0 PS_RATEPPS [0] ?",
        "0/0 PS_RATEL2BPS [0] ?",
    ) == [
        "0/0 PS_RATEFRACTION [0] 100000",
        "0/0 PS_RATEPPS [0] 84459",
        "0/0 PS_RATEL2BPS [0] 86486486",
    ]
    assert run(
        chassis,
        alice,
        "0/0 PS_RATEPPS [0] 10000",
        "0/0 PS_RATEFRACTION [0] ?",
        "0/0 PS_RATEL2BPS [0] ?",
    ) == ["<OK>", "0/0 PS_RATEFRACTION [0] 11840", "0/0 PS_RATEL2BPS [0] 10240000"]
    assert run(chassis, alice, "0/0 PS_RATEFRACTION [0] 1000001") == ["<BADVALUE>"]


def test_a_shorter_gap_fits_more_frames_in_a_fraction(
    chassis, tester, fake, alice
) -> None:
    run(chassis, alice, *SEED_STREAM)
    # 10% of 1 Gbit/s at 128 bytes: 84459 frames/s 20 bytes apart, 86806 at 16
    assert run(
        chassis, alice, "0/0 P_INTERFRAMEGAP 16", "0/0 P_INTERFRAMEGAP ?",
        "0/0 PS_RATEPPS [0] ?", "0/0 PS_RATEL2BPS [0] ?", "0/0 P_TRAFFIC ON",
    ) == [
        "<OK>", "0/0 P_INTERFRAMEGAP 16", "0/0 PS_RATEPPS [0] 86806",
        "0/0 PS_RATEL2BPS [0] 88888889", "<OK>",
    ]  # fmt: skip
    (start,) = sent(fake, 0, StartJob)
    (job,) = start.job.streams
    assert job.stream.rate == Rate(RateUnit.PPS, 100_000_000 / (144 * 8))
    assert job.plan.rate_pps == pytest.approx(86805.56, abs=0.01)
    # P_RESET: 20 again, and the fraction is the tester's own again
    assert run(chassis, alice, "0/0 P_RESET", "0/0 P_INTERFRAMEGAP ?") == [
        "<OK>",
        "0/0 P_INTERFRAMEGAP 20",
    ]
    run(chassis, alice, *SEED_STREAM)
    assert tester.streams(0)[0].rate == Rate(RateUnit.PPM, 100_000)


def test_a_port_packet_limit_goes_with_the_start(chassis, fake, alice) -> None:
    run(chassis, alice, *SEED_STREAM)
    assert run(
        chassis, alice, "0/0 P_TXPACKETLIMIT 1000", "0/0 P_TXPACKETLIMIT ?",
        "0/0 P_TXPACKETLIMIT -2", "0/0 P_TRAFFIC ON", "0/0 P_TXPACKETLIMIT 5",
    ) == [
        "<OK>", "0/0 P_TXPACKETLIMIT 1000", "<BADVALUE>", "<OK>", "<NOTVALID>",
    ]  # fmt: skip
    run(chassis, alice, "0/0 P_TRAFFIC OFF", "0/0 P_TXPACKETLIMIT -1")
    assert run(chassis, alice, "0/0 P_TRAFFIC ON") == ["<OK>"]
    assert [c.job.packet_limit for c in sent(fake, 0, StartJob)] == [1000, None]


def test_modifiers(chassis, tester, alice) -> None:
    run(chassis, alice, *SEED_STREAM)
    assert run(
        chassis,
        alice,
        "0/0 PS_MODIFIERCOUNT [0] 2",
        "0/0 PS_MODIFIER [0,0] 30 0xFFFF0000 INC 1",
        "0/0 PS_MODIFIERRANGE [0,0] 2 1 10",
        "0/0 PS_MODIFIER [0,1] 6 0x0FC00000 RANDOM 1",
        "0/0 PS_MODIFIER_ENDIAN [0,1] LITTLE",
        "0/0 PS_MODIFIER [0,2] 6 0xFFFF0000 INC 1",
        "0/0 PS_MODIFIERRANGE [0,0] 2 3 10",
        "0/0 PS_MODIFIEREXTCOUNT [0] 1",
        "0/0 PS_MODIFIEREXT [0,0] 26 0xFFFFFF00 DEC 2",
        "0/0 PS_MODIFIER [0,1] ?",
        "0/0 PS_MODIFIERCOUNT [0] ?",
    ) == [
        "<OK>",
        "<OK>",
        "<OK>",
        "<OK>",
        "<OK>",
        "<BADINDEX>",
        "<BADVALUE>",
        "<OK>",
        "<OK>",
        "0/0 PS_MODIFIER [0,1] 6 0x0FC00000 RANDOM 1",
        "0/0 PS_MODIFIERCOUNT [0] 2",
    ]
    mods = tester.streams(0)[0].modifiers
    assert mods == (
        Modifier(30, 0xFFFF0000, ModifierAction.INC, 1, 2, 1, 10),
        Modifier(6, 0x0FC00000, ModifierAction.RANDOM, 1, endian=Endian.LITTLE),
        Modifier(26, 0xFFFFFF00, ModifierAction.DEC, 2, is_extended=True),
    )


def test_unbuildable_draft_blocks_traffic_start(
    chassis, tester, fake, alice, caplog
) -> None:
    run(chassis, alice, *SEED_STREAM)
    # the range does not fit the 6 bits of the mask: allowed while editing ...
    assert (
        run(
            chassis,
            alice,
            "0/0 PS_MODIFIERCOUNT [0] 1",
            "0/0 PS_MODIFIERRANGE [0,0] 0 1 100",
            "0/0 PS_MODIFIER [0,0] 14 0x0FC00000 INC 1",
        )
        == ["<OK>"] * 3
    )
    assert 0 not in tester.streams(0)
    # ... but traffic does not start, and the log says why
    assert run(chassis, alice, "0/0 P_TRAFFIC ON") == ["<NOTVALID>"]
    assert "stream 0 cannot be sent" in caplog.text
    assert "PS_MODIFIER [0]" in caplog.text
    assert run(
        chassis,
        alice,
        "0/0 PS_MODIFIERRANGE [0,0] 0 1 63",
        "0/0 P_TRAFFIC ON",
        "0/0 P_TRAFFIC ?",
    ) == ["<OK>", "<OK>", "0/0 P_TRAFFIC ON"]
    # one start, of port 0 alone, without a time limit
    assert [(p, c.job.duration_s) for p, c in fake.sent if isinstance(c, StartJob)] == [
        (0, None)
    ]


def test_frames_longer_than_the_mtu_lets_out_block_the_start(
    chassis, fake, alice
) -> None:
    run(chassis, alice, *SEED_STREAM, "0/0 PS_PACKETLENGTH [0] INCREMENTING 64 1519")
    # MTU 1500: 1514 bytes handed to the kernel, 1518 with the FCS
    assert run(chassis, alice, "0/0 P_TRAFFIC ON") == ["<NOTVALID>"]
    assert sent(fake, 0, StartJob) == []
    run(chassis, alice, "0/0 PS_PACKETLENGTH [0] INCREMENTING 64 1518")
    assert run(chassis, alice, "0/0 P_TRAFFIC ON", "0/0 P_TRAFFIC OFF") == ["<OK>"] * 2
    fake.mtus[0] = 9000
    chassis.tester._mtus.clear()  # read once per port: a new test bed
    run(chassis, alice, "0/0 PS_PACKETLENGTH [0] FIXED 9018 9018")
    assert run(chassis, alice, "0/0 P_TRAFFIC ON") == ["<OK>"]


def test_traffic_on_rules(chassis, tester, fake, alice) -> None:
    run(chassis, alice, *SEED_STREAM, "0/0 PS_CREATE [1]", "0/0 P_TXTIMELIMIT 2000000")
    assert run(chassis, alice, "0/0 P_TRAFFIC ON") == ["<OK>"]
    # one start, of port 0 alone, for P_TXTIMELIMIT's 2 s
    assert [(p, c.job.duration_s) for p, c in fake.sent if isinstance(c, StartJob)] == [
        (0, 2.0)
    ]
    assert run(
        chassis,
        alice,
        "0/0 PS_RATEFRACTION [0] 5000",
        "0/0 PS_DELETE [0]",
        "0/0 PS_ENABLE [0] OFF",
        "0/0 PS_ENABLE [0] SUPPRESS",
        "0/0 P_TPLDMODE MICRO",
        '0/0 PS_COMMENT [1] "edited while running"',
        "0/0 PS_CREATE [2]",
    ) == [
        "<NOTVALID>",
        "<NOTVALID>",
        "<NOTVALID>",
        "<OK>",  # ON -> SUPPRESS while transmitting: the running stream is muted
        "<NOTVALID>",
        "<OK>",
        "<OK>",
    ]
    assert tester.streams(0)[0].enabled.name == "SUPPRESS"
    # stream 1 is off: its edit reaches the tester at once
    assert tester.streams(0)[1].name == "edited while running"
    assert run(chassis, alice, "0/0 PS_ENABLE [0] ON") == ["<OK>"]
    assert tester.streams(0)[0].enabled.name == "ON"
    # the running job muted stream 0 and sends it again
    assert sent(fake, 0, SuppressStream) == [
        SuppressStream(0, True),
        SuppressStream(0, False),
    ]
    assert run(chassis, alice, "0/0 P_TRAFFIC OFF", "0/0 P_TRAFFIC ON") == ["<OK>"] * 2
    assert tester.streams(0)[1].name == "edited while running"


def test_indices_create_delete(chassis, tester, alice) -> None:
    assert run(chassis, alice, "0/0 PS_INDICES 0 3 5", "0/0 PS_INDICES ?") == [
        "<OK>",
        "0/0 PS_INDICES 0 3 5",
    ]
    assert sorted(tester.streams(0)) == [0, 3, 5]
    assert run(
        chassis,
        alice,
        "0/0 PS_INDICES 3",
        "0/0 PS_CREATE [3]",
        "0/0 PS_DELETE [9]",
        "0/0 PS_CREATE [4096]",
        "0/0 PS_INDICES ?",
    ) == ["<OK>", "<NOTVALID>", "<BADINDEX>", "<BADINDEX>", "0/0 PS_INDICES 3"]
    assert sorted(tester.streams(0)) == [3]
    # defaults of a new stream: disabled, Ethernet header with the port's MAC
    assert run(
        chassis,
        alice,
        "0/0 PS_ENABLE [3] ?",
        "0/0 PS_PACKETHEADER [3] ?",
        "0/0 PS_TPLDID [3] ?",
    ) == [
        "0/0 PS_ENABLE [3] OFF",
        "0/0 PS_PACKETHEADER [3] 0x000000000000020000000001FFFF",
        "0/0 PS_TPLDID [3] -1",
    ]


def test_value_checks(chassis, alice) -> None:
    run(chassis, alice, "0/0 PS_CREATE [0]")
    assert (
        run(
            chassis,
            alice,
            "0/0 PS_PACKETLENGTH [0] INCREMENTING 200 100",
            "0/0 PS_PACKETLENGTH [0] FIXED 20 20",
            "0/0 PS_PACKETHEADER [0] 0x0011",
            "0/0 PS_HEADERPROTOCOL [0] IP UDP",
            "0/0 PS_PAYLOAD [0] PATTERN 0x" + "AB" * 19,
            "0/0 PS_TPLDID [0] 4096",
            "0/0 PS_PACKETLIMIT [0] -2",
            "0/0 PS_ENABLE [0] 7",
        )
        == ["<BADVALUE>"] * 8
    )


def test_autoadjust_and_reset(chassis, tester, alice) -> None:
    run(chassis, alice, *SEED_STREAM)
    assert run(
        chassis,
        alice,
        "0/0 PS_PACKETLENGTH [0] FIXED 60 60",
        "0/0 PS_AUTOADJUST [0]",
        "0/0 PS_PACKETLENGTH [0] ?",
    ) == ["<OK>", "<OK>", "0/0 PS_PACKETLENGTH [0] FIXED 64 64"]
    run(chassis, alice, "0/0 P_CHECKSUM 40", "0/0 PS_PACKETHEADER [0] 0x" + "00" * 60)
    assert run(
        chassis,
        alice,
        "0/0 PS_AUTOADJUST [0]",
        "0/0 PS_PACKETLENGTH [0] ?",
        "0/0 P_TPLDMODE ?",
        "0/0 P_CHECKSUM ?",
    ) == [
        "<OK>",
        "0/0 PS_PACKETLENGTH [0] FIXED 86 86",
        "0/0 P_TPLDMODE NORMAL",
        "0/0 P_CHECKSUM 40",
    ]
    assert run(
        chassis, alice, "0/0 P_RESET", "0/0 PS_INDICES ?", "0/0 P_CHECKSUM ?"
    ) == ["<OK>", "0/0 PS_INDICES", "0/0 P_CHECKSUM 0"]
    assert tester.streams(0) == {}


def test_port_settings(chassis, tester, alice) -> None:
    assert run(
        chassis,
        alice,
        "0/0 PP_FECMODE RS_FEC",
        "0/0 PP_FECMODE ?",
        "0/0 P_LOOPBACK NONE",
        "0/0 P_LOOPBACK L1RX2TX",
        "0/0 P_TPLDMODE MICRO",
        "0/0 P_LATENCYOFFSET -25",
        "0/0 P_SPEEDSELECTION F10G",
        "0/0 P_SPEED ?",
        "0/0 P_LATENCYMODE FIRST2LAST",
        "0/0 P_INTERFRAMEGAP 7",
        "0/0 P_TXMODE BURST",
    ) == [
        "<OK>",
        "0/0 PP_FECMODE RS_FEC",
        "<OK>",
        "<NOTSUPPORTED>",
        "<OK>",
        "<OK>",
        "<OK>",
        "0/0 P_SPEED 10000",
        "<NOTSUPPORTED>",
        "<BADVALUE>",  # the gap holds the 8-byte preamble
        "<NOTSUPPORTED>",
    ]
    info = tester.ports[0]
    assert (info.fec_mode, info.latency_offset_ns, info.speed_bps) == (
        "RS_FEC",
        -25,
        10_000_000_000,
    )
    assert info.tpld_mode.name == "MICRO"
