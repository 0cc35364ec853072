"""Qualified-name tables: which calls deserialize with pickle (or worse), which globals run code.

Every entry is matched against the qualified names the resolver (``scope.py``)
computes for a callee, so ``import pickle as p; p.loads(x)``, ``from pickle
import loads as l`` and ``u = pickle.Unpickler(f); u.load()`` all meet the same
entry. A ``()`` segment in a name is the result of a call (see ``scope.py``).

Argument conditions are written as small functions of the call; they only read
literals and resolved names, never evaluate anything.
"""

from __future__ import annotations

import ast
import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple, Union

from .scope import (
    PARTIAL_OF,
    Contains,
    Generated,
    LocalDef,
    LocalInstance,
    call_argument,
    default_of,
    display_name,
    keyword_arg,
    literal_str,
)

if TYPE_CHECKING:  # pragma: no cover
    from .scope import Resolver

NOT_LOADER = 0
LOADER = 1
#: A loader whose safety switch is set by a non-literal: report at most PKL102.
LOADER_CAPPED = 2
#: A loader unless its safety switch, set to something of unknown safety, is safe: untrusted
#: data is still PKL101; otherwise PKL102 names the switch, not the data.
LOADER_UNSURE = 3
#: Which verdict wins when a callee may be several things (a loader, or a partial of it).
_SEVERITY = {NOT_LOADER: 0, LOADER_CAPPED: 1, LOADER_UNSURE: 2, LOADER: 3}


class Judgement(NamedTuple):
    """What a condition says about one call."""

    verdict: int
    #: For LOADER_UNSURE: the argument (or ``**spread``) whose safety is unknown.
    switch: Optional[ast.AST] = None


Condition = Callable[[ast.Call, "Resolver"], Union[int, Judgement]]

# What a loader's data argument is.
DATA_BYTES = "bytes"  # a bytes object: a literal is trusted
DATA_TEXT = "text"  # str or bytes: a literal is trusted
DATA_STREAM = "stream"  # an open file-like object
DATA_PATH = "path"  # a path or file-like object; a constant path is still of unknown origin
DATA_CHANNEL = "channel"  # reads from a connection: no data argument


@dataclass(frozen=True)
class Loader:
    """One pickle-family deserializer and how to read its call."""

    names: Tuple[str, ...]
    family: str
    data_kind: str
    data_position: Optional[int] = 0
    data_keyword: Optional[str] = None
    condition: Optional[Condition] = None
    channel: Optional[str] = None
    dump_twins: FrozenSet[str] = frozenset()
    #: How messages name the call; ``{method}`` is the last part of the matched name.
    label: Optional[str] = None
    #: How PKL102 names the argument that makes the call safe when its value is of unknown safety.
    switch_noun: str = "a safety switch"

    def label_for(self, qualified: str) -> str:
        """The loader's name in messages: ``pickle.Unpickler.load``, ``zmq socket.recv_pyobj``."""
        if self.label is None:
            return display_name(qualified)
        return self.label.format(method=qualified.rsplit(".", 1)[-1])

    def classify(self, call: ast.Call, resolver: "Resolver") -> int:
        """LOADER, LOADER_CAPPED, LOADER_UNSURE or NOT_LOADER for this particular call."""
        return self.assess(call, resolver).verdict

    def assess(self, call: ast.Call, resolver: "Resolver") -> Judgement:
        """The verdict for this call, and the switch it is unsure of.

        A callee bound by ``functools.partial`` is judged with the arguments the partial
        bound (``partial(torch.load, weights_only=True)``); when the callee may be several
        things, the most dangerous verdict wins.
        """
        if self.condition is None:
            return Judgement(LOADER)
        worst: Optional[Judgement] = None
        for bound in _as_called(call, self, resolver):
            outcome = self.condition(bound, resolver)
            judgement = outcome if isinstance(outcome, Judgement) else Judgement(outcome)
            if worst is None or _SEVERITY[judgement.verdict] > _SEVERITY[worst.verdict]:
                worst = judgement
        assert worst is not None
        return worst

    def data_argument(self, call: ast.Call) -> Optional[ast.expr]:
        """The argument that carries the bytes, stream or path, if passed."""
        if self.data_kind == DATA_CHANNEL:
            return None
        return call_argument(call, self.data_position, self.data_keyword)


# ---------------------------------------------------------------- conditions
def _is_falsy_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _torch_load(call: ast.Call, resolver: "Resolver") -> int:
    weights_only = keyword_arg(call, "weights_only")
    if weights_only is None:
        return LOADER
    if isinstance(weights_only, ast.Constant):
        return NOT_LOADER if weights_only.value is True else LOADER
    return LOADER_CAPPED


def _allow_pickle(position: int) -> Condition:
    def condition(call: ast.Call, resolver: "Resolver") -> int:
        value = call_argument(call, position, "allow_pickle")
        if value is None or _is_falsy_literal(value):
            return NOT_LOADER  # numpy's default has been allow_pickle=False since 1.16.3
        return LOADER

    return condition


def _keras_safe_mode(call: ast.Call, resolver: "Resolver") -> int:
    value = call_argument(call, 3, "safe_mode")
    if value is None or (isinstance(value, ast.Constant) and value.value is True):
        return NOT_LOADER
    return LOADER


SAFE_YAML_LOADERS = frozenset(
    f"{module}.{name}"
    for module in ("yaml", "yaml.loader", "yaml.cyaml", "ruamel.yaml", "ruamel.yaml.loader", "ruamel.yaml.cyaml")
    for name in ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
) | frozenset(
    # ruamel's round-trip constructor derives from its safe one: no Python objects
    f"{module}.RoundTripLoader"
    for module in ("ruamel.yaml", "ruamel.yaml.loader")
)
#: Loaders that build arbitrary Python objects (or did, before PyYAML 5.4 for FullLoader).
UNSAFE_YAML_LOADERS = frozenset(
    f"{module}.{name}"
    for module in ("yaml", "yaml.loader", "yaml.cyaml", "ruamel.yaml", "ruamel.yaml.loader", "ruamel.yaml.cyaml")
    for name in ("Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader")
)
_SAFE, _UNSAFE, _UNKNOWN, _PLAIN = "safe", "unsafe", "unknown", "plain"
#: What resolves to things (as opposed to provenance facts riding on a binding).
_SYMBOL_TYPES = (str, LocalDef, LocalInstance, Contains, Generated)


def _yaml_loader_safety(symbol: object, depth: int = 0) -> str:
    """_SAFE, _UNSAFE, _UNKNOWN, or _PLAIN for a class of the module that is no loader at all."""
    if isinstance(symbol, str):
        if symbol in SAFE_YAML_LOADERS:
            return _SAFE
        if symbol in UNSAFE_YAML_LOADERS:
            return _UNSAFE
        return _PLAIN if symbol == "builtins.object" else _UNKNOWN
    if not isinstance(symbol, LocalDef) or symbol.kind != "class" or depth >= 8:
        return _UNKNOWN
    # A subclass of a safe loader stays safe; one that adds constructors is the user's own
    # design, and we cannot see what they construct. Plain mixins change nothing.
    found: Set[str] = set()
    for base in symbol.bases:
        if not base:
            found.add(_UNKNOWN)
        found.update(_yaml_loader_safety(b, depth + 1) for b in base)
    for level in (_UNSAFE, _UNKNOWN, _SAFE):
        if level in found:
            return level
    return _PLAIN


