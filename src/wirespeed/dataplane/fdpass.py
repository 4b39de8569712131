"""File descriptors passed over a worker's pipe (a socket pair): after a pickled
message, as ``SCM_RIGHTS`` (``multiprocessing.reduction``). The AF_XDP driver hands
a port's socket and UMEM from its RX worker, through the controller, to its TX
worker this way."""

from __future__ import annotations

import os
import socket
from multiprocessing import reduction
from multiprocessing.connection import Connection

__all__ = ["recv_fds", "send_fds"]


def send_fds(conn: Connection, fds: list[int]) -> None:
    """Pass ``fds`` to the other end of ``conn`` (the receiver keeps copies)."""
    with socket.socket(fileno=os.dup(conn.fileno())) as sock:
        reduction.sendfds(sock, fds)


def recv_fds(conn: Connection, n: int) -> list[int]:
    """The ``n`` descriptors the other end of ``conn`` passed last."""
    with socket.socket(fileno=os.dup(conn.fileno())) as sock:
        return list(reduction.recvfds(sock, n))
