"""The finding record every check emits and the plugin turns into a flake8 tuple."""

from __future__ import annotations

import ast
from typing import NamedTuple


def shown(node: ast.AST, limit: int = 40) -> str:
    """A node's source as messages quote it: one line, cut to ``limit`` characters."""
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Finding(NamedTuple):
    """One reported problem: position, code and the full message text (code first)."""

    line: int
    col: int
    code: str
    message: str
