"""What a module's text rules out before the walk, and which bodies the walk may then leave alone.

Every answer here errs towards walking: a word in a comment or a string only
makes the analysis do more. ``tests/test_precheck.py`` checks that, on every
fixture and on a sample of real code, the findings with the pre-check equal
the findings without it.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, AnyStr, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from .catalog.handoff import SINK_NAMES
from .catalog.loaders import Catalog
from .classes import BUILTIN_EXCEPTIONS, ClassModel
from .catalog.conventions import ACCUMULATING_METHODS
from .scope import UNBOUND_MODULES, CallInterest, ClassNeeds, Listener, Resolver
from .symbols import LocalDef, run_by_call

if TYPE_CHECKING:  # pragma: no cover - typing only (provenance imports this module's neighbours)
    from .provenance import Demands

#: Words of an import that can reach any module by a computed name.
DYNAMIC_IMPORTS = frozenset({"__import__", "import_module", "modules"})
#: Methods walked in every class that defines a protocol method.
_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "__new__", "setUp"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: ``class`` and ``global`` statements: a function body holding one may change what classes hold.
_BODY_KEYWORDS = ("class ", "class\t", "global ", "global\t")


@dataclass(frozen=True)
class Possible:
    """Which rule families the module's text leaves possible."""

    loaders: bool = True
    copies: bool = True
    copyreg: bool = True

    @property
    def classes_only(self) -> bool:
        """Nothing but a class's own protocol can be reported."""
        return not (self.loaders or self.copies or self.copyreg)


def call_words(names: Iterable[str]) -> Dict[str, FrozenSet[str]]:
    """Per top-level module, the words a call of one of ``names`` must spell in the text.

    ``copy.deepcopy`` -> ``{"copy": {"deepcopy"}}``; ``multiprocessing.get_context().Queue()``
    -> ``{"multiprocessing": {"Queue"}}``. A word that holds another (``loads``, ``load``)
    is dropped: the shorter one is found wherever the longer one is.
    """
    words: Dict[str, Set[str]] = {}
    for name in names:
        last = name.replace("()", "").rsplit(".", 1)[-1].split("(")[0]
        words.setdefault(name.split(".")[0], set()).add(last)
    return {
        root: frozenset(w for w in found if not any(other != w and other in w for other in found))
        for root, found in words.items()
    }


#: For each module a copy, dump or process hand-off goes through, the words its calls spell.
COPY_WORDS = call_words(SINK_NAMES)
COPY_ROOTS = frozenset(COPY_WORDS)


@lru_cache(maxsize=8)
def loader_words(catalog: Catalog) -> Dict[str, FrozenSet[str]]:
    """For each loader module, the words its loader calls spell (distinctive methods included)."""
    words = call_words(catalog.by_name)
    for method, (library, _) in catalog.distinctive_methods.items():
        words[library] = words.get(library, frozenset()) | {method}
    for name in catalog.by_name:
        if ".Unpickler" in name:
            # A module that only subclasses ``Unpickler`` (a restricted one, used elsewhere): PKL104.
            root = name.split(".", 1)[0]
            words[root] = words.get(root, frozenset()) | {"Unpickler"}
    return words


def possible(source: str, catalog: Catalog) -> Possible:
    """What ``source`` can reach: a loader or copy API only through an import of its module
    and a call that spells its name."""
    words = imported_words(source)
    dynamic = not words.isdisjoint(DYNAMIC_IMPORTS) or "sys.modules" in source
    loaders = _reaches(source, loader_words(catalog), words, dynamic)
    copies = _reaches(source, COPY_WORDS, words, dynamic) or "model_copy" in source
    if not (loaders and copies):
        # A loader module used with no import at all (a snippet, a star import) is still that
        # module. (When the imports already reach both, more words change nothing: not scanned.)
        unbound = {module for module in UNBOUND_MODULES if module not in words and _spelled_as_name(source, module)}
        if unbound:
            words |= unbound  # no unbound module is one of DYNAMIC_IMPORTS: ``dynamic`` stands
            loaders = loaders or _reaches(source, loader_words(catalog), words, dynamic)
            copies = copies or _reaches(source, COPY_WORDS, words, dynamic)
    return Possible(loaders=loaders, copies=copies, copyreg="copyreg" in source)


