"""The TRex method table on a real tester over the fake data plane: shapes, handler
checks, errors, events, and what reaches the data plane."""

from __future__ import annotations

import pytest
from scapy.layers.l2 import Ether
from trex_env import Env, stream_json, udp_packet

from wirespeed.analysis import TidStats
from wirespeed.analysis.stats import JitterStats, LatencyStats
from wirespeed.dataplane.messages import (
    SetFactor,
    SetStreamFactor,
    StartJob,
    SuppressStream,
    SyncRx,
)
from wirespeed.model import MacDstMode

MAC0, MAC1 = "02:00:00:00:00:01", "02:00:00:00:00:02"


def test_connect_methods(env: Env) -> None:
    assert env.ok("api_sync_v2", name="STL", major=5, minor=1) == {"api_h": "H1234567"}
    assert env.err("api_sync_v2", name="STL", major=4, minor=1)["specific_err"] == (
        "api_sync_v2: major: client STL API v4 does not match the server's v5.1"
    )
    assert env.err("api_sync_v2", name="ASTF", major=5, minor=1)["code"] == -32602
    assert env.ok("api_sync", api_vers=[{"type": "core", "major": 1, "minor": 0}]) == {
        "api_vers": [{"type": "core", "api_h": "H1234567"}]
    }
    assert env.ok("ping") == {"ts": 1000.0}
    version = env.ok("get_version")
    assert (version["version"], version["mode"]) == ("v3.04", "STL")
    cmds = env.ok("get_supported_cmds")
    assert "get_profile_list" in cmds
    assert {"Acquire", "get_stream_list", "get_stream", "get_utilization"} <= set(cmds)


def test_api_h_is_required_except_for_sync_and_events(env: Env) -> None:
    out = env.raw(b'{"jsonrpc":"2.0","id":1,"method":"get_system_info","params":{}}')
    assert out["error"]["specific_err"] == "api_h: missing (call api_sync_v2 first)"
    assert env.err("get_system_info", api_h="nope")["specific_err"] == (
        "api_h: 'nope' is not this server's API handle"
    )
    out = env.raw(b'{"jsonrpc":"2.0","id":2,"method":"get_version"}')
    assert out["result"]["mode"] == "STL"
    out = env.raw(
        b'{"jsonrpc":"2.0","id":3,"method":"get_async_events","params":'
        b'{"session_id":"junk"}}'
    )
    assert out["result"] == {"data": []}


def test_system_info_and_idle_port_status(env: Env) -> None:
    info = env.ok("get_system_info")
    assert (info["port_count"], info["dp_core_count"]) == (2, 2)
    assert info["ports"][0] == {
        "index": 0,
        "description": "wirespeed port fake0/p0 (p0@fake0)",  # fake_config's names
        "driver": "af_packet",
        "pci_addr": "p0@fake0",
        "numa": -1,
        "hw_mac": MAC0,
        "hw_macaddr": MAC0,
        "src_macaddr": MAC0,
        "dst_macaddr": MAC1,
        "is_virtual": True,
        "is_fc_supported": False,
        "is_led_supported": False,
        "is_link_supported": True,
        "is_prom_supported": True,
        "is_vxlan_supported": False,
        "is_ieee1588_supported": False,
        "speed": 10,
        "supp_speeds": [10000],
        "rx": {"caps": ["flow_stats", "latency", "rx_bytes"], "counters": 65536},
    }
    assert env.ok("get_port_status", port_id=1, profile_id="*", block=False) == {
        "owner": "",
        "state": "IDLE",
        "state_profile": {},
        "max_stream_id": 0,
        "service": False,
        "service_filtered": False,
        "speed": 10000,
        "attr": {
            "speed": 10,
            "link": {"up": True},
            "promiscuous": {"enabled": True},
            "multicast": {"enabled": False},
            "fc": {"mode": 0},
            "vlan": {"tags": []},
            "rx_filter_mode": "hw",
            "vxlan_fs": [],
            "layer_cfg": {
                "ether": {"src": MAC1, "dst": MAC0, "state": "configured"},
                "ipv4": {"state": "none"},
                "ipv6": {"enabled": False},
            },
        },
        "rx_info": {
            "queue": {"is_active": False, "count": 0, "size": 0},
            "grat_arp": {"is_active": False, "interval_sec": 0},
        },
    }
    assert env.err("get_port_status", port_id=2)["specific_err"] == (
        "get_port_status: port_id: 2 is above the maximum 1"
    )


