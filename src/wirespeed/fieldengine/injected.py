"""What errors a stream may be told to inject (pure, no numpy: the remote client
sends them); :mod:`wirespeed.fieldengine.inject` puts them into frames."""

from __future__ import annotations

import enum

__all__ = ["InjectedError"]


class InjectedError(enum.Enum):
    """The errors a stream can be told to put in its next frames."""

    SEQUENCE = "sequence"
    MISORDER = "misorder"
    PAYLOAD = "payload"
    TPLD = "tpld"