def _spelled_as_name(source: str, module: str) -> bool:
    """Whether ``module.`` occurs in ``source`` as a name of its own (not ``x.module.``,
    ``cloudmodule.`` or the start of a string)."""
    target = module + "."
    index = source.find(target)
    while index != -1:
        before = source[index - 1] if index else " "
        if not (before.isalnum() or before in "_.'\""):
            return True
        index = source.find(target, index + 1)
    return False


@lru_cache(maxsize=16)
def _quoted(words: FrozenSet[str]) -> "re.Pattern[str]":
    # A computed import names its module in a string: ``import_module("pickle")``.
    return re.compile("[\"']((?:" + "|".join(sorted(re.escape(word) for word in words)) + r"))\b")


def _reaches(source: str, calls: Dict[str, FrozenSet[str]], words: Set[str], dynamic: bool) -> bool:
    """Whether the module imports one of the modules of ``calls`` (or names it in a string, for a
    computed import) and spells one of the calls of that module."""
    roots = [root for root in calls if root in words]
    if not roots and dynamic:
        found = _quoted(frozenset(calls)).findall(source)
        roots = [root for root in calls if root in found]
    return any(word in source for root in roots for word in calls[root])


@dataclass(frozen=True)
class ReachWords:
    """What a module's text must spell to use a name another module of the project binds (a loader
    alias, a function returning the module its argument names): a word of an import (the name's own,
    or its module's: ``from app.ser import loads``, ``from app import ser``) and, anywhere, the name
    itself, which every use spells (``loads(b)``, ``ser.loads(b)``, ``getattr(ser, "loads")``).

    Both are needed: a name as common as ``utils`` in an import, alone, made every Django module that
    imports from ``django.utils`` walk for loaders (``django.db.utils.load_backend`` imports by name).
    """

    imports: FrozenSet[str] = frozenset()
    #: None when a use need not spell a name (a dunder method: ``cache[key] = obj``).
    names: Optional[FrozenSet[str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.imports)

    def used_in(self, source: str) -> bool:
        """Whether ``source`` may use one of the names (a yes may be wrong, a no never is)."""
        if imported_words(source).isdisjoint(self.imports):
            return False
        return self.names is None or any(spells_word(source, name) for name in self.names)

    @staticmethod
    def called(names: Iterable[str]) -> Optional[FrozenSet[str]]:
        """What a call of functions or methods so named spells: their names, or nothing to require
        when one is a dunder method (run by an operator, not by a call that names it)."""
        found = frozenset(names)
        return None if any(name.startswith("__") and name.endswith("__") for name in found) else found


def imported_words(source: str) -> Set[str]:
    """Every word of every line that mentions ``import``, continuation lines included.

    Names only reach a module through an import (``import pickle``, ``from
    .compat import pickle``, ``importlib.import_module("pickle")``), so the
    words of those statements bound which library calls the module can make.
    Comments and strings that mention ``import`` only add words.
    """
    words: Set[str] = set()
    find = source.find
    length = len(source)
    index = find("import")
    while index != -1:
        start = source.rfind("\n", 0, index) + 1
        end = find("\n", index)
        if end == -1:
            end = length
        line = source[start:end]
        depth = line.count("(") - line.count(")")
        while end < length and (depth > 0 or line.rstrip().endswith("\\")):
            # ``from x import (`` or a trailing backslash: the statement goes on.
            following = find("\n", end + 1)
            if following == -1:
                following = length
            line = source[end + 1 : following]
            depth += line.count("(") - line.count(")")
            end = following
        words.update(_WORD.findall(source, start, end))
        index = find("import", end)
    return words


#: The built-in exception classes' names: a class deriving from one is an exception.
_EXCEPTION_NAMES = frozenset(name.split(".", 1)[1] for name in BUILTIN_EXCEPTIONS)
#: Every one of those names holds one of these (found with ``str.find``, far faster than a regex).
_EXCEPTION_PARTS = ("Error", "Exception", "Warning", "Exit", "Interrupt", "Iteration")
#: Lines that name an exception without making a class of it (``except E:``, ``raise E(...)``).
_HANDLING = re.compile(r"[ \t]*(?:except|raise)\b")
_IDENTIFIER_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
#: The characters of an identifier, as ``str`` items and as ``bytes`` items (integers): a word is
#: whole when neither neighbour is one of them.
_IDENTIFIER = frozenset(_IDENTIFIER_CHARACTERS) | frozenset(_IDENTIFIER_CHARACTERS.encode())
#: A maximal run of those characters in ``bytes``: the whole words :func:`spells_word` finds.
WORD_RUN = re.compile(b"[" + re.escape(_IDENTIFIER_CHARACTERS).encode() + b"]+")


def no_class_matters(source: str, needs: ClassNeeds, project: bool = False) -> bool:
    """Whether no class of the module can be one a class rule reads (given ``needs``, the rule
    families' declarations): the text makes no class at all, or names none of the methods the
    families read and, where they read exceptions, no built-in exception outside ``except`` and
    ``raise`` lines (an exception class, or an alias of one a class derives from, spells one).
    With the project index (``project``), a class with an ``__init__`` may derive from another
    module's exception (``class NotFound(BaseError)``), which the text does not show: when the class
    or one of its bases is named as exceptions are (``...Error``, ``...Exception``; see
    :data:`_EXCEPTION_NAME`).
    In a module where nothing but a class's own protocol can be reported, nothing can then be."""
    if not spells_word(source, "class"):
        return True
    if _any_of(needs.whole_class | needs.methods).search(source):
        return False
    if needs.exceptions and project and spells_word(source, "__init__") and _named_like_an_exception(source):
        return False
    return not (needs.exceptions and _names_an_exception_class(source))


#: A class statement with bases (``class NotFound(BaseError):``): its name and its bases' text.
_CLASS_WITH_BASES = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.MULTILINE)
#: How exception classes are named, by convention (PEP 8: "Error" for errors).
_EXCEPTION_NAME = re.compile(r"(Error|Exception|Warning|Failure|Fault|Exit|Interrupt|Abort|Timeout|Invalid|NotFound|Denied|Refused)$")


