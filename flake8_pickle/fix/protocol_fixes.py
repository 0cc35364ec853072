"""Fixes inside existing protocol methods: PKL303 (``__getstate__``) and PKL308 (``__getattr__``)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import PositionProvider

from ..findings import Finding
from .base import SAFE, Decline, FixCodemod, FixFacts, Plan, blank_line, class_body_statements


def _method_around(facts: FixFacts, line: int, name: str) -> Optional[ast.FunctionDef]:
    """The ``def name`` that directly belongs to a class and contains ``line``."""
    for node in ast.walk(facts.tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.FunctionDef)
                    and statement.name == name
                    and statement.lineno <= line <= (statement.end_lineno or statement.lineno)
                ):
                    return statement
    return None


def _self_name(function: ast.FunctionDef) -> Optional[str]:
    positional = [*function.args.posonlyargs, *function.args.args]
    return positional[0].arg if positional else None


# --------------------------------------------------------------------------- PKL303

_ALIAS = re.compile(r"through (?P<alias>[A-Za-z_][A-Za-z0-9_]*) = (?P<value>.+)$")


@dataclass(frozen=True)
class CopyStatePayload:
    """Which alias of the live ``__dict__`` in which ``__getstate__`` becomes a copy."""

    alias: str
    self_name: str


class GetstateCopyFix(FixCodemod):
    """``state = self.__dict__`` -> ``state = self.__dict__.copy()`` in a mutating ``__getstate__``."""

    CODES = frozenset({"PKL303"})
    SAFETIES = frozenset({SAFE})
    DESCRIPTION = "state = self.__dict__ -> state = self.__dict__.copy() in __getstate__"

    @classmethod
    def plan(cls, finding: Finding, facts: FixFacts) -> Union[Plan, Decline]:
        match = _ALIAS.search(finding.message)
        if match is None:
            return Decline(finding, "__getstate__ changes self.__dict__ itself, not a name bound to it; fix it by hand")
        method = _method_around(facts, finding.line, "__getstate__")
        self_name = _self_name(method) if method is not None else None
        key = facts.key_of(method) if method is not None else None
        if method is None or self_name is None or key is None:
            return Decline(finding, "the __getstate__ method was not found")
        return Plan(finding, SAFE, target=key, payload=CopyStatePayload(match.group("alias"), self_name))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        plans = self.plans_for(self.current_key)
        if not plans or len(updated_node.targets) != 1:
            return updated_node
        payload: CopyStatePayload = plans[0].payload
        target = updated_node.targets[0].target
        if not (isinstance(target, cst.Name) and target.value == payload.alias):
            return updated_node
        if not _is_live_dict(updated_node.value, payload.self_name):
            return updated_node
        copied = cst.Call(func=cst.Attribute(value=updated_node.value, attr=cst.Name("copy")))
        self.applied.add(self.current_key)
        return updated_node.with_changes(value=copied)


def _is_live_dict(node: cst.BaseExpression, self_name: str) -> bool:
    if isinstance(node, cst.Attribute):
        return isinstance(node.value, cst.Name) and node.value.value == self_name and node.attr.value == "__dict__"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "vars":
        return (
            len(node.args) == 1
            and isinstance(node.args[0].value, cst.Name)
            and node.args[0].value.value == self_name
            and node.args[0].keyword is None
            and node.args[0].star == ""
        )
    return False


# --------------------------------------------------------------------------- PKL308

_RECURSION = re.compile(r"reads self\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*), missing on a copied")
_KEY_ERROR = "can raise KeyError"


@dataclass(frozen=True)
class GetattrPayload:
    """One part of a ``__getattr__`` repair: wrap the statement at ``line``; route ``attribute`` via ``__dict__``."""

    line: int
    name_parameter: str
    self_name: str
    attribute: Optional[str] = None
    #: False when a ``try``/``except KeyError`` already surrounds the statement.
    wrap: bool = True
    #: The key of ``attribute`` in ``__dict__``: a private ``self.__x`` of class ``C`` is ``_C__x``.
    key: Optional[str] = None


class GetattrErrorFix(FixCodemod):
    """Wraps a ``__getattr__`` lookup so a missing name raises ``AttributeError``, not ``KeyError``.

    When ``__getattr__`` reads an attribute that a copied or unpickled object does
    not have yet (``self._data``), the read goes through ``self.__dict__`` as well,
    so it fails with the same ``AttributeError`` instead of recursing.
    """

    CODES = frozenset({"PKL308"})
    SAFETIES = frozenset({SAFE})
    DESCRIPTION = "turn a KeyError (or recursion) in __getattr__ into AttributeError"
    METADATA_DEPENDENCIES = (PositionProvider,)

    @classmethod
    def plan(cls, finding: Finding, facts: FixFacts) -> Union[Plan, Decline]:
        recursion = _RECURSION.search(finding.message)
        if _KEY_ERROR not in finding.message and recursion is None:
            return Decline(finding, "__getattr__ raises another exception explicitly; change it by hand")
        method = _method_around(facts, finding.line, "__getattr__")
        if method is None:
            return Decline(finding, "the __getattr__ method was not found")
        positional = [*method.args.posonlyargs, *method.args.args]
        key = facts.key_of(method)
        if len(positional) < 2 or key is None:
            return Decline(finding, "__getattr__ has no name parameter")
        statement = _innermost_statement(method, finding.line)
        if statement is None:
            return Decline(finding, "the lookup is not in a simple statement of __getattr__")
        attribute = recursion.group("attr") if recursion else None
        payload = GetattrPayload(
            statement.lineno,
            positional[1].arg,
            positional[0].arg,
            attribute,
            wrap=not _inside_key_error_handler(method, statement),
            # ``_method_around`` finds methods directly in a class body: the key's path ends with that class.
            key=_mangled(attribute, key[0][-2] if len(key[0]) > 1 else None) if attribute else None,
        )
        return Plan(finding, SAFE, target=key, payload=payload)

    def _payloads(self) -> List[GetattrPayload]:
        return [p.payload for p in self.plans_for(self.current_key)]

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return False  # ``self._data = ...`` is a store, not a read to reroute

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        payloads = self._payloads()
        attributes = {p.attribute for p in payloads if p.attribute}
        if not attributes:
            return updated_node
        self_name = payloads[0].self_name
        value = updated_node.value
        if isinstance(value, cst.Name) and value.value == self_name and updated_node.attr.value in attributes:
            self.applied.add(self.current_key)
            key = next(p.key for p in payloads if p.attribute == updated_node.attr.value) or updated_node.attr.value
            return cst.parse_expression(f'{self_name}.__dict__["{key}"]')
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Union[cst.BaseStatement, cst.FlattenSentinel, cst.RemovalSentinel]:
        payloads = self._payloads()
        if not payloads:
            return updated_node
        start = self.get_metadata(PositionProvider, original_node).start.line
        if not any(p.line == start and p.wrap for p in payloads):
            return updated_node
        name = payloads[0].name_parameter
        module = self.module
        indent = module.default_indent
        template = (
            "try:\n"
            f"{indent}pass\n"
            "except KeyError:\n"
            f"{indent}raise AttributeError({name}) from None\n"
        ).replace("\n", module.default_newline)
        wrapper = cst.parse_statement(template, config=module.config_for_parsing)
        assert isinstance(wrapper, cst.Try) and isinstance(wrapper.body, cst.IndentedBlock)
        inner = updated_node.with_changes(leading_lines=())
        wrapped = wrapper.with_changes(
            body=wrapper.body.with_changes(body=[inner]),
            leading_lines=updated_node.leading_lines,
        )
        self.applied.add(self.current_key)
        return wrapped


_CATCHES_KEY_ERROR = frozenset({"KeyError", "LookupError", "Exception", "BaseException"})


def _mangled(attribute: str, class_name: Optional[str]) -> str:
    """What ``self.<attribute>`` is called in ``__dict__`` inside class ``class_name``."""
    if attribute.startswith("__") and not attribute.endswith("__") and class_name and class_name.strip("_"):
        return f"_{class_name.lstrip('_')}{attribute}"
    return attribute


def _inside_key_error_handler(function: ast.FunctionDef, statement: ast.stmt) -> bool:
    """Whether ``statement`` sits in the body of a ``try`` of ``function`` that catches ``KeyError``."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Try):
            continue
        if not any(statement is inner for top in node.body for inner in ast.walk(top)):
            continue
        for handler in node.handlers:
            caught = handler.type
            names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
            if caught is None or any(isinstance(n, ast.Name) and n.id in _CATCHES_KEY_ERROR for n in names):
                return True
    return False


