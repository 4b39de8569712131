"""The native RPC front end: wirespeed's own API over ZeroMQ, for
``Chassis.connect`` (:mod:`wirespeed.client.remote`) on another host.

Messages and values: :mod:`wirespeed.wire`; the methods: :mod:`.methods`;
sessions and events: :mod:`.sessions`; the sockets: :mod:`.server`.
"""

from wirespeed.server.native.handler import NativeHandler
from wirespeed.server.native.server import DEFAULT_NATIVE_PORT, NativeServer

__all__ = ["DEFAULT_NATIVE_PORT", "NativeHandler", "NativeServer"]
