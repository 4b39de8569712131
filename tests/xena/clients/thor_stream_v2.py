"""The seed script ``thor_stream.py`` as wirespeed's tests run it (xoa-driver 2.9.x).

The seed is ``thor_stream/thor_stream.py`` in the public repository
``xenanetworks/tdl-xoa-python-script-library``, final version 505e5c9 (the folder was
removed in 04a7cac). Third-party code is not copied into this repository, so this
file is our own re-implementation: the same driver calls in the same order with the
same configuration, printing the same report. ``test_xena_seed.py`` can also run the
original text itself (``WIRESPEED_THOR_STREAM``).

Every difference from the original:

1. ``CHASSIS_IP`` comes from ``argv[1]`` (JSON ``{"host": ...}``); the original has
   10.20.1.166. The port is the original's 22606, user "XOA", password "xena".
2. The IPv4 addresses of the stream headers are in 198.18.0.0/15 (wirespeed's rule
   for test traffic): the original's ``N.0.0.h`` -> ``198.18.(N-10).h`` and
   ``N.1.0.h`` -> ``198.19.(N-10).h``. MAC addresses, frame sizes, rates, frame
   counts, payload patterns, FEC modes and TPLD ids are the original's.
3. The traffic duration (10 s), the cool-down (2 s) and the pause after each port
   reset (5 s) can be shortened with ``duration_s``, ``cooldown_s`` and
   ``reset_pause_s`` in ``argv[1]``; the defaults are the original's.
4. The configuration table is built from a compact list rather than spelled out, and
   the original's unused ``stop_event``/KeyboardInterrupt wrapper is left out.
"""

import asyncio
import ipaddress
import json
import sys

from xoa_driver import enums, modules, testers, utils
from xoa_driver.hlfuncs import mgmt
from xoa_driver.misc import Hex

CFG = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
CHASSIS_IP = CFG.get("host", "127.0.0.1")
USERNAME = "XOA"
_THOR_MODULES = (
    modules.MThor400G7S1P,
    modules.MThor400G7S1P_b,
    modules.MThor400G7S1P_c,
    modules.MThor400G7S1P_d,
)
_TRAFFIC_DURATION = CFG.get("duration_s", 10)
_COOL_DOWN = CFG.get("cooldown_s", 2)
_RESET_PAUSE = CFG.get("reset_pause_s", 5)
SEP = "=================================="

# (mid, pid, [(net, host, frame size, payload pattern)]); TPLD ids 0-9 in this order
_STREAMS = [
    (4, 0, [(10, 2, 128, "1234432156788765ABCDDCBAFFFFEEEE1221"),
            (10, 3, 256, "FFFF0000")]),
    (4, 1, [(11, 2, 128, "FFFF0000FFFFEEEE"), (11, 3, 256, "FFFF1234"),
            (11, 4, 512, "FFFF00000000")]),
    (8, 0, [(12, 2, 128, "FFFF00001122"), (13, 3, 256, "FFFF0000AABB")]),
    (8, 1, [(14, 2, 128, "FFFFEEEE"), (15, 3, 256, "DEAD"), (16, 4, 512, "DAED")]),
]  # fmt: skip


def _config() -> list[dict]:
    """The original's ``module_port_traffic_config`` (addresses in 198.18.0.0/15)."""
    table: dict[int, dict] = {}
    tpld = 0
    for mid, pid, streams in _STREAMS:
        m = table.setdefault(mid, {
            "mid": mid, "media": enums.MediaConfigurationType.QSFP56_PAM4,
            "port count": 2, "port speed": 200_000, "ports": []})  # fmt: skip
        port = {"pid": pid, "port fec mode": enums.FECMode.RS_FEC, "streams": []}
        m["ports"].append(port)
        for net, host, size, pattern in streams:
            port["streams"].append({
                "src ipv4": f"198.18.{net - 10}.{host}",
                "src mac": f"0000{net:02X}0000{host:02X}",
                "dst ipv4": f"198.19.{net - 10}.{host}",
                "dst mac": f"0000{net:02X}0100{host:02X}",
                "frame size type": enums.LengthType.FIXED,
                "frame size min": size, "frame size max": size,
                "stream rate pct": 10.0, "frame count": -1,
                "payload pattern": pattern, "tpld id": tpld,
            })  # fmt: skip
            tpld += 1
    return list(table.values())


