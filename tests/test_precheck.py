"""The text pre-check only skips work: with or without it, the findings are the same.

The same equality is checked on the whole standard library in
``test_robustness.test_whole_standard_library_without_plugin_failure``.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List
from textwrap import dedent

import pytest

from flake8_pickle.analysis import analyze, catalog_for, run_analysis
from flake8_pickle.catalog import handoff
from flake8_pickle.classes import ClassModel
from flake8_pickle.checks.copying import CopyChecks
from flake8_pickle.checks.protocol.state import GetstateChecks
from flake8_pickle.precheck import (
    COPY_ROOTS, ClassOnlyWalk, call_words, class_needs, imported_words, keyword_lines, may_bind_other, no_class_matters, possible,
)
from flake8_pickle.checks.protocol import ProtocolChecks
from flake8_pickle.scope import ClassNeeds, Listener, Resolver
from flake8_pickle.settings import Settings

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py")) + sorted(
    (Path(__file__).parent / "fixtures_fix").rglob("*.py")
)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_precheck_changes_no_finding(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert analyze(tree, source=source) == analyze(tree)
    # As flake8 runs it (the inventories off), where a module no class rule can read is not walked.
    assert analyze(tree, inventory=False, source=source) == analyze(tree, inventory=False)


@pytest.mark.parametrize(
    "source, skipped",
    [
        ("def f():\n    return subclass_of(classmethod)\n", True),  # 'class' only inside other words
        ("class A:\n    def run(self):\n        pass\n", True),
        ("class A:\n    def f(self):\n        try:\n            pass\n        except ValueError:\n            raise KeyError(1)\n", True),
        ("class A:\n    def __getstate__(self):\n        return {}\n", False),
        ("class A:\n    pass\nsetattr(A, '__reduce__', lambda self: (A, ()))\n", False),
        ("class Failed(ValueError):\n    pass\n", False),
        ("Base = Exception\nclass Failed(Base):\n    pass\n", False),
        ("import builtins\nclass Failed(builtins.LookupError):\n    pass\n", False),
    ],
)
def test_a_module_no_class_rule_can_read_is_not_walked(source: str, skipped: bool) -> None:
    needs = class_needs([ProtocolChecks(ClassModel(), lambda f: None), GetstateChecks(ClassModel(), lambda f: None)])
    assert no_class_matters(source, needs) is skipped
    tree = ast.parse(source)
    assert analyze(tree, inventory=False, source=source) == analyze(tree, inventory=False)


def test_imported_words_follow_continuations() -> None:
    source = (
        "import os\n"
        "from a.b import (\n    c,\n    d)\n"
        "x = 1  # plain code: its words stay out\n"
        "import e, \\\n    f\n"
        "y = importlib.import_module('g')\n"
        "from h import i\r\nj = 2\r\n"
    )
    words = imported_words(source)
    assert {"os", "a", "b", "c", "d", "e", "f", "importlib", "import_module", "g", "h", "i"} <= words
    assert not words & {"x", "j", "plain", "stay"}


def test_sink_names_cover_every_copy_sink() -> None:
    """The pre-check reads SINK_NAMES: every name a PKL2xx call site matches must be in it."""
    names = set(handoff.DEEPCOPIES) | handoff.DUMPS | set(handoff.PROCESSES)
    names |= set(handoff.POOLS + handoff.QUEUES + handoff.CONNECTIONS)
    assert names <= handoff.SINK_NAMES
    assert {name.split(".")[0] for name in names} <= COPY_ROOTS


def test_call_words() -> None:
    words = call_words(["copy.deepcopy", "copy.copy", "pickle.loads", "pickle.load", "multiprocessing.get_context().Queue()"])
    assert words == {"copy": {"copy"}, "pickle": {"load"}, "multiprocessing": {"Queue"}}


@pytest.mark.parametrize(
    "source, loaders, copies",
    [
        ("import os\nx = 'pickle.loads'\n", False, False),
        ("import os, pickle\n", False, False),
        ("import os, pickle\nb = pickle.dumps(x)\ny = pickle.loads(b)\n", True, True),
        ("from .compat import pickle as p\ny = p.loads(b)\n", True, False),
        ("import copy\n", False, True),
        ("m = __import__('marshal')\nm.loads(b)\n", True, False),
        ("m = __import__('marshal')\n", False, False),
        ("import sys\nm = sys.modules['copy']\n", False, True),
        ("def f(m):\n    return m.model_copy(deep=True)\n", False, True),
        ("from dataclasses import dataclass, field\n", False, False),
        ("from dataclasses import asdict\n", False, True),
        ("import numpy as np\nx = np.zeros(3)\n", False, False),
        ("import numpy as np\nx = np.load(path)\n", True, False),
        ("import multiprocessing as mp\nn = mp.cpu_count()\n", False, False),
        ("import multiprocessing as mp\np = mp.Process(target=f)\n", False, True),
    ],
)
def test_what_the_text_leaves_possible(source: str, loaders: bool, copies: bool) -> None:
    can = possible(source, catalog_for(Settings()))
    assert (can.loaders, can.copies) == (loaders, copies)


def test_keyword_lines() -> None:
    assert keyword_lines("a = 1\nclass A:\n    global x\n\nclass\tB: pass\n") == [2, 3, 5]


CLASS_ONLY = dedent(
    '''
    import threading


    def helper(items):
        return [item for item in items if item]


    def factory():
        class Local:
            def __init__(self):
                self.lock = threading.Lock()

            def __setstate__(self, state):
                self.__dict__.update(state)

        return Local


    class Plain:
        def __init__(self):
            self.value = 1

        def method(self):
            return self.value


    class Conn:
        def open(self):
            self.sock = threading.Lock()


    class Failure(Exception):
        def __init__(self, code, conn: Conn):
            super().__init__(code)
            self.conn = conn

        def describe(self):
            return str(self.conn)


    class Lazy:
        def __init__(self):
            self._data = {}

        def __getattr__(self, name):
            return self._data[name]

        def unrelated(self):
            return 2
    '''
)


def test_class_only_modules_skip_bodies_no_rule_reads() -> None:
    analysis = run_analysis(ast.parse(CLASS_ONLY), inventory=False, source=CLASS_ONLY)
    assert sorted(getattr(node, "name", "") for node in analysis.resolver.unwalked) == ["__init__", "helper", "method", "unrelated"]
    codes = sorted(f.code for f in analysis.findings)
    # The local class found through its factory, the exception's args, its held Conn, and __getattr__.
    assert codes == sorted(f.code for f in analyze(ast.parse(CLASS_ONLY), inventory=False))
    assert {"PKL301", "PKL302", "PKL308"} <= set(codes)


def _walked_methods(checks, source: str) -> List[str]:
    """Names of the functions a class-only walk serving ``checks`` walks in ``source``."""
    tree = ast.parse(source)
    model = ClassModel()
    walk = ClassOnlyWalk(source, model, class_needs(checks))
    resolver = Resolver(tree, [model, *checks], walk_function=walk)
    resolver.run()
    every = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    unwalked = {id(n) for n in resolver.unwalked}
    return sorted(n.name for n in every if id(n) not in unwalked)


def test_the_class_only_walk_reads_what_the_checks_declare() -> None:
    """A new class rule declares its methods on its check; the pre-check needs no edit."""

    class ReadsInitSubclass(Listener):
        needs = ClassNeeds(methods=frozenset({"__init_subclass__"}))

    class ReadsWholeClassGetItem(Listener):
        needs = ClassNeeds(whole_class=frozenset({"__class_getitem__"}))

    source = dedent(
        """
        class Base:
            def __init__(self):
                self.a = 1

            def __init_subclass__(cls, **kwargs):
                pass

            def other(self):
                pass


        class Generic:
            def __class_getitem__(cls, item):
                return cls

            def helper(self):
                pass


        class Plain:
            def method(self):
                pass
        """
    )
    assert _walked_methods([], source) == []
    assert _walked_methods([ReadsInitSubclass()], source) == ["__init__", "__init_subclass__"]
    assert _walked_methods([ReadsWholeClassGetItem()], source) == ["__class_getitem__", "helper"]
    both = _walked_methods([ReadsInitSubclass(), ReadsWholeClassGetItem()], source)
    assert both == ["__class_getitem__", "__init__", "__init_subclass__", "helper"]


def test_every_class_family_declares_what_it_reads() -> None:
    """The families that report class findings in a class-only module each declare their methods."""
    assert CopyChecks.needs.exceptions and "__setstate__" in CopyChecks.needs.whole_class
    assert "__getstate__" in GetstateChecks.needs.whole_class
    assert {"__reduce__", "__getattr__"} <= ProtocolChecks.needs.methods and ProtocolChecks.needs.exceptions


def test_a_loader_call_walks_every_body() -> None:
    source = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n" + CLASS_ONLY
    assert run_analysis(ast.parse(source), inventory=False, source=source).resolver.unwalked == []


LOADER_MODULE = dedent(
    '''
    import pickle


    def load_blob(data):
        return pickle.loads(data)


    def fetch(request):
        return request.body


    def handler(request):
        return load_blob(fetch(request))


    def caller_of_fetch(request):
        return fetch(request)


    def unrelated(x):
        return x + 1


    class Store:
        def __init__(self, request):
            self.blob = request.body
            self.count = 0

        def read(self):
            return pickle.loads(self.blob)

        def size(self):
            return self.count
    '''
)


def test_the_provenance_walk_follows_only_what_reaches_a_loader() -> None:
    from flake8_pickle.analysis import _grade_loaders
    from flake8_pickle.precheck import CallGraph, LoaderWalk
    from flake8_pickle.scope import Resolver
    from flake8_pickle.checks.loaders import LoaderChecks

    tree = ast.parse(LOADER_MODULE)
    spotter, graph = LoaderChecks(catalog_for(Settings()), None, lambda finding: None), CallGraph()
    first = Resolver(tree, [spotter, graph])
    first.run()
    state, local = first.portable_state()
    walk = LoaderWalk(tree, LOADER_MODULE, spotter.frames, graph, first.attribute_stores, local)
    defs = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    # It starts from the bodies that call a loader...
    assert sorted(name for name, node in defs.items() if walk(node, None)) == ["load_blob", "read"]
    found: list = []
    _grade_loaders(tree, Settings(), catalog_for(Settings()), found.append, False, walk, set(), state)
    walked = sorted(name for name, node in defs.items() if walk(node, None))
    # ...and grows by what their inputs depend on: load_blob's parameter, so its caller handler;
    # handler passes fetch()'s return, so fetch; Store.read reads self.blob, which __init__ stores.
    # caller_of_fetch, unrelated and size feed no loader.
    assert walked == ["__init__", "fetch", "handler", "load_blob", "read"]
    assert sorted(f.code for f in found) == ["PKL102", "PKL102"]
    codes = analyze(tree, source=LOADER_MODULE)
    assert codes == analyze(tree) and "PKL102" in {f.code for f in codes}


MAIN_BLOCK_MODULE = dedent(
    '''
    import pickle
    import socket
    import sys


    def connect(port):
        return socket.create_connection(("localhost", port))


    def receive(sock):
        return sock.recv(4096)


    def unrelated(x):
        return x + 1


    if __name__ == "__main__":
        channel = connect(int(sys.argv[1]))
        obj = pickle.loads(receive(channel))
    '''
)


def test_a_loader_at_module_level_walks_only_the_bodies_its_input_needs() -> None:
    """The module's own statements are always walked; the functions they call are walked
    because the loader's input is their return, and nothing else is."""
    from flake8_pickle.analysis import _grade_loaders
    from flake8_pickle.precheck import CallGraph, LoaderWalk
    from flake8_pickle.scope import Resolver
    from flake8_pickle.checks.loaders import LoaderChecks

    tree = ast.parse(MAIN_BLOCK_MODULE)
    spotter, graph = LoaderChecks(catalog_for(Settings()), None, lambda finding: None), CallGraph()
    first = Resolver(tree, [spotter, graph])
    first.run()
    assert spotter.spotted and spotter.frames == []
    state, local = first.portable_state()
    walk = LoaderWalk(tree, MAIN_BLOCK_MODULE, spotter.frames, graph, first.attribute_stores, local)
    defs = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert [name for name, node in defs.items() if walk(node, None)] == []
    found: list = []
    _grade_loaders(tree, Settings(), catalog_for(Settings()), found.append, False, walk, set(), state)
    assert sorted(name for name, node in defs.items() if walk(node, None)) == ["connect", "receive"]
    assert [f.code for f in found] == ["PKL101"]
    with_source = run_analysis(tree, inventory=False, source=MAIN_BLOCK_MODULE).findings
    assert with_source == run_analysis(tree, inventory=False).findings


