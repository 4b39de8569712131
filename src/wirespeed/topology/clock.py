"""Reading this host's clock synchronisation: chrony and linuxptp, where installed.

``chronyc -c -n tracking`` asks chronyd (over its Unix socket, or UDP on
127.0.0.1:323, which a container with host networking reaches too);
``pmc -u -b 0 ...`` asks ptp4l over its Unix socket ``/var/run/ptp4l`` (mount it
into a container); ``adjtimex`` (read-only) tells whether the kernel marks the
system clock synchronised, which phc2sys does. The readings are turned into a
:class:`~wirespeed.analysis.clocksync.ClockSync` by the pure parsers of
:mod:`wirespeed.analysis.clocksync`. A tool that is missing, fails or answers
something unreadable gives a state that is not synchronised and says why; nothing
here raises.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import shutil
import subprocess
from collections.abc import Callable

from wirespeed.analysis.clocksync import (
    ClockSource,
    ClockSync,
    choose_clock,
    parse_chrony_csv,
    ptp_clock,
)
from wirespeed.errors import RemoteProtocolError

__all__ = [
    "CHRONYC_ARGS",
    "PMC_ARGS",
    "kernel_clock_synced",
    "read_chrony",
    "read_clock_sync",
    "read_linuxptp",
]

CHRONYC_ARGS = ("-c", "-n", "tracking")
PMC_ARGS = (
    "-u", "-b", "0",
    "GET TIME_STATUS_NP", "GET CURRENT_DATA_SET", "GET PORT_PROPERTIES_NP",
)  # fmt: skip
TIMEOUT_S = 5.0
_TIME_ERROR = 5  # adjtimex's answer while STA_UNSYNC is set
_TIMEX_BYTES = 512  # more than struct timex on any architecture


def kernel_clock_synced() -> bool:
    """The kernel marks the system clock synchronised (``adjtimex`` read-only)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    buf = ctypes.create_string_buffer(_TIMEX_BYTES)  # modes = 0: read only
    state = int(libc.adjtimex(buf))
    return state not in (-1, _TIME_ERROR)


def _run(tool: str, args: tuple[str, ...]) -> tuple[str | None, str]:
    """(stdout, "") when the tool answered, (None, why) when it did not."""
    try:
        proc = subprocess.run(
            [tool, *args], capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer in {TIMEOUT_S:g} s"
    except OSError as exc:
        return None, str(exc)
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        return None, f"exit {proc.returncode}" + (f": {said[-1]}" if said else "")
    return proc.stdout, ""


def _ask(
    name: str,
    args: tuple[str, ...],
    parse: Callable[[str], ClockSync],
    source: ClockSource,
    says: tuple[str, str],
    path: str | None,
) -> ClockSync | None:
    """``parse`` of what tool ``name`` answers; ``says``: the details when it
    fails and when its answer is unreadable (``{}``: why)."""
    tool = shutil.which(name, path=path)
    if tool is None:
        return None
    out, why = _run(tool, args)
    if out is not None:
        try:
            return parse(out)
        except RemoteProtocolError as exc:
            return ClockSync(source, False, None, None, says[1].format(exc))
    return ClockSync(source, False, None, None, says[0].format(why))


def read_chrony(*, path: str | None = None) -> ClockSync | None:
    """chronyd's state (``None``: no ``chronyc`` on ``path``, default ``$PATH``)."""
    says = (
        "chrony is not synchronised (chronyc tracking: {})",
        "chrony: chronyc's answer could not be read ({})",
    )
    return _ask(
        "chronyc", CHRONYC_ARGS, parse_chrony_csv, ClockSource.CHRONY, says, path
    )


def read_linuxptp(
    *, path: str | None = None, system_clock_synced: bool | None = None
) -> ClockSync | None:
    """ptp4l's state (``None``: no ``pmc`` on ``path``, default ``$PATH``).

    Args:
        system_clock_synced: the kernel's mark (default: read it).
    """
    synced = (
        kernel_clock_synced() if system_clock_synced is None else system_clock_synced
    )
    says = (
        "linuxptp: pmc failed ({})",
        "linuxptp: pmc's answer could not be read ({})",
    )
    return _ask(
        "pmc",
        PMC_ARGS,
        functools.partial(ptp_clock, system_clock_synced=synced),
        ClockSource.LINUXPTP,
        says,
        path,
    )


def read_clock_sync(*, path: str | None = None) -> ClockSync:
    """This host's clock: chrony's or linuxptp's state, or that neither was found.

    Args:
        path: where to look for ``chronyc`` and ``pmc`` (default ``$PATH``).
    """
    kernel = kernel_clock_synced()
    return choose_clock(
        read_chrony(path=path),
        read_linuxptp(path=path, system_clock_synced=kernel),
        kernel_synced=kernel,
    )
