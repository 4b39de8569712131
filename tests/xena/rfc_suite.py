"""Run one of Xena's RFC test suites against a daemon, as the plugin tests do:
``clients/rfc_suite_v2.py`` in the suites' own venv (.venv-xoarfc), the plugins
vendored under tests/peers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from test_xena_testbed import client_python  # type: ignore[import-not-found]

HERE = Path(__file__).resolve().parent
PLUGINS = HERE.parents[1] / "tests" / "peers" / "xena_rfc_suites"


def run_rfc_suite(
    daemon: dict[str, Any],
    tmp: Path,
    suite: str,
    config: dict[str, Any],
    *,
    ports: list[list[int]],
    delays: dict[str, dict[str, float]],
    timeout_s: int,
) -> dict[str, Any]:
    """Run ``suite`` (``RFC-2544``...) with ``config`` on ``ports`` of the daemon;
    its fixed waits shortened to ``delays``. Returns the runner's JSON line, after
    checking the suite ran to its end without an error."""
    python = client_python("WIRESPEED_XOARFC_PYTHON", ".venv-xoarfc")
    args = {
        "host": "127.0.0.1", "port": daemon["xoa"], "suite": suite,
        "plugins": str(PLUGINS), "store": str(tmp / "store"), "config": config,
        "ports": ports, "timeout": timeout_s, "delays": delays,
    }  # fmt: skip
    proc = subprocess.run(
        [python, str(HERE / "clients" / "rfc_suite_v2.py"), json.dumps(args)],
        capture_output=True, text=True, timeout=timeout_s + 60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["errors"] == [], (out["errors"], proc.stderr[-3000:])
    assert out["states"][-1] == "STOPPED"
    return out
