"""Each fix is proven on a before/after pair in tests/fixtures_fix, by running the code.

A pair is ``<case>_before.py`` and ``<case>_after.py``. The "before" file names,
in comments on its first lines, the arguments the fixer needs (``# fix-args:``),
the codes it fixes (``# fixes:``) and what its round trip raises
(``# before-raises: Exception "substring"``). Each defines ``roundtrip()``, which
pickles and deep-copies instances and uses what was recreated. For each pair:

(a) ``roundtrip()`` of the "before" really fails, in a subprocess;
(b) the fixer's output is exactly the "after" file;
(c) ``roundtrip()`` of the fixer's output succeeds;
(d) flake8 itself no longer reports the fixed codes on it (and did on the "before");
and a second run of the fixer changes nothing.

``torch`` and ``numpy`` are not test dependencies: their case runs against
stand-ins that return the keywords they were called with. The PyYAML case needs
PyYAML and is skipped without it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

from cli_runner import run_cli
from flake8_pickle.check import run_flake8

FIXTURES = Path(__file__).parent / "fixtures_fix"
CASES = sorted(p.name[: -len("_before.py")] for p in FIXTURES.glob("*_before.py"))
_HEADER = re.compile(r"^#\s*(?P<key>fix-args|fixes|before-raises):\s*(?P<value>.*)$")
_RAISES = re.compile(r"(?P<exc>[A-Za-z_][A-Za-z0-9_.]*)(?:\s+\"(?P<text>[^\"]*)\")?")
_STAND_INS = {
    "torch.py": "def load(*args, **kwargs):\n    return kwargs\n",
    "numpy.py": "def load(*args, **kwargs):\n    return kwargs\n",
}


def header(path: Path) -> Dict[str, str]:
    """The ``# key: value`` comments of a "before" file's first lines."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:8]:
        match = _HEADER.match(line)
        if match:
            values[match.group("key")] = match.group("value").strip()
    return values


def fix_args(path: Path) -> List[str]:
    value = header(path).get("fix-args", "")
    return [] if value in ("", "(none)") else shlex.split(value)


def run_fixer(args: List[str], stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    """``flake8-pickle fix ARGS``, in this process (bytes in, bytes out); ``test_fix_cli`` runs the
    console script itself."""
    return run_cli(["fix", *args], Path.cwd(), stdin)


def run_roundtrip(source: bytes, directory: Path) -> subprocess.CompletedProcess:
    """Import ``source`` as module ``subject`` in a fresh interpreter and call its ``roundtrip()``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "subject.py").write_bytes(source)
    for name, text in _STAND_INS.items():
        (directory / name).write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-c", "import subject; subject.roundtrip()"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def flake8_codes(path: Path) -> Set[str]:
    """The codes flake8's application reports on ``path`` (PKL only, isolated from any config)."""
    violations, _, _ = run_flake8(["--isolated", "--pickle-project-root", "off", "--select", "PKL", str(path)])
    return {v.code for v in violations}  # type: ignore[attr-defined]


def _needs(case: str) -> None:
    if "yaml" in case:
        pytest.importorskip("yaml")


def expected_failure(path: Path) -> Tuple[str, Optional[str]]:
    match = _RAISES.match(header(path)["before-raises"])
    assert match, f"{path.name}: malformed before-raises"
    return match.group("exc"), match.group("text")


@pytest.fixture(scope="module")
def fixed_outputs() -> Dict[str, subprocess.CompletedProcess]:
    """The fixer's output for every "before" file, read from stdin (one run each)."""
    outputs = {}
    for case in CASES:
        before = FIXTURES / f"{case}_before.py"
        outputs[case] = run_fixer([*fix_args(before), "-"], stdin=before.read_bytes())
    return outputs


@pytest.mark.parametrize("case", CASES)
def test_before_round_trip_fails(case: str, tmp_path: Path) -> None:
    _needs(case)
    before = FIXTURES / f"{case}_before.py"
    exception, text = expected_failure(before)
    proc = run_roundtrip(before.read_bytes(), tmp_path)
    assert proc.returncode != 0, f"{case}: the 'before' round trip should fail but succeeded"
    last = [line for line in proc.stderr.splitlines() if line.strip()][-1]
    assert last.split(":", 1)[0].strip().endswith(exception), last
    if text:
        assert text in last, last


@pytest.mark.parametrize("case", CASES)
def test_fixer_output_is_the_after_file(case: str, fixed_outputs: Dict[str, subprocess.CompletedProcess]) -> None:
    proc = fixed_outputs[case]
    assert proc.returncode == 1, proc.stderr.decode()
    assert proc.stdout == (FIXTURES / f"{case}_after.py").read_bytes()
    codes = header(FIXTURES / f"{case}_before.py")["fixes"].split(",")
    for code in codes:
        assert f" {code.strip()} fixed (" in proc.stderr.decode()


@pytest.mark.parametrize("case", CASES)
def test_fixed_round_trip_succeeds(
    case: str, tmp_path: Path, fixed_outputs: Dict[str, subprocess.CompletedProcess]
) -> None:
    _needs(case)
    proc = run_roundtrip(fixed_outputs[case].stdout, tmp_path)
    assert proc.returncode == 0, f"{case}: the fixed round trip failed:\n{proc.stderr}"


@pytest.mark.parametrize("case", CASES)
def test_fixed_file_relints_clean_of_the_fixed_codes(case: str) -> None:
    before = FIXTURES / f"{case}_before.py"
    codes = {c.strip() for c in header(before)["fixes"].split(",")}
    assert codes <= flake8_codes(before), f"{case}: the 'before' file should report {codes}"
    assert not codes & flake8_codes(FIXTURES / f"{case}_after.py")


@pytest.mark.parametrize("case", CASES)
def test_fixing_the_after_file_changes_nothing(case: str) -> None:
    after = FIXTURES / f"{case}_after.py"
    args = fix_args(FIXTURES / f"{case}_before.py")
    proc = run_fixer([*args, "-"], stdin=after.read_bytes())
    assert proc.stdout == after.read_bytes()
    assert proc.returncode == 0, proc.stderr.decode()


def test_every_case_has_an_after_file() -> None:
    assert CASES
    for case in CASES:
        assert (FIXTURES / f"{case}_after.py").is_file(), case
        assert {"fixes", "before-raises"} <= set(header(FIXTURES / f"{case}_before.py")), case
