from __future__ import annotations

from wirespeed.dataplane.pacer import PacerMode, PortPacer, StreamPlan

MS = 1_000_000
S = 1_000_000_000


def drain(
    p: PortPacer, until_ns: int, step_ns: int, max_batch: int = 1000
) -> list[tuple[int, int, int]]:
    """Run the pacer in steps; return (time, key, count) of everything sent."""
    out = []
    t = 0
    while t <= until_ns:
        for d in p.poll(t, max_batch):
            p.sent(d.key, d.count, t)
            out.append((t, d.key, d.count))
        t += step_ns
    return out


def total(events: list[tuple[int, int, int]], key: int) -> int:
    return sum(c for _, k, c in events if k == key)


def test_continuous_rate_is_exact_at_each_poll() -> None:
    p = PortPacer([StreamPlan(1, rate_pps=1000.0)], 0)
    assert [(d.key, d.count) for d in p.poll(0, 100)] == [(1, 1)]
    p.sent(1, 1, 0)
    assert p.poll(999_999, 100) == []
    d = p.poll(10 * MS, 100)
    assert (d[0].count, d[0].first_ns, d[0].interval_ns) == (10, 1 * MS, 1e6)


def test_single_burst_stops_and_port_is_done() -> None:
    p = PortPacer([StreamPlan(0, 100.0, PacerMode.SINGLE_BURST, total_pkts=7)], 0)
    ev = drain(p, 1 * S, 5 * MS)
    assert total(ev, 0) == 7
    assert p.is_done(1 * S)


def test_a_burst_done_before_the_duration_ends_the_job_then() -> None:
    """No wait for the rest of the duration once nothing is left to send (the TX
    worker sleeps until the next wakeup)."""
    plan = StreamPlan(0, 1000.0, PacerMode.SINGLE_BURST, total_pkts=10)
    p = PortPacer([plan], 0, duration_ns=3 * S)
    assert p.next_wakeup_ns(0) == 0
    ev = drain(p, 20 * MS, 1 * MS)
    assert total(ev, 0) == 10
    assert p.next_wakeup_ns(20 * MS) is None
    assert p.is_done(20 * MS)
    cont = PortPacer([StreamPlan(1, 1.0)], 0, duration_ns=3 * S)
    cont.sent(1, 1, 0)  # the next frame is due after the end: wake up at the end
    assert cont.next_wakeup_ns(0) == 1 * S
    slow = PortPacer([StreamPlan(1, 0.1)], 0, duration_ns=3 * S)
    slow.sent(1, 1, 0)
    assert slow.next_wakeup_ns(0) == 3 * S


def test_multi_burst_counts_and_gaps() -> None:
    plan = StreamPlan(
        0, 1000.0, PacerMode.MULTI_BURST, total_pkts=4, bursts=3, ibg_ns=100 * MS
    )
    p = PortPacer([plan], 0)
    ev = drain(p, 2 * S, 1 * MS)
    assert total(ev, 0) == 12
    starts = sorted({t for t, _, _ in ev})
    # bursts start at 0, 4ms+100ms, 2*(104ms)
    assert starts[0] == 0
    assert 104 * MS in starts
    assert 208 * MS in starts
    assert p.is_done(2 * S)


def test_chain_with_isg_and_action_count_loops() -> None:
    plans = [
        StreamPlan(0, 1000.0, PacerMode.SINGLE_BURST, total_pkts=10, next_key=1),
        StreamPlan(
            1,
            1000.0,
            PacerMode.SINGLE_BURST,
            total_pkts=20,
            self_start=False,
            next_key=2,
            isg_ns=5 * MS,
        ),
        StreamPlan(
            2,
            1000.0,
            PacerMode.SINGLE_BURST,
            total_pkts=30,
            self_start=False,
            next_key=0,
            action_count=2,
        ),
    ]
    p = PortPacer(plans, 0)
    ev = drain(p, 1 * S, 1 * MS)
    # action_count=2: the chain runs twice (TRex: the second end stops it)
    assert (total(ev, 0), total(ev, 1), total(ev, 2)) == (20, 40, 60)
    order = [k for _, k, _ in ev]
    firsts = [order.index(k) for k in (0, 1, 2)]
    assert firsts == sorted(firsts)
    first1 = next(t for t, k, _ in ev if k == 1)
    assert first1 == 15 * MS  # 10 frames at 1 kpps end at 10 ms, +5 ms isg
    assert p.is_done(1 * S)


def test_duration_stops_continuous_streams() -> None:
    p = PortPacer([StreamPlan(0, 1000.0)], 0, duration_ns=100 * MS)
    ev = drain(p, 1 * S, 1 * MS)
    assert total(ev, 0) == 100
    assert p.is_done(100 * MS)


def test_a_port_packet_limit_counts_every_stream_first_departures_first() -> None:
    """1 kpps and 3 kpps from 0: the port's first 10 frames are those departing by
    2 ms (3 of stream 0, 7 of stream 1), however late the pacer is polled."""
    plans = [StreamPlan(0, 1000.0), StreamPlan(1, 3000.0)]
    late = PortPacer(plans, 0, packet_limit=10)
    dues = late.poll(1 * S, 1000)
    assert [(d.key, d.count) for d in dues] == [(0, 3), (1, 7)]
    for d in dues:
        late.sent(d.key, d.count, 1 * S)
    assert late.poll(2 * S, 1000) == []
    assert late.next_wakeup_ns(2 * S) is None
    assert late.is_done(2 * S)
    # polled on time: the same frames
    ev = drain(PortPacer(plans, 0, packet_limit=10), 1 * S, 100_000)
    assert (total(ev, 0), total(ev, 1)) == (3, 7)
    # a stream's own burst ends first: the others go on up to the port's limit
    burst = StreamPlan(0, 1000.0, PacerMode.SINGLE_BURST, total_pkts=2)
    ev = drain(PortPacer([burst, StreamPlan(1, 1000.0)], 0, packet_limit=5), S, MS)
    assert (total(ev, 0), total(ev, 1)) == (2, 3)


