"""PKL303-PKL305: a class's own state hooks. PKL304 (``__getstate__`` that returns state still
holding a resource attribute) is the listener here; PKL303 (``__getstate__`` that mutates the live
``__dict__``) and PKL305 (``__setstate__`` that does not restore what ``__getstate__`` dropped) are
read by :class:`~flake8_pickle.checks.protocol.ProtocolChecks` with the helpers at the end.

For PKL304:

Reads the shape of the returned state syntactically (one method body at a time):
which attributes of ``self.__dict__`` it starts from, which keys it deletes,
pops, filters out or overwrites. When the shape is not one of these, it says
nothing.
"""

from __future__ import annotations

import ast
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple

from ...classes import PICKLE, ClassInfo, ClassModel, Held
from ...findings import Finding, shown
from ...rules import message
from ...scope import ClassNeeds, Listener, Resolver
from ...shapes import block_statements as _statements, literal_str
from ...classes import Lineage
from .model import (
    _DICT_MUTATORS,
    _MAX_DEPTH,
    _MAX_SHOWN,
    Method,
    _expressions,
    _is_self_attr,
    _member_function,
    _method_stores,
    _own_expressions,
    _self_name,
    is_dict_copy,
    is_live_dict,
)

_ALL = "*"


def _is_self_dict(node: ast.AST) -> bool:
    """``self.__dict__``, ``vars(self)``, or a copy of them (``copy.deepcopy`` keeps every key too)."""
    if is_live_dict(node, "self") or is_dict_copy(node, "self"):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "deepcopy"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "copy"
        and len(node.args) == 1
        and is_live_dict(node.args[0], "self")
    )


def _constant_key(node: ast.AST) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _excluded_by_filter(test: ast.AST, key: str) -> Set[str]:
    """Keys a comprehension condition such as ``k not in ("_lock",)`` or ``k != "_lock"`` removes."""
    out: Set[str] = set()
    tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    for part in tests:
        if not (isinstance(part, ast.Compare) and len(part.ops) == 1):
            continue
        left, op, right = part.left, part.ops[0], part.comparators[0]
        if not (isinstance(left, ast.Name) and left.id == key):
            continue
        if isinstance(op, ast.NotEq) and _constant_key(right):
            out.add(_constant_key(right))  # type: ignore[arg-type]
        elif isinstance(op, ast.NotIn) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            out |= {k for k in (_constant_key(e) for e in right.elts) if k}
    return out


def kept_attributes(method: ast.AST) -> Optional[Tuple[Set[str], Set[str]]]:
    """(included, excluded) keys of the state ``method`` returns; ``*`` means every attribute.

    None when the shape is not understood (the rule then stays silent).
    """
    states: Dict[str, Tuple[Set[str], Set[str]]] = {}
    result: Optional[Tuple[Set[str], Set[str]]] = None
    for statement in getattr(method, "body", []):
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            shape = _shape(statement.value, states)
            if shape is not None:
                states[statement.targets[0].id] = shape
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in states:
                    key = _constant_key(target.slice)
                    if key:
                        states[target.value.id][1].add(key)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in states:
                if func.attr == "pop" and call.args and _constant_key(call.args[0]):
                    states[func.value.id][1].add(_constant_key(call.args[0]))  # type: ignore[arg-type]
                elif func.attr == "update" and call.args and isinstance(call.args[0], ast.Dict):
                    for key_node in call.args[0].keys:
                        if key_node is not None and _constant_key(key_node):
                            states[func.value.id][1].add(_constant_key(key_node))  # type: ignore[arg-type]
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in states:
                key = _constant_key(target.slice)
                if key:
                    states[target.value.id][1].add(key)  # overwritten: no longer the resource
        elif isinstance(statement, ast.Return) and statement.value is not None:
            shape = _shape(statement.value, states)
            if shape is None:
                return None
            result = shape if result is None else (result[0] | shape[0], result[1] & shape[1])
        elif isinstance(statement, (ast.If, ast.For, ast.While, ast.Try, ast.With)):
            return None  # branches: too many shapes to be sure
    return result


def _shape(value: ast.AST, states: Dict[str, Tuple[Set[str], Set[str]]]) -> Optional[Tuple[Set[str], Set[str]]]:
    if isinstance(value, ast.Name) and value.id in states:
        included, excluded = states[value.id]
        return included, excluded
    if _is_self_dict(value):
        return {_ALL}, set()
    if isinstance(value, ast.Dict):
        included: Set[str] = set()
        for key, item in zip(value.keys, value.values):
            if key is None:
                if not _is_self_dict(item):
                    return None
                included.add(_ALL)
            elif _constant_key(key):
                included.add(_constant_key(key))  # type: ignore[arg-type]
            else:
                return None
        return included, set()
    if isinstance(value, ast.DictComp) and len(value.generators) == 1:
        generator = value.generators[0]
        iterator = generator.iter
        if (
            isinstance(iterator, ast.Call)
            and isinstance(iterator.func, ast.Attribute)
            and iterator.func.attr == "items"
            and _is_self_dict(iterator.func.value)
            and isinstance(generator.target, ast.Tuple)
            and isinstance(generator.target.elts[0], ast.Name)
        ):
            key = generator.target.elts[0].id
            excluded: Set[str] = set()
            for test in generator.ifs:
                excluded |= _excluded_by_filter(test, key)
            return {_ALL}, excluded
    return None


