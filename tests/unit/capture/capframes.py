"""Frames and helpers shared by the capture tests."""

from __future__ import annotations

import socket
import struct
import subprocess
from pathlib import Path

MAC_A = "02:00:5e:12:00:01"
MAC_B = "02:00:5e:12:00:02"
IP_A = "198.18.0.1"
IP_B = "198.18.0.2"


def udp_frame(
    dport: int,
    payload: bytes = b"",
    *,
    src: str = MAC_A,
    dst: str = MAC_B,
    sport: int = 1024,
) -> bytes:
    """An Ethernet/IPv4/UDP frame (checksums left 0: nothing here checks them)."""
    eth = bytes.fromhex(dst.replace(":", "") + src.replace(":", "")) + b"\x08\x00"
    a, b = (IP_A, IP_B) if src == MAC_A else (IP_B, IP_A)
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        28 + len(payload),
        0,
        0,
        64,
        17,
        0,
        socket.inet_aton(a),
        socket.inet_aton(b),
    )
    return eth + ip + struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tshark_fields(path: Path, *fields: str) -> list[list[str]]:
    """``tshark -r path -T fields -e ...``, one list of values per frame."""
    cmd = ["tshark", "-r", str(path), "-T", "fields"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]
