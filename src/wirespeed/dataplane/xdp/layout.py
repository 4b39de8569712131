"""How a port's AF_XDP UMEM is cut (plain data, passed between its workers)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["XskLayout"]


@dataclass(frozen=True)
class XskLayout:
    """How a port's UMEM is cut, and the socket's rings (passed to the TX worker
    with the descriptors)."""

    size: int  # bytes of the UMEM
    frame_size: int
    rx_frames: int  # frames 0...rx_frames - 1: the receiver's
    tx_frames: int  # the next ones: the sender's
    tx_ring: int  # entries of the TX ring
    comp_ring: int  # and of the completion ring
    zero_copy: bool

    @property
    def mode(self) -> str:
        """``zero-copy`` or ``copy``."""
        return "zero-copy" if self.zero_copy else "copy"
