"""The catalogue is one package: no module outside ``flake8_pickle/catalog/`` defines a table of
dotted names (issue 18). A table written twice drifts (two code-execution tables once disagreed
on ``timeit.timeit``); one written once in the catalogue cannot."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from flake8_pickle.shapes import assigned

PACKAGE = Path(__file__).resolve().parent.parent / "flake8_pickle"
CATALOG = PACKAGE / "catalog"
#: ``module.name``, ``module.Class().method``: at least one dot, identifier segments, optional ``()``.
_QUALIFIED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\(\))?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\(\))?)+\.?")
_FILE_SUFFIXES = (".py", ".cfg", ".ini", ".toml", ".txt", ".md", ".json", ".yaml", ".yml", ".lock")
#: Tables of dotted strings that are not names the rules match, with why.
ALLOWED: Dict[Tuple[str, str], str] = {
    ("docs.py", "OPTION_EXAMPLES"): "example option values shown in the generated docs",
    ("fix/loaders.py", "LOADERS"): "the catalogue loaders a fix applies to (checked below to be catalogue names)",
}


def _dotted(node: ast.AST) -> List[str]:
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and _QUALIFIED.fullmatch(n.value)
        and not n.value.endswith(_FILE_SUFFIXES)
    ]


def name_tables(source: str) -> List[Tuple[str, int, List[str]]]:
    """(name, line, dotted strings) of each module- or class-level assignment holding two or more
    dotted names (and of each such f-string-built table: ``f"{m}.loads" for m in (...)`` counts)."""
    found = []
    tree = ast.parse(source)
    bodies = [tree.body] + [node.body for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    for body in bodies:
        for statement in body:
            parts = assigned(statement)
            if parts is None:
                continue
            targets, value = parts
            names = _dotted(value)
            built = [
                part.value
                for joined in ast.walk(value)
                if isinstance(joined, ast.JoinedStr)
                for part in joined.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str) and part.value.startswith(".")
            ]
            if len(names) >= 2 or (built and any(isinstance(n, ast.comprehension) for n in ast.walk(value))):
                found.append((ast.unparse(targets[0]), statement.lineno, names or built))
    return found


def test_the_checker_finds_a_table() -> None:
    planted = 'X = frozenset({"pickle.loads", "dill.loads"})\nY = {f"{m}.load" for m in ("a", "b")}\nZ = ("a", "b")\n'
    assert [name for name, _, _ in name_tables(planted)] == ["X", "Y"]
    assert name_tables('FILES = ("setup.cfg", "tox.ini")\nS = "pickle.loads"\n') == []


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if CATALOG not in p.parents),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_table_of_dotted_names_outside_the_catalogue(path: Path) -> None:
    relative = str(path.relative_to(PACKAGE))
    tables = [t for t in name_tables(path.read_text(encoding="utf-8")) if (relative, t[0]) not in ALLOWED]
    assert tables == [], f"{relative} defines name tables; move them to flake8_pickle/catalog/: {tables}"


def test_the_catalogue_modules_say_what_they_hold() -> None:
    for path in sorted(CATALOG.glob("*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, f"{path.name} has no docstring"
    init = ast.parse((CATALOG / "__init__.py").read_text(encoding="utf-8"))
    # It imports nothing: the engine reads the catalogue's submodules without an import cycle.
    assert not [node for node in ast.walk(init) if isinstance(node, (ast.Import, ast.ImportFrom))]


def test_the_fixes_name_catalogue_loaders() -> None:
    from flake8_pickle.analysis import catalog_for
    from flake8_pickle.fix import loaders as fixes
    from flake8_pickle.settings import Settings

    catalogued = set(catalog_for(Settings()).by_name)
    declared = [
        name
        for fix in vars(fixes).values()
        if isinstance(fix, type) and issubclass(fix, fixes.LoaderCallFix) and fix is not fixes.LoaderCallFix
        for name in fix.LOADERS
    ]
    assert len(declared) >= 4 and set(declared) <= catalogued, set(declared) - catalogued


def test_one_pickle_module_list_feeds_every_table() -> None:
    """Loaders, dumps (PKL202), trusted dump output (PKL101-PKL103) and code-execution gadgets all
    read ``catalog.names.PICKLE_MODULES``: a module added there is covered everywhere."""
    from flake8_pickle.analysis import catalog_for
    from flake8_pickle.catalog.gadgets import GADGETS_BY_MODULE
    from flake8_pickle.catalog.handoff import DUMPS
    from flake8_pickle.catalog.names import PICKLE_MODULES
    from flake8_pickle.catalog.taint import DUMP_MODULES
    from flake8_pickle.settings import Settings

    loaders = catalog_for(Settings()).by_name
    for module in PICKLE_MODULES:
        assert f"{module}.loads" in loaders and f"{module}.load" in loaders, module
        assert {f"{module}.dump", f"{module}.dumps"} <= DUMPS, module
        assert module in DUMP_MODULES, module
        assert "loads" in GADGETS_BY_MODULE[module], module  # a nested unpickler (PKL104)


def test_every_subpackage_is_packaged() -> None:
    """A non-editable install ships only the packages ``pyproject.toml`` lists."""
    text = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    listed = set(re.findall(r'"(flake8_pickle(?:\.[a-z_]+)*)"', re.search(r"packages = \[([^\]]*)\]", text).group(1)))
    present = {
        ".".join(init.parent.relative_to(PACKAGE.parent).parts) for init in PACKAGE.rglob("__init__.py")
    }
    data = {"flake8_pickle.prose"}  # Markdown only: listed so that its package data ships
    assert present | data == listed


#: The hand-written modules still over the target of about 800 lines, with the size each may not
#: exceed: split them, never grow them (the generated resource table is data, not code).
_OVERSIZED: Dict[str, int] = {}
_GENERATED = {"catalog/resource_table.py"}


def test_no_module_grows_past_the_size_target() -> None:
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    too_long = {
        name: size
        for name, size in sizes.items()
        if name not in _GENERATED and size > _OVERSIZED.get(name, 800)
    }
    assert too_long == {}
    assert set(_OVERSIZED) <= set(sizes), "a listed module is gone: drop it from _OVERSIZED"
