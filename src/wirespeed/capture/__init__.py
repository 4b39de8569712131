"""Packet capture: BPF filters compiled by libpcap and run by the kernel, capture
sockets, pcap and pcapng files.

A port's service worker hosts a :class:`CaptureSession` in its select loop (in the
port's namespace); front ends check a request with :class:`CaptureConfig` first and
serve the frames with :func:`read_capture`.
"""

from wirespeed.capture.bpf import (
    ACCEPT_ALL,
    DROP_ALL,
    BpfProgram,
    compile_filter,
    direction_guard,
)
from wirespeed.capture.config import (
    DIRECTIONS,
    MAX_CAPTURE_BYTES,
    MAX_CAPTURE_FRAMES,
    MIN_SNAPLEN,
    CaptureConfig,
    CaptureMode,
)
from wirespeed.capture.pcapfile import (
    CapturedFrames,
    CaptureFormat,
    CaptureWriter,
    Direction,
    decode_capture,
    encode_header,
    encode_records,
    read_capture,
)
from wirespeed.capture.session import CaptureSession, CaptureStats

__all__ = [
    "ACCEPT_ALL",
    "DIRECTIONS",
    "DROP_ALL",
    "MAX_CAPTURE_BYTES",
    "MAX_CAPTURE_FRAMES",
    "MIN_SNAPLEN",
    "BpfProgram",
    "CaptureConfig",
    "CaptureFormat",
    "CaptureMode",
    "CaptureSession",
    "CaptureStats",
    "CaptureWriter",
    "CapturedFrames",
    "Direction",
    "compile_filter",
    "decode_capture",
    "direction_guard",
    "encode_header",
    "encode_records",
    "read_capture",
]