def test_ownership_and_force_acquire_events(env: Env) -> None:
    assert env.events(111) == []
    assert env.events(222) == []
    handler = env.acquire(0, session=111)
    assert len(handler) == 8
    assert env.ok("get_port_status", port_id=0)["owner"] == "root"
    assert env.ok("get_owner", port_id=0) == {"owner": "root"}
    missing = env.err("add_stream", port_id=0, stream_id=1, stream=stream_json())
    assert missing == {
        "code": -32602,
        "message": "Invalid params: add_stream: handler: missing",
        "specific_err": "add_stream: handler: missing",
    }
    wrong = env.err(
        "add_stream", handler="deadbeef", port_id=0, stream_id=1, stream=stream_json()
    )
    assert (wrong["code"], wrong["specific_err"]) == (
        -32000,
        "add_stream: port 0 is owned by 'root', not by this session",
    )
    taken = env.err("acquire", port_id=0, user="bob", session_id=222, force=False)
    assert taken["specific_err"] == (
        "acquire: port 0 is owned by 'root'; use force to take it"
    )
    stolen = env.ok("acquire", port_id=0, user="bob", session_id=222, force=True)
    assert env.events(111) == [
        (5, 0, {"port_id": 0, "who": "root", "session_id": 111, "force": False}),
        (5, 1, {"port_id": 0, "who": "bob", "session_id": 222, "force": True}),
    ]
    old = env.err(
        "add_stream", handler=handler, port_id=0, stream_id=1, stream=stream_json()
    )
    assert old["specific_err"] == (
        "add_stream: port 0 is owned by 'bob', not by this session"
    )
    assert env.ok("release", port_id=0, handler=stolen) == {}
    assert [e[:2] for e in env.events(111)] == [(6, 2)]
    assert env.ok("get_owner", port_id=0) == {"owner": ""}
    # the seed's capitalised Acquire, without a session id
    assert len(env.ok("Acquire", port_id=1, user="itay", force=False)) == 8


def test_streams_round_trip_and_port_macs(env: Env) -> None:
    h = env.acquire()
    s1 = stream_json(name="s1")
    s2 = stream_json(
        udp_packet(80, dst="aa:bb:cc:dd:ee:ff", src="02:12:34:56:78:9a"),
        flags=1 | (1 << 1),
    )
    batch = (
        '[{"jsonrpc":"2.0","id":"a","method":"add_stream","params":%s},'
        '{"jsonrpc":"2.0","id":"b","method":"add_stream","params":%s}]'
    )
    import json

    params = [
        {
            "api_h": "H1234567",
            "handler": h,
            "port_id": 0,
            "profile_id": "_",
            "stream_id": i,
            "stream": s,
        }
        for i, s in ((1, s1), (2, s2))
    ]
    out = env.raw((batch % (json.dumps(params[0]), json.dumps(params[1]))).encode())
    assert out == [
        {"jsonrpc": "2.0", "id": "a", "result": {}},
        {"jsonrpc": "2.0", "id": "b", "result": {}},
    ]
    assert env.ok("get_all_streams", port_id=0, profile_id="*") == {
        "profiles": {"_": {"1": s1, "2": s2}},
        "streams": {"1": s1, "2": s2},
    }
    assert env.ok("get_stream_list", port_id=0) == [1, 2]
    assert env.ok("get_stream", port_id=0, stream_id=2) == {"stream": s2}
    assert env.ok("get_profile_list", port_id=0) == ["_"]
    status = env.ok("get_port_status", port_id=0)
    assert (status["state"], status["state_profile"], status["max_stream_id"]) == (
        "STREAMS",
        {"_": "STREAMS"},
        2,
    )
    kept = env.tester.streams(0)  # the tester writes the MACs when it sends
    assert kept[1].packet == udp_packet()
    assert (kept[1].mac_src_from_packet, kept[1].mac_dst_mode) == (
        False,
        MacDstMode.PORT,
    )
    env.ok("start_traffic", handler=h, port_id=0, profile_id="_")
    sent = {s.stream.packet[12:]: s.stream.packet for s in env.job(0).streams}
    eth1 = Ether(sent[udp_packet()[12:]])
    eth2 = Ether(sent[udp_packet(80)[12:]])
    assert (eth1.dst, eth1.src) == (MAC1, MAC0)  # flags 0: the port's MACs
    assert (eth2.dst, eth2.src) == ("aa:bb:cc:dd:ee:ff", "02:12:34:56:78:9a")
    env.ok("stop_traffic", handler=h, port_id=0, profile_id="_")
    dup = env.err("add_stream", handler=h, port_id=0, stream_id=1, stream=s1)
    assert dup["specific_err"] == (
        "add_stream: stream_id: stream 1 already exists on port 0"
    )
    assert (
        env.ok("remove_stream", handler=h, port_id=0, profile_id="_", stream_id=1) == {}
    )
    assert env.ok("get_stream_list", port_id=0) == [2]
    assert env.ok("remove_all_streams", handler=h, port_id=0, profile_id="_") == {}
    assert env.ok("get_port_status", port_id=0)["state"] == "IDLE"
    assert env.ok("get_all_streams", port_id=0) == {"profiles": {}, "streams": {}}


