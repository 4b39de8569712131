"""Packet-group bookkeeping and monotonic counters."""

from __future__ import annotations

import pytest

from wirespeed.errors import ValidationError
from wirespeed.server.trex.pgstats import MAX_PG_ID, PgRegistry


def test_registry_groups_and_versions() -> None:
    reg = PgRegistry(2)
    reg.add(5, False, (0, 1), rx_now={0: (0,) * 7, 1: (0,) * 7}, hist_now={})
    reg.add(5, False, (0, 2), rx_now={}, hist_now={})
    reg.add(7, True, (1, 1), rx_now={}, hist_now={})
    assert reg.active() == {"flow_stats": [5], "latency": [7]}
    assert reg.groups[5].ver_id == 1
    reg.remove((0, 1), (100, 6400))
    assert reg.groups[5].tx_retired == {0: (100, 6400)}
    reg.remove((0, 2), (0, 0))
    assert 5 not in reg.groups
    reg.add(5, False, (0, 3), rx_now={}, hist_now={})
    assert reg.groups[5].ver_id == 2
    assert reg.groups[5].tx_retired == {}


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
