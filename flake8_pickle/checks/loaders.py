"""PKL101-PKL103 and PKL901: pickle-family loader calls and the provenance of what they read
(PKL104 is :mod:`.unpicklers`)."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from functools import lru_cache
from typing import Callable, Dict, FrozenSet, List, Optional, Tuple

from ..catalog.loaders import (
    DATA_CHANNEL,
    DATA_PATH,
    DATA_STREAM,
    LOADER_CAPPED,
    LOADER_UNSURE,
    MSGPACK_NUMPY_PATCHED,
    NOT_LOADER,
    Catalog,
    Loader,
)
from ..catalog.conventions import HANDED_MODULE_ALIASES, HANDED_MODULES, NOT_LOADING_WITH_MODULE, SAFE_SERIALIZER_MODULES
from ..catalog.names import PICKLE_MODULES, library_of
from ..catalog.taint import CALLBACK_REGISTRATIONS
from ..findings import Finding, Step, shown
from ..provenance import CHANNEL, TRUSTED, UNTRUSTED, ProvenanceTracker, Sink, Source, Verdict, literal_input
from ..provenance_model import covered, data_identity
from ..rules import message
from ..scope import CallInterest, Listener, Resolver
from ..shapes import call_argument
from ..symbols import LocalInstance
from .unpicklers import SoundUnpicklers

_ARGUMENT_WORD = {DATA_STREAM: "stream", DATA_PATH: "path or file"}
_REDUCE_METHODS = frozenset({"__reduce__", "__reduce_ex__"})


def _derived(one: Loader, other: Loader) -> bool:
    """Whether one loader's names are another's method under a subclass (``dill.Unpickler.load`` is
    ``pickle.Unpickler.load`` too): the same call, not a choice between two."""
    if not one.same_as.isdisjoint(other.names) or not other.same_as.isdisjoint(one.names) or not one.same_as.isdisjoint(other.same_as):
        return True  # the catalogue says they are one loader under two names
    return not _tails(one).isdisjoint(_tails(other))


def _tails(loader: Loader) -> FrozenSet[str]:
    """The last two parts of each of a loader's names (``Unpickler.load``, ``pickle.loads``)."""
    return frozenset(".".join(name.split(".")[-2:]) for name in loader.names)


@lru_cache(maxsize=8)
def _spotted_calls(catalog: Catalog) -> CallInterest:
    """The calls the loader checks act on, in either walk: catalogued loaders (and partials of
    them), callback registrations, ``msgpack_numpy.patch()`` and the libraries' distinctive methods."""
    names = frozenset(catalog.by_name) | frozenset(CALLBACK_REGISTRATIONS) | {"msgpack_numpy.patch"}
    return CallInterest(names=names, attrs=frozenset(catalog.distinctive_methods), partials=True)


#: How the project index names a source read in another module (``request.data in app/views.py``)
#: and a call made there (``app.store.load() called at app/views.py:12``): see project/index.py.
_IN_MODULE = re.compile(r"^(?P<what>.+) in (?P<file>\S+\.pyi?)$")
_CALLED_AT = re.compile(r"^(?P<what>.+) called at (?P<file>\S+\.pyi?):(?P<line>\d+)$")


@lru_cache(maxsize=8)
def _handed_words(catalog: Catalog) -> FrozenSet[str]:
    """The last words of the catalogued loaders' names (``loads``, ``load``, ``unsafe_load``...), and
    the modules whose loaders are called through a module handed over (``_load(data, pickle)``,
    ``lib.loads(data)`` inside): every module a catalogued ``module.name`` loader is in."""
    modules = {name.partition(".")[0] for name in catalog.by_name if name.count(".") == 1 and "(" not in name}
    return frozenset(name.rpartition(".")[2] for name in catalog.by_name) | modules | HANDED_MODULE_ALIASES | SAFE_SERIALIZER_MODULES


def describe_input(loader: Loader, argument: Optional[ast.expr], handed_to: Optional[ast.Call] = None) -> str:
    """How a message names the loader's input: ``argument `blob``` or ``path or file `p```."""
    if handed_to is not None:
        return f"handed to `{shown(handed_to.func)}()`, which may call it with any data"
    if argument is None:
        if loader.data_position is None and loader.data_keyword is None:
            return "stream given to the Unpickler"
        return "input not passed"
    return f"{_ARGUMENT_WORD.get(loader.data_kind, 'argument')} `{shown(argument)}`"


