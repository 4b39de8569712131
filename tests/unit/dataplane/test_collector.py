"""The workers' cycle collector: off on allocation, on when the loop says so."""

import gc
import weakref

import pytest

from wirespeed.dataplane.collector import Collector


class _Node:
    def __init__(self) -> None:
        self.other: object = self


@pytest.fixture
def collector():
    was = gc.isenabled()
    c = Collector(every_ns=1_000, share=0.5)
    yield c
    c.close()
    gc.unfreeze()
    if not was:
        gc.disable()


def test_cycles_wait_for_the_tick(collector):
    assert not gc.isenabled()
    node = _Node()
    alive = weakref.ref(node)
    del node
    for _ in range(5000):  # far past the 700 allocations that would collect
        _Node.__new__(_Node)
    assert alive() is not None
    collector.tick(0)  # not yet time
    assert alive() is not None
    assert collector.collections == 0
    collector.tick(collector._next)
    assert alive() is None
    assert collector.collections == 1
    assert collector.found >= 1


def test_a_slow_collection_puts_the_next_one_off(collector, monkeypatch):
    """A collection that took 10 ms at a share of one half: the next one comes
    20 ms after the first began, however short ``every_ns`` is."""
    clock = iter(range(5_000_000, 10**12, 10_000_000))  # 10 ms per reading
    monkeypatch.setattr(
        "wirespeed.dataplane.collector.time.monotonic_ns", lambda: next(clock)
    )
    collector.collect()  # began at 5 ms, ended at 15 ms
    assert collector._next == 5_000_000 + 20_000_000
    collector.tick(24_999_999)
    assert collector.collections == 1
    collector.tick(25_000_000)
    assert collector.collections == 2


def test_close_turns_automatic_collection_back_on():
    was = gc.isenabled()
    c = Collector()
    assert not gc.isenabled()
    c.close()
    assert gc.isenabled()
    gc.unfreeze()
    if not was:
        gc.disable()
