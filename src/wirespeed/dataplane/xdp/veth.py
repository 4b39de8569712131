"""What an AF_XDP port on a veth sets on its interface, and puts back at the end.

A veth does its peer's receive work on the sending core. With the port's XDP
program attached, the receive side is a NAPI instance fed through a 256-frame ring:
run in a kernel thread (threaded NAPI) instead, it can take the other core, and a
tester port sending flat out to another tester port sends 1.3-1.6 times as many
frames (bench_dataplane (C)). A NAPI thread that falls behind fills that ring,
and a veth without a queueing discipline then drops what it is handed (counted as
its ``tx_dropped``, while the sender counts the frame as sent); with one, it stops
its queue and the sender waits instead. So an AF_XDP port on a veth gets a
``pfifo`` qdisc (for what it sends) and threaded NAPI (for what it receives); both
are put back when its RX worker ends. Other interfaces are left as they are: a
NIC's receive work runs where its interrupts go, not on the sender's core.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import socket
import struct
import subprocess
from pathlib import Path

__all__ = ["VethTuning", "is_veth"]

_SIOCETHTOOL = 0x8946
_ETHTOOL_GDRVINFO = 0x3


def is_veth(ifname: str) -> bool:
    """The interface (in the current namespace) is a veth."""
    buf = array.array("B", struct.pack("I", _ETHTOOL_GDRVINFO) + bytes(192))
    ifreq = struct.pack("16sP", ifname.encode()[:15], buf.buffer_info()[0])
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            fcntl.ioctl(s.fileno(), _SIOCETHTOOL, ifreq)
    except OSError:
        return False
    driver = bytes(buf[4:36]).split(b"\0", 1)[0]
    return driver == b"veth"


class VethTuning:
    """The qdisc and threaded NAPI of one veth port, set and put back.

    Args:
        ifname: the interface (in the current namespace: the caller's).
        netns: its namespace's name (``None``: the root namespace), for the
            namespace's own view of ``/sys``.
    """

    def __init__(self, ifname: str, netns: str | None) -> None:
        self.ifname = ifname
        self.netns = netns
        self.qdisc = False
        self.threaded = False

    def apply(self) -> None:
        """Add the qdisc where the veth has none, turn threaded NAPI on (after the
        XDP program is attached: before, the veth has no NAPI). Best effort: a
        failure leaves the port working as on any interface."""
        show = subprocess.run(
            ["tc", "qdisc", "show", "dev", self.ifname, "root"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if show.returncode == 0 and "noqueue" in show.stdout:
            add = subprocess.run(
                ["tc", "qdisc", "replace", "dev", self.ifname, "root", "pfifo",
                 "limit", "1000"],
                capture_output=True, check=False,
            )  # fmt: skip
            self.qdisc = add.returncode == 0
        self.threaded = self._set_threaded(1)

    def undo(self) -> None:
        """Put back what :meth:`apply` changed."""
        if self.threaded:
            self._set_threaded(0)
            self.threaded = False
        if self.qdisc:
            with contextlib.suppress(OSError):
                subprocess.run(
                    ["tc", "qdisc", "del", "dev", self.ifname, "root"],
                    capture_output=True, check=False,
                )  # fmt: skip
            self.qdisc = False

    def _set_threaded(self, value: int) -> bool:
        path = f"/sys/class/net/{self.ifname}/threaded"
        if self.netns is None:
            try:
                Path(path).write_text(f"{value}\n")
            except OSError:
                return False
            return True
        # /sys shows the namespace it was mounted in: `ip netns exec` mounts the
        # namespace's own for the command
        res = subprocess.run(
            ["ip", "netns", "exec", self.netns, "sh", "-c", f"echo {value} > {path}"],
            capture_output=True, check=False,
        )  # fmt: skip
        return res.returncode == 0
