"""The Open Traffic Generator (OTG) front end: snappi and the OTG conformance
tests drive the one engine (see ../shared/protocols/otg.md)."""
