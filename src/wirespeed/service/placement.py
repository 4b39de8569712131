"""Which CPU each worker process runs on (pure: the usable CPUs are an argument).

The rule, for ``n`` usable CPUs (those the daemon's affinity allows, in order):

- Ports come in cabled pairs (a port and its ``peer``), taken in the order of
  their lower index; a port whose peer is not one of the tester's ports stands
  alone. Each port gets a slot, numbered in that order, so the two ports of a pair
  hold consecutive slots.
- With two CPUs or more per slot, every worker has a CPU of its own: slot ``s``
  has its TX worker on CPU ``2s`` and its RX worker on CPU ``2s + 1``.
- Otherwise a port's two workers share the CPU of its slot, CPU ``s mod n``: with
  two CPUs or more, the ports of a pair are on different CPUs, so the sender of one
  and the analyzer of the other (a test's whole hot path, as veth does the
  receiver's kernel work on the sending core) run side by side. On one CPU,
  everything shares it.
- A CPU named for a worker (``cpus: {tx: 0, rx: 1}`` in the ports file, or the
  tester's ``cpus=``) wins over the rule; one the process may not use is an error
  that names the field.
- The daemon's own threads (RPC, rate sampling) go to the CPUs no worker holds,
  where there are such; otherwise, while ports send, to the CPUs where no sending
  port's TX worker runs (a client on the same host, woken by their answers, then
  tends to run there too), and anywhere when none sends or every CPU has a sender.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wirespeed.errors import ConfigError

__all__ = [
    "WorkerCpus",
    "controller_cpus",
    "pair_slots",
    "place_workers",
    "spare_cpus",
]


@dataclass(frozen=True)
class WorkerCpus:
    """The CPUs of one port's workers."""

    tx: int
    rx: int


def pair_slots(peers: Sequence[int | None]) -> list[int]:
    """Each port's slot: cabled pairs on consecutive slots (see the module doc).

    Args:
        peers: per port, the index of the port it is cabled to (``None``: unknown).
    """
    n = len(peers)
    slots: list[int | None] = [None] * n
    nxt = 0
    for i, peer in enumerate(peers):
        if slots[i] is not None:
            continue
        slots[i] = nxt
        nxt += 1
        if peer is not None and 0 <= peer < n and peer != i and slots[peer] is None:
            slots[peer] = nxt
            nxt += 1
    return [s for s in slots if s is not None]


def place_workers(
    peers: Sequence[int | None],
    usable: Sequence[int],
    pinned: Sequence[tuple[int | None, int | None]] = (),
) -> list[WorkerCpus]:
    """The CPU of every port's TX and RX worker.

    Args:
        peers: per port, the index of the port it is cabled to (``None``: unknown).
        usable: the CPUs the workers may run on (at least one), in order.
        pinned: per port (a shorter sequence leaves the rest to the rule), the CPUs
            asked for its TX and RX workers (``None``: the rule's).

    Raises:
        ConfigError: a pinned CPU is not usable (``field``: ``ports.<i>.cpus.tx``
            or ``.rx``), or there is no usable CPU.
    """
    cpus = list(dict.fromkeys(usable))
    if not cpus:
        raise ConfigError("no CPU is usable", field="cpus")
    slots = pair_slots(peers)
    own = len(cpus) >= 2 * len(slots)
    out = []
    for i, slot in enumerate(slots):
        if own:
            rule = (cpus[2 * slot], cpus[2 * slot + 1])
        else:
            rule = (cpus[slot % len(cpus)],) * 2
        asked = pinned[i] if i < len(pinned) else (None, None)
        for role, cpu in zip(("tx", "rx"), asked, strict=True):
            if cpu is not None and cpu not in cpus:
                raise ConfigError(
                    f"CPU {cpu} is not one this process may use "
                    f"(usable: {', '.join(map(str, cpus))})",
                    field=f"ports.{i}.cpus.{role}",
                )
        tx, rx = (r if a is None else a for a, r in zip(asked, rule, strict=True))
        out.append(WorkerCpus(tx, rx))
    return out


def spare_cpus(placed: Sequence[WorkerCpus], usable: Sequence[int]) -> list[int]:
    """The usable CPUs no worker is placed on (for the controller's threads), in
    order; all of ``usable`` when every one has a worker."""
    used = {c for p in placed for c in (p.tx, p.rx)}
    spare = [c for c in dict.fromkeys(usable) if c not in used]
    return spare or list(dict.fromkeys(usable))


def controller_cpus(
    placed: Sequence[WorkerCpus], usable: Sequence[int], sending: Iterable[int]
) -> list[int]:
    """The CPUs for the controller's threads while the ports ``sending`` send
    (see the module doc), in order."""
    cpus = list(dict.fromkeys(usable))
    spare = spare_cpus(placed, cpus)
    if spare != cpus:
        return spare
    busy = {placed[i].tx for i in sending}
    return [c for c in cpus if c not in busy] or cpus
