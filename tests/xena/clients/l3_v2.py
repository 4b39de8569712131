"""L3 services through a router, with xoa-driver 2.9.x (run in its venv).

Ports 0/0 and 0/1 face the router DUT of ``wirespeed server --dut router``
(198.18.1.2/24 via 198.18.1.1 and 198.18.2.2/24 via 198.18.2.1, and the same in
2001:2:0:{1,2}::/64). The script gives them their addresses, lets the router ping
port 1 (``ip netns exec <router> ping``), resolves the gateway with a stream's
PS_ARPREQUEST as the RFC 2544 suite does, pings through the router, sends a stream
to that MAC with a packet limit while port 1 captures, sends one frame with
P_XMITONE, asks for a gateway nobody answers, then does the same in IPv6. Results
go to stdout as one JSON line.
"""

import asyncio
import ipaddress
import json
import subprocess
import sys
import time

from xoa_driver import enums, testers, utils
from xoa_driver.hlfuncs import mgmt
from xoa_driver.misc import ArpChunk, Hex

XENA_EPOCH_S = 1_262_304_000


def ip4(addr: str) -> str:
    return "".join(f"{int(x):02X}" for x in addr.split("."))


def ip6(addr: str) -> str:
    return ipaddress.IPv6Address(addr).packed.hex().upper()


def ipv4_header(dst_mac: str, src_mac: str, src: str, dst: str) -> str:
    return (f"{dst_mac}{src_mac}0800" "4500000000000000" "40110000"
            f"{ip4(src)}{ip4(dst)}" "0400040000000000")  # fmt: skip


def ipv6_header(dst_mac: str, src_mac: str, src: str, dst: str) -> str:
    return (f"{dst_mac}{src_mac}86DD" "60000000" "0000" "11" "40"
            f"{ip6(src)}{ip6(dst)}" "0400040000000000")  # fmt: skip


