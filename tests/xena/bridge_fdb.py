"""A Linux bridge's limit on learned addresses, by netlink (run in its namespace).

``python bridge_fdb.py BRIDGE [LIMIT]`` sets ``fdb_max_learned`` (kernel 6.7+;
iproute2 6.1 has no word for it) when LIMIT is given, and prints the bridge's
``{"learned": n, "max_learned": m}``: the DUT's own count of what it learned.
"""

import json
import os
import socket
import struct
import sys

RTM_NEWLINK, RTM_GETLINK = 16, 18
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
IFLA_LINKINFO, IFLA_INFO_KIND, IFLA_INFO_DATA = 18, 1, 2
IFLA_BR_FDB_N_LEARNED, IFLA_BR_FDB_MAX_LEARNED = 48, 49
NLA_F_NESTED = 0x8000
HEADER, IFINFO = 16, 16  # nlmsghdr, ifinfomsg


def _nla(kind: int, payload: bytes) -> bytes:
    size = 4 + len(payload)
    return struct.pack("HH", size, kind) + payload + bytes(-size % 4)


def _ask(kind: int, flags: int, index: int, attrs: bytes = b"") -> bytes:
    body = struct.pack("BxHiII", socket.AF_UNSPEC, 0, index, 0, 0) + attrs
    msg = struct.pack("IHHII", HEADER + len(body), kind, flags, 1, 0) + body
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW) as sock:
        sock.send(msg)
        reply = sock.recv(65536)
    if struct.unpack_from("H", reply, 4)[0] == NLMSG_ERROR:
        (err,) = struct.unpack_from("i", reply, HEADER)
        if err:
            raise OSError(-err, os.strerror(-err))
    return reply


def _attrs(buf: bytes, start: int, end: int) -> dict[int, tuple[int, int]]:
    out = {}
    while start + 4 <= end:
        size, kind = struct.unpack_from("HH", buf, start)
        if size < 4:
            break
        out[kind & 0x3FFF] = (start + 4, start + size)
        start += (size + 3) & ~3
    return out


def set_max_learned(bridge: str, limit: int) -> None:
    """Learn at most ``limit`` addresses (0: no limit)."""
    data = _nla(IFLA_BR_FDB_MAX_LEARNED, struct.pack("I", limit))
    info = _nla(IFLA_INFO_KIND, b"bridge\0") + _nla(IFLA_INFO_DATA | NLA_F_NESTED, data)
    _ask(
        RTM_NEWLINK,
        NLM_F_REQUEST | NLM_F_ACK,
        socket.if_nametoindex(bridge),
        _nla(IFLA_LINKINFO | NLA_F_NESTED, info),
    )


def learned(bridge: str) -> dict[str, int]:
    """What the bridge learned and may learn."""
    buf = _ask(RTM_GETLINK, NLM_F_REQUEST, socket.if_nametoindex(bridge))
    top = _attrs(buf, HEADER + IFINFO, len(buf))
    info = _attrs(buf, *top[IFLA_LINKINFO])
    data = _attrs(buf, *info[IFLA_INFO_DATA])

    def u32(kind: int) -> int:
        value: int = struct.unpack_from("I", buf, data[kind][0])[0]
        return value

    return {
        "learned": u32(IFLA_BR_FDB_N_LEARNED),
        "max_learned": u32(IFLA_BR_FDB_MAX_LEARNED),
    }


if __name__ == "__main__":
    if len(sys.argv) > 2:
        set_max_learned(sys.argv[1], int(sys.argv[2]))
    print(json.dumps(learned(sys.argv[1])))
