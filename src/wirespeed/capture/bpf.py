"""Capture filters: tcpdump expressions compiled by libpcap into classic BPF.

libpcap is loaded with ctypes (``libpcap.so.0.8`` from Debian's ``libpcap0.8``; no
headers are needed). An expression is compiled for Ethernet frames
(``pcap_open_dead(DLT_EN10MB)``) and its instructions are copied out into a
:class:`BpfProgram`, a frozen value that any process can attach to a packet socket
(``SO_ATTACH_FILTER``) or run on a frame (``pcap_offline_filter``).

The kernel runs the program on every frame before the frame reaches the socket;
what the program returns is how many bytes of the frame to keep (0: drop it), so the
compiled program also enforces the snap length.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import struct
from dataclasses import dataclass

from wirespeed.errors import ConfigError, PortError

__all__ = [
    "ACCEPT_ALL",
    "DROP_ALL",
    "BpfProgram",
    "compile_filter",
    "direction_guard",
]

DLT_EN10MB = 1
MAX_SNAPLEN = 262144  # libpcap's MAXIMUM_SNAPLEN
BPF_MAXINSNS = 4096  # the most instructions the kernel takes
PCAP_NETMASK_UNKNOWN = 0xFFFFFFFF
SOL_SOCKET = 1
SO_ATTACH_FILTER = 26
SO_DETACH_FILTER = 27
PACKET_OUTGOING = 4

_INSN = struct.Struct("<HBBI")  # struct sock_filter / bpf_insn: code, jt, jf, k
_BPF_RET_K = 0x06
_BPF_LDB_ABS = 0x30  # BPF_LD | BPF_B | BPF_ABS
_BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_SKF_AD_PKTTYPE = 0xFFFFF000 + 4  # SKF_AD_OFF + SKF_AD_PKTTYPE
_LIBPCAP_NAMES = ("libpcap.so.0.8", "libpcap.so.1")
_INSTALL_HINT = "a capture filter needs libpcap: install libpcap0.8 (apt-get install)"


class _BpfInsn(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    )


class _BpfProgramC(ctypes.Structure):
    """``struct bpf_program`` (libpcap) and ``struct sock_fprog`` (kernel) alike:
    a count and a pointer to the instructions."""

    _fields_ = (("len", ctypes.c_uint), ("insns", ctypes.POINTER(_BpfInsn)))


class _PcapPkthdr(ctypes.Structure):
    _fields_ = (
        ("tv_sec", ctypes.c_long),
        ("tv_usec", ctypes.c_long),
        ("caplen", ctypes.c_uint32),
        ("len", ctypes.c_uint32),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


@functools.cache
def _libpcap() -> ctypes.CDLL:
    """Load libpcap once and declare the functions used."""
    names = [n for n in (ctypes.util.find_library("pcap"),) if n] + list(_LIBPCAP_NAMES)
    lib = None
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        raise ConfigError(_INSTALL_HINT, field="filter")
    lib.pcap_open_dead.argtypes = (ctypes.c_int, ctypes.c_int)
    lib.pcap_open_dead.restype = ctypes.c_void_p
    lib.pcap_compile.argtypes = (
        ctypes.c_void_p,
        ctypes.POINTER(_BpfProgramC),
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_uint32,
    )
    lib.pcap_compile.restype = ctypes.c_int
    lib.pcap_geterr.argtypes = (ctypes.c_void_p,)
    lib.pcap_geterr.restype = ctypes.c_char_p
    lib.pcap_freecode.argtypes = (ctypes.POINTER(_BpfProgramC),)
    lib.pcap_freecode.restype = None
    lib.pcap_close.argtypes = (ctypes.c_void_p,)
    lib.pcap_close.restype = None
    lib.pcap_offline_filter.argtypes = (
        ctypes.POINTER(_BpfProgramC),
        ctypes.POINTER(_PcapPkthdr),
        ctypes.c_char_p,
    )
    lib.pcap_offline_filter.restype = ctypes.c_int
    return lib


@functools.cache
def _libc() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    lib.setsockopt.argtypes = (
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_uint32,
    )
    lib.setsockopt.restype = ctypes.c_int
    return lib


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return _INSN.pack(code, jt, jf, k)


@dataclass(frozen=True)
class BpfProgram:
    """A classic BPF program: its instructions, 8 bytes each.

    Attributes:
        insns: the ``struct sock_filter`` array, little-endian as the kernel reads
            it on this machine (code u16, jt u8, jf u8, k u32).
        expr: the expression it was compiled from (for messages and reports).
    """

    insns: bytes
    expr: str = ""

    def __post_init__(self) -> None:
        n, rest = divmod(len(self.insns), _INSN.size)
        if rest or not 1 <= n <= BPF_MAXINSNS:
            raise ConfigError(
                f"a BPF program is 1 to {BPF_MAXINSNS} instructions of "
                f"{_INSN.size} bytes, not {len(self.insns)} bytes",
                field="filter",
            )

    def __len__(self) -> int:
        return len(self.insns) // _INSN.size

    def instructions(self) -> list[tuple[int, int, int, int]]:
        """The instructions as ``(code, jt, jf, k)`` tuples."""
        return list(_INSN.iter_unpack(self.insns))

    def _c_program(self) -> tuple[_BpfProgramC, ctypes.Array[ctypes.c_char]]:
        buf = ctypes.create_string_buffer(self.insns, len(self.insns))
        prog = _BpfProgramC(len(self), ctypes.cast(buf, ctypes.POINTER(_BpfInsn)))
        return prog, buf

    def attach(self, sock_fd: int) -> None:
        """Attach the program to a socket (``SO_ATTACH_FILTER``), replacing the
        filter it had.

        Raises:
            PortError: the kernel refused it (with its reason).
        """
        buf = ctypes.create_string_buffer(self.insns, len(self.insns))
        fprog = _SockFprog(len(self), ctypes.addressof(buf))
        rc = _libc().setsockopt(
            sock_fd,
            SOL_SOCKET,
            SO_ATTACH_FILTER,
            ctypes.addressof(fprog),
            ctypes.sizeof(fprog),
        )
        if rc != 0:
            err = ctypes.get_errno()
            raise PortError(f"cannot attach filter {self.expr!r}: {os.strerror(err)}")

    def matches(self, frame: bytes, *, orig_len: int | None = None) -> int:
        """Run the program on one Ethernet frame in user space (libpcap).

        Returns:
            How many bytes of the frame the program keeps: 0 if it drops it.
        """
        prog, _keep = self._c_program()
        wire = len(frame) if orig_len is None else orig_len
        hdr = _PcapPkthdr(0, 0, len(frame), wire)
        return int(_libpcap().pcap_offline_filter(prog, hdr, frame))


ACCEPT_ALL = BpfProgram(_insn(_BPF_RET_K, 0, 0, MAX_SNAPLEN), "")
"""Keeps every frame whole (up to libpcap's largest snap length)."""
DROP_ALL = BpfProgram(_insn(_BPF_RET_K, 0, 0, 0), "<drop all>")
"""Drops every frame."""


def compile_filter(expr: str, *, snaplen: int = MAX_SNAPLEN) -> BpfProgram:
    """Compile a tcpdump filter expression for Ethernet frames.

    Args:
        expr: the expression (pcap-filter syntax); empty or blank keeps every frame.
        snaplen: bytes of each matching frame the program keeps.

    Returns:
        The optimised program.

    Raises:
        ConfigError: (``field="filter"``) the expression does not compile (the
            message is libpcap's), or libpcap is not installed.
    """
    if not 1 <= snaplen <= MAX_SNAPLEN:
        raise ConfigError(f"snaplen {snaplen}: 1 to {MAX_SNAPLEN}", field="snaplen")
    if not expr.strip():
        return BpfProgram(_insn(_BPF_RET_K, 0, 0, snaplen), "")
    lib = _libpcap()
    handle = lib.pcap_open_dead(DLT_EN10MB, snaplen)
    if not handle:
        raise ConfigError("libpcap could not open a dead handle", field="filter")
    try:
        prog = _BpfProgramC()
        rc = lib.pcap_compile(
            handle, ctypes.byref(prog), expr.encode(), 1, PCAP_NETMASK_UNKNOWN
        )
        if rc != 0:
            msg = (lib.pcap_geterr(handle) or b"does not compile").decode(
                errors="replace"
            )
            raise ConfigError(msg, field="filter")
        try:
            insns = ctypes.string_at(prog.insns, prog.len * _INSN.size)
        finally:
            lib.pcap_freecode(ctypes.byref(prog))
    finally:
        lib.pcap_close(handle)
    return BpfProgram(insns, expr)


def direction_guard(program: BpfProgram, *, outgoing: bool) -> BpfProgram:
    """The program, run only on frames of one direction (the others are dropped).

    Three instructions are put in front: load the frame's packet type (the kernel's
    ancillary ``SKF_AD_PKTTYPE``), compare it with ``PACKET_OUTGOING``, drop the
    frame when the direction is the other one. The program's own jumps are relative
    and stay valid.
    """
    jt, jf = (1, 0) if outgoing else (0, 1)  # equal: outgoing; 1 skips the drop
    head = (
        _insn(_BPF_LDB_ABS, 0, 0, _SKF_AD_PKTTYPE)
        + _insn(_BPF_JEQ_K, jt, jf, PACKET_OUTGOING)
        + _insn(_BPF_RET_K, 0, 0, 0)
    )
    return BpfProgram(head + program.insns, program.expr)
