"""PKL104: restricted Unpickler subclasses whose find_class restricts nothing or admits code execution.

Every ``GLOBAL``/``STACK_GLOBAL`` opcode of a pickle goes through
``Unpickler.find_class(module, name)``; overriding it with an allow-list is
the Python documentation's defence ("Restricting Globals"). This module
grades each in-module subclass of a pickle-family ``Unpickler`` that defines
``find_class``.

The grading reads the body of ``find_class`` syntactically, path by path:
each ``return`` is reached under the conditions of the ``if``/``assert``/
``for``/``match`` statements above it, with the method's local assignments
substituted into them. A path that hands ``(module, name)`` to the parent
(``super().find_class``, ``pickle.Unpickler.find_class``,
``getattr(sys.modules[module], name)``, ``importlib.import_module``) admits
exactly what its conditions allow; those conditions are read as exact
allow-lists (membership in, or equality with, literal collections resolved
through method locals, class attributes and module-level constants),
deny-lists (the negated forms) or prefix and pattern checks. Names are
resolved through the module's one resolver once the walk is done, so
module-level bindings are final. Whatever cannot be read (a helper method, a
collection built at run time) is neither reported nor trusted.

A class whose every path is an exact allow-list of harmless globals, or
rejects, is *sound*: :meth:`FindClassChecks.sound_unpickler_classes` lists
those (and their subclasses that inherit the method), so loads through them
can be treated as trusted.

The listener is here; :mod:`.model` holds the verdicts and readers, :mod:`.values` evaluates
expressions, :mod:`.paths` walks the method path by path and :mod:`.grading` judges the paths.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from ...findings import Finding, Step, shown
from ...rules import message
from ...scope import Listener, Resolver
from ...symbols import LocalDef, LocalInstance
from .grading import _MethodGrader
from .model import (
    ADMITS,
    DENY_LIST,
    PREFIX,
    RESTRICTS_NOTHING,
    RESTRICTS_NOTHING_IMPORT,
    RESTRICTS_NOTHING_PARENT,
    UNPICKLER_BASES,
    Grade,
    _definer_above,
    _last_binding,
    _ModuleFacts,
    dangerous_global,
    dangerous_module,
)

__all__ = [
    "ADMITS",
    "DENY_LIST",
    "PREFIX",
    "RESTRICTS_NOTHING",
    "RESTRICTS_NOTHING_IMPORT",
    "RESTRICTS_NOTHING_PARENT",
    "UNPICKLER_BASES",
    "FindClassChecks",
    "Grade",
    "SoundUnpicklers",
    "dangerous_global",
    "dangerous_module",
]


#: The attributes an unpickler object resolves globals through when set on it.
_INSTALLED = ("find_class", "find_global")
#: The libraries whose unpicklers honour ``find_global`` (the Python 2 name zodbpickle keeps).
_FIND_GLOBAL_ROOTS = frozenset({"zodbpickle", "cPickle"})


def _calls_own(cls: LocalDef, method: str) -> bool:
    """Whether the class's find_class reads ``self.<method>`` (delegates to what is set on the object)."""
    found = _last_binding(cls.node, "find_class")  # type: ignore[arg-type]
    return found is not None and any(
        isinstance(n, ast.Attribute) and n.attr == method and isinstance(n.value, ast.Name) for n in ast.walk(found)
    )


@dataclass(frozen=True)
class SoundUnpicklers:
    """The module's Unpickler subclasses whose find_class is a sound allow-list, by their ``class``
    statements: a later walk of the same tree has symbols of its own, but the same nodes, so the
    classes are graded once, by the walk that reports PKL104."""

    nodes: FrozenSet[ast.AST] = frozenset()

    def admit(self, receiver: Iterable[object]) -> bool:
        """Whether every symbol of a ``.load()`` receiver is an instance of a sound class.

        ``receiver`` is ``resolver.symbols_of(call.func.value)`` taken at the call.
        """
        symbols = list(receiver)
        return bool(symbols) and all(isinstance(s, LocalInstance) and s.cls.node in self.nodes for s in symbols)


