"""The one exception tree of wirespeed.

Every error wirespeed raises on purpose is a :class:`WirespeedError`. Front ends map
these classes to their wire codes (JSON-RPC error codes, XOA status codes, text CLI
replies) through one table each; nothing else is caught broadly.

```
WirespeedError
├─ ConfigError            bad profile, stream or argument (names the field)
│  └─ ValidationError     a value out of range, inconsistent with another field
├─ PacketError
│  ├─ BuildError          a frame could not be built
│  └─ ParseError          a frame could not be parsed (offset, layer)
├─ StateError             the operation is not valid in the current state
│  └─ OwnershipError      the port is owned by somebody else / wrong handler
├─ PortError              an interface could not be used (wraps OSError)
├─ TopologyError          namespaces, veth, bridges could not be set up
├─ ProtocolError
│  ├─ LocalProtocolError  we were asked to send something the protocol forbids
│  └─ RemoteProtocolError the peer sent something malformed
└─ RpcError(code, data)   an error answer from a remote wirespeed/TRex server
   └─ RpcTimeout          no answer in time (the server is down or unreachable)
```

Exceptions carry structured attributes (``field``, ``port``, ``stream_id``); they
never carry colour or formatted stacks: the CLI formats.
"""

from __future__ import annotations

__all__ = [
    "BuildError",
    "ConfigError",
    "LocalProtocolError",
    "OwnershipError",
    "PacketError",
    "ParseError",
    "PortError",
    "ProtocolError",
    "RemoteProtocolError",
    "RpcError",
    "RpcTimeout",
    "StateError",
    "TopologyError",
    "ValidationError",
    "WirespeedError",
]


class WirespeedError(Exception):
    """Base class of every error wirespeed raises on purpose."""


class ConfigError(WirespeedError):
    """A configuration value is wrong. ``field`` names it (dotted path)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


class ValidationError(ConfigError):
    """A value is out of range or inconsistent with another value."""


class PacketError(WirespeedError):
    """A frame could not be built or parsed."""


class BuildError(PacketError):
    """A frame could not be built from its description."""


class ParseError(PacketError):
    """A frame could not be parsed."""

    def __init__(self, message: str, *, offset: int = 0, layer: str = "") -> None:
        super().__init__(message)
        self.offset = offset
        self.layer = layer


class StateError(WirespeedError):
    """The operation is not valid in the port's or tester's current state."""

    def __init__(self, message: str, *, port: int | None = None) -> None:
        super().__init__(message)
        self.port = port


class OwnershipError(StateError):
    """The port is owned by somebody else, or the handler/owner does not match."""


class PortError(WirespeedError):
    """An interface could not be opened or used."""

    def __init__(self, message: str, *, port: int | None = None) -> None:
        super().__init__(message)
        self.port = port


class TopologyError(WirespeedError):
    """Namespaces, veth pairs or bridges could not be created or removed."""


class ProtocolError(WirespeedError):
    """A protocol rule was broken."""


class LocalProtocolError(ProtocolError):
    """We were asked to do something the protocol forbids."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something malformed."""


class RpcError(WirespeedError):
    """An error answer from a remote server (JSON-RPC)."""

    def __init__(
        self, message: str, *, code: int = -32000, data: object = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


class RpcTimeout(RpcError):
    """A remote server did not answer in time: it is down, unreachable, or busy
    beyond the wait (the message names the server)."""
