"""PKL304: drop the resource attributes still in the state ``__getstate__`` returns.

The plan reads the shape of the returned state the way the rule does
(:func:`flake8_pickle.checks.protocol.state.kept_attributes`) and picks one of three rewrites
of the method's single ``return``:

* ``return self.__dict__.copy()`` (``dict(self.__dict__)``, ``vars(self).copy()``,
  a dict display with ``**self.__dict__``, a filtering comprehension) becomes
  ``state = <the same value>``, one ``state.pop("<attr>", None)`` per resource
  attribute, and ``return state``; a live ``self.__dict__``/``vars(self)`` is
  copied first, so the object itself is never changed;
* ``state = ...`` followed by ``return state``: the ``pop`` lines go right
  before the ``return`` (and a live ``state = self.__dict__`` becomes a copy);
* ``return {"data": self.data, "_lock": self._lock}``: the resource entries
  are removed from the display.

An attribute left out of the state must come back on load. When no
``__setstate__`` of the class assigns it, the fix extends the existing
``__setstate__`` or adds one (``self.__dict__.update(state)`` and the
recreations), with the PKL301 rules (:mod:`.resource_state`): a resource is
recreated from its ``__init__`` expression, safely when a fresh one is as good
as the old and the expression needs only constants and module-level names;
otherwise the plan is unsafe (the expression reads the instance or a stored
argument, a fresh object loses state, or the resource cannot be recreated and
is set to ``None``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ..catalog.conventions import STATE_FREE_BASES
from ..classes import PICKLE, ClassInfo, ClassModel
from ..findings import Finding
from ..checks.protocol.state import kept_attributes, named_keys
from ..checks.protocol.model import is_live_dict
from ..rules import FIX_MIXED, FIX_UNSAFE, RULES
from ..symbols import LocalDef
from .base import SAFE, UNSAFE, Decline, DefinitionKey, FixCodemod, FixFacts, Plan, blank_line, class_body_statements
from .resource_state import (
    RECREATE,
    SET_NONE,
    AttributeFix,
    _assigned_self_attributes,
    _info_for,
    _init_statement,
    _self_name,
    _setstate_not_extendable,
    extend_setstate,
    plan_attribute_fixes,
    recreation_lines,
)

_ALL = "*"
#: Rewrites of the ``return``.
WRAP = "wrap"
POP = "pop"
ENTRIES = "entries"
#: What happens to ``__setstate__``.
SETSTATE_KEEP = "keep"
SETSTATE_EXTEND = "extend"
SETSTATE_ADD = "add"
_STATE_NAMES = ("state", "_state", "state_")
#: Statements of a __getstate__ the rewrite goes through (no branch, loop, try or with).
_STRAIGHT_LINE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Delete, ast.Return, ast.Pass)

#: The unsafe plans (a resource set to None, an expression reading the instance)
#: are offered only when the rule registry advertises them for PKL304.
_REGISTRY_OFFERS_UNSAFE = RULES["PKL304"].fix_safety in (FIX_MIXED, FIX_UNSAFE)


@dataclass(frozen=True)
class DropPayload:
    """What the codemod does to one class: its ``__getstate__`` and perhaps its ``__setstate__``."""

    key: DefinitionKey
    mode: str
    #: The resource attributes dropped from the state, in assignment order.
    names: Tuple[str, ...]
    #: The state variable (the new one for WRAP, the returned one for POP).
    variable: str
    #: Whether the returned (WRAP) or assigned (POP) value is the live ``__dict__``, to be copied.
    copy_live: bool
    attributes: Tuple[AttributeFix, ...]
    setstate: str
    init_self: str


class GetstateDropFix(FixCodemod):
    """Removes the resource attributes from the state ``__getstate__`` returns; recreates them on load."""

    CODES = frozenset({"PKL304"})
    SAFETIES = frozenset({SAFE, UNSAFE}) if _REGISTRY_OFFERS_UNSAFE else frozenset({SAFE})
    DESCRIPTION = "drop the resource attributes from the state __getstate__ returns; recreate them in __setstate__"

    # ------------------------------------------------------------------ planning (ast)
    @classmethod
    def plan(cls, finding: Finding, facts: FixFacts) -> Union[Plan, Decline]:
        found = _getstate_at(facts, finding.line, finding.col)
        if found is None:
            return Decline(finding, "the __getstate__ method was not found")
        node, method = found
        model = facts.analysis.classes
        info = _info_for(model, node)
        key = facts.key_of(node)
        if info is None or key is None:
            return Decline(finding, "the class model has no facts for this class")
        refusal = _refusal(node, method, info, model)
        if refusal:
            return Decline(finding, refusal)
        if any(not isinstance(s, _STRAIGHT_LINE) for s in method.body):
            return Decline(finding, "__getstate__ branches or loops: only a straight-line one is rewritten")
        shapes = kept_attributes(method)
        if shapes is None:
            return Decline(finding, "the shape of the returned state is not understood")
        shape = named_keys(shapes)
        if shape is None:
            return Decline(finding, "the state keeps a resource attribute under another key or in a tuple")
        included, excluded = shape
        attributes = _kept_resources(info, model, included, excluded)
        if isinstance(attributes, str):
            return Decline(finding, attributes)
        if not attributes:
            return Decline(finding, "no resource attribute of this class is in the returned state")
        names = tuple(name for name, _ in attributes)
        rewrite = _return_rewrite(method, names)
        if isinstance(rewrite, str):
            return Decline(finding, rewrite)
        mode, variable, copy_live = rewrite

        setstate = _method(node, "__setstate__")
        if setstate is not None:
            mentioned = _mentioned_keys(setstate, names)
            if mentioned:
                return Decline(finding, f'__setstate__ reads the "{mentioned}" entry of the state')
        restored = _assigned_self_attributes(setstate) if setstate is not None else set()
        init = _method(node, "__init__")
        missing = set(names) | excluded
        if _ALL not in included:
            missing |= set(info.local.instance_attrs) - included
        missing -= restored
        fixes = plan_attribute_fixes(attributes, init, restored, missing, model, facts)
        setstate_action = SETSTATE_KEEP
        if any(f.action != "kept" for f in fixes):
            if setstate is not None:
                problem = _setstate_not_extendable(setstate)
                if problem:
                    return Decline(finding, f"cannot extend the existing __setstate__: {problem}")
                setstate_action = SETSTATE_EXTEND
            else:
                problem = _base_setstate_problem(info.local, model)
                if problem:
                    return Decline(finding, f"cannot add __setstate__: {problem}")
                setstate_action = SETSTATE_ADD
        safety = SAFE if all(f.safe for f in fixes) else UNSAFE
        if safety not in cls.SAFETIES:
            return Decline(finding, f"{_why_unsafe(fixes)}: an unsafe fix, not offered for PKL304")
        payload = DropPayload(
            key, mode, names, variable, copy_live, tuple(fixes), setstate_action, _self_name(init) or "self"
        )
        return Plan(finding, safety, target=key, payload=payload)

    # ------------------------------------------------------------------ rewriting (libcst)
    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        plans = self.plans_for(self.current_key)
        if not plans or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        payload: DropPayload = plans[0].payload
        body = list(updated_node.body.body)
        getstates = [i for i, s in enumerate(body) if _is_method(s, "__getstate__")]
        setstates = [i for i, s in enumerate(body) if _is_method(s, "__setstate__")]
        if len(getstates) != 1 or len(setstates) > 1:
            return updated_node
        position = getstates[0]
        getstate = _rewrite_getstate(body[position], payload, self.module)  # type: ignore[arg-type]
        if getstate is None:
            return updated_node
        body[position] = getstate
        lines = recreation_lines(payload.attributes, _init_statement(body), payload.init_self, self.module)
        if lines is None:
            return updated_node
        if lines and payload.setstate == SETSTATE_EXTEND:
            if not setstates:
                return updated_node
            body[setstates[0]] = extend_setstate(body[setstates[0]], lines, self.module)
        elif lines and payload.setstate == SETSTATE_ADD:
            if setstates:
                return updated_node
            code = "def __setstate__(self, state):\n    self.__dict__.update(state)\n"
            code += "".join(f"    {line}\n" for line in lines)
            method = class_body_statements(code, self.module)[0]
            body.insert(position + 1, method.with_changes(leading_lines=[blank_line()]))  # type: ignore[attr-defined]
        elif lines:
            return updated_node
        self.applied.add(payload.key)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))


# --------------------------------------------------------------------------- planning helpers


def _getstate_at(facts: FixFacts, line: int, col: int) -> Optional[Tuple[ast.ClassDef, ast.FunctionDef]]:
    """The class and its ``def __getstate__`` reported at ``line``/``col``."""
    for node in ast.walk(facts.tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.FunctionDef)
                    and statement.name == "__getstate__"
                    and statement.lineno == line
                    and statement.col_offset == col
                ):
                    return node, statement
    return None


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return statement.name == name
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    return False


def _method(node: ast.ClassDef, name: str) -> Optional[ast.FunctionDef]:
    """The one plain ``def name`` of the class body (None when absent or bound otherwise)."""
    bindings = [s for s in node.body if _binds(s, name)]
    if len(bindings) == 1 and isinstance(bindings[0], ast.FunctionDef):
        return bindings[0]
    return None


def _refusal(node: ast.ClassDef, method: ast.FunctionDef, info: ClassInfo, model: ClassModel) -> Optional[str]:
    """Why this class's state is not rewritten, or None."""
    for name in ("__getstate__", "__setstate__", "__init__"):
        bindings = [s for s in node.body if _binds(s, name)]
        if len(bindings) > 1:
            return f"{name} is defined more than once"
        if bindings and not isinstance(bindings[0], ast.FunctionDef):
            return f"{name} is not a plain method"
    if method.decorator_list:
        return "__getstate__ is decorated"
    if _self_name(method) != "self":
        return "the first parameter of __getstate__ is not self"
    if node.decorator_list:
        return "the class is decorated (dataclass, attrs or similar); its fields are not rewritten"
    if model.is_exception(info.local):
        return "exceptions are pickled through BaseException.__reduce__, which ignores __getstate__"
    for name in ("__reduce__", "__reduce_ex__", "__getattribute__", "__slots__"):
        if any(_binds(s, name) for s in node.body):
            return f"the class defines {name}"
    if "copyreg.pickle" in info.protocols:
        return "the class is registered with copyreg.pickle"
    return None


