from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wirespeed.errors import ConfigError
from wirespeed.stateful.case import (
    DEFAULT_CLIENT_CONCUR,
    DEFAULT_RATE_CONCUR,
    flow_db_names,
    parse_case,
    select_case,
)
from wirespeed.stateful.flows import BUILTIN_FLOWS, TransportKind, pattern_bytes
from wirespeed.stateful.orchestrator import read_case_file

Raw = dict[str, Any]


def test_demo_case_resolves(demo: Raw) -> None:
    case = parse_case(demo, name="base")
    assert [h.key for h in case.hosts] == ["s1", "c1"]
    (server,) = case.servers
    assert (server.name, server.ip, server.port, server.tls) == (
        "s1",
        "198.18.25.110",
        443,
        True,
    )
    assert server.server_name == "www.sharepoint.com"
    assert server.program is BUILTIN_FLOWS["sym"]
    assert server.field == "base.servers[0].traffic[0]"
    (client,) = case.clients
    assert client.server is server
    assert (client.client_sum, client.client_concur, client.client_delay_s) == (
        1000,
        5,
        0.0,
    )
    assert client.client_cps is None
    assert client.label == "c1[0]->s1"
    assert case.host("c1").talk_point.gw == ipaddress.IPv4Address("198.18.24.15")


def test_single_dicts_and_defaults(demo: Raw) -> None:
    demo["servers"] = demo["servers"][0]
    demo["servers"]["traffic"] = {
        "name": "s1",
        "ip": "198.18.25.110",
        "server_port": 80,
    }
    demo["clients"][0]["traffic"] = {"s_name": "s1"}
    case = parse_case(demo)
    assert case.servers[0].port == 80
    assert case.servers[0].program is BUILTIN_FLOWS["baseHttp"]
    assert not case.servers[0].tls
    assert case.clients[0].client_sum == 100_000
    assert case.clients[0].client_concur == DEFAULT_CLIENT_CONCUR


def test_rate_mode_default_concurrency(demo: Raw) -> None:
    t = demo["clients"][0]["traffic"][0]
    del t["client_concur"]
    t["client_cps"] = 50
    case = parse_case(demo)
    assert case.clients[0].client_cps == 50.0
    assert case.clients[0].client_concur == DEFAULT_RATE_CONCUR


def _set(path: str, value: Any) -> Callable[[Raw], None]:
    def apply(raw: Raw) -> None:
        node: Any = raw
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DEL:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value

    return apply


_DEL = object()

BAD: list[tuple[str, Any, str, str]] = [
    ("servers.0.talk_point.ip", _DEL, "base.servers[0].talk_point.ip", "missing"),
    (
        "clients.0.traffic.0.s_name",
        _DEL,
        "base.clients[0].traffic[0].s_name",
        "missing",
    ),
    (
        "clients.0.traffic.0.s_name",
        "s9",
        "base.clients[0].traffic[0].s_name",
        "no server named 's9' (servers: s1)",
    ),
    ("servers.0.traffic.0.bogus", 1, "base.servers[0].traffic[0].bogus", "unknown key"),
    (
        "servers.0.traffic.0.server_port",
        70000,
        "base.servers[0].traffic[0].server_port",
        "less than or equal to 65535",
    ),
    (
        "servers.0.talk_point.ip",
        "198.18.25.110",
        "base.servers[0].talk_point.ip",
        "needs a prefix length",
    ),
    (
        "servers.0.talk_point.ip",
        "198.18.25.0/24",
        "base.servers[0].talk_point.ip",
        "not a host address",
    ),
    (
        "servers.0.talk_point.gw",
        "198.18.26.1",
        "base.servers[0].talk_point.gw",
        "outside the host's subnet 198.18.25.0/24",
    ),
    (
        "servers.0.talk_point.gw",
        "198.18.25.110",
        "base.servers[0].talk_point.gw",
        "the gateway is the host's own address",
    ),
    (
        "servers.0.talk_point.to_bridge",
        "a-very-long-bridge-name",
        "base.servers[0].talk_point.to_bridge",
        "interface name",
    ),
    (
        "servers.0.talk_point.ipv6",
        "2001:2::3/64",
        "base.servers[0].talk_point.ipv6",
        "IPv6 talk points are not supported",
    ),
    (
        "servers.0.traffic.0.ip",
        "198.18.25.111",
        "base.servers[0].traffic[0].ip",
        "not the host's address 198.18.25.110",
    ),
    (
        "servers.0.traffic.0.server_name",
        _DEL,
        "base.servers[0].traffic[0].server_name",
        "ssl needs the TLS server name",
    ),
    (
        "servers.0.traffic.0.server_name",
        "198.18.1.1",
        "base.servers[0].traffic[0].server_name",
        "cannot be a TLS server name",
    ),
    (
        "servers.0.traffic.0.flow_mode",
        "nope",
        "base.servers[0].traffic[0].flow_mode",
        "unknown flow_mode 'nope'",
    ),
    (
        "servers.0.traffic.0.protocol",
        "udp",
        "base.servers[0].traffic[0].ssl",
        "protocol udp cannot have ssl",
    ),
    (
        "clients.0.traffic.0.client_sum",
        0,
        "base.clients[0].traffic[0].client_sum",
        "greater than or equal to 1",
    ),
    (
        "clients.0.traffic.0.client_cps",
        10,
        "base.clients[0].traffic[0].client_cps",
        None,
    ),
    (
        "clients.0.talk_point.gw",
        _DEL,
        "base.clients[0].talk_point.gw",
        "198.18.25.110 is on another subnet",
    ),
    (
        "clients.0.talk_point",
        {"to_bridge": "virbr25", "ip": "198.18.25.110/24"},
        "base.clients[0].talk_point.ip",
        "already used by base.servers[0].talk_point",
    ),
    (
        "clients.0.talk_point.netem",
        {"loss": 101},
        "base.clients[0].talk_point.netem.loss",
        "less than or equal to 100",
    ),
    (
        "clients.0.talk_point.netem",
        {"jitter": 5},
        "base.clients[0].talk_point.netem.jitter",
        "jitter needs a delay",
    ),
]


