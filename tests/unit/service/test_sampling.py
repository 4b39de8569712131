"""How often the tester samples its counters."""

from __future__ import annotations

import pytest

from wirespeed.service.sampling import sample_period_s


@pytest.mark.parametrize(("is_sending", "period_s"), [(True, 0.1), (False, 0.5)])
def test_idle_ports_are_sampled_a_fifth_as_often(
    is_sending: bool, period_s: float
) -> None:
    assert sample_period_s(is_sending) == period_s