def _kept_resources(
    info: ClassInfo, model: ClassModel, included: Set[str], excluded: Set[str]
) -> Union[str, List[Tuple[str, FrozenSet]]]:
    """The instance attributes holding a resource that the returned state keeps, or why not fixable."""

    def kept(name: str) -> bool:
        return (_ALL in included or name in included) and name not in excluded

    local = info.local
    for name, (symbols, _) in sorted(info.fields.items()):
        if kept(name) and model.held_by(symbols, PICKLE) is not None:
            return f"the class-level field {name} holds the resource"
    out = []
    in_order = sorted(local.instance_attrs.items(), key=lambda item: (local.attr_lines.get(item[0], 0), item[0]))
    for name, symbols in in_order:
        if not kept(name):
            continue
        held = model.held_by(symbols, PICKLE)
        if held is None:
            continue
        if held.owner is not None and held.owner is not local:
            return f"self.{name} holds {held.owner.name}, which holds {held.resource}: fix {held.owner.name} first"
        if name.startswith("__") and not name.endswith("__"):
            return f"self.{name} is name-mangled"
        out.append((name, symbols))
    return out


def _is_live(node: ast.AST) -> bool:
    """``self.__dict__`` or ``vars(self)`` itself, not a copy."""
    return is_live_dict(node, "self")


