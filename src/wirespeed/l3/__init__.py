"""Layer 3 of a test port, without IO: its identity (addresses, gateways), the
frames of ARP, neighbour discovery and ping, and the state machines that answer,
resolve and ping (:mod:`wirespeed.dataplane.services` runs them on a socket)."""

from typing import TYPE_CHECKING

from wirespeed._lazy import exports

if TYPE_CHECKING:  # imported on first use (wirespeed._lazy)
    from wirespeed.l3.decode import decode
    from wirespeed.l3.frames import (
        MIN_SIZE_BYTES,
        FrameKind,
        NAFlag,
        ServiceFrame,
        echo_payload,
        encode_arp_reply,
        encode_arp_request,
        encode_echo_reply,
        encode_echo_request,
        encode_gratuitous_arp,
        encode_neighbor_advert,
        encode_neighbor_solicit,
        encode_unsolicited_advert,
        format_mac,
        multicast_mac,
        parse_mac,
        solicited_node,
    )
    from wirespeed.l3.identity import IPAddress, L3Identity, parse_address
    from wirespeed.l3.neighbors import (
        Neighbor,
        NeighborTable,
        Resolved,
        ResolveFailed,
        Resolver,
        ResolverEvent,
    )
    from wirespeed.l3.pinger import PingDone, Pinger, PingEvent, PingReply, PingTimeout
    from wirespeed.l3.responder import Responder, ResponderCounters

__all__ = [
    "MIN_SIZE_BYTES",
    "FrameKind",
    "IPAddress",
    "L3Identity",
    "NAFlag",
    "Neighbor",
    "NeighborTable",
    "PingDone",
    "PingEvent",
    "PingReply",
    "PingTimeout",
    "Pinger",
    "ResolveFailed",
    "Resolved",
    "Resolver",
    "ResolverEvent",
    "Responder",
    "ResponderCounters",
    "ServiceFrame",
    "decode",
    "echo_payload",
    "encode_arp_reply",
    "encode_arp_request",
    "encode_echo_reply",
    "encode_echo_request",
    "encode_gratuitous_arp",
    "encode_neighbor_advert",
    "encode_neighbor_solicit",
    "encode_unsolicited_advert",
    "format_mac",
    "multicast_mac",
    "parse_address",
    "parse_mac",
    "solicited_node",
]

if not TYPE_CHECKING:
    __getattr__ = exports(
        __name__,
        {
            ".decode": ("decode",),
            ".frames": (
                "MIN_SIZE_BYTES",
                "FrameKind",
                "NAFlag",
                "ServiceFrame",
                "echo_payload",
                "encode_arp_reply",
                "encode_arp_request",
                "encode_echo_reply",
                "encode_echo_request",
                "encode_gratuitous_arp",
                "encode_neighbor_advert",
                "encode_neighbor_solicit",
                "encode_unsolicited_advert",
                "format_mac",
                "multicast_mac",
                "parse_mac",
                "solicited_node",
            ),
            ".identity": (
                "IPAddress",
                "L3Identity",
                "parse_address",
            ),
            ".neighbors": (
                "Neighbor",
                "NeighborTable",
                "Resolved",
                "ResolveFailed",
                "Resolver",
                "ResolverEvent",
            ),
            ".pinger": (
                "PingDone",
                "Pinger",
                "PingEvent",
                "PingReply",
                "PingTimeout",
            ),
            ".responder": (
                "Responder",
                "ResponderCounters",
            ),
        },
    )
