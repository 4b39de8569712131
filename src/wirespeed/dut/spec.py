"""Impairment specs: what a DUT does to the frames crossing it (pure).

``"delay=5ms,jitter=1ms,loss=1%,duplicate=0.5%,reorder=25%,corrupt=0.1%"`` is parsed
by :func:`parse_impairment` into an :class:`Impairment`; errors name the knob
(``impair.loss``...). ``rate=50mbit`` shapes what leaves the DUT towards the
receiving port with the kernel's token bucket (tc tbf), a DUT whose throughput is
known. The meaning of the other knobs is tc netem's: see
:mod:`wirespeed.dut.engine` for how wirespeed's own impairment process applies them
where the kernel has no netem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wirespeed.errors import ConfigError

__all__ = ["Impairment", "parse_impairment"]

_UNITS_S = {"s": 1.0, "ms": 1e-3, "us": 1e-6}


@dataclass(frozen=True)
class Impairment:
    """What the DUT does to frames crossing it (fractions are 0..1)."""

    delay_s: float = 0.0
    jitter_s: float = 0.0
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    corrupt: float = 0.0
    rate_bps: int = 0
    """Shape to this many bit/s (L2, as tc counts; 0 = not shaped)."""

    @property
    def is_empty(self) -> bool:
        """True when nothing is impaired."""
        return not any(
            (
                self.delay_s,
                self.jitter_s,
                self.loss,
                self.duplicate,
                self.reorder,
                self.corrupt,
                self.rate_bps,
            )
        )

    @property
    def needs_netem(self) -> bool:
        """True when a knob only netem provides is set."""
        return bool(self.delay_s or self.jitter_s or self.reorder or self.corrupt)


def _percent(field: str, text: str) -> float:
    m = re.fullmatch(r"([0-9]*\.?[0-9]+)\s*%?", text.strip())
    if not m:
        raise ConfigError(
            f"expected a percentage like 1% or 0.5%, got {text!r}", field=field
        )
    value = float(m.group(1)) / 100.0
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"must be between 0% and 100%, got {text!r}", field=field)
    return value


def _duration(field: str, text: str) -> float:
    m = re.fullmatch(r"([0-9]*\.?[0-9]+)\s*(s|ms|us)", text.strip())
    if not m:
        raise ConfigError(
            f"expected a time like 5ms, 200us or 1s, got {text!r}", field=field
        )
    return float(m.group(1)) * _UNITS_S[m.group(2)]


_RATE_UNITS = {"bit": 1, "kbit": 10**3, "mbit": 10**6, "gbit": 10**9}


def _rate(field: str, text: str) -> int:
    m = re.fullmatch(r"([0-9]*\.?[0-9]+)\s*(bit|kbit|mbit|gbit)", text.strip().lower())
    if not m:
        raise ConfigError(
            f"expected a rate like 50mbit, 800kbit or 1gbit, got {text!r}", field=field
        )
    bps = int(float(m.group(1)) * _RATE_UNITS[m.group(2)])
    if not 8_000 <= bps <= 100 * 10**9:
        raise ConfigError(f"must be 8kbit..100gbit, got {text!r}", field=field)
    return bps


def parse_impairment(text: str) -> Impairment:
    """Parse ``"delay=5ms,jitter=1ms,loss=1%,duplicate=0.5%,reorder=25%"``."""
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, val = part.partition("=")
        key = key.strip().lower()
        field = f"impair.{key}"
        if not sep:
            raise ConfigError(f"expected key=value, got {part!r}", field="impair")
        if key in ("delay", "jitter"):
            values[f"{key}_s"] = _duration(field, val)
        elif key in ("loss", "duplicate", "reorder", "corrupt"):
            values[key] = _percent(field, val)
        elif key == "rate":
            values["rate_bps"] = _rate(field, val)
        else:
            raise ConfigError(
                "unknown impairment "
                "(use delay, jitter, loss, duplicate, reorder, corrupt, rate)",
                field=field,
            )
    imp = Impairment(**values)  # type: ignore[arg-type]
    if imp.reorder and not imp.delay_s:
        raise ConfigError(
            "reordering needs a delay to reorder against", field="impair.reorder"
        )
    return imp
