"""PKL302, PKL303, PKL305-PKL308: class pickling protocols that crash or lose data.

Everything here rides on the resolver's single walk. ``on_class`` records each
class and its methods (the class body is done, the method bodies are not walked
yet); ``on_call`` and ``on_return`` inside those methods, which the resolver
walks later with the method's own bindings in force, resolve what needs
resolving (``from os import system as s`` inside ``__reduce__``); the checks
that need every class of the module and its ``copyreg`` registrations run in
``on_module_end``. A check reads at most one method body at a time, and walks
it with explicit stacks.

Where a finding is reported:

* PKL302 on the ``class`` line;
* PKL303 on each statement that mutates the live ``__dict__``;
* PKL305 on the ``def __setstate__`` line, or the ``def __getstate__`` line when
  the class has no ``__setstate__`` of its own;
* PKL306 on the ``return`` with the wrong shape, or on the ``def`` line for a
  missing parameter;
* PKL307 on the ``return`` of the gadget;
* PKL308 on the line of the expression that raises or recurses.

When unsure (a base class from another module, a helper we cannot read, a
name rebound in a way we do not follow) the checks stay silent.
"""

from __future__ import annotations

import ast
import builtins
import re
import string
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, Union

from .catalog.conventions import GROUP_EXCEPTIONS, REGEX_FUNCTIONS
from .catalog.gadgets import CODE_EXECUTION_CALLABLES
from .findings import Finding, shown
from .rules import message
from .scope import ClassNeeds, Listener, LocalDef, Resolver, block_statements as _statements, display_name, literal_str

# --------------------------------------------------------------------------- tables

#: Builtin exception classes: a class with one of these in its bases is an exception (PKL302).
BUILTIN_EXCEPTIONS: FrozenSet[str] = frozenset(
    f"builtins.{name}"
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)

#: Dict methods that change the dict they are called on (PKL303).
_DICT_MUTATORS = frozenset(("pop", "popitem", "update", "clear", "setdefault", "__delitem__", "__setitem__"))
#: Methods a fresh object is built without; reads in them do not count for PKL305.
_NOT_AFTER_LOAD = frozenset(("__init__", "__new__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__"))
#: Defining any of these replaces the default pickling of an exception (measured: the
#: ``__getnewargs__`` family does not, ``BaseException.__reduce__`` ignores it).
_REBUILD_HOOKS = ("__reduce__", "__reduce_ex__")
_OBJECT_ATTRIBUTES = frozenset(dir(object))
_MAX_SHOWN = 48
_MAX_DEPTH = 8
_MAX_ALTERNATIVES = 8

Method = ast.FunctionDef


# --------------------------------------------------------------------------- walking one method


def _own_expressions(statement: ast.stmt) -> Iterator[ast.AST]:
    """Expression nodes belonging to one statement itself (not its nested statements or lambdas)."""
    stack: List[ast.AST] = [
        child for child in ast.iter_child_nodes(statement) if not isinstance(child, (ast.stmt, ast.excepthandler))
    ]
    if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        stack.extend(h.type for h in statement.handlers if h.type is not None)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.Lambda):
            continue
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.stmt))


def _expressions(body: Sequence[ast.stmt]) -> Iterator[Tuple[ast.stmt, ast.AST]]:
    """(statement, expression node) for every expression in a method body, in statement order."""
    for statement in _statements(body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in _own_expressions(statement):
            yield statement, node


def _positional(function: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]) -> List[ast.arg]:
    args = function.args
    return list(getattr(args, "posonlyargs", [])) + list(args.args)


def _self_name(function: ast.FunctionDef) -> Optional[str]:
    positional = _positional(function)
    return positional[0].arg if positional else None


def _is_self_attr(node: ast.AST, self_name: Optional[str], attr: Optional[str] = None) -> bool:
    """``self.<attr>`` (any attribute when ``attr`` is None)."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == self_name
        and (attr is None or node.attr == attr)
    )


def _is_super_call(node: ast.AST) -> bool:
    """``super()`` or ``super(Cls, self)``."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _is_vars_of_self(node: ast.AST, self_name: Optional[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "vars"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == self_name
    )


def is_live_dict(node: ast.AST, self_name: Optional[str]) -> bool:
    """``self.__dict__`` or ``vars(self)``: the object's own attribute dictionary."""
    return _is_self_attr(node, self_name, "__dict__") or _is_vars_of_self(node, self_name)


def is_dict_copy(node: ast.AST, self_name: Optional[str]) -> bool:
    """A shallow copy of the live dict: ``.copy()``, ``dict(...)``, ``copy.copy(...)``, ``{**...}``."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "copy" and not node.args:
            return is_live_dict(func.value, self_name)
        if node.args and is_live_dict(node.args[0], self_name):
            if isinstance(func, ast.Name) and func.id == "dict":
                return True
            if isinstance(func, ast.Attribute) and func.attr == "copy" and isinstance(func.value, ast.Name):
                return func.value.id == "copy"
    if isinstance(node, ast.Dict) and node.keys and node.keys[0] is None:
        return is_live_dict(node.values[0], self_name)
    return False


def _method_reads(function: ast.FunctionDef, attr: str) -> bool:
    """Does the method read ``self.<attr>`` (a plain read, not ``getattr(self, name, default)``)?"""
    self_name = _self_name(function)
    for _, node in _expressions(function.body):
        if _is_self_attr(node, self_name, attr) and isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
            return True
    return False


def _method_stores(function: ast.FunctionDef, attr: str) -> bool:
    """Does the method assign ``self.<attr>`` (or ``setattr(self, "<attr>", ...)``)?"""
    self_name = _self_name(function)
    for _, node in _expressions(function.body):
        if _is_self_attr(node, self_name, attr) and isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
            return True
        if isinstance(node, ast.Call) and len(node.args) >= 2 and literal_str(node.args[1]) == attr:
            if isinstance(node.func, ast.Name) and node.func.id == "setattr":
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__":
                return True
    return False


# --------------------------------------------------------------------------- the class model


@dataclass(eq=False)
class ClassFacts:
    """One class of the module: its node, resolver record and the methods defined in its body."""

    node: ast.ClassDef
    local: LocalDef
    methods: Dict[str, List[ast.AST]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.node.name

    def method(self, name: str) -> Optional[Method]:
        """The method ``name`` defined in this class body, if it is one plain ``def``."""
        defs = self.methods.get(name)
        if not defs or len(defs) != 1 or not isinstance(defs[0], ast.FunctionDef):
            return None
        return defs[0]


@dataclass
class Lineage:
    """A class's in-module ancestry: an MRO approximation and whether it is complete."""

    classes: List[LocalDef]
    builtins: List[str]
    complete: bool

    def defines(self, name: str) -> bool:
        return any(name in cls.members for cls in self.classes)

    def is_exception(self) -> bool:
        return bool(set(self.builtins) & BUILTIN_EXCEPTIONS)


def lineage(cls: LocalDef) -> Lineage:
    """Depth-first, left-to-right ancestry keeping each class's last occurrence (C3 for the usual shapes)."""
    order: List[Union[LocalDef, str]] = []
    complete = True
    stack: List[Tuple[Union[LocalDef, str], int]] = [(cls, 0)]
    while stack:
        item, depth = stack.pop()
        order.append(item)
        if not isinstance(item, LocalDef):
            continue
        if depth > _MAX_DEPTH or len(order) > 64:
            complete = False
            break
        pushed: List[Tuple[Union[LocalDef, str], int]] = []
        for base in item.bases:
            symbols = list(base)
            if len(symbols) != 1:
                complete = False
                continue
            symbol = symbols[0]
            if isinstance(symbol, LocalDef) and symbol.kind == "class":
                pushed.append((symbol, depth + 1))
            elif isinstance(symbol, str) and symbol.startswith("builtins.") and symbol not in GROUP_EXCEPTIONS:
                pushed.append((symbol, depth + 1))
            else:
                complete = False
        stack.extend(reversed(pushed))
    seen: Set[Tuple[str, object]] = set()
    deduplicated: List[Union[LocalDef, str]] = []
    for item in reversed(order):
        key = ("local", id(item)) if isinstance(item, LocalDef) else ("name", item)
        if key not in seen:
            seen.add(key)
            deduplicated.append(item)
    deduplicated.reverse()
    classes = [c for c in deduplicated if isinstance(c, LocalDef)]
    names = [c for c in deduplicated if isinstance(c, str) and c != "builtins.object"]
    return Lineage(classes, names, complete)


def _member_function(cls: LocalDef, name: str) -> Optional[ast.AST]:
    """The node of method ``name`` bound in ``cls``'s body, if it is exactly one function."""
    symbols = cls.members.get(name)
    if symbols is None or len(symbols) != 1:
        return None
    symbol = next(iter(symbols))
    if isinstance(symbol, LocalDef) and symbol.kind == "function":
        return symbol.node
    return None


# --------------------------------------------------------------------------- PKL302 model
#
# Reconstruction calls ``type(e)(*e.args)``. ``args`` is what reached
# ``BaseException.__init__`` (or, when no ``__init__`` up the chain calls it, the
# positional arguments of the construction, set by ``BaseException.__new__``). Each
# value in ``args`` is described by a Piece in terms of the rebuilt class's own
# ``__init__`` parameters; the rebuild re-binds the parameters to those values.