def _deep_copies(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            func = inner.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "deepcopy":
                return True
    return False


def _entry_is_attribute(key: Optional[ast.expr], value: ast.expr, names: Sequence[str]) -> Optional[bool]:
    """For a dict display entry naming one of ``names``: whether its value is ``self.<that name>``."""
    if not (isinstance(key, ast.Constant) and key.value in names):
        return None
    return (
        isinstance(value, ast.Attribute)
        and value.attr == key.value
        and isinstance(value.value, ast.Name)
        and value.value.id == "self"
    )


def _return_rewrite(method: ast.FunctionDef, names: Sequence[str]) -> Union[str, Tuple[str, str, bool]]:
    """(mode, state variable, copy the live dict) for the method's ``return``, or why not."""
    returns = [s for s in method.body if isinstance(s, ast.Return)]
    if len(returns) != 1 or returns[0].value is None:
        return "__getstate__ does not end in a single return of the state"
    ret = returns[0]
    value = ret.value
    assert value is not None
    for statement in method.body:
        if statement is not ret and ret.lineno <= statement.lineno <= (ret.end_lineno or ret.lineno):
            return "the return shares its line with another statement"
        if statement is not ret and statement.lineno <= ret.lineno <= (statement.end_lineno or statement.lineno):
            return "the return shares its line with another statement"
    if _deep_copies(value):
        return "the state is deep-copied with the resource still in it"
    if isinstance(value, ast.Name):
        assignment = None
        for statement in method.body:
            if statement is ret:
                break
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id == value.id
            ):
                assignment = statement
        if assignment is None:
            return f"{value.id} is not assigned in __getstate__"
        if isinstance(assignment.value, ast.Name):
            return f"{value.id} is another name for {assignment.value.id}"
        if _deep_copies(assignment.value):
            return "the state is deep-copied with the resource still in it"
        return POP, value.id, _is_live(assignment.value)
    if isinstance(value, ast.Dict) and None not in value.keys:
        checks = [_entry_is_attribute(k, v, names) for k, v in zip(value.keys, value.values)]
        if False in checks:
            return "a state entry named after the resource is not the attribute itself"
        return ENTRIES, "", False
    used = {n.id for n in ast.walk(method) if isinstance(n, ast.Name)}
    used |= {a.arg for a in ast.walk(method) if isinstance(a, ast.arg)}
    variable = next((name for name in _STATE_NAMES if name not in used), None)
    if variable is None:
        return "no free name for the state variable"
    return WRAP, variable, _is_live(value)


