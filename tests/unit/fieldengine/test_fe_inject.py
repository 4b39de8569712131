"""Injected errors (Xena's PS_INJECT*ERR): exactly the one error, on the wire frames,
with every checksum right, and nothing left behind in the reused buffers."""

import numpy as np
import pytest
from scapy.layers.inet import IP, UDP, Ether

from wirespeed.errors import ValidationError
from wirespeed.fieldengine import InjectedError, TpldStamp, compile_stream
from wirespeed.model import (
    FrameLength,
    LengthType,
    Payload,
    PayloadType,
    SegmentType,
    Stream,
)
from wirespeed.packet.checksum import L4_UDP, fix_ipv4_checksums, fix_l4_checksums
from wirespeed.tpld import TpldMode, decode_any, decode_batch

HDR = bytes(
    Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1", len=0, chksum=0)
    / UDP(sport=7, dport=9, len=0, chksum=0)
)
SEGMENTS = (SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDPCHECK)
PI_OFFSET = 42


def _stream(kind: LengthType) -> Stream:
    return Stream(
        packet=HDR,
        segments=SEGMENTS,
        length=FrameLength(kind, 100, 160),
        payload=Payload(PayloadType.INC8),
        random_seed=11,
    )


class _Run:
    """A generator and its injector, sending batches as the TX worker does."""

    def __init__(self, kind: LengthType, mode: TpldMode = TpldMode.NORMAL) -> None:
        pi = PI_OFFSET if mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM else 0
        self.gen = compile_stream(_stream(kind), tpld_mode=mode, pi_offset=pi)
        self.inj = self.gen.injector()
        self.mode = mode
        self.seq = 0

    def send(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The frames of the next batch as they leave; undone afterwards."""
        self.seq += self.inj.skip()
        stamp = TpldStamp(5, self.seq, self.seq == 0)
        self.gen.prepare(n, stamp)
        batch = self.gen.finish(10**18 + self.seq)
        self.seq += n
        undo = self.inj.apply(batch)
        wire = batch.assemble()
        if undo is not None:
            undo.restore()
        return wire.data, wire.lengths


def _checksums_right(data: np.ndarray, lengths: np.ndarray) -> bool:
    ref = data.copy()
    fix_ipv4_checksums(ref, 14)
    fix_l4_checksums(ref, lengths, 14, 34, L4_UDP)
    return bool((ref == data).all())


def _clean(kind: LengthType, sizes: list[int], mode=TpldMode.NORMAL):
    run = _Run(kind, mode)
    return [run.send(n) for n in sizes]


FORMS = [TpldMode.NORMAL, TpldMode.TREX]


@pytest.mark.parametrize("mode", FORMS)
@pytest.mark.parametrize("kind", [LengthType.FIXED, LengthType.RANDOM])
def test_misorder_swaps_two_sequence_numbers(kind, mode):
    run = _Run(kind, mode)
    run.send(3)
    run.inj.request(InjectedError.MISORDER)
    data, lengths = run.send(4)
    dec = decode_batch(data, lengths, mode)
    assert dec.valid.all()
    assert dec.seq.tolist() == [4, 3, 5, 6]
    assert _checksums_right(data, lengths)
    assert run.inj.done[InjectedError.MISORDER] == 1
    assert run.inj.pending == 0


def test_misorder_spans_two_batches_of_one_frame():
    run = _Run(LengthType.FIXED)
    run.inj.request(InjectedError.MISORDER)
    seqs = []
    for _ in range(4):
        data, lengths = run.send(1)
        dec = decode_batch(data, lengths, TpldMode.NORMAL)
        assert dec.valid.all()
        assert _checksums_right(data, lengths)
        seqs += dec.seq.tolist()
        if len(seqs) == 1:
            assert run.inj.pending == 1  # the second half is still to go
    assert seqs == [1, 0, 2, 3]
    assert run.inj.done[InjectedError.MISORDER] == 1


def test_sequence_error_skips_one_number():
    run = _Run(LengthType.FIXED)
    run.send(2)
    run.inj.request(InjectedError.SEQUENCE)
    run.inj.request(InjectedError.SEQUENCE)
    data, lengths = run.send(2)
    assert decode_batch(data, lengths, TpldMode.NORMAL).seq.tolist() == [4, 5]
    assert run.inj.done[InjectedError.SEQUENCE] == 2


def test_a_sequence_error_waits_for_the_next_stamping_untouched():
    """Frames built ahead carry their numbers already: a sequence error pending
    while they go out changes none of them, and the next batch stamped skips."""
    run = _Run(LengthType.FIXED)
    run.gen.prepare(4, TpldStamp(5, 0, True))
    run.inj.request(InjectedError.SEQUENCE)
    run.inj.request(InjectedError.TPLD)
    seen = []
    for part in range(2):  # the built batch, sent in two parts
        batch = run.gen.finish(10**18, 2 * part, 2 * part + 2).rows(
            2 * part, 2 * part + 2
        )
        undo = run.inj.apply(batch)
        wire = batch.assemble()
        if undo is not None:
            undo.restore()
        dec = decode_batch(wire.data, wire.lengths, TpldMode.NORMAL)
        seen.append((dec.seq[dec.valid].tolist(), int(np.count_nonzero(~dec.valid))))
    assert seen == [([1], 1), ([2, 3], 0)]  # the TPLD error, no skip yet
    assert (run.inj.pending, run.inj.done[InjectedError.SEQUENCE]) == (1, 0)
    run.seq = 4
    data, lengths = run.send(2)
    assert decode_batch(data, lengths, TpldMode.NORMAL).seq.tolist() == [5, 6]
    assert (run.inj.pending, run.inj.done[InjectedError.SEQUENCE]) == (0, 1)


@pytest.mark.parametrize("kind", [LengthType.FIXED, LengthType.INCREMENTING])
def test_payload_error_fails_only_the_payload_checksum(kind):
    mode = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
    clean = _clean(kind, [2, 3], mode)
    run = _Run(kind, mode)
    run.send(2)
    run.inj.request(InjectedError.PAYLOAD)
    data, lengths = run.send(3)
    dec = decode_batch(data, lengths, mode)
    assert dec.valid.all()
    assert dec.pi_checked.all()
    assert dec.pi_ok.tolist() == [False, True, True]
    assert _checksums_right(data, lengths)
    want, _ = clean[1]
    diff = np.argwhere(data != want)
    assert set(diff[:, 0].tolist()) == {0}  # the first frame only:
    assert PI_OFFSET in diff[:, 1]  # the payload byte and the UDP checksum
    assert set(diff[:, 1].tolist()) <= {40, 41, PI_OFFSET}
    assert data[0, PI_OFFSET] == want[0, PI_OFFSET] ^ 0xFF


@pytest.mark.parametrize("mode", FORMS)
@pytest.mark.parametrize("kind", [LengthType.FIXED, LengthType.RANDOM])
def test_tpld_error_leaves_a_frame_without_tpld(kind, mode):
    run = _Run(kind, mode)
    run.inj.request(InjectedError.TPLD)
    data, lengths = run.send(3)
    dec = decode_any(data, lengths, mode)
    assert dec.valid.tolist() == [False, True, True]
    assert dec.seq[1:].tolist() == [1, 2]
    assert _checksums_right(data, lengths)


@pytest.mark.parametrize("kind", [LengthType.FIXED, LengthType.RANDOM])
def test_every_edit_is_undone(kind):
    sizes = [1, 3, 2, 5, 4]
    clean = _clean(kind, sizes)
    run = _Run(kind)
    out = []
    for n, error in zip(sizes, [None, InjectedError.TPLD, InjectedError.MISORDER,
                                InjectedError.PAYLOAD, None], strict=True):  # fmt: skip
        if error is not None:
            run.inj.request(error)
        out.append(run.send(n))
    pairs = enumerate(zip(out, clean, strict=True))
    edited = [i for i, ((a, _), (b, _)) in pairs if (a != b).any()]
    assert edited == [1, 2, 3]
    assert (out[4][0] == clean[4][0]).all()  # the buffers were put back


def test_a_payload_error_waits_for_a_frame_with_payload():
    stream = Stream(
        packet=HDR, segments=SEGMENTS, length=FrameLength(LengthType.FIXED, 66),
        random_seed=1,
    )  # fmt: skip
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    inj = gen.injector()
    inj.request(InjectedError.PAYLOAD)
    batch = gen.fill(2, TpldStamp(1, 0), 0)
    assert inj.apply(batch) is None  # 42 header bytes + 20 TPLD: no payload
    assert inj.pending == 1


def test_micro_tpld_has_no_sequence_to_disturb():
    gen = compile_stream(_stream(LengthType.FIXED), tpld_mode=TpldMode.MICRO)
    inj = gen.injector()
    with pytest.raises(ValidationError) as exc:
        inj.request(InjectedError.MISORDER)
    assert exc.value.field == "error"
    inj.request(InjectedError.TPLD)
    batch = gen.fill(2, TpldStamp(1, 0), 0)
    assert inj.apply(batch) is not None
    wire = batch.assemble()
    dec = decode_batch(wire.data, wire.lengths, TpldMode.MICRO)
    assert dec.valid.tolist() == [False, True]


def test_no_injector_without_tpld():
    gen = compile_stream(_stream(LengthType.FIXED))
    with pytest.raises(ValidationError) as exc:
        gen.injector()
    assert exc.value.field == "tpld_mode"