def _yaml_loader_value(value: ast.expr, resolver: "Resolver") -> Judgement:
    """How safe loading is with ``Loader=value``."""
    symbols: Optional[FrozenSet] = None
    default = _parameter_default(value, resolver)
    if default is not None:
        # ``def load(stream, Loader=yaml.SafeLoader)``: the signature is what this code chose;
        # a caller passing another Loader makes that choice explicitly, at its own call.
        expression, symbols = default
        if expression is None:
            return Judgement(LOADER_UNSURE, value)  # a default we cannot read from here
        if isinstance(expression, ast.Constant) and expression.value is None:
            return Judgement(LOADER)
    if isinstance(value, ast.Constant) and value.value is None:
        return Judgement(LOADER)  # PyYAML picks its default: unsafe before 6
    if symbols is None:
        symbols = resolver.symbols_of(value)
    levels = {_yaml_loader_safety(s) for s in symbols if isinstance(s, _SYMBOL_TYPES)}
    if _UNSAFE in levels:
        return Judgement(LOADER)
    if levels == {_SAFE}:
        return Judgement(NOT_LOADER)
    return Judgement(LOADER_UNSURE, value)


def _yaml_loader_argument(call: ast.Call, resolver: "Resolver") -> Judgement:
    value = call_argument(call, 1, "Loader")
    if value is not None:
        return _yaml_loader_value(value, resolver)
    outcomes = [_spread_loader(keyword, call, resolver) for keyword in call.keywords if keyword.arg is None]
    outcomes.extend(Judgement(LOADER_UNSURE, arg) for arg in call.args[:2] if isinstance(arg, ast.Starred))
    found = [outcome for outcome in outcomes if outcome is not None]
    if not found:
        return Judgement(LOADER)  # PyYAML < 6 defaults to an unsafe loader
    return max(found, key=lambda judgement: _SEVERITY[judgement.verdict])


# ---------------------------------------------------------------- where a Loader argument comes from
def _parameter_default(value: ast.expr, resolver: "Resolver") -> Optional[Tuple[Optional[ast.expr], FrozenSet]]:
    """For a parameter the function never rebinds: its default and what the default resolves to
    (``(None, ...)`` when it has one we cannot resolve); None for anything else."""
    if not isinstance(value, ast.Name):
        return None
    index = resolver.binding_scope(value.id)
    if index is None:
        return None
    owner = resolver.scopes[index]
    if owner.kind not in ("function", "lambda") or owner.node is None:
        return None
    default = default_of(owner.node, value.id)
    if default is None or value.id in _rebound_names(owner.node):
        return None
    # The default was evaluated where the function was defined, outside its own scope (in
    # the class body, for a method): read a dotted name there; anything else only if no
    # name of it is shadowed between there and here.
    attrs: List[str] = []
    root: ast.expr = default
    while isinstance(root, ast.Attribute):
        attrs.append(root.attr)
        root = root.value
    inner = resolver.scopes[index:]
    if not isinstance(root, ast.Name):
        shadowed = any(isinstance(n, ast.Name) and any(n.id in s.bindings for s in inner) for n in ast.walk(default))
        return (None, frozenset()) if shadowed else (default, resolver.symbols_of(default))
    found: Optional[FrozenSet] = None
    for position in range(index - 1, -1, -1):
        scope = resolver.scopes[position]
        if scope.kind == "class" and position != index - 1:
            continue  # a class body is seen only by what is defined directly in it
        found = scope.bindings.get(root.id)
        if found is not None:
            break
    if found is None:
        if any(root.id in s.bindings for s in inner):
            return None, frozenset()
        return default, resolver.symbols_of(default)  # a built-in, or a loader module used unbound
    for attr in reversed(attrs):
        found = frozenset(s for symbol in found for s in resolver.attribute_of(symbol, attr))
    return default, found


_REBOUND: "weakref.WeakKeyDictionary[ast.AST, FrozenSet[str]]" = weakref.WeakKeyDictionary()


def _rebound_names(function: ast.AST) -> FrozenSet[str]:
    """Every name a function body (nested bodies included) may bind or delete."""
    cached = _REBOUND.get(function)
    if cached is not None:
        return cached
    names: Set[str] = set()
    body = function.body  # type: ignore[attr-defined]
    for node in ast.walk(ast.Module(body=body if isinstance(body, list) else [ast.Expr(body)], type_ignores=[])):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        else:
            for attribute in ("name", "rest"):  # except ... as name, match captures
                bound = getattr(node, attribute, None)
                if isinstance(bound, str) and not isinstance(node, ast.arg):
                    names.add(bound)
    frozen = frozenset(names)
    _REBOUND[function] = frozen
    return frozen


#: Methods that change a dict in place.
_DICT_MUTATORS = frozenset({"setdefault", "update", "pop", "popitem", "clear", "__setitem__", "__delitem__"})
_UNTOUCHED = ("untouched", None)


def _spread_loader(keyword: ast.keyword, call: ast.Call, resolver: "Resolver") -> Optional[Judgement]:
    """The Loader a ``**spread`` passes; None when it certainly passes none."""
    value = keyword.value
    if isinstance(value, ast.Dict) or _is_dict_call(value, resolver):
        kind, loader = _dict_display_loader(value)  # type: ignore[arg-type]
        if kind == "set":
            return _yaml_loader_value(loader, resolver)  # type: ignore[arg-type]
        return None if kind == "absent" else Judgement(LOADER_UNSURE, keyword)
    if isinstance(value, ast.Name):
        return _written_loader(value.id, call, keyword, resolver)
    return Judgement(LOADER_UNSURE, keyword)


def _is_dict_call(node: ast.AST, resolver: "Resolver") -> bool:
    return isinstance(node, ast.Call) and "builtins.dict" in resolver.qualified_names(node.func)


def _dict_display_loader(node: Union[ast.Dict, ast.Call]) -> Tuple[str, Optional[ast.expr]]:
    """("set", value) if ``{...}``/``dict(...)`` certainly holds a Loader, ("absent", None) if it
    certainly holds none, ("other", None) if it may."""
    if isinstance(node, ast.Dict):
        pairs = [(None if k is None else literal_str(k) or "", v) for k, v in zip(node.keys, node.values)]
        spread_possible = any(k is not None and literal_str(k) is None for k in node.keys)
    else:
        pairs = [(kw.arg, kw.value) for kw in node.keywords]
        spread_possible = bool(node.args)
    outcome: Tuple[str, Optional[ast.expr]] = ("other", None) if spread_possible else ("absent", None)
    for key, value in pairs:
        if key is None:
            outcome = ("other", None)  # ``**more`` may carry one
        elif key == "Loader":
            outcome = ("set", value)
    return outcome