@pytest.mark.parametrize(("path", "value", "field", "message"), BAD)
def test_bad_fields_are_named(
    demo: Raw, path: str, value: Any, field: str, message: str | None
) -> None:
    if path.endswith("client_cps"):
        demo["clients"][0]["traffic"][0]["client_delay"] = 0.5
        message = "client_delay and client_cps exclude each other"
    _set(path, value)(demo)
    with pytest.raises(ConfigError) as info:
        parse_case(demo, name="base")
    assert info.value.field == field
    assert message is not None
    assert message in info.value.reason


def test_port_in_use_and_duplicate_names(demo: Raw) -> None:
    extra = {
        "name": "s2",
        "ip": "198.18.25.110",
        "server_port": 443,
        "flow_mode": "mouse",
    }
    demo["servers"][0]["traffic"].append(extra)
    with pytest.raises(ConfigError) as info:
        parse_case(demo, name="base")
    assert info.value.field == "base.servers[0].traffic[1].port"
    assert info.value.reason == "port 443/tcp on 198.18.25.110 is in use by s1"
    extra["protocol"] = "udp"
    extra["flow_mode"] = "udp"
    assert parse_case(demo).servers[1].transport is TransportKind.UDP
    extra["name"] = "s1"
    with pytest.raises(ConfigError) as info:
        parse_case(demo, name="base")
    assert info.value.field == "base.servers[0].traffic[1].name"


def test_udp_needs_single_transaction(demo: Raw) -> None:
    t = demo["servers"][0]["traffic"][0]
    del t["ssl"], t["server_name"]
    t["protocol"] = "udp"
    with pytest.raises(ConfigError) as info:
        parse_case(demo)
    assert info.value.field == "servers[0].traffic[0].protocol"
    assert "cannot run over udp" in info.value.reason


def test_custom_flows_both_shapes(demo: Raw) -> None:
    demo["flows"] = {
        "mine": {
            "transactions": [
                {"client": "GET /\r\n", "server": 300},
                {"client": 20, "server": 40, "repeat": 3, "server_delay_s": 0.01},
            ]
        },
        "orig": {
            "payload": "len_list",
            "client": {"num": 4, "message_len": 7},
            "server": {"num": 4, "message_len": 9},
            "c_respond_delay": 0.5,
        },
    }
    demo["servers"][0]["traffic"][0]["flow_mode"] = "mine"
    prog = parse_case(demo).servers[0].program
    assert [(s.request, len(s.response), s.count) for s in prog.steps] == [
        (b"GET /\r\n", 300, 1),
        (pattern_bytes(20), 40, 3),
    ]
    assert prog.steps[1].server_delay_s == 0.01
    demo["servers"][0]["traffic"][0]["flow_mode"] = "orig"
    prog = parse_case(demo).servers[0].program
    assert (prog.transactions, prog.request_bytes, prog.response_bytes) == (4, 28, 36)
    assert prog.steps[0].client_delay_s == 0.5


