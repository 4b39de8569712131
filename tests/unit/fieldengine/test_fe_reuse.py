"""The reused frame buffer: frames do not depend on how they are batched, and every
checksum equals the one the simple whole-frame functions compute.

The generator rewrites only what changes in a buffer it keeps from batch to batch,
and computes checksums from the changing words plus precomputed sums. The reference
here is the plain definition: the frames built in one batch by a fresh generator,
and ``wirespeed.packet.checksum.fix_*`` run over the zero-padded whole frames.
"""

import numpy as np
import pytest
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP, TCP, UDP, Ether
from scapy.layers.inet6 import IPv6

from wirespeed.errors import ValidationError
from wirespeed.fieldengine import TpldStamp, compile_stream
from wirespeed.model import (
    FixChecksumHw,
    FixChecksumIpv4,
    FlowStats,
    FlowStatsKind,
    FlowVar,
    FlowVarOp,
    FrameLength,
    L4Type,
    LengthType,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    SegmentType,
    Stream,
    TrimPktSize,
    VmProgram,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.packet.checksum import (
    L4_TCP,
    L4_UDP,
    fix_ipv4_checksums,
    fix_l4_checksums,
)
from wirespeed.tpld import TpldMode, decode_batch

ETH = Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")
V4 = IP(src="198.18.0.1", dst="198.19.0.1", len=0, chksum=0)
V6 = IPv6(src="2001:2::1", dst="2001:2::2", plen=0)
L4S = {"udp": UDP(sport=7, dport=9, len=0, chksum=0), "tcp": TCP(sport=7, dport=9)}


@st.composite
def streams(draw):
    ip = draw(st.sampled_from(["v4", "v6"]))
    l4 = draw(st.sampled_from(["udp", "tcp"]))
    hdr = ETH / (V4 if ip == "v4" else V6) / L4S[l4]
    if l4 == "tcp":
        hdr[TCP].chksum = 0
    raw = bytes(hdr)
    hlen = len(raw)
    l3_seg = SegmentType.IP if ip == "v4" else SegmentType.IPV6
    l4_seg = SegmentType.UDPCHECK if l4 == "udp" else SegmentType.TCPCHECK
    segments = (SegmentType.ETHERNET, l3_seg, l4_seg)
    kind = draw(st.sampled_from(list(LengthType)))
    tpld = draw(st.sampled_from([None, TpldMode.NORMAL, TpldMode.MICRO]))
    lo = hlen + 4 + (0 if tpld is None else tpld.length) + draw(st.integers(0, 20))
    length = FrameLength(kind, lo, lo + draw(st.integers(0, 60)))
    assume(length.smallest_bytes >= lo)  # IMIX starts at 64 bytes
    mods = tuple(
        Modifier(
            pos=draw(st.integers(16, hlen - 3)),  # not the version/IHL byte
            mask=draw(
                st.sampled_from([0xFFFF0000, 0x0FF00000, 0xFF000000, 0x00F00000])
            ),
            action=draw(st.sampled_from(list(ModifierAction))),
            repeat=draw(st.integers(1, 3)),
            is_extended=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    vm: list = []
    if draw(st.booleans()):
        vm = [
            FlowVar("v", size=4, op=FlowVarOp.INC, min_value=0, max_value=2**20),
            WriteFlowVar("v", pkt_offset=draw(st.integers(16, hlen - 4))),
            FlowVar("m", size=2, op=FlowVarOp.RANDOM, min_value=0, max_value=0xFFFF),
            WriteMaskFlowVar(
                "m", pkt_offset=draw(st.integers(16, hlen - 2)), pkt_cast_size=2,
                mask=0x0FF0,
            ),
        ]  # fmt: skip
        if ip == "v4":
            vm.append(FixChecksumIpv4(pkt_offset=14))
    payload = Payload(
        draw(
            st.sampled_from([PayloadType.PATTERN, PayloadType.INC16, PayloadType.PRBS])
        ),
        b"\x12\x34\x56",
    )
    stream = Stream(
        packet=raw,
        segments=segments,
        length=length,
        payload=payload,
        modifiers=mods,
        vm=VmProgram(tuple(vm)),
        random_seed=draw(st.integers(1, 2**32 - 1)),
    )
    return stream, tpld, ip, l4, hlen


def _build(stream, tpld, sizes):
    gen = compile_stream(stream, tpld_mode=tpld)
    out = []
    seq = 0
    for n in sizes:
        ts = 10**18 + np.arange(seq, seq + n, dtype=np.int64) * 997
        stamp = None if tpld is None else TpldStamp(3, seq, is_first=seq == 0)
        batch = gen.fill(n, stamp, ts).assemble()
        out += [batch.frame(i) for i in range(n)]
        seq += n
    return out


def _as_rows(frames):
    width = max(len(f) for f in frames)
    data = np.zeros((len(frames), width), dtype=np.uint8)
    for i, f in enumerate(frames):
        data[i, : len(f)] = np.frombuffer(f, dtype=np.uint8)
    return data, np.array([len(f) for f in frames], dtype=np.int64)


@settings(max_examples=120, deadline=None)
@given(streams(), st.lists(st.integers(1, 40), min_size=2, max_size=6))
def test_batching_and_checksums(case, sizes):
    stream, tpld, ip, l4, _hlen = case
    frames = _build(stream, tpld, sizes)
    assert frames == _build(stream, tpld, [sum(sizes)])  # independent of batching
    data, lengths = _as_rows(frames)
    ref = data.copy()
    if ip == "v4":
        fix_ipv4_checksums(ref, 14)
    fix_l4_checksums(ref, lengths, 14, 34 if ip == "v4" else 54,
                     L4_UDP if l4 == "udp" else L4_TCP)  # fmt: skip
    assert (ref == data).all()
    if tpld is not None:
        dec = decode_batch(data, lengths, tpld)
        assert dec.valid.all()
        assert (dec.tid == 3).all()
        if tpld is TpldMode.NORMAL:
            assert dec.seq.tolist() == list(range(len(frames)))
        assert dec.is_first.tolist() == [True] + [False] * (len(frames) - 1)


def test_fix_checksum_hw_on_a_reused_buffer_with_trim():
    """TRex: random size by trim, lengths written by the VM, checksums by the VM."""
    base = ETH / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(sport=1, dport=2)
    base = base / (b"\x55" * 60)
    vm = VmProgram(
        (
            FlowVar(
                "size", size=2, op=FlowVarOp.RANDOM, min_value=60, max_value=len(base)
            ),
            FlowVar(
                "src", size=4, op=FlowVarOp.RANDOM, min_value=0, max_value=2**32 - 1
            ),
            TrimPktSize("size"),
            WriteFlowVar("src", pkt_offset=26),
            WriteFlowVar("size", pkt_offset=16, add_value=-14),
            WriteFlowVar("size", pkt_offset=38, add_value=-34),
            FixChecksumHw(l2_len=14, l3_len=20, l4_type=L4Type.UDP),
        )
    )
    stream = Stream(packet=bytes(base), header_len_bytes=42, vm=vm, random_seed=4)
    gen = compile_stream(stream)
    frames = []
    for n in (5, 50, 3, 40):
        b = gen.next_batch(n)
        frames += [b.frame(i) for i in range(n)]
    data, lengths = _as_rows(frames)
    assert len(set(lengths.tolist())) > 20
    ref = data.copy()
    fix_ipv4_checksums(ref, 14)
    fix_l4_checksums(ref, lengths, 14, 34, L4_UDP)
    assert (ref == data).all()
    for f in frames:
        pkt = Ether(f)
        assert pkt[IP].len == len(f) - 14
        assert pkt[UDP].len == len(f) - 34
        assert bytes(pkt[UDP].payload) == b"\x55" * (len(f) - 42)


def test_ipv4_header_length_written_per_frame():
    """A modifier on the IHL: each frame's checksum covers its own header length."""
    hdr = bytes(
        ETH / IP(src="198.18.0.1", dst="198.19.0.1", options=[]) / (b"\x44" * 40)
    )
    mod = Modifier(pos=14, mask=0x0F000000, action=ModifierAction.INC,
                   min_value=5, max_value=7)  # fmt: skip
    stream = Stream(packet=hdr, segments=(SegmentType.ETHERNET, SegmentType.IP),
                    modifiers=(mod,), header_len_bytes=34)  # fmt: skip
    gen = compile_stream(stream)
    frames = []
    for n in (2, 4):
        b = gen.next_batch(n)
        frames += [b.frame(i) for i in range(n)]
    data, _ = _as_rows(frames)
    assert [f[14] & 0x0F for f in frames] == [5, 6, 7, 5, 6, 7]
    ref = data.copy()
    fix_ipv4_checksums(ref, 14)
    assert (ref == data).all()


def test_payload_checksum_form_with_udp_checksum():
    """22-byte TPLD: its payload checksum, then the UDP checksum over it all."""
    hdr = bytes(ETH / V4 / L4S["udp"])
    stream = Stream(
        packet=hdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        length=FrameLength(LengthType.INCREMENTING, 80, 90),
        payload=Payload(PayloadType.INC8),
    )
    mode = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
    gen = compile_stream(stream, tpld_mode=mode, pi_offset=42)
    frames = []
    for n, seq in ((4, 0), (7, 4)):
        ts = 10**18 + np.arange(n, dtype=np.int64) * 1000
        b = gen.fill(n, TpldStamp(3, seq, is_first=seq == 0), ts).assemble()
        frames += [b.frame(i) for i in range(n)]
    data, lengths = _as_rows(frames)
    ref = data.copy()
    fix_ipv4_checksums(ref, 14)
    fix_l4_checksums(ref, lengths, 14, 34, L4_UDP)
    assert (ref == data).all()
    dec = decode_batch(data, lengths, mode)
    assert dec.valid.all()
    assert dec.pi_checked.all()
    assert dec.pi_ok.all()
    assert dec.seq.tolist() == list(range(11))
    with pytest.raises(ValidationError) as exc:
        compile_stream(stream, tpld_mode=mode, pi_offset=40)  # covers the UDP csum
    assert exc.value.field == "pi_offset"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(16, 22),
            st.sampled_from([0xFFFF0000, 0x0FF00000, 0xFF000000]),
            st.sampled_from([ModifierAction.INC, ModifierAction.DEC]),
            st.integers(1, 3),
            st.integers(1, 40),
        ),
        min_size=1,
        max_size=2,
    ),
    st.lists(st.integers(1, 300), min_size=2, max_size=5),
)
def test_periodic_window_writes_the_same_frames(mods, sizes):
    """Xena streams that change in a few periodic header bytes take a shortcut:
    a precomputed window per frame. The frames are those of the general path."""
    hdr = bytes(ETH / IP(src="198.18.0.1", dst="198.19.0.1", proto=253))
    stream = Stream(
        packet=hdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP),
        length=FrameLength.fixed(80),
        modifiers=tuple(
            Modifier(pos=p, mask=m, action=a, repeat=r, min_value=0, max_value=c - 1)
            for p, m, a, r, c in mods
        ),
    )
    fast = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    assert fast._window is not None
    slow = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    slow._window = None
    seq = 0
    for n in sizes:
        want = slow.fill(n, TpldStamp(3, seq), 10**18 + seq).assemble()
        got = fast.fill(n, TpldStamp(3, seq), 10**18 + seq).assemble()
        assert got.data.tolist() == want.data.tolist()
        seq += n


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([(18, 2), (22, 1), (16, 2)]),  # IP id, TTL, total length
            st.sampled_from([FlowVarOp.INC, FlowVarOp.DEC]),
            st.integers(0, 300),  # min
            st.integers(1, 400),  # span
            st.integers(1, 5),  # step
            st.booleans(),  # a value list instead of a range
        ),
        min_size=1,
        max_size=2,
        unique_by=lambda t: t[0],
    ),
    st.lists(st.integers(1, 300), min_size=2, max_size=5),
)
def test_periodic_window_serves_trex_counters_too(variables, sizes):
    """A TRex stream whose variables count (inc/dec, ranges or value lists) takes
    the same shortcut; its frames are those of the general path."""
    hdr = bytes(ETH / IP(src="198.18.0.1", dst="198.19.0.1", proto=253))
    ins: list[object] = []
    for i, ((off, size), op, lo, span, step, listed) in enumerate(variables):
        hi = min(lo + span, (1 << (8 * size)) - 1)
        lo = min(lo, hi)
        values = tuple(range(lo, hi + 1, 7))[:40] if listed else None
        try:
            var = FlowVar(f"v{i}", size=size, op=op, min_value=lo, max_value=hi,
                          step=step, value_list=values)  # fmt: skip
        except ValidationError:  # a range that cannot be padded to whole steps
            reject()
        ins.append(var)
        ins.append(WriteFlowVar(f"v{i}", off))
    ins.append(FixChecksumIpv4(14))
    stream = Stream(
        packet=hdr + bytes(26),
        header_len_bytes=len(hdr),
        vm=VmProgram(tuple(ins)),  # type: ignore[arg-type]
        flow_stats=FlowStats(5, FlowStatsKind.LATENCY),
    )
    fast = compile_stream(stream, tpld_mode=TpldMode.TREX)
    assume(fast._window is not None)  # a period within the window's limit
    slow = compile_stream(stream, tpld_mode=TpldMode.TREX)
    slow._window = None
    seq = 0
    for n in sizes:
        want = slow.fill(n, TpldStamp(5, seq), 10**18 + seq).assemble()
        got = fast.fill(n, TpldStamp(5, seq), 10**18 + seq).assemble()
        assert got.data.tolist() == want.data.tolist()
        seq += n


