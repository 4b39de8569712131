# ruff: noqa: E501  (profile texts keep TRex example style)
"""Stateless profiles in TRex's file format, written by the tests (modelled on the
kinds of trex-core ``scripts/stl`` examples; addresses from 198.18.0.0/15).

Each text is a Python module for ``STLClient.add_profile(path)``: it defines
``register()`` returning an object with ``get_streams(...)``.
"""

from __future__ import annotations

from pathlib import Path

HEADER = "from trex_stl_lib.api import *\n\n"

UDP_SIMPLE = (
    HEADER
    + """
class Simple:
    def get_streams(self, tunables=None, **kwargs):
        pkt = Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(dport=12, sport=1025)
        return [STLStream(packet=STLPktBuilder(pkt=pkt / (10 * "x")), mode=STLTXCont())]

def register():
    return Simple()
"""
)

IMIX = (
    HEADER
    + """
class Imix:
    # trex-core scripts/stl/imix.py: sizes, rates and gaps of its table, and its
    # list-form VM (inc source and destination, IPv4 checksum fixed)
    table = [(60, 28, 0), (590, 20, 0.1), (1514, 4, 0.2)]

    def get_streams(self, direction=0, tunables=None, **kwargs):
        src, dst = ("198.18.0.1", "198.18.0.254"), ("198.19.0.1", "198.19.0.254")
        if direction:
            src, dst = dst, src
        vm = [
            STLVmFlowVar(name="src", min_value=src[0], max_value=src[1], size=4, op="inc"),
            STLVmWrFlowVar(fv_name="src", pkt_offset="IP.src"),
            STLVmFlowVar(name="dst", min_value=dst[0], max_value=dst[1], size=4, op="inc"),
            STLVmWrFlowVar(fv_name="dst", pkt_offset="IP.dst"),
            STLVmFixIpv4(offset="IP"),
        ]
        out = []
        for size, pps, isg in self.table:
            base = Ether() / IP() / UDP()
            pkt = STLPktBuilder(pkt=base / (max(0, size - len(base)) * "x"), vm=vm)
            out.append(STLStream(isg=isg, packet=pkt, mode=STLTXCont(pps=pps)))
        return out

def register():
    return Imix()
"""
)

TUPLE_GEN = (
    HEADER
    + """
class Tuple:
    def get_streams(self, tunables=None, **kwargs):
        base = Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(dport=12, sport=1025)
        vm = STLVM()
        vm.tuple_var(name="tuple", ip_min="198.18.0.1", ip_max="198.18.0.2",
                     port_min=1025, port_max=2048, limit_flows=10000)
        vm.write(fv_name="tuple.ip", pkt_offset="IP.src")
        vm.fix_chksum()
        vm.write(fv_name="tuple.port", pkt_offset="UDP.sport")
        pkt = STLPktBuilder(pkt=base / (max(0, 60 - len(base)) * "x"), vm=vm)
        return [STLStream(packet=pkt, mode=STLTXCont())]

def register():
    return Tuple()
"""
)

SYN_ATTACK = (
    HEADER
    + """
class Syn:
    def get_streams(self, tunables=None, **kwargs):
        base = Ether() / IP(dst="198.19.0.80") / TCP(dport=80, flags="S")
        vm = STLVM()
        vm.var(name="ip_src", min_value="198.18.0.0", max_value="198.19.255.254",
               size=4, op="random")
        vm.var(name="src_port", min_value=1025, max_value=65000, size=2, op="random")
        vm.write(fv_name="ip_src", pkt_offset="IP.src")
        vm.fix_chksum()
        vm.write(fv_name="src_port", pkt_offset="TCP.sport")
        return [STLStream(packet=STLPktBuilder(pkt=base, vm=vm), random_seed=0x1234,
                          mode=STLTXCont())]

def register():
    return Syn()
"""
)

RAND_LEN = (
    HEADER
    + """
class RandLen:
    def get_streams(self, tunables=None, **kwargs):
        l2, l3, l4 = Ether(), IP(src="198.18.0.1", dst="198.19.0.1"), UDP(dport=12, sport=1025)
        base = l2 / l3 / l4 / ("\\x55" * (9 * 1024 - len(l3 / l4)))
        vm = STLScVmRaw([
            STLVmFlowVar(name="fv_rand", min_value=64, max_value=len(base), size=2,
                         op="random"),
            STLVmTrimPktSize("fv_rand"),
            STLVmWrFlowVar(fv_name="fv_rand", pkt_offset="IP.len", add_val=-len(l2)),
            STLVmFixIpv4(offset="IP"),
            STLVmWrFlowVar(fv_name="fv_rand", pkt_offset="UDP.len",
                           add_val=-len(l2 / l3)),
        ])
        return [STLStream(packet=STLPktBuilder(pkt=base, vm=vm), random_seed=0x1234,
                          mode=STLTXCont())]

def register():
    return RandLen()
"""
)