def test_flow_db_like_the_original(demo: Raw) -> None:
    db = {
        "TestMode1": {
            "payload": "plain_text",
            "client": ["HEAD / HTTP/1.0\r\n\r\n", "Hello"],
            "server": ["HTTP/1.1 200 OK\r\n", "Hi"],
        }
    }
    t = demo["servers"][0]["traffic"][0]
    t.update(flow_mode="TestMode1", flow_db="pattern.json")
    assert flow_db_names(demo) == ["pattern.json"]
    prog = parse_case(demo, flow_dbs={"pattern.json": db}).servers[0].program
    assert [s.response for s in prog] == [b"HTTP/1.1 200 OK\r\n", b"Hi"]
    with pytest.raises(ConfigError) as info:
        parse_case(demo)
    assert info.value.field == "servers[0].traffic[0].flow_db"
    t["flow_mode"] = "Other"
    with pytest.raises(ConfigError) as info:
        parse_case(demo, flow_dbs={"pattern.json": db})
    assert info.value.field == "servers[0].traffic[0].flow_mode"


@pytest.mark.parametrize(
    ("flow", "field", "message"),
    [
        (
            {"payload": "plain_text", "client": ["a"], "server": ["b", "c"]},
            "",
            "same length",
        ),
        (
            {"payload": "plain_text", "client": [1], "server": [2]},
            "",
            "needs str items",
        ),
        ({"transactions": []}, "", "transactions is empty"),
        ({"payload": "len_list", "client": [1]}, "", "needs transactions, or payload"),
        (
            {"transactions": [{"client": -1, "server": 1}]},
            ".transactions[0].client",
            "0..2**30",
        ),
    ],
)
def test_bad_custom_flows(demo: Raw, flow: Raw, field: str, message: str) -> None:
    demo["flows"] = {"f": flow}
    with pytest.raises(ConfigError) as info:
        parse_case(demo, name="c")
    assert info.value.field == "c.flows.f" + field
    assert message in info.value.reason


def test_select_case() -> None:
    doc = {"a": {"servers": []}, "b": {"servers": []}}
    assert select_case(doc, "b") == ("b", {"servers": []})
    with pytest.raises(ConfigError, match="choose one of: a, b"):
        select_case(doc, None)
    with pytest.raises(ConfigError) as info:
        select_case(doc, "zz")
    assert info.value.field == "case"
    assert select_case({"only": {"servers": []}}, None)[0] == "only"
    assert select_case({"servers": [], "clients": []}, None) == (
        None,
        {"servers": [], "clients": []},
    )
    with pytest.raises(ConfigError) as info:
        select_case([1, 2], None)
    assert info.value.field == "yaml"


def test_a_case_needs_a_server(demo: Raw) -> None:
    demo["servers"] = []
    with pytest.raises(ConfigError) as info:
        parse_case(demo, name="x")
    assert info.value.field == "x.servers"


