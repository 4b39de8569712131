"""Test payload (TPLD): the 20/22-byte and 6-byte micro trailers, vectorised.

Every test frame ends with a TPLD carrying its stream's test payload id (TID), a
sequence number, the transmit time and flags, protected by a checksum. The layout is
documented in :mod:`wirespeed.tpld.layout`; :func:`encode_batch` writes TPLDs into a
batch of frames in place and :func:`decode_batch` reads them back, marking frames
that are too short or fail the checksum as invalid instead of raising.
"""

from typing import TYPE_CHECKING

from wirespeed._lazy import exports

if TYPE_CHECKING:  # imported on first use (wirespeed._lazy)
    from wirespeed.tpld.checksums import internet_checksum, internet_checksum_ranges
    from wirespeed.tpld.codec import (
        DecodedTplds,
        DecodeStatus,
        decode_any,
        decode_batch,
        encode_batch,
        highest_tid,
        latency_ns,
    )
    from wirespeed.tpld.filter import tpld_filter
    from wirespeed.tpld.layout import (
        MICRO_TID_MAX,
        NORMAL_TID_MAX,
        PI_OFFSET_MAX,
        SEQ_MODULUS,
        TpldFields,
        TpldMode,
    )

__all__ = [
    "MICRO_TID_MAX",
    "NORMAL_TID_MAX",
    "PI_OFFSET_MAX",
    "SEQ_MODULUS",
    "DecodeStatus",
    "DecodedTplds",
    "TpldFields",
    "TpldMode",
    "decode_any",
    "decode_batch",
    "encode_batch",
    "highest_tid",
    "internet_checksum",
    "internet_checksum_ranges",
    "latency_ns",
    "tpld_filter",
]

if not TYPE_CHECKING:
    __getattr__ = exports(
        __name__,
        {
            ".checksums": (
                "internet_checksum",
                "internet_checksum_ranges",
            ),
            ".codec": (
                "DecodedTplds",
                "DecodeStatus",
                "decode_any",
                "decode_batch",
                "encode_batch",
                "highest_tid",
                "latency_ns",
            ),
            ".filter": ("tpld_filter",),
            ".layout": (
                "MICRO_TID_MAX",
                "NORMAL_TID_MAX",
                "PI_OFFSET_MAX",
                "SEQ_MODULUS",
                "TpldFields",
                "TpldMode",
            ),
        },
    )
