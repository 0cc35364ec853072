"""The symbols the resolver gives a name or an expression: a qualified name (a string), a class or
function of the module (:class:`LocalDef`), an instance of one (:class:`LocalInstance`), an element of
a container (:class:`Contains`), what a generator or a call of the module's function produces
(:class:`Generated`). Plain data, shared by the resolver and every rule that reads its answers."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, Union

from .shapes import NodeKey, is_generator_function

EMPTY: FrozenSet = frozenset()
_CALL_SEGMENT = re.compile(r"\([^()]*\)")


@dataclass(eq=False)
class LocalDef:
    """A function or class defined in the checked module (compared by identity)."""

    node: ast.AST
    kind: str  # "function", "class" or "lambda"
    name: str
    bases: Tuple[FrozenSet, ...] = ()
    members: Dict[str, FrozenSet] = field(default_factory=dict)
    instance_attrs: Dict[str, FrozenSet] = field(default_factory=dict)
    #: Line of the first assignment of each instance attribute (``self.x = ...``).
    attr_lines: Dict[str, int] = field(default_factory=dict)
    #: Line of the first assignment of each instance attribute to something other than a literal
    #: (``self.fh = open(path)`` after ``self.fh = None``): where what it holds is made.
    value_lines: Dict[str, int] = field(default_factory=dict)
    #: Defined inside a function: pickle cannot find it by its qualified name.
    nested: bool = False
    #: What the class body declares its objects' attributes hold, by annotation alone (a dataclass
    #: field ``sock: socket.socket``): an instance of the annotated class, whoever stores it.
    declared: Dict[str, FrozenSet] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<local {self.kind} {self.name} line {getattr(self.node, 'lineno', '?')}>"


@dataclass(frozen=True)
class LocalInstance:
    """An instance of a class defined in the checked module.

    ``passed``: for one made by a constructor call that passes what its ``__init__`` stores in
    ``self`` (``Job(1, conn)`` with ``self.conn = conn``), each such attribute and what the call
    passed for it; what this very instance holds besides what the class itself makes."""

    cls: LocalDef
    passed: Tuple[Tuple[str, FrozenSet], ...] = ()
    #: Made by a function of the module that returns it (``codec_for(fmt)``): known well enough to
    #: run its methods, not to claim what it holds (read through unpacking that may mix values).
    factory: bool = False
    #: For a dataclass made by this call: the fields it leaves at a constant default
    #: (``Task(task_id)`` with ``journal: Optional[Journal] = None``): they hold that constant.
    defaulted: FrozenSet[str] = frozenset()
    #: Attributes set on this very object after it was made (``c = Canned(x); c.buffers = []``),
    #: with what each holds now, instead of what the class put there.
    replaced: Tuple[Tuple[str, FrozenSet], ...] = ()

    def __repr__(self) -> str:
        return f"<instance of {self.cls.name}>"


@dataclass(frozen=True)
class Contains:
    """An element of a container value: ``[lock]`` holds ``Contains(<lock's symbol>)``.

    ``key`` is the string key the element is stored under in a dict display
    (``{"lock": lock}``), None where it is not known: ``d["items"]`` then reads only the
    elements stored under ``"items"`` or under an unknown key.
    """

    item: object
    key: Optional[str] = None


@dataclass(frozen=True)
class Generated:
    """What a generator expression, or a call of a function of the module, may produce.

    For a call, ``function`` is the callee: the value is a generator only if that
    function's body yields, which :func:`is_generator_function` answers when a rule
    needs to know (most call results never reach a rule that asks).
    """

    node: ast.AST = field(hash=False, compare=False)
    node_key: NodeKey = (0, 0, 0, 0)
    function: Optional[ast.AST] = field(default=None, hash=False, compare=False)

    def is_generator(self) -> bool:
        """Whether this value really is a generator object."""
        return self.function is None or is_generator_function(self.function)


class Constructed(str):
    """``app.models.Repo()``, another module's class called with arguments: the qualified name (a
    ``str`` for every reader), and what the call passed (``passed``: position or keyword ->
    symbols), which the project index maps to what its ``__init__`` stores in ``self``."""

    passed: Tuple[Tuple[str, FrozenSet], ...]

    def __new__(cls, name: str, passed: Tuple[Tuple[str, FrozenSet], ...]) -> "Constructed":
        made = super().__new__(cls, name)
        made.passed = passed
        return made


Symbol = Union[str, LocalDef, LocalInstance, Contains, Generated]
Symbols = FrozenSet[Symbol]


def names_in(symbols: Iterable[Symbol]) -> Set[str]:
    """The qualified-name strings among ``symbols``."""
    return {s for s in symbols if isinstance(s, str)}


def symbol_order(symbol: object) -> Tuple[int, str, int, int]:
    """A deterministic order for symbol sets (sets iterate in hash order, which varies per run)."""
    if isinstance(symbol, str):
        return (0, symbol, 0, 0)
    node = getattr(symbol, "node", None) or getattr(getattr(symbol, "cls", None), "node", None)
    if node is None and isinstance(symbol, Contains):
        inner = symbol_order(symbol.item)
        return (2, inner[1] if symbol.key is None else f"{inner[1]}[{symbol.key!r}]", inner[2], inner[3])
    return (1, type(symbol).__name__, getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def display_name(qualified: str) -> str:
    """``pickle.Unpickler().load`` as a reader writes it: ``pickle.Unpickler.load``."""
    return _CALL_SEGMENT.sub("", qualified)


#: An instance attribute keeps at most this many qualified names, the ones with the fewest calls
#: (the roots the others were derived from, whose catalogue entries cover the longer ones).
MAX_ATTR_NAMES = 48
#: Stands for the names an instance attribute lost to :data:`MAX_ATTR_NAMES`: of unknown origin.
DROPPED_NAMES = "<dropped names>"


def bounded_names(symbols: Symbols) -> Symbols:
    """``symbols`` with at most :data:`MAX_ATTR_NAMES` qualified names, the shortest chains kept."""
    names = [symbol for symbol in symbols if isinstance(symbol, str)]
    if len(names) <= MAX_ATTR_NAMES:
        return symbols
    names.sort(key=lambda name: (name.count("()"), len(name), name))
    dropped = set(names[MAX_ATTR_NAMES:])
    kept = frozenset(symbol for symbol in symbols if not (isinstance(symbol, str) and symbol in dropped))
    return kept | {DROPPED_NAMES}


def portable(symbol: object, depth: int = 0) -> bool:
    """A qualified name, or an element of a container of one: the same in every walk."""
    while type(symbol) is Contains and depth < 8:
        symbol, depth = symbol.item, depth + 1  # type: ignore[attr-defined]
    return isinstance(symbol, str)


#: A binding that does not exist (a name unbound on some path); :func:`union` and :func:`join` skip it.
MISSING = object()


def union(a: object, b: object) -> object:
    """Both symbol sets (either may be :data:`MISSING`)."""
    if a is MISSING:
        return b
    if b is MISSING:
        return a
    return a | b  # type: ignore[operator]


def join(a: object, b: object) -> object:
    """:func:`union`, returning ``a`` itself when ``b`` adds nothing to it (no rebinding needed)."""
    if b is MISSING or b is a:
        return a
    if a is MISSING:
        return b
    if b <= a:  # type: ignore[operator]
        return a
    return a | b  # type: ignore[operator]


def elements(symbols: Iterable[object], key: Optional[str] = None) -> Symbols:
    """What a container with these symbols holds: its elements; with ``key``, only those stored
    under that key or under an unknown one (``d["lock"]``)."""
    return frozenset(
        s.item for s in symbols if isinstance(s, Contains) and (key is None or s.key is None or s.key == key)  # type: ignore[misc]
    )


def contained(symbols: Iterable[object], key: Optional[str] = None) -> Symbols:
    """``symbols`` as the elements of a container (stored under ``key``); an element of another
    container stays what it is."""
    return frozenset(s if isinstance(s, Contains) else Contains(s, key) for s in symbols)


def unpacked(value: Symbols) -> Symbols:
    """What each part of ``value`` is when it is unpacked: a container or a generator expression
    gives its elements (``a, b = (x for x in xs)`` stores no generator); anything else its own
    parts. (A call's result stays as it is: asking whether the callee yields walks its body.)"""
    if not any(isinstance(s, (Contains, Generated)) for s in value):
        return value
    kept = frozenset(s for s in value if not isinstance(s, Contains) and not (isinstance(s, Generated) and s.function is None))
    return kept | elements(value)


def run_by_call(symbols: FrozenSet) -> List[Tuple[object, bool]]:
    """What a call of something that may be each of ``symbols`` runs of the module's own code: a
    function itself, and for a class its own ``__init__`` on the new object (True: ``self`` is not
    among the call's arguments), so that ``Transport(sock)`` is a caller of ``__init__(self, conn)``."""
    out: List[Tuple[object, bool]] = []
    for symbol in symbols:
        if type(symbol) is LocalDef and symbol.kind == "class":
            out.extend((init, True) for init in symbol.members.get("__init__", EMPTY) if type(init) is LocalDef and init.kind == "function")
        else:
            out.append((symbol, False))
    return out
