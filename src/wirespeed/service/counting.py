"""The tester's side of the counters: baselines of clears, rates, syncs with the
receivers, and the workers' CPU use (IO: it reads the data plane's counter words
and ``/proc``). :class:`~wirespeed.service.Tester` calls it under its lock."""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import rx_worker as rxw
from wirespeed.dataplane import service_messages as svw
from wirespeed.dataplane import tx_worker as txw
from wirespeed.service import readout
from wirespeed.service.dataplane import Dataplane
from wirespeed.service.stats import PortStats, StreamTxStats

__all__ = ["Counting", "RateMeter"]

_log = logging.getLogger("wirespeed.service")
_SVC_RX = list(svw.SVC_RX_WORDS)
_SVC_TX = [
    w
    for w in range(svw.SVC_WORDS)
    if w not in svw.SVC_RX_WORDS and w not in svw.SVC_TIME_WORDS
]


@dataclass
class _Sample:
    t: float
    values: npt.NDArray[np.int64]


@dataclass
class RateMeter:
    """Turns periodic samples of monotonic counters into per-second rates.

    Rates are computed over the samples of the last ``window_s`` seconds, so they
    are what really crossed the interface in that time.
    """

    window_s: float = 1.0
    _hist: collections.deque[_Sample] = field(default_factory=collections.deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, values: npt.NDArray[np.int64], t: float | None = None) -> None:
        """Record a sample of the counters."""
        now = time.monotonic() if t is None else t
        with self._lock:
            self._hist.append(_Sample(now, values))
            while len(self._hist) > 2 and now - self._hist[1].t >= self.window_s:
                self._hist.popleft()

    def rates(self) -> npt.NDArray[np.float64]:
        """Per-second rate of every counter over the window (zeros if unknown)."""
        with self._lock:
            if len(self._hist) < 2:
                n = len(self._hist[0].values) if self._hist else 0
                return np.zeros(n, dtype=np.float64)
            a, b = self._hist[0], self._hist[-1]
        dt = b.t - a.t
        if dt <= 0:
            return np.zeros(len(b.values), dtype=np.float64)
        delta = (b.values - a.values).astype(np.float64)
        delta[delta < 0] = 0.0  # a clear happened inside the window
        return delta / dt

    def reset(self) -> None:
        """Forget the history (after counters were cleared)."""
        with self._lock:
            self._hist.clear()


class _Port:
    """A port's counter baselines (clears), rate meter and CPU samples."""

    def __init__(self, tx_size: int) -> None:
        self.tx_base = np.zeros(tx_size, dtype=np.int64)
        self.rx_base = np.zeros(rxw.RX_PORT_WORDS, dtype=np.int64)
        self.svc_base = np.zeros(svw.SVC_WORDS, dtype=np.int64)
        self.slot_base: dict[int, tuple[int, int]] = {}  # at the last clear
        self.slot_origin: dict[int, tuple[int, int]] = {}  # when its stream came
        self.meter = RateMeter()
        self.cpu: list[int] = []
        self.cpu_prev: tuple[float, int] | None = None
        self.rx_clears = 0
        self.rx_syncs = 0
        self.drops_told = 0  # ring drops already said in the log


