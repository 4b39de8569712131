"""Run the wirespeed daemon with only the TRex front end, on free ports.

Usage: ``python run_server.py CONFIG.yaml``. Prints ``READY <rpc> <pub>`` once the
front end listens, then serves until SIGTERM/SIGINT. The tests start it as a real
server process on the test bed they created.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from wirespeed.server.daemon import Daemon, DaemonOptions


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    opts = DaemonOptions(
        config=Path(sys.argv[1]),
        front_ends=("trex",),
        ports={"trex": {"rpc_port": 0, "pub_port": 0}},
    )
    daemon = Daemon(opts)
    daemon.start()
    try:
        trex = daemon.front_ends["trex"]
        print(f"READY {trex.rpc_port} {trex.pub_port}", flush=True)  # type: ignore[attr-defined]
        daemon.run_forever()
    finally:
        daemon.close()


if __name__ == "__main__":
    main()
