"""Every multiplier form against the 1 Gb/s port, the line-rate rule, and TRex's
relative updates ("1kpps+", "50%-", "10%+")."""

from __future__ import annotations

import time
from typing import Any

from _common import connect, finish, udp
from trex.stl.api import STLStream, STLTXCont, TRexError  # type: ignore[import-not-found]


def run(c: Any, mult: str, duration: float, force: bool = False) -> dict[str, int]:
    c.clear_stats()
    c.start(ports=[0], mult=mult, duration=duration, force=force)
    c.wait_on_traffic(ports=[0])
    st = c.get_stats()
    return {"tx": st[0]["opackets"], "rx": st[1]["ipackets"]}


def only(c: Any, size: int, pps: float) -> None:
    """Port 0 holds one continuous stream of ``size``-byte packets (FCS excluded)."""
    c.remove_all_streams(ports=[0])
    c.add_streams(STLStream(packet=udp(size), mode=STLTXCont(pps=pps)), ports=[0])


def expected_pps(c: Any, want: float) -> float:
    """The rate port 0's TX engine runs at, once it is ``want`` (or after 3 s)."""
    deadline = time.monotonic() + 3
    seen = c.get_stats()["global"]["tx_expected_pps"]
    while abs(seen - want) > 0.01 and time.monotonic() < deadline:
        time.sleep(0.02)
        seen = c.get_stats()["global"]["tx_expected_pps"]
    return float(seen)


def main() -> None:
    c = connect()
    out: dict[str, Any] = {}
    # "100%": 6230-byte frames are 6250 bytes on L1, so 1 Gb/s is 20000 frames/s
    only(c, 6226, 1)
    out["100%"] = run(c, "100%", 0.2)
    # "1gbps" is L2: 6250-byte frames at 20000/s, 1.0032 Gb/s on L1, over the line
    only(c, 6246, 1)
    try:
        c.start(ports=[0], mult="1gbps", duration=0.2)
        out["1gbps"] = "accepted"
    except TRexError as exc:
        out["1gbps"] = str(exc)
    out["1gbps_force"] = run(c, "1gbps", 0.2, force=True)
    # pps and raw against a 1000 pps stream
    only(c, 121, 1000)
    out["10kpps"] = run(c, "10kpps", 0.2)
    out["3"] = run(c, "3", 0.2)
    # updates add and subtract factors; a relative % is of the running rate
    c.clear_stats()
    c.start(ports=[0], mult="2kpps")
    steps = [("", 2000.0)]
    steps += [("1kpps+", 3000.0), ("50%-", 1500.0), ("10%+", 1650.0), ("4kpps", 4000.0)]
    out["expected"] = []
    for mult, want in steps:
        if mult:
            c.update(ports=[0], mult=mult)
        out["expected"].append(expected_pps(c, want))
    time.sleep(1.2)
    out["tx_pps_4k"] = c.get_stats()[0]["tx_pps"]
    try:
        c.update(ports=[0], mult="5kpps-")
        out["below_zero"] = "accepted"
    except TRexError as exc:
        out["below_zero"] = str(exc)
    c.stop(ports=[0])
    finish(c, out)


if __name__ == "__main__":
    main()
