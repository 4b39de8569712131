"""The lazy packages (wirespeed._lazy): what type checkers read under
``if TYPE_CHECKING:`` is what runs, and every export resolves to its module's
own object."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import wirespeed

LAZY = ["analysis", "fieldengine", "l3", "packet", "service", "tpld"]
SRC = Path(wirespeed.__file__).parent


def _checked_imports(package: str) -> dict[str, str]:
    """name -> module, from the package's ``if TYPE_CHECKING:`` imports."""
    tree = ast.parse((SRC / package / "__init__.py").read_text())
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                assert imp.module is not None
                found.update({a.name: imp.module for a in imp.names})
    return found


@pytest.mark.parametrize("package", LAZY)
def test_checked_imports_are_the_lazy_table(package: str) -> None:
    mod = importlib.import_module(f"wirespeed.{package}")
    checked = _checked_imports(package)
    own = {n for n in mod.__all__ if n not in checked}  # defined in __init__
    assert all(n in vars(mod) for n in own)
    assert sorted(checked) == sorted(set(mod.__all__) - own)
    for name, module in checked.items():
        assert getattr(mod, name) is getattr(importlib.import_module(module), name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    import wirespeed.tpld

    with pytest.raises(AttributeError, match=r"'wirespeed\.tpld' has no attribute 'X'"):
        _ = wirespeed.tpld.X
