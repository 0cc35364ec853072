"""The finding record every check emits and the plugin turns into a flake8 tuple."""

from __future__ import annotations

import ast
from typing import Dict, List, NamedTuple, Optional, Tuple

#: How deep a quoted expression is rendered when the whole one is too deep for ``ast.unparse``
#: (a chain of a thousand calls parses, but unparsing it recurses past the interpreter's limit).
_QUOTED_DEPTH = 40


def shown(node: ast.AST, limit: int = 40) -> str:
    """A node's source as messages quote it: one line, cut to ``limit`` characters."""
    try:
        text = ast.unparse(node)
    except RecursionError:
        try:
            text = ast.unparse(_clipped(node, _QUOTED_DEPTH))
        except Exception:  # noqa: BLE001 - a clipped tree the unparser rejects: quote nothing
            text = "..."
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clipped(node: ast.AST, depth: int) -> ast.AST:
    """A copy of ``node`` whose parts deeper than ``depth`` read ``...``."""
    if depth <= 0:
        return ast.Name(id="...", ctx=ast.Load())
    fields = {}
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            value = _clipped(value, depth - 1)
        elif isinstance(value, list):
            value = [_clipped(item, depth - 1) if isinstance(item, ast.AST) else item for item in value]
        fields[name] = value
    return type(node)(**fields)


class Step(NamedTuple):
    """One place a finding points at besides its own: a hop of a data flow, where a resource was
    created, why a load was trusted. ``file`` is None for the module being checked, else a path
    relative to the project root (a hop in another module of the project)."""

    line: int
    message: str
    file: Optional[str] = None


class Finding(NamedTuple):
    """One reported problem: position, code and the full message text (code first).

    ``steps`` is what ``flake8-pickle check`` shows besides the message (flake8 never reads it):
    for PKL101 the path from the source through each hop to the loader, for PKL2xx/PKL3xx the
    related places (where the resource was created, where the class is copied), for PKL901 why
    the load was judged as it was. Two findings that differ only in their steps are one finding.
    """

    line: int
    col: int
    code: str
    message: str
    steps: Tuple[Step, ...] = ()

    @property
    def key(self) -> Tuple[int, int, str, str]:
        """What flake8 sees of the finding: position, code and message."""
        return self.line, self.col, self.code, self.message


def unique(findings: List[Finding]) -> List[Finding]:
    """``findings`` sorted by position then code, one per flake8 report (the first one's steps kept)."""
    first: Dict[Tuple[int, int, str, str], Finding] = {}
    for finding in findings:
        first.setdefault(finding.key, finding)
    return sorted(first.values(), key=lambda f: f.key)
