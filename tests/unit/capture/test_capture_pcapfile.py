"""pcap and pcapng files: what tshark reads from them, and reading them back."""

from __future__ import annotations

import struct
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from capframes import tshark_fields, udp_frame

from wirespeed.capture.pcapfile import (
    CapturedFrames,
    CaptureFormat,
    CaptureWriter,
    Direction,
    concat,
    copy_runs,
    decode_capture,
    encode_header,
    encode_records,
    read_capture,
)
from wirespeed.errors import ParseError

T0 = 1_700_000_000_123_456_789
FRAMES = [udp_frame(9, bytes(5)), udp_frame(10), udp_frame(11, bytes(range(33)))]
BATCH = CapturedFrames.from_frames(
    FRAMES,
    ts_ns=[T0, T0 + 1_000_000_001, T0 + 2],
    direction=[Direction.INBOUND, Direction.OUTBOUND, Direction.INBOUND],
    orig_len=[47, 42, 1500],  # the last one was cut by a snap length
)


def _write(path: Path, fmt: CaptureFormat, *batches: CapturedFrames) -> Path:
    w = CaptureWriter(path, fmt, snaplen=75, ifname="e0")
    for b in batches:
        w.write(b)
    w.close()
    return path


@pytest.mark.parametrize("fmt", list(CaptureFormat))
def test_tshark_reads_every_frame(tmp_path: Path, fmt: CaptureFormat) -> None:
    path = _write(tmp_path / f"c.{fmt.value}", fmt, BATCH, BATCH.head(1))
    rows = tshark_fields(
        path,
        "frame.len",
        "frame.cap_len",
        "udp.dstport",
        "frame.time_epoch",
        "frame.packet_flags_direction",
    )
    flags = ["0x00000001", "0x00000002", "0x00000001", "0x00000001"]
    if fmt is CaptureFormat.PCAP:
        flags = [""] * 4
    assert rows == [
        ["47", "47", "9", "1700000000.123456789", flags[0]],
        ["42", "42", "10", "1700000001.123456790", flags[1]],
        ["1500", "75", "11", "1700000000.123456791", flags[2]],
        ["47", "47", "9", "1700000000.123456789", flags[3]],
    ]


