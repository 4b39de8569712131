"""``python -m wirespeed.dut.worker_main OPTIONS_JSON --counters NAME --fd N``."""

from __future__ import annotations

import argparse
import contextlib
import os
from multiprocessing.connection import Connection


def main() -> None:
    """Parse the arguments and run the impairer (see :mod:`wirespeed.dut.worker`)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("options")
    ap.add_argument("--counters", required=True)
    ap.add_argument("--fd", type=int, required=True)
    a = ap.parse_args()
    from wirespeed.dut.process import options_from_json
    from wirespeed.dut.worker import run_dut

    with contextlib.suppress(OSError):  # forwarding must not fall behind the senders
        os.nice(-10)
    run_dut(options_from_json(a.options), a.counters, Connection(a.fd))


if __name__ == "__main__":
    main()
