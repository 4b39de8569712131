"""How the TX worker cuts a staged batch into parts, each stamped right before its
send: positions among the staged frames, and each stream's rows in every part."""

from wirespeed.dataplane.pacer import Due
from wirespeed.dataplane.tx_parts import parts as _parts
from wirespeed.dataplane.tx_parts import send_order as _send_order


def test_one_stream_is_cut_into_runs_of_rows():
    dues = [Due(key=0, count=2500, first_ns=0, interval_ns=10.0)]
    assert _parts(dues, None, 2500, 1024) == [
        (0, 1024, [(0, 1024)]),
        (1024, 2048, [(1024, 2048)]),
        (2048, 2500, [(2048, 2500)]),
    ]


def test_interleaved_streams_get_their_own_consecutive_rows():
    # stream 0: a frame every 10 ns from 0; stream 1: every 30 ns from 5
    dues = [
        Due(key=0, count=9, first_ns=0, interval_ns=10.0),
        Due(key=1, count=3, first_ns=5, interval_ns=30.0),
    ]
    order = _send_order(dues)
    assert order is not None
    # times 0 5 10 20 30 35 40 50 60 65 70 80: streams 0 1 0 0 0 1 0 0 0 1 0 0
    assert order.tolist() == [0, 9, 1, 2, 3, 10, 4, 5, 6, 11, 7, 8]
    assert _parts(dues, order, 12, 5) == [
        (0, 5, [(0, 4), (0, 1)]),
        (5, 10, [(4, 7), (1, 3)]),
        (10, 12, [(7, 9), (3, 3)]),
    ]
    # every row of every stream is in exactly one part, in order
    for i, d in enumerate(dues):
        rows = [r[i] for _, _, r in _parts(dues, order, 12, 5)]
        assert [a for a, _ in rows] == [0, *[b for _, b in rows][:-1]]
        assert rows[-1][1] == d.count


def test_one_part_when_it_is_the_whole_batch():
    dues = [Due(key=0, count=7, first_ns=0, interval_ns=1.0)]
    assert _parts(dues, None, 7, 7) == [(0, 7, [(0, 7)])]


def test_interleaved_streams_in_one_part_take_all_their_rows():
    """The moderate-rate case: a batch smaller than a part is one part holding
    every row of every stream, the same as the general cut gives."""
    dues = [
        Due(key=0, count=9, first_ns=0, interval_ns=10.0),
        Due(key=1, count=3, first_ns=5, interval_ns=30.0),
        Due(key=2, count=0, first_ns=0, interval_ns=7.0),
    ]
    order = _send_order(dues)
    assert _parts(dues, order, 12, 12) == [(0, 12, [(0, 9), (0, 3), (0, 0)])]
    assert _parts(dues, order, 12, 1024) == [(0, 12, [(0, 9), (0, 3), (0, 0)])]
