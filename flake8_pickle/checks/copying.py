"""PKL201-PKL204, PKL301 and PKL902: copying, pickling or sending to another process what cannot be
copied or pickled, and the resource-holding classes that are (or are meant to be) copied or pickled."""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from ..catalog.handoff import (
    COPY_SIDE_CALLS,
    ASDICT,
    COPY,
    BY_VALUE_MODULES,
    BY_VALUE_PROCESS_ROOTS,
    CONNECTIONS,
    DEEPCOPIES,
    DEEPCOPY,
    DUMPS,
    ENUM_BASES,
    PICKLE,
    POOL_METHODS,
    POOLS,
    PROCESS,
    PROCESSES,
    QUEUES,
    SHARED_CONTAINERS,
    SHARED_METHODS,
    SPAWN,
    WATCHED,
)
from ..catalog.names import FORK_CONTEXT
from ..classes import PROTOCOL_COVERS, ClassInfo, ClassModel, Held, unnamed_callable
from ..findings import Finding, Step, shown
from ..rules import message
from ..catalog.conventions import EXPECTS_EXCEPTION
from ..scope import NO_CALLS, CallInterest, ClassNeeds, Listener, Resolver
from ..scope_model import _ASSERT_RAISES
from ..symbols import Contains, Generated, LocalDef, LocalInstance, names_in, symbol_order
from ..provenance_model import _is_bound_method_call
from ..shapes import all_args, is_classmethod, is_staticmethod, keyword_arg, literal_str, positional_parameters

#: How a ``Process`` hand-off is named in messages: it pickles its target and arguments only
#: when started under spawn or forkserver (a fork context's ``Process`` is not in the table).
_SPAWNED_PROCESS = "Process (under spawn, the default on macOS and Windows)"


@dataclass
class _Sent:
    """One object handed to a copy, dump or process boundary, with what it resolved to."""

    call: ast.Call
    operation: str
    label: str
    subject: str
    symbols: FrozenSet
    code: str
    by_value: bool = False


#: The calls that run a callable expecting it to raise (``self.assertRaises(E, f)``, ``pytest.raises(E, f)``).
_EXPECTING_CALLS = frozenset(("raises", *(a.lstrip(".") for a in _ASSERT_RAISES)))
#: The calls CopyChecks acts on: copies, dumps, process and pool hand-offs, queue puts and pipe
#: sends, ``setattr`` (a local class exported), the fork start method, ``x.start()`` and
#: ``x.model_copy(deep=True)``.
_CALLS = CallInterest(
    names=WATCHED | COPY_SIDE_CALLS,
    attrs=frozenset(("start", "model_copy", "run_in_executor")) | _EXPECTING_CALLS,
    local_functions=True,  # a function of the module that copies or pickles its parameter
)
_SHARED = frozenset(SHARED_CONTAINERS)
#: The operations a function's parameter can be handed to for its callers (its own copy or dump).
_PARAM_OPERATIONS = frozenset((DEEPCOPY, PICKLE, PROCESS))


