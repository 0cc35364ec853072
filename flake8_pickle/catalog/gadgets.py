"""Code-execution gadgets (PKL104, PKL307): the globals that run code when a pickle names them.

One table for the two rules that ask "does this global run code?": PKL307 (a
``__reduce__`` returns it) and PKL104 (a restricted ``find_class`` admits it).
Every set the two rules read is derived below, so they cannot disagree again.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, NamedTuple, Set, Tuple

from .names import PICKLE_MODULES

#: Called with strings, it runs code or a program: a payload gadget for both rules.
RUNS_CODE = "runs code"
#: Runs nothing itself but hands a payload what does (an attribute walk, a namespace,
#: a nested unpickler, partial application). Only PKL104: a ``__reduce__`` returning
#: one is ordinary (``enum`` returns ``getattr``, ``functools.partial`` pickles so).
REACHES_CODE = "reaches code"
#: Every global of the module and of its submodules is a way in: only PKL104, for
#: which admitting any name of it is enough (``os.stat_result`` is harmless to return).
WHOLE_MODULE = "whole module"

#: The modules the ``builtins`` rows live in, in Python 3 and Python 2 spelling.
BUILTINS_MODULES = frozenset({"builtins", "__builtin__"})


class Gadget(NamedTuple):
    """One row of :data:`CODE_EXECUTION_GADGETS`: ``module.name`` for each name, and why.

    ``names`` is empty for a :data:`WHOLE_MODULE` row. The names of a ``builtins``
    row are gadgets under *any* module name for PKL104: modules re-export builtins
    (``io.open``), and an allow-list of bare names lets the pickle pick the module.
    """

    module: str
    names: Tuple[str, ...]
    why: str
    kind: str = RUNS_CODE


_PICKLE_LOADER_NAMES = ("load", "loads", "_load", "_loads", "Unpickler", "_Unpickler")

#: The code-execution globals of the standard library and the pickle family.
CODE_EXECUTION_GADGETS: Tuple[Gadget, ...] = (
    # called with strings, they run code or a program
    Gadget("builtins", ("eval", "exec"), "evaluates a string as Python"),
    Gadget("builtins", ("compile",), "compiles a string to a code object"),
    Gadget("builtins", ("__import__",), "imports (runs) an arbitrary module"),
    Gadget("builtins", ("execfile",), "executes a Python file (Python 2)"),
    Gadget("os", ("system", "popen"), "runs a shell command"),
    Gadget(
        "os",
        ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe"),
        "replaces the process with a program",
    ),
    Gadget(
        "os",
        ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe"),
        "starts a program",
    ),
    Gadget("os", ("posix_spawn", "posix_spawnp", "startfile"), "starts a program"),
    Gadget("posix", ("system", "popen", "execv", "execve", "posix_spawn", "posix_spawnp"), "runs a program"),
    Gadget("nt", ("system", "popen", "execv", "execve", "startfile", "spawnv", "spawnve"), "runs a program"),
    Gadget(
        "subprocess",
        ("call", "run", "Popen", "check_output", "check_call", "getoutput", "getstatusoutput"),
        "runs a program",
    ),
    Gadget("pty", ("spawn",), "runs a program on a pseudo-terminal"),
    Gadget("runpy", ("run_path", "run_module"), "runs a Python file or module"),
    Gadget("timeit", ("timeit", "repeat"), "executes a statement string (its setup runs once)"),
    Gadget("cProfile", ("run", "runctx"), "executes a statement string"),
    Gadget("profile", ("run", "runctx"), "executes a statement string"),
    Gadget("pdb", ("run", "runeval", "runctx"), "executes a statement string under the debugger"),
    Gadget("code", ("interact",), "starts an interactive interpreter"),
    # they hand the payload what runs code
    Gadget("builtins", ("getattr",), "walks from an admitted object to the modules it holds", REACHES_CODE),
    Gadget("builtins", ("setattr",), "rewrites an attribute of any admitted object", REACHES_CODE),
    Gadget("builtins", ("globals", "vars"), "hands over a namespace to read and rewrite", REACHES_CODE),
    Gadget("builtins", ("open",), "reads or overwrites any file", REACHES_CODE),
    Gadget("builtins", ("input",), "reads stdin (Python 2: and evaluates it)", REACHES_CODE),
    Gadget("builtins", ("breakpoint",), "starts the debugger that PYTHONBREAKPOINT names", REACHES_CODE),
    Gadget("builtins", ("apply",), "calls any callable (Python 2)", REACHES_CODE),
    Gadget("importlib", ("import_module",), "imports any module", REACHES_CODE),
    Gadget("functools", ("partial", "partialmethod"), "binds arguments to any callable", REACHES_CODE),
    Gadget("operator", ("attrgetter", "methodcaller"), "reads attributes or calls methods by name", REACHES_CODE),
    Gadget("_operator", ("attrgetter", "methodcaller"), "reads attributes or calls methods by name", REACHES_CODE),
    *(
        Gadget(module, _PICKLE_LOADER_NAMES, "a nested unpickler loads the rest unrestricted", REACHES_CODE)
        for module in PICKLE_MODULES
    ),
    # any global of these modules is a way in
    Gadget("os", (), "runs programs, rewrites files and the environment", WHOLE_MODULE),
    Gadget("posix", (), "runs programs (the POSIX half of os)", WHOLE_MODULE),
    Gadget("nt", (), "runs programs (the Windows half of os)", WHOLE_MODULE),
    Gadget("subprocess", (), "runs programs", WHOLE_MODULE),
    Gadget("sys", (), "reaches every loaded module through sys.modules", WHOLE_MODULE),
    Gadget("importlib", (), "imports and loads any module or file", WHOLE_MODULE),
    Gadget("shutil", (), "moves, removes and overwrites files; runs archive tools", WHOLE_MODULE),
    Gadget("pty", (), "runs programs on a pseudo-terminal", WHOLE_MODULE),
    Gadget("socket", (), "opens network connections and file descriptors", WHOLE_MODULE),
    Gadget("runpy", (), "runs Python files and modules", WHOLE_MODULE),
    Gadget("code", (), "compiles and runs Python source", WHOLE_MODULE),
    Gadget("codeop", (), "compiles Python source", WHOLE_MODULE),
    Gadget("ctypes", (), "calls any C function", WHOLE_MODULE),
    Gadget("types", (), "builds functions from code objects", WHOLE_MODULE),
)


def _gadget_names(kinds: Iterable[str]) -> Tuple[str, ...]:
    wanted = frozenset(kinds)
    return tuple(f"{g.module}.{n}" for g in CODE_EXECUTION_GADGETS if g.kind in wanted for n in g.names)


def _gadgets_by_module() -> Dict[str, FrozenSet[str]]:
    by_module: Dict[str, Set[str]] = {}
    for gadget in CODE_EXECUTION_GADGETS:
        modules = BUILTINS_MODULES if gadget.module == "builtins" else (gadget.module,)
        for module in modules:
            by_module.setdefault(module, set()).update(gadget.names)
    return {module: frozenset(names) for module, names in by_module.items()}


def _gadget_homes() -> Dict[str, str]:
    homes: Dict[str, str] = {}
    for qualified in _gadget_names((RUNS_CODE, REACHES_CODE)):
        homes.setdefault(qualified.rpartition(".")[2], qualified)
    return homes


#: PKL307: the callables a ``__reduce__`` must not return (qualified names).
CODE_EXECUTION_CALLABLES: FrozenSet[str] = frozenset(_gadget_names((RUNS_CODE,)))
#: PKL104: modules any of whose globals (or their submodules' globals) is a gadget.
CODE_EXECUTION_MODULES: FrozenSet[str] = frozenset(
    g.module for g in CODE_EXECUTION_GADGETS if g.kind == WHOLE_MODULE
)
#: PKL104: names that are gadgets whatever module the pickle names (the ``builtins`` rows).
CODE_EXECUTION_NAMES: FrozenSet[str] = frozenset(
    n for g in CODE_EXECUTION_GADGETS if g.module == "builtins" for n in g.names
)
#: PKL104: module -> its named gadgets (``__builtin__`` shares the ``builtins`` rows).
GADGETS_BY_MODULE: Dict[str, FrozenSet[str]] = _gadgets_by_module()
#: PKL104 messages: where a gadget name taken from an unchecked module lives (first row wins).
GADGET_HOMES: Dict[str, str] = _gadget_homes()
