"""Package attributes imported on first use (PEP 562), so that importing one
pure module of a package does not import its numpy or scapy siblings: the
remote client (``pip install wirespeed-client``) runs without them.

A package lists its exports twice: under ``if TYPE_CHECKING:`` as imports (what
type checkers and import-linter read) and in the table given to :func:`exports`
(what runs); ``tests/unit/test_lazy.py`` checks that the two agree.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["exports"]


def exports(
    package: str, table: Mapping[str, tuple[str, ...]]
) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: each name of ``table[module]`` is
    imported from ``module`` (relative to ``package`` when it starts with a dot)
    when first asked for, then kept."""
    where = {name: module for module, names in table.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
