"""Two users: A owns port 0, B takes it by force; A learns it from the events."""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import emit
from trex.stl.api import (  # type: ignore[import-not-found]  # type: ignore[import-not-found]
    IP,
    UDP,
    Ether,
    STLClient,
    STLPktBuilder,
    STLStream,
    STLTXCont,
    TRexError,
)


def client(user: str) -> Any:
    c = STLClient(
        username=user,
        server="127.0.0.1",
        sync_port=int(sys.argv[1]),
        async_port=int(sys.argv[2]),
        verbose_level="error",
    )
    c.connect()
    return c


def main() -> None:
    out: dict[str, Any] = {}
    a, b = client("alice"), client("bob")
    a.reset(ports=[0])
    out["a_owns"] = a.get_acquired_ports()
    try:
        b.acquire(ports=[0])
        out["b_plain_acquire"] = "accepted"
    except TRexError as exc:
        out["b_plain_acquire"] = str(exc)
    b.acquire(ports=[0], force=True)
    out["b_owns"] = b.get_acquired_ports()
    deadline = time.monotonic() + 5
    while 0 in a.get_acquired_ports() and time.monotonic() < deadline:
        time.sleep(0.05)  # the port-acquired event arrives on A's subscriber
    out["a_owns_after"] = a.get_acquired_ports()
    pkt = STLPktBuilder(pkt=Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP())
    try:
        a.add_streams(STLStream(packet=pkt, mode=STLTXCont()), ports=[0])
        out["a_add"] = "accepted"
    except TRexError as exc:
        out["a_add"] = str(exc)
    out["owner_seen_by_a"] = a.ports[0].get_owner()
    b.release(ports=[0])
    a.disconnect()
    b.disconnect()
    emit(out)


if __name__ == "__main__":
    main()