class CopyChecks(Listener):
    """Records what each copy, dump and hand-off receives; grades it once classes are known."""

    #: PKL301 reports a resource-holding class meant to be pickled even where nothing copies it:
    #: one defining ``__setstate__`` or ``__copy__``, or an exception.
    needs = ClassNeeds(whole_class=frozenset({"__setstate__", "__copy__"}), exceptions=True)

    def __init__(
        self,
        model: ClassModel,
        report: Callable[[Finding], None],
        inventory: bool = True,
        active: bool = True,
        project: object = None,
    ):
        self.model = model
        #: The project index's view: which of the module's classes other modules copy or pickle.
        self.project = project
        self.report = report
        self.inventory = inventory
        #: False when the module's text names no copy, dump or process API: only class reports remain.
        self.active = active
        #: Process hand-offs per enclosing function, kept only where a process is started there.
        self._unstarted: Dict[int, List[_Sent]] = {}
        self._started: Set[int] = {_STARTED_AT_ONCE}
        self._sent: List[_Sent] = []
        #: The module calls ``multiprocessing.set_start_method("fork")``: its processes pickle nothing.
        self._fork_start_method = False
        #: Function (node id) -> the parameters its body never rebinds (read once per function).
        self._unrebound: Dict[int, Set[str]] = {}
        #: Lambdas handed to ``assertRaises``/``pytest.raises``: what they copy is meant to fail.
        self._expected: Set[int] = set()
        #: Function (node id) -> its parameters it copies, pickles or sends: (parameter, the sent record).
        self._param_sinks: Dict[int, List[Tuple[str, _Sent]]] = {}
        #: Calls of the module's functions: (call, function node, what each parameter is given).
        self._local_calls: List[Tuple[ast.Call, ast.AST, Dict[str, Tuple[ast.expr, FrozenSet]]]] = []
        #: A parameter handed on to a function of the module: (call, callee, its parameter, caller, the caller's parameter).
        self._forwarded: List[Tuple[ast.Call, ast.AST, str, ast.AST, str]] = []

    # ------------------------------------------------------------------ collecting
    def call_interest(self) -> CallInterest:
        if not self.active:
            return NO_CALLS
        if self.project is not None:
            # Calls of other modules' functions that copy, pickle or send their parameter.
            names, words = self.project.senders()  # type: ignore[attr-defined]
            if names:
                return _CALLS | CallInterest(names=names, attrs=words)
        return _CALLS

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        if not self.active or resolver.expecting_exception:
            return  # ``with pytest.raises(TypeError): pickle.dumps(lock)`` tests the crash on purpose
        if resolver.function_stack and id(resolver.function_stack[-1]) in self._expected:
            return  # ``self.assertRaises(TypeError, lambda: pickle.dumps(lock))``: the same
        if isinstance(call.func, ast.Attribute) and call.func.attr in _EXPECTING_CALLS:
            # ``self.assertRaises`` by its name (a test mixin's ``self`` is no known TestCase).
            names = resolver.qualified_names(call.func) if call.func.attr == "raises" else {call.func.attr}
            if any(n in EXPECTS_EXCEPTION or n in _EXPECTING_CALLS and n != "raises" for n in names):
                self._expected.update(id(a) for a in call.args[1:] if isinstance(a, ast.Lambda))
        self._local_call(call, resolver)
        names = resolver.qualified_names(call.func)
        if any(name.partition(".")[0] in BY_VALUE_PROCESS_ROOTS for name in names):
            return  # one of the names it may be sends by value (dill): no crash is certain
        if isinstance(call.func, ast.Attribute) and call.func.attr == "start":
            receiver = resolver.symbols_of(call.func.value)
            if any(isinstance(s, str) and s[:-2] in PROCESSES for s in receiver):
                self._started.add(_function_key(resolver))
        if "builtins.setattr" in names and len(call.args) >= 3:
            _export_local_classes(resolver.symbols_of(call.args[2]))
        if "multiprocessing.set_start_method" in names and call.args and literal_str(call.args[0]) == "fork":
            self._fork_start_method = True  # no Process of this module pickles what it is given
        for name in sorted(names) if not WATCHED.isdisjoint(names) else ():
            if name in DEEPCOPIES and call.args:
                self._record(call, DEEPCOPIES[name], name, [call.args[0]], "PKL201", resolver)
                return
            if name in DUMPS and call.args:
                by_value = name.split(".")[0] in BY_VALUE_MODULES
                self._record(call, PICKLE, name, [call.args[0]], "PKL202", resolver, by_value)
                return
            if name in PROCESSES:
                self._process(call, name, resolver)
                return
            if f"{name}()" in POOLS:
                self._pool_workers(call, name, resolver)
                return
            receiver, _, method = name.rpartition(".")
            if receiver in POOLS and method in POOL_METHODS:
                self._pool(call, f"{receiver[:-2].rsplit('.', 1)[-1]}.{method}", method, resolver, receiver.endswith("Executor()"))
                return
            if receiver in SHARED_CONTAINERS and method in SHARED_METHODS:
                # ``shared = manager.dict(); shared.setdefault(key, obj)``: sent to the manager's process.
                position = SHARED_METHODS[method]
                if position < len(call.args):
                    label = f"{receiver[:-2].rsplit('.', 1)[-1]} proxy {method}"
                    self._record(call, PROCESS, label, [call.args[position]], "PKL203", resolver)
                return
            if (receiver in QUEUES and method in ("put", "put_nowait")) or (receiver in CONNECTIONS and method == "send"):
                if call.args:
                    label = f"{receiver[:-2].rsplit('.', 1)[-1]}.{method}"
                    self._record(call, PROCESS, label, [call.args[0]], "PKL203", resolver)
                return
        if isinstance(call.func, ast.Attribute) and call.func.attr == "run_in_executor" and len(call.args) > 1:
            # ``loop.run_in_executor(process_pool, fn, *args)``: submitted to the pool as ``submit`` is.
            pools = {s for s in resolver.symbols_of(call.args[0]) if isinstance(s, str) and s in POOLS}
            if any(pool.endswith("Executor()") for pool in pools):
                label = "ProcessPoolExecutor.run_in_executor"
                self._record(call, PROCESS, label, call.args[1:], "PKL203", resolver, callables=call.args[1:2])
                return
        if isinstance(call.func, ast.Attribute) and call.func.attr == "model_copy":
            deep = keyword_arg(call, "deep")
            if isinstance(deep, ast.Constant) and deep.value is True:
                self._record(call, DEEPCOPY, "model_copy(deep=True)", [call.func.value], "PKL201", resolver)

    def on_assign(self, node: ast.Assign, resolver: Resolver) -> None:
        if not self.active:
            return
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in ("__qualname__", "__module__"):
                # ``X.__qualname__ = "X"`` makes a local class importable by name.
                _export_local_classes(resolver.symbols_of(target.value))
            elif isinstance(target, ast.Attribute) and names_in(resolver.symbols_of(target.value)):
                _export_local_classes(resolver.symbols_of(node.value))  # ``module.X = X``
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Call):
                if "builtins.globals" in resolver.qualified_names(target.value.func):
                    _export_local_classes(resolver.symbols_of(node.value))
        for target in node.targets:
            if isinstance(target, ast.Subscript) and not _SHARED.isdisjoint(resolver.symbols_of(target.value)):
                # ``shared[key] = obj`` on a manager's dict or list proxy: pickled and sent to the manager.
                label = "manager proxy item assignment"
                self._sent.append(_Sent(node, PROCESS, label, f"`{shown(node.value)}`", resolver.symbols_of(node.value), "PKL203"))  # type: ignore[arg-type]
            if isinstance(target, ast.Subscript):
                if any(n.startswith("shelve.") for n in resolver.qualified_names(target.value)):
                    self._sent.append(
                        _Sent(node, PICKLE, "shelf assignment", f"`{shown(node.value)}`", resolver.symbols_of(node.value), "PKL202")  # type: ignore[arg-type]
                    )

    def _record(
        self,
        call: ast.Call,
        operation: str,
        label: str,
        objects: Sequence[ast.expr],
        code: str,
        resolver: Resolver,
        by_value: bool = False,
        iterables: Sequence[ast.expr] = (),
        started: bool = False,
        callables: Sequence[ast.expr] = (),
    ) -> None:
        """What ``call`` hands over (``operation``); a ``SPAWN`` counts once a process is started in the
        same function, or at once when ``started`` (a pool's workers start with it)."""
        for node in iterables:
            # Only the elements of an iterable travel; the iterable itself stays in this process.
            items = resolver.elements_of(node)
            self._sent.append(_Sent(call, operation, label, f"`{shown(node)}`", items, code, by_value))
        for node in objects:
            if operation in (DEEPCOPY, COPY) and _enum_member(node, resolver, self.model.project):
                continue  # ``copy.deepcopy(Gate.READ)``: an Enum member copies as itself
            symbols = resolver.symbols_of(node.value if isinstance(node, ast.Starred) else node)
            if isinstance(node, ast.Call):
                # ``copy.deepcopy(make_cache())``: exactly what the module's factory returns (read
                # through no unpacking that could mix values), so what it holds counts.
                symbols = symbols | self._made_here(node, operation, resolver)
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                # ``pool.apply(work, (make_loader(path),))``: the same, inside a display.
                for element in node.elts:
                    if isinstance(element, ast.Call):
                        symbols = symbols | frozenset(Contains(m) for m in self._made_here(element, operation, resolver))
            if isinstance(node, ast.Call) and "functools.partial" in resolver.qualified_names(node.func):
                # A partial pickles its function and the arguments bound to it.
                for bound in [*node.args, *(k.value for k in node.keywords)]:
                    symbols = symbols | resolver.symbols_of(bound.value if isinstance(bound, ast.Starred) else bound)
            if isinstance(node, ast.Attribute) and any(_is_instance_method(s) for s in symbols):
                # A bound method carries its instance along: ``pool.map(self.work, items)``;
                # a static or class method does not.
                symbols = symbols | frozenset(
                    s for s in resolver.symbols_of(node.value) if isinstance(s, LocalInstance)
                )
            elif isinstance(node, ast.Attribute) and self._bound_elsewhere(
                node, symbols, resolver, any(node is c for c in callables)
            ):
                # ``ex.submit(crawler.run)`` with ``Crawler`` from another module: the same.
                symbols = symbols | frozenset(
                    s for s in resolver.symbols_of(node.value) if isinstance(s, str) and s.endswith("()")
                )
            sent = _Sent(call, operation, label, f"`{shown(node)}`", symbols, code, by_value)
            if operation in _PARAM_OPERATIONS and isinstance(node, ast.Name) and resolver.function_stack:
                function = resolver.function_stack[-1]
                if node.id in self._unrebound_of(function):
                    # ``def bag(base): copy.deepcopy(base)``: what each caller passes is copied.
                    self._param_sinks.setdefault(id(function), []).append((node.id, sent))
            if operation == SPAWN:
                # Process(...) pickles its target and arguments only when started.
                self._unstarted.setdefault(_STARTED_AT_ONCE if started else _function_key(resolver), []).append(sent)
            else:
                self._sent.append(sent)

    def _made_here(self, call: ast.Call, operation: str, resolver: Resolver) -> FrozenSet:
        """What the module's factory called here returns, when every class it may return holds what
        ``operation`` rejects (``make_loader(path, lazy=True)`` may return a lazy loader that holds
        nothing: which one this call gets is not known, so neither counts)."""
        made = _made_by_factory(resolver.symbols_of(call), resolver)
        if made and all(self.model.held_by(frozenset((m,)), operation) is not None for m in made):
            return made
        return frozenset()

    def _bound_elsewhere(self, node: ast.Attribute, symbols: FrozenSet, resolver: Resolver, handed: bool) -> bool:
        """Whether ``node`` (``crawler.run``) is a method of another module's class bound to its
        instance: the index says so; summarising (no index), the callable handed over (``handed``:
        ``submit(crawler.run)``, ``Process(target=crawler.run)``) whose receiver is an instance
        of the class it names is taken for one, and the index checks what that class holds."""
        methods = [s for s in symbols if isinstance(s, str) and "()." in s]
        if self.project is not None:
            return any(self.project.bound_method(s) for s in methods)  # type: ignore[attr-defined]
        if not methods or not handed:
            return False
        receivers = {s for s in resolver.symbols_of(node.value) if isinstance(s, str)}
        return any(s.rpartition(".")[0] in receivers for s in methods)

    def _pool(self, call: ast.Call, label: str, method: str, resolver: Resolver, executor: bool = False) -> None:
        function, iterable_positions, tuples, rest = POOL_METHODS[method]
        if executor and method == "map":
            iterable_positions = tuple(range(1, len(call.args)))  # ``executor.map(fn, *iterables)``
        objects: List[ast.expr] = []
        iterables: List[ast.expr] = []
        if function < len(call.args):
            objects.append(call.args[function])
        for position in iterable_positions:
            if position < len(call.args):
                iterables.append(call.args[position])
        for position in tuples:
            if position < len(call.args):
                objects.append(call.args[position])
        if rest:
            objects.extend(call.args[1:])
        objects.extend(k.value for k in call.keywords if k.arg in (None, "args", "kwds", "kwargs"))
        iterables.extend(k.value for k in call.keywords if k.arg == "iterable")
        callables = call.args[function : function + 1]
        self._record(call, PROCESS, label, objects, "PKL203", resolver, iterables=iterables, callables=callables)

    def _pool_workers(self, call: ast.Call, name: str, resolver: Resolver) -> None:
        """``Pool(2, initializer=init, initargs=(conn,))``: each worker process is started with the
        initializer and its arguments, pickled under spawn as ``Process(args=...)`` is (a fork
        context's pool pickles neither)."""
        if name.startswith(FORK_CONTEXT):
            return
        first = 2 if name.endswith("ProcessPoolExecutor") else 1  # (max_workers, mp_context, initializer, initargs)
        objects = [call.args[p] for p in (first, first + 1) if p < len(call.args)]
        objects.extend(k.value for k in call.keywords if k.arg in ("initializer", "initargs"))
        if not objects:
            return
        label = f"{name.rsplit('.', 1)[-1]} initargs (under spawn, the default on macOS and Windows)"
        self._record(call, SPAWN, label, objects, "PKL203", resolver, started=True)

    def _process(self, call: ast.Call, name: str, resolver: Resolver) -> None:
        objects = [k.value for k in call.keywords if k.arg in ("target", "args", "kwargs")]
        objects.extend(call.args[1:4])
        targets = [k.value for k in call.keywords if k.arg == "target"] + call.args[1:2]
        self._record(call, SPAWN, _SPAWNED_PROCESS, objects, "PKL203", resolver, callables=targets)

    def param_sends(self) -> Dict[int, List[Tuple[str, str, str, str, bool]]]:
        """Function (node id) -> each parameter it copies, pickles or sends, where what it holds
        there is not known (its callers' arguments decide): (parameter, operation, label, code, by value)."""
        self._through_parameters(report=False)  # parameters handed on to the module's own functions too
        return {
            key: [(param, sent.operation, sent.label, sent.code, sent.by_value) for param, sent in sinks if self.model.held_by(sent.symbols, sent.operation) is None]
            for key, sinks in self._param_sinks.items()
        }

    def _local_call(self, call: ast.Call, resolver: Resolver) -> None:
        """Remember a call of one of the module's functions with what it passes each parameter (and
        hand over at once what another module's function copies, pickles or sends of its parameters)."""
        symbols = resolver.symbols_of(call.func)
        if any(isinstance(a, ast.Starred) for a in call.args):
            return
        if self.project is not None:
            for name in sorted(s for s in symbols if isinstance(s, str)):
                self._call_elsewhere(call, name, resolver)
        functions = [s for s in symbols if type(s) is LocalDef and s.kind == "function"]
        if not functions:
            return
        for function in functions:
            params = positional_parameters(function.node)
            shift = 1 if params[:1] in (["self"], ["cls"]) and _is_bound_method_call(call, function.node, resolver) else 0
            given: Dict[str, Tuple[ast.expr, FrozenSet]] = {}
            pairs = [(params[i + shift], a) for i, a in enumerate(call.args) if i + shift < len(params)]
            pairs += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
            for param, argument in pairs:
                if isinstance(argument, ast.Name) and resolver.function_stack:
                    # ``def remember(key, value): store(key, value)`` (whether ``value`` is still the
                    # parameter is asked only of callees that turn out to send it)
                    self._forwarded.append((call, function.node, param, resolver.function_stack[-1], argument.id))
                symbols = resolver.symbols_of(argument)
                if isinstance(argument, ast.Call):
                    symbols = symbols | _made_by_factory(symbols, resolver)
                if symbols:
                    given[param] = (argument, symbols)
            if given:
                self._local_calls.append((call, function.node, given))

    def _call_elsewhere(self, call: ast.Call, name: str, resolver: Resolver) -> None:
        """``cache.store(key, session)`` with ``store`` pickling its ``value`` in another module."""
        found = self.project.param_sends(name)  # type: ignore[attr-defined]
        if not found:
            return
        params, shift, sends = found
        # ``try: pickle.dumps(x) except ...: cloudpickle.dumps(x)``: what the by-value dump takes decides.
        by_value = {send[0] for send in sends if send[4]}
        sends = [send for send in sends if send[4] or send[0] not in by_value]
        given = {params[i - shift]: a for i, a in enumerate(call.args) if 0 <= i - shift < len(params)}
        given.update((k.arg, k.value) for k in call.keywords if k.arg is not None)
        callee = name.replace("()", "").rsplit(".", 1)[-1]
        for param, operation, label, code, by_value in sends:
            argument = given.get(param)
            if argument is None:
                continue
            where, subject, symbols = _within(label, callee), f"`{shown(argument)}`", resolver.symbols_of(argument)
            caller = self._forwarding(argument, resolver)
            if caller is not None:  # the caller's own parameter: its callers' arguments are sent too
                self._param_sinks.setdefault(id(caller), []).append((argument.id, _Sent(call, operation, where, subject, symbols, code, by_value)))  # type: ignore[attr-defined]
            if isinstance(argument, ast.Call):
                symbols = symbols | _made_by_factory(symbols, resolver)
            self._sent.append(_Sent(call, operation, where, subject, symbols, code, by_value))

    def _forwarding(self, argument: ast.expr, resolver: Resolver) -> Optional[ast.AST]:
        """The enclosing function, when ``argument`` is one of its parameters it never rebinds."""
        if not isinstance(argument, ast.Name) or not resolver.function_stack:
            return None
        function = resolver.function_stack[-1]
        return function if argument.id in self._unrebound_of(function) else None

    def _unrebound_of(self, function: ast.AST) -> Set[str]:
        unrebound = self._unrebound.get(id(function))
        if unrebound is None:
            unrebound = self._unrebound[id(function)] = _unrebound_parameters(function)
        return unrebound

    def _through_parameters(self, report: bool = True) -> None:
        """A call of a function that copies, pickles or sends its parameter hands over what it passes
        (and a function that hands its own parameter on to one sends it too, a few calls deep)."""
        for _ in range(4):
            grown = False
            for call, callee, param, caller, caller_param in self._forwarded:
                sinks = [sent for p, sent in self._param_sinks.get(id(callee), ()) if p == param]
                if not sinks or caller_param not in self._unrebound_of(caller):
                    continue
                known = {(p, sent.operation) for p, sent in self._param_sinks.get(id(caller), ())}
                for sent in sinks:
                    if (caller_param, sent.operation) not in known:
                        label = _within(sent.label, getattr(callee, "name", "?"))
                        forwarded = _Sent(call, sent.operation, label, sent.subject, frozenset(), sent.code, sent.by_value)
                        self._param_sinks.setdefault(id(caller), []).append((caller_param, forwarded))
                        known.add((caller_param, sent.operation))
                        grown = True
            if not grown:
                break
        for call, function, given in self._local_calls if report else ():
            name = getattr(function, "name", "?")
            sinks = self._param_sinks.get(id(function), ())
            by_value = {param for param, sent in sinks if sent.by_value}
            for param, sent in sinks:
                if param in by_value and not sent.by_value:
                    continue  # a fallback to a by-value dump (cloudpickle) takes what pickle cannot
                if param in given and self.model.held_by(sent.symbols, sent.operation) is None:
                    # (a parameter annotated with a resource-holding class is reported where it is copied)
                    argument, symbols = given[param]
                    label = _within(sent.label, name)
                    self._sent.append(_Sent(call, sent.operation, label, f"`{shown(argument)}`", symbols, sent.code, sent.by_value))

    # ------------------------------------------------------------------ grading
    def on_module_end(self, resolver: Resolver) -> None:
        self._through_parameters()
        used: Dict[int, Set[str]] = {}
        #: Class -> where the module copies, pickles or sends its instances (related places of PKL301).
        handed_at: Dict[int, List[Step]] = {}
        if not self._fork_start_method:
            for key in sorted(self._started):
                self._sent.extend(self._unstarted.get(key, []))
        for sent in self._sent:
            held = self._grade(sent)
            if held is not None and held.owner is not None:
                line = sent.call.lineno  # type: ignore[attr-defined]
                # The class that holds the resource, and the classes of the instances handed (a
                # subclass may hold one of its own besides what its base holds).
                owners = {id(held.owner)} | {id(s.cls) for s in sent.symbols if isinstance(s, LocalInstance)}
                for owner in owners:
                    used.setdefault(owner, set()).add(sent.operation)
                    handed_at.setdefault(owner, []).append(Step(line, f"{sent.label} of an instance here"))
        if self.project is not None:
            for info in list(self.model.classes.values()):
                elsewhere = self.project.uses(info.local.node)  # type: ignore[attr-defined]
                if elsewhere:
                    used.setdefault(id(info.local), set()).update(elsewhere)
                    for operation in elsewhere:
                        # ``Job`` pickled in another module: the class of this module whose
                        # instance a ``Job`` holds (``journal: Journal``) is pickled with it.
                        held = self.model.held_by(frozenset((LocalInstance(info.local),)), operation)
                        if held is not None and held.owner is not None and held.owner is not info.local:
                            used.setdefault(id(held.owner), set()).add(operation)
        self._report_classes(used, handed_at)

    def places_handed(self, cls: LocalDef, limit: int = 4) -> Tuple[Step, ...]:
        """Where the module copies, pickles or sends an instance of ``cls`` (the first ``limit``
        places, in order; complete once the module is done)."""
        lines = sorted(
            {
                (sent.call.lineno, sent.label)  # type: ignore[attr-defined]
                for sent in self._sent
                if _hands(sent.symbols, cls)
            }
        )
        return tuple(Step(line, f"{label} of an instance here") for line, label in lines[:limit])

    def operations_on(self, cls: LocalDef) -> Set[str]:
        """What the module (and, with the project index, the rest of the project) does to
        instances of ``cls``: copy, deepcopy, pickle, spawn... (complete once the module is done)."""
        done = {sent.operation for sent in self._sent if _hands(sent.symbols, cls)}
        if self.project is not None:
            done |= set(self.project.uses(cls.node) or ())  # type: ignore[attr-defined]
        return done

    def handed(self) -> List[Tuple[str, FrozenSet]]:
        """Each object the module copies, pickles or sends: the operation and what it resolved to
        (complete once the module is done)."""
        return [(sent.operation, sent.symbols) for sent in self._sent]

    def _report_classes(self, used: Dict[int, Set[str]], handed_at: Dict[int, List[Step]]) -> None:
        """PKL301 for resource-holding classes that are used or meant to be pickled; PKL902 for all."""
        # Without the inventory, only a class that is used or meant to be pickled can be reported:
        # what the others hold is not worked out.
        only = None if self.inventory else (lambda info: id(info.local) in used or self._intends(info))
        for info, held in self.model.unprotected_resource_classes(only):
            node = info.local.node
            line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
            if self.inventory:
                text = message("PKL902", cls=info.local.name, resource=held.describe())
                self.report(Finding(line, col, "PKL902", text))
            # asdict() ignores the class's own protocol, so no protocol would help it: PKL201 covers it.
            # And an operation that what it holds survives (a socket sent to a pool) is no reason.
            operations = {
                op for op in used.get(id(info.local), set()) - {ASDICT}
                if not info.protocols & PROTOCOL_COVERS[op] and self.model.class_holds(info.local, op) is not None
            }
            if self._intends(info):
                operations.add(PICKLE)
            if not operations:
                continue
            wanted = "__getstate__ or __reduce__" if operations & {PICKLE, SPAWN, PROCESS} else "__getstate__, __reduce__ or __deepcopy__"
            text = message("PKL301", cls=info.local.name, resource=held.describe(), protocol=wanted)
            steps = tuple(s for s in held.related() if s.line != line) + tuple(sorted(handed_at.get(id(info.local), ())))
            self.report(Finding(line, col, "PKL301", text, steps))

    def _intends(self, info: ClassInfo) -> bool:
        """The class means to be pickled (``__setstate__``, ``__copy__`` without ``__deepcopy__``, an
        exception) and no protocol of its covers pickling."""
        protocols = info.protocols
        intends = (
            "__setstate__" in protocols
            or ("__copy__" in protocols and "__deepcopy__" not in protocols)
            or self.model.is_exception(info.local)
        )
        return intends and not protocols & PROTOCOL_COVERS[PICKLE]

    def _grade(self, sent: _Sent) -> Optional[Held]:
        node = sent.call
        line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
        if sent.operation in (PICKLE, SPAWN, PROCESS) and not sent.by_value:
            found = _unpicklable_callable(sent.symbols, self.model)
            if found is not None:
                what, defined = found
                text = message("PKL204", operation=sent.label, subject=f"{what} (line {defined or '?'})")
                steps = (Step(defined, f"{what} is defined here"),) if defined and defined != line else ()
                self.report(Finding(line, col, "PKL204", text, steps))
                return None
        held = self.model.held_by(sent.symbols, sent.operation)
        if held is None or (sent.by_value and held.by_name):
            return None  # cloudpickle and dill serialize lambdas and local functions by value
        text = message(sent.code, operation=sent.label, subject=sent.subject, resource=held.describe())
        self.report(Finding(line, col, sent.code, text, held.related()))
        return held


