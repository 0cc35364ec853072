"""One pass over a module: resolve names, let every rule family read the facts."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional

from .catalog import Catalog, constructor_variant
from .classes import ClassModel
from .copying import CopyChecks
from .getstate import GetstateChecks
from .findings import Finding
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


#: Words without which no copy, dump or process hand-off of ours can resolve (PKL2xx call sites).
_COPY_WORDS = re.compile(
    r"copy|pickle|dill|joblib|torch|shelve|multiprocessing|concurrent|dataclasses|asdict|astuple|sklearn|"
    r"clone|dump|Pool|Process|Queue|Pipe|send"
)


@lru_cache(maxsize=8)
def _loader_words(catalog: Catalog) -> "re.Pattern[str]":
    """The top-level modules of every loader: a module naming none of them calls none of them."""
    roots = {name.split(".")[0] for name in catalog.by_name}
    roots |= {library for library, _ in catalog.distinctive_methods.values()}
    return re.compile("|".join(sorted(re.escape(root) for root in roots)))


def run_analysis(
    tree: ast.AST, settings: Settings = Settings(), inventory: bool = True, source: Optional[str] = None
) -> Analysis:
    """Walk ``tree`` once with every rule family listening; return findings and facts.

    ``inventory`` False leaves out the off-by-default inventory codes the
    settings do not ask for (the flake8 run); True reports all of them.
    ``source``, when given, lets families whose trigger words the text lacks
    sit the walk out (a module that names no loader module has no loader call).
    """
    findings: List[Finding] = []
    wanted = set(settings.inventory_codes) if not inventory else {"PKL901", "PKL902"}
    catalog = catalog_for(settings)
    loaders_possible = source is None or _loader_words(catalog).search(source) is not None
    copies_possible = source is None or _COPY_WORDS.search(source) is not None
    model = ClassModel(settings.extra_resources, copyreg_possible=source is None or "copyreg" in source)
    unpicklers = FindClassChecks(findings.append)
    checks: List[Listener] = [
        model,
        CopyChecks(model, findings.append, inventory="PKL902" in wanted, active=copies_possible),
        GetstateChecks(model, findings.append),
        unpicklers,
        ProtocolChecks(findings.append),
    ]
    tracker = None
    if loaders_possible:
        tracker = ProvenanceTracker(settings.untrusted_sources, settings.trusted_sources, settings.sanitizers)
        checks[:0] = [tracker, LoaderChecks(catalog, tracker, findings.append, "PKL901" in wanted, unpicklers)]
    resolver = Resolver(tree, checks, call_hook=constructor_variant)
    if tracker is not None:
        tracker.attach(resolver)
    resolver.run()
    return Analysis(sorted(set(findings)), model, resolver)


def analyze(
    tree: ast.AST, settings: Settings = Settings(), inventory: bool = True, source: Optional[str] = None
) -> List[Finding]:
    """Every finding for ``tree``, sorted by position then code (see :func:`run_analysis`)."""
    return run_analysis(tree, settings, inventory, source).findings
