"""Layer 3 of a test port, without IO: its identity (addresses, gateways), the
frames of ARP, neighbour discovery and ping, and the state machines that answer,
resolve and ping (:mod:`wirespeed.dataplane.services` runs them on a socket)."""

from wirespeed.l3.identity import IPAddress, L3Identity, parse_address

__all__ = ["IPAddress", "L3Identity", "parse_address"]
