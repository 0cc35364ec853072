"""PKL104 on its own: how each find_class is graded, what is trusted, and that odd code never breaks it."""

from __future__ import annotations

import ast
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from flake8_pickle.analysis import analyze
from flake8_pickle.findings import Finding
from flake8_pickle.scope import Resolver
from flake8_pickle.symbols import LocalInstance
from flake8_pickle.checks.unpicklers import (
    DENY_LIST,
    PREFIX,
    RESTRICTS_NOTHING_IMPORT,
    RESTRICTS_NOTHING_PARENT,
    FindClassChecks,
    Grade,
    dangerous_global,
    dangerous_module,
)

PREAMBLE = """
import builtins
import collections
import importlib
import logging
import pickle
import re
import sys

log = logging.getLogger(__name__)
SAFE_PAIRS = frozenset({("collections", "OrderedDict"), ("datetime", "date")})
SAFE_BUILTINS = {"range", "complex", "set", "frozenset", "slice"}
"""


def run(source: str) -> Tuple[FindClassChecks, Resolver, List[Finding]]:
    """Walk ``source`` with the PKL104 listener alone."""
    findings: List[Finding] = []
    checks = FindClassChecks(findings.append)
    resolver = Resolver(ast.parse(textwrap.dedent(source)), [checks])
    resolver.run()
    return checks, resolver, findings


def grades(source: str) -> Dict[str, Grade]:
    checks, resolver, _ = run(source)
    return {grade.cls.name: grade for grade in checks.grade_all(resolver)}


def grade_body(body: str, extra: str = "", decorator: str = "", params: str = "self, module, name") -> Grade:
    """The grade of ``class U(pickle.Unpickler)`` whose find_class has ``body``."""
    method = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8)
    lines = [PREAMBLE, textwrap.dedent(extra), "class U(pickle.Unpickler):"]
    if decorator:
        lines.append(f"    {decorator}")
    lines.append(f"    def find_class({params}):\n{method}\n")
    return grades("\n".join(lines))["U"]


def sound_names(source: str) -> List[str]:
    checks, resolver, _ = run(source)
    return sorted(c.name for c in checks.sound_unpickler_classes(resolver))


# --- what is dangerous -----------------------------------------------------------------


@pytest.mark.parametrize(
    "module, name, expected",
    [
        ("builtins", "eval", True),
        ("builtins", "set", False),
        ("__builtin__", "getattr", True),
        ("os", "stat_result", True),
        ("os.path", "join", True),
        ("subprocess", "Popen", True),
        ("functools", "partial", True),
        ("functools", "reduce", False),
        ("operator", "attrgetter", True),
        ("operator", "itemgetter", False),
        ("pickle", "loads", True),
        ("pickle", "PickleBuffer", False),
        ("collections", "OrderedDict", False),
        ("mymodule", "open", True),
        # the statement-string runners PKL307 flags in __reduce__ (catalog.CODE_EXECUTION_GADGETS)
        ("timeit", "timeit", True),
        ("timeit", "repeat", True),
        ("timeit", "default_timer", False),
        ("cProfile", "runctx", True),
        ("profile", "run", True),
        ("profile", "Profile", False),
        ("pdb", "runeval", True),
        ("code", "interact", True),
        ("pickle5", "loads", True),
    ],
)
def test_dangerous_global(module: str, name: str, expected: bool):
    assert dangerous_global(module, name) is expected


def test_dangerous_module():
    assert dangerous_module("builtins") and dangerous_module("functools") and dangerous_module("ctypes.util")
    assert dangerous_module("timeit") and dangerous_module("cProfile") and dangerous_module("pdb")
    assert not dangerous_module("collections") and not dangerous_module("numpy")



def test_module_and_name_sets_too_large_to_pair_still_meet_each_named_gadget():
    modules = sorted({f"m{i}" for i in range(70)} | {"timeit"})
    names = sorted({f"n{i}" for i in range(60)} | {"repeat"})  # 71 x 61 pairs: judged side by side
    body = "if module in MODULES and name in NAMES:\n    return super().find_class(module, name)\nraise KeyError"
    extra = f"MODULES = {modules!r}\nNAMES = {names!r}"
    assert grade_body(body, extra).problem == "admits code-execution global timeit.repeat"
    assert grade_body(body, extra.replace("'repeat'", "'default_timer'")).problem is None

