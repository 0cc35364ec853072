"""Copy, dump and process hand-off tables (PKL201-PKL204): where an object gets copied or pickled.

Each call names the operation it performs on its arguments (:data:`DEEPCOPY`,
:data:`PICKLE`...), which the class model reads to know which protocol methods cover it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Tuple

from .names import BY_VALUE_MODULES, PICKLE_MODULES, names, with_fork_spellings

DEEPCOPY = "deepcopy"
PICKLE = "pickle"
COPY = "copy"
#: ``dataclasses.asdict``/``astuple``: deep-copies field values, ignoring the dataclass's own protocol.
ASDICT = "asdict"
#: Enum bases: a member copies (``copy.copy``, ``copy.deepcopy``) as itself, whatever its value holds
#: (pickling it pickles its value: ``Gate(value)``).
ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.Flag", "enum.IntFlag", "enum.StrEnum", "enum.ReprEnum"})
#: Pickling while spawning a ``Process``: multiprocessing's own locks, queues and values may travel.
SPAWN = "spawn"
#: Pickling by multiprocessing's own pickler into a pool, a queue or a pipe: sockets and pipe ends
#: travel (``catalog.resources.PROCESS_REDUCED_TYPES``), multiprocessing's locks do not.
PROCESS = "process"

__all__ = [
    "APPLIER_METHODS", "APPLIER_WORDS", "APPLIERS", "TASK_METHODS", "Applier", "ASDICT", "BY_VALUE_MODULES", "CONNECTIONS", "COPY", "DEEPCOPIES", "DEEPCOPY", "DUMPS", "PICKLE",
    "POOL_METHODS", "POOLS", "PROCESS", "PROCESSES", "QUEUES", "SINK_NAMES", "SPAWN", "WATCHED", "BY_VALUE_PROCESS_ROOTS",
    "MANAGERS", "SHARED_CONTAINERS", "SHARED_METHODS",
]

#: Libraries whose processes, pools and queues pickle what they send with dill (by value): a name
#: that may be one of theirs (``try: from multiprocess.pool import Pool`` / ``except ImportError:
#: from multiprocessing.pool import Pool``) may send lambdas and local functions fine.
BY_VALUE_PROCESS_ROOTS = frozenset({"multiprocess", "pathos", "dill"})

#: Copy functions and the operation each performs on its first argument.
DEEPCOPIES: Dict[str, str] = {
    "copy.deepcopy": DEEPCOPY,
    "copy.copy": COPY,
    "dataclasses.asdict": ASDICT,
    "dataclasses.astuple": ASDICT,
    "sklearn.base.clone": DEEPCOPY,
    "sklearn.clone": DEEPCOPY,
}
#: Functions that pickle their first argument (dill's and cloudpickle's by value: see ``BY_VALUE_MODULES``).
DUMPS: FrozenSet[str] = frozenset(names(PICKLE_MODULES, ("dump", "dumps"))) | {
    "joblib.dump",
    "torch.save",
    "multiprocessing.reduction.ForkingPickler.dumps",
}
POOLS: Tuple[str, ...] = with_fork_spellings(
    (
        "multiprocessing.Pool()",
        "multiprocessing.pool.Pool()",
        "multiprocessing.get_context().Pool()",
        "concurrent.futures.ProcessPoolExecutor()",
        "concurrent.futures.process.ProcessPoolExecutor()",
    )
) + (
    # pebble's process pools and aiomultiprocess's pool pickle the function and its arguments too.
    "pebble.ProcessPool()", "pebble.pool.ProcessPool()", "pebble.pool.process.ProcessPool()",
    "aiomultiprocess.Pool()", "aiomultiprocess.pool.Pool()",
)
#: method -> (position of the function, positions of iterables, positions of argument tuples, all-rest)
POOL_METHODS: Dict[str, Tuple[int, Tuple[int, ...], Tuple[int, ...], bool]] = {
    "map": (0, (1,), (), False),
    "map_async": (0, (1,), (), False),
    "imap": (0, (1,), (), False),
    "imap_unordered": (0, (1,), (), False),
    "starmap": (0, (1,), (), False),
    "starmap_async": (0, (1,), (), False),
    "apply": (0, (), (1,), False),
    "apply_async": (0, (), (1,), False),
    "submit": (0, (), (), True),
    "schedule": (0, (), (), False),  # pebble: ``schedule(function, args=(...), kwargs={...})``
}
#: A manager process's server: what its proxies are given is pickled and sent to it.
MANAGERS: Tuple[str, ...] = with_fork_spellings(
    ("multiprocessing.Manager()", "multiprocessing.managers.SyncManager()", "multiprocessing.get_context().Manager()")
)
QUEUES: Tuple[str, ...] = with_fork_spellings(
    (
        "multiprocessing.Queue()",
        "multiprocessing.SimpleQueue()",
        "multiprocessing.JoinableQueue()",
        "multiprocessing.get_context().Queue()",
        "multiprocessing.get_context().SimpleQueue()",
    )
) + tuple(f"{manager}.{queue}()" for manager in MANAGERS for queue in ("Queue", "JoinableQueue"))
#: A manager's ``dict()`` and ``list()`` proxies: the methods that send a value (its position) to the manager.
SHARED_CONTAINERS: Tuple[str, ...] = tuple(f"{manager}.{kind}()" for manager in MANAGERS for kind in ("dict", "list"))
SHARED_METHODS: Dict[str, int] = {"append": 0, "insert": 1, "setdefault": 1, "__setitem__": 1}
CONNECTIONS: Tuple[str, ...] = with_fork_spellings(
    (
        "multiprocessing.Pipe()",
        "multiprocessing.connection.Pipe()",
        "multiprocessing.get_context().Pipe()",
        "multiprocessing.connection.Client()",
        "multiprocessing.connection.Client(authkey)",
        "multiprocessing.connection.Listener().accept()",
        "multiprocessing.connection.Listener(authkey).accept()",
    )
)
#: (A fork context's ``Process`` is not here: it pickles nothing when started.)
PROCESSES: FrozenSet[str] = frozenset(
    {"multiprocessing.Process", "multiprocessing.context.Process", "multiprocessing.get_context().Process"}
)
#: The shelf types: ``shelf[key] = value`` pickles the value.
SHELVES: FrozenSet[str] = frozenset({"shelve.open", "shelve.Shelf", "shelve.DbfilenameShelf", "shelve.BsdDbShelf"})

#: Every qualified name a PKL2xx call site resolves, method receivers included (the pre-check reads it).
SINK_NAMES: FrozenSet[str] = frozenset(set(DEEPCOPIES) | DUMPS | PROCESSES | set(POOLS + QUEUES + CONNECTIONS + MANAGERS) | SHELVES)

#: Every callee name the PKL2xx call-site check acts on: a call resolving to none of them is passed by.
WATCHED: FrozenSet[str] = frozenset(
    set(DEEPCOPIES) | DUMPS | PROCESSES
    | {pool[:-2] for pool in POOLS}  # the pool itself: its workers' initializer and initargs
    | {f"{pool}.{method}" for pool in POOLS for method in POOL_METHODS}
    | {f"{queue}.{method}" for queue in QUEUES for method in ("put", "put_nowait")}
    | {f"{connection}.send" for connection in CONNECTIONS}
    | {f"{container}.{method}" for container in SHARED_CONTAINERS for method in SHARED_METHODS}
)

#: Calls the copy checks read besides the hand-offs: ``setattr`` (it may export a local class
#: under its name) and the start method (``set_start_method("fork")`` pickles nothing).
COPY_SIDE_CALLS: FrozenSet[str] = frozenset(("builtins.setattr", "multiprocessing.set_start_method"))


@dataclass(frozen=True)
class Applier:
    """A call that calls a function it is given with arguments it is given: in a thread, a process,
    an event loop, or over an iterable's elements. The analysis reads ``submit(pickle.loads, body)``
    as the call ``pickle.loads(body)`` (see ``Resolver.applied_call``).

    ``function``: the position and keyword of the function (position -1: the receiver of the
    method, ``process.delay(blob)``). Then one of: ``rest``, the position
    from which the positional arguments are the function's (``submit(fn, *args, **kwargs)``, with
    ``keywords`` whether the keywords are passed on too); ``elements``, the position from which each
    argument is an iterable whose elements are the function's positional arguments (``map(fn,
    xs, ys)``); ``packed``/``packed_keywords``, the position and keyword of a tuple of its positional
    arguments and a dict of its keywords (``Thread(target=fn, args=(x,), kwargs={})``)."""

    function: Tuple[int, str]
    rest: Optional[int] = None
    keywords: bool = False
    elements: Optional[int] = None
    packed: Optional[Tuple[Optional[int], str]] = None
    packed_keywords: Optional[Tuple[Optional[int], str]] = None
    #: Read only when it passes the function a positional argument: ``functools.partial(f)`` and
    #: ``partial(torch.load, weights_only=True)`` bind no input, and the later call of what they
    #: return is the call that reads one (graded as that call, with the bound keywords put in).
    binds: bool = False


_SUBMIT = Applier((0, "fn"), rest=1, keywords=True)
_MAP = Applier((0, "func"), elements=1)
_APPLY = Applier((0, "func"), packed=(1, "args"), packed_keywords=(2, "kwds"))
_TARGET = Applier((1, "target"), packed=(3, "args"), packed_keywords=(4, "kwargs"))
_IN_EXECUTOR = Applier((1, "func"), rest=2)
_CALLBACK = Applier((0, "callback"), rest=1)
_LATER = Applier((1, "callback"), rest=2)
_SCHEDULED = Applier((2, "action"), packed=(3, "argument"), packed_keywords=(4, "kwargs"))
_THREAD_RUN = Applier((0, "func"), rest=1)

_EVENT_LOOPS = (
    "asyncio.get_event_loop()",
    "asyncio.get_running_loop()",
    "asyncio.new_event_loop()",
    "asyncio.AbstractEventLoop()",
    "asyncio.events.AbstractEventLoop()",
    "asyncio.BaseEventLoop()",
    "asyncio.base_events.BaseEventLoop()",
)
_EXECUTORS = (
    "concurrent.futures.Executor()",
    "concurrent.futures.ThreadPoolExecutor()",
    "concurrent.futures.thread.ThreadPoolExecutor()",
    "concurrent.futures.ProcessPoolExecutor()",
    "concurrent.futures.process.ProcessPoolExecutor()",
    "distributed.Client()",
    "dask.distributed.Client()",
)
_POOLS_ANY = POOLS + ("multiprocessing.pool.ThreadPool()", "multiprocessing.dummy.Pool()")
_PROCESS_CLASSES = tuple(sorted(PROCESSES)) + ("threading.Thread",)

#: Every applier by qualified name.
APPLIERS: Dict[str, Applier] = {
    "builtins.map": Applier((0, "function"), elements=1),
    "builtins.filter": Applier((0, "function"), elements=1),
    "itertools.starmap": Applier((0, "function"), elements=1),
    "asyncio.to_thread": Applier((0, "func"), rest=1, keywords=True),
    "anyio.to_thread.run_sync": _THREAD_RUN,
    "trio.to_thread.run_sync": _THREAD_RUN,
    "starlette.concurrency.run_in_threadpool": Applier((0, "func"), rest=1, keywords=True),
    "fastapi.concurrency.run_in_threadpool": Applier((0, "func"), rest=1, keywords=True),
    "contextvars.copy_context().run": Applier((0, "callable"), rest=1, keywords=True),
    "contextvars.Context().run": Applier((0, "callable"), rest=1, keywords=True),
    "atexit.register": Applier((0, "func"), rest=1, keywords=True),
    # The decoder calls ``object_hook`` with each object it decodes from the text (keyword-only: the
    # position never matches): parts of what it was given (nni's websocket commands, probe C).
    **{f"{module}.{name}": Applier((1, "object_hook"), rest=0) for module in ("json", "simplejson") for name in ("loads", "load")},
    # The call of a partial happens later, with these arguments first: read here, where they are.
    "functools.partial": Applier((0, "func"), rest=1, keywords=True, binds=True),
    # Task queues: the job runs in a worker with the arguments the queue carried.
    "fastapi.BackgroundTasks().add_task": Applier((0, "func"), rest=1, keywords=True),
    "starlette.background.BackgroundTasks().add_task": Applier((0, "func"), rest=1, keywords=True),
    "rq.Queue().enqueue": Applier((0, "f"), rest=1, keywords=True),
    "rq.queue.Queue().enqueue": Applier((0, "f"), rest=1, keywords=True),
    "rq.Queue().enqueue_call": Applier((0, "func"), packed=(1, "args"), packed_keywords=(2, "kwargs")),
    "rq.queue.Queue().enqueue_call": Applier((0, "func"), packed=(1, "args"), packed_keywords=(2, "kwargs")),
    "threading.Timer": Applier((1, "function"), packed=(2, "args"), packed_keywords=(3, "kwargs")),
    "sched.scheduler().enter": _SCHEDULED,
    "sched.scheduler().enterabs": _SCHEDULED,
    **{cls: _TARGET for cls in _PROCESS_CLASSES},
    **{f"{loop}.run_in_executor": _IN_EXECUTOR for loop in _EVENT_LOOPS},
    **{f"{loop}.{method}": _CALLBACK for loop in _EVENT_LOOPS for method in ("call_soon", "call_soon_threadsafe")},
    **{f"{loop}.{method}": _LATER for loop in _EVENT_LOOPS for method in ("call_later", "call_at")},
    **{f"{executor}.submit": _SUBMIT for executor in _EXECUTORS},
    **{f"{executor}.map": _MAP for executor in _EXECUTORS},
    **{f"{pool}.{method}": _MAP for pool in _POOLS_ANY for method in ("map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async")},
    **{f"{pool}.{method}": _APPLY for pool in _POOLS_ANY for method in ("apply", "apply_async")},
}
#: Methods that are appliers on a receiver the analysis cannot name (an ``executor`` parameter):
#: their names are the executors', event loops' and pools' own.
APPLIER_METHODS: Dict[str, Applier] = {
    "run_in_executor": _IN_EXECUTOR,
    "submit": _SUBMIT,
    "apply_async": _APPLY,
    "map_async": _MAP,
    "imap_unordered": _MAP,
    "starmap_async": _MAP,
    "call_soon_threadsafe": _CALLBACK,
    "run_in_threadpool": Applier((0, "func"), rest=1, keywords=True),
    "add_task": Applier((0, "func"), rest=1, keywords=True),
    "enqueue": Applier((0, "f"), rest=1, keywords=True),
}
#: Methods of a task (a function a task queue wraps) that run it in a worker with their arguments:
#: Celery's ``process.delay(blob)``, ``process.apply_async((blob,))`` and ``process.s(blob)``, Dramatiq's
#: ``process.send(blob)``. Read when the receiver is a function of the module or a name imported
#: from outside the standard library.
TASK_METHODS: Dict[str, Applier] = {
    "delay": Applier((-1, ""), rest=0, keywords=True),
    # A Celery signature (``process.s(body)``) runs the task with those arguments when it is applied.
    "s": Applier((-1, ""), rest=0, keywords=True),
    "si": Applier((-1, ""), rest=0, keywords=True),
    "apply_async": Applier((-1, ""), packed=(0, "args"), packed_keywords=(1, "kwargs")),
    "send": Applier((-1, ""), rest=0, keywords=True),
    "send_with_options": Applier((-1, ""), packed=(None, "args"), packed_keywords=(None, "kwargs")),
}
#: The last word of every applier's name: a call spelling none of them is no applier.
APPLIER_WORDS: FrozenSet[str] = (
    frozenset(name.rpartition(".")[2] for name in APPLIERS) | frozenset(APPLIER_METHODS) | frozenset(TASK_METHODS)
)
