"""Where a project starts, which files belong to it, and what each file's module is called."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Tuple

#: A directory holding one of these is a project root (the nearest one above a file wins).
ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".flake8", ".git")
#: Directories never indexed: caches, virtual environments, build output, other tools' state.
SKIPPED_DIRS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "dist-packages", "build", "dist", "venv", "env", "htmlcov"}
)


def find_root(path: Path) -> Optional[Path]:
    """The nearest directory at or above ``path`` (a file or directory) holding a root marker."""
    path = path.resolve()
    here = path if path.is_dir() else path.parent
    for directory in (here, *here.parents):
        if any((directory / marker).exists() for marker in ROOT_MARKERS):
            return directory
    return None


def python_files(root: Path, skip: Tuple[Path, ...] = ()) -> List[Path]:
    """Every ``.py`` file under ``root``, sorted, outside hidden, cache and environment directories."""
    skipped = {p.resolve() for p in skip}
    found: List[Path] = []
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        subdirs[:] = sorted(
            d
            for d in subdirs
            if not d.startswith(".")
            and d not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and not (here / d / "pyvenv.cfg").exists()
            and (here / d).resolve() not in skipped
        )
        found.extend(here / name for name in sorted(files) if name.endswith(".py"))
    return found


@lru_cache(maxsize=64)
def _resolved(root: str) -> Path:
    """A project root, resolved (asked once per linted file: cached)."""
    return Path(root).resolve()


@lru_cache(maxsize=1024)
def _relative_parts(root: str, directory: str) -> Optional[Tuple[str, ...]]:
    """The parts of ``directory`` below ``root``, both resolved (None: outside it). Asked for every
    linted file, twice a run: resolved once per directory."""
    try:
        return Path(directory).resolve().relative_to(_resolved(root)).parts
    except ValueError:
        return None


def module_name(root: Path, path: Path) -> Optional[Tuple[str, bool]]:
    """``(dotted module name, is a package's __init__)`` of ``path`` inside ``root``.

    A ``src/`` directory directly under the root is not part of the name (the src layout);
    directories without ``__init__.py`` still count (namespace packages).
    """
    if os.path.islink(path):
        real = Path(path).resolve()
        directory, name = str(real.parent), real.name
    else:
        directory, name = os.path.split(os.path.abspath(path))
    prefix = _relative_parts(str(root), directory)
    if prefix is None:
        return None
    parts = [*prefix, name]
    if not name.endswith(".py"):
        return None
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    is_package = parts[-1] == "__init__.py"
    if is_package:
        parts = parts[:-1]
    else:
        parts[-1] = parts[-1][: -len(".py")]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts), is_package