def test_the_seed_stream_forms(env: Env) -> None:
    h = env.acquire()
    seed = {
        "enabled": True,
        "isg": 4.3,
        "self_start": True,
        "next_stream_id": -1,
        "mode": {
            "type": "single_burst",
            "total_pkts": 5000,
            "rate": {"type": "pps", "value": 10},
        },
        "packet": {"binary": list(udp_packet(64)), "meta": ""},
        "rx_stats": {"enabled": False},
        "vm": [
            {
                "type": "flow_var",
                "name": "l3__src",
                "size": 4,
                "op": "inc",
                "init_value": "65537",
                "min_value": "65537",
                "max_value": "65551",
            },
            {
                "type": "write_flow_var",
                "name": "l3__src",
                "pkt_offset": 26,
                "add_value": 1,
                "is_big_endian": False,
            },
        ],
    }
    assert env.ok("add_stream", handler=h, port_id=0, stream_id=0, stream=seed) == {}
    stream = env.tester.streams(0)[0]
    assert (stream.mode.total_pkts, stream.isg_us, len(stream.vm.instructions)) == (
        5000,
        4.3,
        2,
    )
    shorthand = stream_json(mode={"type": "continuous", "pps": 3})
    assert (
        env.ok("add_stream", handler=h, port_id=0, stream_id=7, stream=shorthand) == {}
    )
    assert env.tester.streams(0)[7].rate.value == 3


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (None, "add_stream: stream: missing"),
        ("x", "add_stream: stream: must be an object"),
        (
            {**stream_json(), "packet": {"binary": "@@@"}},
            "add_stream: stream.packet.binary: not base64",
        ),
        (
            stream_json(udp_packet(1515)),
            "add_stream: stream.packet.binary: a 1515-byte packet does not fit port 0:"
            " its MTU 1500 allows frames of at most 1514 bytes (FCS excluded)",
        ),
        (  # TRex's ports carry its 16-byte latency layout: 64-byte frames fit
            stream_json(udp_packet(56), pg_id=7, latency=True),
            "add_stream: stream.length.min_bytes: frames of 60 bytes cannot hold 42 "
            "header + 16 TPLD + FCS bytes (need 62)",
        ),
        (
            stream_json(pg_id=70000),
            "add_stream: stream.flow_stats.stream_id: pg_id 70000 is above 32767, the "
            "highest TPLD id of port 0",
        ),
        (
            {
                **stream_json(),
                "mode": {"type": "sometimes", "rate": {"type": "pps", "value": 1}},
            },
            "add_stream: stream.mode.type: unknown mode 'sometimes'",
        ),
        (
            {
                **stream_json(),
                "mode": {"type": "continuous", "rate": {"type": "pps", "value": -5}},
            },
            "add_stream: stream.mode.rate.value: rate must be > 0, got -5",
        ),
    ],
)
def test_bad_streams_are_refused_naming_the_field(
    env: Env, stream: object, message: str
) -> None:
    h = env.acquire()
    params = {"handler": h, "port_id": 0, "stream_id": 1}
    if stream is not None:
        params["stream"] = stream
    error = env.err("add_stream", **params)
    assert (error["code"], error["specific_err"]) == (-32602, message)
    assert env.ok("get_stream_list", port_id=0) == []


def test_latency_groups_need_one_stream(env: Env) -> None:
    h0, h1 = env.acquire(0), env.acquire(1)
    lat = stream_json(udp_packet(128), pg_id=7, latency=True)
    assert env.ok("add_stream", handler=h0, port_id=0, stream_id=1, stream=lat) == {}
    error = env.err("add_stream", handler=h1, port_id=1, stream_id=1, stream=lat)
    assert error["specific_err"] == (
        "add_stream: stream.flow_stats.stream_id: latency pg_id 7 is already used by"
        " stream 1 on port 0; latency groups need one stream each"
    )
    assert env.tester.streams(0)[1].tpld_id == 7
    assert env.ok("get_active_pgids") == {"ids": {"flow_stats": [], "latency": [7]}}


# the fake ports are 10 Gb/s; stream_json() is 1000 pps of 104-byte frames (FCS
# included): 0.832 Mb/s on L2, 0.992 Mb/s on L1. The TX worker is given the factor
# on the streams' own rates that TRex's server computes.
@pytest.mark.parametrize(
    ("mul", "factor"),
    [
        ({"type": "raw", "value": 2.0, "op": "abs"}, 2.0),
        ({"type": "pps", "value": 10000.0, "op": "abs"}, 10.0),
        ({"type": "bps", "value": 1e9, "op": "abs"}, 1e9 / 832_000),
        ({"type": "bpsl1", "value": 1e6, "op": "abs"}, 1e6 / 992_000),
        ({"type": "percentage", "value": 100.0, "op": "abs"}, 10e9 / 992_000),
        ({"type": "percentage", "value": 50.0, "op": "abs"}, 5e9 / 992_000),
    ],
)
def test_start_with_every_multiplier(
    env: Env, mul: dict[str, object], factor: float
) -> None:
    h = env.acquire()
    env.ok("add_stream", handler=h, port_id=0, stream_id=1, stream=stream_json())
    assert (
        env.ok(
            "start_traffic",
            handler=h,
            port_id=0,
            profile_id="_",
            mul=mul,
            duration=2.5,
            force=False,
            core_mask=2**64 - 1,
            start_at_ts=0,
        )
        == {}
    )
    assert len(env.sent(0, StartJob)) == 1
    assert env.sent(1, StartJob) == []
    assert (env.job(0).multiplier, env.job(0).duration_s) == (factor, 2.5)


