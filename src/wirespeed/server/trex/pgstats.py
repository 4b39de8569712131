"""TRex packet groups (``pg_id``): which streams carry them, and monotonic counters.

A stream with ``flow_stats`` carries wirespeed's TPLD, whose TID is the ``pg_id``
(identity mapping, ``0..MAX_PG_ID``); the TPLD is the last 20 bytes of each frame. The
RX analyzer counts frames per TID on each port; TX counts come from the streams.

The TRex client subtracts its own baselines and asserts that counters never go down:
the tester's totals since a port started (``since_clear=False``) only grow, whoever
clears the port. A packet group that is created again (its first stream added after
the last one was removed) gets a new ``ver_id`` and counts from zero, which is how
TRex tells the client to drop its baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wirespeed.errors import ValidationError

__all__ = [
    "MAX_PG_ID",
    "PgGroup",
    "PgRegistry",
    "TxKey",
]

#: Highest pg_id: the TPLD's TID is 16 bits and carries the pg_id unchanged.
MAX_PG_ID = 0xFFFF

TxKey = tuple[int, int]  # (port, stream_id)


@dataclass
class PgGroup:
    """One packet group.

    Attributes:
        pg_id: the TRex packet group id (= the TPLD TID).
        is_latency: latency/sequence measured (``rule_type`` latency).
        ver_id: bumped each time the group is created again.
        members: the (port, stream id) pairs whose frames carry it (a stream's
            TX totals count from when it was added, so from when it joined).
        tx_retired: per port, TX totals of members that were removed.
        rx_base: per RX port, the TID's RX totals when the group was created.
        hist_base: per RX port, the latency histogram (µs buckets) at creation.
    """

    pg_id: int
    is_latency: bool
    ver_id: int
    members: set[TxKey] = field(default_factory=set)
    tx_retired: dict[int, tuple[int, int]] = field(default_factory=dict)
    rx_base: dict[int, tuple[int, ...]] = field(default_factory=dict)
    hist_base: dict[int, dict[int, int]] = field(default_factory=dict)


class PgRegistry:
    """The packet groups in use.

    Args:
        port_count: number of ports (every port can receive any group).
    """

    def __init__(self, port_count: int) -> None:
        self.port_count = port_count
        self.groups: dict[int, PgGroup] = {}
        self._versions: dict[int, int] = {}
        #: per (RX port, TID): the port's clear count and the highest latency (ns)
        #: since that clear at the previous read
        self.max_seen: dict[tuple[int, int], tuple[int, int | None]] = {}

    def check_add(self, pg_id: int, is_latency: bool, key: TxKey) -> None:
        """Refuse a stream that cannot join ``pg_id``.

        Raises:
            ValidationError: pg_id out of range, used with the other rule type, or a
                latency group that already has a stream (latency needs one sender
                per group, as in TRex).
        """
        field_name = "stream.flow_stats.stream_id"
        if not 0 <= pg_id <= MAX_PG_ID:
            raise ValidationError(
                f"pg_id {pg_id} is above {MAX_PG_ID} (it travels as the 16-bit TPLD "
                "TID)",
                field=field_name,
            )
        group = self.groups.get(pg_id)
        if group is None:
            return
        if group.is_latency != is_latency:
            kinds = ("stats", "latency") if is_latency else ("latency", "stats")
            raise ValidationError(
                f"pg_id {pg_id} is in use as a {kinds[0]} group; it cannot also be a "
                f"{kinds[1]} group",
                field=field_name,
            )
        if is_latency and group.members - {key}:
            port, sid = next(iter(group.members))
            raise ValidationError(
                f"latency pg_id {pg_id} is already used by stream {sid} on port "
                f"{port}; latency groups need one stream each",
                field=field_name,
            )

    def add(
        self,
        pg_id: int,
        is_latency: bool,
        key: TxKey,
        *,
        rx_now: dict[int, tuple[int, ...]],
        hist_now: dict[int, dict[int, int]],
    ) -> None:
        """Add a member (after :meth:`check_add`); create the group if needed.

        Args:
            rx_now: per RX port, the TID's monotonic RX totals right now.
            hist_now: per RX port, the monotonic latency histogram right now.
        """
        group = self.groups.get(pg_id)
        if group is None:
            version = self._versions.get(pg_id, 0) + 1
            self._versions[pg_id] = version
            group = PgGroup(
                pg_id,
                is_latency,
                version,
                rx_base=dict(rx_now),
                hist_base={p: dict(h) for p, h in hist_now.items()},
            )
            self.groups[pg_id] = group
        group.members.add(key)

    def remove(self, key: TxKey, sent: tuple[int, int]) -> None:
        """Remove a member that sent ``sent`` (packets, bytes) in all; its TX stays
        counted while the group lives."""
        for pg_id, group in list(self.groups.items()):
            if key not in group.members:
                continue
            group.members.discard(key)
            port = key[0]
            prev = group.tx_retired.get(port, (0, 0))
            group.tx_retired[port] = (prev[0] + sent[0], prev[1] + sent[1])
            if not group.members:
                del self.groups[pg_id]

    def active(self) -> dict[str, list[int]]:
        """``get_active_pgids``: latency groups and plain-stats groups."""
        latency = sorted(g.pg_id for g in self.groups.values() if g.is_latency)
        stats = sorted(g.pg_id for g in self.groups.values() if not g.is_latency)
        return {"flow_stats": stats, "latency": latency}
