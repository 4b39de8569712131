"""Packet-group bookkeeping and monotonic counters."""

from __future__ import annotations

import pytest

from wirespeed.errors import ValidationError
from wirespeed.server.trex.pgstats import MAX_PG_ID, PgRegistry, ResetTracker


def test_tracker_adds_the_last_reading_on_restart() -> None:
    t = ResetTracker()
    assert t.update("k", (10, 640)) == ((10, 640), False)
    assert t.update("k", (15, 960)) == ((15, 960), False)
    assert t.update("k", (3, 192)) == ((18, 1152), True)  # cleared, then 3 more
    assert t.update("k", (5, 320)) == ((20, 1280), False)
    assert t.current("k", 2) == (20, 1280)
    assert t.current("other", 2) == (0, 0)


def test_tracker_only_restarts_on_the_first_field() -> None:
    t = ResetTracker()
    t.update("k", (10, 4))  # 4 lost
    assert t.update("k", (12, 2)) == ((12, 2), False)  # late frames lowered the loss


def test_registry_groups_and_versions() -> None:
    reg = PgRegistry(2)
    reg.add(5, False, (0, 1), rx_now={0: (0,) * 7, 1: (0,) * 7}, hist_now={})
    reg.add(5, False, (0, 2), rx_now={}, hist_now={})
    reg.add(7, True, (1, 1), rx_now={}, hist_now={})
    assert reg.active() == {"flow_stats": [5], "latency": [7]}
    assert reg.groups[5].ver_id == 1
    reg.tx.update((0, 1), (100, 6400))
    reg.remove((0, 1))
    assert reg.groups[5].tx_retired == {0: (100, 6400)}
    reg.remove((0, 2))
    assert 5 not in reg.groups
    reg.add(5, False, (0, 3), rx_now={}, hist_now={})
    assert reg.groups[5].ver_id == 2
    assert reg.groups[5].tx_retired == {}


def test_member_tx_counts_from_when_it_joined() -> None:
    reg = PgRegistry(1)
    reg.tx.update((0, 1), (50, 3200))  # an older stream with the same id
    reg.add(9, False, (0, 1), rx_now={}, hist_now={})
    reg.tx.update((0, 1), (10, 640))  # counters restarted for the new stream
    assert reg.member_tx(reg.groups[9], (0, 1)) == (10, 640)


def test_check_add_rules() -> None:
    reg = PgRegistry(2)
    reg.add(7, True, (0, 1), rx_now={}, hist_now={})
    reg.add(8, False, (0, 2), rx_now={}, hist_now={})
    reg.check_add(7, True, (0, 1))  # the same stream again is fine
    with pytest.raises(
        ValidationError, match="latency pg_id 7 is already used by stream 1 on port 0"
    ):
        reg.check_add(7, True, (1, 1))
    with pytest.raises(ValidationError, match="in use as a stats group"):
        reg.check_add(8, True, (1, 1))
    with pytest.raises(ValidationError, match="in use as a latency group"):
        reg.check_add(7, False, (1, 1))
    with pytest.raises(ValidationError, match=f"above {MAX_PG_ID}"):
        reg.check_add(MAX_PG_ID + 1, False, (1, 1))
    reg.check_add(8, False, (1, 5))  # stats groups may span streams and ports


def test_histogram_survives_restarts() -> None:
    reg = PgRegistry(1)
    assert reg.track_hist(0, 7, {1000: 5, 2000: 1}, False) == {1000: 5, 2000: 1}
    assert reg.track_hist(0, 7, {1000: 2}, True) == {1000: 7, 2000: 1}
    assert reg.track_hist(0, 7, {1000: 3, 3000: 1}, False) == {
        1000: 8,
        2000: 1,
        3000: 1,
    }