def test_the_exception_scan_finds_every_built_in_exception_name() -> None:
    """``_names_an_exception_class`` finds names through the parts it searches for: each built-in
    exception's name must hold one, or a class deriving from it would be missed."""
    from flake8_pickle.precheck import _EXCEPTION_NAMES, _EXCEPTION_PARTS, _names_an_exception_class

    assert {"Exception", "KeyboardInterrupt", "StopIteration", "GeneratorExit", "UserWarning"} <= _EXCEPTION_NAMES
    for name in _EXCEPTION_NAMES:
        assert any(part in name for part in _EXCEPTION_PARTS), name
        assert _names_an_exception_class(f"class Mine({name}):\n    pass\n")
        assert not _names_an_exception_class(f"try:\n    pass\nexcept {name}:\n    raise {name}()\n")


@pytest.mark.parametrize(
    "text, word, spelled",
    [
        ("class A: pass", "class", True),
        ("x = get\n", "get", True),
        ("classclass = subclass", "class", False),
        ("x = getg + get_many\n", "get", False),
        (b"class A: pass", b"class", True),
        (b"x = get\n", b"get", True),
        (b"classclass = subclass", b"class", False),
        (b"x = getg + get_many\n", b"get", False),
    ],
)
def test_spells_word_reads_str_and_bytes_alike(text: object, word: object, spelled: bool) -> None:
    from flake8_pickle.precheck import spells_word

    assert spells_word(text, word) is spelled  # type: ignore[type-var]


