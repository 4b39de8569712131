"""The native Python API, shaped like an XOA script.

tester -> modules -> ports -> streams.

Example (the embedded test bed, created and removed by the ``with`` block; or
``Chassis.connect("host[:port]")`` for a ``wirespeed server`` on another host,
:mod:`wirespeed.client.remote`)::

    from scapy.layers.inet import IP
    from scapy.layers.l2 import Ether
    from wirespeed.client import Chassis
    from wirespeed.model import FrameLength, Payload, PayloadType

    with Chassis.embedded() as chassis:
        port = chassis.modules[0].ports[0]
        port.reserve(force=True)
        port.reset()
        port.streams.create(
            header=Ether(dst="02:00:00:00:00:02") / IP(dst="198.19.0.1"),
            rate_percent=10.0,
            length=FrameLength.fixed(128),
            payload=Payload(PayloadType.PATTERN, bytes.fromhex("FFFF0000")),
            tpld_id=0,
        )
        port.clear_counters()
        chassis.traffic([port], duration_s=2.0)
        print(port.peer.statistics().rx_packets)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wirespeed.client.port_services import Capture, PortServicesMixin
from wirespeed.client.remote import RemoteTester
from wirespeed.errors import ConfigError, PortError, ValidationError
from wirespeed.model import (
    FrameLength,
    MacDstMode,
    Modifier,
    Payload,
    Rate,
    RateUnit,
    Stream,
    StreamEnable,
    TxMode,
    VmProgram,
)
from wirespeed.packet.template import (
    header_length,
    segments_from_scapy,
    template_from_hex,
    template_from_scapy,
)
from wirespeed.service import (
    EventKind,
    Multiplier,
    PortInfo,
    PortStats,
    StreamTxStats,
    TrafficEvent,
)
from wirespeed.topology.portspec import DEFAULT_SPEED_BPS
from wirespeed.tpld import TpldMode

if TYPE_CHECKING:  # the engine: imported when used, never by a remote client
    from wirespeed.analysis import TidStats
    from wirespeed.client.remote import AnyTester
    from wirespeed.service import Dataplane
    from wirespeed.topology.impair import Impairment
    from wirespeed.topology.testbed import DutKind, EmbeddedTestbed, TesterConfig

__all__ = ["Capture", "Chassis", "Module", "Port", "StreamHandle"]

FEC_MODES = ("OFF", "ON", "RS_FEC", "RS_FEC_KR", "RS_FEC_KP", "FC_FEC")


@dataclass
class StreamHandle:
    """One stream of a port."""

    port: Port
    index: int

    @property
    def config(self) -> Stream:
        """The stream's current description."""
        return self.port.chassis.tester.streams(self.port.index)[self.index]

    def update(self, **changes: Any) -> None:
        """Replace fields of the stream (``rate=Rate.pps(1000)``, ``enabled=0``...)."""
        from dataclasses import replace

        new = replace(self.config, **changes)
        self.port.chassis.tester.replace_stream(self.port.index, self.index, new)

    def statistics(self) -> StreamTxStats:
        """What this stream sent since the last clear."""
        return self.port.chassis.tester.stream_tx_stats(self.port.index, self.index)

    def inject_error(self, error: str) -> None:
        """Put one error into the stream's next frames while it sends.

        ``error`` is ``"sequence"`` (a skipped sequence number), ``"misorder"``
        (two frames swap numbers), ``"payload"`` (a payload byte changes: the
        22-byte TPLD's payload checksum catches it) or ``"tpld"`` (a frame whose
        TPLD is broken). Counted in ``port.statistics().tx_injected_*``.
        """
        self.port.chassis.tester.inject_error(self.port.index, self.index, error)

    def delete(self) -> None:
        """Remove the stream."""
        self.port.chassis.tester.remove_stream(self.port.index, self.index)