def _named_like_an_exception(source: str) -> bool:
    """Whether a class statement's name, or the last part of one of its bases, is named like an exception."""
    for name, bases in _CLASS_WITH_BASES.findall(source):
        if _EXCEPTION_NAME.search(name) or any(_EXCEPTION_NAME.search(b.strip().rpartition(".")[2]) for b in bases.split(",")):
            return True
    return False


def spells_word(text: AnyStr, word: AnyStr) -> bool:
    """Whether ``word`` occurs in ``text`` (``str`` or ``bytes``) as a whole identifier (``get``,
    not ``get_many``), in code, a comment or a string. A loop of ``find``: a regular expression
    with ``\\b`` or a look-behind gets no fast literal search, and took ten to twenty times as long."""
    return next(word_offsets(text, word), None) is not None


def word_offsets(text: AnyStr, word: AnyStr) -> Iterator[int]:
    """Where ``word`` occurs in ``text`` as a whole identifier (see :func:`spells_word`), in order."""
    size = len(word)
    index = text.find(word)
    while index != -1:
        end = index + size
        if (index == 0 or text[index - 1] not in _IDENTIFIER) and (end == len(text) or text[end] not in _IDENTIFIER):
            yield index
        index = text.find(word, end)


@lru_cache(maxsize=16)
def _any_of(words: FrozenSet[str]) -> "re.Pattern[str]":
    """One search for any of ``words`` (a single pass where ``in`` would scan once per word)."""
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)) or "(?!)")


def _names_an_exception_class(source: str) -> bool:
    """Whether a built-in exception's name occurs as a word on a line that is not an ``except``
    or ``raise`` line."""
    checked: Set[int] = set()
    for part in _EXCEPTION_PARTS:
        index = source.find(part)
        while index != -1:
            start = index
            while start and source[start - 1] in _IDENTIFIER:
                start -= 1
            end = index + len(part)
            while end < len(source) and source[end] in _IDENTIFIER:
                end += 1
            if start not in checked:
                checked.add(start)
                if source[start:end] in _EXCEPTION_NAMES:
                    line = source.rfind("\n", 0, start) + 1
                    if not _HANDLING.match(source, line):
                        return True
            index = source.find(part, end)
    return False


