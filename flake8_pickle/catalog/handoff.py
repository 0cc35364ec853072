"""Copy, dump and process hand-off tables (PKL201-PKL204): where an object gets copied or pickled.

Each call names the operation it performs on its arguments (:data:`DEEPCOPY`,
:data:`PICKLE`...), which the class model reads to know which protocol methods cover it.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

from .names import BY_VALUE_MODULES, PICKLE_MODULES, names, with_fork_spellings

DEEPCOPY = "deepcopy"
PICKLE = "pickle"
COPY = "copy"
#: ``dataclasses.asdict``/``astuple``: deep-copies field values, ignoring the dataclass's own protocol.
ASDICT = "asdict"
#: Pickling while spawning a ``Process``: multiprocessing's own locks, queues and values may travel.
SPAWN = "spawn"

__all__ = [
    "ASDICT", "BY_VALUE_MODULES", "CONNECTIONS", "COPY", "DEEPCOPIES", "DEEPCOPY", "DUMPS", "PICKLE",
    "POOL_METHODS", "POOLS", "PROCESSES", "QUEUES", "SINK_NAMES", "SPAWN", "WATCHED",
]

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
}
QUEUES: Tuple[str, ...] = with_fork_spellings(
    (
        "multiprocessing.Queue()",
        "multiprocessing.SimpleQueue()",
        "multiprocessing.JoinableQueue()",
        "multiprocessing.get_context().Queue()",
        "multiprocessing.get_context().SimpleQueue()",
    )
)
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
SINK_NAMES: FrozenSet[str] = frozenset(set(DEEPCOPIES) | DUMPS | PROCESSES | set(POOLS + QUEUES + CONNECTIONS) | SHELVES)

#: Every callee name the PKL2xx call-site check acts on: a call resolving to none of them is passed by.
WATCHED: FrozenSet[str] = frozenset(
    set(DEEPCOPIES) | DUMPS | PROCESSES
    | {f"{pool}.{method}" for pool in POOLS for method in POOL_METHODS}
    | {f"{queue}.{method}" for queue in QUEUES for method in ("put", "put_nowait")}
    | {f"{connection}.send" for connection in CONNECTIONS}
)

#: Calls the copy checks read besides the hand-offs: ``setattr`` (it may export a local class
#: under its name) and the start method (``set_start_method("fork")`` pickles nothing).
COPY_SIDE_CALLS: FrozenSet[str] = frozenset(("builtins.setattr", "multiprocessing.set_start_method"))