class Counting:
    """Counts of every port of a data plane, as the tester reports them."""

    def __init__(self, dp: Dataplane, n_ports: int) -> None:
        self._dp = dp
        self._ports = [_Port(dp.tx_words(i).size) for i in range(n_ports)]
        self._cpu_t = 0.0

    # ------------------------------------------------------------------ reading
    def _rates(
        self, index: int, n_tx: int
    ) -> tuple[
        npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]
    ]:
        """The rates of the TX, RX and service words (the meter's order)."""
        r = self._ports[index].meter.rates()
        n_rx = n_tx + rxw.RX_PORT_WORDS
        if len(r) != n_rx + svw.SVC_WORDS:
            r = np.zeros(n_rx + svw.SVC_WORDS)
        return r[:n_tx], r[n_tx:n_rx], r[n_rx:]

    def port_stats(self, index: int, since_clear: bool) -> PortStats:
        """Counters and last-second rates of a port."""
        c = self._ports[index]
        tx_abs = self._dp.tx_words(index)
        rx_abs = self._dp.rx_port_words(index)
        svc_abs = self._dp.svc_words(index)
        words = {"tx": tx_abs, "rx": rx_abs, "svc": svc_abs}
        if since_clear:
            words = {
                "tx": tx_abs - c.tx_base,
                "rx": rx_abs - c.rx_base,
                "svc": svc_abs - c.svc_base,
            }
        tr, rr, sr = self._rates(index, tx_abs.size)
        requested = float(tx_abs[txw.TX_REQUESTED_MPPS]) / 1000
        return readout.port_stats(words, {"tx": tr, "rx": rr, "svc": sr}, requested)

    def service_words(self, index: int, since_clear: bool) -> npt.NDArray[np.int64]:
        """The port's service counter words (since the last clear of their
        direction: :data:`~wirespeed.dataplane.service_messages.SVC_RX_WORDS` by
        RX, the others by TX)."""
        svc = self._dp.svc_words(index)
        return svc - self._ports[index].svc_base if since_clear else svc

    def stream_stats(self, index: int, slot: int, since_clear: bool) -> StreamTxStats:
        """What the stream in ``slot`` sent since the last clear (or since it was
        added), and its rates."""
        tx = self._dp.tx_words(index)
        tr, _, _ = self._rates(index, tx.size)
        c = self._ports[index]
        base = (c.slot_base if since_clear else c.slot_origin).get(slot, (0, 0))
        return readout.stream_stats(tx, tr, slot, base)

    def rx_clears(self, index: int) -> int:
        """How many times the port's RX statistics were cleared."""
        return self._ports[index].rx_clears

    def cpu(self) -> list[list[int]]:
        """Per port, its workers' CPU use, newest first."""
        return [list(c.cpu) for c in self._ports]

    # ------------------------------------------------------------------ changing
    def stream_added(self, index: int, slot: int) -> None:
        """A stream took ``slot``: its counts start from the slot's words now."""
        tx = self._dp.tx_words(index)
        s = txw.TX_PORT_WORDS + 2 * slot
        added = (int(tx[s]), int(tx[s + 1]))
        c = self._ports[index]
        c.slot_base[slot] = c.slot_origin[slot] = added

    def clear(self, index: int, slots: list[int], *, tx: bool, rx: bool) -> int:
        """Move the baselines of a clear; the RX clear's serial (0: none) for
        :meth:`wait_rx`."""
        c = self._ports[index]
        svc = self._dp.svc_words(index)
        if tx:
            c.tx_base = self._dp.tx_words(index)
            c.svc_base[_SVC_TX] = svc[_SVC_TX]
            for slot in slots:
                s = txw.TX_PORT_WORDS + 2 * slot
                c.slot_base[slot] = (int(c.tx_base[s]), int(c.tx_base[s + 1]))
        c.meter.reset()
        if not rx:
            return 0
        c.rx_base = self._dp.rx_port_words(index)
        c.svc_base[_SVC_RX] = svc[_SVC_RX]
        c.rx_clears += 1
        self._dp.send_rx(index, msg.ClearRx(c.rx_clears))
        return c.rx_clears

    def rebase_rx(self, index: int) -> None:
        """The receiver did the clear: frames that were in its ring then (counted
        as it cleared) are before the clear too."""
        self._ports[index].rx_base = self._dp.rx_port_words(index)

    def sync(self, ports: list[int]) -> list[int]:
        """Ask the receivers of ``ports`` to count their rings; their serials."""
        serials = []
        for i in ports:
            c = self._ports[i]
            c.rx_syncs += 1
            self._dp.send_rx(i, msg.SyncRx(c.rx_syncs))
            serials.append(c.rx_syncs)
        return serials

    def wait_rx(self, index: int, word: int, value: int, timeout_s: float) -> bool:
        """Wait until the receiver's ``word`` reaches ``value``."""
        deadline = time.monotonic() + timeout_s
        while self._dp.rx_port_words(index)[word] < value:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        return True

    def run_starts(self) -> None:
        """Ring drops from here on are the run's."""
        for i, c in enumerate(self._ports):
            c.drops_told = int(self._dp.rx_port_words(i)[rxw.RX_RING_DROPS])

    def tell_drops(self, names: list[str]) -> None:
        """Say in the log the frames receivers dropped (their rings full) since
        last said."""
        for i, c in enumerate(self._ports):
            dropped = int(self._dp.rx_port_words(i)[rxw.RX_RING_DROPS])
            if dropped > c.drops_told:
                _log.warning(
                    "port %d (%s): %d received frames dropped by the tester (its "
                    "receive ring was full: the receiver could not keep up); the RX "
                    "counters miss them",
                    i,
                    names[i],
                    dropped - c.drops_told,
                )
                c.drops_told = dropped

    # ------------------------------------------------------------------ sampling
    def sample(self) -> None:
        """Feed the rate meters; once a second, the workers' CPU use."""
        for i, c in enumerate(self._ports):
            tx = self._dp.tx_words(i)
            rx = self._dp.rx_port_words(i)
            c.meter.add(np.concatenate([tx, rx, self._dp.svc_words(i)]))
        now = time.monotonic()
        if now - self._cpu_t < 1.0:
            return
        ticks = os.sysconf("SC_CLK_TCK")
        for i, c in enumerate(self._ports):
            total = 0
            for pid in self._dp.pids(i):
                with contextlib.suppress(OSError, IndexError, ValueError):
                    with open(f"/proc/{pid}/stat") as fh:
                        parts = fh.read().rsplit(")", 1)[1].split()
                    total += int(parts[11]) + int(parts[12])
            prev, c.cpu_prev = c.cpu_prev, (now, total)
            if prev is not None:
                dt = now - prev[0]
                pct = round(100 * (total - prev[1]) / ticks / dt / 2) if dt > 0 else 0
                c.cpu.insert(0, max(0, min(100, pct)))
                del c.cpu[20:]
        self._cpu_t = now
