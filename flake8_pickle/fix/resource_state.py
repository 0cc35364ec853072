"""PKL301: give a resource-holding class a state protocol that drops and recreates its resources.

The plan reads the class model: which instance attributes hold a resource,
and the expression ``__init__`` assigned to each. A resource is recreated from
that expression when a fresh one stands in for the old (a lock, a condition);
the fix is safe when the expression needs nothing but constants and
module-level names. It is unsafe when the expression reads ``self`` or a
constructor parameter (rewritten to the attribute that stored it), when a
fresh object loses state (an event's flag, a queue's items), and when the
resource cannot be recreated at all (a socket, a file, a connection): that
attribute is set to ``None``.

Exceptions are pickled and copied through ``BaseException.__reduce__``, which
ignores ``__getstate__``, so an exception gets a ``__reduce__`` that passes the
filtered state instead.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ..catalog.conventions import PROTOCOL_FREE_BASES, RECREATE_LOSES_STATE, RECREATE_SAFE
from ..catalog.resource_table import ALIASES, RESOURCE_VALUES
from ..classes import DEEPCOPY, PICKLE, ClassInfo, ClassModel, is_builtin_exception, lineage, resource_facts
from ..checks.protocol.exceptions import InitFacts
from ..findings import Finding
from .dataclass_fields import comparison_keyword, dataclass_options, dataclass_refusal, resource_fields, without_comparison
from ..scope import BUILTIN_NAMES
from ..symbols import Contains, Generated, LocalDef, LocalInstance
from .base import (
    SAFE,
    UNSAFE,
    Decline,
    DefinitionKey,
    FixCodemod,
    FixFacts,
    Plan,
    blank_line,
    class_body_statements,
)

RECREATE = "recreate"
RECREATE_UNSAFE = "recreate-unsafe"
SET_NONE = "none"



@dataclass(frozen=True)
class AttributeFix:
    """How one resource attribute is dropped from the state and brought back."""

    name: str
    #: ``del state["x"]`` when ``__init__`` always sets it, else ``state.pop("x", None)``.
    always_set: bool
    #: ``recreate`` (from the constructor expression), or ``none`` (set to None).
    action: str
    #: Names in the expression to rewrite: parameter -> ``self.attribute`` that stored it.
    substitutions: Tuple[Tuple[str, str], ...] = ()
    safe: bool = False
    #: A dataclass field's ``default_factory``: the attribute is recreated by calling it.
    factory: str = ""


@dataclass(frozen=True)
class ClassFix:
    """What the codemod adds to one class."""

    key: DefinitionKey
    attributes: Tuple[AttributeFix, ...]
    exception: bool
    extend_setstate: bool
    init_self: str
    #: Dataclass or attrs fields whose declaration gets ``compare=False`` (attrs: ``eq=False``).
    compare_off: Tuple[Tuple[str, str], ...] = ()


class ResourceStateFix(FixCodemod):
    """Adds ``__getstate__``/``__setstate__`` (``__reduce__`` for exceptions) that drop resources."""

    CODES = frozenset({"PKL301"})
    SAFETIES = frozenset({SAFE, UNSAFE})
    DESCRIPTION = "add __getstate__/__setstate__ that drop the resource attributes and recreate them"

    # ------------------------------------------------------------------ planning (ast)
    @classmethod
    def plan(cls, finding: Finding, facts: FixFacts) -> Union[Plan, Decline]:
        node = facts.class_at(finding.line, finding.col)
        model = facts.analysis.classes
        info = _info_for(model, node)
        key = facts.key_of(node) if node is not None else None
        if node is None or info is None or key is None:
            return Decline(finding, "the class model has no facts for this class")
        local = info.local
        options = dataclass_options(node, facts) if node.decorator_list else None
        refusal = _refusal(node, info, model, facts, dataclass=options is not None)
        if refusal:
            return Decline(finding, refusal)
        if options is not None:
            return cls._plan_dataclass(finding, facts, node, info, options, key)
        attributes = _resource_attributes(local, model)
        if isinstance(attributes, str):
            return Decline(finding, attributes)
        if not attributes:
            return Decline(finding, "the resource is not held in an instance attribute of this class")
        init = _method(node, "__init__")
        setstate = _method(node, "__setstate__")
        if setstate is not None:
            problem = _setstate_not_extendable(setstate)
            if problem:
                return Decline(finding, f"cannot extend the existing __setstate__: {problem}")
        restored_by_setstate = _assigned_self_attributes(setstate) if setstate is not None else set()
        dropped = {name for name, _ in attributes}
        fixes = plan_attribute_fixes(attributes, init, restored_by_setstate, dropped, model, facts)
        safety = SAFE if all(f.safe for f in fixes) else UNSAFE
        init_self = _self_name(init) or "self"
        payload = ClassFix(key, tuple(fixes), model.is_exception(local), setstate is not None, init_self)
        return Plan(finding, safety, target=key, payload=payload)

    @classmethod
    def _plan_dataclass(
        cls, finding: Finding, facts: FixFacts, node: ast.ClassDef, info: ClassInfo, options: Dict[str, object], key
    ) -> Union[Plan, Decline]:
        """A dataclass: its resource fields are dropped and rebuilt from their ``default_factory``."""
        model = facts.analysis.classes
        problem = dataclass_refusal(options)
        if problem:
            return Decline(finding, problem)
        if _method(node, "__setstate__") is not None or _method(node, "__post_init__") is not None:
            return Decline(finding, "the class defines __setstate__ or __post_init__")
        found = resource_fields(node, info, model, facts)
        if isinstance(found, str):
            return Decline(finding, found)
        if not found or _resource_attributes(info.local, model):
            return Decline(finding, "the resource is not held only in fields with a default_factory")
        fixes = []
        for name, factory, symbols in found:
            recreate = _tier(symbols, model.extra) == RECREATE
            action = RECREATE if recreate else SET_NONE
            fixes.append(AttributeFix(name, True, action, safe=recreate, factory=factory if recreate else ""))
        keywords = comparison_keyword(node, facts)
        compare_off = tuple((name, keywords[name]) for name, _, _ in found) if options.get("eq", True) is not False else ()
        safety = SAFE if all(f.safe for f in fixes) and not compare_off else UNSAFE
        payload = ClassFix(key, tuple(fixes), False, False, "self", compare_off)
        return Plan(finding, safety, target=key, payload=payload)

    # ------------------------------------------------------------------ rewriting (libcst)
    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        plans = self.plans_for(self.current_key)
        if not plans or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        fix: ClassFix = plans[0].payload
        body = list(updated_node.body.body)
        if fix.compare_off:
            body = [without_comparison(s, fix.compare_off) for s in body]
        init_statement = _init_statement(body)
        recreations = self._recreations(fix, init_statement)
        if recreations is None:
            return updated_node
        new_methods: List[cst.BaseStatement] = []
        getter = _reduce_code(fix) if fix.exception else _getstate_code(fix)
        new_methods.extend(self._statements(getter))
        if fix.extend_setstate:
            body = [self._extended_setstate(s, recreations) if _is_method(s, "__setstate__") else s for s in body]
        else:
            setter = "def __setstate__(self, state):\n    self.__dict__.update(state)\n"
            setter += "".join(f"    {line}\n" for line in recreations)
            new_methods.extend(self._statements(setter))
        new_methods = [m.with_changes(leading_lines=[blank_line()]) for m in new_methods]  # type: ignore[attr-defined]
        position = body.index(init_statement) + 1 if init_statement is not None else len(body)
        body[position:position] = new_methods
        self.applied.add(fix.key)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def _recreations(self, fix: ClassFix, init: Optional[cst.FunctionDef]) -> Optional[List[str]]:
        """One line of ``__setstate__`` per dropped attribute (None when a planned expression is gone)."""
        return recreation_lines(fix.attributes, init, fix.init_self, self.module)

    def _statements(self, code: str) -> List[cst.BaseStatement]:
        return class_body_statements(code, self.module)

    def _extended_setstate(self, statement: cst.BaseStatement, recreations: Sequence[str]) -> cst.BaseStatement:
        return extend_setstate(statement, recreations, self.module)


# --------------------------------------------------------------------------- shared with the PKL304 fix


def plan_attribute_fixes(
    attributes: Sequence[Tuple[str, FrozenSet]],
    init: Optional[ast.FunctionDef],
    restored_by_setstate: Set[str],
    missing: Set[str],
    model: ClassModel,
    facts: FixFacts,
) -> List[AttributeFix]:
    """How each dropped attribute comes back in ``__setstate__``, in order.

    ``restored_by_setstate``: attributes an existing ``__setstate__`` already
    assigns (kept as they are). ``missing``: attributes absent from the state, so
    an expression that reads one of them (not recreated yet) cannot be re-evaluated.
    """
    module_names = set(facts.analysis.resolver.module_scope.bindings) | set(BUILTIN_NAMES)
    fixes: List[AttributeFix] = []
    recreated: Set[str] = set()
    for name, symbols in attributes:
        tier = _tier(symbols, model.extra)
        assignment = _init_assignment(init, name)
        always = assignment is not None
        if name in restored_by_setstate:
            fixes.append(AttributeFix(name, always, "kept", safe=True))
            recreated.add(name)
            continue
        if tier == SET_NONE or assignment is None or init is None:
            fixes.append(AttributeFix(name, always, SET_NONE))
            continue
        fresh = {f.name for f in fixes if f.action == RECREATE and f.safe}
        rewrite = _expression_rewrite(assignment, init, module_names, missing - recreated, facts, fresh)
        if rewrite is None:
            fixes.append(AttributeFix(name, always, SET_NONE))
            continue
        substitutions, pure = rewrite
        fixes.append(AttributeFix(name, always, RECREATE, substitutions, safe=pure and tier == RECREATE))
        recreated.add(name)
    return fixes


def recreation_lines(
    attributes: Sequence[AttributeFix], init: Optional[cst.FunctionDef], init_self: str, module: cst.Module
) -> Optional[List[str]]:
    """One line of ``__setstate__`` per attribute to bring back (None when a planned expression is gone)."""
    lines = []
    for attribute in attributes:
        if attribute.action == "kept":
            continue
        if attribute.action == SET_NONE:
            lines.append(f"self.{attribute.name} = None")
            continue
        if attribute.factory:
            lines.append(f"self.{attribute.name} = {attribute.factory}()")
            continue
        value = _cst_init_value(init, attribute.name, init_self)
        if value is None:
            return None
        renames = {parameter: f"self.{attr}" for parameter, attr in attribute.substitutions}
        if init_self != "self":
            renames[init_self] = "self"
        value = value.visit(_Rename(renames))  # type: ignore[assignment]
        text = module.code_for_node(value)
        lines.append(f"self.{attribute.name} = {text}")
    return lines


def extend_setstate(statement: cst.BaseStatement, lines: Sequence[str], module: cst.Module) -> cst.BaseStatement:
    """``statement`` (an existing ``def __setstate__(self, state)``) with ``lines`` appended to its body."""
    assert isinstance(statement, cst.FunctionDef) and isinstance(statement.body, cst.IndentedBlock)
    positional = [*statement.params.posonly_params, *statement.params.params]
    self_param, state_param = positional[0].name.value, positional[1].name.value
    code = "def _(self, state):\n" + "".join(f"    {line}\n" for line in lines)
    added = class_body_statements(code, module)[0]
    assert isinstance(added, cst.FunctionDef) and isinstance(added.body, cst.IndentedBlock)
    extra = [s.visit(_Rename({"self": self_param, "state": state_param})) for s in added.body.body]
    return statement.with_changes(body=statement.body.with_changes(body=[*statement.body.body, *extra]))


# --------------------------------------------------------------------------- code templates


def _drop_lines(fix: ClassFix) -> List[str]:
    lines = []
    for attribute in fix.attributes:
        if attribute.always_set:
            lines.append(f'    del state["{attribute.name}"]')
        else:
            lines.append(f'    state.pop("{attribute.name}", None)')
    return lines


def _getstate_code(fix: ClassFix) -> str:
    lines = ["def __getstate__(self):", "    state = self.__dict__.copy()", *_drop_lines(fix), "    return state"]
    return "\n".join(lines) + "\n"


def _reduce_code(fix: ClassFix) -> str:
    lines = [
        "def __reduce__(self):",
        "    state = self.__dict__.copy()",
        *_drop_lines(fix),
        "    return (self.__class__, self.args, state)",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- planning helpers


def _info_for(model: ClassModel, node: Optional[ast.ClassDef]) -> Optional[ClassInfo]:
    if node is None:
        return None
    for info in model.classes.values():
        if info.local.node is node:
            return info
    return None


def _method(node: ast.ClassDef, name: str) -> Optional[ast.FunctionDef]:
    """The last plain ``def name`` of the class body (the one in force)."""
    found = None
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == name:
            found = statement
    return found


def _self_name(function: Optional[ast.FunctionDef]) -> Optional[str]:
    if function is None:
        return None
    positional = [*function.args.posonlyargs, *function.args.args]
    return positional[0].arg if positional else None


def _refusal(
    node: ast.ClassDef, info: ClassInfo, model: ClassModel, facts: FixFacts, dataclass: bool = False
) -> Optional[str]:
    """Why the class cannot be given a state protocol safely, or None (``dataclass``: a plain
    ``@dataclasses.dataclass``, whose fields are planned by :mod:`.dataclass_fields`)."""
    for statement in node.body:
        targets: List[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in targets):
            return "the class defines __slots__"
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in (
            "__getattr__",
            "__getattribute__",
        ):
            return f"the class defines {statement.name}, which the generated methods would go through"
    for name in ("__setstate__", "__init__"):
        if any(
            isinstance(s, (ast.AsyncFunctionDef, ast.Assign)) and _binds(s, name) for s in node.body
        ):
            return f"{name} is not a plain method"
    if node.decorator_list and not dataclass:
        return "the class is decorated (not a dataclass or attrs class, or its options are not literals)"
    held_in_fields = (model.held_by(s, DEEPCOPY) or model.held_by(s, PICKLE) for s, _ in info.fields.values())
    if not dataclass and any(held_in_fields):
        return "a class-level field holds the resource"
    is_exception = model.is_exception(info.local)
    for base in info.local.bases:
        for symbol in base:
            if isinstance(symbol, str):
                plain = symbol in PROTOCOL_FREE_BASES or is_builtin_exception(symbol)
                if not plain:
                    return f"base class {symbol} is defined elsewhere; its pickling protocol is unknown"
            elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                base_info = model.info(symbol)
                if base_info is None or base_info.protocols:
                    return f"base class {symbol.name} defines its own pickling protocol"
                if model.class_holds(symbol, DEEPCOPY) or model.class_holds(symbol, PICKLE):
                    return f"base class {symbol.name} holds a resource itself: fix {symbol.name} first"
            else:
                return "a base class cannot be resolved"
    if is_exception:
        reported = [
            f
            for f in facts.analysis.findings
            if f.code == "PKL302" and f.line == node.lineno and f.col == node.col_offset
        ]
        if reported:
            return "the exception cannot be rebuilt from self.args (PKL302): fix that first"
        init = next((_method(c.node, "__init__") for c in lineage(info.local).classes if _method(c.node, "__init__") is not None), None)
        if isinstance(init, ast.FunctionDef):
            described = InitFacts(init)
            if not described.init_calls and (described.required > 0 or described.kwonly_required):
                # ``args`` is what the construction passed positionally: one by keyword, here or in
                # another module (``ConnectionInterrupted(connection=client)``), would not rebuild.
                return "its __init__ never passes its arguments to BaseException.__init__: args depend on how it is called"
    return None


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.AsyncFunctionDef):
        return statement.name == name
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    return False


def _resource_attributes(local: LocalDef, model: ClassModel) -> Union[str, List[Tuple[str, FrozenSet]]]:
    """The class's own attributes holding a resource, in assignment order, or why not fixable."""
    out = []
    in_order = sorted(local.instance_attrs.items(), key=lambda item: (local.attr_lines.get(item[0], 0), item[0]))
    for name, symbols in in_order:
        held = model.held_by(symbols, DEEPCOPY) or model.held_by(symbols, PICKLE)
        if held is None:
            continue
        if held.owner is not None and held.owner is not local:
            return f"self.{name} holds {held.owner.name}, which holds {held.resource}: fix {held.owner.name} first"
        if name.startswith("__") and not name.endswith("__"):
            return f"self.{name} is name-mangled"
        out.append((name, symbols))
    return out