# --- the python documentation's example ---------------------------------------------------


DOCS_EXAMPLE = """
import builtins
import io
import pickle

safe_builtins = {
    'range',
    'complex',
    'set',
    'frozenset',
    'slice',
}

class RestrictedUnpickler(pickle.Unpickler):

    def find_class(self, module, name):
        # Only allow safe classes from builtins.
        if module == "builtins" and name in safe_builtins:
            return getattr(builtins, name)
        # Forbid everything else.
        raise pickle.UnpicklingError("global '%s.%s' is forbidden" %
                                     (module, name))

def restricted_loads(s):
    \"\"\"Helper function analogous to pickle.loads().\"\"\"
    return RestrictedUnpickler(io.BytesIO(s)).load()
"""


def test_python_docs_example_is_sound_and_silent():
    checks, resolver, findings = run(DOCS_EXAMPLE)
    assert findings == []
    assert [c.name for c in checks.sound_unpickler_classes(resolver)] == ["RestrictedUnpickler"]


def test_python_docs_example_with_a_dangerous_builtin_is_reported():
    source = DOCS_EXAMPLE.replace("'slice',", "'slice',\n    'eval',")
    _, _, findings = run(source)
    assert [(f.line, f.code) for f in findings] == [(17, "PKL104")]
    assert findings[0].message == (
        "PKL104 Unpickler RestrictedUnpickler.find_class admits code-execution global builtins.eval"
    )


def test_reported_at_the_def_line_through_the_whole_analysis():
    source = textwrap.dedent(
        """
        import pickle

        class U(pickle.Unpickler):
            @staticmethod
            def find_class(module, name):
                return pickle.Unpickler.find_class(None, module, name)
        """
    )
    pkl104 = [f for f in analyze(ast.parse(source)) if f.code == "PKL104"]
    assert [(f.line, f.col) for f in pkl104] == [(6, 4)]  # the def line, not the decorator
    assert pkl104[0].message == f"PKL104 Unpickler U.find_class {RESTRICTS_NOTHING_PARENT}"


