"""Per-session event queues with contiguous seq."""

from __future__ import annotations

from wirespeed.server.trex.events import EventHub, TrexEvent, session_number


def test_each_session_has_its_own_contiguous_seq() -> None:
    hub = EventHub()
    assert hub.drain(11, now_s=0.0) == []
    hub.post(TrexEvent.PORT_STARTED, {"port_id": 0}, now_s=1.0)
    assert hub.drain(22, now_s=1.0) == []  # a session sees events after it appears
    hub.post_many(
        [
            (TrexEvent.PROFILE_FINISHED_TX, {"port_id": 0, "profile_id": "_"}),
            (TrexEvent.PORT_JOB_DONE, {"port_id": 0}),
        ],
        now_s=2.0,
    )
    first = hub.drain(11, now_s=2.0)
    assert [(e["type"], e["seq"]) for e in first] == [(0, 0), (14, 1), (4, 2)]
    assert first[1] == {
        "name": "trex-event",
        "type": 14,
        "data": {"port_id": 0, "profile_id": "_"},
        "seq": 1,
        "baseline": False,
    }
    assert [(e["type"], e["seq"]) for e in hub.drain(22, now_s=2.0)] == [
        (14, 0),
        (4, 1),
    ]
    hub.post(TrexEvent.PORT_STOPPED, {"port_id": 1}, now_s=3.0)
    assert [e["seq"] for e in hub.drain(11, now_s=3.0)] == [3]


def test_trimming_a_full_queue_keeps_seq_contiguous() -> None:
    hub = EventHub(max_pending=3)
    hub.drain(1, now_s=0.0)
    for i in range(5):
        hub.post(TrexEvent.PORT_ERROR, {"port_id": i}, now_s=0.0)
    out = hub.drain(1, now_s=0.0)
    assert [(e["data"]["port_id"], e["seq"]) for e in out] == [(2, 0), (3, 1), (4, 2)]


def test_silent_sessions_expire_and_post_triggers() -> None:
    woken = []
    hub = EventHub(session_ttl_s=10.0, on_post=lambda: woken.append(1))
    hub.drain(1, now_s=0.0)
    hub.drain(2, now_s=8.0)
    hub.post(TrexEvent.PORT_ERROR, {"port_id": 0}, now_s=12.0)
    assert hub.session_count() == 1
    assert woken == [1]
    assert hub.pending_count() == 1
    hub.wake()
    assert woken == [1, 1]


def test_session_numbers() -> None:
    assert session_number("trex:305419896") == 305419896
    assert session_number(7) == 7
    assert session_number("xoa-conn-3") == 0xA4ADDB9D  # crc32 of the text