def _written_loader(name: str, call: ast.Call, keyword: ast.keyword, resolver: "Resolver") -> Judgement:
    """The Loader in dict ``name`` at ``call``, from the statements of this body that run before it.

    ``options.setdefault("Loader", SafeLoader)`` sets a default a caller may override with
    an explicit choice of its own (like a parameter default); ``options["Loader"] = ...``,
    ``options.update(Loader=...)`` and ``options = {"Loader": ...}`` set it outright.
    """
    unsure = Judgement(LOADER_UNSURE, keyword)
    index = resolver.binding_scope(name)
    if index is None:
        return unsure
    owner = resolver.scopes[index]
    if owner.kind not in ("function", "module") or any(s.kind != "comprehension" for s in resolver.scopes[index + 1 :]):
        return unsure
    body = getattr(owner.node, "body", None)
    if not isinstance(body, list):
        return unsure
    pending: Optional[Judgement] = None
    for statement in reversed(_statements_before(body, call)):
        kind, value = _dict_write(statement, name, resolver)
        if kind == "untouched":
            continue
        if kind == "set":
            return _yaml_loader_value(value, resolver)  # type: ignore[arg-type]
        if kind == "default":
            pending = _yaml_loader_value(value, resolver)  # the earliest setdefault is the one that sets
            continue
        if kind == "absent":
            return pending if pending is not None else Judgement(LOADER)
        return pending if pending is not None else unsure
    return pending if pending is not None else unsure


def _statements_before(body: List[ast.stmt], call: ast.Call) -> List[ast.stmt]:
    """The statements of ``body`` and of its nested blocks that run before ``call`` is reached."""
    position = (call.lineno, call.col_offset)
    out: List[ast.stmt] = []
    block: Optional[List[ast.stmt]] = body
    while block:
        holder: Optional[ast.stmt] = None
        for statement in block:
            if (statement.end_lineno or statement.lineno, statement.end_col_offset or 0) <= position:
                out.append(statement)
                continue
            if (statement.lineno, statement.col_offset) <= position:
                holder = statement
            break
        if holder is None:
            break
        block = _block_holding(holder, position)
    return out


def _block_holding(statement: ast.stmt, position: Tuple[int, int]) -> Optional[List[ast.stmt]]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None  # another body
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        parts = getattr(statement, field, None)
        if not isinstance(parts, list) or not parts:
            continue
        blocks = [parts] if isinstance(parts[0], ast.stmt) else [getattr(part, "body", []) for part in parts]
        for block in blocks:
            if not block:
                continue
            first, last = block[0], block[-1]
            if (first.lineno, first.col_offset) <= position <= (last.end_lineno or last.lineno, last.end_col_offset or 0):
                return block
    return None


