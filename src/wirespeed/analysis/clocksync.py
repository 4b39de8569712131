"""How far a host's clock can be trusted, and whether latency across two hosts means
anything.

Latency between two hosts is a receive timestamp on one clock minus a transmit
timestamp on another (both ``CLOCK_REALTIME``), so it is only as good as the two
clocks agree. This module reads what the synchronisation daemons say about the
system clock and turns it into an offset and an error bound:

- chrony (``chronyc -c -n tracking``, or its human form): the bound is chrony's own
  "absolute bound on the computer's clock accuracy" from ``chronyc(1)``,
  ``|system time offset| + root dispersion + root delay / 2``, relative to the
  stratum-1 source at the root of its tree (assumed correct, as chrony assumes).
- linuxptp (``pmc -u -b 0 'GET TIME_STATUS_NP' 'GET CURRENT_DATA_SET'
  'GET PORT_PROPERTIES_NP'``): ``|master_offset| + meanPathDelay`` (the mean path
  delay is half the round trip, so the most a fully asymmetric path can shift the
  offset), relative to the PTP grandmaster. With hardware timestamping ptp4l steers
  the NIC's clock, not the system clock: that counts only when the kernel marks the
  system clock synchronised (phc2sys does), and phc2sys's own offset is not in
  the bound.

Two hosts' latency is meaningful when both clocks are synchronised to a common
reference: both by chrony (UTC through stratum 1), or both by PTP to the same
grandmaster. Its error bound is the sum of the two bounds.

Pure: the IO that runs the tools is :mod:`wirespeed.topology.clock`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from wirespeed.errors import RemoteProtocolError

__all__ = [
    "NOT_FOUND_DETAIL",
    "ClockSource",
    "ClockSync",
    "CrossHostClock",
    "choose_clock",
    "format_ns",
    "latency_across",
    "parse_chrony_csv",
    "parse_chrony_tracking",
    "parse_pmc",
    "ptp_clock",
]

NOT_FOUND_DETAIL = "not synchronised (no chrony or linuxptp found)"

_NS = Decimal(1_000_000_000)
_CHRONY_LOCAL_REFID = "7F7F0101"  # 127.127.1.1: chronyd's "local" reference
_CHRONY_SYNCED_LEAP = ("Normal", "Insert second", "Delete second")


class ClockSource(enum.Enum):
    """What keeps the host's system clock in time."""

    CHRONY = "chrony"
    LINUXPTP = "linuxptp"
    NONE = "none"


