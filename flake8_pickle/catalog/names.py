"""The shared vocabulary of the catalogue: module families several tables spell out.

Every table of dotted names lives in this package (a test keeps it so); a family of
modules that more than one table needs is written here once.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Tuple


def names(modules: Iterable[str], attrs: Iterable[str]) -> Tuple[str, ...]:
    """``module.attr`` for every module and attribute, modules first."""
    attrs = tuple(attrs)
    return tuple(f"{m}.{a}" for m in modules for a in attrs)


#: The modules with pickle's own ``load``/``loads``/``dump``/``dumps``/``Unpickler`` API.
PICKLE_MODULES: Tuple[str, ...] = (
    "pickle", "_pickle", "cPickle", "pickle5", "cloudpickle", "dill", "dill._dill",
    # six's and future's Python 2 compatibility names for pickle (petastorm: ``from six.moves import cPickle``).
    "six.moves.cPickle", "future.moves.pickle",
    # zodbpickle (ZODB, ZEO): a fork of pickle, its ``pickle`` module the C one or the pure-Python one.
    "zodbpickle.pickle", "zodbpickle.fastpickle", "zodbpickle.slowpickle",
)
#: The standard pickle module under its other spellings (one loader, however a module imports it).
STDLIB_PICKLE_SPELLINGS: Tuple[str, ...] = ("pickle", "_pickle", "cPickle", "pickle5", "six.moves.cPickle", "future.moves.pickle")


def library_of(qualified: str) -> str:
    """The library a loader's qualified name belongs to: ``pickle`` for every spelling of the
    standard module, else the top-level package (``dill._dill.loads``: ``dill``)."""
    for spelling in STDLIB_PICKLE_SPELLINGS:
        if qualified.startswith(spelling + "."):
            return "pickle"
    return qualified.split(".", 1)[0]


#: The library classes whose subclasses PKL104 grades (cloudpickle has no Unpickler of its own).
UNPICKLER_BASES: FrozenSet[str] = frozenset(names((m for m in PICKLE_MODULES if m != "cloudpickle"), ("Unpickler",))) | {
    "pickle._Unpickler"
}
#: Of those, the ones that serialise lambdas and local functions by value (PKL204 does not apply).
BY_VALUE_MODULES: Tuple[str, ...] = ("dill", "dill._dill", "cloudpickle")
#: What turns an object into pickle bytes.
PICKLE_DUMPS: FrozenSet[str] = frozenset(names(PICKLE_MODULES, ("dumps", "_dumps"))) | {
    "multiprocessing.reduction.ForkingPickler.dumps"
}

#: pyzmq and its green (gevent, eventlet) spellings.
ZMQ_MODULES: Tuple[str, ...] = ("zmq", "zmq.asyncio", "zmq.green", "eventlet.green.zmq")
ZMQ_CONTEXTS: Tuple[str, ...] = tuple(
    f"{module}.Context{suffix}" for module in ZMQ_MODULES for suffix in ("()", ".instance()")
)

#: ``multiprocessing.get_context()`` and its ``"fork"`` variant: a process of a fork context
#: pickles nothing when started; its pools, queues and pipes pickle all the same.
MP_CONTEXT = "multiprocessing.get_context()"
FORK_CONTEXT = "multiprocessing.get_context(fork)"


def unforked(name: str) -> str:
    """``name`` with a fork context spelled as any context (what its objects are, measured)."""
    return MP_CONTEXT + name[len(FORK_CONTEXT) :] if name.startswith(FORK_CONTEXT) else name


def with_fork_spellings(names: Tuple[str, ...]) -> Tuple[str, ...]:
    """``names`` and, for each made by a context, the same made by a fork context."""
    return names + tuple(FORK_CONTEXT + n[len(MP_CONTEXT) :] for n in names if n.startswith(MP_CONTEXT))


_QUALIFIED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\(\))?(\.[A-Za-z_][A-Za-z0-9_]*(\(\))?)*$")


def is_qualified_name(text: str) -> bool:
    """Whether ``text`` is a dotted name such as ``pkg.mod.func`` or ``pkg.Reader().read``."""
    return bool(_QUALIFIED.match(text))
