"""Compiled TRex flow variables: value and wrap count as functions of ticks.

Every variable maps a vector of ticks to values (uint64) and, for chaining with
``next_var``, to wrap counts. Root variables tick once per frame; a variable named
by another's ``next_var`` ticks once per wrap of that variable.
"""

from __future__ import annotations

import math

import numpy as np

from wirespeed.fieldengine.sequences import I64Array, TickRandom, U64Array, cyclic
from wirespeed.model.vm import (
    FlowVar,
    FlowVarOp,
    FlowVarRandLimit,
    TupleFlowVar,
    VmProgram,
)

__all__ = ["CompiledVar", "VarSet"]


def _clipped_mean(values: U64Array, lo: int, hi: int) -> float:
    clipped = np.clip(values.astype(np.float64), lo, hi)
    return float(clipped.mean())


class CompiledVar:
    """One variable's sequence (see the subclasses)."""

    size = 8

    def values(self, ticks: I64Array) -> U64Array:
        """Return the value at each tick."""
        raise NotImplementedError

    def wraps(self, ticks: I64Array) -> I64Array:
        """Return how many times the sequence wrapped before each tick."""
        return np.zeros_like(ticks)

    def reset(self) -> None:
        """Forget random state (called on generator reset)."""

    def mean(self, lo: int, hi: int) -> float | None:
        """Return the long-run mean of the value clipped to lo..hi, if cheap."""
        return None


class _Counter(CompiledVar):
    """inc/dec over min..max padded to whole steps; first value = init."""

    def __init__(self, var: FlowVar) -> None:
        assert var.init_value is not None
        self.size = var.size
        self._dec = var.op is FlowVarOp.DEC
        self._step = var.step
        self._cycle = var.padded_range // var.step
        dist = (
            var.max_value - var.init_value
            if self._dec
            else var.init_value - var.min_value
        )
        self._start, offset = divmod(dist, var.step)
        base = var.max_value - offset if self._dec else var.min_value + offset
        self._base = base
        self._lo, self._hi = var.min_value, var.max_value

    def values(self, ticks: I64Array) -> U64Array:
        pos, _ = cyclic(ticks, self._start, self._cycle)
        delta = pos * np.uint64(self._step % (1 << 64))
        base = np.uint64(self._base)
        return base - delta if self._dec else base + delta

    def wraps(self, ticks: I64Array) -> I64Array:
        return cyclic(ticks, self._start, self._cycle)[1]

    def mean(self, lo: int, hi: int) -> float | None:
        if self._cycle > 1 << 20:
            return None
        return _clipped_mean(
            self.values(np.arange(self._cycle, dtype=np.int64)), lo, hi
        )