def _dict_write(statement: ast.stmt, name: str, resolver: "Resolver") -> Tuple[str, Optional[ast.expr]]:
    """What ``statement`` does to the ``"Loader"`` entry of dict ``name``:
    ("set", value), ("default", value), ("absent", None), ("other", None) or ("untouched", None)."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        method = _method_of(statement.value, name)
        args = statement.value.args
        key = literal_str(args[0]) if args else None
        if method == "setdefault" and key == "Loader" and len(args) == 2:
            return ("default", args[1])
        if method == "pop" and args:
            return ("absent", None) if key == "Loader" else _UNTOUCHED if key is not None else ("other", None)
        if method == "update" and len(args) <= 1:
            kind, value = _dict_display_loader(statement.value)
            if args and isinstance(args[0], ast.Dict):
                inner, inner_value = _dict_display_loader(args[0])
                if kind == "set":
                    return ("set", value)
                return ("set", inner_value) if inner == "set" else ("other", None) if inner == "other" else _UNTOUCHED
            if not args:
                return ("set", value) if kind == "set" else ("other", None) if kind == "other" else _UNTOUCHED
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name:
                key = literal_str(target.slice)
                if key == "Loader":
                    return ("set", statement.value)
                if key is None:
                    return ("other", None)
            elif isinstance(target, ast.Name) and target.id == name:
                value = statement.value
                if isinstance(value, ast.Dict) or _is_dict_call(value, resolver):
                    return _dict_display_loader(value)  # type: ignore[arg-type]
                return ("other", None)
    if isinstance(statement, ast.Delete):
        for target in statement.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name:
                if literal_str(target.slice) == "Loader":
                    return ("absent", None)
    if isinstance(statement, ast.If) and not statement.orelse and len(statement.body) == 1:
        # ``if "Loader" not in options: options["Loader"] = SafeLoader`` is a setdefault
        test = statement.test
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.NotIn)
            and literal_str(test.left) == "Loader"
            and isinstance(test.comparators[0], ast.Name)
            and test.comparators[0].id == name
        ):
            kind, value = _dict_write(statement.body[0], name, resolver)
            if kind == "set":
                return ("default", value)
    return ("other", None) if _touches(statement, name) else _UNTOUCHED


def _method_of(call: ast.Call, name: str) -> Optional[str]:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == name:
        return func.attr
    return None


def _touches(statement: ast.stmt, name: str) -> bool:
    """Whether ``statement`` may rebind or change dict ``name`` (nested bodies aside)."""
    stack: List[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            if node.id == name and not isinstance(node.ctx, ast.Load):
                return True
            continue
        if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            if isinstance(node.value, ast.Name) and node.value.id == name:
                return True
        if isinstance(node, ast.Call) and _method_of(node, name) in _DICT_MUTATORS:
            return True
        if node is not statement and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


# ---------------------------------------------------------------- functools.partial of a loader
#: The suffix a partial of a conditional loader gets: ``torch.load(partial@3:9)``.
_PARTIAL_SUFFIX = re.compile(r"\(partial@\d+:\d+\)$")
_PARTIAL_SUFFIXES = re.compile(r"(?:\(partial@\d+:\d+\))+$")


def _without_partials(name: str) -> str:
    """``torch.load(partial@3:9)`` -> ``torch.load``."""
    return _PARTIAL_SUFFIXES.sub("", name)


def _partial_variant(target: str, call: ast.Call) -> Optional[str]:
    """A name for ``functools.partial(target, ...)`` when the arguments it binds can decide
    whether calls of it load unsafely (the loaders with a condition)."""
    if _without_partials(target) not in _CONDITIONAL_LOADERS:
        return None
    return f"{target}(partial@{call.lineno}:{call.col_offset})"


def _as_called(call: ast.Call, loader: Loader, resolver: "Resolver") -> List[ast.Call]:
    """``call`` as the loader sees it: once as written if the callee may be the loader itself,
    and once per ``functools.partial`` of it, with the bound arguments put in."""
    names = resolver.qualified_names(call.func)
    if not any(_PARTIAL_SUFFIX.search(name) for name in names):
        return [call]
    registry = resolver.partial_calls
    out: List[ast.Call] = []
    for name in sorted(names):
        partials: List[ast.Call] = []
        while True:
            match = _PARTIAL_SUFFIX.search(name)
            if match is None:
                break
            bound = registry.get(name)
            if bound is not None:
                partials.append(bound)  # the outermost partial first
            name = name[: match.start()]
        if name not in loader.names:
            continue
        merged = call
        for bound in partials:
            merged = _with_bound(bound, merged)
        out.append(merged)
    return out or [call]


def _with_bound(partial: ast.Call, call: ast.Call) -> ast.Call:
    """``partial(f, *a, **k)(*b, **j)`` as the call ``f(*a, *b, **{**k, **j})``."""
    overridden = {keyword.arg for keyword in call.keywords if keyword.arg is not None}
    merged = ast.Call(
        func=call.func,
        args=list(partial.args[1:]) + list(call.args),
        keywords=[k for k in partial.keywords if k.arg not in overridden] + list(call.keywords),
    )
    return ast.copy_location(merged, call)


def _msgpack_numpy(call: ast.Call, resolver: "Resolver") -> int:
    if MSGPACK_NUMPY_PATCHED in resolver.facts:
        return LOADER
    hook = keyword_arg(call, "object_hook")
    if hook is not None and resolver.qualified_names(hook) & MSGPACK_NUMPY_DECODERS:
        return LOADER
    return NOT_LOADER


MSGPACK_NUMPY_PATCHED = "msgpack_numpy.patch()"
MSGPACK_NUMPY_DECODERS = frozenset({"msgpack_numpy.decode", "msgpack_numpy.decode_numpy"})


# ---------------------------------------------------------------- constructor variants
def constructor_variant(qualified: str, call: ast.Call) -> Optional[str]:
    """A distinct name for a call result whose later methods depend on its arguments.

    ``YAML(typ="unsafe")`` and ``Listener(authkey=...)`` behave differently from
    their plain forms, so their results get their own names and the catalogue
    lists the dangerous form only. ``None`` means the plain ``qualified + "()"``.

    The resolver also asks about ``functools.partial(name, ...)``, as
    ``"functools.partial:" + name``: see :func:`_partial_variant`.
    """
    if qualified.startswith(PARTIAL_OF):
        return _partial_variant(qualified[len(PARTIAL_OF) :], call)
    if qualified in _RUAMEL_YAML:
        typ = call_argument(call, 0, "typ")
        values = []
        if isinstance(typ, (ast.List, ast.Tuple)):
            values = [literal_str(e) for e in typ.elts]
        else:
            values = [literal_str(typ)]
        if "unsafe" in values:
            return "ruamel.yaml.YAML(typ=unsafe)"
        return None
    position = _AUTHKEY_POSITION.get(qualified)
    if position is not None:
        authkey = call_argument(call, position, "authkey")
        if authkey is not None and not (isinstance(authkey, ast.Constant) and authkey.value is None):
            return f"{qualified}(authkey)"
    return None


_RUAMEL_YAML = frozenset({"ruamel.yaml.YAML", "ruamel.yaml.main.YAML"})
_AUTHKEY_POSITION = {
    "multiprocessing.connection.Listener": 3,
    "multiprocessing.connection.Client": 2,
}


# ---------------------------------------------------------------- the catalogue
#: pyzmq and its green (gevent, eventlet) spellings.
ZMQ_MODULES: Tuple[str, ...] = ("zmq", "zmq.asyncio", "zmq.green", "eventlet.green.zmq")
ZMQ_CONTEXTS: Tuple[str, ...] = tuple(
    f"{module}.Context{suffix}" for module in ZMQ_MODULES for suffix in ("()", ".instance()")
)


def _names(modules: Iterable[str], attrs: Iterable[str]) -> Tuple[str, ...]:
    attrs = tuple(attrs)
    return tuple(f"{m}.{a}" for m in modules for a in attrs)


_PICKLE_MODULES = ("pickle", "_pickle", "cPickle", "pickle5", "cloudpickle", "dill", "dill._dill")
_PICKLE_DUMPS = frozenset(_names(_PICKLE_MODULES, ("dumps",))) | {"multiprocessing.reduction.ForkingPickler.dumps"}

_DEFAULT_LOADERS: Tuple[Loader, ...] = (
    # pickle and its drop-in relatives
    Loader(
        _names(_PICKLE_MODULES, ("loads", "_loads")) + ("multiprocessing.reduction.ForkingPickler.loads",),
        "pickle",
        DATA_BYTES,
        data_keyword="data",
        dump_twins=_PICKLE_DUMPS,
    ),
    Loader(_names(_PICKLE_MODULES, ("load", "_load")), "pickle", DATA_STREAM, data_keyword="file"),
    Loader(
        _names(_PICKLE_MODULES, ("Unpickler().load", "_Unpickler().load")),
        "pickle",
        DATA_STREAM,
        data_position=None,
    ),
    Loader(
        _names(("dill", "dill.session"), ("load_session", "load_module")),
        "dill",
        DATA_PATH,
        data_keyword="filename",
    ),
    Loader(("joblib.load", "sklearn.externals.joblib.load"), "joblib", DATA_PATH, data_keyword="filename"),
    Loader(
        ("pandas.read_pickle", "pandas.io.pickle.read_pickle"),
        "pandas",
        DATA_PATH,
        data_keyword="filepath_or_buffer",
    ),
    Loader(
        ("shelve.open", "shelve.DbfilenameShelf", "shelve.Shelf", "shelve.BsdDbShelf"),
        "shelve",
        DATA_PATH,
        data_keyword="filename",
    ),
    # torch
    Loader(
        ("torch.load", "torch.serialization.load"),
        "torch",
        DATA_PATH,
        data_keyword="f",
        condition=_torch_load,
    ),
    Loader(
        ("torch.package.PackageImporter", "torch.package.package_importer.PackageImporter"),
        "torch",
        DATA_PATH,
        data_keyword="file_or_buffer",
    ),
    Loader(
        _names(
            ("torch.distributed", "torch.distributed.distributed_c10d"),
            (
                "broadcast_object_list",
                "all_gather_object",
                "gather_object",
                "scatter_object_list",
                "recv_object_list",
            ),
        ),
        "torch",
        DATA_CHANNEL,
        channel="torch.distributed process group",
    ),
    Loader(
        # torch.save()s the value, rendezvous()es and torch.load()s what every replica sent.
        ("torch_xla.core.xla_model.mesh_reduce",),
        "torch_xla",
        DATA_CHANNEL,
        channel="torch_xla replica rendezvous",
    ),
    # numpy
    Loader(("numpy.load", "numpy.lib.npyio.load"), "numpy", DATA_PATH, data_keyword="file", condition=_allow_pickle(2)),
    Loader(("numpy.lib.format.read_array",), "numpy", DATA_STREAM, data_keyword="fp", condition=_allow_pickle(1)),
    # jsonpickle
    Loader(
        ("jsonpickle.decode", "jsonpickle.loads", "jsonpickle.unpickler.decode"),
        "jsonpickle",
        DATA_TEXT,
        data_keyword="string",
        dump_twins=frozenset({"jsonpickle.encode", "jsonpickle.dumps", "jsonpickle.pickler.encode"}),
    ),
    Loader(
        ("jsonpickle.Unpickler().restore", "jsonpickle.unpickler.Unpickler().restore"),
        "jsonpickle",
        DATA_TEXT,
        data_keyword="obj",
    ),
    # marshal
    Loader(("marshal.loads",), "marshal", DATA_BYTES, data_keyword="bytes", dump_twins=frozenset({"marshal.dumps"})),
    Loader(("marshal.load",), "marshal", DATA_STREAM, data_keyword="file"),
    # yaml
    Loader(
        _names(("yaml", "ruamel.yaml"), ("unsafe_load", "full_load", "unsafe_load_all", "full_load_all")),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
    ),
    Loader(
        _names(("yaml", "ruamel.yaml"), ("load", "load_all")),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
        condition=_yaml_loader_argument,
        dump_twins=frozenset({"yaml.dump", "yaml.dump_all", "yaml.safe_dump"}),
        switch_noun="a Loader",
    ),
    Loader(
        ("ruamel.yaml.YAML(typ=unsafe).load", "ruamel.yaml.YAML(typ=unsafe).load_all"),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
    ),
    # msgpack decoding through msgpack_numpy (object arrays are pickles)
    Loader(
        ("msgpack.unpackb", "msgpack.loads"),
        "msgpack",
        DATA_BYTES,
        data_keyword="packed",
        condition=_msgpack_numpy,
        dump_twins=frozenset({"msgpack.packb", "msgpack.dumps", "msgpack_numpy.packb", "msgpack_numpy.dumps"}),
    ),
    Loader(("msgpack.unpack", "msgpack.load", "msgpack.Unpacker"), "msgpack", DATA_STREAM, data_keyword="stream", condition=_msgpack_numpy),
    Loader(
        ("msgpack_numpy.unpackb", "msgpack_numpy.loads"),
        "msgpack",
        DATA_BYTES,
        data_keyword="packed",
        dump_twins=frozenset({"msgpack.packb", "msgpack.dumps", "msgpack_numpy.packb", "msgpack_numpy.dumps"}),
    ),
    Loader(("msgpack_numpy.unpack", "msgpack_numpy.load", "msgpack_numpy.Unpacker"), "msgpack", DATA_STREAM, data_keyword="stream"),
    # keras: Lambda layers carry marshalled bytecode
    Loader(
        (
            "keras.models.load_model",
            "keras.saving.load_model",
            "keras.saving.saving_api.load_model",
            "tensorflow.keras.models.load_model",
            "tf_keras.models.load_model",
        ),
        "keras",
        DATA_PATH,
        data_keyword="filepath",
        condition=_keras_safe_mode,
    ),
    # unauthenticated channels
    Loader(
        (
            "multiprocessing.connection.Listener().accept().recv",
            "multiprocessing.connection.Client().recv",
        ),
        "pickle",
        DATA_CHANNEL,
        channel="multiprocessing.connection without authkey",
        label="Connection.{method}",
    ),
    _ZMQ_CHANNEL := Loader(
        tuple(
            f"{ctx}.socket().{method}"
            for ctx in ZMQ_CONTEXTS
            for method in ("recv_pyobj", "recv_serialized")
        )
        + tuple(f"{module}.Socket().{method}" for module in ZMQ_MODULES for method in ("recv_pyobj", "recv_serialized")),
        "zmq",
        DATA_CHANNEL,
        channel="zmq socket",
        label="zmq socket.{method}",
    ),
)

#: Loaders whose arguments decide whether a call loads unsafely.
_CONDITIONAL_LOADERS = frozenset(name for loader in _DEFAULT_LOADERS if loader.condition is not None for name in loader.names)

#: Methods whose name alone identifies the library, for receivers we cannot type
#: (``self.sock.recv_pyobj()``): reported when the module imports the library.
_DISTINCTIVE_METHODS: Dict[str, Tuple[str, Loader]] = {
    "recv_pyobj": ("zmq", _ZMQ_CHANNEL),
    "recv_serialized": ("zmq", _ZMQ_CHANNEL),
}

_QUALIFIED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\(\))?(\.[A-Za-z_][A-Za-z0-9_]*(\(\))?)*$")


def is_qualified_name(text: str) -> bool:
    """Whether ``text`` is a dotted name such as ``pkg.mod.func`` or ``pkg.Reader().read``."""
    return bool(_QUALIFIED.match(text))


class Catalog:
    """The loader catalogue, extended by the user's ``--pickle-extra-loaders``."""

    def __init__(self, extra_loaders: Iterable[str] = ()):
        self.by_name: Dict[str, Loader] = {}
        for loader in _DEFAULT_LOADERS:
            for name in loader.names:
                self.by_name[name] = loader
        for name in extra_loaders:
            self.by_name.setdefault(name, Loader((name,), "custom", DATA_BYTES))
        self.distinctive_methods = dict(_DISTINCTIVE_METHODS)

    def loader_for(self, qualified_names: Iterable[str]) -> Optional[Tuple[str, Loader]]:
        """The first catalogue entry among ``qualified_names``, with the name that matched."""
        for name in sorted(qualified_names):
            loader = self.by_name.get(name)
            if loader is None and name.endswith(")"):
                loader = self.by_name.get(_without_partials(name))  # a functools.partial of it
            if loader is not None:
                return name, loader
        return None

    def all_loaders(self) -> Tuple[Loader, ...]:
        """Every distinct loader entry."""
        seen: Dict[int, Loader] = {}
        for loader in self.by_name.values():
            seen.setdefault(id(loader), loader)
        return tuple(seen.values())