# --- bypassable bodies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, extra, problem",
    [
        # restricts nothing
        ("log.info('%s', module)\nreturn super().find_class(module, name)", "", RESTRICTS_NOTHING_PARENT),
        (
            "if (module, name) not in SAFE_PAIRS:\n    log.warning('odd')\nreturn super().find_class(module, name)",
            "",
            RESTRICTS_NOTHING_PARENT,
        ),
        (
            "try:\n    return super().find_class(module, name)\nexcept Exception:\n    return None",
            "",
            RESTRICTS_NOTHING_PARENT,
        ),
        ("return getattr(sys.modules[module], name)", "", RESTRICTS_NOTHING_IMPORT),
        ("return getattr(__import__(module, fromlist=[name]), name)", "", RESTRICTS_NOTHING_IMPORT),
        ("from importlib import import_module as im\nreturn getattr(im(module), name)", "", RESTRICTS_NOTHING_IMPORT),
        (
            "return super().find_class(module, name) if module else super().find_class(module, name)",
            "",
            RESTRICTS_NOTHING_PARENT,
        ),
        ("return super().find_class(name=name, module=module)", "", RESTRICTS_NOTHING_PARENT),
        (
            "if module == 'builtins':\n    return getattr(builtins, name)\nreturn super().find_class(module, name)",
            "",
            "restricts nothing",
        ),
        # code-execution globals
        (
            "if module in {'builtins', 'collections'}:\n"
            "    return super().find_class(module, name)\n"
            "raise ValueError",
            "",
            "builtins.*",
        ),
        (
            "if module not in MODS:\n"
            "    raise ValueError\n"
            "return super().find_class(module, name)",
            "MODS = ('os', 'json')",
            "os.*",
        ),
        ("if module in MODS:\n    return super().find_class(module, name)", "MODS = ['nt']", "nt.*"),
        ("if (name, module) in P:\n    return super().find_class(module, name)", "P = {('system', 'os')}", "os.system"),
        (
            "if '.'.join((module, name)) in D:\n"
            "    return super().find_class(module, name)",
            "D = ['builtins.exec']",
            "builtins.exec",
        ),
        (
            "if module + ':' + name in D:\n"
            "    return super().find_class(module, name)",
            "D = {'importlib:import_module'}",
            "importlib.import_module",
        ),
        ("if name in N:\n    return super().find_class(module, name)", "N = {'Popen', 'deque'}", "subprocess.Popen"),
        (
            "if name in M[module]:\n"
            "    return super().find_class(module, name)",
            "M = {'types': {'FunctionType'}}",
            "types.FunctionType",
        ),
        ("if M.get(module) is not None:\n    return super().find_class(module, name)", "M = {'code': 1}", "code.*"),
        (
            "if M.get((module, name)):\n"
            "    return super().find_class(module, name)",
            "M = {('runpy', 'run_path'): 1}",
            "runpy.run_path",
        ),
        (
            "if module == 'builtins' and name in SAFE_BUILTINS | {'getattr'}:\n"
            "    return getattr(builtins, name)",
            "",
            "builtins.getattr",
        ),
        ("if module == 'collections':\n    return getattr(builtins, name)\nraise KeyError", "", "builtins.*"),
        ("if (module, name) == ('builtins', 'eval'):\n    return eval\nraise KeyError", "", "builtins.eval"),
        ("if module == 'x':\n    return T[name]\nraise KeyError", "import os\nT = {'s': os.system}", "os.system"),
        (
            "if module == 'x':\n"
            "    return T[module][name]\n"
            "raise KeyError",
            "T = {'x': {'a': dict, 'b': __import__}}",
            "builtins.__import__",
        ),
        ("return super().find_class('os', 'system')", "", "os.system"),
        # deny-lists
        (
            "if module in BAD:\n"
            "    raise ValueError\n"
            "return super().find_class(module, name)",
            "from config import BAD",
            DENY_LIST,
        ),
        ("if module != 'os':\n    return super().find_class(module, name)\nraise ValueError", "", DENY_LIST),
        (
            "if not (module == 'os' and name == 'system'):\n"
            "    return super().find_class(module, name)\n"
            "raise ValueError",
            "",
            DENY_LIST,
        ),
        (
            "if '.' in name or name.startswith('_'):\n"
            "    raise ValueError\n"
            "return super().find_class(module, name)",
            "",
            DENY_LIST,
        ),
        (
            "for bad in BAD:\n    if module.startswith(bad):\n        raise ValueError\n"
            "return super().find_class(module, name)",
            "BAD = ['os', 'subprocess']",
            DENY_LIST,
        ),
        # prefixes and patterns
        (
            "if module.startswith(('numpy', 'pandas')):\n"
            "    return super().find_class(module, name)\n"
            "raise ValueError",
            "",
            PREFIX,
        ),
        (
            "if re.match(r'numpy\\.', module):\n"
            "    return super().find_class(module, name)\n"
            "raise ValueError",
            "",
            PREFIX,
        ),
        ("if module[:5] == 'numpy':\n    return super().find_class(module, name)\nraise ValueError", "", PREFIX),
        (
            "if module.partition('.')[0] in {'numpy'}:\n"
            "    return super().find_class(module, name)\n"
            "raise ValueError",
            "",
            PREFIX,
        ),
        (
            "import fnmatch\n"
            "if fnmatch.fnmatch(module, 'numpy.*'):\n"
            "    return super().find_class(module, name)\n"
            "raise ValueError",
            "",
            PREFIX,
        ),
        (
            "if module in SAFE_PAIRS or 'torch' in module:\n    return super().find_class(module, name)\n"
            "raise ValueError",
            "",
            PREFIX,
        ),
        (
            "root = module.split('.')[0]\nif root not in {'numpy'}:\n    raise ValueError\n"
            "return super().find_class(module, name)",
            "",
            PREFIX,
        ),
    ],
)
def test_bypassable_bodies(body: str, extra: str, problem: str):
    grade = grade_body(body, extra)
    assert not grade.sound
    assert grade.problem is not None and problem in grade.problem, grade.problem


