"""Unit tests of the class-protocol checks (PKL302, PKL303, PKL305-PKL308).

The fixtures under tests/fixtures/runtime/pkl30*.py carry the executed claims; these
tests pin the decisions that are not worth a fixture each: where findings go for
inherited code, what stays silent when unsure, and that odd code never crashes.
"""

from __future__ import annotations

import ast
import textwrap
from typing import List, Tuple

import pytest

from flake8_pickle.analysis import analyze
from flake8_pickle.catalog.gadgets import CODE_EXECUTION_CALLABLES, CODE_EXECUTION_GADGETS

PROTOCOL_CODES = {"PKL302", "PKL303", "PKL305", "PKL306", "PKL307", "PKL308"}


def findings(source: str) -> List[Tuple[int, str, str]]:
    """(line, code, message) of the protocol findings for ``source``."""
    tree = ast.parse(textwrap.dedent(source))
    return [(f.line, f.code, f.message) for f in analyze(tree) if f.code in PROTOCOL_CODES]


def codes(source: str) -> List[Tuple[int, str]]:
    return [(line, code) for line, code, _ in findings(source)]


# --- PKL302 ---------------------------------------------------------------------------


def test_inherited_init_is_reported_once_on_the_class_that_defines_it():
    source = """
        class Base(Exception):
            def __init__(self, a, b):
                super().__init__(f"{a} {b}")

        class Child(Base):
            pass

        class GrandChild(Child):
            pass
    """
    assert codes(source) == [(2, "PKL302")]


def test_init_from_a_non_exception_mixin_is_reported_on_the_exception():
    source = """
        class Mixin:
            def __init__(self, a, b):
                super().__init__(f"{a} {b}")

        class Error(Mixin, Exception):
            pass
    """
    assert codes(source) == [(6, "PKL302")]


def test_reduce_in_a_base_silences_subclasses():
    source = """
        class Base(Exception):
            def __init__(self, a, b):
                super().__init__(f"{a} {b}")
                self.a, self.b = a, b

            def __reduce__(self):
                return (type(self), (self.a, self.b))

        class Child(Base):
            def __init__(self, a):
                super().__init__(a, 0)
    """
    assert codes(source) == []


def test_getnewargs_does_not_silence_an_exception():
    # Measured: BaseException.__reduce__ ignores __getnewargs__ and __getnewargs_ex__.
    source = """
        class E(Exception):
            def __init__(self, a, b):
                super().__init__(f"{a}{b}")

            def __getnewargs__(self):
                return (1, 2)
    """
    assert codes(source) == [(2, "PKL302")]


@pytest.mark.parametrize(
    "header",
    [
        "from somewhere import AppError\nclass E(AppError):",
        "import json\nclass E(json.JSONDecodeError):",
        "class E(ExceptionGroup):",
        "class E(Exception, metaclass_or_mixin()):",
    ],
)
def test_unknown_bases_stay_silent(header: str):
    source = header + "\n    def __init__(self, a, b):\n        super().__init__(f'{a}{b}')\n"
    assert codes(source) == []


def test_not_an_exception_is_not_checked():
    source = """
        class Plain:
            def __init__(self, a, b):
                super().__init__()
    """
    assert codes(source) == []


def test_copyreg_registration_silences():
    source = """
        import copyreg

        class E(Exception):
            def __init__(self, a, b):
                super().__init__(f"{a}{b}")

        copyreg.pickle(E, lambda e: (E, (1, 2)))
    """
    assert codes(source) == []


@pytest.mark.parametrize(
    "init",
    [
        "def __init__(self, message):\n        message = message.strip()\n        super().__init__(message)",
        "def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)",
        "def __init__(self, message, **extra):\n        super().__init__(message)",
        "def __init__(self, a, b):\n        super().__init__(*self.prepare(a, b))",
        "def __init__(self, message):\n        self._setup(message)",
    ],
)
def test_unclear_inits_stay_silent(init: str):
    source = f"class E(Exception):\n    {init}\n"
    assert codes(source) == []


def test_local_message_variable_is_followed():
    source = """
        class E(Exception):
            def __init__(self, name):
                text = "no " + name
                super().__init__(text)
    """
    [(line, code, text)] = findings(source)
    assert (line, code) == (2, "PKL302")
    assert "`super().__init__(text)` changes args" in text