# ---------------------------------------------------------------- provenance tables
# Patterns use ``*`` for any run of name characters; a name matches a pattern when it
# equals it or continues it with ``.``, ``(`` or ``[`` (``request.form`` covers
# ``request.form.get()``).

#: What values that carry data an attacker controls come from.
UNTRUSTED_SOURCES: Tuple[str, ...] = (
    # Flask / Werkzeug, Bottle, Quart, Sanic: the global request proxies
    "flask.request",
    "flask.globals.request",
    "werkzeug.wrappers.Request()",
    "werkzeug.Request()",
    "quart.request",
    "bottle.request",
    "bottle.BaseRequest()",
    # Django and DRF: annotated request objects, class-based views' self.request
    "django.http.HttpRequest()",
    "django.http.request.HttpRequest()",
    "django.core.handlers.wsgi.WSGIRequest()",
    "rest_framework.request.Request()",
    "django.views.*().request",
    "rest_framework.*().request",
    # FastAPI / Starlette
    "fastapi.Request()",
    "fastapi.UploadFile()",
    "fastapi.WebSocket()",
    "starlette.requests.Request()",
    "starlette.datastructures.UploadFile()",
    "starlette.websockets.WebSocket()",
    # aiohttp server requests and client responses
    "aiohttp.web.Request()",
    "aiohttp.web.BaseRequest()",
    "aiohttp.web_request.Request()",
    "aiohttp.web.View().request",
    "aiohttp.ClientSession().*()",
    "aiohttp.request()",
    # Tornado
    "tornado.web.RequestHandler().request",
    "tornado.web.RequestHandler().get_*argument*",
    "tornado.web.RequestHandler().get_cookie",
    "tornado.httputil.HTTPServerRequest()",
    # http.server / socketserver handlers
    "http.server.*().rfile",
    "http.server.*().headers",
    "socketserver.*().request",
    "socketserver.*().rfile",
    # sockets and streams
    "socket.socket().recv",
    "socket.socket().recvfrom",
    "socket.socket().recv_into",
    "socket.socket().recvmsg",
    "socket.socket().makefile",
    "socket.socket().accept()",
    "socket.create_server().accept()",
    "socket.create_connection()",
    "socket.fromfd()",
    "ssl.SSLSocket()",
    "asyncio.open_connection()",
    "asyncio.StreamReader()",
    "asyncio.streams.StreamReader()",
    # HTTP clients
    "urllib.request.urlopen()",
    "urllib.request.OpenerDirector().open()",
    "urllib.request.build_opener().open()",
    "requests.get()",
    "requests.post()",
    "requests.put()",
    "requests.patch()",
    "requests.delete()",
    "requests.head()",
    "requests.request()",
    "requests.Session().*()",
    "requests.Response()",
    "httpx.get()",
    "httpx.post()",
    "httpx.put()",
    "httpx.patch()",
    "httpx.delete()",
    "httpx.request()",
    "httpx.stream()",
    "httpx.Client().*()",
    "httpx.AsyncClient().*()",
    "httpx.Response()",
    # websockets
    "websockets.connect()",
    "websockets.client.connect()",
    "websockets.sync.client.connect()",
    "websockets.asyncio.client.connect()",
    "websockets.WebSocketServerProtocol()",
    "websockets.ServerConnection()",
    # message queues
    "kafka.KafkaConsumer()",
    "aiokafka.AIOKafkaConsumer()",
    "confluent_kafka.Consumer().poll()",
    "confluent_kafka.Consumer().consume()",
    "pika.BlockingConnection().channel().basic_get()",
    "pika.BlockingConnection().channel().consume()",
    *(f"{ctx}.socket().recv*" for ctx in ZMQ_CONTEXTS),
    *(f"{module}.Socket().recv*" for module in ZMQ_MODULES),
    # websocket-client
    "websocket.create_connection()",
    "websocket.WebSocket()",
    "websocket._core.create_connection()",
    "aio_pika.connect()",
    "aio_pika.connect_robust()",
    "aio_pika.IncomingMessage()",
    "aio_pika.message.IncomingMessage()",
    "aio_pika.abc.AbstractIncomingMessage()",
    "pika.spec.Basic.Deliver()",
    "confluent_kafka.Message()",
    "aiokafka.ConsumerRecord()",
    "kafka.consumer.fetcher.ConsumerRecord()",
    "redis.asyncio.from_url().pubsub()",
    "redis.asyncio.client.Redis().pubsub()",
    "redis.asyncio.StrictRedis().pubsub()",
    "redis.Redis().pubsub()",
    "redis.StrictRedis().pubsub()",
    "redis.from_url().pubsub()",
    "redis.client.Redis().pubsub()",
    "redis.asyncio.Redis().pubsub()",
    # the process's own input
    "sys.stdin",
    "builtins.input()",
    "fileinput.input()",
)

