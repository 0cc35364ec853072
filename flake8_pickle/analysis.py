"""One pass over a module: resolve names, let every rule family read the facts."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from typing import List

from .catalog import Catalog, constructor_variant
from .classes import ClassModel
from .copying import CopyChecks
from .getstate import GetstateChecks
from .findings import Finding
from .protocol import ProtocolChecks
from .provenance import ProvenanceTracker
from .scope import Resolver
from .security import LoaderChecks
from .settings import Settings
from .unpicklers import FindClassChecks


@lru_cache(maxsize=8)
def catalog_for(settings: Settings) -> Catalog:
    """The loader catalogue extended by the settings (built once per settings value)."""
    return Catalog(extra_loaders=settings.extra_loaders)


@dataclass
class Analysis:
    """Everything one pass learned: the findings, and the facts the fixer needs to repair them."""

    findings: List[Finding]
    classes: ClassModel
    resolver: Resolver


def run_analysis(tree: ast.AST, settings: Settings = Settings(), inventory: bool = True) -> Analysis:
    """Walk ``tree`` once with every rule family listening; return findings and facts.

    ``inventory`` False leaves out the off-by-default inventory codes the
    settings do not ask for (the flake8 run); True reports all of them.
    """
    findings: List[Finding] = []
    wanted = set(settings.inventory_codes) if not inventory else {"PKL901", "PKL902"}
    tracker = ProvenanceTracker(settings.untrusted_sources, settings.trusted_sources, settings.sanitizers)
    model = ClassModel(settings.extra_resources)
    unpicklers = FindClassChecks(findings.append)
    checks = [
        tracker,
        model,
        CopyChecks(model, findings.append, inventory="PKL902" in wanted),
        GetstateChecks(model, findings.append),
        LoaderChecks(catalog_for(settings), tracker, findings.append, "PKL901" in wanted, unpicklers),
        unpicklers,
        ProtocolChecks(findings.append),
    ]
    resolver = Resolver(tree, checks, call_hook=constructor_variant)
    tracker.attach(resolver)
    resolver.run()
    return Analysis(sorted(set(findings)), model, resolver)


def analyze(tree: ast.AST, settings: Settings = Settings(), inventory: bool = True) -> List[Finding]:
    """Every finding for ``tree``, sorted by position then code (see :func:`run_analysis`)."""
    return run_analysis(tree, settings, inventory).findings
