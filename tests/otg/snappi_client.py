"""Helpers of the snappi tests: run a scenario of ``clients/`` with snappi 1.62's
own interpreter inside the daemon's namespace, and read the captures it returns
(base64 pcap/pcapng) into frames to check byte for byte."""

from __future__ import annotations

import base64
import json
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from otg_bed import OtgDaemon  # type: ignore[import-not-found]
from scapy.packet import Packet, Raw

from wirespeed.capture import CapturedFrames, decode_capture
from wirespeed.tpld import TpldFields, TpldMode

CLIENTS = Path(__file__).resolve().parent / "clients"
FCS_BYTES = 4
TPLD_BYTES = 20


@dataclass(frozen=True)
class SnappiBed:
    """The daemon and the interpreter that has snappi."""

    daemon: OtgDaemon
    python: str

    def run(self, script: str, *cases: str, timeout_s: float = 120.0) -> Any:
        """Run ``clients/<script>.py`` (the ``cases`` named, none: all); its JSON."""
        cmd = self.daemon.in_netns(
            self.python, str(CLIENTS / f"{script}.py"),
            self.daemon.https, self.daemon.http, *cases,
        )  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        if proc.returncode != 0:
            raise AssertionError(
                f"{script} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                f"{proc.stderr[-5000:]}\ndaemon log:\n"
                f"{self.daemon.log.read_text()[-3000:]}"
            )
        return json.loads(proc.stdout.strip().splitlines()[-1])


def ok(result: dict[str, Any]) -> dict[str, Any]:
    """A case's result, failing with the client's error if it raised."""
    assert "error" not in result, result["error"]
    return result


def capture_of(result: dict[str, Any]) -> CapturedFrames:
    """The frames of a case's capture file."""
    data = base64.b64decode(result["capture"])
    return decode_capture(np.frombuffer(data, dtype=np.uint8))


def frames_from(result: dict[str, Any], src_mac: str) -> list[bytes]:
    """The captured frames (FCS included) sent from ``src_mac``, in order."""
    mac = bytes.fromhex(src_mac.replace(":", ""))
    cap = capture_of(result)
    return [f for f in (cap.frame(i) for i in range(len(cap))) if f[6:12] == mac]


def check_fcs(frame: bytes) -> bytes:
    """The frame without its FCS, after checking the FCS is its CRC-32."""
    body, fcs = frame[:-FCS_BYTES], frame[-FCS_BYTES:]
    assert fcs == zlib.crc32(body).to_bytes(4, "little"), frame.hex()
    return body


def check_frame(frame: bytes, headers: Packet, size: int) -> None:
    """``frame`` is ``size`` bytes with a correct FCS and begins with exactly
    ``headers`` (scapy computing their lengths and checksums over the frame's
    own payload)."""
    assert len(frame) == size, (len(frame), size)
    body = check_fcs(frame)
    n = len(headers)
    expected = bytes(headers / Raw(body[n:]))
    assert body.hex() == expected.hex()


def tplds(frames: list[bytes]) -> list[TpldFields]:
    """The 20-byte test payload at the end of each frame (before the FCS)."""
    return [
        TpldFields.from_bytes(f[-FCS_BYTES - TPLD_BYTES : -FCS_BYTES], TpldMode.NORMAL)
        for f in frames
    ]


def check_sequence(frames: list[bytes]) -> None:
    """The frames carry one TID and the sequence numbers 0, 1, 2, ... in order
    (every frame sent arrived, once, in order)."""
    t = tplds(frames)
    assert len({x.tid for x in t}) == 1
    assert [x.seq for x in t] == list(range(len(frames)))


def flow(result: dict[str, Any], name: str = "f1") -> dict[str, Any]:
    """A case's flow metrics of ``name``."""
    return dict(ok(result)["flows"][name])


def counts(result: dict[str, Any], name: str = "f1") -> dict[str, Any]:
    """A flow's transmit state, frame and byte counts and loss."""
    f = flow(result, name)
    keys = ("transmit", "frames_tx", "frames_rx", "bytes_tx", "bytes_rx", "loss")
    return {k: f[k] for k in keys}


def sent_and_received(frames: int, byte_count: int) -> dict[str, Any]:
    """What :func:`counts` says of a flow that sent ``frames`` frames of
    ``byte_count`` bytes in all, stopped by itself, and lost none."""
    return {
        "transmit": "stopped", "frames_tx": frames, "frames_rx": frames,
        "bytes_tx": byte_count, "bytes_rx": byte_count, "loss": 0.0,
    }  # fmt: skip
