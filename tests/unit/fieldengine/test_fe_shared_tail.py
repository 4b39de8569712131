"""Long frames whose bytes past the changing ones are one shared tail.

A generator keeps rows of only ``head_width`` bytes when everything it rewrites per
frame lies before that point and at least ``SHARED_TAIL_MIN`` static bytes follow.
The frames must be the very bytes the whole-row path builds; the reference here is a
generator of the same stream compiled with the shared tail turned off.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP, TCP, UDP, Ether

import wirespeed.fieldengine.generator as generator
from wirespeed.fieldengine import InjectedError, TpldStamp, compile_stream
from wirespeed.model import (
    FixChecksumIpv4,
    FlowVar,
    FlowVarOp,
    FrameLength,
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
)
from wirespeed.packet.checksum import L4_UDP, fix_l4_checksums
from wirespeed.tpld import TpldMode, decode_batch

ETH = Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")
V4 = IP(src="198.18.0.1", dst="198.19.0.1", len=0, chksum=0)
UDP_HDR = bytes(ETH / V4 / UDP(sport=7, dport=9, len=0, chksum=0))  # 42 bytes


def _whole_rows(stream, **kw):
    saved = generator.SHARED_TAIL_MIN
    generator.SHARED_TAIL_MIN = 1 << 30
    try:
        return compile_stream(stream, **kw)
    finally:
        generator.SHARED_TAIL_MIN = saved


def _frames(gen, sizes, tpld):
    out, seq = [], 0
    for n in sizes:
        stamp = None if tpld is None else TpldStamp(4, seq, is_first=seq == 0)
        ts = 10**18 + np.arange(seq, seq + n, dtype=np.int64) * 1013
        batch = gen.fill(n, stamp, ts)
        out += [batch.frame(i) for i in range(n)]
        assembled = batch.assemble()
        assert [assembled.frame(i) for i in range(n)] == out[-n:]
        seq += n
    return out


@st.composite
def long_streams(draw):
    tcp = draw(st.booleans())
    l4 = TCP(sport=7, dport=9, chksum=0) if tcp else UDP(sport=7, dport=9, len=0)
    raw = bytes(ETH / V4 / l4)
    check = draw(st.booleans())
    l4_seg = {
        (False, False): SegmentType.UDP,
        (False, True): SegmentType.UDPCHECK,
        (True, False): SegmentType.TCP,
        (True, True): SegmentType.TCPCHECK,
    }[(tcp, check)]
    kind = draw(st.sampled_from(list(LengthType)))
    lo = draw(st.integers(len(raw) + 4 + 22, 300))
    hi = draw(st.integers(lo + 300, 1518))
    if kind is LengthType.FIXED:
        length = FrameLength.fixed(hi)
    elif kind is LengthType.MIX:  # 64..1518: room for the TPLD from 66 on
        length = FrameLength(kind, 64, 1518)
    else:
        length = FrameLength(kind, lo, hi)
    mods = tuple(
        Modifier(
            pos=draw(st.integers(16, 31)),  # in the IP header: the head stays put
            mask=draw(st.sampled_from([0xFFFF0000, 0x0FF00000, 0xFF000000])),
            action=draw(st.sampled_from(list(ModifierAction))),
            repeat=draw(st.integers(1, 3)),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    vm = ()
    if draw(st.booleans()):
        vm = (
            FlowVar("v", size=4, op=FlowVarOp.INC, min_value=0, max_value=2**20),
            WriteFlowVar("v", pkt_offset=26),
            FixChecksumIpv4(pkt_offset=14),
        )
    payload = Payload(
        draw(
            st.sampled_from([PayloadType.PATTERN, PayloadType.INC8, PayloadType.INC16])
        ),
        b"\x12\x34\x56",
    )
    stream = Stream(
        packet=raw,
        segments=(SegmentType.ETHERNET, SegmentType.IP, l4_seg),
        length=length,
        payload=payload,
        modifiers=mods,
        vm=VmProgram(vm),
        random_seed=draw(st.integers(1, 2**32 - 1)),
    )
    forms = [None, TpldMode.MICRO] + (
        [] if kind is LengthType.MIX else [TpldMode.NORMAL, TpldMode.TREX]
    )
    tpld = draw(st.sampled_from(forms))
    # the rows reach past the TCP checksum (bytes 50..52) and the first payload
    # byte an injected error may flip (54, past the TCP header)
    head = 64 if tcp and (check or tpld is not None) else 48
    return stream, tpld, head


@settings(max_examples=80, deadline=None)
@given(long_streams(), st.lists(st.integers(1, 30), min_size=2, max_size=5))
def test_shared_tail_builds_the_whole_row_frames(case, sizes):
    stream, tpld, head = case
    shared = compile_stream(stream, tpld_mode=tpld)
    whole = _whole_rows(stream, tpld_mode=tpld)
    assert shared.head_width == head
    assert whole.head_width == whole.width
    want = _frames(whole, sizes, tpld)
    assert _frames(shared, sizes, tpld) == want
    if tpld is not None:
        data = np.zeros((len(want), max(map(len, want))), dtype=np.uint8)
        for i, f in enumerate(want):
            data[i, : len(f)] = np.frombuffer(f, np.uint8)
        lengths = np.array([len(f) for f in want], dtype=np.int64)
        dec = decode_batch(data, lengths, tpld)
        assert dec.valid.all()
        assert (dec.tid == 4).all()


def test_rows_pieces_and_tail_of_the_tuple_stream():
    """The benchmark's 1M-flow stream: 48-byte rows, one 1466-byte tail of zeros."""
    from wirespeed.model import TupleFlowVar

    hdr = bytes(
        ETH / IP(src="198.18.0.1", dst="198.18.0.2", flags="DF")
        / UDP(sport=10000, dport=9, chksum=0)
    )  # fmt: skip
    vm = VmProgram(
        (
            TupleFlowVar(
                "t", ip_min=0xC6120001, ip_max=0xC61200FE, port_min=1025, port_max=1030
            ),
            WriteFlowVar("t.ip", pkt_offset=26),
            WriteFlowVar("t.port", pkt_offset=34),
            FixChecksumIpv4(pkt_offset=14),
        )
    )
    stream = Stream(
        packet=hdr,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDP),
        length=FrameLength(LengthType.RANDOM, 64, 1518),
        vm=vm,
        random_seed=5,
    )
    gen = compile_stream(stream)
    batch = gen.fill(4)
    assert (gen.width, gen.head_width) == (1514, 48)
    assert batch.body.shape == (4, 48)
    assert batch.tail is not None
    assert len(batch.tail) == 1466
    assert not batch.tail.any()
    assert not batch.tail.flags.writeable
    assert batch.tpld is None
    addrs, lens = batch.pieces()
    ends = batch.lengths
    assert lens.tolist() == [[48, int(e) - 48, 0] for e in ends]
    assert (addrs[:, 1] == batch.tail.ctypes.data).all()
    assert (addrs[:, 0] == batch.body.ctypes.data + 48 * np.arange(4)).all()
    assert ends.tolist() == [646, 1156, 106, 90]  # random_seed 5
    frames = [batch.frame(i) for i in range(4)]
    assert [len(f) for f in frames] == ends.tolist()
    for i, f in enumerate(frames):
        pkt = Ether(f)
        assert (pkt[IP].len, pkt[UDP].len) == (len(f) - 14, len(f) - 34)
        assert (pkt[IP].src, pkt[UDP].sport) == (f"198.18.0.{i + 1}", 1025)
        assert pkt[IP].chksum == IP(bytes(pkt[IP])[:20]).chksum
        assert f[48:] == bytes(len(f) - 48)


