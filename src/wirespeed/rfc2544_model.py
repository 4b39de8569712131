"""The RFC 2544 suite file (YAML) and its checks: every error names its field.

Shape (every key but ``pairs``/``mesh`` optional)::

    testbed: {modules: 1, dut: bridge, impair: "rate=50mbit"}   # or config: FILE
    pairs: [{tx: 0, rx: 1, bidirectional: true}]   # several pairs run at once
    mesh: [0, 1, 2, 3]               # instead of / besides pairs: every ordered pair
    frame_sizes: [64, 512, 1518, imix]   # imix: 64/594/1518 bytes at 7:4:1
    ip: 4                            # the test frames' IP version (4 or 6)
    trial_duration: 1                # seconds per trial
    wait: 0.5                        # seconds for frames in flight after a trial
    resolve_timeout: 3               # seconds for ARP/ND answers (L3 ports)
    learning: {enabled: true, frames: 10, rate_pct: 1, wait: 1}
    throughput: {initial: 100, min: 0.1, max: 100, resolution: 0.5,
                 acceptable_loss: 0,             # % (PDR; 0 = NDR)
                 latency_limit_us: null,         # NDR/PDR with a latency limit
                 latency_tolerance: 0,           # % of frames allowed above it
                 verify: false, verify_duration: 10}
    latency: {enabled: true, rates: null, repetitions: 1}   # null: the throughput
    frame_loss: {rates: [100, 90, 80]}   # or {start: 100, end: 10, step: 10}
    back_to_back: {min_frames: 1, max_frames: 10000, resolution: 1,
                   repetitions: 2, rate: 100}

The same from Python: ``SuiteModel.from_dict({...})`` (or pydantic's
``model_validate``, whose own type errors are pydantic's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, cast

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from wirespeed.errors import ConfigError
from wirespeed.model import FCS_BYTES, IMIX
from wirespeed.profiles import PortRef, TestbedModel
from wirespeed.rfc2544 import BurstSettings, SearchSettings
from wirespeed.rfc2544.plan import flows_of, loss_rates
from wirespeed.tpld import TpldMode

__all__ = [
    "IMIX_NAME",
    "TPLD_BYTES",
    "BackToBackModel",
    "FrameLossModel",
    "LatencyModel",
    "LearningModel",
    "PairModel",
    "SuiteModel",
    "ThroughputModel",
    "check_ports",
    "frame_size_error",
    "load_suite",
]

IMIX_NAME = "imix"
"""The frame size that stands for the simple IMIX (64/594/1518 at 7:4:1)."""
IMIX_SIZES = tuple(size for size, _weight in IMIX)
TPLD_BYTES = TpldMode.NORMAL.length  # the TPLD the suite's frames carry
MIN_FRAME_BYTES = 64  # the Ethernet minimum: RFC 2544's smallest size
MAX_FRAME_BYTES = 16_384
_IP_HEADER_BYTES = {4: 20, 6: 40}


def _frame_size(value: Any) -> Any:
    if value == IMIX_NAME or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"a frame size is a number of bytes or {IMIX_NAME!r}")


FrameSize = Annotated[int | Literal["imix"], BeforeValidator(_frame_size)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PairModel(_Strict):
    tx: PortRef
    rx: PortRef
    bidirectional: bool = False


class LearningModel(_Strict):
    enabled: bool = False
    frames: Annotated[int, Field(ge=1, le=10_000)] = 10
    rate_pct: Annotated[float, Field(gt=0, le=100)] = 1.0
    wait: Annotated[float, Field(ge=0, le=60)] = 1.0


class ThroughputModel(_Strict):
    enabled: bool = True
    initial: float = 100.0
    min: float = 0.1
    max: float = 100.0
    resolution: float = 0.5
    acceptable_loss: float = 0.0
    latency_limit_us: float | None = None
    latency_tolerance: float = 0.0
    verify: bool = False
    verify_duration: Annotated[float, Field(ge=0.1, le=3600)] = 10.0

    def settings(self) -> SearchSettings:
        """The search's settings (errors name ``throughput.*``)."""
        limit = self.latency_limit_us
        return SearchSettings(
            self.initial,
            self.min,
            self.max,
            self.resolution,
            self.acceptable_loss,
            None if limit is None else round(limit * 1000),
            self.latency_tolerance,
            self.verify,
        )


