"""How a call binds facts: what it passes each parameter of the module's function it runs
(:func:`bind_call`, the receiver it was made with included), which parameters of a callback a
library registration taints (:func:`registered_callbacks`), and the order a summary's budget is
spent in (:func:`budget_order`). Read by :class:`flake8_pickle.provenance.ProvenanceTracker`."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import fields, is_dataclass
from functools import lru_cache
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from .catalog.taint import ANY_KEYWORD, DIGESTS
from .findings import shown
from .provenance_model import (RECEIVER, UNKNOWN, CallSite, Demands, External, OuterOf, Param, Returned, Source, StateOf, _inherits, _instance_state,
                               _is_bound_method_call, _shallow, _SYMBOLIC, covered, data_identity)
from .scope import Resolver
from .shapes import NodeKey, all_args, call_argument, is_staticmethod, node_key, own_nodes, positional_parameters
from .symbols import EMPTY, LocalDef, LocalInstance


def registered_callbacks(
    call: ast.Call, registration: Tuple, resolver: Resolver
) -> Tuple[Dict[Tuple[NodeKey, str], Source], List[Tuple[str, Tuple[int, ...]]]]:
    """``asyncio.start_server(handle, ...)``, ``basic_consume(on_message_callback=self.on_message)``:
    the parameters of the module's callback that get the peer's data (a bound method's shifted past
    its object), and the other names the callback may be (another module's function), with the
    argument positions that get it."""
    position, keyword, tainted = registration
    if keyword == ANY_KEYWORD:  # ``pubsub.subscribe(events=on_event)``: every keyword names a callback
        given = [k.value for k in call.keywords if k.arg is not None]
        given += [v for k in call.keywords if k.arg is None and isinstance(k.value, ast.Dict) for v in k.value.values]
    else:
        given = [call_argument(call, position, keyword)]
    # ``Consumer(conn, callbacks=[on_message, self.on_event])``: each callback of a list.
    callbacks = [e for c in given for e in (c.elts if isinstance(c, (ast.List, ast.Tuple)) else [c]) if e is not None]
    local: Dict[Tuple[NodeKey, str], Source] = {}
    elsewhere: List[Tuple[str, Tuple[int, ...]]] = []
    for callback, symbol in ((c, s) for c in callbacks for s in resolver.symbols_of(c)):
        if isinstance(symbol, str):
            elsewhere.append((symbol, tuple(tainted)))
        elif isinstance(symbol, LocalDef) and symbol.kind in ("function", "lambda"):
            params = positional_parameters(symbol.node)
            if symbol.kind == "function" and _is_bound_method_call(ast.Call(func=callback, args=[], keywords=[]), symbol.node, resolver):
                params = params[1:]  # ``on_message_callback=self.on_message``: bound to its object
            for index in (i for i in tainted if i < len(params)):
                label = f"{params[index]} of {symbol.name}() registered with {shown(call.func)}"
                local[(node_key(symbol.node), params[index])] = Source(label, call.lineno)
    return local, elsewhere


def called_by_iter(callable_: ast.expr) -> ast.expr:
    """What ``iter(callable_, sentinel)`` gives each time: a lambda's body (read where it is, as it
    takes no arguments), else a call of ``callable_`` with none."""
    if isinstance(callable_, ast.Lambda):
        return callable_.body
    return ast.copy_location(ast.Call(callable_, [], []), callable_)


def made_with(expanded: FrozenSet, made: Optional[FrozenSet], expand: Callable[[FrozenSet], FrozenSet]) -> FrozenSet:
    """What a method returned (``expanded``), with the parameters of a constructor it read through
    ``self`` (``return self.sock.recv(n)`` after ``self.sock = sock``) replaced by what the call's
    receiver was made with (``made``), when the call says (``Transport(conn).read()``)."""
    if made is None or not any(type(f) is Param and getattr(f.function, "name", "") == "__init__" for f in expanded):
        return expanded
    kept = frozenset(f for f in expanded if not (type(f) is Param and getattr(f.function, "name", "") == "__init__"))
    return kept | expand(frozenset(made))


def made_with_arguments(held: ast.expr, resolver: Resolver) -> bool:
    """``Transport(conn)``, or a name bound to an object of the module made with arguments it keeps."""
    if isinstance(held, ast.Call):
        return bool(held.args or held.keywords)
    return any(type(s) is LocalInstance and s.passed for s in resolver.lookup(held.id))  # type: ignore[attr-defined]


def bind_call(
    function: ast.AST, call: ast.Call, bound: bool, facts_of: Callable[[ast.expr], FrozenSet],
    made: Optional[Callable[[ast.expr], bool]] = None,
) -> Tuple[Tuple[str, FrozenSet], ...]:
    """What ``call`` passes for each parameter of ``function`` (``bound``: its first is the object):
    by position and keyword, the rest into ``*args`` and ``**kwargs``, and a ``*args`` or
    ``**kwargs`` passed on (``self._do(*args, **kwargs)``) into every parameter it may fill. With
    ``made``, a bound call's object under :data:`RECEIVER` when ``made`` says it was made
    with arguments (``Transport(conn).read()``, ``transport.read()``)."""
    spec = function.args  # type: ignore[attr-defined]
    params = positional_parameters(function)
    receiver = params[0] if bound and params else None
    if bound and params:
        params = params[1:]
    vararg = spec.vararg.arg if spec.vararg is not None else None
    kwarg = spec.kwarg.arg if spec.kwarg is not None else None
    mapping: Dict[str, FrozenSet] = {}

    def add(name: str, facts: FrozenSet) -> None:
        mapping[name] = mapping.get(name, EMPTY) | facts

    for position, value in enumerate(call.args):
        if isinstance(value, ast.Starred):
            spread = facts_of(value.value)
            for name in params[position:] + ([vararg] if vararg else []):
                add(name, spread)
            break
        if position < len(params):
            mapping[params[position]] = facts_of(value)
        elif vararg is not None:
            add(vararg, facts_of(value))
    named = {a.arg for a in all_args(spec)} - {vararg, kwarg, receiver}
    for keyword in call.keywords:
        if keyword.arg is None:
            spread = facts_of(keyword.value)
            for name in sorted(named - set(mapping)) + ([kwarg] if kwarg else []):
                add(name, spread)
        elif keyword.arg in named or kwarg is None:
            mapping[keyword.arg] = facts_of(keyword.value)
        else:
            add(kwarg, facts_of(keyword.value))
    held = call.func.value if isinstance(call.func, ast.Attribute) else None
    if made is not None and bound and isinstance(held, (ast.Call, ast.Name)) and made(held):
        mapping[RECEIVER] = facts_of(held)
    return tuple(sorted(mapping.items()))


def fact_order(value: object) -> str:
    """A key that orders facts the same way in every process: what a fact compares by, spelled out
    (never a node's identity, nor a set's iteration order, which follows identity hashes). A
    summary that writes facts under a budget writes them in this order, so the same module always
    summarises the same. A part whose own key is long is spelled by a digest of it, and each
    fact's key is remembered: facts share their parts (a call's result holds its arguments' facts,
    which hold earlier calls'), and spelled out whole they grow exponentially (probe A:
    transformers' ``a = f(a)`` under ``if``s, a 1 MB key at 14 of them)."""
    if isinstance(value, (list, set)):
        return _order(value)
    try:
        return _remembered_order(value)
    except TypeError:  # an unhashable part
        return _order(value)


