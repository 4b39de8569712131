"""Stateful application traffic: real TCP/TLS clients and servers in namespaces.

The vtest-style YAML (``servers:``/``clients:`` with ``talk_point`` and ``traffic``)
or the same dicts through :class:`CloudTrafficManager` describe the hosts and the
traffic; each host becomes a network namespace on a Linux bridge, and worker
processes run asyncio servers and clients there. Results count real connections:
attempted, established, completed and failed (by cause), rates, bytes, and latency
percentiles of connect, TLS handshake and transactions.

Pure modules: ``schema``, ``case``, ``flows``, ``plan``, ``schedule``, ``histogram``,
``results``. IO: ``server``, ``client``, ``tlscerts``, ``worker``, ``fabric``,
``orchestrator``.
"""

from wirespeed.stateful.case import CaseSpec, ClientSpec, ServerSpec, parse_case
from wirespeed.stateful.client import AppClient
from wirespeed.stateful.flows import BUILTIN_FLOWS, FlowProgram, Step, TransportKind
from wirespeed.stateful.orchestrator import (
    AppResults,
    CloudTrafficManager,
    read_case_file,
)
from wirespeed.stateful.results import ClientStats, ServerStats
from wirespeed.stateful.server import AppServer, make_server_spec
from wirespeed.tlscerts import CertStore

__all__ = [
    "BUILTIN_FLOWS",
    "AppClient",
    "AppResults",
    "AppServer",
    "CaseSpec",
    "CertStore",
    "ClientSpec",
    "ClientStats",
    "CloudTrafficManager",
    "FlowProgram",
    "ServerSpec",
    "ServerStats",
    "Step",
    "TransportKind",
    "make_server_spec",
    "parse_case",
    "read_case_file",
]
