"""The OTG session over a real tester on the package's fake data plane: what a
configuration may not leave behind when it is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed import service
from wirespeed.model import FrameLength, Rate, RateUnit, Stream, TxMode
from wirespeed.server.otg import session as otg_session
from wirespeed.server.otg.errors import OtgError
from wirespeed.server.otg.parse import API, parse_config
from wirespeed.server.otg.plan import ConfigPlan, FlowPlan
from wirespeed.server.otg.session import OtgSession
from wirespeed.service.fake import FakeDataplane, fake_config

HDR = bytes(
    Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1, dport=2)
)  # 42 bytes


@pytest.fixture
def session() -> Iterator[OtgSession]:
    with service.Tester(fake_config(2), dataplane=FakeDataplane(2)) as tester:
        s = OtgSession(tester)
        yield s
        s.close()


def _config(pps: int = 1000) -> str:
    return json.dumps(
        {
            "ports": [
                {"name": "p1", "location": "p0"},
                {"name": "p2", "location": "p1"},
            ],
            "flows": [
                {
                    "name": "f1",
                    "tx_rx": {
                        "choice": "port",
                        "port": {"tx_name": "p1", "rx_names": ["p2"]},
                    },
                    "rate": {"choice": "pps", "pps": pps},
                    "size": {"choice": "fixed", "fixed": 128},
                    "packet": [{"choice": "ethernet"}],
                    "metrics": {"enable": True},
                }
            ],
        }
    )


def test_a_flow_its_sender_could_not_build_is_refused(
    session: OtgSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """64-byte frames cannot hold a 42-byte header and a 20-byte test payload:
    the port's sender would start, fail and send nothing; the configuration is
    refused instead, naming the flow."""
    bad = Stream(
        packet=HDR,
        tpld_id=0,
        length=FrameLength.fixed(64),
        rate=Rate(RateUnit.PPS, 10.0),
        mode=TxMode.single_burst(5),
    )
    plan = ConfigPlan(
        ports={"p1": 0, "p2": 1},
        flows=(FlowPlan("f1", 0, (1,), bad, tid=0, packets=5),),
        captures=(),
        speeds={},
    )
    monkeypatch.setattr(otg_session, "plan_config", lambda cfg, ports: plan)
    with pytest.raises(OtgError) as info:
        session.set_config(parse_config(_config()))
    assert info.value.errors == [
        "flows[0] (f1): length.min_bytes: 64-byte frames cannot hold the 42-byte "
        "header and a 20-byte TPLD plus FCS"
    ]
    assert session.config() is None
    assert session.tester.streams(0) == {}


def test_a_refused_update_leaves_the_configuration_as_set(
    session: OtgSession,
) -> None:
    session.set_config(parse_config(_config(pps=1000)))
    before = session.config().serialize()
    update = API.config_update()
    update.flows.property_names = ["rate"]
    flow = update.flows.flows.add(name="f1")
    flow.tx_rx.port.tx_name = "p1"
    flow.rate.gbps = 20  # above the 10 Gb/s of the port
    with pytest.raises(OtgError, match=r"flows\[0\]\.rate\.gbps"):
        session.update_flows(update)
    assert session.config().serialize() == before
    update.flows.flows[0].rate.pps = 2000
    assert session.update_flows(update) == []
    assert session.config().flows[0].rate.pps == 2000
    assert session.tester.streams(0)[0].rate == Rate(RateUnit.PPS, 2000.0)
