"""YAML test profiles for ``wirespeed run``: ports, streams, duration.

Shape::

    testbed: {modules: 1, speed: 1G, dut: false, impair: "loss=1%"}  # or config: FILE
    # dut: true / bridge (impairable), switch (all ports on one bridge), or
    # router (with firewall: ["udp dport 9 drop"])
    duration: 5          # seconds of traffic
    cooldown: 1          # seconds before reading the counters
    ports:               # optional per-port settings
      0: {tpld_mode: normal, payload_checksum: 0, speed: 1G,
          ipv4: 198.18.1.2/24, gateway: 198.18.1.1}  # an L3 port (ipv6, gateway6)
    capture:             # optional: pcapng files of what ports send and receive
      - {port: 1, filter: "udp and dst port 9", limit: 1000, direction: both,
         file: port1.pcapng}
    streams:
      - port: 0
        rx_port: 1       # optional, default: the port it is cabled to
        header:          # scapy layers by name, fields as keyword arguments
          - Ether: {dst: "02:77:73:00:00:02"}
          - IP: {src: 198.18.0.1, dst: 198.19.0.1}
          - UDP: {sport: 1025, dport: 9}
        # header_hex: "0x..."           (instead of header)
        rate: {percent: 10}             # or pps / l1_bps / l2_bps / ppm
        length: {type: fixed, min: 128} # incrementing, butterfly, random, mix
        payload: {type: pattern, pattern: FFFF0000}  # inc8 inc16 dec8 prbs ..
        tpld_id: 0
        dst_mac: auto    # optional: the resolved next hop's MAC (and the port's
                         # own as source); "port": the port's destination MAC
        mode: {type: continuous}        # single_burst {total_pkts}; multi_burst {...}
        modifiers: [{pos: 30, mask: "0x00FF0000", action: inc, min: 0, max: 255}]
        vm: []                          # TRex field-engine instructions (TRex JSON)

Every error names the field (``streams.0.rate``...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from wirespeed.errors import ConfigError, WirespeedError
from wirespeed.model import (
    Endian,
    FrameLength,
    LengthType,
    MacDstMode,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
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
from wirespeed.server.trex.stream_json import instruction_from_trex_json
from wirespeed.topology.testbed import DutKind

__all__ = ["Profile", "load_profile", "profile_from_dict"]

_LAYERS = (
    "Ether",
    "Dot1Q",
    "IP",
    "IPv6",
    "UDP",
    "TCP",
    "ICMP",
    "ICMPv6EchoRequest",
    "ARP",
    "Raw",
    "MPLS",
    "GRE",
    "VXLAN",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TestbedModel(_Strict):
    modules: int = Field(2, ge=1, le=8)
    speed: str | int = "1G"
    dut: bool | str = False
    impair: str | None = None
    firewall: list[str] = Field(default_factory=list)

    @field_validator("dut")
    @classmethod
    def _dut(cls, v: bool | str) -> bool | str:
        try:
            kind = DutKind.parse(v)
        except ConfigError as exc:
            raise ValueError(exc.reason) from None
        return False if kind is None else kind.value


class PortModel(_Strict):
    tpld_mode: Literal["normal", "micro"] = "normal"
    payload_checksum: int = Field(0, ge=0, le=2047)
    speed: str | int | None = None
    ipv4: str | None = None
    gateway: str | None = None
    ipv6: str | None = None
    gateway6: str | None = None
    vlan: int | None = None

    @property
    def has_l3(self) -> bool:
        """The profile gives the port addresses."""
        return any(
            v is not None
            for v in (self.ipv4, self.gateway, self.ipv6, self.gateway6, self.vlan)
        )


PortRef = (
    Annotated[int, Field(ge=0)]
    | Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+/[0-9]+$")]
)
"""A port: its index, or ``host/index`` on a profile naming ``hosts``."""


class CaptureModel(_Strict):
    port: PortRef
    filter: str = ""
    limit: int = Field(10_000, ge=1)
    direction: Literal["both", "rx", "tx"] = "both"
    snaplen: int = Field(65535, ge=64, le=262144)
    file: str


class RateModel(_Strict):
    percent: float | None = None
    pps: float | None = None
    l1_bps: float | None = None
    l2_bps: float | None = None
    ppm: float | None = None

    @model_validator(mode="after")
    def _one(self) -> RateModel:
        given = [k for k, v in self.model_dump().items() if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of percent, pps, l1_bps, l2_bps, ppm")
        return self


class LengthModel(_Strict):
    type: Literal["fixed", "incrementing", "butterfly", "random", "mix"] = "fixed"
    min: int = 64
    max: int | None = None


class PayloadModel(_Strict):
    type: Literal["pattern", "inc8", "inc16", "dec8", "dec16", "prbs", "random"] = (
        "pattern"
    )
    pattern: str = "00"


class ModeModel(_Strict):
    type: Literal["continuous", "single_burst", "multi_burst"] = "continuous"
    total_pkts: int = 0
    pkts_per_burst: int = 0
    ibg_us: float = 0.0
    count: int = 0


class ModifierModel(_Strict):
    pos: int
    mask: str = "0xFFFF0000"
    action: Literal["inc", "dec", "random"] = "inc"
    repeat: int = 1
    min: int | None = None
    step: int = 1
    max: int | None = None
    endian: Literal["big", "little"] = "big"
    extended: bool = False


class StreamModel(_Strict):
    port: PortRef
    rx_port: PortRef | None = None
    name: str = ""
    header: list[dict[str, dict[str, Any]]] | None = None
    header_hex: str | None = None
    rate: RateModel
    length: LengthModel | None = None
    payload: PayloadModel = PayloadModel()
    tpld_id: int = Field(-1, ge=-1, le=65535)
    mode: ModeModel = ModeModel()
    modifiers: list[ModifierModel] = []
    vm: list[dict[str, Any]] = []
    enabled: bool = True
    dst_mac: Literal["auto", "port"] | None = None


class ProfileModel(_Strict):
    testbed: TestbedModel = TestbedModel()  # type: ignore[call-arg]
    config: str | None = None
    hosts: dict[str, str] = {}
    """Several hosts: name -> the daemon's native RPC (``host[:port]``); ports
    are then named ``name/index``."""
    duration: float = Field(5.0, gt=0, le=86400)
    cooldown: float = Field(1.0, ge=0, le=60)
    ports: dict[int, PortModel] = {}
    streams: list[StreamModel] = Field(min_length=1)
    capture: list[CaptureModel] = []

    @model_validator(mode="after")
    def _hosts(self) -> ProfileModel:
        refs = [(f"streams.{i}.port", st.port) for i, st in enumerate(self.streams)]
        refs += [
            (f"streams.{i}.rx_port", st.rx_port)
            for i, st in enumerate(self.streams)
            if st.rx_port is not None
        ]
        refs += [(f"capture.{i}.port", c.port) for i, c in enumerate(self.capture)]
        for where, ref in refs:
            if self.hosts and not isinstance(ref, str):
                raise ConfigError(
                    f"with hosts, name a port host/index, not {ref}", field=where
                )
            if isinstance(ref, str) and ref.split("/")[0] not in self.hosts:
                raise ConfigError(
                    f"{ref}: no such host (hosts: {', '.join(self.hosts) or 'none'})",
                    field=where,
                )
        if self.hosts and (self.config is not None or self.ports):
            raise ConfigError(
                "with hosts, each daemon has its own ports: no config or ports here",
                field="hosts",
            )
        return self


class Profile:
    """A validated profile: the test bed, the streams as model objects, timings."""

    def __init__(self, model: ProfileModel, base: Path | None = None) -> None:
        self.model = model
        self.base = base
        self.streams: list[tuple[int | str, int | str | None, Stream]] = []
        for i, sm in enumerate(model.streams):
            try:
                self.streams.append((sm.port, sm.rx_port, _stream(sm)))
            except ConfigError as exc:
                raise ConfigError(
                    exc.reason, field=f"streams.{i}.{exc.field or 'stream'}"
                ) from exc
            except WirespeedError as exc:
                raise ConfigError(str(exc), field=f"streams.{i}") from exc


def _header(layers: list[dict[str, dict[str, Any]]]) -> bytes:
    import scapy.all as sc

    pkt: Any = None
    for i, layer in enumerate(layers):
        if len(layer) != 1:
            raise ConfigError(
                "each header entry is one layer: {Name: {fields}}", field=f"header.{i}"
            )
        name, fields = next(iter(layer.items()))
        if name not in _LAYERS:
            raise ConfigError(
                f"unknown layer {name!r} (use {', '.join(_LAYERS)})",
                field=f"header.{i}",
            )
        try:
            obj = getattr(sc, name)(**(fields or {}))
        except Exception as exc:  # scapy raises many types for bad fields
            raise ConfigError(f"{name}: {exc}", field=f"header.{i}") from exc
        pkt = obj if pkt is None else pkt / obj
    return template_from_scapy(pkt)


def _stream(sm: StreamModel) -> Stream:
    if (sm.header is None) == (sm.header_hex is None):
        raise ConfigError("give exactly one of header and header_hex", field="header")
    tmpl = (
        _header(sm.header)
        if sm.header is not None
        else template_from_hex(str(sm.header_hex))
    )
    rate_kind, rate_value = next(
        (k, v) for k, v in sm.rate.model_dump().items() if v is not None
    )
    unit = {
        "percent": RateUnit.PERCENT,
        "pps": RateUnit.PPS,
        "l1_bps": RateUnit.L1_BPS,
        "l2_bps": RateUnit.L2_BPS,
        "ppm": RateUnit.PPM,
    }[rate_kind]
    length = None
    if sm.length is not None:
        kind = LengthType[sm.length.type.upper()]
        length = FrameLength(
            kind,
            sm.length.min,
            sm.length.max if sm.length.max is not None else sm.length.min,
        )
    try:
        pattern = bytes.fromhex(sm.payload.pattern.removeprefix("0x"))
    except ValueError as exc:
        raise ConfigError("not hex", field="payload.pattern") from exc
    payload = Payload(PayloadType[sm.payload.type.upper()], pattern or b"\x00")
    m = sm.mode
    mode = (
        TxMode.continuous()
        if m.type == "continuous"
        else TxMode.single_burst(m.total_pkts)
        if m.type == "single_burst"
        else TxMode.multi_burst(m.pkts_per_burst, m.ibg_us, m.count)
    )
    mods = tuple(
        Modifier(
            pos=x.pos,
            mask=int(x.mask, 16),
            action=ModifierAction[x.action.upper()],
            repeat=x.repeat,
            min_value=x.min,
            step=x.step,
            max_value=x.max,
            endian=Endian[x.endian.upper()],
            is_extended=x.extended,
        )
        for x in sm.modifiers
    )
    vm = VmProgram(
        tuple(instruction_from_trex_json(ins, f"vm.{i}") for i, ins in enumerate(sm.vm))
    )
    return Stream(
        packet=tmpl,
        header_len_bytes=header_length(tmpl),
        segments=segments_from_scapy(tmpl),
        name=sm.name,
        enabled=StreamEnable.ON if sm.enabled else StreamEnable.OFF,
        tpld_id=sm.tpld_id,
        length=length,
        payload=payload,
        rate=Rate(unit, rate_value),
        mode=mode,
        modifiers=mods,
        vm=vm,
        mac_src_from_packet=sm.dst_mac is None,
        mac_dst_mode={
            None: MacDstMode.PACKET,
            "auto": MacDstMode.ARP,
            "port": MacDstMode.PORT,
        }[sm.dst_mac],
    )


def profile_from_dict(raw: Any, base: Path | None = None) -> Profile:
    """Validate a profile given as plain data."""
    try:
        model = ProfileModel.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ConfigError(str(first["msg"]), field=loc or "profile") from exc
    return Profile(model, base)


def load_profile(path: str | Path) -> Profile:
    """Read and validate a YAML profile."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc}", field="profile") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", field="profile") from exc
    return profile_from_dict(raw, p.parent)
