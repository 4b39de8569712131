"""The plan of a run: flows of pairs and meshes, frame-loss rates, progress."""

from __future__ import annotations

import pytest

from wirespeed.errors import ConfigError
from wirespeed.rfc2544.plan import Progress, flows_of, loss_rates, search_trials


def test_pairs_both_ways_and_a_mesh_are_ordered_flows() -> None:
    assert flows_of([(0, 1, True), (2, 3, False)], []) == [(0, 1), (1, 0), (2, 3)]
    assert flows_of([], [0, 1, 2]) == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]


@pytest.mark.parametrize(
    ("pairs", "mesh", "field"),
    [
        ([(0, 1, True), (1, 0, False)], [], "pairs.1"),
        ([(2, 2, False)], [], "pairs.0"),
        ([(0, 1, False)], [0, 1], "mesh"),
        ([], [0, 1, 0], "mesh"),
    ],
)
def test_a_flow_twice_names_where(
    pairs: list[tuple[int, int, bool]], mesh: list[int], field: str
) -> None:
    with pytest.raises(ConfigError) as err:
        flows_of(pairs, mesh)
    assert err.value.field == field


def test_frame_loss_rates_step_down_to_the_end() -> None:
    assert loss_rates(100, 10, 10) == [100, 90, 80, 70, 60, 50, 40, 30, 20, 10]
    assert loss_rates(100, 75, 10) == [100, 90, 80]
    assert loss_rates(5, 5, 1) == [5]
    assert loss_rates(1.0, 0.1, 0.3) == [1.0, 0.7, 0.4, 0.1]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((100, 10, 0), "frame_loss.step"),
        ((100, 0, 10), "frame_loss.end"),
        ((120, 10, 10), "frame_loss.start"),
        ((10, 20, 1), "frame_loss.end"),
    ],
)
def test_bad_frame_loss_rates_name_the_field(
    args: tuple[float, float, float], field: str
) -> None:
    with pytest.raises(ConfigError) as err:
        loss_rates(*args)
    assert err.value.field == field


def test_progress_counts_a_search_by_its_estimate_until_it_ends() -> None:
    p = Progress()
    p.plan(search_trials(0.5, 10, 0.1))  # 1 + ceil(log2(95)) = 8
    p.plan(2)
    assert p.planned == 10
    for _ in range(5):
        p.step()
    p.settle(8, 5)  # the search took 5
    assert (p.done, p.planned) == (5, 7)
    for _ in range(3):
        p.step()
    assert (p.done, p.planned) == (8, 8)  # more than planned: planned follows


def test_a_search_longer_than_its_estimate_is_counted_once() -> None:
    p = Progress()
    p.plan(3)  # a search estimated at 3
    p.plan(2)  # then two more trials
    for _ in range(7):  # the search takes 7 (a failed verification, say)
        p.step()
    assert (p.done, p.planned) == (7, 7)
    p.settle(3, 7)
    assert (p.done, p.planned) == (7, 9)  # the two still to come
    p.step()
    p.step()
    assert (p.done, p.planned) == (9, 9)
