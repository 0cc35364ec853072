"""The plugin's handle on the project index: which project a file is in, built once per process."""

from __future__ import annotations

import ast
import gc
import os
import sys
from pathlib import Path
from typing import Dict, Iterable, Optional

from ..analysis import catalog_for
from ..settings import PROJECT_OFF, Settings
from .index import ProjectIndex, build
from .view import ModuleView, module_of
from .layout import find_root

#: The names flake8 gives a file read from standard input when no display name is set.
STDIN_NAMES = frozenset({"stdin", "-", "<stdin>"})


class Project:
    """Indexes of the projects the linted files belong to, each built on first need."""

    def __init__(self, settings: Settings, jobs: int = 1):
        self.settings = settings
        self.jobs = jobs
        self._indexes: Dict[str, Optional[ProjectIndex]] = {}
        #: Directory of a linted file -> its project root: found once per directory, not per file
        #: (walking up with a stat per marker per level cost a quarter of the plugin's time).
        self._roots: Dict[str, Optional[Path]] = {}

    @property
    def off(self) -> bool:
        return self.settings.project_root == PROJECT_OFF

    def prepare(self, filenames: Iterable[str], stdin_name: str = "stdin") -> None:
        """Build the index of the project of the first file flake8 was given (the working
        directory's for ``-`` or none), before flake8 starts its worker processes."""
        if self.off:
            return
        first = next((name for name in filenames if name not in STDIN_NAMES), None)
        if first is None and stdin_name not in STDIN_NAMES:
            first = stdin_name  # an editor names the unsaved file it sends
        index = self.index_for(Path(first) if first else Path.cwd())
        if index is not None and self.jobs > 1:
            # Every linted module that imports no loader module asks which names reach one through
            # the project's aliases: answered here once, not once per worker flake8 forks next (one
            # process asks it when, and only if, a module needs it).
            try:
                catalog = catalog_for(self.settings)
                index.loader_words(catalog.reaches_loader, catalog.by_name)
            except (OSError, RecursionError, MemoryError, ValueError):
                pass  # asked again while linting, where a failure is reported for the file
        if index is not None:
            # The index lives as long as the process. Frozen, its many small objects are left out of
            # every later full collection of the cyclic garbage collector, which otherwise walked
            # them again and again while flake8 ran (0.7 s of a 33 s run over Django, cold or warm).
            # Objects freed by reference counting are still freed; the workers flake8 forks next
            # inherit the frozen heap and leave its pages unwritten. The collection first (50 ms on
            # Django) keeps a long-lived host (an editor server running flake8 in-process) from
            # freezing garbage that is already unreachable.
            gc.collect()
            gc.freeze()

    def index_for(self, path: Path, is_file: bool = False) -> Optional[ProjectIndex]:
        """The index of the project ``path`` is in (None outside any project, or when off)."""
        if self.off:
            return None
        if self.settings.project_root:
            root: Optional[Path] = Path(self.settings.project_root)
        elif is_file:
            directory = os.path.dirname(os.path.abspath(path))
            if directory not in self._roots:
                self._roots[directory] = find_root(Path(directory))
            root = self._roots[directory]
        else:
            root = find_root(path)
        if root is None:
            return None
        key = str(root)
        if key not in self._indexes:
            cache_dir = Path(self.settings.cache_dir) if self.settings.cache_dir else None
            try:
                self._indexes[key] = build(root, self.settings, cache_dir, self.jobs)
            except (OSError, RecursionError, MemoryError, ValueError) as exc:
                # The index is an addition: without it each file is still analysed alone.
                print(f"flake8-pickle: project index of {root} not built ({exc}); analysing files alone", file=sys.stderr)
                self._indexes[key] = None
        return self._indexes[key]

    def view(self, filename: str, tree: ast.AST) -> Optional[ModuleView]:
        """What the project says to the module in ``filename`` (its text, maybe unsaved, is ``tree``)."""
        if self.off:
            return None
        stdin = filename in STDIN_NAMES
        path = Path.cwd() / "stdin" if stdin else Path(filename)
        index = self.index_for(path, is_file=True)
        if index is None:
            return None
        return index.view(None if stdin else module_of(index, path), tree)