def test_the_time_limit_ends_a_port_before_its_packet_limit() -> None:
    p = PortPacer([StreamPlan(0, 1000.0)], 0, duration_ns=10 * MS, packet_limit=50)
    ev = drain(p, 1 * S, 1 * MS)
    assert total(ev, 0) == 10
    assert p.is_done(1 * S)


def test_two_streams_share_a_batch_in_proportion() -> None:
    p = PortPacer([StreamPlan(0, 3000.0), StreamPlan(1, 1000.0)], 0)
    dues = {d.key: d.count for d in p.poll(1 * S - 1, 400)}
    assert dues == {0: 300, 1: 100}


def test_pause_resume_and_multiplier() -> None:
    p = PortPacer([StreamPlan(0, 1000.0)], 0)
    for d in p.poll(10 * MS - 1, 1000):
        p.sent(d.key, d.count, 10 * MS)
    p.pause(10 * MS)
    assert p.poll(50 * MS, 1000) == []
    p.resume(50 * MS)
    assert sum(d.count for d in p.poll(60 * MS - 1, 1000)) == 10
    p2 = PortPacer([StreamPlan(0, 1000.0)], 0, multiplier=2.0)
    assert sum(d.count for d in p2.poll(S - 1, 10_000)) == 2000


def test_frames_due_before_the_end_are_still_sent_after_a_late_wakeup() -> None:
    p = PortPacer([StreamPlan(0, 1000.0)], 0, duration_ns=100 * MS)
    assert not p.is_done(150 * MS)  # woke up late: the last batch is still owed
    dues = p.poll(150 * MS, 1000)
    assert [(d.key, d.count) for d in dues] == [(0, 100)]
    p.sent(0, 100, 150 * MS)
    assert p.is_done(150 * MS)
    assert p.poll(150 * MS, 1000) == []


def test_a_stream_that_cannot_keep_up_is_not_owed_its_backlog() -> None:
    p = PortPacer([StreamPlan(0, 1e9)], 0, duration_ns=100 * MS)
    assert sum(d.count for d in p.poll(50 * MS, 1000)) == 1000
    assert not p.is_done(100 * MS)
    assert sum(d.count for d in p.poll(100 * MS, 1000)) == 1000  # one last batch
    assert p.is_done(100 * MS)


def test_suppressed_stream_sends_nothing_and_owes_nothing() -> None:
    p = PortPacer([StreamPlan(0, 1000.0, suppressed=True), StreamPlan(1, 1000.0)], 0)
    assert [(d.key, d.count) for d in p.poll(10 * MS - 1, 1000)] == [(1, 10)]
    p.sent(1, 10, 10 * MS)
    p.suppress(10 * MS, 0, False)  # switched on at 10 ms: due from now, no backlog
    assert {d.key: d.count for d in p.poll(15 * MS - 1, 1000)} == {0: 5, 1: 5}
    p.suppress(15 * MS, 1, True)
    assert [d.key for d in p.poll(20 * MS, 1000)] == [0]


def test_a_fixed_rate_stream_ignores_the_multiplier() -> None:
    plans = [StreamPlan(0, 1000.0), StreamPlan(1, 100.0, scaled=False)]
    p = PortPacer(plans, 0, multiplier=4.0)
    ev = drain(p, 1 * S - 1, 1 * MS)  # polls at 0, 1, ..., 999 ms
    assert (total(ev, 0), total(ev, 1)) == (3997, 100)  # 4000/s; 100/s
    p.set_multiplier(1 * S, 2.0)
    ev = drain_from(p, 1 * S, 2 * S - 1, 1 * MS)
    assert (total(ev, 0), total(ev, 1)) == (2002, 100)  # 2000/s + 3 owed from 999 ms
    assert p.requested_pps() == 2100.0


def drain_from(p: PortPacer, start_ns: int, until_ns: int, step_ns: int) -> list:
    out = []
    t = start_ns
    while t <= until_ns:
        for d in p.poll(t, 1000):
            p.sent(d.key, d.count, t)
            out.append((t, d.key, d.count))
        t += step_ns
    return out


def test_a_stream_given_its_own_factor_keeps_it_under_later_multipliers() -> None:
    """TRex's update_streams: that stream's rate is its own rate x its factor."""
    p = PortPacer([StreamPlan(0, 1000.0), StreamPlan(1, 1000.0)], 0)
    ev = drain(p, 1 * S - 1, 1 * MS)  # polls at 0, 1, ..., 999 ms
    assert (total(ev, 0), total(ev, 1)) == (1000, 1000)
    p.set_stream_factor(1 * S, 1, 2.5)
    assert p.requested_pps() == 3500.0
    ev = drain_from(p, 1 * S, 2 * S - 1, 1 * MS)
    # stream 1 every 0.4 ms from 1000 ms on: 1000.0, 1000.4, ..., 1998.8
    assert (total(ev, 0), total(ev, 1)) == (1000, 2498)
    p.set_multiplier(2 * S, 2.0)  # the port's factor: stream 1 keeps its own
    assert p.requested_pps() == 4500.0
    ev = drain_from(p, 2 * S, 3 * S - 1, 1 * MS)
    assert (total(ev, 0), total(ev, 1)) == (1999, 2500)
