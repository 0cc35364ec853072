"""The one path interpreter: which conditions reach which ``return`` or ``raise`` of a method.

Four rules read one method body path by path: PKL104 (the paths through ``find_class``), PKL303
and PKL304 (what ``__getstate__`` does to the live object and what state it returns), and PKL308
(which names a ``__getattr__`` call reaches which read with). The control flow is interpreted here
once, for all of them:

* ``if``/``elif``/``else`` (an ``elif`` chain is followed iteratively, however long);
* ``while`` and ``for`` with ``else``, ``break`` and ``continue`` (a body is walked once: the paths
  that finish it, continue or skip it run the ``else``; the ones that ``break`` go past it);
* ``try``/``except``/``else``/``finally`` and ``try``/``except*`` (a handler starts from every path
  that entered the ``try``);
* ``with``, ``match`` (case by case, with guards and the cases that did not match before), ``assert``,
  ``return`` and ``raise``.

What one path carries is the rule's own domain, given through the hooks of
:class:`PathInterpreter`: the conditions and the locals for PKL104, the probed names for PKL308, the
state being built for PKL304, the aliases of ``self.__dict__`` for PKL303. The interpreter never
resolves a name and never evaluates an expression; it only decides which statement each path meets
next. A walk deeper, wider or longer than its bounds raises :class:`GiveUp`; the rule then neither
reports nor trusts the method.
"""

from __future__ import annotations

import ast
from typing import Generic, Iterable, List, Optional, Sequence, Tuple, TypeVar

from .shapes import target_names

_MATCH = getattr(ast, "Match", None)
_TRY_STAR = getattr(ast, "TryStar", None)
_TRY_NODES = (ast.Try,) + ((_TRY_STAR,) if _TRY_STAR is not None else ())
_LOOPS = (ast.For, ast.AsyncFor, ast.While)

S = TypeVar("S")
M = TypeVar("M")


class GiveUp(Exception):
    """The method is too deep, too wide or too long to read: neither report nor trust it."""


def irrefutable(pattern: ast.AST) -> bool:
    """A ``case`` pattern that matches every subject: a capture or ``_``, bare or wrapped in ``as``."""
    while type(pattern).__name__ == "MatchAs":
        inner = getattr(pattern, "pattern", None)
        if inner is None:
            return True
        pattern = inner
    return False


def pattern_names(pattern: ast.AST) -> List[str]:
    """The names a ``case`` pattern binds (captures, ``as`` names, ``*rest`` and ``**rest``)."""
    out: List[str] = []
    for node in ast.walk(pattern):
        for attribute in ("name", "rest"):
            value = getattr(node, attribute, None)
            if isinstance(value, str):
                out.append(value)
    return out