@dataclass(frozen=True)
class ClockSync:
    """One host's clock, as its synchronisation daemon reports it.

    Attributes:
        source: the daemon the state comes from (``NONE``: none found).
        is_synced: the system clock follows a reference.
        offset_ns: the system clock minus its reference, in ns (``None``: unknown).
        error_bound_ns: the most the clock can be off its reference, in ns
            (``None`` when not synchronised).
        detail: one line saying what was read.
        reference: what the clock follows: chrony's reference (name or ID), the
            PTP grandmaster's identity ("" when none).
    """

    source: ClockSource
    is_synced: bool
    offset_ns: int | None
    error_bound_ns: int | None
    detail: str
    reference: str = ""

    @classmethod
    def not_found(cls, detail: str = NOT_FOUND_DETAIL) -> ClockSync:
        """No synchronisation daemon on the host."""
        return cls(ClockSource.NONE, False, None, None, detail)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for an RPC answer or a report)."""
        return {
            "source": self.source.value,
            "is_synced": self.is_synced,
            "offset_ns": self.offset_ns,
            "error_bound_ns": self.error_bound_ns,
            "detail": self.detail,
            "reference": self.reference,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ClockSync:
        """The inverse of :meth:`to_dict`.

        Raises:
            RemoteProtocolError: a field is missing or of the wrong kind.
        """
        try:
            offset, bound = raw["offset_ns"], raw["error_bound_ns"]
            return cls(
                ClockSource(raw["source"]),
                bool(raw["is_synced"]),
                None if offset is None else int(offset),
                None if bound is None else int(bound),
                str(raw["detail"]),
                str(raw.get("reference", "")),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise RemoteProtocolError(f"not a clock state: {exc!r}") from exc


def format_ns(ns: int) -> str:
    """A duration for people: ``850 ns``, ``12.3 µs``, ``1.25 ms``, ``2.5 s``."""
    a = abs(ns)
    if a < 1_000:
        return f"{ns} ns"
    for unit, scale in (("µs", 1e3), ("ms", 1e6), ("s", 1e9)):
        v = ns / scale
        if abs(v) < 1_000 or unit == "s":
            digits = 2 if abs(v) < 10 else 1 if abs(v) < 100 else 0
            return f"{v:.{digits}f} {unit}"
    raise AssertionError("unreachable")


def _seconds_ns(text: str, what: str) -> int:
    try:
        return int((Decimal(text.strip()) * _NS).to_integral_value())
    except InvalidOperation as exc:
        raise RemoteProtocolError(f"chrony {what}: not a number: {text!r}") from exc


def _chrony_clock(
    ref_id: str, name: str, stratum: int, correction_ns: int,
    root_delay_ns: int, root_dispersion_ns: int, leap: str,
) -> ClockSync:  # fmt: skip
    # "System time" is chrony's correction: positive when the clock is slow, so the
    # clock minus true time is its negative
    ref = name or ref_id
    if leap not in _CHRONY_SYNCED_LEAP:
        return ClockSync(
            ClockSource.CHRONY, False, None, None,
            f"chrony is not synchronised (leap status: {leap})",
        )  # fmt: skip
    if ref_id.upper() == _CHRONY_LOCAL_REFID:
        return ClockSync(
            ClockSource.CHRONY, False, None, None,
            "chrony serves its local clock (reference 127.127.1.1, local mode): "
            "not synchronised to any source",
        )  # fmt: skip
    offset = -correction_ns
    bound = abs(correction_ns) + root_dispersion_ns + (root_delay_ns + 1) // 2
    return ClockSync(
        ClockSource.CHRONY,
        True,
        offset,
        bound,
        f"chrony follows {ref} (stratum {stratum}): offset {format_ns(offset)}, "
        f"root delay {format_ns(root_delay_ns)}, "
        f"root dispersion {format_ns(root_dispersion_ns)}",
        ref,
    )


def parse_chrony_csv(text: str) -> ClockSync:
    """``chronyc -c -n tracking``: one line of 14 comma-separated fields (reference
    ID, name, stratum, ref time, system time, last offset, RMS offset, frequency,
    residual frequency, skew, root delay, root dispersion, update interval, leap
    status).

    Raises:
        RemoteProtocolError: the line does not have that shape.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) != 1:
        raise RemoteProtocolError(f"chronyc -c tracking: expected one line: {text!r}")
    fields = lines[0].split(",")
    if len(fields) != 14:
        raise RemoteProtocolError(
            f"chronyc -c tracking: expected 14 fields, got {len(fields)}: {text!r}"
        )
    try:
        stratum = int(fields[2])
    except ValueError as exc:
        raise RemoteProtocolError(f"chrony stratum: {fields[2]!r}") from exc
    return _chrony_clock(
        fields[0],
        fields[1],
        stratum,
        _seconds_ns(fields[4], "system time"),
        _seconds_ns(fields[10], "root delay"),
        _seconds_ns(fields[11], "root dispersion"),
        fields[13].strip(),
    )


_SYSTEM_TIME = re.compile(r"^([0-9.]+) seconds (slow|fast) of NTP time$")
_SECONDS = re.compile(r"^([-+]?[0-9.]+) seconds$")
_REF_ID = re.compile(r"^([0-9A-Fa-f]{8})\s*\((.*)\)$")