def test_messages_name_the_count():
    source = """
        class E(Exception):
            def __init__(self, a, b, c):
                super().__init__(a)
    """
    [(_, _, text)] = findings(source)
    assert text == "PKL302 exception E cannot be rebuilt from self.args: args holds 1 value, __init__ requires 3"


def test_deep_hierarchy_finishes():
    parts = ["class E0(Exception):\n    def __init__(self, a):\n        super().__init__(a)\n"]
    for i in range(1, 300):
        parts.append(f"class E{i}(E{i - 1}):\n    def __init__(self, a):\n        super().__init__(a)\n")
    assert codes("".join(parts)) == []


@pytest.mark.parametrize(
    "value",
    ["tuple(b)", "list(b)", "frozenset(b)", "int(b)", "bool(b)", "b.strip()", "helper(b)", "b[0]", "b + 1", "'%s' % b", "'%s' % (b,)"],
)
def test_calls_not_known_to_change_args_stay_silent(value: str):
    # celery's UnpickleableExceptionWrapper: super().__init__(..., ensure_serializable(args), ...)
    source = f"class E(Exception):\n    def __init__(self, b):\n        super().__init__({value})\n"
    assert codes(source) == []


@pytest.mark.parametrize(
    "value",
    [
        "'bad: %s' % b",
        "'%r' % (b,)",
        "'%s%s' % (b, b)",
        "'bad ' + b",
        "'bad {}'.format(b)",
        "'{!r}'.format(b)",
        "', '.join(b)",
        "''.join(['bad ', b])",
        "repr(b)",
        "f'{b!r}'",
        "f'bad {b}'",
        "b.name",
        "[b]",
    ],
)
def test_constructions_known_to_change_args_are_reported(value: str):
    source = f"class E(Exception):\n    def __init__(self, b):\n        super().__init__({value})\n"
    [(line, code, text)] = findings(source)
    assert (line, code) == (1, "PKL302")
    if value == "b.name":
        assert "builds args from `b.name`; a rebuild passes args back as `b`, so unpickling fails" in text
    else:
        assert "changes args on each rebuild" in text


# --- PKL303 / PKL305 -----------------------------------------------------------------


def test_reading_the_live_dict_is_not_a_mutation():
    source = """
        class C:
            def __getstate__(self):
                state = self.__dict__
                return {k: v for k, v in state.items() if not k.startswith("_")}
    """
    assert codes(source) == []


def test_mutation_of_a_rebound_name_is_silent():
    source = """
        class C:
            def __getstate__(self):
                state = self.__dict__
                state = state.copy()
                state.pop("x", None)
                return state
    """
    assert codes(source) == []


def test_setstate_reports_on_its_def_line():
    source = """
        class C:
            def __init__(self):
                self._index = {}

            def __getstate__(self):
                state = self.__dict__.copy()
                del state["_index"]
                return state

            def __setstate__(self, state):
                self.__dict__.update(state)

            def get(self):
                return self._index
    """
    assert codes(source) == [(11, "PKL305")]


@pytest.mark.parametrize(
    "extra",
    [
        "def __getattr__(self, name):\n        return None",
        "def __reduce__(self):\n        return (C, ())",
        "def __setstate__(self, state):\n        restore(self, state)",
        "def __setstate__(self, state):\n        super().__setstate__(state)",
        "def __setstate__(self, state):\n        self.__dict__.update(state)\n        self.reconnect()",
        "def close(self):\n        self._index = None",
    ],
)
def test_setstate_unsure_stays_silent(extra: str):
    source = (
        "class C:\n"
        "    def __init__(self):\n        self._index = {}\n"
        "    def __getstate__(self):\n"
        "        state = self.__dict__.copy()\n        del state['_index']\n        return state\n"
        "    def get(self):\n        return self._index\n"
        f"    {extra}\n"
    )
    assert codes(source) == []


def test_setstate_unknown_base_stays_silent():
    source = """
        from elsewhere import Base

        class C(Base):
            def __init__(self):
                self._index = {}

            def __getstate__(self):
                state = self.__dict__.copy()
                del state["_index"]
                return state

            def get(self):
                return self._index
    """
    assert codes(source) == []


