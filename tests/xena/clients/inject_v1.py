"""Error injection with tdl-xoa-driver 1.11.x (run in its venv).

One stream with a TPLD on 4/0 (cabled to 4/1), both ports with the payload
integrity checksum; while it sends, one error of each kind through
``stream.inject_err``; then PT_EXTRA on the sender and the TID's errors, the
non-TPLD count and the totals on the receiver. Parameters come as JSON in argv[1];
results go to stdout as one JSON line.
"""

import asyncio
import json
import sys

from xoa_driver import enums, testers, utils
from xoa_driver.hlfuncs import mgmt
from xoa_driver.misc import Hex

HEADER = (
    "0200000000010200000000020800"
    "450000320000000040110000C6120001C6130001"
    "04D2162E001E0000"
)  # Ethernet, IPv4, UDP 1234 -> 5678


async def main(cfg: dict) -> dict:
    out: dict = {}
    async with testers.L23Tester(cfg["host"], "XOA1", port=cfg["port"]) as tester:
        module = tester.modules.obtain(cfg["module"])
        tx, rx = module.ports.obtain(0), module.ports.obtain(1)
        await mgmt.reserve_ports([tx, rx], force=True, reset=True)
        for port in (tx, rx):
            await port.checksum.set(offset=42)  # the 22-byte TPLD
        stream = await tx.streams.create()
        await utils.apply(
            stream.packet.header.protocol.set(
                segments=[
                    enums.ProtocolOption.ETHERNET,
                    enums.ProtocolOption.IP,
                    enums.ProtocolOption.UDP,
                ]
            ),
            stream.packet.header.data.set(hex_data=Hex(HEADER)),
            stream.packet.length.set(
                length_type=enums.LengthType.FIXED, min_val=128, max_val=128
            ),
            stream.rate.pps.set(stream_rate_pps=cfg["pps"]),
            stream.tpld_id.set(test_payload_identifier=cfg["tid"]),
            stream.enable.set_on(),
        )
        try:
            await stream.inject_err.sequence.set()
            out["while_off"] = "accepted"
        except Exception as exc:  # the driver raises one error type per status
            out["while_off"] = type(exc).__name__
        await utils.apply(tx.statistics.tx.clear.set(), rx.statistics.rx.clear.set())
        await tx.traffic.state.set_start()
        for inject in (
            stream.inject_err.sequence,
            stream.inject_err.misorder,
            stream.inject_err.payload_integrity,
            stream.inject_err.test_payload,
        ):
            await asyncio.sleep(cfg["gap_s"])
            await inject.set()
        await asyncio.sleep(cfg["gap_s"])
        await tx.traffic.state.set_stop()
        await asyncio.sleep(cfg["cooldown_s"])
        extra, sent = await utils.apply(
            tx.statistics.tx.extra.get(), tx.statistics.tx.total.get()
        )
        out["extra"] = [
            extra.tx_fcs_inj_count,
            extra.tx_seq_inj_count,
            extra.tx_mis_inj_count,
            extra.tx_pld_inj_count,
            extra.tx_tpld_inj_count,
        ]
        total, notpld = await utils.apply(
            rx.statistics.rx.total.get(), rx.statistics.rx.no_tpld.get()
        )
        tid = rx.statistics.rx.access_tpld(cfg["tid"])
        traffic, errors = await utils.apply(tid.traffic.get(), tid.errors.get())
        out["tx"] = sent.packet_count_since_cleared
        out["rx"] = total.packet_count_since_cleared
        out["notpld"] = notpld.packet_count_since_cleared
        out["tid_rx"] = traffic.packet_count_since_cleared
        out["errors"] = [
            errors.packet_loss_by_seq,
            errors.misorder_by_seq,
            errors.payload_err_packets,
        ]
        await mgmt.release_ports([tx, rx])
    return out


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(json.loads(sys.argv[1])), 120))
    print(json.dumps(result))