LATE_STATE_MODULE = dedent(
    '''
    import pickle
    import socket


    class Fetcher:
        def __init__(self, host):
            self.host = host

        def fetch(self):
            return self.sock.recv(4096)

        def open(self):
            self.sock = socket.create_connection((self.host, 9000))


    class Worker:
        def run(self):
            return pickle.loads(self.fetcher.fetch())

        def start(self, host):
            self.fetcher = Fetcher(host)
            self.fetcher.open()

        def size(self):
            return len(self.cache)

        def fill(self):
            self.cache = [Fetcher("x")]
    '''
)


def test_the_provenance_walk_takes_over_the_module_s_own_objects_in_instance_state() -> None:
    """``self.fetcher`` holds a ``Fetcher`` the first walk saw stored (in ``start``, after
    ``run`` read it): the provenance walk is seeded with that instance, so it walks neither the
    writers of ``fetcher`` nor ``cache`` nor learns the classes' state first, and still follows
    ``self.fetcher.fetch()`` to the socket."""
    from flake8_pickle.analysis import _grade_loaders
    from flake8_pickle.precheck import CallGraph, LoaderWalk
    from flake8_pickle.scope import Resolver
    from flake8_pickle.checks.loaders import LoaderChecks
    from flake8_pickle.shapes import node_key
    from flake8_pickle.symbols import LocalInstance

    tree = ast.parse(LATE_STATE_MODULE)
    spotter, graph = LoaderChecks(catalog_for(Settings()), None, lambda finding: None), CallGraph()
    first = Resolver(tree, [spotter, graph])
    first.run()
    state, local = first.portable_state()
    assert local == set()
    worker = next(cls for cls in first.classes if cls.name == "Worker")
    assert {type(s) for s in state[node_key(worker.node)]["fetcher"]} == {LocalInstance}
    assert first.late_state_classes() == set()
    walk = LoaderWalk(tree, LATE_STATE_MODULE, spotter.frames, graph, first.attribute_stores, local)
    found: list = []
    _grade_loaders(tree, Settings(), catalog_for(Settings()), found.append, False, walk, set(), state)
    defs = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert sorted(name for name, node in defs.items() if walk(node, None)) == ["fetch", "run"]
    assert [f.code for f in found] == ["PKL101"]
    assert analyze(tree, source=LATE_STATE_MODULE) == analyze(tree)


