"""Where the bytes, stream or path a loader reads came from.

The analysis rides on the resolver's single walk. A binding holds, besides its symbols, *facts*:
:class:`Source` (untrusted input and where it was read), :class:`Trusted` (a literal, a dump's
output, verified data), :data:`UNKNOWN`, :class:`Param` (whatever the caller passes) and
:class:`Returned` (what a function of this module returns for these arguments). Facts flow through
assignments, unpacking, containers, attributes, method calls, transforms and comprehensions;
branches merge by union, so a value is untrusted when any branch may make it so, and a variable
overwritten with a literal is trusted.

Functions are summarised once, as they are walked: which facts each ``return`` carries. ``Param``
and ``Returned`` facts stay symbolic until the module is done; :meth:`ProvenanceTracker.expand` then
substitutes call-site arguments, with a depth bound and cycle guard, so the cost stays linear in the
size of the module.
"""

from __future__ import annotations

import ast
import itertools
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from .catalog.loaders import DATA_BYTES, DATA_TEXT, TRUSTED_DUMPS
from .catalog.taint import (CALLBACK_REGISTRATIONS, CHANNEL_COLLECTIVES, FILLING_READS, KEYED_LOOKUPS, MAC_MAKERS, PATH_READ_METHODS, STORE_LOOKUPS,
                            VIEW_DECORATOR_PREFIXES, SERVER_INTERFACES, VIEW_RESPONSES)
from .findings import shown
from .catalog.conventions import ACCUMULATING_METHODS
from .scope import CallInterest, Listener, Resolver
from .verifiers import NamedChecks
from .symbols import DROPPED_NAMES, EMPTY, LocalDef, LocalInstance, display_name, run_by_call, symbol_order
from .shapes import NodeKey, is_property, is_staticmethod, method_definitions, node_key, positional_parameters
from .provenance_model import (
    TRUSTED, UNKNOWN_TIER, UNTRUSTED, CHANNEL, _MAX_DEPTH, _MAX_SHALLOW, _SUMMARY_BUDGET, Source,
    Channel, Trusted, Unknown, UNKNOWN, Param, Returned, StateOf, OuterOf, External, KeyedBy, ProjectFacts, NO_PROJECT,
    Fact, _FACT_TYPES, _FACT_TYPE_SET, _LITERAL, Demands, Sink, CallSite, Verdict,
    _TRANSFORMS, _PATH_OPENERS, _ROUTES, _receiver, _runs, _user_patterns, _shallow, with_part, part_name,
    _first_source, _UNKNOWN_ONLY, _AtLine, _instance_state, _defined_by_class, _reads_instance_state,
    _is_bound_method_call, _has_base, overriding, self_classes, before_servicer_context, aliased,
    outer_reads, class_attribute_keys, EMPTY_CONTAINER, data_identity, verification, hands_other, loader_among, runs, stored_outside,
    library_object, asserted_arguments, returns_verified, path_content, route_dependency,
    dependency_params, mac_facts, dependency_call, RECEIVER, django_middleware, returned_object_state, framework_data, _is_grpc_servicer, literal_input,
)
from .provenance_calls import (bind_call, bind_external, budget_order, called_by_iter, demanded, dispatched_sites, filled_buffers, made_with,
                               made_with_arguments, registered_callbacks, verified_arguments, digests_read)

#: Re-exported: the rest of the package reads the vocabulary from here.
__all__ = [
    "TRUSTED", "UNKNOWN_TIER", "UNTRUSTED", "CHANNEL", "Source", "Channel", "Trusted", "Unknown",
    "UNKNOWN", "Param", "Returned", "StateOf", "External", "ProjectFacts", "NO_PROJECT", "Fact",
    "Demands", "Sink", "CallSite", "Verdict", "literal_input", "ProvenanceTracker",
]


#: The calls :meth:`ProvenanceTracker.on_call` acts on: responses that make a function a view, calls
#: of the module's own functions and methods (``self.x(...)``), stores into accumulators and
#: collective buffers and the buffers reads fill, callback registrations and dumps into a named buffer.
_TRACKED_CALLS = CallInterest(
    names=frozenset(CHANNEL_COLLECTIVES) | frozenset(CALLBACK_REGISTRATIONS) | frozenset(n for n in TRUSTED_DUMPS if n.endswith(".dump")),
    attrs=ACCUMULATING_METHODS | FILLING_READS,
    receivers=frozenset(("self", "cls")),
    prefixes=VIEW_RESPONSES,
    local_functions=True,
)


