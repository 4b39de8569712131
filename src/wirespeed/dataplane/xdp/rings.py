"""AF_XDP rings as numpy arrays: no Python per frame.

A ring is a power-of-two array of entries (UMEM addresses for the fill and
completion rings, ``struct xdp_desc`` for RX and TX) and two free-running 32-bit
indices in memory shared with the kernel: the producer writes entries, then moves
its index; the consumer reads entries up to it, then moves its own. Each ring has
one producer and one consumer, here one process. On x86-64 stores are seen in
program order and every numpy call is a separate C call, so entries written by one
call are visible before the index written by the next (the release of
``xsk_ring_prod__submit``).
"""

from __future__ import annotations

import ctypes
import mmap
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DESC", "ConsumerRing", "ProducerRing", "address_of", "view"]

DESC = np.dtype([("addr", np.uint64), ("len", np.uint32), ("options", np.uint32)])
"""``struct xdp_desc``: an RX or TX ring's entry."""
_M32 = 0xFFFFFFFF


def view(addr: int, dtype: npt.DTypeLike, count: int) -> npt.NDArray[Any]:
    """``count`` items of ``dtype`` at address ``addr`` (memory someone else keeps
    mapped for as long as the view is used)."""
    dt = np.dtype(dtype)
    buf = (ctypes.c_char * (dt.itemsize * count)).from_address(addr)
    out: npt.NDArray[Any] = np.frombuffer(memoryview(buf), dtype=dt, count=count)
    return out


def address_of(mm: mmap.mmap) -> int:
    """Where a memory map starts (no export of it is kept: it can be closed)."""
    anchor = ctypes.c_char.from_buffer(mm)
    addr = ctypes.addressof(anchor)
    del anchor
    return addr


class _Ring:
    def __init__(
        self,
        producer: int,
        consumer: int,
        ring: int,
        flags: int,
        size: int,
        dtype: npt.DTypeLike,
    ) -> None:
        if size <= 0 or size & (size - 1):
            raise ValueError(f"ring size {size}: a power of two")
        self.size = size
        self.mask = size - 1
        # the indices as ctypes words: a read costs 0.04 us, a numpy element 0.1
        self.prod = ctypes.c_uint32.from_address(producer)
        self.cons = ctypes.c_uint32.from_address(consumer)
        self.flags = ctypes.c_uint32.from_address(flags)
        self.entries = view(ring, dtype, size)

    def _span(self, first: int, n: int) -> tuple[slice, slice | None]:
        """Positions ``first...first + n - 1`` as one or two slices of the array."""
        a = first & self.mask
        if a + n <= self.size:
            return slice(a, a + n), None
        return slice(a, self.size), slice(0, a + n - self.size)


class ProducerRing(_Ring):
    """A ring this process fills (fill, TX)."""

    def free(self) -> int:
        """Entries that may be written now."""
        return self.size - ((self.prod.value - self.cons.value) & _M32)

    def pending(self) -> int:
        """Entries written and not yet taken by the kernel."""
        return (self.prod.value - self.cons.value) & _M32

    def put(self, values: npt.NDArray[Any]) -> None:
        """Write ``values`` (at most :meth:`free` of them) and hand them over."""
        n = len(values)
        if n == 0:
            return
        p = self.prod.value
        first, second = self._span(p, n)
        k = first.stop - first.start
        self.entries[first] = values[:k]
        if second is not None:
            self.entries[second] = values[k:]
        self.prod.value = (p + n) & _M32

    def submit(self, n: int) -> None:
        """Hand over the next ``n`` entries, written in place already."""
        self.prod.value = (self.prod.value + n) & _M32

    def needs_wakeup(self) -> bool:
        """The kernel asks for a system call to go on (``XDP_RING_NEED_WAKEUP``)."""
        return bool(self.flags.value & 1)


class ConsumerRing(_Ring):
    """A ring the kernel fills for this process (RX, completion)."""

    def ready(self) -> int:
        """Entries waiting to be read."""
        return (self.prod.value - self.cons.value) & _M32

    def take(self, n: int) -> npt.NDArray[Any]:
        """Copies of the next ``n`` entries (at most :meth:`ready`); they stay in
        the ring until :meth:`release`."""
        c = self.cons.value
        first, second = self._span(c, n)
        if second is None:
            return self.entries[first].copy()
        return np.concatenate((self.entries[first], self.entries[second]))

    def release(self, n: int) -> None:
        """Give the next ``n`` entries back to the kernel."""
        self.cons.value = (self.cons.value + n) & _M32
