"""The vocabulary of provenance: the facts a binding carries (:class:`Source`, :class:`Trusted`,
:data:`UNKNOWN`, :class:`Param`, :class:`Returned`, :class:`StateOf`, :class:`External`), what a sink and
a verdict are, and the small readers :class:`flake8_pickle.provenance.ProvenanceTracker` uses."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable, Dict, FrozenSet, List, Optional, Set, Tuple, Union

from .catalog.loaders import DATA_BYTES, DATA_TEXT, Loader
from .catalog.taint import (
    MIDDLEWARE_BASES,
    MIDDLEWARE_METHODS,
    DEPENDENCY_MARKERS,
    GRPC_SERVICER_CONTEXTS,
    PATH_OPENERS,
    ROUTE_DECORATORS,
    SANITIZERS,
    TRANSFORMS,
    UNTRUSTED_SOURCES,
    VIEW_BASE_PREFIXES,
    VIEW_METHODS,
    PEER_DATA_METHODS,
    NamePatterns,
)
from .scope import Resolver
from .shapes import NodeKey, all_args, class_method, decorator_names, default_of, positional_parameters, is_bound_task, is_staticmethod, node_key, positional_args
from .symbols import EMPTY, Generated, LocalDef, LocalInstance, display_name
from .verifiers import asserted_arguments, returns_verified, verification  # noqa: F401 - the tracker's readers


TRUSTED = "trusted"
UNKNOWN_TIER = "unknown"
UNTRUSTED = "untrusted"
CHANNEL = "channel"
_MAX_DEPTH = 40
_MAX_HOPS = 6
#: How many facts an argument of another module's call may carry before its calls count as unknown.
_MAX_SHALLOW = 32
#: How many function summaries one expansion may substitute while a module is summarised whole.
_SUMMARY_BUDGET = 500


@dataclass(frozen=True)
class Source:
    """Untrusted input: what was read and on which line, and the hops it took since
    (helpers returning it, attributes holding it, generators yielding it)."""

    label: str
    line: int
    via: Tuple[str, ...] = ()
    #: The line of each hop in ``via`` (0: not recorded, as for hops in another module); not part
    #: of the fact's identity.
    hop_lines: Tuple[int, ...] = field(default=(), compare=False)
    #: Which part of what was read this is (``data[16:]``, the second of ``head, body = data.split()``),
    #: outermost first; empty for the whole. Only a MAC check reads it (:func:`covered`).
    part: Tuple[str, ...] = ()

    def through(self, hop: str, line: int = 0) -> "Source":
        """The same input, one hop further (a hop already taken, or past the cap, is not added)."""
        if hop in self.via or len(self.via) >= _MAX_HOPS:
            return self
        lines = self.hop_lines + (0,) * (len(self.via) - len(self.hop_lines))
        return Source(self.label, self.line, self.via + (hop,), lines + (line,), self.part)


@dataclass(frozen=True)
class Channel:
    """What peers sent over an unauthenticated process group (a collective's output)."""

    channel: str
    line: int


@dataclass(frozen=True)
class Trusted:
    """Data produced in-process or verified (``line``: the call that made it so, when known;
    not part of the fact's identity)."""

    reason: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unknown:
    """Data whose origin cannot be established. ``at``: the (line, col) of the call that read it,
    for a value read from a store (``redis.get(key)``): unknown data, but the same data wherever
    it flows, so that an HMAC check of it guards its load (see :func:`data_identity`)."""

    at: Optional[Tuple[int, int]] = None


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Param:
    """The value a caller passes for parameter ``name`` of ``function``."""

    function: ast.AST = field(hash=False, compare=False)
    #: :func:`~flake8_pickle.shapes.node_key` of ``function``.
    function_key: NodeKey = (0, 0, 0, 0)
    name: str = ""
    #: Which part of the passed value this is (as :attr:`Source.part`).
    part: Tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyedBy:
    """A MAC made with a key the caller passes (``hmac.new(key, body)``, ``key`` a parameter): a
    check of it verifies the data only where no caller passes a key the sender chose."""

    params: FrozenSet[Param] = frozenset()


@dataclass(frozen=True)
class Returned:
    """What ``function`` returns when called with ``arguments`` (parameter name -> facts)."""

    function: LocalDef = field(hash=False, compare=False)
    #: :func:`~flake8_pickle.shapes.node_key` of the call (or of the property read).
    call_key: NodeKey = (0, 0, 0, 0)
    arguments: Tuple[Tuple[str, FrozenSet], ...] = ()
    #: The line of the call (or property read): where the returned value flows on.
    line: int = field(default=0, compare=False)
    #: :func:`~flake8_pickle.shapes.node_key` of ``function``: one call that may run several
    #: functions (``handler = a if fast else b``, a method each subclass overrides) has one fact each.
    function_key: NodeKey = field(default=(0, 0, 0, 0), repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "function_key", node_key(self.function.node))


@dataclass(frozen=True)
class StateOf:
    """What attribute ``attr`` of an instance of ``cls`` holds once every method has stored in it
    (a read in ``process()`` of what ``handle()``, walked later, stores)."""

    cls: LocalDef = field(hash=False, compare=False)
    #: :func:`~flake8_pickle.shapes.node_key` of the class statement.
    cls_key: NodeKey = (0, 0, 0, 0)
    attr: str = ""
    line: int = 0


@dataclass(frozen=True)
class OuterOf:
    """What ``name``, bound in an enclosing scope (the module's, or an enclosing function's), holds
    once every function has stored in it: ``CACHE[key] = request.data`` in one view read by
    ``pickle.loads(CACHE[key])`` in another walked before it; ``global``/``nonlocal`` rebinding."""

    #: :func:`~flake8_pickle.shapes.node_key` of the enclosing function (all zero for the module).
    scope_key: NodeKey = (0, 0, 0, 0)
    name: str = ""
    line: int = 0
    #: The name started as a placeholder, an empty container (``SESSIONS = {}``) or ``None``, and the
    #: module rebinds it nowhere else: if no function of the module fills it, another module does
    #: (``from app.state import SESSIONS``, ``state.LAST = body``), with data unknown here.
    empty: bool = False
    #: For a class attribute (``cls.blob``): the class statement (another module may store there).
    owner: Optional[ast.AST] = field(default=None, compare=False, hash=False)


#: What an empty container display holds.
EMPTY_CONTAINER = frozenset((Trusted("empty container"),))


@dataclass(frozen=True)
class External:
    """What calling ``name``, a callable of another module, returns for these arguments
    (``"0"``, ``"1"``... for positions, the keyword's name, ``"<receiver>"`` for the object a
    method is called on). Made only while a module is summarised for the project index
    (:mod:`flake8_pickle.project`), where another module's summary says what it returns."""

    name: str
    line: int = 0
    arguments: Tuple[Tuple[str, FrozenSet], ...] = ()


class ProjectFacts:
    """What other modules of the project say (the per-module view of the project index).

    The default knows nothing: a module analysed alone."""

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a function of another module the index has summarised."""
        return False

    def call_result(self, call: External) -> Optional[FrozenSet]:
        """What calling another module's function returns, or None if the index does not know it."""
        return None

    def callers(self, function: ast.AST, param: str) -> List[Tuple["Source", Tuple[str, ...]]]:
        """Untrusted data other modules pass for ``param`` of this module's ``function``: each
        source with the chain of calls (qualified names) it took."""
        return []

    def overriding(self, cls: ast.AST, method: str) -> List[str]:
        """The ``method`` that subclasses of this module's class ``cls`` in other modules define,
        each named as a call on an instance of its class (``app.redis.RedisManager()._listen``)."""
        return []

    def stored_elsewhere(self, name: str) -> FrozenSet:
        """What other modules store in this module's module-level ``name`` (``state.LAST =
        request.data``, ``SESSIONS[sid] = body`` after ``from app.state import SESSIONS``): the
        facts of each value, sources named with their file. Empty when none is known."""
        return frozenset()

    def stored_in_class(self, cls: ast.AST, attr: str, instance: bool) -> FrozenSet:
        """What other modules store in ``attr`` of this module's class ``cls`` (``Config.blob =
        body``) or, with ``instance``, of an instance of it (``holder.blob = body``)."""
        return frozenset()

    def library_bases(self, name: str) -> FrozenSet[str]:
        """The library classes another module's class ``name`` derives from (``BaseHandler`` in
        ``app/base.py`` derives from ``tornado.web.RequestHandler``)."""
        return frozenset()


NO_PROJECT = ProjectFacts()

Fact = object
_FACT_TYPES = (Source, Channel, Trusted, Unknown, Param, Returned, StateOf, OuterOf, External, KeyedBy)
_FACT_TYPE_SET = frozenset(_FACT_TYPES)
_LITERAL = frozenset((Trusted("literal"),))
#: The facts that stand for what other bodies compute.
_SYMBOLIC = frozenset((Param, Returned, StateOf, OuterOf))


@dataclass
class Demands:
    """What grading some facts needs walked (see :meth:`ProvenanceTracker.demands`)."""

    #: Functions whose bodies are summarised (their returns and yields).
    bodies: List[ast.AST] = field(default_factory=list)
    #: Functions whose callers' arguments are read.
    callers_of: List[ast.AST] = field(default_factory=list)
    #: Attributes of the module's instances whose stored values are read.
    attributes: Set[str] = field(default_factory=set)
    #: Names of enclosing scopes whose values functions store into (``CACHE[key] = ...``) are read.
    names: Set[str] = field(default_factory=set)


def _is_literal(node: ast.AST) -> bool:
    """A constant, or constants joined with ``+`` (iteratively: chains can be long)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Constant):
            continue
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            stack.extend((current.left, current.right))
            continue
        return False
    return True


@dataclass
class Sink:
    """A loader call and the facts of what it reads."""

    call: ast.Call
    label: str
    loader: Loader
    argument: Optional[ast.expr]
    facts: FrozenSet
    capped: bool
    #: For ``unpickler.load()``: what the receiver resolved to at the call.
    receiver: FrozenSet = frozenset()
    #: The check that guards it, when its MAC's key is a parameter (see :class:`KeyedBy`), and those parameters.
    keyed_guard: Optional[Tuple[ast.expr, FrozenSet]] = None


@dataclass
class CallSite:
    """A call of a function of this module, with the facts of each argument."""

    call: ast.Call
    function: LocalDef
    arguments: Dict[str, FrozenSet]
    #: For ``obj.method(...)``: the module's classes ``obj`` is an instance of (None: not known,
    #: not such a call, or a call on ``self``/``cls``, whose object may be any subclass).
    receivers: Optional[FrozenSet[LocalDef]] = None
    #: The call passes the caller's own object on (``self.m(...)``, ``cls.m(...)``).
    on_self: bool = False
    #: The parameters whose arguments an HMAC or signature check guarding the call verified
    #: (``if not compare_digest(...): abort(403)``, then ``decode(body)``): no untrusted data comes in there.
    verified: FrozenSet[str] = frozenset()


@dataclass(frozen=True)
class Verdict:
    """The tier of a sink and, for untrusted data, where it came from."""

    tier: str
    source: Optional[Source] = None
    via: Tuple[Tuple[str, int], ...] = ()
    report_at: Optional[ast.AST] = None
    channel: Optional[Channel] = None
    #: For trusted data: what made it so (``--explain`` shows them).
    trusted: Tuple[Trusted, ...] = ()


_TRANSFORMS = NamePatterns(TRANSFORMS)
_PATH_OPENERS = NamePatterns(PATH_OPENERS)
_ROUTES = NamePatterns(ROUTE_DECORATORS)


def _receiver(func: ast.expr, resolver: Resolver) -> Tuple[bool, Optional[FrozenSet[LocalDef]]]:
    """Whether a call of ``func`` is on ``self``/``cls``, and the module's classes the object of
    ``obj.method`` is an instance of (None when it is not known to be only those)."""
    if not isinstance(func, ast.Attribute):
        return False, None
    value = func.value
    if isinstance(value, ast.Name) and value.id in ("self", "cls"):
        return True, None
    symbols = resolver.symbols_of(value)
    if symbols and all(isinstance(s, LocalInstance) for s in symbols):
        return False, frozenset(s.cls for s in symbols)  # type: ignore[union-attr]
    return False, None


def _runs(cls: LocalDef, owner: LocalDef, method: str, depth: int = 0) -> bool:
    """Whether an instance of ``cls`` runs ``owner``'s ``method`` (``cls`` is ``owner``, or derives
    from it through classes that do not define ``method`` themselves)."""
    if cls is owner:
        return True
    if depth > 8 or method in cls.members:
        return False
    return any(
        isinstance(symbol, LocalDef) and _runs(symbol, owner, method, depth + 1) for bases in cls.bases for symbol in bases
    )


def _inherits(cls: LocalDef, base: LocalDef, depth: int = 0) -> bool:
    """Whether ``cls`` is ``base`` or a subclass of it (through the module's own classes)."""
    if cls is base:
        return True
    if depth > 8:
        return False
    return any(
        isinstance(symbol, LocalDef) and _inherits(symbol, base, depth + 1) for bases in cls.bases for symbol in bases
    )


@lru_cache(maxsize=8)
def _user_patterns(
    untrusted: Tuple[str, ...], trusted: Tuple[str, ...], sanitizers: Tuple[str, ...]
) -> Tuple[NamePatterns, NamePatterns, NamePatterns]:
    """Source, trusted-source and sanitizer patterns, compiled once per option values."""
    return (
        NamePatterns(tuple(UNTRUSTED_SOURCES) + untrusted),
        NamePatterns(trusted),
        NamePatterns(tuple(SANITIZERS) + sanitizers),
    )


def _shallow(facts: FrozenSet) -> FrozenSet:
    """``facts`` with each :class:`External` stripped of its arguments (what it returns when
    called with unknown data is still known from its module's summary)."""
    if not any(type(f) is External for f in facts):
        return facts
    if len(facts) > _MAX_SHALLOW:
        # Data that went through many calls: what those calls return counts as unknown data
        # (never trusted), so a long chain of calls costs no more than a short one.
        return frozenset(f for f in facts if type(f) is not External) | {UNKNOWN}
    return frozenset(External(f.name, f.line) if type(f) is External and f.arguments else f for f in facts)


def _first_source(facts: FrozenSet) -> Optional[Source]:
    sources = sorted((f for f in facts if isinstance(f, Source)), key=lambda s: (s.line, s.label, len(s.via), s.via))
    return sources[0] if sources else None


_UNKNOWN_ONLY = frozenset((UNKNOWN,))


class _AtLine:
    """Where a fact read from instance state is reported to come from."""

    def __init__(self, line: int):
        self.lineno = line


def _defined_by_class(cls: LocalDef, attr: str, depth: int = 0) -> bool:
    """Whether the class or one of its bases of the module defines ``attr`` (a property, a method, a
    class attribute): what reading it gives is that definition's, read elsewhere."""
    if attr in cls.members:
        return True
    return depth < 8 and any(
        type(base) is LocalDef and base.kind == "class" and _defined_by_class(base, attr, depth + 1)
        for symbols in cls.bases for base in symbols
    )


def _instance_state(cls: LocalDef, attr: str, depth: int = 0) -> FrozenSet:
    """Everything the module stores in ``attr`` of an instance of ``cls`` (its own classes' bases too)."""
    found = cls.instance_attrs.get(attr)
    if found is not None or depth > 8:
        return found or EMPTY
    out: FrozenSet = EMPTY
    for bases in cls.bases:
        for base in bases:
            if isinstance(base, LocalDef) and base.kind == "class":
                out = out | _instance_state(base, attr, depth + 1)
    return out


def returned_object_state(expr: ast.Attribute, resolver: Resolver) -> FrozenSet:
    """``msg = read_message(conn); msg.data``: the module's function may return an instance of the module's
    class whose attribute it set after making it (``msg.data = conn.recv(n)``), which the object's own facts
    do not carry. A :class:`StateOf` for each class storing it (for every class before those bodies were
    walked, so that grading demands them)."""
    if not isinstance(expr.value, ast.Name) or not any(type(s) is Generated for s in resolver.lookup(expr.value.id)):
        return EMPTY
    holders = [cls for cls in resolver.classes if expr.attr in cls.instance_attrs] or resolver.classes
    return frozenset(StateOf(cls, node_key(cls.node), expr.attr, expr.lineno) for cls in holders)


def _reads_instance_state(expr: ast.Attribute, resolver: Resolver) -> bool:
    """``self.x`` (or ``obj.x`` of an instance of the module's own class)."""
    return isinstance(expr.value, ast.Name) and any(isinstance(s, LocalInstance) for s in resolver.lookup(expr.value.id))


def _is_bound_method_call(call: ast.Call, function: ast.AST, resolver: Optional[Resolver]) -> bool:
    """Whether ``call`` of the method ``function`` passes its first parameter implicitly: a
    classmethod called on its class or an instance (``Container.from_payload(p)``), or a plain method
    called on an instance; never a staticmethod. A bound task gets its task first, however called."""
    if resolver is not None and is_bound_task(function):
        return True
    if resolver is not None and not isinstance(call.func, ast.Attribute):
        # ``self._handlers[op](message)``, ``handler(message)``: a method taken from its object
        # (``self._op_restore`` stored in a table) is called with one argument fewer than it has.
        params = positional_parameters(function)
        starred = any(isinstance(a, ast.Starred) for a in call.args)
        first = params[:1] == ["self"] or (params[:1] == ["cls"] and "classmethod" in decorator_names(function))
        return first and not starred and len(call.args) < len(params) and not is_staticmethod(function)
    if resolver is None:
        return False
    if is_staticmethod(function):
        return False
    if "classmethod" in decorator_names(function):  # not ``__new__``: ``Cls.__new__(Cls)`` passes it
        return True
    # ``codec_for(fmt).decode(body)``: the object a function of the module returned (see
    # ``Expressions.attribute_of``), which is an instance of the method's class.
    receivers = [s for s in resolver.symbols_of(call.func.value) if isinstance(s, (LocalInstance, Generated))]
    if not receivers:
        return False
    attr = call.func.attr
    if positional_parameters(function)[:1] != ["self"] and all(
        type(s) is LocalInstance and attr in s.cls.instance_attrs and attr not in s.cls.members for s in receivers
    ):
        # ``self.handler(msg)`` after ``self.handler = handler`` with a plain function handed in: a
        # function an object holds is called as it is (a method the object holds was bound already).
        return False
    return True


def overriding(
    func: ast.expr, resolver: Resolver, owners: Dict[NodeKey, Tuple[LocalDef, LocalDef]], definers: Dict[str, int]
) -> List[LocalDef]:
    """For ``self.m`` or ``cls.m`` in a method: the ``m`` each subclass of the module defines, which is
    what the call runs on that subclass's instances (a base class's template method iterating
    ``self._listen()``, a subclass's ``_listen`` yielding what a socket received). ``owners``: each
    method's (class, method); ``definers``: how many classes define each method name."""
    if not isinstance(func, ast.Attribute) or definers.get(func.attr, 0) < 2:
        return []
    classes = self_classes(func, resolver)
    return [
        method
        for owner, method in owners.values()
        if method.name == func.attr and any(owner is not base and _inherits(owner, base) for base in classes)
    ]


def self_classes(func: ast.expr, resolver: Resolver) -> List[LocalDef]:
    """For ``self.m`` or ``cls.m``: the module's classes ``self`` (``cls``) is an instance of; else none."""
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")):
        return []
    return classes_named(func.value.id, resolver)


def classes_named(name: str, resolver: Resolver, instances: bool = True) -> List[LocalDef]:
    """The module's classes ``name`` is here, and with ``instances`` those it is an instance of."""
    symbols = resolver.lookup(name)
    classes = (s.cls if instances and type(s) is LocalInstance else s for s in symbols)
    return [c for c in classes if type(c) is LocalDef and c.kind == "class"]


def mac_facts(call: ast.Call, facts_of: Callable[[ast.AST], FrozenSet]) -> Optional[FrozenSet]:
    """What ``hmac.new(key, msg, ...)`` (a :data:`MAC_MAKERS` call) carries: the message's facts, so
    that checking its digest verifies the message and not the key. Unknown data (it verifies
    nothing) when a catalogued source gives the key (the sender signs with a key of its choosing)
    or the message is a slice (``blob[:64]``: the rest of ``blob`` is loaded unchecked). None (read
    as any call) when the message is passed later through ``update``."""
    key = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "key"), None)
    msg = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "msg"), None)
    if msg is None:
        return None
    keys = facts_of(key) if key is not None else frozenset()
    if any(type(fact) is Source for fact in keys):
        return frozenset((UNKNOWN,))
    if isinstance(msg, ast.Subscript) and isinstance(msg.slice, ast.Slice):
        return frozenset((UNKNOWN,))
    params = frozenset(fact for fact in keys if type(fact) is Param)
    return facts_of(msg) | {KeyedBy(params)} if params else facts_of(msg)  # type: ignore[arg-type]


