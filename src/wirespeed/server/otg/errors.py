"""OTG's error shape: ``{"code", "kind": "validation" | "internal", "errors"}``."""

from __future__ import annotations

from typing import Any

__all__ = ["OtgError", "unsupported"]


class OtgError(Exception):
    """A request OTG's API refuses (400, ``validation``) or could not serve (500,
    ``internal``); each message names the field (``flows[0].size.fixed``)."""

    def __init__(self, errors: list[str] | str, *, kind: str = "validation") -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.kind = kind
        self.code = 400 if kind == "validation" else 500
        super().__init__("; ".join(self.errors))

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"code": self.code, "kind": self.kind, "errors": self.errors}


def unsupported(field: str, what: str) -> OtgError:
    """A part of OTG the engine does not serve (devices, protocols, LAG, ...)."""
    return OtgError(f"{field}: {what} is not supported by wirespeed")
