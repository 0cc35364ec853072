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
import builtins
from dataclasses import dataclass
from typing import (
    AbstractSet,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from .catalog.conventions import (
    STORING_ALL_METHODS,
    STORING_METHODS,
    CONTAINER_ANNOTATIONS,
    ELEMENT_METHODS,
    ELEMENTS_METHODS,
    EXPECTS_EXCEPTION,
    IMPORTS_BY_NAME,
    METHOD_WRAPPERS,
    NO_RETURN,
    TYPING_WRAPPERS,
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
    elements,
    unpacked,
    join as _join,
    union as _union,
    names_in,
    portable,
)
from .shapes import (
    carried_names,
    literal_rows,
    stores_on_self,
    all_args,
    decorator_names,
    default_of,
    ends_flow,
    is_classmethod,
    is_staticmethod,
    keyword_arg,
    literal_str,
    target_names,
)

_NO_NAMES: FrozenSet[str] = frozenset()
BUILTIN_NAMES = frozenset(dir(builtins))
#: What each built-in name resolves to (built once, shared).
_BUILTIN_SYMBOLS: Dict[str, FrozenSet[str]] = {name: frozenset((f"builtins.{name}",)) for name in BUILTIN_NAMES}
#: The call hook is asked ``PARTIAL_OF + name`` for ``functools.partial(name, ...)``.
PARTIAL_OF = "functools.partial:"
#: What a name resolves to when no scope binds it: a built-in, else one of :data:`UNBOUND_MODULES`.
_FALLBACK_SYMBOLS: Dict[str, FrozenSet[str]] = {
    **{name: frozenset((name,)) for name in UNBOUND_MODULES},
    **_BUILTIN_SYMBOLS,
}
#: Resolution through getattr()/partial()/class bases nests at most this deep.
_MAX_DEPTH = 24
#: A qualified name holds at most this many calls (``a.B().c().d()``: 3). The result of calling
#: a longer one is unknown: its provenance is then what the receiver and the arguments carry,
#: so a source anywhere in the chain still counts. Without the bound, ``self.x = self.x.m()``
#: and ``self.x = self.x.n()`` in many methods build every sequence of m and n as a name.
_MAX_CALLS = 6

_MATCH = getattr(ast, "Match", None)
_TRY_STAR = getattr(ast, "TryStar", None)

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
#: Expressions with nothing inside to visit.
_LEAVES = frozenset({ast.Name, ast.Constant})
_FUNCTION = type(lambda: None)
#: Expressions whose value is never a module, class, function or tracked object.
_SYMBOL_LESS = frozenset(
    {ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare, ast.JoinedStr, ast.FormattedValue, ast.Slice}
)
#: Fields that never hold an expression to visit (contexts, operators, comments).
_NOT_CHILDREN = frozenset({"ctx", "type_comment", "op", "ops"})


CallHook = Callable[[str, ast.Call], Optional[str]]
#: Extra elements (e.g. provenance facts) a binding of ``expr`` carries besides its symbols.
ValueHook = Callable[[ast.AST], FrozenSet]
#: Elements a parameter starts with: (function or lambda node, parameter, position, enclosing class).
ParamHook = Callable[[ast.AST, ast.arg, int, Optional["LocalDef"]], FrozenSet]
#: Whether an ``if`` test is a verification: True (passes when true), False (when false), None (not one).
GuardHook = Callable[[ast.expr], Optional[bool]]


class Scope:
    """Bindings of one scope, updated in source order."""

    __slots__ = ("kind", "node", "bindings", "globals", "nonlocals", "star_imports", "cls")

    def __init__(self, kind: str, node: Optional[ast.AST], cls: Optional[LocalDef] = None):
        self.kind = kind
        self.node = node
        self.bindings: Dict[str, Symbols] = {}
        self.globals: Set[str] = set()
        self.nonlocals: Set[str] = set()
        self.star_imports: List[str] = []
        self.cls = cls


def _import_target(module: Optional[str], level: int, name: str, package: Optional[str] = None) -> str:
    if level and package is not None:
        # ``from ..ser import loads`` in package ``app.api``: ``app.ser.loads``.
        parts = package.split(".") if package else []
        if level - 1 <= len(parts):
            base = parts[: len(parts) - (level - 1)]
            return ".".join(base + ([module] if module else []) + [name])
    prefix = "." * level
    if module:
        return f"{prefix}{module}.{name}"
    return f"{prefix}{name}"


@dataclass(frozen=True)
class ClassNeeds:
    """Which method bodies of a module's classes a rule family reads: its declaration to the text
    pre-check, which walks only those bodies in a module where nothing but a class's own protocol
    can be reported (:class:`flake8_pickle.precheck.ClassOnlyWalk`)."""

    #: A class defining one of these has every method read (its attributes matter), and so have
    #: its bases, its subclasses and the classes its body names.
    whole_class: FrozenSet[str] = frozenset()
    #: These methods are read on their own, with the constructors of the class defining them.
    methods: FrozenSet[str] = frozenset()
    #: Every method of an exception class is read, as for ``whole_class``.
    exceptions: bool = False

    def __or__(self, other: "ClassNeeds") -> "ClassNeeds":
        return ClassNeeds(
            self.whole_class | other.whole_class, self.methods | other.methods, self.exceptions or other.exceptions
        )


class Listener:
    """Hooks a rule family implements to receive facts during the single walk."""

    #: The class bodies the family reads (nothing by default); the pre-check combines every
    #: family's declaration, so a new class rule declares its methods here and nowhere else.
    needs: ClassVar[ClassNeeds] = ClassNeeds()

    def on_call(self, call: ast.Call, resolver: "Resolver") -> None:
        """Called for every call expression, before its arguments are walked."""

    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: "Resolver") -> None:
        """Called once a class body has been walked and its name bound."""

    def on_return(self, node: ast.Return, resolver: "Resolver") -> None:
        """Called for every ``return`` statement, after its value has been walked."""

    def on_assign(self, node: ast.Assign, resolver: "Resolver") -> None:
        """Called for every ``=`` assignment, after its value has been walked, before binding."""

    def on_yield(self, node: ast.AST, resolver: "Resolver") -> None:
        """Called for every ``yield``/``yield from`` expression, after its value has been walked."""

    def on_module_end(self, resolver: "Resolver") -> None:
        """Called after every deferred body has been walked."""


