"""OTG requests read with snappi's own model classes (the specification's
generated code): defaults filled, types, enums and ranges checked. snappi's
message names the class; a configuration's lists are read item by item so the
error also names the item (``flows[2] (f3): ...``)."""

from __future__ import annotations

import json
import re
from typing import Any

import snappi

from wirespeed.server.otg.errors import OtgError

__all__ = ["API", "parse", "parse_config"]

API = snappi.api()
"""snappi's API object, used only for its model classes (it never connects)."""

_LISTS = ("ports", "lags", "layer1", "captures", "devices", "flows")
_CLASS = re.compile(r"at <class 'snappi\.snappi\.(\w+)'>")


def _message(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    m = _CLASS.search(text)
    if m is not None:
        text = _CLASS.sub(f"(in {m.group(1)})", text)
    return text


def _load(body: bytes | str) -> Any:
    try:
        return json.loads(body) if body else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OtgError(f"the request body is not JSON: {exc}") from None


def unknown_fields(data: Any, obj: Any, path: str) -> list[str]:
    """Keys of ``data`` the model of ``obj`` does not have (snappi ignores
    them: a typo would be a silent accept)."""
    types = getattr(obj, "_TYPES", None)
    if not isinstance(data, dict) or types is None:
        return []
    out = []
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key not in types:
            known = ", ".join(sorted(types))
            out.append(f"{where}: unknown field (known: {known})")
            continue
        child = getattr(obj, key, None)
        if isinstance(value, dict):
            out.extend(unknown_fields(value, child, where))
        elif (
            isinstance(value, list)
            and child is not None
            and hasattr(child, "__getitem__")
        ):
            items = getattr(child, "_items", [])  # not unwrapped from choices
            for i, (item, sub) in enumerate(zip(value, items, strict=False)):
                out.extend(unknown_fields(item, sub, f"{where}[{i}]"))
    return out


def parse(kind: str, body: bytes | str) -> Any:
    """A request of ``kind`` (``"control_state"``, ``"metrics_request"``, ...)
    from its JSON body (OtgError naming what is wrong)."""
    data = _load(body)
    if not isinstance(data, dict):
        raise OtgError(f"{kind}: the body must be a JSON object")
    obj = getattr(API, kind)()
    try:
        obj.deserialize(json.dumps(data))
    except Exception as exc:  # snappi raises TypeError/ValueError/...
        raise OtgError(f"{kind}: {_message(exc)}") from None
    unknown = unknown_fields(data, obj, "")
    if unknown:
        raise OtgError(unknown)
    return obj


def parse_config(body: bytes | str) -> Any:
    """A ``Config`` from its JSON body. Each list item is checked on its own
    first, so an error names it (``flows[0] (f1): Invalid -5 format ...``)."""
    data = _load(body)
    if not isinstance(data, dict):
        raise OtgError("config: the body must be a JSON object")
    errors = []
    for key in _LISTS:
        items = data.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            errors.append(f"{key}: must be a list")
            continue
        for i, item in enumerate(items):
            probe = API.config()
            try:
                probe.deserialize(json.dumps({key: [item]}))
            except Exception as exc:
                name = item.get("name") if isinstance(item, dict) else None
                where = f"{key}[{i}]" + (f" ({name})" if name else "")
                errors.append(f"{where}: {_message(exc)}")
    if errors:
        raise OtgError(errors)
    cfg = API.config()
    try:
        cfg.deserialize(json.dumps(data))
    except Exception as exc:
        raise OtgError(f"config: {_message(exc)}") from None
    unknown = unknown_fields(data, cfg, "")
    if unknown:
        raise OtgError(unknown)
    return cfg
