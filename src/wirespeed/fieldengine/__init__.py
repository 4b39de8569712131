"""The field engine (pure, numpy): a stream compiled into a batch frame generator.

```python
from wirespeed.fieldengine import compile_stream
gen = compile_stream(stream, tpld_len=20, seed=None)
batch = gen.next_batch(4096)   # FrameBatch(data (n, width) uint8, lengths (n,) int64)
gen.mean_frame_len             # mean frame size INCLUDING FCS
gen.reset()                    # back to the first frame
```

Lengths are the bytes handed to the kernel (frame size minus the 4-byte FCS).
"""

from wirespeed.fieldengine.generator import FrameBatch, StreamGenerator, compile_stream
from wirespeed.fieldengine.payload import Prbs31, static_payload
from wirespeed.fieldengine.sequences import butterfly_cycle, mix_cycle

__all__ = [
    "FrameBatch",
    "Prbs31",
    "StreamGenerator",
    "butterfly_cycle",
    "compile_stream",
    "mix_cycle",
    "static_payload",
]
