#!/usr/bin/env python3
"""Data plane benchmark: wirespeed against the C reference on the same veth pair.

Run as root from the repository root::

    PYTHONPATH=src python bench/bench_dataplane.py [--dur 2] [--reps 15] [--cases abcd]

It builds a one-module test bed (ports p0 <-> p1, each in its own namespace), and on
that very pair measures, in the same run:

(a) TX of 64-byte frames with a TPLD and one 16-bit modifier (on the IP id, so the
    IPv4 checksum changes per frame), against the C ``pb_sendmmsg`` (batch 64,
    qdisc bypass) sending 64-byte frames;
(b) TX with the 1M-flow tuple generator (IP source + UDP source port) + IPv4
    checksum fix + random sizes 64-1518 (IP and UDP lengths per frame), against
    ``pb_sendmmsg`` over the same size mix (:func:`c_send_mix`; the ratio against C
    frames of the mean size is printed too);
(c) TX on p0 with the full TPLD analysis on p1 (zero loss required), against the C
    pair ``pb_sendmmsg`` + ``pb_recvmmsg`` (a UDP socket with recvmmsg). The C
    receiver needs p1's IP stack to deliver its frames; wirespeed's p1, like every
    tester port in a namespace, keeps what it receives from that stack (frames stop
    after its RX ring, :mod:`wirespeed.dataplane.ingress`), so the sending core does
    not also look up a route for each of them;
(d) the daemon: ``wirespeed server`` (a subprocess, its TRex front end only) on the
    same veth pair, driven by the real TRex client (``lbr-trex-client``, in its own
    interpreter: ``--trex-python``, else as tests/trex finds it) sending the stream
    of (c) (IP id incremented with the IPv4 checksum fixed, flow statistics with
    latency: TPLD id 1) on port 0 for the same duration, analysed on port 1; against
    the C sender alone (as in (a)), measured right before it, and against (c) of the
    same rep. It checks that the analyzer counted every frame sent (TX == RX, no
    drop, duplicate or misorder) and prints the CPU each worker ran on (field 39 of
    /proc/<pid>/stat, sampled while the traffic flows) and the share of a core
    each worker, the daemon's own threads and the client used; the daemon places its
    workers itself (:mod:`wirespeed.service.placement`). See :mod:`daemon_case`.

Rates are counted at the receiver: p1's interface counter for (a)/(b), the
receiving program's own count for (c) and (d). In (a) and (b) wirespeed serves port 0 only,
so nothing listens on p1, as for the C sender (a listener costs the sender: veth does
the receiver's work on the sending core); (c) compares the pairs. Each wirespeed figure
is measured right after its reference, and the printed ratio is the median of these
per-pair ratios: the speed of this VM drifts by tens of percent from one minute to
the next, so only figures measured side by side compare. The pooled ratio (mean over
all of wirespeed's reps / mean over the reference's) is printed too: where the speed
jumps from one second to the next, as much as from one minute to the next, it is the
steadier of the two. Senders are pinned to CPU 0 and receivers to CPU 1, as in
../shared/bench/harness.py.

The AF_XDP driver (:mod:`wirespeed.dataplane.xdp`; copy mode on veth) has the
upper-case cases (``--cases ABCD``; any mix with the lower-case ones, e.g.
``--cases aA``), each against references measured in the same rep:

(A) stream (a) on the ``afxdp`` driver against the C ``pb_afxdp`` (AF_XDP, libxdp's
    xsk API, batch 64, copy mode) sending 64-byte frames, counted at p1's interface
    as (a); ``pb_sendmmsg`` runs in the same rep too, so both are also given
    against the packet socket's limit;
(B) stream (b) on ``afxdp`` against ``pb_afxdp_mix`` (:file:`pb_afxdp_mix.c`:
    ``pb_afxdp``'s sender, each frame of a size drawn uniformly from 64..1518, the
    range :func:`dataplane_refs.c_send_mix` averages over, its IP and UDP lengths
    and IPv4 checksum written per frame);
(C) case (c) with both ports on ``afxdp`` (zero loss required: TX == analyzer,
    nothing lost) against (c) of wirespeed on AF_PACKET, measured right before it
    in the same rep (the one of case (c) when it runs too);
(D) case (d) with the daemon on ``afxdp`` (``wirespeed server --driver afxdp``),
    TX == RX checked, against ``pb_afxdp`` alone measured right before it, and
    against (d) on AF_PACKET of the same rep (the one of case (d) when it runs,
    else measured right before).

An AF_XDP socket takes queue 0 of p0 for itself (a second one gets EBUSY), so a
wirespeed tester on ``afxdp`` is started after its C reference has ended and closed
before the next one starts. Every wirespeed port on ``afxdp`` is checked to run on
it (:meth:`~wirespeed.service.Tester.port_driver`); its mode is printed. The C
references are run by :mod:`dataplane_refs`. A run where (c), (C), (d) or (D) did
not count every frame sent ends with an error, after printing every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import daemon_case  # noqa: E402
import dataplane_refs as refs  # noqa: E402
from streams import MAC0, MAC1, tuple_random_size, xena_modifier  # noqa: E402

from wirespeed.model import Stream  # noqa: E402
from wirespeed.service import Tester  # noqa: E402
from wirespeed.topology.links import link_counters  # noqa: E402
from wirespeed.topology.testbed import EmbeddedTestbed, TesterConfig  # noqa: E402

rx_packets = refs.rx_packets

NAMES = {
    "a": "(a) TX 64 B + TPLD + 1 modifier      vs C sendmmsg 64 B",
    "b": "(b) TX 1M-flow tuple + IPv4 csum + random 64-1518 vs C sendmmsg, same size mix",
    "c": "(c) TX p0 + full analysis p1 (64 B)   vs C sendmmsg + C recvmmsg",
    "d": "(d) daemon + TRex client: TX p0 + analysis p1 (64 B) vs C sendmmsg alone",
    "A": "(A) AF_XDP: TX 64 B + TPLD + 1 modifier vs C pb_afxdp 64 B",
    "B": "(B) AF_XDP: TX 1M-flow tuple + IPv4 csum + random 64-1518 vs C pb_afxdp_mix, same size mix",
    "C": "(C) AF_XDP: TX p0 + full analysis p1 (64 B) vs wirespeed (c) on AF_PACKET, same rep",
    "D": "(D) AF_XDP: daemon + TRex client, TX p0 + analysis p1 (64 B) vs C pb_afxdp alone",
}
CASES = "abcdABCD"
TARGETS: dict[str, float | None] = {
    "a": 0.97, "b": 0.90, "c": 0.95, "d": 1.0,
    "A": 0.90, "B": 0.85, "C": 1.25, "D": None,
}  # fmt: skip
D_VS_C_TARGET = 0.95
PAIR_CPUS = {0: (0, 1), 1: (0, 1)}


def ws_send(tester: Tester, cfg, stream: Stream, dur: float) -> tuple[float, int, int]:
    """wirespeed TX on p0: (pps at p1's interface, TX counter, analyzer count)."""
    tester.remove_all_streams(0)
    tester.add_stream(0, 0, stream)
    tester.clear_stats(0)
    analysing = len(tester.config.ports) > 1
    if analysing:
        tester.clear_stats(1)
    before = rx_packets(cfg, 1)
    tester.start_traffic([0], duration_s=dur)
    tester.wait_idle([0], dur + 30)
    time.sleep(0.3)
    tester.settle()
    iface = rx_packets(cfg, 1) - before
    tx = tester.port_stats(0).tx_packets
    st = tester.tid_stats(1, stream.tpld_id) if analysing else None
    got = 0 if st is None else st.packets
    return iface / dur, tx, got


def tx_only(cfg) -> TesterConfig:
    """Port 0 alone: nothing listens on p1, as when the C sender runs."""
    return TesterConfig(ports=(cfg.ports[0],), modules=((0,),))


def run_d(
    python: str, cfg, ports_file: Path, dur: float, log: Path, driver: str = "afpacket"
) -> tuple[float, str]:
    """One rep of (d) on ``driver``: (pps, the rep's detail line); a failed check
    is marked, with where frames went missing (p1's ring, p1's interface, or
    before it)."""
    before = link_counters(cfg.ports[1])
    res = daemon_case.run_once(python, ports_file, dur, log, driver)
    after = link_counters(cfg.ports[1])
    errors = {k: v for k, v in res["errors"].items() if v}
    on = [d for d in res["drivers"] if d.split()[0] == driver]
    ok = res["tx"] == res["rx"] == res["opackets"] and not errors and len(on) == 2
    check = "TX == RX, no errors"
    if not ok:
        iface = {k: after[k] - before[k] for k in ("rx_packets", "rx_dropped")}
        check = f"CHECK FAILED {errors}, ring drops {res['ring_drops']}, p1 {iface}"
    return res["pps"], (
        f"sent {res['tx']:,} analyzer {res['rx']:,} ({check})\n"
        f"        drivers: {'; '.join(res['drivers'])}\n"
        f"        workers: {res['cpus']}"
    )


def ratios(ws: list[float], ref: list[float]) -> str:
    r = [w / x for w, x in zip(ws, ref, strict=True)]
    return f"ratio {statistics.median(r):.3f} (min {min(r):.3f}, max {max(r):.3f}"


def report(key: str, ws: list[float], ref: list[float]) -> None:
    target = TARGETS[key]
    print(
        f"{NAMES[key]}\n"
        f"    wirespeed median {statistics.median(ws):,.0f} pps  "
        f"reference median {statistics.median(ref):,.0f} pps  "
        f"{ratios(ws, ref)}; "
        + ("no target" if target is None else f"target {target:.2f}")
        + f")  pooled {statistics.fmean(ws) / statistics.fmean(ref):.3f}"
    )


def also(
    what: str, ws: list[float], ref: list[float], target: float | None = None
) -> None:
    """Another comparison's line: ``what: ratio ... pooled ...``."""
    print(
        f"    {what}: {ratios(ws, ref)}"
        + ("" if target is None else f"; target {target:.2f}")
        + f")  pooled {statistics.fmean(ws) / statistics.fmean(ref):.3f}"
    )


class Bench:
    """One run on the bench's test bed: every case's figures, rep by rep."""

    def __init__(
        self, a: argparse.Namespace, cases: list[str], cfg, bins, tmp: Path, python
    ) -> None:
        self.dur, self.reps, self.cases = a.dur, a.reps, cases
        self.cfg, self.bins, self.tmp, self.python = cfg, bins, tmp, python
        self.ws: dict[str, list[float]] = {k: [] for k in CASES}
        self.ref: dict[str, list[float]] = {k: [] for k in CASES}
        # b: C frames of the mean size; A: pb_sendmmsg 64 B; D: (d) on AF_PACKET
        self.second: dict[str, list[float]] = {k: [] for k in "bAD"}
        self.detail: dict[str, list[str]] = {k: [] for k in CASES}
        self.modes: set[str] = set()
        self.ports_file = tmp / "ports.yaml"

    @contextlib.contextmanager
    def tester(self, config: TesterConfig, driver: str) -> Iterator[Tester]:
        """A tester with every port on ``driver`` (checked; the AF_XDP mode is
        noted for the report)."""
        cpus = PAIR_CPUS if len(config.ports) > 1 else {0: (0, 1)}
        with Tester(config.with_driver(driver), cpus=cpus) as t:
            for i in range(len(config.ports)):
                used, note = t.port_driver(i)
                if used != driver:
                    raise SystemExit(f"port {i} runs on {used}, not {driver}: {note}")
                if driver == "afxdp":
                    self.modes.add(note)
            yield t

    def tx_row(self, key: str, tester: Tester, stream: Stream) -> None:
        before = rx_packets(self.cfg, 1)
        pps, tx, _ = ws_send(tester, self.cfg, stream, self.dur)
        self.ws[key].append(pps)
        self.detail[key].append(
            f"sent {tx:,} p1 counter {rx_packets(self.cfg, 1) - before:,}"
        )

    def analysed(self, driver: str) -> tuple[float, str]:
        """(c) on ``driver``: (the analyzer's pps, the rep's detail line)."""
        with self.tester(self.cfg, driver) as t:
            # stream (a) again, counted by wirespeed's analyzer on p1
            _, tx, got = ws_send(t, self.cfg, xena_modifier(), self.dur)
            st = t.tid_stats(1, 1)
            lost = -1 if st is None else st.lost
            drops = t.port_stats(1).rx_dropped_by_tester
        ok = tx == got and lost == 0 and drops == 0
        return got / self.dur, (
            f"sent {tx:,} analyzer {got:,} lost {lost} ring drops {drops} "
            + ("(TX == RX)" if ok else "(CHECK FAILED)")
        )

    def daemon(self, driver: str) -> tuple[float, str]:
        assert self.python is not None
        log = self.tmp / "daemon.log"
        return run_d(self.python, self.cfg, self.ports_file, self.dur, log, driver)

    def measure(self) -> None:
        cases, bins, cfg, dur = self.cases, self.bins, self.cfg, self.dur
        if "a" in cases or "b" in cases:
            with Tester(tx_only(cfg), cpus={0: (0, 1)}) as tx_tester:
                for _ in range(self.reps):
                    # each figure right after its reference (the idle tester's ring
                    # on p0 sees nothing of what the C sender sends there)
                    if "a" in cases:
                        self.ref["a"].append(refs.c_send(bins, cfg, 64, dur))
                        self.tx_row("a", tx_tester, xena_modifier())
                    if "b" in cases:
                        mix, mean = refs.c_send_mix(bins, cfg, max(2.0, dur / 2))
                        self.ref["b"].append(mix)
                        self.second["b"].append(mean)
                        self.tx_row("b", tx_tester, tuple_random_size())
        for _ in range(self.reps if "A" in cases or "B" in cases else 0):
            # the C sender's AF_XDP socket and wirespeed's take turns on p0
            if "A" in cases:
                self.second["A"].append(refs.c_send(bins, cfg, 64, dur))
                self.ref["A"].append(refs.c_afxdp(bins, cfg, 64, dur))
                with self.tester(tx_only(cfg), "afxdp") as t:
                    self.tx_row("A", t, xena_modifier())
            if "B" in cases:
                self.ref["B"].append(refs.c_afxdp_mix(bins, cfg, dur))
                with self.tester(tx_only(cfg), "afxdp") as t:
                    self.tx_row("B", t, tuple_random_size())
        daemon_case.write_ports_file(cfg, (MAC0, MAC1), self.ports_file)
        for _ in range(self.reps if set(cases) & set("cdCD") else 0):
            self.pair_rep()

    def pair_rep(self) -> None:
        """One rep of (c), (C), (d), (D): each right after its references."""
        cases, bins, cfg, dur = self.cases, self.bins, self.cfg, self.dur
        packet = None
        if "c" in cases:
            self.ref["c"].append(refs.c_pair(bins, cfg, dur)[0])
            packet = self.analysed("afpacket")
            self.ws["c"].append(packet[0])
            self.detail["c"].append(packet[1])
        if "C" in cases:
            packet = packet or self.analysed("afpacket")
            self.ref["C"].append(packet[0])
            pps, line = self.analysed("afxdp")
            self.ws["C"].append(pps)
            self.detail["C"].append(f"{line}\n        AF_PACKET: {packet[1]}")
        if "d" in cases:
            self.ref["d"].append(refs.c_send(bins, cfg, 64, dur))
            pps, line = self.daemon("afpacket")
            self.ws["d"].append(pps)
            self.detail["d"].append(line)
        if "D" in cases:
            note = ""
            if "d" in cases:
                self.second["D"].append(self.ws["d"][-1])
            else:
                pps, line = self.daemon("afpacket")
                self.second["D"].append(pps)
                note = f"\n        AF_PACKET: {line}"
            self.ref["D"].append(refs.c_afxdp(bins, cfg, 64, dur))
            pps, line = self.daemon("afxdp")
            self.ws["D"].append(pps)
            self.detail["D"].append(line + note)

    def print(self) -> None:
        print(
            f"duration {self.dur:g} s, reps {self.reps}; ratio = median of per-rep "
            "ratios; pooled = mean of wirespeed's reps / mean of the reference's"
        )
        if self.modes:
            print(f"AF_XDP ports: {', '.join(sorted(self.modes))}")
        ws, ref, second = self.ws, self.ref, self.second
        for k in self.cases:
            report(k, ws[k], ref[k])
            if k == "b":
                vs_mean = [w / r for w, r in zip(ws[k], second["b"], strict=True)]
                print(
                    f"    (against C frames of the mean size 792 B instead: reference "
                    f"median {statistics.median(second['b']):,.0f} pps, ratio "
                    f"{statistics.median(vs_mean):.3f})"
                )
            if k == "A":
                also("against C pb_sendmmsg 64 B of the same rep", ws[k], second[k])
                also("C pb_afxdp against C pb_sendmmsg", ref[k], second[k])
            if k == "d" and "c" in self.cases:
                also("against (c) of the same rep", ws[k], ws["c"], D_VS_C_TARGET)
            if k == "D":
                also("against (d) on AF_PACKET of the same rep", ws[k], second[k])
            for line, w, r in zip(self.detail[k], ws[k], ref[k], strict=True):
                print(f"      rep: ws {w:,.0f} ref {r:,.0f} | {line}")

    def failed(self) -> list[str]:
        """The cases where the analyzer did not count every frame sent."""
        return [k for k in "cdCD" if any("CHECK FAILED" in ln for ln in self.detail[k])]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dur", type=float, default=2.0)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument(
        "--cases",
        default="abcd",
        help="which cases: a-d on AF_PACKET, A-D on AF_XDP, e.g. cd or ABCD",
    )
    ap.add_argument("--trex-python", default=None, help="interpreter for (d), (D)")
    a = ap.parse_args()
    cases = [k for k in CASES if k in a.cases]
    python = daemon_case.trex_python(a.trex_python)
    for k in [k for k in cases if k in "dD"]:
        if python is None:
            print(f"({k}) skipped: no lbr-trex-client interpreter (--trex-python)")
            cases.remove(k)
    tmp = Path(tempfile.mkdtemp(prefix="wsbench"))
    bins = refs.build_refs(tmp, afxdp=any(k.isupper() for k in cases))
    bed = EmbeddedTestbed(modules=1, speed_bps=100_000_000_000)
    cfg = bed.start()
    run = Bench(a, cases, cfg, bins, tmp, python)
    try:
        bed.lab.set_mac("p0", MAC0, netns=cfg.ports[0].netns)
        bed.lab.set_mac("p1", MAC1, netns=cfg.ports[1].netns)
        bed.lab.add_neighbour("p0", "198.18.0.2", MAC1, netns=cfg.ports[0].netns)
        run.measure()
    finally:
        bed.close()
    run.print()
    failed = run.failed()
    if failed:
        raise SystemExit(f"{failed}: the analyzer did not count every frame sent")


if __name__ == "__main__":
    main()
