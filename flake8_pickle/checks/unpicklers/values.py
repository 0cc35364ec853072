"""PKL104: what the expressions of a find_class evaluate to (literals, collections, names)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from ...catalog.conventions import COLLECTION_BUILDERS, MAPPING_WRAPPERS
from ...scope import Resolver
from ...symbols import LocalDef
from .model import (
    _DictValue,
    _ElementOf,
    _Imported,
    _MAX_EVAL_DEPTH,
    _ModuleFacts,
    _Terminal,
    _UNKNOWN_VALUE,
    _Unknown,
    _class_attribute,
    _class_body_binding,
    _combine,
    _members,
    _shape,
    _walk,
)

if TYPE_CHECKING:  # the listener imports this module
    from . import FindClassChecks


class _Reader:
    """What one class's find_class reads: its parameters, the literals and names its expressions
    evaluate to. The state of a grading; :class:`~.paths._PathWalk` and :class:`~.grading._MethodGrader`
    build on it."""
    def __init__(self, local: LocalDef, resolver: Resolver, facts: _ModuleFacts, checks: FindClassChecks):
        self.local = local
        self.resolver = resolver
        self.facts = facts
        self.checks = checks
        self.self_param: Optional[str] = None
        self.module_param = ""
        self.name_param = ""
        self.params: Set[str] = set()
        self.self_attributes: Set[str] = set()
        self.terminals: List[_Terminal] = []
        # Atoms are shared by many paths: fingerprint each node once (kept alive with it).
        self._shapes: Dict[int, Tuple[ast.AST, object]] = {}
        self._mentions: Dict[int, Tuple[ast.AST, bool]] = {}

    def _shape(self, node: ast.AST) -> object:
        cached = self._shapes.get(id(node))
        if cached is None:
            cached = self._shapes[id(node)] = (node, _shape(node))
        return cached[1]

    def _mentions_arguments(self, atom: ast.AST) -> bool:
        cached = self._mentions.get(id(atom))
        if cached is None:
            found = any(
                (isinstance(n, ast.Name) and n.id in (self.module_param, self.name_param)) or isinstance(n, _Unknown)
                for n in _walk(atom)
            )
            cached = self._mentions[id(atom)] = (atom, found)
        return cached[1]

    # ------------------------------------------------------------------ evaluating literals
    def _evaluate(
        self,
        expr: ast.AST,
        depth: int = 0,
        scope_cls: Optional[LocalDef] = None,
        method_scope: bool = True,
        visiting: FrozenSet[Tuple[int, str]] = frozenset(),
    ) -> object:
        """The value of a literal collection or string, following constants; _UNKNOWN_VALUE if not."""
        if depth > _MAX_EVAL_DEPTH:
            return _UNKNOWN_VALUE

        def again(node: ast.AST, cls: Optional[LocalDef] = scope_cls, seen: FrozenSet = visiting) -> object:
            return self._evaluate(node, depth + 1, cls, method_scope, seen)

        if isinstance(expr, ast.Constant):
            return expr.value
        if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
            items: List[object] = []
            for element in expr.elts:
                if isinstance(element, ast.Starred):
                    inner = _members(again(element.value))
                    if inner is None:
                        return _UNKNOWN_VALUE
                    items.extend(inner)
                    continue
                value = again(element)
                if value is _UNKNOWN_VALUE:
                    return _UNKNOWN_VALUE
                items.append(value)
            try:
                return frozenset(items) if isinstance(expr, ast.Set) else tuple(items)
            except TypeError:  # an unhashable element
                return _UNKNOWN_VALUE
        if isinstance(expr, ast.Dict):
            entries: Dict[object, ast.AST] = {}
            for key, value in zip(expr.keys, expr.values):
                if key is None:
                    inner = again(value)
                    if not isinstance(inner, _DictValue):
                        return _UNKNOWN_VALUE
                    entries.update(inner.items)
                    continue
                evaluated = again(key)
                if evaluated is _UNKNOWN_VALUE:
                    return _UNKNOWN_VALUE
                try:
                    entries[evaluated] = value
                except TypeError:  # an unhashable key
                    return _UNKNOWN_VALUE
            return _DictValue(entries, scope_cls)
        if isinstance(expr, ast.Call):
            return self._evaluate_call(expr, again)
        if isinstance(expr, ast.BinOp):
            return _combine(expr.op, again(expr.left), again(expr.right))
        if isinstance(expr, ast.Name):
            return self._evaluate_name(expr.id, depth, scope_cls, method_scope, visiting)
        if isinstance(expr, ast.Attribute):
            owner = self._attribute_owner(expr.value)
            if owner is None:
                return _UNKNOWN_VALUE
            if owner is self.local:
                self.self_attributes.add(expr.attr)
            found = _class_attribute(owner, expr.attr, self.facts)
            if found is None or (id(found[1]), expr.attr) in visiting:
                return _UNKNOWN_VALUE
            value, cls = found
            return self._evaluate(value, depth + 1, cls, False, visiting | {(id(cls), expr.attr)})
        return _UNKNOWN_VALUE

    def _evaluate_call(self, call: ast.Call, again: Callable[..., object]) -> object:
        names = self._names_of(call.func)
        builder = next((COLLECTION_BUILDERS[n] for n in names if n in COLLECTION_BUILDERS), None)
        if builder is not None and not call.keywords and len(call.args) <= 1:
            if not call.args:
                return builder()
            inner = _members(again(call.args[0]))
            return _UNKNOWN_VALUE if inner is None else builder(inner)
        if names & MAPPING_WRAPPERS and len(call.args) <= 1:
            entries: Dict[object, ast.AST] = {}
            scope_cls = None
            if call.args:
                inner = again(call.args[0])
                if not isinstance(inner, _DictValue):
                    return _UNKNOWN_VALUE
                entries.update(inner.items)
                scope_cls = inner.scope_cls
            for keyword in call.keywords:
                if keyword.arg is None:
                    return _UNKNOWN_VALUE
                entries[keyword.arg] = keyword.value
            return _DictValue(entries, scope_cls)
        return _UNKNOWN_VALUE

    def _evaluate_name(
        self, name: str, depth: int, scope_cls: Optional[LocalDef], method_scope: bool, visiting: FrozenSet
    ) -> object:
        if method_scope and name in self.params:
            return _UNKNOWN_VALUE
        if scope_cls is not None:
            found = _class_body_binding(scope_cls, name, self.facts)
            if found is not False:
                if found is None or (id(scope_cls), name) in visiting:
                    return _UNKNOWN_VALUE
                return self._evaluate(found, depth + 1, scope_cls, False, visiting | {(id(scope_cls), name)})
        value = self.facts.constant(name)
        if value is None or (0, name) in visiting:
            return _UNKNOWN_VALUE
        return self._evaluate(value, depth + 1, None, False, visiting | {(0, name)})

    def _attribute_owner(self, expr: ast.AST, depth: int = 0) -> Optional[LocalDef]:
        """The class ``self.X``, ``cls.X``, ``type(self).X`` or ``ClassName.X`` reads from."""
        if depth > 4:
            return None
        if isinstance(expr, ast.Name) and self.self_param is not None and expr.id == self.self_param:
            return self.local
        if isinstance(expr, ast.Attribute) and expr.attr == "__class__":
            return self._attribute_owner(expr.value, depth + 1)
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "type"
            and len(expr.args) == 1
        ):
            return self._attribute_owner(expr.args[0], depth + 1)
        if isinstance(expr, ast.Name) and expr.id not in self.params:
            classes = [s for s in self.resolver.lookup(expr.id) if isinstance(s, LocalDef) and s.kind == "class"]
            if len(classes) == 1:
                return classes[0]
        return None

    # ------------------------------------------------------------------ names
    def _names_of(self, expr: ast.AST) -> Set[str]:
        """Qualified names of a dotted expression of the method (imports inside it included)."""
        attrs: List[str] = []
        node = expr
        while isinstance(node, ast.Attribute) and len(attrs) < 16:
            attrs.append(node.attr)
            node = node.value
        if isinstance(node, _Imported):
            bases = {node.qualified}
        elif isinstance(node, ast.Name) and node.id not in self.params:
            bases = {s for s in self.resolver.lookup(node.id) if isinstance(s, str)}
        else:
            return set()
        suffix = "".join("." + a for a in reversed(attrs))
        return {b + suffix for b in bases}

    def _object_names(self, expr: ast.AST) -> Tuple[Set[str], bool]:
        """What a returned object is: qualified names, and whether it is known at all."""
        if isinstance(expr, ast.Constant):
            return set(), True
        names = self._names_of(expr)
        if not names and not any(
            isinstance(n, (_Unknown, _ElementOf, _Imported)) or (isinstance(n, ast.Name) and n.id in self.params)
            for n in _walk(expr)
        ):
            symbols = self.resolver.symbols_of(expr)
            names = {s for s in symbols if isinstance(s, str)}
            if not names and any(isinstance(s, LocalDef) and s.kind == "class" for s in symbols):
                return set(), True  # a class of this module
        if any("(" in n for n in names):
            return set(), False
        return names, bool(names)