#: The key of the hand-offs to processes started where they are made (a pool's workers).
_STARTED_AT_ONCE = -1


def _function_key(resolver: Resolver) -> int:
    return id(resolver.function_stack[-1]) if resolver.function_stack else 0


def _within(label: str, function: str) -> str:
    """``pickle.dumps (in store())``, then ``pickle.dumps (in store() via remember())``."""
    return f"{label[:-1]} via {function}())" if label.endswith(")") and " (in " in label else f"{label} (in {function}())"


def _unrebound_parameters(function: ast.AST) -> Set[str]:
    """The parameters of ``function`` its body never rebinds (a name it copies is what the caller passed)."""
    arguments = getattr(function, "args", None)
    if arguments is None or isinstance(function, ast.Lambda):
        return set()
    names = {a.arg for a in all_args(arguments)}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.discard(node.id)
    return names


def _made_by_factory(symbols: FrozenSet, resolver: Resolver) -> FrozenSet:
    """The objects the module's functions among ``symbols`` (called here) return, as held values."""
    return frozenset(replace(s, factory=False) for symbol in symbols for s in resolver.factory_instances(symbol))


def _enum_member(node: ast.expr, resolver: Resolver, project: object) -> bool:
    """``Gate.READ`` where ``Gate`` is an Enum class: the module's (through its bases) or another's."""
    if not isinstance(node, ast.Attribute):
        return False
    return any(_is_enum(s, project) for s in resolver.symbols_of(node.value))


