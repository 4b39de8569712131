"""pcap and pcapng files: a batch of frames written at once, and read back.

A batch is a :class:`CapturedFrames`: one uint8 buffer holding the frames' bytes and,
per frame, where its bytes start, how many were captured, its length on the wire, its
time (ns) and its direction. The encoders lay out the records of a whole batch with
numpy (a structured array of record headers, one scatter of all the frame bytes), so
no Python code runs per frame.

Files written here:

- pcap: the nanosecond magic ``0xa1b23c4d``, link type 1 (Ethernet), little-endian.
- pcapng: a section header block, one interface description block (link type 1, the
  snap length, ``if_name`` and ``if_tsresol`` = 9, nanoseconds) and one enhanced
  packet block per frame carrying ``epb_flags`` with its direction (1 inbound,
  2 outbound).

:func:`read_capture` reads both formats (either byte order, any time resolution);
walking from record to record is one small Python step each, the frame bytes stay
where they are in the file's buffer. A file that is still being written reads up to
its last complete record.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from wirespeed._version import __version__
from wirespeed.errors import ParseError, PortError

__all__ = [
    "CaptureFormat",
    "CaptureWriter",
    "CapturedFrames",
    "Direction",
    "concat",
    "copy_runs",
    "decode_capture",
    "encode_header",
    "encode_records",
    "put_rows",
    "read_capture",
]

LINKTYPE_ETHERNET = 1
PCAP_MAGIC_NS = 0xA1B23C4D
PCAP_MAGIC_US = 0xA1B2C3D4
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_IDB = 0x00000001
PCAPNG_SPB = 0x00000003
PCAPNG_EPB = 0x00000006
PCAPNG_BYTE_ORDER = 0x1A2B3C4D
_OPT_END = 0
_OPT_SHB_USERAPPL = 4
_OPT_IF_NAME = 2
_OPT_IF_TSRESOL = 9
_OPT_IF_FCSLEN = 13
_OPT_EPB_FLAGS = 2
_NS = 1_000_000_000

I64 = npt.NDArray[np.int64]


class Direction(enum.IntEnum):
    """A frame's direction, as pcapng's ``epb_flags`` bits 0-1 spell it."""

    UNKNOWN = 0
    INBOUND = 1
    OUTBOUND = 2


class CaptureFormat(enum.Enum):
    """The file format of a capture."""

    PCAPNG = "pcapng"
    PCAP = "pcap"


@dataclass(frozen=True)
class CapturedFrames:
    """Frames and their metadata, one array element per frame.

    Attributes:
        data: the frames' bytes (any layout; frame ``i`` is
            ``data[offsets[i] : offsets[i] + cap_len[i]]``).
        offsets: where each frame starts in ``data``.
        cap_len: bytes captured (at most the snap length).
        orig_len: bytes the frame had on the wire (without FCS).
        ts_ns: the time it was seen, ns since the epoch.
        direction: a :class:`Direction` value per frame (uint8).
    """

    data: npt.NDArray[np.uint8]
    offsets: I64
    cap_len: I64
    orig_len: I64
    ts_ns: I64
    direction: npt.NDArray[np.uint8]

    def __len__(self) -> int:
        return len(self.offsets)

    def frame(self, i: int) -> bytes:
        """The captured bytes of frame ``i``."""
        start = int(self.offsets[i])
        return self.data[start : start + int(self.cap_len[i])].tobytes()

    def head(self, n: int) -> CapturedFrames:
        """The first ``n`` frames (views, no copy)."""
        return CapturedFrames(
            self.data,
            self.offsets[:n],
            self.cap_len[:n],
            self.orig_len[:n],
            self.ts_ns[:n],
            self.direction[:n],
        )

    def tail(self, n: int) -> CapturedFrames:
        """The last ``n`` frames (views, no copy)."""
        k = max(0, len(self) - n)
        return CapturedFrames(
            self.data,
            self.offsets[k:],
            self.cap_len[k:],
            self.orig_len[k:],
            self.ts_ns[k:],
            self.direction[k:],
        )

    @classmethod
    def empty(cls) -> CapturedFrames:
        """No frames."""
        z = np.zeros(0, dtype=np.int64)
        return cls(np.zeros(0, np.uint8), z, z, z, z, np.zeros(0, np.uint8))

    @classmethod
    def from_frames(
        cls,
        frames: Sequence[bytes],
        *,
        ts_ns: npt.ArrayLike = 0,
        direction: npt.ArrayLike = Direction.UNKNOWN,
        orig_len: npt.ArrayLike | None = None,
    ) -> CapturedFrames:
        """A batch from separate frames (tests, tools); scalars apply to all."""
        n = len(frames)
        cap = np.fromiter((len(f) for f in frames), dtype=np.int64, count=n)
        offsets = np.zeros(n, dtype=np.int64)
        np.cumsum(cap[:-1], out=offsets[1:])
        data = np.frombuffer(b"".join(frames), dtype=np.uint8)
        return cls(
            data,
            offsets,
            cap,
            cap.copy() if orig_len is None else _per_frame(orig_len, n, np.int64),
            _per_frame(ts_ns, n, np.int64),
            _per_frame(direction, n, np.uint8),
        )


def _per_frame(value: npt.ArrayLike, n: int, dtype: type[np.generic]) -> np.ndarray:
    out = np.empty(n, dtype=dtype)
    out[:] = value
    return out


def concat(parts: Sequence[CapturedFrames]) -> CapturedFrames:
    """One batch holding the frames of several, in order (frame bytes are copied)."""
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return CapturedFrames.empty()
    bases = np.cumsum([0] + [len(p.data) for p in parts[:-1]])
    return CapturedFrames(
        np.concatenate([p.data for p in parts]),
        np.concatenate([p.offsets + b for p, b in zip(parts, bases, strict=True)]),
        np.concatenate([p.cap_len for p in parts]),
        np.concatenate([p.orig_len for p in parts]),
        np.concatenate([p.ts_ns for p in parts]),
        np.concatenate([p.direction for p in parts]),
    )


# -- encoding ------------------------------------------------------------------

_PCAP_REC = np.dtype(
    [("sec", "<u4"), ("nsec", "<u4"), ("incl", "<u4"), ("orig", "<u4")]
)
_EPB_HEAD = np.dtype(
    [
        ("type", "<u4"),
        ("total", "<u4"),
        ("ifid", "<u4"),
        ("ts_hi", "<u4"),
        ("ts_lo", "<u4"),
        ("cap", "<u4"),
        ("orig", "<u4"),
    ]
)
_EPB_TAIL = np.dtype(
    [
        ("opt", "<u2"),
        ("optlen", "<u2"),
        ("flags", "<u4"),
        ("end", "<u4"),
        ("total", "<u4"),
    ]
)


def _option(code: int, value: bytes) -> bytes:
    pad = -len(value) % 4
    return struct.pack("<HH", code, len(value)) + value + bytes(pad)


def _block(block_type: int, body: bytes) -> bytes:
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def encode_header(
    fmt: CaptureFormat, *, snaplen: int, ifname: str = "", fcs_len: int = 0
) -> bytes:
    """The bytes a capture file starts with.

    pcap: the file header. pcapng: a section header block and the interface
    description block of the one interface (``ifname``, nanosecond timestamps).
    ``fcs_len`` (0 or 4): the frames end with their FCS (pcap: the link type's
    FCS bits; pcapng: ``if_fcslen``).
    """
    if fmt is CaptureFormat.PCAP:
        linktype = LINKTYPE_ETHERNET
        if fcs_len:  # the "F" bit and the FCS length in 16-bit words
            linktype |= (1 << 28) | ((fcs_len // 2) << 29)
        return struct.pack("<IHHiIII", PCAP_MAGIC_NS, 2, 4, 0, 0, snaplen, linktype)
    shb = _block(
        PCAPNG_SHB,
        struct.pack("<IHHq", PCAPNG_BYTE_ORDER, 1, 0, -1)
        + _option(_OPT_SHB_USERAPPL, f"wirespeed {__version__}".encode())
        + _option(_OPT_END, b""),
    )
    opts = _option(_OPT_IF_TSRESOL, bytes([9]))
    if fcs_len:
        opts += _option(_OPT_IF_FCSLEN, bytes([fcs_len]))
    if ifname:
        opts = _option(_OPT_IF_NAME, ifname.encode()) + opts
    idb = _block(
        PCAPNG_IDB,
        struct.pack("<HHI", LINKTYPE_ETHERNET, 0, snaplen)
        + opts
        + _option(_OPT_END, b""),
    )
    return shb + idb


def encode_records(fmt: CaptureFormat, frames: CapturedFrames) -> npt.NDArray[np.uint8]:
    """The records of a batch of frames, laid out with numpy in one go."""
    n = len(frames)
    cap = frames.cap_len
    if fmt is CaptureFormat.PCAP:
        head = np.zeros(n, dtype=_PCAP_REC)
        head["sec"] = frames.ts_ns // _NS
        head["nsec"] = frames.ts_ns % _NS
        head["incl"] = cap
        head["orig"] = frames.orig_len
        return _assemble(
            head.view(np.uint8).reshape(n, _PCAP_REC.itemsize), frames, 1, None
        )
    padded = (cap + 3) & ~3
    total = _EPB_HEAD.itemsize + padded + _EPB_TAIL.itemsize
    head = np.zeros(n, dtype=_EPB_HEAD)
    head["type"] = PCAPNG_EPB
    head["total"] = total
    head["ts_hi"] = frames.ts_ns >> 32
    head["ts_lo"] = frames.ts_ns & 0xFFFFFFFF
    head["cap"] = cap
    head["orig"] = frames.orig_len
    tail = np.zeros(n, dtype=_EPB_TAIL)
    tail["opt"] = _OPT_EPB_FLAGS
    tail["optlen"] = 4
    tail["flags"] = frames.direction & 3
    tail["total"] = total
    return _assemble(
        head.view(np.uint8).reshape(n, _EPB_HEAD.itemsize),
        frames,
        4,
        tail.view(np.uint8).reshape(n, _EPB_TAIL.itemsize),
    )


def _assemble(
    heads: npt.NDArray[np.uint8],
    frames: CapturedFrames,
    align: int,
    tails: npt.NDArray[np.uint8] | None,
) -> npt.NDArray[np.uint8]:
    """Records ``head + frame bytes + zeros to a multiple of align + tail``."""
    n, h = heads.shape
    t = 0 if tails is None else tails.shape[1]
    cap = frames.cap_len
    padded = (cap + (align - 1)) // align * align
    sizes = h + padded + t
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    put_rows(out, starts, heads)
    if tails is not None:
        put_rows(out, starts + h + padded, tails)
    copy_runs(out, starts + h, frames.data, frames.offsets, cap)
    return out


def copy_runs(
    out: npt.NDArray[np.uint8],
    dst: I64,
    src: npt.NDArray[np.uint8],
    starts: I64,
    lengths: I64,
) -> None:
    """Copy ``lengths[i]`` bytes from ``src[starts[i]:]`` to ``out[dst[i]:]`` for
    every ``i`` (the runs in ``out`` must not overlap).

    Runs of one length are copied as rows (one gather and one scatter of whole
    rows); when there are many lengths for the bytes moved, byte by byte.
    """
    n = len(lengths)
    if n == 0:
        return
    sizes, group = np.unique(lengths, return_inverse=True)
    if len(sizes) * _BYTES_PER_ROW_GROUP > int(lengths.sum()):
        before = np.zeros(n, dtype=np.int64)  # bytes of the runs before run i
        np.cumsum(lengths[:-1], out=before[1:])
        k = np.arange(int(lengths.sum()), dtype=np.int64)
        out[k + np.repeat(dst - before, lengths)] = src[
            k + np.repeat(starts - before, lengths)
        ]
        return
    for g, size in enumerate(sizes.tolist()):
        if size:
            sel = np.flatnonzero(group == g)
            put_rows(out, dst[sel], sliding_window_view(src, size)[starts[sel]])


_BYTES_PER_ROW_GROUP = 4096  # copying a group of rows costs about this many bytes


def put_rows(out: npt.NDArray[np.uint8], dst: I64, rows: npt.NDArray[np.uint8]) -> None:
    """Write row ``i`` of ``rows`` at ``out[dst[i]:]`` (the places must not
    overlap)."""
    width = rows.shape[1]
    if len(dst) == 0 or width == 0:
        return
    view = as_strided(out, shape=(len(out) - width + 1, width), strides=(1, 1))
    view[dst] = rows


class CaptureWriter:
    """A capture file being written, one batch at a time.

    The header is written when the file is opened and every batch goes straight to
    the file (no buffering here), so a reader always finds whole records.

    Args:
        path: the file (created or truncated).
        fmt: pcap or pcapng.
        snaplen: the snap length recorded in the header.
        ifname: the interface name recorded in a pcapng file.

    Raises:
        PortError: the file cannot be created or written.
    """

    def __init__(
        self, path: Path, fmt: CaptureFormat, *, snaplen: int, ifname: str = ""
    ) -> None:
        self.path = path
        self.fmt = fmt
        try:
            self._fh: BinaryIO = open(path, "wb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise PortError(f"cannot create capture file {path}: {exc}") from exc
        self.bytes_written = 0
        self._put(encode_header(fmt, snaplen=snaplen, ifname=ifname))

    def write(self, frames: CapturedFrames) -> None:
        """Append the records of a batch."""
        if len(frames):
            self._put(encode_records(self.fmt, frames))

    def _put(self, data: bytes | npt.NDArray[np.uint8]) -> None:
        view = (memoryview(data) if isinstance(data, bytes) else data.data).cast("B")
        try:
            while view:
                done = self._fh.write(view)
                view = view[done:]
                self.bytes_written += done
        except OSError as exc:
            raise PortError(f"cannot write capture file {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


# -- decoding ------------------------------------------------------------------


def read_capture(path: Path) -> CapturedFrames:
    """Read a pcap or pcapng file, up to its last complete record.

    Raises:
        ParseError: the file is neither pcap nor pcapng, or is malformed.
    """
    size = path.stat().st_size
    if size == 0:
        return CapturedFrames.empty()
    buf = np.memmap(path, dtype=np.uint8, mode="r", shape=(size,))
    return decode_capture(buf)


def decode_capture(buf: npt.NDArray[np.uint8]) -> CapturedFrames:
    """Decode the records of a pcap or pcapng file held in ``buf``; the frames'
    bytes stay in ``buf``. A partial last record (or header) is left out.

    Raises:
        ParseError: the file is neither pcap nor pcapng, or is malformed.
    """
    buf = np.ascontiguousarray(buf, dtype=np.uint8).reshape(-1)
    mv = buf.data.cast("B")
    if len(mv) < 4:
        return CapturedFrames.empty()
    (magic,) = struct.unpack_from("<I", mv, 0)
    walk = _walk_pcapng if magic == PCAPNG_SHB else _walk_pcap
    offsets, cap, orig, ts, direction = walk(mv)
    return CapturedFrames(
        buf,
        np.array(offsets, dtype=np.int64),
        np.array(cap, dtype=np.int64),
        np.array(orig, dtype=np.int64),
        np.array(ts, dtype=np.int64),
        np.array(direction, dtype=np.uint8),
    )


_Columns = tuple[list[int], list[int], list[int], list[int], list[int]]


def _walk_pcap(mv: memoryview) -> _Columns:
    magics = {
        (PCAP_MAGIC_NS, "<"): 1,
        (PCAP_MAGIC_US, "<"): 1000,
        (PCAP_MAGIC_NS, ">"): 1,
        (PCAP_MAGIC_US, ">"): 1000,
    }
    for order in "<>":
        (magic,) = struct.unpack_from(order + "I", mv, 0)
        scale = magics.get((magic, order))
        if scale is not None:
            break
    else:
        raise ParseError(
            f"not a pcap or pcapng file (magic 0x{magic:08x})", layer="pcap"
        )
    if len(mv) < 24:
        return [], [], [], [], []
    (linktype,) = struct.unpack_from(order + "I", mv, 20)
    if linktype & 0xFFFF != LINKTYPE_ETHERNET:
        raise ParseError(f"link type {linktype}: only Ethernet (1)", layer="pcap")
    rec = struct.Struct(order + "IIII")
    offsets: list[int] = []
    cap: list[int] = []
    orig: list[int] = []
    ts: list[int] = []
    pos, end = 24, len(mv)
    while pos + 16 <= end:
        sec, frac, incl, wire = rec.unpack_from(mv, pos)
        if pos + 16 + incl > end:
            break
        offsets.append(pos + 16)
        cap.append(incl)
        orig.append(wire)
        ts.append(sec * _NS + frac * scale)
        pos += 16 + incl
    return offsets, cap, orig, ts, [Direction.UNKNOWN] * len(offsets)


def _walk_pcapng(mv: memoryview) -> _Columns:
    offsets: list[int] = []
    cap: list[int] = []
    orig: list[int] = []
    ts: list[int] = []
    direction: list[int] = []
    order = "<"
    resol: list[tuple[int, int]] = []  # per interface: (multiply, divide) to ns
    pos, end = 0, len(mv)
    while pos + 12 <= end:
        (block_type,) = struct.unpack_from(order + "I", mv, pos)
        if block_type == PCAPNG_SHB:
            (bom,) = struct.unpack_from("<I", mv, pos + 8)
            order = "<" if bom == PCAPNG_BYTE_ORDER else ">"
            resol = []
        (total,) = struct.unpack_from(order + "I", mv, pos + 4)
        if total < 12 or total % 4:
            raise ParseError(f"pcapng block of {total} bytes", offset=pos, layer="pcap")
        if pos + total > end:
            break
        if block_type == PCAPNG_IDB:
            resol.append(_if_tsresol(mv, order, pos + 16, pos + total - 4))
        elif block_type == PCAPNG_EPB:
            ifid, hi, lo, incl, wire = struct.unpack_from(order + "IIIII", mv, pos + 8)
            if ifid >= len(resol):
                raise ParseError(f"no interface {ifid}", offset=pos, layer="pcap")
            mul, div = resol[ifid]
            offsets.append(pos + 28)
            cap.append(incl)
            orig.append(wire)
            ts.append(((hi << 32) | lo) * mul // div)
            opts = pos + 28 + ((incl + 3) & ~3)
            direction.append(_epb_direction(mv, order, opts, pos + total - 4))
        elif block_type == PCAPNG_SPB:
            (wire,) = struct.unpack_from(order + "I", mv, pos + 8)
            offsets.append(pos + 12)
            cap.append(min(wire, total - 16))
            orig.append(wire)
            ts.append(0)
            direction.append(Direction.UNKNOWN)
        pos += total
    return offsets, cap, orig, ts, direction


def _options(mv: memoryview, order: str, pos: int, end: int) -> list[tuple[int, int]]:
    """``(code, where its value starts)`` of each option in ``[pos, end)``."""
    out: list[tuple[int, int]] = []
    while pos + 4 <= end:
        code, length = struct.unpack_from(order + "HH", mv, pos)
        if code == _OPT_END:
            break
        out.append((code, pos + 4))
        pos += 4 + ((length + 3) & ~3)
    return out


def _if_tsresol(mv: memoryview, order: str, pos: int, end: int) -> tuple[int, int]:
    """An interface's time unit as ``(multiply, divide)`` giving ns (default µs)."""
    for code, at in _options(mv, order, pos, end):
        if code == _OPT_IF_TSRESOL:
            v = mv[at]
            if v & 0x80:
                return _NS, 1 << (v & 0x7F)
            return (10 ** (9 - v), 1) if v <= 9 else (1, 10 ** (v - 9))
    return 1000, 1


def _epb_direction(mv: memoryview, order: str, pos: int, end: int) -> int:
    for code, at in _options(mv, order, pos, end):
        if code == _OPT_EPB_FLAGS:
            (flags,) = struct.unpack_from(order + "I", mv, at)
            return int(flags & 3)
    return Direction.UNKNOWN
