"""The one registry of flake8-pickle codes.

Every code the plugin can report lives here, once. Messages, the rule
documentation pages (``docs/rules/PKLnnn.md``), the README code table and the
off-by-default list handed to flake8 are all derived from this module; a test
keeps them equal. Regenerate the pages with ``python -m flake8_pickle.docs``.

The prose fields are Markdown. Runtime errors quoted in them were measured on
CPython 3.11 (``shared/oracle/table.md``); newer versions word some differently.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Dict, Tuple

IMPLEMENTED = "implemented"
PLANNED = "planned"

FIX_NONE = "none"
FIX_SAFE = "safe"
FIX_UNSAFE = "unsafe"
FIX_MIXED = "safe or unsafe"


@dataclass(frozen=True)
class Rule:
    """One reportable code and everything said about it."""

    code: str
    name: str
    message: str
    family: str
    summary: str
    default_enabled: bool = True
    fix_safety: str = FIX_NONE
    status: str = PLANNED
    what_it_does: str = ""
    why_bad: str = ""
    known_problems: str = ""
    example: str = ""
    use_instead: str = ""
    options: Tuple[str, ...] = ()
    fix_notes: str = ""
    references: Tuple[str, ...] = field(default_factory=tuple)

    def format(self, **values: object) -> str:
        """Return the flake8 message text: the code, then the filled template."""
        return f"{self.code} {self.message.format(**values)}"


def _text(block: str) -> str:
    """Dedent a triple-quoted prose or code block and drop its outer blank lines."""
    return textwrap.dedent(block).strip("\n")


FAMILY_SECURITY = "untrusted data to a loader (security, CWE-502)"
FAMILY_RESOURCES = "copying or pickling resources (runtime crash)"
FAMILY_PROTOCOL = "class pickling protocol (runtime crash or data loss)"
FAMILY_INVENTORY = "inventory (off by default)"

_PICKLE_DOCS = "https://docs.python.org/3/library/pickle.html"
_CWE_502 = "https://cwe.mitre.org/data/definitions/502.html"
_COPY_DOCS = "https://docs.python.org/3/library/copy.html"
_COPYREG_DOCS = "https://docs.python.org/3/library/copyreg.html"
_PICKLE_INSTANCES = "https://docs.python.org/3/library/pickle.html#pickling-class-instances"
_PICKLE_WHAT = "https://docs.python.org/3/library/pickle.html#what-can-be-pickled-and-unpickled"
_PICKLE_STATEFUL = "https://docs.python.org/3/library/pickle.html#handling-stateful-objects"
_MP_GUIDELINES = "https://docs.python.org/3/library/multiprocessing.html#multiprocessing-programming"
_NVD = "https://nvd.nist.gov/vuln/detail/"

# How a loader call becomes code execution; shared by the PKL1xx pages.
_REDUCE_MECHANICS = _text(
    """
    Unpickling is not parsing: a pickle is a program for a small stack machine, and
    loading it runs that program. The `GLOBAL`/`STACK_GLOBAL` opcodes import any
    `module.name` the stream asks for, and `REDUCE` calls the callable on the stack with
    an argument tuple taken from the stream. A few bytes naming `os.system` and a command
    string (exactly what `pickle.dumps` writes for an object whose `__reduce__` returns
    `(os.system, ("id",))`) run that command inside `loads`, before it returns, with the
    privileges of the loading process. Checking the type of the result afterwards is too
    late. The rest of the family inherits this: `torch.load`, `joblib.load`,
    `pandas.read_pickle`, `dill`, `shelve` and `numpy.load(allow_pickle=True)` unpickle,
    `jsonpickle.decode` rebuilds arbitrary classes, `yaml.load` without a safe `Loader`
    builds arbitrary Python objects, and `marshal` loads code objects. This is CWE-502,
    deserialization of untrusted data.
    """
)

_LOADER_FIX_NOTES = _text(
    """
    `flake8-pickle fix --unsafe-fixes PATH` rewrites the loader calls that have a safe
    variant: `torch.load(...)` gets `weights_only=True`, `yaml.load(...)` becomes
    `yaml.safe_load(...)`, and `allow_pickle=True` is dropped from `numpy.load(...)`.
    `pickle`, `dill`, `joblib`, `shelve` and the other loaders have no drop-in safe twin
    and are left for a person to change (a data-only format such as JSON, or a signature
    check before the load). The rewrites are unsafe because data that really contains
    pickled objects now raises an error instead of loading.
    """
)

_RULES = (
    Rule(
        code="PKL101",
        name="untrusted-data-to-loader",
        message="untrusted data from {source} (line {source_line}){hops} reaches {loader}{chain}",
        family=FAMILY_SECURITY,
        summary="Untrusted data reaches a pickle-family loader",
        fix_safety=FIX_UNSAFE,
        status=IMPLEMENTED,
        options=(
            "pickle-untrusted-sources",
            "pickle-trusted-sources",
            "pickle-sanitizers",
            "pickle-extra-loaders",
        ),
        what_it_does=_text(
            """
            Finds calls to a pickle-family loader (`pickle.loads`, `torch.load`,
            `yaml.load`, `joblib.load`, `pandas.read_pickle`, `dill`, `shelve`,
            `jsonpickle`, `marshal` and the rest of the catalogue) whose input is traced,
            within the module, to data an outside party controls: an HTTP request body,
            form, header or cookie, a gRPC request message, a socket, a message-queue
            payload, `sys.stdin`. Data is followed through assignments, containers,
            accumulators filled in loops (`chunks.append(...)`, `buf.extend(...)`,
            `b"".join(chunks)`), loop back edges, instance attributes and properties of
            the module's classes, generators (`yield`, `yield from`, `async for`) and the
            module's own helpers. A call nothing is known about returns what its receiver
            and its arguments carry, so no method of a literal launders the data. The
            message names the source and its line, then each generator, helper and
            attribute the data passed through, and the call chain when the load sits in a
            helper.
            """
        ),
        why_bad=_REDUCE_MECHANICS
        + "\n\n"
        + _text(
            """
            Services have been taken over exactly this way. BentoML passed HTTP request
            bodies to `pickle.loads` (CVE-2024-2912). Meta's llama-stack unpickled what
            arrived on a ZeroMQ socket with `recv_pyobj` (CVE-2024-50050), and the same
            pattern turned up in vLLM's multi-node and Mooncake transports (CVE-2025-30165,
            CVE-2025-32444) and in SGLang's disaggregated-serving sockets. Loaders with an
            unsafe default bit their users too: `numpy.load` unpickled object arrays by
            default until NumPy 1.16.3 (CVE-2019-6446), and `yaml.load` built arbitrary
            objects by default before PyYAML 5.1 (CVE-2017-18342).
            """
        ),
        known_problems=_text(
            """
            The analysis is static and stays within one file. Data that reaches the loader
            through another module or a database loses its untrusted mark; such a load is
            reported as PKL102 (unknown origin), not silently trusted. The result of a call
            the analysis cannot resolve carries the facts of its receiver and arguments, so
            an unresolved decoder of request data is still PKL101; a verification helper
            it does not know is therefore not credited. Teach it the project's own request
            or message accessors with `--pickle-untrusted-sources` and its verification
            helpers with `--pickle-sanitizers`.

            `torch.load(..., weights_only=True)` is accepted as safe, but torch up to
            2.5.1 could still be made to run code through it (CVE-2025-32434): keep torch
            current.
            """
        ),
        example=_text(
            """
            import pickle

            from flask import Flask, request

            app = Flask(__name__)


            @app.route("/session", methods=["POST"])
            def restore_session():
                state = pickle.loads(request.get_data())
                return {"user": state["user"]}
            """
        ),
        use_instead=_text(
            """
            import json

            from flask import Flask, request

            app = Flask(__name__)


            @app.route("/session", methods=["POST"])
            def restore_session():
                state = json.loads(request.get_data())
                return {"user": state["user"]}
            """
        ),
        fix_notes=_LOADER_FIX_NOTES,
        references=(
            _PICKLE_DOCS,
            _CWE_502,
            "https://pytorch.org/docs/stable/generated/torch.load.html",
            "https://numpy.org/doc/stable/reference/generated/numpy.load.html",
            "https://pyyaml.org/wiki/PyYAMLDocumentation",
            _NVD + "CVE-2024-2912",
            _NVD + "CVE-2024-50050",
            _NVD + "CVE-2025-32444",
            _NVD + "CVE-2019-6446",
            _NVD + "CVE-2025-32434",
        ),
    ),
    Rule(
        code="PKL102",
        name="loader-on-unknown-data",
        message="{loader} {subject} of unknown {aspect} ({argument})",
        family=FAMILY_SECURITY,
        summary="Pickle-family loader on data of unknown origin",
        status=IMPLEMENTED,
        fix_safety=FIX_UNSAFE,
        options=(
            "pickle-trusted-sources",
            "pickle-sanitizers",
            "pickle-extra-loaders",
        ),
        what_it_does=_text(
            """
            Finds pickle-family loader calls whose input can be traced neither to an
            untrusted source nor to a trusted one: a function parameter, a file at a
            computed or constant path, `sys.argv`, `os.environ`, a cache or database read
            (`redis.get`, memcache). Literal bytes, the output of `pickle.dumps` in the same
            scope, and data that passed an HMAC, signature or authenticated-decryption
            check before the load are not reported.

            The message says `on data of unknown origin`, naming the input, or, when what
            is unknown is the call's own safety switch (a `yaml.load` `Loader` that is
            neither a known safe nor a known unsafe loader: a parameter without a safe
            default, an imported class, `**kwargs`), `with a Loader of unknown safety`,
            naming that argument. Untrusted data is PKL101 in either case.
            """
        ),
        why_bad=_text(
            """
            Whoever can write the bytes can run code in the process that loads them (see
            below). When the origin is unknown, the safety of the call rests on every
            writer of that file, cache key or database column staying trustworthy for as
            long as the code lives.
            """
        )
        + "\n\n"
        + _REDUCE_MECHANICS
        + "\n\n"
        + _text(
            """
            "Only we write that cache" is the assumption that failed in Flask-Caching,
            which stored pickled entries in Redis, Memcached or the filesystem so that
            anyone able to write a cache entry got code executed by the next read
            (CVE-2021-33026), and in Apache Superset, which unpickled values read from its
            metadata database (CVE-2023-37941). Files are no different: a model checkpoint
            loaded with `torch.load` or `joblib.load`, an `.npy` file loaded with
            `allow_pickle=True` (NumPy's former default, CVE-2019-6446), a YAML file read
            with `yaml.load` (CVE-2017-18342).
            """
        ),
        known_problems=_text(
            """
            Many findings are loads of data the program wrote itself (a cache file, a
            checkpoint of its own training run). The checker cannot know who else can
            write that path or key. Review each one, then sign the data (`hmac`,
            `itsdangerous`, `cryptography.fernet`) and verify it before loading, switch to
            a data-only format (JSON, msgpack, safetensors), or mark the line
            `# noqa: PKL102`. Declare the project's own verified readers with
            `--pickle-trusted-sources` and its verification helpers with
            `--pickle-sanitizers`.
            """
        ),
        example=_text(
            """
            import pickle

            import torch


            def load_job(path):
                with open(path, "rb") as f:
                    return pickle.load(f)


            def load_checkpoint(path):
                return torch.load(path)
            """
        ),
        use_instead=_text(
            """
            import hashlib
            import hmac
            import pickle

            import torch


            def load_job(path, key):
                with open(path, "rb") as f:
                    blob = f.read()
                digest, payload = blob[:32], blob[32:]
                expected = hmac.new(key, payload, hashlib.sha256).digest()
                if not hmac.compare_digest(digest, expected):
                    raise ValueError(f"{path}: bad signature")
                return pickle.loads(payload)


            def load_checkpoint(path):
                return torch.load(path, weights_only=True)
            """
        ),
        fix_notes=_LOADER_FIX_NOTES,
        references=(
            _PICKLE_DOCS,
            _CWE_502,
            "https://docs.python.org/3/library/hmac.html",
            "https://pytorch.org/docs/stable/generated/torch.load.html",
            "https://numpy.org/doc/stable/reference/generated/numpy.load.html",
            "https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation",
            "https://joblib.readthedocs.io/en/stable/persistence.html",
            "https://pandas.pydata.org/docs/reference/api/pandas.read_pickle.html",
            _NVD + "CVE-2021-33026",
            _NVD + "CVE-2023-37941",
        ),
    ),
    Rule(
        code="PKL103",
        name="loader-on-unauthenticated-channel",
        message="{loader} unpickles what arrives on an unauthenticated channel ({channel})",
        family=FAMILY_SECURITY,
        summary="Loader on an unauthenticated network channel",
        status=IMPLEMENTED,
        what_it_does=_text(
            """
            Finds receive calls that unpickle whatever arrives on a network channel
            without authentication: `Connection.recv()` on a
            `multiprocessing.connection.Listener` or `Client` created without `authkey`,
            ZeroMQ `recv_pyobj()`, the `torch.distributed` object collectives
            (`broadcast_object_list`, `all_gather_object`, `gather_object`,
            `scatter_object_list`, `recv_object_list`) and torch_xla's
            `xm.mesh_reduce`. It also finds any loader fed the bytes a collective
            received from peers: `torch.distributed` `broadcast`, `recv`, `all_gather`
            and the other tensor collectives (the tensors they fill), and torch_xla's
            `rendezvous`, `all_gather`, `collective_broadcast` and `all_to_all`; the
            message then names the collective's line.
            """
        ),
        why_bad=_text(
            """
            These APIs call `pickle.loads` on every message, so anyone who can connect to
            the port can send a pickle whose `REDUCE` opcode calls `os.system` (or any
            other importable function) in the receiving process. There is no parsing step
            to harden and no type to check: the code runs during the receive.

            This is the pattern behind a run of remote-code-execution advisories in LLM
            serving stacks. Meta's llama-stack took requests with pyzmq `recv_pyobj`
            (CVE-2024-50050); the same code, copied between projects, turned up in vLLM's
            multi-node and Mooncake transports (CVE-2025-30165, CVE-2025-32444) and in
            SGLang. Binding to `127.0.0.1` narrows who can connect but authenticates no
            one: every local user, container neighbour or server-side request forgery can
            still reach the port.

            The Python documentation warns that `Connection.recv()` unpickles and
            provides `authkey` (an HMAC challenge-response) for exactly this; PyTorch
            documents that the object collectives use pickle implicitly and must only be
            used with trusted peers.
            """
        ),
        known_problems=_text(
            """
            `recv_pyobj()` is reported even on a ZeroMQ socket secured with CURVE: the
            checker does not follow socket options. An authenticated peer can still send
            a malicious pickle, so prefer `recv_json()` or `recv()` plus a data-only
            decoder; otherwise review and mark the line `# noqa: PKL103`.
            """
        ),
        example=_text(
            """
            from multiprocessing.connection import Listener

            import zmq

            with Listener(("0.0.0.0", 6000)) as listener:
                with listener.accept() as conn:
                    job = conn.recv()

            sock = zmq.Context().socket(zmq.PULL)
            sock.bind("tcp://*:5555")
            task = sock.recv_pyobj()
            """
        ),
        use_instead=_text(
            """
            import os
            from multiprocessing.connection import Listener

            import zmq

            authkey = os.environ["JOB_AUTHKEY"].encode()
            with Listener(("0.0.0.0", 6000), authkey=authkey) as listener:
                with listener.accept() as conn:
                    job = conn.recv()

            sock = zmq.Context().socket(zmq.PULL)
            sock.bind("tcp://*:5555")
            task = sock.recv_json()
            """
        ),
        references=(
            "https://docs.python.org/3/library/multiprocessing.html#multiprocessing-auth-keys",
            "https://docs.python.org/3/library/multiprocessing.html#module-multiprocessing.connection",
            "https://pyzmq.readthedocs.io/en/latest/api/zmq.html",
            "https://pytorch.org/docs/stable/distributed.html",
            _CWE_502,
            _NVD + "CVE-2024-50050",
            _NVD + "CVE-2025-30165",
            _NVD + "CVE-2025-32444",
        ),
    ),
    Rule(
        code="PKL104",
        name="permissive-find-class",
        message="Unpickler {cls}.find_class {problem}",
        family=FAMILY_SECURITY,
        summary="Restricted Unpickler whose find_class restricts nothing or admits code execution",
        status=IMPLEMENTED,
        what_it_does=_text(
            """
            Finds `pickle.Unpickler` subclasses whose `find_class` is meant to restrict
            what a pickle may import but does not: it hands every module and name to
            `super().find_class()`, or it admits a module or name that gives code
            execution on its own (`builtins` as a whole, `os`, `posix`, `subprocess`,
            `sys`, `importlib`, or `eval`, `exec`, `getattr`, `__import__`, or a runner
            of statement strings: `timeit.timeit`, `cProfile.run`, `profile.run`,
            `pdb.run`). The list of such callables is the one PKL307 uses for
            `__reduce__` gadgets.
            """
        ),
        why_bad=_text(
            """
            Overriding `find_class` is the defence the Python documentation describes
            under "Restricting Globals": every `GLOBAL`/`STACK_GLOBAL` opcode goes
            through it, so a strict allow-list of harmless classes keeps `REDUCE` from
            ever reaching a dangerous callable. The defence is exactly as good as the
            list. Admitting the whole `builtins` module admits `eval`, `exec` and
            `__import__`, so a payload calls `builtins.eval("__import__('os').system('id')")`
            and runs a command; admitting `getattr` lets it walk from any admitted object
            to a module that object imported; `sys.modules`, `importlib.import_module`,
            `subprocess` and `os.system` need no explanation. A `find_class` that logs and
            then delegates to `super()` restricts nothing while looking like a security
            control, which is worse than no subclass at all: reviewers stop looking.
            """
        ),
        known_problems=_text(
            """
            Only allow-lists written in the source can be judged: comparisons and `in`
            tests against literal sets, tuples or module-level constants. A `find_class`
            that consults a registry built at run time is not reported. Admitting
            individual harmless names from `builtins` (`set`, `frozenset`, `range`,
            `complex`, `slice`, as in the Python documentation's example) is the
            recommended pattern, not a finding.
            """
        ),
        example=_text(
            """
            import pickle


            class RestrictedUnpickler(pickle.Unpickler):
                def find_class(self, module, name):
                    if module in ("builtins", "collections"):
                        return super().find_class(module, name)
                    raise pickle.UnpicklingError(f"global {module}.{name} is forbidden")
            """
        ),
        use_instead=_text(
            """
            import pickle

            ALLOWED = frozenset({("collections", "OrderedDict"), ("datetime", "datetime")})


            class RestrictedUnpickler(pickle.Unpickler):
                def find_class(self, module, name):
                    if (module, name) in ALLOWED:
                        return super().find_class(module, name)
                    raise pickle.UnpicklingError(f"global {module}.{name} is forbidden")
            """
        ),
        references=(
            "https://docs.python.org/3/library/pickle.html#restricting-globals",
            "https://docs.python.org/3/library/pickle.html#pickle.Unpickler.find_class",
            _CWE_502,
        ),
    ),
    Rule(
        code="PKL201",
        name="deepcopy-of-resource",
        message="{operation} of {subject} that holds {resource}",
        family=FAMILY_RESOURCES,
        summary="Deep copy of an object that is or holds an OS-bound resource",
        status=IMPLEMENTED,
        options=("pickle-extra-resources",),
        what_it_does=_text(
            """
            Finds `copy.deepcopy`, and the calls that deep-copy under the hood
            (`dataclasses.asdict`/`astuple`, `sklearn.base.clone`, pydantic
            `model_copy(deep=True)`), applied to an object that is, or holds through
            attributes, containers or dataclass fields, a resource: a lock, thread,
            socket, open file, database connection, executor, logging handler, generator
            and the like. `copy.copy` is reported only for resources that cannot even be
            shallow-copied (a bare lock, socket, file or `sqlite3` connection).
            """
        ),
        why_bad=_text(
            """
            `copy.deepcopy` uses the object's `__deepcopy__` if it has one and otherwise
            falls back to the pickle protocol (`copyreg` and `__reduce_ex__(4)`), so what
            cannot be pickled usually cannot be deep-copied either, and the error talks
            about pickling although nothing is pickled. On CPython 3.11, deep-copying
            anything that holds:

            - a `threading.Lock` (also `Event`, `Condition`, `Semaphore`, `queue.Queue`,
              an unstarted `threading.Thread`, a `ThreadPoolExecutor`) raises
              `TypeError: cannot pickle '_thread.lock' object`;
            - an open text file raises `TypeError: cannot pickle '_io.TextIOWrapper' object`;
            - a `sqlite3` connection raises `TypeError: cannot pickle 'sqlite3.Connection' object`;
            - a socket raises `TypeError: cannot pickle 'socket' object`;
            - a `logging.StreamHandler` raises `TypeError: cannot pickle '_thread.RLock' object`;
            - a `multiprocessing.Pool` raises
              `NotImplementedError: pool objects cannot be passed between processes or pickled`;
            - a generator raises `TypeError: cannot pickle 'generator' object`.

            The crash comes at run time, often far from the cause: adding a lock to a
            config class breaks every `deepcopy` of it. Where a shallow `copy.copy` of a
            wrapper does succeed, the copy shares the very same lock or file with the
            original.
            """
        ),
        known_problems=_text(
            """
            Types come from constructor calls, annotations and `self`; an object returned
            by a third-party function has an unknown type and is not reported. Classes
            with their own `__deepcopy__`, `__getstate__` or `__reduce__` are trusted to
            handle their resources (PKL304 checks `__getstate__`). Declare the project's
            own resource types (a database client, a GPU context) with
            `--pickle-extra-resources`.
            """
        ),
        example=_text(
            """
            import copy
            import sqlite3

            config = {"name": "prod", "db": sqlite3.connect("app.db")}
            backup = copy.deepcopy(config)
            """
        ),
        use_instead=_text(
            """
            import copy
            import sqlite3

            config = {"name": "prod", "db_path": "app.db"}
            backup = copy.deepcopy(config)
            db = sqlite3.connect(config["db_path"])
            """
        ),
        references=(
            _COPY_DOCS,
            _COPYREG_DOCS,
            _PICKLE_WHAT,
            "https://docs.python.org/3/library/dataclasses.html#dataclasses.asdict",
            "https://scikit-learn.org/stable/modules/generated/sklearn.base.clone.html",
        ),
    ),
    Rule(
        code="PKL202",
        name="pickle-of-resource",
        message="{operation} of {subject} that holds {resource}",
        family=FAMILY_RESOURCES,
        summary="Pickle-family dump of an object that is or holds a resource",
        status=IMPLEMENTED,
        options=("pickle-extra-resources",),
        what_it_does=_text(
            """
            Finds pickle-family dumps (`pickle.dump`/`dumps`, `dill`, `cloudpickle`,
            `joblib.dump`, `torch.save`, assignment into a `shelve` shelf) of an object
            that is, or holds through attributes, containers or dataclass fields, a
            resource tied to the process or the operating system.
            """
        ),
        why_bad=_text(
            """
            Pickle can only write what it can rebuild in another process, so OS-bound
            state is refused. On CPython 3.11:

            - locks and everything built on them (`threading.Event`, `Condition`,
              `Semaphore`, `queue.Queue`, an unstarted `threading.Thread`, executors,
              `concurrent.futures.Future`): `TypeError: cannot pickle '_thread.lock' object`
              (or `'_thread.RLock'`);
            - open files: `TypeError: cannot pickle '_io.TextIOWrapper' object`,
              `'_io.BufferedReader'`, `'_io.BufferedRandom'`;
            - sockets and TLS contexts: `TypeError: cannot pickle 'socket' object`,
              `TypeError: cannot pickle 'SSLContext' object`;
            - `sqlite3` connections: `TypeError: cannot pickle 'sqlite3.Connection' object`;
            - `multiprocessing.Lock`:
              `RuntimeError: Lock objects should only be shared between processes through inheritance`.

            The dump fails at run time, usually on a path that runs rarely (saving a
            checkpoint, writing a cache, a shutdown hook), and when it writes to a file
            opened with `"wb"` it leaves that file empty or truncated. `torch.save` and
            `joblib.dump` pickle too; `cloudpickle` serializes lambdas but refuses the
            same resources.
            """
        ),
        known_problems=_text(
            """
            `dill` ships its own reducers for a few resource types (it recreates locks and
            can reopen files by name), so a finding on a `dill` dump of those may be a
            false alarm. Declare the project's own resource types with
            `--pickle-extra-resources`.
            """
        ),
        example=_text(
            """
            import pickle
            import threading

            state = {"items": [1, 2, 3], "lock": threading.Lock()}
            with open("state.pkl", "wb") as f:
                pickle.dump(state, f)
            """
        ),
        use_instead=_text(
            """
            import pickle
            import threading

            state = {"items": [1, 2, 3], "lock": threading.Lock()}
            with open("state.pkl", "wb") as f:
                pickle.dump({"items": state["items"]}, f)
            """
        ),
        references=(
            _PICKLE_WHAT,
            _PICKLE_STATEFUL,
            "https://docs.python.org/3/library/shelve.html",
            "https://pytorch.org/docs/stable/notes/serialization.html",
        ),
    ),
    Rule(
        code="PKL203",
        name="resource-sent-to-process",
        message="{operation} sends {subject} that holds {resource} to another process",
        family=FAMILY_RESOURCES,
        summary="Resource-holding object sent to another process",
        status=IMPLEMENTED,
        options=("pickle-extra-resources",),
        what_it_does=_text(
            """
            Finds calls that ship an object to another process by pickling it, where the
            object is or holds a resource: `multiprocessing.Pool` `map`/`imap`/`starmap`/
            `apply` and their async forms, `ProcessPoolExecutor.submit`/`map`,
            `multiprocessing.Queue.put`, `Connection.send`, and `Process(args=...,
            kwargs=...)`.
            """
        ),
        why_bad=_text(
            """
            Pools and queues pickle every argument to hand it to a worker, so the
            resources listed under PKL202 fail here too. Measured on CPython 3.11,
            `pool.starmap(work, [(1, threading.Lock())])` and
            `executor.submit(work, 1, lock).result()` raise
            `TypeError: cannot pickle '_thread.lock' object`. `multiprocessing.Queue.put`
            is worse: it returns normally, a background feeder thread fails to pickle the
            item and only prints the traceback, and the consumer's `get()` waits forever.

            `Process(args=...)` pickles its arguments only under the spawn and forkserver
            start methods, so the same code works on Linux with fork and crashes with
            `TypeError: cannot pickle '_thread.lock' object` on macOS and Windows (spawn
            is the default there) and on Linux from Python 3.14, whose default is
            forkserver. Even under fork, a copy of a lock in another process guards
            nothing the parent can see.

            multiprocessing's own primitives are the one exception: `multiprocessing.Lock`,
            `Queue` and `Value` may be passed in `Process(args=...)` or a pool's
            `initargs`, which is how they are meant to be shared, but passing them in a
            pool task raises
            `RuntimeError: Queue objects should only be shared between processes through inheritance`
            (or `Lock objects ...`).
            """
        ),
        known_problems=_text(
            """
            The object's type must be known in the module (constructor call, annotation,
            `self`). Declare the project's own resource types with
            `--pickle-extra-resources`.
            """
        ),
        example=_text(
            """
            import threading
            from multiprocessing import Pool

            lock = threading.Lock()


            def work(item, lock):
                with lock:
                    return item * 2


            if __name__ == "__main__":
                with Pool() as pool:
                    results = pool.starmap(work, [(1, lock), (2, lock)])
            """
        ),
        use_instead=_text(
            """
            from multiprocessing import Lock, Pool

            lock = None


            def init(shared_lock):
                global lock
                lock = shared_lock


            def work(item):
                with lock:
                    return item * 2


            if __name__ == "__main__":
                with Pool(initializer=init, initargs=(Lock(),)) as pool:
                    results = pool.map(work, [1, 2])
            """
        ),
        references=(
            _MP_GUIDELINES,
            "https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods",
            "https://docs.python.org/3/library/concurrent.futures.html#processpoolexecutor",
            _PICKLE_WHAT,
        ),
    ),
    Rule(
        code="PKL204",
        name="unpicklable-callable-pickled",
        message="{operation} of {subject}, which pickle cannot serialize",
        family=FAMILY_RESOURCES,
        summary="Lambda, local function, local class or generator pickled or sent to another process",
        status=IMPLEMENTED,
        what_it_does=_text(
            """
            Finds lambdas, functions and classes defined inside another function, and
            generators, that are pickled or sent to another process (a pool's `map` or
            `submit`, `Process(target=...)`, a queue). Not reported for `cloudpickle` and
            `dill`, which serialize functions by value.
            """
        ),
        why_bad=_text(
            """
            Pickle stores functions and classes by reference: it writes the module and
            qualified name, and the loading side imports them. A lambda, a nested
            function or a class defined inside a function has no importable name, so
            pickling fails; a generator's suspended frame cannot be rebuilt at all. On
            CPython 3.11:

            - a lambda: `PicklingError: Can't pickle <function <lambda> at 0x...>:
              attribute lookup <lambda> on __main__ failed`;
            - a nested function or class:
              `AttributeError: Can't pickle local object 'make_closure.<locals>.inner'`;
            - a generator: `TypeError: cannot pickle 'generator' object`.

            `functools.partial` of a lambda, `map(lambda ...)` and a
            `collections.defaultdict(lambda: 0)` fail the same way. Under the fork start
            method `Process(target=lambda: ...)` happens to work, because nothing is
            pickled; under spawn or forkserver (the defaults on macOS and Windows, and on
            Linux from Python 3.14) it raises the `PicklingError` above. `copy.deepcopy`
            copes with functions (it returns the same object), so only pickling uses are
            reported.
            """
        ),
        example=_text(
            """
            from concurrent.futures import ProcessPoolExecutor


            def squares(values):
                with ProcessPoolExecutor() as pool:
                    return list(pool.map(lambda v: v * v, values))
            """
        ),
        use_instead=_text(
            """
            from concurrent.futures import ProcessPoolExecutor


            def square(value):
                return value * value


            def squares(values):
                with ProcessPoolExecutor() as pool:
                    return list(pool.map(square, values))
            """
        ),
        references=(
            _PICKLE_WHAT,
            _MP_GUIDELINES,
            "https://github.com/cloudpipe/cloudpickle",
        ),
    ),
    Rule(
        code="PKL301",
        name="resource-class-without-protocol",
        message="class {cls} holds {resource} and defines no {protocol}",
        family=FAMILY_PROTOCOL,
        summary="Class holds a resource and defines no pickling protocol, and is copied or pickled",
        status=IMPLEMENTED,
        fix_safety=FIX_MIXED,
        options=("pickle-extra-resources",),
        what_it_does=_text(
            """
            Finds classes that keep a resource in an instance attribute (assigned in any
            method, or a dataclass field) and define none of `__getstate__`,
            `__reduce__`, `__reduce_ex__` (nor `__deepcopy__` when instances are only
            copied), when the module copies, pickles or sends an instance somewhere, or
            the class shows it expects to be pickled: it defines `__setstate__`, defines
            `__copy__` without `__deepcopy__`, or is an exception.
            """
        ),
        why_bad=_text(
            """
            Without a protocol method, `pickle` and `copy.deepcopy` serialize the whole
            instance `__dict__`, resource included. For a class holding a
            `threading.Lock`, CPython 3.11 raises
            `TypeError: cannot pickle '_thread.lock' object` from both; only `copy.copy`
            appears to work, and its copy shares the lock with the original. Defining
            only `__setstate__` does not help (the lock is still in the state), nor does
            `__copy__` alone (`deepcopy` still fails). Exceptions are pickled whenever
            they cross a process boundary (a `ProcessPoolExecutor` or
            `multiprocessing.Pool` worker re-raising in the parent), so an exception that
            holds a lock turns an error report into a second, confusing error.

            A `__getstate__` that drops the resource plus a `__setstate__` that recreates
            it makes pickle, `deepcopy` and `copy` all succeed.
            """
        ),
        known_problems=_text(
            """
            Uses in other modules are not seen; PKL902 lists every such class whether or
            not this module copies it. Declare the project's own resource types with
            `--pickle-extra-resources`.
            """
        ),
        example=_text(
            """
            import copy
            import threading


            class RateLimiter:
                def __init__(self, rate):
                    self.rate = rate
                    self._lock = threading.Lock()


            limiter = copy.deepcopy(RateLimiter(10))
            """
        ),
        use_instead=_text(
            """
            import copy
            import threading


            class RateLimiter:
                def __init__(self, rate):
                    self.rate = rate
                    self._lock = threading.Lock()

                def __getstate__(self):
                    state = self.__dict__.copy()
                    del state["_lock"]
                    return state

                def __setstate__(self, state):
                    self.__dict__.update(state)
                    self._lock = threading.Lock()


            limiter = copy.deepcopy(RateLimiter(10))
            """
        ),
        fix_notes=_text(
            """
            `flake8-pickle fix` adds a `__getstate__` that returns a copy of `__dict__`
            without the resource attributes, and a `__setstate__` that restores the state
            and recreates each resource from the constructor expression `__init__` used
            (`threading.Lock()` above). That is safe when every dropped resource can be
            recreated that way. When one cannot (a socket, an open file, a connection
            built from arguments), the fix sets it to `None` in `__setstate__` instead,
            which changes behaviour and is applied only with `--unsafe-fixes`.
            """
        ),
        references=(
            _PICKLE_INSTANCES,
            _PICKLE_STATEFUL,
            "https://docs.python.org/3/library/pickle.html#object.__getstate__",
            _COPY_DOCS,
        ),
    ),
    Rule(
        code="PKL302",
        name="exception-not-rebuildable",
        message="exception {cls} cannot be rebuilt from self.args: {problem}",
        family=FAMILY_PROTOCOL,
        summary="Exception subclass whose __init__ cannot be re-called with self.args",
        status=IMPLEMENTED,
        fix_safety=FIX_SAFE,
        what_it_does=_text(
            """
            Finds `Exception` subclasses whose `__init__` has required positional or
            keyword-only parameters that are not all passed, in order, to
            `super().__init__()`, and that define no `__reduce__`.
            """
        ),
        why_bad=_text(
            """
            Exceptions are pickled and copied through `BaseException.__reduce__`, which
            returns `(type(self), self.args, self.__dict__)`: the copy is rebuilt by
            calling `type(self)(*self.args)`. `self.args` is whatever reached
            `super().__init__()`, so when `__init__` formats a message or keeps some
            arguments to itself, the rebuild calls it with the wrong arguments. On
            CPython 3.11, for the example below, `pickle.dumps` succeeds, then
            `pickle.loads`, `copy.copy` and `copy.deepcopy` raise
            `TypeError: QuotaExceeded.__init__() missing 1 required positional argument: 'limit'`.
            A keyword-only parameter gives `missing 1 required keyword-only argument`,
            because keywords never reach `args`. When the extra parameters have defaults
            nothing fails and the exception silently changes: an `E(a, b=0)` that passes
            `f"{a}{b}"` up, created as `E(1, 2)` with `args=('12',)`, comes back with
            `args=('120',)`.

            The damage lands on the receiving side. When a `ProcessPoolExecutor` worker
            raises such an exception, the parent gets `BrokenProcessPool` instead of the
            real error; with `multiprocessing.Pool`, the pool's result-handler thread dies
            on the `TypeError` and `AsyncResult.get()` never returns.
            """
        ),
        example=_text(
            """
            class QuotaExceeded(Exception):
                def __init__(self, user, limit):
                    super().__init__(f"{user} exceeded {limit}")
                    self.user = user
                    self.limit = limit
            """
        ),
        use_instead=_text(
            """
            class QuotaExceeded(Exception):
                def __init__(self, user, limit):
                    super().__init__(f"{user} exceeded {limit}")
                    self.user = user
                    self.limit = limit

                def __reduce__(self):
                    return (self.__class__, (self.user, self.limit))
            """
        ),
        fix_notes=_text(
            """
            `flake8-pickle fix` adds a `__reduce__` that rebuilds the exception from its
            constructor arguments, as under "Use instead", so unpickling and copying call
            `__init__` with what it was first given. Safe: nothing that worked before
            changes.
            """
        ),
        references=(
            "https://docs.python.org/3/library/exceptions.html#BaseException.args",
            "https://docs.python.org/3/library/pickle.html#object.__reduce__",
            "https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.process.BrokenProcessPool",
        ),
    ),
    Rule(
        code="PKL303",
        name="getstate-mutates-object",
        message="{cls}.__getstate__ mutates the live object through {target}",
        family=FAMILY_PROTOCOL,
        summary="__getstate__ mutates the live object's __dict__",
        status=IMPLEMENTED,
        fix_safety=FIX_SAFE,
        what_it_does=_text(
            """
            Finds `__getstate__` methods that bind `self.__dict__` itself (not a copy) to
            a name and then delete, pop or assign keys through it.
            """
        ),
        why_bad=_text(
            """
            `state = self.__dict__` is the live attribute dictionary, so
            `del state["_conn"]` removes the attribute from the object being pickled.
            Pickling succeeds, and so do `copy.copy` and `copy.deepcopy`, which call
            `__getstate__` too, but the original object is now broken: its next use
            raises `AttributeError: 'Session' object has no attribute '_conn'`. The error
            appears in code that never touched pickle, long after the serialization that
            caused it.
            """
        ),
        example=_text(
            """
            import sqlite3


            class Session:
                def __init__(self, path):
                    self.path = path
                    self._conn = sqlite3.connect(path)

                def __getstate__(self):
                    state = self.__dict__
                    del state["_conn"]
                    return state
            """
        ),
        use_instead=_text(
            """
            import sqlite3


            class Session:
                def __init__(self, path):
                    self.path = path
                    self._conn = sqlite3.connect(path)

                def __getstate__(self):
                    state = self.__dict__.copy()
                    del state["_conn"]
                    return state

                def __setstate__(self, state):
                    self.__dict__.update(state)
                    self._conn = sqlite3.connect(self.path)
            """
        ),
        fix_notes=_text(
            """
            `flake8-pickle fix` replaces `self.__dict__` with `self.__dict__.copy()` in
            that `__getstate__`. Safe: the returned state is the same and the live object
            is left alone.
            """
        ),
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__getstate__",
            _PICKLE_STATEFUL,
        ),
    ),
    Rule(
        code="PKL304",
        name="getstate-keeps-resource",
        message="{cls}.__getstate__ returns state that still holds {resource}",
        family=FAMILY_PROTOCOL,
        summary="__getstate__ returns state that still contains a resource",
        status=IMPLEMENTED,
        fix_safety=FIX_MIXED,
        options=("pickle-extra-resources",),
        what_it_does=_text(
            """
            Finds `__getstate__` methods whose returned state still contains an attribute
            that holds a resource: one resource is dropped and another is not, or
            `self.__dict__.copy()` is returned unchanged.
            """
        ),
        why_bad=_text(
            """
            A custom `__getstate__` exists to leave out what cannot be pickled. State
            that still holds a lock fails exactly as if there were no `__getstate__`:
            `pickle.dumps` and `copy.deepcopy` raise
            `TypeError: cannot pickle '_thread.lock' object` (an open file gives
            `TypeError: cannot pickle '_io.TextIOWrapper' object`). It typically happens
            when a resource attribute is added to `__init__` after `__getstate__` was
            written.
            """
        ),
        example=_text(
            """
            import threading


            class Worker:
                def __init__(self, log_path):
                    self.pending = []
                    self._lock = threading.Lock()
                    self._log = open(log_path, "a")

                def __getstate__(self):
                    state = self.__dict__.copy()
                    del state["_log"]
                    return state
            """
        ),
        use_instead=_text(
            """
            import threading


            class Worker:
                def __init__(self, log_path):
                    self.pending = []
                    self.log_path = log_path
                    self._lock = threading.Lock()
                    self._log = open(log_path, "a")

                def __getstate__(self):
                    state = self.__dict__.copy()
                    del state["_log"]
                    del state["_lock"]
                    return state

                def __setstate__(self, state):
                    self.__dict__.update(state)
                    self._lock = threading.Lock()
                    self._log = open(self.log_path, "a")
            """
        ),
        fix_notes=_text(
            """
            `flake8-pickle fix` drops the remaining resource attributes from the state
            `__getstate__` returns. It pops them from the copied `__dict__`, or removes
            their entries from a dict literal, and recreates them in an extended or added
            `__setstate__` as the PKL301 fix does. The fix is safe when the `__init__`
            expression needs only constants and module names, and unsafe (`--unsafe-fixes`)
            when it reads `self` or an argument, when a fresh object loses state, or when
            the resource cannot be recreated (sockets, files), in which case it is set to
            `None`.
            """
        ),
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__getstate__",
            _PICKLE_STATEFUL,
        ),
    ),
    Rule(
        code="PKL305",
        name="setstate-misses-attribute",
        message="{cls}.__setstate__ does not restore {attribute}, dropped by __getstate__",
        family=FAMILY_PROTOCOL,
        summary="__setstate__ does not restore an attribute __getstate__ dropped",
        status=IMPLEMENTED,
        what_it_does=_text(
            """
            Finds classes whose `__getstate__` leaves out an attribute that no
            `__setstate__` puts back, either because there is no `__setstate__` or
            because it only restores the saved state.
            """
        ),
        why_bad=_text(
            """
            `pickle.loads`, `copy.copy` and `copy.deepcopy` build the new object without
            calling `__init__`; it gets only what `__getstate__` returned. An attribute
            that was dropped and not recreated is simply missing. Measured on CPython
            3.11: with a `__getstate__` that drops a lock and no `__setstate__`, pickle,
            `deepcopy` and `copy` all succeed, and the copy has no lock. The failure
            comes later, on first use, in a worker process or on a restored object:
            `AttributeError: 'Cache' object has no attribute '_lock'`.
            """
        ),
        example=_text(
            """
            import threading


            class Cache:
                def __init__(self):
                    self.data = {}
                    self._lock = threading.Lock()

                def __getstate__(self):
                    state = self.__dict__.copy()
                    del state["_lock"]
                    return state

                def get(self, key):
                    with self._lock:
                        return self.data.get(key)
            """
        ),
        use_instead=_text(
            """
            import threading


            class Cache:
                def __init__(self):
                    self.data = {}
                    self._lock = threading.Lock()

                def __getstate__(self):
                    state = self.__dict__.copy()
                    del state["_lock"]
                    return state

                def __setstate__(self, state):
                    self.__dict__.update(state)
                    self._lock = threading.Lock()

                def get(self, key):
                    with self._lock:
                        return self.data.get(key)
            """
        ),
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__setstate__",
            _PICKLE_STATEFUL,
        ),
    ),
    Rule(
        code="PKL306",
        name="malformed-protocol-method",
        message="{cls}.{method} {problem}",
        family=FAMILY_PROTOCOL,
        summary="__reduce__/__reduce_ex__/__deepcopy__/__getnewargs__ with the wrong shape",
        status=IMPLEMENTED,
        what_it_does=_text(
            """
            Finds protocol methods with the wrong shape: `__reduce__` or `__reduce_ex__`
            returning something other than a string or a tuple of 2 to 6 items,
            `__getnewargs__` returning something other than a tuple, and `__deepcopy__`
            defined without its `memo` parameter.
            """
        ),
        why_bad=_text(
            """
            The protocols are checked only when they run, so the mistake survives until
            the first pickle or copy. On CPython 3.11:

            - `__reduce__` returning a 1-tuple: `pickle.dumps` raises
              `PicklingError: tuple returned by __reduce__ must contain 2 through 6 elements`,
              and `copy.deepcopy` raises
              `TypeError: _reconstruct() missing 1 required positional argument: 'args'`;
            - `__reduce__` returning a list: `pickle.dumps` raises
              `PicklingError: __reduce__ must return a string or tuple`, while
              `copy.deepcopy` quietly accepts it, so tests that only copy stay green;
            - `__getnewargs__` returning a list:
              `TypeError: __getnewargs__ should return a tuple, not 'list'`;
            - `def __deepcopy__(self)`: `copy.deepcopy` passes the memo dictionary and
              raises `TypeError: Point.__deepcopy__() takes 1 positional argument but 2 were given`.
            """
        ),
        example=_text(
            """
            class Point:
                def __init__(self, x, y):
                    self.x = x
                    self.y = y

                def __reduce__(self):
                    return (Point,)

                def __deepcopy__(self):
                    return Point(self.x, self.y)
            """
        ),
        use_instead=_text(
            """
            class Point:
                def __init__(self, x, y):
                    self.x = x
                    self.y = y

                def __reduce__(self):
                    return (Point, (self.x, self.y))

                def __deepcopy__(self, memo):
                    return Point(self.x, self.y)
            """
        ),
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__reduce__",
            "https://docs.python.org/3/library/pickle.html#object.__getnewargs__",
            _COPY_DOCS,
        ),
    ),
    Rule(
        code="PKL307",
        name="reduce-returns-code-execution",
        message="{cls}.{method} returns code-execution callable {callable}",
        family=FAMILY_PROTOCOL,
        summary="__reduce__ returns a code-execution callable (a pickle payload gadget)",
        status=IMPLEMENTED,
        what_it_does=_text(
            """
            Finds `__reduce__` and `__reduce_ex__` methods that return a code-execution
            callable (`os.system`, `os.popen`, the `subprocess` functions, `eval`,
            `exec`, `builtins.__import__`, ...) as the function to rebuild the object
            with.
            """
        ),
        why_bad=_text(
            """
            Whatever `__reduce__` returns is written into the pickle as a `GLOBAL` plus
            `REDUCE` pair and called when the pickle is loaded. A class whose
            `__reduce__` returns `(os.system, (command,))` is the textbook pickle
            exploit: pickling any instance produces a payload that runs `command` on
            every machine that loads it, the malicious model files found on public model
            hubs are built this way. Legitimate classes return their own class or a
            module-level factory; a shell or `eval` here means the code is an exploit,
            a test payload that should not ship, or something planted.
            """
        ),
        known_problems=_text(
            """
            Security test suites and scanners contain such classes on purpose. Keep them
            out of the installed package, or mark them `# noqa: PKL307`.
            `importlib.import_module` is not counted: importing a module by name adds
            nothing to what every `GLOBAL` opcode already does (`return import_module,
            (self.__name__,)` is how a module proxy pickles by name).
            """
        ),
        example=_text(
            """
            import os


            class Snapshot:
                def __reduce__(self):
                    return (os.system, ("id",))
            """
        ),
        use_instead=_text(
            """
            class Snapshot:
                def __init__(self, rows):
                    self.rows = rows

                def __reduce__(self):
                    return (Snapshot, (self.rows,))
            """
        ),
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__reduce__",
            _PICKLE_DOCS,
            _CWE_502,
        ),
    ),
    Rule(
        code="PKL308",
        name="getattr-raises-non-attributeerror",
        message="{cls}.__getattr__ {problem}",
        family=FAMILY_PROTOCOL,
        summary="__getattr__ can raise something other than AttributeError",
        status=IMPLEMENTED,
        fix_safety=FIX_SAFE,
        what_it_does=_text(
            """
            Finds `__getattr__` methods that can raise something other than
            `AttributeError` for a missing name, typically `return self._data[name]`
            (a `KeyError`, reported for any name). An explicit `raise` of another class is
            reported when a name that copy or pickle looks up (`__deepcopy__`,
            `__setstate__`, ...) reaches it: `if not name.startswith("_"): raise
            NotImplementedError(name)` is a deliberate API and breaks neither.
            """
        ),
        why_bad=_text(
            """
            `copy`, `pickle` and `hasattr` probe objects for optional hooks
            (`__deepcopy__`, `__setstate__`, `__reduce_ex__`, ...) and treat only
            `AttributeError` as "not there". A `__getattr__` that raises `KeyError` breaks
            them: on CPython 3.11 `copy.deepcopy` raises `KeyError: '__deepcopy__'` and
            `pickle.loads` raises `KeyError: '__setstate__'`. When `__getattr__` reads an
            attribute such as `self._data`, it is worse: the object being rebuilt has no
            `__dict__` content yet (`__init__` is not called), so reading `self._data`
            calls `__getattr__` again, and the result is
            `RecursionError: maximum recursion depth exceeded`.
            """
        ),
        known_problems=_text(
            """
            The fix turns the `KeyError` into an `AttributeError`, which is enough when
            `__getattr__` reads only constants or class attributes. When it reads an
            attribute set in `__init__` (`self._data`), a `try`/`except KeyError` around
            `self._data[name]` still recurses on a half-built object (measured); read it
            through `self.__dict__` as under "Use instead".
            """
        ),
        example=_text(
            """
            class Record:
                def __init__(self, **fields):
                    self._data = fields

                def __getattr__(self, name):
                    return self._data[name]
            """
        ),
        use_instead=_text(
            """
            class Record:
                def __init__(self, **fields):
                    self._data = fields

                def __getattr__(self, name):
                    try:
                        return self.__dict__["_data"][name]
                    except KeyError:
                        raise AttributeError(name) from None
            """
        ),
        fix_notes=_text(
            """
            `flake8-pickle fix` wraps the lookup so that a `KeyError` becomes
            `raise AttributeError(name) from None`. Safe: `getattr(obj, name, default)`,
            `hasattr`, `copy` and `pickle` start working, and code that caught `KeyError`
            from attribute access is rare. See "Known problems" for the recursive case.
            """
        ),
        references=(
            "https://docs.python.org/3/reference/datamodel.html#object.__getattr__",
            _COPY_DOCS,
            _PICKLE_INSTANCES,
        ),
    ),
    Rule(
        code="PKL901",
        name="loader-inventory",
        message="{loader} call (pickle-family loader inventory)",
        family=FAMILY_INVENTORY,
        summary="Every pickle-family loader call, whatever its provenance",
        default_enabled=False,
        status=IMPLEMENTED,
        options=("pickle-extra-loaders",),
        what_it_does=_text(
            """
            Reports every pickle-family loader call, whatever the origin of its input,
            including the calls PKL101 and PKL102 consider trusted, like bandit's B301.
            Off by default: turn it on with `extend-select = PKL901` (a bare
            `select = PKL` leaves it off).
            """
        ),
        why_bad=_text(
            """
            A loader call is a place where data becomes code if an attacker ever
            controls the data: the pickle `REDUCE` opcode calls any importable function
            with arguments from the stream (see PKL101). Provenance changes without the
            loader line changing: a private cache becomes shared, a constant path becomes
            configurable, a helper gets a new caller. The inventory shows a security
            review, or a migration to a data-only format (JSON, msgpack, safetensors),
            every such place at once.
            """
        ),
        known_problems=_text(
            """
            Noisy by design: use it for audits and migrations, not as a CI gate.
            """
        ),
        example=_text(
            """
            import pickle

            payload = pickle.dumps({"retries": 3})
            settings = pickle.loads(payload)
            """
        ),
        use_instead=_text(
            """
            import json

            payload = json.dumps({"retries": 3})
            settings = json.loads(payload)
            """
        ),
        references=(
            _PICKLE_DOCS,
            _CWE_502,
            "https://bandit.readthedocs.io/en/latest/blacklists/blacklist_calls.html",
        ),
    ),
    Rule(
        code="PKL902",
        name="resource-class-inventory",
        message="class {cls} holds {resource} and defines no pickling protocol",
        family=FAMILY_INVENTORY,
        summary="Every resource-holding class without a pickling protocol, used or not",
        status=IMPLEMENTED,
        default_enabled=False,
        options=("pickle-extra-resources",),
        what_it_does=_text(
            """
            Reports every class that keeps a resource in an instance attribute and
            defines no pickling protocol (`__getstate__`, `__reduce__`,
            `__reduce_ex__`), whether or not anything copies or pickles it. Off by
            default: turn it on with `extend-select = PKL902`. PKL301 reports the subset
            that this module copies, pickles or sends, or that signals pickling intent.
            """
        ),
        why_bad=_text(
            """
            Instances of such a class cannot be pickled or deep-copied (for a class
            holding a lock, CPython 3.11 raises
            `TypeError: cannot pickle '_thread.lock' object`), and the code that tries
            may live in another module, another package or a framework: a task queue, a
            process pool, a `copy.deepcopy` in a test, a cache. Auditing the list up
            front finds the classes that will crash the first time someone does.
            """
        ),
        known_problems=_text(
            """
            Many such classes are never meant to be copied or pickled (a server, a
            connection pool). Use the inventory for audits, not as a CI gate.
            """
        ),
        example=_text(
            """
            import threading


            class Metrics:
                def __init__(self):
                    self.counts = {}
                    self._lock = threading.Lock()
            """
        ),
        use_instead=_text(
            """
            import threading


            class Metrics:
                def __init__(self):
                    self.counts = {}
                    self._lock = threading.Lock()

                def __getstate__(self):
                    state = self.__dict__.copy()
                    del state["_lock"]
                    return state

                def __setstate__(self, state):
                    self.__dict__.update(state)
                    self._lock = threading.Lock()
            """
        ),
        references=(
            _PICKLE_INSTANCES,
            _PICKLE_STATEFUL,
            _COPY_DOCS,
        ),
    ),
)

RULES: Dict[str, Rule] = {rule.code: rule for rule in _RULES}

#: Codes flake8 leaves off unless the user selects them (``extend_default_ignore``).
OFF_BY_DEFAULT: Tuple[str, ...] = tuple(r.code for r in _RULES if not r.default_enabled)


def message(code: str, **values: object) -> str:
    """Format the message of ``code`` with ``values``."""
    return RULES[code].format(**values)