#: Collectives that hand this process what its peers sent over a process group, which no
#: key authenticates: qualified name -> (channel, whether the call returns the peers' data,
#: positions of the arguments it fills in place). Data from them reaching a loader is PKL103.
CHANNEL_COLLECTIVES: Dict[str, Tuple[str, bool, Tuple[int, ...]]] = {
    **{
        f"{module}.{name}": ("torch.distributed process group", False, positions)
        for module in ("torch.distributed", "torch.distributed.distributed_c10d")
        for name, positions in (
            ("broadcast", (0,)),
            ("recv", (0,)),
            ("irecv", (0,)),
            ("all_gather", (0,)),
            ("all_gather_into_tensor", (0,)),
            ("gather", (1,)),
            ("scatter", (0,)),
            ("all_to_all", (0,)),
            ("all_to_all_single", (0,)),
        )
    },
    **{
        f"torch_xla.core.xla_model.{name}": ("torch_xla replica collective", returns, positions)
        for name, returns, positions in (
            ("rendezvous", True, ()),
            ("all_gather", True, ()),
            ("all_to_all", True, ()),
            ("collective_broadcast", False, (0,)),
            ("send", False, ()),
            ("recv", False, (0,)),
            ("collective_permute", True, ()),
        )
    },
    # a TCPStore serves whatever any peer that can reach its port ``set``
    **{
        f"torch.distributed.{store}().get": ("torch.distributed TCPStore", True, ())
        for store in ("TCPStore", "PrefixStore", "distributed_c10d.TCPStore", "distributed_c10d.PrefixStore")
    },
    # the native collectives torch_xla's own helpers are built on
    **{
        f"torch_xla._XLAC._xla_{name}": ("torch_xla replica collective", True, ())
        for name in (
            "all_gather",
            "all_gather_out",
            "all_gather_coalesced",
            "all_gather_coalesced_out",
            "all_to_all",
            "collective_permute",
            "recv",
        )
    },
}

#: Functions whose parameters receive untrusted data when passed as callbacks:
#: qualified name of the registering call -> (argument position, keyword) of the callback,
#: and which parameters of the callback are untrusted (positions).
CALLBACK_REGISTRATIONS: Dict[str, Tuple[Optional[int], Optional[str], Tuple[int, ...]]] = {
    "websockets.serve": (0, "handler", (0,)),
    "websockets.server.serve": (0, "handler", (0,)),
    "websockets.asyncio.server.serve": (0, "handler", (0,)),
    "websockets.sync.server.serve": (0, "handler", (0,)),
    "asyncio.start_server": (0, "client_connected_cb", (0,)),
    "asyncio.start_unix_server": (0, "client_connected_cb", (0,)),
    "aiohttp.web.Application().router.add_route": (2, "handler", (0,)),
    "aiohttp.web.Application().router.add_post": (1, "handler", (0,)),
    "aiohttp.web.Application().router.add_put": (1, "handler", (0,)),
    "aiohttp.web.Application().router.add_get": (1, "handler", (0,)),
    "aiohttp.web.post": (1, "handler", (0,)),
    "aiohttp.web.put": (1, "handler", (0,)),
    "aiohttp.web.get": (1, "handler", (0,)),
    "pika.BlockingConnection().channel().basic_consume": (None, "on_message_callback", (3,)),
    "pika.SelectConnection().channel().basic_consume": (None, "on_message_callback", (3,)),
    "websocket.WebSocketApp": (None, "on_message", (1,)),
    "kombu.Consumer": (None, "callbacks", (0,)),
}