PARAM, CONST, EXPR, STAR, UNKNOWN = "param", "const", "expr", "star", "unknown"


@dataclass(frozen=True)
class Piece:
    """One value passed on to ``args``, described by the parameters it is computed from."""

    kind: str
    params: FrozenSet[str] = frozenset()
    #: For EXPR: the one parameter p for which the expression f satisfies f(f(p)) == f(p).
    idempotent: Optional[str] = None


_UNKNOWN = Piece(UNKNOWN)
_CONST = Piece(CONST)
NOT_CALLED = "not called"
#: An ``X.__init__(...)`` call that initializes some other object, not this exception.
_SKIP = object()
#: Each way ``args`` may end up, with the call (or ``self.args =``) that sets it.
Alternatives = List[Tuple[List[Piece], ast.AST]]
ArgsModel = Union[None, str, Alternatives]  # None: unknown


class InitFacts:
    """What one ``__init__`` does with its parameters (a single read of its body)."""

    def __init__(self, function: ast.FunctionDef):
        self.node = function
        positional = _positional(function)
        self.self_name = positional[0].arg if positional else None
        self.positional = [a.arg for a in positional[1:]]
        args = function.args
        self.required = len(self.positional) - len(args.defaults)
        self.defaults: Dict[str, ast.expr] = dict(zip(self.positional[self.required :], args.defaults))
        self.vararg = args.vararg.arg if args.vararg is not None else None
        self.kwarg = args.kwarg.arg if args.kwarg is not None else None
        self.kwonly = [a.arg for a in args.kwonlyargs]
        self.kwonly_required = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]
        self.params: Set[str] = set(self.positional) | set(self.kwonly)
        self.params.update(n for n in (self.vararg, self.kwarg) if n)
        self.values: Dict[str, ast.expr] = {}
        self.tainted: Set[str] = set()
        self.init_calls: List[ast.Call] = []
        #: ``self.args = (...)``: what args holds, whatever reached BaseException.__init__.
        self.args_assignment: Optional[ast.stmt] = None
        self._read_body()

    def _read_body(self) -> None:
        assigned: Dict[str, List[ast.expr]] = {}
        for _, node in _expressions(self.node.body):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__":
                self.init_calls.append(node)
            if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                self.tainted.add(node.target.id)
        for statement in _statements(self.node.body):
            if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    key = self._key(target)
                    if key is not None and statement.value is not None:
                        assigned.setdefault(key, []).append(statement.value)
                        if key == "self.args":
                            self.args_assignment = statement
                    else:
                        self._taint(target)
            elif isinstance(statement, ast.AugAssign):
                self._taint(statement.target)
            elif isinstance(statement, (ast.For, ast.AsyncFor)):
                self._taint(statement.target)
            elif isinstance(statement, (ast.With, ast.AsyncWith)):
                for item in statement.items:
                    if item.optional_vars is not None:
                        self._taint(item.optional_vars)
            elif isinstance(statement, ast.Delete):
                for target in statement.targets:
                    self._taint(target)
            elif isinstance(statement, (ast.Import, ast.ImportFrom)):
                for alias in statement.names:
                    self.tainted.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.tainted.add(statement.name)
            elif isinstance(statement, (ast.Global, ast.Nonlocal)):
                self.tainted.update(statement.names)
            for handler in getattr(statement, "handlers", None) or []:
                if handler.name:
                    self.tainted.add(handler.name)
        for key, values in assigned.items():
            if len(values) == 1 and key not in self.params:
                self.values[key] = values[0]
            else:
                self.tainted.add(key)

    def _key(self, target: ast.AST) -> Optional[str]:
        if isinstance(target, ast.Name):
            return target.id
        if _is_self_attr(target, self.self_name):
            return f"self.{target.attr}"  # type: ignore[attr-defined]
        return None

    def _taint(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            key = self._key(node)
            if key is not None:
                self.tainted.add(key)

    # ----------------------------------------------------------------- describing values
    def describe(self, expr: ast.AST, depth: int = 0) -> Piece:
        """The Piece for ``expr`` evaluated at the end of ``__init__``."""
        if depth > _MAX_DEPTH:
            return _UNKNOWN
        params: Set[str] = set()
        stack: List[ast.AST] = [expr]
        while stack:
            node = stack.pop()
            key = None
            if isinstance(node, ast.Name):
                key = node.id
            elif _is_self_attr(node, self.self_name):
                key = f"self.{node.attr}"  # type: ignore[attr-defined]
            if key is None:
                if isinstance(node, ast.Lambda):
                    continue
                stack.extend(ast.iter_child_nodes(node))
                continue
            if key in self.tainted or key == self.self_name:
                return _UNKNOWN
            if key in self.params:
                params.add(key)
            elif key in self.values:
                inner = self.describe(self.values[key], depth + 1)
                if inner.kind == UNKNOWN:
                    return _UNKNOWN
                params |= inner.params
        if not params:
            return _CONST
        if isinstance(expr, ast.Name):
            if expr.id in self.params:
                return Piece(PARAM, frozenset(params))
            inner = self.describe(self.values[expr.id], depth + 1) if expr.id in self.values else _UNKNOWN
            return inner
        if _is_self_attr(expr, self.self_name):
            # ``self.message = message; super().__init__(self.message)``: the attribute is what was
            # stored in it (once, before this read), so args gets that value, as if passed directly.
            stored = self.values.get(f"self.{expr.attr}")  # type: ignore[attr-defined]
            if stored is not None and (stored.lineno, stored.col_offset) < (expr.lineno, expr.col_offset):
                return self.describe(stored, depth + 1)
        idempotent = self._idempotent_in(expr)
        if idempotent is None and not self._changes(expr, depth):
            return _UNKNOWN  # `tuple(b)`, `helper(p)`, `p[0]`, `p + 1`: may well round-trip
        return Piece(EXPR, frozenset(params), idempotent)

    def _idempotent_in(self, expr: ast.AST) -> Optional[str]:
        """``str(p)``, ``f"{p}"``, ``p or default``, ``default if p is None else p``, ``tuple(p)``,
        ``int(p)``, ``p.strip()``, ...: f(f(p)) == f(p)."""

        def param(node: ast.AST) -> Optional[str]:
            return node.id if isinstance(node, ast.Name) and node.id in self.params else None

        def constant(node: ast.AST) -> bool:
            return self.describe(node, _MAX_DEPTH - 1).kind == CONST

        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in _IDEMPOTENT_CALLS:
            if len(expr.args) == 1 and not expr.keywords:
                return param(expr.args[0])
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and not expr.args and not expr.keywords:
            if expr.func.attr in _IDEMPOTENT_METHODS:
                return param(expr.func.value)
        if isinstance(expr, ast.JoinedStr) and len(expr.values) == 1:
            value = expr.values[0]
            if isinstance(value, ast.FormattedValue) and value.format_spec is None and value.conversion in (-1, 115):
                return param(value.value)
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or) and len(expr.values) >= 2:
            first = param(expr.values[0])
            if first and all(constant(v) for v in expr.values[1:]):
                return first
        if isinstance(expr, ast.IfExp):
            for keep, other in ((expr.body, expr.orelse), (expr.orelse, expr.body)):
                name = param(keep)
                if name and constant(other):
                    tested = {n.id for n in ast.walk(expr.test) if isinstance(n, ast.Name)}
                    if tested <= {name}:
                        return name
        return None

    def _changes(self, expr: ast.AST, depth: int) -> bool:
        """Is ``expr`` known to give a different value when fed its own result (or to fail on it)?

        String building with text around the parameter (an f-string other than ``f"{p}"``,
        ``"...%s" % p``, ``"..." + p``, ``"...{}".format(p)``, ``", ".join(p)``), ``repr(p)``
        (each round adds quotes), an attribute of the parameter (the rebuilt value is the
        attribute, whose attribute is something else or missing) and a container around it.
        Any other call is opaque: it may well be idempotent (celery's ``ensure_serializable``).
        """
        if depth > _MAX_DEPTH:
            return False
        if isinstance(expr, ast.Name) and expr.id in self.values and expr.id not in self.params:
            return self._changes(self.values[expr.id], depth + 1)
        if isinstance(expr, ast.JoinedStr):
            fields = [v for v in expr.values if isinstance(v, ast.FormattedValue)]
            if len(fields) != len(expr.values) or len(fields) > 1:
                return True  # literal text, or two values run together
            field = fields[0] if fields else None
            if field is None or field.format_spec is not None:
                return False
            return field.conversion in (ord("r"), ord("a")) or self._changes(field.value, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and literal_str(expr.left) is not None:
            text, placeholders, quoting = _percent_template(literal_str(expr.left) or "")
            if text or placeholders > 1 or quoting:
                return True
            right = expr.right
            if isinstance(right, ast.Tuple) and len(right.elts) == 1:
                right = right.elts[0]  # "%s" % (p,)
            return placeholders == 1 and self._changes(right, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            operands: List[ast.AST] = []
            stack: List[ast.AST] = [expr]
            while stack and len(operands) < 64:
                node = stack.pop()
                if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                    stack.extend((node.right, node.left))
                else:
                    operands.append(node)
            if any(literal_str(o) or isinstance(o, ast.JoinedStr) for o in operands):
                return True
            return any(self._changes(o, depth + 1) for o in operands)
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name) and func.id in ("repr", "ascii") and len(expr.args) == 1:
                return True
            template = literal_str(func.value) if isinstance(func, ast.Attribute) else None
            if template is not None and func.attr == "format":  # type: ignore[union-attr]
                text, placeholders, quoting = _brace_template(template)
                return bool(text) or placeholders > 1 or quoting
            if template is not None and func.attr == "join" and len(expr.args) == 1:  # type: ignore[union-attr]
                parts = expr.args[0]
                if isinstance(parts, ast.Name) and parts.id in self.values and parts.id not in self.params:
                    parts = self.values[parts.id]
                if isinstance(parts, (ast.List, ast.Tuple)):
                    if template and len(parts.elts) > 1:
                        return True
                    return any(literal_str(e) or self._changes(e, depth + 1) for e in parts.elts)
                return bool(template)
            return False
        if isinstance(expr, ast.Attribute):
            return True
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            return True
        return False


#: One-argument builtins f with f(f(p)) == f(p) (PKL302).
_IDEMPOTENT_CALLS = frozenset(("str", "tuple", "list", "frozenset", "int", "float", "bool"))
#: No-argument str methods with the same property.
_IDEMPOTENT_METHODS = frozenset(("strip", "lstrip", "rstrip", "lower", "upper", "casefold"))
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")


def _percent_template(template: str) -> Tuple[str, int, bool]:
    """A ``%`` template's text outside the fields, its number of fields, and whether one quotes (``%r``)."""
    conversions = [m.group(1) for m in _PERCENT_FIELD.finditer(template) if m.group(1) != "%"]
    text = _PERCENT_FIELD.sub(lambda m: "%" if m.group(1) == "%" else "", template)
    return text, len(conversions), any(c in "ra" for c in conversions)


def _brace_template(template: str) -> Tuple[str, int, bool]:
    """The same for a ``str.format`` template (a malformed one counts as text)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return template, 0, False
    text = "".join(literal for literal, _, _, _ in parsed)
    fields = [(name, conversion) for _, name, _, conversion in parsed if name is not None]
    return text, len(fields), any(conversion in ("r", "a") for _, conversion in fields)


class ExceptionArgs:
    """Works out what ``args`` holds for each in-module exception class, composing ``__init__`` chains."""

    def __init__(self, call_targets: Dict[ast.Call, FrozenSet]):
        self.call_targets = call_targets
        self._facts: Dict[ast.AST, InitFacts] = {}

    def facts(self, function: ast.FunctionDef) -> InitFacts:
        found = self._facts.get(function)
        if found is None:
            found = self._facts[function] = InitFacts(function)
        return found

    @staticmethod
    def init_after(order: List[Union[LocalDef, str]], start: int) -> Union[None, str, int]:
        """The ``__init__`` that ``super().__init__`` reaches from position ``start``: index, 'builtin' or None."""
        for index in range(start, len(order)):
            item = order[index]
            if isinstance(item, str):
                return "builtin" if item in BUILTIN_EXCEPTIONS else None
            if "__init__" in item.members:
                function = _member_function(item, "__init__")
                return index if isinstance(function, ast.FunctionDef) else None
        return None

    def args_of(self, order: List[Union[LocalDef, str]], index: int, depth: int = 0) -> ArgsModel:
        """What ``args`` holds when the ``__init__`` of ``order[index]`` runs, in terms of its parameters."""
        if depth > _MAX_DEPTH:
            return None
        owner = order[index]
        assert isinstance(owner, LocalDef)
        function = _member_function(owner, "__init__")
        if not isinstance(function, ast.FunctionDef):
            return None
        facts = self.facts(function)
        if facts.self_name is None or "self.args" in facts.tainted:
            return None
        if facts.args_assignment is not None:
            return self._assigned_args(facts)
        alternatives: Alternatives = []
        for call in facts.init_calls:
            target = self._target(call, facts, order, index)
            if target is _SKIP:
                continue
            if target is None:
                return None
            passed = self._passed(call, facts)
            if passed is None:
                return None
            positional, keywords = passed
            if target == "builtin":
                alternatives.append((positional, call))
                continue
            assert isinstance(target, int)
            inner = self.args_of(order, target, depth + 1)
            if inner is None:
                return None
            if inner == NOT_CALLED:
                continue  # args are the construction arguments: they re-bind as they came
            base = order[target]
            assert isinstance(base, LocalDef)
            base_facts = self.facts(_member_function(base, "__init__"))  # type: ignore[arg-type]
            binding = _bind(base_facts, positional, keywords)
            if binding is None:
                return None
            for pieces, _ in inner:  # type: ignore[union-attr]
                alternatives.append((_substitute(pieces, binding), call))
            if len(alternatives) > _MAX_ALTERNATIVES:
                return None
        if not facts.init_calls:
            return NOT_CALLED
        return alternatives or NOT_CALLED

    @staticmethod
    def _assigned_args(facts: InitFacts) -> ArgsModel:
        """``self.args = (a, b)`` sets args outright (configparser's errors do this)."""
        assignment = facts.args_assignment
        value = facts.values.get("self.args")
        if not isinstance(value, ast.Tuple) or assignment is None:
            return None
        pieces: List[Piece] = []
        for element in value.elts:
            if isinstance(element, ast.Starred):
                if isinstance(element.value, ast.Name) and element.value.id == facts.vararg:
                    pieces.append(Piece(STAR, frozenset((facts.vararg,))))
                    continue
                return None
            pieces.append(facts.describe(element))
        return [(pieces, assignment)]

    def _target(self, call: ast.Call, facts: InitFacts, order: List[Union[LocalDef, str]], index: int) -> object:
        func = call.func
        assert isinstance(func, ast.Attribute)
        value = func.value
        if _is_super_call(value):
            return self.init_after(order, index + 1)
        if not call.args or not (isinstance(call.args[0], ast.Name) and call.args[0].id == facts.self_name):
            return _SKIP  # some other object's __init__
        symbols = self.call_targets.get(call, frozenset())
        if len(symbols) != 1:
            return None
        symbol = next(iter(symbols))
        if isinstance(symbol, str):
            return "builtin" if symbol in BUILTIN_EXCEPTIONS else None
        for position, item in enumerate(order):
            if item is symbol:
                return self.init_after(order, position)
        return None

    def _passed(self, call: ast.Call, facts: InitFacts) -> Optional[Tuple[List[Piece], Dict[Optional[str], Piece]]]:
        args = list(call.args)
        func = call.func
        assert isinstance(func, ast.Attribute)
        if not _is_super_call(func.value):
            args = args[1:]  # Base.__init__(self, ...)
        positional: List[Piece] = []
        for arg in args:
            if isinstance(arg, ast.Starred):
                star = arg.value
                if isinstance(star, ast.Name) and star.id == facts.vararg and star.id not in facts.tainted:
                    positional.append(Piece(STAR, frozenset((facts.vararg,))))
                    continue
                return None
            positional.append(facts.describe(arg))
        keywords = {kw.arg: facts.describe(kw.value) if kw.arg else _UNKNOWN for kw in call.keywords}
        return positional, keywords


Binding = Dict[str, List[Piece]]


def _bind(facts: InitFacts, positional: List[Piece], keywords: Dict[Optional[str], Piece]) -> Optional[Binding]:
    """Bind a call's described arguments to ``facts``'s parameters, as Python would."""
    binding: Binding = {}
    extra: List[Piece] = []
    star_seen = False
    for index, piece in enumerate(positional):
        if piece.kind == STAR:
            star_seen = True
        if index < len(facts.positional):
            binding[facts.positional[index]] = [_UNKNOWN] if star_seen else [piece]
        else:
            extra.append(piece)
    if star_seen:
        for name in facts.positional[len(positional) :]:
            binding.setdefault(name, [_UNKNOWN])
        extra.append(_UNKNOWN)
    if extra:
        if facts.vararg is None:
            return None
        binding[facts.vararg] = extra
    spread = None in keywords
    for name, piece in keywords.items():
        if name is None:
            continue
        if name in binding:
            return None  # given twice: the construction itself fails
        if name in facts.positional or name in facts.kwonly:
            binding[name] = [piece]
        elif facts.kwarg is None:
            return None  # unexpected keyword: the construction itself fails
    for name in facts.positional + facts.kwonly:
        if name not in binding:
            if spread:
                binding[name] = [_UNKNOWN]
            elif name in facts.defaults or (name in facts.kwonly and name not in facts.kwonly_required):
                binding[name] = [_CONST]
            else:
                return None
    if facts.vararg is not None:
        binding.setdefault(facts.vararg, [])
    return binding


def _substitute(pieces: List[Piece], binding: Binding) -> List[Piece]:
    """Rewrite a base ``__init__``'s pieces in terms of the caller's parameters."""
    out: List[Piece] = []
    for piece in pieces:
        if piece.kind in (PARAM, STAR):
            (name,) = piece.params
            out.extend(binding.get(name, [_UNKNOWN]))
        elif piece.kind == EXPR:
            sources = [p for name in piece.params for p in binding.get(name, [_UNKNOWN])]
            if any(p.kind == UNKNOWN for p in sources):
                out.append(_UNKNOWN)
                continue
            params = frozenset(n for p in sources for n in p.params)
            if not params:
                out.append(_CONST)
                continue
            idempotent = None
            if piece.idempotent is not None:
                bound = binding.get(piece.idempotent, [])
                if len(bound) == 1 and bound[0].kind == PARAM:
                    (idempotent,) = bound[0].params
            out.append(Piece(EXPR, params, idempotent))
        else:
            out.append(piece)
    return out


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def args_problem(facts: InitFacts, model: ArgsModel) -> Optional[str]:
    """Why ``type(e)(*e.args)`` fails or changes ``args``, or None when it round-trips (or is unknown)."""
    if facts.kwonly_required:
        return f"keyword-only '{facts.kwonly_required[0]}' is never in args"
    if model is None or model == NOT_CALLED:
        return None
    for pieces, call in model:  # type: ignore[union-attr]
        problem = _pieces_problem(facts, pieces, call)
        if problem is not None:
            return problem
    return None


def _rebuild_changes(facts: InitFacts, call: ast.AST, params: FrozenSet[str]) -> str:
    """The problem text for args a rebuild does not reproduce.

    Where ``__init__`` reads an attribute of a parameter that args is built from
    (``tarinfo.name``), a rebuild hands the built value back in that parameter's
    place: the read may fail as well as change args.
    """
    for node in ast.walk(facts.node):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in params
            and node.value.id in facts.positional
        ):
            read = f"{node.value.id}.{node.attr}"
            return (
                f"`{shown(call, _MAX_SHOWN)}` builds args from `{read}`; a rebuild passes args back as "
                f"`{node.value.id}`, so unpickling fails or changes args"
            )
    return f"`{shown(call, _MAX_SHOWN)}` changes args on each rebuild"


def _pieces_problem(facts: InitFacts, pieces: List[Piece], call: ast.AST) -> Optional[str]:
    positional = facts.positional
    changes = _rebuild_changes(facts, call, frozenset(n for p in pieces for n in p.params))
    stars = [i for i, p in enumerate(pieces) if p.kind == STAR]
    if stars:
        if stars != [len(pieces) - 1] or pieces[-1].params != {facts.vararg}:
            return None
        prefix = pieces[:-1]
        if any(p.kind == UNKNOWN for p in prefix):
            return None
        if [p.params for p in prefix] == [{name} for name in positional] and all(p.kind == PARAM for p in prefix):
            return None
        return changes
    count = len(pieces)
    if count < facts.required:
        return f"args holds {_plural(count, 'value')}, __init__ requires {facts.required}"
    if count > len(positional) and facts.vararg is None:
        return f"args holds {_plural(count, 'value')}, __init__ takes {len(positional)}"
    restored = {
        positional[i]
        for i in range(min(count, len(positional)))
        if pieces[i].kind == PARAM and pieces[i].params == {positional[i]}
    }
    for index, piece in enumerate(pieces):
        if piece.kind in (PARAM, EXPR):
            if piece.params <= restored:
                continue
            own = positional[index] if index < len(positional) else None
            if piece.kind == EXPR and own is not None and piece.idempotent == own and piece.params == {own}:
                continue
            return changes
    return None


# --------------------------------------------------------------------------- the listener


class ProtocolChecks(Listener):
    """Reads each class's protocol methods during the walk and reports PKL302, PKL303, PKL305-PKL308."""

    needs = ClassNeeds(
        # PKL305 compares what __setstate__ reads with what the class's methods set.
        whole_class=frozenset({"__setstate__"}),
        methods=frozenset({
            "__getstate__", "__copy__", "__reduce__", "__reduce_ex__", "__deepcopy__", "__getattr__",
            "__getattribute__", "__setattr__", "__getnewargs__", "__getnewargs_ex__",
        }),
        # PKL302 rebuilds an exception from its constructor and its bases'.
        exceptions=True,
    )

    def __init__(self, report: Callable[[Finding], None]):
        self.report = report
        self._classes: List[ClassFacts] = []
        self._method_owner: Dict[ast.AST, Tuple[ClassFacts, str]] = {}
        self._call_targets: Dict[ast.Call, FrozenSet] = {}
        self._call_functions: Dict[ast.Call, FrozenSet] = {}
        self._registered: Set[int] = set()

    # ----------------------------------------------------------------- events
    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: Resolver) -> None:
        facts = ClassFacts(node, local)
        for statement in _statements(node.body):
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                facts.methods.setdefault(statement.name, []).append(statement)
                if isinstance(statement, ast.FunctionDef):
                    self._method_owner[statement] = (facts, statement.name)
        self._classes.append(facts)
        self._check_signatures(facts)

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        func = call.func
        callee = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if callee == "pickle" and call.args:
            if "copyreg.pickle" in resolver.qualified_names(func):
                for symbol in resolver.symbols_of(call.args[0]):
                    if isinstance(symbol, LocalDef):
                        self._registered.add(id(symbol))
        if isinstance(func, ast.Name) and func.id in _COLLECTION_BUILDERS:
            self._call_functions[call] = resolver.symbols_of(func)  # `_forward = frozenset({...})`
        if not resolver.function_stack or resolver.function_stack[-1] not in self._method_owner:
            return
        _, method = self._method_owner[resolver.function_stack[-1]]
        if method == "__init__" and isinstance(func, ast.Attribute) and func.attr == "__init__":
            self._call_targets[call] = resolver.symbols_of(func.value)
        elif method == "__getattr__":
            self._call_functions[call] = resolver.symbols_of(func)

    def on_return(self, node: ast.Return, resolver: Resolver) -> None:
        if not resolver.function_stack:
            return
        owner = self._method_owner.get(resolver.function_stack[-1])
        if owner is None:
            return
        facts, method = owner
        if method in ("__reduce__", "__reduce_ex__"):
            self._check_reduce_return(facts, method, node, resolver)
        elif method == "__getnewargs__":
            shape = _non_tuple_shape(node.value)
            if shape is not None:
                self._emit(node, "PKL306", cls=facts.name, method=method, problem=f"returns {shape}, not a tuple")

    def on_module_end(self, resolver: Resolver) -> None:
        model = ExceptionArgs(self._call_targets)
        for facts in self._classes:
            chain = lineage(facts.local)
            self._check_exception(facts, chain, model)
            getstate = facts.method("__getstate__")
            if getstate is not None:
                self._check_getstate_mutation(facts, getstate)
                self._check_setstate_restores(facts, chain, getstate)
            getattr_method = facts.method("__getattr__")
            if getattr_method is not None:
                self._check_getattr(facts, chain, getattr_method)

    def _emit(self, node: ast.AST, code: str, **values: object) -> None:
        self.report(Finding(node.lineno, node.col_offset, code, message(code, **values)))

    # ----------------------------------------------------------------- PKL306 / PKL307
    def _check_signatures(self, facts: ClassFacts) -> None:
        for name, parameter in (("__reduce_ex__", "protocol"), ("__deepcopy__", "memo")):
            for function in facts.methods.get(name, []):
                if not isinstance(function, ast.FunctionDef) or function.decorator_list:
                    continue
                if len(_positional(function)) < 2 and function.args.vararg is None:
                    self._emit(function, "PKL306", cls=facts.name, method=name, problem=f"has no {parameter} parameter")

    def _check_reduce_return(self, facts: ClassFacts, method: str, node: ast.Return, resolver: Resolver) -> None:
        value = node.value
        shape = _reduce_shape(value)
        if shape is not None:
            problem = f"returns {shape}, not a string or a 2-to-6 tuple"
            self._emit(node, "PKL306", cls=facts.name, method=method, problem=problem)
            return
        if isinstance(value, ast.Tuple) and value.elts:
            names = resolver.qualified_names(value.elts[0]) & CODE_EXECUTION_CALLABLES
            if names:
                shown = display_name(sorted(names)[0])
                if shown.startswith("builtins."):
                    shown = shown[len("builtins.") :]
                self._emit(node, "PKL307", cls=facts.name, method=method, callable=shown)

    # ----------------------------------------------------------------- PKL302
    def _check_exception(self, facts: ClassFacts, chain: Lineage, model: ExceptionArgs) -> None:
        if not chain.complete or not chain.is_exception():
            return
        if any(chain.defines(hook) for hook in _REBUILD_HOOKS + ("__new__",)):
            return
        if any(id(cls) in self._registered for cls in chain.classes):
            return
        order: List[Union[LocalDef, str]] = [*chain.classes, *chain.builtins]
        owner_index = next((i for i, c in enumerate(chain.classes) if "__init__" in c.members), None)
        if owner_index is None:
            return
        owner = chain.classes[owner_index]
        function = _member_function(owner, "__init__")
        if not isinstance(function, ast.FunctionDef):
            return
        if owner is not facts.local and lineage(owner).is_exception():
            return  # reported on the class that defines this __init__
        problem = args_problem(model.facts(function), model.args_of(order, owner_index))
        if problem is not None:
            self._emit(facts.node, "PKL302", cls=facts.name, problem=problem)

    # ----------------------------------------------------------------- PKL303
    def _check_getstate_mutation(self, facts: ClassFacts, getstate: Method) -> None:
        self_name = _self_name(getstate)
        aliases: Dict[str, str] = {}
        for statement in _statements(getstate.body):
            target = _mutated_live_dict(statement, self_name, aliases)
            if target is not None:
                self._emit(statement, "PKL303", cls=facts.name, target=target)
            for name, value in _simple_bindings(statement):
                if value is not None and is_live_dict(value, self_name):
                    aliases[name] = f"{name} = {shown(value, _MAX_SHOWN)}"
                else:
                    aliases.pop(name, None)

    # ----------------------------------------------------------------- PKL305
    def _check_setstate_restores(self, facts: ClassFacts, chain: Lineage, getstate: Method) -> None:
        if not chain.complete or any(id(c) in self._registered for c in chain.classes):
            return
        if any(chain.defines(name) for name in _REBUILD_HOOKS + ("__getattr__", "__getattribute__")):
            return
        dropped = _dropped_attributes(getstate, chain)
        if not dropped:
            return
        setstate_owner = next((c for c in chain.classes if "__setstate__" in c.members), None)
        setstate: Optional[ast.AST] = None
        if setstate_owner is not None:
            setstate = _member_function(setstate_owner, "__setstate__")
            if not isinstance(setstate, ast.FunctionDef):
                return
        methods = [
            (cls, name, _member_function(cls, name)) for cls in chain.classes for name in cls.members
        ]
        functions = [(cls, name, f) for cls, name, f in methods if isinstance(f, ast.FunctionDef)]
        where = facts.method("__setstate__") or getstate
        for attr in sorted(dropped):
            if chain.defines(attr) or (attr.startswith("__") and not attr.endswith("__")):
                continue
            if setstate is not None and _restores(setstate, attr, chain, set()) is not False:
                continue
            if any(name not in _NOT_AFTER_LOAD and _method_stores(f, attr) for _, name, f in functions):
                continue  # set lazily or reset elsewhere: cannot tell
            if any(name not in _NOT_AFTER_LOAD and _method_reads(f, attr) for _, name, f in functions):
                self._emit(where, "PKL305", cls=facts.name, attribute=f"self.{attr}")

    # ----------------------------------------------------------------- PKL308
    def _check_getattr(self, facts: ClassFacts, chain: Lineage, function: Method) -> None:
        positional = _positional(function)
        if len(positional) < 2:
            return
        self_name, name = positional[0].arg, positional[1].arg
        reported: Set[Tuple[int, str]] = set()
        guard = _NameGuard(function, chain, self._call_functions)
        reached = _HalfBuiltWalk(function, self_name, chain, guard, live=True).reached()
        for node, error in self._non_attribute_errors(function, self_name, name, reached):
            key = (node.lineno, error.split(",")[0])  # one KeyError per line: a[b][name]
            if key not in reported:
                reported.add(key)
                self._emit(node, "PKL308", cls=facts.name, problem=error)
        if not chain.complete or chain.defines("__setstate__") or any(chain.defines(h) for h in _REBUILD_HOOKS):
            return
        if _rebuilds_through_builtin(chain):
            return  # never half-built: an exception is rebuilt by calling its class
        read = _HalfBuiltWalk(function, self_name, chain, guard).first_read()
        if read is not None:
            via = getattr(read, "via", None)
            where = f" (in {via}())" if via else ""
            problem = f"reads self.{read.attr}{where}, missing on a copied or unpickled object (RecursionError)"
            self._emit(read, "PKL308", cls=facts.name, problem=problem)

    def _non_attribute_errors(
        self, function: Method, self_name: str, name: str, reached: Optional[Set[int]]
    ) -> Iterator[Tuple[ast.AST, str]]:
        """Errors other than AttributeError that ``__getattr__`` can raise.

        An explicit ``raise`` counts when a name copy or pickle looks up reaches it (raising
        ``NotImplementedError`` for public names on purpose breaks neither); a ``KeyError``
        of a lookup keyed by the name counts for any name: it breaks ``hasattr`` and
        ``getattr(obj, name, default)`` too, and is never what the author meant. ``reached``
        None: the walk could not tell, every statement counts.
        """
        for statement, protected in _statements_with_protection(function.body):
            if (
                isinstance(statement, ast.Raise)
                and statement.exc is not None
                and (reached is None or id(statement) in reached)
            ):
                raised = self._raised_class(statement.exc)
                if raised is not None and not protected.catches(raised):
                    yield statement, f"raises {raised}, not AttributeError"
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if protected.catches("KeyError"):
                continue
            for node in _own_expressions(statement):
                if not isinstance(node, ast.Subscript) or not isinstance(node.ctx, ast.Load):
                    continue
                if protected.checked(node):
                    continue
                keyed_by_name = any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.slice))
                if keyed_by_name or (is_live_dict(node.value, self_name) and not protected.in_handler):
                    yield node, f"can raise KeyError for a missing name: `{shown(node, _MAX_SHOWN)}`"

    def _raised_class(self, exc: ast.AST) -> Optional[str]:
        """The builtin exception class a ``raise`` raises, when it is not an AttributeError."""
        func = exc.func if isinstance(exc, ast.Call) else exc
        symbols = self._call_functions.get(exc) if isinstance(exc, ast.Call) else None
        if symbols is None:
            if not isinstance(func, ast.Name) or f"builtins.{func.id}" not in BUILTIN_EXCEPTIONS:
                return None
            symbols = frozenset((f"builtins.{func.id}",))
        if len(symbols) != 1:
            return None
        symbol = next(iter(symbols))
        if isinstance(symbol, str) and symbol in BUILTIN_EXCEPTIONS:
            raised = getattr(builtins, symbol.split(".", 1)[1])
            return None if issubclass(raised, AttributeError) else raised.__name__
        return None


