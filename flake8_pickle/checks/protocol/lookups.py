"""PKL308: a ``__getattr__``/``__getattribute__`` that breaks on the half-built object unpickling and
copying make (``cls.__new__(cls)``, no ``__init__`` run, empty ``__dict__``): a lookup of ``self.x``
that recurses, or a raise of something other than ``AttributeError`` that the copy hooks' lookups reach.
The guards a method puts before the lookup (``if name in self.ALLOWED``, ``try``/``except KeyError``)
are read by a small interpreter of the method's conditions."""

from __future__ import annotations

import ast
import builtins
import re
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

from ...catalog.conventions import REGEX_FUNCTIONS
from ...shapes import binding_counts, block_statements as _statements, literal_str, single_assignment
from ...classes import Lineage
from ...pathwalk import GiveUp, PathInterpreter
from .model import (
    _MAX_DEPTH,
    _OBJECT_ATTRIBUTES,
    Method,
    _is_self_attr,
    _is_dunder,
    _is_property,
    _member_function,
    _positional,
    is_live_dict,
)

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

    def __init__(
        self,
        function: Method,
        chain: Lineage,
        call_functions: Dict[ast.Call, FrozenSet],
        descendants: Sequence[Lineage] = (),
    ):
        positional = _positional(function)
        self.self_name = positional[0].arg if positional else None
        counts = binding_counts(function.body)
        name = positional[1].arg if len(positional) > 1 else None
        self.name = name if name is not None and not counts.get(name) else None
        self.locals: Dict[str, ast.expr] = {}
        for statement in function.body:
            pair = single_assignment(statement)
            if pair is None:
                continue
            target, value = pair
            if isinstance(target, ast.Name) and counts.get(target.id) == 1 and target.id != self.self_name:
                self.locals[target.id] = value
        #: The class's lineage, then each subclass's of the module: a test is true (or false) only
        #: when it is for every one of them (``ALLOWED = set()`` here, ``("c",)`` in a subclass).
        self.chains: List[Lineage] = [chain, *descendants]
        self._current = 0
        self.call_functions = call_functions
        self._class_values: Dict[Tuple[int, str], object] = {}
        self._matches: Dict[Tuple[str, str, str], object] = {}

    # ----------------------------------------------------------------- truth of a test
    def truth(self, node: ast.AST, probe: str) -> Optional[bool]:
        found: Set[bool] = set()
        for current in range(len(self.chains)):
            self._current = current
            value = self.value(node, probe)
            if value is _NOT_KNOWN:
                return None
            try:
                found.add(bool(value))
            except Exception:  # noqa: BLE001 - a value we made ourselves; be safe anyway
                return None
        self._current = 0
        return found.pop() if len(found) == 1 else None

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
        key = (self._current, attr)
        if key not in self._class_values:
            self._class_values[key] = self._read_class_value(attr)
        return self._class_values[key]

    def _read_class_value(self, attr: str) -> object:
        owner = next((c for c in self.chains[self._current].classes if attr in c.members), None)
        if owner is None or not isinstance(owner.node, ast.ClassDef):
            return _NOT_KNOWN
        body = owner.node.body
        if binding_counts(body).get(attr) != 1:
            return _NOT_KNOWN
        for statement in body:
            pair = single_assignment(statement)
            if pair is None:
                continue
            target, value = pair
            if isinstance(target, ast.Name) and target.id == attr:
                return self._literal_collection(value)
        return _NOT_KNOWN

    def _literal_collection(self, node: ast.AST) -> object:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= _MAX_LITERAL:
            return node.value  # _EXECUTOR_ATTR = "trial_executor"
        if isinstance(node, ast.Call) and not node.keywords and not node.args:
            symbols = self.call_functions.get(node, frozenset())
            symbol = next(iter(symbols)) if len(symbols) == 1 else None
            if isinstance(symbol, str) and symbol.startswith("builtins.") and symbol[len("builtins.") :] in _COLLECTION_BUILDERS:
                return frozenset()  # ``EXTRA = set()``: nothing is in it
            return _NOT_KNOWN
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


