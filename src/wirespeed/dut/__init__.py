"""The DUT of the embedded test bed: impairment specs and wirespeed's own impairer.

On a kernel with ``tc netem`` the DUT namespace is a Linux bridge with netem on it.
Where the kernel has no netem, :mod:`wirespeed.dut.worker` forwards the frames
between the DUT's two interfaces itself and applies delay, jitter, reordering and
corruption (and loss and duplication) as netem would (:mod:`wirespeed.dut.engine`),
counting everything it did: the ground truth the analyzer is checked against.
"""

from wirespeed.dut.spec import Impairment, parse_impairment

__all__ = ["Impairment", "parse_impairment"]
