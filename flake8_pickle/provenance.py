"""Where the bytes, stream or path a loader reads came from.

This is the foundation tier: literals in source and a loader applied directly to
the output of its matching dump function are trusted; everything else is of
unknown origin. The data-flow tiers (untrusted sources, verified data) build on
this module.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .catalog import DATA_BYTES, DATA_TEXT, Loader

if TYPE_CHECKING:  # pragma: no cover
    from .scope import Resolver

TRUSTED = "trusted"
UNKNOWN = "unknown"
UNTRUSTED = "untrusted"


@dataclass(frozen=True)
class Provenance:
    """The tier of a loader's input and the reason for it."""

    tier: str
    reason: str


def _is_literal(node: ast.AST) -> bool:
    """A constant, or constants joined with ``+`` (iteratively: chains can be long)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Constant):
            continue
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            stack.extend((current.left, current.right))
            continue
        return False
    return True


def provenance_of_argument(loader: Loader, argument: Optional[ast.expr], resolver: "Resolver") -> Provenance:
    """Classify what ``loader`` reads from ``argument`` at the current point of the walk."""
    if argument is None:
        return Provenance(UNKNOWN, "input not visible at the call")
    if loader.data_kind in (DATA_BYTES, DATA_TEXT) and _is_literal(argument):
        return Provenance(TRUSTED, "literal in source")
    if isinstance(argument, ast.Call) and loader.dump_twins:
        if resolver.qualified_names(argument.func) & loader.dump_twins:
            return Provenance(TRUSTED, "output of the matching dump in the same expression")
    return Provenance(UNKNOWN, "origin not established")
