"""The name resolver on its own, rule by rule: what each call's callee resolves to."""

from __future__ import annotations

import ast
import textwrap
from typing import Dict, Optional, Set

import pytest

from flake8_pickle.analysis import analyze
from flake8_pickle.catalog.loaders import constructor_variant
from flake8_pickle.scope import Listener, Resolver
from flake8_pickle.symbols import LocalDef, LocalInstance


class _Callees(Listener):
    def __init__(self) -> None:
        self.by_line: Dict[int, Set[str]] = {}

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        # Calls are seen outermost first: keep the outermost call of each line.
        if call.lineno not in self.by_line:
            self.by_line[call.lineno] = resolver.qualified_names(call.func)


def callees(source: str) -> Dict[int, Set[str]]:
    """Line -> qualified names of the callee of the outermost call on that line."""
    listener = _Callees()
    Resolver(ast.parse(textwrap.dedent(source)), [listener], call_hook=constructor_variant).run()
    return listener.by_line


def resolved(source: str, line: int) -> Set[str]:
    return callees(source).get(line, set())


def test_import_as_binds_the_full_dotted_name():
    src = """
    import xml.etree.ElementTree as ET
    ET.parse(x)
    """
    assert resolved(src, 3) == {"xml.etree.ElementTree.parse"}


def test_plain_dotted_import_binds_the_top_package():
    src = """
    import os.path
    os.path.join(a, b)
    """
    assert resolved(src, 3) == {"os.path.join"}


def test_from_import_as():
    src = """
    from pickle import loads as l
    l(x)
    """
    assert resolved(src, 3) == {"pickle.loads"}


def test_import_inside_function_class_if_try():
    src = """
    def f():
        import pickle as p
        p.loads(x)
    class C:
        import marshal
        marshal.loads(x)
    if cond:
        import dill as d
    d.loads(x)
    """
    assert resolved(src, 4) == {"pickle.loads"}
    assert resolved(src, 7) == {"marshal.loads"}
    assert resolved(src, 10) == {"dill.loads"}


def test_try_except_import_idiom_keeps_both_bindings():
    src = """
    try:
        import cPickle as pickle
    except ImportError:
        import pickle
    pickle.loads(x)
    """
    assert resolved(src, 6) == {"cPickle.loads", "pickle.loads"}


def test_later_binding_wins_in_straight_line_code():
    src = """
    import pickle
    pickle.loads(x)
    pickle = Foo()
    pickle.loads(x)
    import json as pickle
    pickle.loads(x)
    """
    assert resolved(src, 3) == {"pickle.loads"}
    assert resolved(src, 5) == set()
    assert resolved(src, 7) == {"json.loads"}


def test_parameter_shadows_module():
    src = """
    import pickle
    def f(pickle):
        pickle.loads(x)
    g = lambda pickle: pickle.loads(x)
    """
    assert resolved(src, 4) == set()
    assert resolved(src, 5) == set()


def test_local_def_shadows_import():
    src = """
    from pickle import loads
    def loads(x):
        return x
    loads(y)
    """
    assert resolved(src, 5) == set()


def test_class_attribute_is_not_the_module_and_class_scope_is_invisible_from_methods():
    src = """
    import pickle
    class C:
        pickle = object()
        pickle.loads(x)
        def m(self):
            pickle.loads(x)
            self.pickle.loads(x)
    """
    assert resolved(src, 5) == {"builtins.object().loads"}
    assert resolved(src, 7) == {"pickle.loads"}
    assert resolved(src, 8) == {"builtins.object().loads"}


def test_global_and_nonlocal():
    src = """
    import json as codec
    def setup():
        global codec
        import pickle as codec
    def use():
        codec.loads(x)
    def outer():
        import marshal as m
        def inner():
            nonlocal m
            m = None
        m.loads(x)
    """
    assert resolved(src, 7) == {"json.loads", "pickle.loads"}
    assert resolved(src, 13) == {"marshal.loads"}


def test_comprehension_and_lambda_scopes():
    src = """
    import pickle
    [pickle.loads(b) for b in blobs]
    [pickle.loads(b) for pickle in codecs for b in blobs]
    [pickle.loads(b) for b in blobs if (pickle := other)]
    pickle.loads(x)
    """
    assert resolved(src, 3) == {"pickle.loads"}
    assert resolved(src, 4) == set()
    assert resolved(src, 6) == set()  # the walrus rebinds pickle in the enclosing scope


def test_function_bodies_see_final_module_bindings():
    src = """
    def f():
        return codec.loads(x)
    import pickle as codec
    """
    assert resolved(src, 3) == {"pickle.loads"}


