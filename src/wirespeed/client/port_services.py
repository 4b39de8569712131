"""The API's port services: addresses, resolution, ping, single frames, capture.

Mixed into :class:`wirespeed.client.api.Port`::

    port.set_l3(ipv4="198.18.1.2/24", gateway="198.18.1.1")
    port.resolve()                       # the gateway's MAC, by ARP
    port.streams.create(header=Ether() / IP(dst="198.18.2.2"), dst_mac="auto", ...)
    for reply in port.ping("198.18.2.2", count=3):
        print(reply.seq, reply.status, reply.rtt_ns)
    with port.capture(filter="udp and dst port 9", limit=1000) as cap:
        chassis.traffic([port], duration_s=1)
    print(cap.path, cap.stats.frames)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wirespeed.client.remote import capture_chunks
from wirespeed.dataplane.service_messages import CaptureStats, FramesSent, PingEntry
from wirespeed.l3 import IPAddress, L3Identity

if TYPE_CHECKING:
    from wirespeed.capture import CapturedFrames
    from wirespeed.client.remote import AnyTester

__all__ = ["Capture", "PortServicesMixin"]


@dataclass
class Capture:
    """A running (or finished) capture on a port; a context manager that stops it
    on exit."""

    tester: AnyTester
    capture_id: int

    @property
    def path(self) -> Path:
        """The pcapng (or pcap) file (on the tester's host)."""
        return self.tester.services.capture(self.capture_id).path

    @property
    def stats(self) -> CaptureStats:
        """Frames and bytes kept, frames missed, whether it ended."""
        return self.tester.services.capture(self.capture_id).stats

    def stop(self) -> Path:
        """Stop capturing; the file's path."""
        return self.tester.services.stop_capture(self.capture_id).path

    def frames(self) -> CapturedFrames:
        """The frames captured so far."""
        return self.tester.services.read_capture(self.capture_id)

    def save(self, path: str | Path) -> Path:
        """Copy the file to ``path`` (on this host)."""
        dest = Path(path)
        with dest.open("wb") as f:
            for chunk in capture_chunks(self.tester.services, self.capture_id):
                f.write(chunk)
        return dest

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PortServicesMixin:
    """Port services of :class:`wirespeed.client.api.Port`."""

    index: int

    @property
    def _tester(self) -> AnyTester:
        return self.chassis.tester  # type: ignore[attr-defined,no-any-return]

    @property
    def l3(self) -> L3Identity:
        """The port's addresses and gateways (empty: an L2 port)."""
        return self._tester.services.l3(self.index)

    def set_l3(
        self,
        *,
        ipv4: str | None = None,
        gateway: str | None = None,
        ipv6: str | None = None,
        gateway6: str | None = None,
        vlan: int | None = None,
        gratuitous: bool = False,
    ) -> L3Identity:
        """Give the port addresses (``198.18.1.2/24``) and gateways; it answers ARP,
        neighbour solicitations and pings for them from now on (``gratuitous``:
        and announces itself when traffic starts)."""
        ident = L3Identity.parse(
            ipv4=ipv4, gateway=gateway, ipv6=ipv6, gateway6=gateway6, vlan=vlan
        ).with_changes(gratuitous=gratuitous)
        self._tester.services.set_l3(self.index, ident)
        return ident

    def set_answering(
        self,
        *,
        arp: bool | None = None,
        ping: bool | None = None,
        ndp: bool | None = None,
        ping6: bool | None = None,
    ) -> L3Identity:
        """Switch the port's answers to ARP, pings, neighbour solicitations and
        IPv6 pings on or off (``None``: as it is)."""
        changes = {
            name: on
            for name, on in (
                ("arp_reply", arp),
                ("ping_reply", ping),
                ("ndp_reply", ndp),
                ("ping6_reply", ping6),
            )
            if on is not None
        }
        ident = self.l3.with_changes(**changes)
        self._tester.services.set_l3(self.index, ident)
        return ident

    def resolve(
        self, addr: str | IPAddress | None = None, *, timeout_s: float = 3.0
    ) -> str:
        """The MAC of ``addr`` (default: the gateway), by ARP or neighbour
        solicitation; streams with ``dst_mac="auto"`` are sent to it."""
        return self._tester.services.resolve(self.index, addr, timeout_s=timeout_s)

    def arp_table(self) -> list[tuple[IPAddress, str]]:
        """Every neighbour the port knows (address, MAC)."""
        return self._tester.services.neighbors(self.index)

    def ping(
        self,
        addr: str | IPAddress,
        *,
        count: int = 3,
        interval_s: float = 0.2,
        size_bytes: int = 64,
        timeout_s: float = 1.0,
    ) -> list[PingEntry]:
        """Ping from the port: one entry per request (status, RTT in ns, TTL)."""
        return self._tester.services.ping(
            self.index,
            addr,
            count=count,
            interval_s=interval_s,
            size_bytes=size_bytes,
            timeout_s=timeout_s,
        )

    def send_frames(self, frames: list[bytes], *, ipg_us: float = 0.0) -> FramesSent:
        """Send single frames now (bytes without FCS); counted as TX."""
        return self._tester.services.send_frames(self.index, frames, ipg_us=ipg_us)

    def service_counters(self) -> dict[str, int]:
        """ARP, neighbour discovery and ping counters, single frames sent."""
        return self._tester.services.counters(self.index)

    def capture(
        self,
        *,
        filter: str = "",
        limit: int | None = 10_000,
        limit_bytes: int | None = None,
        snaplen: int = 65535,
        direction: str = "both",
        path: str | Path | None = None,
        fmt: str = "pcapng",
    ) -> Capture:
        """Start capturing what the port sends and receives (``direction``:
        ``both``, ``rx``, ``tx``) that matches the BPF ``filter``."""
        if direction not in ("both", "rx", "tx"):
            from wirespeed.errors import ValidationError

            raise ValidationError("direction is both, rx or tx", field="direction")
        cid = self._tester.services.start_capture(
            self.index,
            filter=filter,
            limit_frames=limit,
            limit_bytes=limit_bytes,
            snaplen=snaplen,
            rx=direction in ("both", "rx"),
            tx=direction in ("both", "tx"),
            path=None if path is None else str(path),  # a remote tester refuses it
            fmt=fmt,
        )
        return Capture(self._tester, cid)
