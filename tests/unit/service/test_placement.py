"""Where each port's workers run: the placement rule, table-driven."""

from __future__ import annotations

import pytest

from wirespeed.errors import ConfigError
from wirespeed.service.placement import (
    WorkerCpus,
    controller_cpus,
    pair_slots,
    place_workers,
    spare_cpus,
)

# peers per port, usable CPUs, pinned -> (tx, rx) per port
CASES = [
    # two cabled ports on two CPUs: each port's workers on a CPU, the peer on the other
    ([1, 0], [0, 1], [], [(0, 0), (1, 1)]),
    # the embedded default (0<->1, 2<->3) on two CPUs
    ([1, 0, 3, 2], [0, 1], [], [(0, 0), (1, 1), (0, 0), (1, 1)]),
    # ... on four: one CPU per port
    ([1, 0, 3, 2], [0, 1, 2, 3], [], [(0, 0), (1, 1), (2, 2), (3, 3)]),
    # ... on eight: one CPU per worker
    ([1, 0, 3, 2], list(range(8)), [], [(0, 1), (2, 3), (4, 5), (6, 7)]),
    # a pair on four CPUs: one per worker
    ([1, 0], [0, 1, 2, 3], [], [(0, 1), (2, 3)]),
    # a pair on three: one per port
    ([1, 0], [0, 1, 2], [], [(0, 0), (1, 1)]),
    # one CPU: everything on it
    ([1, 0, 3, 2], [0], [], [(0, 0)] * 4),
    # a single port (its peer not served) on one and on two CPUs
    ([1], [0], [], [(0, 0)]),
    ([1], [0, 1], [], [(0, 1)]),
    # the usable CPUs are not 0..n-1 (an affinity mask)
    ([1, 0], [2, 5], [], [(2, 2), (5, 5)]),
    # pairs cabled across (0<->2, 1<->3): each pair on both CPUs
    ([2, 3, 0, 1], [0, 1], [], [(0, 0), (0, 0), (1, 1), (1, 1)]),
    # no peers known: ports in order, neighbours on different CPUs
    ([None, None, None], [0, 1], [], [(0, 0), (1, 1), (0, 0)]),
    # pinned workers win; the rest follow the rule
    ([1, 0], [0, 1], [(1, None), (None, 0)], [(1, 0), (1, 0)]),
    ([1, 0], [0, 1], [(0, 1)], [(0, 1), (1, 1)]),
]


@pytest.mark.parametrize(("peers", "usable", "pinned", "want"), CASES)
def test_the_rule(
    peers: list[int | None],
    usable: list[int],
    pinned: list[tuple[int | None, int | None]],
    want: list[tuple[int, int]],
) -> None:
    got = place_workers(peers, usable, pinned)
    assert got == [WorkerCpus(tx, rx) for tx, rx in want]


@pytest.mark.parametrize(
    ("peers", "slots"),
    [
        ([1, 0, 3, 2], [0, 1, 2, 3]),
        ([2, 3, 0, 1], [0, 2, 1, 3]),
        ([None, 0, None], [0, 1, 2]),  # 1 names 0, which names nobody: alone
        ([0, 5, -1], [0, 1, 2]),  # itself, out of range: alone
        ([2, None, 0, 1], [0, 2, 1, 3]),  # 3 names 1, already placed
        ([], []),
    ],
)
def test_pairs_hold_consecutive_slots(
    peers: list[int | None], slots: list[int]
) -> None:
    assert pair_slots(peers) == slots


def test_a_cpu_that_cannot_be_used_names_the_port_and_worker() -> None:
    with pytest.raises(ConfigError) as info:
        place_workers([1, 0], [0, 1], [(None, None), (None, 7)])
    assert info.value.field == "ports.1.cpus.rx"
    assert info.value.reason == "CPU 7 is not one this process may use (usable: 0, 1)"
    with pytest.raises(ConfigError) as info:
        place_workers([None], [], [])
    assert info.value.field == "cpus"


@pytest.mark.parametrize(
    ("peers", "usable", "spare"),
    [
        ([1, 0], [0, 1], [0, 1]),  # every CPU has a worker: anywhere
        ([1, 0], [0, 1, 2], [2]),
        ([1, 0, 3, 2], [0, 1, 2, 3, 4, 5], [4, 5]),
        ([1, 0], list(range(6)), [4, 5]),  # a worker a CPU, two left
        ([1, 0, 3, 2], list(range(8)), list(range(8))),
        ([1], [3], [3]),
    ],
)
def test_the_controller_gets_the_cpus_no_worker_holds(
    peers: list[int | None], usable: list[int], spare: list[int]
) -> None:
    assert spare_cpus(place_workers(peers, usable), usable) == spare


@pytest.mark.parametrize(
    ("usable", "sending", "expected"),
    [
        # 2 CPUs, one pair: ports 0 and 1 each on a CPU of their own
        ([0, 1], set(), [0, 1]),
        ([0, 1], {0}, [1]),  # port 0 sends: the controller keeps off CPU 0
        ([0, 1], {1}, [0]),
        ([0, 1], {0, 1}, [0, 1]),  # every CPU has a sender: anywhere
        # 6 CPUs for one pair: CPUs 4 and 5 hold no worker, whatever sends
        ([0, 1, 2, 3, 4, 5], {0}, [4, 5]),
    ],
)
def test_the_controller_keeps_off_the_senders_cpus(
    usable: list[int], sending: set[int], expected: list[int]
) -> None:
    placed = place_workers([1, 0], usable)
    assert controller_cpus(placed, usable, sending) == expected