def _tier(symbols: FrozenSet, extra: FrozenSet[str], depth: int = 0) -> str:
    """How the resource among ``symbols`` can be brought back: RECREATE, RECREATE_UNSAFE or SET_NONE."""
    tiers = set()
    for symbol in symbols:
        if isinstance(symbol, Contains) and depth < 8:
            # A container of resources (``self.pending = []``, filled later): re-evaluating its
            # ``__init__`` expression gives a fresh one, never None (``.append`` must still work);
            # what was added since is lost, so unsafe whatever its elements are.
            tiers.add(RECREATE_UNSAFE)
        elif isinstance(symbol, str) and symbol in RESOURCE_VALUES:
            tiers.add(RECREATE)  # re-reading ``sys.stdout`` gives the same process-wide object
        elif isinstance(symbol, str) and symbol.endswith("()"):
            name = symbol[:-2]
            if name in extra:
                tiers.add(SET_NONE)
            elif resource_facts(name) is None:
                continue  # not a resource: another branch's value
            spellings = {name, ALIASES.get(name, name)}
            if spellings & RECREATE_SAFE:
                tiers.add(RECREATE)
            elif spellings & RECREATE_LOSES_STATE:
                tiers.add(RECREATE_UNSAFE)
            else:
                tiers.add(SET_NONE)
        elif isinstance(symbol, str):
            continue
        elif isinstance(symbol, (Generated, LocalInstance, LocalDef)):
            tiers.add(SET_NONE)  # an instance, a generator: nothing to re-evaluate faithfully
    for tier in (SET_NONE, RECREATE_UNSAFE, RECREATE):
        if tier in tiers:
            return tier
    return SET_NONE