def _mentioned_keys(setstate: ast.FunctionDef, names: Sequence[str]) -> Optional[str]:
    """The first of ``names`` that ``__setstate__`` spells as a string (reads it from the state)."""
    for node in ast.walk(setstate):
        if isinstance(node, ast.Constant) and node.value in names:
            return node.value
    return None


def _base_setstate_problem(local: LocalDef, model: ClassModel, depth: int = 0) -> Optional[str]:
    """Why a new ``__setstate__`` could hide one a base class defines, or None."""
    for base in local.bases:
        for symbol in base:
            if isinstance(symbol, str):
                if symbol not in STATE_FREE_BASES:
                    return f"base class {symbol} is defined elsewhere and may have its own"
            elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                info = model.info(symbol)
                if info is None:
                    return f"base class {symbol.name} is not known"
                protocols = info.protocols & {"__setstate__", "__reduce__", "__reduce_ex__", "copyreg.pickle"}
                if protocols:
                    return f"base class {symbol.name} defines {sorted(protocols)[0]}"
                if depth < 12:
                    problem = _base_setstate_problem(symbol, model, depth + 1)
                    if problem:
                        return problem
            else:
                return "a base class cannot be resolved"
    return None


def _why_unsafe(fixes: Sequence[AttributeFix]) -> str:
    for fix in fixes:
        if fix.safe:
            continue
        if fix.action == SET_NONE:
            return f"self.{fix.name} cannot be recreated (it would be set to None)"
        if fix.action == RECREATE and fix.substitutions:
            return f"self.{fix.name} is recreated from stored arguments"
        return f"self.{fix.name} is recreated from an expression that reads the instance or loses state"
    return "the fix is unsafe"


# --------------------------------------------------------------------------- libcst helpers


def _is_method(statement: cst.CSTNode, name: str) -> bool:
    return isinstance(statement, cst.FunctionDef) and statement.name.value == name


def _statement(code: str, module: cst.Module) -> cst.BaseStatement:
    return cst.parse_statement(code + module.default_newline, config=module.config_for_parsing)