class ProvenanceTracker(Listener):
    """Computes facts for the resolver's bindings and keeps function summaries."""

    #: Quiet passes (loop back edges, a class's attribute writers) must still see what
    #: accumulators store and what functions return.
    runs_quiet = True

    def __init__(
        self,
        untrusted_sources: Iterable[str] = (),
        trusted_sources: Iterable[str] = (),
        sanitizers: Iterable[str] = (),
        project: ProjectFacts = NO_PROJECT,
        summarising: bool = False,
    ):
        #: What the rest of the project says about calls into it and calls from it.
        self.project = project
        #: Under :meth:`summary_expand`: the summaries one call may still substitute, what each
        #: ``Returned`` expanded to, and whether a cycle or bound cut the current one short.
        self._budget: Optional[int] = None
        self._memo: Optional[Dict[Returned, FrozenSet]] = None
        self._cut = False
        #: Outside :meth:`summary_expand`: what each ``Returned`` expanded to in the current query,
        #: and how many expansions a bound or a cycle cut short (see :meth:`expand`).
        self._expanded: Dict[Returned, FrozenSet] = {}
        self._cuts = 0
        #: True while summarising the module for the project index: a call of another module's
        #: callable is kept as an :class:`External` fact for the index to resolve.
        self.summarising = summarising
        self.sources, self.trusted, self.sanitizers = _user_patterns(
            tuple(untrusted_sources), tuple(trusted_sources), tuple(sanitizers)
        )
        self.transforms = _TRANSFORMS
        self.path_openers = _PATH_OPENERS
        self.routes = _ROUTES
        self.resolver: Optional[Resolver] = None
        self.returns: Dict[NodeKey, FrozenSet] = {}
        self.call_sites: Dict[NodeKey, List[CallSite]] = {}
        self.callback_params: Dict[Tuple[NodeKey, str], Source] = {}
        #: Whether the module's text can hold a check helper (see ``precheck.verifiers_possible``).
        self.verifiers_possible = True
        #: Another module's function registered as a callback here: (call, function, its name, argument positions).
        self.registered: List[Tuple[ast.Call, Optional[ast.AST], str, Tuple[int, ...]]] = []
        self._locals_by_node: Dict[NodeKey, LocalDef] = {}
        #: Method node id -> the class of the module that defines it, and the method.
        self._method_owner: Dict[NodeKey, Tuple[LocalDef, LocalDef]] = {}
        #: How many classes defined outside any function define each method name.
        self._definers: Dict[str, int] = {}
        #: Method name -> ``self.name(...)`` calls: (class of ``self``, call, positional facts, keyword facts).
        self._self_calls: Dict[str, List[Tuple[LocalDef, ast.Call, List[FrozenSet], Dict[str, FrozenSet]]]] = {}
        #: Check (node id) -> which data it verified, when the walk met it (see :func:`data_identity`).
        self.verified: Dict[int, FrozenSet] = {}
        #: Check (node id) -> the parameters that give its MAC's key: it verifies only where no caller passes the sender's.
        self.keyed: Dict[int, FrozenSet] = {}
        self.named_checks = NamedChecks()

    # ------------------------------------------------------------------ resolver hooks
    def attach(self, resolver: Resolver) -> None:
        """Install the value and parameter hooks on ``resolver``."""
        self.resolver = resolver
        # How many classes define each method name, nested ones included: a base's ``self.m(x)`` may run a
        # subclass's ``m`` made inside a function (an ``http.server`` handler's factory: Horovod, probe G).
        self._definers = method_definitions(resolver.tree)
        resolver.value_hook = self.facts_of
        resolver.part_hook = with_part
        resolver.param_hook = self.parameter_facts
        resolver.guard_hook = self.guard_polarity
        resolver.call_guard_hook = self.call_guard

    def guard_polarity(self, test: ast.expr) -> Optional[bool]:
        """True if ``test`` holds only for verified data (an HMAC check), False if only for unverified, else None."""
        found = verification(test, self.resolver, self.sanitizers, self.verifiers_possible) or self.named_checks.found(test, self.resolver)  # type: ignore
        if found is None:
            return None
        # What the check verified, as it is here: a load is guarded only if it reads that data.
        checked = digests_read(self._union(found[1], 0))
        self.verified[id(test)] = data_identity(checked)
        self.keyed[id(test)] = frozenset(p for f in checked if type(f) is KeyedBy for p in f.params)  # type: ignore[attr-defined]
        return found[0]

    def call_guard(self, call: ast.Call) -> bool:
        """``verify(data, sig)``: what the module's helper checked (raising otherwise) is verified from here on."""
        checked = asserted_arguments(call, self.resolver, self.sanitizers) if self.verifiers_possible else None  # type: ignore[arg-type]
        if checked is not None:
            self.verified[id(call)] = data_identity(self._union(checked, 0))
        return checked is not None

    def parameter_facts(self, function: ast.AST, arg: ast.arg, index: int, cls: Optional[LocalDef]) -> FrozenSet:
        """Facts a parameter starts with: request data for handlers, else the caller's value."""
        resolver = self.resolver
        assert resolver is not None
        line = getattr(function, "lineno", 0)
        name = arg.arg
        positional = positional_parameters(function)
        is_method = cls is not None and positional[:1] == [name] and not isinstance(function, ast.Lambda)
        if is_method and not is_staticmethod(function):  # a static method's first parameter is data
            return EMPTY
        fname = getattr(function, "name", "<lambda>")
        for decorator in getattr(function, "decorator_list", []):
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            names = resolver.qualified_names(target)
            if any(self.routes.is_one(n) for n in names):
                dependency = route_dependency(function, arg, resolver)
                if isinstance(dependency, str):  # ``Depends(deps.get_db)``: what the project says it returns
                    found = self.project.call_result(dependency_call(dependency, line))
                    if found is not None:
                        return found
                elif dependency is not None:  # ``db: Session = Depends(get_db)``: what ``get_db`` gives
                    self.callback_params.update(dependency_params(dependency, line))
                    return frozenset((Returned(dependency, node_key(arg), (), line),))
                return frozenset((Source(f"route parameter {name}", line),))
            if any(n.startswith(VIEW_DECORATOR_PREFIXES) for n in names) and index == 0 and name == "request":
                return frozenset((Source("request", line),))
        if cls is not None:
            # A view's ``post(self, request)``, ``asyncio.Protocol.data_received(self, data)``: the client's.
            label = framework_data(fname, index, name, lambda match: _has_base(cls, match, self.project))
            if label is None and index == 1 and django_middleware(cls, fname, self.project):
                label = name
            if label is not None:
                return frozenset((Source(label, line),))
        if (
            cls is not None
            and index == 1
            and positional[2:3] == ["context"]
            and not is_staticmethod(function)
            and _has_base(cls, _is_grpc_servicer, self.project)
        ):
            # A gRPC servicer method: ``def Method(self, request, context)`` gets the client's message.
            return frozenset((Source(f"gRPC request {name} of {fname}()", line),))
        if before_servicer_context(function, name, resolver):
            # ``async def wrapper(self, request, context: grpc.aio.ServicerContext)``: a handler
            # registered by hand or through a decorator gets the client's message all the same.
            return frozenset((Source(f"gRPC request {name} of {fname}()", line),))
        for params, (interface, names) in SERVER_INTERFACES.items():
            if name in names and tuple(positional[-len(params):]) == params:
                # A WSGI or ASGI application: ``environ`` (``scope``, ``receive``) is the client's request.
                return frozenset((Source(f"{interface} {name}", line),))
        if (
            cls is None
            and isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
            and positional == ["event", "context"]
            and name == "event"
            and resolver.scopes[-2].kind == "module"
        ):
            return frozenset((Source("Lambda event", line),))
        return frozenset((Param(function, node_key(function), name),))

    # ------------------------------------------------------------------ facts of expressions
    def facts_of(self, expr: ast.AST, depth: int = 0) -> FrozenSet:
        """The facts of ``expr`` at the current point of the walk (empty: nothing to say)."""
        if self.summarising:
            facts = self._facts_of(expr, depth)
            if len(facts) > _MAX_SHALLOW and any(type(f) is External for f in facts):
                # Summarising: a value that went through many calls of other modules keeps its
                # sources and parameters, and the calls' results count as unknown data.
                return frozenset(f for f in facts if type(f) is not External) | {UNKNOWN}
            return facts
        return self._facts_of(expr, depth)

    def _facts_of(self, expr: ast.AST, depth: int = 0) -> FrozenSet:
        if depth > _MAX_DEPTH:
            return frozenset((UNKNOWN,))
        resolver = self.resolver
        assert resolver is not None
        kind = type(expr)
        if kind is ast.Name:
            binding = resolver.lookup(expr.id)  # type: ignore[attr-defined]
            facts = self._binding_facts(expr, binding, expr.id)  # type: ignore[attr-defined]
            if facts and resolver.function_stack:
                facts = facts | outer_reads(expr, resolver, facts)  # type: ignore[arg-type]
            if facts or any(type(s) is LocalInstance or type(s) is LocalDef for s in binding):
                return facts  # the module's own objects: their attributes carry the facts
            # An imported name or module: nothing says what data it holds.
            return _UNKNOWN_ONLY
        if kind is ast.Attribute:
            return self._attribute_facts(expr, depth) or _UNKNOWN_ONLY  # type: ignore[arg-type]
        if kind is ast.Call:
            return self._call_facts(expr, depth)  # type: ignore[arg-type]
        if kind is ast.Constant:
            return _LITERAL
        if kind is ast.Subscript:
            whole = self.facts_of(expr.value, depth + 1)  # type: ignore[attr-defined]
            return self._named_or(expr, with_part(whole, part_name(expr.slice)) if whole else whole) or _UNKNOWN_ONLY  # type: ignore[attr-defined]
        if isinstance(expr, (ast.Await, ast.Starred, ast.FormattedValue)):
            return self.facts_of(expr.value, depth + 1)
        if isinstance(expr, ast.NamedExpr):
            return self.facts_of(expr.value, depth + 1)
        if isinstance(expr, ast.IfExp):
            return self.facts_of(expr.body, depth + 1) | self.facts_of(expr.orelse, depth + 1)
        if isinstance(expr, ast.BinOp):
            return self.facts_of(expr.left, depth + 1) | self.facts_of(expr.right, depth + 1)
        if isinstance(expr, (ast.BoolOp, ast.JoinedStr)):
            return self._union(expr.values, depth)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return self._union(expr.elts, depth) or EMPTY_CONTAINER
        if isinstance(expr, ast.Dict):
            parts = [v for v in expr.values] + [k for k in expr.keys if k is not None]
            return self._union(parts, depth) or EMPTY_CONTAINER
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self._union([g.iter for g in expr.generators] + [expr.elt], depth)
        if isinstance(expr, ast.DictComp):
            return self._union([g.iter for g in expr.generators] + [expr.key, expr.value], depth)
        if isinstance(expr, ast.Compare) or (isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not)):
            return frozenset((Trusted("computed flag"),))
        if isinstance(expr, ast.UnaryOp):
            return self.facts_of(expr.operand, depth + 1) or _UNKNOWN_ONLY
        return _UNKNOWN_ONLY

    def _union(self, nodes: Iterable[ast.AST], depth: int) -> FrozenSet:
        out: Set[Fact] = set()
        for node in nodes:
            out |= self.facts_of(node, depth + 1)
        return frozenset(out)

    def _binding_facts(self, node: ast.AST, binding: FrozenSet, label: str) -> FrozenSet:
        if not binding:
            return frozenset((UNKNOWN,))
        out: Set[Fact] = set()
        names: List[str] = []
        for element in binding:
            kind = type(element)
            if kind in _FACT_TYPE_SET:
                out.add(element)
            elif kind is str:
                names.append(element)
        # A binding that already carries where its data was read (``body = request.get_data()``)
        # is not read again under its own name: one source, the one with the place it was read.
        sourced = any(type(fact) is Source for fact in out)
        for name in names:
            facts = self._name_facts(name, node, label)
            out |= {fact for fact in facts if type(fact) is not Source} if sourced else facts
        return frozenset(out)

    def _name_facts(self, name: str, node: ast.AST, label: str) -> FrozenSet:
        if name.startswith(DROPPED_NAMES):
            return _UNKNOWN_ONLY  # names the resolver let go of, and what derives from them
        if self.sources.covers(name):
            return frozenset((Source(label, getattr(node, "lineno", 0)),))
        if self.trusted.covers(name):
            return frozenset((Trusted(f"trusted source {display_name(name)}"),))
        return EMPTY

    def _named_or(self, expr: ast.AST, fallback: FrozenSet) -> FrozenSet:
        """Facts from the qualified names of ``expr`` if they say anything, else ``fallback``."""
        resolver = self.resolver
        assert resolver is not None
        names = resolver.qualified_names(expr) if not isinstance(expr, ast.Subscript) else set()
        label = shown(expr)
        for name in sorted(names):
            facts = self._name_facts(name, expr, label)
            if facts:
                return facts
        return fallback

    def _attribute_facts(self, expr: ast.Attribute, depth: int) -> FrozenSet:
        resolver = self.resolver
        assert resolver is not None
        symbols = resolver.symbols_of(expr)
        named = self._binding_facts(expr, symbols, shown(expr)) if symbols else EMPTY
        getters = [s for s in symbols if isinstance(s, LocalDef) and s.kind == "function" and is_property(s.node)]
        if getters:
            # ``self.body`` of a ``@property``: what the getter returns.
            named = named | frozenset(Returned(g, node_key(expr), (), expr.lineno) for g in sorted(getters, key=symbol_order))
        if _reads_instance_state(expr, resolver):
            hop = shown(expr)
            named = frozenset(f.through(hop, expr.lineno) if isinstance(f, Source) and f.label != hop else f for f in named)
            assert isinstance(expr.value, ast.Name)
            named = named | frozenset(
                StateOf(s.cls, node_key(s.cls.node), expr.attr, expr.lineno)
                for s in resolver.lookup(expr.value.id)
                if isinstance(s, LocalInstance)
            )
        named = named | returned_object_state(expr, resolver)
        if named and resolver.function_stack:
            # ``cls.blob``, ``self.blob``: what a method stored in the class attribute counts too.
            named = named | outer_reads(expr, resolver, named)
        if any(isinstance(f, Source) for f in named):
            return named
        # ``self.x`` reads what was stored in x (anywhere in the class); ``tainted.x`` is tainted.
        return named | self.facts_of(expr.value, depth + 1)

    def _call_facts(self, call: ast.Call, depth: int) -> FrozenSet:
        """What a call returns. Each thing the callee may be contributes; a catalogued
        source, sanitizer, trusted source, dump, opener or transform says exactly what it
        returns, a function of the module its summary, and anything else returns what its
        receiver and its arguments carry: trust never comes from the receiver alone."""
        resolver = self.resolver
        assert resolver is not None
        func = call.func
        symbols = resolver.symbols_of(func)
        out: Set[Fact] = set()
        # A name's binding holds facts beside its symbols; a callee with no symbol is unknown.
        uncatalogued = all(isinstance(s, _FACT_TYPES) for s in symbols)
        names = sorted(s for s in symbols if isinstance(s, str))
        for name in names:
            known = self._catalogued_call(name, call, depth)
            if known is None and (self.summarising or self.project.knows(name)):
                external = self._external(name, call, depth)
                known = frozenset((external,)) if self.summarising else self.project.call_result(external)
            if known is None and len(names) > 1 and aliased(name, resolver):
                continue  # ``compat.pickle.dumps``: the names the project's aliases say it is speak for it
            if known is None:
                uncatalogued = True
            elif any(isinstance(f, Source) for f in known):
                return known
            else:
                out |= known
        for symbol in sorted((s for s in symbols if not isinstance(s, str)), key=symbol_order) + overriding(
            func, self.resolver, self._method_owner, self._definers
        ):
            if isinstance(symbol, LocalDef) and symbol.kind == "function":
                if self.verifiers_possible and returns_verified(call, symbol.node, resolver, self.sanitizers):
                    out.add(Trusted(f"verified by {symbol.name}()"))  # ``body = unsigned(message)``
                    continue
                out.add(Returned(symbol, node_key(call), self._arguments(symbol, call, depth), call.lineno))
            elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                arguments = list(call.args) + [k.value for k in call.keywords]
                # An object of the module's own class, built from nothing, holds in-process data.
                out |= self._union(arguments, depth) or frozenset((Trusted(f"new {symbol.name}"),))
            elif not isinstance(symbol, _FACT_TYPES):  # a binding holds facts beside symbols
                uncatalogued = True
        if self.project is not NO_PROJECT and any(type(s) is LocalDef for s in symbols):
            # ``self.m(...)``: what the ``m`` of the class's subclasses in other modules returns.
            for cls in self_classes(func, resolver):
                for name in self.project.overriding(cls.node, func.attr):  # type: ignore[attr-defined]
                    result = self.project.call_result(self._external(name, call, depth))
                    out |= result if result is not None else {UNKNOWN}
        if uncatalogued:
            out |= self._opaque_call_facts(call, depth)
        return frozenset(out)

    def _catalogued_call(self, name: str, call: ast.Call, depth: int) -> Optional[FrozenSet]:
        """What a call of the catalogued callable ``name`` returns; None if it is not catalogued."""
        if self.sources.covers(name + "()"):
            return frozenset((Source(shown(call), call.lineno),))
        if name in MAC_MAKERS:
            return mac_facts(call, lambda expr: self.facts_of(expr, depth + 1))
        if name == "builtins.iter" and len(call.args) == 2:  # ``iter(lambda: sock.recv(4096), b"")``
            return self.facts_of(called_by_iter(call.args[0]), depth + 1)
        if self.sanitizers.is_one(name):
            return frozenset((Trusted(f"verified by {display_name(name)}", call.lineno),))
        if self.trusted.covers(name + "()"):
            return frozenset((Trusted(f"trusted source {display_name(name)}"),))
        if name in TRUSTED_DUMPS:
            return frozenset((Trusted(f"output of {display_name(name)}", call.lineno),))
        if self.path_openers.is_one(name):
            return self._path_facts(call.args[0] if call.args else None, depth)
        collective = CHANNEL_COLLECTIVES.get(name)
        if collective is not None and collective[1]:
            return frozenset((Channel(collective[0], call.lineno),))
        if self.transforms.is_one(name):
            if not call.args:
                return frozenset((Trusted(f"empty {display_name(name)}"),))
            # Every positional argument: ``os.path.join(base, name)``, ``bytes(text, encoding)``.
            return self._union(call.args, depth)
        return None

    def _external(self, name: str, call: ast.Call, depth: int) -> External:
        """The call of another module's ``name``, with what its arguments and receiver carry (a call among
        them keeps its name, not its arguments: ``x = f(x)`` in a loop would nest deeper each pass)."""
        arguments: List[Tuple[str, FrozenSet]] = []
        if isinstance(call.func, ast.Attribute):
            arguments.append((RECEIVER, _shallow(self.facts_of(call.func.value, depth + 1))))
        for position, value in enumerate(call.args):
            arguments.append((str(position), _shallow(self.facts_of(value, depth + 1))))
        for keyword in call.keywords:
            arguments.append((keyword.arg or "**", _shallow(self.facts_of(keyword.value, depth + 1))))
        return External(name, call.lineno, tuple(arguments))

    def _opaque_call_facts(self, call: ast.Call, depth: int) -> FrozenSet:
        """A call nothing is known about: its receiver's facts and its arguments' facts."""
        func = call.func
        out: Set[Fact] = set()
        if isinstance(func, ast.Attribute):
            receiver = self.facts_of(func.value, depth + 1)
            if func.attr in PATH_READ_METHODS:
                return path_content(receiver)
            held = self.resolver.symbols_of(func.value)  # type: ignore[union-attr]
            if func.attr in STORE_LOOKUPS and library_object(held):
                return frozenset(f for f in receiver if isinstance(f, (Source, Channel))) | {Unknown((call.lineno, call.col_offset))}  # one value
            if func.attr in KEYED_LOOKUPS and call.args and not library_object(held):
                # ``MEMO.get(key)``: one of the container's values (or the default), not the key.
                return receiver.union(*(self.facts_of(a, depth + 1) for a in call.args[1:])) or _UNKNOWN_ONLY
            # ``body.decode()``, ``f.read()``, ``b"".join(chunks)``, ``sep.join(parts)``.
            out |= receiver
        else:
            # ``await receive()``: a callable that is itself request data (ASGI's ``receive``) gives it.
            out |= {fact for fact in self.facts_of(func, depth + 1) if type(fact) is Source} or {UNKNOWN}
        for argument in call.args:
            out |= self.facts_of(argument, depth + 1)
        for keyword in call.keywords:
            out |= self.facts_of(keyword.value, depth + 1)
        return frozenset(out) or _UNKNOWN_ONLY

    def _path_facts(self, path: Optional[ast.AST], depth: int) -> FrozenSet:
        if path is None:
            return frozenset((UNKNOWN,))
        return path_content(self.facts_of(path, depth + 1))

    def _arguments(self, function: LocalDef, call: ast.Call, depth: int, made: bool = False) -> Tuple[Tuple[str, FrozenSet], ...]:
        bound = made or _is_bound_method_call(call, function.node, self.resolver)
        with_args = lambda held: made_with_arguments(held, self.resolver)  # noqa: E731
        return bind_call(function.node, call, bound, lambda value: self.facts_of(value, depth + 1), made=with_args)

    # ------------------------------------------------------------------ listener events
    def call_interest(self) -> CallInterest:
        return _TRACKED_CALLS

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        symbols = resolver.symbols_of(call.func)
        if resolver.function_stack and any(
            isinstance(s, str) and s.startswith(VIEW_RESPONSES) for s in symbols
        ):
            # A function that builds a Django/DRF response is a view: its ``request`` is the request.
            function = resolver.function_stack[-1]
            params = positional_parameters(function)
            if params[:1] == ["request"] or params[:2] == ["self", "request"]:
                self.callback_params[(node_key(function), "request")] = Source("request", getattr(function, "lineno", 0))
        func = call.func
        for symbol, made in run_by_call(symbols) if not resolver.quiet else ():  # ``Transport(sock)`` runs its ``__init__``
            if isinstance(symbol, LocalDef) and symbol.kind in ("function", "lambda"):  # ``decode = lambda b: ...``
                self._locals_by_node[node_key(symbol.node)] = symbol
                arguments = dict(self._arguments(symbol, call, 0, made))
                on_self, receivers = _receiver(func, resolver)
                self.call_sites.setdefault(node_key(symbol.node), []).append(
                    CallSite(call, symbol, arguments, receivers, on_self, verified_arguments(arguments, resolver.guards, self.verified, self.keyed))
                )
        if isinstance(func, ast.Attribute) and func.attr in ACCUMULATING_METHODS and (call.args or call.keywords):
            # ``chunks.append(chunk)``, ``buf.extend(data)``, ``out.write(data)``: the receiver now holds it.
            stored: Set[Fact] = set()
            for argument in list(call.args) + [k.value for k in call.keywords]:
                stored |= self.facts_of(argument)
            self._store_into(func.value, frozenset(stored), resolver)
        if isinstance(func, ast.Attribute) and func.attr in FILLING_READS:
            # ``sock.recv_into(buf)``: ``buf`` holds what the read gives (unknown data, unless a source's).
            read = frozenset(f for f in self.facts_of(call) if type(f) is not Trusted)
            if not any(isinstance(f, (Source, Channel)) for f in read):
                read = read | {Unknown((call.lineno, call.col_offset))}
            for buffer in filled_buffers(call, resolver.function_stack[-1] if resolver.function_stack else None):
                self._store_into(buffer, read, resolver)
        for name in (s for s in symbols if isinstance(s, str)):
            collective = CHANNEL_COLLECTIVES.get(name)
            if collective is not None:
                # ``dist.broadcast(tensor, src=0)`` fills ``tensor`` with what a peer sent.
                for position in collective[2]:
                    if position < len(call.args):
                        self._store_into(call.args[position], frozenset((Channel(collective[0], call.lineno),)), resolver)
        if resolver.quiet:
            return
        if isinstance(func, ast.Attribute) and self._definers.get(func.attr, 0) > 1:  # dispatch can pick another class's method
            for cls in self_classes(func, resolver):
                positional = [self.facts_of(a) for a in itertools.takewhile(lambda a: not isinstance(a, ast.Starred), call.args)]
                keywords = {k.arg: self.facts_of(k.value) for k in call.keywords if k.arg is not None}
                self._self_calls.setdefault(func.attr, []).append((cls, call, positional, keywords))
        for name in (s for s in symbols if isinstance(s, str)):
            for registration in CALLBACK_REGISTRATIONS.get(name, ()):
                self._register_callback(call, registration, resolver)
            if name in TRUSTED_DUMPS and name.endswith(".dump") and len(call.args) >= 2:
                stream = call.args[1]
                if isinstance(stream, ast.Name):
                    # A buffer the same scope filled with dump() holds trusted bytes.
                    self._store_into(stream, frozenset((Trusted(f"filled by {display_name(name)}", call.lineno),)), resolver)

    def _register_callback(self, call: ast.Call, registration: Tuple, resolver: Resolver) -> None:
        local, elsewhere = registered_callbacks(call, registration, resolver)
        self.callback_params.update(local)
        if self.summarising:  # a function of another module: its summary's caller entry
            self.registered.extend((call, resolver.function_stack[-1] if resolver.function_stack else None, *e) for e in elsewhere)

    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: Resolver) -> None:
        for symbols in local.members.values():
            for symbol in symbols:
                if isinstance(symbol, LocalDef) and symbol.kind == "function":
                    self._method_owner.setdefault(node_key(symbol.node), (local, symbol))

    def _store_into(self, container: ast.expr, facts: FrozenSet, resolver: Resolver) -> None:
        """``container`` (a name, or an attribute of an instance of the module) now also holds ``facts``."""
        if not facts:
            return
        if isinstance(container, ast.Name):
            resolver.record_outer_store(container.id, facts)  # ``CACHE[key] = data`` in a function
            resolver.bind(container.id, resolver.lookup(container.id) | facts)
        elif isinstance(container, ast.Attribute):
            resolver.record_instance_attr(container, facts)
        elif isinstance(container, ast.Subscript):
            self._store_into(container.value, facts, resolver)
        elif isinstance(container, (ast.List, ast.Tuple)):
            for element in container.elts:
                self._store_into(element, facts, resolver)

    def on_assign(self, node: ast.Assign, resolver: Resolver) -> None:
        if self.verifiers_possible:
            self.named_checks.assigned(node, resolver, self.sanitizers)
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                # ``buf[i:j] = data``, ``self.parts[key] = data``: the container holds it.
                self._store_into(target.value, self.facts_of(node.value), resolver)
            elif isinstance(target, ast.Attribute) and resolver.function_stack:
                for key in class_attribute_keys(target, resolver, instances=False):  # ``cls.blob = data``
                    resolver.add_outer_store(key, self.facts_of(node.value))

    def on_return(self, node: ast.Return, resolver: Resolver) -> None:
        if not resolver.function_stack or node.value is None:
            return
        function = resolver.function_stack[-1]
        key = node_key(function)
        self.returns[key] = self.returns.get(key, EMPTY) | self.facts_of(node.value)

    def on_yield(self, node: ast.AST, resolver: Resolver) -> None:
        """A generator's yields are what iterating its call gives: summarised with its returns."""
        if not resolver.function_stack:
            return
        value = getattr(node, "value", None)
        facts = self.facts_of(value) if value is not None else _LITERAL
        key = node_key(resolver.function_stack[-1])
        self.returns[key] = self.returns.get(key, EMPTY) | facts

    # ------------------------------------------------------------------ resolution
    def summary_expand(self, facts: FrozenSet) -> FrozenSet:
        """:meth:`expand` for a module summarised whole: each ``Returned``'s expansion is kept (unless a
        cycle or bound cut it), within :data:`_SUMMARY_BUDGET` summaries (past it, unknown data)."""
        if self._budget is None:
            self._budget = _SUMMARY_BUDGET
            self._memo = {}
        return self.expand(facts)

    def expand(self, facts: FrozenSet, depth: int = 0, visiting: FrozenSet = frozenset()) -> FrozenSet:
        """Substitute ``Returned`` summaries and callback parameters; keep other ``Param``s.

        A query (``depth`` 0) remembers what each ``Returned`` expanded to that no bound or cycle cut
        short: facts share their parts (``a = f(a)`` under ``if``s keeps the old ``a`` beside the
        new), and expanded as a tree they double with each (probe A: 2**20 expansions)."""
        if depth == 0 and not visiting:
            self._expanded = {}
        out: Set[Fact] = set()
        for fact in facts if self._budget is None or len(facts) < 2 else sorted(facts, key=budget_order):
            if isinstance(fact, Returned) and self._budget is not None:
                out |= self._expand_counted(fact, depth, visiting)
                continue
            if isinstance(fact, Returned):
                known = self._expanded.get(fact)
                if known is not None:
                    out |= known
                    continue
                key = node_key(fact.function.node)
                if depth >= _MAX_DEPTH or (key, fact.call_key) in visiting:
                    self._cuts += 1
                    out.add(UNKNOWN)
                    continue
                cuts = self._cuts
                found = self._expand_returned(fact, depth, visiting)
                if self._cuts == cuts:
                    self._expanded[fact] = found
                out |= found
            elif isinstance(fact, StateOf):
                key = ("state", fact.cls_key, fact.attr)
                if depth >= _MAX_DEPTH or key in visiting:
                    self._cuts += 1
                    continue
                if self._budget is not None:
                    # Summarising a whole module: attribute chains share the module's budget.
                    if self._budget <= 0:
                        out.add(UNKNOWN)
                        continue
                    self._budget -= 1
                stored = _instance_state(fact.cls, fact.attr)
                hop = f"self.{fact.attr}"
                held = self._binding_facts(_AtLine(fact.line), stored, hop) if stored else EMPTY
                # ``holder.blob = request.data`` in another module, on an instance of this class.
                held = held | self.project.stored_in_class(fact.cls.node, fact.attr, True)
                if not held and not _defined_by_class(fact.cls, fact.attr):
                    # Nothing the analysis sees stores it (a base class elsewhere, a dataclass field,
                    # a library base): unknown data, never nothing (``self.sock.recv(4096)`` is not a literal).
                    out.add(UNKNOWN)
                    continue
                expanded = self.expand(held, depth + 1, visiting | {key})
                out |= {f.through(hop, fact.line) if isinstance(f, Source) and f.label != hop else f for f in expanded}
            elif isinstance(fact, OuterOf):
                key = ("outer", fact.scope_key, fact.name)
                stored = self.resolver.outer_stores.get((fact.scope_key, fact.name)) if self.resolver else None
                elsewhere = stored_outside(fact, self.project)
                if stored and depth < _MAX_DEPTH and key not in visiting:
                    out |= self.expand(self._binding_facts(_AtLine(fact.line), stored, fact.name), depth + 1, visiting | {key})
                elif stored:
                    self._cuts += 1
                out |= elsewhere
                if not stored and not elsewhere and fact.empty:
                    out.add(UNKNOWN)  # filled by another module, if at all
            elif isinstance(fact, Param) and (fact.function_key, fact.name) in self.callback_params:
                out.add(self.callback_params[(fact.function_key, fact.name)])
            else:
                out.add(fact)
        return frozenset(out)

    def _expand_counted(self, fact: Returned, depth: int, visiting: FrozenSet) -> FrozenSet:
        """One ``Returned`` under :meth:`summary_expand`: memoised, and within the budget."""
        assert self._memo is not None and self._budget is not None
        known = self._memo.get(fact)
        if known is not None:
            return known
        key = node_key(fact.function.node)
        if depth >= _MAX_DEPTH or (key, fact.call_key) in visiting or self._budget <= 0:
            self._cut = True
            return frozenset((UNKNOWN,))
        self._budget -= 1
        outer, self._cut = self._cut, False
        try:
            result = self._expand_returned(fact, depth, visiting)
        finally:
            cut = self._cut
            self._cut = outer or cut
        if not cut:
            self._memo[fact] = result
        return result

    def _expand_returned(self, fact: Returned, depth: int, visiting: FrozenSet) -> FrozenSet:
        key = node_key(fact.function.node)
        summary = self.returns.get(key)
        if not summary:
            return frozenset((UNKNOWN,))
        out: Set[Fact] = set()
        arguments = dict(fact.arguments)
        inner = visiting | {(key, fact.call_key)}
        hop = f"{fact.function.name}()"
        returned_at = fact.line or getattr(fact.function.node, "lineno", 0)
        for element in summary if self._budget is None or len(summary) < 2 else sorted(summary, key=budget_order):
            if isinstance(element, Param) and element.function_key == key:
                # What the caller passed in comes back out: ``recv_all(conn)`` (a route's dependency gets the request's).
                given = arguments[element.name] if element.name in arguments else {self.callback_params.get((key, element.name), UNKNOWN)}
                expanded = self.expand(frozenset(given), depth + 1, inner)
            else:
                bound = bind_external(element, key, arguments) if type(element) is External else element
                expanded = self.expand(frozenset((bound,)), depth + 1, inner)
            expanded = made_with(expanded, arguments.get(RECEIVER), lambda made: self.expand(made, depth + 1, inner))
            out |= {f.through(hop, returned_at) if isinstance(f, Source) else f for f in expanded}
        return frozenset(out)

    def demands(self, facts: Iterable[Fact]) -> "Demands":
        """Which bodies the grading of ``facts`` depends on, as far as they were walked.

        Everything :meth:`expand` and :meth:`verdict` would substitute: a ``Returned`` needs its
        function's body (its summary), a ``Param`` its function's callers (their arguments), a
        ``StateOf`` the bodies that store the attribute. Followed through the summaries, stored
        state and call-site arguments known so far; a body walked later may demand more.
        """
        assert self.resolver is not None
        return demanded(
            facts, self.returns, self.resolver.outer_stores, lambda f: self.call_sites.get(node_key(f), []) + self._dispatched_sites(f)
        )

    def key_choosers(self, params: FrozenSet) -> List[Verdict]:
        """The callers that pass untrusted data for one of ``params`` (a MAC's key: their calls' checks
        prove nothing); a verdict with no call when a parameter is itself untrusted where the check runs
        (a view's ``request``: ``hmac.new(request.headers["X-Key"], body)``, the sender signs)."""
        source = _first_source(self.expand(params))
        if source is not None:
            return [Verdict(UNTRUSTED, source, (), None)]
        return self._untrusted_callers(params, (), 0, frozenset())

    def verdict(self, sink: Sink) -> List[Verdict]:
        """How a sink's input is graded; several verdicts when callers pass untrusted data."""
        facts = self.expand(sink.facts)
        source = _first_source(facts)
        if source is not None:
            return [Verdict(UNTRUSTED, source, (), sink.call)]
        untrusted = self._untrusted_callers(facts, (), 0, frozenset(), called=(sink.call, loader_among(sink.loader)))
        if untrusted:
            return untrusted
        channels = sorted((f for f in facts if isinstance(f, Channel)), key=lambda c: (c.line, c.channel))
        if channels:
            return [Verdict(CHANNEL, channel=channels[0])]
        concrete = {f for f in facts}
        if concrete and all(isinstance(f, Trusted) for f in concrete):
            if sink.loader.data_kind in (DATA_BYTES, DATA_TEXT) or any(f.reason != "literal" for f in concrete):  # type: ignore[attr-defined]
                return [Verdict(TRUSTED, trusted=tuple(sorted(concrete, key=lambda f: (f.line, f.reason))))]  # type: ignore[attr-defined]
        return [Verdict(UNKNOWN_TIER)]

    def _untrusted_callers(
        self,
        facts: FrozenSet,
        via: Tuple[Tuple[str, int], ...],
        depth: int,
        seen: FrozenSet,
        must_run: Tuple[Tuple[LocalDef, str], ...] = (),
        called: Optional[Tuple[ast.Call, Callable[[FrozenSet], bool]]] = None,
    ) -> List[Verdict]:
        """Call sites that pass untrusted data into the parameters ``facts`` depend on.

        ``must_run``: the methods (class, name) the object of the current function must run,
        because the flow reached it through ``self.m(...)`` dispatched to a subclass's ``m``. A call
        on an instance of a class that runs another ``m`` is then not a caller. ``called``: the call
        that runs the load, and what it must be: when its callee is a parameter (``decoder(data)``),
        a caller that hands that parameter something else (``yaml.safe_load``) is not a caller.
        """
        verdicts: List[Verdict] = []
        if depth > 8:
            return verdicts
        for fact in sorted((f for f in facts if isinstance(f, Param)), key=lambda p: p.name):
            if (fact.function_key, fact.name) in seen:
                continue
            for source, chain in self.project.callers(fact.function, fact.name):
                # Another module of the project passes it (the chain names the calls, outermost first).
                verdicts.append(Verdict(UNTRUSTED, source, tuple((hop, 0) for hop in chain) + via, None))
            local = self._locals_by_node.get(fact.function_key)
            dispatched = self._dispatched_sites(fact.function)
            dispatched_ids = {id(site) for site in dispatched}
            for site in self.call_sites.get(fact.function_key, []) + dispatched:
                if fact.name in site.verified or (called is not None and hands_other(site.call, called, fact.function, self.resolver)):
                    continue
                if must_run and site.receivers is not None and not any(
                    all(_runs(cls, owner, method) for owner, method in must_run) for cls in site.receivers
                ):
                    continue
                name = local.name if local is not None else getattr(fact.function, "name", "?")
                chain = ((f"{name}()", site.call.lineno),) + via
                argument = self.expand(site.arguments.get(fact.name, EMPTY))
                source = _first_source(argument)
                if source is not None:
                    verdicts.append(Verdict(UNTRUSTED, source, chain, site.call))
                    continue
                # ``self.m(x)`` passes its own object on: what it must run still holds, and a
                # dispatch to a subclass's ``m`` adds that the object is one that runs it.
                after = must_run if site.on_self else ()
                if id(site) in dispatched_ids:
                    owner = self._method_owner.get(fact.function_key)
                    if owner is not None:
                        after = after + ((owner[0], owner[1].name),)
                verdicts.extend(self._untrusted_callers(
                    argument, chain, depth + 1, seen | {(fact.function_key, fact.name)}, after, (site.call, runs(fact.function))
                ))
        return verdicts

    def _dispatched_sites(self, function: ast.AST) -> List[CallSite]:
        return dispatched_sites(function, self._method_owner, self.call_sites, self._self_calls)