#: Decorators (their callee, ``*`` allowed) that make a function a web route: every
#: parameter but ``self`` is request data (path parameters, bodies, form fields).
ROUTE_DECORATORS: Tuple[str, ...] = (
    "flask.Flask().route",
    "flask.Flask().get",
    "flask.Flask().post",
    "flask.Flask().put",
    "flask.Flask().patch",
    "flask.Flask().delete",
    "flask.Blueprint().route",
    "flask.Blueprint().get",
    "flask.Blueprint().post",
    "flask.Blueprint().put",
    "flask.Blueprint().patch",
    "flask.Blueprint().delete",
    "quart.Quart().route",
    "quart.Quart().post",
    "fastapi.FastAPI().*",
    "fastapi.APIRouter().*",
    "starlette.routing.Router().route",
    "aiohttp.web.RouteTableDef().*",
    "bottle.route",
    "bottle.get",
    "bottle.post",
    "bottle.put",
    "bottle.Bottle().*",
    "sanic.Sanic().*",
)

#: Decorators that mark a Django or DRF view: the first parameter is the request.
VIEW_DECORATOR_PREFIXES: Tuple[str, ...] = ("django.", "rest_framework.")
#: Bases that make a class a view: its HTTP-method handlers get the request second.
VIEW_BASE_PREFIXES: Tuple[str, ...] = ("django.views.", "rest_framework.", "django.contrib.auth.views.")
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch", "http_method_not_allowed"})
#: The context grpcio passes to a servicer method next to the client's request: the parameter before
#: one annotated with it is that request.
GRPC_SERVICER_CONTEXTS = frozenset(
    {"grpc.ServicerContext", "grpc.aio.ServicerContext", "grpc.aio._base_server.ServicerContext"}
)

#: Calls whose result is verified or authenticated data.
SANITIZERS: Tuple[str, ...] = (
    "cryptography.fernet.Fernet().decrypt",
    "cryptography.fernet.Fernet().decrypt_at_time",
    "cryptography.fernet.MultiFernet().decrypt",
    "itsdangerous.*().loads",
    "itsdangerous.*().unsign",
    "itsdangerous.*().loads_unsafe",
    "django.core.signing.loads",
    "django.core.signing.*Signer().unsign",
    "django.core.signing.*Signer().unsign_object",
    "nacl.secret.SecretBox().decrypt",
    "nacl.public.Box().decrypt",
)

#: Calls whose result carries the provenance of their positional arguments (none: a new, empty value).
TRANSFORMS: Tuple[str, ...] = (
    "base64.*decode*",
    "binascii.a2b_*",
    "binascii.unhexlify",
    "zlib.decompress",
    "gzip.decompress",
    "bz2.decompress",
    "lzma.decompress",
    "codecs.decode",
    "builtins.bytes",
    "builtins.bytes.fromhex",
    "builtins.bytearray",
    "builtins.str",
    "builtins.memoryview",
    "io.BytesIO",
    "io.StringIO",
    "io.BufferedReader",
    "io.TextIOWrapper",
    "gzip.GzipFile",
    "pickle.Unpickler",
    "pickle._Unpickler",
    "_pickle.Unpickler",
    "cPickle.Unpickler",
    "dill.Unpickler",
    "copy.copy",
    "copy.deepcopy",
    "pathlib.Path",
    "pathlib.PurePath",
    "os.path.join",
    "os.fsencode",
    "os.fsdecode",
    "builtins.int.to_bytes",
    "builtins.int.from_bytes",
    # the encoding direction carries provenance too: compress(dumps(x)) is still our own bytes
    "base64.*encode*",
    "binascii.b2a_*",
    "binascii.hexlify",
    "zlib.compress",
    "gzip.compress",
    "bz2.compress",
    "lzma.compress",
    "codecs.encode",
    "pickletools.optimize",
    # iteration helpers: the elements are what was iterated
    "builtins.enumerate",
    "builtins.reversed",
    "builtins.sorted",
    "builtins.list",
    "builtins.tuple",
    "builtins.iter",
    "builtins.range",
    # containers: built empty, or holding what they were built from
    "builtins.dict",
    "builtins.set",
    "builtins.frozenset",
    "collections.OrderedDict",
    "collections.deque",
    "queue.Queue",
    "queue.SimpleQueue",
    "queue.LifoQueue",
    "asyncio.Queue",
)

#: Calls that open a path: a constant path is of unknown origin, a tainted one is tainted.
PATH_OPENERS: Tuple[str, ...] = (
    "builtins.open",
    "io.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "codecs.open",
)
#: Methods that read a file named by their receiver (``Path(p).read_bytes()``).
PATH_READ_METHODS = frozenset({"read_bytes", "read_text", "open"})


def _pattern_regex(patterns: Iterable[str], continued: bool) -> "re.Pattern[str]":
    parts = [re.escape(pattern).replace(r"\*", r"[A-Za-z0-9_.]*?") for pattern in patterns]
    if not parts:
        return re.compile(r"(?!)")
    tail = r"(?:[.(\[].*)?" if continued else ""
    return re.compile(r"^(?:" + "|".join(parts) + r")" + tail + r"$")


