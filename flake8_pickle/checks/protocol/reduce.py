"""PKL306 shapes: what a ``__reduce__``/``__reduce_ex__`` returns when it is not the tuple pickle needs."""

from __future__ import annotations

import ast
from typing import Optional


# --------------------------------------------------------------------------- helpers per rule


def _reduce_shape(value: Optional[ast.AST]) -> Optional[str]:
    """How a ``__reduce__`` return value is malformed by its literal shape, or None."""
    if value is None:
        return "None"
    if isinstance(value, ast.Tuple):
        if any(isinstance(e, ast.Starred) for e in value.elts) or 2 <= len(value.elts) <= 6:
            return None
        return "an empty tuple" if not value.elts else f"a {len(value.elts)}-tuple"
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return None
    return _literal_kind(value)


def _non_tuple_shape(value: Optional[ast.AST]) -> Optional[str]:
    """How a ``__getnewargs__`` return value is not a tuple, or None."""
    if value is None:
        return "None"
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return "a str"
    return _literal_kind(value)


def _literal_kind(value: ast.AST) -> Optional[str]:
    kinds = {
        ast.List: "a list",
        ast.ListComp: "a list",
        ast.Dict: "a dict",
        ast.DictComp: "a dict",
        ast.Set: "a set",
        ast.SetComp: "a set",
        ast.GeneratorExp: "a generator",
    }
    for kind, text in kinds.items():
        if isinstance(value, kind):
            return text
    if isinstance(value, ast.Constant) and not isinstance(value.value, str):
        if value.value is None or value.value is Ellipsis:
            return repr(value.value)
        kind = type(value.value).__name__
        return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
    return None