class LatencyModel(_Strict):
    enabled: bool = True
    rates: Annotated[list[float] | None, Field(min_length=1)] = None
    repetitions: Annotated[int, Field(ge=1, le=1000)] = 1


class FrameLossModel(_Strict):
    rates: Annotated[list[float] | None, Field(min_length=1)] = None
    start: float | None = None
    end: float | None = None
    step: float | None = None

    def rates_pct(self) -> list[float]:
        """The rates, as listed or from start down to end by step."""
        if self.rates is not None:
            return list(self.rates)
        start, end, step = self.start, self.end, self.step
        if start is None or end is None or step is None:
            raise ConfigError("give rates, or start, end and step", field="frame_loss")
        return loss_rates(start, end, step)


class BackToBackModel(_Strict):
    max_frames: Annotated[int, Field(ge=1)] = 10_000
    min_frames: Annotated[int, Field(ge=1)] = 1
    resolution: Annotated[int, Field(ge=1)] = 1
    repetitions: Annotated[int, Field(ge=1, le=1000)] = 1
    rate: float = 100.0

    def settings(self) -> BurstSettings:
        """The search's settings (errors name ``back_to_back.*``)."""
        return BurstSettings(
            self.min_frames, self.max_frames, self.resolution, self.rate
        )


class SuiteModel(_Strict):
    """A suite file (see the module's docs)."""

    testbed: TestbedModel = TestbedModel()  # type: ignore[call-arg]
    config: str | None = None
    hosts: dict[str, str] = Field(default_factory=dict)
    """Ports on several daemons: name -> ``host[:port]`` of its native RPC;
    pairs and mesh then name ports ``name/index``."""
    pairs: list[PairModel] = Field(default_factory=list)
    mesh: list[PortRef] = Field(default_factory=list)
    frame_sizes: list[FrameSize] = Field(
        default_factory=lambda: [64, 512, 1518],  # type: ignore[arg-type]
        min_length=1,
    )
    ip: Literal[4, 6] = 4
    trial_duration: Annotated[float, Field(ge=0.1, le=3600)] = 1.0
    wait: Annotated[float, Field(ge=0, le=60)] = 0.5
    resolve_timeout: Annotated[float, Field(gt=0, le=60)] = 3.0
    learning: LearningModel = LearningModel()
    throughput: ThroughputModel = ThroughputModel()
    latency: LatencyModel = LatencyModel()
    frame_loss: FrameLossModel | None = None
    back_to_back: BackToBackModel | None = None

    @model_validator(mode="after")
    def _check(self) -> SuiteModel:
        if not self.pairs and not self.mesh:
            raise ConfigError("name the ports: pairs or mesh", field="pairs")
        self.flows()  # a flow twice, a port to itself
        _check_hosts(self)
        if self.config is None and not self.hosts:
            check_ports(self, self.testbed.modules * 2)
        for i, size in enumerate(self.frame_sizes):
            why = frame_size_error(size, 14 + _IP_HEADER_BYTES[self.ip])
            if why:
                raise ConfigError(why, field=f"frame_sizes.{i}")
        self.throughput.settings()
        _check_latency(self)
        if self.frame_loss is not None:
            _check_loss(self.frame_loss)
        if self.back_to_back is not None:
            self.back_to_back.settings()
        return self

    def flows(self) -> list[tuple[int, int]]:
        """The (tx, rx) flows of the pairs and the mesh (port indexes; on hosts,
        after :meth:`on_ports`)."""
        pairs = [(p.tx, p.rx, p.bidirectional) for p in self.pairs]
        return flows_of(
            cast(list[tuple[int, int, bool]], pairs), cast(list[int], self.mesh)
        )

    def on_ports(self, index: Any) -> SuiteModel:
        """The suite with its ``host/index`` ports as the indexes ``index(name)``
        gives (a fleet's numbering)."""
        return self.model_copy(
            update={
                "pairs": [
                    p.model_copy(update={"tx": index(p.tx), "rx": index(p.rx)})
                    for p in self.pairs
                ],
                "mesh": [index(m) for m in self.mesh],
            }
        )

    @classmethod
    def from_dict(cls, raw: Any) -> SuiteModel:
        """Validate a suite given as plain data.

        Raises:
            ConfigError: naming the first wrong field (``pairs.0.rx``).
        """
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(x) for x in first["loc"])
            raise ConfigError(str(first["msg"]), field=loc or "rfc2544") from exc