# --------------------------------------------------------------------------- helpers per rule


def _reduce_shape(value: Optional[ast.AST]) -> Optional[str]:
    """How a ``__reduce__`` return value is malformed by its literal shape, or None."""
    if value is None:
        return "None"
    if isinstance(value, ast.Tuple):
        if any(isinstance(e, ast.Starred) for e in value.elts) or 2 <= len(value.elts) <= 6:
            return None
        return "an empty tuple" if not value.elts else f"a {len(value.elts)}-tuple"
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return None
    return _literal_kind(value)


def _non_tuple_shape(value: Optional[ast.AST]) -> Optional[str]:
    """How a ``__getnewargs__`` return value is not a tuple, or None."""
    if value is None:
        return "None"
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return "a str"
    return _literal_kind(value)


def _literal_kind(value: ast.AST) -> Optional[str]:
    kinds = {
        ast.List: "a list",
        ast.ListComp: "a list",
        ast.Dict: "a dict",
        ast.DictComp: "a dict",
        ast.Set: "a set",
        ast.SetComp: "a set",
        ast.GeneratorExp: "a generator",
    }
    for kind, text in kinds.items():
        if isinstance(value, kind):
            return text
    if isinstance(value, ast.Constant) and not isinstance(value.value, str):
        if value.value is None or value.value is Ellipsis:
            return repr(value.value)
        kind = type(value.value).__name__
        return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
    return None


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


