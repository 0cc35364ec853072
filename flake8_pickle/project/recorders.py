"""The listeners a whole summary's walk runs beside the checks (:func:`flake8_pickle.project.summary.summarise`):
the calls of other modules' callables with their arguments' facts (:class:`CallRecorder`), what the
module stores in other modules' names (:class:`StoreRecorder`), which classes' objects each function
returns (:class:`ReturnRecorder`); and which of the module's own calls a summary keeps."""

from __future__ import annotations

import ast
import sys
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from ..catalog.conventions import ACCUMULATING_METHODS
from ..provenance import ProvenanceTracker, Trusted
from ..provenance_model import RECEIVER
from ..provenance_calls import verified_arguments
from ..scope import Listener, Resolver
from ..symbols import LocalDef, LocalInstance

Json = Any
_VERIFIED: FrozenSet = frozenset((Trusted("verified by the check that guards the call"),))
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"builtins"}


class CallRecorder(Listener):
    """Keeps the calls of other modules' callables, with the facts their arguments carry, and the
    module's ``self.m(...)`` calls: a subclass in another module may be what defines ``m``."""

    runs_quiet = False

    def __init__(self, tracker: ProvenanceTracker, module: str, names: Dict[int, str]):
        self.tracker = tracker
        self.module = module
        #: Qualified names (inside the module) of the classes and functions others can reach.
        self.names = names
        self.calls: List[Tuple[ast.Call, Optional[ast.AST], Tuple[str, ...], Tuple[Tuple[str, FrozenSet], ...]]] = []
        #: The ids of the calls that are ``self.m(...)`` dispatches (recorded as ``module.Class().m``).
        self.dispatched: Set[int] = set()
        #: The ids of the calls of the module's own functions (kept only for those that hand a
        #: parameter on to another module: see :func:`forwarding_calls`).
        self.local: Set[int] = set()
        #: Method calls on what the module's own functions return (see :meth:`made_by_factories`).
        self.made: List[Tuple[ast.Call, Optional[ast.AST], List[ast.AST], Tuple[Tuple[str, FrozenSet], ...]]] = []

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        names = tuple(sorted(n for n in resolver.qualified_names(call.func) if may_be_project(n)))
        dispatch = self._dispatch(call, resolver)
        if not names and not dispatch and (call.args or call.keywords):
            # ``run(data)`` where the module's ``run(payload)`` calls ``ser.decode(payload)``: another
            # module's callers of ``decode`` reach ``data`` through it.
            on_instance = _on_instance(call.func, resolver)
            names = tuple(sorted(
                _local_name(self.module, self.names[id(s.node)], on_instance)
                for s in resolver.symbols_of(call.func)
                if type(s) is LocalDef and s.kind == "function" and id(s.node) in self.names
            ))
            if names:
                self.local.add(id(call))
        if dispatch:
            names = tuple(sorted(set(names) | {dispatch}))
            self.dispatched.add(id(call))
        function = resolver.function_stack[-1] if resolver.function_stack else None
        if not names and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call):
            # ``make_codec().loads(data)``, the module's factory making another module's object: named
            # once every factory's returns are known (:meth:`made_by_factories`).
            factories = [s.node for s in resolver.symbols_of(call.func.value.func) if type(s) is LocalDef and s.kind == "function"]
            if factories:
                self.made.append((call, function, factories, self._arguments(call, True, False)))
        if names:
            arguments = self._arguments(call, any("()." in n for n in names), bool(dispatch))
            if arguments:
                self.calls.append((call, function, names, self._checked(arguments, resolver)))

    def _checked(self, arguments: Tuple[Tuple[str, FrozenSet], ...], resolver: Resolver) -> Tuple[Tuple[str, FrozenSet], ...]:
        """``arguments``, those a check guarding the call verified as verified data (``if not
        compare_digest(...): abort(403)``, then ``codec.decode(body)``: another module's load of it)."""
        verified = verified_arguments(dict(arguments), resolver.guards, self.tracker.verified, self.tracker.keyed)
        if not verified:
            return arguments
        return tuple((key, _VERIFIED if key in verified else facts) for key, facts in arguments)

    def _arguments(self, call: ast.Call, method: bool, dispatch: bool) -> Tuple[Tuple[str, FrozenSet], ...]:
        arguments: List[Tuple[str, FrozenSet]] = []
        for position, value in enumerate(call.args):
            if isinstance(value, ast.Starred):
                break
            arguments.append((str(position), self.tracker.facts_of(value)))
        for keyword in call.keywords:
            if keyword.arg is not None:
                arguments.append((keyword.arg, self.tracker.facts_of(keyword.value)))
        held = call.func.value if isinstance(call.func, ast.Attribute) else None
        if isinstance(held, (ast.Call, ast.Name)) and not dispatch and method:
            # ``Message(sock.recv()).decode()``: what the object was made with, for the method's ``R``.
            if not (isinstance(held, ast.Name) and held.id in ("self", "cls")):
                arguments.append((RECEIVER, self.tracker.facts_of(held)))
        return tuple(arguments)

    def made_by_factories(self, instances: Dict[int, Set[object]]) -> None:
        """The calls of methods of what the module's factories return, as the other modules' methods they are."""
        for call, function, factories, arguments in self.made:
            attr = call.func.attr  # type: ignore[attr-defined]
            names = sorted({f"{made}().{attr}" for node in factories for made in instances.get(id(node), ()) if isinstance(made, str)})
            if names and arguments:
                self.calls.append((call, function, tuple(names), arguments))

    def _dispatch(self, call: ast.Call, resolver: Resolver) -> Optional[str]:
        """``module.Class().m`` for ``self.m(...)`` or ``cls.m(...)`` in a method of ``Class``."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")):
            return None
        for owner in resolver.lookup(func.value.id):
            cls = owner.cls if isinstance(owner, LocalInstance) else owner
            if isinstance(cls, LocalDef) and cls.kind == "class":
                qualname = self.names.get(id(cls.node))
                if qualname is not None:
                    return f"{self.module}.{qualname}().{func.attr}"
        return None


def _on_instance(func: ast.expr, resolver: Resolver) -> bool:
    """Whether ``func`` is a method read on an object of the module's class (``Worker().update``,
    ``worker.update``), not on the class itself (``Worker.update(worker, data)``)."""
    if not isinstance(func, ast.Attribute):
        return False
    owners = resolver.symbols_of(func.value)
    return any(isinstance(owner, LocalInstance) for owner in owners) and not any(
        type(owner) is LocalDef and owner.kind == "class" for owner in owners
    )


def _local_name(module: str, qualname: str, on_instance: bool) -> str:
    """The name a call of the module's function ``qualname`` is kept under: a method called on an
    object as ``module.Class().method``, whose first argument is the method's first parameter."""
    owner, _, method = qualname.rpartition(".")
    return f"{module}.{owner}().{method}" if on_instance and owner else f"{module}.{qualname}"


