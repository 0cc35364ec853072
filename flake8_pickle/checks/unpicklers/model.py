"""PKL104's model: the verdicts, the bounds, the markers a path's expressions use, what is
dangerous to admit, and small readers of the AST and of the module's constants."""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ...catalog.gadgets import (
    BUILTINS_MODULES,
    CODE_EXECUTION_MODULES,
    CODE_EXECUTION_NAMES,
    GADGET_HOMES,
    GADGETS_BY_MODULE,
)
from ...catalog.names import UNPICKLER_BASES  # noqa: F401 - the library classes whose subclasses are graded
from ...pathwalk import GiveUp
from ...symbols import LocalDef
from ...shapes import target_names

RESTRICTS_NOTHING_PARENT = "restricts nothing (every path calls the parent)"
RESTRICTS_NOTHING_IMPORT = "restricts nothing (every path imports the requested global)"
RESTRICTS_NOTHING = "restricts nothing (no path rejects a global)"
ADMITS = "admits code-execution global {global_name}"
PREFIX = "checks module names by prefix"
DENY_LIST = "uses a deny-list instead of an allow-list"

# Bounds that keep the grading linear and the recursion shallow on odd code.
_MAX_PATHS = 256
_MAX_WORK = 20000
_MAX_NESTING = 50
_MAX_EXPR_DEPTH = 40
_MAX_EXPR_NODES = 400
_MAX_CLAUSES = 32
_MAX_EVAL_DEPTH = 12
_MAX_CLASS_DEPTH = 24
_MAX_PRODUCT = 4096

_STRING_TESTS = frozenset(
    """
    startswith endswith split rsplit partition rpartition find rfind index rindex count
    __contains__
    """.split()
)
_PATTERN_METHODS = frozenset({"match", "fullmatch", "search", "findall", "finditer"})
_PATTERN_FUNCTIONS = frozenset(
    """
    re.match re.fullmatch re.search re.findall re.finditer fnmatch.fnmatch fnmatch.fnmatchcase
    fnmatch.filter
    """.split()
)
# Calls that can add to a collection: a constant mutated anywhere is not read as a literal.
_MUTATORS = frozenset(
    """
    add update append extend insert setdefault __setitem__ __ior__ __iadd__
    symmetric_difference_update
    """.split()
)

_NEGATED_OPS = (ast.NotIn, ast.NotEq, ast.IsNot)
# Calls given the module or name that log, record or import, but never reject.
_HARMLESS_METHODS = frozenset(
    """
    debug info warning warn error exception critical log add append extend update discard get
    setdefault format join
    """.split()
)
_HARMLESS_CALL_PREFIXES = ("builtins.", "logging.")


#: The method is too large or too odd to read: neither report nor trust it.
_GiveUp = GiveUp


# ---------------------------------------------------------------- expression markers
class _Unknown(ast.expr):
    """A local whose value the grading cannot follow (a loop over a call, a tuple unpacking)."""

    _fields = ()


class _ElementOf(ast.expr):
    """The target of ``for x in collection``: one element of ``collection``."""

    _fields = ("collection",)


class _Imported(ast.expr):
    """A name bound by an ``import`` inside the method."""

    _fields = ()

    def __init__(self, qualified: str = "", **kwargs: object):
        super().__init__(**kwargs)
        self.qualified = qualified


_UNKNOWN_VALUE = object()


@dataclass
class _DictValue:
    """A literal mapping: evaluated keys, value expressions kept for later reading."""

    items: Dict[object, ast.AST]
    scope_cls: Optional[LocalDef] = None


@dataclass(frozen=True)
class _Path:
    """One way through the method: the conditions that hold, the locals in force."""

    atoms: Tuple[Tuple[ast.AST, bool], ...]
    env: Dict[str, ast.AST] = field(hash=False, compare=False)


REJECT = "reject"
NEUTRAL = "neutral"
RESOLVE = "resolve"
OBJECTS = "objects"
OPAQUE = "opaque"