def test_random_or_chained_variables_take_no_window():
    hdr = bytes(ETH / IP(src="198.18.0.1", dst="198.19.0.1", proto=253))
    for var in (
        FlowVar("a", size=2, op=FlowVarOp.RANDOM, min_value=0, max_value=9),
        FlowVar("a", size=2, min_value=0, max_value=9, next_var="b"),
    ):
        extra = (FlowVar("b", size=1, max_value=3),) if var.next_var else ()
        stream = Stream(
            packet=hdr + bytes(26),
            vm=VmProgram((var, *extra, WriteFlowVar("a", 18), FixChecksumIpv4(14))),
        )
        assert compile_stream(stream)._window is None


def test_nested_udp_checksums_inner_first():
    """VXLAN: the outer UDP checksum covers the inner one, and both the TPLD."""
    from scapy.layers.vxlan import VXLAN

    from wirespeed.packet.template import segments_from_scapy

    inner = Ether(dst="02:00:00:00:00:04") / IP(src="198.18.9.1", dst="198.18.9.2")
    hdr = bytes(
        ETH / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(sport=4000, dport=4789)
        / VXLAN(vni=5) / inner / UDP(sport=7, dport=9)
    )  # fmt: skip
    stream = Stream(
        packet=hdr,
        segments=segments_from_scapy(hdr),
        length=FrameLength(LengthType.INCREMENTING, 120, 123),
        payload=Payload(PayloadType.INC8),
        modifiers=(Modifier(pos=34, mask=0xFFFF0000),),  # the outer UDP source port
    )
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    frames = []
    for n, seq in ((3, 0), (5, 3)):
        b = gen.fill(n, TpldStamp(2, seq), 10**18 + seq).assemble()
        frames += [b.frame(i) for i in range(n)]
    data, lengths = _as_rows(frames)
    ref = data.copy()
    for l3 in (14, 64):
        fix_ipv4_checksums(ref, l3)
    fix_l4_checksums(ref, lengths, 64, 84, L4_UDP)  # inner first
    fix_l4_checksums(ref, lengths, 14, 34, L4_UDP)
    assert (ref == data).all()
    assert decode_batch(data, lengths, TpldMode.NORMAL).valid.all()