class StoreRecorder(Listener):
    """Keeps what the module stores in the module-level names of other modules: ``state.LAST =
    data`` (``from app import state``), ``SESSIONS[sid] = data`` and ``SESSIONS.update(...)``
    (``from app.state import SESSIONS``). Only values that may be untrusted are kept: a store of
    trusted data changes nothing a load of the name is told."""

    runs_quiet = False

    def __init__(self, tracker: ProvenanceTracker):
        self.tracker = tracker
        #: (qualified name stored in, the statement or call, the function it is in, the value's facts)
        self.stores: List[Tuple[str, ast.AST, Optional[ast.AST], FrozenSet]] = []

    def on_assign(self, node: ast.Assign, resolver: Resolver) -> None:
        names: Set[str] = set()
        for target in node.targets:
            if isinstance(target, ast.Attribute):
                # ``state.LAST = x``, ``Config.blob = x``, and ``holder.blob = x`` on an instance of
                # another module's class (``app.model.Holder().blob``).
                names |= {f"{name}.{target.attr}" for name in project_names(target.value, resolver, instances=True)}
            elif isinstance(target, ast.Subscript):
                names |= project_names(target.value, resolver)
        if names:
            self._keep(names, node, self.tracker.facts_of(node.value), resolver)

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ACCUMULATING_METHODS and (call.args or call.keywords):
            names = project_names(func.value, resolver)
            if names:
                facts: FrozenSet = frozenset()
                for argument in list(call.args) + [keyword.value for keyword in call.keywords]:
                    facts = facts | self.tracker.facts_of(argument)
                self._keep(names, call, facts, resolver)

    def _keep(self, names: Set[str], node: ast.AST, facts: FrozenSet, resolver: Resolver) -> None:
        if facts and not all(isinstance(fact, Trusted) for fact in facts):
            function = resolver.function_stack[-1] if resolver.function_stack else None
            for name in sorted(names):
                self.stores.append((name, node, function, facts))


def project_names(expr: ast.expr, resolver: Resolver, instances: bool = False) -> Set[str]:
    """The qualified names of another module's objects ``expr`` may be (with ``instances``, also
    what a call of one gives: ``app.model.Holder()``)."""
    return {
        name for name in resolver.qualified_names(expr)
        if may_be_project(name) and (instances or not name.endswith(")"))
    }


class ReturnRecorder(Listener):
    """Keeps which classes' instances each function returns (a factory of another module's objects)."""

    runs_quiet = False

    def __init__(self) -> None:
        self.instances: Dict[int, Set[object]] = {}
        #: The objects each function returns that the call making them passed something into
        #: (``return Client(socket.socket())``, ``self.sock = sock`` in ``__init__``): what they hold.
        self.made_with: Dict[int, Set[LocalInstance]] = {}

    def on_return(self, node: ast.Return, resolver: Resolver) -> None:
        if resolver.function_stack and node.value is not None:
            found = self.instances.setdefault(id(resolver.function_stack[-1]), set())
            for symbol in resolver.symbols_of(node.value):
                if isinstance(symbol, str) and symbol.endswith("()") and may_be_project(symbol):
                    found.add(symbol[:-2])
                elif isinstance(symbol, LocalInstance):
                    found.add(symbol.cls)
                    if symbol.passed or symbol.replaced:
                        self.made_with.setdefault(id(resolver.function_stack[-1]), set()).add(symbol)


def forwarding_calls(calls: List[Json], module: str) -> List[Json]:
    """``calls`` without the calls of the module's own functions, except of those that hand one of
    their parameters on to another module's callable (directly, or through another such function):
    only those calls can carry data into another module's function."""
    def passes_a_parameter(call: Json) -> bool:
        return bool(call["function"]) and any(fact[0] == "P" for _, facts in call["args"] for fact in facts)

    def forwards(call: Json) -> bool:
        return any(callee.replace("().", ".") in forwarders for callee in call["callees"])

    forwarders = {f"{module}.{call['function']}" for call in calls if not call.get("local") and passes_a_parameter(call)}
    grown = True
    while grown:
        grown = False
        for call in calls:
            if call.get("local") and passes_a_parameter(call) and forwards(call):
                if f"{module}.{call['function']}" not in forwarders:
                    forwarders.add(f"{module}.{call['function']}")
                    grown = True
    kept = [call for call in calls if not call.get("local") or forwards(call)]
    for call in kept:
        call.pop("local", None)
    return kept


def may_be_project(name: str) -> bool:
    root = name.partition(".")[0]
    return bool(root) and root not in _STDLIB