@lru_cache(maxsize=4096)
def _remembered_order(value: object) -> str:
    return _order(value)


def _order(value: object) -> str:
    compared = _compared_fields(type(value)) if not isinstance(value, type) else None
    if compared is not None:
        inner = ",".join(_part_order(getattr(value, name)) for name in compared)
        return f"{type(value).__name__}({inner})"
    if isinstance(value, (frozenset, set)):
        return "{" + ",".join(sorted(_part_order(item) for item in value)) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(_part_order(item) for item in value) + ")"
    return repr(value)


_LONGEST_PART = 96


def _part_order(value: object) -> str:
    key = fact_order(value)
    if len(key) <= _LONGEST_PART:
        return key
    return "#" + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


_COMPARED: Dict[type, Optional[Tuple[str, ...]]] = {}


def _compared_fields(kind: type) -> Optional[Tuple[str, ...]]:
    """The names of the fields a dataclass compares by (None: not a dataclass)."""
    if kind not in _COMPARED:
        _COMPARED[kind] = tuple(f.name for f in fields(kind) if f.compare) if is_dataclass(kind) else None
    return _COMPARED[kind]


def budget_order(fact: object) -> Tuple[int, NodeKey, NodeKey, str]:
    """Where a fact spending the summary budget comes in ``ProvenanceTracker.expand``: by its place, then
    all it compares by; never in set order, which follows string hashes (random per process) and node
    identities, so a module summarises the same in every process."""
    if type(fact) is Returned:
        return (0, fact.function_key, fact.call_key, fact_order(fact.arguments))
    if type(fact) is StateOf:
        return (1, fact.cls_key, (fact.line, 0, 0, 0), fact.attr)
    return (2, (0, 0, 0, 0), (0, 0, 0, 0), fact_order(fact))


