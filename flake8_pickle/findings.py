"""The finding record every check emits and the plugin turns into a flake8 tuple."""

from __future__ import annotations

import ast
from typing import NamedTuple

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


class Finding(NamedTuple):
    """One reported problem: position, code and the full message text (code first)."""

    line: int
    col: int
    code: str
    message: str
