"""``wirespeed app`` as a process: its CLI output, no root, signals, killed runs.

Each test starts the command (or a script using the API) in a subprocess and checks
its output and exit status and that the namespaces and TLS directory it made are gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from wirespeed.tlscerts import CertStore
from wirespeed.topology.netns import LAB_DIR, cleanup_stale, netns_exists

pytestmark = pytest.mark.netns

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "app_demo.yaml"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "wirespeed.cli", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])
    )
    return env


def test_cli_json_run_and_bad_field(tmp_path: Path) -> None:
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc["base"]["clients"][0]["traffic"][0]["client_sum"] = 40
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(doc))
    proc = subprocess.run(
        _cli("app", "--yaml", str(good), "--case", "base", "--json", "-"),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress, no "cleaned up" line
    out = json.loads(proc.stdout)  # stdout holds the JSON and nothing else
    assert (out["total"]["completed"], out["total"]["failed"]) == (40, 0)
    assert out["servers"][0]["sni_ok"] == 40
    # a long name that looks like rich markup: printed as it is, on one line
    nope = "[bold]nope-" + "x" * 80
    doc["base"]["clients"][0]["traffic"][0]["s_name"] = nope
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc))
    proc = subprocess.run(
        _cli("app", "--yaml", str(bad), "--case", "base"),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        f"error: base.clients[0].traffic[0].s_name: no server named {nope!r}"
        " (servers: s1)\n"
    )


def test_cli_json_file_keeps_the_tables(tmp_path: Path) -> None:
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc["base"]["clients"][0]["traffic"][0]["client_sum"] = 20
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(doc))
    path = tmp_path / "out" / "app.json"
    path.parent.mkdir()
    proc = subprocess.run(
        _cli("app", "--yaml", str(case), "--case", "base", "--json", str(path)),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(path.read_text())
    assert (out["total"]["completed"], out["total"]["failed"]) == (20, 0)
    assert out["servers"][0]["sni_ok"] == 20
    rows = [line.split()[:6] for line in proc.stdout.splitlines()]
    assert ["c1[0]->s1", "20", "20", "20", "20", "0"] in rows  # the client table
    assert ["s1", "20", "20", "20", "0", "20"] in rows  # the server table
    (said,) = (line for line in proc.stderr.splitlines() if line)  # no errors
    assert re.fullmatch(r"cleaned up in \d+\.\d s", said)


# uid/gid 65534 with no capability but CAP_DAC_READ_SEARCH (ambient: it survives the
# exec): an unprivileged user that can still read the repository and its venv where
# they are (a fresh clone in a 0700 directory, say), and can create nothing as root.
# access(2), which click's Path(exists=True) calls, ignores that capability: the
# user's own files go in a directory every user can enter (see world_dir).
_CAPS = "-all,+dac_read_search"
_AS_NOBODY = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    f"--inh-caps={_CAPS}",
    f"--ambient-caps={_CAPS}",
    f"--bounding-set={_CAPS}",
]


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A new directory in /tmp that every user can enter (tmp_path's parent is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="wirespeed-test-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv")
def test_cli_without_root_says_why_and_leaves_nothing(world_dir: Path) -> None:
    case = world_dir / "case.yaml"
    shutil.copyfile(EXAMPLE, case)
    case.chmod(0o644)
    tmp = world_dir / "tmp"  # the run's TMPDIR: where its TLS certificates go first
    tmp.mkdir()
    tmp.chmod(0o777)
    env = dict(_env(), TMPDIR=str(tmp))
    who = subprocess.run(
        [*_AS_NOBODY, sys.executable, "-c", _WHO],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    # this tree's code runs, as nobody without CAP_NET_ADMIN or CAP_SYS_ADMIN
    init = REPO / "src" / "wirespeed" / "__init__.py"
    assert (who.returncode, who.stderr) == (0, "")
    assert who.stdout.split() == ["65534", "65534", "0000000000000004", str(init)]
    with subprocess.Popen(
        [*_AS_NOBODY, *_cli("app", "--yaml", str(case), "--case", "base")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err == "error: creating network namespaces needs root (CAP_NET_ADMIN)\n"
    assert out == ""
    assert list(tmp.iterdir()) == []  # its TLS directory is gone
    mine = []  # and no lab of it (other labs may come and go meanwhile)
    for path in LAB_DIR.glob("*.json"):
        with contextlib.suppress(FileNotFoundError):
            if json.loads(path.read_text())["pid"] == proc.pid:
                mine.append(path)
    assert mine == []


_WHO = """
import os, wirespeed
eff = [ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("CapEff")]
print(os.geteuid(), os.getegid(), *eff, wirespeed.__file__)
"""


def _netns_lines(text: str) -> list[str]:
    return [w.rstrip(",") for w in text.split() if w.startswith("wsa") and "-" in w]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_clean_up(sig: signal.Signals) -> None:
    with subprocess.Popen(
        _cli("app", "--yaml", str(EXAMPLE), "--case", "base", "--servers-only"),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    ) as proc:
        try:
            assert proc.stderr is not None
            seen = ""
            deadline = time.monotonic() + 60
            while "servers are up" not in seen and time.monotonic() < deadline:
                seen += proc.stderr.readline()
            namespaces = _netns_lines(seen.replace(")", " "))
            assert namespaces
            assert all(netns_exists(ns) for ns in namespaces), seen
            (ca,) = (
                Path(line.split(": ", 1)[1].split(" (")[0])
                for line in seen.splitlines()
                if line.startswith("TLS CA for probes: ")
            )
            assert ca.exists()
            proc.send_signal(sig)
            assert proc.wait(timeout=60) == 130
        finally:
            if proc.poll() is None:
                proc.kill()
    assert not any(netns_exists(ns) for ns in namespaces)
    assert not ca.parent.exists()


def test_an_uncaught_exception_still_removes_everything() -> None:
    script = (
        "from wirespeed.stateful import CloudTrafficManager, read_case_file\n"
        f"name, raw, dbs = read_case_file({str(EXAMPLE)!r}, 'base')\n"
        "m = CloudTrafficManager()\n"
        "m.start_traffic(name=name, server=raw['servers'])\n"
        "print(' '.join(h['netns'] for h in m.results().topology['hosts'].values()),"
        " m.ca_path.parent, flush=True)\n"
        "raise RuntimeError('a bug in the caller')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 1
    assert "RuntimeError: a bug in the caller" in proc.stderr
    *namespaces, tls_dir = proc.stdout.split()
    assert namespaces
    assert not any(netns_exists(ns) for ns in namespaces)
    assert not Path(tls_dir).exists()


def _lab_of(pid: int, timeout_s: float = 60.0) -> list[str]:
    """The namespaces of the lab that process ``pid`` made (from its record)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path in LAB_DIR.glob("*.json"):
            with contextlib.suppress(OSError, ValueError):
                rec = json.loads(path.read_text())
                if rec["pid"] == pid and len(rec["netns"]) == 3:
                    return [str(x) for x in rec["netns"]]
        time.sleep(0.05)
    raise AssertionError(f"no lab of pid {pid}")


