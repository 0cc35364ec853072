"""The project index's questions about classes: what another module's class holds, which protocol
a subclass inherits, which builtin exception a class rebuilds as, and what other modules copy,
pickle or send (the light summaries answer them: what classes hold needs no provenance)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, FrozenSet, List, Optional, Set, Tuple, Union

from ..catalog.handoff import ASDICT, DEEPCOPY
from ..checks.protocol.state import shape_keeps
from ..classes import BUILTIN_EXCEPTIONS, PROTOCOL_COVERS
from ..precheck import ReachWords
from ..provenance_model import framework_data

if TYPE_CHECKING:
    from .store import Summaries

Json = Any
_MAX_DEPTH = 8
#: Methods that decide how an exception is rebuilt from its pickle (see ``exception_base``).
_REBUILD_METHODS = (
    "__init__", "__new__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__getnewargs__",
    "__getnewargs_ex__",
)


class ClassQuestions:
    """Mixed into :class:`flake8_pickle.project.index.ProjectIndex`, whose names and caches it uses."""

    modules: "Summaries"
    _holds: Dict[Tuple[str, str], Optional[Tuple[str, str, int, str, str]]]
    _uses: Optional[Dict[str, Set[str]]]
    _used_in: Optional[Set[str]]
    _library_bases: Dict[str, FrozenSet[str]]
    _senders: Optional[Tuple[FrozenSet[str], FrozenSet[str]]]
    _sender_words: Optional[ReachWords]

    def _split(self, name: str) -> Optional[Tuple[str, str]]:
        raise NotImplementedError

    def canonical(self, name: str) -> FrozenSet[str]:
        raise NotImplementedError

    def function(self, name: str, depth: int = 0) -> Any:
        raise NotImplementedError

    def _qualified_base(self, module: str, base: str) -> str:
        """A base class as a summary of ``module`` names it, qualified: another module's as it is,
        the module's own (``Base``) as ``module.Base``."""
        return base if self._split(base) else f"{module}.{base}"

    def _class_entries(self, name: str, summary: Callable[[str], Json]) -> Iterator[Tuple[str, str, Json]]:
        """``(module, qualname, entry)`` of each project class ``name`` may be, from ``summary``."""
        for candidate in sorted(self.canonical(name) | {name}):
            split = self._split(candidate)
            if split is not None:
                entry = summary(split[0])["classes"].get(split[1])
                if entry is not None:
                    yield split[0], split[1], entry

    def exception_init(self, name: str) -> Optional[List[Json]]:
        """``[class, described __init__]`` for the project exception class ``name`` that defines its
        own ``__init__`` (see :func:`~flake8_pickle.checks.protocol.exceptions.written_init`), or None."""
        for module, qualname, entry in self._class_entries(name, self.modules.head):
            described = entry.get("exception_init")
            if isinstance(described, dict):
                return [f"{module}.{qualname}", described]
        return None

    def init_stores(self, name: str) -> Optional[Tuple[List[str], Dict[str, List[str]]]]:
        """For the project class ``name``: its ``__init__``'s parameters (``self`` left out) and the
        ``self`` attributes each one is stored in (``self.db = db``), or None."""
        for _, _, entry in self._class_entries(name, self.modules.light):
            init = entry.get("init")
            if isinstance(init, list) and len(init) == 2 and isinstance(init[0], list) and isinstance(init[1], dict):
                return init[0], init[1]
        return None

    def library_bases(self, name: str, depth: int = 0) -> FrozenSet[str]:
        """The classes outside the project the project class ``name`` derives from, through the
        project's classes (``app.base.BaseHandler`` -> ``tornado.web.RequestHandler``)."""
        known = self._library_bases.get(name)
        if known is not None:
            return known
        self._library_bases[name] = frozenset()  # a cycle of bases stops here
        found: Set[str] = set()
        if depth <= _MAX_DEPTH:
            for module, _, entry in self._class_entries(name, self.modules.head):
                for base in entry["bases"]:
                    if self._split(base) is None and base in self.modules.head(module)["classes"]:
                        base = f"{module}.{base}"  # a class of the same module
                    if self._split(base) is None:
                        found.add(base)
                    else:
                        found |= self.library_bases(base, depth + 1)
        known = self._library_bases[name] = frozenset(found)
        return known

    def exception_base(self, name: str, depth: int = 0) -> Optional[Tuple[str, bool]]:
        """For the project class ``name`` (``app.errors.BaseError``): the builtin exception it derives
        from, and whether it is plain, that is it and each project class up to that builtin has one
        base and defines nothing a rebuild reads (``__init__``, ``__new__``, ``__reduce__``...), so
        that it rebuilds as the builtin does. None when it derives from no builtin exception."""
        if depth > _MAX_DEPTH:
            return None
        for module, qualname, entry in self._class_entries(name, self.modules.head):
            head = self.modules.head(module)
            plain = len(entry["bases"]) == 1 and not any(f"{qualname}.{m}" in head["functions"] for m in _REBUILD_METHODS)
            for base in entry["bases"]:
                if base in BUILTIN_EXCEPTIONS:
                    return base, plain
                found = self.exception_base(self._qualified_base(module, base), depth + 1)
                if found is not None:
                    return found[0], plain and found[1]
        return None

    def class_holds(self, name: str, operation: str, depth: int = 0) -> Optional[Tuple[str, str, int, str, str]]:
        """``(resource, where, line, class, file)`` an instance of the project class ``name`` holds that
        makes ``operation`` fail, or None."""
        if depth == 0:
            key = (name, operation)
            if key not in self._holds:
                self._holds[key] = self._class_holds(name, operation, 0)
            return self._holds[key]
        return self._class_holds(name, operation, depth)

    def _class_holds(self, name: str, operation: str, depth: int) -> Optional[Tuple[str, str, int, str, str]]:
        if depth > _MAX_DEPTH:
            return None
        for candidate in sorted(self.canonical(name)):
            split = self._split(candidate)
            if split is None:
                continue
            module, qualname = split
            summary = self.modules.light(module)  # what classes hold needs no provenance
            cls = summary["classes"].get(qualname)
            if cls is None:
                # A factory: ``connect()`` returns a ``Connection``, or one made with a resource
                # (``return Client(socket.socket())``: the summary says what that object holds).
                function = summary["functions"].get(qualname)
                held = (function or {}).get("holds", {}).get(operation)
                if held is not None:
                    resource, where, line = held
                    return resource, where, line, f"{module}.{qualname}()", summary["path"]
                for made in (function or {}).get("instances", ()):
                    found = self.class_holds(made, operation, depth + 1)
                    if found is not None:
                        return found
                continue
            if set(cls["protocols"]) & PROTOCOL_COVERS[operation]:
                return None
            held = cls["holds"].get(operation)
            if held is not None:
                resource, where, line = held
                return resource, where, line, f"{module}.{qualname}", summary["path"]
            for base in cls["bases"]:
                base_name = self._qualified_base(module, base)
                found = self.class_holds(base_name, operation, depth + 1)
                if found is not None:
                    return found
            inner = DEEPCOPY if operation == ASDICT else operation  # ``asdict`` deep-copies each field
            for attr, made in self._refs_handed(module, qualname, cls, operation)[1]:
                for name in made:
                    found = self.class_holds(name, inner, depth + 1)
                    if found is not None:
                        resource, where, line, owner, path = found
                        return resource, f"self.{attr}" + (where[4:] if where.startswith("self.") else ""), line, owner, path
        return None

    def _refs_handed(self, module: str, qualname: str, entry: Json, operation: str) -> Tuple[Union[None, str, List[Json]], List[Tuple[str, List[str]]]]:
        """What the nearest protocol lets ``operation`` keep of the class's state (see
        :meth:`inherited_state`; ``asdict`` reads no protocol), and the class's attributes holding
        other modules' objects (``refs``) that travel with it: none when a ``__reduce__`` or a state
        hook not understood decides (``"all"``), those an inherited ``__getstate__`` keeps
        (twisted's ``volatile = ["_loop"]`` drops one), else all."""
        kept = self.inherited_state(f"{module}.{qualname}", operation) if operation != ASDICT else None
        if kept == "all":
            return kept, []
        refs = sorted((entry.get("refs") or {}).items())
        if isinstance(kept, list):
            refs = [(attr, made) for attr, made in refs if shape_keeps([tuple(shape) for shape in kept], attr)]
        return kept, refs

    def framework_param(self, module: str, qualname: str, param: str) -> Optional[str]:
        """What a framework passes for ``param`` of the project method ``module:qualname`` (its label),
        when the method's class derives, through the project's classes, from the library class that
        calls it with a client's data: a view method's request (``post(self, request)`` under a
        project ``ApiView(View)``), a protocol's ``data_received(self, data)``. None otherwise."""
        owner, _, method = qualname.rpartition(".")
        entry = self.modules.head(module)["functions"].get(qualname) if owner else None
        if entry is None or not entry.get("bound") or entry.get("classmethod") or param not in entry["params"]:
            return None
        bases = self.library_bases(f"{module}.{owner}")
        index = entry["params"].index(param) + 1  # counting ``self``
        return framework_data(method, index, param, lambda match: any(match(base) for base in bases))

    def inherited_state(self, name: str, operation: str, depth: int = 0) -> Union[None, str, List[Json]]:
        """What the nearest protocol of the project class ``name`` (or of its bases) that covers
        ``operation`` lets a subclass's instance keep: ``"all"`` dropped (a ``__reduce__``, or a
        ``__getstate__`` not understood), the shapes of what its ``__getstate__`` keeps, or None."""
        if depth > _MAX_DEPTH:
            return None
        for module, _, entry in self._class_entries(name, self.modules.light):
            covering = set(entry["protocols"]) & PROTOCOL_COVERS[operation]
            if covering - {"__getstate__"}:
                return "all"
            if covering:
                state = entry.get("state")
                return state if isinstance(state, list) else "all"
            for base in entry["bases"]:
                found = self.inherited_state(self._qualified_base(module, base), operation, depth + 1)
                if found is not None:
                    return found
        return None

    def senders(self) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """The project functions that copy, pickle or send a parameter of theirs: their qualified
        names and their last names (what a call of one spells), from the light summaries."""
        if self._senders is None:
            names: Set[str] = set()
            for module in self.modules.copy_candidates():
                for qualname, entry in self.modules.light(module)["functions"].items():
                    if entry.get("sends"):
                        names.add(f"{module}.{qualname}")
            self._senders = (frozenset(names), frozenset(n.rpartition(".")[2] for n in names))
        return self._senders

    def sender_words(self) -> ReachWords:
        """See :meth:`~flake8_pickle.project.view.ModuleView.sender_words` (computed once)."""
        if self._sender_words is None:
            words: Set[str] = set()
            for name in self.senders()[0]:
                split = self._split(name)
                if split is None:
                    continue
                module, qualname = split
                top = qualname.split(".")[0]
                words.add(top)
                if "." not in qualname:
                    words.add(module.rpartition(".")[2])  # ``from app import cache; cache.remember(...)``
                else:
                    made = f"{module}.{top}()"
                    words.update(k for k, targets in self.modules.head(module)["aliases"].items() if made in targets)
            # A call of the function spells its own name (``CACHE.remember(obj)``, ``remember(obj)``).
            self._sender_words = ReachWords(frozenset(words), ReachWords.called(self.senders()[1]))
        return self._sender_words

    def param_sends(self, name: str) -> Optional[Tuple[List[str], int, List[Json]]]:
        """What the project function a call of ``name`` runs copies, pickles or sends of its own
        parameters (only a module whose text can copy does): its parameters, the call's positional
        shift and the ``sends`` of its light summary."""
        ref = self.function(name)
        if ref is None or ref.module not in self.modules.copy_candidates_set():
            return None
        entry = self.modules.light(ref.module)["functions"].get(ref.qualname) or {}
        sends = entry.get("sends")
        return (entry["params"], ref.shift, sends) if sends else None

    def uses(self, name: str) -> Set[str]:
        """The operations (deepcopy, pickle, spawn...) other modules apply to instances of the
        project class ``name``."""
        return self._uses_table().get(name, set())

    def uses_inside(self, module: str) -> bool:
        """Whether other modules copy, pickle or send instances of a class named inside ``module``."""
        if self._used_in is None:
            self._used_in = {name[:cut] for name in self._uses_table() for cut, char in enumerate(name) if char == "."}
        return module in self._used_in

    def _uses_table(self) -> Dict[str, Set[str]]:
        if self._uses is None:
            uses: Dict[str, Set[str]] = {}
            for module in self.modules.copy_candidates():  # only they can copy, pickle or hand off
                summary = self.modules.light(module)
                for used, operations in summary.get("uses", {}).items():
                    for canonical in self.canonical(used) | self._made_by(used):
                        uses.setdefault(canonical, set()).update(operations)
            # An instance of a subclass is one of its bases' too: what a base holds is handed with it
            # (up to a class whose own protocol decides what travels).
            for name, operations in list(uses.items()):
                for operation in operations:
                    for base in self._ancestors_handed(name, operation):
                        uses.setdefault(base, set()).add(operation)
            self._uses = uses
        return self._uses

    def _ancestors_handed(self, name: str, operation: str, depth: int = 0) -> Set[str]:
        """The project classes the project class ``name`` derives from, or whose instances its
        attributes hold, through any number of modules, whose state ``operation`` on its instances
        hands over: none past a class whose protocol covers the operation."""
        found: Set[str] = set()
        if depth > _MAX_DEPTH:
            return found
        for module, qualname, entry in self._class_entries(name, self.modules.light):
            if set(entry["protocols"]) & PROTOCOL_COVERS[operation]:
                continue
            kept, refs = self._refs_handed(module, qualname, entry, operation)
            if kept == "all":
                continue  # a base's ``__reduce__`` or state hook decides what travels
            # Its bases, and the other modules' classes its attributes hold (copied with it).
            held = [m for _, made in refs for m in made]
            for base in (list(entry["bases"]) if kept is None else []) + held:
                qualified = self._qualified_base(module, base)
                for canonical in self.canonical(qualified) | {qualified}:
                    if self._split(canonical) is not None and canonical not in found:
                        found.add(canonical)
                        found |= self._ancestors_handed(canonical, operation, depth + 1)
        return found

    def _made_by(self, name: str) -> Set[str]:
        """The classes whose instances a call of the project function ``name`` returns: those it
        constructs (``return Settings(path)``) and those it picks from a registry (``return
        _STORES[name]``)."""
        made = {n[:-2] for n in self.canonical(f"{name}()") if n.endswith("()")}
        split = self._split(name)
        if split is not None and split[1] in self.modules.head(split[0])["functions"]:
            made.update((self.modules.light(split[0])["functions"].get(split[1]) or {}).get("instances", ()))
        return made
