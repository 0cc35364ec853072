"""Every fixture under tests/fixtures runs through the installed flake8, by path and by stdin.

A line's ``# expect: PKLnnn "substring"`` annotations are the exact set of codes
flake8 must report on it (with the message containing the substring); every
line without one asserts that nothing is reported. Extra flake8 arguments for
a file go in a ``# flake8-args: ...`` comment on one of its first lines.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from annotations import parse_expectations

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))
BASE_ARGS = ["--isolated", "--pickle-project-root", "off", "--select", "PKL", "--format", "%(row)d:%(col)d:%(code)s %(text)s"]
_OUTPUT = re.compile(r"^(?P<line>\d+):(?P<col>\d+):(?P<code>[A-Z]+[0-9]+) (?P<text>.*)$")


def fixture_args(path: Path) -> List[str]:
    """The ``# flake8-args:`` of a fixture, if any (first five lines)."""
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        match = re.match(r"#\s*flake8-args:\s*(.*)$", line)
        if match:
            return shlex.split(match.group(1))
    return []


def run_flake8(args: List[str], stdin: str | None = None) -> Tuple[Dict[int, List[Tuple[str, str]]], str]:
    """Run the installed flake8; return line -> [(code, full message)] and the raw output."""
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", *BASE_ARGS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), f"flake8 failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert "PluginExecutionFailed" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    found: Dict[int, List[Tuple[str, str]]] = defaultdict(list)
    for raw in proc.stdout.splitlines():
        match = _OUTPUT.match(raw)
        assert match, f"unexpected flake8 output line: {raw!r}"
        text = match.group("text")
        found[int(match.group("line"))].append((match.group("code"), f"{match.group('code')} {text}"))
    return found, proc.stdout


def compare(path: Path, found: Dict[int, List[Tuple[str, str]]]) -> List[str]:
    """Mismatches between a fixture's annotations and what flake8 reported."""
    expected = parse_expectations(path)
    problems = []
    for line in sorted(set(expected) | set(found)):
        want = sorted(code for code, _ in expected.get(line, []))
        got = sorted(code for code, _ in found.get(line, []))
        if want != got:
            problems.append(f"{path.name}:{line}: expected {want or 'nothing'}, flake8 reported {got or 'nothing'}")
            continue
        for code, substring in expected.get(line, []):
            if substring is None:
                continue
            messages = [text for c, text in found[line] if c == code]
            if not any(substring in text for text in messages):
                problems.append(f"{path.name}:{line}: {code} message {messages} lacks {substring!r}")
    return problems


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_by_path(path: Path) -> None:
    found, _ = run_flake8([*fixture_args(path), str(path)])
    assert compare(path, found) == []


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_by_stdin(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found, _ = run_flake8([*fixture_args(path), "--stdin-display-name", path.name, "-"], stdin=source)
    assert compare(path, found) == []


def test_every_fixture_reports_or_asserts_silence() -> None:
    """The runner must have something to compare: at least one fixture expects findings."""
    assert FIXTURE_FILES
    assert any(parse_expectations(p) for p in FIXTURE_FILES)