def data_identity(facts: FrozenSet) -> FrozenSet:
    """What tells a value's data apart from other data: where it was read (a source by its label and
    line, whatever it passed through since, and which part of it), the parameter (and part) or call
    result it is, the state it was read from, the store lookup that read it. Trusted data and unknown
    data of no place have none."""
    return frozenset(
        (f.label, f.line, f.part) if type(f) is Source else f
        for f in facts
        if type(f) is not Trusted and type(f) is not KeyedBy and (type(f) is not Unknown or f.at is not None)  # type: ignore[attr-defined]
    )


def covered(identity: FrozenSet, verified: FrozenSet) -> bool:
    """Whether data of ``identity`` is all data a check verified: the same data, or a part of it
    (``verify(data)`` then ``loads(data[4:])``); never the rest of data of which a part was verified
    (``head, body = data.split(b"\\n", 1)``, ``verify(head)``, ``loads(body)``)."""
    for element in identity:
        if element in verified:
            continue
        if type(element) is tuple:
            label, line, part = element
            if not any((label, line, part[:cut]) in verified for cut in range(len(part))):
                return False
        elif type(element) is Param and element.part:
            if not any(replace(element, part=element.part[:cut]) in verified for cut in range(len(element.part))):
                return False
        else:
            return False
    return True


