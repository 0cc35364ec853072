"""The class model alone (``flake8_pickle.classes``): what a value or a class holds that pickle,
deepcopy or copy reject, which classes are reported, and what each class defines. The rule fixtures
show the same through flake8; these pin the layer's answers one by one."""

from __future__ import annotations

import ast
import textwrap
from typing import Dict

from flake8_pickle.catalog.handoff import COPY, DEEPCOPY, PICKLE
from flake8_pickle.checks.copying import CopyChecks
from flake8_pickle.classes import COPYREG, ClassModel
from flake8_pickle.scope import Resolver
from flake8_pickle.symbols import LocalDef

SOURCE = textwrap.dedent(
    """
    import copy
    import copyreg
    import socket
    import threading
    from dataclasses import dataclass, field
    from typing import TypedDict


    class Plain:
        def __init__(self):
            self.name = "x"


    class Locked:
        def __init__(self):
            self.lock = threading.Lock()


    class Covered(Locked):
        def __getstate__(self):
            return {}


    class CopiesOnly:
        def __init__(self):
            self.lock = threading.Lock()

        def __deepcopy__(self, memo):
            return CopiesOnly()


    class Holder:
        def __init__(self):
            self.inner = Locked()


    class Own(Locked):
        def __init__(self):
            super().__init__()
            self.sock = socket.socket()


    @dataclass
    class Config:
        lock: threading.Lock = field(default_factory=threading.Lock)


    class Options(TypedDict):
        lock: threading.Lock


    class Registered:
        def __init__(self):
            self.lock = threading.Lock()

        if True:
            def helper(self):
                pass

        alias = helper


    copyreg.pickle(Registered, lambda r: (Registered, ()))
    copy.deepcopy(Own())
    copy.copy(Holder())
    """
)


def _walk():
    model = ClassModel()
    copies = CopyChecks(model, lambda finding: None)
    resolver = Resolver(ast.parse(SOURCE), [model, copies])
    resolver.run()
    classes: Dict[str, LocalDef] = {info.local.name: info.local for info in model.classes.values()}
    return model, copies, classes


def test_what_each_class_holds_per_operation() -> None:
    model, _, classes = _walk()
    assert model.class_holds(classes["Plain"], DEEPCOPY) is None
    held = model.class_holds(classes["Locked"], PICKLE)
    assert held is not None and held.resource == "threading.Lock" and held.path == "self.lock"
    assert held.owner is classes["Locked"] and held.describe().startswith("threading.Lock in self.lock (line ")
    assert model.class_holds(classes["Covered"], PICKLE) is None  # its own __getstate__ covers pickling
    assert model.class_holds(classes["CopiesOnly"], DEEPCOPY) is None  # __deepcopy__ covers deepcopy only
    assert model.class_holds(classes["CopiesOnly"], PICKLE) is not None
    nested = model.class_holds(classes["Holder"], COPY)
    assert nested is None  # a shallow copy shares self.inner: nothing is copied that fails
    deep = model.class_holds(classes["Holder"], DEEPCOPY)
    assert deep is not None and deep.path == "self.inner.lock" and deep.owner is classes["Locked"]
    dataclass_held = model.class_holds(classes["Config"], DEEPCOPY)
    assert dataclass_held is not None and dataclass_held.path == "self.lock"


def test_which_classes_are_reported_and_for_what() -> None:
    model, _, classes = _walk()
    reported = {info.local.name: held.path for info, held in model.unprotected_resource_classes()}
    # Holder holds Locked's lock (reported on Locked); Own holds a socket of its own besides its
    # base's lock; a TypedDict and a copyreg-registered class are never reported.
    assert reported == {"Locked": "self.lock", "CopiesOnly": "self.lock", "Own": "self.sock", "Config": "self.lock"}


def test_what_a_class_defines() -> None:
    model, _, classes = _walk()
    registered = model.info(classes["Registered"])
    assert registered is not None and COPYREG in registered.protocols and model.registered(classes["Registered"])
    assert sorted(registered.methods) == ["__init__", "helper"]  # a def inside an `if` counts
    assert {"__init__", "alias"} <= registered.defined and "helper" not in registered.defined
    assert model.info(classes["CopiesOnly"]).protocols == frozenset({"__deepcopy__"})
    assert model.is_typed_dict(classes["Options"]) and not model.is_typed_dict(classes["Config"])


def test_where_instances_are_handed() -> None:
    _, copies, classes = _walk()
    own = copies.places_handed(classes["Own"])
    assert [(step.line, step.message) for step in own] == [(own[0].line, "copy.deepcopy of an instance here")]
    assert [step.message for step in copies.places_handed(classes["Holder"])] == ["copy.copy of an instance here"]
    assert copies.places_handed(classes["Plain"]) == ()



CYCLE = textwrap.dedent(
    """
    import threading


    class Outer:
        def __init__(self):
            self.inner = Inner()


    class Inner:
        def attach(self):
            self.outer = Outer()

        def __init__(self):
            self.lock = threading.Lock()
    """
)


def test_what_a_class_holds_does_not_depend_on_the_order_classes_are_asked_in() -> None:
    """``Inner`` reaches ``Outer`` and back: asked first, ``Outer`` is read while ``Inner`` is open
    and holds nothing more on that pass. That cut answer must not be kept for ``Outer`` (it holds
    ``Inner``'s lock), or a light summary (which asks class by class) and a module's report (which
    asks in another order) would disagree."""
    answers = []
    for order in (("Inner", "Outer"), ("Outer", "Inner")):
        model = ClassModel()
        resolver = Resolver(ast.parse(CYCLE), [model])
        resolver.run()
        classes = {info.local.name: info.local for info in model.classes.values()}
        found = {name: model.class_holds(classes[name], DEEPCOPY) for name in order}
        answers.append({name: (held.resource, held.path) if held else None for name, held in found.items()})
    assert answers[0] == answers[1] == {
        "Outer": ("threading.Lock", "self.inner.lock"),
        "Inner": ("threading.Lock", "self.lock"),
    }
