"""Run the wirespeed daemon with only the TRex front end, on free ports.

Usage: ``python run_server.py CONFIG.yaml`` (ports the tests created), or
``python run_server.py --dut router`` (the embedded test bed with the router DUT:
one module, its namespaces made and removed by the daemon). Prints
``READY <rpc> <pub> <netns of each port>`` once the front end listens, then serves
until SIGTERM/SIGINT.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from wirespeed.server.daemon import Daemon, DaemonOptions


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    free_ports = {"trex": {"rpc_port": 0, "pub_port": 0}}
    if sys.argv[1] == "--dut":
        opts = DaemonOptions(
            modules=1, dut=sys.argv[2], front_ends=("trex",), ports=free_ports
        )
    else:
        opts = DaemonOptions(
            config=Path(sys.argv[1]), front_ends=("trex",), ports=free_ports
        )
    daemon = Daemon(opts)
    tester = daemon.start()
    try:
        trex = daemon.front_ends["trex"]
        netns = " ".join(p.spec.netns or "-" for p in tester.ports)
        print(f"READY {trex.rpc_port} {trex.pub_port} {netns}", flush=True)  # type: ignore[attr-defined]
        daemon.run_forever()
    finally:
        daemon.close()


if __name__ == "__main__":
    main()
