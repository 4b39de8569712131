"""The Xena front ends of a real ``wirespeed`` daemon on its embedded test bed.

One daemon process (the same Daemon as ``wirespeed server``; modules presented in
slots 4 and 8 as the seed expects, ports 4/0 <-> 4/1 and 8/0 <-> 8/1 cabled) serves
the real XOA clients, each in its own virtual environment, and raw text CLI
sessions. Counts are exact: every frame sent is received by the cabled peer.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from xena_bed import daemon_process  # type: ignore[import-not-found]

pytestmark = [pytest.mark.netns, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PEER = {"4/0": "4/1", "4/1": "4/0", "8/0": "8/1", "8/1": "8/0"}


def client_python(env: str, venv: str) -> str:
    """The interpreter of a client's venv, or skip the test saying why."""
    for cand in (os.environ.get(env), REPO / venv / "bin/python",
                 f"/work/{venv[1:]}/bin/python"):  # fmt: skip
        if cand and Path(cand).is_file():
            return str(cand)
    pytest.skip(f"no {venv} (set {env} or run scripts/bootstrap.sh --test)")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    log = tmp_path_factory.mktemp("xena") / "daemon.log"
    yield from daemon_process({"slots": [4, 8]}, log)


def run_client(python: str, script: str, cfg: dict) -> dict:
    proc = subprocess.run(
        [python, str(HERE / "clients" / script), json.dumps(cfg)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Cli:
    """A netcat-like text CLI session."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def ask(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\n")
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(line)
            self.buf += chunk
        out, self.buf = self.buf.split(b"\n", 1)
        return out.decode()


@pytest.mark.compat
def test_seed_flow_xoa_driver_2_exact(daemon) -> None:
    python = client_python("WIRESPEED_XOA2_PYTHON", ".venv-xoa2")
    cfg = {"host": "127.0.0.1", "port": daemon["xoa"], "modules": [4, 8],
           "speed_mbps": 1000, "rate_ppm": 10_000, "limit": 1000, "duration_s": 0.5,
           "cooldown_s": 0.2, "sizes": [128, 256], "wait_done": True}  # fmt: skip
    out = run_client(python, "flow_v2.py", cfg)
    assert out["speeds"] == {"4": [2, 1000, 1000], "8": [2, 1000, 1000]}
    for key, counts in out["ports"].items():
        assert counts["tx_frames"] == 2000
        assert counts["tx_bytes"] == 1000 * 128 + 1000 * 256
        peer = out["ports"][PEER[key]]
        assert (peer["rx_frames"], peer["rx_bytes"]) == (2000, 384_000)


@pytest.mark.compat
def test_seed_flow_continuous_tx_equals_rx(daemon) -> None:
    """The seed's calls with continuous 1 % streams, stopped port by port."""
    python = client_python("WIRESPEED_XOA2_PYTHON", ".venv-xoa2")
    cfg = {"host": "127.0.0.1", "port": daemon["xoa"], "modules": [4, 8],
           "speed_mbps": 1000, "rate_ppm": 10_000, "limit": -1, "duration_s": 1.0,
           "cooldown_s": 0.5, "sizes": [128, 256, 512]}  # fmt: skip
    out = run_client(python, "flow_v2.py", cfg)
    for key, counts in out["ports"].items():
        assert counts["tx_frames"] > 1000
        peer = out["ports"][PEER[key]]
        assert (peer["rx_frames"], peer["rx_bytes"]) == (
            counts["tx_frames"],
            counts["tx_bytes"],
        )


@pytest.mark.compat
def test_full_session_tdl_xoa_driver_1_11(daemon) -> None:
    python = client_python("WIRESPEED_XOA_PYTHON", ".venv-xoa")
    cfg = {"host": "127.0.0.1", "port": daemon["xoa"], "modules": [4, 8],
           "speed_mbps": 1000, "pps": 2000, "limit": 300, "duration_s": 20,
           "cooldown_s": 0.2, "sizes": [128, 256]}  # fmt: skip
    out = run_client(python, "flow_v1.py", cfg)
    assert out["modules"] == ["MThor400G7S1P", "MThor400G7S1P"]
    assert out["streams"] == {f"{k}/{i}": 300 for k in PEER for i in (0, 1)}
    # TPLD ids 0-1 leave 4/0, 2-3 leave 4/1, 4-5 leave 8/0, 6-7 leave 8/1
    expect = {
        f"{PEER[k]}/{2 * n + i}": [300, 0]
        for n, k in enumerate(("4/0", "4/1", "8/0", "8/1"))
        for i in (0, 1)
    }
    assert out["tids"] == expect
    for lo, avg, hi in out["latency"].values():
        assert 0 < lo <= avg <= hi
    for counts in out["ports"].values():
        assert (counts["tx_frames"], counts["rx_frames"]) == (600, 600)
    # every port was pushed ON, then OFF when its bursts were done
    assert sorted(out["pushes"]) == sorted([[k, v] for k in PEER for v in (0, 1)])


HEADER = ("0x020000000001020000000002080045000032000000007F110000"
          "C6120001C6130001" "04000400001E0000")  # fmt: skip


def test_cli_session_exact(daemon) -> None:
    cli = Cli(daemon["cli"])
    try:
        setup = ['C_LOGON "xena"', 'C_OWNER "netcat"', "8/0 P_RESERVATION RELINQUISH",
                 "8/1 P_RESERVATION RELINQUISH", "8/0 P_RESERVATION RESERVE",
                 "8/1 P_RESERVATION RESERVE", "8/0 P_RESET", "8/0 PS_CREATE [0]",
                 f"8/0 PS_PACKETHEADER [0] {HEADER}",
                 "8/0 PS_HEADERPROTOCOL [0] ETHERNET IP UDP",
                 "8/0 PS_PACKETLENGTH [0] FIXED 100 100", "8/0 PS_RATEPPS [0] 5000",
                 "8/0 PS_PACKETLIMIT [0] 777", "8/0 PS_TPLDID [0] 42",
                 "8/0 PS_MODIFIERCOUNT [0] 1",
                 "8/0 PS_MODIFIER [0,0] 5 0xFF000000 INC 1",
                 "8/0 PS_MODIFIERRANGE [0,0] 1 1 10", "8/0 PS_ENABLE [0] ON",
                 "8/0 PT_CLEAR", "8/1 PR_CLEAR", "C_TRAFFIC ON 8 0"]  # fmt: skip
        assert [cli.ask(x) for x in setup] == ["<OK>"] * len(setup)
        for _ in range(200):
            if cli.ask("8/0 P_TRAFFIC ?") == "8/0 P_TRAFFIC OFF":
                break
            cli.ask("WAIT 1")
        assert cli.ask("8/0 PT_STREAM [0] ?").endswith(" 77700 777")
        assert cli.ask("8/0 PT_TOTAL ?").endswith(" 77700 777")
        assert cli.ask("8/1 PR_TOTAL ?").endswith(" 77700 777")
        assert cli.ask("8/1 PR_TPLDS ?") == "8/1 PR_TPLDS 42"
        assert cli.ask("8/1 PR_TPLDTRAFFIC [42] ?").endswith(" 77700 777")
        assert cli.ask("8/1 PR_TPLDERRORS [42] ?") == "8/1 PR_TPLDERRORS [42] 0 0 0 0"
        assert (
            cli.ask("8/0 PS_MODIFIERRANGE [0,0] ?")
            == "8/0 PS_MODIFIERRANGE [0,0] 1 1 10"
        )
        assert cli.ask("8/0 P_RESERVATION RELEASE") == "<OK>"
        assert cli.ask("8/1 P_RESERVATION RELEASE") == "<OK>"
    finally:
        cli.close()


def _wait_off(cli: Cli, port: str) -> None:
    for _ in range(100):
        if cli.ask(f"{port} P_TRAFFIC ?") == f"{port} P_TRAFFIC OFF":
            return
        assert cli.ask("WAIT 1") == "<OK>"
    pytest.fail(f"{port} still sending")


def test_cli_no_tpld_latency_jitter_micro_tpld(daemon) -> None:
    """Frames without a TPLD, latency and jitter per TID, then the 6-byte TPLD."""
    cli = Cli(daemon["cli"])
    try:
        setup = ['C_LOGON "xena"', 'C_OWNER "tplds"']
        for port in ("8/0", "8/1"):
            setup += [f"{port} P_RESERVATION RELINQUISH",
                      f"{port} P_RESERVATION RESERVE", f"{port} P_RESET"]  # fmt: skip
        for sid, (tid, count, size) in enumerate(((-1, 500, 100), (11, 300, 200))):
            setup += [f"8/0 PS_CREATE [{sid}]",
                      f"8/0 PS_PACKETHEADER [{sid}] {HEADER}",
                      f"8/0 PS_HEADERPROTOCOL [{sid}] ETHERNET IP UDP",
                      f"8/0 PS_PACKETLENGTH [{sid}] FIXED {size} {size}",
                      f"8/0 PS_RATEPPS [{sid}] 2000",
                      f"8/0 PS_PACKETLIMIT [{sid}] {count}",
                      f"8/0 PS_TPLDID [{sid}] {tid}",
                      f"8/0 PS_ENABLE [{sid}] ON"]  # fmt: skip
        setup += ["8/0 PT_CLEAR", "8/1 PR_CLEAR", "8/0 P_TRAFFIC ON"]
        assert [cli.ask(x) for x in setup] == ["<OK>"] * len(setup)
        _wait_off(cli, "8/0")
        assert cli.ask("8/0 PT_TOTAL ?").endswith(f" {500 * 100 + 300 * 200} 800")
        assert cli.ask("8/0 PT_NOTPLD ?").endswith(" 50000 500")
        assert cli.ask("8/0 PT_TOTALEXT ?").endswith(f" {500 * 100 + 300 * 200} 800")
        assert cli.ask("8/0 PT_STREAMEXT [1] ?").endswith(" 60000 300")
        assert cli.ask("8/1 PR_NOTPLDEXT ?").endswith(" 50000 500")
        assert cli.ask("8/1 PR_TPLDTRAFFICEXT [11] ?").endswith(" 60000 300")
        assert cli.ask("8/1 PR_TOTAL ?").endswith(f" {500 * 100 + 300 * 200} 800")
        assert cli.ask("8/1 PR_NOTPLD ?").endswith(" 50000 500")
        assert cli.ask("8/1 PR_TPLDS ?") == "8/1 PR_TPLDS 11"
        assert cli.ask("8/1 PR_TPLDTRAFFIC [11] ?").endswith(" 60000 300")
        assert cli.ask("8/1 PR_TPLDERRORS [11] ?") == "8/1 PR_TPLDERRORS [11] 0 0 0 0"
        lat = [int(x) for x in cli.ask("8/1 PR_TPLDLATENCY [11] ?").split()[3:]]
        assert 0 < lat[0] <= lat[1] <= lat[2]
        jit = [int(x) for x in cli.ask("8/1 PR_TPLDJITTER [11] ?").split()[3:]]
        assert 0 <= jit[0] <= jit[1] <= jit[2]
        # the 6-byte micro TPLD on both ends: the same frames, counted the same
        steps = ["8/0 P_TPLDMODE MICRO", "8/1 P_TPLDMODE MICRO",
                 "8/0 PS_ENABLE [0] OFF", "8/0 PT_CLEAR", "8/1 PR_CLEAR",
                 "8/0 P_TRAFFIC ON"]  # fmt: skip
        assert [cli.ask(x) for x in steps] == ["<OK>"] * len(steps)
        _wait_off(cli, "8/0")
        assert cli.ask("8/1 PR_TOTAL ?").endswith(" 60000 300")
        assert cli.ask("8/1 PR_NOTPLD ?").endswith(" 0 0")
        assert cli.ask("8/1 PR_TPLDTRAFFIC [11] ?").endswith(" 60000 300")
        assert cli.ask("8/1 PR_TPLDERRORS [11] ?") == "8/1 PR_TPLDERRORS [11] 0 0 0 0"
        lat = [int(x) for x in cli.ask("8/1 PR_TPLDLATENCY [11] ?").split()[3:]]
        assert 0 < lat[0] <= lat[1] <= lat[2]
        for line in ("8/0 P_RESET", "8/1 P_RESET", "8/0 P_RESERVATION RELEASE",
                     "8/1 P_RESERVATION RELEASE"):  # fmt: skip
            assert cli.ask(line) == "<OK>"
    finally:
        cli.close()


def test_cli_counters_read_right_after_a_stop_are_exact(daemon) -> None:
    """P_TRAFFIC OFF, then at once PT_TOTAL and the peer's PR_TOTAL: equal counts.

    The last frames sent may still be in the peer's receive ring when the stop is
    answered; the statistics read counts them (as a Xena port would).
    """
    cli = Cli(daemon["cli"])
    try:
        setup = ['C_LOGON "xena"', 'C_OWNER "stopper"',
                 "4/0 P_RESERVATION RELINQUISH", "4/0 P_RESERVATION RESERVE",
                 "4/1 P_RESERVATION RELINQUISH", "4/1 P_RESERVATION RESERVE",
                 "4/0 P_RESET", "4/0 PS_CREATE [0]",
                 f"4/0 PS_PACKETHEADER [0] {HEADER}",
                 "4/0 PS_PACKETLENGTH [0] FIXED 128 128", "4/0 PS_RATEPPS [0] 20000",
                 "4/0 PS_TPLDID [0] 3", "4/0 PS_ENABLE [0] ON"]  # fmt: skip
        assert [cli.ask(x) for x in setup] == ["<OK>"] * len(setup)
        for _ in range(3):
            steps = ["4/0 PT_CLEAR", "4/1 PR_CLEAR", "4/0 P_TRAFFIC ON", "WAIT 1",
                     "4/0 P_TRAFFIC OFF"]  # fmt: skip
            assert [cli.ask(x) for x in steps] == ["<OK>"] * len(steps)
            tx = cli.ask("4/0 PT_TOTAL ?").split()[-2:]
            rx = cli.ask("4/1 PR_TOTAL ?").split()[-2:]
            tid = cli.ask("4/1 PR_TPLDTRAFFIC [3] ?").split()[-2:]
            assert int(tx[1]) > 10_000
            assert rx == tx
            assert tid == tx
            assert tx[0] == str(128 * int(tx[1]))
        for line in ("4/0 P_RESERVATION RELEASE", "4/1 P_RESERVATION RELEASE"):
            assert cli.ask(line) == "<OK>"
    finally:
        cli.close()


def test_cli_port_packet_limit_stops_every_stream_together(daemon) -> None:
    """P_TXPACKETLIMIT 1000 over two streams at 3000 and 1000 frames/s: the port
    sends the 1000 frames that depart first (750 and 250), then stops by itself."""
    cli = Cli(daemon["cli"])
    try:
        setup = ['C_LOGON "xena"', 'C_OWNER "limiter"',
                 "8/0 P_RESERVATION RELINQUISH", "8/0 P_RESERVATION RESERVE",
                 "8/1 P_RESERVATION RELINQUISH", "8/1 P_RESERVATION RESERVE",
                 "8/0 P_RESET", "8/0 P_TXPACKETLIMIT 1000"]  # fmt: skip
        for sid, pps in ((0, 3000), (1, 1000)):
            setup += [f"8/0 PS_CREATE [{sid}]",
                      f"8/0 PS_PACKETHEADER [{sid}] {HEADER}",
                      f"8/0 PS_PACKETLENGTH [{sid}] FIXED 128 128",
                      f"8/0 PS_RATEPPS [{sid}] {pps}",
                      f"8/0 PS_TPLDID [{sid}] {5 + sid}",
                      f"8/0 PS_ENABLE [{sid}] ON"]  # fmt: skip
        setup += ["8/0 PT_CLEAR", "8/1 PR_CLEAR", "8/0 P_TRAFFIC ON"]
        assert [cli.ask(x) for x in setup] == ["<OK>"] * len(setup)
        _wait_off(cli, "8/0")
        assert cli.ask("8/0 PT_TOTAL ?").endswith(" 128000 1000")
        assert cli.ask("8/1 PR_TOTAL ?").endswith(" 128000 1000")
        assert cli.ask("8/1 PR_TPLDTRAFFIC [5] ?").endswith(" 96000 750")
        assert cli.ask("8/1 PR_TPLDTRAFFIC [6] ?").endswith(" 32000 250")
        for line in ("8/0 P_RESERVATION RELEASE", "8/1 P_RESERVATION RELEASE"):
            assert cli.ask(line) == "<OK>"
    finally:
        cli.close()


def test_fuzz_both_transports_then_a_normal_session(daemon) -> None:
    rnd = random.Random(1234)
    for _ in range(30):
        with socket.create_connection(("127.0.0.1", daemon["xoa"]), timeout=10) as s:
            junk = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300)))
            if rnd.random() < 0.5:  # a plausible header with lying lengths first
                junk = b"XENA" + junk
            s.sendall(junk)
        with socket.create_connection(("127.0.0.1", daemon["cli"]), timeout=10) as s:
            s.sendall(b'C_LOGON "xena"\n')
            words = [
                "0/0",
                "4/1",
                "8/0",
                "P_TRAFFIC",
                "PS_MODIFIER",
                "[0,0]",
                "?",
                '"x',
                "0xZZ",
                "ON",
                "\xff",
                "-1",
                "99999999999",
                "[",
                "]",
            ]
            line = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 8)))
            s.sendall(line.encode("latin-1") + b"\n")
    test_cli_session_exact(daemon)


