"""What the controller and a port's worker processes say to each other.

Every message is a frozen dataclass (picklable, compared by value), matched with
``match`` on the other side. The TX worker takes :data:`TxCommand`, the RX worker
:data:`RxCommand`; workers answer with :data:`WorkerReport`.
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.dataplane.pacer import StreamPlan
from wirespeed.dataplane.xdp.layout import XskLayout
from wirespeed.model import Stream
from wirespeed.tpld import TpldMode

__all__ = [
    "AttachXsk",
    "ClearRx",
    "DetachXsk",
    "InjectError",
    "JobDone",
    "JobFailed",
    "PauseJob",
    "Quit",
    "Ready",
    "ResumeJob",
    "RxCommand",
    "SetFactor",
    "SetRxMode",
    "SetStreamFactor",
    "ShowRx",
    "ShowTx",
    "StartFailed",
    "StartJob",
    "StopJob",
    "SuppressStream",
    "SyncRx",
    "TxCommand",
    "TxJob",
    "TxStreamJob",
    "WorkerReport",
]


@dataclass
class TxStreamJob:
    """One stream as the worker needs it (picklable)."""

    slot: int
    stream: Stream
    plan: StreamPlan
    tid: int  # -1 = no TPLD


@dataclass
class TxJob:
    """Everything one start of a port needs."""

    run_id: int
    streams: list[TxStreamJob]
    tpld_mode: TpldMode
    pi_offset: int
    duration_s: float | None
    multiplier: float
    max_batch: int = 8192
    seed: int | None = None
    packet_limit: int | None = None  # frames of all streams together
    start_at_ns: int | None = None
    """Wall-clock time (ns since the epoch) the first frames leave at: a start
    agreed with other ports or hosts (None: at once)."""


@dataclass(frozen=True)
class StartJob:
    """Send ``job``."""

    job: TxJob


@dataclass(frozen=True)
class StopJob:
    """Stop the running job (its counts are final when ``TX_RUNNING`` is 0)."""


@dataclass(frozen=True)
class PauseJob:
    """Hold the running job's streams where they are."""


@dataclass(frozen=True)
class ResumeJob:
    """Go on from where the pause held them."""


@dataclass(frozen=True)
class SetFactor:
    """Run the job's scaled streams at ``factor`` times their own rates."""

    factor: float


@dataclass(frozen=True)
class SuppressStream:
    """Stop (``True``) or resume (``False``) sending one stream of the job."""

    stream_id: int
    suppressed: bool


@dataclass(frozen=True)
class SetStreamFactor:
    """Run one stream at ``factor`` times its own rate, whatever the port's."""

    stream_id: int
    factor: float


@dataclass(frozen=True)
class InjectError:
    """Put one error of ``kind`` (an ``InjectedError`` value) into a stream."""

    stream_id: int
    kind: str


@dataclass(frozen=True)
class ShowTx:
    """Let the port's packet taps (captures) see what the TX worker sends
    (``True``: through the qdisc path, which they watch) or not (the faster
    qdisc bypass, when the worker was started with it)."""

    visible: bool


@dataclass(frozen=True)
class AttachXsk:
    """Send on the port's AF_XDP socket from now on: its descriptor and the
    UMEM's follow this message on the pipe (``multiprocessing.reduction.sendfds``)."""

    layout: XskLayout


@dataclass(frozen=True)
class DetachXsk:
    """Let go of the port's AF_XDP socket (its RX worker is replaced) and send on
    the packet socket until attached again."""


@dataclass(frozen=True)
class ShowRx:
    """Let the port's packet taps (captures) see every frame it receives
    (``True``) or send its test frames to its AF_XDP socket again."""

    visible: bool


@dataclass(frozen=True)
class Quit:
    """Stop the worker (either kind)."""


@dataclass(frozen=True)
class SetRxMode:
    """Decode TPLDs of ``mode`` from now on; the per-TID analysis starts afresh."""

    mode: TpldMode


@dataclass(frozen=True)
class ClearRx:
    """Start the per-TID analysis afresh; ``serial`` shows in ``RX_CLEARS``."""

    serial: int


@dataclass(frozen=True)
class SyncRx:
    """Count and publish every frame in the ring now; ``serial`` shows in
    ``RX_SYNCS`` once done."""

    serial: int


@dataclass(frozen=True)
class Ready:
    """A worker is up (its socket or ring open).

    An RX worker says which driver it uses (``auto`` may have fallen back, with
    the reason in ``note``); on AF_XDP the socket's and the UMEM's descriptors
    follow on the pipe, for the TX worker."""

    pid: int
    driver: str = "afpacket"
    note: str = ""
    xsk: XskLayout | None = None


@dataclass(frozen=True)
class StartFailed:
    """A worker could not open its port (the reason, naming the interface)."""

    message: str


@dataclass(frozen=True)
class JobDone:
    """A finite job ended by itself."""

    run_id: int


@dataclass(frozen=True)
class JobFailed:
    """A job ended with an error (the worker lives on)."""

    run_id: int
    message: str


TxCommand = (
    StartJob
    | StopJob
    | PauseJob
    | ResumeJob
    | SetFactor
    | SuppressStream
    | SetStreamFactor
    | InjectError
    | ShowTx
    | AttachXsk
    | DetachXsk
    | Quit
)
RxCommand = SetRxMode | ClearRx | SyncRx | ShowRx | Quit
WorkerReport = Ready | StartFailed | JobDone | JobFailed
