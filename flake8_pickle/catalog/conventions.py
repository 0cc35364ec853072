"""Library conventions the engine and the class rules recognise by qualified name.

Not loaders, sources or resources, but names whose meaning a rule relies on: what makes
a class a field class, which calls never return, which contexts expect an exception,
which bases carry no pickling protocol, which resources the fixer may recreate.
"""

from __future__ import annotations

from typing import FrozenSet

from .names import PICKLE_MODULES

# ---------------------------------------------------------------- name resolution (scope.py)
#: Loader modules a name no scope binds is taken to be, as bandit does: a snippet, or a star
#: import (``from compat import *``) that brought the module in. Only full module names, not
#: conventional aliases (``np``, ``pd``), which are conventions rather than names a module binds.
UNBOUND_MODULES = frozenset(module for module in PICKLE_MODULES if "." not in module) | {
    "joblib", "marshal", "shelve", "jsonpickle", "yaml", "torch", "numpy", "pandas",
}
#: Wrapping a callable in one of these leaves the same function to call
#: (``loads = staticmethod(pickle.loads)`` in a class body).
METHOD_WRAPPERS = frozenset({"builtins.staticmethod", "builtins.classmethod"})
#: Calls that return the module (or, for the ``import_string`` helpers, the object) their first
#: argument names by its dotted path.
IMPORTS_BY_NAME = frozenset({
    "importlib.import_module", "pytest.importorskip", "_pytest.outcomes.importorskip",
    "django.utils.module_loading.import_string", "werkzeug.utils.import_string", "werkzeug.import_string",
    "pydoc.locate",
})
#: ``__import__("a.b")``: the top-level package ``a``, or ``a.b`` itself with a non-empty fromlist.
IMPORTS_BY_DUNDER = frozenset({"builtins.__import__", "importlib.__import__"})
#: ``getattr(obj, "name")`` and ``sys.modules.get("name")``: resolved through their literal argument.
LOOKUPS_BY_NAME = frozenset({"builtins.getattr", "sys.modules.get"})
#: Every callee whose result the resolver reads from its arguments (the four tables above).
#: Iterators that give their argument again and again (``pool.map(work, repeat(conn), items)``).
REPEATERS = frozenset({"itertools.repeat"})
SPECIAL_CALLEES = METHOD_WRAPPERS | IMPORTS_BY_NAME | IMPORTS_BY_DUNDER | LOOKUPS_BY_NAME | REPEATERS
#: Contexts whose body is meant to raise: what it copies or pickles is tested to fail.
EXPECTS_EXCEPTION = frozenset({"pytest.raises", "contextlib.suppress"})
#: Calls that never return: a check whose failing branch ends in one guards what follows.
NO_RETURN = frozenset(
    {
        "flask.abort",
        "werkzeug.exceptions.abort",
        "bottle.abort",
        "sys.exit",
        "builtins.exit",
        "builtins.quit",
        "os._exit",
        "os.abort",
    }
)
#: ``Optional[X]``, ``Union[X, Y]``, ``Annotated[X, ...]``: an annotation of X.
TYPING_WRAPPERS = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions")
    for name in ("Optional", "Union", "Annotated")
)

#: Generic containers an annotation may name, and which of its arguments is the element type: ``0``
#: for sequences and sets (``list[Client]``), ``1`` for mappings (``dict[str, Client]``, the values),
#: ``None`` for tuples (every argument but ``...``).
_SEQUENCES = ("List", "Set", "FrozenSet", "Deque", "Sequence", "MutableSequence", "Iterable", "Iterator",
              "Collection", "AbstractSet", "MutableSet", "Generator", "AsyncIterable", "AsyncIterator")
_MAPPINGS = ("Dict", "DefaultDict", "OrderedDict", "Mapping", "MutableMapping", "ChainMap")
CONTAINER_ANNOTATIONS = {
    **{f"{module}.{name}": 0 for module in ("typing", "typing_extensions", "collections.abc") for name in _SEQUENCES},
    **{f"{module}.{name}": 1 for module in ("typing", "typing_extensions", "collections.abc") for name in _MAPPINGS},
    **{f"builtins.{name}": 0 for name in ("list", "set", "frozenset")},
    "builtins.dict": 1,
    "collections.deque": 0,
    "collections.defaultdict": 1,
    "collections.OrderedDict": 1,
    "builtins.tuple": None,
    "typing.Tuple": None,
}
#: Calls that make an empty container a module may keep as a registry (``PLUGINS = dict()``, beside
#: the displays ``{}``, ``[]``, ``set()``), filled by a decorator or a registration function.
REGISTRY_CONTAINERS = frozenset({
    "builtins.dict", "builtins.list", "builtins.set", "collections.OrderedDict", "collections.defaultdict",
    "weakref.WeakValueDictionary",
})
#: Methods of a container whose result is one of its elements (``d.get(k)``), or the container's
#: elements again (``d.values()``, ``d.items()``: iterating them gives elements).
ELEMENT_METHODS = frozenset({"get", "pop", "setdefault", "popleft"})
ELEMENTS_METHODS = frozenset({"values", "items", "copy"})

