"""PKL1xx and PKL901: pickle-family loader calls and the provenance of what they read."""

from __future__ import annotations

import ast
from typing import Callable, List, Optional, Tuple

from .catalog import DATA_CHANNEL, DATA_PATH, DATA_STREAM, LOADER, MSGPACK_NUMPY_PATCHED, NOT_LOADER, Catalog, Loader
from .findings import Finding
from .provenance import TRUSTED, provenance_of_argument
from .rules import message
from .scope import Listener, Resolver

_ARGUMENT_WORD = {DATA_STREAM: "stream", DATA_PATH: "path or file"}
_MAX_SHOWN = 40


def _shown(node: ast.AST) -> str:
    text = ast.unparse(node) if len(getattr(node, "_fields", ())) else ""
    text = " ".join(text.split())
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    return text


def describe_input(loader: Loader, argument: Optional[ast.expr]) -> str:
    """How a message names the loader's input: ``argument `blob``` or ``path or file `p```."""
    if argument is None:
        if loader.data_position is None and loader.data_keyword is None:
            return "stream given to the Unpickler"
        return "input not passed"
    return f"{_ARGUMENT_WORD.get(loader.data_kind, 'argument')} `{_shown(argument)}`"


class LoaderChecks(Listener):
    """Finds every loader call during the resolver's walk and grades its input."""

    def __init__(self, catalog: Catalog, report: Callable[[Finding], None], inventory: bool = True):
        self.catalog = catalog
        self.report = report
        self.inventory = inventory
        self._untyped_methods: List[Tuple[ast.Call, str, Loader]] = []

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        names = resolver.qualified_names(call.func)
        if "msgpack_numpy.patch" in names:
            resolver.facts.add(MSGPACK_NUMPY_PATCHED)
        match = self.catalog.loader_for(names)
        if match is None:
            self._remember_untyped_method(call, names)
            return
        qualified, loader = match
        verdict = loader.classify(call, resolver)
        if verdict == NOT_LOADER:
            return
        self._report_loader(call, loader.label_for(qualified), loader, resolver)

    def _remember_untyped_method(self, call: ast.Call, names: set) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        entry = self.catalog.distinctive_methods.get(func.attr)
        if entry is None:
            return
        library, loader = entry
        if any(not n.startswith(library + ".") for n in names):
            return  # typed as something else
        self._untyped_methods.append((call, library, loader))

    def on_module_end(self, resolver: Resolver) -> None:
        for call, library, loader in self._untyped_methods:
            if library in resolver.imported_roots:
                label = loader.label_for(call.func.attr)  # type: ignore[attr-defined]
                self._report_loader(call, label, loader, resolver)

    def _report_loader(self, call: ast.Call, label: str, loader: Loader, resolver: Resolver) -> None:
        line, col = call.lineno, call.col_offset
        if self.inventory:
            self.report(Finding(line, col, "PKL901", message("PKL901", loader=label)))
        if loader.data_kind == DATA_CHANNEL:
            self.report(Finding(line, col, "PKL103", message("PKL103", loader=label, channel=loader.channel)))
            return
        argument = loader.data_argument(call)
        provenance = provenance_of_argument(loader, argument, resolver)
        if provenance.tier == TRUSTED:
            return
        self.report(Finding(line, col, "PKL102", message("PKL102", loader=label, argument=describe_input(loader, argument))))
