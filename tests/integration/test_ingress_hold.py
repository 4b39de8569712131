"""A held port's frames reach the RX ring and stop there; the hold dies with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from ring_frames import ring_frames
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.dataplane.afpacket import RxRing
from wirespeed.dataplane.ingress import IngressHold, is_held, table_name
from wirespeed.topology.netns import Lab, in_netns

pytestmark = pytest.mark.netns

MAC_A, MAC_B = "02:00:00:00:07:01", "02:00:00:00:07:02"


def _tables(ns: str) -> list[str]:
    cmd = ["ip", "netns", "exec", ns, "nft", "list", "tables", "netdev"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[-1] for line in out.splitlines() if line.strip())


def _datagrams(sock: socket.socket, wait_s: float) -> list[bytes]:
    got: list[bytes] = []
    sock.settimeout(wait_s)
    try:
        while True:
            got.append(sock.recv(2048))
    except TimeoutError:
        return got


def test_held_frames_reach_the_ring_but_not_the_stack() -> None:
    with Lab("wsi") as lab:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        lab.add_veth("e0", a, "e1", b, mac=MAC_A, peer_mac=MAC_B)
        lab.add_address("e1", "198.18.7.2/24", netns=b)
        with in_netns(b):
            ring = RxRing("e1", frame_size=2048, frame_count=256)
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("198.18.7.2", 0))
        port = udp.getsockname()[1]
        with in_netns(a):
            raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            raw.bind(("e0", 0))

        def send(tag: int) -> list[bytes]:
            frames = [
                bytes(
                    Ether(dst=MAC_B, src=MAC_A)
                    / IP(src="198.18.7.1", dst="198.18.7.2")
                    / UDP(sport=4000, dport=port)
                    / bytes([tag, i] * 9)
                )
                for i in range(20)
            ]
            for f in frames:
                raw.send(f)
            return frames

        try:
            sent = send(1)  # not held: the ring and the socket get every frame
            assert ring_frames(ring, 20) == sent
            assert _datagrams(udp, 0.5) == [bytes([1, i] * 9) for i in range(20)]

            with in_netns(b):
                hold = IngressHold("e1")
                hold.start()
            try:
                assert hold.active
                assert is_held("e1", b)
                sent = send(2)  # held: the ring gets them all, the socket none
                assert ring_frames(ring, 20) == sent
                assert _datagrams(udp, 0.5) == []
            finally:
                hold.close()
            assert not hold.active
            assert not is_held("e1", b)

            sent = send(3)  # released: the socket gets them again
            assert ring_frames(ring, 20) == sent
            assert _datagrams(udp, 0.5) == [bytes([3, i] * 9) for i in range(20)]
        finally:
            ring.close()
            udp.close()
            raw.close()


def test_a_killed_holder_leaves_no_hold_behind() -> None:
    with Lab("wsi") as lab:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        lab.add_veth("e0", a, "e1", b)
        code = (
            "import sys, time; from wirespeed.dataplane.ingress import IngressHold; "
            "IngressHold('e1').start(); print('held', flush=True); time.sleep(60)"
        )
        env = dict(os.environ, PYTHONPATH="src")
        child = subprocess.Popen(
            ["ip", "netns", "exec", b, sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "held"
            assert is_held("e1", b)
            assert _tables(b) == [table_name("e1", child.pid)]
            with in_netns(b):
                ours = IngressHold("e1")
                ours.start()  # beside the other holder: a table of its own
            try:
                assert _tables(b) == sorted([table_name("e1", child.pid), ours.table])
                os.kill(child.pid, signal.SIGKILL)
                child.wait(timeout=5)
                deadline = time.monotonic() + 5
                while len(_tables(b)) > 1 and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert _tables(b) == [ours.table]  # the killed one's went with it
                assert is_held("e1", b)
            finally:
                ours.close()
            assert _tables(b) == []
            assert not is_held("e1", b)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            assert child.stdout is not None
            child.stdout.close()
