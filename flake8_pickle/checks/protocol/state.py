"""PKL304-PKL305: a class's own state hooks. PKL304 (``__getstate__`` that returns state still
holding a resource attribute) is the listener here; PKL305 (``__setstate__`` that does not restore
what ``__getstate__`` dropped) is read by :class:`~flake8_pickle.checks.protocol.ProtocolChecks`
with the helpers at the end (PKL303, the live ``__dict__`` mutated, is in :mod:`.mutations`).

For PKL304:

Reads the shape of the returned state syntactically (one method body at a time):
which attributes of ``self.__dict__`` it starts from, which keys it deletes,
pops, filters out or overwrites. When the shape is not one of these, it says
nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

from ...classes import PICKLE, SPAWN, ClassInfo, ClassModel, Held, Lineage
from ...findings import Finding
from ...pathwalk import GiveUp, PathInterpreter
from ...rules import message
from ...scope import ClassNeeds, Listener, Resolver
from ..copying import CopyChecks
from ...shapes import block_statements as _statements, class_method, literal_str
from .model import (
    _MAX_DEPTH,
    Method,
    _expressions,
    _is_self_attr,
    _member_function,
    _method_stores,
    _own_expressions,
    _self_name,
    is_dict_copy,
    is_live_dict,
)

def _is_self_dict(node: ast.AST) -> bool:
    """``self.__dict__``, ``vars(self)``, or a copy of them (``copy.deepcopy`` keeps every key too)."""
    if is_live_dict(node, "self") or is_dict_copy(node, "self"):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "deepcopy"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "copy"
        and len(node.args) == 1
        and is_live_dict(node.args[0], "self")
    )


#: The states' name for the live ``__dict__`` once a statement changed it.
_LIVE = "<self.__dict__>"


def _constant_key(node: ast.AST) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _excluded_by_filter(test: ast.AST, key: str) -> Set[str]:
    """Keys a comprehension condition such as ``k not in ("_lock",)`` or ``k != "_lock"`` removes."""
    out: Set[str] = set()
    tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    for part in tests:
        if not (isinstance(part, ast.Compare) and len(part.ops) == 1):
            continue
        left, op, right = part.left, part.ops[0], part.comparators[0]
        if not (isinstance(left, ast.Name) and left.id == key):
            continue
        if isinstance(op, ast.NotEq) and _constant_key(right):
            out.add(_constant_key(right))  # type: ignore[arg-type]
        elif isinstance(op, ast.NotIn) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            out |= {k for k in (_constant_key(e) for e in right.elts) if k}
    return out


@dataclass
class _State:
    """What a state value under construction holds, read syntactically.

    ``whole``: it starts from every attribute (``self.__dict__`` or a copy), less ``dropped``;
    ``keyed``: the attributes held under each literal key; ``unkeyed``: attributes held in
    positions (tuple state) or under keys that are not literal.
    """

    whole: bool = False
    dropped: Set[str] = field(default_factory=set)
    keyed: Dict[str, Set[str]] = field(default_factory=dict)
    unkeyed: Set[str] = field(default_factory=set)
    #: Tuple state: the states of its items (``(self.__dict__.copy(), {"a": self.a})``).
    parts: List["_State"] = field(default_factory=list)

    def copy(self) -> "_State":
        keyed = {k: set(v) for k, v in self.keyed.items()}
        return _State(self.whole, set(self.dropped), keyed, set(self.unkeyed), [p.copy() for p in self.parts])

    def keeps(self, attribute: str) -> bool:
        if attribute in self.unkeyed or any(attribute in held for held in self.keyed.values()):
            return True
        if any(part.keeps(attribute) for part in self.parts):
            return True
        return self.whole and attribute not in self.dropped

    def remove(self, key: str) -> None:
        """``del state[key]``, ``state.pop(key)``, or the key overwritten."""
        self.dropped.add(key)
        self.keyed.pop(key, None)

    def store(self, key: Optional[str], held: Set[str]) -> None:
        """``state[key] = value`` where the value holds ``held``."""
        if key is None:
            self.unkeyed |= held
        else:
            self.remove(key)
            if held:
                self.keyed[key] = set(held)


@dataclass(frozen=True)
class _Kept:
    """One way a ``__getstate__`` returns: the state, and the keys and attributes the conditions on
    its path name (``if self._lock is not None: del state["_lock"]`` keeps ``_lock`` only on a path
    whose condition says it is None, which pickles)."""

    state: _State
    guarded: FrozenSet[str]

    def keeps(self, attribute: str) -> bool:
        return attribute not in self.guarded and self.state.keeps(attribute)


@dataclass(frozen=True)
class _Building:
    """A path through ``__getstate__``: the states being built, by local name; what its conditions name."""

    states: Tuple[Tuple[str, _State], ...] = ()
    guarded: FrozenSet[str] = frozenset()

    def lookup(self) -> Dict[str, _State]:
        return dict(self.states)

    def with_states(self, states: Dict[str, _State]) -> "_Building":
        return _Building(tuple(sorted(states.items(), key=lambda item: item[0])), self.guarded)


class _StateWalk(PathInterpreter[_Building, None]):
    """The PKL304 domain of the path interpreter: which state each ``return`` hands back."""

    def __init__(self, self_name: Optional[str]):
        super().__init__()
        self.self_name = self_name
        self.results: List[_Kept] = []

    def split(self, paths: List[_Building], test: ast.expr) -> Tuple[List[_Building], List[_Building]]:
        named = _named(ast.walk(test), self.self_name)
        if named:
            paths = [_Building(p.states, p.guarded | named) for p in paths]
        return paths, paths

    def handler_entry(self, statement: ast.stmt, paths: List[_Building]) -> List[_Building]:
        # ``try: del state["_lock"] except KeyError: pass``: the handler runs when the key was
        # not there; what the body names is as good as a condition on it.
        body = _statements(statement.body)  # type: ignore[attr-defined]
        named = _named((node for inner in body for node in _own_expressions(inner)), self.self_name)
        if not named:
            return paths
        return [_Building(p.states, p.guarded | named) for p in paths]

    def join(self, paths: List[_Building]) -> List[_Building]:
        out: List[_Building] = []
        for path in paths:
            if path not in out:
                out.append(path)
        return out

    def rebind(self, path: _Building, names: List[str]) -> _Building:
        states = path.lookup()
        if not any(name in states for name in names):
            return path
        return path.with_states({k: v for k, v in states.items() if k not in names})

    def returned(self, path: _Building, statement: ast.Return, mode: None) -> None:
        if statement.value is None:
            return
        shape = _shape(statement.value, path.lookup(), self.self_name)
        if shape is None:
            raise GiveUp  # a state of a shape not understood: stay silent
        self.results.append(_Kept(shape, path.guarded))

    def visit(self, statement: ast.stmt, paths: List[_Building], depth: int, mode: None) -> List[_Building]:
        # The own expressions of a compound statement (a loop's iterable, a test) may change a state too.
        if isinstance(statement, (ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
            return [self._unfollowed(p, statement) for p in paths]
        return paths

    def effect(self, path: _Building, statement: ast.stmt) -> _Building:
        live = self._live_change(statement)
        if live is not None:
            # ``self.__dict__.pop("_sock")`` before ``return self.__dict__``: what the live dict is now.
            states = {k: v.copy() for k, v in path.states}
            state = states.setdefault(_LIVE, _State(whole=True))
            key, value = live
            state.remove(key) if value is None else state.store(key, _held(value, self.self_name))
            return path.with_states(states)
        if not path.states and not isinstance(statement, ast.Assign):
            return path
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            shape = _shape(statement.value, path.lookup(), self.self_name)
            states = self._unfollowed(path, statement).lookup()
            if shape is not None:
                states[statement.targets[0].id] = shape
            else:
                states.pop(statement.targets[0].id, None)
            return path.with_states(states)
        states = {k: v.copy() for k, v in path.states}
        if isinstance(statement, ast.Delete) and all(self._deletes_literal_key(t, states) for t in statement.targets):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    states.pop(target.id, None)
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in states:
                    states[target.value.id].remove(_constant_key(target.slice))  # type: ignore[arg-type]
            return path.with_states(states)
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            func = call.func
            arguments = list(call.args) + [k.value for k in call.keywords]
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in states
                and not _names_state(arguments, states)
            ):
                state = states[func.value.id]
                key = _constant_key(call.args[0]) if call.args else None
                if func.attr == "pop" and key:
                    state.remove(key)
                    return path.with_states(states)
                if func.attr in ("update", "setdefault") and arguments:
                    _stored_by_call(state, func.attr, call, self.self_name)
                    return path.with_states(states)
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            key = _constant_key(target.slice) if isinstance(target, ast.Subscript) else None
            if (
                key
                and isinstance(target.value, ast.Name)  # type: ignore[attr-defined]
                and target.value.id in states  # type: ignore[attr-defined]
                and not _names_state([statement.value], states)
            ):
                states[target.value.id].store(key, _held(statement.value, self.self_name))  # type: ignore[attr-defined]
                return path.with_states(states)
        if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            states.pop(statement.target.id, None)  # ``state |= {...}``
        return self._unfollowed(path.with_states(states), statement)

    def _live_change(self, statement: ast.stmt) -> Optional[Tuple[str, Optional[ast.expr]]]:
        """``(key, None)`` for a statement that drops ``key`` from the live ``__dict__``
        (``self.__dict__.pop("k")``, ``del self.__dict__["k"]``, ``del self.k``), ``(key, value)``
        for one that stores ``value`` under it (``self.k = None``), else None."""
        name = self.self_name
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func, args = statement.value.func, statement.value.args
            if isinstance(func, ast.Attribute) and func.attr == "pop" and args and is_live_dict(func.value, name):
                key = _constant_key(args[0])
                return (key, None) if key else None
            return None
        targets = statement.targets if isinstance(statement, (ast.Assign, ast.Delete)) else []
        if len(targets) != 1:
            return None
        target = targets[0]
        if isinstance(target, ast.Subscript) and is_live_dict(target.value, name):
            key = _constant_key(target.slice)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == name:
            key = target.attr
        else:
            return None
        if not key:
            return None
        return (key, None) if isinstance(statement, ast.Delete) else (key, statement.value)  # type: ignore[union-attr]

    @staticmethod
    def _deletes_literal_key(target: ast.AST, states: Dict[str, _State]) -> bool:
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in states:
            return _constant_key(target.slice) is not None
        return not _names_state([target], states)

    @staticmethod
    def _unfollowed(path: _Building, statement: ast.stmt) -> _Building:
        """A statement that uses a state in a way not followed (``helper(state)``, ``state.clear()``,
        ``state[key] = None`` with a key not literal) leaves it unknown: returning it stays silent.
        Reading it (``"k" in state``, ``state["k"]``, ``state.get("k")``) changes nothing."""
        states = path.lookup()
        if not states:
            return path
        nodes = list(_own_expressions(statement))
        read: Set[int] = set()
        for node in nodes:
            if isinstance(node, ast.Attribute) and node.attr in _STATE_READERS:
                read.add(id(node.value))
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                read.add(id(node.value))
            elif isinstance(node, ast.Compare):
                read.update(id(operand) for operand in [node.left, *node.comparators])
        used = {
            n.id
            for n in nodes
            if isinstance(n, ast.Name) and n.id in states and id(n) not in read and not isinstance(n.ctx, ast.Store)
        }
        if not used:
            return path
        return path.with_states({k: v for k, v in states.items() if k not in used})


#: Methods of a dict that only read it.
_STATE_READERS = frozenset(("get", "keys", "values", "items", "copy", "__contains__", "__getitem__"))


def _names_state(nodes: List[ast.AST], states: Dict[str, _State]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in states for node in nodes for n in ast.walk(node))


def _named(nodes: Iterable[ast.AST], self_name: Optional[str]) -> FrozenSet[str]:
    """The keys and attributes ``nodes`` name (a condition's, a ``try`` body's): string literals
    and ``self.<attr>``."""
    named: Set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            named.add(node.value)
        elif _is_self_attr(node, self_name):
            named.add(node.attr)  # type: ignore[attr-defined]
    return frozenset(named)


def kept_attributes(method: ast.AST) -> Optional[List[_Kept]]:
    """The states ``method`` may return (one per ``return`` on each path to it), or None when a
    shape is not understood or the method is too large to follow (the rule then stays silent)."""
    self_name = _self_name(method) if isinstance(method, ast.FunctionDef) else None
    walk = _StateWalk(self_name)
    try:
        walk.walk(getattr(method, "body", []), [_Building()], None)
    except GiveUp:
        return None
    return walk.results or None


#: One way a ``__getstate__`` returns, flattened: ``(whole, not kept, kept)``: it keeps an attribute
#: named in ``kept``, or any but those ``not kept`` when it starts from the whole ``__dict__``.
KeptShape = Tuple[bool, Tuple[str, ...], Tuple[str, ...]]


def kept_shapes(method: Optional[ast.AST]) -> Optional[List[KeptShape]]:
    """:func:`kept_attributes` flattened (a tuple state's parts each a shape of their own), the form
    a subclass's question "does the inherited ``__getstate__`` keep my attribute?" reads, here and
    from another module's summary. None when the method is missing or not understood."""
    shapes = kept_attributes(method) if method is not None else None
    if shapes is None:
        return None
    out: List[KeptShape] = []

    def flatten(state: _State, guarded: FrozenSet[str]) -> None:
        named = set(state.unkeyed).union(*state.keyed.values()) - guarded
        out.append((state.whole, tuple(sorted(state.dropped | guarded)), tuple(sorted(named))))
        for part in state.parts:
            flatten(part, guarded)

    for kept in shapes:
        flatten(kept.state, kept.guarded)
    return out


def shape_keeps(shapes: Iterable[KeptShape], attribute: str) -> bool:
    """Whether a state of one of ``shapes`` holds ``attribute``."""
    return any(attribute in named or (whole and attribute not in dropped) for whole, dropped, named in shapes)


def named_keys(shapes: List[_Kept]) -> Optional[Tuple[Set[str], Set[str]]]:
    """The states as ``(included, excluded)`` keys, for the fixer that deletes keys: when every
    attribute is stored under its own name (or the state is the whole ``__dict__`` less some keys,
    ``"*"`` in ``included``). None when an attribute sits under another key or in a tuple."""
    included: Set[str] = set()
    excluded: Optional[Set[str]] = None
    for kept in shapes:
        state = kept.state
        if state.unkeyed or state.parts or any(held != {key} for key, held in state.keyed.items()):
            return None
        included |= ({"*"} if state.whole else set()) | set(state.keyed)
        dropped = state.dropped - set(state.keyed)
        excluded = dropped if excluded is None else excluded & dropped
    return included, excluded or set()


def _stored_by_call(state: _State, method: str, call: ast.Call, self_name: Optional[str]) -> None:
    """``state.update({...})``, ``state.update(k=v)``, ``state.setdefault(k, v)``."""
    if method == "setdefault":
        key = _constant_key(call.args[0]) if len(call.args) == 2 else None
        if key is not None and key not in state.keyed and (not state.whole or key in state.dropped):
            state.store(key, _held(call.args[1], self_name))  # surely absent: the default is stored
        return
    pairs: List[Tuple[Optional[str], ast.AST]] = [(k.arg, k.value) for k in call.keywords]
    for argument in call.args:
        if isinstance(argument, ast.Dict):
            pairs += [(_constant_key(k) if k is not None else None, v) for k, v in zip(argument.keys, argument.values)]
        else:
            state.unkeyed |= _held(argument, self_name)
    for key, value in pairs:
        state.store(key, _held(value, self_name))


def _held(value: ast.AST, self_name: Optional[str], depth: int = 0) -> Set[str]:
    """Attributes of ``self`` a value holds as it is: ``self.x``, and containers literal of them."""
    if _is_self_attr(value, self_name) and not _is_self_dict(value):
        return {value.attr}  # type: ignore[attr-defined]
    if depth > _MAX_DEPTH:
        return set()
    out: Set[str] = set()
    if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        for element in value.elts:
            out |= _held(element.value if isinstance(element, ast.Starred) else element, self_name, depth + 1)
    elif isinstance(value, ast.Dict):
        for item in value.values:
            out |= _held(item, self_name, depth + 1)
    return out


def _getattr_names(value: ast.AST, self_name: Optional[str], variable: str) -> bool:
    """``getattr(self, <variable>)`` or ``self.__dict__[<variable>]``."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "getattr":
        args = value.args
        return (
            len(args) >= 2
            and isinstance(args[0], ast.Name)
            and args[0].id == self_name
            and isinstance(args[1], ast.Name)
            and args[1].id == variable
        )
    return (
        isinstance(value, ast.Subscript)
        and is_live_dict(value.value, self_name)
        and isinstance(value.slice, ast.Name)
        and value.slice.id == variable
    )


def _is_slots(node: ast.AST) -> bool:
    """``self.__slots__``, ``type(self).__slots__`` or ``Class.__slots__``."""
    return isinstance(node, ast.Attribute) and node.attr == "__slots__"


def _shape(value: ast.AST, states: Dict[str, _State], self_name: Optional[str]) -> Optional[_State]:
    if isinstance(value, ast.Name) and value.id in states:
        return states[value.id].copy()
    if _is_self_dict(value):
        return states[_LIVE].copy() if _LIVE in states else _State(whole=True)
    if isinstance(value, ast.Dict):
        state = _State()
        for key, item in zip(value.keys, value.values):
            if key is None:
                if not _is_self_dict(item):
                    return None
                # ``{"_lock": None, **self.__dict__}``: the copy brings every attribute back.
                state = _State(whole=True, keyed=state.keyed, unkeyed=state.unkeyed)
            else:
                state.store(_constant_key(key), _held(item, self_name))
        return state
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        if len(value.args) > 1 or value.args and not _is_self_dict(value.args[0]):
            return None
        state = _State(whole=bool(value.args))
        _stored_by_call(state, "update", ast.Call(func=value.func, args=[], keywords=value.keywords), self_name)
        return state
    if isinstance(value, (ast.Tuple, ast.List)):
        # Tuple state (``__slots__`` classes): ``(self.a, self._lock)``, ``(None, {"a": self.a})``.
        state = _State()
        for element in value.elts:
            inner = _shape(element, states, self_name)
            if inner is not None:
                state.parts.append(inner)
            else:
                state.unkeyed |= _held(element, self_name)
        return state
    if isinstance(value, (ast.DictComp, ast.GeneratorExp, ast.ListComp)) and len(value.generators) == 1:
        return _comprehension_shape(value, self_name)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("tuple", "list"):
        if len(value.args) == 1 and isinstance(value.args[0], (ast.GeneratorExp, ast.ListComp)):
            return _shape(value.args[0], states, self_name)
    if isinstance(value, ast.Constant):
        return _State()
    return None


def _comprehension_shape(value: ast.AST, self_name: Optional[str]) -> Optional[_State]:
    """``{k: v for k, v in self.__dict__.items() if k != "_lock"}``, ``{n: getattr(self, n) for n in
    ("a", "_lock")}``, ``tuple(getattr(self, s) for s in self.__slots__)``."""
    generator: ast.comprehension = value.generators[0]  # type: ignore[attr-defined]
    iterator = generator.iter
    element = value.value if isinstance(value, ast.DictComp) else value.elt  # type: ignore[attr-defined]
    if (
        isinstance(value, ast.DictComp)
        and isinstance(iterator, ast.Call)
        and isinstance(iterator.func, ast.Attribute)
        and iterator.func.attr == "items"
        and _is_self_dict(iterator.func.value)
        and isinstance(generator.target, ast.Tuple)
        and isinstance(generator.target.elts[0], ast.Name)
    ):
        key = generator.target.elts[0].id
        excluded: Set[str] = set()
        for test in generator.ifs:
            excluded |= _excluded_by_filter(test, key)
        return _State(whole=True, dropped=excluded)
    if not (isinstance(generator.target, ast.Name) and _getattr_names(element, self_name, generator.target.id)):
        return None
    variable = generator.target.id
    excluded = set()
    for test in generator.ifs:
        excluded |= _excluded_by_filter(test, variable)
    if _is_slots(iterator) or _is_self_dict(iterator):
        return _State(whole=True, dropped=excluded)
    if isinstance(iterator, (ast.Tuple, ast.List, ast.Set)):
        names = [_constant_key(e) for e in iterator.elts]
        if all(names):
            return _State(unkeyed={n for n in names if n and n not in excluded})
    return None


class GetstateChecks(Listener):
    """PKL304, once the class model knows every class's attributes."""

    needs = ClassNeeds(whole_class=frozenset({"__getstate__"}))

    def __init__(self, model: ClassModel, report: Callable[[Finding], None], copies: Optional["CopyChecks"] = None):
        self.model = model
        self.report = report
        #: Where the module copies, pickles or sends instances (None: not known, as in unit tests).
        self.copies = copies

    def on_module_end(self, resolver: Resolver) -> None:
        for info in sorted(self.model.classes.values(), key=lambda i: getattr(i.local.node, "lineno", 0)):
            if "__getstate__" not in info.protocols:
                continue
            method = _method(info, "__getstate__")
            if method is None:
                continue
            shapes = kept_attributes(method)
            if shapes is None:
                continue
            # A multiprocessing primitive ("should only be shared between processes through
            # inheritance") kept in state is how it is handed to a process the module spawns: on
            # purpose, unless instances are also copied or pickled some other way.
            otherwise = self.copies is None or bool(self.copies.operations_on(info.local) - {SPAWN})
            for name, held in self._resource_attributes(info, otherwise):
                if any(shape.keeps(name) for shape in shapes):
                    text = message("PKL304", cls=info.local.name, resource=held.describe())
                    self.report(Finding(method.lineno, method.col_offset, "PKL304", text, held.related()))
                    break

    def _resource_attributes(self, info: ClassInfo, inheritable: bool = True) -> List[Tuple[str, Held]]:
        cls = info.local
        attributes = [(n, s, line) for n, (s, line) in info.fields.items()]
        attributes += [(n, s, cls.attr_lines.get(n)) for n, s in cls.instance_attrs.items()]
        out = []
        for name, symbols, line in sorted(attributes, key=lambda a: (a[2] or 0, a[0])):
            held = self.model.held_by(symbols, PICKLE)
            if held is not None and (inheritable or held.fails(SPAWN)):
                out.append((name, Held(held.resource, held.facts, f"self.{name}", held.line or line, cls)))
        return out


def _method(info: ClassInfo, name: str) -> Optional[ast.FunctionDef]:
    return class_method(info.local.node, name)


# --------------------------------------------------------------------------- PKL303 and PKL305


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
            filtered = _filtered_keys(value, self_name, states) if isinstance(value, ast.DictComp) else None
            if isinstance(value, ast.Name) and value.id in states:
                returned_state = True
            elif filtered is not None:
                dropped |= filtered  # ``{k: v for k, v in self.__dict__.items() if k != "_lock"}``
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


def _filtered_keys(comp: ast.DictComp, self_name: Optional[str], states: Set[str]) -> Optional[Set[str]]:
    """The keys ``{k: v for k, v in <state>.items() if k != "a" and k not in ("b", "c")}`` leaves
    out of the instance's state; None for any other comprehension (what it keeps is not known)."""
    if len(comp.generators) != 1:
        return None
    gen = comp.generators[0]
    source = gen.iter
    if not (isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr == "items"):
        return None
    owner = source.func.value
    if not (is_live_dict(owner, self_name) or (isinstance(owner, ast.Name) and owner.id in states)):
        return None
    target = gen.target
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name)):
        return None
    key = target.elts[0].id
    if not (isinstance(comp.key, ast.Name) and comp.key.id == key):
        return None
    tests: List[ast.expr] = []
    for condition in gen.ifs:
        tests.extend(condition.values if isinstance(condition, ast.BoolOp) and isinstance(condition.op, ast.And) else [condition])
    left_out: Set[str] = set()
    for test in tests:
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name) and test.left.id == key):
            return None
        right = test.comparators[0]
        if isinstance(test.ops[0], ast.NotEq) and literal_str(right) is not None:
            left_out.add(literal_str(right))  # type: ignore[arg-type]
        elif isinstance(test.ops[0], ast.NotIn) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            names = [literal_str(e) for e in right.elts]
            if any(n is None for n in names):
                return None
            left_out.update(n for n in names if n is not None)
        else:
            return None
    return left_out


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
