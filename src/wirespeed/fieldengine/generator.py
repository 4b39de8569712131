"""Compile a stream once; build its frames N at a time with numpy.

The generator keeps one frame buffer (a row per frame) filled with the template and
static payload, and per batch rewrites only what changes, in this order:

1. frame lengths (size pattern, or the TRex trim variable); PRBS/random payload
   bytes (they continue across frames);
2. Xena modifiers, then TRex writes, in order, each one strided numpy pass;
3. the lengths the Xena header segments call for (IPv4 total length, IPv6 payload
   length, UDP length; written into the template once when sizes are fixed);
4. IPv4 header checksums (segments, ``fix_checksum_ipv4``, ``fix_checksum_hw``);
5. the TPLD of each frame, into a separate small array (its payload integrity
   checksum first, in the 22-byte form);
6. UDP/TCP/ICMPv6 checksums, innermost header first, over the body and the TPLD
   (:mod:`.l4finish`).

Checksums are computed from the words that change (found at compile time:
:mod:`.layout`) plus precomputed sums of the rest (:mod:`.sums`), never over whole
rows, so a batch costs a few passes of a few bytes per frame whatever the frame size.

A frame with a TPLD is built at 60 bytes at least (64 with the FCS): the socket pads
shorter frames with zeros, as a NIC does, which would leave its TPLD short of the end.

A row holds a whole frame (``width`` = the largest frame without FCS) unless the
frames are long and their bytes past some point never change: then a row holds only
the ``head_width`` bytes up to there and the rest, the same for every frame, is one
shared ``tail`` sent as a second piece of each frame. The rows of a batch then take
a few hundred KB instead of several MB, so the engine's passes and the kernel's copy
of the frames stay in the core's caches.

:meth:`StreamGenerator.fill` returns the buffers as the data plane sends them (head,
shared tail, TPLD, see :class:`~wirespeed.fieldengine.batches.TxBatch`);
:meth:`StreamGenerator.next_batch` returns whole frames in a fresh array, TPLD area
zeroed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wirespeed.errors import ValidationError
from wirespeed.fieldengine.batches import FrameBatch, TpldStamp, TxBatch
from wirespeed.fieldengine.inject import ErrorInjector
from wirespeed.fieldengine.l4finish import L4Finisher
from wirespeed.fieldengine.layout import (
    MIN_KERNEL_BYTES,
    MIN_TEST_FRAME_BYTES,
    L4Field,
    check_fit,
    check_pi,
    compile_checksums,
    length_fields,
    segment_plan,
    smallest_len,
    static_from,
    written_ranges,
)
from wirespeed.fieldengine.payload import (
    Prbs31,
    RandomBytes,
    fill_dynamic,
    static_payload,
)
from wirespeed.fieldengine.sequences import I64Array, U64Array, cyclic, length_cycle
from wirespeed.fieldengine.variables import VarSet
from wirespeed.fieldengine.window import Window, compile_window
from wirespeed.fieldengine.writes import ModifierPlan, apply_writes, write_lengths
from wirespeed.model.patterns import MIN_WIRE_FRAME_BYTES, LengthType, PayloadType
from wirespeed.model.stream import FCS_BYTES, Stream
from wirespeed.model.vm import FlowVar, FlowVarRandLimit
from wirespeed.tpld import TpldMode
from wirespeed.tpld.checksums import ones_complement_sums
from wirespeed.tpld.stamper import TpldStamper

__all__ = ["FrameBatch", "StreamGenerator", "TpldStamp", "TxBatch", "compile_stream"]

U8Array = npt.NDArray[np.uint8]
SHARED_TAIL_MIN = 256
"""Fewest static bytes past the changing ones that are sent as a shared tail."""
_LINE = 64  # bytes of a cache line
_Inputs = tuple[dict[str, U64Array], list[U64Array], I64Array]


class StreamGenerator:
    """Builds a compiled stream's frames batch after batch (state persists).

    Attributes:
        width: largest frame without FCS.
        head_width: bytes per row (``width`` unless a shared tail holds the rest).
        tpld_len: TPLD bytes at the end of each frame (0 = none).
        mean_frame_len: mean frame size INCLUDING the FCS, for rate conversion.
    """

    def __init__(
        self,
        stream: Stream,
        tpld_len: int,
        seed: int | None,
        *,
        tpld_mode: TpldMode | None = None,
        pi_offset: int = 0,
    ) -> None:
        """Compile ``stream``; see :func:`compile_stream`."""
        self.stream = stream
        self._stamper = None if tpld_mode is None else TpldStamper(tpld_mode, pi_offset)
        self.tpld_len = tpld_len if tpld_mode is None else tpld_mode.length
        self._pi = tpld_mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
        self._pi_offset = pi_offset
        template = np.frombuffer(stream.packet, dtype=np.uint8)
        self._tpl_len = len(template)
        length = stream.frame_length
        self._floor = MIN_TEST_FRAME_BYTES if self.tpld_len else MIN_KERNEL_BYTES
        self.width = max(self._tpl_len, length.largest_bytes - FCS_BYTES, self._floor)
        self._trim = stream.vm.trim_var
        self._cycle = length_cycle(length)
        if self._cycle is not None and self.tpld_len:
            self._cycle = np.maximum(self._cycle, MIN_WIRE_FRAME_BYTES)
        self._fixed_len = self._trim is None and length.kind is LengthType.FIXED
        self._smallest_len = smallest_len(stream, self._floor)
        check_fit(stream, self._smallest_len, self.tpld_len)
        self._dynamic = stream.payload.kind in (PayloadType.PRBS, PayloadType.RANDOM)
        seg_lengths, seg_ipv4, seg_l4 = segment_plan(stream)
        self._compile_base(template, seg_lengths)
        self._compile_layout(seg_ipv4, seg_l4)
        self._seed_seq = np.random.SeedSequence(
            seed if seed is not None else (stream.random_seed or None)
        )
        self._body = np.zeros((0, self.head_width), dtype=np.uint8)
        self._tpld = np.zeros((0, self.tpld_len), dtype=np.uint8)
        self._ar = np.arange(0, dtype=np.int64)
        self._cache: _Inputs | None = None
        self._prepared: tuple[TxBatch, U8Array | None, bool] | None = None
        self._finished = 0  # rows of the prepared batch already finished
        self._fixed = np.zeros(0, dtype=np.int64)
        self.reset()
        self.mean_frame_len = self._mean_frame_len()
        if stream.vm.cache_size:
            self._cache = self._inputs(np.arange(stream.vm.cache_size, dtype=np.int64))
        self._window: Window | None = None
        self._window = self._compile_window()

    # ------------------------------------------------------------------ compile
    def _compile_base(
        self, template: U8Array, seg_lengths: list[tuple[str, int]]
    ) -> None:
        """The row every frame starts from; the length fields written per batch."""
        base = np.zeros(self.width, dtype=np.uint8)
        base[: self._tpl_len] = template
        payload = self.stream.payload
        if not self._dynamic and self.width > self._tpl_len:
            base[self._tpl_len :] = static_payload(
                payload.kind, payload.pattern, self.width - self._tpl_len
            )
        self._len_fields = length_fields(seg_lengths, self.width)
        if self._fixed_len and self._len_fields:  # the same in every frame
            fixed = np.full(1, self._smallest_len, dtype=np.int64)
            write_lengths(base[None, :], fixed, self._len_fields, self._smallest_len)
            self._len_fields = []
        self._base = base

    def _compile_layout(self, seg_ipv4: list[int], seg_l4: list[L4Field]) -> None:
        """Checksums, the row width and the shared tail (:mod:`.layout`)."""
        self._written = written_ranges(self.stream, self._len_fields)
        min_end = self._smallest_len - self.tpld_len
        self._ipv4, self._l4 = compile_checksums(
            self.stream,
            self._base,
            seg_ipv4,
            seg_l4,
            self._written,
            min_end=min_end,
            dynamic_from=self._tpl_len if self._dynamic else None,
        )
        if self._pi:
            check_pi(self._pi_offset, min_end, self._l4)
        # the first payload byte an injected error may change
        self._payload_from = max(self._tpl_len, self._pi_offset if self._pi else 0)
        head = static_from(
            self.width,
            self._written,
            self._ipv4,
            self._l4,
            is_whole_row=self._dynamic or self._pi,
            error_from=None if self._stamper is None else self._payload_from,
        )
        self.head_width = head if self.width - head >= SHARED_TAIL_MIN else self.width
        self._l4_sums = L4Finisher(
            self._l4,
            self._stamper,
            self.tpld_len,
            has_pi=self._pi,
            fixed_end=min_end if self._fixed_len else None,
        )
        self._tail = None
        if self.head_width < self.width:
            self._tail = self._base[self.head_width :].copy()
            self._tail.flags.writeable = False
        self._in_place = self._fixed_len and self._tail is None

    def _compile_window(self) -> Window | None:
        """The periodic window of the frames (:mod:`.window`), or None."""
        if not self._fixed_len or self._dynamic or self._cache is not None or self._l4:
            return None
        return compile_window(
            self.stream,
            changing=lambda: (
                self._written + [(ip.offset + 10, ip.offset + 12) for ip in self._ipv4]
            ),
            limit=min(self._smallest_len - self.tpld_len, self.head_width),
            render=self._render_rows,
        )

    def _render_rows(self, n: int) -> U8Array:
        """Frames 0..n-1 built the general way (whole rows)."""
        rows = np.empty((n, self.width), dtype=np.uint8)
        rows[:] = self._base
        self._write_body(rows, 0, np.arange(n, dtype=np.int64))
        return rows

    def reset(self) -> None:
        """Go back to the first frame (sequences, random draws and PRBS restart)."""
        children = self._seed_seq.spawn(4 + len(self.stream.modifiers))
        # spawn() advances the parent's counter: rebuild it to restart identically.
        self._seed_seq = np.random.SeedSequence(
            self._seed_seq.entropy, spawn_key=self._seed_seq.spawn_key
        )
        gens = [np.random.Generator(np.random.PCG64(c)) for c in children]
        self._size_rng = gens[0]
        self._bytes = RandomBytes(gens[1])
        self._prbs = Prbs31()
        is_prbs = self.stream.payload.kind is PayloadType.PRBS
        self._payload_bytes = self._prbs if is_prbs else self._bytes
        names = [
            ins.name
            for ins in self.stream.vm.instructions
            if isinstance(ins, FlowVar | FlowVarRandLimit)
        ]
        var_rngs = {
            name: np.random.Generator(np.random.PCG64(child))
            for name, child in zip(names, children[2].spawn(len(names)), strict=True)
        }
        self._vars = VarSet(self.stream.vm, var_rngs)
        self._mods = [
            ModifierPlan(mod, gens[4 + i])
            for i, mod in enumerate(self.stream.modifiers)
        ]
        self._next = 0
        self._prepared = None
        self._finished = 0

    def _mean_frame_len(self) -> float:
        """On the wire: frames under 60 bytes count as padded to 60."""
        if self._trim is None:
            return self.stream.frame_length.mean_wire_bytes
        lo = MIN_TEST_FRAME_BYTES
        if self.width <= lo:
            return float(MIN_WIRE_FRAME_BYTES)
        var = self._vars.vars[self._trim]
        mean = var.mean(lo, self.width)
        if mean is None:  # a huge cycle: sample it
            sample = var.values(np.arange(1 << 16, dtype=np.int64) * 7919)
            mean = float(np.clip(sample.astype(np.float64), lo, self.width).mean())
        return mean + FCS_BYTES

    def injector(self) -> ErrorInjector:
        """An :class:`ErrorInjector` for this stream's finished batches.

        Raises:
            ValidationError: the stream was compiled without a TPLD mode.
        """
        if self._stamper is None:
            raise ValidationError(
                "errors are injected into frames with a TPLD", field="tpld_mode"
            )
        return ErrorInjector(self._stamper.mode, self._payload_from, list(self._l4))

    # ------------------------------------------------------------------ batches
    def next_batch(self, n: int) -> FrameBatch:
        """Return the next ``n`` whole frames (TPLD area zeroed) in a new array."""
        return self.fill(n).assemble()

    def fill(
        self,
        n: int,
        stamp: TpldStamp | None = None,
        ts_ns: I64Array | int | None = None,
    ) -> TxBatch:
        """Build the next ``n`` frames into the reused buffers (see :class:`TxBatch`).

        The same as :meth:`prepare` then :meth:`finish`.

        Args:
            n: frames to build; sequences continue from the last call.
            stamp: what the TPLDs carry (needs a ``tpld_mode`` at compile time);
                None leaves the TPLD area zero.
            ts_ns: the transmit time of each frame, or one for all (with ``stamp``).

        Raises:
            ValidationError: a stamp for a stream compiled without a TPLD mode, or
                the wrong number of timestamps.
        """
        self.prepare(n, stamp)
        return self.finish(ts_ns)

    def prepare(self, n: int, stamp: TpldStamp | None = None) -> TxBatch:
        """Build everything of the next ``n`` frames that does not depend on time.

        A transmitter prepares its batch (and points its send at it: the returned
        views are where the frames will be), reads the clock, and then writes the
        transmit times with :meth:`finish` right before it sends.
        """
        frames = self._frames(n)
        first = self._next
        if stamp is not None and self._stamper is None:
            raise ValidationError(
                "compiled without a TPLD mode: nothing to stamp", field="stamp"
            )
        self._next += n
        body = self._rows(n)
        if self._window is not None:  # every change is in a few bytes, periodic
            lengths = self._lengths(frames, {})
            self._window.write(body, first)
        else:
            lengths = self._write_body(body, first, frames)
        tpld = self._tpld_view(body) if self.tpld_len else None
        ends = lengths - self.tpld_len
        if tpld is not None:
            if stamp is None:
                tpld[:] = 0
            else:
                self._begin_stamp(body, ends, tpld, stamp)
        if self._l4:
            self._l4_sums.prepare(body, lengths, ends, tpld, stamp is not None)
        batch = TxBatch(body, lengths, None if self._in_place else tpld, self._tail)
        self._prepared = (batch, tpld, stamp is not None)
        self._finished = 0
        return batch

    def _write_body(self, body: U8Array, first: int, frames: I64Array) -> I64Array:
        """Rewrite what changes in the rows of frames ``first...``; their lengths."""
        if self._cache is not None:
            values, mod_values, lengths = self._cached(frames)
            if self._dynamic:
                fill_dynamic(body, lengths, self._tpl_len, self._payload_bytes)
            for plan, mv in zip(self._mods, mod_values, strict=True):
                plan.write(body, mv)
        else:
            values = self._vars.evaluate(frames)
            lengths = self._lengths(frames, values)
            if self._dynamic:
                fill_dynamic(body, lengths, self._tpl_len, self._payload_bytes)
            for plan in self._mods:
                plan.write_run(body, first)
        apply_writes(body, self.stream.vm, values)
        if self._len_fields:
            write_lengths(body, lengths, self._len_fields, self._smallest_len)
        for ip in self._ipv4:
            ip.apply(body)
        return lengths

    def finish(
        self,
        ts_ns: I64Array | int | None = None,
        start: int = 0,
        stop: int | None = None,
    ) -> TxBatch:
        """Write the prepared frames' transmit times, then their L4 checksums.

        A batch may be finished in consecutive parts, rows ``start`` to ``stop``,
        each with its own times: a transmitter finishes each part right before the
        system call that sends it. The frames are the same bytes either way when
        the times are.

        Args:
            ts_ns: one transmit time per frame of the part, or one for all of them
                (required when prepared with a stamp; ignored otherwise).
            start: the part's first row: where the previous part ended (0 at first).
            stop: the row after its last (None: the end of the batch).

        Returns:
            The whole batch (valid for sending up to the last row finished).

        Raises:
            ValidationError: nothing was prepared, a part out of order, or no (or
                the wrong number of) timestamps for a stamped batch.
        """
        if self._prepared is None:
            raise ValidationError("prepare() a batch first", field="ts_ns")
        batch, tpld, stamped = self._prepared
        n = len(batch.lengths)
        stop = n if stop is None else stop
        if start != self._finished or not start <= stop <= n:
            raise ValidationError(
                f"finish rows {self._finished}... of {n} next, not {start}:{stop}",
                field="start",
            )
        rows = slice(start, stop)
        time_part: I64Array | int = 0
        if stamped:
            assert self._stamper is not None
            assert tpld is not None
            if ts_ns is None:
                raise ValidationError("a stamped batch needs its times", field="ts_ns")
            if isinstance(ts_ns, np.ndarray):
                part = self._stamper.end(tpld[rows], ts_ns, start)
            else:  # one time: the transmitter's case
                part = self._stamper.end_next(stop - start, ts_ns)
            if part is not None:
                time_part = part
        self._finished = stop  # (a refused part leaves everything as it was)
        if stop == n:
            self._prepared = None
            self._finished = 0
        if self._l4:
            self._l4_sums.finish(
                batch.body[rows], batch.lengths[rows], rows, time_part, stamped
            )
        return batch

    def _begin_stamp(
        self, body: U8Array, ends: I64Array, tpld: U8Array, stamp: TpldStamp
    ) -> None:
        assert self._stamper is not None
        pi = None
        if self._pi:
            starts = np.full(len(ends), self._pi_offset, dtype=np.int64)
            pi = 0xFFFF - ones_complement_sums(body, starts, ends)
        self._stamper.begin(
            tpld,
            tid=stamp.tid,
            seq0=stamp.seq0,
            is_first=stamp.is_first,
            pi_checksums=pi,
            want_sums=bool(self._l4),
        )

    def _frames(self, n: int) -> I64Array:
        if len(self._ar) < n:
            self._ar = np.arange(max(n, 2 * len(self._ar)), dtype=np.int64)
        return self._ar[:n] + np.int64(self._next)

    def _rows(self, n: int) -> U8Array:
        """The first ``n`` rows of the frame buffer (grown: rows hold the template)."""
        if len(self._body) < n:
            cap = max(64, 1 << (n - 1).bit_length())
            # rows 16-byte aligned: the words a batch rewrites per frame (the
            # TPLD's at the end of a 60-byte frame) stay aligned, and aligned
            # numpy passes over them are the fast ones; the first row starts a
            # cache line, so a frame of up to 64 bytes is one line to write and
            # for the kernel to copy, not two
            stride = -(-self.head_width // 16) * 16
            raw = np.empty(cap * stride + _LINE, dtype=np.uint8)
            skip = -raw.ctypes.data % _LINE
            rows = raw[skip : skip + cap * stride].reshape(cap, stride)
            self._body = rows[:, : self.head_width]
            self._body[:] = self._base[: self.head_width]
        return self._body[:n]

    def _tpld_view(self, body: U8Array) -> U8Array:
        """Where the TPLDs of these frames go.

        Fixed-size frames in whole rows carry it in place, at the end of each row
        (one piece per frame to send); other frames in a small array of its own,
        sent as the last piece of each message, so the rows never need repairing.
        """
        n = len(body)
        if self._in_place:
            end = self._smallest_len
            return body[:, end - self.tpld_len : end]
        if len(self._tpld) < n:
            cap = max(64, 1 << (n - 1).bit_length())
            self._tpld = np.zeros((cap, self.tpld_len), dtype=np.uint8)
        return self._tpld[:n]

    def _inputs(self, frames: I64Array) -> _Inputs:
        """Variable values, modifier values and lengths of these frames."""
        values = self._vars.evaluate(frames)
        mod_values = [plan.values(frames) for plan in self._mods]
        return values, mod_values, self._lengths(frames, values)

    def _cached(self, frames: I64Array) -> _Inputs:
        """The inputs of a VM cache: its ``cache_size`` frames over and over."""
        assert self._cache is not None
        values, mod_values, lengths = self._cache
        idx = frames % len(lengths)
        return (
            {k: v[idx] for k, v in values.items()},
            [v[idx] for v in mod_values],
            lengths[idx],
        )

    def _lengths(
        self, frames: I64Array, values: dict[str, npt.NDArray[np.uint64]]
    ) -> I64Array:
        n = len(frames)
        if self._trim is not None:
            trimmed = values[self._trim].astype(np.int64)
            return np.clip(trimmed, self._floor, self.width)
        if self._cycle is not None:
            if len(self._cycle) == 1:  # the same (read-only) array batch after batch
                if len(self._fixed) != n:
                    self._fixed = np.full(n, int(self._cycle[0]) - FCS_BYTES, np.int64)
                    self._fixed.flags.writeable = False
                return self._fixed
            pos, _ = cyclic(frames, 0, len(self._cycle))
            return self._cycle[pos.astype(np.int64)] - FCS_BYTES
        # uniform in min..max from 32 random bits each (multiply-shift: each size
        # is off its share by less than span / 2**32, under 4e-6 for any frame-size
        # range, without the cost of numpy's rejection loop)
        length = self.stream.frame_length
        span = np.uint64(length.max_bytes - length.min_bytes + 1)
        raw = self._size_rng.bit_generator.random_raw(n) >> np.uint64(32)
        sizes = ((raw * span) >> np.uint64(32)).astype(np.int64)
        sizes += length.min_bytes - FCS_BYTES
        if length.min_bytes - FCS_BYTES < self._floor:
            np.maximum(sizes, self._floor, out=sizes)
        return sizes


def compile_stream(
    stream: Stream,
    tpld_len: int = 0,
    seed: int | None = None,
    *,
    tpld_mode: TpldMode | None = None,
    pi_offset: int = 0,
) -> StreamGenerator:
    """Compile ``stream`` into a batch generator.

    Args:
        stream: the stream.
        tpld_len: bytes reserved at the end of each frame for a TPLD (20, 22 or 6;
            0 = none); ignored when ``tpld_mode`` is given.
        seed: seed of the stream's random fields; None = the stream's
            ``random_seed``, or fresh OS entropy if that is 0. ``reset()``
            replays the same frames either way.
        tpld_mode: the port's TPLD form, to stamp TPLDs with
            :meth:`StreamGenerator.fill` (None: no stamping).
        pi_offset: the port's payload checksum offset (22-byte form).

    Raises:
        ValidationError: the frames cannot hold the header plus the TPLD, or the
            payload checksum offset is impossible for the stream.
    """
    if isinstance(tpld_len, bool) or not isinstance(tpld_len, int) or tpld_len < 0:
        raise ValidationError("must be an integer >= 0", field="tpld_len")
    return StreamGenerator(
        stream, tpld_len, seed, tpld_mode=tpld_mode, pi_offset=pi_offset
    )
