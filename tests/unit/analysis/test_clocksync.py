"""Clock sync state from chronyc and pmc output, and when cross-host latency means
anything.

The fixtures in ``tests/data/clock`` follow the tools' formats field by field:
chronyc's ``tracking`` report (its ``print_report`` format, human and ``-c`` CSV:
the same 14 values, CSV without the words), and pmc's answers (``pmc_show``: a
``<port> seq N RESPONSE MANAGEMENT <ID>`` line, then one tab-indented
``key value`` line per field).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wirespeed.analysis.clocksync import (
    NOT_FOUND_DETAIL,
    ClockSource,
    ClockSync,
    CrossHostClock,
    choose_clock,
    format_ns,
    latency_across,
    parse_chrony_csv,
    parse_chrony_tracking,
    parse_pmc,
    ptp_clock,
)
from wirespeed.errors import RemoteProtocolError

DATA = Path(__file__).parents[2] / "data" / "clock"

CHRONY = ClockSource.CHRONY
PTP = ClockSource.LINUXPTP
# 12.345 µs slow; 876.543 µs dispersion; 12345.678 µs root delay (half: 6172.839)
CHRONY_SYNCED = ClockSync(
    CHRONY, True, -12_345, 12_345 + 876_543 + 6_172_839,
    "chrony follows 198.18.200.1 (stratum 3): offset -12.3 µs, "
    "root delay 12.3 ms, root dispersion 877 µs",
    "198.18.200.1",
)  # fmt: skip
CHRONY_UNSYNCED = ClockSync(
    CHRONY, False, None, None,
    "chrony is not synchronised (leap status: Not synchronised)",
)  # fmt: skip


def _read(name: str) -> str:
    return (DATA / name).read_text()


@pytest.mark.parametrize(
    ("parse", "name", "want"),
    [
        (parse_chrony_csv, "chrony_synced.csv", CHRONY_SYNCED),
        (parse_chrony_tracking, "chrony_synced.txt", CHRONY_SYNCED),
        (parse_chrony_csv, "chrony_unsynced.csv", CHRONY_UNSYNCED),
        (parse_chrony_tracking, "chrony_unsynced.txt", CHRONY_UNSYNCED),
    ],
)
def test_chrony_both_forms_give_one_state(parse, name, want) -> None:
    assert parse(_read(name)) == want


def test_chrony_fast_clock_is_a_positive_offset() -> None:
    text = _read("chrony_synced.txt").replace("seconds slow of", "seconds fast of")
    state = parse_chrony_tracking(text)
    assert (state.offset_ns, state.error_bound_ns) == (12_345, 7_061_727)
    csv = _read("chrony_synced.csv").replace(",0.000012345,", ",-0.000012345,")
    assert parse_chrony_csv(csv) == state


def test_chrony_local_mode_is_not_synchronised() -> None:
    assert parse_chrony_tracking(_read("chrony_local.txt")) == ClockSync(
        CHRONY, False, None, None,
        "chrony serves its local clock (reference 127.127.1.1, local mode): "
        "not synchronised to any source",
    )  # fmt: skip


def test_chrony_leap_second_pending_is_still_synchronised() -> None:
    csv = _read("chrony_synced.csv").replace("Normal", "Insert second")
    assert parse_chrony_csv(csv) == CHRONY_SYNCED


def test_odd_root_delay_rounds_the_bound_up() -> None:
    csv = _read("chrony_synced.csv").replace("0.012345678", "0.000000001")
    assert parse_chrony_csv(csv).error_bound_ns == 12_345 + 876_543 + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected one line"),
        ("506 Cannot talk to daemon\nagain\n", "expected one line"),
        ("C612C801,x,3,1.0,0.1\n", "expected 14 fields, got 5"),
        ("C612C801,x,three" + ",0" * 10 + ",Normal\n", "stratum"),
        ("C612C801,x,3,1,abc" + ",0" * 8 + ",Normal\n", "system time: not a number"),
    ],
)
def test_unreadable_chrony_csv_is_refused(text: str, message: str) -> None:
    with pytest.raises(RemoteProtocolError, match=message):
        parse_chrony_csv(text)


def test_unreadable_chrony_tracking_is_refused() -> None:
    with pytest.raises(RemoteProtocolError, match="no 'Root delay' line"):
        parse_chrony_tracking(
            "\n".join(
                ln
                for ln in _read("chrony_synced.txt").splitlines()
                if not ln.startswith("Root delay")
            )
        )
    text = _read("chrony_synced.txt").replace("seconds slow of", "seconds late of")
    with pytest.raises(RemoteProtocolError, match="unreadable"):
        parse_chrony_tracking(text)


def test_pmc_answers_by_management_id() -> None:
    answers = parse_pmc(_read("pmc_slave_hardware.txt"))
    assert sorted(answers) == [
        "CURRENT_DATA_SET",
        "PORT_PROPERTIES_NP",
        "TIME_STATUS_NP",
    ]
    assert answers["CURRENT_DATA_SET"] == [
        {"stepsRemoved": "1", "offsetFromMaster": "-38.0", "meanPathDelay": "612.0"}
    ]
    assert [p["interface"] for p in answers["PORT_PROPERTIES_NP"]] == ["eth1", "eth2"]
    assert answers["TIME_STATUS_NP"][0]["lastGmPhaseChange"] == (
        "0x0000'0000000000000000.0000"
    )
    # older pmc spells it MANAGMENT; an error status is no answer
    old = _read("pmc_slave_hardware.txt").replace("MANAGEMENT", "MANAGMENT")
    assert parse_pmc(old) == answers
    err = "\ta0369f.fffe.123456-1 seq 0 RESPONSE MANAGEMENT_ERROR_STATUS \n\t\tx 1\n"
    assert parse_pmc(err) == {}


GM = "001122.fffe.334455"


@pytest.mark.parametrize(
    ("name", "system_synced", "want"),
    [
        (
            "pmc_slave_hardware.txt", True,
            ClockSync(
                PTP, True, -38, 38 + 612,
                f"linuxptp follows grandmaster {GM}: offset -38 ns, mean path delay "
                "612 ns through phc2sys (whose own offset is not counted)",
                GM,
            ),
        ),
        (
            "pmc_slave_hardware.txt", False,
            ClockSync(
                PTP, False, None, None,
                "linuxptp keeps eth1's clock in time (hardware timestamping), but "
                "the system clock is not marked synchronised: phc2sys carries PTP "
                "time to it",
                GM,
            ),
        ),
        (
            "pmc_slave_software.txt", False,
            ClockSync(
                PTP, True, 1250, 1250 + 25_000,
                f"linuxptp follows grandmaster {GM}: offset 1.25 µs, mean path "
                "delay 25.0 µs",
                GM,
            ),
        ),
        (
            "pmc_grandmaster.txt", False,
            ClockSync(
                PTP, True, 0, 0,
                "linuxptp: this host is the PTP grandmaster a0369f.fffe.123456",
                "a0369f.fffe.123456",
            ),
        ),
        (
            "pmc_listening.txt", True,
            ClockSync(
                PTP, False, None, None,
                "linuxptp: no grandmaster to follow (port states: LISTENING)",
            ),
        ),
        (
            "pmc_no_answer.txt", True,
            ClockSync(
                PTP, False, None, None,
                "linuxptp: ptp4l did not answer pmc (not running?)",
            ),
        ),
    ],
)  # fmt: skip
def test_ptp_states(name: str, system_synced: bool, want: ClockSync) -> None:
    assert ptp_clock(_read(name), system_clock_synced=system_synced) == want


def test_ptp_answer_without_a_field_is_refused() -> None:
    text = _read("pmc_slave_software.txt").replace("meanPathDelay", "meanDelay")
    with pytest.raises(RemoteProtocolError, match="meanPathDelay"):
        ptp_clock(text, system_clock_synced=True)


def test_state_round_trips_as_plain_data() -> None:
    raw = CHRONY_SYNCED.to_dict()
    assert raw == {
        "source": "chrony",
        "is_synced": True,
        "offset_ns": -12_345,
        "error_bound_ns": 7_061_727,
        "detail": CHRONY_SYNCED.detail,
        "reference": "198.18.200.1",
    }
    assert ClockSync.from_dict(raw) == CHRONY_SYNCED
    none = ClockSync.not_found()
    assert ClockSync.from_dict(none.to_dict()) == none
    with pytest.raises(RemoteProtocolError, match="not a clock state"):
        ClockSync.from_dict({**raw, "source": "sundial"})
    with pytest.raises(RemoteProtocolError, match="offset_ns"):
        ClockSync.from_dict({k: v for k, v in raw.items() if k != "offset_ns"})


PTP_SYNCED = ptp_clock(_read("pmc_slave_software.txt"), system_clock_synced=False)
PTP_LISTENING = ptp_clock(_read("pmc_listening.txt"), system_clock_synced=False)


def test_choosing_the_system_clocks_state() -> None:
    assert choose_clock(None, None) == ClockSync(
        ClockSource.NONE, False, None, None, NOT_FOUND_DETAIL
    )
    assert NOT_FOUND_DETAIL == "not synchronised (no chrony or linuxptp found)"
    assert choose_clock(None, None, kernel_synced=True).detail == (
        "not synchronised (no chrony or linuxptp found; the kernel marks the "
        "clock synchronised by another daemon, whose error is unknown)"
    )
    assert choose_clock(CHRONY_SYNCED, PTP_SYNCED) == CHRONY_SYNCED
    assert choose_clock(CHRONY_UNSYNCED, PTP_SYNCED) == PTP_SYNCED
    assert choose_clock(CHRONY_UNSYNCED, None) == CHRONY_UNSYNCED
    assert choose_clock(None, PTP_LISTENING) == PTP_LISTENING
    assert choose_clock(CHRONY_UNSYNCED, PTP_LISTENING) == ClockSync(
        CHRONY, False, None, None,
        "chrony is not synchronised (leap status: Not synchronised); "
        "linuxptp: no grandmaster to follow (port states: LISTENING)",
    )  # fmt: skip


def _chrony(bound_ns: int) -> ClockSync:
    return ClockSync(CHRONY, True, 0, bound_ns, "chrony", "198.18.200.1")


def _ptp(bound_ns: int, gm: str = GM) -> ClockSync:
    return ClockSync(PTP, True, 0, bound_ns, "linuxptp", gm)


NOT = "latency across these hosts is not meaningful: "


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        (
            _chrony(12_000), _chrony(30_500),
            CrossHostClock(True, 42_500, "clocks synced by chrony, ±42.5 µs"),
        ),
        (
            _ptp(650), _ptp(350),
            CrossHostClock(True, 1000, "clocks synced by linuxptp, ±1.00 µs"),
        ),
        (
            _chrony(1), ClockSync.not_found(),
            CrossHostClock(False, None, NOT + "hostB's clock is not synchronised"),
        ),
        (
            CHRONY_UNSYNCED, _chrony(1),
            CrossHostClock(False, None, NOT + "hostA's clock is not synchronised"),
        ),
        (
            ClockSync.not_found(), PTP_LISTENING,
            CrossHostClock(
                False, None, NOT + "hostA's and hostB's clocks are not synchronised"
            ),
        ),
        (
            _ptp(1), _ptp(1, "a0369f.fffe.123456"),
            CrossHostClock(
                False, None,
                NOT + "hostA and hostB follow different PTP grandmasters "
                f"({GM}, a0369f.fffe.123456)",
            ),
        ),
        (
            _chrony(1), _ptp(1),
            CrossHostClock(
                False, None,
                NOT + "hostA's clock follows chrony, hostB's linuxptp: no common "
                "reference bounds their difference",
            ),
        ),
    ],
)  # fmt: skip
def test_latency_across_two_hosts(
    a: ClockSync, b: ClockSync, want: CrossHostClock
) -> None:
    assert latency_across("hostA", a, "hostB", b) == want


def test_one_host_is_one_clock() -> None:
    state = ClockSync.not_found()
    assert latency_across("hostA", state, "hostA", state) == CrossHostClock(
        True, 0, "one clock (hostA)"
    )


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0 ns"),
        (-999, "-999 ns"),
        (1_000, "1.00 µs"),
        (12_345, "12.3 µs"),
        (876_543, "877 µs"),
        (7_061_727, "7.06 ms"),
        (1_500_000_000, "1.50 s"),
        (4_000_000_000_000, "4000 s"),
    ],
)
def test_format_ns(ns: int, text: str) -> None:
    assert format_ns(ns) == text