#: How deep a part of a part is named (``data[4:][0][1:]``...); a deeper one is named as its
#: ancestor at that depth, which a check covers only if it verified that ancestor: never less sound,
#: and a loop that stores parts of a container's values back in it no longer names ever-longer parts
#: (probe A: transformers' conversion scripts, ``w = sd.pop(k); sd[a] = w[...]``).
_MAX_PART_DEPTH = 2


def with_part(facts: FrozenSet, part: str) -> FrozenSet:
    """``facts`` of a part of a value (``part`` names which): its sources and parameters say so."""
    if not any((type(f) is Source or type(f) is Param) and len(f.part) < _MAX_PART_DEPTH for f in facts):  # type: ignore[attr-defined]
        return facts
    return frozenset(
        replace(f, part=f.part + (part,))  # type: ignore[attr-defined]
        if (type(f) is Source or type(f) is Param) and len(f.part) < _MAX_PART_DEPTH  # type: ignore[attr-defined]
        else f
        for f in facts
    )


def part_name(index: ast.AST) -> str:
    """How :func:`with_part` names the part ``value[index]`` reads."""
    if type(index) is ast.Constant:
        return f"[{index.value!r}]"
    return f"[{ast.unparse(index)}]"


def aliased(name: str, resolver: Resolver) -> bool:
    """Whether the project's aliases say what ``name`` or a module or class it is in is
    (``compat.pickle`` is ``cPickle`` or ``pickle``): the names they give stand beside it."""
    parts = name.split(".")
    aliases = resolver.aliases
    return aliases is not None and any(aliases(".".join(parts[:cut])) for cut in range(len(parts), 1, -1))


