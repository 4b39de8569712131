"""A full tester session with tdl-xoa-driver 1.11.x (run in its venv).

The seed's flow with the 1.11 names (reserve_modules, module.config.media /
port_speed, layer1.pcs.fec_mode, loopback), plus what the seed does not use:
modifiers, per-stream TX and per-TPLD RX counters, latency, pushes of P_TRAFFIC.
Parameters come as JSON in argv[1]; results go to stdout as one JSON line.
"""

import asyncio
import json
import sys

from xoa_driver import enums, testers, utils
from xoa_driver.hlfuncs import mgmt
from xoa_driver.misc import Hex


def header(mid: int, pid: int, i: int) -> str:
    host = f"{mid % 256:02X}{pid:02X}{i:02X}"
    return (
        f"020000{host}020001{host}0800"
        "4500"
        "0000"
        "0000"
        "0000"
        "7F"
        "11"
        "0000"
        f"C612{pid:02X}{i + 2:02X}C613{pid:02X}{i + 2:02X}"
        "04D2"
        "162E"
        "0000"
        "0000"
    )  # UDP 1234 -> 5678


async def main(cfg: dict) -> dict:
    out: dict = {
        "ports": {},
        "streams": {},
        "tids": {},
        "latency": {},
        "pushes": [],
        "modules": [],
        "readback": {},
    }
    async with testers.L23Tester(cfg["host"], "XOA1", port=cfg["port"]) as tester:
        out["modules"] = [type(m).__name__ for m in tester.modules]
        mods = [tester.modules.obtain(mid) for mid in cfg["modules"]]
        await mgmt.reserve_modules(mods, force=True)
        for module in mods:
            await module.config.media.set(
                media_config=enums.MediaConfigurationType.QSFP56_PAM4
            )
            await module.config.port_speed.set(
                portspeed_list=[2, cfg["speed_mbps"], cfg["speed_mbps"]]
            )
        ports = [m.ports.obtain(pid) for m in mods for pid in (0, 1)]
        await mgmt.reserve_ports(ports, force=True, reset=True)

        async def on_traffic(port, values) -> None:
            key = f"{port.kind.module_id}/{port.kind.port_id}"
            out["pushes"].append([key, int(values.on_off)])

        for port in ports:
            port.on_traffic_change(on_traffic)
        tpld = 0
        for port in ports:
            mid, pid = port.kind.module_id, port.kind.port_id
            await port.layer1.pcs.fec_mode.set(mode=enums.FECMode.RS_FEC)
            await port.loopback.set_none()
            for i, size in enumerate(cfg["sizes"]):
                s = await port.streams.create()
                await utils.apply(
                    s.enable.set_on(),
                    s.packet.limit.set(packet_count=cfg["limit"]),
                    s.comment.set(f"stream {i}"),
                    s.rate.pps.set(stream_rate_pps=cfg["pps"]),
                    s.packet.header.protocol.set(
                        segments=[
                            enums.ProtocolOption.ETHERNET,
                            enums.ProtocolOption.IP,
                            enums.ProtocolOption.UDP,
                        ]
                    ),
                    s.packet.header.data.set(hex_data=Hex(header(mid, pid, i))),
                    s.packet.length.set(
                        length_type=enums.LengthType.FIXED, min_val=size, max_val=size
                    ),
                    s.payload.content.set(
                        payload_type=enums.PayloadType.PATTERN, hex_data=Hex("AA55")
                    ),
                    s.tpld_id.set(test_payload_identifier=tpld),
                    s.insert_packets_checksum.set_on(),
                )
                await s.packet.header.modifiers.configure(1)
                mod = s.packet.header.modifiers.obtain(0)
                await mod.specification.set(
                    position=36,
                    mask=Hex("FFFF0000"),
                    action=enums.ModifierAction.INC,
                    repetition=1,
                )
                await mod.range.set(min_val=1000, step=1, max_val=1099)
                tpld += 1
        first = ports[0].streams.obtain(0)
        spec, rng, comment = await utils.apply(
            first.packet.header.modifiers.obtain(0).specification.get(),
            first.packet.header.modifiers.obtain(0).range.get(),
            first.comment.get(),
        )
        out["readback"] = {
            "modifier": [spec.position, spec.mask, int(spec.action), spec.repetition],
            "range": [rng.min_val, rng.step, rng.max_val],
            "comment": comment.comment,
        }
        for port in ports:
            await utils.apply(
                port.statistics.rx.clear.set(), port.statistics.tx.clear.set()
            )
        await asyncio.gather(*(p.traffic.state.set_start() for p in ports))
        deadline = asyncio.get_running_loop().time() + cfg["duration_s"]
        while asyncio.get_running_loop().time() < deadline:
            if all(p.info.traffic_state == enums.TrafficOnOff.OFF for p in ports):
                break
            await asyncio.sleep(0.05)
        await asyncio.gather(*(p.traffic.state.set_stop() for p in ports))
        await asyncio.sleep(cfg["cooldown_s"])
        for port in ports:
            key = f"{port.kind.module_id}/{port.kind.port_id}"
            tx, rx = await utils.apply(
                port.statistics.tx.total.get(), port.statistics.rx.total.get()
            )
            tids = await port.statistics.rx.obtain_available_tplds()
            out["ports"][key] = {
                "tx_frames": tx.packet_count_since_cleared,
                "rx_frames": rx.packet_count_since_cleared,
                "tx_bytes": tx.byte_count_since_cleared,
                "rx_bytes": rx.byte_count_since_cleared,
            }
            for s in port.streams:
                st = await port.statistics.tx.obtain_from_stream(s).get()
                out["streams"][f"{key}/{s.idx}"] = st.packet_count_since_cleared
            for tid, t in tids.items():
                traffic, errors, latency = await utils.apply(
                    t.traffic.get(), t.errors.get(), t.latency.get()
                )
                out["tids"][f"{key}/{tid}"] = [
                    traffic.packet_count_since_cleared,
                    errors.packet_loss_by_seq,
                ]
                out["latency"][f"{key}/{tid}"] = [
                    latency.min_val,
                    latency.avg_val,
                    latency.max_val,
                ]
        await mgmt.release_modules(mods, should_release_ports=True)
    return out


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(json.loads(sys.argv[1])), 300))
    print(json.dumps(result))
