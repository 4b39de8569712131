"""Port methods: ownership, status, attributes, service mode."""

from __future__ import annotations

import contextlib

from wirespeed.errors import StateError, ValidationError
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.events import TrexEvent
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.params import UINT32_MAX, Params
from wirespeed.server.trex.status import port_attr, port_status
from wirespeed.tpld import TpldMode

__all__ = ["register"]


def _acquire(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    user = p.str("user", max_len=256)
    force = p.bool("force", default=False)
    if p.has("session_id"):
        session = f"trex:{p.int('session_id', lo=0, hi=UINT32_MAX)}"
    else:  # the seed's Acquire has no session: one per user
        session = f"trex-user:{user}"
    handler = fe.tester.reserve(port, user, session, force=force)
    _use_tpld(fe, port, TpldMode.TREX)
    return handler


def _release(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.tester.release(port, p.str("handler"))
    _use_tpld(fe, port, TpldMode.NORMAL)
    return {}


def _use_tpld(fe: TrexFrontEnd, port: int, mode: TpldMode) -> None:
    """TRex's ports carry TRex's 16-byte latency layout, so TRex's 64-byte
    flow-stats and latency frames fit; a port that still sends keeps its form
    until it stops (the next acquire sets it)."""
    if fe.tester.ports[port].tpld_mode is mode:
        return
    with contextlib.suppress(StateError):
        fe.tester.set_tpld_mode(port, mode)


def _get_owner(fe: TrexFrontEnd, p: Params) -> object:
    res = fe.tester.reservation(fe.port(p))
    return {"owner": res.owner if res is not None else ""}


def _get_port_status(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.port(p)
    p.str("profile_id", default="*", max_len=128)
    p.bool("block", default=False)
    return port_status(fe, port)


_KNOWN_ATTRS = (
    "promiscuous",
    "link_status",
    "multicast",
    "rx_filter_mode",
    "led_status",
    "flow_ctrl_mode",
    "vxlan_fs",
)


def _refuse_unsupported(attr: Params) -> None:
    """LEDs, flow control and VXLAN flow stats do not exist on these ports."""
    if attr.has("led_status"):
        attr.obj("led_status").bool("on")
        raise ValidationError(
            "LED control is not supported on this port", field="attr.led_status"
        )
    if attr.has("flow_ctrl_mode"):
        mode = attr.obj("flow_ctrl_mode").int("mode", lo=0, hi=3)
        if mode != 0:
            raise ValidationError(
                "flow control is not supported on this port (only mode 0)",
                field="attr.flow_ctrl_mode.mode",
            )
    if attr.has("vxlan_fs") and attr.list("vxlan_fs"):
        raise ValidationError(
            "VXLAN flow stats are not supported on this port", field="attr.vxlan_fs"
        )


def _set_port_attr(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    attr = p.obj("attr")
    for key in attr.raw:
        if key not in _KNOWN_ATTRS:
            raise ValidationError("unknown attribute", field=f"attr.{key}")
    # check everything before changing anything
    prom = attr.obj("promiscuous").bool("enabled") if attr.has("promiscuous") else None
    link = attr.obj("link_status").bool("up") if attr.has("link_status") else None
    mcast = attr.obj("multicast").bool("enabled") if attr.has("multicast") else None
    rx_mode = None
    if attr.has("rx_filter_mode"):
        rx_mode = attr.obj("rx_filter_mode").str("mode")
        if rx_mode not in ("hw", "all"):
            raise ValidationError(
                f"{rx_mode!r} is not 'hw' or 'all'", field="attr.rx_filter_mode.mode"
            )
    _refuse_unsupported(attr)
    view = fe.views[port]
    if prom is not None:
        fe.tester.set_promiscuous(port, prom)
    if link is not None:
        fe.tester.set_link(port, link)
    if mcast is not None:
        view.multicast = mcast
    if rx_mode is not None:
        view.rx_filter_mode = rx_mode
    if prom is None and link is None:  # the tester announces its own changes
        attr_now = port_attr(fe, port)
        fe.post([(TrexEvent.PORT_ATTR_CHANGED, {"port_id": port, "attr": attr_now})])
    return {}


def _service(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    enabled = p.bool("enabled")
    filtered = p.bool("filtered", default=False)
    mask = p.int("mask", default=0, lo=0, hi=UINT32_MAX) if filtered else 0
    view = fe.views[port]
    view.service = enabled
    view.service_filtered = enabled and filtered
    view.service_mask = mask if enabled else 0
    return {}


def _set_rx_feature(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    feature = p.str("type")
    if feature not in ("queue", "server", "latency"):
        raise ValidationError(f"unknown RX feature {feature!r}", field="type")
    enabled = p.bool("enabled")
    if feature != "queue" or enabled:
        raise ValidationError(
            f"the RX {feature} feature is not supported (only disabling the queue)",
            field="enabled",
        )
    fe.views[port].rx_queue_size = 0
    return {}


def _get_tpg_status(fe: TrexFrontEnd, p: Params) -> object:
    if p.has("port_id"):
        fe.port(p)
    return {"enabled": False}


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["acquire"] = Method(_acquire)
    table["Acquire"] = Method(_acquire)
    table["release"] = Method(_release)
    table["get_owner"] = Method(_get_owner)
    table["get_port_status"] = Method(_get_port_status)
    table["set_port_attr"] = Method(_set_port_attr)
    table["service"] = Method(_service)
    table["set_rx_feature"] = Method(_set_rx_feature)
    table["get_tpg_status"] = Method(_get_tpg_status)