class _Protection:
    """What a statement of ``__getattr__`` is protected from.

    ``caught``: the exception classes the enclosing ``try`` blocks catch (by name).
    ``present``: keys (``ast.dump`` strings) an enclosing ``if key in ...:``, ``if
    data.get(key):`` or an earlier ``if key not in ...: raise`` checked. The container
    is not compared: a key checked against one mapping and looked up in another is
    taken as checked (unsure, so silent).
    ``in_handler``: inside an ``except`` block, an error path already.
    """

    def __init__(
        self,
        caught: FrozenSet[str] = frozenset(),
        present: FrozenSet[str] = frozenset(),
        in_handler: bool = False,
    ):
        self.caught = caught
        self.present = present
        self.in_handler = in_handler

    def adding(self, names: Set[str]) -> "_Protection":
        return _Protection(self.caught | frozenset(names), self.present, self.in_handler)

    def knowing(self, keys: Set[str]) -> "_Protection":
        return self if not keys else _Protection(self.caught, self.present | frozenset(keys), self.in_handler)

    def handling(self) -> "_Protection":
        return _Protection(self.caught, self.present, True)

    def checked(self, lookup: ast.Subscript) -> bool:
        return _node_key(lookup.slice) in self.present

    def catches(self, exception: str) -> bool:
        if "*" in self.caught:
            return True
        raised = getattr(builtins, exception, None)
        for name in self.caught:
            handler = getattr(builtins, name, None)
            if isinstance(raised, type) and isinstance(handler, type) and issubclass(raised, handler):
                return True
        return exception in self.caught