def parse_chrony_tracking(text: str) -> ClockSync:
    """``chronyc -n tracking`` in its human form (``Key : value`` lines).

    Raises:
        RemoteProtocolError: a line it needs is missing or unreadable.
    """
    kv: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            kv[key.strip()] = value.strip()

    def get(key: str) -> str:
        if key not in kv:
            raise RemoteProtocolError(f"chronyc tracking: no {key!r} line: {text!r}")
        return kv[key]

    ref = _REF_ID.match(get("Reference ID"))
    sys_time = _SYSTEM_TIME.match(get("System time"))
    delay = _SECONDS.match(get("Root delay"))
    disp = _SECONDS.match(get("Root dispersion"))
    if not (ref and sys_time and delay and disp and get("Stratum").isdigit()):
        raise RemoteProtocolError(f"chronyc tracking: unreadable: {text!r}")
    correction = _seconds_ns(sys_time.group(1), "system time")
    return _chrony_clock(
        ref.group(1),
        ref.group(2),
        int(get("Stratum")),
        correction if sys_time.group(2) == "slow" else -correction,
        _seconds_ns(delay.group(1), "root delay"),
        _seconds_ns(disp.group(1), "root dispersion"),
        get("Leap status"),
    )


_PMC_RESPONSE = re.compile(r"\sseq\s+\d+\s+RESPONSE\s+MANAGE?MENT\s+([A-Z0-9_]+)\s*$")


