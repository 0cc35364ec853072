"""One pass over a module: resolve names, let every rule family read the facts."""

from __future__ import annotations

import ast
import gc
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set, Tuple

from .catalog.loaders import Catalog, constructor_variant
from .classes import ClassModel
from .checks.copying import CopyChecks
from .findings import Finding, unique
from .checks.protocol.state import GetstateChecks
from .precheck import CallGraph, ClassOnlyWalk, LoaderWalk, Possible, class_needs, no_class_matters, possible, spells_word, verifiers_possible
from .catalog.taint import SANITIZERS
from .checks.protocol import ProtocolChecks
from .provenance import NO_PROJECT, ProvenanceTracker
from .scope import Listener, Resolver
from .shapes import NodeKey, node_key
from .symbols import Symbols
from .checks.loaders import LoaderChecks
from .settings import Settings
from .checks.unpicklers import FindClassChecks, SoundUnpicklers

if TYPE_CHECKING:  # the project package imports this module's dependencies, not the reverse
    from .project.view import ModuleView


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
    #: With the PKL901 inventory on: catalogued loader calls whose arguments make them safe
    #: (``yaml.load(s, Loader=yaml.SafeLoader)``), code "", with why (``check --explain``).
    notes: List[Finding] = field(default_factory=list)


def run_analysis(
    tree: ast.AST,
    settings: Settings = Settings(),
    inventory: bool = True,
    source: Optional[str] = None,
    project: Optional["ModuleView"] = None,
) -> Analysis:
    """Walk ``tree`` with every rule family listening; return findings and facts.

    ``inventory`` False leaves out the off-by-default inventory codes the
    settings do not ask for (the flake8 run); True reports all of them.
    ``source``, when given, lets families the text rules out sit the walk out
    (a module that imports no loader module has no loader call; see
    :mod:`flake8_pickle.precheck`). ``project``, when given, is what the rest of
    the project says (:mod:`flake8_pickle.project`): aliases, what its functions
    return, who calls this module's functions with what, what its classes hold.

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
        return _run_analysis(tree, settings, inventory, source, project)
    finally:
        if paused:
            gc.enable()


def _run_analysis(
    tree: ast.AST,
    settings: Settings,
    inventory: bool,
    source: Optional[str],
    project: Optional["ModuleView"],
    passed: Optional[Dict[Tuple[NodeKey, str], Symbols]] = None,
    learn: Optional[Set[NodeKey]] = None,
) -> Analysis:
    findings: List[Finding] = []
    notes: List[Finding] = []
    wanted = set(settings.inventory_codes) if not inventory else {"PKL901", "PKL902"}
    catalog = catalog_for(settings)
    can = Possible() if source is None else (project is not None and project.possible(source)) or possible(source, catalog)
    if project is not None and not can.loaders and source is not None:
        # A loader reached only through the project's own aliases (``from app.ser import loads``).
        words = project.loader_words(catalog.reaches_loader, catalog.by_name)
        if words:  # a project with no such alias needs no scan of the imports
            can = replace(can, loaders=words.used_in(source))
    if project is not None and not can.copies and source is not None:
        # A copy or dump reached through another module's function (``cache.set(key, session)``).
        words = project.sender_words()
        if words:
            can = replace(can, copies=words.used_in(source))
    model = ClassModel(settings.extra_resources, copyreg_possible=can.copyreg, project=project)
    finder = FindClassChecks(findings.append)
    copies = CopyChecks(model, findings.append, inventory="PKL902" in wanted, active=can.copies, project=project)
    checks: List[Listener] = [
        model,
        copies,
        GetstateChecks(model, findings.append, copies),  # after CopyChecks too
        finder,
        ProtocolChecks(model, findings.append, copies),  # after CopyChecks: it reads where instances go
    ]
    spotter = graph = None
    if can.loaders:
        spotter = LoaderChecks(catalog, None, findings.append, note=notes.append if "PKL901" in wanted else None)
        checks.append(spotter)
        if source is not None:
            graph = CallGraph()
            checks.append(graph)
    resolver = Resolver(tree, checks, call_hook=constructor_variant)
    _see_project(resolver, project)
    if passed is not None:
        resolver.passed, resolver.passed_seeded = passed, True
    if learn:
        resolver.learn_classes = learn
    resolver.nonlocal_possible = source is None or spells_word(source, "nonlocal")
    if source is not None and can.classes_only and "PKL902" not in wanted and not (project and project.copied_elsewhere()):
        # Only a class's own protocol can be reported: walk only the bodies that bear on one, and
        # nothing at all when the text shows no class can be one.
        needs = class_needs(checks)
        if no_class_matters(source, needs, project is not None):
            return Analysis([], model, resolver, [])
        resolver.walk_function = ClassOnlyWalk(source, model, needs)
    resolver.run()
    if resolver.passed_late and passed is None:
        # A loader was handed to a function of the module whose body the walk had walked already
        # (``apply_decoder(pickle.loads, body)`` in a view below ``apply_decoder``): walked again,
        # knowing from the start what every call hands each function (rare: such modules only).
        return _run_analysis(tree, settings, inventory, source, project, resolver.passed, learn)
    if spotter is not None and not spotter.spotted and learn is None:
        # A loader a later method stores on the object (``self.unpack = pickle.loads`` in
        # ``set_packer()``), called by a method walked before it: walked again, the classes' state
        # learned first, so that the call is spotted as a loader's.
        late = {node_key(cls.node) for cls, held in resolver.late_stores() if catalog.loader_for({s for s in held if isinstance(s, str)})}
        if late:
            return _run_analysis(tree, settings, inventory, source, project, passed, late)
    if spotter is not None and spotter.spotted:
        walk = None
        state, local_attributes = resolver.portable_state()
        if graph is not None and source is not None:
            walk = LoaderWalk(tree, source, spotter.frames, graph, resolver.attribute_stores, local_attributes)
        _grade_loaders(
            tree, settings, catalog, findings.append, "PKL901" in wanted, walk, resolver.late_state_classes(), state,
            project, finder.sound(resolver), resolver.nonlocal_possible, resolver.passed,
            source is None
            or verifiers_possible(source, (*SANITIZERS, *settings.sanitizers))
            or (project is not None and project.verifiers_elsewhere()),
        )
    return Analysis(unique(findings), model, resolver, unique(notes))


#: How many times the provenance walk may start over on a grown set of bodies before it keeps
#: what it has (each start over follows a chain of demands one walk could not see whole).
_MAX_RESTARTS = 1


def _grade_loaders(
    tree: ast.AST,
    settings: Settings,
    catalog: Catalog,
    report: Callable[[Finding], None],
    inventory: bool,
    walk: Optional[LoaderWalk] = None,
    late_state: Optional[Set[NodeKey]] = None,
    state: Optional[Dict[NodeKey, Dict[str, Symbols]]] = None,
    project: Optional["ModuleView"] = None,
    sound: SoundUnpicklers = SoundUnpicklers(),
    nonlocal_possible: bool = True,
    passed: Optional[Dict[Tuple[NodeKey, str], Symbols]] = None,
    verifiers: bool = True,
) -> None:
    """The second walk: PKL101-PKL103 and PKL901, with the provenance of every loader's input.

    With ``walk``, only the bodies it accepts are walked. It starts with the bodies that hold
    a loader call; after the walk, the bodies the loaders' inputs are found to depend on
    (returns, callers' arguments, stored attributes) are walked too, until nothing more is
    demanded. What bodies walked that late compute is read when the module is done, except
    what a ``@contextmanager`` generator yields, which a ``with`` reads as it is walked: when
    one walked late was used before, the walk starts over on the whole set, in order, and
    reports only then.
    """
    for attempt in range(_MAX_RESTARTS + 1):
        found: List[Finding] = []
        tracker = ProvenanceTracker(
            settings.untrusted_sources, settings.trusted_sources, settings.sanitizers, project or NO_PROJECT
        )
        # The restricted unpicklers were graded (and PKL104 reported) by the first walk.
        tracker.verifiers_possible = verifiers
        loaders = LoaderChecks(catalog, tracker, found.append, inventory, sound)
        resolver = Resolver(tree, [tracker, loaders], call_hook=constructor_variant, walk_function=walk)
        _see_project(resolver, project)
        resolver.nonlocal_possible = nonlocal_possible
        resolver.learn_classes = late_state
        if state is not None:
            resolver.seeded_attrs = state
        if passed is not None:
            # What the first walk learned the module hands its functions, whatever order this
            # walk (of fewer bodies) meets the calls in.
            resolver.passed, resolver.passed_seeded = passed, True
        tracker.attach(resolver)
        resolver.walk()
        late: Set[NodeKey] = set()
        while walk is not None and walk.grow(tracker.demands(fact for facts in loaders.sink_facts() for fact in facts)):
            late |= resolver.walk_more()
        if late.isdisjoint(resolver.unresolved_managers) or attempt == _MAX_RESTARTS:
            resolver.finish()
            for finding in found:
                report(finding)
            return


def _see_project(resolver: Resolver, project: Optional["ModuleView"]) -> None:
    """Let the resolver read the project's aliases and resolve the module's relative imports."""
    if project is not None:
        resolver.aliases = project.aliases
        resolver.verifier_of = project.verifier_of
        resolver.importer = project.imports_by_name
        resolver.package = project.package


def analyze(
    tree: ast.AST,
    settings: Settings = Settings(),
    inventory: bool = True,
    source: Optional[str] = None,
    project: Optional["ModuleView"] = None,
) -> List[Finding]:
    """Every finding for ``tree``, sorted by position then code (see :func:`run_analysis`)."""
    return run_analysis(tree, settings, inventory, source, project).findings