def _node_key(node: ast.AST) -> str:
    """``ast.dump`` of a key expression; one no key equals when it is too deep to dump."""
    try:
        return ast.dump(node)
    except RecursionError:
        return f"<too deep: {id(node)}>"


def _memberships(test: ast.AST) -> Tuple[Set[str], Set[str]]:
    """Keys a test proves present when true, and those it proves present when false."""
    when_true: Set[str] = set()
    when_false: Set[str] = set()
    for node in ast.walk(test):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            if node.args:  # `if data.get(key) is not None:` / `if data.get(key) is None: raise`
                when_true.add(_node_key(node.args[0]))
                when_false.add(_node_key(node.args[0]))
    parts = test.values if isinstance(test, ast.BoolOp) else [test]
    for part in parts:
        negated = isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not)
        if negated:
            part = part.operand  # type: ignore[attr-defined]
        if isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], (ast.In, ast.NotIn)):
            key = _node_key(part.left)
            if isinstance(part.ops[0], ast.In) != negated:
                when_true.add(key)
            else:
                when_false.add(key)
    return when_true, when_false


def _handler_names(handler: ast.ExceptHandler) -> Set[str]:
    if handler.type is None:
        return {"*"}
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else "?" for n in nodes}


def _statements_with_protection(body: Sequence[ast.stmt]) -> Iterator[Tuple[ast.stmt, _Protection]]:
    """Every statement of a ``__getattr__`` body with what it is protected from (see ``_Protection``)."""
    stack: List[Tuple[Sequence[ast.stmt], int, _Protection]] = [(body, 0, _Protection())]
    while stack:
        block, index, protection = stack.pop()
        if index >= len(block):
            continue
        statement = block[index]
        yield statement, protection
        after = protection
        if isinstance(statement, ast.If) and statement.body:
            absent = _memberships(statement.test)[1]
            if isinstance(statement.body[-1], (ast.Raise, ast.Return)):
                after = protection.knowing(absent)  # `if k not in d: raise`
            else:
                after = protection.knowing(absent & _stored_keys(statement.body))  # `if k not in d: d[k] = ...`
        stack.append((block, index + 1, after))
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        nested: List[Tuple[Sequence[ast.stmt], _Protection]] = []
        handlers = getattr(statement, "handlers", None) or []
        if handlers:
            caught: Set[str] = set()
            for handler in handlers:
                caught |= _handler_names(handler)
            nested.append((statement.body, protection.adding(caught)))  # type: ignore[attr-defined]
            nested.extend((handler.body, protection.handling()) for handler in handlers)
            for field_name in ("orelse", "finalbody"):
                nested.append((getattr(statement, field_name, None) or [], protection))
        elif isinstance(statement, ast.If):
            when_true, when_false = _memberships(statement.test)
            nested.append((statement.body, protection.knowing(when_true)))
            nested.append((statement.orelse, protection.knowing(when_false)))
        else:
            for field_name in ("body", "orelse", "finalbody"):
                nested.append((getattr(statement, field_name, None) or [], protection))
            for case in getattr(statement, "cases", None) or []:
                nested.append((case.body, protection))
        stack.extend((block_, 0, protection_) for block_, protection_ in reversed(nested))