def eth_ipv4_header(dst_mac: str, src_mac: str, src_ip: str, dst_ip: str) -> str:
    """DMAC SMAC 0800, IPv4 45 00 0000 0000 0000 TTL 7F proto FF checksum 0000."""
    ips = ipaddress.IPv4Address(src_ip).packed + ipaddress.IPv4Address(dst_ip).packed
    return f"{dst_mac}{src_mac}080045000000000000007FFF0000{ips.hex()}"


async def _media_config(tester, config: list[dict]) -> bool:
    print(SEP)
    print("MODULE MEDIA CONFIG")
    print(SEP)
    for m_item in config:
        mid = m_item["mid"]
        module = tester.modules.obtain(mid)
        if not isinstance(module, _THOR_MODULES):
            print(f"Module {mid} is not a Thor module")
            return False
        print(f"Reserve Module {mid}")
        await mgmt.free_module(module=module, should_free_ports=True)
        await mgmt.reserve_module(module=module, force=True)
        resp = await module.media.get()
        print(f"Module {mid}'s current media: {resp.media_config.name}")
        if resp.media_config != m_item["media"]:
            print(f"Change Module {mid}'s media to: {m_item['media'].name}")
            await module.media.set(media_config=m_item["media"])
            resp = await module.media.get()
            print(f"Module {mid}'s new media: {resp.media_config.name}")
        else:
            print(f"Module {mid}'s media: no change")
        resp = await module.cfp.config.get()
        print(f"Module {mid}'s current port count x speed: {resp.portspeed_list}")
        count, speed = m_item["port count"], m_item["port speed"]
        speeds = [count, *[speed] * count]
        if resp.portspeed_list != speeds:
            print(f"Change Module {mid}'s port count x speed to: "
                  f"{count}x{int(speed / 1000)}G")  # fmt: skip
            await module.cfp.config.set(portspeed_list=speeds)
            resp = await module.cfp.config.get()
            print(f"Module {mid}'s new port count x speed: {resp.portspeed_list}")
        else:
            print(f"Module {mid}'s port count x speed: no change")
    return True


async def _stream(port, s_item: dict) -> None:
    stream = await port.streams.create()
    header = eth_ipv4_header(s_item["dst mac"], s_item["src mac"],
                             s_item["src ipv4"], s_item["dst ipv4"])  # fmt: skip
    for label, value in (
        ("Index:", stream.idx), ("DMAC:", s_item["dst mac"]),
        ("SMAC:", s_item["src mac"]), ("SRC IPv4:", s_item["src ipv4"]),
        ("DST IPv4:", s_item["dst ipv4"]), ("Rate:", f"{s_item['stream rate pct']}%"),
        ("Frame Size Type:", f"{s_item['frame size type'].name} bytes"),
        ("Frame Size (min):", f"{s_item['frame size min']} bytes"),
        ("Frame Size (max):", f"{s_item['frame size max']} bytes"),
        ("Payload Pattern:", s_item["payload pattern"]),
        ("TPLD ID:", s_item["tpld id"]),
    ):  # fmt: skip
        print(f"{'  ' + label:<20}{value}")
    await utils.apply(
        stream.enable.set_on(),
        stream.packet.limit.set(packet_count=s_item["frame count"]),
        stream.comment.set("Test stream"),
        stream.rate.fraction.set(
            stream_rate_ppm=int(1000000 * (s_item["stream rate pct"] / 100))
        ),
        stream.packet.header.protocol.set(
            segments=[enums.ProtocolOption.ETHERNET, enums.ProtocolOption.IP]
        ),
        stream.packet.header.data.set(hex_data=Hex(header)),
        stream.packet.length.set(
            length_type=s_item["frame size type"],
            min_val=s_item["frame size min"],
            max_val=s_item["frame size max"],
        ),
        stream.payload.content.set(
            payload_type=enums.PayloadType.PATTERN,
            hex_data=Hex(s_item["payload pattern"]),
        ),
        stream.tpld_id.set(test_payload_identifier=s_item["tpld id"]),
        stream.insert_packets_checksum.set_on(),
    )