def _setstate_not_extendable(function: ast.FunctionDef) -> Optional[str]:
    positional = [*function.args.posonlyargs, *function.args.args]
    if len(positional) != 2 or function.args.vararg or function.args.kwarg or function.args.kwonlyargs:
        return "its parameters are not (self, state)"
    if function.decorator_list:
        return "it is decorated"
    for node in _own_nodes(function):
        if isinstance(node, ast.Return):
            return "it returns early"
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return "it is a generator"
    return None


def _own_nodes(function: ast.FunctionDef):
    """Nodes of ``function``'s body, not descending into nested functions, classes or lambdas."""
    stack: List[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _assigned_self_attributes(function: ast.FunctionDef) -> Set[str]:
    self_name = _self_name(function)
    out = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == self_name:
                out.add(node.attr)
    return out


def _init_assignment(init: Optional[ast.FunctionDef], attr: str) -> Optional[ast.expr]:
    """The value of the one top-level ``self.attr = value`` of ``__init__`` (None if not exactly one)."""
    if init is None:
        return None
    self_name = _self_name(init)
    stores = [
        node
        for node in _own_nodes(init)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name)
        and node.value.id == self_name
        and node.attr == attr
    ]
    if len(stores) != 1:
        return None
    for statement in init.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and statement.targets[0] is stores[0]:
            return statement.value
        if isinstance(statement, ast.AnnAssign) and statement.target is stores[0] and statement.value is not None:
            return statement.value
    return None


