"""The tours of docs/xena.md, run as written against a real daemon.

The text CLI tour is replayed line by line and every answer must be the one the
page shows (a pause stands in for the reader's: after traffic, before reading the
counters, so the last-second rates are 0 as shown). The XOA tour (tdl-xoa-driver
1.11) must print what it promises: 100000 frames sent and received.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from test_xena_testbed import REPO, client_python  # type: ignore[import-not-found]
from xena_bed import PrivateDaemon, private_daemon  # type: ignore[import-not-found]

pytestmark = [pytest.mark.netns, pytest.mark.slow]

DOC = (REPO / "docs" / "xena.md").read_text()
READER_PAUSE_S = 2


def section(title: str) -> str:
    start = DOC.index(f"\n### {title}")
    end = DOC.find("\n### ", start + 1)
    return DOC[start : end if end > 0 else None]


def cli_tour() -> list[tuple[str, list[str]]]:
    """(request, answer lines) of the netcat session shown on the page."""
    block = section("Text CLI tour").split("$ nc 127.0.0.1 22611\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if not line.startswith("    "):
            break
        lines.append(line[4:])
    out, i = [], 0
    while i < len(lines):
        n = 3 if i + 1 < len(lines) and lines[i + 1].strip() == "^" else 2
        out.append((lines[i], lines[i + 1 : i + n]))
        i += n
    return out


@pytest.fixture(scope="module")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateDaemon]:
    log = tmp_path_factory.mktemp("xena-docs") / "daemon.log"
    with private_daemon((0, 1), log) as daemon:
        yield daemon


REPLAY = """
import socket, sys, time
steps = [line.split("\\t") for line in sys.stdin.read().splitlines()]
sock = socket.create_connection(("127.0.0.1", 22611), timeout=30)
f = sock.makefile("rw", newline="\\n")
def ask(request, n):
    f.write(request + "\\n")
    f.flush()
    return [f.readline().rstrip("\\n") for _ in range(n)]
for request, n in steps:
    if request == "PAUSE":  # the reader's: traffic over, then a quiet second or two
        while ask("0/0 P_TRAFFIC ?", 1) != ["0/0 P_TRAFFIC OFF"]:
            time.sleep(0.1)
        time.sleep(float(n))
        continue
    print("\\n".join(ask(request, int(n))))
"""


def test_cli_tour(bed) -> None:
    tour = cli_tour()
    assert len(tour) > 20
    steps, expected = [], []
    for request, answers in tour:
        if request == "0/0 P_TRAFFIC ?":
            steps.append(f"PAUSE\t{READER_PAUSE_S}")
        steps.append(f"{request}\t{len(answers)}")
        expected += answers
    proc = subprocess.run(
        bed.in_netns(sys.executable, "-c", REPLAY), input="\n".join(steps),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = proc.stdout.splitlines()
    assert got == expected, [
        (g, e) for g, e in zip(got, expected, strict=False) if g != e
    ]


def test_xoa_tour(bed) -> None:
    code = re.search(r"```python\n(.*?)```", section("XOA tour"), re.S)
    assert code is not None
    python = client_python("WIRESPEED_XOA_PYTHON", ".venv-xoa")
    proc = subprocess.run(
        bed.in_netns(python, "-c", code[1]),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == "100000 100000\n"