def _stored_keys(block: Sequence[ast.stmt]) -> Set[str]:
    """Keys (``ast.dump`` strings) the top-level statements of ``block`` store: ``d[k] = ...``."""
    keys: Set[str] = set()
    for statement in block:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        for target in targets:
            if isinstance(target, ast.Subscript):
                keys.add(_node_key(target.slice))
    return keys


def _raises_attribute_error(block: Sequence[ast.stmt]) -> bool:
    for statement in _statements(block):
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(exc, ast.Name) and exc.id == "AttributeError":
                return True
    return False


# --------------------------------------------------------------------------- PKL308: the half-built object
#
# ``copy._reconstruct`` and pickle's BUILD make the object with ``cls.__new__(cls)`` and
# look up ``__setstate__`` on it before its ``__dict__`` is filled; ``copy.deepcopy`` looks
# up ``__deepcopy__``. A ``__getattr__`` that reads ``self.x`` there recurses. The walk
# below follows ``__getattr__`` for each name such a lookup may pass, evaluating the tests
# that depend only on that name, and stops on every path at the first statement that
# raises (a ``return``, a ``raise``, a KeyError of the empty ``__dict__``) or recurses.

#: Names copy and pickle may look up on an object. On 3.11 only ``__deepcopy__`` and
#: ``__setstate__`` reach ``__getattr__`` (the others are found on ``object`` or looked up
#: on the type), but the larger set is safe.
_PROBED_NAMES: FrozenSet[str] = frozenset(
    (
        "__deepcopy__",
        "__copy__",
        "__setstate__",
        "__reduce_ex__",
        "__reduce__",
        "__getstate__",
        "__getnewargs_ex__",
        "__getnewargs__",
    )
)
#: Hooks of a builtin base that rebuild through the constructor or restore on the type.
_BUILTIN_REBUILD_HOOKS = ("__setstate__", "__reduce__", "__reduce_ex__")
#: ``str`` methods evaluated on a known name (``format`` left out: its spec can ask for any width).
_STR_METHODS = frozenset(n for n in dir(str) if not n.startswith("_")) - {"format", "format_map"}
#: Builtin calls that make a literal collection (class attributes like ``_forward = frozenset({...})``).
_COLLECTION_BUILDERS = {"frozenset": frozenset, "set": frozenset, "tuple": tuple, "list": tuple}
_MAX_LITERAL = 1024
#: Longest name a regex is run on: the probed names have at most 17 characters.
_MAX_MATCHED = 20
_NOT_KNOWN = object()


def _rebuilds_through_builtin(chain: Lineage) -> bool:
    """A builtin base rebuilds the object by calling the class, or has ``__setstate__`` on the type.

    ``BaseException.__reduce__`` returns ``(type(e), e.args, state)`` and ``__setstate__`` is
    found on the type, so ``copy`` and ``pickle`` never see a half-built exception (nor a
    half-built ``set``, ``bytearray``, ... subclass).
    """
    for name in chain.builtins:
        base = getattr(builtins, name.split(".", 1)[1], None)
        if not isinstance(base, type):
            continue
        for klass in base.__mro__:
            if klass is not object and any(hook in vars(klass) for hook in _BUILTIN_REBUILD_HOOKS):
                return True
    return False