@pytest.mark.parametrize(
    ("why", "stream_kw", "tpld", "pi"),
    [
        ("PRBS payload", {"payload": Payload(PayloadType.PRBS)}, None, 0),
        ("payload checksum", {}, TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM, 44),
        ("short frames", {"length": FrameLength(LengthType.RANDOM, 64, 300)}, None, 0),
    ],
)
def test_streams_that_keep_whole_rows(why, stream_kw, tpld, pi):
    kw = {"length": FrameLength(LengthType.RANDOM, 70, 1518)} | stream_kw
    stream = Stream(
        packet=UDP_HDR,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        **kw,
    )
    gen = compile_stream(stream, tpld_mode=tpld, pi_offset=pi)
    assert gen.head_width == gen.width, why
    assert gen.fill(3, None if tpld is None else TpldStamp(1, 0), 0).tail is None


def test_rows_start_16_bytes_apart():
    """68-byte frames in whole rows: the rows hold 68 bytes, 80 apart, so the words
    rewritten per frame (the TPLD's last 20 bytes) keep one alignment in every row."""
    stream = Stream(
        packet=UDP_HDR,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        length=FrameLength.fixed(72),
    )
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    batch = gen.fill(5, TpldStamp(1, 0), 123)
    assert batch.body.shape == (5, 68)
    assert batch.body.strides == (80, 1)
    assert batch.body.ctypes.data % 16 == 0
    frames = batch.assemble()
    assert frames.data.shape == (5, 68)
    dec = decode_batch(frames.data, frames.lengths, TpldMode.NORMAL)
    assert dec.seq.tolist() == [0, 1, 2, 3, 4]
    assert dec.ts_ns.tolist() == [123] * 5