def parse_pmc(text: str) -> dict[str, list[dict[str, str]]]:
    """``pmc``'s answers: for each management ID, one ``{key: value}`` per answer
    (a per-port ID such as ``PORT_PROPERTIES_NP`` answers once per port). Error
    answers and the ``sending:`` lines are left out."""
    out: dict[str, list[dict[str, str]]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if " seq " in line and "RESPONSE" in line:
            m = _PMC_RESPONSE.search(line)
            current = {} if m else None
            if m and current is not None:
                out.setdefault(m.group(1), []).append(current)
            continue
        parts = line.split(None, 1)
        if current is not None and len(parts) == 2 and line[:1].isspace():
            current[parts[0]] = parts[1].strip()
    return out


def ptp_clock(pmc_text: str, *, system_clock_synced: bool) -> ClockSync:
    """linuxptp's state from ``pmc -u -b 0 'GET TIME_STATUS_NP' 'GET
    CURRENT_DATA_SET' 'GET PORT_PROPERTIES_NP'``.

    Args:
        pmc_text: pmc's output.
        system_clock_synced: the kernel marks the system clock synchronised
            (``adjtimex`` not ``TIME_ERROR``; phc2sys clears ``STA_UNSYNC``).

    Raises:
        RemoteProtocolError: an answer lacks a field it needs.
    """
    answers = parse_pmc(pmc_text)
    if "TIME_STATUS_NP" not in answers:
        return ClockSync(
            ClockSource.LINUXPTP, False, None, None,
            "linuxptp: ptp4l did not answer pmc (not running?)",
        )  # fmt: skip
    status = answers["TIME_STATUS_NP"][0]
    ports = answers.get("PORT_PROPERTIES_NP", [])
    states = [p.get("portState", "?") for p in ports]
    try:
        gm = status["gmIdentity"]
        has_gm = status["gmPresent"] == "true"
        offset = int(status["master_offset"])
        current = answers.get("CURRENT_DATA_SET", [{}])[0]
        path_ns = round(float(current["meanPathDelay"]))
    except (KeyError, ValueError) as exc:
        raise RemoteProtocolError(f"pmc: unreadable answer: {exc!r}") from exc
    role = "SLAVE" if has_gm else "MASTER"
    port = next((p for p in ports if p.get("portState") == role), None)
    if port is None:
        return ClockSync(
            ClockSource.LINUXPTP, False, None, None,
            "linuxptp: no grandmaster to follow (port states: "
            f"{', '.join(states) or 'none'})",
        )  # fmt: skip
    hardware = port.get("timestamping", "SOFTWARE") != "SOFTWARE"
    if hardware and not system_clock_synced:
        return ClockSync(
            ClockSource.LINUXPTP, False, None, None,
            f"linuxptp keeps {port.get('interface', 'the NIC')}'s clock in time "
            "(hardware timestamping), but the system clock is not marked "
            "synchronised: phc2sys carries PTP time to it",
            gm,
        )  # fmt: skip
    via = " through phc2sys (whose own offset is not counted)" if hardware else ""
    if not has_gm:
        return ClockSync(
            ClockSource.LINUXPTP, True, 0, 0,
            f"linuxptp: this host is the PTP grandmaster {gm}{via}", gm,
        )  # fmt: skip
    return ClockSync(
        ClockSource.LINUXPTP,
        True,
        offset,
        abs(offset) + path_ns,
        f"linuxptp follows grandmaster {gm}: offset {format_ns(offset)}, "
        f"mean path delay {format_ns(path_ns)}{via}",
        gm,
    )


def choose_clock(
    chrony: ClockSync | None, ptp: ClockSync | None, *, kernel_synced: bool = False
) -> ClockSync:
    """The state of the system clock from what was found (``None``: not installed).

    chrony, when synchronised, is taken as the one steering the system clock (two
    daemons steering it at once fight; ptp4l with chrony usually feeds chrony a PHC
    reference clock). Neither found: :data:`NOT_FOUND_DETAIL`, saying so when the
    kernel still marks the clock synchronised by some other daemon.
    """
    found = [s for s in (chrony, ptp) if s is not None]
    for state in found:
        if state.is_synced:
            return state
    if len(found) == 1:
        return found[0]
    if found:
        detail = "; ".join(s.detail for s in found)
        return ClockSync(found[0].source, False, None, None, detail)
    if kernel_synced:
        return ClockSync.not_found(
            NOT_FOUND_DETAIL[:-1] + "; the kernel marks the clock synchronised by "
            "another daemon, whose error is unknown)"
        )
    return ClockSync.not_found()


@dataclass(frozen=True)
class CrossHostClock:
    """Whether latency from one host's clock to another's means anything.

    Attributes:
        is_meaningful: both clocks follow a common reference.
        error_bound_ns: the sum of the two clocks' bounds (``None``: not meaningful).
        sentence: what to print beside cross-host latency.
    """

    is_meaningful: bool
    error_bound_ns: int | None
    sentence: str


_NOT_MEANINGFUL = "latency across these hosts is not meaningful: "


def latency_across(
    tx_host: str, tx: ClockSync, rx_host: str, rx: ClockSync
) -> CrossHostClock:
    """Whether latency measured from ``tx_host``'s clock to ``rx_host``'s is
    meaningful, with which bound, and the sentence that says so."""
    if tx_host == rx_host:
        return CrossHostClock(True, 0, f"one clock ({tx_host})")
    unsynced = [h for h, s in ((tx_host, tx), (rx_host, rx)) if not s.is_synced]
    if len(unsynced) == 2:
        why = f"{tx_host}'s and {rx_host}'s clocks are not synchronised"
        return CrossHostClock(False, None, _NOT_MEANINGFUL + why)
    if unsynced:
        why = f"{unsynced[0]}'s clock is not synchronised"
        return CrossHostClock(False, None, _NOT_MEANINGFUL + why)
    ptp = ClockSource.LINUXPTP
    if (tx.source is ptp) != (rx.source is ptp):
        why = (
            f"{tx_host}'s clock follows {tx.source.value}, {rx_host}'s "
            f"{rx.source.value}: no common reference bounds their difference"
        )
        return CrossHostClock(False, None, _NOT_MEANINGFUL + why)
    if tx.source is ptp and tx.reference != rx.reference:
        why = (
            f"{tx_host} and {rx_host} follow different PTP grandmasters "
            f"({tx.reference}, {rx.reference})"
        )
        return CrossHostClock(False, None, _NOT_MEANINGFUL + why)
    bound = (tx.error_bound_ns or 0) + (rx.error_bound_ns or 0)
    return CrossHostClock(
        True, bound, f"clocks synced by {tx.source.value}, ±{format_ns(bound)}"
    )
