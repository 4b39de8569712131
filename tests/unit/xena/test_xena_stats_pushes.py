"""Statistics mapping, pushes, and the binary request/answer path."""

from __future__ import annotations

import queue
import struct
import time

from xena_env import (  # type: ignore[import-not-found]
    finish,
    masked,
    sent,
    tid_stats,
)

from wirespeed.dataplane.messages import ClearRx, SyncRx
from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import answer_line
from wirespeed.server.xena.session import Push, XenaSession
from wirespeed.server.xena.status import Status
from wirespeed.server.xena.wire import Message, MessageReader, MsgType, encode_message
from wirespeed.server.xena.xoa import answer_message


def run(chassis: XenaChassis, session: XenaSession, *lines: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += answer_line(chassis, session, line).lines
    return out


def user(
    chassis: XenaChassis, owner: str, pushes: queue.Queue[Push] | None = None
) -> XenaSession:
    sink = pushes.put if pushes is not None else None
    s = XenaSession("xoa" if sink else "cli", owner, push=sink)
    chassis.open_session(s)
    assert run(chassis, s, 'C_LOGON "xena"', f'C_OWNER "{owner}"') == ["<OK>", "<OK>"]
    return s


def test_port_counters(chassis, fake) -> None:
    s = user(chassis, "alice")
    # port 1 sent 1000 frames, 3 of them without a TPLD (two frame sizes make the
    # byte count); it received 999 of 128 bytes, all with a TPLD
    fake.count_tx(1, slot=0, packets=3, frame_bytes=64, tpld=False)
    fake.count_tx(1, slot=0, packets=996, frame_bytes=128)
    fake.count_tx(1, slot=0, packets=1, frame_bytes=320)
    tid = tid_stats(7, 999, 1200, 1500.4, 9000)
    fake.count_rx(1, packets=999, frame_bytes=128, tid=tid)
    answers = run(
        chassis,
        s,
        "0/1 PT_TOTAL ?",
        "0/1 PR_TOTAL ?",
        "0/1 PT_NOTPLD ?",
        "0/1 PR_NOTPLD ?",
        "0/1 PR_EXTRA ?",
        "0/1 PT_EXTRA ?",
    )
    # "*": a rate the tester measures over real time
    expected = [
        "0/1 PT_TOTAL * * 128000 1000",
        "0/1 PR_TOTAL * * 127872 999",
        "0/1 PT_NOTPLD * * 192 3",
        "0/1 PR_NOTPLD * * 0 0",
        "0/1 PR_EXTRA 0 0 0 0 0 0 0 0",
        "0/1 PT_EXTRA 0 0 0 0 0 0 0 0 0 0 0",
    ]
    assert masked(answers, expected) == expected


def test_tpld_counters(chassis, fake) -> None:
    s = user(chassis, "alice")
    tid = tid_stats(7, 500, 1200, 1500.4, 9000)
    fake.count_rx(1, packets=500, frame_bytes=128, tid=tid)
    assert run(
        chassis,
        s,
        "0/1 PR_TPLDS ?",
        "0/1 PR_TPLDTRAFFIC [7] ?",
        "0/1 PR_TPLDERRORS [7] ?",
        "0/1 PR_TPLDLATENCY [7] ?",
        "0/1 PR_TPLDJITTER [7] ?",
        "0/1 PR_TPLDLATENCY [8] ?",
        "0/1 PR_TPLDTRAFFIC [8] ?",
        "0/1 PR_TPLDTRAFFIC [5000] ?",
        "0/1 PR_TPLDTRAFFIC ?",
    ) == [
        "0/1 PR_TPLDS 7",
        "0/1 PR_TPLDTRAFFIC [7] 10240 10 64000 500",
        "0/1 PR_TPLDERRORS [7] 0 3 1 2",
        "0/1 PR_TPLDLATENCY [7] 1200 1500 9000 1500 1200 9000",
        "0/1 PR_TPLDJITTER [7] -1 -1 -1 -1 -1 -1",
        "0/1 PR_TPLDLATENCY [8] -1 -1 -1 -1 -1 -1",
        "0/1 PR_TPLDTRAFFIC [8] 0 0 0 0",
        "<BADINDEX>",
        "<BADINDEX>",
    ]


def test_clear_and_calibrate(chassis, tester, fake) -> None:
    s = user(chassis, "alice")
    assert run(chassis, s, "0/1 PT_CLEAR") == ["<NOTRESERVED>"]
    run(chassis, s, "0/1 P_RESERVATION RESERVE")
    assert run(chassis, s, "0/1 PR_CALIBRATE") == ["<NOTVALID>"]
    fake.count_tx(1, slot=0, packets=10, frame_bytes=128)
    fake.count_rx(1, packets=7, frame_bytes=128)
    assert run(chassis, s, "0/1 PT_CLEAR", "0/1 PR_CLEAR") == ["<OK>", "<OK>"]
    # PT_CLEAR cleared TX only, PR_CLEAR RX only (once)
    st = tester.port_stats(1)
    assert (st.tx_packets, st.rx_packets) == (0, 0)
    assert tester.port_stats(1, since_clear=False).tx_packets == 10
    assert sent(fake, 1, ClearRx) == [ClearRx(1)]
    # the cleared receiver's analysis starts afresh: frames arriving after the
    # clear calibrate (the lowest minimum latency of its TIDs)
    tid7 = tid_stats(7, 500, 1200, 1500.0, 9000)
    fake.count_rx(1, packets=500, frame_bytes=128, tid=tid7)
    fake.count_rx(1, packets=5, frame_bytes=128, tid=tid_stats(2, 5, 800, 900.0, 1000))
    assert run(chassis, s, "0/1 PR_CALIBRATE", "0/1 P_LATENCYOFFSET ?") == [
        "<OK>",
        "0/1 P_LATENCYOFFSET 800",
    ]


def test_stream_tx_counters(chassis, tester, fake) -> None:
    s = user(chassis, "alice")
    run(chassis, s, "0/0 P_RESERVATION RESERVE", "0/0 PS_CREATE [4]")
    fake.count_tx(0, slot=tester._core.slot(0, 4), packets=9, frame_bytes=128)
    answers = run(chassis, s, "0/0 PT_STREAM [4] ?", "0/0 PT_STREAM [5] ?")
    expected = ["0/0 PT_STREAM [4] * * 1152 9", "<BADINDEX>"]  # "*": a measured rate
    assert masked(answers, expected) == expected


def test_pushes(chassis, tester, fake) -> None:
    chassis.start()
    qa: queue.Queue[Push] = queue.Queue()
    qb: queue.Queue[Push] = queue.Queue()
    a, b = user(chassis, "alice", qa), user(chassis, "bob", qb)
    run(chassis, a, "0/1 P_RESERVATION RESERVE")
    assert qa.get(timeout=5) == Push("P_RESERVATION", 0, 1, (1,))
    assert qa.get(timeout=5) == Push("P_RESERVEDBY", 0, 1, ("alice",))
    assert qb.get(timeout=5) == Push("P_RESERVATION", 0, 1, (2,))
    assert qb.get(timeout=5) == Push("P_RESERVEDBY", 0, 1, ("alice",))
    run(chassis, a, "0/1 PS_CREATE [0]", "0/1 PS_ENABLE [0] ON", "0/1 P_TRAFFIC ON")
    assert qa.get(timeout=5) == Push("P_TRAFFIC", 0, 1, (1,))
    fake.finish(1)
    assert qa.get(timeout=5) == Push("P_TRAFFIC", 0, 1, (0,))
    assert qb.get(timeout=5) == Push("P_TRAFFIC", 0, 1, (1,))
    assert qb.get(timeout=5) == Push("P_TRAFFIC", 0, 1, (0,))
    run(chassis, b, "1 M_RESERVATION RESERVE")
    assert qa.get(timeout=5) == Push("M_RESERVATION", 1, None, (2,))
    assert qa.get(timeout=5) == Push("M_RESERVEDBY", 1, None, ("bob",))
    assert qb.get(timeout=5) == Push("M_RESERVATION", 1, None, (1,))


def test_tx_enable_takes_the_link_down_and_pushes_the_sync(chassis, fake) -> None:
    """RFC 2889's toggle-sync waits for P_RECEIVESYNC pushes after P_TXENABLE."""
    chassis.start()
    pushes: queue.Queue[Push] = queue.Queue()
    a = user(chassis, "alice", pushes)
    run(chassis, a, "0/1 P_RESERVATION RESERVE")
    assert run(chassis, a, "0/1 P_TXENABLE OFF", "0/1 P_RECEIVESYNC ?") == [
        "<OK>",
        "0/1 P_RECEIVESYNC NO_SYNC",
    ]
    assert fake.links == [True, False, True, True]
    while (push := pushes.get(timeout=5)).name != "P_RECEIVESYNC":
        pass
    assert push == Push("P_RECEIVESYNC", 0, 1, (0,))
    run(chassis, a, "0/1 P_TXENABLE ON")
    assert pushes.get(timeout=5) == Push("P_RECEIVESYNC", 0, 1, (1,))
    assert fake.links == [True] * 4


def ask(
    chassis, session, msg_type, code, module=0xFF, port=0xFF, indices=(), value=b""
):
    raw = answer_message(
        chassis,
        session,
        Message(msg_type, code, module, port, 9, tuple(indices), value),
    )
    (reply,) = MessageReader().feed(raw)
    assert reply.request_id == 9
    return reply


def test_binary_answers(chassis) -> None:
    s = XenaSession("xoa", "raw")
    chassis.open_session(s)
    Q, V, S = MsgType.QUERY, MsgType.VALUE, MsgType.STATUS
    assert ask(chassis, s, Q, 10).code == Status.NOTLOGGEDON
    bad = ask(chassis, s, V, 1, value=b"bad")
    assert (bad.msg_type, bad.code) == (S, Status.BADVALUE)
    assert ask(chassis, s, V, 1, value=b"xena").code == Status.OK
    model = ask(chassis, s, Q, 10)
    assert (model.msg_type, model.code) == (V, 10)
    assert model.value.rstrip(b"\0") == b"wirespeed Xena emulation"
    counts = ask(chassis, s, Q, 13)
    assert counts.value == b"\x02\x02"
    assert ask(chassis, s, 1, 10).code == Status.BADCOMMAND
    assert ask(chassis, s, Q, 4000).code == Status.BADPARAMETER
    assert ask(chassis, s, Q, 8).code == Status.NOTSUPPORTED  # C_DOWN
    assert ask(chassis, s, Q, 100, module=9).code == Status.BADMODULE
    assert ask(chassis, s, Q, 100, module=0xFE).code == Status.NOTSUPPORTED
    assert ask(chassis, s, Q, 110, module=0, port=5).code == Status.BADPORT
    assert (
        ask(chassis, s, Q, 110, module=0, port=0, indices=[1]).code == Status.BADINDEX
    )
    assert ask(chassis, s, Q, 104, module=0, port=0).code == Status.NOTREADABLE
    assert ask(chassis, s, V, 100, module=0, value=b"x").code == Status.NOTWRITABLE
    assert ask(chassis, s, V, 2, value=b"me").code == Status.OK
    assert ask(chassis, s, V, 102, 0, 0, value=b"\x01\x00").code == Status.BADSIZE
    assert ask(chassis, s, V, 102, 0, 0, value=b"\x01").code == Status.OK
    hdr = ask(chassis, s, V, 151, 0, 0, [3])
    assert hdr.code == Status.OK
    rate = ask(chassis, s, Q, 169, 0, 0, [3])
    assert (rate.indices, rate.value) == ((3,), struct.pack("!i", 1_000_000))
    caps = ask(chassis, s, Q, 106, 0, 0)
    assert len(caps.value) == 912
    assert struct.unpack_from("!i", caps.value, 58 * 4)[0] == 8  # serdes count


def test_binary_push_encoding(chassis) -> None:
    from wirespeed.server.xena.xoa import XoaServer

    server = XoaServer(chassis.tester, port=0, chassis=chassis)

    class Writer:
        data = b""

        def is_closing(self) -> bool:
            return False

        def write(self, data: bytes) -> None:
            self.data += data

    w = Writer()
    server._write_push(w, Push("P_TRAFFIC", 4, 1, (1,)))  # type: ignore[arg-type]
    assert w.data == encode_message(Message(MsgType.VALUE, 124, 4, 1, 0, (), b"\x01"))


def test_rate_shortfall_is_logged(chassis, tester, fake, monkeypatch, caplog) -> None:
    import wirespeed.server.xena.state as chassis_module

    monkeypatch.setattr(chassis_module, "MIN_RUN_S", 0.0)
    chassis.start()
    pushes: queue.Queue[Push] = queue.Queue()
    a = user(chassis, "alice", pushes)
    run(chassis, a, "0/0 P_RESERVATION RESERVE", "0/0 PS_CREATE [0]",
        "0/0 PS_PACKETLENGTH [0] FIXED 128 128", "0/0 PS_RATEFRACTION [0] 600000",
        "0/0 PS_ENABLE [0] ON", "0/0 PS_CREATE [1]", "0/0 PS_ENABLE [1] ON",
        "0/0 PS_RATEFRACTION [1] 500000", "0/0 P_TRAFFIC ON")  # fmt: skip
    assert "the streams ask for 110.00% of the nominal line rate" in caplog.text
    # a handful of frames: far below the request
    fake.count_tx(0, slot=tester._core.slot(0, 0), packets=3, frame_bytes=128)
    run(chassis, a, "0/0 P_TRAFFIC OFF")
    while pushes.get(timeout=5) != Push("P_TRAFFIC", 0, 0, (0,)):
        pass
    assert "the port cannot reach the requested rate" in caplog.text
    assert "(110.00% of the nominal line rate)" in caplog.text


def test_a_run_at_its_rate_is_not_called_short(chassis, tester, fake, caplog) -> None:
    # the rate is the frames over the span of the job (first to last frame), not
    # over the time since the start: a P_TXTIMELIMIT run stopped long after its
    # last frame sent at the asked rate
    chassis.start()
    pushes: queue.Queue[Push] = queue.Queue()
    a = user(chassis, "alice", pushes)
    run(chassis, a, "0/0 P_RESERVATION RESERVE", "0/0 PS_CREATE [0]",
        "0/0 PS_PACKETLENGTH [0] FIXED 128 128", "0/0 PS_RATEPPS [0] 1000",
        "0/0 PS_ENABLE [0] ON", "0/0 P_TRAFFIC ON")  # fmt: skip
    fake.count_tx(0, slot=tester._core.slot(0, 0), packets=1001, frame_bytes=128,
                  span_ns=1_000_000_000)  # fmt: skip
    time.sleep(0.6)  # the run lasts longer than MIN_RUN_S
    run(chassis, a, "0/0 P_TRAFFIC OFF")
    while pushes.get(timeout=5) != Push("P_TRAFFIC", 0, 0, (0,)):
        pass
    assert "cannot reach the requested rate" not in caplog.text
    # the same frames over twice the span: half the rate, and said so
    run(chassis, a, "0/0 P_TRAFFIC ON")
    fake.count_tx(0, slot=tester._core.slot(0, 0), packets=1001, frame_bytes=128,
                  span_ns=2_000_000_000)  # fmt: skip
    time.sleep(0.6)
    run(chassis, a, "0/0 P_TRAFFIC OFF")
    while pushes.get(timeout=5) != Push("P_TRAFFIC", 0, 0, (0,)):
        pass
    assert "1000 frames/s requested" in caplog.text
    assert "500 frames/s sent on average over 2.0 s" in caplog.text


def _one_stream_running(chassis, tester, s: XenaSession) -> None:
    assert run(chassis, s, "0/0 P_RESERVATION RESERVE", "0/0 PS_CREATE [0]",
               "0/0 PS_ENABLE [0] ON", "0/0 P_TRAFFIC ON") == ["<OK>"] * 4  # fmt: skip


def test_stats_read_after_a_stop_count_every_frame(chassis, tester, fake) -> None:
    """Frames still in the receiver's ring when traffic stops show in the next read."""
    s = user(chassis, "alice")
    _one_stream_running(chassis, tester, s)
    fake.count_rx(1, packets=90, frame_bytes=128)
    fake.hold_rx(1, packets=10, frame_bytes=128)
    syncs = len(sent(fake, 1, SyncRx))
    # while the port sends, a read is a snapshot: nothing to settle ("*": a rate
    # the tester measures)
    expected = ["0/1 PR_TOTAL * * 11520 90"]
    assert masked(run(chassis, s, "0/1 PR_TOTAL ?"), expected) == expected
    assert len(sent(fake, 1, SyncRx)) == syncs
    answers = run(chassis, s, "0/0 P_TRAFFIC OFF", "0/1 PR_TOTAL ?", "0/1 PR_TOTAL ?")
    expected = ["<OK>", "0/1 PR_TOTAL * * 12800 100", "0/1 PR_TOTAL * * 12800 100"]
    assert masked(answers, expected) == expected
    # the stop settles every receiver, once: reads after it settle nothing
    assert len(sent(fake, 1, SyncRx)) == syncs + 1
    # a finite run that ends by itself is settled the same way
    assert run(chassis, s, "0/0 P_TRAFFIC ON") == ["<OK>"]
    fake.hold_rx(1, packets=5, frame_bytes=128)
    finish(tester, fake, 0)
    expected = ["0/1 PR_TOTAL * * 13440 105"]
    assert masked(run(chassis, s, "0/1 PR_TOTAL ?"), expected) == expected
    assert len(sent(fake, 1, SyncRx)) == syncs + 2


def test_c_traffic_off_then_tpld_read_is_settled(chassis, tester, fake) -> None:
    s = user(chassis, "alice")
    _one_stream_running(chassis, tester, s)
    fake.count_rx(1, packets=7, frame_bytes=128)
    fake.hold_rx(1, packets=3, frame_bytes=128)
    syncs = len(sent(fake, 1, SyncRx))
    assert run(chassis, s, "C_TRAFFIC OFF 0 0", "0/0 P_TRAFFIC ?") == [
        "<OK>",
        "0/0 P_TRAFFIC OFF",
    ]
    assert len(sent(fake, 1, SyncRx)) == syncs + 1  # the tester's stop settles
    # a TPLD read after it has nothing left to settle
    assert run(chassis, s, "0/1 PR_TPLDS ?") == ["0/1 PR_TPLDS"]
    assert len(sent(fake, 1, SyncRx)) == syncs + 1
    assert tester.port_stats(1).rx_packets == 10


def test_frames_the_receiver_dropped_are_logged(chassis, tester, fake, caplog) -> None:
    s = user(chassis, "alice")
    fake.count_rx(1, packets=0, frame_bytes=0, ring_drops=4)  # before this run
    _one_stream_running(chassis, tester, s)
    fake.hold_rx(1, packets=0, frame_bytes=0, ring_drops=45)
    run(chassis, s, "0/0 P_TRAFFIC OFF", "0/1 PR_TOTAL ?")
    drops = [r.getMessage() for r in caplog.records if "dropped by" in r.getMessage()]
    # said once, by the tester, for this run's drops only (every front end's)
    assert drops == [
        "port 1 (wsT1): 45 received frames dropped by the tester (its receive ring "
        "was full: the receiver could not keep up); the RX counters miss them"
    ]


def test_stop_push_follows_the_settle(chassis, tester, fake) -> None:
    """A client reacting to the P_TRAFFIC OFF push reads exact counts."""
    chassis.start()
    pushes: queue.Queue[Push] = queue.Queue()
    s = user(chassis, "alice", pushes)
    _one_stream_running(chassis, tester, s)
    fake.hold_rx(1, packets=12, frame_bytes=128)
    syncs = len(sent(fake, 1, SyncRx))
    fake.finish(0)
    while (push := pushes.get(timeout=5)).name != "P_TRAFFIC" or push.values != (0,):
        pass
    # the tester settled before it reported the end
    assert len(sent(fake, 1, SyncRx)) == syncs + 1
    assert tester.port_stats(1).rx_packets == 12


def test_a_pause_by_another_front_end_is_no_traffic_change(chassis, tester) -> None:
    """P_TRAFFIC reads ON while paused, so no OFF push may say otherwise."""
    chassis.start()
    pushes: queue.Queue[Push] = queue.Queue()
    s = user(chassis, "alice", pushes)
    _one_stream_running(chassis, tester, s)
    while pushes.get(timeout=5) != Push("P_TRAFFIC", 0, 0, (1,)):
        pass  # the reservation's pushes
    tester.pause([0])  # as the TRex front end pauses it
    assert run(chassis, s, "0/0 P_TRAFFIC ?") == ["0/0 P_TRAFFIC ON"]
    tester.resume([0])
    chassis.flush_pushes()
    assert pushes.empty()
    run(chassis, s, "0/0 P_TRAFFIC OFF")
    assert pushes.get(timeout=5) == Push("P_TRAFFIC", 0, 0, (0,))


def test_a_lost_worker_is_a_traffic_off_push_and_the_port_sends_again(
    chassis, tester, fake
) -> None:
    """A TX worker that dies ends the port's traffic: P_TRAFFIC OFF is pushed and
    read, and the port starts again."""
    chassis.start()
    pushes: queue.Queue[Push] = queue.Queue()
    s = user(chassis, "alice", pushes)
    _one_stream_running(chassis, tester, s)
    fake.kill(0, "tx")
    while (push := pushes.get(timeout=5)).name != "P_TRAFFIC" or push.values != (0,):
        pass
    assert run(chassis, s, "0/0 P_TRAFFIC ?") == ["0/0 P_TRAFFIC OFF"]
    assert run(chassis, s, "0/0 P_TRAFFIC ON", "0/0 P_TRAFFIC ?") == [
        "<OK>",
        "0/0 P_TRAFFIC ON",
    ]


def test_a_lost_receiver_pushes_no_traffic_change(chassis) -> None:
    """A receiver's death is an error, but its port sends on: no P_TRAFFIC OFF."""
    from wirespeed.server.xena.pushes import pushes_for
    from wirespeed.service import EventKind, TrafficEvent

    s = user(chassis, "alice")
    by_name = chassis.notifier.by_name
    rx_lost = TrafficEvent(EventKind.ERROR, 0, {"message": "x", "traffic_ended": False})
    tx_lost = TrafficEvent(EventKind.ERROR, 0, {"message": "x", "traffic_ended": True})
    with chassis.state.lock:
        assert pushes_for(chassis.state, by_name, s, rx_lost) == []
        assert pushes_for(chassis.state, by_name, s, tx_lost) == [
            Push("P_TRAFFIC", 0, 0, (0,))
        ]


def test_a_session_is_told_only_of_changes_after_its_logon(chassis) -> None:
    """A change queued before a session logged on is not pushed to it, however
    late the push goes out (a new XOA client's first answer is its own)."""
    chassis.start()
    before: queue.Queue[Push] = queue.Queue()
    after: queue.Queue[Push] = queue.Queue()
    early = user(chassis, "early", before)
    with chassis.state.lock:  # the notifier waits for it to pick its sessions
        assert run(chassis, early, "0/0 P_RESERVATION RESERVE") == ["<OK>"]
        user(chassis, "late", after)  # logs on while the change waits
    chassis.notifier.flush()
    assert before.get(timeout=5) == Push("P_RESERVATION", 0, 0, (1,))
    assert after.empty()