def test_callable_aliases():
    src = """
    import pickle
    f = pickle.loads
    f(x)
    loader = getattr(pickle, "loads")
    loader(x)
    getattr(pickle, name)(x)
    import functools
    functools.partial(pickle.loads, fix_imports=False)(x)
    """
    assert resolved(src, 4) == {"pickle.loads"}
    assert resolved(src, 6) == {"pickle.loads"}
    assert resolved(src, 7) == set()  # a computed attribute name is unknown
    assert "pickle.loads" in resolved(src, 9)


def test_dynamic_imports_with_literal_names():
    src = """
    import importlib, sys
    __import__("pickle").loads(x)
    __import__("xml.dom").minidom.parse(x)
    __import__("xml.dom", fromlist=["minidom"]).minidom.parse(x)
    importlib.import_module("xml.dom.minidom").parse(x)
    sys.modules["pickle"].loads(x)
    importlib.import_module(".pickle", "pkg").loads(x)
    """
    assert "pickle.loads" in resolved(src, 3)
    assert "xml.minidom.parse" in resolved(src, 4)
    assert "xml.dom.minidom.parse" in resolved(src, 5)
    assert "xml.dom.minidom.parse" in resolved(src, 6)
    assert "pickle.loads" in resolved(src, 7)
    assert "pickle.loads" not in resolved(src, 8)


def test_relative_imports_never_resolve_to_stdlib():
    src = """
    from . import pickle
    from .pickle import loads
    from .. import marshal as m
    pickle.loads(x)
    loads(x)
    m.loads(x)
    """
    for line in (5, 6, 7):
        assert all(name.startswith(".") for name in resolved(src, line)), resolved(src, line)


def test_instances_and_in_module_subclasses():
    src = """
    import pickle
    class R(pickle.Unpickler):
        def find_class(self, m, n):
            raise ValueError
    R(f).load()
    u = pickle.Unpickler(f)
    u.load()
    class Own:
        def load(self):
            return 1
    Own().load()
    """
    assert resolved(src, 6) == {"pickle.Unpickler().load"}
    assert resolved(src, 8) == {"pickle.Unpickler().load"}
    assert resolved(src, 12) == set()


def test_self_attributes_set_in_another_method():
    src = """
    import zmq
    class W:
        def __init__(self):
            self.sock = zmq.Context().socket(zmq.PULL)
        def step(self):
            return self.sock.recv_pyobj()
    """
    assert resolved(src, 7) == {"zmq.Context().socket().recv_pyobj"}


def test_constructor_variants():
    src = """
    from multiprocessing.connection import Client
    Client(a).recv()
    Client(a, authkey=key).recv()
    Client(a, None, key).recv()
    Client(a, authkey=None).recv()
    """
    assert resolved(src, 3) == {"multiprocessing.connection.Client().recv"}
    assert resolved(src, 4) == {"multiprocessing.connection.Client(authkey).recv"}
    assert resolved(src, 5) == {"multiprocessing.connection.Client(authkey).recv"}
    assert resolved(src, 6) == {"multiprocessing.connection.Client().recv"}


def test_branches_merge_and_terminating_branches_drop_out():
    src = """
    import pickle
    if a:
        pickle = None
    pickle.loads(x)
    def f(flag):
        import marshal as m
        if flag:
            m = None
            return
        m.loads(x)
    """
    assert resolved(src, 5) == {"pickle.loads"}
    assert resolved(src, 11) == {"marshal.loads"}


def test_star_import():
    src = """
    from pickle import *
    loads(x)
    """
    assert resolved(src, 3) == {"pickle.loads"}


def test_builtins_resolve_unless_shadowed():
    src = """
    open(p)
    def open(p):
        return p
    open(p)
    """
    assert resolved(src, 2) == {"builtins.open"}
    assert resolved(src, 5) == set()


def test_self_and_cls_bindings():
    tree = ast.parse(textwrap.dedent("""
    class C:
        def m(self):
            self.x()
        @classmethod
        def k(cls):
            cls.y()
        @staticmethod
        def s(a):
            a.z()
    """))
    seen = {}

    class Grab(Listener):
        def on_call(self, call, resolver):
            seen[call.lineno] = resolver.symbols_of(call.func.value)

    Resolver(tree, [Grab()]).run()
    assert [type(s) for s in seen[4]] == [LocalInstance]
    assert [type(s) for s in seen[7]] == [LocalDef]
    assert seen[10] == frozenset()


