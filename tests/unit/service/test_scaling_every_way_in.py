"""The same streams and the same multiplier give the same frames/s through the
Python API and through TRex's RPC: one scaling rule, read off what reaches the data
plane (the job's factor), exact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from wirespeed.client import Chassis
from wirespeed.dataplane.messages import StartJob
from wirespeed.errors import ValidationError
from wirespeed.model import FlowStats, FlowStatsKind, FrameLength, Rate, Stream, TxMode
from wirespeed.server.trex.dispatch import Dispatcher
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.methods import build_method_table
from wirespeed.server.trex.stream_json import stream_to_trex_json
from wirespeed.service.fake import FakeDataplane, fake_config

GIG = 1_000_000_000


def _stream(pps: float, mode: TxMode | None = None, **extra: Any) -> Stream:
    return Stream(
        packet=b"\x02" * 60,
        length=FrameLength.fixed(128),
        rate=Rate.pps(pps),
        mode=mode or TxMode.continuous(),
        **extra,
    )


LATENCY = FlowStats(7, FlowStatsKind.LATENCY)
CASES = {
    # (streams, multiplier, TRex mul, factor, the scaled streams' own peak
    # frames/s, frames/s in all)
    "latency stream kept": (
        {0: _stream(1000.0), 1: _stream(500.0, flow_stats=LATENCY)},
        "10kpps",
        {"type": "pps", "value": 10_000.0},
        9.5,
        1000.0,
        10_000.0,
    ),
    "chained bursts peak": (
        {
            0: _stream(25_000.0, TxMode.single_burst(5000), next_stream_id=1),
            1: _stream(25_000.0, TxMode.single_burst(5000), self_start=False),
        },
        "50kpps",
        {"type": "pps", "value": 50_000.0},
        2.0,
        25_000.0,  # one burst at a time
        50_000.0,
    ),
    "latency only": (
        {1: _stream(500.0, flow_stats=LATENCY)},
        "10%",
        {"type": "percentage", "value": 10.0},
        1.0,
        0.0,
        500.0,
    ),
}


@pytest.fixture
def api() -> Iterator[tuple[Chassis, FakeDataplane]]:
    fake = FakeDataplane(2)
    with Chassis(fake_config(2, GIG), dataplane=fake) as chassis:
        yield chassis, fake


@pytest.fixture
def trex() -> Iterator[tuple[Dispatcher, FakeDataplane]]:
    from wirespeed.service import Tester

    fake = FakeDataplane(2)
    tester = Tester(fake_config(2, GIG), dataplane=fake).start()
    fe = TrexFrontEnd(tester, clock=lambda: 1000.0, api_h="H1", read_mtu=lambda s: 1500)
    yield Dispatcher(fe, build_method_table()), fake
    fe.close()
    tester.close()


def _rpc(d: Dispatcher, method: str, **params: Any) -> Any:
    req = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": method,
        "params": {"api_h": "H1", **params},
    }
    return json.loads(d.handle(json.dumps(req).encode()))


def _trex_start(d: Dispatcher, streams: dict[int, Stream], mul: dict[str, Any]) -> Any:
    h = _rpc(d, "acquire", port_id=0, user="u", session_id=1, force=False)["result"]
    for sid, s in streams.items():
        out = _rpc(d, "add_stream", handler=h, port_id=0, stream_id=sid,
                   stream=stream_to_trex_json(s))  # fmt: skip
        assert "result" in out, out
    return _rpc(d, "start_traffic", handler=h, port_id=0, mul={**mul, "op": "abs"},
                duration=-1, force=False)  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_api_and_trex_run_the_same_factor(api, trex, case: str) -> None:
    streams, text, mul, factor, peak, total = CASES[case]
    chassis, api_fake = api
    port = chassis.ports[0]
    port.reserve()
    for sid, s in streams.items():
        chassis.tester.add_stream(0, sid, s)
    chassis.start([port], multiplier=text)
    d, trex_fake = trex
    assert "result" in _trex_start(d, streams, mul)
    for fake in (api_fake, trex_fake):
        (start,) = fake.commands(0, StartJob)
        job = start.job  # type: ignore[attr-defined]
        assert job.multiplier == factor
        fixed = sum(s.plan.rate_pps for s in job.streams if not s.plan.scaled)
        assert peak * factor + fixed == total


def test_above_the_line_is_refused_the_same_way(api, trex) -> None:
    streams = {0: _stream(1000.0)}
    chassis, api_fake = api
    chassis.ports[0].reserve()
    chassis.tester.add_stream(0, 0, streams[0])
    with pytest.raises(ValidationError, match="exceeds the port's line rate") as exc:
        chassis.start([chassis.ports[0]], multiplier="1.2gbpsl1")
    d, trex_fake = trex
    out = _trex_start(d, streams, {"type": "bpsl1", "value": 1.2e9})
    assert out["error"]["specific_err"] == f"start_traffic: {exc.value}"
    assert api_fake.commands(0, StartJob) == trex_fake.commands(0, StartJob) == []