def test_a_late_write_moves_the_head_and_trim_cuts_inside_it():
    """A TRex write at byte 600 keeps 608 bytes per row; trimmed frames shorter
    than the head are sent from the row alone."""
    pkt = UDP_HDR + bytes(range(256)) * 6  # 1578-byte template
    vm = VmProgram(
        (
            FlowVar("size", size=2, op=FlowVarOp.INC, min_value=60, max_value=1578),
            TrimPktSize("size"),
            FlowVar("x", size=2, op=FlowVarOp.INC, min_value=0, max_value=9),
            WriteFlowVar("x", pkt_offset=600),
        )
    )
    stream = Stream(packet=pkt, header_len_bytes=42, vm=vm)
    gen = compile_stream(stream)
    whole = _whole_rows(stream)
    assert (gen.width, gen.head_width) == (1578, 608)
    batch = gen.fill(5)
    assert batch.lengths.tolist() == [60, 61, 62, 63, 64]
    assert batch.pieces()[1][:, :2].tolist() == [
        [60, 0],
        [61, 0],
        [62, 0],
        [63, 0],
        [64, 0],
    ]
    want = whole.fill(5)
    assert [batch.frame(i) for i in range(5)] == [want.frame(i) for i in range(5)]
    gen.fill(600)
    whole.fill(600)
    b, w = gen.fill(3), whole.fill(3)
    assert b.lengths.tolist() == [665, 666, 667]
    assert b.frame(0)[600:602] == (5).to_bytes(2, "big")
    assert [b.frame(i) for i in range(3)] == [w.frame(i) for i in range(3)]


def test_injected_payload_error_lands_in_the_row_and_is_undone():
    stream = Stream(
        packet=UDP_HDR,
        segments=(SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK),
        length=FrameLength(LengthType.INCREMENTING, 1000, 1003),
        payload=Payload(PayloadType.PATTERN, b"\xab\xcd"),
    )
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    assert gen.head_width == 48
    inj = gen.injector()
    inj.request(InjectedError.PAYLOAD)
    batch = gen.fill(3, TpldStamp(6, 0), 10**18)
    clean = [batch.frame(i) for i in range(3)]
    undo = inj.apply(batch)
    assert undo is not None
    hit = batch.frame(0)
    assert hit[42] == clean[0][42] ^ 0xFF
    assert hit[:40] == clean[0][:40]
    assert hit[43:] == clean[0][43:]
    assert batch.frame(1) == clean[1]
    # the UDP checksum was fixed over the edited frame: it still verifies
    data = np.frombuffer(hit, np.uint8).copy()[None, :]
    ref = data.copy()
    fix_l4_checksums(ref, np.array([len(hit)]), 14, 34, L4_UDP)
    assert ref.tobytes() == data.tobytes()
    assert hit[40:42] != clean[0][40:42]
    assert not batch.tail.flags.writeable  # the shared bytes were never touched
    undo.restore()
    assert [batch.frame(i) for i in range(3)] == clean