def udp_frame(dst_mac: str, src_mac: str, src: str, dst: str) -> str:
    """A whole 64-byte frame (60 bytes and 4 standing for the FCS), lengths and
    IPv4 checksum right: P_XMITONE sends it as it is."""
    ip = bytearray.fromhex("4500002E00000000401100" + "00" + ip4(src) + ip4(dst))
    total = sum(int.from_bytes(ip[i : i + 2], "big") for i in range(0, 20, 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    ip[10:12] = (~total & 0xFFFF).to_bytes(2, "big")
    udp = "04000400001A0000" + "00" * 18
    return f"{dst_mac}{src_mac}0800" + ip.hex().upper() + udp + "00" * 4


def mac_hex(value: object) -> str:
    return str(value).lower().replace("0x", "").replace(":", "")


def router_ping(netns: str, *args: str) -> None:
    argv = ["ip", "netns", "exec", netns, "ping", "-c", "3", "-i", "0.2", "-W", "2"]
    subprocess.run([*argv, *args], check=True, capture_output=True, timeout=30)


async def wait_off(port) -> None:
    for _ in range(200):
        if (await port.traffic.state.get()).on_off == 0:
            return
        await asyncio.sleep(0.05)
    raise SystemExit("traffic did not stop")


async def send_and_capture(p0, p1, stream, tid: int, count: int) -> dict:
    """Clear, capture TPLD ``tid`` on port 1, send ``count`` frames, read back."""
    await utils.apply(
        p1.capturer.trigger.set(enums.StartTrigger.ON, 0, enums.StopTrigger.FULL, 0),
        p1.capturer.keep.set(enums.PacketType.TPLD, tid, -1),
        p0.statistics.tx.clear.set(),
        p1.statistics.rx.clear.set(),
    )
    await p1.capturer.state.set_start()
    await utils.apply(stream.enable.set_on())
    await p0.traffic.state.set_start()
    await wait_off(p0)
    await asyncio.sleep(0.5)
    await p1.capturer.state.set_stop()
    await utils.apply(stream.enable.set_off())
    tx, rx, tpld, extra, cap = await utils.apply(
        p0.statistics.tx.total.get(),
        p1.statistics.rx.total.get(),
        p1.statistics.rx.access_tpld(tid).traffic.get(),
        p1.statistics.rx.extra.get(),
        p1.capturer.stats.get(),
    )
    captured = await p1.capturer.obtain_captured()
    first = await captured[0].packet.get()
    first_extra = await captured[0].extra.get()
    last = await captured[-1].packet.get()
    return {
        "tx": [tx.packet_count_since_cleared, tx.byte_count_since_cleared],
        "rx": [rx.packet_count_since_cleared, rx.byte_count_since_cleared],
        "tid": [tpld.packet_count_since_cleared, tpld.byte_count_since_cleared],
        "rx_arp_ping": [extra.rx_arp_request_count, extra.rx_arp_reply_count,
                        extra.rx_ping_request_count, extra.rx_ping_reply_count],
        "capture": [cap.status, cap.packets, len(captured)],
        "start_time_s": cap.start_time / 1e9 + XENA_EPOCH_S,
        "first": mac_hex(first.hex_data),
        "last": mac_hex(last.hex_data),
        "first_extra": [first_extra.time_captured / 1e9 + XENA_EPOCH_S,
                        first_extra.latency, first_extra.length],
    }  # fmt: skip


async def main(cfg: dict) -> dict:
    out: dict = {}
    netns = cfg["router_netns"]
    async with testers.L23Tester(cfg["host"], "XOA", port=cfg["port"]) as tester:
        module = tester.modules.obtain(0)
        p0, p1 = module.ports.obtain(0), module.ports.obtain(1)
        for port in (p0, p1):
            await mgmt.reserve_port(port, force=True)
            await mgmt.reset_port(port)
        await utils.apply(
            p0.net_config.ipv4.address.set("198.18.1.2", "255.255.255.0",
                                           "198.18.1.1", "0.0.0.0"),
            p1.net_config.ipv4.address.set("198.18.2.2", "255.255.255.0",
                                           "198.18.2.1", "0.0.0.0"),
            p0.net_config.ipv6.address.set("2001:2:0:1::2", "2001:2:0:1::1", 64, 128),
            p1.net_config.ipv6.address.set("2001:2:0:2::2", "2001:2:0:2::1", 64, 128),
            *(cmd.set_on() for p in (p0, p1)
              for cmd in (p.net_config.ipv4.arp_reply, p.net_config.ipv4.ping_reply,
                          p.net_config.ipv6.arp_reply, p.net_config.ipv6.ping_reply)),
        )  # fmt: skip
        addr = await p0.net_config.ipv4.address.get()
        out["p0_ipv4"] = [str(addr.ipv4_address), str(addr.subnet_mask),
                          str(addr.gateway), str(addr.wild)]  # fmt: skip
        addr6 = await p1.net_config.ipv6.address.get()
        out["p1_ipv6"] = [str(addr6.ipv6_address), str(addr6.gateway),
                          addr6.subnet_prefix, addr6.wildcard_prefix]  # fmt: skip
        mac0 = mac_hex((await p0.net_config.mac_address.get()).mac_address)
        mac1 = mac_hex((await p1.net_config.mac_address.get()).mac_address)
        out["macs"] = [mac0, mac1]

        # the router pings port 1: answered, and counted as port 1 received them
        await utils.apply(p1.statistics.rx.clear.set(), p1.statistics.tx.clear.set())
        router_ping(netns, "198.18.2.2")
        rx_extra, tx_extra = await utils.apply(
            p1.statistics.rx.extra.get(), p1.statistics.tx.extra.get()
        )
        out["router_ping_rx"] = [rx_extra.rx_ping_request_count,
                                 rx_extra.rx_ping_reply_count]  # fmt: skip
        out["router_ping_tx"] = list(tx_extra.tx_arp_req_count)
        router_ping(netns, "-6", "2001:2:0:2::2")  # the router learns port 1's MAC

        # the gateway's MAC from a stream, as the RFC 2544 suite asks for it
        s0 = await p0.streams.create()
        await utils.apply(
            s0.packet.header.protocol.set(
                [enums.ProtocolOption.ETHERNET, enums.ProtocolOption.IP,
                 enums.ProtocolOption.UDP]),
            s0.packet.header.data.set(Hex(ipv4_header(
                "FFFFFFFFFFFF", mac0, "198.18.1.2", "198.18.2.2"))),
            s0.gateway.ipv4.set("198.18.1.1"),
        )  # fmt: skip
        out["gateway4"] = str((await s0.gateway.ipv4.get()).gateway)
        gw_mac = mac_hex((await s0.request.arp.get()).mac_address)
        out["arp"] = gw_mac
        ping = await s0.request.ping.get()
        out["ping"] = [ping.delay, ping.time_to_live]

        # a stream to that MAC, a packet limit, TPLD 5; port 1 captures
        n = cfg["count"]
        await utils.apply(
            s0.packet.header.data.set(Hex(ipv4_header(
                gw_mac, mac0, "198.18.1.2", "198.18.2.2"))),
            s0.packet.limit.set(n),
            s0.packet.length.set(enums.LengthType.FIXED, 128, 128),
            s0.payload.content.set(enums.PayloadType.PATTERN, Hex("AA55")),
            s0.rate.pps.set(cfg["pps"]),
            s0.tpld_id.set(5),
            s0.insert_packets_checksum.set_on(),
        )  # fmt: skip
        out["v4"] = await send_and_capture(p0, p1, s0, 5, n)

        # one frame by P_XMITONE (its last 4 bytes stand for the FCS)
        await utils.apply(p0.statistics.tx.clear.set(), p1.statistics.rx.clear.set())
        frame = udp_frame(gw_mac, mac0, "198.18.1.2", "198.18.2.2")
        before_s = time.time()
        await p0.tx_single_pkt.send.set(Hex(frame))
        await asyncio.sleep(0.5)
        when = await p0.tx_single_pkt.time.get()
        tx, rx = await utils.apply(
            p0.statistics.tx.total.get(), p1.statistics.rx.total.get()
        )
        out["xmit"] = {
            "tx": [tx.packet_count_since_cleared, tx.byte_count_since_cleared],
            "rx": [rx.packet_count_since_cleared, rx.byte_count_since_cleared],
            "after_s": when.nanoseconds / 1e9 + XENA_EPOCH_S - before_s,
        }

        # a gateway nobody answers: the error status, and the server goes on
        s1 = await p0.streams.create()
        await utils.apply(
            s1.packet.header.protocol.set(
                [enums.ProtocolOption.ETHERNET, enums.ProtocolOption.IP]),
            s1.packet.header.data.set(Hex(ipv4_header(
                "FFFFFFFFFFFF", mac0, "198.18.1.2", "198.18.2.2")[:-16])),
            s1.gateway.ipv4.set("198.18.1.99"),
        )  # fmt: skip
        try:
            await s1.request.arp.get()
            out["silent_gateway"] = "answered"
        except Exception as exc:  # the driver's exception for the status
            out["silent_gateway"] = type(exc).__name__
        out["after_error"] = mac_hex((await s0.request.arp.get()).mac_address)

        # the reply table the RFC suites write: kept and read back
        peer = ipaddress.IPv4Address("198.18.2.2")
        chunk = ArpChunk(peer, 32, enums.OnOff.OFF, Hex(mac1))
        await p1.arp_rx_table.set([chunk])
        table = (await p1.arp_rx_table.get()).chunks
        out["arp_rx_table"] = [[str(c.ipv4_address), c.prefix, int(c.patched_mac),
                                mac_hex(c.mac_address)] for c in table]  # fmt: skip

        # IPv6: the gateway by neighbour solicitation, then a stream through it
        s2 = await p0.streams.create()
        await utils.apply(
            s2.packet.header.protocol.set(
                [enums.ProtocolOption.ETHERNET, enums.ProtocolOption.IPV6,
                 enums.ProtocolOption.UDP]),
            s2.packet.header.data.set(Hex(ipv6_header(
                "FFFFFFFFFFFF", mac0, "2001:2:0:1::2", "2001:2:0:2::2"))),
            s2.gateway.ipv6.set("2001:2:0:1::1"),
        )  # fmt: skip
        gw6_mac = mac_hex((await s2.request.arp.get()).mac_address)
        out["arp6"] = gw6_mac
        m = cfg["count6"]
        await utils.apply(
            s2.packet.header.data.set(Hex(ipv6_header(
                gw6_mac, mac0, "2001:2:0:1::2", "2001:2:0:2::2"))),
            s2.packet.limit.set(m),
            s2.packet.length.set(enums.LengthType.FIXED, 160, 160),
            s2.rate.pps.set(cfg["pps"]),
            s2.tpld_id.set(6),
        )  # fmt: skip
        out["v6"] = await send_and_capture(p0, p1, s2, 6, m)
        for port in (p0, p1):
            await mgmt.reset_port(port)
            await port.reservation.set_release()
    return out


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(json.loads(sys.argv[1])), 300))
    print(json.dumps(result))