class GetstateChecks(Listener):
    """PKL304, once the class model knows every class's attributes."""

    needs = ClassNeeds(whole_class=frozenset({"__getstate__"}))

    def __init__(self, model: ClassModel, report: Callable[[Finding], None]):
        self.model = model
        self.report = report

    def on_module_end(self, resolver: Resolver) -> None:
        for info in sorted(self.model.classes.values(), key=lambda i: getattr(i.local.node, "lineno", 0)):
            if "__getstate__" not in info.protocols:
                continue
            method = _method(info, "__getstate__")
            if method is None:
                continue
            shape = kept_attributes(method)
            if shape is None:
                continue
            included, excluded = shape
            for name, held in self._resource_attributes(info):
                kept = (_ALL in included or name in included) and name not in excluded
                if kept:
                    text = message("PKL304", cls=info.local.name, resource=held.describe())
                    self.report(Finding(method.lineno, method.col_offset, "PKL304", text, held.related()))
                    break

    def _resource_attributes(self, info: ClassInfo) -> List[Tuple[str, Held]]:
        cls = info.local
        attributes = [(n, s, line) for n, (s, line) in info.fields.items()]
        attributes += [(n, s, cls.attr_lines.get(n)) for n, s in cls.instance_attrs.items()]
        out = []
        for name, symbols, line in sorted(attributes, key=lambda a: (a[2] or 0, a[0])):
            held = self.model.held_by(symbols, PICKLE)
            if held is not None:
                out.append((name, Held(held.resource, held.facts, f"self.{name}", held.line or line, cls)))
        return out


def _method(info: ClassInfo, name: str) -> Optional[ast.FunctionDef]:
    for statement in getattr(info.local.node, "body", []):
        if isinstance(statement, ast.FunctionDef) and statement.name == name:
            return statement
    return None


# --------------------------------------------------------------------------- PKL303 and PKL305


def _simple_bindings(statement: ast.stmt) -> Iterator[Tuple[str, Optional[ast.AST]]]:
    """Names a statement rebinds, with the value when it is a plain ``name = value``."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Name):
                yield target.id, statement.value
            else:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        yield node.id, None
    elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        yield statement.target.id, statement.value
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        for node in ast.walk(statement.target):
            if isinstance(node, ast.Name):
                yield node.id, None
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        for item in statement.items:
            if item.optional_vars is not None:
                for node in ast.walk(item.optional_vars):
                    if isinstance(node, ast.Name):
                        yield node.id, None


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
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    for node in _own_expressions(statement):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _DICT_MUTATORS:
            found = live(node.func.value)
            if found is not None:
                return found
    return None


def _dropped_attributes(getstate: Method, chain: Lineage) -> Set[str]:
    """Attributes the returned state leaves out: deleted or popped from a copy, or not in a dict literal."""
    self_name = _self_name(getstate)
    states: Set[str] = set()
    dropped: Set[str] = set()
    returned_state = False
    literal_keys: Optional[Set[str]] = None
    for statement in _statements(getstate.body):
        for name, value in _simple_bindings(statement):
            if value is not None and (is_live_dict(value, self_name) or is_dict_copy(value, self_name)):
                states.add(name)
            else:
                states.discard(name)
        if isinstance(statement, ast.Delete):
            for target in statement.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    key = literal_str(target.slice)
                    if target.value.id in states and key is not None:
                        dropped.add(key)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in _own_expressions(statement):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "pop"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in states
                and node.args
            ):
                key = literal_str(node.args[0])
                if key is not None:
                    dropped.add(key)
        if isinstance(statement, ast.Return) and statement.value is not None:
            value = statement.value
            if isinstance(value, ast.Name) and value.id in states:
                returned_state = True
            elif isinstance(value, ast.Dict) and literal_keys is None:
                keys = [literal_str(k) if k is not None else None for k in value.keys]
                if all(k is not None for k in keys):
                    literal_keys = {k for k in keys if k is not None}
    if literal_keys is not None and not returned_state:
        init_attrs: Set[str] = set()
        for cls in chain.classes:
            init = _member_function(cls, "__init__")
            if isinstance(init, ast.FunctionDef):
                init_self = _self_name(init)
                for _, node in _expressions(init.body):
                    if _is_self_attr(node, init_self) and isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
                        init_attrs.add(node.attr)  # type: ignore[attr-defined]
        return init_attrs - literal_keys
    return dropped if returned_state else set()


def _restores(setstate: ast.FunctionDef, attr: str, chain: Lineage, seen: Set[ast.AST]) -> Optional[bool]:
    """True if ``__setstate__`` (or a method it calls) sets ``attr``; None if it calls what we cannot read."""
    if setstate in seen or len(seen) > _MAX_DEPTH:
        return None
    seen.add(setstate)
    self_name = _self_name(setstate)
    if _method_stores(setstate, attr):
        return True
    unsure = False
    for _, node in _expressions(setstate.body):
        if isinstance(node, ast.Constant) and node.value == attr:
            return True  # state["attr"] = ..., state.setdefault("attr", ...), setattr(..., "attr", ...)
        if isinstance(node, ast.keyword) and node.arg == attr:
            return True
        if not isinstance(node, ast.Call):
            continue
        if any(isinstance(a, ast.Name) and a.id == self_name for a in node.args):
            unsure = True  # helper(self) may set it
        func = node.func
        if _is_self_attr(func, self_name):
            called = func.attr  # type: ignore[attr-defined]
            owner = next((c for c in chain.classes if called in c.members), None)
            helper = _member_function(owner, called) if owner is not None else None
            if not isinstance(helper, ast.FunctionDef):
                unsure = True
                continue
            found = _restores(helper, attr, chain, seen)
            if found is not False:
                return found
        elif isinstance(func, ast.Attribute) and func.attr == "__setstate__":
            unsure = True  # super().__setstate__(state): a base may rebuild it
    return None if unsure else False