def _innermost_statement(function: ast.FunctionDef, line: int) -> Optional[ast.stmt]:
    """The simple statement of ``function`` (outside nested definitions) whose lines contain ``line``."""
    best: Optional[ast.stmt] = None
    stack: List[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            if best is None or node.lineno >= best.lineno:
                best = node
        stack.extend(ast.iter_child_nodes(node))
    simple = (ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Raise, ast.Assert, ast.Delete)
    if best is None or not isinstance(best, simple):
        return None
    return best


# --------------------------------------------------------------------------- PKL302


@dataclass(frozen=True)
class ReducePayload:
    """The attributes, in ``__init__``'s parameter order, that rebuild the exception."""

    attributes: Tuple[str, ...]
    #: Keyword-only parameters and the attributes that store them: passed through
    #: ``functools.partial`` (a reduce tuple carries positional arguments only).
    keywords: Tuple[Tuple[str, str], ...] = ()


class ExceptionReduceFix(FixCodemod):
    """Adds ``__reduce__`` to an exception so copies are rebuilt from the stored constructor arguments."""

    CODES = frozenset({"PKL302"})
    SAFETIES = frozenset({SAFE})
    DESCRIPTION = "add __reduce__ returning (self.__class__, (stored constructor arguments...))"

    @classmethod
    def plan(cls, finding: Finding, facts: FixFacts) -> Union[Plan, Decline]:
        node = facts.class_at(finding.line, finding.col)
        key = facts.key_of(node) if node is not None else None
        if node is None or key is None:
            return Decline(finding, "the class was not found")
        init = next(
            (s for s in reversed(node.body) if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
        )
        if init is None:
            return Decline(finding, "__init__ is inherited; add __reduce__ where it is defined")
        if init.decorator_list:
            return Decline(finding, "__init__ is decorated")
        if any(isinstance(s, ast.FunctionDef) and s.name in ("__reduce__", "__reduce_ex__") for s in node.body):
            return Decline(finding, "the class already defines __reduce__")
        args = init.args
        if args.vararg or args.kwarg:
            return Decline(finding, "__init__ takes *args or **kwargs")
        positional = [*args.posonlyargs, *args.args][1:]
        stored_as: Dict[str, str] = {}
        for parameter in [*positional, *args.kwonlyargs]:
            stored = _stored_parameter(init, parameter.arg)
            if stored is None:
                reason = f"__init__ does not store parameter {parameter.arg!r} unchanged in an attribute"
                return Decline(finding, reason)
            stored_as[parameter.arg] = stored
        if not stored_as:
            return Decline(finding, "__init__ takes no arguments to rebuild from")
        keywords = tuple((p.arg, stored_as[p.arg]) for p in args.kwonlyargs)
        if keywords and "functools" in facts.analysis.resolver.module_scope.bindings:
            if facts.analysis.resolver.module_scope.bindings["functools"] != frozenset({"functools"}):
                return Decline(finding, "the module binds the name functools to something else")
        payload = ReducePayload(tuple(stored_as[p.arg] for p in positional), keywords)
        return Plan(finding, SAFE, target=key, payload=payload)

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        plans = self.plans_for(self.current_key)
        if not plans or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        payload: ReducePayload = plans[0].payload
        fields = ", ".join(f"self.{a}" for a in payload.attributes)
        if len(payload.attributes) == 1:
            fields += ","
        rebuild = "self.__class__"
        if payload.keywords:
            AddImportsVisitor.add_needed_import(self.context, "functools")
            passed = ", ".join(f"{parameter}=self.{attr}" for parameter, attr in payload.keywords)
            rebuild = f"functools.partial(self.__class__, {passed})"
        # Only for this very class (``__class__`` is it, whatever its name is bound to later): a
        # subclass whose ``__init__`` takes other arguments keeps the pickling it had. The state
        # (``__dict__``: notes, attributes set later) travels as in BaseException's own reduce.
        code = (
            "def __reduce__(self):\n"
            "    if type(self) is not __class__:\n"
            "        return super().__reduce__()\n"
            f"    return ({rebuild}, ({fields}), self.__dict__)\n"
        )
        method = class_body_statements(code, self.module)[0].with_changes(leading_lines=[blank_line()])
        body = list(updated_node.body.body)
        position = max(
            (i + 1 for i, s in enumerate(body) if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"),
            default=len(body),
        )
        body.insert(position, method)
        self.applied.add(self.current_key)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))


def _stored_parameter(init: ast.FunctionDef, parameter: str) -> Optional[str]:
    """The attribute ``__init__`` stores ``parameter`` in, unchanged and only once, at its top level."""
    self_name = _self_name(init)
    rebinds = any(
        isinstance(n, ast.Name) and n.id == parameter and isinstance(n.ctx, (ast.Store, ast.Del))
        for n in ast.walk(init)
    )
    if rebinds:
        return None
    for statement in init.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        target = statement.targets[0]
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == self_name
            and isinstance(statement.value, ast.Name)
            and statement.value.id == parameter
        ):
            stores = [
                n
                for n in ast.walk(init)
                if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store) and n.attr == target.attr
            ]
            return target.attr if len(stores) == 1 else None
    return None