@dataclass
class _Terminal:
    """How one path leaves ``find_class``."""

    kind: str
    path: _Path
    key_module: Optional[ast.AST] = None
    key_name: Optional[ast.AST] = None
    fixed_module: Optional[str] = None
    fixed_name: Optional[str] = None
    via_parent: bool = False
    #: The in-module class whose own find_class this delegation reaches, if any.
    parent: Optional[LocalDef] = None
    objects: Tuple[ast.AST, ...] = ()


@dataclass
class Grade:
    """What the grading found for one Unpickler subclass."""

    cls: LocalDef
    method: Optional[ast.AST]
    problem: Optional[str] = None
    sound: bool = False
    #: Class attributes the method reads through ``self``/``cls``: a subclass that
    #: redefines one inherits the method but not its verdict.
    self_attributes: FrozenSet[str] = frozenset()


@dataclass
class _Constraint:
    """What the conditions of one path say about the admitted ``(module, name)``."""

    modules: Optional[FrozenSet[str]] = None
    names: Optional[FrozenSet[str]] = None
    pairs: Optional[FrozenSet[Tuple[str, str]]] = None
    prefix: bool = False
    deny: bool = False
    opaque: bool = False

    def narrow(self, kind: str, values: FrozenSet) -> None:
        """Intersect one of the three exact sets with ``values``."""
        current = getattr(self, kind)
        setattr(self, kind, values if current is None else current & values)


@dataclass
class _Admitted:
    """The globals one path admits: exact pairs, or per-axis sets (None: anything)."""

    pairs: Optional[FrozenSet[Tuple[str, str]]]
    modules: Optional[FrozenSet[str]]
    names: Optional[FrozenSet[str]]


# ---------------------------------------------------------------- what is dangerous
def _module_is_code_execution(module: str) -> bool:
    return module.split(".")[0] in CODE_EXECUTION_MODULES


def dangerous_global(module: str, name: str) -> bool:
    """Whether admitting ``module.name`` lets a pickle run code (``catalog.CODE_EXECUTION_GADGETS``)."""
    if name in CODE_EXECUTION_NAMES or _module_is_code_execution(module):
        return True
    return name in GADGETS_BY_MODULE.get(module, frozenset())


def dangerous_module(module: str) -> bool:
    """Whether admitting every name of ``module`` lets a pickle run code."""
    return _module_is_code_execution(module) or module in BUILTINS_MODULES or module in GADGETS_BY_MODULE


def _dangers(admitted: _Admitted) -> List[str]:
    """The code-execution globals among those admitted, as a message names them."""
    if admitted.pairs is not None:
        return sorted(f"{m}.{n}" for m, n in admitted.pairs if dangerous_global(m, n))
    if admitted.modules is not None:
        if admitted.names is None:
            return sorted(f"{m}.* (whole module)" for m in admitted.modules if dangerous_module(m))
        # Too many to pair up: judge each side on its own, and each module's named gadgets.
        found = {f"{m}.*" for m in admitted.modules if _module_is_code_execution(m)}
        found.update(GADGET_HOMES[n] for n in admitted.names if n in CODE_EXECUTION_NAMES)
        for module in admitted.modules:
            found.update(f"{module}.{n}" for n in GADGETS_BY_MODULE.get(module, frozenset()) & admitted.names)
        return sorted(found)
    if admitted.names is not None:
        return sorted(GADGET_HOMES[n] for n in admitted.names if n in GADGET_HOMES)
    return []


