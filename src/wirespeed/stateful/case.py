"""From a YAML case (or the API's dicts) to checked, resolved specs.

:func:`parse_case` validates the shape with the pydantic models of
:mod:`wirespeed.stateful.schema`, applies the rules that span several fields (unknown
``s_name``, duplicate names, ports in use, a server address that is not its host's,
a missing gateway between subnets), resolves each server's flow mode into a
:class:`~wirespeed.stateful.flows.FlowProgram`, and returns a :class:`CaseSpec` of
frozen dataclasses that worker processes receive. Every error is a
:class:`~wirespeed.errors.ConfigError` whose ``field`` is the dotted path of the
offending key (``base.clients[0].traffic[1].s_name``). Pure: no IO.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic

from wirespeed.errors import ConfigError
from wirespeed.stateful.flows import (
    BUILTIN_FLOWS,
    FLOW_ALIASES,
    FlowProgram,
    TransportKind,
    builtin_flow,
)
from wirespeed.stateful.schema import (
    CaseModel,
    FlowDef,
    ServerTraffic,
    TalkPoint,
)

__all__ = [
    "DEFAULT_CLIENT_CONCUR",
    "DEFAULT_RATE_CONCUR",
    "CaseSpec",
    "ClientSpec",
    "HostSpec",
    "ServerSpec",
    "flow_db_names",
    "flow_db_refs",
    "parse_case",
    "select_case",
]

DEFAULT_CLIENT_CONCUR = 2  # the original tool's default
DEFAULT_RATE_CONCUR = 1000  # cap of open connections when a target rate is set

_M = TypeVar("_M", bound=pydantic.BaseModel)


@dataclass(frozen=True)
class HostSpec:
    """One talk point: a namespace with one interface on a bridge."""

    key: str
    role: str
    field: str
    talk_point: TalkPoint


@dataclass(frozen=True)
class ServerSpec:
    """One app server, resolved."""

    name: str
    host_key: str
    field: str
    ip: str
    port: int
    transport: TransportKind
    tls: bool
    server_name: str | None
    program: FlowProgram
    timeout_s: float
    no_print: bool
    listen: bool = True


@dataclass(frozen=True)
class ClientSpec:
    """One client traffic entry, resolved (its server copied in)."""

    label: str
    host_key: str
    field: str
    server: ServerSpec
    client_sum: int
    client_concur: int
    client_delay_s: float
    client_cps: float | None
    timeout_s: float
    no_print: bool


@dataclass(frozen=True)
class CaseSpec:
    """A whole checked case."""

    name: str | None
    hosts: tuple[HostSpec, ...]
    servers: tuple[ServerSpec, ...]
    clients: tuple[ClientSpec, ...]

    def host(self, key: str) -> HostSpec:
        """The host called ``key``."""
        for host in self.hosts:
            if host.key == key:
                return host
        raise KeyError(key)


def _loc(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _validate(model: type[_M], raw: Any, prefix: str) -> _M:
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(
            p for p in err["loc"] if not str(p).startswith(("function-", "list["))
        )
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "missing (required)"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key"
        raise ConfigError(msg, field=_loc(prefix, loc) or None) from exc


def select_case(doc: Any, case: str | None) -> tuple[str | None, Mapping[str, Any]]:
    """Pick a case out of a loaded YAML document.

    A document is either a mapping of case names to cases, or one case (with
    ``servers:``/``clients:`` at the top). ``case`` may be None when there is only one.
    """
    if not isinstance(doc, Mapping):
        raise ConfigError("the YAML document must be a mapping of cases", field="yaml")
    if "servers" in doc or "clients" in doc:
        if case is not None:
            raise ConfigError("this file has no named cases", field="case")
        return None, doc
    names = [str(k) for k in doc]
    if case is None:
        if len(names) != 1:
            raise ConfigError(f"choose one of: {', '.join(names)}", field="case")
        case = names[0]
    if case not in doc:
        raise ConfigError(
            f"no case {case!r}; the file has: {', '.join(names)}", field="case"
        )
    raw = doc[case]
    if not isinstance(raw, Mapping):
        raise ConfigError("a case must be a mapping with servers/clients", field=case)
    return case, raw


def flow_db_refs(
    raw_case: Mapping[str, Any], name: str | None = None
) -> dict[str, str]:
    """The ``flow_db`` files a raw case refers to, each with the first field naming it.

    Args:
        raw_case: the case as loaded (not yet checked).
        name: the case name (the first part of the field paths).
    """
    prefix = f"{name}." if name else ""
    refs: dict[str, str] = {}
    servers = raw_case.get("servers") or []
    for i, entry in enumerate([servers] if isinstance(servers, Mapping) else servers):
        traffic = entry.get("traffic") if isinstance(entry, Mapping) else None
        items = [traffic] if isinstance(traffic, Mapping) else traffic or []
        for j, item in enumerate(items):
            db = item.get("flow_db") if isinstance(item, Mapping) else None
            if isinstance(db, str) and db not in refs:
                refs[db] = f"{prefix}servers[{i}].traffic[{j}].flow_db"
    return refs


def flow_db_names(raw_case: Mapping[str, Any]) -> list[str]:
    """The ``flow_db`` files a raw case refers to (to be loaded before parsing)."""
    return list(flow_db_refs(raw_case))


def _program(
    traffic: ServerTraffic,
    path: str,
    flows: Mapping[str, FlowDef],
    flow_dbs: Mapping[str, Mapping[str, Any]],
) -> FlowProgram:
    mode = traffic.flow_mode
    try:
        if traffic.flow_db is not None:
            db = flow_dbs.get(traffic.flow_db)
            if db is None:
                raise ConfigError(
                    "flow_db file was not loaded", field=f"{path}.flow_db"
                )
            if mode not in db:
                raise ConfigError(
                    f"{mode!r} is not in {traffic.flow_db} (it has: {', '.join(db)})",
                    field=f"{path}.flow_mode",
                )
            program = _validate(
                FlowDef, db[mode], f"{traffic.flow_db}:{mode}"
            ).to_program(mode)
        elif mode in flows:
            program = flows[mode].to_program(mode)
        else:
            found = builtin_flow(mode)
            if found is None:
                known = [*BUILTIN_FLOWS, *FLOW_ALIASES, *flows]
                raise ConfigError(
                    f"unknown flow_mode {mode!r} (known: {', '.join(known)})",
                    field=f"{path}.flow_mode",
                )
            program = found
    except ValueError as exc:
        raise ConfigError(str(exc), field=f"{path}.flow_mode") from exc
    if traffic.protocol is not None and traffic.protocol != program.transport.value:
        try:
            program = FlowProgram(
                program.name, program.steps, TransportKind(traffic.protocol)
            )
        except ValueError as exc:
            raise ConfigError(
                f"flow {mode!r} cannot run over {traffic.protocol}: {exc}",
                field=f"{path}.protocol",
            ) from exc
    return program


def _check_hosts(hosts: list[HostSpec]) -> None:
    seen: dict[ipaddress.IPv4Address, str] = {}
    for host in hosts:
        ip = host.talk_point.ip.ip
        if ip in seen:
            raise ConfigError(
                f"{ip} is already used by {seen[ip]}", field=f"{host.field}.ip"
            )
        seen[ip] = host.field
    for host in hosts:
        gw = host.talk_point.gw
        if gw is not None and gw in seen:
            raise ConfigError(
                f"gw {gw} is the address of {seen[gw]}", field=f"{host.field}.gw"
            )


def _servers(
    model: CaseModel, prefix: str, flow_dbs: Mapping[str, Mapping[str, Any]]
) -> tuple[list[HostSpec], list[ServerSpec]]:
    hosts: list[HostSpec] = []
    servers: list[ServerSpec] = []
    by_name: dict[str, str] = {}
    ports: dict[tuple[str, str, int], str] = {}
    for i, entry in enumerate(model.servers):
        host = HostSpec(
            f"s{i + 1}", "server", f"{prefix}servers[{i}].talk_point", entry.talk_point
        )
        hosts.append(host)
        for j, t in enumerate(entry.traffic):
            path = f"{prefix}servers[{i}].traffic[{j}]"
            if t.name in by_name:
                raise ConfigError(
                    f"{t.name!r} is already defined at {by_name[t.name]}",
                    field=f"{path}.name",
                )
            by_name[t.name] = path
            if t.ip != entry.talk_point.ip.ip:
                raise ConfigError(
                    f"{t.ip} is not the host's address {entry.talk_point.ip.ip}",
                    field=f"{path}.ip",
                )
            program = _program(t, path, model.flows, flow_dbs)
            key = (str(t.ip), program.transport.value, t.port)
            if key in ports:
                raise ConfigError(
                    f"port {t.port}/{key[1]} on {t.ip} is in use by {ports[key]}",
                    field=f"{path}.port",
                )
            ports[key] = t.name
            servers.append(
                ServerSpec(
                    name=t.name,
                    host_key=host.key,
                    field=path,
                    ip=str(t.ip),
                    port=t.port,
                    transport=program.transport,
                    tls=t.ssl,
                    server_name=t.server_name,
                    program=program,
                    timeout_s=t.timeout_s,
                    no_print=t.no_print,
                    listen=t.listen,
                )
            )
    return hosts, servers


def _clients(
    model: CaseModel, prefix: str, servers: list[ServerSpec], hosts: list[HostSpec]
) -> tuple[list[HostSpec], list[ClientSpec]]:
    by_name = {s.name: s for s in servers}
    host_of = {h.key: h for h in hosts}
    out_hosts: list[HostSpec] = []
    clients: list[ClientSpec] = []
    for i, entry in enumerate(model.clients):
        host = HostSpec(
            f"c{i + 1}", "client", f"{prefix}clients[{i}].talk_point", entry.talk_point
        )
        out_hosts.append(host)
        for j, t in enumerate(entry.traffic):
            path = f"{prefix}clients[{i}].traffic[{j}]"
            server = by_name.get(t.s_name)
            if server is None:
                known = ", ".join(by_name) or "none defined"
                raise ConfigError(
                    f"no server named {t.s_name!r} (servers: {known})",
                    field=f"{path}.s_name",
                )
            _check_route(host, host_of[server.host_key], server)
            if t.client_concur is not None:
                concur = t.client_concur
            elif t.client_cps is not None:
                concur = DEFAULT_RATE_CONCUR
            else:
                concur = DEFAULT_CLIENT_CONCUR
            clients.append(
                ClientSpec(
                    label=f"{host.key}[{j}]->{server.name}",
                    host_key=host.key,
                    field=path,
                    server=server,
                    client_sum=t.client_sum,
                    client_concur=concur,
                    client_delay_s=t.client_delay,
                    client_cps=t.client_cps,
                    timeout_s=t.timeout_s,
                    no_print=t.no_print,
                )
            )
    return out_hosts, clients


def _check_route(client: HostSpec, server_host: HostSpec, server: ServerSpec) -> None:
    if ipaddress.IPv4Address(server.ip) in client.talk_point.ip.network:
        return
    for host, peer in (
        (client, server.ip),
        (server_host, str(client.talk_point.ip.ip)),
    ):
        if host.talk_point.gw is None:
            raise ConfigError(
                f"needed: {peer} is on another subnet"
                f" (client {client.key} <-> server {server.name})",
                field=f"{host.field}.gw",
            )


def parse_case(
    raw: Any,
    *,
    name: str | None = None,
    flow_dbs: Mapping[str, Mapping[str, Any]] | None = None,
) -> CaseSpec:
    """Validate and resolve one case.

    Args:
        raw: the case mapping (``servers``, ``clients``, optional ``flows``).
        name: the case name, used as the first part of error field paths.
        flow_dbs: the contents of the ``flow_db`` files the case refers to, by the
            name written in the case (see :func:`flow_db_names`).

    Raises:
        ConfigError: naming the offending field.
    """
    prefix = f"{name}." if name else ""
    model = _validate(CaseModel, raw, name or "")
    if not model.servers:
        raise ConfigError("a case needs at least one server", field=f"{prefix}servers")
    hosts, servers = _servers(model, prefix, flow_dbs or {})
    client_hosts, clients = _clients(model, prefix, servers, hosts)
    all_hosts = hosts + client_hosts
    _check_hosts(all_hosts)
    return CaseSpec(name, tuple(all_hosts), tuple(servers), tuple(clients))
