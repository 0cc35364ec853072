"""What the project index says to one module being linted (:class:`ModuleView`): the project's
facts the resolver, the provenance tracker and the class model ask for, by the module's own nodes."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Callable, Iterable, Dict, FrozenSet, List, Optional, Set, Tuple, Union

from ..precheck import Possible, ReachWords
from ..provenance import External, ProjectFacts, Source
from ..scope_model import _import_target
from ..verifiers import Verifier, read_verifier
from .index import Json, ProjectIndex
from .layout import module_name
from .summary import module_package, reachable


class ModuleView(ProjectFacts):
    """The project index as one module being linted sees it."""

    def __init__(self, index: ProjectIndex, module: Optional[Tuple[str, bool]], tree: ast.AST):
        self.index = index
        self.module = module[0] if module is not None else None
        #: Where the module's relative imports start (None: not inside the project).
        self.package = module_package(*module) if module is not None else None
        self._tree = tree
        self._named: Optional[Dict[int, str]] = None
        self._verifiers: Optional[bool] = None

    def possible(self, source: str) -> Optional[Possible]:
        """The text pre-check's answer for this module, when ``source`` is its text on disk."""
        return None if self.module is None else self.index.modules.possible_for(self.module, source)

    @property
    def _names(self) -> Dict[int, str]:
        """The module's functions and classes by node, with their qualified names (read on first need)."""
        if self._named is None:
            self._named = {id(node): name for name, node in reachable(self._tree)} if self.module else {}
        return self._named

    def aliases(self, name: str) -> Optional[FrozenSet[str]]:
        return self.index.aliases(name)

    def loader_words(self, is_loader: Callable[[FrozenSet[str]], bool], catalogued: Iterable[str] = ()) -> ReachWords:
        return self.index.loader_words(is_loader, catalogued)

    def knows(self, name: str) -> bool:
        return self.index.function(name) is not None

    def verifiers_elsewhere(self) -> bool:
        """Whether a module this module imports from can hold a check helper (its text can)."""
        if self._verifiers is None:
            self._verifiers = self.module is not None and any(
                self.index.modules.text_facts(imported)["verifies"] for imported in self._imported()
            )
        return self._verifiers

    def _imported(self) -> List[str]:
        """The project's modules this module's imports name (``from .signing import verify``:
        ``app.signing``, and ``app.signing.verify`` were it a module)."""
        out: List[str] = []
        for node in ast.walk(self._tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # Resolved as the resolver resolves them (relative ones from the module's package).
                targets = [_import_target(node.module, node.level or 0, alias.name, self.package) for alias in node.names]
                names = targets + [target.rpartition(".")[0] for target in targets]
            else:
                continue
            out.extend(name for name in names if name in self.index.modules)
        return out

    def verifier_of(self, name: str) -> Optional[Tuple[List[str], int, Verifier]]:
        """Another module's check helper ``name`` runs: its parameters, the call's shift and what
        it verifies (its summary's ``verifies``), or None. Only a module whose text can hold a check
        is asked (a helper re-exported through a module that cannot is not followed)."""
        split = self.index._split(name.replace("()", ""))
        if split is None or not self.index.modules.text_facts(split[0])["verifies"]:
            return None
        ref = self.index.function(name)
        verifier = read_verifier(ref.entry) if ref is not None else None
        return None if verifier is None else (list(ref.entry["params"]), ref.shift, verifier)  # type: ignore[union-attr]

    def imports_by_name(self, name: str) -> bool:
        """Whether ``name`` is another module's function returning the module its argument names
        (prefect's ``from_qualified_name(name)``: ``return importlib.import_module(name)``)."""
        if "()" in name:
            return False
        ref = self.index.function(name)
        return ref is not None and ref.entry.get("imports") is True

    def bound_method(self, name: str) -> bool:
        """Whether ``name`` (``models.Crawler().run``) is a method of another module's class
        bound to an instance (a handed ``crawler.run`` carries ``crawler`` along)."""
        if "()." not in name:
            return False
        ref = self.index.function(name)
        return ref is not None and ref.entry["bound"] and not ref.entry["classmethod"] and "." in ref.qualname

    def call_result(self, call: External) -> Optional[FrozenSet]:
        return self.index.call_result(call)

    def callers(self, function: ast.AST, param: str) -> List[Tuple[Source, Tuple[str, ...]]]:
        qualname = self._names.get(id(function))
        if qualname is None or self.module is None:
            return []
        return self.index.callers(self.module, qualname, param)

    def overriding(self, cls: ast.AST, method: str) -> List[str]:
        qualname = self._names.get(id(cls))
        if qualname is None or self.module is None:
            return []
        return [
            f"{ref.module}.{ref.qualname.rpartition('.')[0]}().{method}"
            for ref in self.index.overrides(f"{self.module}.{qualname}().{method}")
            if ref is not None and ref.module != self.module
        ]

    def class_holds(self, name: str, operation: str) -> Optional[Tuple[str, str, int, str, str]]:
        return self.index.class_holds(name, operation)

    def inherited_state(self, name: str, operation: str) -> Union[None, str, List[Json]]:
        return self.index.inherited_state(name, operation) if self.index._split(name) is not None else None

    def exception_base(self, name: str) -> Optional[Tuple[str, bool]]:
        return self.index.exception_base(name) if self.index._split(name) is not None else None

    def exception_init(self, name: str) -> Optional[List[object]]:
        return self.index.exception_init(name) if self.index._split(name) is not None else None

    def library_bases(self, name: str) -> FrozenSet[str]:
        return self.index.library_bases(name) if self.index._split(name) is not None else frozenset()

    def init_stores(self, name: str) -> Optional[Tuple[List[str], Dict[str, List[str]]]]:
        return self.index.init_stores(name) if self.index._split(name) is not None else None

    def stored_elsewhere(self, name: str) -> FrozenSet:
        if self.module is None:
            return frozenset()
        return self.index.stored_elsewhere(f"{self.module}.{name}")

    def stored_in_class(self, cls: ast.AST, attr: str, instance: bool) -> FrozenSet:
        qualname = self._names.get(id(cls))
        if qualname is None or self.module is None:
            return frozenset()
        return self.index.stored_elsewhere(f"{self.module}.{qualname}{'()' if instance else ''}.{attr}")

    def copied_elsewhere(self) -> bool:
        """Whether other modules copy, pickle or send instances of any class of this module."""
        if self.module is None or not self.index.uses_inside(self.module):
            return False
        prefix = f"{self.module}."
        return any(self.index.uses(f"{prefix}{name}") for name in self._names.values())

    def senders(self) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """The project functions that copy, pickle or send a parameter: qualified and last names."""
        return self.index.senders()

    def sender_words(self) -> ReachWords:
        """What a module spells to reach a function of the project that copies, pickles or sends its
        parameter: in an import, its class's name, the module-level names bound to an instance of
        that class (``from .cache import CACHE``), or, for a module-level function, its name or its
        module's; and, anywhere, the function's own name (the call)."""
        return self.index.sender_words()

    def param_sends(self, name: str) -> Optional[Tuple[List[str], int, List[Json]]]:
        """For a call of another module's function ``name``: its parameters, how many positional
        arguments come first, and what it copies, pickles or sends of its parameters."""
        return self.index.param_sends(name)

    def uses(self, cls: ast.AST) -> Set[str]:
        """What other modules do to instances of this module's class ``cls``."""
        qualname = self._names.get(id(cls))
        if qualname is None or self.module is None:
            return set()
        return self.index.uses(f"{self.module}.{qualname}")


def module_of(index: ProjectIndex, path: Path) -> Optional[Tuple[str, bool]]:
    """The module name of ``path`` in ``index``'s project (and whether it is a package), if inside it."""
    return module_name(index.root, path)

