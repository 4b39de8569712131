"""Switching a thread into a named network namespace (libc ``setns``).

The workers enter their port's namespace before they open its sockets; sockets
created inside stay in that namespace after the thread switches back. Creating and
removing namespaces is :mod:`wirespeed.topology.netns`'s job.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
from collections.abc import Iterator

from wirespeed.errors import TopologyError

__all__ = ["enter_netns", "in_netns"]

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise TopologyError(f"setns failed: {os.strerror(err)}")


def enter_netns(name: str | None) -> None:
    """Move the calling thread into namespace ``name`` for good (worker processes)."""
    if name is None:
        return
    try:
        fd = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
    except FileNotFoundError as exc:
        raise TopologyError(f"network namespace {name!r} does not exist") from exc
    try:
        _setns(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def in_netns(name: str | None) -> Iterator[None]:
    """Run the body with the current thread inside namespace ``name``.

    ``None`` means: stay where we are (the root namespace, for a lab object that lives
    there). Sockets opened inside the block keep that namespace.
    """
    if name is None:
        yield
        return
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
    except FileNotFoundError as exc:
        os.close(own)
        raise TopologyError(f"network namespace {name!r} does not exist") from exc
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(target)
        os.close(own)