# --- PKL306 / PKL307 -----------------------------------------------------------------


def test_code_execution_table_covers_the_issue_list():
    wanted = {
        "os.system",
        "os.popen",
        "os.execv",
        "os.spawnv",
        "posix.system",
        "nt.system",
        "subprocess.call",
        "subprocess.run",
        "subprocess.Popen",
        "subprocess.check_output",
        "subprocess.check_call",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "builtins.eval",
        "builtins.exec",
        "builtins.compile",
        "builtins.__import__",
        "pty.spawn",
        "runpy.run_path",
        "runpy.run_module",
    }
    assert wanted <= CODE_EXECUTION_CALLABLES
    assert all(row.why for row in CODE_EXECUTION_GADGETS)


def test_import_module_is_not_a_gadget_but_dunder_import_is():
    assert "importlib.import_module" not in CODE_EXECUTION_CALLABLES
    source = """
        import importlib
        from importlib import import_module

        class LazyModule:
            def __reduce__(self):
                return import_module, (self.__name__,)

        class Qualified:
            def __reduce__(self):
                return (importlib.import_module, ("os",))

        class DunderImport:
            def __reduce__(self):
                return (__import__, ("os",))
    """
    assert codes(source) == [(15, "PKL307")]


def test_gadget_through_a_star_import_and_nested_class():
    source = """
        from os import *

        def factory():
            class Inner:
                def __reduce__(self):
                    return (system, ("id",))
            return Inner
    """
    assert codes(source) == [(7, "PKL307")]


def test_shadowed_name_is_not_a_gadget():
    source = """
        import os

        class C:
            def __reduce__(self):
                os = Factory
                return (os.system, ())
    """
    assert codes(source) == []


def test_decorated_and_async_protocol_methods_are_left_alone():
    source = """
        class C:
            @staticmethod
            def __deepcopy__(memo):
                return C()

            async def __reduce__(self):
                return [C]
    """
    assert codes(source) == []


# --- PKL308 --------------------------------------------------------------------------


def test_class_attribute_read_does_not_recurse():
    source = """
        class C:
            _defaults = {}

            def __getattr__(self, name):
                return self._defaults.get(name)
    """
    assert codes(source) == []


def test_subclass_of_a_builtin_reads_its_methods():
    source = """
        class C(dict):
            def __getattr__(self, name):
                if name in self:
                    return self.get(name)
                raise AttributeError(name)
    """
    assert codes(source) == []


def test_key_error_converted_in_handler_is_silent_but_other_raise_is_not():
    source = """
        class C:
            _data = {}

            def __getattr__(self, name):
                try:
                    return self._data[name]
                except KeyError:
                    raise RuntimeError(name)
    """
    assert codes(source) == [(9, "PKL308")]


_GETATTR = """
import re

class C:
    _names = {{"nin", "nout"}}
    _tuple = ("a", "b")
    _set_call = frozenset({{"a"}})

    def __init__(self, target):
        self.target = target

    def __getattr__(self, name):
{body}
"""


def _getattr_codes(body: str) -> List[Tuple[int, str]]:
    return codes(_GETATTR.format(body=textwrap.indent(textwrap.dedent(body), " " * 8)))


@pytest.mark.parametrize(
    "body",
    [
        "if name == 'get_filename' and self.target is not None:\n    return 1\nraise AttributeError(name)",
        "if not name.isupper() or name in self.target:\n    raise AttributeError(name)\nreturn 1",
        "m = re.match(r'has_(\\w*)_function$', name)\nif m:\n    return self.target\nraise AttributeError(name)",
        "if re.fullmatch('[a-z]+', name) is not None:\n    return self.target\nraise AttributeError(name)",
        "if name in self._names:\n    return self.target\nraise AttributeError(name)",
        "if name in type(self)._tuple or name in self._set_call:\n    return self.target\nraise AttributeError(name)",
        "if name in ('x', 'y'):\n    return self.target\nraise AttributeError(name)",
        "if name.startswith('__') and name.endswith('__'):\n    raise AttributeError(name)\nreturn self.target",
        "if name[:2] == '__' or len(name) > 40:\n    raise AttributeError(name)\nreturn self.target",
        "return self.target if name.lower() == 'value' else None",
        "if name != 'size':\n    raise AttributeError(name)\nreturn len(self.target)",
        # the read of self.target is __getattr__("target"), which the guard turns away
        "if name == 'target':\n    raise AttributeError(name)\nreturn getattr(self.target, name)",
        "if name.startswith('_') and self.target:\n    return 1\nraise AttributeError(name)",
    ],
)
def test_name_guards_no_probed_name_gets_past_are_silent(body: str):
    assert _getattr_codes(body) == []