def keyword_lines(source: str, words: Sequence[str] = _BODY_KEYWORDS) -> List[int]:
    """Sorted numbers (1-based) of the lines where any of ``words`` occurs."""
    positions: List[int] = []
    for word in words:
        index = source.find(word)
        while index != -1:
            positions.append(index)
            index = source.find(word, index + 1)
    positions.sort()
    lines: List[int] = []
    line, previous = 1, 0
    for position in positions:
        line += source.count("\n", previous, position)
        previous = position
        lines.append(line)
    return lines


class ClassOnlyWalk:
    """Which function bodies a module that can only have class findings needs walked.

    Called by the resolver for each module-level function and each method before
    walking its body. A module-level function matters only where it defines a class
    or binds a global. What matters in classes is what the rule families declare
    (:class:`~flake8_pickle.scope.ClassNeeds`, combined by :func:`class_needs`).
    Every method matters in a class whose attributes a rule reads: one that defines a
    ``whole_class`` method (``__getstate__``, ``__setstate__``...) or is an exception
    (the roots), and a base, a subclass or a class named in the body of such a class
    (what the roots may inherit or hold). In any other class that defines a method
    some family reads on its own (``__reduce__``, ``__getattr__``...), those methods
    and its constructors matter.
    """

    def __init__(self, source: str, model: ClassModel, needs: ClassNeeds):
        self.model = model
        self.needs = needs
        #: Every method name a declaration names: what a class must define to matter at all.
        self._dunders = needs.whole_class | needs.methods
        if "\r" in source:  # line numbers count \r\n and a lone \r as one line end, as the parser does
            source = source.replace("\r\n", "\n").replace("\r", "\n")
        self._source = source
        self._lines: Optional[List[str]] = None
        self._marks = keyword_lines(source)
        self._known = -1
        self._relevant: Set[int] = set()
        self._protocol_only: Set[int] = set()
        self._names: Dict[int, FrozenSet[str]] = {}

    def __call__(self, node: ast.AST, cls: Optional[LocalDef]) -> bool:
        if self._holds_keyword(node):
            return True
        if cls is None:
            return False
        if len(self.model.classes) != self._known:
            self._relevant = self._relevant_classes()
            self._known = len(self.model.classes)
        if id(cls) in self._relevant:
            return True
        name = getattr(node, "name", "")
        return id(cls) in self._protocol_only and (name in self.needs.methods or name in _CONSTRUCTORS)

    def _holds_keyword(self, node: ast.AST) -> bool:
        first = getattr(node, "lineno", 0)
        last = getattr(node, "end_lineno", None) or first
        at = bisect_left(self._marks, first)
        return at < len(self._marks) and self._marks[at] <= last

    def _relevant_classes(self) -> Set[int]:
        classes = [info.local for info in self.model.classes.values()]
        by_name: Dict[str, List[LocalDef]] = {}
        subclasses: Dict[int, List[LocalDef]] = {}
        for cls in classes:
            by_name.setdefault(cls.name, []).append(cls)
            for base in _local_bases(cls):
                subclasses.setdefault(id(base), []).append(cls)
        pending: List[LocalDef] = []
        for cls in classes:
            info = self.model.info(cls)
            defined = info.defined & self._dunders if info is not None else frozenset()
            # The broad notion of an exception: PKL302's exact lineage is within it.
            if defined & self.needs.whole_class or (self.needs.exceptions and self.model.is_exception(cls)):
                pending.append(cls)
            elif defined:
                self._protocol_only.add(id(cls))
        relevant: Set[int] = set()
        while pending:
            cls = pending.pop()
            if id(cls) in relevant:
                continue
            relevant.add(id(cls))
            pending.extend(_local_bases(cls))
            pending.extend(subclasses.get(id(cls), ()))
            for name in self._names_in(cls):
                pending.extend(by_name.get(name, ()))
        return relevant

    def _names_in(self, cls: LocalDef) -> FrozenSet[str]:
        """Every word of the class's text: the names its body may use (string annotations too)."""
        names = self._names.get(id(cls))
        if names is None:
            if self._lines is None:
                self._lines = self._source.split("\n")
            first = getattr(cls.node, "lineno", 1)
            last = getattr(cls.node, "end_lineno", None) or len(self._lines)
            names = self._names[id(cls)] = frozenset(_WORD.findall("\n".join(self._lines[first - 1 : last])))
        return names