def _free_names(expression: ast.expr) -> List[ast.Name]:
    """Names the expression reads from outside itself (comprehension and lambda variables excluded)."""
    bound: Set[str] = set()
    for node in ast.walk(expression):
        if isinstance(node, ast.Lambda):
            args = node.args
            bound |= {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
            bound |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        elif isinstance(node, ast.comprehension):
            bound |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            bound.add(node.target.id)
    return [n for n in ast.walk(expression) if isinstance(n, ast.Name) and n.id not in bound]


def _expression_rewrite(
    value: ast.expr,
    init: ast.FunctionDef,
    module_names: Set[str],
    not_yet_restored: Set[str],
    facts: FixFacts,
    fresh: Set[str] = frozenset(),  # type: ignore[assignment]
) -> Optional[Tuple[Tuple[Tuple[str, str], ...], bool]]:
    """How the expression is re-evaluated in ``__setstate__``: (substitutions, needs only module names).

    None when it reads something ``__setstate__`` cannot reach: a local of
    ``__init__``, a parameter that was not stored unchanged, a dropped attribute
    not restored yet, ``super()``. ``fresh``: attributes the same ``__setstate__`` has just
    recreated safely (a new lock): reading one keeps the expression safe, so a
    ``threading.Condition(self._lock)`` comes back on the class's own new lock.
    """
    self_name = _self_name(init)
    parameters = {a.arg for a in [*init.args.posonlyargs, *init.args.args, *init.args.kwonlyargs]}
    parameters |= {a.arg for a in (init.args.vararg, init.args.kwarg) if a is not None}
    locals_ = {
        n.id for n in _own_nodes(init) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))
    }
    substitutions: Dict[str, str] = {}
    pure = True
    if any(isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(value)):
        return None
    fresh_reads = {
        id(node.value)
        for node in ast.walk(value)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == self_name
        and node.attr in fresh
    }
    for name in _free_names(value):
        if name.id == self_name:
            pure = pure and id(name) in fresh_reads
            continue
        if name.id in parameters:
            stored = _stored_parameter(init, name.id, value)
            if stored is None:
                return None
            substitutions[name.id] = stored
            pure = False
            continue
        if name.id in locals_:
            return None
        if name.id == "super" or name.id not in module_names:
            return None
    for node in ast.walk(value):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == self_name:
            if node.attr in not_yet_restored:
                return None
    for attr in substitutions.values():
        if attr in not_yet_restored:
            return None
    return tuple(sorted(substitutions.items())), pure