def outer_reads(expr: ast.expr, resolver: Resolver, facts: FrozenSet = EMPTY) -> FrozenSet:
    """Inside a function: for ``CACHE`` bound in an enclosing scope, or ``cls.blob``/``self.blob``
    of a class of the module, the :class:`OuterOf` that stands for what every function stores there
    (``facts``: what the binding read holds)."""
    if isinstance(expr, ast.Name):
        outer = resolver.outer_scope_of(expr.id)
        if outer is None:
            return EMPTY
        empty = outer is resolver.module_scope and (
            facts == EMPTY_CONTAINER or (facts == _LITERAL and _placeholder(resolver, expr.id))
        )
        return frozenset((OuterOf(node_key(outer.node), expr.id, expr.lineno, empty),))
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        return frozenset(
            OuterOf(node_key(cls.node), expr.attr, expr.lineno, _class_placeholder(resolver, cls, expr.attr, facts), cls.node)
            for cls in classes_named(expr.value.id, resolver, True)
        )
    return EMPTY


#: The scope key of the module's own scope (a module has no place in the source).
_MODULE_KEY = (0, 0, 0, 0)


def stored_outside(fact: OuterOf, project: ProjectFacts) -> FrozenSet:
    """What other modules store in the module-level name (``state.LAST = request.data``) or the
    class attribute (``Config.blob = request.data``) ``fact`` reads."""
    if fact.scope_key == _MODULE_KEY:
        return project.stored_elsewhere(fact.name)
    if fact.owner is not None:
        return project.stored_in_class(fact.owner, fact.name, False)
    return EMPTY