@dataclass
class _Streams:
    port: Port

    def __iter__(self) -> Any:
        return iter(self.all())

    def all(self) -> list[StreamHandle]:
        """Every stream of the port."""
        return [
            StreamHandle(self.port, i)
            for i in sorted(self.port.chassis.tester.streams(self.port.index))
        ]

    def create(
        self,
        *,
        header: Any = None,
        header_hex: str | None = None,
        rate_percent: float | None = None,
        rate_pps: float | None = None,
        rate_l2_bps: float | None = None,
        rate_l1_bps: float | None = None,
        rate_ppm: float | None = None,
        length: FrameLength | None = None,
        payload: Payload | None = None,
        tpld_id: int = -1,
        modifiers: tuple[Modifier, ...] = (),
        vm: VmProgram | None = None,
        mode: TxMode | None = None,
        packet_limit: int | None = None,
        comment: str = "",
        enabled: bool = True,
        dst_mac: str | None = None,
    ) -> StreamHandle:
        """Create a stream with the lowest free index (like ``PS_CREATE``).

        The header comes from a scapy packet (``header``) or hex (``header_hex``);
        exactly one rate argument must be given. ``dst_mac="auto"``: the frames go
        to the MAC the port resolved for their IP destination's next hop (and carry
        the port's own MAC as source); ``"port"``: to the port's destination MAC.
        """
        if dst_mac not in (None, "auto", "port"):
            raise ValidationError("dst_mac is 'auto', 'port' or None", field="dst_mac")
        if (header is None) == (header_hex is None):
            raise ValidationError(
                "give exactly one of header and header_hex", field="header"
            )
        tmpl = (
            template_from_scapy(header)
            if header is not None
            else template_from_hex(str(header_hex))
        )
        rates = {
            RateUnit.PERCENT: rate_percent,
            RateUnit.PPS: rate_pps,
            RateUnit.L2_BPS: rate_l2_bps,
            RateUnit.L1_BPS: rate_l1_bps,
            RateUnit.PPM: rate_ppm,
        }
        given = [(u, v) for u, v in rates.items() if v is not None]
        if len(given) != 1:
            raise ValidationError("give exactly one rate", field="rate")
        if packet_limit is not None and packet_limit > 0:
            mode = TxMode.single_burst(packet_limit)
        existing = self.port.chassis.tester.streams(self.port.index)
        index = next(i for i in range(len(existing) + 1) if i not in existing)
        stream = Stream(
            packet=tmpl,
            header_len_bytes=header_length(tmpl),
            segments=segments_from_scapy(tmpl),
            name=comment,
            enabled=StreamEnable.ON if enabled else StreamEnable.OFF,
            tpld_id=tpld_id,
            length=length,
            payload=payload or Payload(),
            rate=Rate(given[0][0], float(given[0][1])),
            mode=mode or TxMode.continuous(),
            modifiers=modifiers,
            vm=vm or VmProgram(),
            mac_src_from_packet=dst_mac is None,
            mac_dst_mode={
                None: MacDstMode.PACKET,
                "auto": MacDstMode.ARP,
                "port": MacDstMode.PORT,
            }[dst_mac],
        )
        self.port.chassis.tester.add_stream(self.port.index, index, stream)
        return StreamHandle(self.port, index)


@dataclass
class Port(PortServicesMixin):
    """A test port."""

    chassis: Chassis
    index: int
    streams: _Streams = field(init=False)

    def __post_init__(self) -> None:
        self.streams = _Streams(self)

    @property
    def info(self) -> PortInfo:
        """Interface, namespace, MAC, nominal speed, TPLD mode..."""
        return self.chassis.tester.ports[self.index]

    @property
    def peer(self) -> Port:
        """The port this one is cabled to."""
        peer = self.info.spec.peer
        if peer is None:
            raise ValidationError("the cabling of this port is not known", field="peer")
        return self.chassis.ports[peer]

    @property
    def fec_mode(self) -> str:
        """FEC mode (accepted and reported; a veth has no FEC)."""
        return self.info.fec_mode

    @fec_mode.setter
    def fec_mode(self, mode: str) -> None:
        if mode not in FEC_MODES:
            raise ValidationError(f"one of {', '.join(FEC_MODES)}", field="fec_mode")
        self.chassis.tester.set_fec_mode(self.index, mode)

    @property
    def tpld_mode(self) -> TpldMode:
        """The port's TPLD form, for what it sends and what it receives."""
        return self.info.tpld_mode

    @tpld_mode.setter
    def tpld_mode(self, mode: TpldMode) -> None:
        if not isinstance(mode, TpldMode):
            raise ValidationError(f"not a TpldMode: {mode!r}", field="tpld_mode")
        self.chassis.tester.set_tpld_mode(self.index, mode)

    @property
    def payload_checksum_offset(self) -> int:
        """Where the payload integrity checksum starts (0 = off; on: 22-byte TPLD)."""
        return self.info.payload_checksum_offset

    @payload_checksum_offset.setter
    def payload_checksum_offset(self, offset: int) -> None:
        self.chassis.tester.set_payload_checksum(self.index, offset)

    def reserve(self, *, force: bool = False) -> None:
        """Reserve the port for this chassis session."""
        c = self.chassis
        self._token = c.tester.reserve(self.index, c.owner, c.session, force=force)

    def release(self) -> None:
        """Release the port."""
        self.chassis.tester.release(self.index, self.chassis.session)

    def reset(self) -> None:
        """Stop traffic, delete the streams, default port settings."""
        self.chassis.tester.reset_port(self.index)

    def clear_counters(self) -> None:
        """Clear TX and RX counters (and the RX analysis)."""
        self.chassis.tester.clear_stats(self.index)

    def statistics(self) -> PortStats:
        """Port counters and last-second rates."""
        return self.chassis.tester.port_stats(self.index)

    def tpld_ids(self) -> list[int]:
        """TIDs received since the last clear."""
        return self.chassis.tester.tids(self.index)

    def tpld_statistics(self, tid: int) -> TidStats | None:
        """RX analysis of one TID: loss, misorder, duplicates, latency, jitter."""
        return self.chassis.tester.tid_stats(self.index, tid)


