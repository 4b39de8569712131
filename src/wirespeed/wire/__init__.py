"""The native RPC's wire format (pure): tagged JSON values decoded only into an
allow-list of classes (:mod:`.values`), checked against annotations
(:mod:`.checks`), in versioned request and answer messages (:mod:`.messages`).
Shared by the daemon's native front end and the remote client."""

from wirespeed.wire.checks import check_type, describe, is_checkable
from wirespeed.wire.messages import (
    ERROR_TYPES,
    PROTOCOL_VERSION,
    Request,
    Response,
    decode_request,
    decode_response,
    encode_error,
    encode_request,
    encode_result,
    error_from_wire,
    error_to_wire,
    peek_id,
)
from wirespeed.wire.values import TAG, WireTypes, decode_value, encode_value

__all__ = [
    "ERROR_TYPES",
    "PROTOCOL_VERSION",
    "TAG",
    "Request",
    "Response",
    "WireTypes",
    "check_type",
    "decode_request",
    "decode_response",
    "decode_value",
    "describe",
    "encode_error",
    "encode_request",
    "encode_result",
    "encode_value",
    "error_from_wire",
    "error_to_wire",
    "is_checkable",
    "peek_id",
]