# ---------------------------------------------------------------- classes (classes.py, protocol.py)
#: Decorators that make a class's annotated assignments instance fields.
FIELD_CLASS_DECORATORS = frozenset(
    {
        "dataclasses.dataclass",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attr.mutable",
        "attr.frozen",
        "attrs.define",
        "attrs.mutable",
        "attrs.frozen",
    }
)
#: Bases that do the same.
FIELD_CLASS_BASES = ("pydantic.BaseModel", "pydantic.main.BaseModel", "typing.NamedTuple")
#: Bases of classes whose instances are plain dicts: their annotations name keys, and a class body can
#: hold no pickling protocol, so no class-level finding (PKL301, PKL902) applies to them.
TYPED_DICT_BASES = frozenset({"typing.TypedDict", "typing_extensions.TypedDict"})
#: Field factories: ``x: Lock = field(default_factory=Lock)``.
FIELD_FACTORY_CALLS = frozenset(
    {"dataclasses.field", "attr.ib", "attr.attrib", "attr.field", "attrs.field", "pydantic.Field", "pydantic.fields.Field"}
)
#: The dataclass decorator, for the PKL301 fix (``fix/dataclass_fields.py``).
DATACLASS = "dataclasses.dataclass"
#: attrs class decorators, and whether each makes a slotted (or frozen) class by default.
ATTRS_DECORATORS = {
    "attr.s": {}, "attr.attrs": {}, "attr.define": {"slots": True}, "attr.mutable": {"slots": True},
    "attrs.define": {"slots": True}, "attrs.mutable": {"slots": True},
    "attr.frozen": {"slots": True, "frozen": True}, "attrs.frozen": {"slots": True, "frozen": True},
}
#: Field calls, and the keyword that excludes the field from ``==``.
FIELD_COMPARE_KEYWORDS = {
    "dataclasses.field": "compare", "attr.ib": "eq", "attr.attrib": "eq", "attr.field": "eq", "attrs.field": "eq",
}
#: attrs' ``default=attr.Factory(X)``.
FACTORY_WRAPPERS = frozenset({"attr.Factory", "attrs.Factory"})
#: Exception groups are built by ``__new__(message, exceptions)``; their args model differs.
GROUP_EXCEPTIONS = frozenset(("builtins.BaseExceptionGroup", "builtins.ExceptionGroup"))
#: Regex functions a ``__getattr__`` guard may test the name with, and the ``re.Pattern`` method each is.
REGEX_FUNCTIONS = {"re.match": "match", "re.fullmatch": "fullmatch", "re.search": "search"}

# ---------------------------------------------------------------- restricted unpicklers (unpicklers.py)
#: Builtin calls that make a literal collection, and the type it is read as.
COLLECTION_BUILDERS = {
    "builtins.frozenset": frozenset,
    "builtins.set": frozenset,
    "builtins.tuple": tuple,
    "builtins.list": tuple,
    "builtins.sorted": tuple,
}
#: Calls that wrap a mapping without changing what it holds.
MAPPING_WRAPPERS = frozenset({"builtins.dict", "types.MappingProxyType"})
#: Calls given the module or name that log, record or import, but never reject.
HARMLESS_CALLS = frozenset({"warnings.warn", "importlib.import_module", "sys.modules.get"})

