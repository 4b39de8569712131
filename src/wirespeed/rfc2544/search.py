"""The RFC 2544 throughput search, without IO: which rate to try next, and what
was found.

RFC 2544 section 26.1: the throughput is the fastest rate at which none of the
offered frames are dropped (here: at most ``acceptable_loss_pct`` of them, Xena's
and TRex's NDR/PDR generalisation). The search is a binary search between a lower
and an upper rate in percent of the line rate, starting from ``initial_pct``, ending
when the bounds are within ``resolution_pct``; the result is the highest rate that
passed. A trial is exact: its loss is TX - RX of the test frames after the in-flight
wait. A trial the tester could not send at the asked rate is the tester's limit,
not the DUT's: the search treats that rate as out of reach and says so
(:attr:`ThroughputResult.tester_limited`), never as DUT loss.

    search = ThroughputSearch(SearchSettings(initial_pct=50, resolution_pct=0.5))
    while (rate := search.next_rate()) is not None:
        search.record(Trial(rate, tx_frames=..., rx_frames=..., achieved_pct=...))
    result = search.result()
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.errors import ConfigError

__all__ = [
    "BurstSearch",
    "BurstSettings",
    "SearchSettings",
    "ThroughputResult",
    "ThroughputSearch",
    "Trial",
]

_ACHIEVED_TOLERANCE = 0.99
"""A trial whose sent rate is below 99 % of the asked rate did not test that rate."""


@dataclass(frozen=True)
class SearchSettings:
    """The binary search's settings (rates in % of the line rate)."""

    initial_pct: float = 100.0
    min_pct: float = 0.1
    max_pct: float = 100.0
    resolution_pct: float = 0.5
    acceptable_loss_pct: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.min_pct <= self.max_pct:
            raise ConfigError(
                f"min ({self.min_pct} %) must be > 0 and <= max ({self.max_pct} %)",
                field="rate.min",
            )
        if self.max_pct > 100.0:
            raise ConfigError("max is at most 100 % of line", field="rate.max")
        if not self.min_pct <= self.initial_pct <= self.max_pct:
            raise ConfigError(
                f"initial ({self.initial_pct} %) must be within min..max",
                field="rate.initial",
            )
        if not self.resolution_pct > 0:
            raise ConfigError("resolution must be > 0 %", field="rate.resolution")
        if not 0 <= self.acceptable_loss_pct < 100:
            raise ConfigError(
                "acceptable loss is 0 % up to (not including) 100 %",
                field="acceptable_loss",
            )


@dataclass(frozen=True)
class Trial:
    """One trial's outcome: the rate asked, the test frames sent and received,
    and the rate the tester really sent (% of line)."""

    rate_pct: float
    tx_frames: int
    rx_frames: int
    achieved_pct: float

    @property
    def loss_frames(self) -> int:
        """Frames lost (TX - RX; negative: the DUT duplicated)."""
        return self.tx_frames - self.rx_frames

    @property
    def loss_pct(self) -> float:
        """Lost frames in % of those sent."""
        return 100.0 * self.loss_frames / self.tx_frames if self.tx_frames else 100.0

    @property
    def tester_limited(self) -> bool:
        """The tester sent less than the rate asked: this trial says nothing of
        the DUT at that rate."""
        return self.achieved_pct < self.rate_pct * _ACHIEVED_TOLERANCE


@dataclass(frozen=True)
class ThroughputResult:
    """What the search found.

    Attributes:
        rate_pct: the highest rate that passed (``None``: even ``min`` failed).
        trial: the trial at that rate.
        trials: every trial, in order.
        tester_limited: the lowest rate that did not pass is one the tester
            itself could not send (nothing was lost there): the throughput may
            be higher than the tester can show.
    """

    rate_pct: float | None
    trial: Trial | None
    trials: tuple[Trial, ...]
    tester_limited: bool


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

    def passed(self, trial: Trial) -> bool:
        """The trial's loss is within the acceptable loss (and it was sent at the
        rate asked)."""
        return not trial.tester_limited and self._lossless(trial)

    def _lossless(self, trial: Trial) -> bool:
        return (
            trial.tx_frames > 0 and trial.loss_pct <= self.settings.acceptable_loss_pct
        )

    def next_rate(self) -> float | None:
        """The rate of the next trial (``None``: the search is over)."""
        return self._next

    def record(self, trial: Trial) -> None:
        """The outcome of the trial at :meth:`next_rate`."""
        self._trials.append(trial)
        if self.passed(trial):
            self._lo, self._best = trial.rate_pct, trial
        else:
            # a rate the tester could not send, where nothing was lost, bounds
            # what can be shown; a loss even at the slower rate sent is the DUT's
            self._hi = trial.rate_pct
            self._limited = trial.tester_limited and self._lossless(trial)
        self._next = self._choose()

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
        best = self._best
        return ThroughputResult(
            None if best is None else best.rate_pct,
            best,
            tuple(self._trials),
            self._limited,
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
                field="back_to_back.min",
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
    longest down."""

    def __init__(self, settings: BurstSettings) -> None:
        self.settings = settings
        self._lo: int | None = None  # longest burst that passed
        self._hi: int | None = None  # shortest that lost frames
        self._next: int | None = settings.max_frames
        self.trials: list[Trial] = []

    def next_frames(self) -> int | None:
        """The length of the next burst (``None``: the search is over)."""
        return self._next

    def record(self, trial: Trial) -> None:
        """The outcome of the burst of :meth:`next_frames` frames."""
        s = self.settings
        n = self._next
        assert n is not None
        self.trials.append(trial)
        if trial.tx_frames == n and trial.loss_frames <= 0:
            self._lo = n
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
