"""Why a connection failed: one short cause name per failure.

Causes are phase-aware where the phase matters (``connect_timeout`` vs ``io_timeout``)
and otherwise name what the kernel or the peer did: ``refused``, ``reset``,
``unreachable``, ``eof`` (the peer closed before the program ended),
``payload_mismatch``, ``tls_verify``, ``tls_handshake``, ``sni_mismatch``, or
``os_<ERRNO>`` for any other socket error.
"""

from __future__ import annotations

import asyncio
import errno
import ssl

__all__ = ["FAILURES", "PayloadMismatchError", "cause_of"]


class PayloadMismatchError(Exception):
    """Received bytes differ from what the flow program says the peer sends."""


_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}

# What the IO layer treats as a failure of one connection (anything else is a bug).
FAILURES: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncio.IncompleteReadError,
    PayloadMismatchError,
)


def cause_of(exc: BaseException, phase: str) -> str:
    """The cause name of a failure.

    Args:
        exc: the exception that ended the connection.
        phase: ``connect``, ``tls`` or ``io`` (the transactions).
    """
    if isinstance(exc, TimeoutError):
        return f"{phase}_timeout"
    if isinstance(exc, PayloadMismatchError):
        return "payload_mismatch"
    if isinstance(exc, asyncio.IncompleteReadError):
        return "eof"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "tls_verify"
    if isinstance(exc, ssl.SSLError):
        return "tls_handshake" if phase in ("connect", "tls") else "tls_error"
    if phase == "tls" and isinstance(exc, ConnectionError | EOFError):
        return "tls_handshake"  # the peer gave up on the handshake
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ConnectionResetError | ConnectionAbortedError):
        return "reset"
    if isinstance(exc, BrokenPipeError):
        return "broken_pipe"
    if isinstance(exc, OSError):
        if exc.errno in _UNREACHABLE:
            return "unreachable"
        if exc.errno is not None and exc.errno in errno.errorcode:
            return f"os_{errno.errorcode[exc.errno]}"
        return f"os_{type(exc).__name__}"
    return type(exc).__name__