class PathInterpreter(Generic[S, M]):
    """Walks a method body path by path. ``S`` is what one path carries (the rule's domain); ``M``
    is a mode the rule threads through nested blocks (PKL104: inside a handler that only reacts to
    a failed import).

    A rule subclasses this and overrides the hooks it needs; every hook has a default that knows
    nothing (a test reaches both branches, a statement changes nothing, a ``return`` records
    nothing). Entry: :meth:`walk`, which returns the paths that fall off the end of the body.
    """

    #: Nested blocks deeper than this: give up.
    max_nesting = 50
    #: Live paths at one point, more than this: give up.
    max_paths = 256
    #: Statements times live paths over the whole walk, more than this: give up.
    max_work = 20000

    def __init__(self) -> None:
        self._work = 0
        #: Per enclosing loop: the paths that left it by ``break``, and those that ``continue``d.
        self._loop_exits: List[Tuple[List[S], List[S]]] = []

    def walk(self, body: Sequence[ast.stmt], paths: Iterable[S], mode: M) -> List[S]:
        """The paths that run off the end of ``body`` (the method then returns None)."""
        self._work = 0
        self._loop_exits = []
        return self._block(body, list(paths), 0, mode)

    # ------------------------------------------------------------------ hooks
    def visit(self, statement: ast.stmt, paths: List[S], depth: int, mode: M) -> List[S]:
        """Every statement a path reaches, before its control flow: what its own expressions do
        (a check that may raise, a mutation, a read). Returns the paths that go on into it."""
        return paths

    def split(self, paths: List[S], test: ast.expr) -> Tuple[List[S], List[S]]:
        """The paths on which ``test`` may be true, and those on which it may be false."""
        return paths, paths

    def assertion(self, paths: List[S], test: ast.expr) -> Tuple[List[S], List[S]]:
        """The paths that pass an ``assert`` and those that fail it (and raise)."""
        return self._split(paths, test)

    def effect(self, path: S, statement: ast.stmt) -> S:
        """A simple statement's effect on one path: assignments, ``del``, imports, definitions,
        ``global``. Compound statements bind through :meth:`rebind` and the loop hooks."""
        return path

    def rebind(self, path: S, names: List[str]) -> S:
        """Names bound to values the interpreter cannot know: ``with ... as x``, ``except E as x``,
        a ``case`` capture, a ``for`` target (by default)."""
        return path

    def returned(self, path: S, statement: ast.Return, mode: M) -> None:
        """A path ends in ``return``."""

    def raised(self, path: S, statement: ast.stmt, mode: M) -> None:
        """A path ends in ``raise``, or in an ``assert`` whose test is false."""

    def handler_mode(self, statement: ast.stmt, mode: M) -> M:
        """The mode of the ``except`` handlers of a ``try`` statement."""
        return mode

    def handler_entry(self, statement: ast.stmt, paths: List[S]) -> List[S]:
        """The paths that enter an ``except`` handler of ``statement``: by default every path
        that entered the ``try``, as it was (the body may have raised before changing anything)."""
        return paths

    def loop_entry(self, statement: ast.stmt, paths: List[S]) -> Tuple[List[S], List[S]]:
        """The paths that enter a loop's body and those that skip it. A ``while`` splits on its
        test; a ``for`` may run zero times, and binds its target on entry."""
        if isinstance(statement, ast.While):
            return self.split(paths, statement.test)
        names = list(target_names(statement.target))  # type: ignore[attr-defined]
        return [self.rebind(p, names) for p in paths], list(paths)

    def case_entry(self, subject: ast.expr, pattern: Optional[ast.AST], missed: Sequence[ast.AST], path: S) -> S:
        """A path entering a ``case`` with ``pattern`` (None: past the last case) after the
        unguarded ``missed`` patterns failed to match ``subject``."""
        return path

    def finally_block(self, statement: ast.stmt, entered: List[S], live: List[S], depth: int, mode: M) -> List[S]:
        """A ``finally`` block: by default the paths that got through the ``try`` run it."""
        return self._block(statement.finalbody, live, depth + 1, mode)  # type: ignore[attr-defined]

    def join(self, paths: List[S]) -> List[S]:
        """Paths meeting after a branch, a loop or a ``try``; a domain may merge them."""
        return paths

    # ------------------------------------------------------------------ the walk
    def _tick(self, paths: Sequence[object]) -> None:
        self._work += 1 + len(paths)
        if self._work > self.max_work or len(paths) > self.max_paths:
            raise GiveUp

    def _block(self, body: Sequence[ast.stmt], paths: List[S], depth: int, mode: M) -> List[S]:
        if depth > self.max_nesting:
            raise GiveUp
        for statement in body:
            if not paths:
                break
            self._tick(paths)
            paths = self.visit(statement, paths, depth, mode)
            if paths:
                paths = self._statement(statement, paths, depth, mode)
        return paths

    def _statement(self, node: ast.stmt, paths: List[S], depth: int, mode: M) -> List[S]:
        if isinstance(node, ast.Return):
            for path in paths:
                self.returned(path, node, mode)
            return []
        if isinstance(node, ast.Raise):
            for path in paths:
                self.raised(path, node, mode)
            return []
        if isinstance(node, ast.If):
            return self._if(node, paths, depth, mode)
        if isinstance(node, ast.Assert):
            holds, fails = self.assertion(paths, node.test)
            for path in fails:
                self.raised(path, node, mode)
            return holds
        if isinstance(node, _LOOPS):
            return self._loop(node, paths, depth, mode)
        if isinstance(node, (ast.Break, ast.Continue)):
            if self._loop_exits:
                self._loop_exits[-1][isinstance(node, ast.Continue)].extend(paths)
            return []
        if isinstance(node, (ast.With, ast.AsyncWith)):
            names = [n for item in node.items if item.optional_vars for n in target_names(item.optional_vars)]
            entered = [self.rebind(p, names) for p in paths] if names else paths
            return self._block(node.body, entered, depth + 1, mode)
        if isinstance(node, _TRY_NODES):
            return self._try(node, paths, depth, mode)
        if _MATCH is not None and isinstance(node, _MATCH):
            return self._match(node, paths, depth, mode)
        return [self.effect(path, node) for path in paths]

    def _if(self, node: ast.If, paths: List[S], depth: int, mode: M) -> List[S]:
        live: List[S] = []
        current = node
        while True:  # an elif chain nests as deep as it is long: follow it iteratively
            taken, paths = self._split(paths, current.test)
            live.extend(self._block(current.body, taken, depth + 1, mode))
            orelse = current.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If):
                current = orelse[0]
                self._tick(paths)
                continue
            live.extend(self._block(orelse, paths, depth + 1, mode))
            return self.join(live)

    def _split(self, paths: List[S], test: ast.expr) -> Tuple[List[S], List[S]]:
        when_true, when_false = self.split(paths, test)
        if len(when_true) > self.max_paths or len(when_false) > self.max_paths:
            raise GiveUp
        return when_true, when_false

    def _loop(self, node: ast.stmt, paths: List[S], depth: int, mode: M) -> List[S]:
        entered, skipped = self.loop_entry(node, paths)
        self._loop_exits.append(([], []))
        try:
            finished = self._block(node.body, entered, depth + 1, mode)  # type: ignore[attr-defined]
        finally:
            broke, continued = self._loop_exits.pop()
        # The body is walked once: a path that finishes it or continues may end the loop there.
        ended = self.join(finished + continued + skipped)
        after = self._block(node.orelse, ended, depth + 1, mode)  # type: ignore[attr-defined]
        return self.join(after + broke)

    def _try(self, node: ast.stmt, paths: List[S], depth: int, mode: M) -> List[S]:
        finished = self._block(node.body, paths, depth + 1, mode)  # type: ignore[attr-defined]
        live = self._block(node.orelse, finished, depth + 1, mode)  # type: ignore[attr-defined]
        handler_mode = self.handler_mode(node, mode)
        entering = self.handler_entry(node, paths) if node.handlers else []  # type: ignore[attr-defined]
        for handler in node.handlers:  # type: ignore[attr-defined]
            start = [self.rebind(p, [handler.name]) for p in entering] if handler.name else entering
            live = live + self._block(handler.body, start, depth + 1, handler_mode)
        live = self.join(live)
        if node.finalbody:  # type: ignore[attr-defined]
            live = self.finally_block(node, paths, live, depth, mode)
        return live

    def _match(self, node: ast.stmt, paths: List[S], depth: int, mode: M) -> List[S]:
        subject: ast.expr = node.subject  # type: ignore[attr-defined]
        live: List[S] = []
        missed: List[ast.AST] = []  # patterns of earlier unguarded cases: they did not match
        for case in node.cases:  # type: ignore[attr-defined]
            names = pattern_names(case.pattern)
            chosen = [self.rebind(self.case_entry(subject, case.pattern, missed, p), names) for p in paths]
            if case.guard is not None:
                chosen = self._split(chosen, case.guard)[0]
            live.extend(self._block(case.body, chosen, depth + 1, mode))
            if case.guard is None:
                if irrefutable(case.pattern):
                    return self.join(live)  # nothing falls through
                missed.append(case.pattern)
        return self.join(live + [self.case_entry(subject, None, missed, p) for p in paths])

