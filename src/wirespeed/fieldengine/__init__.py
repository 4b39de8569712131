"""The field engine (pure, numpy): a stream compiled into a batch frame generator.

```python
from wirespeed.fieldengine import compile_stream
gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL, seed=None)
batch = gen.next_batch(4096)   # FrameBatch(data (n, width) uint8, lengths (n,) int64)
tx = gen.fill(4096, TpldStamp(tid=7, seq0=0), times_ns)  # body + TPLD, reused
gen.mean_frame_len             # mean frame size INCLUDING FCS
gen.reset()                    # back to the first frame
```

Lengths are the bytes handed to the kernel (frame size minus the 4-byte FCS).
"""

from typing import TYPE_CHECKING

from wirespeed._lazy import exports

if TYPE_CHECKING:  # imported on first use (wirespeed._lazy)
    from wirespeed.fieldengine.batches import FrameBatch, TpldStamp, TxBatch
    from wirespeed.fieldengine.generator import StreamGenerator, compile_stream
    from wirespeed.fieldengine.inject import ErrorInjector
    from wirespeed.fieldengine.injected import InjectedError
    from wirespeed.fieldengine.payload import Prbs31, static_payload
    from wirespeed.fieldengine.sequences import butterfly_cycle, mix_cycle

__all__ = [
    "ErrorInjector",
    "FrameBatch",
    "InjectedError",
    "Prbs31",
    "StreamGenerator",
    "TpldStamp",
    "TxBatch",
    "butterfly_cycle",
    "compile_stream",
    "mix_cycle",
    "static_payload",
]

if not TYPE_CHECKING:
    __getattr__ = exports(
        __name__,
        {
            ".batches": (
                "FrameBatch",
                "TpldStamp",
                "TxBatch",
            ),
            ".generator": (
                "StreamGenerator",
                "compile_stream",
            ),
            ".inject": ("ErrorInjector",),
            ".injected": ("InjectedError",),
            ".payload": (
                "Prbs31",
                "static_payload",
            ),
            ".sequences": (
                "butterfly_cycle",
                "mix_cycle",
            ),
        },
    )