def test_rates_above_the_line_need_force(env: Env) -> None:
    h = env.acquire()
    base = {"handler": h, "port_id": 0, "profile_id": "_"}
    env.ok("add_stream", **base, stream_id=1, stream=stream_json())
    over = {"type": "bps", "value": 9e9, "op": "abs"}  # 10.73 Gb/s on L1
    assert env.err("start_traffic", **base, mul=over)["specific_err"] == (
        "start_traffic: mul: the expected L1 rate 10.7308 Gb/s exceeds the port's "
        "line rate 10 Gb/s (use force to send it anyway)"
    )
    assert env.sent(0, StartJob) == []
    env.ok("start_traffic", **base, mul=over, force=True)
    assert env.job(0).multiplier == 9e9 / 832_000
    env.ok("stop_traffic", **base)
    raw = {"type": "raw", "value": 10081.0, "op": "abs"}  # 100.0004 %: rounding
    env.ok("start_traffic", **base, mul=raw)
    assert env.job(0).multiplier == 10e9 / 992_000


def test_multipliers_scale_the_peak_of_a_chain(env: Env) -> None:
    h = env.acquire()
    base = {"handler": h, "port_id": 0, "profile_id": "_"}
    burst = {
        "type": "single_burst",
        "total_pkts": 2000,
        "rate": {"type": "pps", "value": 1000},
    }
    for sid, nxt in ((1, 2), (2, 3), (3, -1)):
        stream = stream_json(mode=burst, self_start=sid == 1, next_stream_id=nxt)
        env.ok("add_stream", **base, stream_id=sid, stream=stream)
    # one stream of the chain runs at a time: 10 kpps is 10 x 1000 pps, not 10/3
    env.ok("start_traffic", **base, mul={"type": "pps", "value": 1e4, "op": "abs"})
    assert env.job(0).multiplier == 10.0
    env.ok("stop_traffic", **base)
    # a pcap-like chain of one-frame bursts at 100 % each is not 300 % of the line
    env.ok("remove_all_streams", **base)
    line = {
        "type": "single_burst",
        "total_pkts": 1,
        "rate": {"type": "percentage", "value": 100},
    }
    for sid, nxt in ((1, 2), (2, 3), (3, -1)):
        stream = stream_json(mode=line, self_start=sid == 1, next_stream_id=nxt)
        env.ok("add_stream", **base, stream_id=sid, stream=stream)
    env.ok("start_traffic", **base)
    assert env.job(0).multiplier == 1.0
    env.ok("stop_traffic", **base)
    # with no stream starting by itself there is nothing to scale
    env.ok("remove_all_streams", **base)
    env.ok("add_stream", **base, stream_id=1, stream=stream_json(self_start=False))
    assert env.err("start_traffic", **base)["specific_err"] == (
        "start_traffic: mul: the streams have no rate: no enabled stream starts by "
        "itself"
    )


def test_stream_level_pause_resume_and_update(env: Env) -> None:
    h = env.acquire()
    base = {"handler": h, "port_id": 0, "profile_id": "_"}
    for sid in (1, 2):
        env.ok("add_stream", **base, stream_id=sid, stream=stream_json())
    pps = {"type": "pps", "value": 3000.0, "op": "abs"}
    assert env.err("pause_streams", **base, stream_ids=[1])["specific_err"] == (
        "pause_streams: port 0 is not transmitting"
    )
    env.ok("start_traffic", **base)
    env.ok("pause_streams", **base, stream_ids=[1])
    env.ok("resume_streams", **base, stream_ids=[1, 2])
    # each stream alone: 3 kpps is 3 x its own 1000 pps; 1 % of the 10 Gb/s line
    # (L1) is 1e8 / (124 bytes * 8) frames/s, that over its 1000 pps
    env.ok("update_streams", **base, mul=pps, force=False, stream_ids=[2])
    pct = {"type": "percentage", "value": 1.0, "op": "abs"}
    env.ok("update_streams", **base, mul=pct, stream_ids=[1, 2])
    per_stream = (SuppressStream, SetStreamFactor)
    assert [c for c in env.fake.commands(0) if isinstance(c, per_stream)] == [
        SuppressStream(1, True),
        SuppressStream(1, False),
        SuppressStream(2, False),
        SetStreamFactor(2, 3.0),
        SetStreamFactor(1, 1e8 / 992_000),
        SetStreamFactor(2, 1e8 / 992_000),
    ]
    bad = [
        ({"stream_ids": []}, "pause_streams: stream_ids: name at least one stream"),
        ({"stream_ids": [9]}, "pause_streams: stream_ids: stream 9 does not exist "
                              "on port 0"),
        ({"stream_ids": "1"}, "pause_streams: stream_ids: must be an array, got "
                              "string"),
    ]  # fmt: skip
    for params, message in bad:
        assert env.err("pause_streams", **base, **params)["specific_err"] == message
    add = {"type": "pps", "value": 3000.0, "op": "add"}
    assert (
        env.err("update_streams", **base, mul=add, stream_ids=[1])["specific_err"]
        == "update_streams: mul.op: updating streams takes an absolute multiplier"
    )
    huge = {"type": "pps", "value": 1e12, "op": "abs"}
    out = env.err("update_streams", **base, mul=huge, stream_ids=[1])
    assert out["specific_err"].startswith("update_streams: mul: the expected L1 rate")
    # refusals send nothing: still the one start and the six commands above
    assert len(env.sent(0, StartJob)) == 1
    assert len([c for c in env.fake.commands(0) if isinstance(c, per_stream)]) == 6


