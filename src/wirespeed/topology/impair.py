"""Impairments on the DUT namespace: loss, duplication, delay, reordering, a rate.

``--impair "delay=5ms,loss=1%,duplicate=0.5%,reorder=25%"`` is parsed by
:func:`parse_impairment`. It is applied on the DUT's bridge by :func:`apply_impairment`:

* with ``tc netem`` when the kernel has it (every knob, on the DUT's egress interface
  towards the receiving port), with netem's own counters as the ground truth;
* otherwise (kernels without ``sch_netem``, like this project's CI), loss and
  duplication alone with nftables: random loss in the bridge's forward path and
  random duplication with ``dup`` at the DUT's ingress, each with an nftables counter
  that is the ground truth. With delay, jitter, reordering or corruption the test bed
  uses wirespeed's own impairer instead of a bridge (:mod:`wirespeed.dut`), which
  counts what it did.

``rate=50mbit`` is the kernel's token-bucket shaper (tc tbf, netem's ``rate`` where
netem exists) on the same egress interface: a DUT whose throughput is known, with
the shaper's drop counter as the ground truth.
"""

from __future__ import annotations

import json
import subprocess

from wirespeed.dut.spec import Impairment, parse_impairment
from wirespeed.errors import ConfigError, TopologyError

__all__ = [
    "Impairment",
    "apply_impairment",
    "has_netem",
    "impairment_counters",
    "parse_impairment",
]


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
        if imp.rate_bps:
            args += ["rate", f"{imp.rate_bps}bit"]
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
    if imp.rate_bps:
        _shape(imp.rate_bps, netns, egress)
        if not (imp.loss or imp.duplicate):
            return "tbf"
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


def _shape(rate_bps: int, netns: str, egress: str) -> None:
    """A token bucket on ``egress``: ``rate_bps`` on average, bursts of 10 ms of
    it (at least 16 KB), frames queued up to 50 ms, the rest dropped (and
    counted: the shaper's drops are the ground truth of a throughput test)."""
    burst = max(16_384, rate_bps // 8 // 100)
    cmd = f"tc qdisc add dev {egress} root handle 1: tbf rate {rate_bps}bit "
    cmd += f"burst {burst} latency 50ms"
    _run(["ip", "netns", "exec", netns, *cmd.split()])


def impairment_counters(netns: str, egress: str) -> dict[str, int]:
    """The DUT's own counts of what it dropped and duplicated (the ground truth)."""
    out: dict[str, int] = {}
    show = ["tc", "-s", "-j", "qdisc", "show", "dev", egress]
    names = {"tbf": "shaper", "netem": "netem"}  # qdisc -> counter prefix
    for q in json.loads(_run(["ip", "netns", "exec", netns, *show])):
        prefix = names.get(q.get("kind"))
        if prefix is not None:
            out[f"{prefix}_sent_packets"] = int(q.get("packets", 0))
            out[f"{prefix}_drops"] = int(q.get("drops", 0))
    if has_netem():
        return out
    raw = _run(["ip", "netns", "exec", netns, "nft", "-j", "list", "counters"])
    for item in json.loads(raw).get("nftables", []):
        c = item.get("counter")
        if c and c.get("table") == "wsimp":
            out[str(c["name"])] = int(c["packets"])
    return out
