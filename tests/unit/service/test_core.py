"""The tester core without IO: its state machine, its effects, exact."""

from __future__ import annotations

import pytest

from wirespeed.dataplane import messages as msg
from wirespeed.errors import StateError, ValidationError
from wirespeed.model import FlowStats, FlowStatsKind, FrameLength, Rate, Stream, TxMode
from wirespeed.model.scaling import Multiplier
from wirespeed.service import core as tester_core
from wirespeed.service.ownership import _TRANSITIONS, PortState, Trigger, next_state
from wirespeed.service.types import EventKind, PortInfo, Send, SendRx, TrafficEvent
from wirespeed.topology.testbed import PortSpec

GIG = 1_000_000_000


def _core(n: int = 2) -> tester_core.TesterCore:
    ports = [
        PortInfo(i, PortSpec(f"p{i}", "ns", GIG, f"02:00:00:00:00:0{i + 1}", i ^ 1),
                 i // 2, i % 2, f"02:00:00:00:00:0{i + 1}", GIG)
        for i in range(n)
    ]  # fmt: skip
    return tester_core.TesterCore(
        ports, [tuple(range(m, m + 2)) for m in range(0, n, 2)]
    )


def _cont(pps: float, size: int = 128, **extra: object) -> Stream:
    return Stream(
        packet=b"\x02" * 60,
        length=FrameLength.fixed(size),
        rate=Rate.pps(pps),
        mode=TxMode.continuous(),
        **extra,  # type: ignore[arg-type]
    )


def _latency(pps: float) -> Stream:
    return _cont(pps, flow_stats=FlowStats(7, FlowStatsKind.LATENCY))


S = PortState


@pytest.mark.parametrize(
    ("state", "trigger", "streams", "expected"),
    [
        (S.IDLE, Trigger.ADD, 1, S.STREAMS),
        (S.STREAMS, Trigger.EMPTY, 0, S.IDLE),
        (S.STREAMS, Trigger.START, 1, S.TX),
        (S.TX, Trigger.START, 1, S.TX),
        (S.TX, Trigger.PAUSE, 1, S.PAUSE),
        (S.PAUSE, Trigger.RESUME, 1, S.TX),
        (S.TX, Trigger.STOP, 1, S.STREAMS),
        (S.PAUSE, Trigger.STOP, 1, S.STREAMS),
        (S.TX, Trigger.END, 1, S.STREAMS),
        (S.PAUSE, Trigger.END, 1, S.STREAMS),
    ],
)
def test_the_state_table(
    state: PortState, trigger: Trigger, streams: int, expected: PortState
) -> None:
    assert next_state(0, state, trigger, [0] * streams) is expected


def test_what_the_table_does_not_have_is_refused() -> None:
    refused = [(s, t) for s in PortState for t in Trigger if (s, t) not in _TRANSITIONS]
    assert len(refused) == 4 * 7 - 15
    for state, trigger in refused:
        with pytest.raises(StateError, match=f"port 3 is {state.value}: cannot "):
            next_state(3, state, trigger, [1])


def test_a_start_is_a_job_and_an_event() -> None:
    core = _core()
    assert core.add_stream(0, 5, _cont(1000.0)) == []
    effects = core.start([0], duration_s=2.0, multiplier=Multiplier.parse("10kpps"))
    assert len(effects) == 2
    send, event = effects
    assert isinstance(send, Send)
    assert send.port == 0
    assert isinstance(send.command, msg.StartJob)
    job = send.command.job
    assert (job.run_id, job.duration_s, job.multiplier) == (1, 2.0, 10.0)
    assert [(s.slot, s.tid, s.plan.rate_pps) for s in job.streams] == [(0, -1, 1000.0)]
    assert event == TrafficEvent(EventKind.STARTED, 0, {"run_id": 1})
    assert core.port(0).state is PortState.TX


def test_a_port_packet_limit_goes_to_the_job() -> None:
    core = _core()
    core.add_stream(0, 0, _cont(1000.0))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValidationError) as err:
            core.start([0], packet_limit=bad)  # type: ignore[arg-type]
        assert err.value.field == "packet_limit"
    assert core.port(0).state is PortState.STREAMS
    (send, _) = core.start([0], packet_limit=1000)
    assert isinstance(send, Send)
    assert isinstance(send.command, msg.StartJob)
    assert send.command.job.packet_limit == 1000


