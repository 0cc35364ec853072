"""The project index: every module's summary, composed on demand.

Building (:func:`build`): each ``.py`` file of the project is read; the modules every linted
module asks about are summarised at once (from the cache of :mod:`flake8_pickle.project.store`
where the content is unchanged), the rest on first need.

Composing: a summary is computed from its module alone; what crosses modules is resolved here,
when a module is linted: aliases through re-exports, what another module's function returns for
the arguments given (through further modules), which calls in other modules pass untrusted data
into this module's functions, and what another module's class holds.
"""

from __future__ import annotations

import ast
import atexit
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from ..provenance import UNKNOWN, Channel, External, Source, Trusted
from ..provenance_model import RECEIVER, KeyedBy, Param
from ..settings import Settings
from ..checks.unpicklers import UNPICKLER_BASES
from ..precheck import ReachWords
from .class_questions import ClassQuestions
from .keys import KeysByWord, first_word, loader_reach, reach_json, saved_reach
from .layout import module_name, python_files
from .store import CACHE_DIR_NAME, HEAD, LIGHT, Cache, FileJob, Summaries, settings_digest

Json = Any

if TYPE_CHECKING:
    from .view import ModuleView
_MAX_DEPTH = 8
#: A plain ASCII identifier: the names :meth:`Summaries.may_bind` answers for.
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_CHAIN = 6
#: How many subclasses of one class a ``self.m(...)`` call is followed into.
_MAX_DESCENDANTS = 64


def build(root: Path, settings: Settings, cache_dir: Optional[Path] = None, jobs: int = 1) -> "ProjectIndex":
    """The index of the project at ``root``.

    Every file is read and hashed here, but summarised only when a question needs it: the modules
    whose text can reach a loader or a copy (the same text pre-check linting uses) at once, with
    ``jobs`` processes, since every linted module asks about those; the rest on first need (a
    caller of a function spells its name), from the cache where the content is unchanged.
    """
    directory = cache_dir if cache_dir is not None else root / CACHE_DIR_NAME
    cache = Cache(directory)
    digest = settings_digest(settings)
    files: Dict[str, Tuple[FileJob, bytes]] = {}
    for path in python_files(root, skip=(directory,)):
        named = module_name(root, path)
        if named is None or named[0] in files:
            continue  # ``src/app`` before a stray ``app`` copy
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError:
            continue
        files[named[0]] = (FileJob(str(path), path.relative_to(root).as_posix(), named[0], named[1]), content)
    modules = Summaries(files, cache, digest, settings)
    # Every linted module asks which names reach a loader and what other modules copy: the
    # modules that can answer are read now, with ``jobs`` processes, before flake8 forks.
    modules.load(modules.copy_candidates(), jobs, LIGHT)
    modules.load(modules.loader_candidates(), jobs, HEAD)
    modules.save_text_facts()
    modules.read_answers()
    index = ProjectIndex(root, modules)
    # The answers this process works out while linting are written when it ends: the next run over
    # the same tree reads them instead of scanning the project's text again (flake8's -j workers end
    # without this, so their answers are their own; the process that built the index writes).
    atexit.register(_save_at_exit, weakref.ref(index))
    return index


def _save_at_exit(reference: "weakref.ReferenceType[ProjectIndex]") -> None:
    index = reference()
    if index is not None:  # an index the process dropped (a test's) has nothing to add
        index.save_answers()


@dataclass(frozen=True)
class _Passed:
    """A parameter of the calling function, followed through another module's call by :meth:`ProjectIndex.callers`."""

    name: str


@dataclass(frozen=True)
class FunctionRef:
    """A function of the project found for a called name."""

    module: str
    qualname: str
    entry: Json
    #: How many positional arguments of the call come before the summary's parameters
    #: (1 for ``Class.method(obj, x)``, where the summary's parameters leave ``self`` out).
    shift: int

    @property
    def key(self) -> str:
        return f"{self.module}:{self.qualname}"


