"""The native API says when a port's traffic ended on an error."""

from __future__ import annotations

import threading

import pytest

from wirespeed.client import Chassis
from wirespeed.errors import PortError
from wirespeed.model import FrameLength, Rate, Stream, TxMode
from wirespeed.service import PortState
from wirespeed.service.fake import FakeDataplane, fake_config


def test_traffic_raises_when_a_worker_dies_and_the_port_sends_again() -> None:
    fake = FakeDataplane(2)
    with Chassis(fake_config(2), dataplane=fake) as chassis:
        port = chassis.ports[0]
        port.reserve()
        stream = Stream(
            packet=b"\x02" * 60,
            length=FrameLength.fixed(64),
            rate=Rate.pps(1000.0),
            mode=TxMode.continuous(),
        )
        chassis.tester.add_stream(0, 0, stream)
        killer = threading.Timer(0.2, fake.kill, args=(0, "tx"))
        killer.start()
        with pytest.raises(PortError) as exc:
            chassis.traffic([port], duration_s=30.0, cooldown_s=0.0)
        killer.join()
        assert str(exc.value) == (
            "port 0: the TX worker died (killed by signal 9); restarted"
        )
        assert exc.value.port == 0
        assert chassis.tester.port_state(0) is PortState.STREAMS
        chassis.start([port])
        assert chassis.tester.port_state(0) is PortState.TX
        chassis.stop([port])
