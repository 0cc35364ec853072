"""Every fixture under tests/fixtures runs through flake8 and must report exactly its annotations.

A line's ``# expect: PKLnnn@col "substring"`` annotations are the exact set of findings
flake8 must report on it: the code, the 1-based column flake8 prints, and a substring of
the message; every line without one asserts that nothing is reported. Extra flake8
arguments for a file go in a ``# flake8-args: ...`` comment on one of its first lines.

Each fixture runs twice in this process, by path and by stdin, through flake8's own
application (its option parsing, selection, ``# noqa`` handling and stdin reading; see
``flake8_pickle.check.run_flake8``). The installed entry point is then exercised by
subprocesses: one real ``flake8`` run by path over every fixture that shares the same
arguments, and one by stdin for a fixture of each directory.
"""

from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from flake8 import utils as flake8_utils

from annotations import Reported, compare, missing_columns, parse_expectations
from flake8_pickle.check import run_flake8

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))
BASE_ARGS = ["--isolated", "--pickle-project-root", "off", "--select", "PKL"]
FORMAT = ["--format", "%(path)s:%(row)d:%(col)d:%(code)s %(text)s"]
_OUTPUT = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+):(?P<code>[A-Z]+[0-9]+) (?P<text>.*)$")

Found = Dict[int, List[Reported]]


def fixture_args(path: Path) -> List[str]:
    """The ``# flake8-args:`` of a fixture, if any (first five lines)."""
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        match = re.match(r"#\s*flake8-args:\s*(.*)$", line)
        if match:
            return shlex.split(match.group(1))
    return []


def in_process(args: List[str], stdin: Optional[str] = None) -> Found:
    """flake8's application, in this process, on ``args``; ``stdin`` is what it reads for ``-``."""
    saved = sys.stdin
    flake8_utils.stdin_get_value.cache_clear()
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    try:
        violations, _, _ = run_flake8([*BASE_ARGS, *args])
    finally:
        sys.stdin = saved
        flake8_utils.stdin_get_value.cache_clear()
    found: Found = defaultdict(list)
    for v in violations:
        found[v.line_number].append((v.code, v.column_number, f"{v.code} {v.text}"))  # type: ignore[attr-defined]
    return found


def real_flake8(args: List[str], stdin: Optional[str] = None) -> Dict[str, Found]:
    """The installed flake8, in a subprocess; path -> line -> findings."""
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", *BASE_ARGS, *FORMAT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), f"flake8 failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert "PluginExecutionFailed" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    found: Dict[str, Found] = defaultdict(lambda: defaultdict(list))
    for raw in proc.stdout.splitlines():
        match = _OUTPUT.match(raw)
        assert match, f"unexpected flake8 output line: {raw!r}"
        code = match.group("code")
        found[match.group("path")][int(match.group("line"))].append(
            (code, int(match.group("col")), f"{code} {match.group('text')}")
        )
    return found


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_name)
def test_fixture_by_path(path: Path) -> None:
    found = in_process([*fixture_args(path), str(path)])
    assert compare(_name(path), parse_expectations(path), found) == []


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_name)
def test_fixture_by_stdin(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = in_process([*fixture_args(path), "--stdin-display-name", path.name, "-"], stdin=source)
    assert compare(_name(path), parse_expectations(path), found) == []


def test_every_fixture_through_the_installed_flake8_by_path() -> None:
    """One real flake8 process per set of ``# flake8-args``, over every fixture that uses it."""
    groups: Dict[tuple, List[Path]] = defaultdict(list)
    for path in FIXTURE_FILES:
        groups[tuple(fixture_args(path))].append(path)
    problems: List[str] = []
    for args, paths in groups.items():
        found = real_flake8([*args, *map(str, paths)])
        assert set(found) <= {str(p) for p in paths}, sorted(found)
        for path in paths:
            problems.extend(compare(_name(path), parse_expectations(path), found.get(str(path), {})))
    assert problems == []


def _one_per_directory() -> List[Path]:
    chosen: Dict[Path, Path] = {}
    for path in FIXTURE_FILES:
        if parse_expectations(path):
            chosen.setdefault(path.parent, path)
    return sorted(chosen.values())


@pytest.mark.parametrize("path", _one_per_directory(), ids=_name)
def test_installed_flake8_by_stdin(path: Path) -> None:
    found = real_flake8([*fixture_args(path), "--stdin-display-name", path.name, "-"], stdin=path.read_text(encoding="utf-8"))
    assert set(found) <= {path.name}
    assert compare(_name(path), parse_expectations(path), found.get(path.name, {})) == []


def test_every_fixture_reports_or_asserts_silence() -> None:
    """The runner must have something to compare: at least one fixture expects findings."""
    assert FIXTURE_FILES
    assert any(parse_expectations(p) for p in FIXTURE_FILES)


def test_every_annotation_gives_its_column() -> None:
    problems: List[str] = []
    for path in FIXTURE_FILES:
        problems.extend(missing_columns(_name(path), parse_expectations(path)))
    assert problems == []


def test_a_wrong_column_is_a_mismatch() -> None:
    """The comparison can fail: a finding at another column than annotated is reported."""
    path = next(p for p in FIXTURE_FILES if parse_expectations(p))
    found = in_process([*fixture_args(path), str(path)])
    line = min(found)
    moved = {**found, line: [(code, column + 1, text) for code, column, text in found[line]]}
    assert compare(_name(path), parse_expectations(path), moved) != []