@dataclass
class ProjectIndex(ClassQuestions):
    """Every module's summary; composed answers, memoised."""

    root: Path
    modules: "Summaries"
    _closure: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    #: Function key -> (calling module, call entry, positional shift), from the modules scanned so far.
    _sites: Dict[str, List[Tuple[str, Json, int]]] = field(default_factory=dict)
    _scanned: Set[str] = field(default_factory=set)
    _referrers: Dict[str, List[str]] = field(default_factory=dict)
    _loader_words: Optional[ReachWords] = None
    _uses: Optional[Dict[str, Set[str]]] = None
    _functions: Dict[str, Optional[FunctionRef]] = field(default_factory=dict)
    _all_functions: Dict[str, List[FunctionRef]] = field(default_factory=dict)
    #: Class -> its subclasses, from the modules scanned for classes so far.
    _children: Dict[str, List[str]] = field(default_factory=dict)
    _class_scanned: Set[str] = field(default_factory=set)
    _canonical: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    _holds: Dict[Tuple[str, str], Optional[Tuple[str, str, int, str, str]]] = field(default_factory=dict)
    #: Every dotted prefix of a class name other modules use (``uses``): the modules they are in.
    _used_in: Optional[Set[str]] = None
    _stored: Dict[str, FrozenSet] = field(default_factory=dict)
    _library_bases: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    _senders: Optional[Tuple[FrozenSet[str], FrozenSet[str]]] = None
    _sender_words: Optional[ReachWords] = None

    # ------------------------------------------------------------------ names
    def _split(self, name: str) -> Optional[Tuple[str, str]]:
        """``(module, rest)`` for the longest module of the project ``name`` starts with."""
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                return module, ".".join(parts[cut:])
        return None

    def aliases(self, name: str) -> Optional[FrozenSet[str]]:
        """The other names ``name`` is, through the project's aliases and re-exports."""
        known = self._closure.get(name)
        if known is None:
            self._closure[name] = frozenset()  # a cycle of aliases stops here
            found: Set[str] = set()
            for target in self._direct(name):
                if target != name:
                    found.add(target)
                    found |= self.aliases(target) or frozenset()
            known = self._closure[name] = frozenset(found)
        return known or None

    def _direct(self, name: str) -> List[str]:
        split = self._split(name)
        if split is None:
            return []
        module, rest = split
        if not self.modules.spells(module, first_word(rest)):
            # An alias binds its name in the module's text (``from x import rest``, ``rest = ...``,
            # ``def rest``): a module that never spells it has none, and needs no parse to say so.
            return []
        if _PLAIN_NAME.fullmatch(rest) and not self.modules.head_at_hand(module) and not self.modules.may_bind(module, rest):
            # ``from .models import Model`` where ``models`` only defines ``Model`` (or names it in
            # uses): nothing to follow, and no parse of ``models`` to say so.
            return []
        head = self.modules.head(module)
        found = head["aliases"].get(rest)
        if rest.endswith(("[]", ".get()", "[]()")):
            # ``PLUGINS[fmt]``, ``PLUGINS[fmt]()``: also what other modules' decorators put there.
            called = rest.endswith("[]()")
            container = rest[: -len("[]()") if called else -len("[]") if rest.endswith("[]") else -len(".get()")]
            more = self._filled_elsewhere(module, container)
            if called:
                more = {f"{target}()" for target in more | set(head["aliases"].get(f"{container}[]", ())) if not target.endswith("()")}
            if more:
                return sorted(set(found or ()) | more)
        if found is not None:
            return list(found)
        owner, dot, attr = rest.partition("().")
        entry = head["classes"].get(owner) if dot and "." not in attr and "(" not in attr else None
        if entry is None or f"{owner}.{attr}" in head["functions"] or UNPICKLER_BASES.intersection(entry["bases"]):
            return []  # an Unpickler subclass's methods: its summary's aliases say whether it is sound
        # ``BaseHandler().request``, an attribute the class does not define: its bases' (a library
        # base's instance attribute is what the catalogue names: ``tornado.web.RequestHandler().request``).
        return [f"{base if self._split(base) or base not in head['classes'] else f'{module}.{base}'}().{attr}" for base in entry["bases"]]

    def _filled_elsewhere(self, module: str, container: str) -> Set[str]:
        """The classes and functions other modules decorate with a filler of ``module``'s registry
        ``container`` (``@register("pickle") class PicklePlugin`` in ``plug.py``, with ``register``
        in ``registry.py`` returning a decorator that stores its argument in ``PLUGINS``)."""
        out: Set[str] = set()
        for name, entry in self.modules.head(module)["functions"].items():
            if not any(c == container for c, _ in _fills(entry, True) + _fills(entry, False)):
                continue
            for other in self.referrers(f"{module}.{name}"):
                if other == module:
                    continue  # the module's own decorators: its resolver fills the registry
                for qualname, decorators in self.modules.head(other).get("decorated", {}).items():
                    if any((container, module) in self._filled_by(decorator) for decorator in decorators):
                        out.add(f"{other}.{qualname}")
        return out

    def _filled_by(self, decorator: str) -> List[Tuple[str, str]]:
        """``(container, module)`` for each registry of the project a decorator puts what it decorates
        in: ``app.registry.register()`` (a call's result: what the decorator it returns stores) or
        ``app.registry.add`` (a function storing its first parameter)."""
        called = decorator.endswith("()")
        base = decorator[:-2] if called else decorator
        out: List[Tuple[str, str]] = []
        for candidate in self.canonical(base) | {base}:
            where = self._split(candidate)
            entry = self.modules.head(where[0])["functions"].get(where[1]) if where is not None else None
            if entry is not None:
                out.extend((container, where[0]) for container, _ in _fills(entry, called))  # type: ignore[index]
        return out

    def canonical(self, name: str) -> FrozenSet[str]:
        """Every name ``name`` may be, resolving aliases at each step as the resolver does."""
        known = self._canonical.get(name)
        if known is None:
            known = self._canonical[name] = frozenset(self._canonical_names(name))
        return known

    def _canonical_names(self, name: str) -> Set[str]:
        current: Set[str] = set()
        for index, token in enumerate(_tokens(name)):
            if token == "()":
                current = {n + "()" for n in current}
                for candidate in list(current):
                    current |= self.aliases(candidate) or frozenset()
                continue
            stepped = {token} if index == 0 else {f"{n}.{token}" for n in current}
            current = set(stepped)
            for candidate in stepped:
                current |= self.aliases(candidate) or frozenset()
            if len(current) > 32:
                break
        return current

    # ------------------------------------------------------------------ functions
    def function(self, name: str, depth: int = 0) -> Optional[FunctionRef]:
        """The project function a call of ``name`` runs (through aliases and base classes)."""
        if name in self._functions:
            return self._functions[name]
        self._functions[name] = None  # a cycle of bases or aliases finds nothing more
        found = None
        for candidate in sorted(self.canonical(name)):
            found = self._function(candidate, depth)
            if found is not None:
                break
        self._functions[name] = found
        return found

    def functions(self, name: str) -> List[FunctionRef]:
        """Every project function a call of ``name`` may run: one per name it may be
        (``get_serializer().decode`` runs ``JSONSerializer.decode`` or ``PickleSerializer.decode``)."""
        known = self._all_functions.get(name)
        if known is None:
            first = self.function(name)
            known = [first] if first is not None else []
            candidates = self.canonical(name)
            if first is not None and len(candidates) > 1:
                keys = {first.key}
                for candidate in sorted(candidates):
                    ref = self.function(candidate) if candidate != name else None
                    if ref is not None and ref.key not in keys:
                        keys.add(ref.key)
                        known.append(ref)
            self._all_functions[name] = known
        return known

    def _function(self, name: str, depth: int) -> Optional[FunctionRef]:
        split = self._split(name.replace("()", ""))
        if split is None or depth > _MAX_DEPTH:
            return None
        module, qualname = split
        summary = self.modules.head(module)
        entry = summary["functions"].get(qualname)
        on_instance = "()." in name
        if entry is None and not on_instance and self._is_class(module, qualname):
            # ``Job(data)`` runs ``Job.__init__`` (its own or a base class's) on the new object.
            return self.function(f"{module}.{qualname}().__init__", depth + 1)
        if entry is None:
            owner, _, method = qualname.rpartition(".")
            cls = summary["classes"].get(owner) if owner else None
            if cls is None:
                return None
            for base in cls["bases"]:
                base_name = self._qualified_base(module, base)
                found = self.function(f"{base_name}{'()' if on_instance else ''}.{method}", depth + 1)
                if found is not None:
                    return found
            return None
        shift = 1 if entry["bound"] and not on_instance and not entry.get("classmethod") else 0
        return FunctionRef(module, qualname, entry, shift)

    def _is_class(self, module: str, qualname: str) -> bool:
        """Whether ``qualname`` is a class of ``module`` (summarised, or with methods summarised)."""
        summary = self.modules.head(module)
        if qualname in summary["classes"]:
            return True
        prefix = qualname + "."
        return any(name.startswith(prefix) for name in summary["functions"])

    def call_result(self, call: External, depth: int = 0) -> Optional[FrozenSet]:
        """What ``call`` returns, from the callee's summary and the call's arguments."""
        ref = self.function(call.name)
        if ref is None or depth > _MAX_DEPTH:
            return None
        returns = self.modules[ref.module]["functions"][ref.qualname].get("returns")
        if returns is None:
            return None
        arguments = dict(call.arguments)
        hop = f"{ref.module}.{ref.qualname}()"
        path = self.modules.head(ref.module)["path"]
        out: Set[object] = set()
        for written in returns:
            if written[0] == "P":
                facts = _argument(ref, arguments, written[1])
                out |= {f.through(hop) if isinstance(f, Source) else f for f in facts}
            else:
                try:
                    out |= self._read(written, ref, arguments, path, hop, depth)
                except _SenderKeyed:
                    out.add(UNKNOWN)
        return frozenset(out)

    def _read(self, written: Json, ref: FunctionRef, arguments: Dict[str, FrozenSet], path: str, hop: str, depth: int) -> Set[object]:
        """A written fact of ``ref``'s summary as facts of the calling module."""
        kind = written[0]
        if kind == "S":
            return {Source(f"{written[1]} in {written[4]}", written[2], tuple(written[3]) + ((hop,) if hop else ()))}
        if kind == "C":
            return {Channel(f"{written[1]} in {written[3]}", written[2])}
        if kind == "T":
            return {Trusted(written[1])}
        if kind == "R":
            # What the receiver was made with (``Transport(conn).read()``): the receiver's facts.
            given = arguments.get(RECEIVER)
            if given is None:
                return {UNKNOWN}
            return {f.through(hop) if hop and isinstance(f, Source) else f for f in given}
        if kind == "P":
            # Handed on inside the function (``recv_exact(sock, n)`` in ``recv_frame``): through it.
            return {f.through(hop) if hop and isinstance(f, Source) else f for f in _argument(ref, arguments, written[1])}
        if kind == "K":
            # A MAC under the keys passed for these parameters: one the sender chose (a catalogued
            # source) makes the MAC verify nothing; the caller's own parameters decide at its callers.
            keys = frozenset().union(*(_argument(ref, arguments, name) for name in written[1]))
            if any(type(f) is Source for f in keys):
                raise _SenderKeyed()
            params = frozenset(f for f in keys if type(f) is Param)
            return {KeyedBy(params)} if params else set()
        if kind == "X":
            inner: List[Tuple[str, FrozenSet]] = []
            try:
                for key, facts in written[3]:
                    value: Set[object] = set()
                    for fact in facts:
                        value |= self._read(fact, ref, arguments, path, hop, depth + 1)
                    inner.append((key, frozenset(value)))
            except _SenderKeyed:
                return {UNKNOWN}  # the MAC's call (``hmac.new(key, data).hexdigest()``) checks nothing
            external = External(written[1], written[2], tuple(inner))
            result = self.call_result(external, depth + 1)
            if result is None:
                # Not the project's, or not summarised: what its arguments carry, and unknown data.
                result = frozenset().union(*(facts for _, facts in inner)) | {UNKNOWN}
            return set(result)
        return {UNKNOWN}

    # ------------------------------------------------------------------ callers
    def _call_sites(self, function: str) -> List[Tuple[str, Json, int]]:
        """(calling module, call entry, positional shift) for every recorded call of the project
        function ``function`` (``module:qualname``). Only the modules that spell its name, or the
        name of an alias of it, can call it: those are scanned (and summarised) on first need."""
        module, _, qualname = function.partition(":")
        for caller in self.referrers(f"{module}.{qualname}"):
            if caller in self._scanned:
                continue
            self._scanned.add(caller)
            for call in self.modules[caller]["calls"]:
                seen: Set[str] = set()
                refs: List[Optional[FunctionRef]] = [ref for callee in call["callees"] for ref in self.functions(callee)]
                for callee in call["callees"] if call.get("dispatch") else ():
                    refs.extend(self.overrides(callee))
                for ref in refs:
                    if ref is not None and ref.key not in seen:
                        seen.add(ref.key)
                        self._sites.setdefault(ref.key, []).append((caller, call, ref.shift))
        return self._sites.get(function, [])

    def referrers(self, name: str) -> List[str]:
        """The modules whose text may refer to the project function or class ``name``: those that
        spell its last name, or the name of an alias of it (found in those modules, and so on);
        for ``Class.__init__``, those that spell the class or one of its subclasses."""
        known = self._referrers.get(name)
        if known is not None:
            return known
        self._referrers[name] = []  # a cycle through subclasses stops here
        owner, _, last = name.rpartition(".")
        split = self._split(owner) if owner else None
        if split is not None and self._is_class(*split):
            # A method runs on an instance of its class or of a subclass, which the calling module
            # names (``Job(data)``, ``RetriedJob(data).run()``, ``class Mine(Job)`` for ``self.run()``),
            # or on a name bound to one of those; and it spells the method, unless it constructs.
            classes = [owner, *self._descendants(owner)]
            modules = {m for cls in classes for m in self.referrers(cls)}
            # ``self.m(...)`` in a base class (a template method) dispatches to this ``m`` too.
            modules.update(ancestor.partition(":")[0] for ancestor in self._ancestors(owner))
            found = sorted(modules)
            if last != "__init__":
                spelled = set(self.modules.mentioning(last))
                found = [m for m in found if m in spelled]
                # ``loads = registry.loads`` bound at module level (kombu's shape): the modules that
                # use that name call the method without naming its class.
                bound = f"{owner}().{last}"
                if any(bound in targets for targets in self.modules.head(split[0])["aliases"].values()):
                    found = sorted(set(found) | set(self._word_referrers({bound, name}, last, split[0])))
            self._referrers[name] = found
            return found
        targets = {name}
        whole = self._split(name)
        if whole is not None and self._is_class(*whole):
            # A name bound to an instance of the class (``get_serializer()`` returning one from a
            # registry) refers to it too: its methods run on what the name gives.
            targets.add(f"{name}()")
        # ``@register("pickle") class PicklePlugin``: the registry it is put in names it too.
        registries = self._registries_of(name) if whole is not None else []
        found = self._word_referrers(targets, last, whole[0] if whole is not None else owner, registries)
        self._referrers[name] = found
        return found

    def _registries_of(self, name: str) -> List[Tuple[str, str]]:
        """``(container, module)`` for each registry of another module that the decorators of the
        project class or function ``name`` put it in (see :meth:`_filled_elsewhere`)."""
        split = self._split(name)
        decorators = self.modules.head(split[0]).get("decorated", {}).get(split[1], ()) if split is not None else ()
        return [found for decorator in decorators for found in self._filled_by(decorator)]

    def _word_referrers(self, targets: Set[str], last: str, home: str, more: Sequence[Tuple[str, str]] = ()) -> List[str]:
        """The modules that spell ``last`` (bound in ``home``), one of the ``more`` words (each with the
        module binding it), or the name of an alias of one of ``targets`` (found in those modules, and
        so on)."""
        # Each word with the module that binds it: a module can use that binding only if it names
        # the module (an import spells its last part) or sits in its package (``from . import f``).
        words = [(last, home), *more]
        targets = set(targets) | {f"{module}.{container}[]{call}" for container, module in more for call in ("", "()")}
        found: List[str] = []
        seen_words = {last, *(word for word, _ in more)}
        # A word is followed once per module binding it: a package's ``from .ser import restore``
        # binds the same word again, for the modules that import it from the package.
        seen = set(words)
        keys = KeysByWord()
        while words:
            word, home = words.pop()
            for module in self.modules.mentioning(word):
                if module in found or not self._may_import(module, home):
                    continue
                found.append(module)
                keys.add(module, self.modules.head(module)["aliases"])
            for module, key in keys.ready(seen_words):
                word = _key_word(key)
                if (word, module) not in seen and targets & (self.aliases(f"{module}.{key}") or frozenset()):
                    seen.add((word, module))
                    seen_words.add(word)
                    words.append((word, module))
        return found

    def _may_import(self, module: str, home: str) -> bool:
        """Whether ``module`` can use a name ``home`` binds: it is ``home``, names it (every import of
        it, absolute or relative, and every dotted use spells its last part), or is inside the
        package ``home`` is (``from . import f``, ``from .. import f``)."""
        if module == home or home not in self.modules:
            return True
        if self.modules.is_package(home) and module.startswith(home + "."):
            return True  # a relative import of the package's own names spells no module
        return self.modules.spells(module, home.rpartition(".")[2])

    def overrides(self, callee: str) -> Iterable[Optional[FunctionRef]]:
        """For ``self.m(...)`` in a method of ``module.Class`` (recorded as ``module.Class().m``):
        the ``m`` each subclass anywhere in the project defines, which is what the call runs on
        that subclass's instances."""
        owner, _, method = callee.rpartition("().")
        if not owner:
            return
        for descendant in self._descendants(owner):
            split = self._split(descendant)
            if split is None:
                continue
            module, qualname = split
            entry = self.modules.head(module)["functions"].get(f"{qualname}.{method}")
            if entry is not None:
                yield FunctionRef(module, f"{qualname}.{method}", entry, 0)

    def _defines(self, cls: str, method: str) -> bool:
        split = self._split(cls)
        return split is not None and f"{split[1]}.{method}" in self.modules.head(split[0])["functions"]

    def _ancestors(self, cls: str) -> List[str]:
        """``module:qualname`` of the project classes ``cls`` derives from (bounded)."""
        out: List[str] = []
        queue = [(cls, 0)]
        while queue and len(out) < _MAX_DESCENDANTS:
            name, depth = queue.pop(0)
            for candidate in sorted(self.canonical(name)):
                split = self._split(candidate)
                if split is None or depth > _MAX_DEPTH or not self._is_class(*split):
                    continue
                key = f"{split[0]}:{split[1]}"
                if depth and key not in out:
                    out.append(key)
                entry = self.modules.head(split[0])["classes"].get(split[1])
                for base in entry["bases"] if entry is not None else ():
                    queue.append((self._qualified_base(split[0], base), depth + 1))
        return out

    def _scan_subclasses(self, cls: str) -> None:
        """Record the subclasses the modules that spell ``cls`` (or an alias of it) define."""
        for module in self.referrers(cls):
            if module in self._class_scanned:
                continue
            self._class_scanned.add(module)
            for qualname, entry in self.modules.head(module)["classes"].items():
                for base in entry["bases"]:
                    base_name = self._qualified_base(module, base)
                    for name in self.canonical(base_name) | {base_name}:
                        self._children.setdefault(name, []).append(f"{module}.{qualname}")

    def _descendants(self, cls: str, method: Optional[str] = None) -> List[str]:
        """The project's classes that derive from ``cls``, nearest first (bounded); with ``method``,
        leaving out each class that defines its own ``method``, and the classes under it."""
        out: List[str] = []
        queue = [cls]
        while queue and len(out) < _MAX_DESCENDANTS:
            parent = queue.pop(0)
            self._scan_subclasses(parent)
            for child in self._children.get(parent, ()):
                if child in out or child == cls or (method is not None and self._defines(child, method)):
                    continue
                out.append(child)
                queue.append(child)
        return out

    def callers(
        self,
        module: str,
        qualname: str,
        param: str,
        depth: int = 0,
        seen: FrozenSet[Tuple[str, str]] = frozenset(),
        receivers: Optional[FrozenSet[str]] = None,
    ) -> List[Tuple[Source, Tuple[str, ...]]]:
        """Untrusted data other modules pass for ``param`` of ``module:qualname``, with the chain.

        ``receivers``: when the function was reached through a ``self.m(...)`` dispatch, the
        classes its ``self`` can be (a call on an instance of another class runs another ``m``).
        """
        key = f"{module}:{qualname}"
        if depth > _MAX_CHAIN or (key, param) in seen:
            return []
        entry = self.modules.head(module)["functions"].get(qualname) if module in self.modules else None
        if entry is None:
            return []
        params = entry["params"]
        found: List[Tuple[Source, Tuple[str, ...]]] = []
        for caller, call, shift in self._call_sites(key):
            if caller == module and depth == 0:
                continue  # the module's own calls are read from its text, not its (maybe stale) summary
            if receivers is not None and not self._receiver_fits(call, receivers):
                continue
            keys = [param]
            if param in params:
                keys.append(str(params.index(param) + shift))
            facts = [fact for name, written in call["args"] if name in keys for fact in written]
            caller_summary = self.modules.head(caller)
            at = f"{module}.{qualname}() called at {caller_summary['path']}:{call['line']}"
            for fact in facts:
                if fact[0] == "S":
                    found.append((Source(f"{fact[1]} in {fact[4]}", fact[2], tuple(fact[3])), (at,)))
                elif fact[0] == "X":
                    # ``decode(read_body())``: what another function returns, resolved here; and
                    # ``decode(Message.recv(conn).data)``: the caller's own parameter, through that call.
                    # (Markers only for the parameters the call's facts name: the results of calls
                    # without any stay shared, memoised, by every caller.)
                    named = _written_params(fact) if call["function"] else set()
                    caller_params = [name for name in (caller_summary["functions"].get(call["function"] or "") or {"params": []})["params"] if name in named]
                    passed = {name: frozenset((_Passed(name),)) for name in caller_params}
                    caller_ref = FunctionRef(caller, call["function"] or "", {"params": list(caller_params)}, 0)
                    result = self._read(fact, caller_ref, passed, caller_summary["path"], "", depth)
                    sources = sorted((f for f in result if isinstance(f, Source)), key=lambda f: (f.line, f.label, len(f.via), f.via))
                    if sources:
                        found.append((sources[0], (at,)))
                    elif call["function"]:
                        for name in sorted({f.name for f in result if isinstance(f, _Passed)}):
                            for source, chain in self.callers(caller, call["function"], name, depth + 1, seen | {(key, param)}, receivers):
                                found.append((source, chain + (at,)))
                elif fact[0] == "R" and call["function"]:
                    # ``codec.decode(self.body)`` in ``Message.decode``: what each ``Message(...)`` whose
                    # ``decode()`` runs was made with (the callers' receivers).
                    for source, chain in self.callers(caller, call["function"], RECEIVER, depth + 1, seen | {(key, param)}, receivers):
                        found.append((source, chain + (at,)))
                elif fact[0] == "P" and call["function"]:
                    label = self.framework_param(caller, call["function"], fact[1])
                    if label is not None:  # ``post(self, request)`` of a view under a project base class
                        line = (caller_summary["functions"].get(call["function"]) or {}).get("line", call["line"])
                        found.append((Source(f"{label} in {caller_summary['path']}", line), (at,)))
                        continue
                    # ``self.m(x)`` passes the caller's own ``self``: it is one of the classes that run this ``m``.
                    after = receivers
                    if call.get("dispatch"):
                        runs = self._runs(module, qualname)
                        after = runs if receivers is None else receivers & runs
                        if not after:
                            continue
                    for source, chain in self.callers(caller, call["function"], fact[1], depth + 1, seen | {(key, param)}, after):
                        found.append((source, chain + (at,)))
        return found

    def _runs(self, module: str, qualname: str) -> FrozenSet[str]:
        """The classes whose instances run the method ``module:qualname``: its class, and the
        subclasses that do not define their own."""
        owner, _, method = qualname.rpartition(".")
        if not owner:
            return frozenset()
        cls = f"{module}.{owner}"
        return frozenset((cls, *self._descendants(cls, method)))

    def _receiver_fits(self, call: Json, receivers: FrozenSet[str]) -> bool:
        """Whether ``call`` may run on an instance of one of ``receivers``: a call on an instance of
        a named class, only when it is one; ``self.m(...)``, when a subclass of the caller's class
        is one; any other call (a function, an unbound method), always."""
        for callee in call["callees"]:
            owner, _, _ = callee.rpartition("().")
            if not owner:
                return True
            classes = self.canonical(owner) | {owner}
            if classes & receivers:
                return True
            if call.get("dispatch") and receivers.intersection(self._descendants(owner)):
                return True
        return False

    # ------------------------------------------------------------------ module state
    def stored_elsewhere(self, name: str) -> FrozenSet:
        """What modules other than its own store in the module-level ``name`` (``app.state.LAST``):
        the facts of each value (sources named with their file and line), read from the summaries
        of the modules that spell its last word. A parameter stored there is data of unknown origin."""
        known = self._stored.get(name)
        if known is not None:
            return known
        self._stored[name] = frozenset()  # a cycle of stores stops here
        split = self._split(name)
        out: Set[object] = set()
        if split is not None:
            owner, rest = split
            candidates = self.modules.mentioning(first_word(rest.rpartition(".")[2] or rest))
            holder, _, _ = rest.rpartition(".")
            if holder:
                # ``Config.blob``, ``Holder().blob``: only a module that refers to the class can store
                # in it (``attr`` alone, ``data`` or ``payload``, is spelled everywhere).
                referring = set(self.referrers(f"{owner}.{holder.replace('()', '')}"))
                candidates = [module for module in candidates if module in referring]
            for module in candidates:
                if module == owner:
                    continue  # the module's own stores are read from its text
                summary = self.modules[module]
                path = summary["path"]
                for store in summary.get("stores", ()):
                    if name != store["target"] and name not in self.canonical(store["target"]):
                        continue
                    ref = FunctionRef(module, store["function"] or "", {"params": []}, 0)
                    for written in store["facts"]:
                        out |= self._read(written, ref, {}, path, "", 0)
        known = self._stored[name] = frozenset(out)
        return known

    # ------------------------------------------------------------------ loaders
    def loader_words(self, is_loader: "Callable[[FrozenSet[str]], bool]", catalogued: Iterable[str] = ()) -> ReachWords:
        """What a module must spell to reach a loader through the project's aliases: in an import,
        the alias's own name or its module's (``from app.ser import loads``, ``from app import ser``),
        and the alias's name anywhere."""
        if self._loader_words is None:
            self._loader_words = saved_reach(self.modules.answers.get("loader_words"))
        if self._loader_words is None:
            self._loader_words = loader_reach(self, is_loader, catalogued)
        return self._loader_words

    def save_answers(self) -> None:
        """Write what this process answered about the whole project (see :meth:`Summaries.read_answers`)."""
        more: Dict[str, Json] = {}
        if self._loader_words is not None:
            more["loader_words"] = reach_json(self._loader_words)
        try:
            self.modules.save_answers(more)
        except (OSError, ValueError):  # at exit, the answers are an addition: never an error
            pass

    def view(self, module: Optional[Tuple[str, bool]], tree: ast.AST) -> "ModuleView":
        """The index as ``module`` (its name, and whether it is a package), parsed as ``tree``, sees it."""
        from .view import ModuleView  # the view reads the index

        return ModuleView(self, module, tree)