@settings(max_examples=100, deadline=None)
@given(streams(), st.integers(1, 60), st.data())
def test_finishing_in_parts_builds_the_same_frames(case, n, data):
    """A transmitter finishes a batch part by part, each right before its send:
    with one time for all, the frames are those of one finish; with a time per
    part, every TPLD carries its part's time and every checksum still holds."""
    stream, tpld, ip, l4, _hlen = case
    cuts = sorted(set(data.draw(st.lists(st.integers(1, n), max_size=4))) - {n})
    parts = list(zip([0, *cuts], [*cuts, n], strict=True))
    stamp = None if tpld is None else TpldStamp(3, 7, is_first=True)
    whole, pieces = (
        compile_stream(stream, tpld_mode=tpld),
        compile_stream(stream, tpld_mode=tpld),
    )
    want = whole.fill(n, stamp, 10**18).assemble()
    pieces.prepare(n, stamp)
    for a, b in parts:
        batch = pieces.finish(10**18, a, b)
    assert batch.assemble().data.tolist() == want.data.tolist()
    # a time per part
    gen = compile_stream(stream, tpld_mode=tpld)
    gen.prepare(n, stamp)
    times = np.zeros(n, dtype=np.int64)
    for k, (a, b) in enumerate(parts):
        t = 10**18 + 1_000_000 * (k + 1)
        times[a:b] = t
        batch = gen.finish(t, a, b)
    frames = batch.assemble()
    ref = frames.data.copy()
    if ip == "v4":
        fix_ipv4_checksums(ref, 14)
    fix_l4_checksums(ref, frames.lengths, 14, 34 if ip == "v4" else 54,
                     L4_UDP if l4 == "udp" else L4_TCP)  # fmt: skip
    assert (ref == frames.data).all()
    if tpld is not None:
        dec = decode_batch(frames.data, frames.lengths, tpld)
        assert dec.valid.all()
        if tpld is not TpldMode.MICRO:
            assert dec.seq.tolist() == list(range(7, 7 + n))
        assert dec.is_first.tolist() == [True] + [False] * (n - 1)
        modulus = 1 << (28 + 4 if tpld is TpldMode.MICRO else 36)
        got = dec.ts_ns.astype(np.int64) % modulus
        assert got.tolist() == (times % modulus >> 4 << 4).tolist()


