"""Name resolution: the one place that knows what a name in the checked module refers to.

The model follows pyflakes: a stack of scopes (module, class, function, lambda,
comprehension), bindings updated in source order, function and lambda bodies
deferred until the enclosing scope is complete so they see its final bindings,
and class scopes invisible from the functions nested in them.

A value is described by a frozenset of *symbols*, the things it may be:

* a ``str``: a dotted qualified name of something importable, such as
  ``"pickle.loads"``; a ``()`` segment marks the result of a call, so
  ``pickle.Unpickler(f).load`` is ``"pickle.Unpickler().load"``. Names from
  relative imports start with a dot and so never match a catalogue entry.
* a :class:`LocalDef`: a function or class defined in the checked module.
* a :class:`LocalInstance`: an instance of such a class (``self`` in a method).

The empty set means "nothing we know": a parameter, a rebinding to an
arbitrary value, an unbound name. Branches (``if``/``try``/loops/``match``)
merge by union, so ``try: import cPickle as pickle / except ImportError:
import pickle`` leaves ``pickle`` bound to both modules; in straight-line
code the later binding wins.

Nothing here imports or runs the checked code. Expressions are walked with an
explicit stack, so deeply nested expressions cannot exhaust the interpreter's
recursion limit; statements nest at most as deep as the parser allows.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import (
    Callable,
    Dict,
    FrozenSet,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from .catalog.conventions import (
    STORING_ALL_METHODS,
    STORING_METHODS,
    UNBOUND_MODULES,
)
from .symbols import (
    EMPTY,
    Contains,
    Generated,
    LocalDef,
    LocalInstance,
    Symbol,
    Symbols,
    MISSING as _MISSING,
    bounded_names,
    contained,
    unpacked,
    join as _join,
    union as _union,
    portable,
)
from .shapes import (
    NodeKey,
    node_key,
    stores_on_self,
    ends_flow,
    literal_str,
)


from .scope_model import (
    BUILTIN_NAMES,
    PARTIAL_OF,
    _FALLBACK_SYMBOLS,
    CallHook,
    ValueHook,
    ParamHook,
    GuardHook,
    Scope,
    CallInterest,
    ClassNeeds,
    Listener,
    NO_CALLS,
    _subscript_key,
    _hooks,
)
from .scope_expressions import Expressions
from .scope_handoff import Handoffs
from .scope_statements import Statements

__all__ = ["BUILTIN_NAMES", "NO_CALLS", "PARTIAL_OF", "CallInterest", "ClassNeeds", "Listener", "Resolver", "Scope"]


class Resolver(Statements, Handoffs, Expressions):
    """Walks one module once, keeping bindings current, and answers name questions.

    Listeners are called back during the walk; at each callback the bindings are
    those in force at that point of the code, so ``symbols_of`` answers as Python
    would at run time (up to branch merging).
    """

    def __init__(
        self,
        tree: ast.AST,
        listeners: Sequence[Listener] = (),
        call_hook: Optional[CallHook] = None,
        value_hook: Optional[ValueHook] = None,
        param_hook: Optional[ParamHook] = None,
        guard_hook: Optional[GuardHook] = None,
        walk_function: Optional[Callable[[ast.AST, Optional[LocalDef]], bool]] = None,
    ):
        self.tree = tree
        self.listeners = list(listeners)
        self.call_hook = call_hook
        self.value_hook = value_hook
        #: What the part ``name`` of a value unpacked into targets holds (``head, body = data.split()``):
        #: the provenance tracker's facts say which part they are.
        self.part_hook: Optional[Callable[[Symbols, str], Symbols]] = None
        self.param_hook = param_hook
        self.guard_hook = guard_hook
        #: ``verify(data, sig)`` as a statement: True when the call verifies what it is given, for
        #: the rest of the block (the module's own assertion helper; see ``verifiers``).
        self.call_guard_hook: Optional[Callable[[ast.Call], bool]] = None
        #: When given, asked before walking the body of each module-level function and each
        #: method (with its class): a body it rejects is never walked (no listener needs it).
        self.walk_function = walk_function
        #: Learn instance state before methods run and follow loop back edges, as the provenance
        #: walk does (on whenever a value hook is installed; set alone by a walk that needs what
        #: the resolver learns that way, without the facts).
        self.deep = False
        #: The deferred entries (body, scopes, class) of the bodies ``walk_function`` rejected.
        self._skipped: List[Tuple[ast.AST, List[Scope], Optional[LocalDef]]] = []
        #: (innermost function or None, attribute) of each store into an attribute of the module's
        #: own instances (``self.x = ...``, ``self.r, self.w = ...``, ``for self.item in ...``).
        self.attribute_stores: List[Tuple[Optional[ast.AST], str]] = []
        #: Every class of the module, in the order the walk met them.
        self.classes: List[LocalDef] = []
        #: Node id -> the function or class this walk made there, for those made outside any function
        #: body: every walk of the tree makes them before it walks a body (see :meth:`_port`).
        self._top_level: Dict[int, LocalDef] = {}
        #: Class statement's node key -> what its instance attributes are known to hold before
        #: the walk (see :meth:`portable_state`): read before any method stores them, they still resolve.
        self.seeded_attrs: Dict[NodeKey, Dict[str, Symbols]] = {}
        #: (function's node key, parameter) -> library functions the module hands it
        #: (``apply_decoder(pickle.loads, body)``): what the parameter is, besides what it is bound to.
        self.passed: Dict[Tuple[NodeKey, str], Symbols] = {}
        #: ``passed`` was learned by an earlier walk of the same tree: it is complete, whatever
        #: order this walk meets the calls in (see ``Statements._pass_to_module_function``).
        self.passed_seeded = False
        #: This walk recorded in ``passed`` a function whose body it had begun already.
        self.passed_at: Dict[Tuple[NodeKey, str], Symbols] = {}
        #: (call's node key, parameter) -> the library functions that call hands the parameter.
        self.passed_late = False
        #: The functions whose bodies this walk has begun (node keys).
        self._begun: Set[NodeKey] = set()
        #: The names of the functions the module defines at its top level.
        self._module_functions: Set[str] = set()
        #: Names of the module's top-level classes (``ClientJob(csock, Daemon())`` hands an object on).
        self._class_names: Set[str] = set()
        #: What the module's own statements (outside any function) bound each module-level name to,
        #: in order: the value expression of an assignment, None for any other binding (an import,
        #: ``def``, ``class``, a loop or ``with`` target, an unpacking). Rebinding by functions is
        #: in :attr:`outer_stores`.
        self.module_values: Dict[str, List[Optional[ast.expr]]] = {}
        #: The same for the names a class body binds, by (class statement's node key, name).
        self.class_values: Dict[Tuple[NodeKey, str], List[Optional[ast.expr]]] = {}
        self._binding_value: Optional[ast.expr] = None
        #: The verification tests that must have passed for the walk to be here (innermost last).
        self.guards: List[ast.expr] = []
        #: The module's own statements are walked (its names bound), the deferred bodies to come.
        self.module_walked = False
        #: Function (node id) -> the instances its ``return`` statements make (see ``_factory_results``).
        self._factories: Dict[int, Symbols] = {}
        #: Function node id -> whether it returns what it imports by a computed name (``import_string``).
        self._importers: Dict[int, bool] = {}
        self._factory_depth = 0
        #: Class (node id) -> the module's classes deriving from it (see ``_subclasses``).
        self._subclass_map: Dict[int, List[LocalDef]] = {}
        #: ``__init__`` (node id) -> parameter -> the ``self`` attributes it stores it in.
        self._init_stores: Dict[int, Dict[str, List[str]]] = {}
        #: The module's functions read as check helpers so far (node id -> what each verifies).
        self.helper_verifiers: Dict[int, object] = {}
        #: How many helpers deep the check being read is (see ``verifiers.nested_verification``).
        self.verifier_nesting = 0
        #: The MAC calls that keyed MAC helpers' calls stand for (see :mod:`flake8_pickle.verifiers`), kept alive.
        self.helper_macs: Dict[Tuple[int, int], ast.Call] = {}
        #: Inside ``with pytest.raises(...)``/``self.assertRaises(...)``: the code is meant to fail.
        self.expecting_exception = 0
        self.module_scope = Scope("module", tree)
        self.scopes: List[Scope] = [self.module_scope]
        self._journal: List[Tuple[Scope, str, object]] = []
        self._deferred: List[Tuple[ast.AST, List[Scope], Optional[LocalDef]]] = []
        #: Top-level names of every module imported anywhere (absolute imports only).
        self.imported_roots: Set[str] = set()
        #: Every module an ``import`` statement names (``import a.b`` gives ``a`` and ``a.b``).
        self.imported_modules: Set[str] = set()
        #: Qualified names of module-level facts that listeners may set (e.g. patches applied).
        self.facts: Set[str] = set()
        self.function_stack: List[ast.AST] = []
        self._class_deferral_start = 0
        #: The callee of the call whose listeners are running, and its symbols once resolved.
        self._memo_expr: Optional[ast.AST] = None
        self._memo_symbols: Optional[Symbols] = None
        self._memo_names: Optional[FrozenSet[str]] = None
        #: Within one expression walk, the symbols of each link of the attribute/call chains
        #: resolved so far: ``f().g().h()`` resolves each link once, not once per call in it.
        #: Emptied whenever a binding or the scope stack changes.
        self._chain_cache: Optional[Dict[ast.AST, Symbols]] = None
        #: The call each applier call of the walk makes (see ``applied_call``), by the applier's id.
        self._applied: Dict[int, Optional[ast.Call]] = {}
        #: String annotations parsed (``x: "Client"``), kept alive with the resolver: id -> (node, parsed).
        self._annotation_nodes: Dict[int, Tuple[ast.AST, Optional[ast.expr]]] = {}
        #: True while a body is walked only to learn the bindings it makes (a loop's earlier
        #: passes, a class's attribute writers): only listeners with ``runs_quiet`` hear it,
        #: and they must not report.
        self.quiet = False
        self._loop_depth = 0
        #: Variant name -> the ``functools.partial(...)`` call it stands for (see ``_partial_result``).
        self.partial_calls: Dict[str, ast.Call] = {}
        #: Per function node id: the symbols its ``yield`` expressions gave, as walked so far.
        self.yielded: Dict[NodeKey, Symbols] = {}
        #: Node ids of the ``@contextmanager`` functions a ``with`` used before their body was walked.
        self.unresolved_managers: Set[NodeKey] = set()
        #: (class, attribute) -> its symbols when first read (first walk only; see :meth:`late_state_classes`).
        self.first_reads: Dict[Tuple[LocalDef, str], Symbols] = {}
        #: Node ids of the classes whose methods read instance state a later method stores (given by
        #: the first walk): the data-flow walk learns their state before walking them. None: every class.
        self.learn_classes: Optional[Set[NodeKey]] = None
        #: The package the module belongs to (``app.api`` for ``app/api/views.py``), when known:
        #: relative imports then resolve to absolute names.
        self.package: Optional[str] = None
        #: False when the module's text never spells ``nonlocal`` (no nested function rebinds a name).
        self.nonlocal_possible = True
        #: (enclosing scope's node key, name) -> what function bodies stored in that name: rebound
        #: through ``global``/``nonlocal``, or filled (see :meth:`record_outer_store`).
        self.outer_stores: Dict[Tuple[NodeKey, str], Symbols] = {}
        #: Project aliases (see :mod:`flake8_pickle.project`): a qualified name -> the other
        #: qualified names it is (``app.ser.loads`` is ``pickle.loads``), or None.
        self.aliases: Optional[Callable[[str], Optional[FrozenSet[str]]]] = None
        #: Whether another module's function returns the module its argument names (the project's).
        self.importer: Optional[Callable[[str], bool]] = None
        #: When summarising (no aliases to ask): whether ``name[key]`` of the qualified ``name`` is
        #: spelled ``name[]``, a registry of another module the index resolves later (None: never).
        self.registry_name: Optional[Callable[[str], bool]] = None
        #: Function node id -> the registries it stores a parameter in (see ``fill_registry_by_call``).
        self._registrars: Dict[int, List[Tuple[str, int]]] = {}
        #: Another module's check helper by qualified name: (its parameters, the call's positional
        #: shift, the :class:`~flake8_pickle.verifiers.Verifier` it is), from the project index.
        self.verifier_of: Optional[Callable[[str], Optional[Tuple[List[str], int, object]]]] = None

    # ------------------------------------------------------------------ driving
    def run(self) -> None:
        """Walk the module, then the deferred bodies, then tell the listeners."""
        self.walk()
        self.finish()

    def walk(self) -> None:
        """Walk the module, then the deferred bodies (``walk_function`` permitting)."""
        body = getattr(self.tree, "body", None)
        if isinstance(body, list):
            self._walk_block(body)
        elif isinstance(body, ast.expr):  # ast.Expression
            self._walk_expr(body)
        self.module_walked = True
        self._seed_local_state()
        self._drain()

    def walk_more(self) -> Set[NodeKey]:
        """Walk the bodies ``walk_function`` rejected before and accepts now (its answers grew),
        in their order, each in the scopes it was defined in. Returns their node ids."""
        assert self.walk_function is not None
        accepted = [entry for entry in self._skipped if self.walk_function(entry[0], entry[2])]
        taken = {node_key(entry[0]) for entry in accepted}
        if not accepted:
            return taken
        self._skipped = [entry for entry in self._skipped if node_key(entry[0]) not in taken]
        self._deferred.extend(accepted)
        self._drain()
        return taken

    @property
    def unwalked(self) -> List[ast.AST]:
        """The bodies ``walk_function`` rejected (and has not accepted since)."""
        return [entry[0] for entry in self._skipped]

    def finish(self) -> None:
        """Tell the listeners the module is done."""
        for listener in self.listeners:
            listener.on_module_end(self)

    def _drain(self) -> None:
        while self._deferred:
            batch, self._deferred = self._deferred, []
            learned: Set[int] = set()
            for entry in batch:
                node, chain, cls = entry
                if self.walk_function is not None and (cls is not None or len(chain) == 1):
                    if not isinstance(node, ast.Lambda) and not self.walk_function(node, cls):
                        self._skipped.append(entry)
                        continue
                if cls is not None and (self.deep or self.value_hook is not None or self.learn_classes) and id(cls) not in learned:
                    learned.add(id(cls))
                    self._learn_instance_state(batch, cls)
                self._run_deferred(node, chain, cls)

    def portable_state(self) -> Tuple[Dict[NodeKey, Dict[str, Symbols]], Set[str]]:
        """What this walk learned the module's instance attributes hold, for another walk of the
        same tree: per class node key, the symbols each attribute may hold, and the attributes
        whose symbols another walk cannot take over (those need the bodies storing them walked
        again).

        Qualified names mean the same in any walk. The module's own functions and classes
        defined outside any function body (and their instances, and containers of them) are met
        by every walk of the tree before any body is walked: the other walk takes them over as
        its own (:meth:`_seed_local_state`). A function, class or lambda made inside a body, or
        a class made there, cannot be: its attributes are listed instead.
        """
        state: Dict[NodeKey, Dict[str, Symbols]] = {}
        local: Set[str] = set()
        for cls in self.classes:
            top = self._port(cls) is not None
            for attr, symbols in cls.instance_attrs.items():
                kept = frozenset(
                    symbol for symbol in symbols if portable(symbol) or (top and self._port(symbol) is not None)
                )
                if kept:
                    state.setdefault(node_key(cls.node), {})[attr] = kept
                if len(kept) != len(symbols):
                    local.add(attr)
        return state, local

    def _seed_local_state(self) -> None:
        """Take over the module's own objects another walk found in instance attributes
        (:attr:`seeded_attrs`), once every function and class outside a body is defined."""
        if not self.seeded_attrs:
            return
        for cls in self.classes:
            seeded = self.seeded_attrs.get(node_key(cls.node))
            if not seeded:
                continue
            for attr, symbols in seeded.items():
                ported = [self._port(symbol) for symbol in symbols if not portable(symbol)]
                if ported and all(p is not None for p in ported):
                    cls.instance_attrs[attr] = cls.instance_attrs.get(attr, EMPTY) | frozenset(ported)

    def _port(self, symbol: object, depth: int = 0) -> Optional[Symbol]:
        """This walk's own symbol for ``symbol`` (made by this walk or another of the same tree), or
        None when it holds a function, class or lambda made inside a body. Asked of this walk's own
        symbols, it says whether another walk can take them over (:meth:`portable_state`)."""
        kind = type(symbol)
        if kind is str or kind is Generated:
            return symbol  # type: ignore[return-value]
        if depth > 8:
            return None
        if kind is Contains:
            item = self._port(symbol.item, depth + 1)  # type: ignore[attr-defined]
            return None if item is None else Contains(item, symbol.key)  # type: ignore[attr-defined]
        if kind is LocalInstance:
            cls = self._top_level.get(id(symbol.cls.node))  # type: ignore[attr-defined]
            if cls is None or cls.kind != "class":
                return None
            return LocalInstance(cls, factory=True) if symbol.factory else LocalInstance(cls)  # type: ignore[attr-defined]
        if kind is LocalDef:
            own = self._top_level.get(id(symbol.node))  # type: ignore[attr-defined]
            return own if own is not None and own.kind == symbol.kind else None  # type: ignore[attr-defined]
        return None

    def late_state_classes(self) -> Set[NodeKey]:
        """Node ids of the classes one of whose methods resolved an instance attribute before
        another method stored something more in it (``self.sock.recv()`` in ``run()``, the socket
        created in ``connect()``, defined later). A class of the module's top level whose every such
        attribute holds only what another walk takes over (:meth:`portable_state`) is left out:
        that walk knows the attribute from the start."""
        late: Set[NodeKey] = set()
        for (cls, attr), seen in self.first_reads.items():
            final = cls.instance_attrs.get(attr, EMPTY)
            if final is not seen and not final <= seen:
                if self._port(cls) is not None and all(self._port(s) is not None for s in final):
                    continue  # the other walk is seeded with all of it (portable_state)
                late.add(node_key(cls.node))
        return late

    def late_stores(self) -> List[Tuple[LocalDef, Symbols]]:
        """For each instance attribute a method read before another method stored more in it, its
        class and what it holds in the end beyond what that read saw (``self.unpack(data)`` in
        ``deserialize()``, ``self.unpack = pickle.loads`` in ``set_packer()``, defined later)."""
        out: List[Tuple[LocalDef, Symbols]] = []
        for (cls, attr), seen in self.first_reads.items():
            final = cls.instance_attrs.get(attr, EMPTY)
            if final is not seen and not final <= seen:
                out.append((cls, final - seen))
        return out

    def _learn_instance_state(self, batch: Sequence[Tuple[ast.AST, List[Scope], Optional[LocalDef]]], cls: LocalDef) -> None:
        """Walk quietly every method of ``cls`` that stores on ``self``, before any is walked for real.

        Only for the classes :attr:`learn_classes` names: there, what an attribute *is* (a zmq
        socket, a ``Client``) is known only once a later method has run. What an attribute holds
        as data needs no early walk: its readers carry a symbolic fact resolved at the end.
        """
        if self.learn_classes is not None and node_key(cls.node) not in self.learn_classes:
            return
        for node, chain, owner in batch:
            if owner is not cls or isinstance(node, ast.Lambda):
                continue
            if self.walk_function is not None and not self.walk_function(node, cls):
                continue
            if not stores_on_self(node):
                continue
            self.walk_quietly(lambda n=node, c=chain: self._run_deferred(n, c, cls))

    def walk_quietly(self, walk: Callable[[], None]) -> None:
        """Run ``walk`` to learn bindings only: listeners without ``runs_quiet`` hear nothing,
        and bodies it would defer are dropped (the real walk defers them again)."""
        saved_listeners, saved_quiet = self.listeners, self.quiet
        deferred = len(self._deferred)
        self.listeners = [listener for listener in saved_listeners if getattr(listener, "runs_quiet", False)]
        self.quiet = True
        try:
            walk()
        finally:
            self.listeners, self.quiet = saved_listeners, saved_quiet
            del self._deferred[deferred:]

    @property
    def listeners(self) -> List[Listener]:
        """Who hears the walk's events, in order."""
        return self._listeners

    @listeners.setter
    def listeners(self, listeners: Sequence[Listener]) -> None:
        self._listeners = list(listeners)
        # Per event, the bound hooks of the listeners that implement it (the others do nothing).
        self._on_call = _hooks(self._listeners, "on_call")
        # A listener that declares the calls it acts on hears only those (see CallInterest):
        # a call none of them declares is dispatched to the listeners that hear every call.
        self._on_every_call: Optional[List[Callable[..., None]]] = None
        #: The calls the declaring listeners act on, together (see :meth:`_declared_call`).
        self._declared = NO_CALLS
        interests = [(hook, hook.__self__.call_interest()) for hook in self._on_call]  # type: ignore[attr-defined]
        if any(interest is not None for _, interest in interests):
            for _, interest in interests:
                if interest is not None:
                    self._declared = self._declared | interest
            every = [hook for hook, interest in interests if interest is None]
            if self._declared != NO_CALLS:
                self._on_every_call = every
            else:
                self._on_call = every  # the declaring listeners act on no call: none is resolved for them
        self._on_assign = _hooks(self._listeners, "on_assign")
        self._on_return = _hooks(self._listeners, "on_return")
        self._on_yield = _hooks(self._listeners, "on_yield")
        self._on_handed = _hooks(self._listeners, "on_handed")
        #: The words a handed function's name must end in for a listener to hear of it.
        self._handed_words: FrozenSet[str] = frozenset().union(*(hook.__self__.handed_words() for hook in self._on_handed))  # type: ignore[attr-defined]

    @property
    def scope(self) -> Scope:
        """The innermost scope at the current point of the walk."""
        return self.scopes[-1]

    # ------------------------------------------------------------------ lookup
    def lookup(self, name: str) -> Symbols:
        """What ``name`` refers to at the current point."""
        scopes = self.scopes
        current = scopes[-1]
        if not current.globals and not current.nonlocals:
            # The common case, without building the chain: innermost first, class scopes skipped.
            value = current.bindings.get(name)
            if value is not None and not current.star_imports:
                return value
            for scope in reversed(scopes):
                if scope.kind == "class" and scope is not current:
                    continue
                if scope.star_imports:
                    break  # star imports add guesses: the general path below
                value = scope.bindings.get(name)
                if value is not None:
                    return value
            else:
                return _FALLBACK_SYMBOLS.get(name, EMPTY)
        if name in current.globals:
            return self._lookup_from(name, [self.module_scope])
        chain: List[Scope] = [current]
        for scope in reversed(self.scopes[:-1]):
            if scope.kind != "class":
                chain.append(scope)
        if name in current.nonlocals:
            chain = [s for s in chain[1:] if s.kind in ("function", "lambda")]
        return self._lookup_from(name, chain)

    def binding_scope(self, name: str) -> Optional[int]:
        """Index in :attr:`scopes` of the scope that binds ``name`` as :meth:`lookup` finds it;
        None for a ``global``/``nonlocal`` name or one no scope binds."""
        scopes = self.scopes
        current = scopes[-1]
        if name in current.globals or name in current.nonlocals:
            return None
        for index in range(len(scopes) - 1, -1, -1):
            scope = scopes[index]
            if scope.kind == "class" and scope is not current:
                continue
            if name in scope.bindings:
                return index
        return None

    def outer_scope_of(self, name: str) -> Optional[Scope]:
        """Inside a function body: the enclosing scope (the module's, or an enclosing function's)
        whose binding of ``name`` a read here finds; None outside functions and for the function's
        own names."""
        scopes = self.scopes
        current = scopes[-1]
        if not self.function_stack or current.kind == "class":
            return None
        if name in current.globals:
            return self.module_scope
        if name in current.nonlocals:
            return next((s for s in reversed(scopes[:-1]) if s.kind in ("function", "lambda") and name in s.bindings), None)
        index = self.binding_scope(name)
        if index == len(scopes) - 1 and name in current.rebound:
            return current  # a nested function rebinds it (``nonlocal``)
        if index is None or index == len(scopes) - 1 or scopes[index].kind not in ("module", "function", "lambda"):
            return None
        return scopes[index]

    def record_outer_store(self, name: str, value: Symbols, scope: Optional[Scope] = None) -> None:
        """A function body stored ``value`` in ``name`` of an enclosing scope (``scope``, else the
        one :meth:`outer_scope_of` finds): kept for the reads of it walked before this store."""
        scope = scope or self.outer_scope_of(name)
        if scope is not None:
            self.add_outer_store((node_key(scope.node) if scope.node is not None else (0, 0, 0, 0), name), value)

    def add_outer_store(self, key: Tuple[NodeKey, str], value: Symbols) -> None:
        """``value`` is stored in what ``key`` names: (an enclosing scope's or a class's node key, name)."""
        if value:
            self.outer_stores[key] = self.outer_stores.get(key, EMPTY) | value

    def _lookup_from(self, name: str, chain: Sequence[Scope]) -> Symbols:
        for scope in chain:
            value = scope.bindings.get(name)
            if value is not None:
                return value
            if scope.star_imports:
                rest = self._lookup_from(name, chain[chain.index(scope) + 1 :])
                if name in UNBOUND_MODULES and not rest - _FALLBACK_SYMBOLS[name]:
                    return rest  # what a star import brings in as ``yaml`` is the yaml module
                guesses = frozenset(f"{module}.{name}" for module in scope.star_imports)
                return guesses | rest
        return _FALLBACK_SYMBOLS.get(name, EMPTY)


    # ------------------------------------------------------------------ binding
    def value_of(self, expr: ast.AST) -> Symbols:
        """What a name bound to ``expr`` holds: its symbols plus the value hook's facts."""
        symbols = self.symbols_of(expr)
        if self.value_hook is None:
            return symbols
        return symbols | self.value_hook(expr)

    def facts_of(self, expr: ast.AST) -> Symbols:
        """Only the value hook's facts about ``expr`` (what iterating or unpacking it yields)."""
        if self.value_hook is None:
            return EMPTY
        return self.value_hook(expr)

    def bind(self, name: str, value: Symbols) -> None:
        """Bind ``name`` in the scope an assignment at this point writes to."""
        scope = self.scopes[-1]
        if name in scope.globals:
            # The function may or may not run before the module's other uses: keep both.
            self._set(self.module_scope, name, _union(self.module_scope.bindings.get(name, _MISSING), value))
            self.record_outer_store(name, value, self.module_scope)
            return
        elif name in scope.nonlocals:
            for candidate in reversed(self.scopes[:-1]):
                if candidate.kind in ("function", "lambda") and name in candidate.bindings:
                    scope = candidate
                    self.record_outer_store(name, value, candidate)
                    break
        elif scope is self.module_scope:
            self.module_values.setdefault(name, []).append(self._binding_value)
        elif scope.kind == "class":
            self.class_values.setdefault((node_key(scope.node), name), []).append(self._binding_value)
        self._set(scope, name, value)

    def _set(self, scope: Scope, name: str, value: object) -> None:
        if self._chain_cache:
            self._chain_cache.clear()
        self._journal.append((scope, name, scope.bindings.get(name, _MISSING)))
        if value is _MISSING:
            scope.bindings.pop(name, None)
        else:
            scope.bindings[name] = value  # type: ignore[assignment]

    def _bind_target(self, target: ast.AST, value: Symbols, value_node: Optional[ast.AST] = None) -> None:
        """Bind an assignment target; walk the expressions inside it."""
        if isinstance(target, ast.Name):
            self._binding_value = value_node if isinstance(value_node, ast.expr) else None
            try:
                self.bind(target.id, value)
            finally:
                self._binding_value = None
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements: Optional[List[ast.AST]] = None
            if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(target.elts):
                if not any(isinstance(e, ast.Starred) for e in value_node.elts):
                    elements = list(value_node.elts)
            if elements is None:
                value = unpacked(value)
            starred = next((i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred)), None)
            for i, element in enumerate(target.elts):
                if elements is not None:
                    self._bind_target(element, self.value_of(elements[i]), elements[i])
                else:
                    # ``conn, addr = sock.accept()``: each part is a part of the whole. Past a starred
                    # target the parts count from the end (``head, *body, tail``: ``[-1]``, ``[1:-1]``).
                    part = f"[{i}]" if starred is None or i < starred else f"[{i - len(target.elts)}]"
                    if i == starred:
                        part = f"[{i}:{i + 1 - len(target.elts) or ''}]"
                    self._bind_target(element, self.part_hook(value, part) if self.part_hook is not None else value)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, value)
        elif isinstance(target, ast.Attribute):
            self._walk_expr(target.value)
            self.record_instance_attr(target, value)
        elif isinstance(target, ast.Subscript):
            self._walk_expr(target.value)
            self._walk_expr(target.slice)
            container = target.value
            if isinstance(container, ast.Attribute) and isinstance(container.value, ast.Name) and not value:
                # ``self.replies[data[0]] = data[1:]``: the provenance walk reads what the store puts
                # in, whatever this walk knows of it (nothing here, for data read from a socket).
                self.attribute_stores.append((self.function_stack[-1] if self.function_stack else None, container.attr))
            self.store_elements(container, value, literal_str(_subscript_key(target)))

    def _stored_by_call(self, func: ast.Attribute, args: List[ast.expr]) -> None:
        """``items.append(v)`` stores ``v``; ``items.extend(more)`` stores the elements of ``more``."""
        position = STORING_METHODS.get(func.attr, 0)
        if len(args) > position and not isinstance(args[position], ast.Starred):
            value = self.symbols_of(args[position])
            if func.attr in STORING_ALL_METHODS:
                value = frozenset(s for s in value if isinstance(s, Contains))
            self.store_elements(func.value, value)

    def store_elements(self, container: ast.AST, value: Symbols, key: Optional[str] = None) -> None:
        """``d[k] = v``: the container (a local name or ``self.<attr>``) also holds ``v``; not an outer name."""
        if not value:
            return
        held = contained(value, key)
        if isinstance(container, ast.Name):
            if container.id in self.scope.bindings:
                self.bind(container.id, self.lookup(container.id) | held)
        elif isinstance(container, ast.Attribute) and isinstance(container.value, ast.Name):
            if not container.attr.startswith("__"):  # ``self.__dict__[k] = v`` sets ``self.k``, not a container
                self.record_instance_attr(container, held)

    def record_instance_attr(self, target: ast.Attribute, value: Symbols) -> None:
        if not isinstance(target.value, ast.Name):
            return
        held = self.lookup(target.value.id)
        for sym in held:
            if isinstance(sym, LocalInstance):
                self.attribute_stores.append((self.function_stack[-1] if self.function_stack else None, target.attr))
                attrs = sym.cls.instance_attrs
                attrs[target.attr] = bounded_names(attrs.get(target.attr, EMPTY) | value)
                sym.cls.attr_lines.setdefault(target.attr, target.lineno)
                if value:
                    sym.cls.value_lines.setdefault(target.attr, target.lineno)
        name = target.value.id
        if name not in ("self", "cls") and name in self.scopes[-1].bindings and any(isinstance(sym, LocalInstance) for sym in held):
            # ``c = Canned(x); c.buffers = []``: this object's ``buffers`` is what was stored, from here on.
            self.bind(name, frozenset(
                replace(sym, replaced=tuple((a, v) for a, v in sym.replaced if a != target.attr) + ((target.attr, value),))
                if isinstance(sym, LocalInstance) else sym
                for sym in held
            ))

    # ------------------------------------------------------------------ branch merging
    def _changes_since(self, mark: int) -> Dict[Tuple[int, str], Tuple[Scope, str, object]]:
        """Each (scope, name) bound since ``mark``, with its value before ``mark``."""
        first: Dict[Tuple[int, str], Tuple[Scope, str, object]] = {}
        for scope, name, old in self._journal[mark:]:
            key = (id(scope), name)
            if key not in first:
                first[key] = (scope, name, old)
        return first

    def _current_values(self, changes: Dict[Tuple[int, str], Tuple[Scope, str, object]]) -> Dict[Tuple[int, str], object]:
        return {key: scope.bindings.get(name, _MISSING) for key, (scope, name, _) in changes.items()}

    def _restore(self, changes: Dict[Tuple[int, str], Tuple[Scope, str, object]], extra: Optional[Dict] = None) -> None:
        for key, (scope, name, old) in changes.items():
            value = old
            if extra is not None and key in extra:
                value = _union(old, extra[key])
            if scope.bindings.get(name, _MISSING) is not value:
                self._set(scope, name, value)

    def _widen(self, changes: Dict[Tuple[int, str], Tuple[Scope, str, object]]) -> None:
        """Join each changed binding with its value before the change, rebinding only where that
        adds something (the state "before or after", reached from "after")."""
        for scope, name, before in changes.values():
            current = scope.bindings.get(name, _MISSING)
            merged = _join(current, before)
            if merged is not current:
                self._set(scope, name, merged)

    def _walk_branches(
        self,
        branches: Sequence[Sequence[ast.stmt]],
        include_fallthrough: bool,
        guarded: Tuple[Optional[int], Optional[ast.expr]] = (None, None),
    ) -> None:
        """Walk alternative blocks from the same starting state; merge by union.

        ``include_fallthrough`` adds the starting state itself as an outcome
        (a loop body that may not run, a ``match`` with no case taken).
        """
        mark = len(self._journal)
        outcomes: List[Tuple[Dict, Dict]] = []
        last = len(branches) - 1
        for index, block in enumerate(branches):
            start = len(self._journal)
            if guarded[0] == index and guarded[1] is not None:
                self.guards.append(guarded[1])
                try:
                    self._walk_block(block)
                finally:
                    self.guards.pop()
            else:
                self._walk_block(block)
            if index == last:
                self._merge_in_place(mark, outcomes, not ends_flow(block), include_fallthrough)
                return
            changes = self._changes_since(start)
            if not ends_flow(block):
                outcomes.append((changes, self._current_values(changes)))
            self._restore(changes)
        self._merge_outcomes(mark, outcomes, include_fallthrough)

    def _merge_in_place(self, mark: int, outcomes: List[Tuple[Dict, Dict]], live: bool, include_fallthrough: bool) -> None:
        """Merge the branch just walked, whose bindings are still in force, with the earlier
        ``outcomes`` (and the state before ``mark`` with ``include_fallthrough``).

        A binding changes only where another outcome adds to it: a name bound in one branch of
        a nest of ``if``/``for``/``try`` blocks is merged once per level with no work when nothing
        else binds it, so a function nested ``d`` blocks deep costs about ``d`` merges, not ``d``
        restores and rebinds of every name bound inside it. When the branch leaves the flow
        (``live`` False), its bindings are undone and the others merged as usual.
        """
        if not live:
            self._restore(self._changes_since(mark))
            self._merge_outcomes(mark, outcomes, include_fallthrough)
            return
        for key, (scope, name, before) in self._changes_since(mark).items():
            current = scope.bindings.get(name, _MISSING)
            merged = _join(current, before) if include_fallthrough else current
            for _, result in outcomes:
                merged = _join(merged, result.get(key, before))
            if merged is not current:
                self._set(scope, name, merged)
        self._compact(mark)

    def _merge_outcomes(self, mark: int, outcomes: List[Tuple[Dict, Dict]], include_fallthrough: bool) -> None:
        all_changes = self._changes_since(mark)
        if not outcomes and not include_fallthrough:
            self._compact(mark)
            return  # every branch leaves the flow: what follows is unreachable from here
        merged: Dict[Tuple[int, str], object] = {}
        for key, (scope, name, before) in all_changes.items():
            values: List[object] = [before] if include_fallthrough else []
            for _, result in outcomes:
                values.append(result.get(key, before))
            value = values[0]
            for other in values[1:]:
                value = _union(value, other)
            merged[key] = value
        for key, (scope, name, _) in all_changes.items():
            if scope.bindings.get(name, _MISSING) is not merged[key]:
                self._set(scope, name, merged[key])
        self._compact(mark)

    def _compact(self, mark: int) -> None:
        """Fold the journal since ``mark`` into one entry per binding (its value before ``mark``).

        Enclosing constructs only ask what changed since their own mark and what it was
        before; without this, every nesting level would re-read every inner level's entries.
        """
        changes = self._changes_since(mark)
        self._journal[mark:] = list(changes.values())