def test_update_applies_trex_relative_ops(env: Env) -> None:
    h = env.acquire()
    base = {"handler": h, "port_id": 0, "profile_id": "_"}
    env.ok("add_stream", **base, stream_id=1, stream=stream_json())
    assert env.err(
        "update_traffic", **base, mul={"type": "raw", "value": 2, "op": "abs"}
    )["specific_err"] == ("update_traffic: port 0 is not transmitting")
    env.ok("start_traffic", **base, mul={"type": "raw", "value": 2.0, "op": "abs"})
    steps = [
        # "5kpps+" adds what 5 kpps alone would need (5 x the stream's 1000 pps)
        ({"type": "pps", "value": 5000.0, "op": "add"}, 7.0),
        # "10%+": ten percent of the running rate, not of the line
        ({"type": "percentage", "value": 10.0, "op": "add"}, 7.0 + 7.0 * 10 / 100),
        ({"type": "raw", "value": 0.7, "op": "sub"}, 7.0 + 7.0 * 10 / 100 - 0.7),
        ({"type": "percentage", "value": 50.0, "op": "sub"}, 3.5),
        ({"type": "percentage", "value": 1.0, "op": "abs"}, 1e8 / 992_000),
        ({"type": "bpsl1", "value": 1984e3, "op": "abs"}, 2.0),
    ]
    for mul, factor in steps:
        env.ok("update_traffic", **base, mul=mul)
        assert env.sent(0, SetFactor)[-1] == SetFactor(factor), mul
    assert env.err(
        "update_traffic", **base, mul={"type": "pps", "value": 2000.0, "op": "sub"}
    )["specific_err"] == (
        "update_traffic: mul.value: the update takes the rate to 0 times the streams'"
        " own rates (2 - 2); it must stay above 0"
    )
    assert env.err(
        "update_traffic", **base, mul={"type": "percentage", "value": 1e6, "op": "add"}
    )["specific_err"] == (
        "update_traffic: mul: the expected L1 rate 19.842 Gb/s exceeds the port's "
        "line rate 10 Gb/s (use force to send it anyway)"
    )
    env.ok(
        "update_traffic",
        **base,
        mul={"type": "percentage", "value": 1e6, "op": "add"},
        force=True,
    )
    assert env.sent(0, SetFactor)[-1] == SetFactor(2.0 + 2.0 * 1e4)


def test_start_checks(env: Env) -> None:
    h = env.acquire()
    base = {"handler": h, "port_id": 0, "profile_id": "_"}
    assert env.err("start_traffic", **base)["specific_err"] == (
        "start_traffic: port 0 has no streams"
    )
    env.ok("add_stream", handler=h, port_id=0, stream_id=1, stream=stream_json())
    assert env.err("start_traffic", **base, core_mask=0)["specific_err"] == (
        "start_traffic: core_mask: 0x0 selects none of the 1 data-plane core(s) of "
        "port 0 (bit 0)"
    )
    # CORE_MASK_PIN gives the odd port of a pair 0xAAAAAAAA: no core 0 here
    assert env.err("start_traffic", **base, core_mask=0xAAAAAAAA)["code"] == -32602
    assert env.err("start_traffic", **base, duration=0)["specific_err"] == (
        "start_traffic: duration: 0 is not a duration (seconds > 0, or -1 for no limit)"
    )
    assert env.err("start_traffic", **base, mul={"type": "furlongs", "value": 1})[
        "specific_err"
    ] == (
        "start_traffic: mul.type: unknown multiplier type 'furlongs' (one of raw, "
        "pps, bps, bpsl1, percentage)"
    )
    assert env.err("start_traffic", **base, start_at_ts=1100.0)["specific_err"] == (
        "start_traffic: start_at_ts: 100.0 s in the future; at most 10 s"
    )
    assert env.ok("start_traffic", **base, duration=-1) == {}
    assert len(env.sent(0, StartJob)) == 1
    assert (env.job(0).multiplier, env.job(0).duration_s) == (1.0, None)
    assert env.err("start_traffic", **base)["specific_err"] == (
        "start_traffic: port 0 is already transmitting"
    )
    assert env.ok("start_traffic", **base, force=True) == {}
    # a transmitting port takes no new streams and keeps its RX filters
    assert env.err("add_stream", **base, stream_id=2, stream=stream_json())[
        "specific_err"
    ] == ("add_stream: port 0 is transmitting: streams can be added once it stops")
    assert env.err("remove_rx_filters", **base)["specific_err"] == (
        "remove_rx_filters: port 0 is transmitting (stop it before removing RX filters)"
    )
    env.ok("stop_traffic", **base)
    assert env.ok("remove_rx_filters", **base) == {}
    # a port whose link is down starts only with force
    env.tester.set_link(0, False)
    assert env.err("start_traffic", **base)["specific_err"] == (
        "start_traffic: port 0: link is down (start with force to send anyway)"
    )
    assert env.ok("start_traffic", **base, force=True) == {}