def dispatched_sites(
    function: ast.AST,
    method_owner: Dict[NodeKey, Tuple[LocalDef, LocalDef]],
    call_sites: Dict[NodeKey, List[CallSite]],
    self_calls: Dict[str, List[Tuple[LocalDef, ast.Call, List[FrozenSet], Dict[str, FrozenSet]]]],
) -> List[CallSite]:
    """``self.m(x)`` in a base class, where the method of the subclass that holds ``function``
    is what runs: a call site of ``function`` too (template methods, ``Serde.parse_request``
    calling the ``deserialize_model`` a subclass defines). ``method_owner``, ``call_sites`` and
    ``self_calls``: the tracker's tables."""
    known = method_owner.get(node_key(function))
    if known is None:
        return []
    owner, method = known
    direct = {node_key(site.call) for site in call_sites.get(node_key(function), [])}
    params = positional_parameters(function)
    if not is_staticmethod(function):
        params = params[1:]
    sites: List[CallSite] = []
    for cls, call, positional, keywords in self_calls.get(method.name, []):
        if node_key(call) in direct or not _inherits(owner, cls):
            continue
        arguments = dict(keywords)
        for index, facts in enumerate(positional):
            if index < len(params):
                arguments[params[index]] = facts
        sites.append(CallSite(call, method, arguments, None, True))
    return sites


def bind_external(fact: External, function_key: NodeKey, arguments: Dict[str, FrozenSet]) -> External:
    """Another module's call a function of this module returns (``return json.loads(body)``), with
    what the caller passed put in for the function's parameters: the call's own arguments as that
    caller made them (they were the returning function's parameters)."""
    if not fact.arguments:
        return fact
    bound = []
    for key, facts in fact.arguments:
        given: Set[object] = set()
        for element in facts:
            if type(element) is Param and element.function_key == function_key:  # type: ignore[attr-defined]
                given |= arguments.get(element.name, frozenset((UNKNOWN,)))  # type: ignore[attr-defined]
            else:
                given.add(element)
        bound.append((key, _shallow(frozenset(given))))
    return External(fact.name, fact.line, tuple(bound))


def filled_buffers(call: ast.Call, function: Optional[ast.AST]) -> List[ast.expr]:
    """What ``sock.recv_into(view)`` (a :data:`~flake8_pickle.catalog.taint.FILLING_READS` call)
    fills: its buffer argument, and the buffer a ``memoryview`` of it views (``view =
    memoryview(buf)`` in the same function: the read lands in ``buf``)."""
    target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("buffer", "buffers")), None)
    if target is None:
        return []
    out = [target]
    while isinstance(target, ast.Subscript) or _viewed(target) is not None:
        # ``recv_into(view[got:])``, ``recv_into(memoryview(buf))``, ``recv_into(memoryview(buf)[pos:])``
        target = target.value if isinstance(target, ast.Subscript) else _viewed(target)  # type: ignore[assignment]
        out.append(target)
    if isinstance(target, ast.Name) and function is not None:
        for node in own_nodes(function):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == target.id for t in node.targets)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "memoryview"
                and node.value.args
            ):
                out.append(node.value.args[0])
    return out


