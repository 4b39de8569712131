"""``python -m wirespeed.dataplane.worker_main tx|rx|svc ...``: a worker process.

Workers are started as fresh interpreters (not ``multiprocessing`` children), so
scripts that use the API need no ``if __name__ == "__main__"`` guard. The controller
passes one end of a socket pair as file descriptor ``--fd``; it carries pickled
commands both ways (a ``multiprocessing.connection.Connection``).
"""

from __future__ import annotations

import argparse
import os
from multiprocessing.connection import Connection

TX_NICE = 5
"""How much nicer a TX worker is than the RX workers and the controller."""


def main() -> None:
    """Parse the arguments and run the requested worker."""
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["tx", "rx", "svc"])
    ap.add_argument("--netns", default="")
    ap.add_argument("--ifname", required=True)
    ap.add_argument("--counters", required=True)
    ap.add_argument("--fd", type=int, required=True)
    ap.add_argument("--max-streams", type=int, default=0)
    ap.add_argument("--no-qdisc-bypass", action="store_true")
    ap.add_argument(
        "--keep-from-stack",
        action="store_true",
        help="rx: received frames stop at the ring (not the namespace's stack)",
    )
    ap.add_argument("--cpu", type=int, default=-1, help="pin to this CPU")
    ap.add_argument("--driver", default="afpacket", help="rx: afpacket, afxdp or auto")
    a = ap.parse_args()
    if a.cpu >= 0:
        os.sched_setaffinity(0, {a.cpu})
    conn = Connection(a.fd)
    netns = a.netns or None
    if a.role == "tx":
        from wirespeed.dataplane.tx_worker import run_tx_worker

        # Where senders and receivers share cores, the receivers go first: a
        # sender that gets less time sends less (and says so: achieved vs
        # requested), a receiver that gets less lets its ring fill and drops frames
        # that crossed the wire, which would read as loss.
        os.nice(TX_NICE)
        run_tx_worker(
            netns, a.ifname, a.counters, a.max_streams, conn, not a.no_qdisc_bypass
        )
    elif a.role == "svc":
        from wirespeed.dataplane.service_worker import run_service_worker

        run_service_worker(netns, a.ifname, a.counters, conn)
    else:
        from wirespeed.dataplane.drivers import PortDriver
        from wirespeed.dataplane.rx_worker import run_rx_worker

        driver = PortDriver.parse(a.driver)
        run_rx_worker(netns, a.ifname, a.counters, conn, a.keep_from_stack, driver)


if __name__ == "__main__":
    main()