class _List(CompiledVar):
    """value_list walked by step (dec from the end)."""

    def __init__(self, var: FlowVar) -> None:
        assert var.value_list is not None
        self.size = var.size
        self._table = np.asarray(var.value_list, dtype=np.uint64)
        n = len(var.value_list)
        self._n = n
        self._step = var.step % n
        self._cycle = n // math.gcd(n, self._step) if self._step else 1
        self._per_cycle = self._cycle * self._step // n
        if var.op is FlowVarOp.DEC:
            self._table = self._table[::-1].copy()

    def values(self, ticks: I64Array) -> U64Array:
        pos = ticks % self._cycle
        return self._table[(pos * self._step) % self._n]

    def wraps(self, ticks: I64Array) -> I64Array:
        pos = ticks % self._cycle
        return (ticks // self._cycle) * self._per_cycle + (pos * self._step) // self._n

    def mean(self, lo: int, hi: int) -> float | None:
        return _clipped_mean(
            self.values(np.arange(self._cycle, dtype=np.int64)), lo, hi
        )


class _Random(CompiledVar):
    """Uniform random in min..max (or over value_list), one draw per tick."""

    def __init__(self, var: FlowVar, rng: np.random.Generator) -> None:
        self.size = var.size
        self._rng = rng
        self._state = rng.bit_generator.state
        self._list = (
            None if var.value_list is None else np.asarray(var.value_list, np.uint64)
        )
        self._lo, self._hi = var.min_value, var.max_value
        self._tick = TickRandom(self._draw)

    def _draw(self, n: int) -> U64Array:
        if self._list is not None:
            idx = self._rng.integers(0, len(self._list), size=n, dtype=np.int64)
            return self._list[idx]
        return self._rng.integers(
            self._lo, self._hi, size=n, dtype=np.uint64, endpoint=True
        )

    def values(self, ticks: I64Array) -> U64Array:
        return self._tick.values(ticks)

    def reset(self) -> None:
        self._rng.bit_generator.state = self._state
        self._tick = TickRandom(self._draw)

    def mean(self, lo: int, hi: int) -> float | None:
        if self._list is not None:
            return _clipped_mean(self._list, lo, hi)
        a, b = self._lo, self._hi
        below = max(0, min(b, lo - 1) - a + 1)
        above = max(0, b - max(a, hi + 1) + 1)
        mid_lo, mid_hi = max(a, lo), min(b, hi)
        middle = (
            (mid_lo + mid_hi) * (mid_hi - mid_lo + 1) // 2 if mid_hi >= mid_lo else 0
        )
        return (below * lo + above * hi + middle) / (b - a + 1)


class _RandLimit(CompiledVar):
    """``limit`` values drawn once from ``seed``, then repeated."""

    def __init__(self, var: FlowVarRandLimit) -> None:
        assert var.max_value is not None
        self.size = var.size
        rng = np.random.Generator(np.random.PCG64(var.seed))
        self._table = rng.integers(
            var.min_value, var.max_value, size=var.limit, dtype=np.uint64, endpoint=True
        )

    def values(self, ticks: I64Array) -> U64Array:
        return self._table[ticks % len(self._table)]

    def wraps(self, ticks: I64Array) -> I64Array:
        return ticks // len(self._table)

    def mean(self, lo: int, hi: int) -> float | None:
        return _clipped_mean(self._table, lo, hi)


class _TupleCore:
    """Shared by ``<name>.ip`` and ``<name>.port``: one divmod per batch."""

    def __init__(self, var: TupleFlowVar) -> None:
        self.flows = var.flow_count
        self.n_ip = var.ip_max - var.ip_min + 1
        self.n_port = var.port_max - var.port_min + 1
        self.ip_min, self.port_min = var.ip_min, var.port_min
        self._memo: tuple[I64Array, U64Array, U64Array] | None = None

    def both(self, ticks: I64Array) -> tuple[U64Array, U64Array]:
        if self._memo is not None and self._memo[0] is ticks:
            return self._memo[1], self._memo[2]
        ip, port = self._run(ticks) or self._general(ticks)
        self._memo = (ticks, ip, port)
        return ip, port

    def _run(self, ticks: I64Array) -> tuple[U64Array, U64Array] | None:
        """Consecutive ticks within one walk of the IPs: no division per frame."""
        n = len(ticks)
        t0 = int(ticks[0])
        if int(ticks[-1]) - t0 != n - 1:
            return None
        f0 = t0 % self.flows
        q, r = divmod(f0, self.n_ip)
        if f0 + n > self.flows or r + n > self.n_ip:
            return None
        ip = np.arange(r + self.ip_min, r + self.ip_min + n, dtype=np.uint64)
        port = np.full(n, q % self.n_port + self.port_min, dtype=np.uint64)
        return ip, port

    def _general(self, ticks: I64Array) -> tuple[U64Array, U64Array]:
        flow = ticks % self.flows if self.flows <= int(ticks[-1]) else ticks
        q, r = np.divmod(flow, self.n_ip)
        if self.flows > self.n_ip * self.n_port:
            q = q % self.n_port
        ip = (r + self.ip_min).astype(np.uint64)
        port = (q + self.port_min).astype(np.uint64)
        return ip, port


class _TuplePart(CompiledVar):
    """``<name>.ip`` or ``<name>.port`` of a tuple generator."""

    def __init__(self, core: _TupleCore, part: str) -> None:
        self.size = 4 if part == "ip" else 2
        self._core = core
        self._index = 0 if part == "ip" else 1

    def values(self, ticks: I64Array) -> U64Array:
        if ticks.size == 0:
            return np.zeros(0, dtype=np.uint64)
        return self._core.both(ticks)[self._index]


class VarSet:
    """All variables of a program, evaluated together for a batch of frames."""

    def __init__(self, vm: VmProgram, rng_for: dict[str, np.random.Generator]) -> None:
        """Compile ``vm``'s variables; ``rng_for[name]`` feeds random ones."""
        self.vars: dict[str, CompiledVar] = {}
        self._next: dict[str, str] = {}
        for ins in vm.instructions:
            if isinstance(ins, FlowVar):
                if ins.op is FlowVarOp.RANDOM:
                    self.vars[ins.name] = _Random(ins, rng_for[ins.name])
                elif ins.value_list is not None:
                    self.vars[ins.name] = _List(ins)
                else:
                    self.vars[ins.name] = _Counter(ins)
            elif isinstance(ins, FlowVarRandLimit):
                self.vars[ins.name] = _RandLimit(ins)
            elif isinstance(ins, TupleFlowVar):
                core = _TupleCore(ins)
                self.vars[f"{ins.name}.ip"] = _TuplePart(core, "ip")
                self.vars[f"{ins.name}.port"] = _TuplePart(core, "port")
            if isinstance(ins, FlowVar | FlowVarRandLimit) and ins.next_var:
                self._next[ins.name] = ins.next_var
        followers = set(self._next.values())
        self._roots = [name for name in self.vars if name not in followers]

    def evaluate(self, frames: I64Array) -> dict[str, U64Array]:
        """Return every variable's value for the frames with these indices."""
        out: dict[str, U64Array] = {}
        for root in self._roots:
            name: str | None = root
            ticks = frames
            while name is not None:
                var = self.vars[name]
                out[name] = var.values(ticks)
                nxt = self._next.get(name)
                if nxt is not None:
                    ticks = var.wraps(ticks)
                name = nxt
        return out

    def reset(self) -> None:
        """Restart random variables from their seeds."""
        for var in self.vars.values():
            var.reset()
