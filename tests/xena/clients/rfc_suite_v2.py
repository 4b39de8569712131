"""Run one of Xena's own RFC test suites (xoa-core 2.0.8 + the plugins of
open-automation-rfc-test-suites v2.0.4, vendored under tests/peers) headless
against a tester, in the suite's own venv (pydantic 1).

``python rfc_suite_v2.py '{"host": ..., "port": ..., "suite": "RFC-2544",
"plugins": DIR, "store": DIR, "config": {...}, "ports": [[0, 0], [0, 1]],
"timeout": 600, "delays": {...}}'`` adds the tester, fills the config's
``port_identities``, runs the suite and prints one JSON line: the final state,
every DATA payload, the final statistics of each trial set, the warnings and
errors, and how many progress and statistics messages came.
"""

import asyncio
import hashlib
import importlib
import json
import sys
import time
from typing import Any

from xoa_core import controller, types


async def run(cfg: dict[str, Any]) -> dict[str, Any]:
    ctrl = await controller.MainController(storage_path=cfg["store"])
    ctrl.register_lib(cfg["plugins"])
    # the suite's fixed waits (e.g. ``{"plugin2544": {"DELAY_STATISTICS": 1}}``:
    # 1 s instead of 5 s for frames in flight after each trial), to keep CI short
    for package, delays in cfg.get("delays", {}).items():
        constants = importlib.import_module(f"{package}.utils.constants")
        for name, seconds in delays.items():
            assert hasattr(constants, name), name
            setattr(constants, name, seconds)
    creds = types.Credentials(
        product=types.EProductType.VALKYRIE,
        host=cfg["host"],
        port=cfg["port"],
        password="xena",
    )
    tester_id = hashlib.md5(f"{cfg['host']}:{cfg['port']}".encode()).hexdigest()
    await ctrl.add_tester(creds)
    for _ in range(100):  # the tester's info is read in the background
        info = await ctrl.get_tester_info(tester_id)
        if info is not None and info.is_connected:
            break
        await asyncio.sleep(0.1)
    else:
        raise SystemExit(f"tester {tester_id} did not connect: {info}")
    config = {
        "username": "wirespeed-ci",
        "port_identities": [
            {"tester_id": tester_id, "module_index": m, "port_index": p}
            for m, p in cfg["ports"]
        ],
        "config": cfg["config"],
    }
    out: dict[str, Any] = {
        "data": [], "warnings": [], "errors": [], "states": [],
        "progress": 0, "statistics": 0, "last_statistics": None, "finals": [],
    }  # fmt: skip

    def on_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        cause = exc.__cause__ if exc is not None else None
        out["errors"].append(repr(cause or exc or context.get("message")))

    asyncio.get_running_loop().set_exception_handler(on_error)
    exec_id = ctrl.start_test_suite(cfg["suite"], config)
    t0 = time.monotonic()

    async def listen() -> None:
        async for msg in ctrl.listen_changes(exec_id):
            kind = msg.type.value
            payload = json.loads(msg.json())["payload"]
            if kind == "DATA":
                out["data"].append(payload)
            elif kind == "STATISTICS":
                out["statistics"] += 1
                out["last_statistics"] = payload
                if payload.get("is_final"):
                    out["finals"].append(payload)
            elif kind == "PROGRESS":
                out["progress"] += 1
            elif kind == "WARNING":
                out["warnings"].append(payload)
            elif kind == "ERROR":
                out["errors"].append(payload)
            elif kind == "STATE":
                out["states"].append(payload.get("state"))
                if payload.get("state") == "STOPPED":
                    return

    try:
        await asyncio.wait_for(listen(), cfg.get("timeout", 600))
    except TimeoutError:
        out["errors"].append(f"timeout after {cfg.get('timeout', 600)} s")
        await ctrl.running_test_stop(exec_id)
    out["elapsed_s"] = round(time.monotonic() - t0, 2)
    await ctrl.remove_tester(tester_id)
    return out


def main() -> None:
    cfg = json.loads(sys.argv[1])
    out = asyncio.run(run(cfg))
    print(json.dumps(out, default=str), flush=True)


if __name__ == "__main__":
    main()