def demanded(
    facts: Iterable[object],
    returns: Dict[NodeKey, FrozenSet],
    outer_stores: Dict[Tuple[object, str], FrozenSet],
    sites_of: Callable[[ast.AST], List[CallSite]],
) -> Demands:
    """:meth:`~flake8_pickle.provenance.ProvenanceTracker.demands`: followed through the function
    summaries (``returns``), stored state, the outer scopes' stores and each function's call sites."""
    demands = Demands()
    seen: Set[object] = set()
    stack: List[object] = list(facts)
    while stack:
        fact = stack.pop()
        kind = type(fact)
        if kind not in _SYMBOLIC or fact in seen:
            continue
        seen.add(fact)
        if kind is Returned:
            node = fact.function.node  # type: ignore[attr-defined]
            demands.bodies.append(node)
            arguments = dict(fact.arguments)  # type: ignore[attr-defined]
            for element in returns.get(node_key(node), EMPTY):
                if type(element) is Param and element.function_key == node_key(node):
                    stack.extend(arguments.get(element.name, EMPTY))
                else:
                    stack.append(element)
        elif kind is StateOf:
            demands.attributes.add(fact.attr)  # type: ignore[attr-defined]
            stack.extend(_instance_state(fact.cls, fact.attr))  # type: ignore[attr-defined]
        elif kind is OuterOf:
            demands.names.add(fact.name)  # type: ignore[attr-defined]
            demands.attributes.add(fact.name)  # type: ignore[attr-defined]
            stack.extend(outer_stores.get((fact.scope_key, fact.name), EMPTY))  # type: ignore[attr-defined]
        else:  # Param
            function = fact.function  # type: ignore[attr-defined]
            demands.callers_of.append(function)
            for site in sites_of(function):
                stack.extend(site.arguments.get(fact.name, EMPTY))  # type: ignore[attr-defined]
    return demands


def _viewed(node: ast.expr) -> Optional[ast.expr]:
    """``buf`` for ``memoryview(buf)``, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "memoryview" and node.args:
        return node.args[0]
    return None


def verified_arguments(
    arguments: Dict[str, FrozenSet], guards: List[ast.expr], verified: Dict[int, FrozenSet], keyed: Dict[int, FrozenSet]
) -> FrozenSet[str]:
    """The names among a call's ``arguments`` whose data a check guarding the call verified (``guards``,
    what each verified): one whose MAC's key is a parameter is left to the loads it guards (``keyed``)."""
    if not guards:
        return frozenset()
    checks = [verified.get(id(guard), EMPTY) for guard in guards if not keyed.get(id(guard))]
    return frozenset(
        name for name, facts in arguments.items()
        if (identity := data_identity(facts)) and any(covered(identity, checked) for checked in checks)
    )


_DIGEST_CALLS = frozenset(name[:-2] for name in DIGESTS)


def digests_read(facts: FrozenSet) -> FrozenSet:
    """``facts`` with each MAC digest kept as a call while summarising (``External('hmac.new().hexdigest')``)
    read as what it is a MAC of: its receiver's facts, the message's (see ``mac_facts``)."""
    if not any(type(f) is External and f.name in _DIGEST_CALLS for f in facts):  # type: ignore[attr-defined]
        return facts
    out: Set[object] = set()
    for fact in facts:
        if type(fact) is External and fact.name in _DIGEST_CALLS:  # type: ignore[attr-defined]
            out.update(*(value for key, value in fact.arguments if key == RECEIVER))  # type: ignore[attr-defined]
        else:
            out.add(fact)
    return frozenset(out)
