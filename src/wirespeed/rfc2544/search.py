"""The RFC 2544 throughput search, without IO: which rate to try next, and what
was found.

RFC 2544 section 26.1: the throughput is the fastest rate at which none of the
offered frames are dropped. The search is a binary search between a lower and an
upper rate in percent of the line rate, starting from ``initial_pct``, ending when
the bounds are within ``resolution_pct``; the result is the highest rate that
passed. A trial is exact: its loss is TX - RX of the test frames after the
in-flight wait, and a trial of several flows passes only if every flow does.

NDR and PDR as TRex's NDR search (``ndr_bench``) defines them: the NDR is the
highest rate with no loss, the PDR the highest with at most
``acceptable_loss_pct`` of the frames lost (of every flow). With a
``latency_limit_ns`` a rate passes only if its latency stays within the limit:
with ``latency_tolerance_pct`` 0 the limit bounds the **highest latency** of any
frame of any flow (TRex's ``max_latency`` against ``total_max``); with a
tolerance, at most that % of a flow's frames may lie in histogram buckets at or
above the limit (TRex's ``lat_tolerance``, counted per flow, the worst flow
deciding). A rate refused for latency alone is said
(:attr:`ThroughputResult.latency_limited`).

With ``verify`` the search ends with one more trial at the rate found (the
runner makes it ``verify_duration`` long): :attr:`ThroughputResult.verified` says
whether the rate held. When it did not (a DUT whose buffers carry short trials,
as a shaper's bucket and queue do), the search goes on below that rate with trials
of the verification's length only, so the rate it then finds has held for that
long: verified, or ``verified`` False and no rate when none did.

A trial the tester could not send at the asked rate is the tester's limit, not
the DUT's: the search treats that rate as out of reach and says so
(:attr:`ThroughputResult.tester_limited`), never as DUT loss.

    search = ThroughputSearch(SearchSettings(initial_pct=50, resolution_pct=0.5))
    while (rate := search.next_rate()) is not None:
        search.record(Trial(rate, tx_frames=..., rx_frames=..., achieved_pct=...))
    result = search.result()
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.errors import ConfigError
from wirespeed.rfc2544.trial import Trial

__all__ = [
    "BurstSearch",
    "BurstSettings",
    "SearchSettings",
    "ThroughputResult",
    "ThroughputSearch",
]


@dataclass(frozen=True)
class SearchSettings:
    """The binary search's settings (rates in % of the line rate; errors name
    the suite file's fields, ``throughput.*``)."""

    initial_pct: float = 100.0
    min_pct: float = 0.1
    max_pct: float = 100.0
    resolution_pct: float = 0.5
    acceptable_loss_pct: float = 0.0
    latency_limit_ns: int | None = None
    latency_tolerance_pct: float = 0.0
    verify: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.min_pct <= self.max_pct:
            raise ConfigError(
                f"min ({self.min_pct} %) must be > 0 and <= max ({self.max_pct} %)",
                field="throughput.min",
            )
        if self.max_pct > 100.0:
            raise ConfigError("max is at most 100 % of line", field="throughput.max")
        if not self.min_pct <= self.initial_pct <= self.max_pct:
            raise ConfigError(
                f"initial ({self.initial_pct} %) must be within min..max",
                field="throughput.initial",
            )
        if not self.resolution_pct > 0:
            raise ConfigError("resolution must be > 0 %", field="throughput.resolution")
        if not 0 <= self.acceptable_loss_pct < 100:
            raise ConfigError(
                "acceptable loss is 0 % up to (not including) 100 %",
                field="throughput.acceptable_loss",
            )
        if self.latency_limit_ns is not None and self.latency_limit_ns <= 0:
            raise ConfigError(
                "a latency limit is > 0", field="throughput.latency_limit_us"
            )
        if not 0 <= self.latency_tolerance_pct < 100:
            raise ConfigError(
                "the latency tolerance is 0 % up to (not including) 100 %",
                field="throughput.latency_tolerance",
            )


@dataclass(frozen=True)
class ThroughputResult:
    """What the search found.

    Attributes:
        rate_pct: the highest rate that passed (``None``: even ``min`` failed).
        trial: the trial at that rate.
        trials: every trial of the search, in order (not the verification).
        tester_limited: the lowest rate that did not pass is one the tester
            itself could not send (nothing was lost there): the throughput may
            be higher than the tester can show.
        verified: the rate found held for the verification's time: its
            verification trial passed, or it was found with long trials after
            that failed (``None``: none asked, or nothing to verify).
        verification: the verification trial at the rate the short trials found.
        latency_limited: a rate without too much loss was refused for its
            latency (the NDR/PDR is latency-bound).
        long_trials: the verification failed, so the rate found comes from the
            trials after it, each as long as a verification.
    """

    rate_pct: float | None
    trial: Trial | None
    trials: tuple[Trial, ...]
    tester_limited: bool
    verified: bool | None = None
    verification: Trial | None = None
    latency_limited: bool = False
    long_trials: bool = False


