"""Ownership between two real TRex clients."""

from __future__ import annotations

import pytest
from trex_bed import TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]


def test_force_acquire_takes_the_port_and_the_loser_is_told(trex_bed: TrexBed) -> None:
    out = trex_bed.client("flow_owners")
    assert out["a_owns"] == [0]
    assert "port 0 is owned by 'alice'; use force to take it" in out["b_plain_acquire"]
    assert out["b_owns"] == [0]
    assert out["a_owns_after"] == []
    assert out["a_add"] == "port(s) [0]: must be acquired"  # the client knows
    assert out["owner_seen_by_a"] == "bob"