def _wait_for_a_closed_connection(ns: str, timeout_s: float = 60.0) -> None:
    # the client closes first, so a completed connection leaves a TIME-WAIT socket
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        out = subprocess.run(
            ["ip", "netns", "exec", ns, "ss", "-Htn", "state", "time-wait"],
            capture_output=True,
            text=True,
        ).stdout
        if out.strip():
            return
        time.sleep(0.1)
    raise AssertionError(f"no connection ended in {ns}")


def test_ctrl_c_during_traffic_reports_and_cleans_up(tmp_path: Path) -> None:
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc["base"]["clients"][0]["traffic"][0]["client_sum"] = 10_000_000
    long = tmp_path / "long.yaml"
    long.write_text(yaml.safe_dump(doc))
    with subprocess.Popen(
        _cli("app", "--yaml", str(long), "--case", "base", "--json", "-"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    ) as proc:
        try:
            namespaces = _lab_of(proc.pid)  # fabric, server and client hosts
            (client_ns,) = (ns for ns in namespaces if ns.endswith("-c1"))
            _wait_for_a_closed_connection(client_ns)  # traffic runs
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted: stopping and cleaning up" in err
    report = json.loads(out)
    total = report["total"]
    assert 0 < total["completed"] < 10_000_000
    assert total["attempted"] == total["completed"] + total["failed"]
    assert set(total["errors"]) <= {"stopped"}
    assert report["servers"][0]["sni_ok"] >= total["completed"]
    assert not any(netns_exists(ns) for ns in namespaces)


def test_killed_orchestrator_is_cleaned_up_by_the_next_lab() -> None:
    script = (
        "import sys\n"
        "from wirespeed.stateful import CloudTrafficManager, read_case_file\n"
        f"name, raw, dbs = read_case_file({str(EXAMPLE)!r}, 'base')\n"
        "m = CloudTrafficManager()\n"
        "m.start_traffic(name=name, server=raw['servers'])\n"
        "print(' '.join(h['netns'] for h in m.results().topology['hosts'].values()),"
        " m.ca_path.parent, flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    ) as proc:
        try:
            assert proc.stdout is not None
            *namespaces, tls_dir = proc.stdout.readline().split()
            assert namespaces
            assert Path(tls_dir, "ca.pem").exists()
            assert all(netns_exists(ns) for ns in namespaces)
        finally:
            proc.kill()  # no clean-up code runs
    # the host's worker died with its parent: nothing runs in the namespace any more
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pids = subprocess.run(
            ["ip", "netns", "pids", namespaces[0]], capture_output=True, text=True
        ).stdout.split()
        if not pids:
            break
        time.sleep(0.1)
    assert pids == []
    cleanup_stale()  # what the next Lab() does first
    assert not any(netns_exists(ns) for ns in namespaces)
    assert Path(tls_dir).exists()
    CertStore.remove_stale()  # what the next run's CertStore.create() does first
    assert not Path(tls_dir).exists()
