"""A whole OTG configuration: ports, layer1, captures, what is refused and how."""

from __future__ import annotations

import pytest
from otg_env import API, FakePorts, config, plan

from wirespeed.server.otg.errors import OtgError
from wirespeed.server.otg.plan import CapturePlan


def _errors(cfg, ports=None) -> list[str]:
    with pytest.raises(OtgError) as err:
        plan(cfg, ports)
    assert err.value.kind == "validation"
    assert err.value.code == 400
    return err.value.errors


def test_ports_layer1_and_captures():
    cfg, flow = config()
    flow.packet.ethernet()
    cfg.ports.add(name="p3", location="eth2")
    l1 = cfg.layer1.add(name="l1", port_names=["p1", "p3"])
    l1.speed, l1.mtu = "speed_100_gbps", 1400
    cap = cfg.captures.add(name="c", port_names=["p2", "p3"])
    cap.format, cap.packet_size, cap.overwrite = "pcapng", 128, False
    cfg.captures.add(name="d", port_names=["p1"])
    result = plan(cfg, FakePorts(mtu=9000))
    assert result.ports == {"p1": 0, "p2": 1, "p3": 2}
    assert result.speeds == {0: 100_000_000_000, 2: 100_000_000_000}
    assert result.captures == (
        CapturePlan("c", (1, 2), "pcapng", overwrite=False, snaplen=128),
        CapturePlan("d", (0,), "pcap", overwrite=True, snaplen=65535),
    )
    assert result.warnings == ()


def test_layer1_mtu_limits_frames_but_cannot_exceed_the_port():
    cfg, flow = config(metrics=False, size=1418)
    flow.packet.ethernet()
    cfg.layer1.add(name="l1", port_names=["p1", "p2"]).mtu = 1400
    assert plan(cfg).flows[0].stream.frame_length.min_bytes == 1418
    flow.size.fixed = 1419
    assert _errors(cfg) == [
        "flows[0].size: 1419-byte frames exceed the MTU of port p1 (1400: at most "
        "1418 bytes with the FCS)"
    ]
    cfg, flow = config()
    flow.packet.ethernet()
    cfg.layer1.add(name="l1", port_names=["p2"]).mtu = 9000
    assert _errors(cfg) == [
        "layer1[0].mtu: 9000 is above port 'p2''s MTU of 1500 (wirespeed does not "
        "change it)"
    ]


def test_layer1_settings_the_engine_leaves_to_the_interface_are_warnings():
    cfg, flow = config()
    flow.packet.ethernet()
    l1 = cfg.layer1.add(name="l1", port_names=["p1"])
    l1.media, l1.promiscuous = "fiber", False
    assert plan(cfg).warnings == (
        "layer1[0].media: ignored (the interface keeps its own)",
        "layer1[0].promiscuous: ports always receive every frame",
    )
    l1.flow_control.ieee_802_3x  # noqa: B018  (the getter sets it)
    assert _errors(cfg) == [
        "layer1[0].flow_control: flow control is not supported by wirespeed"
    ]


def test_port_errors_name_the_location_and_stop_the_flows():
    cfg, flow = config()
    flow.packet.ethernet()
    cfg.ports[1].location = "veth-q"
    cfg.ports.add(name="p3", location="veth-a")
    cfg.ports.add(name="p1", location="eth2")
    cfg.ports.add(name="p4")
    assert _errors(cfg) == [
        "ports[1].location: no port at location 'veth-q'",
        "ports[2].location: 'veth-a' is port 'p1' already",
        "ports[3].name: a second port named 'p1'",
        "ports[4].location: missing",
    ]


def test_unknown_port_names():
    cfg, flow = config()
    flow.packet.ethernet()
    flow.tx_rx.port.tx_name = "px"
    cfg.layer1.add(name="l1", port_names=["p1", "py"])
    cfg.captures.add(name="c", port_names=["pz"])
    assert _errors(cfg) == [
        "layer1[0].port_names[1]: no port named 'py'",
        "captures[0].port_names[0]: no port named 'pz'",
        "flows[0].tx_rx.port.tx_name: no port named 'px' (ports: p1, p2)",
    ]


def test_several_flow_errors_at_once():
    cfg, flow = config(size=64)
    flow.packet.ethernet().ipv4().udp()
    second = cfg.flows.add(name="f2")
    second.tx_rx.port.tx_name = "p1"
    second.packet.ethernet().gtpv1()
    third = cfg.flows.add(name="f1")
    third.tx_rx.port.tx_name = "p2"
    assert _errors(cfg) == [
        "flows[0].size: 64-byte frames cannot hold the 42 bytes of headers, the "
        "20-byte test payload of metrics and the FCS: at least 66 bytes",
        "flows[1].packet[1]: the gtpv1 header is not supported by wirespeed",
        "flows[2].name: a second flow named 'f1'",
    ]