def test_pcapng_names_the_interface(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.pcapng", CaptureFormat.PCAPNG, BATCH)
    rows = tshark_fields(path, "frame.interface_name")
    assert rows == [["e0"]] * 3


def _same(got: CapturedFrames, want: CapturedFrames) -> None:
    assert len(got) == len(want)
    assert [got.frame(i) for i in range(len(got))] == [
        want.frame(i) for i in range(len(want))
    ]
    for name in ("cap_len", "orig_len", "ts_ns"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name


@pytest.mark.parametrize("fmt", list(CaptureFormat))
def test_reader_round_trips(tmp_path: Path, fmt: CaptureFormat) -> None:
    path = _write(tmp_path / "c", fmt, BATCH, CapturedFrames.empty(), BATCH)
    got = read_capture(path)
    _same(got, concat([BATCH, BATCH]))
    want_dir = [1, 2, 1] * 2 if fmt is CaptureFormat.PCAPNG else [0] * 6
    assert got.direction.tolist() == want_dir


@pytest.mark.parametrize("fmt", list(CaptureFormat))
def test_reader_stops_at_the_last_complete_record(
    tmp_path: Path, fmt: CaptureFormat
) -> None:
    whole = _write(tmp_path / "c", fmt, BATCH).read_bytes()
    header = len(encode_header(fmt, snaplen=75, ifname="e0"))
    sizes = [len(f) for f in FRAMES]
    per_record = [16 + s for s in sizes]
    if fmt is CaptureFormat.PCAPNG:
        per_record = [28 + (s + 3) // 4 * 4 + 16 for s in sizes]
    ends = np.cumsum([header, *per_record]).tolist()
    assert ends[-1] == len(whole)
    for cut in range(len(whole) + 1):
        n = sum(1 for e in ends[1:] if e <= cut)
        got = decode_capture(np.frombuffer(whole[:cut], dtype=np.uint8))
        assert len(got) == n, cut
        _same(got, BATCH.head(n))


def test_reader_takes_microsecond_and_big_endian_pcap(tmp_path: Path) -> None:
    frame = udp_frame(9)
    for order, magic, frac, ts in (
        (">", 0xA1B2C3D4, 123456, 1_000_000_000 * 7 + 123_456_000),
        ("<", 0xA1B2C3D4, 5, 7_000_005_000),
        (">", 0xA1B23C4D, 5, 7_000_000_005),
    ):
        raw = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, 1)
        raw += struct.pack(order + "IIII", 7, frac, len(frame), 60) + frame
        got = decode_capture(np.frombuffer(raw, dtype=np.uint8))
        assert (got.ts_ns.tolist(), got.orig_len.tolist()) == ([ts], [60])
        assert got.frame(0) == frame


def test_reader_takes_pcapng_written_by_editcap(tmp_path: Path) -> None:
    ours = _write(tmp_path / "c.pcap", CaptureFormat.PCAP, BATCH)
    usec = tmp_path / "u.pcap"  # classic pcap in microseconds
    subprocess.run(["editcap", "-F", "pcap", str(ours), str(usec)], check=True)
    for src, ts in ((ours, BATCH.ts_ns), (usec, BATCH.ts_ns // 1000 * 1000)):
        out = tmp_path / "e.pcapng"  # if_tsresol 9 from ours, none (µs) from usec
        subprocess.run(["editcap", "-F", "pcapng", str(src), str(out)], check=True)
        got = read_capture(out)
        _same(got, replace(BATCH, ts_ns=ts))
        assert got.direction.tolist() == [0, 0, 0]
        assert read_capture(src).ts_ns.tolist() == ts.tolist()


def test_reader_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"hello, world")
    with pytest.raises(ParseError):
        read_capture(path)
    path.write_bytes(b"")
    assert len(read_capture(path)) == 0


def test_records_are_laid_out_without_gaps() -> None:
    # frames taken from anywhere in a buffer, in any order
    data = np.frombuffer(b"xx" + FRAMES[1] + b"yyy" + FRAMES[0], dtype=np.uint8)
    batch = CapturedFrames(
        data,
        np.array([2 + len(FRAMES[1]) + 3, 2], dtype=np.int64),
        np.array([len(FRAMES[0]), len(FRAMES[1])], dtype=np.int64),
        np.array([47, 42], dtype=np.int64),
        np.array([1, 2], dtype=np.int64),
        np.array([2, 1], dtype=np.uint8),
    )
    for fmt in CaptureFormat:
        raw = encode_header(fmt, snaplen=75) + encode_records(fmt, batch).tobytes()
        got = decode_capture(np.frombuffer(raw, dtype=np.uint8))
        assert [got.frame(0), got.frame(1)] == [FRAMES[0], FRAMES[1]]


@pytest.mark.parametrize("fmt", list(CaptureFormat))
def test_no_frames_are_no_records(fmt: CaptureFormat) -> None:
    """A capture that caught nothing is a file of its header alone."""
    assert encode_records(fmt, CapturedFrames.empty()).size == 0
    raw = encode_header(fmt, snaplen=75) + encode_records(fmt, BATCH.head(0)).tobytes()
    assert len(decode_capture(np.frombuffer(raw, dtype=np.uint8))) == 0


@pytest.mark.parametrize(
    "sizes",
    [
        [100] * 1000,  # one length: copied as rows
        [64, 594, 1518, 64, 64, 594, 64] * 150,  # few lengths: rows per length
        list(range(1, 300)),  # many lengths for the bytes: byte by byte
        [0, 5, 0],
    ],
)
def test_copy_runs_matches_slicing(sizes: list[int]) -> None:
    rng = np.random.default_rng(len(sizes))
    lengths = np.array(sizes, dtype=np.int64)
    gaps = rng.integers(0, 9, len(sizes))
    starts = np.cumsum(lengths + gaps) - lengths  # runs apart in src, in order
    src = rng.integers(0, 256, int(starts[-1] + lengths[-1] + 3), dtype=np.uint8)
    order = rng.permutation(len(sizes))  # and placed in out in another order
    dst = np.zeros(len(sizes), dtype=np.int64)
    dst[order] = np.concatenate(([0], np.cumsum(lengths[order])[:-1]))
    out = np.zeros(int(lengths.sum()), dtype=np.uint8)
    copy_runs(out, dst, src, starts, lengths)
    want = bytearray(len(out))
    for d, s, n in zip(dst.tolist(), starts.tolist(), sizes, strict=True):
        want[d : d + n] = src[s : s + n].tobytes()
    assert out.tobytes() == bytes(want)


def test_large_batch_round_trips(tmp_path: Path) -> None:
    frames = [udp_frame(9, bytes([i % 256]) * (i % 3 * 500)) for i in range(3000)]
    batch = CapturedFrames.from_frames(
        frames, ts_ns=np.arange(3000) * 1_000_003, direction=np.arange(3000) % 3
    )
    for fmt in CaptureFormat:
        got = read_capture(_write(tmp_path / f"big.{fmt.value}", fmt, batch))
        _same(got, batch)
