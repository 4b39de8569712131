"""The TRex stateless JSON-RPC front end.

``wirespeed server`` listens on ZeroMQ REP 4501 and PUB 4500 and speaks the JSON-RPC
2.0 of TRex's STL server, so the real TRex Python client (``from trex.stl.api import
*``) drives wirespeed unchanged. Requests are translated into calls on the shared
tester (:mod:`wirespeed.service`); streams become :class:`wirespeed.model.Stream`.

Module map: :mod:`.framing` (zlib envelope), :mod:`.jsonrpc` (messages),
:mod:`.params` (checked parameters), :mod:`.dispatch` (method table, error mapping),
:mod:`.frontend` (state), :mod:`.events` (async events), :mod:`.methods_system`,
:mod:`.methods_port`, :mod:`.methods_stream`, :mod:`.methods_traffic`,
:mod:`.methods_stats`, :mod:`.stream_json` (the stream JSON codec) and
:mod:`.streams` (what a stream gets from its port), :mod:`.multiplier` (the ``mul``
object read into the tester's one scaling rule, :mod:`wirespeed.model.scaling`),
:mod:`.pgstats` and :mod:`.readings` (pg_id counters), :mod:`.transport` (ZeroMQ
sockets and threads).

Flow-stats and latency streams carry wirespeed's TPLD with TID = pg_id: the last 20
bytes of each such frame are the TPLD.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wirespeed.server.trex.transport import (
        DEFAULT_PUB_PORT,
        DEFAULT_RPC_PORT,
        TrexRpcServer,
    )

__all__ = ["DEFAULT_PUB_PORT", "DEFAULT_RPC_PORT", "TrexRpcServer"]


def __getattr__(name: str) -> Any:
    # The server pulls in ZeroMQ and the tester; the pure submodules (framing,
    # jsonrpc, params, events) stay importable without them.
    if name in __all__:
        from wirespeed.server.trex import transport

        return getattr(transport, name)
    raise AttributeError(name)