def test_a_forced_restart_stops_first_and_a_late_done_is_ignored() -> None:
    core = _core()
    core.add_stream(0, 0, _cont(1000.0))
    core.start([0])
    with pytest.raises(StateError, match="port 0 is already transmitting"):
        core.start([0])
    effects = core.start([0], force=True)
    assert [type(e.command) for e in effects if isinstance(e, Send)] == [
        msg.StopJob,
        msg.StartJob,
    ]
    assert core.on_report(0, msg.JobDone(1)) == []  # the first run's end
    assert core.port(0).state is PortState.TX
    assert core.on_report(0, msg.JobDone(2)) == [TrafficEvent(EventKind.DONE, 0)]
    assert core.port(0).state is PortState.STREAMS


def test_a_lost_worker_ends_the_run_with_an_error() -> None:
    core = _core()
    core.add_stream(1, 0, _cont(1000.0))
    core.start([1])
    assert core.on_worker_lost(1, "the TX worker died (killed by signal 9)") == [
        TrafficEvent(
            EventKind.ERROR,
            1,
            {
                "message": "the TX worker died (killed by signal 9)",
                "traffic_ended": True,
            },
        )
    ]
    assert core.port(1).state is PortState.STREAMS
    assert core.on_report(1, msg.JobDone(1)) == []  # too late: ignored
    core.remove_stream(1, 0)
    assert core.port(1).state is PortState.IDLE


def test_stop_pause_resume_and_updates_are_typed_commands() -> None:
    core = _core()
    core.add_stream(0, 0, _cont(1000.0))
    core.add_stream(0, 1, _latency(500.0))
    core.start([0], multiplier=Multiplier.parse("10kpps"))
    assert core.multiplier(0) == 9.5  # the latency stream keeps its 500
    assert core.pause([0]) == [
        Send(0, msg.PauseJob()),
        TrafficEvent(EventKind.PAUSED, 0),
    ]
    assert core.resume([0]) == [
        Send(0, msg.ResumeJob()),
        TrafficEvent(EventKind.RESUMED, 0),
    ]
    # "+1 kpps" adds the factor 1 kpps alone needs: (1000 - 500 fixed) / 1000
    assert core.update([0], Multiplier.parse("1kpps+")) == [
        Send(0, msg.SetFactor(10.0))
    ]
    assert core.suppress_streams(0, [0], True) == [Send(0, msg.SuppressStream(0, True))]
    assert core.update_streams(0, [0], Multiplier.parse("3kpps")) == [
        Send(0, msg.SetStreamFactor(0, 3.0))
    ]
    with pytest.raises(ValidationError, match="latency stream keeps its own rate"):
        core.update_streams(0, [1], Multiplier.parse("3kpps"))
    assert core.stop([0, 1]) == [
        Send(0, msg.StopJob()),
        TrafficEvent(EventKind.STOPPED, 0),
    ]
    assert core.port(0).state is PortState.STREAMS


def test_config_changes_reach_the_receiver_and_records_stay_read_only() -> None:
    core = _core()
    info = core.ports[0]
    assert core.set_payload_checksum(0, 40) == [
        SendRx(0, msg.SetRxMode(info.tpld_mode.NORMAL_WITH_PAYLOAD_CHECKSUM))
    ]
    core.set_fec_mode(0, "RS_FEC")
    core.set_module_media(0, "QSFP28")
    assert (core.ports[0].fec_mode, core.modules[0].media) == ("RS_FEC", "QSFP28")
    assert info.fec_mode == "OFF"  # the record handed out earlier did not change
    with pytest.raises(AttributeError):
        info.fec_mode = "RS_FEC"  # type: ignore[misc]


def test_above_the_line_needs_force_through_the_core() -> None:
    core = _core()
    core.add_stream(0, 0, _cont(1000.0, size=1000))
    with pytest.raises(ValidationError, match="exceeds the port's line rate"):
        core.start([0], multiplier=Multiplier.parse("1.2gbpsl1"))
    assert core.port(0).state is PortState.STREAMS  # nothing started
    core.start([0], multiplier=Multiplier.parse("1.2gbpsl1"), force=True)
    assert core.multiplier(0) == pytest.approx(1.2e9 / 8_160_000)


def test_a_lost_receiver_is_an_error_but_the_port_keeps_sending() -> None:
    core = _core()
    core.add_stream(1, 0, _cont(1000.0))
    core.start([1])
    assert core.on_worker_lost(1, "the RX worker died", sender=False) == [
        TrafficEvent(
            EventKind.ERROR,
            1,
            {"message": "the RX worker died", "traffic_ended": False},
        )
    ]
    assert core.port(1).state is PortState.TX
    assert core.on_report(1, msg.JobDone(1)) == [TrafficEvent(EventKind.DONE, 1)]