# ---------------------------------------------------------------- may_bind_other
# A module the project index would parse only to learn that ``from module import NAME`` is NAME
# itself is not parsed when its text shows no other binding of NAME. A no must never be wrong.

BINDS = {
    "import": "import NAME\n",
    "import list": "import os, NAME\n",
    "from import": "from x import NAME\n",
    "from import list": "from x import a, NAME, b\n",
    "from import parenthesised": "from x import (\n    a,\n    NAME,\n)\n",
    "from import parenthesised one": "from x import (NAME)\n",
    "import as": "import x as NAME\n",
    "import dotted": "import NAME.web\n",
    "import dotted in a list": "import os, NAME.web\n",
    "import dotted after a semicolon": "x = 1; import NAME.web\n",
    "import dotted continued": "import os, \\\n    NAME.web\n",
    "import dotted continued crlf": "import os, \\\r\n    NAME.web\r\n",
    "from import as": "from x import y as NAME\n",
    "assign": "NAME = pickle.loads\n",
    "assign call": "NAME = make()\n",
    "annotated": "NAME: Callable = pickle.loads\n",
    "augmented": "NAME += [pickle.loads]\n",
    "chained": "a = NAME = pickle.loads\n",
    "tuple": "NAME, b = pickle.loads, 1\n",
    "tuple last": "a, NAME = 1, pickle.loads\n",
    "parenthesised tuple": "(a, NAME) = 1, pickle.loads\n",
    "parenthesised tuple after a line ending in a word": "foo\n(a, NAME) = 1, pickle.loads\n",
    "list target": "[a, NAME] = 1, pickle.loads\n",
    "starred": "a, *NAME = things\n",
    "for": "for NAME in (pickle.loads,):\n    pass\n",
    "for tuple": "for a, NAME in pairs:\n    pass\n",
    "for parenthesised": "for (a, NAME) in pairs:\n    pass\n",
    "with": "with open(p) as NAME:\n    pass\n",
    "with tuple": "with f() as (a, NAME):\n    pass\n",
    "except": "try:\n    pass\nexcept E as NAME:\n    pass\n",
    "walrus": "if (NAME := pickle.loads):\n    pass\n",
    "walrus in call": "print(NAME := pickle.loads)\n",
    "one-line if": "if c: NAME = pickle.loads\n",
    "else": "if c:\n    pass\nelse: NAME = pickle.loads\n",
    "del": "del NAME\n",
    "semicolon": "a = 1; NAME = pickle.loads\n",
    "continued line": "NAME \\\n    = pickle.loads\n",
    "type alias": "type NAME = int\n",
    "global": "def f():\n    global NAME\n    NAME = pickle.loads\n",
    "def under global": "def f():\n    global NAME\n    def NAME(): pass\n",
    "unpickler class": "class NAME(pickle.Unpickler):\n    pass\n",
    "after a comment ending in class": "# the class\nNAME = pickle.loads\n",
    "after a comment ending in def ": "# def \nNAME = pickle.loads\n",
    "dict value then binding": "TABLE = {'k': NAME}\nNAME = pickle.loads\n",
    "match capture": "match x:\n    case NAME:\n        pass\n",
}