async def _port_config(tester, config: list[dict]) -> tuple[list, list] | None:
    print(SEP)
    print("PORT & STREAM CONFIG")
    print(SEP)
    module_objs, port_objs = [], []
    for m_item in config:
        mid = m_item["mid"]
        module = tester.modules.obtain(mid)
        module_objs.append(module)
        if not isinstance(module, _THOR_MODULES):
            print(f"Module {mid} is not a Thor module")
            return None
        await mgmt.reserve_module(module=module, force=True)
        for p_item in m_item["ports"]:
            pid = p_item["pid"]
            port = module.ports.obtain(pid)
            port_objs.append(port)
            await mgmt.reserve_port(port, force=True)
            await mgmt.reset_port(port)
            await asyncio.sleep(_RESET_PAUSE)
            await port.fec_mode.set(mode=p_item["port fec mode"])
            print(f"Set Port {mid}/{pid} to {p_item['port fec mode'].name}")
            await port.loop_back.set_none()
            for s_item in p_item["streams"]:
                print(f"Create a stream on port {mid}/{pid}")
                await _stream(port, s_item)
    return module_objs, port_objs


async def _traffic(port_objs: list) -> None:
    print(SEP)
    print("TRAFFIC CONTROL")
    print(SEP)
    for port in port_objs:
        print(f"Clear port {port.kind.module_id}/{port.kind.port_id} RX & TX counters")
        await utils.apply(
            port.statistics.rx.clear.set(), port.statistics.tx.clear.set()
        )
    print(f"Traffic duration: {_TRAFFIC_DURATION} seconds")
    for port in port_objs:
        print(f"Start traffic on Port {port.kind.module_id}/{port.kind.port_id}")
        await port.traffic.state.set_start()
    await asyncio.sleep(_TRAFFIC_DURATION)
    for port in port_objs:
        print(f"Stop traffic on Port {port.kind.module_id}/{port.kind.port_id}")
        await port.traffic.state.set_stop()
    print(f"Cooling down: {_COOL_DOWN} seconds")
    await asyncio.sleep(_COOL_DOWN)
    for port in port_objs:
        print(f"Read port {port.kind.module_id}/{port.kind.port_id} RX & TX counters")
        tx, rx = await utils.apply(
            port.statistics.tx.total.get(), port.statistics.rx.total.get()
        )
        print(SEP)
        print("TRAFFIC STATS")
        print(SEP)
        print(f"{'TX FRAMES:':<20}{tx.packet_count_since_cleared}")
        print(f"{'RX FRAMES:':<20}{rx.packet_count_since_cleared}")
        print(f"{'TX BYTES:':<20}{tx.byte_count_since_cleared}")
        print(f"{'RX BYTES:':<20}{rx.byte_count_since_cleared}")


async def thor_module_streams() -> None:
    print(SEP)
    print("START")
    print(SEP)
    config = _config()
    async with testers.L23Tester(
        host=CHASSIS_IP,
        username=USERNAME,
        password="xena",
        port=22606,
        enable_logging=False,
    ) as tester:
        print(f"{'Connect to chassis:':<20}{CHASSIS_IP}")
        print(f"{'Username:':<20}{CHASSIS_IP}")  # sic: the original prints the IP
        if not await _media_config(tester, config):
            return
        objs = await _port_config(tester, config)
        if objs is None:
            return
        module_objs, port_objs = objs
        await _traffic(port_objs)
        for module in module_objs:
            await mgmt.free_module(module=module, should_free_ports=True)
        print(SEP)
        print("DONE")
        print(SEP)


if __name__ == "__main__":
    asyncio.run(thor_module_streams())