class ThroughputSearch:
    """A binary search for the throughput (see the module's docs)."""

    def __init__(self, settings: SearchSettings) -> None:
        self.settings = settings
        self._lo: float | None = None  # highest rate that passed
        self._hi: float | None = None  # lowest rate that failed
        self._next: float | None = settings.initial_pct
        self._trials: list[Trial] = []
        self._best: Trial | None = None
        self._limited = False
        self._latency_refused = False
        self._verifying = False
        self._verification: Trial | None = None
        self._long = False  # after a failed verification: long trials only

    def passed(self, trial: Trial) -> bool:
        """Every flow's loss is within the acceptable loss, the latency within
        its limit, and the trial was sent at the rate asked."""
        return (
            not trial.tester_limited
            and self._lossless(trial)
            and self.latency_ok(trial)
        )

    def _lossless(self, trial: Trial) -> bool:
        return all(
            f.tx_frames > 0 and f.loss_pct <= self.settings.acceptable_loss_pct
            for f in trial.per_flow
        )

    def latency_ok(self, trial: Trial) -> bool:
        """The trial's latency is within the limit (always, without one)."""
        s = self.settings
        limit = s.latency_limit_ns
        if limit is None:
            return True
        for f in trial.per_flow:
            lat = f.latency
            if lat is None:
                continue  # nothing received: its loss decides
            if s.latency_tolerance_pct == 0:
                if lat.max_ns > limit:
                    return False
            elif 100 * lat.histogram.at_or_above(limit) / lat.count > (
                s.latency_tolerance_pct
            ):
                return False
        return True

    def next_rate(self) -> float | None:
        """The rate of the next trial (``None``: the search is over)."""
        return self._next

    @property
    def is_verifying(self) -> bool:
        """The next trial is a verification: the final one at the rate found, or
        any trial after that one failed (they all last the verification's time)."""
        return self._verifying or self._long

    def record(self, trial: Trial) -> None:
        """The outcome of the trial at :meth:`next_rate`."""
        if self._verifying:
            self._verification, self._verifying, self._next = trial, False, None
            if not self.passed(trial):  # on below it, with long trials only
                self._long, self._lo, self._best = True, None, None
                self._hi = trial.rate_pct
                self._next = self._choose()
            return
        self._trials.append(trial)
        if self.passed(trial):
            self._lo, self._best = trial.rate_pct, trial
        else:
            # a rate the tester could not send, where nothing was lost, bounds
            # what can be shown; a loss even at the slower rate sent is the DUT's
            self._hi = trial.rate_pct
            lossless = self._lossless(trial)
            self._limited = trial.tester_limited and lossless
            if lossless and not trial.tester_limited:
                self._latency_refused = True
        self._next = self._choose()
        if (
            self._next is None
            and self.settings.verify
            and self._best is not None
            and not self._long
        ):
            self._next, self._verifying = self._best.rate_pct, True

    def _choose(self) -> float | None:
        s = self.settings
        lo, hi = self._lo, self._hi
        if lo is not None and lo >= s.max_pct:
            return None  # the top passed
        if hi is not None and hi <= s.min_pct:
            return None  # the bottom failed
        if lo is None:  # nothing passed yet: below the lowest failure, to min
            assert hi is not None
            if hi - s.min_pct <= s.resolution_pct:
                return s.min_pct  # the last word: does min pass?
            return (s.min_pct + hi) / 2
        top = s.max_pct if hi is None else hi
        if top - lo <= s.resolution_pct:
            return None
        return (lo + top) / 2

    def result(self) -> ThroughputResult:
        """What was found so far."""
        best, check = self._best, self._verification
        return ThroughputResult(
            None if best is None else best.rate_pct,
            best,
            tuple(self._trials),
            self._limited,
            None if check is None else self.passed(check) or best is not None,
            check,
            self._latency_refused,
            self._long,
        )


@dataclass(frozen=True)
class BurstSettings:
    """The back-to-back search's settings: burst lengths in frames."""

    min_frames: int = 1
    max_frames: int = 1_000_000
    resolution_frames: int = 1
    rate_pct: float = 100.0

    def __post_init__(self) -> None:
        if not 1 <= self.min_frames <= self.max_frames:
            raise ConfigError(
                f"min ({self.min_frames}) must be >= 1 and <= max ({self.max_frames})",
                field="back_to_back.min_frames",
            )
        if self.resolution_frames < 1:
            raise ConfigError(
                "resolution is at least 1 frame", field="back_to_back.resolution"
            )
        if not 0 < self.rate_pct <= 100:
            raise ConfigError(
                "the rate is in (0, 100] % of line", field="back_to_back.rate"
            )


class BurstSearch:
    """RFC 2544 26.4: the longest burst (at ``rate_pct``, line rate by default)
    the DUT forwards with no loss, by binary search on its length from the
    longest down (with several flows: a burst of that length on each, all
    lossless)."""

    def __init__(self, settings: BurstSettings) -> None:
        self.settings = settings
        self._lo: int | None = None  # longest burst that passed
        self._hi: int | None = None  # shortest that lost frames
        self._next: int | None = settings.max_frames
        self.trials: list[Trial] = []
        self.best: Trial | None = None
        """The longest burst that passed."""

    def next_frames(self) -> int | None:
        """The length of the next burst (``None``: the search is over)."""
        return self._next

    def record(self, trial: Trial) -> None:
        """The outcome of the burst of :meth:`next_frames` frames."""
        s = self.settings
        n = self._next
        assert n is not None
        self.trials.append(trial)
        if trial.is_lossless and all(f.tx_frames == n for f in trial.per_flow):
            self._lo, self.best = n, trial
        else:
            self._hi = n
        lo = s.min_frames - 1 if self._lo is None else self._lo
        hi = s.max_frames + 1 if self._hi is None else self._hi
        ended = self._lo == s.max_frames or self._hi == s.min_frames
        if ended or hi - lo <= s.resolution_frames:
            self._next = None
        else:
            self._next = max(s.min_frames, (lo + hi) // 2)

    @property
    def result_frames(self) -> int | None:
        """The longest burst that passed (``None``: not even ``min``)."""
        return self._lo
