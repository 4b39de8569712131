"""Flow programs: what a client and a server say to each other on one connection.

A connection runs a list of transactions. In each one the client sends a request of a
known length, the server reads exactly that many bytes, checks them, optionally waits,
and answers with a response of a known length that the client reads and checks. The
client closes after the last response. Both sides know the program (the client takes
it from the server entry it talks to), so no framing goes on the wire: the bytes are
exactly the payload sizes of the program.

The built-in modes carry the names of the original vtest tool (``sym``, ``asym_s``,
``asym_c``, ``bulksym``, ``mouse``, ``elephant``, ``long_live``, ``baseHttp``,
``udp_test``) with the same sizes, counts and think times, plus plain aliases
(``asym``, ``bulk``, ``long_lived``, ``http``, ``udp``). ``baseHttp`` is one HTTP
request/response of our own wording (the original's texts have other lengths), and
its server takes any HTTP request head, so real HTTP clients (probes, curl) get the
response too; every other mode's server checks the request byte for byte. Pure: no
IO.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = [
    "BUILTIN_FLOWS",
    "FLOW_ALIASES",
    "HTTP_REQUEST_LINE",
    "FlowProgram",
    "Step",
    "TransportKind",
    "builtin_flow",
    "pattern_bytes",
]

UDP_MAX_PAYLOAD = 65507
HTTP_REQUEST_LINE = re.compile(rb"^[A-Z]{1,16} [!-~]+ HTTP/1\.[01]\r\n")
_PATTERN = bytes(range(0x21, 0x7F))  # printable, 94 bytes: a shift shows as a mismatch


class TransportKind(enum.Enum):
    """The transport a flow runs on."""

    TCP = "tcp"
    UDP = "udp"


def pattern_bytes(length: int) -> bytes:
    """The filler payload of ``length`` bytes used for size-only messages."""
    reps = length // len(_PATTERN) + 1
    return (_PATTERN * reps)[:length]


@dataclass(frozen=True)
class Step:
    """One transaction, repeated ``count`` times.

    Attributes:
        request: the exact bytes the client sends.
        response: the exact bytes the server answers with.
        count: how many times this transaction runs back to back.
        client_delay_s: the client's pause after each response, before its next
            request (think time).
        server_delay_s: the server's pause between reading a request and answering.
        is_http_request: the server reads an HTTP request head (up to the blank
            line, any method and target) instead of exactly ``request``, so that
            any HTTP client gets the response; the client still sends ``request``.
    """

    request: bytes
    response: bytes
    count: int = 1
    client_delay_s: float = 0.0
    server_delay_s: float = 0.0
    is_http_request: bool = False

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("count must be >= 1")
        if self.client_delay_s < 0 or self.server_delay_s < 0:
            raise ValueError("delays must be >= 0")
        if self.is_http_request and not (
            HTTP_REQUEST_LINE.match(self.request) and self.request.endswith(b"\r\n\r\n")
        ):
            raise ValueError("an HTTP step's request must be an HTTP request head")


@dataclass(frozen=True)
class FlowProgram:
    """The transactions of one connection (TCP) or one exchange (UDP).

    Attributes:
        name: the flow mode's name.
        steps: the transactions in order (each possibly repeated).
        transport: TCP or UDP. A UDP program has exactly one transaction.
    """

    name: str
    steps: tuple[Step, ...]
    transport: TransportKind = TransportKind.TCP

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a flow needs at least one transaction")
        if self.transport is TransportKind.UDP:
            if self.transactions != 1:
                raise ValueError("a UDP flow has exactly one transaction")
            step = self.steps[0]
            if not 0 < len(step.request) <= UDP_MAX_PAYLOAD:
                raise ValueError(f"UDP request size must be 1..{UDP_MAX_PAYLOAD}")
            if not 0 < len(step.response) <= UDP_MAX_PAYLOAD:
                raise ValueError(f"UDP response size must be 1..{UDP_MAX_PAYLOAD}")

    @property
    def transactions(self) -> int:
        """Transactions per connection."""
        return sum(s.count for s in self.steps)

    @property
    def request_bytes(self) -> int:
        """Bytes the client sends per connection."""
        return sum(len(s.request) * s.count for s in self.steps)

    @property
    def response_bytes(self) -> int:
        """Bytes the server sends per connection."""
        return sum(len(s.response) * s.count for s in self.steps)

    def __iter__(self) -> Iterator[Step]:
        """Every transaction in order (a step with count n appears n times)."""
        for step in self.steps:
            for _ in range(step.count):
                yield step


def _sized(
    name: str,
    pairs: list[tuple[int, int, int]],
    *,
    client_delay_s: float = 0.0,
    server_delay_s: float = 0.0,
) -> FlowProgram:
    steps = tuple(
        Step(
            pattern_bytes(req),
            pattern_bytes(resp),
            count,
            client_delay_s=client_delay_s,
            server_delay_s=server_delay_s,
        )
        for req, resp, count in pairs
    )
    return FlowProgram(name, steps)


_HTTP_REQUEST = (
    b"HEAD / HTTP/1.1\r\nHost: app.wirespeed.test\r\n"
    b"User-Agent: wirespeed-app\r\nAccept: */*\r\n\r\n"
)
_HTTP_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nServer: wirespeed-app\r\nContent-Length: 0\r\n"
    b"Connection: close\r\n\r\n"
)

# Sizes, counts and think times as in the original tool's flow table.
BUILTIN_FLOWS: Mapping[str, FlowProgram] = {
    "baseHttp": FlowProgram(
        "baseHttp", (Step(_HTTP_REQUEST, _HTTP_RESPONSE, is_http_request=True),)
    ),
    "asym_s": _sized("asym_s", [(1, 100_000, 6)]),
    "asym_c": _sized("asym_c", [(100_000, 1, 6)]),
    "sym": _sized("sym", [(500, 500, 12)]),
    "bulksym": _sized("bulksym", [(100_000, 100_000, 6)]),
    "mouse": _sized("mouse", [(1, 1, 1)]),
    "elephant": _sized("elephant", [(1, 100_000, 100_000)]),
    "long_live": _sized(
        "long_live", [(1, 1, 100_000)], client_delay_s=60.0, server_delay_s=60.0
    ),
    "udp_test": FlowProgram(
        "udp_test",
        (Step(b"request_string", b"response_string"),),
        TransportKind.UDP,
    ),
}

FLOW_ALIASES: Mapping[str, str] = {
    "asym": "asym_s",
    "bulk": "bulksym",
    "long_lived": "long_live",
    "http": "baseHttp",
    "udp": "udp_test",
}


def builtin_flow(name: str) -> FlowProgram | None:
    """Return the built-in flow called ``name`` (or an alias of one), else None."""
    return BUILTIN_FLOWS.get(FLOW_ALIASES.get(name, name))