# ---------------------------------------------------------------- bounded AST helpers
def _shape(node: object, depth: int = 0, budget: Optional[List[int]] = None) -> object:
    """A hashable structural fingerprint of an expression (positions ignored); bounded."""
    if budget is None:
        budget = [_MAX_EXPR_NODES]
    budget[0] -= 1
    if depth > _MAX_EXPR_DEPTH or budget[0] < 0:
        raise _GiveUp
    if isinstance(node, _Imported):
        return ("import", node.qualified)
    if isinstance(node, (_Unknown, _ElementOf)):
        return ("?", id(node))  # two unknowns are never the same value
    if isinstance(node, ast.AST):
        parts: List[object] = [type(node).__name__]
        for name, value in ast.iter_fields(node):
            if name in ("ctx", "type_comment", "kind"):
                continue
            parts.append(_shape(value, depth + 1, budget))
        return tuple(parts)
    if isinstance(node, list):
        return tuple(_shape(item, depth + 1, budget) for item in node)
    if isinstance(node, (str, bytes, int, float, complex, bool, type(None), type(Ellipsis))):
        return (type(node).__name__, node)
    return ("?", id(node))


def _walk(node: ast.AST, limit: int = _MAX_EXPR_NODES) -> Iterator[ast.AST]:
    """Every node under ``node`` (itself included), at most ``limit`` of them, iteratively."""
    stack = [node]
    seen = 0
    while stack:
        current = stack.pop()
        seen += 1
        if seen > limit:
            raise _GiveUp
        yield current
        stack.extend(ast.iter_child_nodes(current))


def _constant_str(node: object) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _members(value: object) -> Optional[FrozenSet]:
    """The elements of an evaluated collection (a mapping's keys); None if not a collection."""
    try:
        if isinstance(value, (frozenset, tuple)):
            return frozenset(value)
        if isinstance(value, _DictValue):
            return frozenset(value.items)
    except TypeError:  # an unhashable element: not something ``in`` can match
        return None
    return None


def _dotted_pairs(values: Iterable[object], separator: str) -> FrozenSet[Tuple[str, str]]:
    """``"a.b.c"`` read as ``module + separator + name``: every split is possible."""
    out: Set[Tuple[str, str]] = set()
    for value in values:
        if not isinstance(value, str) or not separator:
            continue
        start = value.find(separator)
        while start > 0:
            out.add((value[:start], value[start + len(separator) :]))
            start = value.find(separator, start + 1)
    return frozenset(out)


