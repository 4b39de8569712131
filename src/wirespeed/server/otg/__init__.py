"""The Open Traffic Generator (OTG) front end: snappi and the OTG conformance
tests drive the one engine (see ../shared/protocols/otg.md and README's tour)."""

from wirespeed.server.otg.server import DEFAULT_OTG_PORT, OtgServer

__all__ = ["DEFAULT_OTG_PORT", "OtgServer"]