# --- sound bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, extra",
    [
        (
            "if (module, name) in SAFE_PAIRS:\n"
            "    return super().find_class(module, name)\n"
            "raise pickle.UnpicklingError(name)",
            "",
        ),
        (
            "if (module, name) not in SAFE_PAIRS:\n"
            "    raise pickle.UnpicklingError(name)\n"
            "return super().find_class(module, name)",
            "",
        ),
        ("assert (module, name) in SAFE_PAIRS\nreturn super().find_class(module, name)", ""),
        ("if module == 'builtins' and name in SAFE_BUILTINS:\n    return getattr(builtins, name)\nraise KeyError", ""),
        ("if module == 'collections' and name == 'OrderedDict':\n    return collections.OrderedDict\nreturn None", ""),
        (
            "if f'{module}.{name}' in OK:\n"
            "    return super().find_class(module, name)\n"
            "raise KeyError",
            "OK = ['a.b.C', 'x.Y']",
        ),
        (
            "if name in OK.get(module, ()):\n"
            "    return super().find_class(module, name)",
            "OK = {'decimal': ['Decimal']}",
        ),
        (
            "if name not in OK.get(module, set()):\n"
            "    raise KeyError\n"
            "return super().find_class(module, name)",
            "OK = {'decimal': ('Decimal',)}",
        ),
        (
            "allowed = OK.get(module)\n"
            "if allowed is None or name not in allowed:\n"
            "    raise KeyError\n"
            "return super().find_class(module, name)",
            "OK = {'decimal': {'Decimal'}}",
        ),
        (
            "if module not in OK:\n"
            "    raise KeyError\n"
            "if name not in OK[module]:\n"
            "    raise KeyError\n"
            "return super().find_class(module, name)",
            "OK = dict(decimal={'Decimal'})",
        ),
        ("return OK[(module, name)]", "OK = {('collections', 'OrderedDict'): collections.OrderedDict}"),
        ("return OK.get(name)", "class Point:\n    pass\nOK = {'Point': Point}"),
        ("key = (module, name)\nif key in SAFE_PAIRS:\n    return pickle.Unpickler.find_class(self, *key)", ""),
        ("key = (module, name)\nif key in SAFE_PAIRS:\n    return pickle.Unpickler.find_class(self, module, name)", ""),
        (
            "for m, n in SAFE_PAIRS:\n"
            "    pass\n"
            "if (module, name) in SAFE_PAIRS:\n"
            "    return super().find_class(module, name)",
            "",
        ),
        (
            "if (module, name) in OK:\n"
            "    return super().find_class(module, name)",
            "OK = frozenset(SAFE_PAIRS | {('decimal', 'Decimal')})",
        ),
        (
            "if (module, name) in OK:\n"
            "    return super().find_class(module, name)",
            "OK = (*SAFE_PAIRS, ('decimal', 'Decimal'))",
        ),
        (
            "if (module, name) in OK - {('os', 'system')}:\n"
            "    return super().find_class(module, name)",
            "OK = {('decimal', 'Decimal'), ('os', 'system')}",
        ),
        ("if name in SAFE_BUILTINS:\n    return getattr(builtins, name)\nraise KeyError", ""),
        (
            "if self.strict and (module, name) in SAFE_PAIRS:\n"
            "    return super().find_class(module, name)\n"
            "raise KeyError",
            "",
        ),
        (
            "if not module or not name:\n"
            "    raise KeyError\n"
            "if (module, name) in SAFE_PAIRS:\n"
            "    return super().find_class(module, name)\n"
            "raise KeyError",
            "",
        ),
    ],
)
def test_sound_bodies(body: str, extra: str):
    grade = grade_body(body, extra)
    assert grade.problem is None
    if "*key" in body:
        assert not grade.sound  # a starred argument is not read
    else:
        assert grade.sound


