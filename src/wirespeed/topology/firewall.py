"""A firewall on the router DUT: nftables rules in its forward path, each counted.

``firewall=("udp dport 9 drop", "ip6 nexthdr tcp reject")`` puts the rules, in
order, into the chain ``forward`` of table ``inet wsfw`` in the router's namespace
(policy accept). Each rule gets a counter of its own, placed right before its verdict
(or at its end if it has none), unless it has one already: that counter is the ground
truth of what the rule did (:func:`firewall_counters`).

Rules are checked up front with ``nft -c`` (:func:`check_rules`), one at a time, so
that a bad rule is named together with nft's own message.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from typing import Any

from wirespeed.errors import ConfigError, TopologyError

__all__ = ["apply_rules", "check_rules", "firewall_counters"]

_TABLE = "wsfw"
_CHAIN = "forward"
_VERDICTS = frozenset(
    ("accept", "drop", "reject", "jump", "goto", "return", "continue", "queue")
)


def _ruleset(rules: Sequence[str]) -> str:
    lines = [
        f"table inet {_TABLE} {{",
        f"  chain {_CHAIN} {{",
        "    type filter hook forward priority 0; policy accept;",
    ]
    lines += [f"    {r}" for r in rules]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def _nft(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, input=stdin, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise TopologyError(f"{args[0]} not found: {exc}") from exc


def check_rules(rules: Sequence[str]) -> tuple[str, ...]:
    """Check every rule with ``nft -c`` (nothing is applied).

    Returns:
        The rules, stripped.

    Raises:
        ConfigError: ``field="firewall"``, naming the rule and nft's message.
    """
    out: list[str] = []
    for i, raw in enumerate(rules):
        rule = str(raw).strip()
        if not rule or "\n" in rule or ";" in rule:
            raise ConfigError(
                f"rule {i} must be one nftables rule on one line, got {raw!r}",
                field="firewall",
            )
        if rule in out:
            raise ConfigError(f"rule {i} {rule!r} is given twice", field="firewall")
        proc = _nft(["nft", "-c", "-f", "-"], _ruleset([rule]))
        if proc.returncode != 0:
            msg = " ".join(
                line[line.index("Error:") :]
                for line in proc.stderr.splitlines()
                if "Error:" in line
            )
            raise ConfigError(
                f"rule {i} {rule!r}: {msg or proc.stderr.strip()}", field="firewall"
            )
        out.append(rule)
    return tuple(out)


def _run(netns: str, args: list[str], stdin: str | None = None) -> str:
    proc = _nft(["ip", "netns", "exec", netns, "nft", *args], stdin)
    if proc.returncode != 0:
        raise TopologyError(f"nft {' '.join(args)} in {netns}: {proc.stderr.strip()}")
    return proc.stdout


def _listed_rules(netns: str) -> list[dict[str, Any]]:
    raw = _run(netns, ["-j", "list", "chain", "inet", _TABLE, _CHAIN])
    items = json.loads(raw).get("nftables", [])
    return [item["rule"] for item in items if "rule" in item]


def _with_counter(expr: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if any("counter" in e for e in expr):
        return expr
    at = next((i for i, e in enumerate(expr) if _VERDICTS & e.keys()), len(expr))
    return [*expr[:at], {"counter": None}, *expr[at:]]


def apply_rules(netns: str, rules: Sequence[str]) -> None:
    """Install ``rules`` (checked before) in ``netns``'s forward path, counted."""
    _run(netns, ["-f", "-"], _ruleset(rules))
    listed = _listed_rules(netns)
    if len(listed) != len(rules):
        raise ConfigError(
            f"{len(rules)} rules made {len(listed)} nftables rules", field="firewall"
        )
    where = {"family": "inet", "table": _TABLE}
    commands: list[dict[str, Any]] = [{"flush": {"chain": where | {"name": _CHAIN}}}]
    commands += [
        {"add": {"rule": where | {"chain": _CHAIN, "expr": _with_counter(r["expr"])}}}
        for r in listed
    ]
    _run(netns, ["-j", "-f", "-"], json.dumps({"nftables": commands}))


def firewall_counters(netns: str, rules: Sequence[str]) -> dict[str, int]:
    """Packets each rule counted, by rule (in order; none: ``{}``)."""
    if not rules:
        return {}
    listed = _listed_rules(netns)
    out: dict[str, int] = {}
    for rule, item in zip(rules, listed, strict=True):
        counter = next(e["counter"] for e in item["expr"] if "counter" in e)
        out[rule] = int(counter["packets"])
    return out
