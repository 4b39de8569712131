"""snappi 1.62 (its own venv, run as users run it, inside the daemon's namespace)
drives b2b flows veth-a -> veth-z on one ``wirespeed server`` shared by the
module: durations, every header, every pattern kind, sizes, rates, both
transports and capture formats, and bad input. Counts are exact; captured frames
are checked byte for byte (headers built by scapy over the frame's own payload,
so lengths and checksums are checked too; the FCS is the frame's CRC-32; the
test payload numbers the frames 0, 1, 2, ...)."""

from __future__ import annotations

import base64
import ipaddress
import itertools
import struct
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from otg_bed import otg_daemon, peer_python  # type: ignore[import-not-found]
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Packet, Raw
from scapy.utils import RawPcapNgReader, RawPcapReader
from snappi_client import (  # type: ignore[import-not-found]
    SnappiBed,
    capture_of,
    check_fcs,
    check_frame,
    check_sequence,
    counts,
    flow,
    frames_from,
    ok,
    sent_and_received,
)

pytestmark = [pytest.mark.netns, pytest.mark.compat]

DST = "02:00:00:00:00:02"


@pytest.fixture(scope="module")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnappiBed]:
    python = peer_python("WIRESPEED_SNAPPI_PYTHON", ".venv-snappi")
    log = tmp_path_factory.mktemp("otg") / "daemon.log"
    with otg_daemon(log) as daemon:
        yield SnappiBed(daemon, python)


def _scenario(script: str) -> Any:
    @pytest.fixture(scope="module")
    def run(bed: SnappiBed) -> Any:
        return bed.run(script)

    return run


durations = _scenario("durations")
headers = _scenario("headers")
patterns = _scenario("patterns")
sizes = _scenario("sizes")
rates = _scenario("rates")
access = _scenario("access")
errors = _scenario("errors")


def _ip(src: str = "198.18.0.1", dst: str = "198.19.0.1", **kw: Any) -> Packet:
    """IPv4 as OTG's defaults make it (identification 0, TTL 64, no flags)."""
    return IP(src=src, dst=dst, id=0, ttl=64, **kw)


def _eth(src: str, **kw: Any) -> Packet:
    return Ether(dst=DST, src=src, **kw)


# --------------------------------------------------------------------- durations
def test_fixed_packets_stop_by_themselves_with_exact_counts(durations: Any) -> None:
    res = durations["fixed_packets"]
    assert counts(res) == sent_and_received(1000, 128_000)
    f = flow(res)
    assert (f["port_tx"], f["port_rx"]) == ("p1", "p2")
    assert f["stopped_tx"] == 1000  # "stopped" came with every frame counted
    lo, avg, hi = f["latency"]
    assert 0 < lo <= avg <= hi
    first, last = f["timestamps"]
    assert 0 < first < last
    ports = res["ports"]
    assert {k: ports["p1"][k] for k in ("location", "link", "transmit")} == {
        "location": "veth-a", "link": "up", "transmit": "stopped",
    }  # fmt: skip
    assert (ports["p1"]["frames_tx"], ports["p1"]["bytes_tx"]) == (1000, 128_000)
    assert (ports["p2"]["frames_rx"], ports["p2"]["bytes_rx"]) == (1000, 128_000)


def test_fixed_seconds_send_seconds_times_rate(durations: Any) -> None:
    assert counts(durations["fixed_seconds"]) == sent_and_received(1000, 100_000)


def test_bursts_are_separated_by_the_inter_burst_gap(durations: Any) -> None:
    res = durations["burst"]
    assert counts(res) == sent_and_received(120, 12_000)
    cap = capture_of(res)
    mac = bytes.fromhex("020000000301")
    ts = [int(cap.ts_ns[i]) for i in range(len(cap)) if cap.frame(i)[6:12] == mac]
    assert len(ts) == 120
    gaps = [b - a for a, b in itertools.pairwise(ts)]
    # the two longest gaps follow frames 40 and 80, each most of the 30 ms asked
    longest = sorted(range(len(gaps)), key=gaps.__getitem__)[-2:]
    assert sorted(longest) == [39, 79]
    assert min(gaps[39], gaps[79]) > 15_000_000


