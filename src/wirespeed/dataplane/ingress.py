"""Frames a port receives stop at the tester: they do not reach the namespace's stack.

A tester's port belongs to the tester: what arrives is counted and analysed from the
RX ring and goes no further. Left alone, the kernel also hands every frame to the
network stack of the port's namespace, which looks up a route for it, finds none
(test ports have no addresses), allocates an unreachable route entry, frees it again
through RCU -- on the *sending* CPU, since a veth does its receiver's work there --
and, where the namespace has addresses, may answer (ICMP errors, TCP resets, ARP
replies) with frames of its own that the peer port would count.

:class:`IngressHold` drops every frame at the interface's netdev ingress hook, which
the kernel runs after the packet taps, so the RX ring has its copy of each. The
nftables table is flagged ``owner``: it lives exactly as long as the ``nft`` process
that made it, a child reading commands from a pipe of ours. When we exit, also when
we are killed, the pipe closes, ``nft`` exits and the kernel removes the table: a
crashed run leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

from wirespeed.errors import PortError

__all__ = ["IngressHold", "hold_ingress", "is_held", "table_name"]


def table_name(ifname: str, pid: int | None = None) -> str:
    """The nftables table with which process ``pid`` (this one) holds ``ifname``:
    one per holder, so a holder that starts while one that was killed is still
    going away does not collide with it."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", ifname)
    return f"wirespeed_{os.getpid() if pid is None else pid}_{safe}"


def is_held(ifname: str, netns: str | None = None) -> bool:
    """Whether some wirespeed process holds ``ifname``'s ingress (in ``netns``)."""
    nft = shutil.which("nft")
    if nft is None:
        return False
    cmd = [nft, "list", "chains", "netdev"]
    if netns is not None:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    held = re.compile(
        r"table netdev wirespeed_\w+ \{[^}]*hook ingress device "
        + re.escape(f'"{ifname}"')
        + r"[^}]*policy drop"
    )
    return res.returncode == 0 and held.search(res.stdout) is not None


class IngressHold:
    """Drop everything ``ifname`` receives after the packet taps (current namespace),
    from :meth:`start` to :meth:`close`."""

    def __init__(self, ifname: str) -> None:
        self.ifname = ifname
        self.table = ""
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def active(self) -> bool:
        """True while the table is held (its ``nft`` process runs)."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout_s: float = 5.0) -> None:
        """Install the drop; raises :class:`PortError` (saying why) if it cannot."""
        if self._proc is not None:
            return
        self.table = table_name(self.ifname)
        nft = shutil.which("nft")
        if nft is None:
            raise PortError(f"{self.ifname}: cannot hold ingress: nft is not installed")
        rule = (
            f"table netdev {self.table} {{ flags owner; chain ingress {{ "
            f'type filter hook ingress device "{self.ifname}" priority 0; '
            "policy drop; }; }\n"
        )
        # a dry run first: the kernel's answer to a bad rule, at once
        check = subprocess.run(
            [nft, "-c", "-f", "-"],
            input=rule.encode(),
            capture_output=True,
            check=False,
        )
        if check.returncode != 0:
            why = " ".join(check.stderr.decode(errors="replace").split())
            raise PortError(f"{self.ifname}: cannot hold ingress: {why}")
        proc = subprocess.Popen(
            [nft, "-i"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert proc.stdin is not None
        try:
            proc.stdin.write(rule.encode())
            proc.stdin.flush()
        except OSError:
            pass  # nft exited at once: reported below
        deadline = time.monotonic() + timeout_s
        while proc.poll() is None and time.monotonic() < deadline:
            if self._listed(nft):
                self._proc = proc
                return
            time.sleep(0.005)
        why = _stop(proc) or "nft did not install the table"
        raise PortError(f"{self.ifname}: cannot hold ingress: {why}")

    def close(self) -> None:
        """Let frames through again (the table goes with its ``nft`` process)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc)

    def _listed(self, nft: str) -> bool:
        cmd = [nft, "list", "table", "netdev", self.table]
        res = subprocess.run(cmd, capture_output=True, check=False)
        return res.returncode == 0


def hold_ingress(ifname: str) -> IngressHold | None:
    """Hold ``ifname``'s ingress if nftables can; else say so on stderr and go on
    (the counts are the same: the namespace's stack just sees the frames too)."""
    hold = IngressHold(ifname)
    try:
        hold.start()
    except PortError as exc:
        print(f"wirespeed: {exc}; its frames also reach the stack", file=sys.stderr)
        return None
    return hold


def _stop(proc: subprocess.Popen[bytes]) -> str:
    """End an ``nft -i`` child; return what it wrote to stderr."""
    try:
        _out, err = proc.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    text = err.decode(errors="replace").strip() if err else ""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
