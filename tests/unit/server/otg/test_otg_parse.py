"""OTG requests read with snappi's model classes: defaults, types and ranges
checked, typos refused; errors in OTG's shape naming the item and field."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from wirespeed.capture import decode_capture
from wirespeed.capture.pcapfile import CapturedFrames
from wirespeed.server.otg.capture import capture_bytes
from wirespeed.server.otg.errors import OtgError
from wirespeed.server.otg.parse import parse, parse_config


def _flow(**more: object) -> dict[str, object]:
    return {
        "name": "f1",
        "tx_rx": {"choice": "port", "port": {"tx_name": "p1", "rx_names": ["p2"]}},
        **more,
    }


def test_defaults_are_filled() -> None:
    cfg = parse_config(json.dumps({"flows": [_flow()]}))
    f = cfg.flows[0]
    assert (f.size.choice, f.size.fixed) == ("fixed", 64)
    assert (f.rate.choice, f.rate.pps) == ("pps", 1000)
    assert f.duration.choice == "continuous"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"flows": [_flow(rate={"choice": "pps", "pps": -5})]},
            ["flows[0] (f1): Invalid -5 format, expected uint64 (in FlowRate) got -5 "
             "of type <class 'int'> , expected min 1"],
        ),
        (
            {"flows": [_flow(rate={"choice": "pps", "ppps": 5})]},
            ["flows[0].rate.ppps: unknown field (known: bps, choice, gbps, kbps, "
             "mbps, percentage, pps)"],
        ),
        (
            {"portz": []},
            ["portz: unknown field (known: captures, devices, egress_only_tracking, "
             "events, flows, lags, layer1, lldp, options, ports, stateful_flows)"],
        ),
        ({"flows": {}}, ["flows: must be a list"]),
    ],
)  # fmt: skip
def test_errors_name_the_item_and_field(body: object, errors: list[str]) -> None:
    with pytest.raises(OtgError) as err:
        parse_config(json.dumps(body))
    assert err.value.body() == {"code": 400, "kind": "validation", "errors": errors}


@pytest.mark.parametrize("raw", [b"{oops", b"[1, 2]"])
def test_a_body_that_is_no_object(raw: bytes) -> None:
    with pytest.raises(OtgError) as err:
        parse_config(raw)
    assert err.value.code == 400


def test_requests_are_checked_too() -> None:
    cs = parse("control_state", json.dumps({"choice": "traffic", "traffic": {
        "choice": "flow_transmit", "flow_transmit": {"state": "start"}}}))  # fmt: skip
    assert (
        cs.traffic.flow_transmit.state,
        list(cs.traffic.flow_transmit.flow_names or []),
    ) == ("start", [])
    with pytest.raises(OtgError) as err:
        parse("control_state", json.dumps({"choice": "traffic", "traffic": {
            "choice": "flow_transmit", "flow_transmit": {"state": "go"}}}))  # fmt: skip
    assert "go" in err.value.errors[0]


def test_a_capture_holds_each_frame_with_its_fcs() -> None:
    frames = [bytes(range(60)), bytes(range(100, 200)) * 2]
    got = CapturedFrames.from_frames(frames, ts_ns=[5_000_001_000, 5_000_002_000])
    for fmt in ("pcap", "pcapng"):
        data = capture_bytes(got, fmt)
        back = decode_capture(np.frombuffer(data, dtype=np.uint8))
        assert [back.frame(i) for i in range(len(back))] == [
            f + zlib.crc32(f).to_bytes(4, "little") for f in frames
        ]
        assert list(back.orig_len) == [64, 204]
        assert list(back.ts_ns) == [5_000_001_000, 5_000_002_000]
    # pcap: Ethernet with the FCS flag and its length (2 x 16 bits) in the link type
    assert capture_bytes(got, "pcap")[20:24] == (0x50000001).to_bytes(4, "little")
