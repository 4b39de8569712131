"""Reading snappi's model objects without changing them.

snappi's getters return a property's default and, doing so, store it in the object
(an unset list becomes ``[]``, reading ``ipv4.src.auto`` even switches the pattern's
choice to ``auto``). The translation reads a pattern's ``choice`` first and then only
what that choice names, and asks :func:`given` whether an optional part was sent at
all, so that what the server keeps (and answers ``GET /config`` with) is what the
client sent, with defaults filled in.
"""

from __future__ import annotations

from typing import Any

__all__ = ["given", "given_names", "header_kind", "items"]

_HEADER_KINDS = {
    "FlowEthernet": "ethernet",
    "FlowVlan": "vlan",
    "FlowVxlan": "vxlan",
    "FlowIpv4": "ipv4",
    "FlowIpv6": "ipv6",
    "FlowUdp": "udp",
    "FlowTcp": "tcp",
    "FlowCustom": "custom",
}


def given(obj: Any, name: str) -> bool:
    """Whether property ``name`` of a snappi object was set (a list: non-empty)."""
    value = obj._properties.get(name)
    if value is None:
        return False
    if hasattr(value, "_items"):  # an OpenApiIter
        return len(value) > 0
    if hasattr(value, "_properties"):  # an object: sent with something in it
        return bool(value._properties)
    return not (isinstance(value, list | dict) and not value)


def given_names(obj: Any) -> list[str]:
    """The properties set on a snappi object (see :func:`given`)."""
    return [name for name in obj._properties if name != "choice" and given(obj, name)]


def items(obj: Any, name: str) -> list[Any]:
    """The elements of list property ``name`` (none when it was not sent)."""
    return list(getattr(obj, name)) if given(obj, name) else []


def header_kind(header: Any) -> tuple[str, Any]:
    """A flow header's kind (``ethernet``, ``gtpv1``...) and its object.

    Items of ``flow.packet`` are the chosen header objects (``FlowUdp``...), or the
    ``FlowHeader`` itself when its choice names no object yet.
    """
    name = type(header).__name__
    if name == "FlowHeader":
        kind = str(header.choice)
        return kind, getattr(header, kind)
    return _HEADER_KINDS.get(name, name.removeprefix("Flow").lower()), header