def deepest_parseable(make, high=20000):
    """The largest ``make(n)`` that ast.parse accepts (the parser has its own depth limit)."""
    low = 1
    while low < high:
        mid = (low + high + 1) // 2
        try:
            ast.parse(make(mid))
            low = mid
        except (RecursionError, SyntaxError, MemoryError):
            high = mid - 1
    return make(low)


PATHOLOGICAL = {
    "long-binop": lambda n: "x = " + " + ".join(["pickle.loads(a)"] * n),
    "long-attribute-chain": lambda n: "x = " + "a." * n + "b",
    "long-call-chain": lambda n: "x = " + "f()." * n + "g()",
    "deep-unary": lambda n: "x = " + "not " * n + "a",
    "long-elif": lambda n: "if a:\n    pass\n" + "elif b:\n    import pickle\n" * n,
    "nested-lambdas": lambda n: "y = " + "lambda: " * n + "pickle.loads(x)",
    "nested-calls": lambda n: "y = " + "f(" * n + "x" + ")" * n,
    "nested-comprehensions": lambda n: "y = " + "[" * n + "x for x in y" + "]" * n,
    # The same depths where findings quote them: loader input, source, copy argument, protocol methods.
    "loader-on-call-chain": lambda n: "from flask import request\ny = pickle.loads(request.data" + ".m()" * n + ")",
    "loader-on-nested-calls": lambda n: "from flask import request\ny = pickle.loads(" + "f(" * n + "request.data" + ")" * n + ")",
    "loader-on-long-binop": lambda n: "def h(blob):\n    return pickle.loads(" + " + ".join(["blob"] * n) + ")",
    "loader-on-deep-subscript": lambda n: "def h(blob):\n    return pickle.loads(blob" + "[0]" * n + ")",
    "deepcopy-of-deep-call": lambda n: "y = copy.deepcopy(" + "f(" * n + "threading.Lock()" + ")" * n + ")",
    "getattr-deep-subscript": lambda n: (
        "class C:\n    def __getattr__(self, name):\n        return self._d[" + "f(" * n + "name" + ")" * n + "]"
    ),
    "getattr-deep-membership": lambda n: (
        "class C:\n    def __getattr__(self, name):\n        if " + "f(" * n + "name" + ")" * n
        + " in self._d:\n            return self._d[name]\n        raise KeyError(name)"
    ),
    "getattr-chain-key": lambda n: (
        "class C:\n    def __getattr__(self, name):\n        if name" + ".m()" * n
        + " in self._d:\n            return self._d[name" + ".m()" * n + "]\n        return self._d[name" + ".m()" * n + "]"
    ),
    "exception-deep-args": lambda n: (
        "class E(Exception):\n    def __init__(self, x):\n        super().__init__(" + "f(" * n + "x" + ")" * n + ")"
    ),
}