class NamePatterns:
    """A set of ``*`` patterns over qualified names, each compiled into one regular expression."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(patterns)
        self._continued = _pattern_regex(self.patterns, continued=True)
        self._exact = _pattern_regex(self.patterns, continued=False)
        self._covered: Dict[str, bool] = {}

    def covers(self, name: str) -> bool:
        """Whether ``name`` is one of the patterns or continues one (``request.form.get()``)."""
        known = self._covered.get(name)
        if known is None:
            if len(self._covered) > _MEMO_LIMIT:
                self._covered.clear()  # the same names recur within a module, rarely across many
            known = self._covered[name] = self._continued.match(name) is not None
        return known

    def is_one(self, name: str) -> bool:
        """Whether ``name`` is exactly one of the patterns (a callee such as ``base64.b64decode``)."""
        return self._exact.match(name) is not None


_MEMO_LIMIT = 20000


# ---------------------------------------------------------------- code-execution gadgets
# One table for the two rules that ask "does this global run code?": PKL307 (a
# ``__reduce__`` returns it) and PKL104 (a restricted ``find_class`` admits it).
# Every set the two rules read is derived below, so they cannot disagree again.

#: Called with strings, it runs code or a program: a payload gadget for both rules.
RUNS_CODE = "runs code"
#: Runs nothing itself but hands a payload what does (an attribute walk, a namespace,
#: a nested unpickler, partial application). Only PKL104: a ``__reduce__`` returning
#: one is ordinary (``enum`` returns ``getattr``, ``functools.partial`` pickles so).
REACHES_CODE = "reaches code"
#: Every global of the module and of its submodules is a way in: only PKL104, for
#: which admitting any name of it is enough (``os.stat_result`` is harmless to return).
WHOLE_MODULE = "whole module"

#: The modules the ``builtins`` rows live in, in Python 3 and Python 2 spelling.
BUILTINS_MODULES = frozenset({"builtins", "__builtin__"})


class Gadget(NamedTuple):
    """One row of :data:`CODE_EXECUTION_GADGETS`: ``module.name`` for each name, and why.

    ``names`` is empty for a :data:`WHOLE_MODULE` row. The names of a ``builtins``
    row are gadgets under *any* module name for PKL104: modules re-export builtins
    (``io.open``), and an allow-list of bare names lets the pickle pick the module.
    """

    module: str
    names: Tuple[str, ...]
    why: str
    kind: str = RUNS_CODE


_PICKLE_LOADER_NAMES = ("load", "loads", "_load", "_loads", "Unpickler", "_Unpickler")

#: The code-execution globals of the standard library and the pickle family.
CODE_EXECUTION_GADGETS: Tuple[Gadget, ...] = (
    # called with strings, they run code or a program
    Gadget("builtins", ("eval", "exec"), "evaluates a string as Python"),
    Gadget("builtins", ("compile",), "compiles a string to a code object"),
    Gadget("builtins", ("__import__",), "imports (runs) an arbitrary module"),
    Gadget("builtins", ("execfile",), "executes a Python file (Python 2)"),
    Gadget("os", ("system", "popen"), "runs a shell command"),
    Gadget(
        "os",
        ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe"),
        "replaces the process with a program",
    ),
    Gadget(
        "os",
        ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe"),
        "starts a program",
    ),
    Gadget("os", ("posix_spawn", "posix_spawnp", "startfile"), "starts a program"),
    Gadget("posix", ("system", "popen", "execv", "execve", "posix_spawn", "posix_spawnp"), "runs a program"),
    Gadget("nt", ("system", "popen", "execv", "execve", "startfile", "spawnv", "spawnve"), "runs a program"),
    Gadget(
        "subprocess",
        ("call", "run", "Popen", "check_output", "check_call", "getoutput", "getstatusoutput"),
        "runs a program",
    ),
    Gadget("pty", ("spawn",), "runs a program on a pseudo-terminal"),
    Gadget("runpy", ("run_path", "run_module"), "runs a Python file or module"),
    Gadget("timeit", ("timeit", "repeat"), "executes a statement string (its setup runs once)"),
    Gadget("cProfile", ("run", "runctx"), "executes a statement string"),
    Gadget("profile", ("run", "runctx"), "executes a statement string"),
    Gadget("pdb", ("run", "runeval", "runctx"), "executes a statement string under the debugger"),
    Gadget("code", ("interact",), "starts an interactive interpreter"),
    # they hand the payload what runs code
    Gadget("builtins", ("getattr",), "walks from an admitted object to the modules it holds", REACHES_CODE),
    Gadget("builtins", ("setattr",), "rewrites an attribute of any admitted object", REACHES_CODE),
    Gadget("builtins", ("globals", "vars"), "hands over a namespace to read and rewrite", REACHES_CODE),
    Gadget("builtins", ("open",), "reads or overwrites any file", REACHES_CODE),
    Gadget("builtins", ("input",), "reads stdin (Python 2: and evaluates it)", REACHES_CODE),
    Gadget("builtins", ("breakpoint",), "starts the debugger that PYTHONBREAKPOINT names", REACHES_CODE),
    Gadget("builtins", ("apply",), "calls any callable (Python 2)", REACHES_CODE),
    Gadget("importlib", ("import_module",), "imports any module", REACHES_CODE),
    Gadget("functools", ("partial", "partialmethod"), "binds arguments to any callable", REACHES_CODE),
    Gadget("operator", ("attrgetter", "methodcaller"), "reads attributes or calls methods by name", REACHES_CODE),
    Gadget("_operator", ("attrgetter", "methodcaller"), "reads attributes or calls methods by name", REACHES_CODE),
    *(
        Gadget(module, _PICKLE_LOADER_NAMES, "a nested unpickler loads the rest unrestricted", REACHES_CODE)
        for module in _PICKLE_MODULES
    ),
    # any global of these modules is a way in
    Gadget("os", (), "runs programs, rewrites files and the environment", WHOLE_MODULE),
    Gadget("posix", (), "runs programs (the POSIX half of os)", WHOLE_MODULE),
    Gadget("nt", (), "runs programs (the Windows half of os)", WHOLE_MODULE),
    Gadget("subprocess", (), "runs programs", WHOLE_MODULE),
    Gadget("sys", (), "reaches every loaded module through sys.modules", WHOLE_MODULE),
    Gadget("importlib", (), "imports and loads any module or file", WHOLE_MODULE),
    Gadget("shutil", (), "moves, removes and overwrites files; runs archive tools", WHOLE_MODULE),
    Gadget("pty", (), "runs programs on a pseudo-terminal", WHOLE_MODULE),
    Gadget("socket", (), "opens network connections and file descriptors", WHOLE_MODULE),
    Gadget("runpy", (), "runs Python files and modules", WHOLE_MODULE),
    Gadget("code", (), "compiles and runs Python source", WHOLE_MODULE),
    Gadget("codeop", (), "compiles Python source", WHOLE_MODULE),
    Gadget("ctypes", (), "calls any C function", WHOLE_MODULE),
    Gadget("types", (), "builds functions from code objects", WHOLE_MODULE),
)


def _gadget_names(kinds: Iterable[str]) -> Tuple[str, ...]:
    wanted = frozenset(kinds)
    return tuple(f"{g.module}.{n}" for g in CODE_EXECUTION_GADGETS if g.kind in wanted for n in g.names)


def _gadgets_by_module() -> Dict[str, FrozenSet[str]]:
    by_module: Dict[str, Set[str]] = {}
    for gadget in CODE_EXECUTION_GADGETS:
        modules = BUILTINS_MODULES if gadget.module == "builtins" else (gadget.module,)
        for module in modules:
            by_module.setdefault(module, set()).update(gadget.names)
    return {module: frozenset(names) for module, names in by_module.items()}


def _gadget_homes() -> Dict[str, str]:
    homes: Dict[str, str] = {}
    for qualified in _gadget_names((RUNS_CODE, REACHES_CODE)):
        homes.setdefault(qualified.rpartition(".")[2], qualified)
    return homes


#: PKL307: the callables a ``__reduce__`` must not return (qualified names).
CODE_EXECUTION_CALLABLES: FrozenSet[str] = frozenset(_gadget_names((RUNS_CODE,)))
#: PKL104: modules any of whose globals (or their submodules' globals) is a gadget.
CODE_EXECUTION_MODULES: FrozenSet[str] = frozenset(
    g.module for g in CODE_EXECUTION_GADGETS if g.kind == WHOLE_MODULE
)
#: PKL104: names that are gadgets whatever module the pickle names (the ``builtins`` rows).
CODE_EXECUTION_NAMES: FrozenSet[str] = frozenset(
    n for g in CODE_EXECUTION_GADGETS if g.module == "builtins" for n in g.names
)
#: PKL104: module -> its named gadgets (``__builtin__`` shares the ``builtins`` rows).
GADGETS_BY_MODULE: Dict[str, FrozenSet[str]] = _gadgets_by_module()
#: PKL104 messages: where a gadget name taken from an unchecked module lives (first row wins).
GADGET_HOMES: Dict[str, str] = _gadget_homes()