def hands_other(
    call: ast.Call, called: Tuple[ast.Call, Callable[[FrozenSet], bool]], function: ast.AST, resolver: Optional[Resolver]
) -> bool:
    """Whether ``call``, a call of ``function``, hands the parameter that ``called``'s call calls
    (``decoder(data)`` in ``function``) something ``called`` does not accept: ``apply_decoder(
    yaml.safe_load, body)`` for a load by ``yaml.unsafe_load``, ``with_handler(body, parse)`` for a
    load in ``decode``; ``load_with(body, json)`` for ``lib.loads(data)`` run with ``pickle``. What
    each call hands is what the walk recorded (``Resolver.passed_at``)."""
    func = called[0].func
    attr = None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        attr, func = func.attr, func.value  # a module handed over: ``lib.loads(data)``
    if resolver is None or not isinstance(func, ast.Name) or func.id not in {a.arg for a in all_args(function.args)}:  # type: ignore[attr-defined]
        return False
    handed = resolver.passed_at.get((node_key(call), func.id))
    if handed is not None and attr is not None:
        if not all(isinstance(symbol, str) for symbol in handed):
            return False
        handed = frozenset(f"{symbol}.{attr}" for symbol in handed)
    return handed is not None and not called[1](handed)


def loader_among(loader: Loader) -> Callable[[FrozenSet], bool]:
    """Whether handed symbols include ``loader``."""
    return lambda handed: any(name in loader.names for name in handed)


