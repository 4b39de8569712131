"""What the integration tests on the embedded test bed share: a UDP header between
ports 0 and 1 (addresses from 198.18.0.0/15), and a chassis for a module's tests."""

from __future__ import annotations

from collections.abc import Iterator

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis

HDR = (
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)


def one_module() -> Iterator[Chassis]:
    """A chassis of one module (ports 0 <-> 1), removed when the generator ends."""
    with Chassis.embedded(modules=1) as c:
        yield c