def _binding_counts(body: Sequence[ast.stmt]) -> Dict[str, int]:
    """How often each name is bound anywhere in ``body`` (nested scopes included: over-counting is safe)."""
    counts: Dict[str, int] = {}

    def bind(name: Optional[str], times: int = 1) -> None:
        if name:
            counts[name] = counts.get(name, 0) + times

    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bind(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bind(node.name)
            elif isinstance(node, ast.alias):
                bind((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.ExceptHandler):
                bind(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    bind(name, 2)
            elif type(node).__name__ in ("MatchAs", "MatchStar"):
                bind(getattr(node, "name", None))
            elif type(node).__name__ == "MatchMapping":
                bind(getattr(node, "rest", None))
    return counts


class _NameGuard:
    """Evaluates the parts of ``__getattr__`` that depend only on the looked-up name.

    A value is computed for one probed name at a time from: the name parameter (when the
    body never rebinds it), string and number literals, locals assigned once from such
    values (``m = re.match(r"has_(\\w*)$", name)``), class attributes bound once to a
    literal collection (``_forward = {"nin", "nout"}``), ``self.__dict__`` (empty on a
    half-built object), ``str`` methods, ``re.match``/``fullmatch``/``search`` with a
    literal pattern, comparisons, ``and``/``or``/``not`` and ``x if t else y``. Anything
    else is not known, and a test that is not known may go either way.
    """

    def __init__(self, function: Method, chain: Lineage, call_functions: Dict[ast.Call, FrozenSet]):
        positional = _positional(function)
        self.self_name = positional[0].arg if positional else None
        counts = _binding_counts(function.body)
        name = positional[1].arg if len(positional) > 1 else None
        self.name = name if name is not None and not counts.get(name) else None
        self.locals: Dict[str, ast.expr] = {}
        for statement in function.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            else:
                continue
            if isinstance(target, ast.Name) and counts.get(target.id) == 1 and target.id != self.self_name:
                self.locals[target.id] = value
        self.chain = chain
        self.call_functions = call_functions
        self._class_values: Dict[str, object] = {}
        self._matches: Dict[Tuple[str, str, str], object] = {}

    # ----------------------------------------------------------------- truth of a test
    def truth(self, node: ast.AST, probe: str) -> Optional[bool]:
        value = self.value(node, probe)
        if value is _NOT_KNOWN:
            return None
        try:
            return bool(value)
        except Exception:  # noqa: BLE001 - a value we made ourselves; be safe anyway
            return None

    def split(self, node: ast.AST, probes: FrozenSet[str]) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """The probes for which ``node`` may be true, and those for which it may be false."""
        when_true: Set[str] = set()
        when_false: Set[str] = set()
        for probe in probes:
            truth = self.truth(node, probe)
            if truth is not False:
                when_true.add(probe)
            if truth is not True:
                when_false.add(probe)
        return frozenset(when_true), frozenset(when_false)

    # ----------------------------------------------------------------- values
    def value(self, node: ast.AST, probe: str, depth: int = 0) -> object:
        if depth > _MAX_DEPTH * 2:
            return _NOT_KNOWN
        try:
            return self._value(node, probe, depth)
        except Exception:  # noqa: BLE001 - TypeError, re.error, ...: the evaluation would raise
            return _NOT_KNOWN

    def _value(self, node: ast.AST, probe: str, depth: int) -> object:
        unknown = _NOT_KNOWN
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, bytes)) and len(node.value) > _MAX_LITERAL:
                return unknown
            return node.value if isinstance(node.value, (str, bytes, int, float, bool, type(None))) else unknown
        if isinstance(node, ast.Name):
            if node.id == self.name:
                return probe
            if node.id in self.locals:
                return self.value(self.locals[node.id], probe, depth + 1)
            return unknown
        if isinstance(node, ast.Attribute):
            if self._is_self(node.value) and node.attr == "__dict__":
                return {}
            if self._is_self(node.value) or self._is_type_of_self(node.value):
                return self._class_value(node.attr)
            return unknown
        if isinstance(node, ast.BoolOp):
            result: object = unknown
            for operand in node.values:
                result = self.value(operand, probe, depth + 1)
                if result is unknown:
                    return unknown
                if bool(result) == isinstance(node.op, ast.Or):
                    return result
            return result
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            operand = self.value(node.operand, probe, depth + 1)
            return unknown if operand is unknown else not operand
        if isinstance(node, ast.IfExp):
            test = self.value(node.test, probe, depth + 1)
            if test is unknown:
                return unknown
            return self.value(node.body if test else node.orelse, probe, depth + 1)
        if isinstance(node, ast.Compare):
            return self._compare(node, probe, depth)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = [self.value(e, probe, depth + 1) for e in node.elts]
            if any(i is unknown or isinstance(e, ast.Starred) for i, e in zip(items, node.elts)):
                return unknown
            return frozenset(items) if isinstance(node, ast.Set) else tuple(items)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left, probe, depth + 1), self.value(node.right, probe, depth + 1)
            if isinstance(left, str) and isinstance(right, str) and len(left) + len(right) <= _MAX_LITERAL:
                return left + right
            return unknown
        if isinstance(node, ast.Subscript):
            base = self.value(node.value, probe, depth + 1)
            if not isinstance(base, str):
                return unknown
            index = node.slice
            if isinstance(index, ast.Slice):
                parts = (index.lower, index.upper, index.step)
                bounds = [self.value(b, probe, depth + 1) if b is not None else None for b in parts]
                if any(b is unknown or not (b is None or isinstance(b, int)) for b in bounds):
                    return unknown
                return base[slice(*bounds)]
            position = self.value(index, probe, depth + 1)
            return base[position] if isinstance(position, int) and not isinstance(position, bool) else unknown
        if isinstance(node, ast.Call):
            return self._call(node, probe, depth)
        return unknown

    def _compare(self, node: ast.Compare, probe: str, depth: int) -> object:
        left = self.value(node.left, probe, depth + 1)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator, probe, depth + 1)
            if isinstance(op, (ast.In, ast.NotIn)) and right == {} and isinstance(right, dict):
                result = False  # nothing is in an empty __dict__, whatever the key
            elif left is _NOT_KNOWN or right is _NOT_KNOWN:
                return _NOT_KNOWN
            elif isinstance(op, (ast.Is, ast.IsNot)):
                if not any(v is None or isinstance(v, bool) for v in (left, right)):
                    return _NOT_KNOWN  # identity of strings and numbers is not a language guarantee
                result = left is right
            else:
                compare = {
                    ast.Eq: lambda a, b: a == b,
                    ast.NotEq: lambda a, b: a != b,
                    ast.Lt: lambda a, b: a < b,
                    ast.LtE: lambda a, b: a <= b,
                    ast.Gt: lambda a, b: a > b,
                    ast.GtE: lambda a, b: a >= b,
                    ast.In: lambda a, b: a in b,
                    ast.NotIn: lambda a, b: a in b,
                }.get(type(op))
                if compare is None:
                    return _NOT_KNOWN
                result = bool(compare(left, right))
            if isinstance(op, (ast.NotIn, ast.IsNot)):
                result = not result
            if not result:
                return False
            left = right
        return True

    def _call(self, node: ast.Call, probe: str, depth: int) -> object:
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            return _NOT_KNOWN
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = self.value(func.value, probe, depth + 1)
            if isinstance(owner, dict) and not owner and func.attr == "get" and 1 <= len(node.args) <= 2:
                return self.value(node.args[1], probe, depth + 1) if len(node.args) == 2 else None
            if isinstance(owner, str) and func.attr in _STR_METHODS:
                args = [self.value(a, probe, depth + 1) for a in node.args]
                if any(a is _NOT_KNOWN for a in args):
                    return _NOT_KNOWN
                if any(isinstance(a, int) and abs(a) > _MAX_LITERAL for a in args):
                    return _NOT_KNOWN
                return getattr(owner, func.attr)(*args)
        symbols = self.call_functions.get(node, frozenset())
        if len(symbols) != 1:
            return _NOT_KNOWN
        symbol = next(iter(symbols))
        if not isinstance(symbol, str):
            return _NOT_KNOWN
        args = [self.value(a, probe, depth + 1) for a in node.args]
        if any(a is _NOT_KNOWN for a in args):
            return _NOT_KNOWN
        if symbol in REGEX_FUNCTIONS and len(args) == 2:
            pattern, text = args
            if isinstance(pattern, str) and isinstance(text, str) and len(text) <= _MAX_MATCHED:
                key = (symbol, pattern, text)
                if key not in self._matches:  # a literal pattern can still backtrack exponentially
                    self._matches[key] = getattr(re.compile(pattern), REGEX_FUNCTIONS[symbol])(text)
                return self._matches[key]
            return _NOT_KNOWN
        if symbol == "builtins.len" and len(args) == 1:
            return len(args[0])  # type: ignore[arg-type]
        if symbol == "builtins.str" and len(args) == 1 and isinstance(args[0], str):
            return args[0]
        builder = _COLLECTION_BUILDERS.get(symbol[len("builtins.") :]) if symbol.startswith("builtins.") else None
        if builder is not None and len(args) == 1 and isinstance(args[0], (tuple, frozenset, str)):
            return builder(args[0])
        return _NOT_KNOWN

    # ----------------------------------------------------------------- class attributes
    def _is_self(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id == self.self_name

    def _is_type_of_self(self, node: ast.AST) -> bool:
        """``type(self)`` or ``self.__class__``."""
        if _is_self_attr(node, self.self_name, "__class__"):
            return True
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "type"
            and len(node.args) == 1
            and self._is_self(node.args[0])
        )

    def _class_value(self, attr: str) -> object:
        """A class attribute bound once, in the class body, to a string or a literal collection of strings."""
        if attr not in self._class_values:
            self._class_values[attr] = self._read_class_value(attr)
        return self._class_values[attr]

    def _read_class_value(self, attr: str) -> object:
        owner = next((c for c in self.chain.classes if attr in c.members), None)
        if owner is None or not isinstance(owner.node, ast.ClassDef):
            return _NOT_KNOWN
        body = owner.node.body
        if _binding_counts(body).get(attr) != 1:
            return _NOT_KNOWN
        for statement in body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id == attr:
                return self._literal_collection(value)
        return _NOT_KNOWN

    def _literal_collection(self, node: ast.AST) -> object:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= _MAX_LITERAL:
            return node.value  # _EXECUTOR_ATTR = "trial_executor"
        if isinstance(node, ast.Call) and not node.keywords and len(node.args) == 1:
            symbols = self.call_functions.get(node, frozenset())
            if len(symbols) != 1:
                return _NOT_KNOWN
            symbol = next(iter(symbols))
            builder = (
                _COLLECTION_BUILDERS.get(symbol[len("builtins.") :])
                if isinstance(symbol, str) and symbol.startswith("builtins.")
                else None
            )
            inner = self._literal_collection(node.args[0])
            return _NOT_KNOWN if builder is None or inner is _NOT_KNOWN else builder(inner)  # type: ignore[operator]
        if isinstance(node, ast.Dict):
            keys = list(node.keys)
        elif isinstance(node, (ast.Set, ast.Tuple, ast.List)):
            keys = list(node.elts)
        else:
            return _NOT_KNOWN
        values = [literal_str(k) if k is not None else None for k in keys]
        if any(v is None for v in values):
            return _NOT_KNOWN
        return tuple(values) if isinstance(node, (ast.Tuple, ast.List)) else frozenset(values)