# ---------------------------------------------------------------- the fixer (fix/)
#: A fresh instance is as good as the old one: recreate it.
RECREATE_SAFE: FrozenSet[str] = frozenset(
    {
        "threading.Lock",
        "threading.RLock",
        "threading.Condition",
        "threading.Semaphore",
        "threading.BoundedSemaphore",
        "threading.local",
        "_thread.allocate_lock",
        "_thread.RLock",
        "_thread._local",
        "asyncio.Lock",
        "asyncio.Condition",
        "asyncio.Semaphore",
        "asyncio.BoundedSemaphore",
        "asyncio.locks.Lock",
        "asyncio.locks.Condition",
        "asyncio.locks.Semaphore",
        "asyncio.locks.BoundedSemaphore",
        "weakref.WeakValueDictionary",
        "weakref.WeakKeyDictionary",
    }
)
#: A fresh instance works but starts empty or unset (items, a flag, a pool's threads): unsafe.
RECREATE_LOSES_STATE: FrozenSet[str] = frozenset(
    {
        "threading.Event",
        "threading.Barrier",
        "asyncio.Event",
        "asyncio.locks.Event",
        "asyncio.Queue",
        "asyncio.queues.Queue",
        "queue.Queue",
        "queue.SimpleQueue",
        "queue.LifoQueue",
        "queue.PriorityQueue",
        "_queue.SimpleQueue",
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.thread.ThreadPoolExecutor",
        "multiprocessing.pool.ThreadPool",
        "multiprocessing.dummy.Pool",
    }
)
#: Bases that add no pickling protocol of their own.
PROTOCOL_FREE_BASES = frozenset({"builtins.object", "abc.ABC", "typing.Generic"})
#: Bases known to define no ``__setstate__``, ``__reduce__`` or ``__reduce_ex__`` of their own.
STATE_FREE_BASES = PROTOCOL_FREE_BASES | {"builtins.dict", "builtins.list"}

#: Methods that store one argument in their receiver as an element, by the argument's position:
#: ``items.append(lock)``, ``pending.insert(0, sock)``.
STORING_METHODS = {"append": 0, "add": 0, "appendleft": 0, "put": 0, "put_nowait": 0, "insert": 1}
#: Methods that store the elements of their first argument in their receiver: ``items.extend(more)``.
STORING_ALL_METHODS = frozenset({"extend", "extendleft", "update"})
#: Method calls that store their arguments in the receiver (what provenance accumulates): the two
#: tables above, and writes into a buffer.
ACCUMULATING_METHODS = frozenset(STORING_METHODS) | STORING_ALL_METHODS | {"write", "writelines", "setdefault"}

#: Serializer modules whose module object, handed to a call, is handed with its loaders
#: (``URLSafeSerializer(key, serializer=pickle)``, ``Cache(serializer=dill)``): the callee loads
#: with it. ``pkl`` is the usual alias the walk's word check also looks at.
HANDED_MODULES = frozenset(module for module in PICKLE_MODULES if "." not in module) | {"marshal", "jsonpickle"}
HANDED_MODULE_ALIASES = frozenset({"pkl"})
#: Safe serializer modules handed the same way (``load_with(body, json)``): the walk records them, so
#: that a caller handing one is no caller of a load the function makes with ``pickle``.
SAFE_SERIALIZER_MODULES = frozenset({"json", "simplejson", "ujson", "orjson", "msgpack", "cbor2", "bson", "toml", "tomllib"})
#: Methods that take a module without loading with it (``monkeypatch.setattr(pickle, "loads", f)``,
#: ``mock.patch.object(pickle, ...)``, ``importlib.reload(pickle)``, ``inspect.getmembers(pickle)``).
NOT_LOADING_WITH_MODULE = frozenset({"setattr", "delattr", "object", "reload", "getmembers", "getfile", "ismodule", "getsourcefile"})
#: Callables that take a function without calling it: a loader handed to one of them loads nothing
#: (``callable(pickle.loads)``, ``functools.wraps(pickle.loads)``).
NOT_CALLING = frozenset(
    {
        "builtins.callable",
        "builtins.id",
        "builtins.repr",
        "builtins.str",
        "builtins.print",
        "builtins.hash",
        "builtins.type",
        "builtins.isinstance",
        "builtins.issubclass",
        "builtins.getattr",
        "builtins.hasattr",
        "builtins.setattr",
        "builtins.vars",
        "builtins.dir",
        # ``_loads = staticmethod(pickle.loads)``: a wrapper that calls nothing; a call of the
        # attribute is the call of the loader (an alias, as ``_loads = pickle.loads`` is).
        "builtins.staticmethod",
        "builtins.classmethod",
        "functools.wraps",
        "functools.update_wrapper",
        "typing.cast",
        "inspect.signature",
        "inspect.getsource",
        "inspect.getmodule",
        "inspect.isfunction",
        "inspect.isbuiltin",
    }
)

#: What a call of these gives is never a tuple (PKL306: the arguments of a ``__reduce__`` cannot be one
#: of them), with how a message names it.
NOT_TUPLE_RESULTS = {
    f"builtins.{name}()": name for name in ("str", "bytes", "int", "float", "bool", "dict", "list", "set", "frozenset", "bytearray")
}
#: Bases whose objects cannot be copied or pickled at all (a module object): no PKL308 on a subclass.
UNCOPYABLE_BASES = frozenset({"types.ModuleType"})
