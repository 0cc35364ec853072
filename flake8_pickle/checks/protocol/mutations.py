"""PKL303: a ``__getstate__`` that mutates the live ``__dict__`` (``del self.__dict__["_lock"]``,
``state = self.__dict__; state.pop("_sock")``) or clears an attribute of the live object (``self.request
= None``, ``del self._sock``): pickling the object changes it. Read by
:class:`~flake8_pickle.checks.protocol.ProtocolChecks`, path by path through the method."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from ...findings import shown
from ...pathwalk import GiveUp, PathInterpreter
from .model import _DICT_MUTATORS, _MAX_SHOWN, Method, _own_expressions, _self_name, is_live_dict
from .state import _simple_bindings


def _mutated_live_dict(statement: ast.stmt, self_name: Optional[str], aliases: Dict[str, str]) -> Optional[str]:
    """How a statement changes the live ``__dict__`` (the alias or expression it goes through), or None."""

    def live(node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Name) and node.id in aliases:
            return aliases[node.id]
        if is_live_dict(node, self_name):
            return shown(node, _MAX_SHOWN)
        return None

    targets: List[ast.AST] = []
    if isinstance(statement, ast.Delete):
        targets = list(statement.targets)
    elif isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
        if isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.BitOr):
            found = live(statement.target)
            if found is not None:
                return found
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Subscript):
                found = live(node.value)
                if found is not None:
                    return found
    dropped = _dropped_attribute(statement, targets, self_name)
    if dropped is not None:
        return dropped
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    for node in _own_expressions(statement):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _DICT_MUTATORS:
            found = live(node.func.value)
            if found is not None:
                return found
    return None


def _dropped_attribute(statement: ast.stmt, targets: List[ast.AST], self_name: Optional[str]) -> Optional[str]:
    """``del self.request``, ``self.request = None`` (or another empty value: ``0``, ``""``, ``[]``):
    the live object loses what the attribute held (gradio's ``Request.__getstate__``). A value
    (``self._digest = compute()``, a cache filled on the way; ZEO's test setting ``self.name = 'me'``)
    is left alone."""
    if self_name is None:
        return None
    value = getattr(statement, "value", None)
    clears = isinstance(statement, ast.Delete) or (
        isinstance(statement, (ast.Assign, ast.AnnAssign))
        and value is not None
        and ((isinstance(value, ast.Constant) and not value.value) or (isinstance(value, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and not _elements(value)))
    )
    if not clears:
        return None
    for target in targets:
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == self_name:
            return shown(target, _MAX_SHOWN)
    return None


def _elements(display: ast.expr) -> List[ast.AST]:
    return list(getattr(display, "elts", None) or getattr(display, "keys", None) or [])


class _MutationWalk(PathInterpreter[Tuple[Tuple[str, str], ...], None]):
    """The PKL303 domain of the path interpreter: on each path, the local names bound to the live
    ``__dict__`` (with the binding shown in the message); each statement that mutates it through
    one of them, or directly, is recorded once."""

    def __init__(self, self_name: Optional[str]):
        super().__init__()
        self.self_name = self_name
        self.found: Dict[int, Tuple[ast.stmt, str]] = {}

    def visit(self, statement: ast.stmt, paths: List[Tuple[Tuple[str, str], ...]], depth: int, mode: None) -> List[Tuple[Tuple[str, str], ...]]:
        if id(statement) not in self.found:
            for aliases in paths:
                target = _mutated_live_dict(statement, self.self_name, dict(aliases))
                if target is not None:
                    self.found[id(statement)] = (statement, target)
                    break
        return paths

    def effect(self, path: Tuple[Tuple[str, str], ...], statement: ast.stmt) -> Tuple[Tuple[str, str], ...]:
        aliases = dict(path)
        for name, value in _simple_bindings(statement):
            if value is not None and is_live_dict(value, self.self_name):
                aliases[name] = f"{name} = {shown(value, _MAX_SHOWN)}"
            else:
                aliases.pop(name, None)
        return tuple(sorted(aliases.items()))

    def rebind(self, path: Tuple[Tuple[str, str], ...], names: List[str]) -> Tuple[Tuple[str, str], ...]:
        return tuple(item for item in path if item[0] not in names)

    def join(self, paths: List[Tuple[Tuple[str, str], ...]]) -> List[Tuple[Tuple[str, str], ...]]:
        return list(dict.fromkeys(paths))


def live_dict_mutations(getstate: Method) -> List[Tuple[ast.stmt, str]]:
    """The statements of ``__getstate__`` that change the live ``__dict__``, each with the alias or
    expression it goes through, in source order. A method too large to follow to the end reports
    what the paths followed met."""
    walk = _MutationWalk(_self_name(getstate))
    try:
        walk.walk(getstate.body, [()], None)
    except GiveUp:
        pass
    return sorted(walk.found.values(), key=lambda item: (item[0].lineno, item[0].col_offset))