def runs(function: ast.AST) -> Callable[[FrozenSet], bool]:
    """Whether handed symbols include the module's ``function``."""
    return lambda handed: any(isinstance(s, LocalDef) and s.node is function for s in handed)


def _class_placeholder(resolver: Resolver, cls: LocalDef, attr: str, facts: FrozenSet) -> bool:
    """Whether the class body binds ``attr`` only to ``None`` (``blob = None``) and the read holds
    nothing else: a placeholder something else fills."""
    if facts != _LITERAL:
        return False
    values = resolver.class_values.get((node_key(cls.node), attr))
    return bool(values) and all(isinstance(value, ast.Constant) and value.value is None for value in values)  # type: ignore[union-attr]


def _placeholder(resolver: Resolver, name: str) -> bool:
    """Whether the module's own statements bind ``name`` only to ``None`` (``LAST = None``, ``LAST:
    bytes | None = None``): a placeholder something else fills (read from the resolver's bindings)."""
    values = resolver.module_values.get(name)
    return bool(values) and all(isinstance(value, ast.Constant) and value.value is None for value in values)  # type: ignore[union-attr]


def class_attribute_keys(expr: ast.Attribute, resolver: Resolver, instances: bool = True) -> List[Tuple[NodeKey, str]]:
    """(class node key, attribute) for ``cls.x`` or ``Klass.x`` of the module's classes, and with
    ``instances`` for ``self.x`` (an instance reads the class attribute it does not shadow)."""
    if not isinstance(expr.value, ast.Name):
        return []
    return [(node_key(c.node), expr.attr) for c in classes_named(expr.value.id, resolver, instances)]


