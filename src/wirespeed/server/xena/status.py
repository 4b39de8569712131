"""Xena status codes and the error that carries one.

The same codes answer both transports: the binary protocol sends them in a STATUS
message, the text CLI prints them as ``<NAME>``. Errors from the rest of wirespeed
(the tester service, the stream model) are mapped onto a status by
:func:`status_for`.
"""

from __future__ import annotations

import enum

from wirespeed.errors import (
    ConfigError,
    OwnershipError,
    PortError,
    RemoteProtocolError,
    StateError,
    WirespeedError,
)

__all__ = ["Status", "XenaStatusError", "status_for"]


class Status(enum.IntEnum):
    """Status codes of the Xena protocols (binary STATUS message, CLI ``<NAME>``)."""

    OK = 0
    NOCONNECTIONS = 1
    NOTLOGGEDON = 2
    NOTRESERVED = 3
    NOTWRITABLE = 4
    NOTREADABLE = 5
    NOTVALID = 6
    BADHEADER = 7
    BADCOMMAND = 8
    BADPARAMETER = 9
    BADMODULE = 10
    BADPORT = 11
    BADINDEX = 12
    BADSIZE = 13
    BADVALUE = 14
    FAILED = 15
    MEMORYFAILURE = 16
    NOLICPE = 17
    NOLICPORT = 18
    NOTSUPPORTED = 19
    PENDING = 20
    MODULE_OP_NOT_SUPPORTED_BY_CHASSIS = 21
    XLSFAILED = 22
    XLSDENIED = 23
    XLSINVALID = 24


class XenaStatusError(RemoteProtocolError):
    """A Xena command failed with ``status``; ``message`` says why (for the log).

    Args:
        status: the status code the client receives.
        message: a human-readable reason, naming the field or state at fault.
    """

    def __init__(self, status: Status, message: str = "") -> None:
        super().__init__(f"{status.name}: {message}" if message else status.name)
        self.status = status
        self.reason = message


def status_for(exc: WirespeedError) -> Status:
    """Map an error raised by the tester service or the model onto a Xena status.

    Args:
        exc: the error.

    Returns:
        NOTRESERVED for ownership errors, NOTVALID for other state errors, BADVALUE
        for configuration/validation errors, FAILED for interface errors and the
        carried status for :class:`XenaStatusError`.
    """
    if isinstance(exc, XenaStatusError):
        return exc.status
    if isinstance(exc, OwnershipError):
        return Status.NOTRESERVED
    if isinstance(exc, StateError):
        return Status.NOTVALID
    if isinstance(exc, ConfigError):
        return Status.BADVALUE
    if isinstance(exc, PortError):
        return Status.FAILED
    return Status.FAILED