def test_cli_injected_errors_reach_the_receiver_counters(daemon) -> None:
    """PS_INJECT*ERR on a sending stream: one of each, counted at both ends."""
    cli = Cli(daemon["cli"])
    try:
        setup = ['C_LOGON "xena"', 'C_OWNER "injector"']
        for port in ("4/0", "4/1"):
            setup += [f"{port} P_RESERVATION RELINQUISH",
                      f"{port} P_RESERVATION RESERVE", f"{port} P_RESET",
                      f"{port} P_CHECKSUM 42"]  # fmt: skip
        setup += ["4/0 PS_CREATE [0]", f"4/0 PS_PACKETHEADER [0] {HEADER}",
                  "4/0 PS_HEADERPROTOCOL [0] ETHERNET IP UDP",
                  "4/0 PS_PACKETLENGTH [0] FIXED 128 128", "4/0 PS_RATEPPS [0] 2000",
                  "4/0 PS_TPLDID [0] 12", "4/0 PS_ENABLE [0] ON"]  # fmt: skip
        assert [cli.ask(x) for x in setup] == ["<OK>"] * len(setup)
        assert cli.ask("4/0 PS_INJECTSEQERR [0]") == "<NOTVALID>"  # traffic off
        steps = ["4/0 PT_CLEAR", "4/1 PR_CLEAR", "4/0 P_TRAFFIC ON", "WAIT 1"]
        for cmd in ("PS_INJECTSEQERR", "PS_INJECTMISERR", "PS_INJECTPLDERR",
                    "PS_INJECTTPLDERR"):  # fmt: skip
            steps += [f"4/0 {cmd} [0]", "WAIT 1"]
        steps.append("4/0 P_TRAFFIC OFF")
        assert [cli.ask(x) for x in steps] == ["<OK>"] * len(steps)
        assert cli.ask("4/0 PS_INJECTFCSERR [0]") == "<NOTSUPPORTED>"
        assert cli.ask("4/0 PT_EXTRA ?") == "4/0 PT_EXTRA 0 0 0 0 0 1 1 1 1 0 0"
        tx = cli.ask("4/0 PT_TOTAL ?").split()[-2:]
        assert int(tx[1]) > 8000
        assert cli.ask("4/1 PR_TOTAL ?").split()[-2:] == tx
        assert cli.ask("4/1 PR_NOTPLD ?").endswith(" 128 1")
        tid = cli.ask("4/1 PR_TPLDTRAFFIC [12] ?").split()[-1]
        assert int(tid) == int(tx[1]) - 1
        # lost: the skipped number and the broken TPLD's; 1 misordered; 1 payload
        assert cli.ask("4/1 PR_TPLDERRORS [12] ?") == "4/1 PR_TPLDERRORS [12] 0 2 1 1"
        for line in ("4/0 P_RESET", "4/1 P_RESET", "4/0 P_RESERVATION RELEASE",
                     "4/1 P_RESERVATION RELEASE"):  # fmt: skip
            assert cli.ask(line) == "<OK>"
    finally:
        cli.close()


@pytest.mark.compat
def test_error_injection_tdl_xoa_driver_1_11(daemon) -> None:
    """stream.inject_err.* of the real client: one error of each kind, counted."""
    python = client_python("WIRESPEED_XOA_PYTHON", ".venv-xoa")
    cfg = {"host": "127.0.0.1", "port": daemon["xoa"], "module": 8, "pps": 2000,
           "tid": 21, "gap_s": 0.4, "cooldown_s": 0.3}  # fmt: skip
    out = run_client(python, "inject_v1.py", cfg)
    assert out["while_off"] == "XmpNotValidError"  # the port does not send
    assert out["extra"] == [0, 1, 1, 1, 1]  # fcs, seq, mis, pld, tpld
    assert out["rx"] == out["tx"] > 3000
    assert (out["notpld"], out["tid_rx"]) == (1, out["tx"] - 1)
    assert out["errors"] == [2, 1, 1]  # lost, misordered, payload errors