@pytest.mark.parametrize(
    "body",
    [
        "return getattr(self.target, name)",
        "if name.startswith('__') and name != '__setstate__':\n    raise AttributeError(name)\nreturn self.target",
        "if name in ('__deepcopy__', 'target'):\n    return self.target\nraise AttributeError(name)",
        "if name.isupper() or helper(name):\n    return self.target\nraise AttributeError(name)",
        "name = name.strip('_')\nif name == 'deepcopy':\n    return self.target\nraise AttributeError(name)",
        "if re.match('[A-Z]', name):\n    raise AttributeError(name)\nreturn self.target",
        "try:\n    return object.__getattribute__(self, name)\n"
        "except AttributeError:\n    return getattr(self.target, name)",
    ],
)
def test_name_guards_a_probed_name_may_pass_are_reported(body: str):
    [(_, code)] = _getattr_codes(body)
    assert code == "PKL308"


def test_class_collection_bound_twice_is_not_trusted():
    source = """
        class C:
            _names = {"a"}
            _names = {"__setstate__"}

            def __init__(self, target):
                self.target = target

            def __getattr__(self, name):
                if name in self._names:
                    return self.target
                raise AttributeError(name)
    """
    assert codes(source) == [(11, "PKL308")]


def test_exception_and_set_bases_rebuild_through_the_constructor():
    source = """
        class Remote(Exception):
            def __init__(self, exception):
                self.exception = exception

            def __getattr__(self, key):
                return getattr(self.exception, key)

        class Tags(set):
            def __init__(self, items=()):
                super().__init__(items)
                self.meta = {}

            def __getattr__(self, key):
                return getattr(self.meta, key)

        class Plain(dict):
            def __init__(self):
                self.meta = {}

            def __getattr__(self, key):
                return getattr(self.meta, key)
    """
    assert codes(source) == [(22, "PKL308")]


def test_exception_getattr_still_reports_other_raises():
    source = """
        class Remote(Exception):
            def __getattr__(self, key):
                raise KeyError(key)
    """
    assert codes(source) == [(4, "PKL308")]


def test_only_the_first_failure_on_the_half_built_path_is_reported():
    source = """
        class Wrapper:
            def __init__(self, file):
                self.file = file
                self._closer = None

            def __getattr__(self, name):
                file = self.__dict__["file"]
                a = getattr(file, name)
                if callable(a):
                    a = (a, self._closer)
                return a

        class Guarded:
            def __init__(self, file):
                self.file = file
                self._closer = None

            def __getattr__(self, name):
                try:
                    file = self.__dict__["file"]
                except KeyError:
                    return self._closer
                return file
    """
    found = findings(source)
    assert [(line, code) for line, code, _ in found] == [(8, "PKL308"), (23, "PKL308")]
    assert "KeyError" in found[0][2] and "reads self._closer" in found[1][2]


def test_odd_guards_do_not_crash():
    deep = " and ".join(["name.startswith('a')"] * 400)
    source = f"""
import re

class C:
    def __init__(self, t):
        self.t = t

    def __getattr__(self, name):
        if {deep} and self.t:
            return 1
        if re.match("(a*)*b", name) or re.match("[", name) or name.center(10**9) or name.split(None, -1)[5]:
            return self.t
        if name < 3 or name in 5 or name is "x" or name.format("x"):
            return self.t
        raise AttributeError(name)
"""
    assert codes(source) == [(12, "PKL308")]


# --- robustness ----------------------------------------------------------------------