class LoaderChecks(Listener):
    """Finds every loader call during the resolver's walk; grades its input when the walk is done.

    Without a ``tracker`` it only spots: ``spotted`` says whether the module calls any
    loader, and nothing is reported (the analysis then walks again with provenance).
    ``frames`` holds the function bodies (AST nodes) the spotted loader calls, callback
    registrations and ``msgpack_numpy.patch()`` calls sit in (none for one at module
    level: the module's own statements are always walked).
    """

    def __init__(
        self,
        catalog: Catalog,
        tracker: Optional[ProvenanceTracker],
        report: Callable[[Finding], None],
        inventory: bool = True,
        unpicklers: Optional[SoundUnpicklers] = None,
        note: Optional[Callable[[Finding], None]] = None,
    ):
        self.catalog = catalog
        #: Told of each catalogued loader call whose arguments make it safe (``--explain``).
        self.note = note
        self.tracker = tracker
        self.unpicklers = unpicklers
        self.report = report
        self.inventory = inventory
        self._untyped_methods: List[Tuple[ast.Call, str, Loader]] = []
        self._sinks: List[Sink] = []
        #: Loader calls whose safety switch is of unknown safety (id of the call -> the switch).
        self._unsure: Dict[int, ast.AST] = {}
        self.spotted = False
        self.frames: List[ast.AST] = []
        #: PKL901 findings not reported yet: they are reported with why the load was judged so.
        self._inventory: Dict[int, Finding] = {}
        #: A loader handed to a call that may call it later: the call it stands for -> that call.
        self._handed: Dict[int, ast.Call] = {}
        #: The loads a ``__reduce__`` defers to whoever unpickles the object (see :meth:`on_return`).
        self._deferred: Dict[int, ast.Call] = {}

    def call_interest(self) -> Optional[CallInterest]:
        return _spotted_calls(self.catalog)

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        names = resolver.qualified_names(call.func)
        if "msgpack_numpy.patch" in names:
            resolver.facts.add(MSGPACK_NUMPY_PATCHED)
            self._remember_frames(resolver)
        if self.tracker is None and not names.isdisjoint(CALLBACK_REGISTRATIONS):
            self._remember_frames(resolver)
        match = self.catalog.loader_for(names)
        if match is None:
            self._remember_untyped_method(call, resolver)
            return
        qualified, loader = match
        verdict, switch = loader.assess(call, resolver)
        if verdict == NOT_LOADER:
            if self.note is not None:
                label = loader.label_for(qualified)
                self.note(Finding(call.lineno, call.col_offset, "", f"{label} is not a pickle-family load here", (
                    Step(call.lineno, f"safe: the arguments make {label} load safely (`{shown(call, 60)}`)"),
                )))
            return
        if verdict in (LOADER_UNSURE, LOADER_CAPPED) and switch is not None:
            self._unsure[id(call)] = switch
        label = loader.label_for(qualified)
        # ``deserialize(s)``, a parameter its callers give ``pickle.loads`` or ``marshal.loads``, a
        # registry of ``pickle.loads`` and ``dill.loads``: all of them. One name per catalogue entry,
        # unless the entry's module-level functions of two libraries are named (``_pickle.loads`` and
        # ``pickle.loads`` are one loader; ``dill.Unpickler().load`` is ``pickle.Unpickler().load``
        # under a subclass, and ``ForkingPickler.loads`` is ``pickle.loads``: the same call).
        by_library: Dict[str, str] = {}
        for name in sorted(names):
            if self.catalog.by_name.get(name) is loader and name.rpartition(".")[0] in PICKLE_MODULES:
                by_library.setdefault(library_of(name), loader.label_for(name))
        others: Dict[int, str] = {}
        for name in sorted(names):
            other = self.catalog.by_name.get(name)
            if other is not None and other is not loader and id(other) not in others and not _derived(other, loader):
                others[id(other)] = other.label_for(name)
        labels = (set(by_library.values()) if len(by_library) > 1 else {label}) | set(others.values())
        first = label if label in labels else min(labels)
        self._loader_call(call, " or ".join((first, *sorted(labels - {first}))), loader, resolver, capped=verdict == LOADER_CAPPED)

    def on_return(self, node: ast.Return, resolver: Resolver) -> None:
        """``return pickle.loads, (self.sock.recv(n),)`` in ``__reduce__``: whoever unpickles the
        object runs that load, on the bytes the object held when it was pickled. Only data that was
        untrusted then counts (it rides inside a pickle the program made: ``pickle.loads(pickle.dumps(
        proxy))`` runs the peer's pickle); other data travels inside the outer pickle, whose load is
        the one that counts."""
        value = node.value
        if type(value) is not ast.Tuple or len(value.elts) < 2 or type(value.elts[1]) is not ast.Tuple:
            return
        function = resolver.function_stack[-1] if resolver.function_stack else None
        if getattr(function, "name", None) not in _REDUCE_METHODS or len(resolver.scopes) < 2 or resolver.scopes[-2].kind != "class":
            return
        match = self.catalog.loader_for(resolver.qualified_names(value.elts[0]))
        if match is None:
            return
        call = ast.Call(func=value.elts[0], args=list(value.elts[1].elts), keywords=[])
        ast.copy_location(call, value)
        self._deferred[id(call)] = call
        self._loader_call(call, match[1].label_for(match[0]), match[1], resolver, capped=False)

    def handed_words(self) -> FrozenSet[str]:
        return _handed_words(self.catalog)

    def on_handed(self, reference: ast.expr, call: ast.Call, resolver: Resolver) -> None:
        """``registry.register("pickle", pickle.dumps, pickle.loads)``: the loader runs later, on data
        this module does not show: a load of data of unknown origin, where it is handed over."""
        names = resolver.qualified_names(reference)
        match = self.catalog.loader_for(names)
        if match is None:
            # A serializer module handed over is handed with its loads (``serializer=pickle``).
            func = call.func
            if type(func) is ast.Attribute and func.attr in NOT_LOADING_WITH_MODULE:
                return
            match = self.catalog.loader_for(f"{name}.loads" for name in names & HANDED_MODULES)
            if match is None:
                return
        qualified, loader = match
        stands_for = ast.Call(func=reference, args=[], keywords=[])
        stands_for.lineno, stands_for.col_offset = reference.lineno, reference.col_offset
        stands_for.end_lineno, stands_for.end_col_offset = call.end_lineno, call.end_col_offset
        self._handed[id(stands_for)] = call
        self._loader_call(stands_for, loader.label_for(qualified), loader, resolver, capped=False)
        if self._sinks and self._sinks[-1].call is stands_for and any(
            call_argument(call, position, keyword) is reference and 0 in tainted
            for name in resolver.qualified_names(call.func)
            for position, keyword, tainted in CALLBACK_REGISTRATIONS.get(name, ())
        ):
            # ``KafkaConsumer(topic, value_deserializer=pickle.loads)``, ``register("p", dumps, pickle.loads)``:
            # it loads each message delivered.
            source = Source(f"the messages {shown(call.func)}() delivers", call.lineno)
            self._sinks[-1] = replace(self._sinks[-1], facts=frozenset((source,)))

    def _remember_frames(self, resolver: Resolver) -> None:
        self.frames.extend(resolver.function_stack)

    def _remember_untyped_method(self, call: ast.Call, resolver: Resolver) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        entry = self.catalog.distinctive_methods.get(func.attr)
        if entry is None:
            return
        library, loader = entry
        # The method name is the library's own (``recv_pyobj``): whatever returned the receiver
        # (``get_zmq_socket(...)``, a parameter), it is the library's object when the module uses it.
        self._untyped_methods.append((call, library, loader))
        self._remember_frames(resolver)  # a loader if the module imports the library

    def _loader_call(self, call: ast.Call, label: str, loader: Loader, resolver: Resolver, capped: bool) -> None:
        self.spotted = True
        if self.tracker is None:
            self._remember_frames(resolver)
            return
        tracker = self.tracker
        line, col = call.lineno, call.col_offset
        if self.inventory:
            self._inventory[id(call)] = Finding(line, col, "PKL901", message("PKL901", loader=label))
        if loader.data_kind == DATA_CHANNEL:
            reads = Step(line, f"{label} reads an unauthenticated channel ({loader.channel}): any peer may send the pickle")
            self.report(Finding(line, col, "PKL103", message("PKL103", loader=label, channel=loader.channel), (reads,)))
            self._judged(call, Step(line, "PKL103: what it loads comes from an unauthenticated channel"), reads)
            return
        argument = loader.data_argument(call)
        if literal_input(loader, argument):
            self._judged(call, Step(line, "trusted: its input is a literal"))
            return
        receiver: FrozenSet = frozenset()
        if argument is not None:
            facts = tracker.facts_of(argument)
        elif isinstance(call.func, ast.Attribute):
            facts = tracker.facts_of(call.func.value)  # Unpickler(stream).load()
            receiver = resolver.symbols_of(call.func.value)
        else:
            facts = frozenset()
        identity = data_identity(facts)
        keyed = None
        for guard in reversed(resolver.guards) if identity else ():
            if covered(identity, tracker.verified.get(id(guard), frozenset())):
                if tracker.keyed.get(id(guard)):
                    # ``hmac.new(key, body)`` with ``key`` a parameter: decided once the callers are known.
                    keyed = (guard, tracker.keyed[id(guard)])
                    break
                # Reached only after an HMAC/signature check of this very data passed.
                self._judged(call, _guarded(guard))
                return
        self._sinks.append(Sink(call, label, loader, argument, facts, capped, receiver, keyed))

    def sink_facts(self) -> List[FrozenSet]:
        """The facts of what each loader call found so far reads (before expansion)."""
        return [sink.facts for sink in self._sinks]

    def on_module_end(self, resolver: Resolver) -> None:
        if self.tracker is None:
            # Their frames were remembered at the call.
            self.spotted |= any(library in resolver.imported_roots for _, library, _ in self._untyped_methods)
            return
        for call, library, loader in self._untyped_methods:
            if library in resolver.imported_roots:
                self._loader_call(call, loader.label_for(call.func.attr), loader, resolver, capped=False)  # type: ignore[attr-defined]
        for sink in self._sinks:
            if self.unpicklers is not None and sink.receiver:
                if self.unpicklers.admit(sink.receiver):
                    # An exact allow-list of harmless globals: nothing to execute.
                    self._judged(sink.call, *_sound_unpickler_steps(sink.receiver))
                    continue
            self._grade(sink)
        for finding in self._inventory.values():
            self.report(finding)
        self._inventory.clear()

    def _judged(self, call: ast.Call, *steps: Step) -> None:
        """Report the PKL901 finding of ``call`` (if the inventory is on) with why it was judged so."""
        finding = self._inventory.pop(id(call), None)
        if finding is not None:
            self.report(finding._replace(steps=steps))

    def _grade(self, sink: Sink) -> None:
        assert self.tracker is not None
        verdicts = self.tracker.verdict(sink)
        if sink.keyed_guard is not None:
            choosers = self.tracker.key_choosers(sink.keyed_guard[1])
            if not choosers:
                self._judged(sink.call, _guarded(sink.keyed_guard[0]))  # no caller lets the sender pick the key
                return
            # Only where the sender picks the key does the check prove nothing: the calls that pass it
            # (everywhere, when the key is the sender's where the check runs).
            if all(v.report_at is not None for v in choosers):
                sites = {id(v.report_at) for v in choosers}
                verdicts = [v for v in verdicts if v.tier != UNTRUSTED or id(v.report_at) in sites]
        if id(sink.call) in self._deferred and not any(v.tier in (UNTRUSTED, CHANNEL) for v in verdicts):
            # Data the object held: it travels inside the outer pickle, whose load is the one graded.
            self._judged(sink.call, Step(sink.call.lineno, "not graded: __reduce__ defers this load to whoever unpickles the object, on data it held (that pickle's own load counts)"))
            return
        for verdict in verdicts:
            if verdict.tier == TRUSTED:
                self._judged(sink.call, *_trusted_steps(verdict, sink))
                return
            if verdict.tier == CHANNEL and verdict.channel is not None and not sink.capped:
                line, col = sink.call.lineno, sink.call.col_offset
                channel = f"{verdict.channel.channel}, line {verdict.channel.line}"
                what, where = _located(verdict.channel.channel)
                steps = (Step(verdict.channel.line, f"received from peers by {what}", where), Step(line, f"reaches {sink.label}"))
                self.report(Finding(line, col, "PKL103", message("PKL103", loader=sink.label, channel=channel), steps))
                self._judged(sink.call, Step(line, "PKL103: peers sent it over an unauthenticated channel"), *steps)
                return
            if verdict.tier == UNTRUSTED and verdict.source is not None and not sink.capped:
                at = verdict.report_at or sink.call
                chain = ""
                if verdict.via:
                    chain = f" (line {sink.call.lineno}) via " + " -> ".join(name for name, _ in verdict.via)
                hops = f" through {' -> '.join(verdict.source.via)}" if verdict.source.via else ""
                text = message(
                    "PKL101",
                    source=verdict.source.label,
                    source_line=verdict.source.line,
                    hops=hops,
                    loader=sink.label,
                    chain=chain,
                )
                path = untrusted_path(verdict, sink)
                self.report(Finding(at.lineno, at.col_offset, "PKL101", text, path))  # type: ignore[attr-defined]
                self._judged(sink.call, Step(sink.call.lineno, "PKL101: untrusted data reaches it"), *path)
        if any(v.tier == UNTRUSTED and not sink.capped for v in verdicts):
            return
        line, col = sink.call.lineno, sink.call.col_offset
        switch = self._unsure.get(id(sink.call))
        if sink.capped and not any(v.tier in (UNTRUSTED, CHANNEL) for v in verdicts):
            switch = None  # the data's origin is what is unknown, whatever the switch says
        if switch is not None:
            # The data may be fine: what is unknown is whether the call loads safely at all.
            text = message(
                "PKL102", loader=sink.label, subject=f"with {sink.loader.switch_noun}", aspect="safety",
                argument=f"`{shown(switch)}`",
            )
        else:
            text = message(
                "PKL102", loader=sink.label, subject="on data", aspect="origin",
                argument=describe_input(sink.loader, sink.argument, self._handed.get(id(sink.call))),
            )
        if switch is not None:
            why = f"PKL102: whether it loads safely depends on `{shown(switch)}`, which is not a literal"
        elif any(v.tier == UNTRUSTED for v in verdicts):
            why = "PKL102: untrusted data reaches it, but the call may load safely (capped at PKL102)"
        elif any(v.tier == CHANNEL for v in verdicts):
            why = "PKL102: peers sent it over an unauthenticated channel, but the call may load safely (capped at PKL102)"
        else:
            why = f"PKL102: no catalogued source or reason to trust reaches its {describe_input(sink.loader, sink.argument, self._handed.get(id(sink.call)))}"
        steps = (Step(line, why),)
        self.report(Finding(line, col, "PKL102", text, steps))
        self._judged(sink.call, *steps)


