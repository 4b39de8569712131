"""Impairments on the DUT namespace: loss, duplication, delay, reordering.

``--impair "delay=5ms,loss=1%,duplicate=0.5%,reorder=25%"`` is parsed by
:func:`parse_impairment`. It is applied on the DUT's bridge by :func:`apply_impairment`:

* with ``tc netem`` when the kernel has it (every knob, on the DUT's egress interface
  towards the receiving port), with netem's own counters as the ground truth;
* otherwise with nftables (kernels without ``sch_netem``, like this project's CI):
  random loss in the bridge's forward path and random duplication with ``dup`` at the
  DUT's ingress, each with an nftables counter that is the ground truth. Delay, jitter,
  reordering and corruption need netem; asking for them there is an error that names
  the knob.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass

from wirespeed.errors import ConfigError, TopologyError

__all__ = [
    "Impairment",
    "apply_impairment",
    "has_netem",
    "impairment_counters",
    "parse_impairment",
]

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
        else:
            raise ConfigError(
                "unknown impairment "
                "(use delay, jitter, loss, duplicate, reorder, corrupt)",
                field=field,
            )
    imp = Impairment(**values)
    if imp.reorder and not imp.delay_s:
        raise ConfigError(
            "reordering needs a delay to reorder against", field="impair.reorder"
        )
    return imp


def has_netem() -> bool:
    """True if the running kernel has the netem qdisc (built in or loadable)."""
    try:
        with open("/proc/config.gz", "rb") as fh:
            import gzip

            text = gzip.decompress(fh.read()).decode()
        if "CONFIG_NET_SCH_NETEM=y" in text:
            return True
        if "CONFIG_NET_SCH_NETEM=m" in text:
            return (
                subprocess.run(
                    ["modprobe", "sch_netem"], capture_output=True
                ).returncode
                == 0
            )
        return False
    except OSError:
        return (
            subprocess.run(["modprobe", "sch_netem"], capture_output=True).returncode
            == 0
        )


def _run(args: list[str], stdin: str | None = None) -> str:
    proc = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        raise TopologyError(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def apply_impairment(
    imp: Impairment, netns: str, ingress: str, egress: str, bridge: str
) -> str:
    """Impair frames entering the DUT on ``ingress`` and leaving on ``egress``.

    Returns the mechanism used: ``"netem"`` or ``"nftables"``.
    """
    if imp.is_empty:
        return "none"
    if has_netem():
        args = [
            "ip",
            "netns",
            "exec",
            netns,
            "tc",
            "qdisc",
            "add",
            "dev",
            egress,
            "root",
            "netem",
            "limit",
            "100000",
        ]
        if imp.delay_s:
            args += ["delay", f"{imp.delay_s * 1e6:.0f}us"]
            if imp.jitter_s:
                args += [f"{imp.jitter_s * 1e6:.0f}us"]
        if imp.loss:
            args += ["loss", f"{imp.loss * 100:.6f}%"]
        if imp.duplicate:
            args += ["duplicate", f"{imp.duplicate * 100:.6f}%"]
        if imp.reorder:
            args += ["reorder", f"{imp.reorder * 100:.6f}%"]
        if imp.corrupt:
            args += ["corrupt", f"{imp.corrupt * 100:.6f}%"]
        _run(args)
        return "netem"
    if imp.needs_netem:
        knob = next(
            k
            for k in ("delay", "jitter", "reorder", "corrupt")
            if getattr(imp, k if k in ("reorder", "corrupt") else f"{k}_s")
        )
        raise ConfigError(
            "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM); only loss and "
            "duplicate can be impaired here (with nftables)",
            field=f"impair.{knob}",
        )
    rules = ["table netdev wsimp {"]
    if imp.duplicate:
        per_million = round(imp.duplicate * 1_000_000)
        rules += [
            "  counter dup_count {}",
            "  chain ingress {",
            f'    type filter hook ingress device "{ingress}" priority 0;',
            f"    numgen random mod 1000000 < {per_million} "
            f'counter name dup_count dup to "{egress}"',
            "  }",
        ]
    rules.append("}")
    if imp.loss:
        per_million = round(imp.loss * 1_000_000)
        rules += [
            "table bridge wsimp {",
            "  counter loss_count {}",
            "  chain forward {",
            "    type filter hook forward priority 0;",
            f'    iifname "{ingress}" numgen random mod 1000000 < {per_million} '
            "counter name loss_count drop",
            "  }",
            "}",
        ]
    _run(
        ["ip", "netns", "exec", netns, "nft", "-f", "-"], stdin="\n".join(rules) + "\n"
    )
    return "nftables"


def impairment_counters(netns: str, egress: str) -> dict[str, int]:
    """The DUT's own counts of what it dropped and duplicated (the ground truth)."""
    out: dict[str, int] = {}
    if has_netem():
        raw = _run(
            [
                "ip",
                "netns",
                "exec",
                netns,
                "tc",
                "-s",
                "-j",
                "qdisc",
                "show",
                "dev",
                egress,
            ]
        )
        for q in json.loads(raw):
            if q.get("kind") == "netem":
                out["netem_sent_packets"] = int(q.get("packets", 0))
                out["netem_drops"] = int(q.get("drops", 0))
        return out
    raw = _run(["ip", "netns", "exec", netns, "nft", "-j", "list", "counters"])
    for item in json.loads(raw).get("nftables", []):
        c = item.get("counter")
        if c and c.get("table") == "wsimp":
            out[str(c["name"])] = int(c["packets"])
    return out
