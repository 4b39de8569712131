"""Reading the host's clock sync: the tools found on the path, their command lines,
and what a missing, failing or garbled tool gives.

This machine has neither chrony nor linuxptp; the tools here are scripts that
answer the fixture text (``tests/data/clock``) only to the exact command line
wirespeed must use, so the IO shell is exercised end to end.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from wirespeed.analysis.clocksync import NOT_FOUND_DETAIL, ClockSource, ClockSync
from wirespeed.topology.clock import (
    CHRONYC_ARGS,
    PMC_ARGS,
    kernel_clock_synced,
    read_chrony,
    read_clock_sync,
    read_linuxptp,
)

DATA = Path(__file__).parents[2] / "data" / "clock"


def _tool(bindir: Path, name: str, args: tuple[str, ...], answer: str, rc: int = 0):
    """A ``name`` on ``bindir`` that prints ``answer`` for exactly ``args``."""
    bindir.mkdir(exist_ok=True)
    script = bindir / name
    script.write_text(
        "#!/bin/sh\n"
        f'[ "$(printf "%s\\n" "$*")" = {shlex.quote(" ".join(args))} ] '
        f'|| {{ echo "unexpected: $*" >&2; exit 2; }}\n'
        f"cat <<'EOF'\n{answer}EOF\n"
        f"exit {rc}\n"
    )
    script.chmod(0o755)
    return bindir


def test_neither_tool_on_the_path(tmp_path: Path) -> None:
    empty = str(tmp_path)
    assert read_chrony(path=empty) is None
    assert read_linuxptp(path=empty) is None
    state = read_clock_sync(path=empty)
    if kernel_clock_synced():
        assert state.detail.startswith(NOT_FOUND_DETAIL[:-1] + "; the kernel")
    else:
        assert state == ClockSync(ClockSource.NONE, False, None, None, NOT_FOUND_DETAIL)


def test_this_machine_has_neither() -> None:
    if shutil.which("chronyc") or shutil.which("pmc"):
        pytest.skip("chrony or linuxptp is installed here")
    assert not kernel_clock_synced()  # nothing steers this VM's clock
    assert read_clock_sync() == ClockSync.not_found()
    assert read_clock_sync().detail == "not synchronised (no chrony or linuxptp found)"


def test_chronyc_is_asked_in_csv_without_dns(tmp_path: Path) -> None:
    bindir = _tool(
        tmp_path / "bin",
        "chronyc",
        CHRONYC_ARGS,
        (DATA / "chrony_synced.csv").read_text(),
    )
    state = read_clock_sync(path=str(bindir))
    assert (state.source, state.is_synced, state.offset_ns, state.error_bound_ns) == (
        ClockSource.CHRONY, True, -12_345, 7_061_727,
    )  # fmt: skip
    assert CHRONYC_ARGS == ("-c", "-n", "tracking")


def test_chronyd_not_running(tmp_path: Path) -> None:
    bindir = _tool(
        tmp_path / "bin", "chronyc", CHRONYC_ARGS, "506 Cannot talk to daemon\n", rc=1
    )
    assert read_chrony(path=str(bindir)) == ClockSync(
        ClockSource.CHRONY, False, None, None,
        "chrony is not synchronised (chronyc tracking: exit 1: "
        "506 Cannot talk to daemon)",
    )  # fmt: skip


def test_garbled_chronyc_answer(tmp_path: Path) -> None:
    bindir = _tool(tmp_path / "bin", "chronyc", CHRONYC_ARGS, "what?\n")
    state = read_chrony(path=str(bindir))
    assert state is not None
    assert (state.source, state.is_synced) == (ClockSource.CHRONY, False)
    assert state.detail.startswith(
        "chrony: chronyc's answer could not be read (chronyc -c tracking: expected "
        "14 fields, got 1"
    )


def test_pmc_asks_the_local_ptp4l_for_three_data_sets(tmp_path: Path) -> None:
    text = (DATA / "pmc_slave_hardware.txt").read_text()
    bindir = _tool(tmp_path / "bin", "pmc", PMC_ARGS, text)
    assert PMC_ARGS == (
        "-u", "-b", "0",
        "GET TIME_STATUS_NP", "GET CURRENT_DATA_SET", "GET PORT_PROPERTIES_NP",
    )  # fmt: skip
    synced = read_linuxptp(path=str(bindir), system_clock_synced=True)
    assert synced is not None
    assert (synced.is_synced, synced.offset_ns, synced.error_bound_ns) == (
        True,
        -38,
        650,
    )
    unsynced = read_linuxptp(path=str(bindir), system_clock_synced=False)
    assert unsynced is not None
    assert not unsynced.is_synced
    # chrony not synchronised, ptp4l with phc2sys is: linuxptp's state
    _tool(bindir, "chronyc", CHRONYC_ARGS, (DATA / "chrony_unsynced.csv").read_text())
    both = read_clock_sync(path=str(bindir))
    assert both == (synced if kernel_clock_synced() else ClockSync(
        ClockSource.CHRONY, False, None, None,
        "chrony is not synchronised (leap status: Not synchronised); "
        + unsynced.detail,
    ))  # fmt: skip


def test_pmc_that_fails(tmp_path: Path) -> None:
    bindir = _tool(tmp_path / "bin", "pmc", ("-v",), "4.2\n")  # refuses PMC_ARGS
    assert read_linuxptp(path=str(bindir), system_clock_synced=True) == ClockSync(
        ClockSource.LINUXPTP, False, None, None,
        "linuxptp: pmc failed (exit 2: unexpected: " + " ".join(PMC_ARGS) + ")",
    )  # fmt: skip