def _is_enum(symbol: object, project: object, depth: int = 0) -> bool:
    if isinstance(symbol, str):
        library_bases = getattr(project, "library_bases", None)
        return symbol in ENUM_BASES or (library_bases is not None and bool(library_bases(symbol) & ENUM_BASES))
    if isinstance(symbol, LocalDef) and symbol.kind == "class" and depth < 8:
        return any(_is_enum(base, project, depth + 1) for bases in symbol.bases for base in bases)
    return False


def _is_instance_method(symbol: object) -> bool:
    if not (isinstance(symbol, LocalDef) and symbol.kind == "function"):
        return False
    return not (is_staticmethod(symbol.node) or is_classmethod(symbol.node))


def _export_local_classes(symbols: FrozenSet) -> None:
    for symbol in symbols:
        if isinstance(symbol, LocalDef) and symbol.kind == "class":
            symbol.nested = False


def _unpicklable_callable(symbols: FrozenSet, model: ClassModel, depth: int = 0) -> Optional[Tuple[str, int]]:
    """A lambda, local function, local class (or its instance) or generator among ``symbols``: what
    it is (``local function work``) and the line where it is defined (0 when unknown)."""
    for symbol in sorted(symbols, key=symbol_order):
        if isinstance(symbol, Contains) and depth < 8:
            found = _unpicklable_callable(frozenset((symbol.item,)), model, depth + 1)
            if found:
                return found
        unnamed = unnamed_callable(symbol)
        if unnamed is not None:
            return unnamed[0], getattr(symbol.node, "lineno", 0)  # type: ignore[attr-defined]
        info = model.info(symbol.cls) if isinstance(symbol, LocalInstance) else None
        reduces = info is not None and bool(info.protocols & {"__reduce__", "__reduce_ex__"})
        if isinstance(symbol, LocalInstance) and symbol.cls.nested and not reduces:
            # An instance whose __reduce__ names another callable never refers to its class.
            line = getattr(symbol.cls.node, "lineno", 0)
            return f"an instance of local class {symbol.cls.name}", line
        if isinstance(symbol, Generated) and symbol.is_generator():
            line = getattr(symbol.node, "lineno", 0)
            return "a generator", line
    return None


def _hands(symbols: FrozenSet, cls: LocalDef, depth: int = 0) -> bool:
    """Whether what was handed is an instance of ``cls`` or holds one (``args=(obj,)``, ``[obj]``)."""
    for symbol in symbols:
        if isinstance(symbol, LocalInstance) and symbol.cls is cls:
            return True
        if isinstance(symbol, Contains) and depth < 8 and _hands(frozenset((symbol.item,)), cls, depth + 1):
            return True
    return False
