"""PKL104 and PKL307 read one code-execution table (``catalog.gadgets.CODE_EXECUTION_GADGETS``).

Each row is put through both rules, through the whole analysis: a gadget that
runs code is flagged by PKL307 when a ``__reduce__`` returns it and by PKL104
when an allow-list admits it; the rows that only reach code, and whole modules,
are PKL104's alone. A row added to the table reaches both rules, or this fails.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Tuple

import pytest

from flake8_pickle.checks import protocol
from flake8_pickle.checks.unpicklers import model as unpicklers
from flake8_pickle.analysis import analyze
from flake8_pickle.catalog import gadgets
from flake8_pickle.catalog.gadgets import (
    CODE_EXECUTION_CALLABLES,
    CODE_EXECUTION_GADGETS,
    GADGET_HOMES,
    REACHES_CODE,
    RUNS_CODE,
    WHOLE_MODULE,
)

NAMED = [(g.module, name, g.kind) for g in CODE_EXECUTION_GADGETS if g.kind != WHOLE_MODULE for name in g.names]
RUNS = [(module, name) for module, name, kind in NAMED if kind == RUNS_CODE]
REACHES = [(module, name) for module, name, kind in NAMED if kind == REACHES_CODE]
WHOLE = [g.module for g in CODE_EXECUTION_GADGETS if g.kind == WHOLE_MODULE]


def findings_by_class(source: str, code: str) -> Dict[str, List[str]]:
    """Class name -> messages of ``code`` reported inside it (classes one per block)."""
    tree = ast.parse(source)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    spans = [(node.lineno, node.end_lineno or node.lineno, node.name) for node in classes]
    found: Dict[str, List[str]] = {}
    for finding in analyze(tree):
        if finding.code != code:
            continue
        owner = next(name for first, last, name in spans if first <= finding.line <= last)
        found.setdefault(owner, []).append(finding.message)
    return found


def reduce_source(pairs: List[Tuple[str, str]]) -> str:
    """One class per pair whose ``__reduce__`` returns ``module.name`` reached through ``import module``."""
    modules = sorted({module for module, _ in pairs})
    lines = [f"import {module}" for module in modules]
    for index, (module, name) in enumerate(pairs):
        lines += [
            f"class C{index}:",
            "    def __reduce__(self):",
            f"        return ({module}.{name}, ('payload',))",
        ]
    return "\n".join(lines) + "\n"


def allow_list_source(allowed: List[str]) -> str:
    """One Unpickler per allow-list condition (a test on ``module`` and ``name``)."""
    lines = ["import pickle"]
    for index, condition in enumerate(allowed):
        lines += [
            f"class U{index}(pickle.Unpickler):",
            "    def find_class(self, module, name):",
            f"        if {condition}:",
            "            return super().find_class(module, name)",
            "        raise pickle.UnpicklingError(name)",
        ]
    return "\n".join(lines) + "\n"


def test_both_rules_read_the_catalogue_objects():
    assert protocol.CODE_EXECUTION_CALLABLES is CODE_EXECUTION_CALLABLES
    for name in ("CODE_EXECUTION_MODULES", "CODE_EXECUTION_NAMES", "GADGETS_BY_MODULE", "GADGET_HOMES"):
        assert getattr(unpicklers, name) is getattr(gadgets, name)


def test_every_row_is_documented_and_well_formed():
    assert {g.kind for g in CODE_EXECUTION_GADGETS} == {RUNS_CODE, REACHES_CODE, WHOLE_MODULE}
    for gadget in CODE_EXECUTION_GADGETS:
        assert gadget.why and gadget.module
        assert bool(gadget.names) == (gadget.kind != WHOLE_MODULE), gadget
    assert CODE_EXECUTION_CALLABLES == {f"{module}.{name}" for module, name in RUNS}


def test_every_code_running_gadget_is_flagged_by_pkl307():
    found = findings_by_class(reduce_source(RUNS), "PKL307")
    missing = [f"{m}.{n}" for i, (m, n) in enumerate(RUNS) if f"C{i}" not in found]
    assert missing == []
    for index, (module, name) in enumerate(RUNS):
        assert name in found[f"C{index}"][0]


def test_every_code_running_gadget_is_flagged_by_pkl104_as_a_pair_and_by_equality():
    pair_source = allow_list_source([f"(module, name) in {{('collections', 'deque'), {(m, n)!r}}}" for m, n in RUNS])
    equality_source = allow_list_source([f"module == {m!r} and name == {n!r}" for m, n in RUNS])
    for source in (pair_source, equality_source):
        found = findings_by_class(source, "PKL104")
        for index, (module, name) in enumerate(RUNS):
            assert found.get(f"U{index}") == [
                f"PKL104 Unpickler U{index}.find_class admits code-execution global {module}.{name}"
            ], (module, name)


def test_gadgets_that_only_reach_code_are_pkl104_alone():
    found = findings_by_class(allow_list_source([f"(module, name) == {pair!r}" for pair in REACHES]), "PKL104")
    for index, (module, name) in enumerate(REACHES):
        assert found.get(f"U{index}") == [
            f"PKL104 Unpickler U{index}.find_class admits code-execution global {module}.{name}"
        ], (module, name)
    # a __reduce__ returning getattr, functools.partial or a loader is how ordinary classes pickle
    assert findings_by_class(reduce_source(REACHES), "PKL307") == {}


@pytest.mark.parametrize("module", WHOLE)
def test_whole_modules_are_pkl104_for_any_name(module: str):
    source = allow_list_source([f"module == {module!r}", f"(module, name) == ({module!r}, 'harmless_name')"])
    found = findings_by_class(source, "PKL104")
    assert found["U0"] == [f"PKL104 Unpickler U0.find_class admits code-execution global {module}.* (whole module)"]
    assert found["U1"] == [f"PKL104 Unpickler U1.find_class admits code-execution global {module}.harmless_name"]


def test_a_gadget_name_from_an_unchecked_module_is_named_by_its_home():
    names = sorted({name for _, name, _ in NAMED})
    found = findings_by_class(allow_list_source([f"name in ('OrderedDict', {n!r})" for n in names]), "PKL104")
    for index, name in enumerate(names):
        home = GADGET_HOMES[name]
        assert found.get(f"U{index}") == [f"PKL104 Unpickler U{index}.find_class admits code-execution global {home}"]