def test_traffic_state_machine_and_events(env: Env) -> None:
    env.events(111)
    h = env.acquire()
    base = {"handler": h, "port_id": 0, "profile_id": "_"}
    env.ok("add_stream", **base, stream_id=1, stream=stream_json())
    assert env.err("pause_traffic", **base)["specific_err"] == (
        "pause_traffic: port 0 is not transmitting"
    )
    env.ok("start_traffic", **base, mul={"type": "pps", "value": 10000, "op": "abs"})
    assert env.ok("get_port_status", port_id=0)["state_profile"] == {"_": "TX"}
    env.ok("update_traffic", **base, mul={"type": "pps", "value": 5000, "op": "add"})
    assert env.sent(0, SetFactor) == [SetFactor(15.0)]
    env.ok("pause_traffic", **base)
    assert env.ok("get_port_status", port_id=0)["state"] == "PAUSE"
    env.ok("resume_traffic", **base)
    # the receiver has counted its ring when "finished" goes out
    synced_at: list[tuple[str, int]] = []
    unsubscribe = env.tester.subscribe(
        lambda ev: synced_at.append((ev.kind.name, len(env.sent(1, SyncRx))))
    )
    syncs = len(env.sent(1, SyncRx))
    env.finish(0)
    unsubscribe()
    assert env.ok("remove_rx_filters", **base) == {}
    assert env.events(111) == [
        (5, 0, {"port_id": 0, "who": "root", "session_id": 111, "force": False}),
        (0, 1, {"port_id": 0}),
        (10, 2, {"port_id": 0, "profile_id": "_"}),
        (2, 3, {"port_id": 0}),
        (12, 4, {"port_id": 0, "profile_id": "_"}),
        (3, 5, {"port_id": 0}),
        (13, 6, {"port_id": 0, "profile_id": "_"}),
        (14, 7, {"port_id": 0, "profile_id": "_"}),
        (4, 8, {"port_id": 0}),
    ]
    # RX settled before "finished" went out: the tester settles every receiver
    # once before it tells its subscribers; the front end settles nothing itself
    assert synced_at == [("DONE", syncs + 1)]
    assert len(env.sent(1, SyncRx)) == syncs + 1
    env.ok("start_traffic", **base)
    env.ok("stop_traffic", **base)
    assert [e[:2] for e in env.events(111)] == [(0, 9), (10, 10), (1, 11), (11, 12)]


def test_port_and_global_stats(env: Env) -> None:
    env.fake.count_tx(0, slot=0, packets=1000, frame_bytes=64)
    env.fake.count_rx(0, packets=7, frame_bytes=64, ring_drops=3)
    env.fake.count_tx_errors(0, 2)  # send failures
    stats = env.ok("get_port_stats", port_id=0)
    # rates are measured over real time by the tester: the counts are exact, the
    # rates are the same readings under both names
    rates = {
        "m_total_tx_bps": "tx_bps",
        "m_total_tx_pps": "tx_pps",
        "m_total_rx_bps": "rx_bps",
        "m_total_rx_pps": "rx_pps",
    }
    for name, alias in rates.items():
        assert stats.pop(name) == stats.pop(alias) >= 0.0
    assert stats == {
        "opackets": 1000,
        "ipackets": 7,
        "obytes": 64000,
        "ibytes": 448,
        "oerrors": 2,
        "ierrors": 3,
        "m_cpu_util": 0.0,  # the fake data plane has no worker processes
        "status": "idle",
        "total_tx_pkts": 1000,
        "total_rx_pkts": 7,
        "total_tx_bytes": 64000,
        "total_rx_bytes": 448,
        "tx_rx_error": 5,
    }
    glob = env.ok("get_global_stats")
    assert all(glob[k] >= 0.0 for k in ("m_tx_bps", "m_tx_pps", "m_rx_pps"))
    assert (glob["m_cpu_util"], glob["total_tx_pkts"], glob["state"]) == (
        0.0,
        1000,
        "unowned",
    )
    assert (glob["total_rx_pkts"], glob["total_tx_bytes"], glob["tx_rx_error"]) == (
        7,
        64000,
        5,
    )
    # no worker processes: each port's CPU history is empty, or zeros once the
    # tester has sampled for a second
    util = env.ok("get_utilization")
    assert util["mbuf_stats"] == {}
    assert len(util["cpu"]) == 2
    assert all(v == 0 for history in util["cpu"] for v in history)


