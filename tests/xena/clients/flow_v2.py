"""The seed's call sequence, with parameters, for xoa-driver 2.9.x (run in its venv).

Not the seed itself (that is ``thor_stream_v2.py``): the same driver calls in the
same order as ``thor_stream.py`` (connect, free and reserve each module, media and
port-speed config, reserve/reset each port, FEC, loopback, create streams and
configure them in one apply() batch, clear counters, start each port, wait, stop
each port, cool down, read PT_TOTAL/PR_TOTAL, free the modules), but the port speed,
rate, packet limit, frame sizes and timings come from JSON in argv[1], so a test can
ask for counts it knows exactly. Results go to stdout as one JSON line; addresses
are from 198.18.0.0/15.
"""

import asyncio
import json
import sys

from xoa_driver import enums, modules, testers, utils
from xoa_driver.hlfuncs import mgmt
from xoa_driver.misc import Hex

THOR = (
    modules.MThor400G7S1P,
    modules.MThor400G7S1P_b,
    modules.MThor400G7S1P_c,
    modules.MThor400G7S1P_d,
)


def header(dst_mac: str, src_mac: str, src_ip: str, dst_ip: str) -> str:
    ip = lambda a: "".join(f"{int(x):02X}" for x in a.split("."))  # noqa: E731
    return f"{dst_mac}{src_mac}080045000000000000007FFF0000{ip(src_ip)}{ip(dst_ip)}"


async def main(cfg: dict) -> dict:
    out: dict = {"ports": {}, "media": {}, "speeds": {}}
    async with testers.L23Tester(cfg["host"], "XOA", port=cfg["port"]) as tester:
        for mid in cfg["modules"]:
            module = tester.modules.obtain(mid)
            if not isinstance(module, THOR):
                raise SystemExit(f"module {mid} is not a Thor module")
            await mgmt.free_module(module=module, should_free_ports=True)
            await mgmt.reserve_module(module=module, force=True)
            resp = await module.media.get()
            if resp.media_config != enums.MediaConfigurationType.QSFP56_PAM4:
                await module.media.set(
                    media_config=enums.MediaConfigurationType.QSFP56_PAM4
                )
            resp = await module.media.get()
            out["media"][mid] = resp.media_config.name
            resp = await module.cfp.config.get()
            speeds = [2, cfg["speed_mbps"], cfg["speed_mbps"]]
            if resp.portspeed_list != speeds:
                await module.cfp.config.set(portspeed_list=speeds)
                resp = await module.cfp.config.get()
            out["speeds"][mid] = list(resp.portspeed_list)

        port_objs = []
        tpld = 0
        for mid in cfg["modules"]:
            module = tester.modules.obtain(mid)
            await mgmt.reserve_module(module=module, force=True)
            for pid in (0, 1):
                port = module.ports.obtain(pid)
                port_objs.append(port)
                await mgmt.reserve_port(port, force=True)
                await mgmt.reset_port(port)
                await port.fec_mode.set(mode=enums.FECMode.RS_FEC)
                await port.loop_back.set_none()
                for i, size in enumerate(cfg["sizes"]):
                    stream = await port.streams.create()
                    host = f"{mid % 256:02X}{pid:02X}{i:02X}"
                    await utils.apply(
                        stream.enable.set_on(),
                        stream.packet.limit.set(packet_count=cfg["limit"]),
                        stream.comment.set("Test stream"),
                        stream.rate.fraction.set(stream_rate_ppm=cfg["rate_ppm"]),
                        stream.packet.header.protocol.set(
                            segments=[
                                enums.ProtocolOption.ETHERNET,
                                enums.ProtocolOption.IP,
                            ]
                        ),
                        stream.packet.header.data.set(
                            hex_data=Hex(
                                header(
                                    f"020000{host}",
                                    f"020001{host}",
                                    f"198.18.{pid}.{i + 2}",
                                    f"198.19.{pid}.{i + 2}",
                                )
                            )
                        ),
                        stream.packet.length.set(
                            length_type=enums.LengthType.FIXED,
                            min_val=size,
                            max_val=size,
                        ),
                        stream.payload.content.set(
                            payload_type=enums.PayloadType.PATTERN,
                            hex_data=Hex("FFFF0000"),
                        ),
                        stream.tpld_id.set(test_payload_identifier=tpld),
                        stream.insert_packets_checksum.set_on(),
                    )
                    tpld += 1

        for port in port_objs:
            await utils.apply(
                port.statistics.rx.clear.set(), port.statistics.tx.clear.set()
            )
        for port in port_objs:
            await port.traffic.state.set_start()
        await asyncio.sleep(cfg["duration_s"])
        if cfg.get("wait_done"):  # finite streams: let them end by themselves
            for port in port_objs:
                while (await port.traffic.state.get()).on_off != 0:
                    await asyncio.sleep(0.05)
        for port in port_objs:
            await port.traffic.state.set_stop()
        await asyncio.sleep(cfg["cooldown_s"])
        for port in port_objs:
            tx, rx = await utils.apply(
                port.statistics.tx.total.get(), port.statistics.rx.total.get()
            )
            out["ports"][f"{port.kind.module_id}/{port.kind.port_id}"] = {
                "tx_frames": tx.packet_count_since_cleared,
                "rx_frames": rx.packet_count_since_cleared,
                "tx_bytes": tx.byte_count_since_cleared,
                "rx_bytes": rx.byte_count_since_cleared,
            }
        for mid in cfg["modules"]:
            await mgmt.free_module(
                module=tester.modules.obtain(mid), should_free_ports=True
            )
    return out


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(json.loads(sys.argv[1])), 300))
    print(json.dumps(result))