# ----------------------------------------------------------------------- headers
HEADERS: dict[str, Packet] = {
    "ethernet": _eth("02:00:00:00:10:01", type=0x88B5),
    "vlan": _eth("02:00:00:00:10:02")
    / Dot1Q(prio=5, dei=0, vlan=100)
    / _ip()
    / UDP(sport=1234, dport=5678),
    "ipv4": _eth("02:00:00:00:10:03")
    / IP(src="198.18.1.1", dst="198.19.1.1", proto=253, id=7, ttl=32, flags="DF",
         tos=46 << 2),
    "ipv6": _eth("02:00:00:00:10:04")
    / IPv6(src="2001:2::1", dst="2001:2:0:1::2", tc=0x28, fl=0x12345, hlim=10)
    / UDP(sport=4321, dport=8765),
    "udp": _eth("02:00:00:00:10:05") / _ip() / UDP(sport=53, dport=65535),
    "tcp": _eth("02:00:00:00:10:06")
    / _ip()
    / TCP(sport=1111, dport=2222, seq=1000, ack=2000, dataofs=5, flags="SA",
          window=4096, urgptr=0),
    "custom": _eth("02:00:00:00:10:08")
    / _ip()
    / UDP(sport=7, dport=9)
    / Raw(bytes.fromhex("deadbeef0102030405")),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(HEADERS))
def test_every_header_byte_for_byte(headers: Any, kind: str) -> None:
    res = headers[kind]
    assert counts(res) == sent_and_received(12, 12 * 128)
    expected = HEADERS[kind]
    mac = expected[Ether].src
    frames = frames_from(res, mac)
    assert len(frames) == 12
    for frame in frames:
        check_frame(frame, expected, 128)
    check_sequence(frames)


def test_vxlan_with_inner_ethernet_ipv4(headers: Any) -> None:
    """The inner IPv4 total length leaves 4 bytes out (an inner FCS, as ixia-c
    and the conformance suite count it); every checksum is right."""
    res = headers["vxlan"]
    assert counts(res)["frames_rx"] == 12
    frames = frames_from(res, "02:00:00:00:10:07")
    assert len(frames) == 12
    inner_len = 128 - 4 - (14 + 20 + 8 + 8) - 14 - 4
    expected = (
        _eth("02:00:00:00:10:07")
        / _ip()
        / UDP(sport=4000, dport=4789)
        / VXLAN(flags=0x08, vni=5000)
        / Ether(src="02:00:00:00:20:01", dst="02:00:00:00:20:02")
        / _ip("10.0.0.1", "10.0.0.2", proto=61, len=inner_len)
    )
    for frame in frames:
        check_frame(frame, expected, 128)
    check_sequence(frames)


# ---------------------------------------------------------------------- patterns
def _udp_frames(
    res: dict[str, Any], mac: str, fields: list[dict[str, Any]], size: int = 100
) -> list[bytes]:
    """Check the captured frames of ``mac`` against eth/ipv4/udp frames whose
    per-frame fields are ``fields`` (src, dst, sport, dport)."""
    frames = frames_from(res, mac)
    assert len(frames) == len(fields)
    for frame, f in zip(frames, fields, strict=True):
        hdr = (
            _eth(mac)
            / _ip(f["src"], f["dst"])
            / UDP(sport=f["sport"], dport=f["dport"])
        )
        check_frame(frame, hdr, size)
    check_sequence(frames)
    return frames


def _base(**kw: Any) -> dict[str, Any]:
    return {
        "src": "198.18.0.1",
        "dst": "198.19.0.1",
        "sport": 1000,
        "dport": 2000,
        **kw,
    }


def _add(addr: str, n: int) -> str:
    return str(ipaddress.IPv4Address(int(ipaddress.IPv4Address(addr)) + n))


PATTERNS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "value": (
        "02:00:00:00:20:01",
        [_base(src="198.18.7.7", sport=3333, dport=4444) for _ in range(24)],
    ),
    "values": (
        "02:00:00:00:20:02",
        [
            _base(
                sport=(10, 20, 30)[j % 3],
                dst=("198.19.0.1", "198.19.0.9", "198.19.3.3", "198.19.255.254")[j % 4],
            )
            for j in range(24)
        ],
    ),
    "increment": (  # the address carries into the next byte
        "02:00:00:00:20:03",
        [
            _base(dport=5000 + 3 * (j % 5), src=_add("198.18.0.250", 3 * (j % 4)))
            for j in range(24)
        ],
    ),
    "decrement": (  # and borrows from it
        "02:00:00:00:20:04",
        [
            _base(sport=6000 - 2 * (j % 6), dst=_add("198.19.1.5", -256 * (j % 3)))
            for j in range(24)
        ],
    ),
}


@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_every_pattern_kind_frame_by_frame(patterns: Any, kind: str) -> None:
    res = patterns[kind]
    assert counts(res) == sent_and_received(24, 2400)
    mac, fields = PATTERNS[kind]
    _udp_frames(res, mac, fields)


