"""What the class-protocol rules read of a class: its methods, its lineage through local bases, and
small readers of one method body (``self`` and its attributes, the live ``__dict__``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from ...symbols import LocalDef
from ...shapes import block_statements as _statements, literal_str, positional_args

# --------------------------------------------------------------------------- tables

#: Dict methods that change the dict they are called on (PKL303).
_DICT_MUTATORS = frozenset(("pop", "popitem", "update", "clear", "setdefault", "__delitem__", "__setitem__"))
#: Methods a fresh object is built without; reads in them do not count for PKL305.
_NOT_AFTER_LOAD = frozenset(("__init__", "__new__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__"))
#: Defining any of these replaces the default pickling of an exception (measured: the
#: ``__getnewargs__`` family does not, ``BaseException.__reduce__`` ignores it).
_REBUILD_HOOKS = ("__reduce__", "__reduce_ex__")
_OBJECT_ATTRIBUTES = frozenset(dir(object))
_MAX_SHOWN = 48
_MAX_DEPTH = 8
_MAX_ALTERNATIVES = 8

Method = ast.FunctionDef


# --------------------------------------------------------------------------- walking one method


def _own_expressions(statement: ast.stmt) -> Iterator[ast.AST]:
    """Expression nodes belonging to one statement itself (not its nested statements or lambdas)."""
    stack: List[ast.AST] = [
        child for child in ast.iter_child_nodes(statement) if not isinstance(child, (ast.stmt, ast.excepthandler))
    ]
    if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        stack.extend(h.type for h in statement.handlers if h.type is not None)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.Lambda):
            continue
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.stmt))


def _expressions(body: Sequence[ast.stmt]) -> Iterator[Tuple[ast.stmt, ast.AST]]:
    """(statement, expression node) for every expression in a method body, in statement order."""
    for statement in _statements(body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in _own_expressions(statement):
            yield statement, node


def _positional(function: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]) -> List[ast.arg]:
    return positional_args(function.args)


def _self_name(function: ast.FunctionDef) -> Optional[str]:
    positional = _positional(function)
    return positional[0].arg if positional else None


def _is_self_attr(node: ast.AST, self_name: Optional[str], attr: Optional[str] = None) -> bool:
    """``self.<attr>`` (any attribute when ``attr`` is None)."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == self_name
        and (attr is None or node.attr == attr)
    )


def _is_super_call(node: ast.AST) -> bool:
    """``super()`` or ``super(Cls, self)``."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _is_vars_of_self(node: ast.AST, self_name: Optional[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "vars"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == self_name
    )


def is_live_dict(node: ast.AST, self_name: Optional[str]) -> bool:
    """``self.__dict__`` or ``vars(self)``: the object's own attribute dictionary."""
    return _is_self_attr(node, self_name, "__dict__") or _is_vars_of_self(node, self_name)


def is_dict_copy(node: ast.AST, self_name: Optional[str]) -> bool:
    """A shallow copy of the live dict: ``.copy()``, ``dict(...)``, ``copy.copy(...)``, ``{**...}``."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "copy" and not node.args:
            return is_live_dict(func.value, self_name)
        if node.args and is_live_dict(node.args[0], self_name):
            if isinstance(func, ast.Name) and func.id == "dict":
                return True
            if isinstance(func, ast.Attribute) and func.attr == "copy" and isinstance(func.value, ast.Name):
                return func.value.id == "copy"
    if isinstance(node, ast.Dict) and node.keys and node.keys[0] is None:
        return is_live_dict(node.values[0], self_name)
    return False


def _method_reads(function: ast.FunctionDef, attr: str) -> bool:
    """Does the method read ``self.<attr>`` (a plain read, not ``getattr(self, name, default)``)?"""
    self_name = _self_name(function)
    for _, node in _expressions(function.body):
        if _is_self_attr(node, self_name, attr) and isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
            return True
    return False


def _method_stores(function: ast.FunctionDef, attr: str) -> bool:
    """Does the method assign ``self.<attr>`` (or ``setattr(self, "<attr>", ...)``)?"""
    self_name = _self_name(function)
    for _, node in _expressions(function.body):
        if _is_self_attr(node, self_name, attr) and isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
            return True
        if isinstance(node, ast.Call) and len(node.args) >= 2 and literal_str(node.args[1]) == attr:
            if isinstance(node.func, ast.Name) and node.func.id == "setattr":
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__":
                return True
    return False


def _stores_before_reading(function: ast.FunctionDef, attr: str) -> bool:
    """Does the method set ``self.<attr>`` before any read of it (statement by statement, a
    statement's reads first: ``sent, self._pending = self._pending, []`` reads first), or ask
    whether it is there (``hasattr(self, "<attr>")``, ``getattr(self, "<attr>", None)``)? Then it may
    be what sets it lazily; a method that reads it first fails on an object that lacks it."""
    self_name = _self_name(function)
    for statement in _statements(function.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stores = False
        for node in _own_expressions(statement):
            if _is_self_attr(node, self_name, attr):
                if isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                    return False
                stores = True
            elif isinstance(node, ast.Call) and len(node.args) >= 2 and literal_str(node.args[1]) == attr:
                if isinstance(node.func, ast.Name) and node.func.id in ("setattr", "hasattr", "getattr"):
                    return True
                if isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__":
                    return True
        if stores:
            return True
    return False


# --------------------------------------------------------------------------- the class model


@dataclass(eq=False)
class ClassFacts:
    """One class of the module: its node, resolver record and the methods defined in its body."""

    node: ast.ClassDef
    local: LocalDef
    methods: Dict[str, List[ast.AST]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.node.name

    def method(self, name: str) -> Optional[Method]:
        """The method ``name`` defined in this class body, if it is one plain ``def``."""
        defs = self.methods.get(name)
        if not defs or len(defs) != 1 or not isinstance(defs[0], ast.FunctionDef):
            return None
        return defs[0]


def _member_function(cls: LocalDef, name: str) -> Optional[ast.AST]:
    """The node of method ``name`` bound in ``cls``'s body, if it is exactly one function."""
    symbols = cls.members.get(name)
    if symbols is None or len(symbols) != 1:
        return None
    symbol = next(iter(symbols))
    if isinstance(symbol, LocalDef) and symbol.kind == "function":
        return symbol.node
    return None


def _is_property(function: ast.FunctionDef) -> bool:
    """A getter: ``@property`` its only decorator."""
    return len(function.decorator_list) == 1 and isinstance(function.decorator_list[0], ast.Name) and function.decorator_list[0].id == "property"


def _is_dunder(name: str) -> bool:
    """``__dict__``, ``__class__``: Python's own names (a private ``__name`` is mangled, not one)."""
    return name.startswith("__") and name.endswith("__")