def _stored_parameter(init: ast.FunctionDef, parameter: str, before: ast.expr) -> Optional[str]:
    """The attribute ``__init__`` stores ``parameter`` in unchanged (``self.path = path``), if any."""
    self_name = _self_name(init)
    if any(
        isinstance(n, ast.Name) and n.id == parameter and isinstance(n.ctx, (ast.Store, ast.Del))
        for n in _own_nodes(init)
    ):
        return None  # rebound somewhere in __init__: the stored value may differ
    for statement in init.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Attribute)
            and isinstance(statement.targets[0].value, ast.Name)
            and statement.targets[0].value.id == self_name
            and isinstance(statement.value, ast.Name)
            and statement.value.id == parameter
        ):
            attr = statement.targets[0].attr
            stores = [
                n
                for n in _own_nodes(init)
                if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store) and n.attr == attr
            ]
            return attr if len(stores) == 1 else None
    return None


# --------------------------------------------------------------------------- libcst helpers


def _is_method(statement: cst.BaseStatement, name: str) -> bool:
    return isinstance(statement, cst.FunctionDef) and statement.name.value == name


def _init_statement(body: Sequence[cst.BaseStatement]) -> Optional[cst.FunctionDef]:
    found = None
    for statement in body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
            found = statement
    return found


def _cst_init_value(init: Optional[cst.FunctionDef], attr: str, self_name: str) -> Optional[cst.BaseExpression]:
    """The value of the top-level ``self.attr = value`` of ``__init__`` in the concrete tree."""
    if init is None or not isinstance(init.body, cst.IndentedBlock):
        return None
    for statement in init.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            target = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target = small.target
            if (
                isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == self_name
                and target.attr.value == attr
            ):
                return small.value  # type: ignore[union-attr]
    return None


class _Rename(cst.CSTTransformer):
    """Rewrites names: a parameter becomes ``self.attribute``, another name a plain rename."""

    def __init__(self, renames: Dict[str, str]):
        super().__init__()
        self.renames = renames

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        target = self.renames.get(original_node.value)
        if target is None:
            return updated_node
        if "." in target:
            return cst.parse_expression(target)
        return updated_node.with_changes(value=target)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        # Only the object of ``a.b`` can be a variable; ``b`` is an attribute name.
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)