# ---------------------------------------------------------------- module-level facts
class _ModuleFacts:
    """Module-level constants (what the resolver saw the module's own statements bind each name to)
    and what is mutated anywhere, read once per module."""

    def __init__(self, tree: ast.AST, module_values: Dict[str, List[Optional[ast.expr]]]):
        self.bindings = module_values
        self.mutated_names: Set[str] = set()
        self.mutated_attributes: Set[str] = set()
        for node in ast.walk(tree):
            self._read_mutation(node)

    def _read_mutation(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
            self._mark(node.func.value)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for sub in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                    if isinstance(sub, ast.Subscript):
                        self._mark(sub.value)
                    elif isinstance(sub, ast.Attribute):
                        self.mutated_attributes.add(sub.attr)
                    elif isinstance(sub, ast.Name) and isinstance(node, ast.AugAssign):
                        self.mutated_names.add(sub.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            self.mutated_names.update(node.names)

    def _mark(self, target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.mutated_names.add(target.id)
        elif isinstance(target, ast.Attribute):
            self.mutated_attributes.add(target.attr)

    def constant(self, name: str) -> Optional[ast.AST]:
        """The expression a module-level name is bound to once and never mutated, else None."""
        values = self.bindings.get(name)
        if values is None or len(values) != 1 or name in self.mutated_names:
            return None
        return values[0]


# ---------------------------------------------------------------- small pure helpers
def _last_binding(cls: ast.ClassDef, name: str) -> Optional[ast.AST]:
    """The statement of the class body that last binds ``name`` (None if it is bound elsewhere)."""
    found: Optional[ast.AST] = None
    for statement in cls.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if statement.name == name:
                found = statement
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(name in target_names(t) for t in targets):
                found = statement
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name).split(".")[0] == name for a in statement.names):
                found = statement
    return found


def _class_body_binding(cls: LocalDef, name: str, facts: _ModuleFacts) -> object:
    """The single literal a class body binds ``name`` to: the expression, None if not literal, False if unbound."""
    node = cls.node
    if not isinstance(node, ast.ClassDef) or name not in cls.members:
        return False
    if name in facts.mutated_attributes or name in facts.mutated_names:
        return None
    values: List[Optional[ast.AST]] = []
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    values.append(statement.value)
                elif name in target_names(target):
                    values.append(None)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.target.id == name:
                values.append(statement.value)
        elif isinstance(statement, ast.AugAssign) and name in target_names(statement.target):
            values.append(None)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.name == name:
            values.append(None)
    if len(values) != 1:
        return None  # bound conditionally, twice, or by something that is not a literal
    return values[0]


def _class_attribute(cls: LocalDef, name: str, facts: _ModuleFacts) -> Optional[Tuple[ast.AST, LocalDef]]:
    """Where ``cls.name`` is found along the in-module bases, with the class that binds it."""
    if name in facts.mutated_attributes:
        return None
    stack: List[Tuple[LocalDef, int]] = [(cls, 0)]
    seen: Set[int] = set()
    while stack:
        current, depth = stack.pop()
        if id(current) in seen or depth > _MAX_CLASS_DEPTH:
            continue
        seen.add(id(current))
        found = _class_body_binding(current, name, facts)
        if found is None:
            return None
        if found is not False:
            return found, current  # type: ignore[return-value]
        pending = []
        for base in current.bases:
            for symbol in base:
                if isinstance(symbol, LocalDef) and symbol.kind == "class":
                    pending.append((symbol, depth + 1))
                elif isinstance(symbol, str):
                    return None  # may come from the library class
        stack.extend(reversed(pending))
    return None


def _typed(kind: str, detail: str, values: FrozenSet) -> Tuple[str, FrozenSet]:
    """Keep the elements of a collection that can equal a value of the given role."""
    if kind in ("modules", "names"):
        return kind, frozenset(v for v in values if isinstance(v, str))
    if kind == "pairs":
        pairs = frozenset(
            (v[1], v[0]) if detail == "reversed" else (v[0], v[1])
            for v in values
            if isinstance(v, tuple) and len(v) == 2 and all(isinstance(p, str) for p in v)
        )
        return "pairs", pairs
    return "pairs", _dotted_pairs(values, detail)


def _admitted(constraint: _Constraint, terminal: _Terminal) -> _Admitted:
    pairs, modules, names = constraint.pairs, constraint.modules, constraint.names
    if pairs is not None:
        pairs = frozenset(
            (m, n) for m, n in pairs if (modules is None or m in modules) and (names is None or n in names)
        )
    elif modules is not None and names is not None and len(modules) * len(names) <= _MAX_PRODUCT:
        pairs = frozenset(itertools.product(modules, names))
    if terminal.fixed_module is not None or terminal.fixed_name is not None:
        fixed_m, fixed_n = terminal.fixed_module, terminal.fixed_name
        if pairs is not None:
            pairs = frozenset((fixed_m or m, fixed_n or n) for m, n in pairs)
        else:
            modules = frozenset((fixed_m,)) if fixed_m is not None else modules
            names = frozenset((fixed_n,)) if fixed_n is not None else names
            if modules is not None and names is not None and len(modules) * len(names) <= _MAX_PRODUCT:
                pairs = frozenset(itertools.product(modules, names))
    if pairs is not None:
        return _Admitted(pairs, None, None)
    return _Admitted(None, modules, names)


def _combine(op: ast.operator, left: object, right: object) -> object:
    if left is _UNKNOWN_VALUE or right is _UNKNOWN_VALUE:
        return _UNKNOWN_VALUE
    if isinstance(left, _DictValue) and isinstance(right, _DictValue) and isinstance(op, ast.BitOr):
        return _DictValue({**left.items, **right.items}, left.scope_cls or right.scope_cls)
    if isinstance(left, str) and isinstance(right, str) and isinstance(op, ast.Add):
        return left + right
    if isinstance(left, tuple) and isinstance(right, tuple) and isinstance(op, ast.Add):
        return left + right
    a, b = _members(left), _members(right)
    if a is None or b is None or isinstance(left, _DictValue) or isinstance(right, _DictValue):
        return _UNKNOWN_VALUE
    if isinstance(op, ast.BitOr):
        return a | b
    if isinstance(op, ast.BitAnd):
        return a & b
    if isinstance(op, ast.Sub):
        return a - b
    return _UNKNOWN_VALUE


def _lookup_parts(expr: ast.AST) -> Tuple[Optional[ast.AST], Optional[ast.AST], Optional[ast.AST]]:
    """``base[key]`` or ``base.get(key[, default])``: (base, key, default)."""
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        if type(key).__name__ == "Index":  # pragma: no cover - Python 3.8 AST shape
            key = key.value  # type: ignore[attr-defined]
        if isinstance(key, ast.Slice):
            return None, None, None
        return expr.value, key, None
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and 1 <= len(expr.args) <= 2
        and not expr.keywords
        and not any(isinstance(a, ast.Starred) for a in expr.args)
    ):
        default = expr.args[1] if len(expr.args) == 2 else None
        if isinstance(default, ast.Constant) and default.value is None:
            default = None
        return expr.func.value, expr.args[0], default
    return None, None, None


