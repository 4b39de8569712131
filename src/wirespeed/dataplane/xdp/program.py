"""The port's XDP program (``port_xdp.c``): built with clang, loaded with libbpf.

The program is compiled at its first use into a cache folder (named by a hash of
its source, so a changed source is built again) and attached through a BPF link:
it leaves the interface by itself when the process that attached it ends, however
it ends.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

from wirespeed.dataplane.xdp.libs import Libs, libs
from wirespeed.errors import PortError

__all__ = ["PortProgram", "build_object", "find_clang"]

_SOURCE = Path(__file__).with_name("port_xdp.c")
_CLANGS = ("clang", *(f"clang-{v}" for v in range(20, 13, -1)))


def find_clang() -> str | None:
    """The clang that builds the program (``None``: none installed)."""
    for name in _CLANGS:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def _cache_dir() -> Path:
    env = os.environ.get("WIRESPEED_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "wirespeed"


def build_object() -> Path:
    """The compiled program (built now if the cache lacks it).

    Raises:
        PortError: no clang, or the build failed (its message).
    """
    source = _SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    out = _cache_dir() / f"port_xdp-{digest}.o"
    if out.exists():
        return out
    clang = find_clang()
    if clang is None:
        raise PortError(
            "AF_XDP needs clang to build its XDP program (apt-get install clang)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    cmd = [
        clang, "-O2", "-g", "-target", "bpf", f"-I/usr/include/{multiarch}",
        "-c", str(_SOURCE), "-o", str(tmp),
    ]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise PortError(f"building the XDP program failed: {res.stderr.strip()}")
    tmp.replace(out)
    return out


class PortProgram:
    """The program attached to one interface, and its maps.

    Args:
        ifname: the interface (in the current namespace).

    Raises:
        PortError: it could not be built, loaded or attached (another XDP program
            on the interface, an MTU too large for XDP...), naming the interface.
    """

    def __init__(self, ifname: str) -> None:
        self.ifname = ifname
        self._libs: Libs = libs()
        bpf = self._libs.bpf
        path = build_object()
        self._obj = bpf.bpf_object__open_file(str(path).encode(), None)
        if not self._obj:
            raise PortError(f"{ifname}: cannot open the XDP program {path}")
        self._link: int | None = None
        try:
            rc = bpf.bpf_object__load(self._obj)
            self._libs.check(rc, "load the XDP program", ifname)
            prog = bpf.bpf_object__find_program_by_name(self._obj, b"ws_port")
            self.xsks_fd = bpf.bpf_object__find_map_fd_by_name(self._obj, b"xsks")
            self._pass_fd = bpf.bpf_object__find_map_fd_by_name(self._obj, b"pass_all")
            if not prog or self.xsks_fd < 0 or self._pass_fd < 0:
                raise PortError(f"{ifname}: the XDP program lacks its parts")
            ifindex = socket_ifindex(ifname)
            link = bpf.bpf_program__attach_xdp(prog, ifindex)
            err = bpf.libbpf_get_error(link) if link else -1
            if not link or err:
                errno_ = -err if err else ctypes.get_errno()
                raise PortError(
                    f"{ifname}: cannot attach the XDP program: {os.strerror(errno_)}"
                    + (" (another XDP program is on it?)" if errno_ == 16 else "")
                )
            self._link = link
        except BaseException:
            bpf.bpf_object__close(self._obj)
            raise

    def pass_all(self, on: bool) -> None:
        """Send every frame to the kernel (``True``, while a capture runs) or the
        test frames to the socket again."""
        key = ctypes.c_uint32(0)
        value = ctypes.c_uint32(1 if on else 0)
        rc = self._libs.bpf.bpf_map_update_elem(
            self._pass_fd, ctypes.byref(key), ctypes.byref(value), 0
        )
        self._libs.check(rc, "set the XDP program's mode", self.ifname)

    def close(self) -> None:
        """Detach the program and free it."""
        bpf = self._libs.bpf
        if self._link is not None:
            bpf.bpf_link__destroy(self._link)
            self._link = None
        if self._obj:
            bpf.bpf_object__close(self._obj)
            self._obj = None


def socket_ifindex(ifname: str) -> int:
    """The interface's index in the current namespace."""
    import socket

    try:
        return socket.if_nametoindex(ifname)
    except OSError as exc:
        raise PortError(f"{ifname}: no such interface") from exc
