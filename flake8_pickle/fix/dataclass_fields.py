"""PKL301 on a dataclass or an attrs class: a resource field is left out of the state and rebuilt
from its factory in ``__setstate__``; the field is excluded from comparison.

``@dataclass`` and attrs' dict classes add no pickling protocol of their own (slotted ones do), so the same
``__getstate__``/``__setstate__`` pair as for a plain class applies. The field's declaration
changes too: a lock compares by identity, so a copy, which now gets a new lock, would no longer
compare equal to its original. ``compare=False`` (attrs: ``eq=False``) keeps copies equal, and
makes two instances that differ only in their lock equal, which changes ``==``: that part makes
the fix unsafe unless the class has ``eq=False``.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst

from ..catalog.conventions import ATTRS_DECORATORS, DATACLASS, FACTORY_WRAPPERS, FIELD_COMPARE_KEYWORDS
from ..classes import DEEPCOPY, PICKLE, ClassInfo, ClassModel
from .base import FixFacts



def dataclass_options(node: ast.ClassDef, facts: FixFacts) -> Optional[Dict[str, object]]:
    """The literal keyword options of the class's ``@dataclasses.dataclass`` decorator; None when
    the class has another decorator (or the options are not literals)."""
    if len(node.decorator_list) != 1:
        return None
    decorator = node.decorator_list[0]
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    names = facts.analysis.resolver.qualified_names(target)
    if len(names) != 1 or not names <= {DATACLASS, *ATTRS_DECORATORS}:
        return None
    options: Dict[str, object] = dict(ATTRS_DECORATORS.get(next(iter(names)), {}))
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
        return "the class is slotted (slots=True, the default of attrs' define): its state is not __dict__"
    if options.get("frozen"):
        return "the class is frozen: __setstate__ cannot assign the recreated field"
    return None


def resource_fields(
    node: ast.ClassDef, info: ClassInfo, model: ClassModel, facts: FixFacts
) -> Union[str, List[Tuple[str, str, frozenset]]]:
    """``(field name, default_factory text, symbols)`` of each field holding a resource, in order,
    or why the class cannot be fixed."""
    module_names = set(facts.analysis.resolver.module_scope.bindings)
    out = []
    for statement in node.body:
        field = _field_statement(statement)
        if field is None:
            continue
        name, value = field
        symbols = info.fields.get(name, (frozenset(), 0))[0]
        if not (model.held_by(symbols, DEEPCOPY) or model.held_by(symbols, PICKLE)):
            continue
        factory = _default_factory(value, facts)
        if factory is None:
            return f"field {name} has no default_factory (attrs: factory) to recreate it from"
        root = factory
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in module_names:
            return f"the default_factory of field {name} is not a name of the module"
        out.append((name, ast.unparse(factory), symbols))
    return out


def _default_factory(value: Optional[ast.expr], facts: FixFacts) -> Optional[ast.expr]:
    """``X`` of ``field(default_factory=X)``, ``attr.ib(factory=X)`` or
    ``attr.ib(default=attr.Factory(X))``, when X is a dotted name."""
    resolver = facts.analysis.resolver
    if not isinstance(value, ast.Call) or not resolver.qualified_names(value.func) & set(FIELD_COMPARE_KEYWORDS):
        return None
    for keyword in value.keywords:
        found = keyword.value
        if keyword.arg == "default" and isinstance(found, ast.Call) and len(found.args) == 1:
            if resolver.qualified_names(found.func) & FACTORY_WRAPPERS and not found.keywords:
                found = found.args[0]
            else:
                continue
        elif keyword.arg not in ("default_factory", "factory"):
            continue
        if isinstance(found, (ast.Name, ast.Attribute)):
            return found
    return None


def comparison_keyword(node: ast.ClassDef, facts: FixFacts) -> Dict[str, str]:
    """Field name -> the keyword of its field call that excludes it from ``==``."""
    out = {}
    for statement in node.body:
        field = _field_statement(statement)
        if field is not None and isinstance(field[1], ast.Call):
            for name in facts.analysis.resolver.qualified_names(field[1].func) & set(FIELD_COMPARE_KEYWORDS):
                out[field[0]] = FIELD_COMPARE_KEYWORDS[name]
    return out


def _field_statement(statement: ast.stmt) -> Optional[Tuple[str, Optional[ast.expr]]]:
    """``(name, value)`` of ``name: T = value`` or ``name = value`` in a class body."""
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id, statement.value
    return None


def without_comparison(statement: cst.BaseStatement, names: Tuple[Tuple[str, str], ...]) -> cst.BaseStatement:
    """``x: Lock = field(default_factory=Lock)`` -> ``field(default_factory=Lock, compare=False)``
    for each ``(field, keyword)`` of ``names`` (when the call says nothing of that keyword yet)."""
    keywords = dict(names)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return statement
    small = statement.body[0]
    if isinstance(small, cst.AnnAssign):
        target: cst.BaseExpression = small.target
    elif isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    else:
        return statement
    if not (isinstance(target, cst.Name) and target.value in keywords):
        return statement
    keyword = keywords[target.value]
    call = small.value
    if not isinstance(call, cst.Call) or any(a.keyword is not None and a.keyword.value == keyword for a in call.args):
        return statement
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(keyword=cst.Name(keyword), value=cst.Name("False"), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))))
    return statement.with_changes(body=[small.with_changes(value=call.with_changes(args=args))])