BURST_LOOP = (
    HEADER
    + """
class Loop:
    def get_streams(self, tunables=None, **kwargs):
        def pkt(n):
            base = Ether() / IP(src="198.18.0.%d" % n, dst="198.19.0.1") / UDP(dport=12, sport=1025)
            return STLPktBuilder(pkt=base / (max(0, 60 - len(base)) * "x"))
        return STLProfile([
            STLStream(isg=10.0, name="S0", packet=pkt(1),
                      mode=STLTXSingleBurst(pps=1000, total_pkts=1), next="S1"),
            STLStream(self_start=False, name="S1", packet=pkt(2),
                      mode=STLTXSingleBurst(pps=1000, total_pkts=2), next="S2"),
            STLStream(self_start=False, name="S2", packet=pkt(3),
                      mode=STLTXSingleBurst(pps=1000, total_pkts=3), action_count=2,
                      next="S0"),
        ]).get_streams()

def register():
    return Loop()
"""
)

MULTI_BURST = (
    HEADER
    + """
class Multi:
    def get_streams(self, tunables=None, **kwargs):
        def pkt(n):
            base = Ether() / IP(src="198.18.0.%d" % n, dst="198.19.0.1") / UDP(dport=12, sport=1025)
            return STLPktBuilder(pkt=base / (max(0, 60 - len(base)) * "x"))
        return STLProfile([
            STLStream(isg=10.0, name="S0", packet=pkt(1),
                      mode=STLTXSingleBurst(pps=100, total_pkts=2), next="S1"),
            STLStream(self_start=False, name="S1", packet=pkt(2),
                      mode=STLTXMultiBurst(pps=1000, pkts_per_burst=4, ibg=50000.0,
                                           count=5)),
        ]).get_streams()

def register():
    return Multi()
"""
)

FLOW_STATS = (
    HEADER
    + """
class Flow:
    def get_streams(self, tunables=None, **kwargs):
        base = Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(dport=12, sport=1025)
        pkt = STLPktBuilder(pkt=base / ((124 - len(base)) * "x"))
        return [
            STLStream(packet=pkt, mode=STLTXSingleBurst(pps=10000, total_pkts=1000),
                      flow_stats=STLFlowStats(pg_id=5)),
            STLStream(packet=pkt, mode=STLTXSingleBurst(pps=10000, total_pkts=500),
                      flow_stats=STLFlowStats(pg_id=6)),
        ]

def register():
    return Flow()
"""
)

LATENCY = (
    HEADER
    + """
import argparse

class Latency:
    def get_streams(self, port_id=0, tunables=None, **kwargs):
        parser = argparse.ArgumentParser()
        parser.add_argument("--fsize", type=int, default=64)
        parser.add_argument("--pg_id", type=int, default=7)
        args = parser.parse_args(tunables or [])
        base = Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(dport=12, sport=1025)
        pkt = STLPktBuilder(pkt=base / (max(0, args.fsize - 4 - len(base)) * "x"))
        return [STLStream(packet=pkt, mode=STLTXCont(pps=1000),
                          flow_stats=STLFlowLatencyStats(pg_id=args.pg_id + port_id))]

def register():
    return Latency()
"""
)

PCAP = (
    HEADER
    + """
import os

class Pcap:
    def get_streams(self, tunables=None, **kwargs):
        path = os.path.join(os.path.dirname(__file__), "sample.pcap")
        return STLProfile.load_pcap(path, ipg_usec=1000.0, loop_count=2).get_streams()

def register():
    return Pcap()
"""
)

ALL = {
    "udp_simple": UDP_SIMPLE,
    "imix": IMIX,
    "tuple_gen": TUPLE_GEN,
    "syn_attack": SYN_ATTACK,
    "rand_len": RAND_LEN,
    "burst_loop": BURST_LOOP,
    "multi_burst": MULTI_BURST,
    "flow_stats": FLOW_STATS,
    "latency": LATENCY,
    "pcap": PCAP,
}


def write_profiles(directory: Path) -> dict[str, Path]:
    """Write every profile into ``directory``; return name -> path."""
    out = {}
    for name, text in ALL.items():
        path = directory / f"{name}.py"
        path.write_text(text)
        out[name] = path
    return out