def _key_word(key: str) -> str:
    """The word a module using the alias ``key`` spells: ``make()`` -> ``make``, ``Codec().decode``
    -> ``decode``, a registry's ``CODECS[]`` and ``CODECS.get()`` -> ``CODECS``."""
    if key.endswith("[]") or key.endswith(".get()"):
        return first_word(key)
    return key.replace("()", "").rpartition(".")[2]


def _tokens(name: str) -> List[str]:
    """``app.Ser().loads`` -> ``["app", "Ser", "()", "loads"]``."""
    out: List[str] = []
    for part in name.split("."):
        calls = 0
        while part.endswith("()"):
            part = part[:-2]
            calls += 1
        if part:
            out.append(part)
        out.extend(["()"] * calls)
    return out


def _fills(entry: Json, returned: bool) -> List[Tuple[str, int]]:
    """The registries a summarised function stores its first parameter in (``returned``: the
    decorator it returns does)."""
    return [(container, index) for container, index in entry.get("fills_returned" if returned else "fills", ()) if index == 0]


class _SenderKeyed(Exception):
    """A written MAC (``["K", ...]``) whose key the call's arguments give from a catalogued source."""


def _written_params(written: Json) -> Set[str]:
    """The parameters (``["P", name]``) a written fact names, at any depth of its calls' arguments."""
    if written[0] == "P":
        return {written[1]}
    if written[0] == "X":
        return {name for _, facts in written[3] for fact in facts for name in _written_params(fact)}
    return set()


def _argument(ref: FunctionRef, arguments: Dict[str, FrozenSet], param: str) -> FrozenSet:
    """What the call passes for ``param`` (unknown when it passes nothing visible)."""
    if param in arguments:
        return arguments[param]
    params = ref.entry["params"]
    if param in params:
        position = str(params.index(param) + ref.shift)
        if position in arguments:
            return arguments[position]
    return frozenset((UNKNOWN,))