# ---------------------------------------------------------------- the listener
class FindClassChecks(Listener):
    """Grades the find_class of every in-module Unpickler subclass (PKL104).

    Classes are recorded as the resolver meets them and graded when the module
    is done (or earlier, on demand, from another listener's ``on_module_end``),
    so module-level constants defined after the class are read in their final form.
    """

    def __init__(self, report: Callable[[Finding], None]):
        self.report = report
        self._classes: List[LocalDef] = []
        self._known: Set[object] = set()
        self._grades: Dict[LocalDef, Grade] = {}
        self._grading: Set[LocalDef] = set()
        self._facts: Optional[_ModuleFacts] = None
        self._graded_all = False
        self._reported = False
        #: ``u.find_class = f`` assignments on the module's unpicklers: (statement, target, what ``f`` may be).
        self._installed: List[Tuple[ast.Assign, ast.Attribute, List[LocalDef]]] = []
        #: Classes one of whose instances gets another find_class.
        self._overridden: Set[LocalDef] = set()

    # ------------------------------------------------------------------ listener events
    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: Resolver) -> None:
        # Bases are classified before their subclasses: one look at the direct bases suffices.
        for base in local.bases:
            for symbol in base:
                if (isinstance(symbol, str) and symbol in UNPICKLER_BASES) or symbol in self._known:
                    self._classes.append(local)
                    self._known.add(local)
                    return

    def on_assign(self, node: ast.Assign, resolver: Resolver) -> None:
        # ``u.find_class = server_find_global``: that function restricts what ``u`` loads.
        for target in node.targets:
            if not (isinstance(target, ast.Attribute) and target.attr in _INSTALLED):
                continue
            receiver = resolver.symbols_of(target.value)
            classes = [s.cls for s in receiver if isinstance(s, LocalInstance) and s.cls in self._known]
            library = [s[:-2] for s in receiver if isinstance(s, str) and s[:-2] in UNPICKLER_BASES]
            if target.attr == "find_global":
                # Honoured by zodbpickle's (and cPickle's) unpicklers, and by a subclass whose
                # find_class calls ``self.find_global``.
                library = [name for name in library if name.split(".")[0] in _FIND_GLOBAL_ROOTS]
                classes = [c for c in classes if _calls_own(c, "find_global")]
            if not (classes or library):
                continue
            self._overridden.update(classes)  # its instances no longer restrict as the class does
            functions = [s for s in resolver.symbols_of(node.value) if isinstance(s, LocalDef) and s.kind == "function"]
            self._installed.append((node, target, functions))

    def on_module_end(self, resolver: Resolver) -> None:
        if self._reported:
            return
        self._reported = True
        for node, target, functions in self._installed:
            for function in functions:
                grade = self._grade_installed(function, resolver)
                if grade.problem is None:
                    continue
                name = getattr(function.node, "name", "?")
                text = message("PKL104", cls=shown(target.value), problem=grade.problem)
                line = getattr(function.node, "lineno", 0)
                steps = (Step(line, f"`{shown(target)} = {name}` installs {name}(), defined at line {line}"),)
                self.report(Finding(node.lineno, node.col_offset, "PKL104", text, steps))
        for grade in self.grade_all(resolver):
            if grade.problem is None or grade.method is None:
                continue
            method = grade.method
            text = message("PKL104", cls=grade.cls.name, problem=grade.problem)
            line = getattr(grade.cls.node, "lineno", 0)
            steps = (Step(line, f"class {grade.cls.name} is defined here"),) if line and line != method.lineno else ()  # type: ignore[attr-defined]
            self.report(Finding(method.lineno, method.col_offset, "PKL104", text, steps))  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ public answers
    def grade_all(self, resolver: Resolver) -> List[Grade]:
        """The grade of every Unpickler subclass that defines find_class (computed once)."""
        if not self._graded_all:
            self._graded_all = True
            for local in self._classes:
                if "find_class" in local.members:
                    self._grade(local, resolver)
        return [self._grades[c] for c in self._classes if c in self._grades]

    def sound_unpickler_classes(self, resolver: Resolver) -> FrozenSet[LocalDef]:
        """In-module Unpickler subclasses whose find_class (own or inherited) is a sound allow-list.

        Valid once the resolver's walk is done (from any listener's ``on_module_end``).
        """
        self.grade_all(resolver)
        return frozenset(c for c in self._classes if self._is_sound(c, resolver))

    def sound(self, resolver: Resolver) -> "SoundUnpicklers":
        """The sound classes as a later walk of the same tree can ask about them (graded here, once)."""
        return SoundUnpicklers(frozenset(c.node for c in self.sound_unpickler_classes(resolver)))

    # ------------------------------------------------------------------ grading
    def _is_sound(self, local: LocalDef, resolver: Resolver) -> bool:
        if local in self._overridden:
            return False  # an instance of it gets another find_class (``u.find_class = f``)
        if "find_class" in local.members:
            return self._grade(local, resolver).sound
        definer, between = _definer_above(local)
        if definer is None:
            return False  # a plain Unpickler: nothing is restricted
        grade = self._grade(definer, resolver)
        if not grade.sound:
            return False
        return not any(attr in c.members for c in between for attr in grade.self_attributes)

    def _grade(self, local: LocalDef, resolver: Resolver) -> Grade:
        known = self._grades.get(local)
        if known is not None:
            return known
        if local in self._grading or len(self._grading) > 8:
            # A cycle, or a long chain graded out of order: neither report nor trust for now
            # (grade_all grades bases first, so the chain is met one level at a time).
            return Grade(local, None)
        self._grading.add(local)
        try:
            if self._facts is None:
                self._facts = _ModuleFacts(resolver.tree, resolver.module_values)
            grade = _MethodGrader(local, resolver, self._facts, self).grade()
        finally:
            self._grading.discard(local)
        self._grades[local] = grade
        return grade

    def _grade_installed(self, function: LocalDef, resolver: Resolver) -> Grade:
        if self._facts is None:
            self._facts = _ModuleFacts(resolver.tree, resolver.module_values)
        return _MethodGrader(function, resolver, self._facts, self).grade(function.node)

    def grade_of_parent(self, local: LocalDef, resolver: Resolver) -> Grade:
        """The grade of an in-module class that defines find_class (for delegating children)."""
        return self._grade(local, resolver)