def _located(label: str) -> Tuple[str, Optional[str]]:
    """A label the project index gave a place in another module: the label and that file."""
    match = _IN_MODULE.match(label)
    return (match.group("what"), match.group("file")) if match else (label, None)


def untrusted_path(verdict: Verdict, sink: Sink) -> Tuple[Step, ...]:
    """The path of a PKL101 finding: the source, each hop it took, each call that passed it on,
    and the load. A hop whose line the analysis does not record is shown at the source's line
    (hops inside the source's flow) or the load's (calls in another module), and says so."""
    assert verdict.source is not None
    source = verdict.source
    label, source_file = _located(source.label)
    steps = [Step(source.line, f"untrusted data read from {label}", source_file)]
    for index, hop in enumerate(source.via):
        line = source.hop_lines[index] if index < len(source.hop_lines) else 0
        if line and source_file is None:
            steps.append(Step(line, f"passes through {hop}"))
        else:
            steps.append(Step(source.line, f"passes through {hop} (line not recorded: shown at the source)", source_file))
    for name, line in verdict.via:
        called = _CALLED_AT.match(name)
        if line:
            steps.append(Step(line, f"passed to {name} here"))
        elif called:
            steps.append(Step(int(called.group("line")), f"passed to {called.group('what')} here", called.group("file")))
        else:
            steps.append(Step(sink.call.lineno, f"passed to {name} (line not recorded: shown at the load)"))
    steps.append(Step(sink.call.lineno, f"reaches {sink.label}"))
    return tuple(steps)


def _trusted_steps(verdict: Verdict, sink: Sink) -> Tuple[Step, ...]:
    """Why a load's input is trusted: each reason, at the line that made it so (else the load's)."""
    line = sink.call.lineno
    reasons = verdict.trusted or ()
    steps = tuple(
        Step(fact.line or line, f"trusted: {fact.reason}" + (f" at line {fact.line}" if fact.line else ""))
        for fact in reasons
    )
    return steps or (Step(line, "trusted"),)


def _sound_unpickler_steps(receiver: FrozenSet) -> Tuple[Step, ...]:
    """Why a load through an in-module Unpickler subclass is trusted: its allow-list."""
    steps = []
    for symbol in sorted(receiver, key=lambda s: getattr(getattr(s, "cls", None), "name", "")):
        if isinstance(symbol, LocalInstance):
            cls = symbol.cls
            line = getattr(cls.node, "lineno", 0)
            steps.append(Step(line, f"trusted: restricted Unpickler {cls.name} (line {line}) admits only an exact allow-list of harmless globals"))
    return tuple(steps)


def _guarded(guard: ast.expr) -> Step:
    return Step(guard.lineno, f"trusted: the check `{shown(guard)}` at line {guard.lineno} guards this load")
