"""The vtest-style YAML schema of an app-traffic case, as pydantic models.

A file maps case names to cases; a case has ``servers:`` and ``clients:``, each a list
of entries made of a ``talk_point`` (the host: bridge, address, gateway, optional
impairment) and a list of ``traffic`` entries. Field names follow the original tool
(``server_port`` is accepted for ``port``). Unknown keys are errors, so a typo never
passes silently. Cross-field rules live in :mod:`wirespeed.stateful.case`. Pure.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wirespeed.stateful.flows import FlowProgram, Step, TransportKind, pattern_bytes

__all__ = [
    "CaseModel",
    "ClientEntry",
    "ClientTraffic",
    "FlowDef",
    "Impairment",
    "ServerEntry",
    "ServerTraffic",
    "TalkPoint",
    "TcSpec",
    "TransactionDef",
]

_IFNAME = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Impairment(_Model):
    """Impairment of one direction of a host's link.

    Attributes:
        delay: added one-way delay in ms (needs the kernel's netem qdisc).
        jitter: delay variation in ms (needs netem, and a delay).
        loss: random loss in percent (an nftables ``numgen`` rule whose counter
            reports what it dropped).
    """

    delay: float = Field(0.0, ge=0.0, le=60_000.0)
    jitter: float = Field(0.0, ge=0.0, le=60_000.0)
    loss: float = Field(0.0, ge=0.0, le=100.0)

    @field_validator("jitter")
    @classmethod
    def _jitter_needs_delay(cls, value: float, info: ValidationInfo) -> float:
        if value > 0 and not info.data.get("delay"):
            raise ValueError("jitter needs a delay")
        return value

    @property
    def needs_netem(self) -> bool:
        """True if this impairment needs the netem qdisc (delay or jitter)."""
        return self.delay > 0 or self.jitter > 0


class TcSpec(_Model):
    """The original tool's ``tc:`` form: impairment per direction of the host."""

    egress: Impairment | None = None
    ingress: Impairment | None = None


class TalkPoint(_Model):
    """A host: one namespace with one interface attached to a bridge."""

    to_bridge: str
    # before ip: an IPv6 talk point (no ip) is told that IPv6 is not supported,
    # rather than that ip is missing (errors come in field order)
    ipv6: str | None = None
    gwv6: str | None = None
    ip: ipaddress.IPv4Interface
    gw: ipaddress.IPv4Address | None = None
    netem: Impairment | None = None
    tc: TcSpec | None = None

    @field_validator("to_bridge")
    @classmethod
    def _ifname(cls, value: str) -> str:
        if not _IFNAME.match(value) or value in (".", ".."):
            raise ValueError("must be an interface name of 1..15 characters")
        return value

    @field_validator("ip", mode="before")
    @classmethod
    def _needs_prefix(cls, value: Any) -> Any:
        if isinstance(value, str) and "/" not in value:
            raise ValueError("needs a prefix length, e.g. 198.18.1.10/24")
        return value

    @field_validator("ip")
    @classmethod
    def _host_address(cls, value: ipaddress.IPv4Interface) -> ipaddress.IPv4Interface:
        net = value.network
        if net.prefixlen < 31 and value.ip in (
            net.network_address,
            net.broadcast_address,
        ):
            raise ValueError(f"{value.ip} is not a host address of {net}")
        return value

    @field_validator("ipv6", "gwv6")
    @classmethod
    def _no_ipv6(cls, value: str | None) -> str | None:
        if value is not None:
            raise ValueError("IPv6 talk points are not supported yet; use ip/gw")
        return value

    @field_validator("gw")
    @classmethod
    def _gateway_on_link(
        cls, value: ipaddress.IPv4Address | None, info: ValidationInfo
    ) -> ipaddress.IPv4Address | None:
        iface = info.data.get("ip")
        if value is None or iface is None:
            return value
        if value not in iface.network:
            raise ValueError(f"{value} is outside the host's subnet {iface.network}")
        if value == iface.ip:
            raise ValueError("the gateway is the host's own address")
        return value

    @field_validator("tc")
    @classmethod
    def _one_impairment_form(
        cls, value: TcSpec | None, info: ValidationInfo
    ) -> TcSpec | None:
        if value is not None and info.data.get("netem") is not None:
            raise ValueError("give either netem (egress) or tc, not both")
        return value

    @property
    def egress(self) -> Impairment | None:
        """Impairment of what the host sends."""
        if self.netem is not None:
            return self.netem
        return self.tc.egress if self.tc is not None else None

    @property
    def ingress(self) -> Impairment | None:
        """Impairment of what the host receives."""
        return self.tc.ingress if self.tc is not None else None


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class ServerTraffic(_Model):
    """One app server on a host.

    ``listen: false`` declares a server that is down: its host exists but nothing
    listens on the port, so the host's kernel refuses every connection (a way to test
    how clients, probes or the path react to an application that is down).
    """

    name: str = Field(min_length=1)
    ip: ipaddress.IPv4Address
    port: int = Field(
        443, ge=1, le=65535, validation_alias=AliasChoices("port", "server_port")
    )
    protocol: Literal["tcp", "udp"] | None = None
    ssl: bool = False
    server_name: str | None = Field(None, validate_default=True)
    flow_mode: str = "baseHttp"
    flow_db: str | None = None
    no_print: bool = False
    timeout_s: float = Field(10.0, gt=0.0, le=3600.0)
    listen: bool = True

    @field_validator("server_name")
    @classmethod
    def _dns_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("ssl"):
                raise ValueError("missing: ssl needs the TLS server name (SNI)")
            return None
        labels = value.rstrip(".").split(".")
        if len(value) > 253 or not all(_DNS_LABEL.match(x) for x in labels):
            raise ValueError(f"{value!r} is not a DNS name")
        if all(x.isdigit() for x in labels):
            raise ValueError("an IP address cannot be a TLS server name (SNI)")
        return value

    @field_validator("ssl")
    @classmethod
    def _tls_over_tcp(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("protocol") == "udp":
            raise ValueError("ssl runs over TCP; protocol udp cannot have ssl")
        return value


class ClientTraffic(_Model):
    """One client traffic entry: connections to one server."""

    s_name: str = Field(min_length=1)
    client_sum: int = Field(100_000, ge=1, le=100_000_000)
    client_concur: int | None = Field(None, ge=1, le=100_000)
    client_delay: float = Field(0.0, ge=0.0, le=3600.0)
    client_cps: float | None = Field(None, gt=0.0, le=10_000_000.0)
    no_print: bool = False
    timeout_s: float = Field(10.0, gt=0.0, le=3600.0)

    @field_validator("client_cps")
    @classmethod
    def _pacing(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("client_delay"):
            raise ValueError("client_delay and client_cps exclude each other")
        return value


class ServerEntry(_Model):
    """A server host and the servers it runs."""

    talk_point: TalkPoint
    traffic: list[ServerTraffic] = Field(min_length=1)

    @field_validator("traffic", mode="before")
    @classmethod
    def _traffic_list(cls, value: Any) -> Any:
        return _as_list(value)


class ClientEntry(_Model):
    """A client host and its traffic entries."""

    talk_point: TalkPoint
    traffic: list[ClientTraffic] = Field(min_length=1)

    @field_validator("traffic", mode="before")
    @classmethod
    def _traffic_list(cls, value: Any) -> Any:
        return _as_list(value)


class TransactionDef(_Model):
    """One transaction of a custom flow: sizes (int) or literal text (str)."""

    client: int | str
    server: int | str
    repeat: int = Field(1, ge=1, le=100_000_000)
    client_delay_s: float = Field(0.0, ge=0.0, le=3600.0)
    server_delay_s: float = Field(0.0, ge=0.0, le=3600.0)

    @field_validator("client", "server")
    @classmethod
    def _size(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 0 <= value <= 1 << 30:
            raise ValueError("a size must be 0..2**30 bytes")
        return value


class _SizedList(_Model):
    num: int = Field(ge=1, le=100_000_000)
    message_len: int = Field(ge=0, le=1 << 30)


def _payload(value: int | str) -> bytes:
    return pattern_bytes(value) if isinstance(value, int) else value.encode()


class FlowDef(_Model):
    """A custom flow: our ``transactions:`` list, or the original tool's shape.

    The original shape is ``payload: plain_text`` with ``client:``/``server:`` lists of
    strings, or ``payload: len_list`` with lists of sizes (or ``{num, message_len}``),
    plus optional ``c_respond_delay``/``s_respond_delay`` in seconds.
    """

    transactions: list[TransactionDef] | None = None
    protocol: Literal["tcp", "udp"] = "tcp"
    payload: Literal["plain_text", "len_list"] | None = None
    client: list[int | str] | _SizedList | None = None
    server: list[int | str] | _SizedList | None = None
    c_respond_delay: float = Field(0.0, ge=0.0, le=3600.0)
    s_respond_delay: float = Field(0.0, ge=0.0, le=3600.0)

    @model_validator(mode="after")
    def _one_form(self) -> FlowDef:
        original = (self.payload, self.client, self.server)
        if self.transactions is not None:
            if any(x is not None for x in original):
                raise ValueError(
                    "give transactions, or payload/client/server, not both"
                )
            if not self.transactions:
                raise ValueError("transactions is empty")
            return self
        if any(x is None for x in original):
            raise ValueError("needs transactions, or payload with client and server")
        client, server = self.client, self.server
        if isinstance(client, _SizedList) != isinstance(server, _SizedList):
            raise ValueError("client and server must have the same form")
        if isinstance(client, list) and isinstance(server, list):
            if len(client) != len(server) or not client:
                raise ValueError("client and server lists must have the same length")
            want = str if self.payload == "plain_text" else int
            if not all(isinstance(x, want) for x in [*client, *server]):
                raise ValueError(f"payload {self.payload} needs {want.__name__} items")
        elif (
            isinstance(client, _SizedList)
            and isinstance(server, _SizedList)
            and (self.payload != "len_list" or client.num != server.num)
        ):
            raise ValueError("num/message_len needs len_list and equal num")
        return self

    def to_program(self, name: str) -> FlowProgram:
        """The flow program this definition describes."""
        transport = TransportKind(self.protocol)
        if self.transactions is not None:
            steps = tuple(
                Step(
                    _payload(t.client),
                    _payload(t.server),
                    t.repeat,
                    client_delay_s=t.client_delay_s,
                    server_delay_s=t.server_delay_s,
                )
                for t in self.transactions
            )
            return FlowProgram(name, steps, transport)
        c_delay, s_delay = self.c_respond_delay, self.s_respond_delay
        client, server = self.client, self.server
        if isinstance(client, _SizedList) and isinstance(server, _SizedList):
            step = Step(
                pattern_bytes(client.message_len),
                pattern_bytes(server.message_len),
                client.num,
                client_delay_s=c_delay,
                server_delay_s=s_delay,
            )
            return FlowProgram(name, (step,), transport)
        assert isinstance(client, list)
        assert isinstance(server, list)
        steps = tuple(
            Step(_payload(c), _payload(s), 1, c_delay, s_delay)
            for c, s in zip(client, server, strict=True)
        )
        return FlowProgram(name, steps, transport)


class CaseModel(_Model):
    """One case: servers, clients and custom flows."""

    servers: list[ServerEntry] = Field(default_factory=list)
    clients: list[ClientEntry] = Field(default_factory=list)
    flows: dict[str, FlowDef] = Field(default_factory=dict)

    @field_validator("servers", "clients", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        return [] if value is None else _as_list(value)
