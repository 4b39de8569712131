"""Run the wirespeed daemon on its embedded test bed for the Xena tests.

``python xena_daemon.py '{"slots": [4, 8], "speed": "1G", "xoa": 0, "cli": 0}'``
starts the same :class:`~wirespeed.server.daemon.Daemon` as ``wirespeed server``
(two modules, ports 2m <-> 2m+1 cabled; ``"dut": "router"`` puts the router DUT
between ports 0 and 1, as ``--dut router``; ``"dut": "switch"`` one bridge between
all four ports) with the XOA and text CLI front ends on the given TCP ports (0 =
any free one; ``"impair": "rate=50mbit"`` shapes the bridge DUT, as ``--impair``;
``"driver": "afxdp"`` puts the ports on AF_XDP, as ``--driver``),
prints one JSON line with the ports it got (and the router's or the bridge's
namespace), and runs until SIGTERM, then removes the test bed.
"""

import json
import logging
import sys

from wirespeed.server.daemon import Daemon, DaemonOptions
from wirespeed.server.xena import ChassisProfile
from wirespeed.topology.impair import parse_impairment
from wirespeed.topology.testbed import parse_speed


def main() -> None:
    cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    profile = ChassisProfile(module_slots=tuple(cfg.get("slots", (0, 1))))
    opts = DaemonOptions(
        bind="127.0.0.1",
        modules=2,
        speed_bps=parse_speed(cfg.get("speed", "1G")),
        dut=cfg.get("dut", False),
        impairment=parse_impairment(cfg["impair"]) if cfg.get("impair") else None,
        front_ends=("xoa", "xena-cli"),
        ports={
            "xoa": {"port": cfg.get("xoa", 0)},
            "xena-cli": {"port": cfg.get("cli", 0)},
        },
        xena_profile=profile,
        driver=cfg.get("driver"),
    )
    daemon = Daemon(opts)
    tester = daemon.start()
    router = daemon.testbed.router if daemon.testbed is not None else None
    try:
        print(
            json.dumps(
                {
                    "xoa": daemon.front_ends["xoa"].port,  # type: ignore[attr-defined]
                    "cli": daemon.front_ends["xena-cli"].port,  # type: ignore[attr-defined]
                    "ports": [p.name for p in tester.ports],
                    "router_netns": router.netns if router is not None else None,
                    "dut_netns": (
                        daemon.testbed.dut_netns if daemon.testbed is not None else None
                    ),
                }
            ),
            flush=True,
        )
        daemon.run_forever()
    finally:
        daemon.close()


if __name__ == "__main__":
    main()