def _local_bases(cls: LocalDef) -> Iterable[LocalDef]:
    for base in cls.bases:
        for symbol in base:
            if isinstance(symbol, LocalDef) and symbol.kind == "class":
                yield symbol


def class_needs(checks: Iterable[Listener]) -> ClassNeeds:
    """What the given rule families read of a module's classes, together."""
    combined = ClassNeeds()
    for check in checks:
        combined |= check.needs
    return combined


_ATTRIBUTE_READ = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_ATTRIBUTE_WRITE = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)")
#: ``self.parts.append(x)``, ``self.buf[i:j] = x``, ``self.replies[data[0]] = x``: stores into an
#: attribute's value (a key one bracket deep inside; deeper ones the first walk records).
_ATTRIBUTE_FILL = re.compile(
    r"\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\.\s*(?:"
    + "|".join(sorted(ACCUMULATING_METHODS))
    + r")\s*\(|\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\s*=(?!=))"
)


#: What the call graph records: calls of the module's functions, and ``self.x(...)``/``cls.x(...)``.
_GRAPH_CALLS = CallInterest(receivers=frozenset(("self", "cls")), local_functions=True)


class CallGraph(Listener):
    """Records, during the first walk, which body calls which of the module's own functions."""

    def __init__(self) -> None:
        #: (calling function or None for module level, called function) pairs.
        self.edges: List[Tuple[Optional[ast.AST], ast.AST]] = []
        #: (calling function, method name) of ``self.name(...)``: a subclass's method may be what runs.
        self.self_calls: List[Tuple[ast.AST, str]] = []

    def call_interest(self) -> CallInterest:
        return _GRAPH_CALLS

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        func = call.func
        if (
            resolver.function_stack
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
        ):
            self.self_calls.append((resolver.function_stack[-1], func.attr))
        frame = resolver.function_stack[-1] if resolver.function_stack else None
        for function, _ in run_by_call(resolver.symbols_of(call.func)):  # ``Transport(sock)`` runs ``__init__``
            if isinstance(function, LocalDef) and function.kind == "function":
                self.edges.append((frame, function.node))

