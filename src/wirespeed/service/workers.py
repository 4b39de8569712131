"""The two worker processes of a port (TX and RX) and their shared counters."""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.connection import Connection
from typing import Any

from wirespeed.dataplane.counters import CounterBlock
from wirespeed.dataplane.rx_worker import rx_words, run_rx_worker
from wirespeed.dataplane.tx_worker import run_tx_worker, tx_words
from wirespeed.errors import PortError
from wirespeed.topology.testbed import PortSpec

__all__ = ["MAX_STREAMS", "PortWorkers"]

MAX_STREAMS = 4096
_ctx = mp.get_context("spawn")


class PortWorkers:
    """Starts, commands and stops the TX and RX processes of one port."""

    def __init__(self, index: int, spec: PortSpec, *, qdisc_bypass: bool = True) -> None:
        self.index = index
        self.spec = spec
        self.tx_counters = CounterBlock(tx_words(MAX_STREAMS))
        self.rx_counters = CounterBlock(rx_words())
        self._tx_conn, tx_child = _ctx.Pipe()
        self._rx_conn, rx_child = _ctx.Pipe()
        self._tx_lock = threading.Lock()
        self._rx_lock = threading.Lock()
        self.tx_proc = _ctx.Process(
            target=run_tx_worker,
            args=(spec.netns, spec.interface, self.tx_counters.name, MAX_STREAMS, tx_child,
                  qdisc_bypass),
            name=f"wirespeed-tx{index}",
            daemon=True,
        )
        self.rx_proc = _ctx.Process(
            target=run_rx_worker,
            args=(spec.netns, spec.interface, self.rx_counters.name, rx_child),
            name=f"wirespeed-rx{index}",
            daemon=True,
        )
        self._children = (tx_child, rx_child)

    def start(self) -> None:
        """Start both processes and wait until they have opened their sockets."""
        self.tx_proc.start()
        self.rx_proc.start()
        for child in self._children:
            child.close()
        for conn, what in ((self._tx_conn, "TX"), (self._rx_conn, "RX")):
            if not conn.poll(30):
                raise PortError(f"{self.spec.interface}: {what} worker did not start",
                                port=self.index)
            msg = conn.recv()
            if msg[0] != "ready":
                raise PortError(f"{self.spec.interface}: {what} worker: {msg[-1]}",
                                port=self.index)

    @property
    def tx_conn(self) -> Connection:
        """The TX worker's pipe (read by the tester's event thread)."""
        return self._tx_conn

    @property
    def rx_conn(self) -> Connection:
        """The RX worker's pipe (read by the tester's event thread)."""
        return self._rx_conn

    def send_tx(self, *msg: Any) -> None:
        """Send a command to the TX worker."""
        with self._tx_lock:
            self._tx_conn.send(msg)

    def send_rx(self, *msg: Any) -> None:
        """Send a command to the RX worker."""
        with self._rx_lock:
            self._rx_conn.send(msg)

    @property
    def pids(self) -> tuple[int | None, int | None]:
        """The process ids of the TX and RX workers."""
        return self.tx_proc.pid, self.rx_proc.pid

    def close(self) -> None:
        """Stop both processes and free the counters."""
        for send in (self.send_tx, self.send_rx):
            try:
                send("quit")
            except (OSError, ValueError):
                pass
        for proc in (self.tx_proc, self.rx_proc):
            if proc.pid is None:
                continue
            proc.join(timeout=3)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=3)
        self._tx_conn.close()
        self._rx_conn.close()
        self.tx_counters.close()
        self.rx_counters.close()
