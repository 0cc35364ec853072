"""Which YAML loader a ``yaml.load`` call gets (PKL101-PKL103 on the unsafe ones): its ``Loader``
argument read through names, parameters' defaults, ``**`` dicts and the writes that change them. Reads
literals and resolved names only, never evaluates anything."""

from __future__ import annotations

import ast
import weakref
from typing import TYPE_CHECKING, FrozenSet, List, Optional, Set, Tuple, Union

from ..symbols import Contains, Generated, LocalDef, LocalInstance
from ..shapes import call_argument, default_of, literal_str
from .judgement import LOADER, LOADER_UNSURE, NOT_LOADER, SEVERITY, Judgement

if TYPE_CHECKING:  # pragma: no cover
    from ..scope import Resolver


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


def yaml_loader_bases(cls: LocalDef) -> List[str]:
    """The catalogued YAML loaders a class of the module derives from, when that makes it as safe (or
    as unsafe) as they are (see :func:`_yaml_loader_safety`): what another module's use of it is."""
    level = _yaml_loader_safety(cls)
    if level not in (_SAFE, _UNSAFE):
        return []
    wanted = SAFE_YAML_LOADERS if level == _SAFE else UNSAFE_YAML_LOADERS
    found: Set[str] = set()
    stack: List[object] = [cls]
    while stack and len(found) < 8:
        symbol = stack.pop()
        if isinstance(symbol, str) and symbol in wanted:
            found.add(symbol)
        elif isinstance(symbol, LocalDef) and symbol.kind == "class":
            stack.extend(b for base in symbol.bases for b in base)
    return sorted(found)


def _named_level(symbol: object, resolver: "Resolver") -> str:
    """:func:`_yaml_loader_safety`, and for another module's class the catalogued loaders it derives
    from (the project index's aliases: ``StrictLoader`` -> ``yaml.SafeLoader``)."""
    level = _yaml_loader_safety(symbol)
    if level == _UNKNOWN and isinstance(symbol, str) and resolver.aliases is not None:
        more = resolver.aliases(symbol) or frozenset()
        levels = {_yaml_loader_safety(s) for s in more}
        if levels in ({_SAFE}, {_UNSAFE}):
            return levels.pop()
    return level


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
    levels = {_named_level(s, resolver) for s in symbols if isinstance(s, _SYMBOL_TYPES)}
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
    return max(found, key=lambda judgement: SEVERITY[judgement.verdict])


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
