"""What every fix shares: plans, refusals, the facts planning reads, and the codemod base class.

A fix runs in two steps. ``plan`` reads the ``ast`` facts the analysis already
built (which attribute holds which resource, what a loader call passes) and
either returns a :class:`Plan`, with its safety decided, or a :class:`Decline`
saying why the code is left alone. The codemod, a libcst
``VisitorBasedCodemodCommand``, then applies the accepted plans to the concrete
syntax tree, so formatting and comments outside the rewritten nodes survive.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, FrozenSet, List, Optional, Sequence, Tuple, Union

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

from ..analysis import Analysis
from ..findings import Finding
from ..rules import FIX_SAFE, FIX_UNSAFE
from ..settings import Settings
from .source import char_column

SAFE = FIX_SAFE
UNSAFE = FIX_UNSAFE

#: A function or class addressed by the names of its enclosing definitions and its
#: own, plus how many definitions with that same path came before it (redefinitions).
DefinitionKey = Tuple[Tuple[str, ...], int]


@dataclass(frozen=True)
class Plan:
    """A fix the codemod will apply: to which finding, how safe, and what it needs to know."""

    finding: Finding
    safety: str
    #: Plans with the same target are one rewrite (several findings, one fix).
    target: Any
    payload: Any = None


@dataclass(frozen=True)
class Decline:
    """A finding the fixer leaves alone, and why (shown to the user)."""

    finding: Finding
    reason: str


@dataclass
class FixFacts:
    """What planning reads: the text, its ``ast``, and the analysis of that very text."""

    text: str
    tree: ast.Module
    analysis: Analysis
    settings: Settings
    lines: List[str] = field(default_factory=list)
    _keys: Optional[Dict[int, DefinitionKey]] = None
    _nodes: Optional[Dict[DefinitionKey, ast.AST]] = None

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = self.text.splitlines()

    def char_col(self, line: int, byte_col: int) -> int:
        """Character column of an ``ast`` byte column on 1-based ``line``."""
        if 1 <= line <= len(self.lines):
            return char_column(self.lines[line - 1], byte_col)
        return byte_col

    def _index(self) -> None:
        keys: Dict[int, DefinitionKey] = {}
        nodes: Dict[DefinitionKey, ast.AST] = {}
        seen: Dict[Tuple[str, ...], int] = {}

        def walk(node: ast.AST, path: Tuple[str, ...]) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    child_path = path + (child.name,)
                    key = (child_path, seen.get(child_path, 0))
                    seen[child_path] = key[1] + 1
                    keys[id(child)] = key
                    nodes[key] = child
                    walk(child, child_path)
                else:
                    walk(child, path)

        walk(self.tree, ())
        self._keys, self._nodes = keys, nodes

    def key_of(self, node: ast.AST) -> Optional[DefinitionKey]:
        """The :data:`DefinitionKey` of a function or class node of this tree."""
        if self._keys is None:
            self._index()
        return self._keys.get(id(node))  # type: ignore[union-attr]

    def class_at(self, line: int, col: int) -> Optional[ast.ClassDef]:
        """The class whose ``class`` keyword is at ``line``/``col`` (where class findings are reported)."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ClassDef) and node.lineno == line and node.col_offset == col:
                return node
        return None

    def enclosing(self, line: int, kinds: Tuple[type, ...]) -> Optional[ast.AST]:
        """The innermost node of one of ``kinds`` whose lines contain ``line``."""
        best = None
        for node in ast.walk(self.tree):
            if isinstance(node, kinds) and node.lineno <= line <= (node.end_lineno or node.lineno):
                if best is None or node.lineno >= best.lineno:
                    best = node
        return best


class DefinitionTracking:
    """Mixin for libcst transformers: :attr:`current_key` is the key of the innermost definition.

    Keys are computed in the same pre-order as :meth:`FixFacts.key_of`, so a plan
    made on the ``ast`` finds its node in the concrete tree.
    """

    def _reset_tracking(self) -> None:
        self._path: List[Tuple[str, ...]] = [()]
        self._keys: List[DefinitionKey] = []
        self._seen: Dict[Tuple[str, ...], int] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
            path = self._path[-1] + (node.name.value,)
            key = (path, self._seen.get(path, 0))
            self._seen[path] = key[1] + 1
            self._path.append(path)
            self._keys.append(key)
        return super().on_visit(node)  # type: ignore[misc]

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result = super().on_leave(original_node, updated_node)  # type: ignore[misc]
        if isinstance(original_node, (cst.ClassDef, cst.FunctionDef)):
            self._path.pop()
            self._keys.pop()
        return result

    @property
    def current_key(self) -> Optional[DefinitionKey]:
        """Key of the innermost class or function being visited (None at module level)."""
        return self._keys[-1] if self._keys else None


class FixCodemod(DefinitionTracking, VisitorBasedCodemodCommand):
    """One fix, for one code (or one family of loader findings).

    Subclasses set :attr:`CODES` and :attr:`SAFETIES` (kept equal to the registry's
    fix safety by a test), implement :meth:`plan`, and rewrite the nodes their
    plans name in the usual libcst ``leave_*`` methods, reading ``self.plans``.
    """

    #: Codes whose findings this codemod can fix.
    CODES: ClassVar[FrozenSet[str]] = frozenset()
    #: The safeties its plans can have (``safe``, ``unsafe`` or both).
    SAFETIES: ClassVar[FrozenSet[str]] = frozenset()
    #: Shown by ``--help``-style listings and the README.
    DESCRIPTION: ClassVar[str] = ""

    def __init__(self, context: CodemodContext, plans: Sequence[Plan] = ()):
        super().__init__(context)
        self._reset_tracking()
        self.plans: List[Plan] = list(plans)
        #: Targets actually rewritten; a plan whose target was not found is not applied.
        self.applied: set = set()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self._reset_tracking()
        return super().transform_module_impl(tree)

    @classmethod
    def handles(cls, finding: Finding) -> bool:
        """Whether ``finding`` is one this codemod may fix (``plan`` may still decline it)."""
        return finding.code in cls.CODES

    @classmethod
    def plan(cls, finding: Finding, facts: FixFacts) -> Union[Plan, Decline]:
        """Decide how to fix ``finding`` in ``facts``, or why not to."""
        raise NotImplementedError

    def plans_for(self, target: Any) -> List[Plan]:
        """The accepted plans aimed at ``target``."""
        return [plan for plan in self.plans if plan.target == target]


# --------------------------------------------------------------------------- small libcst helpers


def blank_line() -> cst.EmptyLine:
    """An empty line without trailing whitespace."""
    return cst.EmptyLine(indent=False, whitespace=cst.SimpleWhitespace(""))


def class_body_statements(code: str, module: cst.Module) -> List[cst.BaseStatement]:
    """Parse ``code`` (written with 4-space indents and ``\\n``) as class-body statements in ``module``'s style.

    The result uses the module's own newline and indentation, so it can be
    placed in a class body of that module.
    """
    wrapped = "class _:\n" + "".join(f"    {line}\n" if line else "\n" for line in code.splitlines())
    wrapped = wrapped.replace("    ", module.default_indent).replace("\n", module.default_newline)
    parsed = cst.parse_module(wrapped, config=module.config_for_parsing)
    cls = parsed.body[0]
    assert isinstance(cls, cst.ClassDef) and isinstance(cls.body, cst.IndentedBlock)
    return list(cls.body.body)


def source_of(node: cst.CSTNode, module: cst.Module) -> str:
    """The source text of ``node`` as ``module`` would print it."""
    return module.code_for_node(node)
