"""Every implemented command has the code, index count and field layout the XOA
driver declares (both driver generations), so the real clients parse our answers.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from test_xena_clients_compat import client_python  # type: ignore[import-not-found]

from wirespeed.server.xena.commands import TABLE_BY_NAME
from wirespeed.server.xena.commands.l3_cmds import ARP_ENTRY_BYTES, NDP_ENTRY_BYTES
from wirespeed.server.xena.values import Kind

pytestmark = pytest.mark.compat

# Dumps, for each command class: code, index count, get and set field type letters.
DUMP = r"""
import json, struct as st, sys
from xoa_driver.internals import commands as C
def letters(struct):
    if struct is None:
        return None
    out = []
    for cell in struct._order:
        t = cell.spec.xmp_type
        kind = type(t).__name__
        if kind == "XmpSequence" and len(t.types_chunk) > 1:
            # records of mixed fields (P_ARPRXTABLE): raw bytes to the end, of
            # the record's size each
            size = sum(st.calcsize("!" + c.data_format) * (c.repetitions or 1)
                       for c in t.types_chunk)
            out.append(f"H*/{size}")
        elif kind == "XmpSequence":
            fmt = t.types_chunk[0].data_format
            letter = {"B": "B", "b": "B", "i": "I", "I": "I", "q": "L", "Q": "L"}[fmt]
            out += [letter] * t.length if t.length else [letter + "*"]
        elif kind in ("XmpHex", "XmpMacAddress"):
            out.append(f"H{t.repetitions}" if t.repetitions else "H*")
        elif kind == "XmpStr":
            out.append("S")
        elif kind == "XmpIPv4Address":
            out.append("A")
        elif kind == "XmpIPv6Address":
            out.append("A6")
        else:
            out.append({"B": "B", "b": "B", "i": "I", "I": "I", "q": "L", "Q": "L",
                        "h": "I"}[t.data_format])
    return out
res = {}
for name in json.loads(sys.argv[1]):
    cls = getattr(C, name, None)
    if cls is None:  # older drivers lack some newer commands
        continue
    idx = [k for k in getattr(cls, "__annotations__", {}) if k.endswith("xindex")]
    get = letters(getattr(cls, "GetDataAttr", None)) if hasattr(cls, "get") else None
    put = letters(getattr(cls, "SetDataAttr", None)) if hasattr(cls, "set") else None
    res[name] = [cls.code, len(idx), get, put]
print(json.dumps(res))
"""


def same(mine: list[str] | None, theirs: list[str] | None) -> bool:
    """Equal layouts; a driver list (``L*``) takes any number of its items, and an
    older driver may read only a prefix of a fixed reply (P_CAPABILITIES grew)."""
    if mine is None or theirs is None:
        return mine == theirs
    if theirs and theirs[-1].endswith("*") and not mine[-1].endswith("*"):
        head = theirs[:-1]
        return mine[: len(head)] == head and set(mine[len(head) :]) <= {theirs[-1][:-1]}
    return mine == theirs or (len(theirs) > 100 and mine[: len(theirs)] == theirs)


# commands whose values are records of mixed fields, kept as raw bytes
RECORDS = {"P_ARPRXTABLE": ARP_ENTRY_BYTES, "P_NDPRXTABLE": NDP_ENTRY_BYTES}


def ours(fields, name: str = "") -> list[str] | None:
    if fields is None:
        return None
    out = []
    for f in fields:
        letter = f.type_letter
        out.append("I" if f.kind is Kind.U32 else letter)
    if name in RECORDS:
        out[-1] += f"/{RECORDS[name]}"
    return out


@pytest.mark.parametrize(
    ("env", "venv"),
    [("WIRESPEED_XOA_PYTHON", ".venv-xoa"), ("WIRESPEED_XOA2_PYTHON", ".venv-xoa2")],
)
def test_layouts_match_the_driver(env: str, venv: str) -> None:
    python = client_python(env, venv)
    names = sorted(TABLE_BY_NAME)
    proc = subprocess.run(
        [python, "-c", DUMP, json.dumps(names)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    driver = json.loads(proc.stdout)
    missing = sorted(set(names) - set(driver))
    # the older driver predates a few commands; the newer one declares all of them
    assert missing == ([] if venv == ".venv-xoa" else ["PS_MODIFIER_ENDIAN"])
    mismatches = []
    for name in sorted(driver):
        spec = TABLE_BY_NAME[name]
        code, n_idx, get, set_ = driver[name]
        mine = (spec.code, spec.n_indices)
        if mine != (code, n_idx):
            mismatches.append((name, "code/indices", mine, (code, n_idx)))
        mine_get, mine_set = ours(spec.get_fields, name), ours(spec.set_fields, name)
        if spec.getter is not None and not same(mine_get, get):
            mismatches.append((name, "get", mine_get, get))
        if spec.setter is not None and not same(mine_set, set_):
            mismatches.append((name, "set", mine_set, set_))
    assert mismatches == [], "\n".join(map(str, mismatches))