@dataclass
class Module:
    """A group of ports."""

    chassis: Chassis
    index: int
    ports: list[Port]

    @property
    def media(self) -> str:
        """Media configuration (accepted and reported)."""
        return self.chassis.tester.modules[self.index].media

    @media.setter
    def media(self, value: str) -> None:
        self.chassis.tester.set_module_media(self.index, value)

    @property
    def port_speeds(self) -> list[int]:
        """``[port count, speed Mbit/s per port...]`` as Xena's M_CFPCONFIGEXT."""
        return [len(self.ports)] + [p.info.speed_bps // 1_000_000 for p in self.ports]

    def set_port_speeds(self, speeds: list[int]) -> None:
        """Set nominal speeds (Mbit/s): ``[count, speed, speed, ...]``."""
        if (
            not speeds
            or speeds[0] != len(self.ports)
            or len(speeds) != len(self.ports) + 1
        ):
            raise ValidationError(
                f"expected [{len(self.ports)}, speed x {len(self.ports)}]",
                field="port_speeds",
            )
        for port, mbps in zip(self.ports, speeds[1:], strict=True):
            self.chassis.tester.set_speed(port.index, int(mbps) * 1_000_000)

    def reserve(self, *, force: bool = False) -> None:
        """Reserve every port of the module."""
        for port in self.ports:
            port.reserve(force=force)

    def release(self) -> None:
        """Release every port of the module this session holds."""
        for port in self.ports:
            res = self.chassis.tester.reservation(port.index)
            if res is not None and res.session == self.chassis.session:
                port.release()


class Chassis:
    """A tester over real interfaces: in this process, or served by
    ``wirespeed server`` on another host (:meth:`connect`).

    Use :meth:`embedded` for the default test bed, or pass a :class:`TesterConfig`
    (from :func:`wirespeed.topology.testbed.load_config`).
    """

    tester: AnyTester

    def __init__(
        self,
        config: TesterConfig,
        *,
        owner: str = "wirespeed",
        testbed: EmbeddedTestbed | None = None,
        dataplane: Dataplane | None = None,
    ) -> None:
        from wirespeed.service import Tester

        self.testbed = testbed
        self._attach(Tester(config, dataplane=dataplane), owner, f"api-{id(self):x}")

    def _attach(self, tester: AnyTester, owner: str, session: str) -> None:
        self.tester = tester
        self.owner = owner
        self.session = session
        self.ports = [Port(self, i) for i in range(len(tester.ports))]
        self.modules = [
            Module(self, m.index, [self.ports[i] for i in m.ports])
            for m in tester.modules
        ]

    @classmethod
    def connect(
        cls,
        address: str,
        *,
        owner: str = "wirespeed",
        timeout_s: float = 10.0,
        session_timeout_s: float = 10.0,
    ) -> Chassis:
        """The chassis ``wirespeed server`` serves at ``address`` (``host[:port]``,
        its native RPC: port 4510 by default), in a session of ``owner``.

        The same API as in-process; a capture's file stays on the daemon's host
        (``Capture.save`` and ``Capture.frames`` fetch it). :meth:`close` (or
        the ``with`` block's end) releases the session's ports; so does the
        daemon when this program has been silent for ``session_timeout_s``.

        Raises:
            RpcTimeout: nothing answered within ``timeout_s``.
            RemoteProtocolError: the daemon speaks another protocol version.
        """
        tester = RemoteTester.connect(
            address,
            owner=owner,
            timeout_s=timeout_s,
            session_timeout_s=session_timeout_s,
        )
        chassis = cls.__new__(cls)
        chassis.testbed = None
        try:
            chassis._attach(tester, owner, tester.session)
        except BaseException:
            tester.close()
            raise
        return chassis

    @classmethod
    def embedded(
        cls,
        *,
        modules: int = 2,
        speed_bps: int = DEFAULT_SPEED_BPS,
        dut: DutKind | str | bool | None = False,
        impairment: Impairment | None = None,
        owner: str = "wirespeed",
        impair_seed: int | None = None,
        firewall: Sequence[str] = (),
        driver: str = "afpacket",
    ) -> Chassis:
        """A chassis on the embedded test bed (created now, removed on close).

        ``dut`` is ``"bridge"`` (or ``True``), ``"switch"``, ``"router"`` or none
        (:class:`~wirespeed.topology.testbed.EmbeddedTestbed`); ``firewall`` are
        nftables rules on the router, each counted (``testbed.dut_counters()``).
        ``impair_seed`` fixes the random draws of wirespeed's own impairer (used for
        delay, jitter, reordering and corruption where the kernel has no netem).

        Raises:
            ConfigError: an unknown DUT, impairments without the bridge, firewall
                rules without the router, or a rule nft rejects; or this is
                the client-only install (wirespeed-client), without the engine.

        ``driver`` is every port's: ``afpacket`` (packet sockets), ``afxdp`` or
        ``auto`` (AF_XDP where it works; :class:`wirespeed.dataplane.drivers.
        PortDriver`).
        """
        try:
            from wirespeed.topology.testbed import EmbeddedTestbed
        except ModuleNotFoundError as exc:  # wirespeed-client: connect() only
            raise ConfigError(
                "the embedded test bed needs the full wirespeed package "
                f"({exc.name} is missing): this install only connects",
                field="embedded",
            ) from exc

        bed = EmbeddedTestbed(
            modules=modules,
            speed_bps=speed_bps,
            dut=dut,
            impairment=impairment,
            impair_seed=impair_seed,
            firewall=tuple(firewall),
            driver=driver,
        )
        config = bed.start()
        try:
            return cls(config, owner=owner, testbed=bed)
        except BaseException:
            bed.close()
            raise

    def __enter__(self) -> Chassis:
        try:
            self.tester.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers and remove the test bed (if this chassis made it); a
        remote chassis: end the session (its ports are released)."""
        try:
            self.tester.close()
        finally:
            if self.testbed is not None:
                self.testbed.close()

    def start(
        self,
        ports: list[Port],
        *,
        duration_s: float | None = None,
        multiplier: Multiplier | str | None = None,
        force: bool = False,
        start_at_ns: int | None = None,
    ) -> None:
        """Start traffic on ``ports`` together.

        Args:
            ports: the ports to start.
            duration_s: stop after this long (``None``: until stopped).
            multiplier: a rate for each port's streams, which keep their shares
                (``"10kpps"``, ``"1gbps"``, ``"50%"``, ``"2"``, or a
                :class:`~wirespeed.service.Multiplier`): the same rule as TRex's
                (:mod:`wirespeed.model.scaling`).
            force: send even above the line rate, or restart running ports.
            start_at_ns: the wall-clock time (ns since the epoch) the first
                frames leave at, e.g. one agreed with other hosts.
        """
        if isinstance(multiplier, str):
            multiplier = Multiplier.parse(multiplier)
        self.tester.start_traffic(
            [p.index for p in ports],
            duration_s=duration_s,
            multiplier=multiplier,
            force=force,
            start_at_ns=start_at_ns,
        )

    def stop(self, ports: list[Port]) -> None:
        """Stop traffic on ``ports``."""
        self.tester.stop_traffic([p.index for p in ports])

    def traffic(
        self, ports: list[Port], *, duration_s: float, cooldown_s: float = 0.5
    ) -> None:
        """Send for ``duration_s``, stop, wait ``cooldown_s`` for the last frames.

        Raises:
            PortError: a port's traffic ended on an error (its worker died, or its
                job failed); the counts up to then stay readable.
        """
        indices = {p.index for p in ports}
        errors: list[TrafficEvent] = []

        def on(ev: TrafficEvent) -> None:
            if ev.kind is EventKind.ERROR and ev.port in indices:
                errors.append(ev)

        unsubscribe = self.tester.subscribe(on)
        try:
            self.start(ports, duration_s=duration_s)
            self.tester.wait_idle(sorted(indices), duration_s + 5.0)
            self.stop(ports)
            time.sleep(cooldown_s)  # frames still on their way; receivers publish
        finally:
            unsubscribe()
        if errors:
            first = errors[0]
            raise PortError(
                f"port {first.port}: {first.detail.get('message', 'traffic failed')}",
                port=first.port,
            )
