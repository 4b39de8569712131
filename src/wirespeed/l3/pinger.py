"""Ping from a port, as ``ping`` does, without IO (pure).

:meth:`Pinger.start` starts a run of ``count`` echo requests to one address and
returns its id. The IO shell then calls :meth:`Pinger.poll` whenever
:meth:`Pinger.next_timer_ns` is due (and once right after ``start``: the first
request is due at the start time), sends the frames it returns at once, and hands
every service frame to :meth:`Pinger.receive`. Both return events:

* :class:`PingReply` -- a reply to an outstanding request, with its round trip
  (``now_ns`` of the ``receive`` minus ``now_ns`` of the ``poll`` that sent it);
* :class:`PingTimeout` -- no reply ``timeout_ns`` after a request was sent;
* :class:`PingDone` -- every request of the run was answered or timed out.

Conventions: the identifier is one per run, ``(ident_seed + ping id) & 0xffff``
(the next free one if a run that old still goes on);
sequence numbers start at 1, as iputils ``ping`` starts them; requests go out
every ``interval_ns`` from the start (a late poll sends one and keeps the beat);
``size_bytes`` counts the FCS and the VLAN tag
(:func:`wirespeed.l3.frames.echo_payload`).
A reply arriving after its timeout, twice, or from another address is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wirespeed.errors import ConfigError, ValidationError
from wirespeed.l3.frames import (
    FrameKind,
    ServiceFrame,
    echo_payload,
    encode_echo_request,
    parse_mac,
)
from wirespeed.l3.identity import IPAddress, L3Identity

__all__ = ["PingDone", "PingEvent", "PingReply", "PingTimeout", "Pinger"]

MAX_COUNT = 0xFFFF
"""Most requests in one run (sequence numbers 1-65535 do not wrap)."""


@dataclass(frozen=True, slots=True)
class PingReply:
    """Request ``seq`` of run ``ping_id`` was answered by ``src`` after
    ``rtt_ns``; the reply had TTL/hop limit ``ttl`` and was ``size_bytes`` on the
    wire (FCS counted)."""

    ping_id: int
    seq: int
    src: IPAddress
    rtt_ns: int
    ttl: int
    size_bytes: int


@dataclass(frozen=True, slots=True)
class PingTimeout:
    """Request ``seq`` of run ``ping_id`` got no reply within the timeout."""

    ping_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class PingDone:
    """Run ``ping_id`` is over: ``replies`` of its requests were answered."""

    ping_id: int
    replies: int


PingEvent = PingReply | PingTimeout | PingDone


@dataclass(slots=True)
class _Run:
    ping_id: int
    ident: int
    src: IPAddress
    dst: IPAddress
    dst_mac: bytes
    count: int
    interval_ns: int
    timeout_ns: int
    payload: bytes
    next_send_ns: int
    next_seq: int = 1
    replies: int = 0
    outstanding: dict[int, int] = field(default_factory=dict)  # seq -> sent at

    @property
    def is_done(self) -> bool:
        return self.next_seq > self.count and not self.outstanding

    def next_timer_ns(self) -> int | None:
        due = [sent + self.timeout_ns for sent in self.outstanding.values()]
        if self.next_seq <= self.count:
            due.append(self.next_send_ns)
        return min(due, default=None)


class Pinger:
    """Pings from a port; several runs may go on at once.

    Args:
        identity: the port's addresses (the source) and VLAN (requests carry it).
        mac: the port's MAC (6 bytes or text).
        ident_seed: added to each run's id to make its echo identifier.

    Raises:
        ConfigError: ``mac`` is not a MAC address.
    """

    def __init__(
        self, identity: L3Identity, mac: bytes | str, *, ident_seed: int = 0
    ) -> None:
        self.identity = identity
        self.mac = parse_mac(mac)
        self._ident_seed = ident_seed
        self._last_id = 0
        self._runs: dict[int, _Run] = {}  # by echo identifier

    def start(
        self,
        dst: IPAddress,
        dst_mac: bytes | str,
        *,
        count: int,
        interval_ns: int,
        size_bytes: int,
        timeout_ns: int,
        now_ns: int,
    ) -> int:
        """Start pinging ``dst`` at ``dst_mac`` (its MAC or its next hop's).

        Returns:
            The run's id (1, 2, ...): events carry it.

        Raises:
            ConfigError: the port has no address of ``dst``'s family, or
                ``dst_mac`` is not a MAC.
            ValidationError: ``count`` outside 1-65535, a timer not positive,
                or ``size_bytes`` too small or too large for an echo frame.
        """
        src = self.identity.source_for(dst)
        if src is None:
            family = f"ipv{dst.version}"
            raise ConfigError(f"the port has no {family} address", field=family)
        _check(count, interval_ns, timeout_ns)
        payload = echo_payload(size_bytes, dst.version, self.identity.vlan)
        self._last_id += 1
        ident = (self._ident_seed + self._last_id) & 0xFFFF
        while ident in self._runs:  # a run 65536 ids older still going on
            ident = (ident + 1) & 0xFFFF
        self._runs[ident] = _Run(
            self._last_id,
            ident,
            src,
            dst,
            parse_mac(dst_mac, "dst_mac"),
            count,
            interval_ns,
            timeout_ns,
            payload,
            now_ns,
        )
        return self._last_id

    def cancel(self, ping_id: int) -> None:
        """Stop run ``ping_id`` without further events (nothing if it is over)."""
        self._runs = {i: r for i, r in self._runs.items() if r.ping_id != ping_id}

    def poll(self, now_ns: int) -> tuple[list[bytes], list[PingEvent]]:
        """Requests due at ``now_ns`` and the timeouts (and ends) they bring."""
        frames: list[bytes] = []
        events: list[PingEvent] = []
        for run in list(self._runs.values()):
            for seq, sent in list(run.outstanding.items()):
                if now_ns >= sent + run.timeout_ns:
                    del run.outstanding[seq]
                    events.append(PingTimeout(run.ping_id, seq))
            if run.next_seq <= run.count and now_ns >= run.next_send_ns:
                frames.append(self._request(run, now_ns))
            events.extend(self._finish(run))
        return frames, events

    def receive(self, frame: ServiceFrame, now_ns: int) -> list[PingEvent]:
        """A :class:`PingReply` (and :class:`PingDone`) if ``frame`` answers."""
        if frame.kind not in (FrameKind.ECHO_REPLY, FrameKind.ECHO6_REPLY):
            return []
        run = self._runs.get(frame.ident)
        if run is None or frame.src_ip != run.dst or frame.dst_ip != run.src:
            return []
        if frame.dst_mac != self.mac or not self.identity.is_own_vlan(frame.vlan):
            return []
        sent = run.outstanding.pop(frame.seq, None)
        if sent is None:
            return []
        run.replies += 1
        reply = PingReply(
            run.ping_id,
            frame.seq,
            frame.src_ip,
            now_ns - sent,
            frame.ttl,
            frame.size_bytes,
        )
        return [reply, *self._finish(run)]

    def next_timer_ns(self) -> int | None:
        """When :meth:`poll` has something to do next; None: no run goes on."""
        due = (run.next_timer_ns() for run in self._runs.values())
        return min((t for t in due if t is not None), default=None)

    def _request(self, run: _Run, now_ns: int) -> bytes:
        seq = run.next_seq
        run.outstanding[seq] = now_ns
        run.next_seq += 1
        missed = (now_ns - run.next_send_ns) // run.interval_ns
        run.next_send_ns += (missed + 1) * run.interval_ns
        return encode_echo_request(
            self.mac,
            run.dst_mac,
            run.src,
            run.dst,
            ident=run.ident,
            seq=seq,
            payload=run.payload,
            vlan=self.identity.vlan,
            ip_id=seq,
        )

    def _finish(self, run: _Run) -> list[PingEvent]:
        if not run.is_done:
            return []
        del self._runs[run.ident]
        return [PingDone(run.ping_id, run.replies)]


def _check(count: int, interval_ns: int, timeout_ns: int) -> None:
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError(f"count {count} is outside 1-{MAX_COUNT}", field="count")
    for name, value in (("interval_ns", interval_ns), ("timeout_ns", timeout_ns)):
        if value <= 0:
            raise ValidationError(f"{name} must be positive, got {value}", field=name)
