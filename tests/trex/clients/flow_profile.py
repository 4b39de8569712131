"""Load one profile file on port 0, run it, report counts and pg_id statistics.

argv: rpc pub PATH MULT DURATION [TUNABLES_JSON]
"""

from __future__ import annotations

import json
import sys
from typing import Any

from _common import connect, emit


def main() -> None:
    path, mult, duration = sys.argv[3], sys.argv[4], float(sys.argv[5])
    tunables = json.loads(sys.argv[6]) if len(sys.argv) > 6 else []
    c = connect()
    out: dict[str, Any] = {}
    try:
        c.add_profile(path, ports=[0], tunables=tunables)
    except Exception as exc:  # the server refused the profile: report why
        out["error"] = str(exc)
        c.disconnect()
        emit(out)
        return
    c.clear_stats()
    c.start(ports=[0], mult=mult, duration=duration)
    c.wait_on_traffic(ports=[0])
    st = c.get_stats()
    out["tx"], out["obytes"] = st[0]["opackets"], st[0]["obytes"]
    out["rx"], out["ibytes"] = st[1]["ipackets"], st[1]["ibytes"]
    out["streams"] = (
        len(c.get_stream_id_list(ports=[0])[0])
        if hasattr(c, "get_stream_id_list")
        else None
    )
    pg = c.get_pgid_stats()
    flow = {
        str(k): {
            f: {str(p): v for p, v in d.items()}
            for f, d in vals.items()
            if f in ("tx_pkts", "rx_pkts", "tx_bytes", "rx_bytes")
        }
        for k, vals in pg.get("flow_stats", {}).items()
        if k != "global"
    }
    lat = {str(k): v for k, v in pg.get("latency", {}).items() if k != "global"}
    out["flow"], out["latency"] = flow, lat
    c.release()
    c.disconnect()
    emit(out)


if __name__ == "__main__":
    main()
