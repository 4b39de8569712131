"""A's traffic on port 0 loses its TX worker (the test kills it between READY and
the go line): A hears "job failed", then vanishes mid-traffic without releasing."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from _common import connect, emit, udp
from trex.stl.api import STLStream, STLTXCont  # type: ignore[import-not-found]


def main() -> None:
    out: dict[str, Any] = {}
    c = connect()
    c.add_streams(STLStream(packet=udp(60), mode=STLTXCont(pps=5000)), ports=[0])
    c.start(ports=[0])
    print("READY", flush=True)
    sys.stdin.readline()  # the test killed the TX worker
    deadline = time.monotonic() + 10
    while c.ports[0].is_transmitting() and time.monotonic() < deadline:
        time.sleep(0.05)
    out["still_transmitting"] = c.ports[0].is_transmitting()
    out["warnings"] = [str(w.msg) for w in c.get_warnings()]
    # the port works again: start once more, then vanish without a word
    c.start(ports=[0])
    time.sleep(0.3)
    out["restarted"] = c.ports[0].is_transmitting()
    emit(out)
    os._exit(0)


if __name__ == "__main__":
    main()
