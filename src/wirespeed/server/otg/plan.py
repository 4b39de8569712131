"""What an OTG configuration becomes in the one engine: ports, streams with
their TPLD ids, captures (built by :mod:`.translate`, run by the server).

A flow is one stream on its TX port; with metrics on it carries a TPLD whose id
is the flow's, so its RX counts, loss and latency are the receiver's per-TID
analysis (the same numbers every front end reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from wirespeed.model import Stream

__all__ = ["CapturePlan", "ConfigPlan", "FlowPlan", "PortLookup"]


class PortLookup(Protocol):
    """The daemon's ports as a translation needs them."""

    def locate(self, location: str) -> int | None:
        """The tester port at an OTG ``location`` (``None``: no such port)."""

    def speed_bps(self, port: int) -> int:
        """The port's nominal line rate."""

    def mtu(self, port: int) -> int:
        """The port's MTU (frames up to mtu + 18 bytes with the FCS)."""


@dataclass(frozen=True)
class FlowPlan:
    """One OTG flow as an engine stream.

    Attributes:
        name: the flow's name.
        tx_port: tester port that sends it.
        rx_ports: tester ports that receive it (OTG ``rx_names``).
        stream: the stream (sizes with FCS; ``tpld_id`` = ``tid`` or -1).
        tid: the TPLD id its frames carry (``None``: metrics off, no TPLD).
        packets: frames it sends in all (``None``: until stopped).
        delay_ns: time from the start to its first frame.
        latency_mode: ``store_forward`` or ``cut_through``.
        timestamps: whether its metrics report first/last timestamps.
        loss: whether its metrics report loss (``metrics.loss``).
        latency: whether its metrics report latency (``metrics.latency.enable``).
    """

    name: str
    tx_port: int
    rx_ports: tuple[int, ...]
    stream: Stream
    tid: int | None
    packets: int | None
    delay_ns: int = 0
    latency_mode: str = "store_forward"
    timestamps: bool = False
    loss: bool = False
    latency: bool = False


@dataclass(frozen=True)
class CapturePlan:
    """An OTG capture: on which ports, in which format, with which filter."""

    name: str
    ports: tuple[int, ...]
    fmt: str  # "pcap" | "pcapng"
    overwrite: bool = True
    snaplen: int = 65535
    bpf_filter: str = ""


@dataclass(frozen=True)
class ConfigPlan:
    """A whole OTG configuration.

    Attributes:
        ports: OTG port name -> tester port.
        flows: in the configuration's order.
        captures: in the configuration's order.
        speeds: tester port -> line rate set by ``layer1`` (bps).
        warnings: what the translation accepted but the user should know.
    """

    ports: dict[str, int]
    flows: tuple[FlowPlan, ...]
    captures: tuple[CapturePlan, ...]
    speeds: dict[int, int]
    warnings: tuple[str, ...] = ()