@pytest.mark.parametrize(
    "body, extra",
    [
        # a helper decides; a registry filled at run time; an imported list; a mutated constant
        ("self.check(module, name)\nreturn super().find_class(module, name)", ""),
        ("ok = self.policy.allows(module, name)\nreturn super().find_class(module, name)", ""),
        ("if (module, name) in self.allowed:\n    return super().find_class(module, name)\nraise KeyError", ""),
        (
            "if (module, name) in OK:\n"
            "    return super().find_class(module, name)\n"
            "raise KeyError",
            "from policy import OK",
        ),
        (
            "if (module, name) in OK:\n"
            "    return super().find_class(module, name)\n"
            "raise KeyError",
            "OK = {('a', 'B')}\n"
            "OK.add(('os', 'system'))",
        ),
        (
            "if (module, name) in OK:\n"
            "    return super().find_class(module, name)\n"
            "raise KeyError",
            "OK = {('a', 'B')}\n"
            "if sys.argv:\n"
            "    OK = set()",
        ),
        # harmless whole modules, or names from any module: silent, not trusted
        ("if module in ('collections', 'decimal'):\n    return super().find_class(module, name)\nraise KeyError", ""),
        ("if name in ('OrderedDict', 'Decimal'):\n    return super().find_class(module, name)\nraise KeyError", ""),
        (
            "if module.startswith('myapp.') and name in {'Config'}:\n"
            "    return super().find_class(module, name)\n"
            "raise KeyError",
            "",
        ),
        # renaming shims
        ("module = RENAMED.get(module, module)\nreturn super().find_class(module, name)", "RENAMED = {'a': 'b'}"),
        ("if module == 'pathlib._local':\n    module = 'pathlib'\nreturn super().find_class(module, name)", ""),
        # whatever cannot be read
        ("return self.lookup(module, name)", ""),
        ("mod, _, cls = something()\nreturn super().find_class(mod, cls)", ""),
        ("return super().find_class(*(module, name))", ""),
        ("if module in self.MODS:\n    return super().find_class(module, name)", ""),
        ("if '%s.%s' % (module, name) in D:\n    return super().find_class(module, name)", "D = []"),
        ("if isinstance(module, str):\n    return super().find_class(module, name)\nraise KeyError", ""),
    ],
)
def test_silent_but_not_trusted(body: str, extra: str):
    grade = grade_body(body, extra)
    assert grade.problem is None
    assert not grade.sound


def test_class_attributes_self_cls_and_class_name():
    for owner in ("self", "type(self)", "self.__class__", "U"):
        source = (
            PREAMBLE
            + "class U(pickle.Unpickler):\n"
            + "    OK = SAFE_PAIRS | {('decimal', 'Decimal')}\n"
            + "    def find_class(self, module, name):\n"
            + f"        if (module, name) in {owner}.OK:\n"
            + "            return super().find_class(module, name)\n"
            + "        raise KeyError(name)\n"
        )
        grade = grades(source)["U"]
        assert grade.sound and grade.problem is None, owner
    bad = PREAMBLE + textwrap.dedent(
        """
        class U(pickle.Unpickler):
            OK = ['posix']
            @classmethod
            def find_class(cls, module, name):
                if module in cls.OK:
                    return getattr(sys.modules[module], name)
                raise KeyError
        """
    )
    assert grades(bad)["U"].problem == "admits code-execution global posix.* (whole module)"


def test_class_attribute_set_on_instances_is_not_read():
    source = (
        PREAMBLE
        + "class U(pickle.Unpickler):\n"
        + "    OK = SAFE_PAIRS\n"
        + "    def __init__(self, f, ok):\n"
        + "        super().__init__(f)\n"
        + "        self.OK = ok\n"
        + "    def find_class(self, module, name):\n"
        + "        if (module, name) in self.OK:\n"
        + "            return super().find_class(module, name)\n"
        + "        raise KeyError(name)\n"
    )
    grade = grades(source)["U"]
    assert grade.problem is None and not grade.sound


def test_constants_defined_after_the_class_are_read():
    source = PREAMBLE + (
        "class U(pickle.Unpickler):\n"
        "    def find_class(self, module, name):\n"
        "        if module in LATER:\n"
        "            return super().find_class(module, name)\n"
        "        raise KeyError\n"
        "LATER = {'subprocess'}\n"
    )
    assert grades(source)["U"].problem == "admits code-execution global subprocess.* (whole module)"


def test_staticmethod_and_renamed_parameters():
    grade = grade_body(
        "if (m, n) in SAFE_PAIRS:\n    return pickle.Unpickler.find_class(None, m, n)\nraise KeyError",
        decorator="@staticmethod",
        params="m, n",
    )
    assert grade.sound
    grade = grade_body("if mod == 'os':\n    return super().find_class(mod, nm)", params="me, mod, nm")
    assert grade.problem == "admits code-execution global os.* (whole module)"