def _module_and_name(call: ast.Call, skip: int) -> Optional[Tuple[ast.AST, ast.AST]]:
    """The (module, name) arguments of a find_class call, after ``skip`` leading ones (``self``)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    values: Dict[str, ast.AST] = {}
    positional = call.args[skip:]
    for slot, value in zip(("module", "name"), positional):
        values[slot] = value
    for keyword in call.keywords:
        if keyword.arg in ("module", "name"):
            values[keyword.arg] = keyword.value
    if set(values) != {"module", "name"} or len(positional) > 2:
        return None
    return values["module"], values["name"]


def _clauses(test: ast.AST, positive: bool, depth: int) -> List[Tuple[Tuple[ast.AST, bool], ...]]:
    """A condition as alternatives of conjunctions (bounded).

    Only a disjunction that *admits* (``a or b`` true) splits the path: each
    alternative admits its own globals. A failed conjunction
    (``not (module == "os" and name == "system")``) stays one atom; it only
    carves an exception out of what else is admitted.
    """
    if depth > 20:
        return [((test, positive),)]
    if isinstance(test, ast.NamedExpr):
        return _clauses(test.value, positive, depth + 1)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _clauses(test.operand, not positive, depth + 1)
    if isinstance(test, ast.BoolOp):
        conjunction = isinstance(test.op, ast.And) == positive
        if conjunction:
            result: List[Tuple[Tuple[ast.AST, bool], ...]] = [()]
            for value in test.values:
                parts = _clauses(value, positive, depth + 1)
                result = [a + b for a in result for b in parts]
                if len(result) > _MAX_CLAUSES:
                    return [((test, positive),)]
            return result
        if positive:
            alternatives: List[Tuple[Tuple[ast.AST, bool], ...]] = []
            for value in test.values:
                alternatives.extend(_clauses(value, True, depth + 1))
                if len(alternatives) > _MAX_CLAUSES:
                    return [((test, positive),)]
            return alternatives
    return [((test, positive),)]


def _bind(env: Dict[str, ast.AST], target: ast.AST, value: ast.AST) -> None:
    if isinstance(target, ast.Name):
        env[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        elements = None
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            if not any(isinstance(e, ast.Starred) for e in value.elts + target.elts):
                elements = value.elts
        for index, element in enumerate(target.elts):
            if elements is not None:
                _bind(env, element, elements[index])
            else:
                for name in target_names(element):
                    env[name] = _Unknown()
    elif isinstance(target, ast.Starred):
        for name in target_names(target):
            env[name] = _Unknown()


def _substituted(node: ast.AST, env: Dict[str, ast.AST], depth: int, budget: List[int]) -> ast.AST:
    """``node`` with the method's locals replaced by their values (bounded in depth and size)."""
    budget[0] -= 1
    if depth > _MAX_EXPR_DEPTH or budget[0] < 0:
        return _Unknown()
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load) and node.id in env:
            return env[node.id]
        return node
    changed = False
    values: Dict[str, object] = {}
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.expr):
            new: object = _substituted(value, env, depth + 1, budget)
        elif isinstance(value, list):
            new = [
                _substituted(item, env, depth + 1, budget) if isinstance(item, ast.expr) else item for item in value
            ]
            if all(a is b for a, b in zip(new, value)):  # type: ignore[arg-type]
                new = value
        else:
            new = value
        changed = changed or new is not value
        values[name] = new
    if not changed:
        return node
    clone = type(node)(**values)
    if isinstance(node, _Imported):
        clone.qualified = node.qualified  # type: ignore[attr-defined]
    return ast.copy_location(clone, node)


