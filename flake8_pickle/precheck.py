"""What a module's text rules out before the walk, and which bodies the walk may then leave alone.

Every answer here errs towards walking: a word in a comment or a string only
makes the analysis do more. ``tests/test_precheck.py`` checks that, on every
fixture and on a sample of real code, the findings with the pre-check equal
the findings without it.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set

from .catalog import Catalog
from .classes import ClassModel
from .protocol import lineage
from .scope import LocalDef

#: Top-level modules of every copy, dump and process API the PKL2xx call sites resolve.
COPY_ROOTS = frozenset(
    {
        "copy", "dataclasses", "sklearn", "pickle", "_pickle", "cPickle", "dill", "cloudpickle",
        "joblib", "torch", "multiprocessing", "concurrent", "shelve",
    }
)
#: Words of an import that can reach any module by a computed name.
DYNAMIC_IMPORTS = frozenset({"__import__", "import_module", "modules"})
#: Methods whose class's attributes some PKL3xx rule reads (PKL301 intent, PKL304, PKL305).
STATE_DUNDERS = frozenset({"__getstate__", "__setstate__", "__copy__"})
#: Methods some PKL3xx rule reads on their own (PKL303, PKL306-PKL308): a class defining only
#: these needs them and its constructors walked, not its other methods.
PROTOCOL_DUNDERS = STATE_DUNDERS | {
    "__reduce__", "__reduce_ex__", "__deepcopy__", "__getattr__", "__getattribute__", "__setattr__",
    "__getnewargs__", "__getnewargs_ex__",
}
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


@lru_cache(maxsize=8)
def loader_roots(catalog: Catalog) -> FrozenSet[str]:
    """The top-level modules of every loader: a module importing none of them calls none of them."""
    roots = {name.split(".")[0] for name in catalog.by_name}
    roots |= {library for library, _ in catalog.distinctive_methods.values()}
    return frozenset(roots)


def possible(source: str, catalog: Catalog) -> Possible:
    """What ``source`` can reach: loaders and copy APIs only through an import of their module."""
    words = imported_words(source)
    dynamic = not words.isdisjoint(DYNAMIC_IMPORTS) or "sys.modules" in source
    return Possible(
        loaders=_reaches(source, loader_roots(catalog), words, dynamic),
        copies=_reaches(source, COPY_ROOTS, words, dynamic) or "model_copy" in source,
        copyreg="copyreg" in source,
    )


@lru_cache(maxsize=16)
def _quoted(words: FrozenSet[str]) -> "re.Pattern[str]":
    # A computed import names its module in a string: ``import_module("pickle")``.
    return re.compile("[\"'](?:" + "|".join(sorted(re.escape(word) for word in words)) + r")\b")


def _reaches(source: str, roots: FrozenSet[str], words: Set[str], dynamic: bool) -> bool:
    """Whether the module can reach a module of ``roots``: by an import, or by a computed
    import (``__import__``, ``import_module``, ``sys.modules``) whose name a string spells."""
    if not words.isdisjoint(roots):
        return True
    return dynamic and _quoted(roots).search(source) is not None


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
    or binds a global. Every method matters in a class whose attributes a rule reads:
    one that defines ``__getstate__``, ``__setstate__`` or ``__copy__`` or is an
    exception (the roots), and a base, a subclass or a class named in the body of
    such a class (what the roots may inherit or hold). In any other class that
    defines a protocol method (``__reduce__``, ``__getattr__``...), those methods
    and its constructors matter.
    """

    def __init__(self, source: str, model: ClassModel):
        self.model = model
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
        return id(cls) in self._protocol_only and (name in PROTOCOL_DUNDERS or name in _CONSTRUCTORS)

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
            defined = _dunders_defined(cls)
            if defined & STATE_DUNDERS or self.model.is_exception(cls) or lineage(cls).is_exception():
                pending.append(cls)  # the two notions of "exception" the rules use: PKL301's and PKL302's
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
        names = self._names.get(id(cls))
        if names is None:
            found: Set[str] = set()
            for sub in ast.walk(cls.node):
                if isinstance(sub, ast.Name):
                    found.add(sub.id)
                elif isinstance(sub, ast.Attribute):
                    found.add(sub.attr)
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    found.update(_WORD.findall(sub.value))  # string annotations
            names = self._names[id(cls)] = frozenset(found)
        return names


def _local_bases(cls: LocalDef) -> Iterable[LocalDef]:
    for base in cls.bases:
        for symbol in base:
            if isinstance(symbol, LocalDef) and symbol.kind == "class":
                yield symbol


def _dunders_defined(cls: LocalDef) -> Set[str]:
    """The protocol methods the body of ``cls`` defines (by ``def`` or by assignment)."""
    found: Set[str] = set()
    for statement in getattr(cls.node, "body", ()):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name in PROTOCOL_DUNDERS:
                found.add(statement.name)
        elif isinstance(statement, ast.Assign):
            found.update(t.id for t in statement.targets if isinstance(t, ast.Name) and t.id in PROTOCOL_DUNDERS)
    return found
