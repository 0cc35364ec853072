"""PKL301 on a dataclass: a resource field is left out of the state and rebuilt from its
``default_factory`` in ``__setstate__``; the field is excluded from comparison.

``@dataclass`` adds no pickling protocol of its own (unless ``slots=True``), so the same
``__getstate__``/``__setstate__`` pair as for a plain class applies. The field's declaration
changes too: a lock compares by identity, so a copy, which now gets a new lock, would no longer
compare equal to its original. ``compare=False`` keeps copies equal, and makes two instances
that differ only in their lock equal, which changes ``==``: that part makes the fix unsafe
unless the dataclass has ``eq=False``.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst

from ..classes import DEEPCOPY, PICKLE, ClassInfo, ClassModel
from .base import FixFacts

DATACLASS = "dataclasses.dataclass"
FIELD = "dataclasses.field"


def dataclass_options(node: ast.ClassDef, facts: FixFacts) -> Optional[Dict[str, object]]:
    """The literal keyword options of the class's ``@dataclasses.dataclass`` decorator; None when
    the class has another decorator (or the options are not literals)."""
    if len(node.decorator_list) != 1:
        return None
    decorator = node.decorator_list[0]
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if facts.analysis.resolver.qualified_names(target) != {DATACLASS}:
        return None
    options: Dict[str, object] = {}
    for keyword in decorator.keywords if isinstance(decorator, ast.Call) else []:
        if keyword.arg is None or not isinstance(keyword.value, ast.Constant):
            return None
        options[keyword.arg] = keyword.value.value
    if isinstance(decorator, ast.Call) and decorator.args:
        return None
    return options


def dataclass_refusal(options: Dict[str, object]) -> Optional[str]:
    """Why a dataclass with these options cannot get the state protocol, or None."""
    if options.get("slots"):
        return "the dataclass has slots=True: its state is not __dict__"
    if options.get("frozen"):
        return "the dataclass is frozen: __setstate__ cannot assign the recreated field"
    return None


def resource_fields(
    node: ast.ClassDef, info: ClassInfo, model: ClassModel, facts: FixFacts
) -> Union[str, List[Tuple[str, str, frozenset]]]:
    """``(field name, default_factory text, symbols)`` of each field holding a resource, in order,
    or why the class cannot be fixed."""
    module_names = set(facts.analysis.resolver.module_scope.bindings)
    out = []
    for statement in node.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        name = statement.target.id
        symbols = info.fields.get(name, (frozenset(), 0))[0]
        if not (model.held_by(symbols, DEEPCOPY) or model.held_by(symbols, PICKLE)):
            continue
        factory = _default_factory(statement.value, facts)
        if factory is None:
            return f"field {name} has no default_factory to recreate it from"
        root = factory
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in module_names:
            return f"the default_factory of field {name} is not a name of the module"
        out.append((name, ast.unparse(factory), symbols))
    return out


def _default_factory(value: Optional[ast.expr], facts: FixFacts) -> Optional[ast.expr]:
    """``X`` of ``field(default_factory=X, ...)``, when X is a dotted name."""
    if not isinstance(value, ast.Call) or facts.analysis.resolver.qualified_names(value.func) != {FIELD}:
        return None
    for keyword in value.keywords:
        if keyword.arg == "default_factory" and isinstance(keyword.value, (ast.Name, ast.Attribute)):
            return keyword.value
    return None


def without_comparison(statement: cst.BaseStatement, names: Tuple[str, ...]) -> cst.BaseStatement:
    """``x: Lock = field(default_factory=Lock)`` -> ``field(default_factory=Lock, compare=False)``
    when ``x`` is one of ``names`` (and says nothing of ``compare`` yet)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return statement
    small = statement.body[0]
    if not (isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value in names):
        return statement
    call = small.value
    if not isinstance(call, cst.Call) or any(a.keyword is not None and a.keyword.value == "compare" for a in call.args):
        return statement
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(keyword=cst.Name("compare"), value=cst.Name("False"), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))))
    return statement.with_changes(body=[small.with_changes(value=call.with_changes(args=args))])