def test_xstats_names_and_values_match(env: Env) -> None:
    for port in (0, 1):
        env.fake.kernel[port] = {"rx_packets": 5, "tx_packets": 7, "rx_errors": 0}
    names = env.ok("get_port_xstats_names", port_id=0)["xstats_names"]
    assert names == ["rx_errors", "rx_packets", "tx_packets"]
    assert env.ok("get_port_xstats_values", port_id=1) == {"xstats_values": [0, 5, 7]}


def _tid(packets: int, **kw: object) -> TidStats:
    return TidStats(tid=7, packets=packets, bytes=packets * 132, **kw)  # type: ignore[arg-type]


def test_pgid_stats_shapes_and_monotonic_counters(env: Env) -> None:
    h0, h1 = env.acquire(0), env.acquire(1)
    env.ok(
        "add_stream",
        handler=h0,
        port_id=0,
        stream_id=1,
        stream=stream_json(udp_packet(128), pg_id=5),
    )
    env.ok(
        "add_stream",
        handler=h1,
        port_id=1,
        stream_id=3,
        stream=stream_json(udp_packet(128), pg_id=7, latency=True),
    )
    env.fake.count_tx(0, slot=env.slot(0, 1), packets=100, frame_bytes=132)
    env.fake.count_tx(1, slot=env.slot(1, 3), packets=50, frame_bytes=132)
    hist = [0] * 47
    hist[1], hist[2] = 40, 8  # 10..20 µs and 20..30 µs
    tid7 = _tid(
        48,
        lost=2,
        misordered=1,
        duplicates=0,
        seq_too_high=1,
        seq_too_low=1,
        pps_last_s=4,
        bps_last_s=4224,
        latency=LatencyStats(48, 11_000, 15_500.0, 29_900),
        latency_last_s=LatencyStats(4, 12_000, 13_000.0, 14_000),
        jitter_ns=2_000.0,
        # a receiver has a current jitter once it has jitter samples (47 frames
        # had a predecessor); the published table carries it only then
        jitter=JitterStats(47, 1_000.0, 1_500.0, 2_500.0),
        histogram=tuple(hist),
    )
    env.fake.count_rx(0, packets=48, frame_bytes=132, tid=tid7)
    tid5 = TidStats(tid=5, packets=99, bytes=99 * 132)
    env.fake.count_rx(1, packets=99, frame_bytes=132, tid=tid5)
    result = env.ok("get_pgid_stats", pgids=[5, 7, 9])
    assert result["ver_id"] == {"5": 1, "7": 1}
    flow5 = result["flow_stats"]["5"]
    # TX rates are measured by the tester over real time: port 0's is whatever it
    # measured, port 1 sends nothing of the group
    tps, tbs = flow5.pop("tps"), flow5.pop("tbs")
    assert (tps["1"], tbs["1"]) == (0.0, 0.0)
    assert tps["0"] >= 0.0
    assert tbs["0"] >= 0.0
    assert flow5 == {
        "tp": {"0": 100, "1": 0},
        "tb": {"0": 13200, "1": 0},
        "rp": {"0": 0, "1": 99},
        "rb": {"0": 0, "1": 13068},
        "rps": {"0": 0.0, "1": 0.0},
        "rbs": {"0": 0.0, "1": 0.0},
    }
    assert result["flow_stats"]["7"]["rp"] == {"0": 48, "1": 0}
    assert result["flow_stats"]["g"] == {
        "rx_err": {"0": 0, "1": 0},
        "tx_err": {"0": 0, "1": 0},
    }
    assert result["latency"] == {
        "7": {
            "lat": {
                "average": 15.5,
                "jit": 2.0,
                # the highest latency ever rose since the last read: it is recent
                "last_max": 29,
                "total_max": 29,
                "total_min": 11,
                "histogram": {"10": 40, "20": 8},
            },
            "er": {"drp": 2, "ooo": 1, "dup": 0, "sth": 1, "stl": 1},
        },
        "global": {"old_flow": 0, "bad_hdr": 0},
    }
    # no new maximum since the last read: the last completed second's
    assert env.ok("get_pgid_stats", pgids=[7])["latency"]["7"]["lat"]["last_max"] == 14
    # another front end clears the ports: port 0's analyzer and port 1's stream
    # counters restart from zero
    env.tester.clear_stats(0)
    env.tester.clear_stats(1)
    again7 = _tid(
        10,
        histogram=tuple([0, 10] + [0] * 45),
        latency=LatencyStats(10, 11_000, 11_500.0, 12_000),
    )
    env.fake.count_rx(0, packets=10, frame_bytes=132, tid=again7)
    env.fake.count_tx(1, slot=env.slot(1, 3), packets=5, frame_bytes=132)
    after = env.ok("get_pgid_stats", pgids=[7])
    assert after["flow_stats"]["7"]["rp"] == {"0": 58, "1": 0}
    assert after["flow_stats"]["7"]["tp"] == {"0": 0, "1": 55}
    assert after["latency"]["7"]["lat"]["histogram"] == {"10": 50, "20": 8}
    # after the restart a maximum below the old one is still news
    assert after["latency"]["7"]["lat"]["last_max"] == 12
    # removing and adding the group again starts a new version from zero
    env.ok("remove_stream", handler=h1, port_id=1, stream_id=3)
    env.ok(
        "add_stream",
        handler=h1,
        port_id=1,
        stream_id=3,
        stream=stream_json(udp_packet(128), pg_id=7, latency=True),
    )
    again = env.ok("get_pgid_stats", pgids=[7])
    assert again["ver_id"] == {"7": 2}
    assert again["flow_stats"]["7"]["rp"] == {"0": 0, "1": 0}
    assert again["latency"]["7"]["lat"]["histogram"] == {}