def test_if_elif_else_and_early_returns():
    body = """
    if module == "collections":
        if name == "OrderedDict":
            return collections.OrderedDict
        elif name == "deque":
            return collections.deque
        else:
            raise KeyError(name)
    elif module == "builtins" and name in SAFE_BUILTINS:
        return getattr(builtins, name)
    raise KeyError(module)
    """
    assert grade_body(body).sound
    assert grade_body(body.replace('name == "deque"', 'name == "deque" or True')).sound
    risky = body.replace("name in SAFE_BUILTINS", "name")
    assert grade_body(risky).problem == "admits code-execution global builtins.* (whole module)"


def test_loops_with_break_and_else():
    body = """
    for allowed_module, allowed_name in SAFE_PAIRS:
        if module == allowed_module:
            break
    else:
        raise KeyError(module)
    return super().find_class(module, name)
    """
    grade = grade_body(body)
    assert grade.problem is None and not grade.sound  # the unpacked loop target is not followed
    body = """
    while True:
        if (module, name) in SAFE_PAIRS:
            return super().find_class(module, name)
        break
    raise KeyError(module)
    """
    assert grade_body(body).sound


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_match_statements():
    body = """
    match (module, name):
        case ("collections", "OrderedDict") | ("decimal", "Decimal"):
            return super().find_class(module, name)
        case _:
            raise pickle.UnpicklingError(name)
    """
    assert grade_body(body).sound
    deny = """
    match module:
        case "os" | "subprocess":
            raise pickle.UnpicklingError(name)
    return super().find_class(module, name)
    """
    assert grade_body(deny).problem == DENY_LIST
    opaque = """
    match module:
        case str(x) if x:
            return super().find_class(module, name)
    raise KeyError
    """
    grade = grade_body(opaque)
    assert grade.problem is None and not grade.sound


# --- inheritance and trust ---------------------------------------------------------------------


INHERITANCE = PREAMBLE + """
try:
    import cPickle as compat
except ImportError:
    import pickle as compat
from pickle import Unpickler as BaseUnpickler

class Strict(compat.Unpickler):
    OK = SAFE_PAIRS

    def find_class(self, module, name):
        if (module, name) in self.OK:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(name)

class Inherits(Strict):
    pass

class InheritsTwice(Inherits):
    pass

class WidensTheList(Strict):
    OK = SAFE_PAIRS | {("os", "system")}

class LogsThenDelegates(Strict):
    def find_class(self, module, name):
        log.info("%s", module)
        return super().find_class(module, name)

class Plain(BaseUnpickler):
    pass

class Loose(Plain):
    def find_class(self, module, name):
        return super().find_class(module, name)

class LooseChild(Loose):
    def find_class(self, module, name):
        return super().find_class(module, name)

class NotAnUnpickler:
    def find_class(self, module, name):
        return getattr(sys.modules[module], name)

def factory():
    class Local(Strict):
        pass
    return Local
"""


def test_inheritance_grades_and_trust():
    checks, resolver, findings = run(INHERITANCE)
    graded = {g.cls.name: g for g in checks.grade_all(resolver)}
    assert set(graded) == {"Strict", "LogsThenDelegates", "Loose", "LooseChild"}
    assert graded["LogsThenDelegates"].problem is None  # its parent restricts
    assert graded["Loose"].problem == RESTRICTS_NOTHING_PARENT
    assert graded["LooseChild"].problem is None  # reported once, at Loose
    assert [f.line for f in findings] == [graded["Loose"].method.lineno]  # type: ignore[union-attr]
    sound = sorted(c.name for c in checks.sound_unpickler_classes(resolver))
    assert sound == ["Inherits", "InheritsTwice", "Local", "LogsThenDelegates", "Strict"]


def test_loads_through_sound_unpickler():
    source = INHERITANCE + "strict = Strict(None)\nplain = Plain(None)\neither = strict if sys.argv else plain\n"
    checks, resolver, _ = run(source)
    receiver = {name: resolver.symbols_of(ast.Name(id=name, ctx=ast.Load())) for name in ("strict", "plain", "either")}
    assert all(isinstance(s, LocalInstance) for s in receiver["strict"])
    sound = checks.sound(resolver)
    assert sound.admit(receiver["strict"])
    assert not sound.admit(receiver["plain"])
    assert not sound.admit(receiver["either"])
    assert not sound.admit(frozenset({"pickle.Unpickler()"}))
    assert not sound.admit(frozenset())