def _check_latency(model: SuiteModel) -> None:
    lat = model.latency
    for r in lat.rates or []:
        if not 0 < r <= 100:
            raise ConfigError("rates are in (0, 100] % of line", field="latency.rates")
    if lat.enabled and lat.rates is None and not model.throughput.enabled:
        raise ConfigError(
            "without the throughput test, latency needs its rates",
            field="latency.rates",
        )


def _check_loss(fl: FrameLossModel) -> None:
    ramp = (fl.start, fl.end, fl.step)
    if fl.rates is not None and any(v is not None for v in ramp):
        raise ConfigError(
            "rates, or start/end/step: not both", field="frame_loss.rates"
        )
    for r in fl.rates_pct():
        if not 0 < r <= 100:
            raise ConfigError(
                "rates are in (0, 100] % of line", field="frame_loss.rates"
            )


def _check_hosts(model: SuiteModel) -> None:
    """With hosts every port is ``host/index`` of a named host; without, an
    index."""
    refs = [(f"pairs.{i}.{end}", getattr(p, end)) for i, p in enumerate(model.pairs)
            for end in ("tx", "rx")]  # fmt: skip
    refs += [("mesh", m) for m in model.mesh]
    for where, ref in refs:
        if model.hosts and not isinstance(ref, str):
            raise ConfigError(
                f"with hosts, name a port host/index, not {ref}", field=where
            )
        if not model.hosts and isinstance(ref, str):
            raise ConfigError(f"{ref}: host/index needs hosts", field=where)
        if isinstance(ref, str) and ref.split("/")[0] not in model.hosts:
            raise ConfigError(
                f"{ref}: no such host (hosts: {', '.join(model.hosts)})", field=where
            )


def check_ports(model: SuiteModel, n_ports: int) -> None:
    """Every port named exists (ports 0..n-1).

    Raises:
        ConfigError: naming the pair's end (``pairs.0.rx``) or ``mesh``.
    """
    for i, pair in enumerate(model.pairs):
        for end, port in (("tx", pair.tx), ("rx", pair.rx)):
            if isinstance(port, int) and port >= n_ports:
                raise ConfigError(
                    f"no port {port} (ports 0..{n_ports - 1})", field=f"pairs.{i}.{end}"
                )
    for port in model.mesh:
        if isinstance(port, int) and not 0 <= port < n_ports:
            raise ConfigError(f"no port {port} (ports 0..{n_ports - 1})", field="mesh")


def frame_size_error(
    size: int | str, header_bytes: int, max_bytes: int = MAX_FRAME_BYTES
) -> str | None:
    """Why frames of ``size`` (bytes with FCS, or ``"imix"``) cannot carry a
    ``header_bytes`` header and the TPLD, or exceed ``max_bytes`` (``None``:
    they can)."""
    sizes = IMIX_SIZES if size == IMIX_NAME else (int(size),)
    what = "imix's" if size == IMIX_NAME else "frames of"
    need = header_bytes + TPLD_BYTES + FCS_BYTES
    if min(sizes) < MIN_FRAME_BYTES:
        return f"{what} {min(sizes)} bytes are below the {MIN_FRAME_BYTES}-byte minimum"
    if min(sizes) < need:
        return (
            f"{what} {min(sizes)} bytes cannot hold {header_bytes} header + "
            f"{TPLD_BYTES} TPLD + FCS bytes (need {need})"
        )
    if max(sizes) > max_bytes:
        return f"{what} {max(sizes)} bytes are above the {max_bytes} bytes allowed"
    return None


def load_suite(path: str | Path) -> tuple[SuiteModel, Path]:
    """Read and validate a suite file; errors name the field.

    Returns:
        The suite and the folder paths in it are relative to.
    """
    p = Path(path)
    try:
        raw: Any = yaml.safe_load(p.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc}", field="rfc2544") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", field="rfc2544") from exc
    return SuiteModel.from_dict(raw), p.parent
