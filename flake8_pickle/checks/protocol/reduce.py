"""PKL306 shapes: what a ``__reduce__``/``__reduce_ex__`` returns when it is not the tuple pickle needs."""

from __future__ import annotations

import ast
from typing import Optional


# --------------------------------------------------------------------------- helpers per rule


def reduce_problem(value: Optional[ast.AST]) -> Optional[str]:
    """How a ``__reduce__`` return value is malformed by its literal shape, or None.

    Every shape named here fails ``pickle.dumps`` (measured in ``tests/fixtures/runtime/pkl306_shapes.py``).
    """
    if value is None:
        return "returns None, not a string or a 2-to-6 tuple"
    if isinstance(value, ast.Tuple):
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        if not 2 <= len(value.elts) <= 6:
            size = "an empty tuple" if not value.elts else f"a {len(value.elts)}-tuple"
            return f"returns {size}, not a string or a 2-to-6 tuple"
        arguments = _literal_kind(value.elts[1])
        if arguments is None and _is_instance_dict(value.elts[1]):
            arguments = "the instance's __dict__"
        if arguments is not None or _is_str(value.elts[1]):
            return f"returns a tuple whose second item (the arguments) is {arguments or 'a str'}, not a tuple"
        return None
    if _is_str(value):
        return None
    if _is_instance_dict(value):
        return "returns the instance's __dict__, not a string or a 2-to-6 tuple"
    kind = _literal_kind(value)
    return None if kind is None else f"returns {kind}, not a string or a 2-to-6 tuple"


def _is_str(value: ast.AST) -> bool:
    return isinstance(value, ast.JoinedStr) or isinstance(value, ast.Constant) and isinstance(value.value, str)


def _is_instance_dict(value: ast.AST) -> bool:
    """``self.__dict__`` or ``vars(self)`` (of the method's first parameter or not: a dict either way)."""
    if isinstance(value, ast.Attribute) and value.attr == "__dict__":
        return True
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "vars"
        and len(value.args) == 1
        and not value.keywords
    )


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