HARMLESS = {
    "def": "def NAME(data):\n    return data\n",
    "class": "class NAME(Base):\n    pass\n",
    "call": "NAME(1)\nx = NAME (2)\n",
    "attribute": "x = NAME.attr\nNAME.attr = 3\nobj.NAME = 4\n",
    "subscript": "NAME[0] = 1\n",
    "quoted": "__all__ = [\"NAME\", 'NAME']\n",
    "docstring prose": '"""Return a NAME, or NAME instance when NAME and more."""\n',
    "value": "x = NAME\ny = {k: NAME}\nf(a=NAME)\n",
    "operand": "x = a + NAME\ny = -NAME\nz = a | NAME\n",
    "argument": "isinstance(x, NAME)\nclass A(Base, NAME):\n    pass\n",
    "keyword value": "class A(metaclass=NAME):\n    pass\n",
    "literal": "NAME = \"__\"\nNAME = 39\nNAME = None\n",
    "decorator": "@NAME\ndef f():\n    pass\n",
    "return": "def f():\n    return NAME\n",
    "import as other": "from x import NAME as other\n",
    "other word": "a_NAME = 1\nNAME_b = 2\n",
    "from import of the module": "from NAME import web\nfrom NAME.sub import web\n",
}


@pytest.mark.parametrize("text", list(BINDS.values()), ids=list(BINDS))
def test_may_bind_other_says_yes_for_every_binding(text: str) -> None:
    assert may_bind_other(text.encode(), "NAME")


@pytest.mark.parametrize("text", list(HARMLESS.values()), ids=list(HARMLESS))
def test_may_bind_other_says_no_where_no_binding_can_be(text: str) -> None:
    assert not may_bind_other(text.encode(), "NAME")


PROJECT_FILES = sorted((Path(__file__).parent / "projects").rglob("*.py")) + FIXTURES + sorted(
    (Path(__file__).parent.parent / "flake8_pickle").rglob("*.py")
)


def test_may_bind_other_never_misses_an_alias_the_head_summary_has() -> None:
    """For every module of the fixtures, the project fixtures and the plugin itself: each plain name
    whose head summary has an alias is one the text question answers yes for."""
    from flake8_pickle.project.summary import HEAD, summarise

    checked = 0
    for path in PROJECT_FILES:
        content = path.read_bytes()
        try:
            tree = ast.parse(content)
        except SyntaxError:
            continue
        head = summarise(tree, "pkg.mod", "pkg/mod.py", False, Settings(), HEAD, content)
        for name, targets in head["aliases"].items():
            if targets and name.isidentifier():
                checked += 1
                assert may_bind_other(content, name), (path, name)
    assert checked > 500