def _copied(value: cst.BaseExpression) -> cst.BaseExpression:
    return cst.Call(func=cst.Attribute(value=value, attr=cst.Name("copy")))


def _rewrite_getstate(
    function: cst.FunctionDef, payload: DropPayload, module: cst.Module
) -> Optional[cst.FunctionDef]:
    """``function`` with the resource attributes left out of the state it returns (None: not found)."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    statements = list(function.body.body)
    returns = [
        i
        for i, s in enumerate(statements)
        if isinstance(s, cst.SimpleStatementLine) and any(isinstance(small, cst.Return) for small in s.body)
    ]
    if len(returns) != 1:
        return None
    index = returns[0]
    line = statements[index]
    assert isinstance(line, cst.SimpleStatementLine)
    if len(line.body) != 1:
        return None
    ret = line.body[0]
    assert isinstance(ret, cst.Return)
    if ret.value is None:
        return None
    if payload.mode in (WRAP, POP):
        pops = [_statement(f'{payload.variable}.pop("{name}", None)', module) for name in payload.names]
    if payload.mode == WRAP:
        value = _copied(ret.value) if payload.copy_live else ret.value
        assign = cst.Assign(targets=[cst.AssignTarget(target=cst.Name(payload.variable))], value=value)
        statements[index : index + 1] = [
            line.with_changes(body=[assign]),
            *pops,
            _statement(f"return {payload.variable}", module),
        ]
    elif payload.mode == POP:
        if payload.copy_live:
            position = _last_assignment(statements[:index], payload.variable)
            if position is None:
                return None
            statements[position] = _with_copied_value(statements[position], payload.variable)  # type: ignore[arg-type]
        statements[index:index] = pops
    else:
        if not isinstance(ret.value, cst.Dict):
            return None
        display = _without_entries(ret.value, payload.names)
        statements[index] = line.with_changes(body=[ret.with_changes(value=display)])
    return function.with_changes(body=function.body.with_changes(body=statements))


def _assigns(small: cst.BaseSmallStatement, variable: str) -> bool:
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == variable
    )


def _last_assignment(statements: Sequence[cst.BaseStatement], variable: str) -> Optional[int]:
    found = None
    for i, statement in enumerate(statements):
        if isinstance(statement, cst.SimpleStatementLine) and any(_assigns(s, variable) for s in statement.body):
            found = i
    return found


def _with_copied_value(line: cst.SimpleStatementLine, variable: str) -> cst.SimpleStatementLine:
    body = list(line.body)
    for i in reversed(range(len(body))):
        small = body[i]
        if _assigns(small, variable):
            assert isinstance(small, cst.Assign)
            body[i] = small.with_changes(value=_copied(small.value))
            break
    return line.with_changes(body=body)


def _entry_key(element: cst.BaseDictElement) -> Optional[str]:
    if isinstance(element, cst.DictElement) and isinstance(element.key, (cst.SimpleString, cst.ConcatenatedString)):
        value = element.key.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _without_entries(display: cst.Dict, names: Sequence[str]) -> cst.Dict:
    """``display`` without its ``"<name>": ...`` entries.

    When the last entry goes, the new last one takes its comma (a trailing comma
    stays a trailing comma), and the comment on the new last entry's line stays
    there: it moves into the whitespace before the closing brace.
    """
    elements = list(display.elements)
    kept = [e for e in elements if _entry_key(e) not in names]
    rbrace = display.rbrace
    if kept and kept[-1] is not elements[-1]:
        own, closing = kept[-1].comma, elements[-1].comma
        if isinstance(own, cst.Comma) and isinstance(closing, cst.Comma):
            closing = closing.with_changes(whitespace_before=own.whitespace_before)
        kept[-1] = kept[-1].with_changes(comma=closing)
        own_after = own.whitespace_after if isinstance(own, cst.Comma) else None
        before_brace = rbrace.whitespace_before
        if isinstance(own_after, cst.ParenthesizedWhitespace) and isinstance(before_brace, cst.ParenthesizedWhitespace):
            rbrace = rbrace.with_changes(whitespace_before=before_brace.with_changes(first_line=own_after.first_line))
    return display.with_changes(elements=kept, rbrace=rbrace)