@pytest.mark.parametrize("make", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_expressions_do_not_recurse(make):
    listener = _Callees()
    Resolver(ast.parse(deepest_parseable(make)), [listener]).run()


@pytest.mark.parametrize("make", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_expressions_through_every_rule_family(make):
    """The same shapes through the whole analysis (provenance, copies, classes), with and without
    the text pre-check: no exception, and the pre-check changes nothing."""
    source = "import pickle, copy, threading\n" + deepest_parseable(make)
    tree = ast.parse(source)
    assert analyze(tree, inventory=False) == analyze(tree, inventory=False, source=source)


def _status_machine(methods: int, stores: int) -> str:
    """A class whose methods replace ``self.status`` by a method of it, ``stores`` times over
    ``methods`` different methods: every sequence of them is a name the attribute may hold."""
    lines = ["import pickle", "from lib import Status", "class Machine:", "    def __init__(self, ident):", "        self.status = Status(ident)"]
    for i in range(stores):
        lines += [f"    def step{i}(self, event):", f"        self.status = self.status.m{i % methods}(event)"]
    lines += ["    def load(self, data):", "        return pickle.loads(self.status.payload(data))"]
    return "\n".join(lines) + "\n"


def test_names_stay_bounded_when_an_attribute_is_rebuilt_from_itself():
    """Ray's DeploymentState rebuilds ``self._curr_status_info`` from itself in 17 places: without
    bounds, every sequence of its two methods became a name (thousands per read) and summarising
    the module did not finish. Names hold at most six calls, an attribute at most 48 names (the
    shortest chains), and the rest stand as one marker of unknown origin."""
    from flake8_pickle.scope_model import _MAX_CALLS
    from flake8_pickle.symbols import DROPPED_NAMES, MAX_ATTR_NAMES as _MAX_ATTR_NAMES

    tree = ast.parse(_status_machine(methods=3, stores=24))
    resolver = Resolver(tree, [], call_hook=constructor_variant)
    resolver.run()
    (machine,) = [cls for cls in resolver.classes if cls.name == "Machine"]
    names = {s for s in machine.instance_attrs["status"] if isinstance(s, str)}
    assert "lib.Status()" in names  # the root every other name derives from is kept
    assert DROPPED_NAMES in names
    assert len(names - {DROPPED_NAMES}) <= _MAX_ATTR_NAMES
    assert all(name.count("()") <= _MAX_CALLS for name in names)
    # Without the bounds this class held 3 + 9 + ... names: the test's shape really grows.
    assert len(names) > 12


def test_a_loader_on_a_bounded_attribute_is_still_reported():
    """The load on the attribute that lost names keeps its finding (its argument is a parameter)."""
    source = _status_machine(methods=3, stores=24)
    findings = analyze(ast.parse(source))
    assert [(f.line, f.code) for f in findings if f.code.startswith("PKL1")] == [(source.count("\n"), "PKL102")]


def test_a_source_among_dropped_names_still_reaches_the_loader():
    """The consumer has the most calls of the attribute's 57 names, so its name is dropped: what
    was stored in the attribute still carries the source."""
    lines = ["import pickle", "import lib", "import pika", "class Feed:", "    def __init__(self):"]
    lines.append('        self.feed = pika.BlockingConnection().channel().consume("jobs")')
    for i in range(56):
        lines += [f"    def use{i}(self):", f"        self.feed = lib.f{i}()"]
    lines += ["    def run(self):", "        for method, props, body in self.feed:", "            pickle.loads(body)"]
    findings = analyze(ast.parse("\n".join(lines) + "\n"))
    assert [(f.line, f.code) for f in findings if f.code.startswith("PKL1")] == [(len(lines), "PKL101")]


def _nested_function(depth: int) -> str:
    """A function ``depth`` blocks deep (if, for, try in turn), binding a new name at each level."""
    lines = ["def f(items, fh):"]
    for level in range(1, depth + 1):
        pad = "    " * level
        kind = level % 3
        if kind == 1:
            lines.append(f"{pad}if items:")
        elif kind == 2:
            lines.append(f"{pad}for x{level} in items:")
        else:
            lines.append(f"{pad}try:")
        lines.append(f"{pad}    v{level} = fh")
    for level in range(depth, 0, -1):
        if level % 3 == 0:
            lines.append(f"{'    ' * level}except ValueError:\n{'    ' * level}    pass")
    lines.append("    return v1")
    return "\n".join(lines) + "\n"


def _rebinds(source: str, monkeypatch: pytest.MonkeyPatch) -> int:
    count = 0
    original = Resolver._set

    def counting(self, scope, name, value):
        nonlocal count
        count += 1
        original(self, scope, name, value)

    monkeypatch.setattr(Resolver, "_set", counting)
    Resolver(ast.parse(source), []).run()
    monkeypatch.setattr(Resolver, "_set", original)
    return count


def test_branch_merging_grows_linearly_with_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each level merges only what another outcome adds: the rebinds a nest costs grow with its depth,
    not with its square (counted, not timed: four times as deep, at most about four times the work)."""
    shallow = _rebinds(_nested_function(24), monkeypatch)
    deep = _rebinds(_nested_function(96), monkeypatch)
    assert shallow > 24
    assert deep < 5 * shallow, (shallow, deep)


def test_merged_bindings_after_a_nest_hold_every_outcome() -> None:
    source = textwrap.dedent(
        """
        import pickle, json, marshal
        def f(items):
            x = json
            if items:
                for i in items:
                    try:
                        x = marshal
                    except ValueError:
                        x = pickle
            return x
        """
    )
    tree = ast.parse(source)
    seen = []

    class Returns(Listener):
        def on_return(self, node, resolver):
            seen.append(set(resolver.symbols_of(node.value)))

    Resolver(tree, [Returns()]).run()
    # Not entered, the try body done, or the handler after any part of it.
    assert seen == [{"json", "marshal", "pickle"}]


class _Declared(Listener):
    """Declares the calls it acts on: ``pickle.loads``, any ``x.start()``, partials."""

    def __init__(self) -> None:
        self.lines: Set[int] = set()

    def call_interest(self):
        from flake8_pickle.scope import CallInterest

        return CallInterest(names=frozenset({"pickle.loads"}), attrs=frozenset({"start"}), partials=True)

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        self.lines.add(call.lineno)


def test_a_listener_that_declares_its_calls_hears_those_only_aliases_included() -> None:
    source = textwrap.dedent(
        """\
        import functools
        import pickle
        load = pickle.loads
        class Codec:
            decode = staticmethod(pickle.loads)
        load(b"")
        Codec.decode(b"")
        Codec().decode(b"")
        functools.partial(pickle.loads, fix_imports=False)(b"")
        worker.start()
        pickle.dumps(1)
        print(len("x"))
        """
    )
    declared, every = _Declared(), _Callees()
    Resolver(ast.parse(source), [declared, every], call_hook=constructor_variant).run()
    # The aliases resolve to pickle.loads before the dispatch: they are declared calls.
    assert declared.lines == {6, 7, 8, 9, 10}
    # A listener that declares nothing hears every call, in the same walk.
    assert set(every.by_line) == {5, 6, 7, 8, 9, 10, 11, 12}


class _Graph(Listener):
    """Declares the calls of the module's own functions and of ``self.x(...)``."""

    def __init__(self) -> None:
        self.lines: Set[int] = set()

    def call_interest(self):
        from flake8_pickle.scope import CallInterest

        return CallInterest(receivers=frozenset({"self"}), local_functions=True)

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        self.lines.add(call.lineno)


def test_a_listener_can_declare_calls_of_local_functions_and_of_a_receiver() -> None:
    source = textwrap.dedent(
        """\
        def helper(x):
            return x
        alias = helper
        class Base:
            def run(self):
                self.step()
                other.step()
                alias(1)
                len(2)
        helper(3)
        (lambda: 4)()
        print(5)
        """
    )
    declared, every = _Graph(), _Callees()
    Resolver(ast.parse(source), [declared, every]).run()
    # self.step() by its receiver (a subclass may define step), alias(1) by what it resolves to:
    # helper, a function of the module; a lambda of the module too (``decode = lambda b: ...``
    # then ``decode(body)`` passes its data in). other.step(), len() and print() are not declared.
    assert declared.lines == {6, 8, 10, 11}
    assert set(every.by_line) == {6, 7, 8, 9, 10, 11, 12}


class _Prefixed(Listener):
    """Declares the calls of anything under ``django.http.``."""

    def __init__(self) -> None:
        self.lines: Set[int] = set()

    def call_interest(self):
        from flake8_pickle.scope import CallInterest

        return CallInterest(prefixes=("django.http.",))

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        self.lines.add(call.lineno)


def test_a_listener_can_declare_calls_by_the_start_of_their_names() -> None:
    source = textwrap.dedent(
        """\
        from django import http
        from django.http import HttpResponse as Reply
        Reply("a")
        http.JsonResponse({})
        http.response.HttpResponseRedirect("/")
        httpx.get("/")
        """
    )
    declared = _Prefixed()
    Resolver(ast.parse(source), [declared]).run()
    assert declared.lines == {3, 4, 5}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sock = socket.socket()\nsock.listen()\nreturn sock", "socket.socket()"),
        ("if flag:\n    sock: socket.socket = make()\nreturn sock", "make()"),
        ("sock = socket.socket()\nif flag:\n    sock = other\nreturn sock", None),  # bound twice
        ("sock = socket.socket()\nsock += b''\nreturn sock", None),  # augmented
        ("for sock in socks:\n    pass\nreturn sock", None),  # a loop target
        ("with open(p) as sock:\n    pass\nreturn sock", None),
        ("sock, port = make()\nreturn sock", None),  # unpacked: a part, not the value
        ("sock = a = make()\nreturn sock", None),  # two targets
        ("def inner():\n    nonlocal sock\n    sock = other\nsock = make()\nreturn sock", None),
        ("return flag", None),  # a parameter
        ("return missing", None),  # never bound here
    ],
)
def test_bound_once_reads_only_a_single_plain_binding(body: str, expected: Optional[str]) -> None:
    """``shapes.bound_once``: the one reader of "the value a name is bound to once" (a MAC helper's
    ``mac``, a factory's returned local, a class constant), for every shape of binding."""
    from flake8_pickle.shapes import bound_once

    source = "def f(flag, socks, p, other):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    function = ast.parse(source).body[0]
    name = "missing" if "missing" in body else "flag" if body == "return flag" else "sock"
    found = bound_once(function, name)
    assert (None if found is None else ast.unparse(found)) == expected


def test_bound_once_reads_a_class_constant() -> None:
    from flake8_pickle.shapes import bound_once

    cls = ast.parse("class S:\n    picklelib = 'pickle'\n    other = 1\n    other = 2\n").body[0]
    assert ast.unparse(bound_once(cls, "picklelib")) == "'pickle'"
    assert bound_once(cls, "other") is None
