"""The text pre-check only skips work: with or without it, every fixture gets the same findings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flake8_pickle.analysis import analyze

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py")) + sorted(
    (Path(__file__).parent / "fixtures_fix").rglob("*.py")
)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_precheck_changes_no_finding(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert analyze(tree, source=source) == analyze(tree)


def test_precheck_skips_modules_without_trigger_words() -> None:
    source = "class Plain:\n    def __init__(self):\n        self.x = 1\n"
    assert analyze(ast.parse(source), source=source) == []