def test_a_flow_needs_an_ethernet_header():
    cfg, flow = config(metrics=False)
    assert _errors(cfg) == [
        "flows[0].packet: 0 bytes of headers; a frame starts with at least 14 "
        "(an Ethernet header) and holds at most 16380"
    ]
    flow.packet.custom()
    flow.packet[0].bytes = "00"
    assert "flows[0].packet: 1 bytes of headers" in _errors(cfg)[0]
    flow.packet[0].bytes = "00" * 16381
    assert "flows[0].packet: 16381 bytes of headers" in _errors(cfg)[0]


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (
            lambda c, f: c.devices.add(name="d1"),
            "devices: emulated devices is not supported by wirespeed",
        ),
        (
            lambda c, f: c.lags.add(name="l1"),
            "lags: link aggregation (LAG) is not supported by wirespeed",
        ),
        (
            lambda c, f: c.lldp.add(name="l").connection.set(port_name="p1"),
            "lldp: LLDP is not supported by wirespeed",
        ),
        (
            lambda c, f: setattr(c.options.port_options, "data_integrity", True),
            "options.port_options.data_integrity: data integrity checks is not "
            "supported by wirespeed",
        ),
        (
            lambda c, f: f.egress_packet.ethernet(),
            "flows[0].egress_packet: egress tracking is not supported by wirespeed",
        ),
        (
            lambda c, f: f.tx_rx.device.set(tx_names=["d"], rx_names=["e"]),
            "flows[0].tx_rx.device: flows between devices is not supported by "
            "wirespeed",
        ),
        (
            lambda c, f: c.captures.add(name="c", port_names=["p1"]).filters.ethernet(),
            "captures[0].filters: capture filters is not supported by wirespeed",
        ),
        (
            lambda c, f: setattr(f.metrics.rx_tx_ratio, "value", 2.0),
            "flows[0].metrics.rx_tx_ratio: an expected ratio of received frames is not "
            "supported by wirespeed",
        ),
        (
            lambda c, f: setattr(
                c.options.port_options.frame_ordering_mode, "choice", "rfc2889"
            ),
            "options.port_options.frame_ordering_mode: RFC 2889 frame ordering is not "
            "supported by wirespeed",
        ),
        (
            lambda c, f: setattr(f.metrics.predefined_metric_tags, "rx_name", True),
            "flows[0].metrics.predefined_metric_tags.rx_name: metrics tagged by port "
            "is not supported by wirespeed",
        ),
    ],
)
def test_what_the_engine_cannot_do_is_refused(setup, error):
    cfg, flow = config()
    flow.packet.ethernet()
    setup(cfg, flow)
    assert _errors(cfg) == [error]


def test_other_header_kinds_are_refused():
    for kind in ("arp", "icmp", "mpls", "gre", "icmpv6", "ppp"):
        cfg, flow = config()
        getattr(flow.packet.ethernet(), kind)()
        assert _errors(cfg) == [
            f"flows[0].packet[1]: the {kind} header is not supported by wirespeed"
        ]


def test_the_server_object_keeps_what_was_sent():
    cfg, flow = config()
    flow.packet.ethernet().ipv4().udp()
    received = API.config()
    received.deserialize(cfg.serialize())
    from wirespeed.server.otg.translate import plan_config

    plan_config(received, FakePorts())
    out = received.serialize(encoding=received.DICT)
    assert "devices" not in out
    assert "layer1" not in out
    assert "egress_packet" not in out["flows"][0]
    assert out["flows"][0]["packet"][1]["ipv4"]["src"] == {
        "choice": "value",
        "value": "0.0.0.0",
    }


def test_header_parts_the_engine_does_not_build():
    cfg, flow = config()
    e, ip = flow.packet.ethernet().ipv4()
    ip.options.add()  # a router alert
    assert _errors(cfg) == [
        "flows[0].packet[1].ipv4.options: IPv4 options is not supported by wirespeed"
    ]
    cfg, flow = config()
    e, _ = flow.packet.ethernet().ipv4()
    e.pfc_queue.value = 0  # the default: nothing to do
    plan(cfg)
    e.pfc_queue.value = 3
    assert _errors(cfg) == [
        "flows[0].packet[0].ethernet.pfc_queue: a PFC queue is not supported by "
        "wirespeed"
    ]