class _HalfBuiltWalk:
    """Follows ``__getattr__`` on a half-built object (see the section comment).

    A missing ``self.x`` read calls ``__getattr__("x")``. That raises AttributeError, and the
    lookup that led there just sees the hook as absent, unless ``__getattr__("x")`` reaches a
    missing read again: only a cycle of such reads is a RecursionError
    (``if name == "_wrapped": raise AttributeError`` before ``getattr(self._wrapped, name)``
    breaks it).

    ``live``: walk the object as it is in use instead (no read is missing) and record the
    statements a probed name reaches (``reached``).
    """

    def __init__(self, function: Method, self_name: str, chain: Lineage, guard: _NameGuard, live: bool = False):
        self.function = function
        self.self_name = self_name
        self.chain = chain
        self.guard = guard
        self.builtin_types = [getattr(builtins, b.split(".", 1)[1], None) for b in chain.builtins]
        self._reads: List[ast.Attribute] = []
        self._unsure = False
        self._edges: Dict[str, List[str]] = {}
        self.live = live
        self._reached: Set[int] = set()

    def first_read(self) -> Optional[ast.Attribute]:
        """The first missing ``self.<attr>`` read, on a path a probed name takes, that recurses."""
        reads = self._walk(_PROBED_NAMES)
        if reads is None:
            return None
        for read in reads:
            if self._recurses(read.attr):
                return read
        return None

    def reached(self) -> Optional[Set[int]]:
        """The ``id`` of every statement a probed name may reach; None when a guard is unsure."""
        self._reached = set()
        return None if self._walk(_PROBED_NAMES) is None else self._reached

    def _walk(self, probes: FrozenSet[str]) -> Optional[List[ast.Attribute]]:
        """The missing reads reached for ``probes``, in walk order; None when a guard is unsure."""
        self._reads, self._unsure = [], False
        self._block(self.function.body, probes, 0)
        return None if self._unsure else self._reads

    def _recurses(self, start: str) -> bool:
        """Does ``__getattr__(start)`` on a half-built object reach a cycle of missing reads?"""
        state: Dict[str, int] = {}  # 1: on the current path, 2: done
        stack: List[Tuple[str, Iterator[str]]] = [(start, iter(self._reads_for(start)))]
        state[start] = 1
        while stack:
            name, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                state[name] = 2
                stack.pop()
                continue
            if state.get(following) == 1:
                return True
            if following not in state and len(state) < 64:
                state[following] = 1
                stack.append((following, iter(self._reads_for(following))))
        return False

    def _reads_for(self, name: str) -> List[str]:
        if name not in self._edges:
            reads = self._walk(frozenset((name,)))
            self._edges[name] = list(dict.fromkeys(r.attr for r in reads or []))
        return self._edges[name]

    def _block(self, block: Sequence[ast.stmt], probes: FrozenSet[str], depth: int) -> FrozenSet[str]:
        """Record the missing reads of ``block``; the probes that run off its end."""
        if depth > _MAX_DEPTH * 4:
            self._unsure = True  # deeper than any real __getattr__: stay silent
            return frozenset()
        for statement in block:
            if not probes or self._unsure:
                return frozenset()
            if self.live:
                self._reached.add(id(statement))
            elif depth == 0 and isinstance(statement, ast.If) and _raises_attribute_error(statement.body):
                if not any(_is_self_attr(n, self.self_name) for n in ast.walk(statement.test)):
                    if any(self.guard.truth(statement.test, probe) is None for probe in probes):
                        self._unsure = True  # `if name not in TABLE: raise AttributeError(name)`
                        return frozenset()
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if not self.live:
                probes = probes - self._own_effects(statement, probes)
            probes = self._statement(statement, probes, depth)
        return probes

    def _statement(self, statement: ast.stmt, probes: FrozenSet[str], depth: int) -> FrozenSet[str]:
        """Walk the nested blocks of one statement; the probes that continue after it."""
        if not probes or isinstance(statement, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
            return frozenset()
        if isinstance(statement, ast.If):
            when_true, when_false = self.guard.split(statement.test, probes)
            after_body = self._block(statement.body, when_true, depth + 1)
            return after_body | self._block(statement.orelse, when_false, depth + 1)
        if isinstance(statement, ast.While):
            when_true, when_false = self.guard.split(statement.test, probes)
            self._block(statement.body, when_true, depth + 1)
            self._block(statement.orelse, when_false, depth + 1)
            return probes
        handlers = getattr(statement, "handlers", None)
        if handlers is not None:  # try / try*: a handler may run for any name that entered
            after = self._block(statement.body, probes, depth + 1)  # type: ignore[attr-defined]
            after = self._block(statement.orelse, after, depth + 1)  # type: ignore[attr-defined]
            for handler in handlers:
                after = after | self._block(handler.body, probes, depth + 1)
            final = statement.finalbody  # type: ignore[attr-defined]
            if final and not self._block(final, probes, depth + 1):
                return frozenset()
            return after
        blocks: List[Sequence[ast.stmt]] = [getattr(statement, name, None) or [] for name in ("body", "orelse")]
        blocks.extend(case.body for case in getattr(statement, "cases", None) or [])
        for block in blocks:
            self._block(block, probes, depth + 1)
        return probes  # loops, with, match: may run or be left in any way

    def _own_effects(self, statement: ast.stmt, probes: FrozenSet[str]) -> FrozenSet[str]:
        """Record the missing ``self.<attr>`` reads in the statement's own expressions; return the
        probes for which it raises: such a read, or a lookup in the empty ``__dict__``.

        Operands of ``and``/``or`` and branches of ``x if t else y`` count only for the probes
        that reach them.
        """
        stack: List[Tuple[ast.AST, FrozenSet[str]]] = [
            (child, probes)
            for child in ast.iter_child_nodes(statement)
            if not isinstance(child, (ast.stmt, ast.excepthandler))
        ]
        if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            stack.extend((h.type, probes) for h in statement.handlers if h.type is not None)  # type: ignore[attr-defined]
        raising: Set[str] = set()
        while stack:
            node, reaching = stack.pop()
            if not reaching:
                continue
            if _is_self_attr(node, self.self_name) and isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                if self._missing(node.attr):  # type: ignore[attr-defined]
                    self._reads.append(node)  # type: ignore[arg-type]
                    raising |= reaching
            if isinstance(node, ast.Call) and _is_self_attr(node.func, self.self_name):
                read = self._method_read(node.func.attr, set())  # type: ignore[attr-defined]
                if read is not None:  # self.is_connected() reads self.client_worker first thing
                    shown_read = ast.copy_location(ast.Attribute(node.func.value, read.attr, ast.Load()), node)
                    shown_read.via = node.func.attr  # type: ignore[attr-defined]  # named in the message
                    self._reads.append(shown_read)
                    raising |= reaching
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, (ast.Load, ast.Del))
                and is_live_dict(node.value, self.self_name)
            ):
                raising |= reaching  # KeyError: the __dict__ of a half-built object is empty
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, ast.BoolOp):
                continuing = isinstance(node.op, ast.And)
                children: List[Tuple[ast.AST, FrozenSet[str]]] = []
                for operand in node.values:
                    children.append((operand, reaching))
                    when_true, when_false = self.guard.split(operand, reaching)
                    reaching = when_true if continuing else when_false
                stack.extend(children)
            elif isinstance(node, ast.IfExp):
                when_true, when_false = self.guard.split(node.test, reaching)
                stack.extend(((node.test, reaching), (node.body, when_true), (node.orelse, when_false)))
            else:
                children = [(c, reaching) for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt)]
                stack.extend(children)
        return frozenset(raising)

    def _method_read(self, name: str, seen: Set[str]) -> Optional[ast.Attribute]:
        """The missing ``self.<attr>`` read that method ``name`` of the class makes before anything else.

        Only reads that run whatever the state: the simple statements at the top of the body, and
        the test, iterable or context of the first compound one, outside ``and``/``or`` operands
        after the first, conditional expressions, lambdas and comprehensions. Calls of further
        methods at those places are followed, a few levels deep.
        """
        if name in seen or len(seen) > 3 or name.startswith("__"):
            return None
        seen.add(name)
        owner = next((c for c in self.chain.classes if name in c.members), None)
        method = _member_function(owner, name) if owner is not None else None
        if not isinstance(method, ast.FunctionDef) or method.decorator_list:
            return None  # an async method only makes a coroutine when called
        positional = _positional(method)
        if not positional:
            return None
        self_name = positional[0].arg
        for statement in method.body:
            if isinstance(statement, (ast.If, ast.While)):
                heads: List[ast.AST] = [statement.test]
            elif isinstance(statement, (ast.For, ast.AsyncFor)):
                heads = [statement.iter]
            elif isinstance(statement, (ast.With, ast.AsyncWith)):
                heads = [item.context_expr for item in statement.items]
            elif isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)):
                heads = [statement.value] if statement.value is not None else []
            else:
                return None
            for head in heads:
                found = self._first_unconditional_read(head, self_name, seen)
                if found is not None:
                    return found
            if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)):
                return None
        return None

    def _first_unconditional_read(self, expr: ast.AST, self_name: str, seen: Set[str]) -> Optional[ast.Attribute]:
        stack: List[ast.AST] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.Lambda, ast.IfExp, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            if _is_self_attr(node, self_name) and isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                if self._missing(node.attr):  # type: ignore[attr-defined]
                    return node  # type: ignore[return-value]
            if isinstance(node, ast.Call) and _is_self_attr(node.func, self_name):
                found = self._method_read(node.func.attr, seen)  # type: ignore[attr-defined]
                if found is not None:
                    return found
            if isinstance(node, ast.BoolOp):
                stack.append(node.values[0])
                continue
            stack.extend(reversed([c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt)]))
        return None

    def _missing(self, attr: str) -> bool:
        if attr.startswith("__") or attr in _OBJECT_ATTRIBUTES or self.chain.defines(attr):
            return False
        return not any(t is not None and hasattr(t, attr) for t in self.builtin_types)