#: ``CACHE[key] = x``, ``CACHE.append(x)``: stores into a name's value (a module's cache or registry).
_NAME_FILL = re.compile(
    r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\s*(?:\.\s*(?:"
    + "|".join(sorted(ACCUMULATING_METHODS))
    + r")\s*\(|\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\s*=(?!=))"
)


class _Unit:
    """A module-level function or a method: a body the resolver may leave unwalked."""

    __slots__ = ("node", "first", "last", "writes", "text", "_fills")

    def __init__(self, node: ast.AST, text: str):
        self.node = node
        self.first: int = getattr(node, "lineno", 0)
        self.last: int = getattr(node, "end_lineno", None) or self.first
        #: The attributes it may store in (``x.name = ...``, ``x.name.append(...)``, ``x.name[i] = ...``).
        self.writes = frozenset(_ATTRIBUTE_WRITE.findall(text)) | frozenset(_ATTRIBUTE_FILL.findall(text))
        self.text = text
        self._fills: Optional[FrozenSet[str]] = None

    @property
    def fills(self) -> FrozenSet[str]:
        """The names whose values it may store in (``CACHE[key] = ...``, ``CACHE.append(...)``):
        read from the text when a demand first asks (a module's cache filled by one view and read
        by another)."""
        if self._fills is None:
            self._fills = frozenset(_NAME_FILL.findall(self.text))
        return self._fills


class LoaderWalk:
    """Which bodies the provenance walk needs, once the first walk has spotted the loader calls.

    It starts from the bodies holding a loader call, a callback registration or
    ``msgpack_numpy.patch()``, and any body binding a global. It grows on demand:
    after a walk, :meth:`grow` takes what grading the loaders' inputs depends on
    (:meth:`ProvenanceTracker.demands`) and adds the bodies that compute it: a
    function whose return is read, the callers of a function whose parameter is
    read (as the first walk resolved the calls, ``self.name(...)`` in any class
    included), and the bodies that store an attribute whose stored value is read.
    A body is left unwalked only when no chain of such demands reaches it.
    """

    def __init__(
        self,
        tree: ast.AST,
        source: str,
        frames: Iterable[ast.AST],
        graph: CallGraph,
        stores: Iterable[Tuple[Optional[ast.AST], str]] = (),
        local_attributes: Iterable[str] = (),
    ):
        if "\r" in source:
            source = source.replace("\r\n", "\n").replace("\r", "\n")
        self._lines = source.split("\n")
        self._units: Dict[int, _Unit] = {}
        self._collect(getattr(tree, "body", []))
        self._ordered = sorted(self._units.values(), key=lambda unit: unit.first)
        self._starts = [unit.first for unit in self._ordered]
        #: Called function node id -> the units calling it; method name -> units calling ``self.name(...)``.
        self._callers: Dict[int, List[_Unit]] = {}
        self._self_callers: Dict[str, List[_Unit]] = {}
        for caller, callee in graph.edges:
            unit = self._unit_of(caller)
            if unit is not None:
                self._callers.setdefault(id(callee), []).append(unit)
        for caller, name in graph.self_calls:
            unit = self._unit_of(caller)
            if unit is not None:
                self._self_callers.setdefault(name, []).append(unit)
        # Stores the first walk saw (unpacking and loop targets included), and the text's
        # ``x.name = ...`` and fills (``x.name.append(...)``, ``x.name[i] = ...``).
        self._writers: Dict[str, List[_Unit]] = {}
        for unit in self._ordered:
            for name in unit.writes:
                self._writers.setdefault(name, []).append(unit)
        for frame, name in stores:
            unit = self._unit_of(frame)
            if unit is not None and name not in unit.writes:
                self._writers.setdefault(name, []).append(unit)
        globals_at = keyword_lines(source, ("global ", "global\t"))
        self._local_attributes = frozenset(local_attributes)
        #: Node ids of the units to walk.
        self.relevant: Set[int] = set()
        self._admit([self._unit_of(frame) for frame in frames] + [self._unit_of_line(line) for line in globals_at])

    def __call__(self, node: ast.AST, cls: Optional[LocalDef]) -> bool:
        return id(node) not in self._units or id(node) in self.relevant

    def grow(self, demands: "Demands") -> bool:
        """Add the units ``demands`` names; True when one of them was not walked yet."""
        wanted: List[_Unit] = []
        for node in demands.bodies:
            unit = self._unit_of(node)
            if unit is not None:
                wanted.append(unit)
        for function in demands.callers_of:
            wanted.extend(self._callers.get(id(function), ()))
            name = getattr(function, "name", None)
            if name is not None:
                wanted.extend(self._self_callers.get(name, ()))
        for attribute in demands.attributes:
            wanted.extend(self._writers.get(attribute, ()))
        for name in demands.names:
            wanted.extend(unit for unit in self._ordered if name in unit.fills)
        return self._admit(wanted)

    def _admit(self, units: Iterable[Optional[_Unit]]) -> bool:
        """Walk ``units`` too, and what they need to resolve the attributes they read: an attribute
        that may hold one of the module's own objects (a helper, a client class) resolves to it
        only where the body storing it was walked. True when a unit was added."""
        pending = [unit for unit in units if unit is not None]
        grown = False
        while pending:
            unit = pending.pop()
            if id(unit.node) in self.relevant:
                continue
            self.relevant.add(id(unit.node))
            grown = True
            if self._local_attributes:
                text = "\n".join(self._lines[unit.first - 1 : unit.last])
                for name in self._local_attributes.intersection(_ATTRIBUTE_READ.findall(text)):
                    pending.extend(self._writers.get(name, ()))
        return grown

    def _collect(self, statements: Sequence[ast.stmt]) -> None:
        """Module-level functions and the methods of module-level classes (nested in any block)."""
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = statement.lineno
                last = getattr(statement, "end_lineno", None) or first
                self._units[id(statement)] = _Unit(statement, "\n".join(self._lines[first - 1 : last]))
            elif isinstance(statement, ast.ClassDef):
                self._collect(statement.body)
            else:
                for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                    block = getattr(statement, field, None)
                    if not isinstance(block, list):
                        continue
                    if field in ("handlers", "cases"):
                        block = [inner for part in block for inner in getattr(part, "body", ())]
                    self._collect([inner for inner in block if isinstance(inner, ast.stmt)])

    def _unit_of(self, node: Optional[ast.AST]) -> Optional[_Unit]:
        """The unit ``node`` is, or the one whose lines hold it (units never nest)."""
        if node is None:
            return None
        unit = self._units.get(id(node))
        if unit is not None:
            return unit
        return self._unit_of_line(getattr(node, "lineno", 0))

    def _unit_of_line(self, line: int) -> Optional[_Unit]:
        at = bisect_right(self._starts, line) - 1
        if at >= 0 and self._ordered[at].last >= line:
            return self._ordered[at]
        return None


def verifier_words(sanitizers: Iterable[str]) -> Set[str]:
    """The words a check spells: ``hmac``, a digest, ``compare_digest``, or what a sanitizer's call
    names (``unsign``, ``decrypt``; its module for a wildcard: ``mylib.check_*``). Not the sanitizer's
    module: in a Django project every function importing from ``django`` would be read for a check."""
    words = {"hmac", "compare_digest", "digest", "hexdigest"}
    for pattern in sanitizers:
        last = pattern.rpartition(".")[2].replace("()", "")
        words.add(last if last.isidentifier() else pattern.split(".")[0])
    return words


def verifiers_possible(source: AnyStr, sanitizers: Iterable[str]) -> bool:
    """Whether a function of the module can be an HMAC or signature check helper: its text names
    ``hmac``, a digest or ``compare_digest``, or the module of a sanitizer (``itsdangerous``...)."""
    words = verifier_words(sanitizers)
    if isinstance(source, bytes):
        return any(spells_word(source, word.encode()) for word in words)
    return any(spells_word(source, word) for word in words)


#: ``def NAME`` / ``class NAME`` just before an occurrence (``\Z``: ``$`` would also match before a
#: line end, taking a comment's last word for the next line's keyword).
_DEFINES = re.compile(rb"(?:^|[^A-Za-z0-9_])(?:def|class)[ \t]+\Z")
#: The identifier just before a position (spaces and tabs between).
_WORD_BEFORE = re.compile(rb"([A-Za-z0-9_]+)[ \t]*\Z")
#: ``= 39``, ``= "__"``, ``= None`` ending the line: a binding to a literal (no names).
_LITERAL_VALUE = re.compile(
    rb"=[ \t]*(?:[-+]?[0-9][0-9_.eExXa-fA-FjJ]*|[rbuRBU]{0,2}\"[^\"\\\n]*\"|[rbuRBU]{0,2}'[^'\\\n]*'|None|True|False)"
    rb"[ \t]*(?:#[^\n]*)?(?:\r?\n|\r|$)"
)
#: Keywords after which a name may be bound (``import x``, ``as x``, ``for x in``, ``del x``...).
_BINDING_KEYWORDS = frozenset({b"import", b"as", b"for", b"del", b"global", b"nonlocal", b"case", b"type"})
#: Keywords before ``(`` where what the parentheses hold may be bound (``from m import (a, x)``).
_PARENTHESISED_TARGETS = _BINDING_KEYWORDS | {b"with", b"in", b"except", b"lambda"}
_ARGUMENT_RUN = frozenset(_IDENTIFIER_CHARACTERS.encode() + b" \t,.")
_SPACE = frozenset(b" \t")


def may_bind_other(text: bytes, word: str) -> bool:
    """Whether ``text`` (a module) may bind the plain identifier ``word`` at module level to anything
    other than its own ``def word``/``class word``: an import, an assignment, a loop or ``with``
    target... False only when every occurrence of ``word`` is provably not such a binding.

    A yes may be wrong, a no never is: an occurrence counts as harmless only in shapes no binding
    takes: after ``def``/``class``; an attribute (``x.word``) or followed by ``.``, ``(``, ``[``
    (a use, or a binding of an attribute or element, not of ``word``); inside a string (a quote
    beside it); after an operator or an identifier that is no binding keyword (prose in a docstring:
    ``a ModelAdmin and``); before a word other than ``in``/``if``; a call's or base list's argument
    on the same line (``isinstance(x, word)``, ``class A(Base, word)``); bound to a literal ending the
    line (``word = "__"``: no name, so no alias). A module spelling ``global`` (a function may bind it
    with ``def``), ``Unpickler`` (a class deriving from one is an alias of it) or ``Loader`` (a YAML
    loader's subclass is one of the loader it derives from) is always a yes."""
    if b"Unpickler" in text or b"Loader" in text or spells_word(text, b"global"):
        return True
    size = len(text)
    for start in word_offsets(text, word.encode()):
        end = start + len(word)
        after = end
        while after < size and text[after] in _SPACE:
            after += 1
        follower = text[after] if after < size else None
        if follower is not None and follower in b"([\"'`":
            continue
        if follower == ord(".") and not _in_import(text, start):
            continue  # ``word.attr``; but ``import word.sub`` binds ``word``
        if follower is not None and follower in _IDENTIFIER:
            next_word = WORD_RUN.match(text, after)
            if next_word is not None and next_word.group() not in (b"in", b"if"):
                continue
        before = start
        while before > 0 and text[before - 1] in _SPACE:
            before -= 1
        previous = text[before - 1] if before > 0 else None
        if previous is not None and previous in b".\"'`+-/%<>|&^~!@":
            continue
        if _DEFINES.search(text, max(0, start - 12), start):
            continue
        if previous is not None and previous in _IDENTIFIER:
            keyword = _WORD_BEFORE.search(text, max(0, before - 16), before)
            if keyword is not None and keyword.group(1) not in _BINDING_KEYWORDS:
                continue
        if previous is not None and previous in b"=:" and (follower is None or follower in b"\r\n)]}#" or follower in _IDENTIFIER):
            continue  # a value (``x = word``, ``key: word``), not a chained or annotated target
        if follower == ord("=") and _LITERAL_VALUE.match(text, after):
            continue
        if follower != ord(":") and _argument(text, start):
            continue
        return True
    return False


def _in_import(text: bytes, start: int) -> bool:
    """Whether the logical line up to ``start`` spells ``import`` (backslash continuations followed)."""
    line_start = start
    while True:
        line_start = max(text.rfind(b"\n", 0, line_start), text.rfind(b"\r", 0, line_start)) + 1
        end = line_start - 1
        if end > 0 and text[end] == ord("\n") and text[end - 1] == ord("\r"):
            end -= 1
        if end <= 0 or text[end - 1] != ord("\\"):
            break
        line_start = end - 1  # the line ends in a backslash: the statement began on an earlier line
    return spells_word(text[line_start:start], b"import")


def _argument(text: bytes, start: int) -> bool:
    """Whether the name at ``start`` is among a call's or a base list's arguments opened on its line
    (``isinstance(x, Name``, ``class A(B, Name``), not among names a keyword binds (``import (``)."""
    at = start
    while at > 0 and text[at - 1] in _ARGUMENT_RUN:
        at -= 1
    if at == 0 or text[at - 1] != ord("("):
        return False
    opener = at - 1
    callee = _WORD_BEFORE.search(text, max(0, opener - 40), opener)
    if callee is not None:
        return callee.group(1) not in _PARENTHESISED_TARGETS and not callee.group(1)[:1].isdigit()
    while opener > 0 and text[opener - 1] in _SPACE:
        opener -= 1
    return opener > 0 and text[opener - 1] in b")]"


def lines_spelling(source: bytes, words: Iterable[str]) -> List[int]:
    """The line numbers of ``source`` that spell one of ``words`` as a whole identifier."""
    hits = sorted(hit for word in set(words) for hit in word_offsets(source, word.encode()))
    if not hits:
        return []
    if b"\r" not in source:
        # Only ``\n`` ends lines: count them between one hit and the next (no list of every line).
        lines: List[int] = []
        line, at = 1, 0
        for hit in hits:
            line += source.count(b"\n", at, hit)
            at = hit
            if not lines or lines[-1] != line:
                lines.append(line)
        return lines
    # ``bytes.splitlines`` ends lines where the tokenizer does: at ``\n``, ``\r\n`` and a lone ``\r``.
    ends = list(accumulate(len(line) for line in source.splitlines(keepends=True)))
    return sorted({bisect_right(ends, hit) + 1 for hit in hits})


def spans_a_line(node: ast.AST, lines: List[int]) -> bool:
    """Whether ``node``'s lines include one of ``lines`` (ascending; from :func:`lines_spelling`)."""
    at = bisect_left(lines, node.lineno)  # type: ignore[attr-defined]
    return at < len(lines) and lines[at] <= (node.end_lineno or node.lineno)  # type: ignore[attr-defined]