def test_parts_must_come_in_order():
    stream = Stream(
        packet=bytes(ETH / V4 / L4S["udp"]),
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        length=FrameLength.fixed(100),
    )
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    gen.prepare(10, TpldStamp(1, 0))
    gen.finish(5, 0, 4)
    with pytest.raises(ValidationError) as exc:
        gen.finish(5, 5, 10)  # rows 4.. come next
    assert exc.value.field == "start"
    with pytest.raises(ValidationError):
        gen.finish(5, 4, 11)  # past the batch
    gen.finish(5, 4, 10)
    with pytest.raises(ValidationError):
        gen.finish(5)  # all finished: prepare again


@pytest.mark.parametrize("size", [64, 100, 1518])
@pytest.mark.parametrize("n", [1, 1000, 5000])
def test_rows_start_on_a_cache_line(size, n):
    """The frame buffer's first row starts a 64-byte line (as the C reference's
    frames do), and the rows are a multiple of 16 bytes apart (a 100-byte frame
    takes 96: its bytes without the FCS)."""
    stream = Stream(
        packet=bytes(Ether() / IP()), tpld_id=1, length=FrameLength.fixed(size)
    )
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    batch = gen.prepare(n, TpldStamp(1, 0))
    assert batch.body.ctypes.data % 64 == 0
    assert batch.body.strides[0] == -(-gen.head_width // 16) * 16
    # a 64-byte frame is one line; a 1518-byte one keeps only its head in the rows
    assert {64: 64, 100: 96, 1518: 48}[size] == batch.body.strides[0]