def test_a_second_walk_asks_the_first_walks_grades():
    """The provenance walk has symbols of its own; the grades are the first walk's, by class node."""
    tree = ast.parse(textwrap.dedent(INHERITANCE + "strict = Strict(None)\nplain = Plain(None)\n"))
    checks = FindClassChecks(lambda finding: None)
    first = Resolver(tree, [checks])
    first.run()
    sound = checks.sound(first)
    second = Resolver(tree, [])  # the same tree, walked again: new symbols, the same nodes
    second.run()

    def symbols(resolver: Resolver, name: str):
        return resolver.symbols_of(ast.Name(id=name, ctx=ast.Load()))

    assert symbols(second, "strict") != symbols(first, "strict")
    assert sound.admit(symbols(second, "strict"))
    assert not sound.admit(symbols(second, "plain"))
    other = Resolver(ast.parse(textwrap.dedent(INHERITANCE + "strict = Strict(None)\n")), [])
    other.run()
    assert not sound.admit(symbols(other, "strict"))  # another tree of the same text shares nothing


def test_grading_on_demand_matches_the_module_end_report():
    checks, resolver, findings = run(INHERITANCE)
    before = checks.sound_unpickler_classes(resolver)
    checks.on_module_end(resolver)  # a second call reports nothing twice
    assert checks.sound_unpickler_classes(resolver) == before
    assert len(findings) == 1


# --- odd code never breaks the grading ---------------------------------------------------------


ODD_FORMS = [
    "find_class = staticmethod(lambda module, name: None)",
    "find_class = lambda self, module, name: super().find_class(module, name)",
    "async def find_class(self, module, name):\n        return super().find_class(module, name)",
    "def find_class(self, *args):\n        return super().find_class(*args)",
    "def find_class(self, module):\n        return module",
    "def find_class(self, module, name, /, *, extra=None):\n        return super().find_class(module, name)",
    "if sys.argv:\n        def find_class(self, module, name):\n            return super().find_class(module, name)",
    "from elsewhere import find_class",
    "def find_class(self, module, name):\n        def inner():\n"
    "            return super().find_class(module, name)\n        return inner()",
    "def find_class(self, module, name):\n        class Inner:\n            pass\n"
    "        global SAFE_PAIRS\n        del name\n        return Inner",
    "def find_class(self, module, name):\n        with open(module) as f, open(name) as g:\n            return f",
    "def find_class(self, module, name):\n        yield super().find_class(module, name)",
    "def find_class(self, module, name):\n        module += 'x'\n        return super().find_class(module, name)",
    "def find_class(self, module, name):\n        return (lambda: super().find_class(module, name))()",
    "def find_class(self, module, name):\n        if (x := module) in SAFE_PAIRS:\n"
    "            return super().find_class(x, name)\n        raise KeyError",
    "def find_class(self, module, name):\n        [m for m in SAFE_PAIRS if m == module]\n"
    "        return getattr(type(self).__class__.__class__, name)",
    "def find_class(self, module, name):\n        if module in {**{}, 'a': 1}:\n"
    "            return super().find_class(module, name)\n        raise KeyError",
    "def find_class(self, module, name):\n        if module == {1: 2}:\n"
    "            return super().find_class(module, name)\n        raise KeyError",
    "def find_class(self, module, name):\n        if module in [[1], [2]]:\n"
    "            return super().find_class(module, name)\n        raise KeyError",
    "def find_class(self, module, name):\n        if (module, name) in {x for x in SAFE_PAIRS}:\n"
    "            return super().find_class(module, name)\n        raise KeyError",
    "def find_class(self, module, name):\n        try:\n            pass\n        finally:\n"
    "            return super().find_class(module, name)",
]


@pytest.mark.parametrize("form", ODD_FORMS)
def test_odd_find_class_forms_never_crash(form: str):
    source = PREAMBLE + "class U(pickle.Unpickler):\n    " + form + "\n"
    checks, resolver, findings = run(source)
    assert all(f.code == "PKL104" for f in findings)
    checks.sound_unpickler_classes(resolver)


