"""An OTG capture's bytes: the frames a port received, each ending with its FCS
as OTG sizes count it (a veth frame has none on the wire; wirespeed appends the
CRC-32 the frame would carry, and the file says the frames hold it)."""

from __future__ import annotations

import zlib

from wirespeed.capture import (
    CapturedFrames,
    CaptureFormat,
    encode_header,
    encode_records,
)

__all__ = ["FCS_BYTES", "capture_bytes"]

FCS_BYTES = 4


def capture_bytes(frames: CapturedFrames, fmt: str, snaplen: int = 65535) -> bytes:
    """A pcap or pcapng file of ``frames`` with their FCS appended."""
    with_fcs = [  # a frame cut short by the snap length keeps no FCS
        f + zlib.crc32(f).to_bytes(4, "little") if len(f) == orig else f
        for f, orig in (
            (frames.frame(i), int(frames.orig_len[i])) for i in range(len(frames))
        )
    ]
    out = CapturedFrames.from_frames(
        with_fcs,
        ts_ns=frames.ts_ns,
        direction=frames.direction,
        orig_len=frames.orig_len + FCS_BYTES,
    )
    kind = CaptureFormat.PCAP if fmt == "pcap" else CaptureFormat.PCAPNG
    head = encode_header(kind, snaplen=snaplen + FCS_BYTES, fcs_len=FCS_BYTES)
    return head + encode_records(kind, out).tobytes()
