"""What is known about one resource type: the record the generated ``resource_table`` holds.

``resource_table.py`` is generated from measurements (``scripts/gen_resource_catalog.py``);
this module defines the record and its vocabulary, so that the rules and the generator
share one spelling of every value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

#: Outcomes of one operation, as the oracle and the probe record them.
OK = "ok"
FAIL = "fail"
#: ``pickle.dumps`` succeeded but ``pickle.loads`` of its output raised.
LOADS_FAIL = "loads_fail"
#: The object could not be built where it was measured (see the evidence).
NOT_MEASURED = "not_measured"

#: Errors multiprocessing raises only when an object is pickled outside the spawning of a process
#: (measured: a lock, a queue and a ``Process`` passed in ``Process(args=...)`` arrive in the child
#: under spawn; ``tests/fixtures/runtime/pkl203_processes.py``).
SPAWNING_ONLY_ERRORS = (
    "should only be shared between processes through inheritance",
    "Pickling an AuthenticationString object is disallowed",
)

#: Types multiprocessing's own pickler (``ForkingPickler``, which pools, queues, pipes and
#: ``Process(args=...)`` use) reduces by duplicating the descriptor: a socket or a ``Pipe()`` end held
#: by an object sent to a process arrives in the child (measured under fork and spawn through
#: ``Pool.map``, ``ProcessPoolExecutor.map``, ``Queue.put`` and ``Process(args=...)``: the runtime
#: fixture ``tests/fixtures/runtime/pkl203_processes.py``). Plain ``pickle.dumps`` still fails.
PROCESS_REDUCED_TYPES = frozenset({"socket.socket", "multiprocessing.connection.Connection"})

#: Fails ``copy.deepcopy`` (and, unless the facts say otherwise, pickle): locks, sockets, files...
KIND_RESOURCE = "resource"
#: Fails pickle but deep-copies: lambdas, local functions and classes, weakrefs...
KIND_PICKLE_ONLY = "pickle-only"
#: Fails only at pickle protocol 0, or only in some runtime state (see ``condition``).
KIND_PROTOCOL_DEPENDENT = "protocol-dependent"
KINDS = (KIND_RESOURCE, KIND_PICKLE_ONLY, KIND_PROTOCOL_DEPENDENT)

#: The failure holds for every value the constructor returns.
ALWAYS = ""
#: Fails only when built from a failing argument (``defaultdict(lambda: 0)``, not ``defaultdict(list)``).
ARGUMENT = "argument"
#: Fails only in some runtime state (an asyncio lock bound to a loop, a connected SSH client).
STATE = "state"
#: Fails only at pickle protocol 0 (or 1); the default protocol round-trips.
PROTOCOL = "protocol"
CONDITIONS = (ALWAYS, ARGUMENT, STATE, PROTOCOL)


@dataclass(frozen=True)
class ResourceFacts:
    """Measured pickle, deepcopy and copy outcomes of the value a constructor returns.

    Outcomes are ``"ok"``, ``"fail"``, ``"loads_fail"`` or ``"not_measured"``. When one
    constructor was measured in several variants, each outcome is the worst one
    (``fail`` over ``loads_fail`` over ``ok``) and ``note`` says which variant differs.
    """

    #: Qualified name of the measured type(s), ``" | "``-separated when variants differ.
    type_name: str
    #: ``pickle.dumps`` then ``pickle.loads`` at the default protocol (4 on CPython 3.11).
    pickle: str
    #: The same at protocol 0; ``None`` where not every variant was measured at protocol 0.
    pickle_p0: Optional[str]
    deepcopy: str
    copy: str
    #: ``copy.copy`` fails too: a C-level object (socket, file, sqlite3 connection...).
    copy_fails: bool
    #: The message of the first failing operation (pickle, protocol 0, deepcopy, copy).
    error: str
    #: One of :data:`KINDS`.
    kind: str
    #: One of :data:`CONDITIONS`: when the failure holds.
    condition: str
    #: The measured rows behind these facts: ``"oracle: <object>"`` or ``"probe: <package> <version>: <object>"``.
    evidence: Tuple[str, ...]
    note: str = ""

    @property
    def pickle_fails(self) -> bool:
        """Pickling at the default protocol raises (at dump or at load), or could not be measured."""
        return self.pickle != OK

    @property
    def travels_when_spawning(self) -> bool:
        """Pickling fails only outside the spawning of a process: multiprocessing's locks, queues
        and values ("should only be shared between processes through inheritance"), a ``Process``
        object (its ``AuthenticationString`` key), which ``Process(args=...)`` carries, and the
        sockets and pipe ends multiprocessing's pickler duplicates (``PROCESS_REDUCED_TYPES``)."""
        return any(marker in self.error for marker in SPAWNING_ONLY_ERRORS) or self.reduced_for_processes

    @property
    def reduced_for_processes(self) -> bool:
        """multiprocessing's pickler sends it (see ``PROCESS_REDUCED_TYPES``)."""
        # ``socket.socketpair()``: a tuple of two sockets, each sent as one is.
        names = [name.strip() for name in self.type_name.split("|") if name.strip() != "builtins.tuple"]
        return bool(names) and all(name in PROCESS_REDUCED_TYPES for name in names)

    @property
    def deepcopy_fails(self) -> bool:
        """``copy.deepcopy`` raises, or could not be measured."""
        return self.deepcopy != OK
