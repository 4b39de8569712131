"""The remote client without the engine: ``import wirespeed.client`` (and the
wire types it decodes) loads no numpy, scapy or pyroute2, and exactly the modules
the wirespeed-client distribution (packaging/client) ships."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

_PROBE = """
import json, sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "scapy", "pyroute2", "yaml", "pydantic"):
            raise ImportError(f"the client imported {name}")

sys.meta_path.insert(0, Block())
from wirespeed.client import Chassis
from wirespeed.model import FrameLength, Rate, Stream, TxMode
from wirespeed.service import WIRE_TYPES
from wirespeed.wire import Request, decode_request, encode_request

stream = Stream(
    packet=bytes(60), header_len_bytes=42, segments=(1, 4, 24),
    length=FrameLength.fixed(128), rate=Rate.pps(1000.0),
    mode=TxMode.single_burst(1000),
)
req = Request(1, "tester.add_stream", "s", (0, 0, stream), {})
assert decode_request(encode_request(req, WIRE_TYPES), WIRE_TYPES).args[2] == stream
print(json.dumps(sorted(
    m for m, mod in sys.modules.items()
    if m.startswith("wirespeed") and not mod.__file__.endswith("__init__.py")
)))
"""


def _loaded() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(REPO / "src")},
        check=True,
    )
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_the_client_loads_exactly_the_modules_of_its_distribution() -> None:
    project = tomllib.loads((REPO / "packaging/client/pyproject.toml").read_text())
    shipped = project["tool"]["setuptools"]["py-modules"]
    assert _loaded() == sorted(shipped)
    assert project["project"]["dependencies"] == ["pyzmq>=25"]
