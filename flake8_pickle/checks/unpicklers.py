"""PKL104: restricted Unpickler subclasses whose find_class restricts nothing or admits code execution.

Every ``GLOBAL``/``STACK_GLOBAL`` opcode of a pickle goes through
``Unpickler.find_class(module, name)``; overriding it with an allow-list is
the Python documentation's defence ("Restricting Globals"). This module
grades each in-module subclass of a pickle-family ``Unpickler`` that defines
``find_class``.

The grading reads the body of ``find_class`` syntactically, path by path:
each ``return`` is reached under the conditions of the ``if``/``assert``/
``for``/``match`` statements above it, with the method's local assignments
substituted into them. A path that hands ``(module, name)`` to the parent
(``super().find_class``, ``pickle.Unpickler.find_class``,
``getattr(sys.modules[module], name)``, ``importlib.import_module``) admits
exactly what its conditions allow; those conditions are read as exact
allow-lists (membership in, or equality with, literal collections resolved
through method locals, class attributes and module-level constants),
deny-lists (the negated forms) or prefix and pattern checks. Names are
resolved through the module's one resolver once the walk is done, so
module-level bindings are final. Whatever cannot be read (a helper method, a
collection built at run time) is neither reported nor trusted.

A class whose every path is an exact allow-list of harmless globals, or
rejects, is *sound*: :meth:`FindClassChecks.sound_unpickler_classes` lists
those (and their subclasses that inherit the method), so loads through them
can be treated as trusted.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ..catalog.conventions import COLLECTION_BUILDERS, HARMLESS_CALLS, MAPPING_WRAPPERS
from ..catalog.gadgets import (
    BUILTINS_MODULES,
    CODE_EXECUTION_MODULES,
    CODE_EXECUTION_NAMES,
    GADGET_HOMES,
    GADGETS_BY_MODULE,
)
from ..findings import Finding
from ..rules import message
from ..scope import Listener, LocalDef, LocalInstance, Resolver, all_args, decorator_names, target_names

#: The library classes whose subclasses are graded.
UNPICKLER_BASES = frozenset(
    """
    pickle.Unpickler pickle._Unpickler _pickle.Unpickler cPickle.Unpickler dill.Unpickler
    dill._dill.Unpickler
    """.split()
)

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

_MATCH_NODE = getattr(ast, "Match", None)
_TRY_STAR = getattr(ast, "TryStar", None)
_TRY_NODES = (ast.Try,) + ((_TRY_STAR,) if _TRY_STAR is not None else ())


class _GiveUp(Exception):
    """The method is too large or too odd to read: neither report nor trust it."""


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


def _pattern_names(pattern: ast.AST) -> Iterator[str]:
    for node in _walk(pattern, limit=10 * _MAX_EXPR_NODES):
        for attribute in ("name", "rest"):
            value = getattr(node, attribute, None)
            if isinstance(value, str):
                yield value


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
    """Module-level constants and what is mutated anywhere, read once per module."""

    def __init__(self, tree: ast.AST):
        self.bindings: Dict[str, List[Optional[ast.AST]]] = {}
        self.mutated_names: Set[str] = set()
        self.mutated_attributes: Set[str] = set()
        self._read_bindings(getattr(tree, "body", []))
        for node in ast.walk(tree):
            self._read_mutation(node)

    def _bind(self, name: str, value: Optional[ast.AST]) -> None:
        self.bindings.setdefault(name, []).append(value)

    def _read_bindings(self, body: Sequence[ast.stmt]) -> None:
        stack: List[ast.AST] = list(reversed(body)) if isinstance(body, list) else []
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self._bind(target.id, node.value)
                    else:
                        for name in target_names(target):
                            self._bind(name, None)
            elif isinstance(node, ast.AnnAssign):
                if isinstance(node.target, ast.Name) and node.value is not None:
                    self._bind(node.target.id, node.value)
            elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
                for name in target_names(node.target):
                    self._bind(name, None)
                if isinstance(node, (ast.For, ast.AsyncFor)):
                    stack.extend(reversed(node.body + node.orelse))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    self._bind((alias.asname or alias.name).split(".")[0], None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(node.name, None)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        for name in target_names(item.optional_vars):
                            self._bind(name, None)
                stack.extend(reversed(node.body))
            elif isinstance(node, ast.Delete):
                for target in node.targets:
                    for name in target_names(target):
                        self._bind(name, None)
            elif isinstance(node, (ast.If, ast.While)):
                stack.extend(reversed(node.body + node.orelse))
            elif isinstance(node, _TRY_NODES):
                blocks = node.body + node.orelse + node.finalbody  # type: ignore[attr-defined]
                for handler in node.handlers:  # type: ignore[attr-defined]
                    blocks = blocks + handler.body
                stack.extend(reversed(blocks))
            elif _MATCH_NODE is not None and isinstance(node, _MATCH_NODE):
                for case in node.cases:  # type: ignore[attr-defined]
                    stack.extend(reversed(case.body))

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


# ---------------------------------------------------------------- the listener
class FindClassChecks(Listener):
    """Grades the find_class of every in-module Unpickler subclass (PKL104).

    Classes are recorded as the resolver meets them and graded when the module
    is done (or earlier, on demand, from another listener's ``on_module_end``),
    so module-level constants defined after the class are read in their final form.
    """

    def __init__(self, report: Callable[[Finding], None]):
        self.report = report
        self._classes: List[LocalDef] = []
        self._known: Set[object] = set()
        self._grades: Dict[LocalDef, Grade] = {}
        self._grading: Set[LocalDef] = set()
        self._facts: Optional[_ModuleFacts] = None
        self._graded_all = False
        self._reported = False

    # ------------------------------------------------------------------ listener events
    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: Resolver) -> None:
        # Bases are classified before their subclasses: one look at the direct bases suffices.
        for base in local.bases:
            for symbol in base:
                if (isinstance(symbol, str) and symbol in UNPICKLER_BASES) or symbol in self._known:
                    self._classes.append(local)
                    self._known.add(local)
                    return

    def on_module_end(self, resolver: Resolver) -> None:
        if self._reported:
            return
        self._reported = True
        for grade in self.grade_all(resolver):
            if grade.problem is None or grade.method is None:
                continue
            method = grade.method
            text = message("PKL104", cls=grade.cls.name, problem=grade.problem)
            self.report(Finding(method.lineno, method.col_offset, "PKL104", text))  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ public answers
    def grade_all(self, resolver: Resolver) -> List[Grade]:
        """The grade of every Unpickler subclass that defines find_class (computed once)."""
        if not self._graded_all:
            self._graded_all = True
            for local in self._classes:
                if "find_class" in local.members:
                    self._grade(local, resolver)
        return [self._grades[c] for c in self._classes if c in self._grades]

    def sound_unpickler_classes(self, resolver: Resolver) -> FrozenSet[LocalDef]:
        """In-module Unpickler subclasses whose find_class (own or inherited) is a sound allow-list.

        Valid once the resolver's walk is done (from any listener's ``on_module_end``).
        """
        self.grade_all(resolver)
        return frozenset(c for c in self._classes if self._is_sound(c, resolver))

    def loads_through_sound_unpickler(self, receiver: Iterable[object], resolver: Resolver) -> bool:
        """Whether every symbol of a ``.load()`` receiver is an instance of a sound class.

        ``receiver`` is ``resolver.symbols_of(call.func.value)`` taken at the call.
        """
        symbols = list(receiver)
        if not symbols:
            return False
        sound = self.sound_unpickler_classes(resolver)
        return all(isinstance(s, LocalInstance) and s.cls in sound for s in symbols)

    # ------------------------------------------------------------------ grading
    def _is_sound(self, local: LocalDef, resolver: Resolver) -> bool:
        if "find_class" in local.members:
            return self._grade(local, resolver).sound
        definer, between = _definer_above(local)
        if definer is None:
            return False  # a plain Unpickler: nothing is restricted
        grade = self._grade(definer, resolver)
        if not grade.sound:
            return False
        return not any(attr in c.members for c in between for attr in grade.self_attributes)

    def _grade(self, local: LocalDef, resolver: Resolver) -> Grade:
        known = self._grades.get(local)
        if known is not None:
            return known
        if local in self._grading or len(self._grading) > 8:
            # A cycle, or a long chain graded out of order: neither report nor trust for now
            # (grade_all grades bases first, so the chain is met one level at a time).
            return Grade(local, None)
        self._grading.add(local)
        try:
            if self._facts is None:
                self._facts = _ModuleFacts(resolver.tree)
            grade = _MethodGrader(local, resolver, self._facts, self).grade()
        finally:
            self._grading.discard(local)
        self._grades[local] = grade
        return grade

    def grade_of_parent(self, local: LocalDef, resolver: Resolver) -> Grade:
        """The grade of an in-module class that defines find_class (for delegating children)."""
        return self._grade(local, resolver)


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


class _MethodGrader:
    """Reads one class's find_class."""

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
        self._loop_exits: List[List[_Path]] = []
        self._work = 0
        # Atoms are shared by many paths: fingerprint each node once (kept alive with it).
        self._shapes: Dict[int, Tuple[ast.AST, object]] = {}
        self._mentions: Dict[int, Tuple[ast.AST, bool]] = {}

    # ------------------------------------------------------------------ entry
    def grade(self) -> Grade:
        method = _last_binding(self.local.node, "find_class")  # type: ignore[arg-type]
        if not isinstance(method, ast.FunctionDef):
            return Grade(self.local, None)  # an assignment, an async def, a conditional def
        decorators = decorator_names(method)
        positional = [a.arg for a in list(getattr(method.args, "posonlyargs", [])) + list(method.args.args)]
        if decorators - {"staticmethod", "classmethod"}:
            return Grade(self.local, method)
        offset = 0 if "staticmethod" in decorators else 1
        if len(positional) < offset + 2:
            return Grade(self.local, method)
        self.self_param = positional[0] if offset else None
        self.module_param, self.name_param = positional[offset], positional[offset + 1]
        self.params = {a.arg for a in all_args(method.args)}
        try:
            live = self._block(method.body, [_Path((), {})], 0, False)
            for path in live:
                self.terminals.append(_Terminal(REJECT, path))  # falling off the end returns None
            problem, sound = self._judge()
        except _GiveUp:
            return Grade(self.local, method)
        return Grade(self.local, method, problem, sound, frozenset(self.self_attributes))

    # ------------------------------------------------------------------ judging
    def _judge(self) -> Tuple[Optional[str], bool]:
        terminals = self.terminals
        rejects = any(t.kind == REJECT for t in terminals)
        opaque = any(t.kind == OPAQUE for t in terminals)
        resolving = [t for t in terminals if t.kind == RESOLVE]
        unguarded = [t for t in resolving if t.parent is None]
        dynamic = [t for t in unguarded if t.fixed_module is None and t.fixed_name is None]
        if not rejects and not opaque and dynamic and len(unguarded) == len(resolving):
            if any(self._renames(t) for t in unguarded):
                # It renames globals (a compatibility shim for moved classes); it never
                # tried to restrict them: not reported, not trusted.
                return None, False
            admitting = [t for t in terminals if t.kind in (RESOLVE, OBJECTS)]
            if all(t.via_parent for t in admitting):
                return RESTRICTS_NOTHING_PARENT, False
            if all(t.kind == RESOLVE and not t.via_parent for t in admitting):
                return RESTRICTS_NOTHING_IMPORT, False
            return RESTRICTS_NOTHING, False
        problems: List[Tuple[int, str]] = []
        sound = not opaque
        for terminal in terminals:
            if terminal.kind == RESOLVE:
                found, path_sound = self._judge_resolve(terminal)
            elif terminal.kind == OBJECTS:
                found, path_sound = self._judge_objects(terminal)
            else:
                continue
            problems.extend(found)
            sound = sound and path_sound
        if problems:
            return min(problems)[1], False
        return None, sound

    def _renames(self, terminal: _Terminal) -> bool:
        """Whether a delegation passes on another module or name than it was asked for."""
        for key, param in ((terminal.key_module, self.module_param), (terminal.key_name, self.name_param)):
            if key is not None and not (isinstance(key, ast.Name) and key.id == param):
                return True
        return False

    def _judge_resolve(self, terminal: _Terminal) -> Tuple[List[Tuple[int, str]], bool]:
        constraint = self._read_conditions(terminal)
        if terminal.parent is not None:
            # The parent's own find_class restricts further; it is graded on its own.
            parent_sound = self.checks.grade_of_parent(terminal.parent, self.resolver).sound
            if parent_sound:
                return [], True
            if constraint.opaque:
                return [], False
            admitted = _admitted(constraint, terminal)
            return [], admitted.pairs is not None and not _dangers(admitted)
        if constraint.opaque:
            return [], False
        admitted = _admitted(constraint, terminal)
        dangers = _dangers(admitted)
        if dangers:
            return [(0, ADMITS.format(global_name=dangers[0]))], False
        if admitted.pairs is not None:
            return [], True
        if admitted.modules is not None or admitted.names is not None:
            return [], False  # whole harmless modules, or names from any module: silent, not trusted
        if constraint.prefix:
            return [(1, PREFIX)], False
        if constraint.deny:
            return [(2, DENY_LIST)], False
        return [], False

    def _judge_objects(self, terminal: _Terminal) -> Tuple[List[Tuple[int, str]], bool]:
        known = True
        found: List[str] = []
        for obj in terminal.objects:
            names, resolved = self._object_names(obj)
            known = known and resolved
            for qualified in names:
                module, _, name = qualified.rpartition(".")
                if module and dangerous_global(module, name):
                    found.append(qualified)
        if found:
            return [(0, ADMITS.format(global_name=sorted(found)[0]))], False
        return [], known

    # ------------------------------------------------------------------ reading conditions
    def _read_conditions(self, terminal: _Terminal) -> _Constraint:
        constraint = _Constraint()
        key_module = terminal.key_module
        if terminal.fixed_module is not None or key_module is None:
            key_module = ast.Name(id=self.module_param, ctx=ast.Load())
        key_name = terminal.key_name
        if terminal.fixed_name is not None or key_name is None:
            key_name = ast.Name(id=self.name_param, ctx=ast.Load())
        keys = (self._shape(key_module), self._shape(key_name))
        self._work += len(terminal.path.atoms)
        if self._work > 4 * _MAX_WORK:
            raise _GiveUp
        for atom, positive in terminal.path.atoms:
            self._read_atom(atom, positive, keys, constraint)
        return constraint

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

    def _role(self, expr: ast.AST, keys: Tuple[object, object]) -> Optional[Tuple[str, str]]:
        """Which of module, name, (module, name) or "module.name" ``expr`` is."""
        shape = self._shape(expr)
        if shape == keys[0]:
            return ("modules", "")
        if shape == keys[1]:
            return ("names", "")
        if isinstance(expr, (ast.Tuple, ast.List)) and len(expr.elts) == 2:
            first, second = self._shape(expr.elts[0]), self._shape(expr.elts[1])
            if (first, second) == keys:
                return ("pairs", "")
            if (second, first) == keys:
                return ("pairs", "reversed")
        separator = self._joined_separator(expr, keys)
        if separator is not None:
            return ("dotted", separator)
        return None

    def _joined_separator(self, expr: ast.AST, keys: Tuple[object, object]) -> Optional[str]:
        """The separator of ``f"{module}.{name}"``, ``module + "." + name``, ``".".join((module, name))``."""
        parts: Optional[List[ast.AST]] = None
        if isinstance(expr, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.FormattedValue) else v for v in expr.values]
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            parts = []
            stack: List[ast.AST] = [expr]
            while stack:
                node = stack.pop()
                if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and len(parts) + len(stack) < 8:
                    stack.extend((node.right, node.left))
                else:
                    parts.append(node)
        elif (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "join"
            and _constant_str(expr.func.value) is not None
            and len(expr.args) == 1
            and isinstance(expr.args[0], (ast.Tuple, ast.List))
            and len(expr.args[0].elts) == 2
        ):
            separator = _constant_str(expr.func.value)
            first, second = (self._shape(e) for e in expr.args[0].elts)
            return separator if (first, second) == keys else None
        if parts is None or len(parts) != 3:
            return None
        separator = _constant_str(parts[1])
        if separator and (self._shape(parts[0]), self._shape(parts[2])) == keys:
            return separator
        return None

    def _read_atom(self, atom: ast.AST, positive: bool, keys: Tuple[object, object], out: _Constraint) -> None:
        if not self._mentions_arguments(atom):
            return  # a flag of the unpickler, a counter: says nothing about the global
        shape = self._shape(atom)
        if shape in keys:
            return  # ``if not module: raise`` only rejects the empty name
        if isinstance(atom, ast.Compare) and len(atom.ops) == 1:
            if self._read_comparison(atom.left, atom.ops[0], atom.comparators[0], positive, keys, out):
                return
        if isinstance(atom, ast.BoolOp) and not positive:
            out.deny = True  # ``not (module == "os" and name == "system")``: a listed exception
            return
        lookup = self._mapping_lookup(atom, keys)
        if lookup is not None:
            kind, values = lookup
            if positive:
                out.narrow(kind, values)
            else:
                out.deny = True
            return
        if isinstance(atom, ast.Compare) and len(atom.ops) == 1 and isinstance(atom.ops[0], _NEGATED_OPS):
            positive = not positive  # ``module.split(".")[0] not in SAFE`` failing admits by prefix
        if self._string_test_on(atom, keys[0]):
            if positive:
                out.prefix = True
            else:
                out.deny = True
            return
        if not positive and self._string_test_on(atom, keys[1]):
            out.deny = True
            return
        out.opaque = True

    def _read_comparison(
        self,
        left: ast.AST,
        op: ast.cmpop,
        right: ast.AST,
        positive: bool,
        keys: Tuple[object, object],
        out: _Constraint,
    ) -> bool:
        if isinstance(op, (ast.In, ast.NotIn)):
            admits = positive == isinstance(op, ast.In)
            role = self._role(left, keys)
            if role is not None:
                if not admits:
                    out.deny = True
                    return True
                values = self._collection_for(role, right, keys)
                if values is None:
                    return False
                out.narrow(*values)
                return True
            return False
        if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            admits = positive == isinstance(op, (ast.Eq, ast.Is))
            for subject, other in ((left, right), (right, left)):
                role = self._role(subject, keys)
                if role is None:
                    continue
                if not admits:
                    out.deny = True
                    return True
                values = self._equal_values(role, other)
                if values is None:
                    return False
                out.narrow(*values)
                return True
            if isinstance(right, ast.Constant) and right.value is None:
                lookup = self._mapping_lookup(left, keys)
                if lookup is not None:
                    # ``SAFE.get(module) is not None``
                    if admits:
                        out.deny = True
                    else:
                        out.narrow(*lookup)
                    return True
        return False

    def _collection_for(
        self, role: Tuple[str, str], collection: ast.AST, keys: Tuple[object, object]
    ) -> Optional[Tuple[str, FrozenSet]]:
        kind, detail = role
        if kind == "names":
            nested = self._names_by_module(collection, keys)
            if nested is not None:
                return "pairs", nested
        values = _members(self._evaluate(collection))
        if values is None:
            return None
        return _typed(kind, detail, values)

    def _equal_values(self, role: Tuple[str, str], other: ast.AST) -> Optional[Tuple[str, FrozenSet]]:
        kind, detail = role
        if isinstance(other, _ElementOf):
            values = _members(self._evaluate(other.collection))
        else:
            value = self._evaluate(other)
            values = _members((value,)) if value is not _UNKNOWN_VALUE else None
        if values is None:
            return None
        return _typed(kind, detail, values)

    def _names_by_module(
        self, collection: ast.AST, keys: Tuple[object, object]
    ) -> Optional[FrozenSet[Tuple[str, str]]]:
        """``SAFE[module]`` or ``SAFE.get(module, ())`` of a literal mapping: its (module, name) pairs."""
        base, key, default = _lookup_parts(collection)
        if base is None or key is None or self._shape(key) != keys[0]:
            return None
        if default is not None and _members(self._evaluate(default)) != frozenset():
            return None
        mapping = self._evaluate(base)
        if not isinstance(mapping, _DictValue):
            return None
        pairs: Set[Tuple[str, str]] = set()
        for module, value in mapping.items.items():
            names = _members(self._evaluate(value, scope_cls=mapping.scope_cls, method_scope=False))
            if not isinstance(module, str) or names is None:
                return None
            pairs.update((module, n) for n in names if isinstance(n, str))
        return frozenset(pairs)

    def _mapping_lookup(self, expr: ast.AST, keys: Tuple[object, object]) -> Optional[Tuple[str, FrozenSet]]:
        """``SAFE.get(key)`` or ``SAFE[key]`` on a literal mapping: the key must be among its keys."""
        base, key, _ = _lookup_parts(expr)
        if base is None or key is None:
            return None
        role = self._role(key, keys)
        if role is None:
            return None
        mapping = self._evaluate(base)
        if not isinstance(mapping, _DictValue):
            return None
        return _typed(role[0], role[1], frozenset(mapping.items))

    def _string_test_on(self, atom: ast.AST, key: object) -> bool:
        """Whether ``atom`` tests a part, prefix or pattern of the value with shape ``key``."""
        for node in _walk(atom):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in _STRING_TESTS and self._shape(func.value) == key:
                    return True
                if any(self._shape(a) == key for a in node.args):
                    if isinstance(func, ast.Attribute) and func.attr in _PATTERN_METHODS:
                        return True
                    if self._names_of(func) & _PATTERN_FUNCTIONS:
                        return True
            elif isinstance(node, ast.Subscript):
                if self._shape(node.value) == key:
                    return True
            elif isinstance(node, ast.Compare):
                for op, comparator in zip(node.ops, node.comparators):
                    if isinstance(op, (ast.In, ast.NotIn)) and self._shape(comparator) == key:
                        return True
        return False

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

    # ------------------------------------------------------------------ walking the body
    def _tick(self, paths: Sequence[_Path]) -> None:
        self._work += 1 + len(paths)
        if self._work > _MAX_WORK or len(paths) > _MAX_PATHS:
            raise _GiveUp

    def _block(self, body: Sequence[ast.stmt], paths: List[_Path], depth: int, handler: bool) -> List[_Path]:
        if depth > _MAX_NESTING:
            raise _GiveUp
        for statement in body:
            if not paths:
                break
            self._tick(paths)
            paths = self._statement(statement, paths, depth, handler)
        return paths

    def _statement(self, node: ast.stmt, paths: List[_Path], depth: int, handler: bool) -> List[_Path]:
        if isinstance(node, ast.Return):
            for path in paths:
                self._return(node.value, path, handler)
            return []
        if isinstance(node, ast.Raise):
            for path in paths:
                self.terminals.append(_Terminal(NEUTRAL if handler else REJECT, path))
            return []
        if isinstance(node, ast.If):
            return self._if(node, paths, depth, handler)
        if isinstance(node, ast.Assert):
            for path in paths:
                for failed in self._assume(path, node.test, False):
                    self.terminals.append(_Terminal(NEUTRAL if handler else REJECT, failed))
            return self._assume_all(paths, node.test, True)
        if isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            paths = self._checked_by_calls(node.value, paths, handler)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            if node.value is None:
                return paths
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return [self._assign(path, targets, node.value) for path in paths]
        if isinstance(node, (ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, ast.Delete) else [node.target]
            return [self._forget(path, (n for t in targets for n in target_names(t))) for path in paths]
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return [self._import(path, node) for path in paths]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return [self._forget(path, [node.name]) for path in paths]
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return [_Path(p.atoms, {k: v for k, v in p.env.items() if k not in node.names}) for p in paths]
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return self._loop(node, paths, depth, handler)
        if isinstance(node, (ast.Break, ast.Continue)):
            if self._loop_exits:
                self._loop_exits[-1].extend(paths)
            return []
        if isinstance(node, (ast.With, ast.AsyncWith)):
            names = [n for item in node.items if item.optional_vars for n in target_names(item.optional_vars)]
            return self._block(node.body, [self._forget(p, names) for p in paths], depth + 1, handler)
        if isinstance(node, _TRY_NODES):
            return self._try(node, paths, depth, handler)
        if _MATCH_NODE is not None and isinstance(node, _MATCH_NODE):
            return self._match(node, paths, depth, handler)
        return paths  # expression statements (logging), pass

    def _checked_by_calls(self, value: ast.AST, paths: List[_Path], handler: bool) -> List[_Path]:
        """A call such as ``self.check(module, name)`` may raise: a path rejects there, the rest continue."""
        out: List[_Path] = []
        for path in paths:
            call = self._checking_call(self._substitute(value, path.env))
            if call is None:
                out.append(path)
                continue
            self.terminals.append(_Terminal(NEUTRAL if handler else REJECT, path))
            out.append(_Path(path.atoms + ((call, True),), path.env))
        return out

    def _checking_call(self, expr: ast.AST) -> Optional[ast.AST]:
        """The first call in ``expr`` that is given the module or name and may reject them."""
        try:
            for node in _walk(expr):
                if not isinstance(node, ast.Call) or not self._mentions_arguments(node):
                    continue
                func = node.func
                if isinstance(func, ast.Attribute):
                    if func.attr in _HARMLESS_METHODS:
                        continue
                    if isinstance(func.value, ast.Name) and func.value.id in (self.module_param, self.name_param):
                        continue  # a str method of the module or name
                names = self._names_of(func)
                if names and all(n.startswith(_HARMLESS_CALL_PREFIXES) or n in HARMLESS_CALLS for n in names):
                    continue
                return node
        except _GiveUp:
            return expr
        return None

    def _if(self, node: ast.If, paths: List[_Path], depth: int, handler: bool) -> List[_Path]:
        # An elif chain nests as deep as it is long: follow it iteratively.
        live: List[_Path] = []
        current = node
        while True:
            live.extend(self._block(current.body, self._assume_all(paths, current.test, True), depth + 1, handler))
            paths = self._assume_all(paths, current.test, False)
            orelse = current.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If):
                current = orelse[0]
                self._tick(paths)
                continue
            live.extend(self._block(orelse, paths, depth + 1, handler))
            return live

    def _loop(self, node: ast.stmt, paths: List[_Path], depth: int, handler: bool) -> List[_Path]:
        if isinstance(node, ast.While):
            entered = self._assume_all(paths, node.test, True)
            skipped = self._assume_all(paths, node.test, False)
        else:
            assert isinstance(node, (ast.For, ast.AsyncFor))
            entered = []
            for path in paths:
                element = _ElementOf(collection=self._substitute(node.iter, path.env))
                entered.append(self._assign(path, [node.target], element, substitute=False))
            # A literal non-empty collection is iterated at least once.
            iterated = _members(self._evaluate(self._substitute(node.iter, paths[0].env))) if paths else None
            skipped = [] if iterated else list(paths)
        self._loop_exits.append([])
        try:
            finished = self._block(node.body, entered, depth + 1, handler)  # type: ignore[attr-defined]
        finally:
            exits = self._loop_exits.pop()
        after = self._block(node.orelse, finished + skipped, depth + 1, handler)  # type: ignore[attr-defined]
        return after + exits

    def _try(self, node: ast.AST, paths: List[_Path], depth: int, handler: bool) -> List[_Path]:
        body: List[ast.stmt] = node.body  # type: ignore[attr-defined]
        # A handler of a ``try: return super().find_class(...)`` only reacts to a failed
        # import; a handler of a lookup (``SAFE[module]``) is the check itself.
        handlers_neutral = handler or _returns_in(body)
        finished = self._block(body, paths, depth + 1, handler)
        live = self._block(node.orelse, finished, depth + 1, handler)  # type: ignore[attr-defined]
        for except_handler in node.handlers:  # type: ignore[attr-defined]
            names = [except_handler.name] if except_handler.name else []
            start = [self._forget(p, names) for p in paths]
            live = live + self._block(except_handler.body, start, depth + 1, handlers_neutral)
        final: List[ast.stmt] = node.finalbody  # type: ignore[attr-defined]
        if final:
            live = self._block(final, live, depth + 1, handler)
        return live

    def _match(self, node: ast.AST, paths: List[_Path], depth: int, handler: bool) -> List[_Path]:
        live: List[_Path] = []
        missed: List[ast.AST] = []  # patterns of earlier unguarded cases: they did not match

        def entry(path: _Path, pattern: Optional[ast.AST]) -> _Path:
            subject = self._substitute(node.subject, path.env)  # type: ignore[attr-defined]
            atoms = [(_pattern_test(subject, p), False) for p in missed]
            if pattern is not None:
                test = _pattern_test(subject, pattern)
                if test is not None:
                    atoms.append((test, True))
            return _Path(path.atoms + tuple((a, b) for a, b in atoms if a is not None), path.env)

        for case in node.cases:  # type: ignore[attr-defined]
            chosen: List[_Path] = []
            for path in paths:
                start = self._forget(entry(path, case.pattern), _pattern_names(case.pattern))
                chosen.extend([start] if case.guard is None else self._assume(start, case.guard, True))
            live.extend(self._block(case.body, chosen, depth + 1, handler))
            if case.guard is None:
                if _pattern_test(node.subject, case.pattern) is None:  # type: ignore[attr-defined]
                    return live  # an irrefutable case: nothing falls through
                missed.append(case.pattern)
        return live + [entry(path, None) for path in paths]

    # ------------------------------------------------------------------ paths
    def _assume_all(self, paths: Iterable[_Path], test: ast.AST, positive: bool) -> List[_Path]:
        out: List[_Path] = []
        for path in paths:
            out.extend(self._assume(path, test, positive))
        if len(out) > _MAX_PATHS:
            raise _GiveUp
        return out

    def _assume(self, path: _Path, test: ast.AST, positive: bool) -> List[_Path]:
        clauses = _clauses(self._substitute(test, path.env), positive, 0)
        return [_Path(path.atoms + clause, path.env) for clause in clauses]

    def _assign(self, path: _Path, targets: Sequence[ast.AST], value: ast.AST, substitute: bool = True) -> _Path:
        bound = self._substitute(value, path.env) if substitute else value
        env = dict(path.env)
        for target in targets:
            _bind(env, target, bound)
        return _Path(path.atoms, env)

    def _forget(self, path: _Path, names: Iterable[str]) -> _Path:
        names = list(names)
        if not names:
            return path
        env = dict(path.env)
        for name in names:
            env[name] = _Unknown()
        return _Path(path.atoms, env)

    def _import(self, path: _Path, node: ast.AST) -> _Path:
        env = dict(path.env)
        for alias in node.names:  # type: ignore[attr-defined]
            if isinstance(node, ast.Import):
                if alias.asname:
                    env[alias.asname] = _Imported(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    env[top] = _Imported(top)
            elif node.level or not node.module or alias.name == "*":  # type: ignore[attr-defined]
                if alias.name != "*":
                    env[alias.asname or alias.name] = _Unknown()
            else:
                env[alias.asname or alias.name] = _Imported(f"{node.module}.{alias.name}")  # type: ignore[attr-defined]
        return _Path(path.atoms, env)

    def _substitute(self, expr: ast.AST, env: Dict[str, ast.AST]) -> ast.AST:
        if not env:
            return expr
        budget = [_MAX_EXPR_NODES]
        return _substituted(expr, env, 0, budget)

    # ------------------------------------------------------------------ returns
    def _return(self, value: Optional[ast.AST], path: _Path, handler: bool) -> None:
        pending: List[Tuple[Optional[ast.AST], _Path]] = [
            (None if value is None else self._substitute(value, path.env), path)
        ]
        while pending:
            expr, current = pending.pop()
            if isinstance(expr, ast.IfExp):
                self._tick(pending)
                for branch, positive in ((expr.body, True), (expr.orelse, False)):
                    for assumed in _clauses(expr.test, positive, 0):
                        pending.append((branch, _Path(current.atoms + assumed, current.env)))
                continue
            self.terminals.append(self._classify_return(expr, current, handler))

    def _classify_return(self, expr: Optional[ast.AST], path: _Path, handler: bool) -> _Terminal:
        if expr is None or isinstance(expr, ast.Constant):
            return _Terminal(NEUTRAL if handler else REJECT, path)
        if isinstance(expr, ast.Call):
            delegated = self._delegation(expr, path)
            if delegated is not None:
                return delegated
        mapped = self._mapped_objects(expr)
        if mapped is not None:
            return _Terminal(OBJECTS, path, objects=tuple(mapped))
        if isinstance(expr, (ast.Name, ast.Attribute, _Imported)) and not self._mentions_arguments(expr):
            if not (isinstance(expr, ast.Name) and expr.id in self.params):
                return _Terminal(OBJECTS, path, objects=(expr,))
        return _Terminal(OPAQUE, path)

    def _delegation(self, call: ast.Call, path: _Path) -> Optional[_Terminal]:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "find_class":
            receiver = func.value
            if (
                isinstance(receiver, ast.Call)
                and "builtins.super" in self._names_of(receiver.func)
            ):
                arguments = _module_and_name(call, 0)
                parent, _ = _definer_above(self.local)
                return self._resolving(path, arguments, via_parent=True, parent=parent)
            if isinstance(receiver, (ast.Name, ast.Attribute)):
                if self._names_of(receiver) & UNPICKLER_BASES:
                    return self._resolving(path, _module_and_name(call, 1), via_parent=True)
                base = self._attribute_owner(receiver) if isinstance(receiver, ast.Name) else None
                if base is not None and base is not self.local and self.self_param != getattr(receiver, "id", None):
                    parent = base if "find_class" in base.members else _definer_above(base)[0]
                    return self._resolving(path, _module_and_name(call, 1), via_parent=True, parent=parent)
            return _Terminal(OPAQUE, path)
        if "builtins.getattr" in self._names_of(func):
            if len(call.args) not in (2, 3) or call.keywords:
                return _Terminal(OPAQUE, path)
            if len(call.args) == 3 and not isinstance(call.args[2], ast.Constant):
                return _Terminal(OPAQUE, path)
            holder, name = call.args[0], call.args[1]
            module_key = self._imported_module_key(holder)
            if module_key is not None:
                return self._resolving(path, (module_key, name), via_parent=False)
            if not self._mentions_arguments(holder):
                fixed = self._names_of(holder)
                if len(fixed) == 1 and not any("(" in f for f in fixed):
                    terminal = self._resolving(path, (None, name), via_parent=False)
                    if terminal.kind == RESOLVE:
                        terminal.fixed_module = next(iter(fixed))
                    return terminal
            return _Terminal(OPAQUE, path)
        return None

    def _imported_module_key(self, holder: ast.AST) -> Optional[ast.AST]:
        """``sys.modules[m]``, ``sys.modules.get(m)``, ``importlib.import_module(m)``, ``__import__(m)``: m."""
        if isinstance(holder, ast.Subscript) and "sys.modules" in self._names_of(holder.value):
            key = holder.slice
            return getattr(key, "value", key) if type(key).__name__ == "Index" else key
        if isinstance(holder, ast.Call) and holder.args:
            names = self._names_of(holder.func)
            if names & {"sys.modules.get", "importlib.import_module", "builtins.__import__", "importlib.__import__"}:
                return holder.args[0]
        return None

    def _resolving(
        self,
        path: _Path,
        arguments: Optional[Tuple[Optional[ast.AST], Optional[ast.AST]]],
        via_parent: bool,
        parent: Optional[LocalDef] = None,
    ) -> _Terminal:
        if arguments is None:
            return _Terminal(OPAQUE, path)
        module_key, name_key = arguments
        terminal = _Terminal(RESOLVE, path, via_parent=via_parent, parent=parent)
        for key, slot in ((module_key, "module"), (name_key, "name")):
            if key is None:
                continue
            constant = _constant_str(key)
            if constant is not None:
                setattr(terminal, f"fixed_{slot}", constant)
            elif not self._mentions_arguments(key) or any(isinstance(n, (_Unknown, _ElementOf)) for n in _walk(key)):
                return _Terminal(OPAQUE, path)
            setattr(terminal, f"key_{slot}", key)
        return terminal

    def _mapped_objects(self, expr: ast.AST) -> Optional[List[ast.AST]]:
        """``SAFE[(module, name)]``, ``SAFE[module][name]``, ``SAFE.get(name)`` on a literal mapping: its values."""
        node = expr
        defaults: List[ast.AST] = []
        steps = 0
        while steps < 8:
            base, key, default = _lookup_parts(node)
            if base is None:
                break
            if default is not None:
                defaults.append(default)
            node = base
            steps += 1
        if steps == 0:
            return None
        mapping = self._evaluate(node)
        if not isinstance(mapping, _DictValue):
            return None
        leaves: List[ast.AST] = list(defaults)
        stack: List[Tuple[_DictValue, int]] = [(mapping, 1)]
        while stack:
            current, level = stack.pop()
            for value in current.items.values():
                inner = None
                if level < steps:
                    inner = self._evaluate(value, scope_cls=current.scope_cls, method_scope=False)
                if isinstance(inner, _DictValue):
                    stack.append((inner, level + 1))
                else:
                    leaves.append(value)
            if len(leaves) > _MAX_EXPR_NODES:
                raise _GiveUp
        return leaves


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
