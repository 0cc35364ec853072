"""The resolver's vocabulary: its scopes, the listener interface checks implement, what each check
declares it needs, and the constants the walks share (:mod:`flake8_pickle.scope` is the resolver)."""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from .catalog.conventions import (
    UNBOUND_MODULES,
)
from .symbols import (
    LocalDef,
    Symbols,
)


if TYPE_CHECKING:  # pragma: no cover - annotations only
    from .scope import Resolver

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

    __slots__ = ("kind", "node", "bindings", "globals", "nonlocals", "rebound", "star_imports", "cls")

    def __init__(self, kind: str, node: Optional[ast.AST], cls: Optional[LocalDef] = None):
        self.kind = kind
        self.node = node
        self.bindings: Dict[str, Symbols] = {}
        self.globals: Set[str] = set()
        self.nonlocals: Set[str] = set()
        #: Names of this scope that a nested function rebinds (``nonlocal``).
        self.rebound: Set[str] = set()
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


@dataclass(frozen=True)
class CallInterest:
    """The calls a listener's ``on_call`` acts on, when it acts on some only: a callee with one
    of ``names`` among its qualified names, a callee ``x.<attr>`` with ``attr`` in ``attrs``, a
    callee ``<name>.x`` with ``name`` in ``receivers`` (``self.x(...)``), a callee with a name that
    starts with one of ``prefixes``, with ``partials`` a callee with a ``functools.partial`` variant
    among its names (one that ends in ``)``), and with ``local_functions`` a callee that may be a
    function or a class of the module. The resolver calls the
    listener for those calls only; the callee's names are resolved first, so an alias
    (``load = pickle.loads``) is a ``pickle.loads`` call here too."""

    names: FrozenSet[str] = frozenset()
    attrs: FrozenSet[str] = frozenset()
    partials: bool = False
    receivers: FrozenSet[str] = frozenset()
    prefixes: Tuple[str, ...] = ()
    local_functions: bool = False

    def __or__(self, other: "CallInterest") -> "CallInterest":
        return CallInterest(
            self.names | other.names,
            self.attrs | other.attrs,
            self.partials or other.partials,
            self.receivers | other.receivers,
            tuple(sorted(set(self.prefixes) | set(other.prefixes))),
            self.local_functions or other.local_functions,
        )


#: A declaration of no call at all (a check that is off in this module).
NO_CALLS = CallInterest()


class Listener:
    """Hooks a rule family implements to receive facts during the single walk."""

    #: The class bodies the family reads (nothing by default); the pre-check combines every
    #: family's declaration, so a new class rule declares its methods here and nowhere else.
    needs: ClassVar[ClassNeeds] = ClassNeeds()

    def call_interest(self) -> Optional[CallInterest]:
        """The calls :meth:`on_call` acts on (see :class:`CallInterest`); None: every call."""
        return None

    def on_call(self, call: ast.Call, resolver: "Resolver") -> None:
        """Called for every call expression (or every one :meth:`call_interest` names), before
        its arguments are walked."""

    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: "Resolver") -> None:
        """Called once a class body has been walked and its name bound."""

    def on_return(self, node: ast.Return, resolver: "Resolver") -> None:
        """Called for every ``return`` statement, after its value has been walked."""

    def on_assign(self, node: ast.Assign, resolver: "Resolver") -> None:
        """Called for every ``=`` assignment, after its value has been walked, before binding."""

    def on_yield(self, node: ast.AST, resolver: "Resolver") -> None:
        """Called for every ``yield``/``yield from`` expression, after its value has been walked."""

    def handed_words(self) -> FrozenSet[str]:
        """The last words (``loads`` of ``pickle.loads``) of the callables :meth:`on_handed` acts on."""
        return frozenset()

    def on_handed(self, reference: ast.expr, call: ast.Call, resolver: "Resolver") -> None:
        """Called for a function handed as an argument to a call that may call it later with data
        the walk does not see (``registry.register("pickle", pickle.loads)``): ``reference`` spells
        one of :meth:`handed_words`, resolves to some library name, and ``call`` is no applier of it
        (see ``Resolver.applied_call``), no call that takes a function without calling it
        (``catalog.conventions.NOT_CALLING``) and no method that stores it in a container the walk
        follows (``callbacks.append(f)``)."""

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




#: Per node type, the fields that can hold child nodes, last first (filled lazily).
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_ASSERT_RAISES = (".assertRaises", ".assertRaisesRegex", ".assertRaisesRegexp")
_CONTEXT_MANAGERS = frozenset({"contextmanager", "asynccontextmanager"})
_WALKED_FIRST = frozenset({"__init__", "__post_init__", "setUp", "__new__"})


#: Quiet passes a loop body gets at most before its real one (a bounded fixpoint).
_LOOP_PASSES = 3
