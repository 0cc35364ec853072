"""One pass over a module: resolve names, let every rule family read the facts."""

from __future__ import annotations

import ast
import gc
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, List, Optional, Set

from .catalog import Catalog, constructor_variant
from .classes import ClassModel
from .copying import CopyChecks
from .findings import Finding
from .getstate import GetstateChecks
from .precheck import CallGraph, ClassOnlyWalk, LoaderWalk, Possible, possible
from .protocol import ProtocolChecks
from .provenance import ProvenanceTracker
from .scope import Listener, Resolver
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


def run_analysis(
    tree: ast.AST, settings: Settings = Settings(), inventory: bool = True, source: Optional[str] = None
) -> Analysis:
    """Walk ``tree`` with every rule family listening; return findings and facts.

    ``inventory`` False leaves out the off-by-default inventory codes the
    settings do not ask for (the flake8 run); True reports all of them.
    ``source``, when given, lets families the text rules out sit the walk out
    (a module that imports no loader module has no loader call; see
    :mod:`flake8_pickle.precheck`).

    The first walk serves every family and only spots loader calls. Provenance,
    which costs as much as the walk itself, runs in a second walk, and only in a
    module that calls a loader.
    """
    # The walk allocates many small, acyclic, short-lived objects (frozensets of symbols, journal
    # entries). Each collection the allocations trigger rescans everything the walk holds, which
    # made large modules superlinear (a 25,000-line function: 2.9x the per-line cost of a small
    # one). Collection is paused for the walk and restored after it; the few cycles the walk
    # leaves are collected at the next collection after it.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _run_analysis(tree, settings, inventory, source)
    finally:
        if paused:
            gc.enable()


def _run_analysis(tree: ast.AST, settings: Settings, inventory: bool, source: Optional[str]) -> Analysis:
    findings: List[Finding] = []
    wanted = set(settings.inventory_codes) if not inventory else {"PKL901", "PKL902"}
    catalog = catalog_for(settings)
    can = Possible() if source is None else possible(source, catalog)
    model = ClassModel(settings.extra_resources, copyreg_possible=can.copyreg)
    checks: List[Listener] = [
        model,
        CopyChecks(model, findings.append, inventory="PKL902" in wanted, active=can.copies),
        GetstateChecks(model, findings.append),
        FindClassChecks(findings.append),
        ProtocolChecks(findings.append),
    ]
    spotter = graph = None
    if can.loaders:
        spotter = LoaderChecks(catalog, None, findings.append)
        checks.append(spotter)
        if source is not None:
            graph = CallGraph()
            checks.append(graph)
    walk_function = None
    if source is not None and can.classes_only and "PKL902" not in wanted:
        # Only a class's own protocol can be reported: walk only the bodies that bear on one.
        walk_function = ClassOnlyWalk(source, model)
    resolver = Resolver(tree, checks, call_hook=constructor_variant, walk_function=walk_function)
    resolver.run()
    if spotter is not None and spotter.spotted:
        walk = None
        if graph is not None and source is not None and not spotter.at_module_level:
            walk = LoaderWalk(tree, source, spotter.frames, graph)
        _grade_loaders(tree, settings, catalog, findings.append, "PKL901" in wanted, walk, resolver.late_state_classes())
    return Analysis(sorted(set(findings)), model, resolver)


def _grade_loaders(
    tree: ast.AST,
    settings: Settings,
    catalog: Catalog,
    report: Callable[[Finding], None],
    inventory: bool,
    walk: Optional[LoaderWalk] = None,
    late_state: Optional[Set[int]] = None,
) -> None:
    """The second walk: PKL101-PKL103 and PKL901, with the provenance of every loader's input
    (through the bodies ``walk`` accepts, when given)."""
    tracker = ProvenanceTracker(settings.untrusted_sources, settings.trusted_sources, settings.sanitizers)
    unpicklers = FindClassChecks(lambda finding: None)  # reported by the first walk
    checks: List[Listener] = [tracker, LoaderChecks(catalog, tracker, report, inventory, unpicklers), unpicklers]
    resolver = Resolver(tree, checks, call_hook=constructor_variant, walk_function=walk)
    resolver.learn_classes = late_state
    tracker.attach(resolver)
    resolver.run()


def analyze(
    tree: ast.AST, settings: Settings = Settings(), inventory: bool = True, source: Optional[str] = None
) -> List[Finding]:
    """Every finding for ``tree``, sorted by position then code (see :func:`run_analysis`)."""
    return run_analysis(tree, settings, inventory, source).findings
