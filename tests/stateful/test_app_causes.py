from __future__ import annotations

import asyncio
import errno
import ssl

import pytest

from wirespeed.stateful.causes import PayloadMismatchError, cause_of


@pytest.mark.parametrize(
    ("exc", "phase", "cause"),
    [
        (TimeoutError(), "connect", "connect_timeout"),
        (TimeoutError(), "io", "io_timeout"),
        (ConnectionRefusedError(), "connect", "refused"),
        (ConnectionResetError(), "io", "reset"),
        (ConnectionResetError(), "tls", "tls_handshake"),
        (BrokenPipeError(), "io", "broken_pipe"),
        (asyncio.IncompleteReadError(b"ab", 5), "io", "eof"),
        (PayloadMismatchError(), "io", "payload_mismatch"),
        (ssl.SSLCertVerificationError(1, "bad"), "tls", "tls_verify"),
        (ssl.SSLError(1, "x"), "tls", "tls_handshake"),
        (ssl.SSLError(1, "x"), "io", "tls_error"),
        (OSError(errno.EHOSTUNREACH, "x"), "connect", "unreachable"),
        (OSError(errno.ENETUNREACH, "x"), "connect", "unreachable"),
        (OSError(errno.EADDRNOTAVAIL, "x"), "connect", "os_EADDRNOTAVAIL"),
        (OSError("no errno"), "io", "os_OSError"),
        (ValueError("odd"), "io", "ValueError"),
    ],
)
def test_cause_names(exc: BaseException, phase: str, cause: str) -> None:
    assert cause_of(exc, phase) == cause
