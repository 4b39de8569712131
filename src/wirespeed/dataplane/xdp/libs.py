"""ctypes bindings to Debian's libxdp (AF_XDP sockets) and libbpf (XDP programs).

Only the calls the AF_XDP driver makes are bound. The rings' access functions of
``xdp/xsk.h`` are inline in C and so not in the library: :mod:`.rings` works the
rings with numpy over the pointers these calls fill in.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

from wirespeed.errors import PortError

__all__ = [
    "SOL_XDP",
    "XDP_COPY",
    "XDP_USE_NEED_WAKEUP",
    "XDP_ZEROCOPY",
    "XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD",
    "Libs",
    "XskRing",
    "XskSocketConfig",
    "XskUmemConfig",
    "libc",
    "libs",
]

SOL_XDP = 283
XDP_MMAP_OFFSETS = 1
XDP_STATISTICS = 7
XDP_COPY = 1 << 1
XDP_ZEROCOPY = 1 << 2
XDP_USE_NEED_WAKEUP = 1 << 3
XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD = 1 << 0


class XskRing(ctypes.Structure):
    """``struct xsk_ring_prod`` / ``xsk_ring_cons`` (the same layout)."""

    _fields_ = [
        ("cached_prod", ctypes.c_uint32),
        ("cached_cons", ctypes.c_uint32),
        ("mask", ctypes.c_uint32),
        ("size", ctypes.c_uint32),
        ("producer", ctypes.c_void_p),
        ("consumer", ctypes.c_void_p),
        ("ring", ctypes.c_void_p),
        ("flags", ctypes.c_void_p),
    ]


class XskUmemConfig(ctypes.Structure):
    """``struct xsk_umem_config``."""

    _fields_ = [
        ("fill_size", ctypes.c_uint32),
        ("comp_size", ctypes.c_uint32),
        ("frame_size", ctypes.c_uint32),
        ("frame_headroom", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
    ]


class XskSocketConfig(ctypes.Structure):
    """``struct xsk_socket_config``."""

    _fields_ = [
        ("rx_size", ctypes.c_uint32),
        ("tx_size", ctypes.c_uint32),
        ("libxdp_flags", ctypes.c_uint32),
        ("xdp_flags", ctypes.c_uint32),
        ("bind_flags", ctypes.c_uint16),
    ]


_vp = ctypes.c_void_p
_i = ctypes.c_int
_u32 = ctypes.c_uint32
_SIGNATURES: dict[str, tuple[list[object], object]] = {
    # libxdp
    "xsk_umem__create": ([_vp, _vp, ctypes.c_uint64, _vp, _vp, _vp], _i),
    "xsk_socket__create": ([_vp, ctypes.c_char_p, _u32, _vp, _vp, _vp, _vp], _i),
    "xsk_socket__fd": ([_vp], _i),
    "xsk_socket__update_xskmap": ([_vp, _i], _i),
    "xsk_socket__delete": ([_vp], None),
    "xsk_umem__delete": ([_vp], _i),
    # libbpf
    "bpf_object__open_file": ([ctypes.c_char_p, _vp], _vp),
    "bpf_object__load": ([_vp], _i),
    "bpf_object__close": ([_vp], None),
    "bpf_object__find_program_by_name": ([_vp, ctypes.c_char_p], _vp),
    "bpf_object__find_map_fd_by_name": ([_vp, ctypes.c_char_p], _i),
    "bpf_program__fd": ([_vp], _i),
    "bpf_map_update_elem": ([_i, _vp, _vp, ctypes.c_uint64], _i),
    "bpf_program__attach_xdp": ([_vp, _i], _vp),
    "bpf_link__destroy": ([_vp], _i),
    "libbpf_get_error": ([_vp], ctypes.c_long),
    "libbpf_set_print": ([_vp], _vp),
}


class Libs:
    """The two libraries, their functions typed."""

    def __init__(self, xdp: ctypes.CDLL, bpf: ctypes.CDLL) -> None:
        self.xdp = xdp
        self.bpf = bpf
        for name, (args, res) in _SIGNATURES.items():
            lib = xdp if name.startswith("xsk_") else bpf
            fn = getattr(lib, name)
            fn.argtypes = args
            fn.restype = res
        # libbpf prints its own errors on stderr: ours name the port instead
        self.bpf.libbpf_set_print(None)

    def check(self, rc: int, what: str, ifname: str) -> None:
        """Raise :class:`PortError` for a negative errno return ``rc``."""
        if rc < 0:
            raise PortError(f"{ifname}: {what}: {os.strerror(-rc)}")


def _load(names: tuple[str, ...]) -> ctypes.CDLL:
    for name in names:
        path = ctypes.util.find_library(name)
        for candidate in (path, f"lib{name}.so.1"):
            if candidate is None:
                continue
            try:
                return ctypes.CDLL(candidate, use_errno=True)
            except OSError:
                continue
    raise OSError(f"lib{names[0]} not found")


@functools.cache
def libs() -> Libs:
    """The libraries, loaded once.

    Raises:
        PortError: libxdp or libbpf is not installed (Debian: ``libxdp1``,
            ``libbpf1``).
    """
    try:
        return Libs(_load(("xdp",)), _load(("bpf",)))
    except (OSError, AttributeError) as exc:
        raise PortError(
            f"AF_XDP needs libxdp and libbpf (apt-get install libxdp1 libbpf1): {exc}"
        ) from exc


libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
libc.getsockopt.argtypes = [_i, _i, _i, _vp, _vp]
libc.getsockopt.restype = _i
