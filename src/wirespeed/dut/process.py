"""Starting and stopping wirespeed's impairer process, and reading its counters."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dut.spec import Impairment
from wirespeed.dut.worker import COUNTER_NAMES, DutOptions
from wirespeed.errors import TopologyError

__all__ = ["DutProcess"]


class DutProcess:
    """The impairer of a DUT namespace, as a fresh interpreter.

    Args:
        opts: what it forwards and how it impairs.
    """

    def __init__(self, opts: DutOptions) -> None:
        self.opts = opts
        self._counters = CounterBlock(len(COUNTER_NAMES))
        parent, child = socket.socketpair()
        src = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = src + (
            os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
        )
        spec = dataclasses.asdict(opts)
        args = [
            sys.executable, "-m", "wirespeed.dut.worker_main", json.dumps(spec),
            "--counters", self._counters.name, "--fd", str(child.fileno()),
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            args, pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL
        )
        child.close()
        self._conn = Connection(parent.detach())
        if not self._conn.poll(30):
            self.close()
            raise TopologyError("the DUT's impairer did not start")
        try:
            msg = self._conn.recv()
        except EOFError as exc:
            self.close()
            raise TopologyError("the DUT's impairer died at start") from exc
        if msg[0] != "ready":
            self.close()
            raise TopologyError(f"the DUT's impairer: {msg[-1]}")

    def counters(self) -> dict[str, int]:
        """What it did so far (see :data:`wirespeed.dut.worker.COUNTER_NAMES`)."""
        words = self._counters.read()
        return {name: int(words[i]) for i, name in enumerate(COUNTER_NAMES)}

    def close(self) -> None:
        """Stop it (its last counts stay readable)."""
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(("quit",))
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._conn.close()

    def free(self) -> None:
        """Release the shared counters (after :meth:`close`)."""
        self._counters.close()


def options_from_json(text: str) -> DutOptions:
    """The options as :class:`DutProcess` passes them on the command line."""
    raw = json.loads(text)
    raw["imp"] = Impairment(**raw["imp"])
    return DutOptions(**raw)