class _HalfBuiltWalk(PathInterpreter[FrozenSet[str], None]):
    """Follows ``__getattr__`` on a half-built object (see the section comment). A path of the
    interpreter is the set of probed names that take it (paths that meet are merged).

    A missing ``self.x`` read calls ``__getattr__("x")``. That raises AttributeError, and the
    lookup that led there just sees the hook as absent, unless ``__getattr__("x")`` reaches a
    missing read again: only a cycle of such reads is a RecursionError
    (``if name == "_wrapped": raise AttributeError`` before ``getattr(self._wrapped, name)``
    breaks it).

    ``live``: walk the object as it is in use instead (no read is missing) and record the
    statements a probed name reaches (``reached``).
    """

    max_nesting = _MAX_DEPTH * 4  # deeper than any real __getattr__: stay silent

    def __init__(self, function: Method, self_name: str, chain: Lineage, guard: _NameGuard, live: bool = False):
        super().__init__()
        self.function = function
        self.self_name = self_name
        self.chain = chain
        self.guard = guard
        self.builtin_types = [getattr(builtins, b.split(".", 1)[1], None) for b in chain.builtins]
        self._reads: List[ast.Attribute] = []
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
        self._reads = []
        try:
            self.walk(self.function.body, [probes], None)
        except GiveUp:
            return None
        return self._reads

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

    # ------------------------------------------------------------------ interpreter hooks
    def join(self, paths: List[FrozenSet[str]]) -> List[FrozenSet[str]]:
        merged = frozenset().union(*paths) if paths else frozenset()
        return [merged] if merged else []

    def split(self, paths: List[FrozenSet[str]], test: ast.expr) -> Tuple[List[FrozenSet[str]], List[FrozenSet[str]]]:
        when_true: List[FrozenSet[str]] = []
        when_false: List[FrozenSet[str]] = []
        for probes in paths:
            true, false = self.guard.split(test, probes)
            when_true.append(true)
            when_false.append(false)
        return self.join(when_true), self.join(when_false)

    def assertion(self, paths: List[FrozenSet[str]], test: ast.expr) -> Tuple[List[FrozenSet[str]], List[FrozenSet[str]]]:
        # ``assert name != "_wrapped"`` is compiled out under ``python -O``, and raises
        # AssertionError (not AttributeError: a crash all the same) otherwise: every name goes on.
        return paths, []

    def visit(self, statement: ast.stmt, paths: List[FrozenSet[str]], depth: int, mode: None) -> List[FrozenSet[str]]:
        """Record the statement (live), or the missing reads of its own expressions and the probes
        for which it raises (half-built)."""
        if self.live:
            self._reached.add(id(statement))
            return paths
        if depth == 0 and isinstance(statement, ast.If) and _raises_attribute_error(statement.body):
            if not any(_is_self_attr(n, self.self_name) for n in ast.walk(statement.test)):
                if any(self.guard.truth(statement.test, probe) is None for probes in paths for probe in probes):
                    raise GiveUp  # `if name not in TABLE: raise AttributeError(name)`: unsure
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return paths
        return self.join([probes - self._own_effects(statement, probes) for probes in paths])

    def finally_block(
        self, statement: ast.stmt, entered: List[FrozenSet[str]], live: List[FrozenSet[str]], depth: int, mode: None
    ) -> List[FrozenSet[str]]:
        # A finally block runs for every name that entered the try, however it left it.
        if not self._block(statement.finalbody, self.join(entered), depth + 1, mode):  # type: ignore[attr-defined]
            return []
        return live

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
            runs = self._runs_method(node, self.self_name)
            if runs is not None:
                read = self._method_read(runs, set())
                if read is not None:  # self.is_connected() reads self.client_worker first thing
                    shown_read = ast.copy_location(ast.Attribute(ast.Name(self.self_name, ast.Load()), read.attr, ast.Load()), node)
                    shown_read.via = runs  # type: ignore[attr-defined]  # named in the message
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
        if name in seen or len(seen) > 3 or (_is_dunder(name) and name != "__getitem__"):
            return None
        seen.add(name)
        method = self._method(name)
        if not isinstance(method, ast.FunctionDef) or (method.decorator_list and not _is_property(method)):
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
            runs = self._runs_method(node, self_name)
            if runs is not None:
                found = self._method_read(runs, seen)
                if found is not None:
                    return found
            if isinstance(node, ast.BoolOp):
                stack.append(node.values[0])
                continue
            stack.extend(reversed([c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt)]))
        return None

    def _method(self, name: str) -> Optional[ast.AST]:
        """The class's method ``name``; for a property with a setter, its getter."""
        owner = next((c for c in self.chain.classes if name in c.members), None)
        if owner is None:
            return None
        getter = next(
            (s for s in getattr(owner.node, "body", ()) if isinstance(s, ast.FunctionDef) and s.name == name and _is_property(s)), None
        )
        return getter if getter is not None else _member_function(owner, name)

    def _runs_method(self, node: ast.AST, self_name: Optional[str]) -> Optional[str]:
        """The method of the class an expression runs on ``self``: ``self.m(...)``, ``self[key]``
        (its ``__getitem__``), or reading a property."""
        if isinstance(node, ast.Call) and _is_self_attr(node.func, self_name):
            return node.func.attr  # type: ignore[attr-defined,no-any-return]
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == self_name:
            return "__getitem__" if self.chain.defines("__getitem__") else None
        if _is_self_attr(node, self_name) and isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
            method = self._method(node.attr)  # type: ignore[attr-defined]
            return node.attr if isinstance(method, ast.FunctionDef) and _is_property(method) else None  # type: ignore[attr-defined]
        return None

    def _missing(self, attr: str) -> bool:
        # ``self.__send`` is a private name (``_RemoteMethod__send``), as missing as any other.
        if _is_dunder(attr) or attr in _OBJECT_ATTRIBUTES or self.chain.defines(attr):
            return False
        return not any(t is not None and hasattr(t, attr) for t in self.builtin_types)