def test_random_patterns_stay_in_bounds_and_follow_their_seed(patterns: Any) -> None:
    res = patterns["random"]
    seqs = []
    for name, mac in (("f1", "02:00:00:00:20:05"), ("f2", "02:00:00:00:20:06")):
        assert counts(res, name)["frames_rx"] == 24
        frames = frames_from(res, mac)
        assert len(frames) == 24
        got = [(Ether(check_fcs(f))[UDP].sport, Ether(f[:-4])[IP].src) for f in frames]
        for frame, (sport, src) in zip(frames, got, strict=True):
            hdr = _eth(mac) / _ip(src) / UDP(sport=sport, dport=2000)
            check_frame(frame, hdr, 100)
        check_sequence(frames)
        ports = [p for p, _ in got]
        addrs = [int(ipaddress.IPv4Address(a)) for _, a in got]
        assert all(1000 <= p <= 1999 for p in ports)
        assert all(0xC6120001 <= a <= 0xC61200C8 for a in addrs)
        assert len(set(ports)) > 1
        # count 6: six values drawn, then drawn again in the same order
        assert 1 < len(set(addrs)) <= 6
        assert addrs == addrs[:6] * 4
        seqs.append(got)
    assert seqs[0] == seqs[1]  # the same seeds, the same sequence


# ------------------------------------------------------------------------- sizes
def _sized_frames(res: dict[str, Any], mac: str, *, udp: bool = True) -> list[bytes]:
    """The frames of ``mac``, each checked against eth/ipv4/udp (eth/ipv4 with
    its protocol auto: 61, without ``udp``) at its own size."""
    frames = frames_from(res, mac)
    for frame in frames:
        hdr = _eth(mac) / _ip() / UDP(sport=1000, dport=2000)
        if not udp:
            hdr = _eth(mac) / _ip(proto=61)
        check_frame(frame, hdr, len(frame))
    return frames


def test_size_increment(sizes: Any) -> None:
    res = sizes["increment"]
    assert counts(res)["frames_rx"] == 14
    frames = _sized_frames(res, "02:00:00:00:30:01")
    assert [len(f) for f in frames] == [100, 150, 200, 250, 300, 350, 400] * 2
    assert counts(res)["bytes_rx"] == 2 * sum(range(100, 401, 50))
    check_sequence(frames)


def test_size_random_within_bounds(sizes: Any) -> None:
    res = sizes["random"]
    frames = _sized_frames(res, "02:00:00:00:30:02")
    lens = [len(f) for f in frames]
    assert len(lens) == 200
    assert all(100 <= n <= 200 for n in lens)
    assert len(set(lens)) > 20
    c = counts(res)
    assert (c["frames_tx"], c["frames_rx"]) == (200, 200)
    assert c["bytes_tx"] == c["bytes_rx"] == sum(lens)
    check_sequence(frames)


@pytest.mark.parametrize(
    ("case", "mac", "want"),
    [
        ("imix", "02:00:00:00:30:03", {64: 70, 570: 40, 1518: 10}),
        ("custom_weights", "02:00:00:00:30:04", {100: 10, 200: 20, 300: 30}),
    ],
)
def test_weight_pairs_exact_counts(
    sizes: Any, case: str, mac: str, want: dict[int, int]
) -> None:
    res = sizes[case]
    frames = _sized_frames(res, mac, udp=case != "imix")
    assert Counter(len(f) for f in frames) == want
    check_sequence(frames)
    total = sum(n * k for n, k in want.items())
    assert counts(res) == sent_and_received(sum(want.values()), total)


# ------------------------------------------------------------------------- rates
@pytest.mark.parametrize(
    ("case", "frames"),
    [
        ("percentage", 500),  # 0.1 % of 1 Gb/s / 1000 bits = 1000 frames/s
        ("percentage_10g", 500),  # 0.01 % of 10 Gb/s, the same
        ("mbps", 500),  # 1 Mb/s / 1000 bits = 1000 frames/s
        ("kbps", 300),  # 600 kb/s / 1000 bits
        ("bps", 400),  # 800 kb/s / 1000 bits
    ],
)
def test_rates(rates: Any, case: str, frames: int) -> None:
    c = counts(rates[case])
    size = 105 if case.startswith("percentage") else 125
    assert c == sent_and_received(frames, frames * size)


