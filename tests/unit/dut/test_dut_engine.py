"""wirespeed's impairer, pure parts: decisions, the delay queue, VLAN tags."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirespeed.dataplane.afpacket import RxBatch
from wirespeed.dut.engine import ImpairmentEngine
from wirespeed.dut.spec import Impairment, parse_impairment
from wirespeed.dut.worker import DelayQueue, with_vlan_tags
from wirespeed.errors import ConfigError

MS = 1_000_000


def _frames(n: int, length: int = 100) -> tuple[np.ndarray, np.ndarray]:
    return np.full(n, length, dtype=np.int64), np.arange(n, dtype=np.int64) * 10_000


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 50), min_size=1, max_size=8),
    st.integers(0, 2**32 - 1),
)
def test_decisions_do_not_depend_on_batching(cuts, seed):
    imp = parse_impairment("delay=2ms,jitter=1ms,loss=10%,duplicate=5%,corrupt=5%")
    total = sum(cuts)
    lengths, arrival = _frames(total)
    whole = ImpairmentEngine(imp, seed).decide(lengths, arrival)
    parts = ImpairmentEngine(imp, seed)
    src, rel, flip, mask, start = [], [], [], [], 0
    for n in cuts:
        d = parts.decide(lengths[start : start + n], arrival[start : start + n])
        src.append(d.source + start)
        rel.append(d.release_ns)
        flip.append(d.flip_byte)
        mask.append(d.flip_mask)
        start += n
    assert np.concatenate(src).tolist() == whole.source.tolist()
    assert np.concatenate(rel).tolist() == whole.release_ns.tolist()
    assert np.concatenate(flip).tolist() == whole.flip_byte.tolist()
    assert np.concatenate(mask).tolist() == whole.flip_mask.tolist()


def test_each_knob_does_what_netem_does():
    lengths, arrival = _frames(6)
    everything = ImpairmentEngine(Impairment(loss=1.0)).decide(lengths, arrival)
    assert (everything.source.tolist(), everything.dropped) == ([], 6)
    twice = ImpairmentEngine(Impairment(duplicate=1.0)).decide(lengths, arrival)
    assert twice.source.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert twice.duplicated == 6
    late = ImpairmentEngine(Impairment(delay_s=0.005)).decide(lengths, arrival)
    assert (late.release_ns - arrival).tolist() == [5 * MS] * 6
    at_once = ImpairmentEngine(Impairment(delay_s=0.005, reorder=1.0)).decide(
        lengths, arrival
    )
    assert (at_once.release_ns.tolist(), at_once.immediate) == (arrival.tolist(), 6)
    jit = ImpairmentEngine(Impairment(delay_s=0.002, jitter_s=0.001), 3).decide(
        *_frames(1000)
    )
    extra = jit.release_ns - _frames(1000)[1][jit.source]
    assert 1 * MS <= extra.min() < 1.1 * MS
    assert 2.9 * MS < extra.max() <= 3 * MS
    flips = ImpairmentEngine(Impairment(corrupt=1.0), 5).decide(*_frames(500, 60))
    assert (flips.flip_byte >= 0).all()
    assert flips.flip_byte.max() < 60
    assert sorted(set(flips.flip_mask.tolist())) == [1, 2, 4, 8, 16, 32, 64, 128]


def test_the_copy_of_a_corrupted_frame_is_sent_as_it_came():
    imp = Impairment(duplicate=1.0, corrupt=1.0)
    d = ImpairmentEngine(imp, 1).decide(*_frames(3))
    assert d.source.tolist() == [0, 0, 1, 1, 2, 2]
    assert (d.flip_byte[0::2] >= 0).all()
    assert (d.flip_byte[1::2] == -1).all()
    assert d.corrupted == 3


def test_parse_errors_name_the_knob():
    with pytest.raises(ConfigError) as exc:
        parse_impairment("delay=5 parsecs")
    assert exc.value.field == "impair.delay"
    with pytest.raises(ConfigError) as exc:
        parse_impairment("reorder=5%")
    assert exc.value.field == "impair.reorder"


def test_delay_queue_releases_in_time_order_and_refuses_beyond_its_limit():
    q = DelayQueue(limit=4, snap=16)
    frames = np.arange(5 * 16, dtype=np.uint8).reshape(5, 16)
    refused = q.add(frames, np.full(5, 16), np.array([30, 10, 20, 10, 5]),
                    np.arange(5))  # fmt: skip
    assert refused == 1  # the fifth did not fit
    assert q.next_release_ns() == 10
    slots, lengths, arrival = q.pop_due(20)
    assert arrival.tolist() == [1, 3, 2]  # by release time, then arrival
    assert lengths.tolist() == [16, 16, 16]
    raw = np.ctypeslib.as_array(
        (np.ctypeslib.ctypes.c_uint8 * 16).from_address(int(q.addresses(slots)[0]))
    )
    assert raw.tolist() == frames[1].tolist()
    assert len(q) == 1
    assert q.pop_due(29)[0].tolist() == []
    assert q.pop_due(30)[2].tolist() == [0]
    assert q.next_release_ns() is None


def test_vlan_tags_go_back_into_the_frame():
    data = np.zeros((2, 20), dtype=np.uint8)
    data[:, :12] = 0xAA
    data[:, 12:14] = [0x08, 0x00]
    batch = RxBatch(
        data=data,
        lengths=np.array([20, 20]),
        ts_ns=np.zeros(2, dtype=np.int64),
        vlan_stripped=np.array([False, True]),
        vlan_tci=np.array([0, 0x2064], dtype=np.uint32),
        vlan_tpid=np.array([0x8100, 0x8100], dtype=np.uint32),
    )
    frames, lengths = with_vlan_tags(batch)
    assert lengths.tolist() == [20, 24]
    assert bytes(frames[0, :20]) == bytes(data[0])
    assert bytes(frames[1, :24]) == bytes(data[1, :12]) + bytes.fromhex(
        "81002064"
    ) + bytes(data[1, 12:])
