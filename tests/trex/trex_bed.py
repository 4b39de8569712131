"""Helpers of the TRex compatibility tests (the fixtures are in conftest.py): the
test bed is two namespaces joined by a veth pair (MTU 9216), a real wirespeed server
process on it, and the real TRex client in its own venv.

The client (``lbr-trex-client`` 3.4.0) puts its own bundled libraries first on
``sys.path``, so it runs in a subprocess from its own interpreter: the environment
variable ``WIRESPEED_TREX_PYTHON``, else ``<repo>/.venv-trex/bin/python``, else
``/work/venv-trex/bin/python``.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wirespeed.topology.netns import in_netns

REPO = Path(__file__).resolve().parents[2]
CLIENTS = Path(__file__).resolve().parent / "clients"
MACS = ("02:77:74:00:00:01", "02:77:74:00:00:02")
ROUTER_MACS = ("02:77:73:00:00:01", "02:77:73:00:00:02")  # the embedded bed's ports
_PACKET_OUTGOING = 4
_SO_RCVBUFFORCE = 33  # linux: SO_RCVBUF beyond rmem_max (root)


def trex_python() -> str | None:
    """The interpreter that has lbr-trex-client, or None."""
    for cand in (
        os.environ.get("WIRESPEED_TREX_PYTHON"),
        str(REPO / ".venv-trex" / "bin" / "python"),
        "/work/venv-trex/bin/python",
    ):
        if cand and Path(cand).exists():
            return cand
    return None


@dataclass
class TrexBed:
    """A running server on a two-port test bed."""

    python: str
    rpc_port: int
    pub_port: int
    netns: tuple[str, str]
    ifnames: tuple[str, str] = ("p0", "p1")
    macs: tuple[str, str] = MACS
    log: Path = field(default_factory=Path)

    def _cmd(self, script: str, args: tuple[str, ...]) -> list[str]:
        return [
            self.python,
            str(CLIENTS / f"{script}.py"),
            str(self.rpc_port),
            str(self.pub_port),
            *args,
        ]

    def _result(self, script: str, code: int, stdout: str, stderr: str) -> Any:
        if code != 0:
            raise AssertionError(
                f"{script} failed ({code}):\n{stdout[-3000:]}\n"
                f"{stderr[-5000:]}\nserver log:\n{self.log.read_text()[-3000:]}"
            )
        return json.loads(stdout.strip().splitlines()[-1])

    def client(self, script: str, *args: str, timeout_s: float = 120.0) -> Any:
        """Run ``clients/<script>.py`` with the real TRex client; return its JSON."""
        cmd = self._cmd(script, args)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        return self._result(script, proc.returncode, proc.stdout, proc.stderr)

    def client_with_pause(
        self,
        script: str,
        *args: str,
        during: Callable[[], None],
        timeout_s: float = 120.0,
    ) -> Any:
        """Run a client that prints ``READY`` and waits for a line on stdin: call
        ``during()`` in between; return the client's JSON."""
        proc = subprocess.Popen(
            self._cmd(script, args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            assert proc.stdin is not None
            lines = []
            while not lines or lines[-1].strip() != "READY":
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line)
            if lines and lines[-1].strip() == "READY":
                during()
                proc.stdin.write("go\n")
                proc.stdin.flush()
            stdout, stderr = proc.communicate(timeout=timeout_s)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        return self._result(script, proc.returncode, "".join(lines) + stdout, stderr)


def wait_ready(
    proc: subprocess.Popen[str], timeout_s: float
) -> tuple[int, int, tuple[str, ...]]:
    """The server's RPC and publisher ports and its ports' namespaces."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if line.startswith("READY"):
                _, rpc, pub, *netns = line.split()
                return int(rpc), int(pub), tuple(netns)
            if not line and proc.poll() is not None:
                break
    raise RuntimeError("the wirespeed server did not start")


class Capture:
    """Frames received on an interface inside a namespace (an AF_PACKET socket)."""

    def __init__(self, netns: str, ifname: str) -> None:
        with in_netns(netns):
            self.sock = socket.socket(
                socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003)
            )
            self.sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, 64 << 20)
            self.sock.bind((ifname, 0))
        self.sock.setblocking(False)
        self.frames: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.sock], [], [], 0.05)
            if ready:
                self._drain()

    def _drain(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except BlockingIOError:
                return
            if addr[2] != _PACKET_OUTGOING:
                self.frames.append(data)

    def stop(self) -> list[bytes]:
        """Stop capturing; return every frame received (oldest first)."""
        self._stop.set()
        self._thread.join()
        self._drain()
        self.sock.close()
        return self.frames


def inject(netns: str, ifname: str, frames: Iterable[bytes]) -> None:
    """Send ``frames`` out of ``ifname`` (inside ``netns``) with a raw socket (a
    generator builds each frame just before it is sent)."""
    with in_netns(netns):
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    try:
        sock.bind((ifname, 0))
        for frame in frames:
            sock.send(frame)
    finally:
        sock.close()


class RawRpc:
    """A bare ZeroMQ REQ client speaking TRex's framing (for the seed's methods and
    for malformed input the real client never sends)."""

    def __init__(self, bed: TrexBed) -> None:
        import zmq

        self._zmq = zmq
        self.ctx = zmq.Context()
        self.endpoint = f"tcp://127.0.0.1:{bed.rpc_port}"
        self.sock = self._connect()
        self.api_h = ""
        self._n = 0

    def _connect(self) -> Any:
        sock = self.ctx.socket(self._zmq.REQ)
        sock.setsockopt(self._zmq.LINGER, 0)
        sock.setsockopt(self._zmq.RCVTIMEO, 5000)
        sock.connect(self.endpoint)
        return sock

    def send_raw(self, message: bytes | list[bytes]) -> bytes:
        """Send one (possibly multipart) message; return the raw reply."""
        if isinstance(message, list):
            self.sock.send_multipart(message)
        else:
            self.sock.send(message)
        reply: bytes = self.sock.recv()
        if reply[:4] == b"\xab\xe8\x5c\xea":
            import zlib

            reply = zlib.decompress(reply[8:])
        return reply

    def call(self, method: str, *, compress: bool = True, **params: Any) -> Any:
        """One request; the decoded reply object."""
        import struct
        import zlib

        if self.api_h:
            params.setdefault("api_h", self.api_h)
        self._n += 1
        body = json.dumps(
            {"jsonrpc": "2.0", "id": f"r{self._n}", "method": method, "params": params}
        ).encode()
        if compress:
            body = struct.pack(">II", 0xABE85CEA, len(body)) + zlib.compress(body)
        return json.loads(self.send_raw(body))

    def ok(self, method: str, **params: Any) -> Any:
        out = self.call(method, **params)
        assert "result" in out, out
        return out["result"]

    def close(self) -> None:
        self.sock.close()
        self.ctx.term()
