"""PKL302: an exception that ``pickle`` cannot rebuild. ``BaseException.__reduce__`` rebuilds an
exception as ``cls(*self.args)``; this module models what ``self.args`` holds after each constructor
of the class's lineage, and whether calling the class with it again builds the same object."""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple, Union

from ...findings import shown
from ...symbols import LocalDef
from ...shapes import block_statements as _statements, literal_str
from ...classes import BUILTIN_EXCEPTIONS
from .model import (
    _MAX_ALTERNATIVES,
    _MAX_DEPTH,
    _MAX_SHOWN,
    _expressions,
    _is_self_attr,
    _is_super_call,
    _member_function,
    _positional,
)

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


@dataclass
class ForeignInit:
    """The ``__init__`` of an exception class of another module, as the project index describes it:
    its signature (what :func:`_bind` reads) and what it puts in ``args`` in terms of its parameters."""

    name: str
    builtin: str
    positional: List[str]
    defaults: Dict[str, None]
    vararg: Optional[str]
    kwarg: Optional[str]
    kwonly: List[str]
    kwonly_required: List[str]
    model: "ArgsModel"


def written_init(function: ast.FunctionDef, model: "ArgsModel", builtin: str) -> Optional[Dict[str, object]]:
    """An exception class's ``__init__`` as a summary keeps it (see :func:`read_foreign_init`)."""
    if model is None:
        return None
    facts = InitFacts(function)
    args: object = NOT_CALLED if model == NOT_CALLED else [
        [[piece.kind, sorted(piece.params), piece.idempotent] for piece in pieces] for pieces, _ in model  # type: ignore[union-attr]
    ]
    return {
        "builtin": builtin, "positional": facts.positional, "defaults": sorted(facts.defaults), "vararg": facts.vararg,
        "kwarg": facts.kwarg, "kwonly": facts.kwonly, "kwonly_required": facts.kwonly_required, "args": args,
    }


def read_foreign_init(entry: object) -> Optional[ForeignInit]:
    """The :class:`ForeignInit` a summary's ``exception_init`` entry (``[name, written]``) describes,
    or None (absent, or written by other code)."""
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], dict)):
        return None
    name, written = entry
    try:
        args = written["args"]
        model: ArgsModel = NOT_CALLED if args == NOT_CALLED else [
            ([Piece(kind, frozenset(params), idempotent) for kind, params, idempotent in pieces], None)  # type: ignore[misc]
            for pieces in args
        ]
        return ForeignInit(
            str(name), str(written["builtin"]), list(written["positional"]), {n: None for n in written["defaults"]},
            written["vararg"], written["kwarg"], list(written["kwonly"]), list(written["kwonly_required"]), model,
        )
    except (KeyError, TypeError, ValueError):
        return None


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
            if isinstance(item, ForeignInit):
                return index
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
        if isinstance(owner, ForeignInit):
            return owner.model
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
            base_facts = base if isinstance(base, ForeignInit) else self.facts(_member_function(base, "__init__"))  # type: ignore[arg-type]
            binding = _bind(base_facts, positional, keywords)  # type: ignore[arg-type]
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
            for position, item in enumerate(order):
                if isinstance(item, ForeignInit) and item.name == symbol:
                    return position  # ``AppError.__init__(self, ...)``, another module's exception
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


def keyword_construction_problem(facts: InitFacts, calls: Sequence[ast.Call]) -> Optional[str]:
    """With no ``__init__`` up the chain calling ``BaseException.__init__``, ``args`` holds the
    construction's positional arguments only: one that passes a required parameter by keyword
    (``raise ConnectionInterrupted(connection=client)``) makes an exception the rebuild cannot call."""
    required = set(facts.positional[: facts.required])
    for call in calls:
        given = sum(1 for a in call.args if not isinstance(a, ast.Starred))
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            continue
        by_keyword = [k.arg for k in call.keywords if k.arg in required and facts.positional.index(k.arg) >= given]
        if by_keyword:
            return (
                f"`{shown(call, _MAX_SHOWN)}` (line {call.lineno}) passes '{by_keyword[0]}' by keyword: "
                f"args holds only positional arguments, so the rebuild misses it"
            )
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
