"""Registries filled across modules: what a summary says of a module's registry fillers (a decorator
or a registration function that stores its argument in a module-level container) and of the
decorated classes and functions (with what decorates them), so that the index can add to
``registry.PLUGINS[]`` what ``@register("pickle") class PicklePlugin`` in another module puts there."""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Optional, Tuple

from ..catalog.conventions import REGISTRY_CONTAINERS
from ..precheck import lines_spelling, spans_a_line
from ..scope import Resolver
from ..shapes import registry_stores, returned_functions

Json = Any


def module_containers(tree: ast.AST, resolver: Resolver) -> List[str]:
    """Names the module binds at its top level to a container display or a container's call
    (``PLUGINS = {}``, ``HANDLERS: Dict[str, Callable] = dict()``): the registries it may fill."""
    out: List[str] = []
    for statement in getattr(tree, "body", ()):
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        if isinstance(value, ast.Call):
            if not resolver.qualified_names(value.func) & REGISTRY_CONTAINERS:
                continue
        elif not isinstance(value, (ast.Dict, ast.List, ast.Set)):
            continue
        out.extend(t.id for t in targets if isinstance(t, ast.Name))
    return out


def add_fillers(
    functions: Dict[str, Json], nodes: List[Tuple[str, ast.AST]], tree: ast.AST, resolver: Resolver, source: Optional[bytes]
) -> None:
    """Each function's ``fills`` (``[container, parameter]`` it stores into one of the module's
    registries: ``def add(cls): PLUGINS[cls.name] = cls``) and ``fills_returned`` (what the decorator
    it returns stores: ``def register(name): def deco(cls): PLUGINS[name] = cls; return deco``).
    Only functions whose lines spell one of the module's containers are read."""
    containers = module_containers(tree, resolver)
    if not containers:
        return
    lines = None if source is None else lines_spelling(source, containers)
    if lines == []:
        return
    for qualname, node in nodes:
        entry = functions.get(qualname)
        if entry is None or "." in qualname:
            continue  # module-level functions only (a method's registry is its class's business)
        if lines is not None and not spans_a_line(node, lines):
            continue
        fills = [[container, index] for container, index in registry_stores(node) if container in containers]
        returned = [[c, i] for inner in returned_functions(node) for c, i in registry_stores(inner) if c in containers]
        if fills:
            entry["fills"] = fills
        if returned:
            entry["fills_returned"] = returned


def decorated(tree: ast.AST, resolver: Resolver) -> Dict[str, List[str]]:
    """The module's top-level classes and functions with the other modules' callables decorating
    them: ``{"PicklePlugin": ["app.registry.register()"]}`` (``()``: the decorator is a call's result)."""
    out: Dict[str, List[str]] = {}
    for statement in getattr(tree, "body", ()):
        if not isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) or not statement.decorator_list:
            continue
        found = set()
        for decorator in statement.decorator_list:
            called = isinstance(decorator, ast.Call)
            for name in resolver.qualified_names(decorator.func if called else decorator):  # type: ignore[attr-defined]
                if "." in name:
                    found.add(f"{name}()" if called else name)
        if found:
            out[statement.name] = sorted(found)
    return out