# The original tool's demo cases (its shapes and keys, our addresses), including a
# flow_db file kept in a flow_db/ folder next to the YAML as the original does.
ORIGINAL_SHAPES = """
cps_only:
  servers:
    - talk_point: {to_bridge: virbr25, gw: 198.18.25.16, ip: 198.18.25.110/24}
      traffic:
        - {name: s1, ip: 198.18.25.110, flow_mode: baseHttp, no_print: True}
  clients:
    - talk_point: {to_bridge: virbr24, gw: 198.18.24.15, ip: 198.18.24.110/24}
      traffic:
        - {s_name: s1, no_print: True, client_sum: 10, client_cps: 5}
two_servers:
  servers:
    - talk_point: {to_bridge: virbr25, gw: 198.18.25.16, ip: 198.18.25.110/24}
      traffic:
        - {name: s1, ip: 198.18.25.110, flow_mode: baseHttp, server_port: 80}
    - talk_point: {to_bridge: virbr25, gw: 198.18.25.16, ip: 198.18.25.111/24}
      traffic:
        - name: s2
          ip: 198.18.25.111
          ssl: True
          server_name: www.sharepoint.com
          flow_mode: sym
  clients:
    - talk_point: {to_bridge: virbr24, gw: 198.18.24.15, ip: 198.18.24.110/24}
      traffic:
        - {s_name: s1, client_sum: 10, client_cps: 5}
        - {s_name: s2, client_sum: 2, client_cps: 1}
own_pattern:
  servers:
    - talk_point: {to_bridge: virbr25, gw: 198.18.25.16, ip: 198.18.25.110/24}
      traffic:
        - {name: s1, ip: 198.18.25.110, flow_mode: Greeting, flow_db: mine.json}
  clients:
    - talk_point: {to_bridge: virbr24, gw: 198.18.24.15, ip: 198.18.24.110/24}
      traffic:
        - {s_name: s1, client_sum: 1}
udp:
  servers:
    - talk_point: {to_bridge: virbr25, gw: 198.18.25.16, ip: 198.18.25.110/24}
      traffic:
        - {name: s1, ip: 198.18.25.110, server_port: 53, protocol: udp,
           flow_mode: udp_test}
  clients:
    - talk_point: {to_bridge: virbr24, gw: 198.18.24.15, ip: 198.18.24.110/24}
      traffic:
        - {s_name: s1, client_sum: 10, client_cps: 5}
v6:
  servers:
    - talk_point: {to_bridge: virbr25, ipv6: '2001:2::3/64', gwv6: '2001:2::1'}
      traffic:
        - {name: s1, ip: '2001:2::3'}
no_db:
  servers:
    - talk_point: {to_bridge: virbr25, ip: 198.18.25.110/24}
      traffic:
        - {name: s1, ip: 198.18.25.110, flow_mode: X, flow_db: absent.json}
"""


def test_original_demo_shapes(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(ORIGINAL_SHAPES)
    (tmp_path / "flow_db").mkdir()
    pattern = {
        "Greeting": {
            "payload": "plain_text",
            "client": ["HELLO\r\n", "BYE\r\n"],
            "server": ["WELCOME\r\n", "CIAO\r\n"],
        }
    }
    (tmp_path / "flow_db" / "mine.json").write_text(json.dumps(pattern))

    def load(case: str) -> Any:
        name, raw, dbs = read_case_file(tmp_path / "demo.yaml", case)
        return parse_case(raw, name=name, flow_dbs=dbs)

    (c,) = load("cps_only").clients
    assert (c.client_sum, c.client_cps, c.client_concur) == (10, 5.0, 1000)
    case = load("two_servers")
    assert [(h.key, str(h.talk_point.ip)) for h in case.hosts] == [
        ("s1", "198.18.25.110/24"),
        ("s2", "198.18.25.111/24"),
        ("c1", "198.18.24.110/24"),
    ]
    assert [(x.server.name, x.client_cps, x.server.tls) for x in case.clients] == [
        ("s1", 5.0, False),
        ("s2", 1.0, True),
    ]
    (c,) = load("own_pattern").clients
    assert [(s.request, s.response) for s in c.server.program] == [
        (b"HELLO\r\n", b"WELCOME\r\n"),
        (b"BYE\r\n", b"CIAO\r\n"),
    ]
    assert c.client_concur == DEFAULT_CLIENT_CONCUR
    (c,) = load("udp").clients
    assert (c.server.transport, c.server.port) == (TransportKind.UDP, 53)
    with pytest.raises(ConfigError) as info:
        load("v6")
    assert info.value.field == "v6.servers[0].talk_point.ipv6"
    with pytest.raises(ConfigError) as info:
        load("no_db")
    assert info.value.field == "no_db.servers[0].traffic[0].flow_db"
    assert info.value.reason == (
        f"no file 'absent.json' (looked for {tmp_path / 'absent.json'} and "
        f"{tmp_path / 'flow_db' / 'absent.json'})"
    )


def test_shipped_demo_is_the_tested_demo(demo: Raw) -> None:
    # examples/app_demo.yaml's base case is what the namespace tests run
    example = Path(__file__).resolve().parents[2] / "examples" / "app_demo.yaml"
    name, raw, dbs = read_case_file(example, "base")
    assert (name, dbs) == ("base", {})
    assert raw == demo
