"""Alias keys waiting for a word: how the index's reverse questions ("which modules refer to this
class", "which names reach a loader") resolve only the keys that can answer them."""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Set, Tuple

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
