from __future__ import annotations

import pytest

from wirespeed.stateful.flows import (
    BUILTIN_FLOWS,
    FLOW_ALIASES,
    FlowProgram,
    Step,
    TransportKind,
    builtin_flow,
    pattern_bytes,
)

# (mode, transactions, request bytes, response bytes) per connection, as in the
# original tool's flow table.
SIZES = [
    ("asym_s", 6, 6, 600_000),
    ("asym_c", 6, 600_000, 6),
    ("sym", 12, 6_000, 6_000),
    ("bulksym", 6, 600_000, 600_000),
    ("mouse", 1, 1, 1),
    ("elephant", 100_000, 100_000, 10_000_000_000),
    ("long_live", 100_000, 100_000, 100_000),
]


@pytest.mark.parametrize(("mode", "txns", "req", "resp"), SIZES)
def test_builtin_sizes(mode: str, txns: int, req: int, resp: int) -> None:
    prog = BUILTIN_FLOWS[mode]
    assert (prog.transactions, prog.request_bytes, prog.response_bytes) == (
        txns,
        req,
        resp,
    )
    assert prog.transport is TransportKind.TCP


def test_long_live_waits_a_minute_each_side() -> None:
    step = BUILTIN_FLOWS["long_live"].steps[0]
    assert (step.client_delay_s, step.server_delay_s, step.count) == (
        60.0,
        60.0,
        100_000,
    )


def test_http_and_udp_modes() -> None:
    http = BUILTIN_FLOWS["baseHttp"]
    assert http.transactions == 1
    assert http.steps[0].request.startswith(b"HEAD / HTTP/1.1\r\n")
    assert http.steps[0].request.endswith(b"\r\n\r\n")
    assert http.steps[0].response.startswith(b"HTTP/1.1 200 OK\r\n")
    udp = BUILTIN_FLOWS["udp_test"]
    assert udp.transport is TransportKind.UDP
    assert (udp.steps[0].request, udp.steps[0].response) == (
        b"request_string",
        b"response_string",
    )


def test_aliases_resolve() -> None:
    for alias, target in FLOW_ALIASES.items():
        assert builtin_flow(alias) is BUILTIN_FLOWS[target]
    assert builtin_flow("sym") is BUILTIN_FLOWS["sym"]
    assert builtin_flow("nope") is None


def test_iteration_expands_counts_in_order() -> None:
    a, b = Step(b"a", b"A", 2), Step(b"b", b"B", 1)
    prog = FlowProgram("x", (a, b))
    assert [s.request for s in prog] == [b"a", b"a", b"b"]
    assert (prog.request_bytes, prog.response_bytes) == (3, 3)


def test_pattern_bytes() -> None:
    assert pattern_bytes(0) == b""
    assert pattern_bytes(3) == b'!"#'
    data = pattern_bytes(200)
    assert len(data) == 200
    assert data[94] == data[0] == 0x21
    assert data[93] == 0x7E


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ((), "at least one transaction"),
        ((Step(b"a", b"b", 2),), "exactly one transaction"),
        ((Step(b"", b"b"),), "UDP request size"),
        ((Step(b"a", b"x" * 65508),), "UDP response size"),
    ],
)
def test_invalid_programs(steps: tuple[Step, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FlowProgram("bad", steps, TransportKind.UDP)


def test_invalid_steps() -> None:
    with pytest.raises(ValueError, match="count"):
        Step(b"a", b"b", 0)
    with pytest.raises(ValueError, match="delays"):
        Step(b"a", b"b", 1, client_delay_s=-1.0)