def test_pathological_sizes_stay_bounded():
    many_elifs = "\n".join(
        f"        {'if' if i == 0 else 'elif'} module == 'm{i}' and name == 'n{i}':\n            return C{i}"
        for i in range(400)
    )
    deep = "".join("    " * (i + 2) + f"if module != 'm{i}':\n" for i in range(60))
    deep += "    " * 62 + "return super().find_class(module, name)\n"
    long_expression = " + ".join(["module"] * 500)
    alternatives = " or ".join(f"module == 'm{i}'" for i in range(100))
    sequential_ors = "".join(
        f"        if not (module == 'a{i}' or name == 'b{i}'):\n            raise KeyError\n" for i in range(20)
    )
    header = PREAMBLE + "class U(pickle.Unpickler):\n    def find_class(self, module, name):\n"
    delegate = "        return super().find_class(module, name)\n"
    sources = [
        header + many_elifs + "\n        raise KeyError\n",
        header + deep,
        header + f"        return super().find_class({long_expression}, name)\n",
        header + f"        if {alternatives}:\n    " + delegate + "        raise KeyError\n",
        header + sequential_ors + "        return super().find_class(module, name)\n",
    ]
    for source in sources:
        checks, resolver, findings = run(source)
        checks.sound_unpickler_classes(resolver)
        assert all(f.code == "PKL104" for f in findings)


def test_long_inheritance_chain():
    method = "    def find_class(self, module, name):\n"
    delegate = "        return super().find_class(module, name)\n"
    check = "        if (module, name) in SAFE_PAIRS:\n    " + delegate + "        raise KeyError\n"
    lines = [PREAMBLE, "class C0(pickle.Unpickler):\n" + method + check]
    for i in range(1, 300):
        lines.append(f"class C{i}(C{i - 1}):\n" + method + delegate)
    checks, resolver, findings = run("\n".join(lines))
    assert findings == []
    assert len(checks.sound_unpickler_classes(resolver)) == 300


# --- the fixtures' statement-string runners really run a command ---------------------------------

BYPASSABLE = Path(__file__).parent / "fixtures" / "unpicklers" / "bypassable.py"


def _fixture_code(path: Path, names: Tuple[str, ...]) -> str:
    """The source of the top-level classes and constants of a fixture named ``names``, in file order."""
    source = path.read_text(encoding="utf-8")
    parts = []
    for node in ast.parse(source).body:
        bound = [node.name] if isinstance(node, ast.ClassDef) else []
        if isinstance(node, ast.Assign):
            bound = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if set(bound) & set(names):
            parts.append(ast.get_source_segment(source, node))
    assert len(parts) == len(names), names
    return "\n\n".join(parts)


def _text(value: str) -> bytes:
    """A pickle BINUNICODE opcode pushing ``value``."""
    data = value.encode("utf-8")
    return b"X" + struct.pack("<I", len(data)) + data


def _call_payload(module: str, name: str, *args: str) -> bytes:
    """Opcodes that call ``module.name(*args)``: GLOBAL goes through find_class, REDUCE calls it."""
    return (
        b"c" + module.encode() + b"\n" + name.encode() + b"\n" + b"(" + b"".join(_text(a) for a in args) + b"tR."
    )


@pytest.mark.skipif(os.name != "posix", reason="the payload's command is a POSIX shell command")
@pytest.mark.parametrize(
    "cls, constants",
    [("TimeitPairUnpickler", ("BENCHMARK_PAIRS",)), ("TimeitEqualityUnpickler", ())],
)
def test_admitted_timeit_runs_a_shell_command(cls: str, constants: Tuple[str, ...], tmp_path: Path):
    """PKL104's claim, executed: the flagged unpicklers reject os.system yet run a command through timeit.

    ``timeit.timeit(stmt, setup)`` compiles and runs ``setup`` once, so the
    payload needs no other global; the command only writes a file in tmp_path.
    """
    blocked = _call_payload("os", "system", "echo blocked > marker")
    # stmt "pass" runs timeit's default million times, a few milliseconds
    gadget = _call_payload("timeit", "timeit", "pass", "__import__('os').system('echo ran > marker')")
    script = "\n".join(
        [
            "import io, pickle, sys",
            _fixture_code(BYPASSABLE, constants + (cls,)),
            "try:",
            f"    {cls}(io.BytesIO({blocked!r})).load()",
            "except pickle.UnpicklingError:",
            "    pass",
            "else:",
            "    sys.exit('os.system was admitted')",
            f"{cls}(io.BytesIO({gadget!r})).load()",
        ]
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "marker").read_text().strip() == "ran"