def test_set_port_attr(env: Env) -> None:
    env.events(111)
    h = env.acquire()
    attr = {
        "promiscuous": {"enabled": False},
        "link_status": {"up": False},
        "multicast": {"enabled": True},
    }
    changes: list[dict[str, object]] = []
    unsubscribe = env.tester.subscribe(lambda ev: changes.append(dict(ev.detail)))
    assert env.ok("set_port_attr", handler=h, port_id=0, attr=attr) == {}
    unsubscribe()
    assert changes == [{"promiscuous": False}, {"link_up": False}]
    assert env.fake.links == [False, True]  # the link really went down
    status = env.ok("get_port_status", port_id=0)["attr"]
    assert (status["promiscuous"], status["link"], status["multicast"]) == (
        {"enabled": False},
        {"up": False},
        {"enabled": True},
    )
    events = env.events(111)
    assert [e[0] for e in events] == [5, 8, 8]
    assert events[-1][2]["attr"]["link"] == {"up": False}
    for bad, msg in (
        (
            {"led_status": {"on": True}},
            "attr.led_status: LED control is not supported on this port",
        ),
        (
            {"flow_ctrl_mode": {"mode": 3}},
            "attr.flow_ctrl_mode.mode: flow control is"
            " not supported on this port (only mode 0)",
        ),
        (
            {"promiscuous": {"enabled": "yes"}},
            "attr.promiscuous.enabled: must be a boolean, got string",
        ),
        ({"colour": {}}, "attr.colour: unknown attribute"),
    ):
        assert (
            env.err("set_port_attr", handler=h, port_id=0, attr=bad)["specific_err"]
            == f"set_port_attr: {msg}"
        )


def test_scheduled_start_starts_later(env: Env) -> None:
    now = [1000.0]
    env.fe.clock = lambda: now[0]
    h = env.acquire()
    env.ok("add_stream", handler=h, port_id=0, stream_id=1, stream=stream_json())
    env.ok("start_traffic", handler=h, port_id=0, start_at_ts=1000.5, duration=2.0)
    # the sender is given the time to start at (the tester's agreed start)
    assert len(env.sent(0, StartJob)) == 1
    job = env.job(0)
    assert (job.start_at_ns, job.multiplier, job.duration_s) == (
        1_000_500_000_000,
        1.0,
        2.0,
    )
    # waiting for its start time counts as started, as on TRex
    assert env.ok("get_port_status", port_id=0)["state"] == "TX"
    assert (
        env.err("add_stream", handler=h, port_id=0, stream_id=2, stream=stream_json())[
            "code"
        ]
        == -32000
    )
    # a time already past starts now
    env.ok("stop_traffic", handler=h, port_id=0)
    env.ok("start_traffic", handler=h, port_id=0, start_at_ts=999.0)
    assert len(env.sent(0, StartJob)) == 2
    assert env.job(0).start_at_ns is None


def _lose(env: Env, port: int, role: str) -> None:
    """A worker of ``port`` dies; returns once the tester told its subscribers."""
    import threading

    seen = threading.Event()
    unsubscribe = env.tester.subscribe(
        lambda ev: seen.set() if ev.kind.name == "ERROR" and ev.port == port else None
    )
    try:
        env.fake.kill(port, role)
        assert seen.wait(5.0)
    finally:
        unsubscribe()


def test_a_lost_worker_is_a_port_error_and_only_a_sender_ends_the_job(
    env: Env,
) -> None:
    h = env.acquire()
    base = {"handler": h, "port_id": 0, "profile_id": "_"}
    env.ok("add_stream", **base, stream_id=1, stream=stream_json())
    env.ok("start_traffic", **base)
    env.events(111)
    # port 1's receiver dies: an error (7) for port 1, port 0 sends on
    _lose(env, 1, "rx")
    assert env.events(111) == [(7, 0, {"port_id": 1})]
    assert env.ok("get_port_status", port_id=0)["state"] == "TX"
    # port 0's sender dies: error (7, 17), then finished (14, 4)
    _lose(env, 0, "tx")
    assert env.events(111) == [
        (7, 1, {"port_id": 0}),
        (17, 2, {"port_id": 0, "profile_id": "_"}),
        (14, 3, {"port_id": 0, "profile_id": "_"}),
        (4, 4, {"port_id": 0}),
    ]
    assert env.ok("get_port_status", port_id=0)["state"] == "STREAMS"
    env.ok("start_traffic", **base)  # the port works again
    assert env.ok("get_port_status", port_id=0)["state"] == "TX"