def _has_base(cls: LocalDef, match: Callable[[str], bool], project: ProjectFacts = NO_PROJECT, depth: int = 0) -> bool:
    """Whether a base of ``cls`` (through the module's own classes, and other modules' classes
    the ``project`` knows) has a qualified name ``match`` accepts."""
    if depth > 8:
        return False
    for base in cls.bases:
        for symbol in base:
            if isinstance(symbol, str) and (match(symbol) or any(match(b) for b in project.library_bases(symbol))):
                return True
            if isinstance(symbol, LocalDef) and symbol.kind == "class" and _has_base(symbol, match, project, depth + 1):
                return True
    return False


def django_middleware(cls: LocalDef, method: str, project: ProjectFacts = NO_PROJECT) -> bool:
    """Whether ``method`` of ``cls`` is a Django middleware hook called with the request: on a
    ``MiddlewareMixin`` subclass, or on a class whose ``__init__`` takes ``get_response``."""
    if method not in MIDDLEWARE_METHODS:
        return False
    if _has_base(cls, MIDDLEWARE_BASES.__contains__, project):
        return True
    init = class_method(cls.node, "__init__")
    return init is not None and positional_parameters(init)[1:2] == ["get_response"]


def _is_view_base(name: str) -> bool:
    return name.startswith(VIEW_BASE_PREFIXES)