ODD = """
import os

class Lambdas(Exception):
    __init__ = lambda self, a, b: None
    __reduce__ = lambda self: (os.system, ("id",))
    __getstate__ = None
    __setstate__ = None
    __getattr__ = None

class Nested:
    class Inner(Exception):
        def __init__(self, a, b):
            super().__init__()
    def __getstate__(self):
        def inner():
            state = self.__dict__
            del state["x"]
        return self.__dict__.copy()

class NoParams:
    def __reduce_ex__():
        return
    def __getattr__():
        return 1
    def __getnewargs__():
        return ()

class SelfOnlyInit(Exception):
    def __init__():
        super().__init__()

class Weird(Exception):
    def __init__(self, *args, **kw):
        super(Weird, self).__init__(*args[1:], **kw)
        Exception.__init__(*args)
        other.__init__(self)

def make():
    class Local(Exception):
        def __init__(self, x, y):
            super().__init__(x)
    return Local

class Loop(Loop):
    pass

class Cycle(Exception):
    def __init__(self, a):
        x = y
        y = x
        super().__init__(x)

async def f():
    class A:
        async def __getstate__(self):
            state = self.__dict__
            del state["a"]
"""


def test_odd_code_does_not_crash():
    result = codes(ODD)
    assert (12, "PKL302") in result  # Nested.Inner
    assert (40, "PKL302") in result  # Local, in a function
    assert (22, "PKL306") in result and (23, "PKL306") in result  # NoParams


def test_args_assigned_outright_are_followed():
    # configparser's errors format a message, then set `self.args` to the parameters.
    source = """
        class Error(Exception):
            def __init__(self, msg=""):
                self.message = msg
                Exception.__init__(self, msg)

        class NoSection(Error):
            def __init__(self, section):
                Error.__init__(self, "No section: %r" % (section,))
                self.section = section
                self.args = (section,)

        class Broken(Error):
            def __init__(self, section, option):
                Error.__init__(self, "%s %s" % (section, option))
                self.args = (section,)
    """
    assert codes(source) == [(13, "PKL302")]


def test_getattr_reads_under_literal_names_are_not_probed():
    source = """
        class Alias:
            def __init__(self, origin):
                self._name = None
                self.origin = origin

            def __getattr__(self, attr):
                if attr in {"__name__", "__qualname__"}:
                    return self._name or "alias"
                if "origin" in self.__dict__ and not attr.startswith("__"):
                    return getattr(self.__dict__["origin"], attr)
                raise AttributeError(attr)
    """
    assert codes(source) == []


def test_membership_else_branch_is_protected():
    source = """
        TABLE = {"a": 1}

        class C:
            _relay = None

            def __getattr__(self, key):
                if key not in TABLE:
                    raise AttributeError(key)
                else:
                    return TABLE[key]
    """
    assert codes(source) == []


def test_lookup_protected_only_by_its_own_membership_test():
    source = """
        TABLE = {}

        class C:
            def __getattr__(self, key):
                if key in {"a", "b"}:
                    return 1
                if "origin" in self.__dict__:
                    return getattr(self.__dict__["origin"], key)
                return TABLE[key]
    """
    assert codes(source) == [(10, "PKL308")]


def test_one_exception_notion_two_strengths() -> None:
    """The class model answers "is an exception" once: broadly (some base reaches a builtin
    exception), and exactly through the lineage PKL302 rebuilds from, which implies the broad one."""
    from flake8_pickle.classes import BUILTIN_EXCEPTIONS, ClassModel, lineage
    from flake8_pickle.scope import Resolver

    source = textwrap.dedent(
        """
        import socket
        class Base(ValueError): pass
        class Child(Base): pass
        class Mixed(Base, socket.socket): pass
        class Either(Base if socket else object): pass
        class Group(ExceptionGroup): pass
        class Stop(KeyboardInterrupt): pass
        class Plain: pass
        """
    )
    model = ClassModel()
    resolver = Resolver(ast.parse(source), [model])
    resolver.run()
    classes = {info.local.name: info.local for info in model.classes.values()}
    broad = {name for name, cls in classes.items() if model.is_exception(cls)}
    exact = {name for name, cls in classes.items() if lineage(cls).is_exception()}
    assert broad == {"Base", "Child", "Mixed", "Either", "Group", "Stop"}
    assert exact == {"Base", "Child", "Mixed", "Stop"}
    assert exact <= broad
    assert {"builtins.OSError", "builtins.IOError", "builtins.StopIteration"} <= BUILTIN_EXCEPTIONS
