"""Alias keys waiting for a word: how the index's reverse questions ("which modules refer to this
class", "which names reach a loader") resolve only the keys that can answer them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from ..precheck import ReachWords

if TYPE_CHECKING:
    from .index import ProjectIndex

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class KeysByWord:
    """The alias keys of the modules read so far, each waiting until a word its targets spell is
    among the words a question looks for.

    A key can be an alias of ``X`` only through the targets its own module binds it to, and the
    first step of any such chain names ``X``, or a name or module found to alias ``X`` (``from
    .compat import J`` after ``J = Job`` in ``compat``). So a key whose targets spell none of those
    words needs no resolution through other modules' heads yet: it is resolved once one of its words
    is found (a later module may find it), and never otherwise. ``extra``: words that make a module's
    keys ready from the start (the loader modules its text names)."""

    def __init__(self) -> None:
        self._waiting: Dict[str, List[Tuple[str, str]]] = {}
        self._ready: List[Tuple[str, str]] = []
        self._handed: Set[Tuple[str, str]] = set()

    def add(self, module: str, aliases: Dict[str, List[str]], extra: Iterable[str] = ()) -> None:
        early = set(extra)
        for key, targets in aliases.items():
            spelled = {word for target in targets for word in _WORD.findall(target)}
            if spelled & early:
                self._ready.append((module, key))
                continue
            for word in spelled:
                self._waiting.setdefault(word, []).append((module, key))

    def ready(self, words: Iterable[str]) -> List[Tuple[str, str]]:
        """The keys not handed out before whose targets spell one of ``words`` (or were ready)."""
        out: List[Tuple[str, str]] = []
        for item in self._ready:
            if item not in self._handed:
                self._handed.add(item)
                out.append(item)
        self._ready = []
        for word in words:
            for item in self._waiting.pop(word, ()):
                if item not in self._handed:
                    self._handed.add(item)
                    out.append(item)
        return out


def loader_reach(index: "ProjectIndex", is_loader: Callable[[FrozenSet[str]], bool], catalogued: Iterable[str] = ()) -> ReachWords:
    """What a module must spell to reach a loader through the project's aliases (see
    :meth:`ProjectIndex.loader_words`).

    Only a module whose text names a loader module, or a name already found to alias a loader, can
    bind a name to one: those are read, round by round."""
    modules = index.modules
    words: Set[str] = set()
    keys_found: Set[str] = set()
    called: Set[str] = set()
    checked: Set[str] = set()
    keys = KeysByWord()
    frontier = modules.loader_candidates()
    while frontier:
        found: Set[str] = set()
        for module in frontier:
            if module in checked:
                continue
            checked.add(module)
            # A key binds a loader in one step when its targets name the loader's module.
            keys.add(module, modules.head(module)["aliases"], modules.text_facts(module)["loader_roots"])
        ready = keys.ready(words)
        while ready:
            for module, key in ready:
                targets = index.aliases(f"{module}.{key}")
                if targets and is_loader(targets):
                    found.update((module.rpartition(".")[2], first_word(key)))
                    keys_found.add(first_word(key))
            ready = keys.ready(words | found)
        frontier = [m for word in sorted(found - words) for m in modules.mentioning(word)]
        words |= found
    # ``from_qualified_name(self.picklelib)``: a function returning the module its argument names
    # (``return import_module(name)``) reaches any loader a caller names; a call spells its name.
    for module in modules.mentioning("import_module"):
        for qualname, entry in modules.head(module)["functions"].items():
            if entry.get("imports") is True:
                words.update((module.rpartition(".")[2], first_word(qualname)))
                called.add(qualname.rpartition(".")[2])
    # A catalogued loader of the project's own modules (rq's ``rq.serializers.resolve_serializer().loads``,
    # linting rq), reached by a relative import the text check cannot tie to the catalogue's root.
    for name in catalogued:
        split = index._split(name)
        if split is not None:
            words.update((split[0].rpartition(".")[2], first_word(split[1])))
            keys_found.add(first_word(split[1]))
    names = ReachWords.called(called)
    return ReachWords(frozenset(words), None if names is None else names | keys_found)


def first_word(rest: str) -> str:
    """``Client().send`` -> ``Client``: the name a module binds for an alias of ``rest``."""
    return rest.split(".", 1)[0].split("(", 1)[0].split("[", 1)[0]


def reach_json(reach: ReachWords) -> Any:
    """``reach`` as the answers file keeps it (read back by :func:`saved_reach`)."""
    return {"imports": sorted(reach.imports), "names": None if reach.names is None else sorted(reach.names)}


def saved_reach(saved: Any) -> Optional[ReachWords]:
    """The loader words an earlier run wrote (None when absent or of another shape)."""
    if not isinstance(saved, dict):
        return None
    imports, names = saved.get("imports"), saved.get("names")
    if not all(isinstance(part, list) and all(isinstance(word, str) for word in part) for part in (imports, names or [])):
        return None
    return ReachWords(frozenset(imports), None if names is None else frozenset(names))  # type: ignore[arg-type]