def framework_data(method: str, index: int, param: str, derives: Callable[[Callable[[str], bool]], bool]) -> Optional[str]:
    """The label of the client's data a framework passes for ``param``, the ``index``-th positional
    parameter (``self`` is 0) of ``method``, when the method's class ``derives`` from a library
    class that matches (the test is given the predicate): a view method's request (``post(self,
    request)``), a protocol's peer data (``data_received(self, data)``). None otherwise."""
    if index == 1 and method in VIEW_METHODS and derives(_is_view_base):
        return param
    peer = PEER_DATA_METHODS.get(method)
    if peer is not None and index in peer[0] and derives(peer[1].__contains__):
        return f"{param} received by {method}()"
    return None


def before_servicer_context(function: ast.AST, name: str, resolver: Resolver) -> bool:
    """Whether the positional parameter after ``name`` is annotated as a gRPC ``ServicerContext``."""
    arguments = getattr(function, "args", None)
    if arguments is None:
        return False
    params = positional_args(arguments)
    for here, following in zip(params, params[1:]):
        if here.arg == name:
            annotation = following.annotation
            if isinstance(annotation, ast.Constant):
                annotation = _string_annotation(annotation.value)
            if annotation is None:
                return False
            return bool(resolver.qualified_names(annotation) & GRPC_SERVICER_CONTEXTS)
    return False


def _string_annotation(value: object) -> Optional[ast.expr]:
    """The expression a quoted annotation spells (``"grpc.ServicerContext"``), when it parses."""
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        return ast.parse(value.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _is_grpc_servicer(name: str) -> bool:
    """``x_pb2_grpc.FooServicer``: the servicer base class grpcio-tools generates for a service."""
    module, _, leaf = name.rpartition(".")
    return module.endswith("_pb2_grpc") and leaf.endswith("Servicer")


def literal_input(loader: Loader, argument: Optional[ast.expr]) -> bool:
    """A literal is trusted input for loaders that read bytes or text (not for paths)."""
    return argument is not None and loader.data_kind in (DATA_BYTES, DATA_TEXT) and _is_literal(argument)


def library_object(symbols: FrozenSet) -> bool:
    """Whether a receiver is a library's object or module (``redis.Redis()``, ``django.core.cache.cache``),
    not a builtin container of the module's own."""
    return any(isinstance(s, str) and not s.startswith("builtins.") for s in symbols)


def path_content(facts: FrozenSet) -> FrozenSet:
    """A file's content: tainted if its path is; otherwise of unknown origin."""
    return frozenset(f for f in facts if isinstance(f, (Source, Channel, Param, Returned))) | {UNKNOWN}


def route_dependency(function: ast.AST, arg: ast.arg, resolver: Resolver) -> Union[None, LocalDef, str]:
    """For a route's parameter declared ``Depends(get_db)`` (as its default, or inside
    ``Annotated[...]``): the module's function ``get_db``, when that is what the marker names, or
    the qualified name of another module's (``app.deps.get_db``)."""
    markers = [default_of(function, arg.arg)]
    annotation = arg.annotation
    if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple):
        markers.extend(annotation.slice.elts[1:])
    for marker in markers:
        if not isinstance(marker, ast.Call) or not resolver.qualified_names(marker.func) & DEPENDENCY_MARKERS:
            continue
        target = marker.args[0] if marker.args else next((k.value for k in marker.keywords if k.arg == "dependency"), None)
        symbols = resolver.symbols_of(target) if target is not None else EMPTY
        functions = [s for s in symbols if type(s) is LocalDef and s.kind == "function"]
        if functions and len(functions) == len(symbols):
            return functions[0]  # type: ignore[return-value]
        names = sorted(s for s in symbols if isinstance(s, str))
        if names and len(names) == len(symbols) and resolver.aliases is not None:
            return names[0]  # another module's function: the project index says what it returns
    return None


def dependency_call(name: str, line: int) -> External:
    """The call FastAPI makes of another module's dependency ``name``: each parameter it fills from
    the request (``raw_body(request: Request)``), as the route's own are."""
    request = frozenset((Source(f"request data given to {display_name(name)}()", line),))
    return External(name, line, tuple((str(position), request) for position in range(8)))


def dependency_params(dependency: LocalDef, line: int) -> Dict[Tuple[NodeKey, str], Source]:
    """A route's dependency's parameters: the request's data, as the route's own are."""
    key = node_key(dependency.node)
    return {(key, param): Source(f"route parameter {param}", line) for param in positional_parameters(dependency.node)}


#: The key, among a call's arguments, of what its receiver was made with (``Transport(conn).read()``).
RECEIVER = "<receiver>"