# ------------------------------------------------------------------------ access
def _access_frames(res: dict[str, Any]) -> list[bytes]:
    assert counts(res) == sent_and_received(20, 1800)
    mac = "02:00:00:00:40:01"
    frames = frames_from(res, mac)
    assert len(frames) == 20
    for j, frame in enumerate(frames):
        check_frame(frame, _eth(mac) / _ip() / UDP(sport=100 + j, dport=200), 90)
    check_sequence(frames)
    return frames


def test_https_with_a_pcap_capture(access: Any, tmp_path: Path) -> None:
    res = access["https"]
    frames = _access_frames(res)
    data = base64.b64decode(res["capture"])
    magic, major, minor, _tz, _sig, _snaplen, linktype = struct.unpack(
        "<IHHiIII", data[:24]
    )
    assert (magic, major, minor) == (0xA1B23C4D, 2, 4)  # nanosecond pcap
    assert linktype == 1 | (1 << 28) | (2 << 29)  # Ethernet, with a 4-byte FCS
    path = tmp_path / "c.pcap"
    path.write_bytes(data)
    with RawPcapReader(str(path)) as rd:
        mac = bytes.fromhex("020000004001")
        theirs = [pkt for pkt, _meta in rd if pkt[6:12] == mac]
    assert theirs == frames


def test_http_with_a_pcapng_capture(access: Any, tmp_path: Path) -> None:
    res = access["http"]
    frames = _access_frames(res)
    data = base64.b64decode(res["capture"])
    assert data[:4] == b"\x0a\x0d\x0d\x0a"  # section header block
    path = tmp_path / "c.pcapng"
    path.write_bytes(data)
    with RawPcapNgReader(str(path)) as rd:
        mac = bytes.fromhex("020000004001")
        theirs = [pkt for pkt, _meta in rd if pkt[6:12] == mac]
    assert theirs == frames
    # the same frames as over HTTPS, but for the test payload (times differ) and
    # the UDP checksum (bytes 40, 41) that covers it
    https = _access_frames(access["https"])

    def fixed(f: bytes) -> bytes:
        return f[:40] + f[42:-24]

    assert [fixed(f) for f in frames] == [fixed(f) for f in https]


def test_version_check_passes(access: Any) -> None:
    res = ok(access["version_check"])
    for scheme in ("https", "http"):
        r = res[scheme]
        assert counts(r)["frames_rx"] == 20
        assert r["version"] == {
            "api_spec_version": ">=1.58.0,<2.0.0",
            "has_app_version": True,
        }
        assert r["local"] == "1.62.0"


def test_get_config_answers_the_config_set(access: Any) -> None:
    assert ok(access["config_roundtrip"]) == {
        "missing": [],
        "same": True,
        "flows": ["f1"],
        "udp_src": {
            "choice": "increment",
            "increment": {"start": 100, "step": 1, "count": 20},
        },
    }


def test_update_changes_rate_and_size(access: Any) -> None:
    res = ok(access["update"])
    assert (res["warnings"], res["rate"], res["size"]) == ([], 2000, 200)
    assert counts(res) == sent_and_received(1000, 200_000)


# ------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown_location", "ports[1].location: no port at location 'veth-q'"),
        (
            "size_below_minimum",
            "flows[0].size: 64-byte frames cannot hold the 62 bytes of headers, the "
            "20-byte test payload of metrics and the FCS: at least 86 bytes",
        ),
        (
            "imix_below_minimum",
            "flows[0].size: 64-byte frames cannot hold the 42 bytes of headers, the "
            "20-byte test payload of metrics and the FCS: at least 66 bytes",
        ),
        (
            "rate_above_line",
            "flows[0].rate.gbps: 1.95312e+06 frames/s of 128 bytes are 2312.5 "
            "Mbit/s on the wire, above the 1000 Mbit/s line rate of port p1",
        ),
        ("device", "devices: emulated devices is not supported by wirespeed"),
        ("unknown_flow", "flow_names: no flow nope"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    errors: Any, case: str, message: str
) -> None:
    assert errors[case] == {"code": 400, "kind": "validation", "errors": [message]}


def test_malformed_json_is_refused_in_otgs_shape(errors: Any) -> None:
    res = errors["malformed_json"]
    assert res["status"] == 400
    assert res["content_type"].split(";")[0] == "application/json"
    assert res["body"] == {
        "code": 400,
        "kind": "validation",
        "errors": [
            "the request body is not JSON: Expecting value: line 1 column 12 (char 11)"
        ],
    }


def test_the_daemon_keeps_serving_after_bad_input(errors: Any) -> None:
    assert counts(errors["still_serving"]) == sent_and_received(10, 1280)