def _returns_in(body: Sequence[ast.stmt]) -> bool:
    """Whether a block (not its nested functions) contains a ``return``."""
    stack: List[ast.AST] = list(body)
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > 10 * _MAX_EXPR_NODES:
            return True
        if isinstance(node, ast.Return):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.stmt):
            stack.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, (ast.stmt, ast.excepthandler)))
        elif isinstance(node, ast.excepthandler):
            stack.extend(node.body)
    return False


def _pattern_test(subject: ast.AST, pattern: ast.AST) -> Optional[ast.AST]:
    """A ``case`` pattern as a comparison of the subject; None for an irrefutable pattern."""
    if type(pattern).__name__ == "MatchAs":
        inner = getattr(pattern, "pattern", None)
        return None if inner is None else _pattern_test(subject, inner)
    value = _pattern_value(pattern)
    if value is not None:
        return ast.Compare(left=subject, ops=[ast.Eq()], comparators=[value])
    if type(pattern).__name__ == "MatchOr":
        options = [_pattern_value(p) for p in getattr(pattern, "patterns", [])]
        if options and all(o is not None for o in options):
            return ast.Compare(left=subject, ops=[ast.In()], comparators=[ast.Tuple(elts=options, ctx=ast.Load())])
    return ast.Call(func=_Unknown(), args=[subject], keywords=[])


def _pattern_value(pattern: ast.AST) -> Optional[ast.AST]:
    kind = type(pattern).__name__
    if kind == "MatchValue":
        return getattr(pattern, "value", None)
    if kind == "MatchSingleton":
        return ast.Constant(value=getattr(pattern, "value", None))
    if kind == "MatchSequence":
        parts = [_pattern_value(p) for p in getattr(pattern, "patterns", [])]
        if parts and all(p is not None for p in parts):
            return ast.Tuple(elts=parts, ctx=ast.Load())
    return None


def _definer_above(local: LocalDef) -> Tuple[Optional[LocalDef], List[LocalDef]]:
    """The first in-module base class defining find_class, in a simple MRO (depth first, left to right).

    Also returns the classes passed on the way, ``local`` included. A library
    Unpickler met first means the library's find_class is the one inherited: None.
    """
    between: List[LocalDef] = [local]
    stack: List[Tuple[object, int]] = [(s, 1) for base in reversed(local.bases) for s in base]
    seen: Set[int] = {id(local)}
    while stack:
        symbol, depth = stack.pop()
        if isinstance(symbol, str):
            if symbol in UNPICKLER_BASES:
                return None, between
            continue
        if not isinstance(symbol, LocalDef) or symbol.kind != "class" or id(symbol) in seen or depth > _MAX_CLASS_DEPTH:
            continue
        seen.add(id(symbol))
        if "find_class" in symbol.members:
            return symbol, between
        between.append(symbol)
        stack.extend((s, depth + 1) for base in reversed(symbol.bases) for s in base)
    return None, between
