"""Unit tests of the copying layer (``flake8_pickle.checks.copying.CopyChecks``): what each copy,
dump and process hand-off receives, how the class model grades it, and where instances go."""

from __future__ import annotations

import ast
import textwrap
from typing import List, Tuple

from flake8_pickle.catalog.handoff import COPY, DEEPCOPY, PICKLE, SPAWN
from flake8_pickle.checks.copying import CopyChecks
from flake8_pickle.classes import ClassModel
from flake8_pickle.findings import Finding
from flake8_pickle.scope import Resolver
from flake8_pickle.symbols import Contains, LocalDef, LocalInstance


def walk(source: str) -> Tuple[CopyChecks, ClassModel, List[Finding]]:
    findings: List[Finding] = []
    model = ClassModel()
    copies = CopyChecks(model, findings.append, inventory=True)
    Resolver(ast.parse(textwrap.dedent(source)), [model, copies]).run()
    return copies, model, findings


def local_class(model: ClassModel, name: str) -> LocalDef:
    return next(info.local for info in model.classes.values() if info.local.name == name)


SOURCE = """
    import copy
    import multiprocessing
    import pickle
    import threading

    class Counter:
        def __init__(self):
            self.lock = threading.Lock()

    class Plain:
        pass

    def work(counter):
        return counter

    def main():
        counter = Counter()
        copy.deepcopy(counter)
        pickle.dumps(counter)
        copy.copy(Plain())
        worker = multiprocessing.Process(target=work, args=(counter,))
        worker.start()
    """


def test_each_hand_off_is_recorded_with_its_operation_and_what_it_resolved_to() -> None:
    copies, model, _ = walk(SOURCE)
    handed = copies.handed()
    counter = local_class(model, "Counter")
    def holds_counter(symbols) -> bool:
        return any(
            isinstance(s, LocalInstance) and s.cls is counter
            or isinstance(s, Contains) and isinstance(s.item, LocalInstance) and s.item.cls is counter
            for s in symbols
        )

    # ``args=(counter,)`` hands a tuple that contains the instance.
    assert sorted(op for op, symbols in handed if holds_counter(symbols)) == sorted([DEEPCOPY, PICKLE, SPAWN])
    assert any(op == COPY for op, _ in handed)


def test_operations_on_and_places_handed_answer_per_class() -> None:
    copies, model, _ = walk(SOURCE)
    counter, plain = local_class(model, "Counter"), local_class(model, "Plain")
    assert copies.operations_on(counter) == {DEEPCOPY, PICKLE, SPAWN}
    assert copies.operations_on(plain) == {COPY}
    assert [(step.line, step.message) for step in copies.places_handed(counter)] == [
        (19, "copy.deepcopy of an instance here"),
        (20, "pickle.dumps of an instance here"),
        (22, "Process (under spawn, the default on macOS and Windows) of an instance here"),
    ]


def test_grading_reports_each_failing_hand_off_and_the_class_once() -> None:
    _, _, findings = walk(SOURCE)
    codes = sorted((f.line, f.code) for f in findings)
    assert codes == [(7, "PKL301"), (7, "PKL902"), (19, "PKL201"), (20, "PKL202"), (22, "PKL203")]


def test_a_fork_start_method_makes_process_arguments_travel_unpickled() -> None:
    source = SOURCE.replace("    def main():", "    multiprocessing.set_start_method('fork')\n\n    def main():")
    copies, model, findings = walk(source)
    assert "PKL203" not in {f.code for f in findings}
    assert {"PKL201", "PKL202"} <= {f.code for f in findings}


def test_a_class_with_a_state_protocol_is_not_graded_as_holding_its_lock() -> None:
    source = SOURCE.replace(
        "            self.lock = threading.Lock()\n",
        "            self.lock = threading.Lock()\n\n"
        "        def __getstate__(self):\n"
        "            return {}\n\n"
        "        def __setstate__(self, state):\n"
        "            self.lock = threading.Lock()\n",
    )
    _, _, findings = walk(source)
    assert [f.code for f in findings] == []