def _subscript_key(node: ast.Subscript) -> ast.AST:
    """The key expression of ``node`` (unwrapping Python 3.8's ``ast.Index``)."""
    key = node.slice
    if isinstance(key, ast.Index):  # pragma: no cover - Python 3.8 AST shape
        key = key.value  # type: ignore[attr-defined]
    return key


def _hooks(listeners: Sequence[Listener], event: str) -> List[Callable[..., None]]:
    """The bound ``event`` methods of the ``listeners`` that override :class:`Listener`'s."""
    default = getattr(Listener, event)
    return [getattr(listener, event) for listener in listeners if getattr(type(listener), event) is not default]


class Resolver:
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
        self.param_hook = param_hook
        self.guard_hook = guard_hook
        #: When given, asked before walking the body of each module-level function and each
        #: method (with its class): a body it rejects is never walked (no listener needs it).
        self.walk_function = walk_function
        #: The deferred entries (body, scopes, class) of the bodies ``walk_function`` rejected.
        self._skipped: List[Tuple[ast.AST, List[Scope], Optional[LocalDef]]] = []
        #: (innermost function or None, attribute) of each store into an attribute of the module's
        #: own instances (``self.x = ...``, ``self.r, self.w = ...``, ``for self.item in ...``).
        self.attribute_stores: List[Tuple[Optional[ast.AST], str]] = []
        #: Every class of the module, in the order the walk met them.
        self.classes: List[LocalDef] = []
        #: Class node id -> what its instance attributes are known to hold before the walk (see
        #: :meth:`portable_state`): read before any method stores them, they still resolve.
        self.seeded_attrs: Dict[int, Dict[str, Symbols]] = {}
        #: The verification tests that must have passed for the walk to be here (innermost last).
        self.guards: List[ast.expr] = []
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
        self.yielded: Dict[int, Symbols] = {}
        #: Node ids of the ``@contextmanager`` functions a ``with`` used before their body was walked.
        self.unresolved_managers: Set[int] = set()
        #: (class, attribute) -> its symbols when first read (first walk only; see :meth:`late_state_classes`).
        self.first_reads: Dict[Tuple[LocalDef, str], Symbols] = {}
        #: Node ids of the classes whose methods read instance state a later method stores (given by
        #: the first walk): the data-flow walk learns their state before walking them. None: every class.
        self.learn_classes: Optional[Set[int]] = None
        #: The package the module belongs to (``app.api`` for ``app/api/views.py``), when known:
        #: relative imports then resolve to absolute names.
        self.package: Optional[str] = None
        #: Project aliases (see :mod:`flake8_pickle.project`): a qualified name -> the other
        #: qualified names it is (``app.ser.loads`` is ``pickle.loads``), or None.
        self.aliases: Optional[Callable[[str], Optional[FrozenSet[str]]]] = None

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
        self._drain()

    def walk_more(self) -> Set[int]:
        """Walk the bodies ``walk_function`` rejected before and accepts now (its answers grew),
        in their order, each in the scopes it was defined in. Returns their node ids."""
        assert self.walk_function is not None
        accepted = [entry for entry in self._skipped if self.walk_function(entry[0], entry[2])]
        taken = {id(entry[0]) for entry in accepted}
        if not accepted:
            return taken
        self._skipped = [entry for entry in self._skipped if id(entry[0]) not in taken]
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
                if cls is not None and self.value_hook is not None and id(cls) not in learned:
                    learned.add(id(cls))
                    self._learn_instance_state(batch, cls)
                self._run_deferred(node, chain, cls)

    def portable_state(self) -> Tuple[Dict[int, Dict[str, Symbols]], Set[str]]:
        """What this walk learned the module's instance attributes hold, for another walk of the
        same tree: per class node id, the qualified names each attribute may hold (names of
        library objects mean the same in any walk), and the attributes that may also hold one of
        the module's own objects (those need the bodies storing them walked again)."""
        state: Dict[int, Dict[str, Symbols]] = {}
        local: Set[str] = set()
        for cls in self.classes:
            for attr, symbols in cls.instance_attrs.items():
                names = frozenset(symbol for symbol in symbols if portable(symbol))
                if names:
                    state.setdefault(id(cls.node), {})[attr] = names
                if len(names) != len(symbols):
                    local.add(attr)
        return state, local

    def late_state_classes(self) -> Set[int]:
        """Node ids of the classes one of whose methods resolved an instance attribute before
        another method stored something more in it (``self.sock.recv()`` in ``run()``, the socket
        created in ``connect()``, defined later)."""
        late: Set[int] = set()
        for (cls, attr), seen in self.first_reads.items():
            final = cls.instance_attrs.get(attr, EMPTY)
            if final is not seen and not final <= seen:
                late.add(id(cls.node))
        return late

    def _learn_instance_state(self, batch: Sequence[Tuple[ast.AST, List[Scope], Optional[LocalDef]]], cls: LocalDef) -> None:
        """Walk quietly every method of ``cls`` that stores on ``self``, before any is walked for real.

        Only for the classes :attr:`learn_classes` names: there, what an attribute *is* (a zmq
        socket, a ``Client``) is known only once a later method has run. What an attribute holds
        as data needs no early walk: its readers carry a symbolic fact resolved at the end.
        """
        if self.learn_classes is not None and id(cls.node) not in self.learn_classes:
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
        self._on_assign = _hooks(self._listeners, "on_assign")
        self._on_return = _hooks(self._listeners, "on_return")
        self._on_yield = _hooks(self._listeners, "on_yield")

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
            for index in range(len(scopes) - 1, -1, -1):
                scope = scopes[index]
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

    def qualified_names(self, expr: Optional[ast.AST]) -> AbstractSet[str]:
        """The importable qualified names ``expr`` may evaluate to (do not modify the answer)."""
        if expr is None:
            return _NO_NAMES
        if expr is self._memo_expr:
            # The callee of the call whose listeners are running: every listener asks.
            if self._memo_names is None:
                self._memo_names = frozenset(names_in(self.symbols_of(expr)))
            return self._memo_names
        return names_in(self.symbols_of(expr))

    def symbols_of(self, expr: ast.AST, depth: int = 0) -> Symbols:
        """Every symbol ``expr`` may evaluate to at the current point (empty if unknown)."""
        if expr is self._memo_expr:
            if self._memo_symbols is None:
                self._memo_expr = None
                self._memo_symbols = self.symbols_of(expr, depth)
                self._memo_expr = expr
            return self._memo_symbols
        kind = type(expr)
        if kind is ast.Name:
            return self.lookup(expr.id)  # type: ignore[attr-defined]
        if kind in _SYMBOL_LESS or depth > _MAX_DEPTH:
            return EMPTY
        # Peel attribute/call/subscript chains iteratively: a.b().c[0].d
        cache = self._chain_cache if depth == 0 else None
        chain: List[ast.AST] = []
        node = expr
        while True:
            if cache is not None and node in cache:
                base = cache[node]
                break
            if isinstance(node, ast.Attribute):
                chain.append(node)
                node = node.value
            elif isinstance(node, ast.Call):
                special = self._special_call(node, depth)
                if special is not None:
                    base = special
                    break
                chain.append(node)
                node = node.func
            elif isinstance(node, ast.Subscript):
                special = self._special_subscript(node)
                if special is not None:
                    base = special
                    break
                base = self._subscript_items(node, depth)
                break
            elif isinstance(node, ast.Await):
                node = node.value
            else:
                base = self._atom(node, depth)
                break
        for link in reversed(chain):
            if not base:
                base = EMPTY
            elif len(base) == 1:
                # The common case: one symbol, whose answer is already a frozenset.
                for only in base:
                    base = self.attribute_of(only, link.attr) if type(link) is ast.Attribute else self._call_result(only, link)  # type: ignore[arg-type, attr-defined]
            elif type(link) is ast.Attribute:
                base = frozenset(s for sym in base for s in self.attribute_of(sym, link.attr))  # type: ignore[attr-defined]
            else:
                assert isinstance(link, ast.Call)
                base = frozenset(s for sym in base for s in self._call_result(sym, link))
            if cache is not None:
                cache[link] = base
        return base

    def _atom(self, node: ast.AST, depth: int) -> Symbols:
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.NamedExpr):
            return self.symbols_of(node.value, depth + 1)
        if isinstance(node, ast.IfExp):
            return self.symbols_of(node.body, depth + 1) | self.symbols_of(node.orelse, depth + 1)
        if isinstance(node, ast.BoolOp):
            out: Set[Symbol] = set()
            for value in node.values:
                out |= self.symbols_of(value, depth + 1)
            return frozenset(out)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            if isinstance(node, ast.Dict):
                elements = node.values
                keys = [None if key is None else literal_str(key) for key in node.keys]
            else:
                elements = node.elts
                keys = [None] * len(elements)
            held: Set[Symbol] = set()
            for element, key in zip(elements, keys):
                if isinstance(element, ast.Starred):
                    element = element.value
                for symbol in self.symbols_of(element, depth + 1):
                    if not isinstance(symbol, Contains):
                        symbol = Contains(symbol, key)
                    elif key is not None:
                        # ``{"locks": [lock]}``: what the list holds is read as held under "locks".
                        symbol = Contains(symbol.item, key)
                    held.add(symbol)
            return frozenset(held)
        if isinstance(node, ast.Lambda):
            return frozenset((LocalDef(node, "lambda", "<lambda>", nested=self._in_function()),))
        if isinstance(node, ast.GeneratorExp):
            return frozenset((Generated(node, id(node)),))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp)):
            return self._comprehension_elements(node, depth)
        return EMPTY

    def _comprehension_elements(self, node: ast.AST, depth: int) -> Symbols:
        """``[open(p) for p in paths]``, ``{n: Lock() for n in names}``: a container of what the
        element (a dict comprehension's value) may be, read with the comprehension's own targets
        bound (to the iterables' elements) so that an outer name of the same spelling is not read."""
        generators: List[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        element = node.value if isinstance(node, ast.DictComp) else node.elt  # type: ignore[attr-defined]
        scope = Scope("comprehension", node)
        self.scopes.append(scope)
        if self._chain_cache:
            self._chain_cache.clear()
        try:
            for gen in generators:
                items = self.elements_of(gen.iter, depth + 1)
                for name in target_names(gen.target):
                    scope.bindings[name] = items
            held = self.symbols_of(element, depth + 1)
        finally:
            self.scopes.pop()
            if self._chain_cache:
                self._chain_cache.clear()
        return contained(held)

    def _in_function(self) -> bool:
        return any(scope.kind in ("function", "lambda") for scope in self.scopes)

    def _named(self, name: str) -> Symbols:
        """``name``, with the other names the project's aliases say it is."""
        if self.aliases is not None:
            more = self.aliases(name)
            if more:
                return more | {name}
        return frozenset((name,))

    def attribute_of(self, symbol: Symbol, attr: str, depth: int = 0) -> Symbols:
        """The symbols of ``<symbol>.<attr>``."""
        if isinstance(symbol, str):
            return self._named(f"{symbol}.{attr}")
        if depth > _MAX_DEPTH:
            return EMPTY
        if isinstance(symbol, LocalDef):
            if symbol.kind != "class":
                return EMPTY
            if attr in symbol.members:
                return symbol.members[attr]
            out: Set[Symbol] = set()
            for base in symbol.bases:
                for b in base:
                    out |= self.attribute_of(b, attr, depth + 1)
            return frozenset(out)
        if isinstance(symbol, LocalInstance):
            cls = symbol.cls
            if attr in cls.members:
                return cls.members[attr]
            found = cls.instance_attrs.get(attr)
            if self.value_hook is None:
                # What each instance attribute resolved to when first read: a later method that
                # stores more in it makes the class one whose state the data-flow walk learns first.
                self.first_reads.setdefault((cls, attr), found or EMPTY)
            if found is not None:
                return found
            out = set()
            for base in cls.bases:
                for b in base:
                    if isinstance(b, str):
                        out.add(f"{b}().{attr}")
                    elif isinstance(b, LocalDef) and b.kind == "class":
                        out |= self.attribute_of(LocalInstance(b), attr, depth + 1)
            return frozenset(out)
        return EMPTY

    def _call_result(self, symbol: Symbol, call: ast.Call) -> Symbols:
        if isinstance(symbol, str):
            if symbol == "functools.partial" and call.args:
                return self._partial_result(call)
            if self.call_hook is not None:
                variant = self.call_hook(symbol, call)
                if variant is not None:
                    return frozenset((variant,))
            if symbol.count("()") >= _MAX_CALLS:
                return EMPTY
            # ``resolve_serializer()``: a project function may return a class or a loader.
            return self._named(f"{symbol}()")
        if isinstance(symbol, LocalDef) and symbol.kind == "class":
            return frozenset((LocalInstance(symbol),))
        if isinstance(symbol, LocalDef) and symbol.kind == "function":
            produced = frozenset((Generated(call, id(call), symbol.node),))
            returns = getattr(symbol.node, "returns", None)
            if returns is not None:
                # ``def make() -> Client``: the call gives a Client.
                produced = produced | self.annotated_instance(returns)
            return produced
        return EMPTY

    def _partial_result(self, call: ast.Call) -> Symbols:
        """``functools.partial(f, *args, **kwargs)``: what ``f`` is, or a variant of it.

        When the partial binds arguments, the call hook is asked about
        ``"functools.partial:" + name`` for each qualified name ``f`` may be. A variant
        it returns (``torch.load(partial@3:9)``: calls of it depend on what the partial
        bound) replaces the name, and :attr:`partial_calls` maps it to the partial's call
        so that a check can read the bound arguments back.
        """
        targets = self.symbols_of(call.args[0], 1)
        if self.call_hook is None or (len(call.args) == 1 and not call.keywords):
            return targets
        out: Set[Symbol] = set()
        for target in targets:
            variant = self.call_hook(PARTIAL_OF + target, call) if isinstance(target, str) else None
            if variant is None:
                out.add(target)
            else:
                self.partial_calls[variant] = call
                out.add(variant)
        return frozenset(out)

    def _special_call(self, call: ast.Call, depth: int) -> Optional[Symbols]:
        """getattr(m, "x"), __import__("m"), importlib.import_module("m"), pytest.importorskip("m"),
        sys.modules.get("m")."""
        func = call.func
        if isinstance(func, ast.Attribute) and (func.attr in ELEMENT_METHODS or func.attr in ELEMENTS_METHODS):
            elements = self._element_call(call, func, depth)
            if elements is not None:
                return elements
        # Only plain dotted callees of up to three parts can be one of these; checking
        # nothing longer keeps resolution of long method chains linear.
        links = 0
        probe: ast.AST = func
        while isinstance(probe, ast.Attribute) and links < 3:
            probe = probe.value
            links += 1
        if not isinstance(probe, ast.Name) or not call.args:
            return None
        callee = self.qualified_names(func)
        if not callee:
            return None
        args = call.args
        if "builtins.getattr" in callee and len(args) >= 2:
            attr = literal_str(args[1])
            if attr is None:
                return EMPTY
            out: Set[Symbol] = set()
            for sym in self.symbols_of(args[0], depth + 1):
                out |= self.attribute_of(sym, attr)
            if len(args) >= 3:
                out |= self.symbols_of(args[2], depth + 1)
            return frozenset(out)
        if callee & {"builtins.__import__", "importlib.__import__"} and args:
            name = literal_str(args[0])
            if not name or name.startswith("."):
                return EMPTY
            fromlist = keyword_arg(call, "fromlist")
            if fromlist is None and len(args) >= 4:
                fromlist = args[3]
            wants_leaf = isinstance(fromlist, (ast.List, ast.Tuple, ast.Set)) and bool(fromlist.elts)
            wants_leaf = wants_leaf or (isinstance(fromlist, ast.Constant) and bool(fromlist.value))
            return frozenset((name if wants_leaf else name.split(".")[0],))
        if callee & IMPORTS_BY_NAME and args:
            # Each returns the module named, a submodule included (not its top-level package).
            name = literal_str(args[0])
            if not name or name.startswith("."):
                return EMPTY
            return frozenset((name,))
        if "sys.modules.get" in callee and args:
            name = literal_str(args[0])
            return frozenset((name,)) if name else EMPTY
        if callee & METHOD_WRAPPERS and len(args) == 1 and not call.keywords:
            # ``loads = staticmethod(pickle.loads)`` in a class body: the class's ``loads`` is pickle's.
            return self.symbols_of(args[0], depth + 1)
        return None

    def _element_call(self, call: ast.Call, func: ast.Attribute, depth: int) -> Optional[Symbols]:
        """``d.get(k)``, ``d.pop(k)``, ``d.values()``, ``d.items()`` on a container value: one of its
        elements, or its elements again. None when the receiver holds no elements (a plain call)."""
        receiver = self.symbols_of(func.value, depth + 1)
        held = [s for s in receiver if isinstance(s, Contains)]
        if not held:
            return None
        if func.attr in ELEMENTS_METHODS:
            out: Set[Symbol] = set(held)
        else:
            out = set(elements(held, literal_str(call.args[0]) if call.args else None))
        for symbol in receiver:
            if not isinstance(symbol, Contains):
                for method in self.attribute_of(symbol, func.attr):
                    out |= self._call_result(method, call)
        if func.attr in ("get", "pop", "setdefault") and len(call.args) >= 2:
            out |= self.symbols_of(call.args[1], depth + 1)  # the default
        return frozenset(out)

    def _subscript_items(self, node: ast.Subscript, depth: int) -> Symbols:
        """What ``container[key]`` may be: the container's elements, only those stored under
        ``key`` (or under an unknown key) when ``key`` is a string literal."""
        return elements(self.symbols_of(node.value, depth + 1), literal_str(_subscript_key(node)))

    def elements_of(self, expr: ast.AST, depth: int = 0) -> Symbols:
        """What iterating ``expr`` gives: the elements of the containers it is (of a generator expression too)."""
        gen = isinstance(expr, ast.GeneratorExp)
        return elements(self._comprehension_elements(expr, depth) if gen else self.symbols_of(expr, depth))

    def _special_subscript(self, node: ast.Subscript) -> Optional[Symbols]:
        name = literal_str(_subscript_key(node))
        return frozenset((name,)) if name and "sys.modules" in self.qualified_names(node.value) else None

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
            return
        elif name in scope.nonlocals:
            for candidate in reversed(self.scopes[:-1]):
                if candidate.kind in ("function", "lambda") and name in candidate.bindings:
                    scope = candidate
                    break
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
            self.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements: Optional[List[ast.AST]] = None
            if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(target.elts):
                if not any(isinstance(e, ast.Starred) for e in value_node.elts):
                    elements = list(value_node.elts)
            if elements is None:
                value = unpacked(value)
            for i, element in enumerate(target.elts):
                if elements is not None:
                    self._bind_target(element, self.value_of(elements[i]), elements[i])
                else:
                    # ``conn, addr = sock.accept()``: each part is a part of the whole.
                    self._bind_target(element, value)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, value)
        elif isinstance(target, ast.Attribute):
            self._walk_expr(target.value)
            self.record_instance_attr(target, value)
        elif isinstance(target, ast.Subscript):
            self._walk_expr(target.value)
            self._walk_expr(target.slice)
            self.store_elements(target.value, value, literal_str(_subscript_key(target)))

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
        for sym in self.lookup(target.value.id):
            if isinstance(sym, LocalInstance):
                self.attribute_stores.append((self.function_stack[-1] if self.function_stack else None, target.attr))
                attrs = sym.cls.instance_attrs
                attrs[target.attr] = bounded_names(attrs.get(target.attr, EMPTY) | value)
                sym.cls.attr_lines.setdefault(target.attr, target.lineno)

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

    # ------------------------------------------------------------------ statements
    def _walk_block(self, statements: Sequence[ast.stmt]) -> None:
        depth = len(self.guards)
        for statement in statements:
            self._walk_stmt(statement)
            if isinstance(statement, ast.If):
                polarity = self._guard_polarity(statement)
                failing = statement.orelse if polarity else statement.body
                if polarity is not None and (ends_flow(failing) or self._ends_in_noreturn_call(failing)):
                    # ``if not verified: raise`` guards everything after it in this block.
                    self.guards.append(statement.test)
        del self.guards[depth:]

    def _ends_in_noreturn_call(self, block: Sequence[ast.stmt]) -> bool:
        """``abort(403)``, ``sys.exit(1)``: a last statement that never returns."""
        if not block or not isinstance(block[-1], ast.Expr) or not isinstance(block[-1].value, ast.Call):
            return False
        return bool(self.qualified_names(block[-1].value.func) & NO_RETURN)

    def _guard_polarity(self, node: ast.If) -> Optional[bool]:
        if self.guard_hook is None or (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)):
            return None
        return self.guard_hook(node.test)

    def _walk_stmt(self, node: ast.stmt) -> None:
        handler = _STATEMENT_HANDLERS.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            self._walk_generic_stmt(node)

    def _walk_generic_stmt(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self._walk_stmt(child)
            elif isinstance(child, ast.expr):
                self._walk_expr(child)
            else:
                self._walk_generic_stmt(child)

    def _stmt_expr(self, node: ast.Expr) -> None:
        self._walk_expr(node.value)

    def _stmt_raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self._walk_expr(node.exc)
        if node.cause is not None:
            self._walk_expr(node.cause)

    def _stmt_assert(self, node: ast.Assert) -> None:
        self._walk_expr(node.test)
        if node.msg is not None:
            self._walk_expr(node.msg)

    def _stmt_nothing(self, node: ast.stmt) -> None:
        """``pass``, ``break``, ``continue``: nothing to bind or visit."""

    def _stmt_return(self, node: ast.Return) -> None:
        if node.value is not None:
            self._walk_expr(node.value)
        for hook in self._on_return:
            hook(node, self)

    def _stmt_assign(self, node: ast.Assign) -> None:
        # One chain cache for the walk of the value and its binding: ``x = a.b.c()`` resolves
        # each link once (a binding made in between, by a walrus, empties the cache).
        owner = self._chain_cache is None
        if owner:
            self._chain_cache = {}
        try:
            self._walk_expr(node.value)
            for hook in self._on_assign:
                hook(node, self)
            value = self.value_of(node.value)
        finally:
            if owner:
                self._chain_cache = None
        for target in node.targets:
            self._bind_target(target, value, node.value)

    def _stmt_annassign(self, node: ast.AnnAssign) -> None:
        self._walk_expr(node.annotation)
        if node.value is not None:
            self._walk_expr(node.value)
            value = self.value_of(node.value)
            if isinstance(node.target, ast.Name):
                value = value | self.annotated_instance(node.annotation)
            self._bind_target(node.target, value, node.value)
        elif not isinstance(node.target, ast.Name):
            self._bind_target(node.target, EMPTY)

    def _stmt_augassign(self, node: ast.AugAssign) -> None:
        self._walk_expr(node.value)
        if isinstance(node.target, ast.Name):
            # ``data += chunk``: the result holds both; it is no longer a module or function.
            old = self.lookup(node.target.id)
            kept = frozenset(s for s in old if not isinstance(s, (str, LocalDef)))
            self.bind(node.target.id, kept | self.facts_of(node.value))
        else:
            self._bind_target(node.target, EMPTY)

    def _stmt_delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._bind_target(target, EMPTY)

    def _stmt_import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imported_roots.add(alias.name.split(".")[0])
            parts = alias.name.split(".")
            self.imported_modules.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            if alias.asname:
                self.bind(alias.asname, frozenset((alias.name,)))
            else:
                top = alias.name.split(".")[0]
                self.bind(top, frozenset((top,)))

    def _stmt_importfrom(self, node: ast.ImportFrom) -> None:
        level = node.level or 0
        if level == 0 and node.module:
            self.imported_roots.add(node.module.split(".")[0])
        for alias in node.names:
            if alias.name == "*":
                if level == 0 and node.module:
                    self.scope.star_imports.append(node.module)
                continue
            target = _import_target(node.module, level, alias.name, self.package)
            if level and self.package is not None:
                self.imported_roots.add(target.split(".")[0])
            value = frozenset((target,))
            if self.aliases is not None:
                more = self.aliases(target)
                if more:
                    value = value | more
            self.bind(alias.asname or alias.name, value)

    def _stmt_global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def _stmt_nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def _stmt_if(self, node: ast.If) -> None:
        # An elif chain nests in the AST as deep as it is long: flatten it, not recurse.
        branches: List[Sequence[ast.stmt]] = []
        current: ast.If = node
        while True:
            self._walk_expr(current.test)
            branches.append(current.body)
            orelse = current.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If):
                current = orelse[0]
                continue
            branches.append(orelse)
            break
        polarity = self._guard_polarity(node)
        guarded = None if polarity is None else (0 if polarity else 1)
        fallthrough = not branches[-1]
        if fallthrough:
            # No ``else``: the state before the chain is the last outcome, and the last test's body
            # is the branch merged in place (see _merge_in_place).
            branches.pop()
        self._walk_branches(branches, include_fallthrough=fallthrough, guarded=(guarded, node.test))

    def _stmt_loop(self, node: Union[ast.For, ast.AsyncFor, ast.While]) -> None:
        if self.value_hook is not None and not self.quiet and self._loop_depth == 0:
            carried = carried_names(node)
            if carried:
                # Follow the back edge: ``a = b; b = data`` gives ``a`` the data on the next pass.
                # Earlier passes are quiet; the outermost loop iterates, inner ones ride along.
                self._loop_depth += 1
                try:
                    for _ in range(_LOOP_PASSES):
                        mark = len(self._journal)
                        self.walk_quietly(lambda: self._loop_pass(node))
                        changes = self._changes_since(mark)
                        if not any(
                            name in carried and scope.bindings.get(name, _MISSING) != old
                            for scope, name, old in changes.values()
                        ):
                            break
                finally:
                    self._loop_depth -= 1
        self._loop_depth += 1
        try:
            self._loop_pass(node)
        finally:
            self._loop_depth -= 1
        self._walk_block(node.orelse)

    def _loop_pass(self, node: Union[ast.For, ast.AsyncFor, ast.While]) -> None:
        """One pass of a loop body from the current state, merged with not running it."""
        mark = len(self._journal)
        if isinstance(node, ast.While):
            self._walk_expr(node.test)
        else:
            self._walk_expr(node.iter)
            positions = literal_rows(node.target, node.iter)
            if positions is not None:
                # ``for a, b in [(x, y), ...]``: each name gets its own column.
                for target, column in zip(node.target.elts, positions):  # type: ignore[attr-defined]
                    value: Symbols = EMPTY
                    for cell in column:
                        value = value | self.value_of(cell)
                    self._bind_target(target, value, column[0] if len(column) == 1 else None)
            else:
                items = self.elements_of(node.iter)
                self._bind_target(node.target, items | self.facts_of(node.iter))
        self._walk_block(node.body)
        self._merge_in_place(mark, [], live=True, include_fallthrough=True)

    def _stmt_with(self, node: Union[ast.With, ast.AsyncWith]) -> None:
        expects = False
        for item in node.items:
            self._walk_expr(item.context_expr)
            if item.optional_vars is not None:
                # __enter__ of files, sockets, locks, pools and sessions returns self; a
                # ``@contextmanager`` function of the module gives what it yields.
                self._bind_target(item.optional_vars, self.value_of(item.context_expr) | self._managed(item.context_expr))
            if isinstance(item.context_expr, ast.Call):
                names = self.qualified_names(item.context_expr.func)
                expects = expects or any(n in EXPECTS_EXCEPTION or n.endswith(_ASSERT_RAISES) for n in names)
        self.expecting_exception += expects
        try:
            self._walk_block(node.body)
        finally:
            self.expecting_exception -= expects

    def _stmt_try(self, node: ast.Try) -> None:
        mark = len(self._journal)
        self._walk_block(node.body)
        self._walk_block(node.orelse)
        live = not ends_flow(node.orelse or node.body)
        if not node.handlers:
            self._merge_in_place(mark, [], live, include_fallthrough=False)
            self._walk_block(node.finalbody)
            return
        body_changes = self._changes_since(mark)
        body_values = self._current_values(body_changes)
        outcomes: List[Tuple[Dict, Dict]] = []
        if live:
            outcomes.append((body_changes, body_values))
        for index, handler in enumerate(node.handlers):
            # The exception may come from anywhere in the body: start from either state.
            if index == 0:
                self._widen(body_changes)
            else:
                self._restore(body_changes, extra=body_values)
            if handler.type is not None:
                self._walk_expr(handler.type)
            if handler.name:
                self.bind(handler.name, EMPTY)
            self._walk_block(handler.body)
            if index == len(node.handlers) - 1:
                self._merge_in_place(mark, outcomes, not ends_flow(handler.body), include_fallthrough=False)
                break
            changes = self._changes_since(mark)
            if not ends_flow(handler.body):
                outcomes.append((changes, self._current_values(changes)))
            self._restore(changes)
        self._walk_block(node.finalbody)

    def _stmt_match(self, node: ast.AST) -> None:
        self._walk_expr(node.subject)  # type: ignore[attr-defined]
        mark = len(self._journal)
        outcomes: List[Tuple[Dict, Dict]] = []
        for case in node.cases:  # type: ignore[attr-defined]
            start = len(self._journal)
            for sub in ast.walk(case.pattern):
                name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                if isinstance(name, str):
                    self.bind(name, EMPTY)
                if isinstance(sub, ast.expr):
                    self._walk_expr(sub)
            if case.guard is not None:
                self._walk_expr(case.guard)
            self._walk_block(case.body)
            changes = self._changes_since(start)
            if not ends_flow(case.body):
                outcomes.append((changes, self._current_values(changes)))
            self._restore(self._changes_since(mark))
        self._merge_outcomes(mark, outcomes, include_fallthrough=True)

    def _stmt_function(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> None:
        for decorator in node.decorator_list:
            self._walk_expr(decorator)
        self._walk_arguments_outside(node.args)
        if node.returns is not None:
            self._walk_expr(node.returns)
        enclosing_cls = self.scope.cls if self.scope.kind == "class" else None
        entry = (node, list(self.scopes), enclosing_cls)
        if enclosing_cls is not None and node.name in _WALKED_FIRST:
            # Attribute types come from __init__: walk it before the class's other methods.
            self._deferred.insert(self._class_deferral_start, entry)
        else:
            self._deferred.append(entry)
        nested = self._in_function() and node.name not in self.scope.globals
        self.bind(node.name, frozenset((LocalDef(node, "function", node.name, nested=nested),)))

    def _walk_arguments_outside(self, args: ast.arguments) -> None:
        """Defaults and annotations are evaluated where the function is defined."""
        for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self._walk_expr(default)
        for arg in all_args(args):
            if arg.annotation is not None:
                self._walk_expr(arg.annotation)

    def _stmt_class(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self._walk_expr(decorator)
        for base in node.bases:
            self._walk_expr(base)
        for keyword in node.keywords:
            self._walk_expr(keyword.value)
        bases = tuple(self.symbols_of(b) for b in node.bases)
        nested = self._in_function() and node.name not in self.scope.globals
        local = LocalDef(node, "class", node.name, bases=bases, nested=nested)
        self.classes.append(local)
        seeded = self.seeded_attrs.get(id(node))
        if seeded:
            local.instance_attrs.update(seeded)
        scope = Scope("class", node, cls=local)
        local.members = scope.bindings
        self.scopes.append(scope)
        saved_start, self._class_deferral_start = self._class_deferral_start, len(self._deferred)
        try:
            self._walk_block(node.body)
        finally:
            self.scopes.pop()
            self._class_deferral_start = saved_start
        self.bind(node.name, frozenset((local,)))
        for listener in self.listeners:
            listener.on_class(node, local, self)

    def _run_deferred(self, node: ast.AST, chain: List[Scope], cls: Optional[LocalDef]) -> None:
        saved_scopes, saved_journal, saved_guards = self.scopes, self._journal, self.guards
        self.guards = []  # a body runs when called, not where it is defined
        kind = "lambda" if isinstance(node, ast.Lambda) else "function"
        scope = Scope(kind, node)
        self.scopes = chain + [scope]
        self._journal = []
        self.function_stack.append(node)
        try:
            args: ast.arguments = node.args  # type: ignore[attr-defined]
            positional = list(getattr(args, "posonlyargs", [])) + list(args.args)
            has_defaults = bool(args.defaults) or any(d is not None for d in args.kw_defaults)
            for index, arg in enumerate(all_args(args)):
                value = self.annotated_instance(arg.annotation) if arg.annotation is not None else EMPTY
                default = default_of(node, arg.arg) if has_defaults else None
                if default is not None and type(default) in (ast.Name, ast.Attribute):
                    # ``pickle_module=pickle``: unless a caller passes another, it is that module.
                    value = value | (self.qualified_names(default) & self.imported_modules)
                if self.param_hook is not None:
                    value = value | self.param_hook(node, arg, index, cls)
                self.bind(arg.arg, value)
            if cls is not None and positional and not is_staticmethod(node):
                first = positional[0].arg
                if is_classmethod(node):
                    self.bind(first, frozenset((cls,)))
                else:
                    self.bind(first, frozenset((LocalInstance(cls),)))
            if isinstance(node, ast.Lambda):
                self._walk_expr(node.body)
            else:
                self._walk_block(node.body)  # type: ignore[attr-defined]
        finally:
            self.function_stack.pop()
            self.scopes, self._journal, self.guards = saved_scopes, saved_journal, saved_guards

    def annotated_instance(self, annotation: ast.AST, depth: int = 0) -> Symbols:
        """``sock: socket.socket`` makes ``sock`` an instance: ``socket.socket()``."""
        if depth > 4:
            return EMPTY
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return self.annotated_instance(annotation.left, depth + 1) | self.annotated_instance(
                annotation.right, depth + 1
            )
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            parsed = self._string_annotation(annotation)
            return EMPTY if parsed is None else self.annotated_instance(parsed, depth + 1)
        if isinstance(annotation, ast.Subscript):
            wrapper = self.qualified_names(annotation.value)
            inner = annotation.slice
            parts = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
            if wrapper & TYPING_WRAPPERS:
                if wrapper & {"typing.Annotated", "typing_extensions.Annotated"}:
                    parts = parts[:1]
                out: Symbols = EMPTY
                for part in parts:
                    out = out | self.annotated_instance(part, depth + 1)
                return out
            for name in wrapper:
                if name in CONTAINER_ANNOTATIONS:
                    # ``list[Client]``, ``dict[str, Client]``: a container whose elements are instances.
                    position = CONTAINER_ANNOTATIONS[name]
                    if position is not None:
                        parts = parts[position : position + 1]
                    elements: Symbols = EMPTY
                    for part in parts:
                        if not (isinstance(part, ast.Constant) and part.value is Ellipsis):
                            elements = elements | self.annotated_instance(part, depth + 1)
                    return frozenset(Contains(element) for element in elements)
            return EMPTY
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return EMPTY
        out_set: Set[Symbol] = set()
        for symbol in self.symbols_of(annotation):
            if isinstance(symbol, str) and not symbol.startswith("builtins."):
                out_set.add(f"{symbol}()")
            elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                out_set.add(LocalInstance(symbol))
        return frozenset(out_set)

    def _string_annotation(self, node: ast.Constant) -> Optional[ast.expr]:
        """``"Client"`` as an annotation: the expression the string spells (parsed, never run),
        kept alive with the resolver so that node identities stay unique."""
        key = id(node)
        if key not in self._annotation_nodes:
            parsed: Optional[ast.expr] = None
            text = node.value
            if isinstance(text, str) and len(text) <= 200:
                try:
                    parsed = ast.parse(text.strip(), mode="eval").body
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    parsed = None
            self._annotation_nodes[key] = (node, parsed)
        return self._annotation_nodes[key][1]

    # ------------------------------------------------------------------ expressions
    def _walk_expr(self, root: ast.AST) -> None:
        """Walk an expression iteratively, binding walrus/comprehension names and calling listeners.

        Children are visited in evaluation order; names and constants, which hold
        nothing to visit, are never pushed.
        """
        if type(root) in _LEAVES:
            return
        if self._chain_cache is None:
            self._chain_cache = {}
            try:
                self._walk_expr_inner(root)
            finally:
                self._chain_cache = None
        else:
            self._walk_expr_inner(root)

    def _walk_expr_inner(self, root: ast.AST) -> None:
        stack: List[object] = [root]
        push, pop = stack.append, stack.pop
        on_call = self._on_call
        while stack:
            item = pop()
            kind = type(item)
            if kind is ast.Attribute:
                value = item.value  # type: ignore[attr-defined]
                if type(value) not in _LEAVES:
                    push(value)
                continue
            if kind is ast.Call:
                # Every listener asks what the callee is: resolve it once for all of them.
                self._memo_expr, self._memo_symbols, self._memo_names = item.func, None, None  # type: ignore[attr-defined]
                for hook in on_call:
                    hook(item, self)  # type: ignore[arg-type]
                self._memo_expr = self._memo_symbols = self._memo_names = None
                func = item.func  # type: ignore[attr-defined]
                if type(func) is ast.Attribute and (func.attr in STORING_METHODS or func.attr in STORING_ALL_METHODS):
                    self._stored_by_call(func, item.args)  # type: ignore[attr-defined]
                for keyword in reversed(item.keywords):  # type: ignore[attr-defined]
                    if type(keyword.value) not in _LEAVES:
                        push(keyword.value)
                for arg in reversed(item.args):  # type: ignore[attr-defined]
                    if type(arg) not in _LEAVES:
                        push(arg)
                if type(item.func) not in _LEAVES:  # type: ignore[attr-defined]
                    push(item.func)  # type: ignore[attr-defined]
                continue
            if kind is _FUNCTION:
                item()  # type: ignore[operator]
                continue
            if kind is ast.Lambda:
                self._walk_arguments_outside(item.args)  # type: ignore[attr-defined]
                self._deferred.append((item, list(self.scopes), None))  # type: ignore[arg-type]
                continue
            if kind in _COMPREHENSIONS:
                self._schedule_comprehension(item, stack)  # type: ignore[arg-type]
                continue
            if kind is ast.Yield or kind is ast.YieldFrom:
                push(lambda node=item: self._yielded(node))
                inner = item.value  # type: ignore[attr-defined]
                if inner is not None and type(inner) not in _LEAVES:
                    push(inner)
                continue
            if kind is ast.NamedExpr:
                target = item.target  # type: ignore[attr-defined]
                value_node = item.value  # type: ignore[attr-defined]
                push(lambda t=target, v=value_node: self._bind_walrus(t, v))
                push(value_node)
                continue
            fields = _CHILD_FIELDS.get(kind)
            if fields is None:
                fields = _CHILD_FIELDS[kind] = tuple(
                    reversed([f for f in kind._fields if f not in _NOT_CHILDREN])  # type: ignore[attr-defined]
                )
            for name in fields:
                value = getattr(item, name, None)
                if type(value) is list:
                    for element in reversed(value):
                        if type(element) not in _LEAVES and isinstance(element, ast.AST):
                            push(element)
                elif value is not None and type(value) not in _LEAVES and isinstance(value, ast.AST):
                    push(value)

    def _yielded(self, node: ast.AST) -> None:
        value = getattr(node, "value", None)
        if (
            self.function_stack
            and isinstance(node, ast.Yield)
            and value is not None
            and decorator_names(self.function_stack[-1]) & _CONTEXT_MANAGERS
        ):
            key = id(self.function_stack[-1])
            self.yielded[key] = self.yielded.get(key, EMPTY) | self.symbols_of(value)
        for hook in self._on_yield:
            hook(node, self)

    def _managed(self, context: ast.AST) -> Symbols:
        """What ``with f() as x`` binds when ``f`` is a ``@contextmanager`` generator of the module."""
        if not isinstance(context, ast.Call):
            return EMPTY
        out: Symbols = EMPTY
        for symbol in self.symbols_of(context.func):
            if isinstance(symbol, LocalDef) and symbol.kind == "function" and decorator_names(symbol.node) & _CONTEXT_MANAGERS:
                yielded = self.yielded.get(id(symbol.node))
                if yielded is None:
                    self.unresolved_managers.add(id(symbol.node))
                else:
                    out = out | yielded
        return out

    def _bind_walrus(self, target: ast.Name, value: ast.AST) -> None:
        symbols = self.value_of(value)
        for scope in reversed(self.scopes):
            if scope.kind != "comprehension":
                self._set(scope, target.id, symbols)
                return

    def _schedule_comprehension(self, node: ast.AST, stack: List[object]) -> None:
        generators: List[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        scope = Scope("comprehension", node)
        inner: List[ast.AST] = []
        for i, gen in enumerate(generators):
            if i > 0:
                inner.append(gen.iter)
            inner.extend(gen.ifs)
        if isinstance(node, ast.DictComp):
            inner.extend([node.key, node.value])
        else:
            inner.append(node.elt)  # type: ignore[attr-defined]

        def elements(iterable: ast.AST) -> Symbols:
            # What iterating gives: a container's elements (``for c in clients``), and the facts.
            return self.elements_of(iterable) | self.facts_of(iterable)

        def enter() -> None:
            first = elements(generators[0].iter)  # evaluated outside, like the iterable
            if self._chain_cache:
                self._chain_cache.clear()
            self.scopes.append(scope)
            for i, gen in enumerate(generators):
                value = first if i == 0 else elements(gen.iter)
                for sub in target_names(gen.target):
                    scope.bindings[sub] = value

        def leave() -> None:
            if self._chain_cache:
                self._chain_cache.clear()
            if self.scopes and self.scopes[-1] is scope:
                self.scopes.pop()

        # Executed in stack order: first iterable outside, then enter, inner parts, leave.
        stack.append(leave)
        stack.extend(reversed(inner))
        stack.append(enter)
        stack.append(generators[0].iter)


#: Per node type, the fields that can hold child nodes, last first (filled lazily).
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_ASSERT_RAISES = (".assertRaises", ".assertRaisesRegex", ".assertRaisesRegexp")
_CONTEXT_MANAGERS = frozenset({"contextmanager", "asynccontextmanager"})
_WALKED_FIRST = frozenset({"__init__", "__post_init__", "setUp", "__new__"})


#: Quiet passes a loop body gets at most before its real one (a bounded fixpoint).
_LOOP_PASSES = 3


_STATEMENT_HANDLERS: Dict[type, Callable[[Resolver, ast.AST], None]] = {
    ast.Expr: Resolver._stmt_expr,
    ast.Raise: Resolver._stmt_raise,
    ast.Assert: Resolver._stmt_assert,
    ast.Pass: Resolver._stmt_nothing,
    ast.Break: Resolver._stmt_nothing,
    ast.Continue: Resolver._stmt_nothing,
    ast.Return: Resolver._stmt_return,
    ast.Assign: Resolver._stmt_assign,
    ast.AnnAssign: Resolver._stmt_annassign,
    ast.AugAssign: Resolver._stmt_augassign,
    ast.Delete: Resolver._stmt_delete,
    ast.Import: Resolver._stmt_import,
    ast.ImportFrom: Resolver._stmt_importfrom,
    ast.Global: Resolver._stmt_global,
    ast.Nonlocal: Resolver._stmt_nonlocal,
    ast.If: Resolver._stmt_if,
    ast.For: Resolver._stmt_loop,
    ast.AsyncFor: Resolver._stmt_loop,
    ast.While: Resolver._stmt_loop,
    ast.With: Resolver._stmt_with,
    ast.AsyncWith: Resolver._stmt_with,
    ast.Try: Resolver._stmt_try,
    ast.FunctionDef: Resolver._stmt_function,
    ast.AsyncFunctionDef: Resolver._stmt_function,
    ast.ClassDef: Resolver._stmt_class,
}
if _TRY_STAR is not None:
    _STATEMENT_HANDLERS[_TRY_STAR] = Resolver._stmt_try
if _MATCH is not None:
    _STATEMENT_HANDLERS[_MATCH] = Resolver._stmt_match
