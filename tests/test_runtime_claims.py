"""Runtime claims of the fixtures are executed, not trusted.

A fixture module may define functions named ``crash_*`` and ``clean_*``. Each is
run in its own subprocess, with the fixture imported as a real module (so pickle
and spawned processes can find its classes):

* ``crash_*`` must raise; a ``# raises: TypeError "cannot pickle"`` comment on its
  ``def`` line names the exception class and, optionally, a substring of the message.
* ``clean_*`` must return normally: the silent twin really round-trips.

A claim that holds on some interpreters only says so after the exception: ``# raises:
TypeError "cannot pickle" unless enum-by-name`` names a condition of :data:`UNLESS` (a small probe
of this interpreter), and is skipped, saying why, where that condition holds.

Functions whose name contains ``process`` run under both the ``fork`` and the
``spawn`` start method; those whose name contains ``spawn`` only under ``spawn``. Every fixture that expects a PKL2xx or PKL3xx finding must
carry at least one ``crash_*`` and one ``clean_*``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from annotations import parse_expectations

FIXTURES = Path(__file__).parent / "fixtures"
_RAISES = re.compile(r"#\s*raises:\s*(?P<exc>[A-Za-z_][A-Za-z0-9_.]*)(?:\s+\"(?P<text>[^\"]*)\")?")
_UNLESS = re.compile(r"\bunless\s+(?P<condition>[a-z-]+)")


def _enum_members_pickle_by_name() -> bool:
    """Early 3.11 releases (3.11.2 of Debian 12 among them) pickle an enum member by its name, not
    by its value: a member whose value cannot be pickled pickles there (measured: 3.11.2 does,
    3.9, 3.10, 3.11.7, 3.12 and 3.13 do not)."""
    import enum

    class Probe(enum.Enum):
        MEMBER = 1

    rebuild, arguments = Probe.MEMBER.__reduce_ex__(4)[:2]
    return rebuild is getattr and arguments == (Probe, "MEMBER")


#: Conditions a claim may hold ``unless``: name -> (does it hold on this interpreter?, what it means).
UNLESS = {"enum-by-name": (_enum_members_pickle_by_name, "this Python pickles enum members by name")}

_RUNNER = """
import importlib, multiprocessing, sys
directory, module, function, method = sys.argv[1:5]
sys.path.insert(0, directory)
if method != "default":
    multiprocessing.set_start_method(method, force=True)
getattr(importlib.import_module(module), function)()
"""


def _claims() -> List[Tuple[Path, str, Optional[str], Optional[str], str]]:
    claims = []
    for path in sorted(FIXTURES.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "def crash_" not in source and "def clean_" not in source:
            continue
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith(("crash_", "clean_")):
                continue
            exc = text = None
            match = _RAISES.search(lines[node.lineno - 1])
            if match:
                exc, text = match.group("exc"), match.group("text")
                unless = _UNLESS.search(lines[node.lineno - 1][match.end():])
                if unless is not None:
                    condition, why = UNLESS[unless.group("condition")]
                    if condition():
                        exc, text = "skip", why
            if "spawn" in node.name:
                methods = ["spawn"]  # e.g. Process(args=...) pickles only under spawn/forkserver
            elif "process" in node.name:
                methods = ["fork", "spawn"]
            else:
                methods = ["default"]
            for method in methods:
                claims.append((path, node.name, exc, text, method))
    return claims


CLAIMS = _claims()


@pytest.mark.parametrize(
    "path,function,exception,text,method",
    CLAIMS,
    ids=[f"{p.stem}::{f}[{m}]" for p, f, _, _, m in CLAIMS],
)
def test_runtime_claim(path: Path, function: str, exception: Optional[str], text: Optional[str], method: str) -> None:
    if exception == "skip":
        pytest.skip(f"{function}: {text}")
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(path.parent), path.stem, function, method],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if function.startswith("clean_"):
        assert proc.returncode == 0, f"{function} should round-trip but failed:\n{proc.stderr}"
        return
    assert exception, f"{function} needs a '# raises: ExceptionName' comment on its def line"
    assert proc.returncode != 0, f"{function} should crash but ran cleanly"
    last = [line for line in proc.stderr.splitlines() if line.strip()][-1]
    raised = last.split(":", 1)[0].strip()
    assert raised == exception or raised.endswith("." + exception), f"{function} raised {last!r}, not {exception}"
    if text is not None:
        assert text in last, f"{function}: {last!r} lacks {text!r}"


def test_pkl2_and_pkl3_fixtures_carry_executed_claims() -> None:
    for path in sorted(FIXTURES.rglob("*.py")):
        codes = {code for entries in parse_expectations(path).values() for code, *_ in entries}
        if not any(code.startswith(("PKL2", "PKL3")) for code in codes):
            continue
        names = {f for p, f, _, _, _ in CLAIMS if p == path}
        assert any(n.startswith("crash_") for n in names), f"{path.name} claims crashes but executes none"
        assert any(n.startswith("clean_") for n in names), f"{path.name} has no executed clean twin"
