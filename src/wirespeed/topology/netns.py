"""Network namespaces, veth pairs and bridges that wirespeed creates and removes.

A :class:`Lab` records every object it creates and removes them in reverse order when
it closes, also when the block it guards raises. Its record lives in a file under
``/run/wirespeed/labs/`` together with the pid of the creating process, so that a lab
whose process was killed is removed by the next :class:`Lab` that starts (and by
:func:`cleanup_stale`). Nothing is ever removed that a lab did not create itself.

:func:`in_netns` switches the *current thread* into a namespace (libc ``setns``);
sockets created inside stay in that namespace after the thread switches back. It
lives in :mod:`wirespeed.dataplane.netns` (the workers use it) and is re-exported
here.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyroute2 import IPRoute, NetNS, netns

from wirespeed.dataplane.netns import enter_netns, in_netns
from wirespeed.errors import TopologyError

__all__ = [
    "LAB_DIR",
    "Lab",
    "cleanup_stale",
    "enter_netns",
    "in_netns",
    "netns_exists",
]

LAB_DIR = Path(os.environ.get("WIRESPEED_RUN_DIR", "/run/wirespeed")) / "labs"


def netns_exists(name: str) -> bool:
    """Return True if a named network namespace exists."""
    return name in netns.listnetns()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _Record:
    lab_id: str
    pid: int
    netns: list[str] = field(default_factory=list)
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (ifname, ns)

    def to_json(self) -> str:
        return json.dumps(
            {
                "lab_id": self.lab_id,
                "pid": self.pid,
                "netns": self.netns,
                "links": [list(x) for x in self.links],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> _Record:
        raw = json.loads(text)
        return cls(
            lab_id=str(raw["lab_id"]),
            pid=int(raw["pid"]),
            netns=[str(x) for x in raw["netns"]],
            links=[(str(a), None if b is None else str(b)) for a, b in raw["links"]],
        )


def _remove_record(rec: _Record) -> None:
    # Links first (root-namespace ones only matter: those in our namespaces vanish
    # with the namespace), then the namespaces, newest first.
    for ifname, ns in reversed(rec.links):
        if ns is not None and ns in rec.netns:
            continue
        _delete_link(ifname, ns)
    for name in reversed(rec.netns):
        if netns_exists(name):
            with contextlib.suppress(OSError):
                _kill_pids_in(name)
            try:
                netns.remove(name)
            except OSError as exc:
                if exc.errno != errno.ENOENT:
                    raise TopologyError(
                        f"cannot remove namespace {name}: {exc}"
                    ) from exc


def _kill_pids_in(name: str) -> None:
    # Processes that a lab started inside its own namespace (never any other).
    out = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True)
    for tok in out.stdout.split():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(tok), 9)


def _delete_link(ifname: str, ns: str | None) -> None:
    if ns is not None and not netns_exists(ns):
        return
    ctx: Any = NetNS(ns) if ns is not None else IPRoute()
    with ctx as ipr:
        idx = ipr.link_lookup(ifname=ifname)
        if idx:
            with contextlib.suppress(Exception):
                ipr.link("del", index=idx[0])


def cleanup_stale() -> list[str]:
    """Remove every lab whose creating process is gone. Returns their ids."""
    removed: list[str] = []
    if not LAB_DIR.is_dir():
        return removed
    for path in sorted(LAB_DIR.glob("*.json")):
        try:
            rec = _Record.from_json(path.read_text())
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _pid_alive(rec.pid):
            continue
        _remove_record(rec)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        removed.append(rec.lab_id)
    return removed


class Lab:
    """A set of namespaces, links and bridges created together and removed together.

    Args:
        prefix: a short word that starts every namespace name (``ws`` by default).
            The lab id appends a random token, so concurrent labs never collide.
    """

    def __init__(self, prefix: str = "ws") -> None:
        self.lab_id = f"{prefix}{secrets.token_hex(3)}"
        self._rec = _Record(self.lab_id, os.getpid())
        self._path = LAB_DIR / f"{self.lab_id}.json"
        self._closed = True

    # -- lifecycle ------------------------------------------------------------
    def __enter__(self) -> Lab:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Clean up stale labs, then start recording."""
        if os.geteuid() != 0:
            raise TopologyError(
                "creating network namespaces needs root (CAP_NET_ADMIN)"
            )
        cleanup_stale()
        LAB_DIR.mkdir(parents=True, exist_ok=True)
        self._closed = False
        self._save()

    def close(self) -> None:
        """Remove everything this lab created (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            _remove_record(self._rec)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()

    def _save(self) -> None:
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(self._rec.to_json())
        tmp.replace(self._path)

    # -- namespaces -----------------------------------------------------------
    def netns_name(self, name: str) -> str:
        """The real name of this lab's namespace ``name``."""
        return f"{self.lab_id}-{name}"

    def add_netns(self, name: str, *, ipv6: bool = False) -> str:
        """Create a namespace (lo up, IPv6 off unless asked). Returns its real name."""
        real = self.netns_name(name)
        self._rec.netns.append(real)
        self._save()
        try:
            netns.create(real)
        except OSError as exc:
            raise TopologyError(f"cannot create namespace {real}: {exc}") from exc
        self.set_up("lo", netns=real)
        # no IGMP reports for 224.0.0.x from this namespace's interfaces: a test
        # port (or a DUT bridge) must not emit frames of its own
        self.sysctl(real, "net.ipv4.igmp_link_local_mcast_reports", "0")
        if not ipv6:
            self.sysctl(real, "net.ipv6.conf.all.disable_ipv6", "1")
            self.sysctl(real, "net.ipv6.conf.default.disable_ipv6", "1")
        return real

    def sysctl(self, ns: str | None, key: str, value: str) -> None:
        """Write a sysctl inside a namespace (``None`` = root namespace)."""
        path = "/proc/sys/" + key.replace(".", "/")
        with in_netns(ns), open(path, "w") as fh:
            fh.write(value)

    # -- links ----------------------------------------------------------------
    @contextlib.contextmanager
    def _ipr(self, ns: str | None) -> Iterator[Any]:
        ctx: Any = NetNS(ns) if ns is not None else IPRoute()
        with ctx as ipr:
            yield ipr

    def _index(self, ipr: Any, ifname: str, ns: str | None) -> int:
        idx = ipr.link_lookup(ifname=ifname)
        if not idx:
            raise TopologyError(f"no interface {ifname} in namespace {ns or 'root'}")
        return int(idx[0])

    def add_veth(
        self,
        ifname: str,
        ns: str | None,
        peer: str,
        peer_ns: str | None,
        *,
        mac: str | None = None,
        peer_mac: str | None = None,
        mtu: int | None = None,
    ) -> None:
        """Create a veth pair ``ifname``@``ns`` <-> ``peer``@``peer_ns``, both up."""
        self._rec.links.append((ifname, ns))
        self._save()
        try:
            with self._ipr(ns) as ipr:
                peer_spec: dict[str, Any] = {"ifname": peer}
                if peer_ns is not None and peer_ns != ns:
                    peer_spec["net_ns_fd"] = peer_ns
                ipr.link("add", ifname=ifname, kind="veth", peer=peer_spec)
            if peer_ns is None and ns is not None:
                # The peer was created inside ``ns``; move it to the root namespace.
                with self._ipr(ns) as ipr:
                    ipr.link("set", index=self._index(ipr, peer, ns), net_ns_pid=1)
        except Exception as exc:  # pyroute2 raises NetlinkError (an OSError) or others
            raise TopologyError(f"cannot create veth {ifname}/{peer}: {exc}") from exc
        for name, where, addr in ((ifname, ns, mac), (peer, peer_ns, peer_mac)):
            with self._ipr(where) as ipr:
                idx = self._index(ipr, name, where)
                kw: dict[str, Any] = {}
                if addr:
                    kw["address"] = addr
                if mtu:
                    kw["mtu"] = mtu
                if kw:
                    ipr.link("set", index=idx, **kw)
                ipr.link("set", index=idx, state="up")

    def add_bridge(self, name: str, *, netns: str | None = None) -> str:
        """Create a Linux bridge (up, no STP, no forwarding delay)."""
        self._rec.links.append((name, netns))
        self._save()
        with self._ipr(netns) as ipr:
            try:
                ipr.link(
                    "add",
                    ifname=name,
                    kind="bridge",
                    br_stp_state=0,
                    br_forward_delay=0,
                )
            except Exception as exc:
                raise TopologyError(f"cannot create bridge {name}: {exc}") from exc
            ipr.link("set", index=self._index(ipr, name, netns), state="up")
        return name

    def set_master(self, ifname: str, bridge: str, *, netns: str | None = None) -> None:
        """Attach ``ifname`` to ``bridge`` (both in ``netns``)."""
        with self._ipr(netns) as ipr:
            ipr.link(
                "set",
                index=self._index(ipr, ifname, netns),
                master=self._index(ipr, bridge, netns),
            )

    def set_up(self, ifname: str, *, netns: str | None = None) -> None:
        """Bring an interface up."""
        with self._ipr(netns) as ipr:
            ipr.link("set", index=self._index(ipr, ifname, netns), state="up")

    def set_mac(self, ifname: str, mac: str, *, netns: str | None = None) -> None:
        """Set an interface's MAC address."""
        with self._ipr(netns) as ipr:
            ipr.link("set", index=self._index(ipr, ifname, netns), address=mac)

    def add_address(self, ifname: str, cidr: str, *, netns: str | None = None) -> None:
        """Add an IPv4/IPv6 address in CIDR form."""
        addr, _, plen = cidr.partition("/")
        with self._ipr(netns) as ipr:
            ipr.addr(
                "add",
                index=self._index(ipr, ifname, netns),
                address=addr,
                prefixlen=int(plen or (128 if ":" in addr else 32)),
            )

    def add_route(self, dst: str, *, gateway: str, netns: str | None = None) -> None:
        """Add a route (``dst`` in CIDR form or ``default``) via ``gateway``."""
        with self._ipr(netns) as ipr:
            if dst in ("default", "0.0.0.0/0"):
                ipr.route("add", dst="0.0.0.0/0", gateway=gateway)
            else:
                ipr.route("add", dst=dst, gateway=gateway)

    def add_neighbour(
        self, ifname: str, ip: str, mac: str, *, netns: str | None = None
    ) -> None:
        """Add a permanent neighbour (ARP) entry."""
        with self._ipr(netns) as ipr:
            ipr.neigh(
                "replace",
                dst=ip,
                lladdr=mac,
                ifindex=self._index(ipr, ifname, netns),
                state="permanent",
            )

    def exists_link(self, ifname: str, *, netns: str | None = None) -> bool:
        """Return True if ``ifname`` exists in ``netns`` (``None`` = root)."""
        if netns is not None and not netns_exists(netns):
            return False
        with self._ipr(netns) as ipr:
            return bool(ipr.link_lookup(ifname=ifname))

    def link_mac(self, ifname: str, *, netns: str | None = None) -> str:
        """Return an interface's MAC address."""
        with self._ipr(netns) as ipr:
            link = ipr.get_links(self._index(ipr, ifname, netns))[0]
            return str(link.get_attr("IFLA_ADDRESS"))
