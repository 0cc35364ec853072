"""The loader catalogue (PKL101-PKL103, PKL901): which calls deserialize with pickle or worse, and when.

Every entry is matched against the qualified names the resolver (``scope.py``)
computes for a callee, so ``import pickle as p; p.loads(x)``, ``from pickle
import loads as l`` and ``u = pickle.Unpickler(f); u.load()`` all meet the same
entry. A ``()`` segment in a name is the result of a call (see ``scope.py``).

Argument conditions are written as small functions of the call; they only read
literals and resolved names, never evaluate anything.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, Union

from ..scope import PARTIAL_OF
from ..symbols import display_name
from ..shapes import call_argument, keyword_arg, literal_str
from .names import FORK_CONTEXT, PICKLE_DUMPS, PICKLE_MODULES, ZMQ_CONTEXTS, ZMQ_MODULES, is_qualified_name, names  # noqa: F401 (re-exported)
from .judgement import LOADER, LOADER_CAPPED, LOADER_UNSURE, NOT_LOADER, SEVERITY, Condition, Judgement  # noqa: F401 (re-exported)
from .taint import DUMP_MODULES, DUMP_SUFFIXES
from .yaml_loaders import SAFE_YAML_LOADERS, UNSAFE_YAML_LOADERS, _yaml_loader_argument  # noqa: F401 (re-exported)

if TYPE_CHECKING:  # pragma: no cover
    from ..scope import Resolver


# What a loader's data argument is.
DATA_BYTES = "bytes"  # a bytes object: a literal is trusted
DATA_TEXT = "text"  # str or bytes: a literal is trusted
DATA_STREAM = "stream"  # an open file-like object
DATA_PATH = "path"  # a path or file-like object; a constant path is still of unknown origin
DATA_CHANNEL = "channel"  # reads from a connection: no data argument


@dataclass(frozen=True)
class Loader:
    """One pickle-family deserializer and how to read its call."""

    names: Tuple[str, ...]
    family: str
    data_kind: str
    data_position: Optional[int] = 0
    data_keyword: Optional[str] = None
    condition: Optional[Condition] = None
    channel: Optional[str] = None
    dump_twins: FrozenSet[str] = frozenset()
    #: How messages name the call; ``{method}`` is the last part of the matched name.
    label: Optional[str] = None
    #: How PKL102 names the argument that makes the call safe when its value is of unknown safety.
    switch_noun: str = "a safety switch"
    #: The catalogued loader this one is under another name (rq's ``DefaultSerializer.loads`` is
    #: ``pickle.loads``): a call that may be either is one load, named once.
    same_as: FrozenSet[str] = frozenset()

    def label_for(self, qualified: str) -> str:
        """The loader's name in messages: ``pickle.Unpickler.load``, ``zmq socket.recv_pyobj``."""
        if self.label is None:
            return display_name(qualified)
        return self.label.format(method=qualified.rsplit(".", 1)[-1])

    def classify(self, call: ast.Call, resolver: "Resolver") -> int:
        """LOADER, LOADER_CAPPED, LOADER_UNSURE or NOT_LOADER for this particular call."""
        return self.assess(call, resolver).verdict

    def assess(self, call: ast.Call, resolver: "Resolver") -> Judgement:
        """The verdict for this call, and the switch it is unsure of.

        A callee bound by ``functools.partial`` is judged with the arguments the partial
        bound (``partial(torch.load, weights_only=True)``); when the callee may be several
        things, the most dangerous verdict wins.
        """
        if self.condition is None:
            return Judgement(LOADER)
        worst: Optional[Judgement] = None
        for bound in _as_called(call, self, resolver):
            outcome = self.condition(bound, resolver)
            judgement = outcome if isinstance(outcome, Judgement) else Judgement(outcome)
            if worst is None or SEVERITY[judgement.verdict] > SEVERITY[worst.verdict]:
                worst = judgement
        assert worst is not None
        return worst

    def data_argument(self, call: ast.Call) -> Optional[ast.expr]:
        """The argument that carries the bytes, stream or path, if passed."""
        if self.data_kind == DATA_CHANNEL:
            return None
        return call_argument(call, self.data_position, self.data_keyword)


# ---------------------------------------------------------------- conditions
def _is_falsy_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _shelf_made_new(call: ast.Call, resolver: "Resolver") -> int:
    """``shelve.open(path, flag="n")`` always starts an empty shelf: it reads back only what it stores."""
    return NOT_LOADER if literal_str(call_argument(call, 1, "flag")) == "n" and call_argument(call, 0, "filename") is not None else LOADER


def _weights_only(position: Optional[int] = None) -> Condition:
    """torch's ``weights_only`` (keyword-only for ``torch.load``; the 7th parameter of
    ``torch.hub.load_state_dict_from_url``): ``True`` unpickles no objects, a value the call does not
    show caps the finding at PKL102."""

    def condition(call: ast.Call, resolver: "Resolver") -> Union[int, Judgement]:
        weights_only = keyword_arg(call, "weights_only") if position is None else call_argument(call, position, "weights_only")
        if weights_only is None:
            return LOADER
        if isinstance(weights_only, ast.Constant):
            return NOT_LOADER if weights_only.value is True else LOADER
        return Judgement(LOADER_CAPPED, weights_only)

    return condition


_torch_load = _weights_only()


def _rq_serializer(call: ast.Call, resolver: "Resolver") -> Union[int, Judgement]:
    """``serializer.loads(data)`` of what rq made without a serializer (``resolve_serializer(None)``,
    ``Job.fetch(job_id, connection=r)``: its ``DefaultSerializer``, pickle); one given a serializer
    loads with it, whose safety the call does not show."""
    made = call.func.value if isinstance(call.func, ast.Attribute) else None
    while isinstance(made, ast.Attribute):  # ``Job.fetch(...).serializer``
        made = made.value
    if not isinstance(made, ast.Call):
        return Judgement(LOADER_UNSURE, call.func)  # ``job.serializer.loads``: made elsewhere
    resolves = any(name.endswith(".resolve_serializer") for name in resolver.qualified_names(made.func))
    given = call_argument(made, 0, "serializer") if resolves else keyword_arg(made, "serializer")
    if given is None or (isinstance(given, ast.Constant) and given.value is None):
        return LOADER
    named = resolver.qualified_names(given)
    if named and all(name.rstrip("()") in _RQ_SAFE_SERIALIZERS for name in named):
        return NOT_LOADER
    return Judgement(LOADER_UNSURE, given)


_RQ_SAFE_SERIALIZERS = frozenset({"rq.serializers.JSONSerializer", "rq.JSONSerializer"})


def _allow_pickle(position: int) -> Condition:
    def condition(call: ast.Call, resolver: "Resolver") -> int:
        value = call_argument(call, position, "allow_pickle")
        if value is None or _is_falsy_literal(value):
            return NOT_LOADER  # numpy's default has been allow_pickle=False since 1.16.3
        return LOADER

    return condition


def _keras_safe_mode(call: ast.Call, resolver: "Resolver") -> int:
    value = call_argument(call, 3, "safe_mode")
    if value is None or (isinstance(value, ast.Constant) and value.value is True):
        return NOT_LOADER
    return LOADER


# ---------------------------------------------------------------- functools.partial of a loader
#: The suffix a partial of a conditional loader gets: ``torch.load(partial@3:9)``.
_PARTIAL_SUFFIX = re.compile(r"\(partial@\d+:\d+\)$")
_PARTIAL_SUFFIXES = re.compile(r"(?:\(partial@\d+:\d+\))+$")


def _without_partials(name: str) -> str:
    """``torch.load(partial@3:9)`` -> ``torch.load``."""
    return _PARTIAL_SUFFIXES.sub("", name)


def _partial_variant(target: str, call: ast.Call) -> Optional[str]:
    """A name for ``functools.partial(target, ...)`` when the arguments it binds can decide
    whether calls of it load unsafely (the loaders with a condition)."""
    if _without_partials(target) not in _CONDITIONAL_LOADERS:
        return None
    return f"{target}(partial@{call.lineno}:{call.col_offset})"


def _as_called(call: ast.Call, loader: Loader, resolver: "Resolver") -> List[ast.Call]:
    """``call`` as the loader sees it: once as written if the callee may be the loader itself,
    and once per ``functools.partial`` of it, with the bound arguments put in."""
    names = resolver.qualified_names(call.func)
    if not any(_PARTIAL_SUFFIX.search(name) for name in names):
        return [call]
    registry = resolver.partial_calls
    out: List[ast.Call] = []
    for name in sorted(names):
        partials: List[ast.Call] = []
        while True:
            match = _PARTIAL_SUFFIX.search(name)
            if match is None:
                break
            bound = registry.get(name)
            if bound is not None:
                partials.append(bound)  # the outermost partial first
            name = name[: match.start()]
        if name not in loader.names:
            continue
        merged = call
        for bound in partials:
            merged = _with_bound(bound, merged)
        out.append(merged)
    return out or [call]


def _with_bound(partial: ast.Call, call: ast.Call) -> ast.Call:
    """``partial(f, *a, **k)(*b, **j)`` as the call ``f(*a, *b, **{**k, **j})``."""
    overridden = {keyword.arg for keyword in call.keywords if keyword.arg is not None}
    merged = ast.Call(
        func=call.func,
        args=list(partial.args[1:]) + list(call.args),
        keywords=[k for k in partial.keywords if k.arg not in overridden] + list(call.keywords),
    )
    return ast.copy_location(merged, call)


def _msgpack_numpy(call: ast.Call, resolver: "Resolver") -> int:
    if MSGPACK_NUMPY_PATCHED in resolver.facts:
        return LOADER
    hook = keyword_arg(call, "object_hook")
    if hook is not None and resolver.qualified_names(hook) & MSGPACK_NUMPY_DECODERS:
        return LOADER
    return NOT_LOADER


MSGPACK_NUMPY_PATCHED = "msgpack_numpy.patch()"
MSGPACK_NUMPY_DECODERS = frozenset({"msgpack_numpy.decode", "msgpack_numpy.decode_numpy"})


# ---------------------------------------------------------------- constructor variants
def constructor_variant(qualified: str, call: ast.Call) -> Optional[str]:
    """A distinct name for a call result whose later methods depend on its arguments.

    ``YAML(typ="unsafe")`` and ``Listener(authkey=...)`` behave differently from
    their plain forms, so their results get their own names and the catalogue
    lists the dangerous form only. ``None`` means the plain ``qualified + "()"``.

    The resolver also asks about ``functools.partial(name, ...)``, as
    ``"functools.partial:" + name``: see :func:`_partial_variant`.
    """
    if qualified.startswith(PARTIAL_OF):
        return _partial_variant(qualified[len(PARTIAL_OF) :], call)
    if qualified == "multiprocessing.get_context" and literal_str(call_argument(call, 0, "method")) == "fork":
        return FORK_CONTEXT
    if qualified in _RUAMEL_YAML:
        typ = call_argument(call, 0, "typ")
        values = []
        if isinstance(typ, (ast.List, ast.Tuple)):
            values = [literal_str(e) for e in typ.elts]
        else:
            values = [literal_str(typ)]
        if "unsafe" in values:
            return "ruamel.yaml.YAML(typ=unsafe)"
        return None
    position = _AUTHKEY_POSITION.get(qualified)
    if position is not None:
        authkey = call_argument(call, position, "authkey")
        if authkey is not None and not (isinstance(authkey, ast.Constant) and authkey.value is None):
            return f"{qualified}(authkey)"
    return None


_RUAMEL_YAML = frozenset({"ruamel.yaml.YAML", "ruamel.yaml.main.YAML"})
_AUTHKEY_POSITION = {
    "multiprocessing.connection.Listener": 3,
    "multiprocessing.connection.Client": 2,
}


# ---------------------------------------------------------------- the catalogue

_DEFAULT_LOADERS: Tuple[Loader, ...] = (
    # pickle and its drop-in relatives
    Loader(
        names(PICKLE_MODULES, ("loads", "_loads")) + ("multiprocessing.reduction.ForkingPickler.loads",),
        "pickle",
        DATA_BYTES,
        data_keyword="data",
        dump_twins=PICKLE_DUMPS,
    ),
    Loader(names(PICKLE_MODULES, ("load", "_load")), "pickle", DATA_STREAM, data_keyword="file"),
    Loader(
        names(PICKLE_MODULES, ("Unpickler().load", "_Unpickler().load")),
        "pickle",
        DATA_STREAM,
        data_position=None,
    ),
    Loader(
        names(("dill", "dill.session"), ("load_session", "load_module")),
        "dill",
        DATA_PATH,
        data_keyword="filename",
    ),
    Loader(("joblib.load", "sklearn.externals.joblib.load"), "joblib", DATA_PATH, data_keyword="filename"),
    # spaCy's serialization helpers: cloudpickle underneath
    Loader(
        ("srsly.pickle_loads", "srsly._pickle_api.pickle_loads"),
        "pickle",
        DATA_BYTES,
        data_keyword="data",
        dump_twins=frozenset({"srsly.pickle_dumps", "srsly._pickle_api.pickle_dumps"}),
    ),
    # rq's DefaultSerializer is pickle: so is what a job or queue made without a serializer loads with
    Loader(
        ("rq.serializers.DefaultSerializer.loads", "rq.serializers.DefaultSerializer().loads"), "pickle", DATA_BYTES,
        data_keyword="data", same_as=frozenset({"pickle.loads"}),
    ),
    Loader(
        (
            "rq.serializers.resolve_serializer().loads",
            *(f"{job}{made}.serializer.loads" for job in ("rq.job.Job", "rq.Job") for made in ("()", ".fetch()", ".create()")),
            *(f"{queue}().serializer.loads" for queue in ("rq.queue.Queue", "rq.Queue")),
        ),
        "pickle",
        DATA_BYTES,
        data_keyword="data",
        condition=_rq_serializer,
        same_as=frozenset({"pickle.loads", "rq.serializers.DefaultSerializer.loads"}),
    ),
    Loader(
        ("pandas.read_pickle", "pandas.io.pickle.read_pickle"),
        "pandas",
        DATA_PATH,
        data_keyword="filepath_or_buffer",
    ),
    Loader(
        ("shelve.open", "shelve.DbfilenameShelf", "shelve.Shelf", "shelve.BsdDbShelf"),
        "shelve",
        DATA_PATH,
        data_keyword="filename",
        condition=_shelf_made_new,
    ),
    # torch
    Loader(
        ("torch.load", "torch.serialization.load"),
        "torch",
        DATA_PATH,
        data_keyword="f",
        condition=_torch_load,
        switch_noun="a weights_only flag",
    ),
    Loader(
        # Downloads the URL (or takes the cached copy) and torch.load()s it (lightning's cloud_io).
        ("torch.hub.load_state_dict_from_url", "torch.utils.model_zoo.load_url"),
        "torch",
        DATA_PATH,
        data_keyword="url",
        condition=_weights_only(6),
        switch_noun="a weights_only flag",
    ),
    Loader(
        ("torch.package.PackageImporter", "torch.package.package_importer.PackageImporter"),
        "torch",
        DATA_PATH,
        data_keyword="file_or_buffer",
    ),
    Loader(
        names(
            ("torch.distributed", "torch.distributed.distributed_c10d"),
            (
                "broadcast_object_list",
                "all_gather_object",
                "gather_object",
                "scatter_object_list",
                "recv_object_list",
            ),
        ),
        "torch",
        DATA_CHANNEL,
        channel="torch.distributed process group",
    ),
    Loader(
        # accelerate's wrappers of those (``broadcast_object_list``, ``gather_object``: all_gather_object).
        names(("accelerate.utils", "accelerate.utils.operations"), ("broadcast_object_list", "gather_object")),
        "accelerate",
        DATA_CHANNEL,
        channel="torch.distributed process group",
    ),
    Loader(
        # torch.save()s the value, rendezvous()es and torch.load()s what every replica sent.
        ("torch_xla.core.xla_model.mesh_reduce",),
        "torch_xla",
        DATA_CHANNEL,
        channel="torch_xla replica rendezvous",
    ),
    Loader(
        # cloudpickle.loads of what the root rank (or every rank) sent over the Horovod ring.
        names(
            tuple(f"horovod.{front}" for front in (
                "torch", "torch.functions", "tensorflow", "tensorflow.functions", "tensorflow.keras", "keras",
                "mxnet", "mxnet.functions",
            )),
            ("broadcast_object", "allgather_object"),
        ),
        "horovod",
        DATA_CHANNEL,
        channel="horovod process set",
    ),
    # numpy
    Loader(("numpy.load", "numpy.lib.npyio.load"), "numpy", DATA_PATH, data_keyword="file", condition=_allow_pickle(2)),
    Loader(("numpy.lib.format.read_array",), "numpy", DATA_STREAM, data_keyword="fp", condition=_allow_pickle(1)),
    # jsonpickle
    Loader(
        ("jsonpickle.decode", "jsonpickle.loads", "jsonpickle.unpickler.decode"),
        "jsonpickle",
        DATA_TEXT,
        data_keyword="string",
        dump_twins=frozenset({"jsonpickle.encode", "jsonpickle.dumps", "jsonpickle.pickler.encode"}),
    ),
    Loader(
        ("jsonpickle.Unpickler().restore", "jsonpickle.unpickler.Unpickler().restore"),
        "jsonpickle",
        DATA_TEXT,
        data_keyword="obj",
    ),
    # marshal
    Loader(("marshal.loads",), "marshal", DATA_BYTES, data_keyword="bytes", dump_twins=frozenset({"marshal.dumps"})),
    Loader(("marshal.load",), "marshal", DATA_STREAM, data_keyword="file"),
    # yaml
    Loader(
        names(("yaml", "ruamel.yaml"), ("unsafe_load", "full_load", "unsafe_load_all", "full_load_all")),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
    ),
    Loader(
        names(("yaml", "ruamel.yaml"), ("load", "load_all")),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
        condition=_yaml_loader_argument,
        dump_twins=frozenset({"yaml.dump", "yaml.dump_all", "yaml.safe_dump"}),
        switch_noun="a Loader",
    ),
    Loader(
        ("ruamel.yaml.YAML(typ=unsafe).load", "ruamel.yaml.YAML(typ=unsafe).load_all"),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
    ),
    # msgpack decoding through msgpack_numpy (object arrays are pickles)
    Loader(
        ("msgpack.unpackb", "msgpack.loads"),
        "msgpack",
        DATA_BYTES,
        data_keyword="packed",
        condition=_msgpack_numpy,
        dump_twins=frozenset({"msgpack.packb", "msgpack.dumps", "msgpack_numpy.packb", "msgpack_numpy.dumps"}),
    ),
    Loader(("msgpack.unpack", "msgpack.load", "msgpack.Unpacker"), "msgpack", DATA_STREAM, data_keyword="stream", condition=_msgpack_numpy),
    Loader(
        ("msgpack_numpy.unpackb", "msgpack_numpy.loads"),
        "msgpack",
        DATA_BYTES,
        data_keyword="packed",
        dump_twins=frozenset({"msgpack.packb", "msgpack.dumps", "msgpack_numpy.packb", "msgpack_numpy.dumps"}),
    ),
    Loader(("msgpack_numpy.unpack", "msgpack_numpy.load", "msgpack_numpy.Unpacker"), "msgpack", DATA_STREAM, data_keyword="stream"),
    # keras: Lambda layers carry marshalled bytecode
    Loader(
        (
            "keras.models.load_model",
            "keras.saving.load_model",
            "keras.saving.saving_api.load_model",
            "tensorflow.keras.models.load_model",
            "tf_keras.models.load_model",
        ),
        "keras",
        DATA_PATH,
        data_keyword="filepath",
        condition=_keras_safe_mode,
    ),
    # unauthenticated channels
    Loader(
        (
            "multiprocessing.connection.Listener().accept().recv",
            "multiprocessing.connection.Client().recv",
        ),
        "pickle",
        DATA_CHANNEL,
        channel="multiprocessing.connection without authkey",
        label="Connection.{method}",
    ),
    _ZMQ_CHANNEL := Loader(
        tuple(
            f"{ctx}.socket().{method}"
            for ctx in ZMQ_CONTEXTS
            for method in ("recv_pyobj", "recv_serialized")
        )
        + tuple(f"{module}.Socket().{method}" for module in ZMQ_MODULES for method in ("recv_pyobj", "recv_serialized")),
        "zmq",
        DATA_CHANNEL,
        channel="zmq socket",
        label="zmq socket.{method}",
    ),
)

#: Loaders whose arguments decide whether a call loads unsafely.
#: Every catalogued loader's serializer: what it writes is the program's own (trusted) input.
DUMP_TWINS: FrozenSet[str] = frozenset(name for loader in _DEFAULT_LOADERS for name in loader.dump_twins)
#: Every call whose output (or, for ``dump``, the buffer it fills) is the program's own serialized
#: data: the loaders' twins and the dump functions of the serializing modules.
TRUSTED_DUMPS: FrozenSet[str] = DUMP_TWINS | frozenset(
    module + suffix for module in DUMP_MODULES for suffix in DUMP_SUFFIXES
)
_CONDITIONAL_LOADERS = frozenset(name for loader in _DEFAULT_LOADERS if loader.condition is not None for name in loader.names)

#: Methods whose name alone identifies the library, for receivers we cannot type
#: (``self.sock.recv_pyobj()``): reported when the module imports the library.
_DISTINCTIVE_METHODS: Dict[str, Tuple[str, Loader]] = {
    "recv_pyobj": ("zmq", _ZMQ_CHANNEL),
    "recv_serialized": ("zmq", _ZMQ_CHANNEL),
}

class Catalog:
    """The loader catalogue, extended by the user's ``--pickle-extra-loaders``."""

    def __init__(self, extra_loaders: Iterable[str] = ()):
        self.by_name: Dict[str, Loader] = {}
        for loader in _DEFAULT_LOADERS:
            for name in loader.names:
                self.by_name[name] = loader
        for name in extra_loaders:
            self.by_name.setdefault(name, Loader((name,), "custom", DATA_BYTES))
        self.distinctive_methods = dict(_DISTINCTIVE_METHODS)
        self._objects = frozenset(n[: i + 2] for n in self.by_name for i in range(len(n)) if n.startswith("()", i))
        self._binding_words: Dict[str, Set[str]] = {}
        for name in self.by_name:
            words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", name)
            self._binding_words.setdefault(words[0], set()).update([words[-1], *re.findall(r"(\w+)\(", name)])

    def binding_words(self, root: str) -> FrozenSet[str]:
        """The words a text spells when it binds a name to a loader of module ``root`` in one step
        (``loads = pickle.loads``, ``class U(pickle.Unpickler)``): each loader name's last part and
        the classes it calls. ``import numpy as np`` binds no loader (a module is none)."""
        return frozenset(self._binding_words.get(root, ()))

    def reaches_loader(self, qualified_names: Iterable[str]) -> bool:
        """Whether one of ``qualified_names`` is a loader, a class whose instances' ``load`` is, or
        an object one of whose methods loads (``multiprocessing.connection.Client()``: its ``recv``)."""
        names = frozenset(qualified_names)
        return self.loader_for(names) is not None or bool(self._objects & names) or self.loader_for(f"{n}().load" for n in names) is not None

    def loader_for(self, qualified_names: Iterable[str]) -> Optional[Tuple[str, Loader]]:
        """The first catalogue entry among ``qualified_names``, with the name that matched."""
        for name in sorted(qualified_names):
            loader = self.by_name.get(name)
            if loader is None and name.endswith(")"):
                loader = self.by_name.get(_without_partials(name))  # a functools.partial of it
            if loader is not None:
                return name, loader
        return None

    def all_loaders(self) -> Tuple[Loader, ...]:
        """Every distinct loader entry."""
        seen: Dict[int, Loader] = {}
        for loader in self.by_name.values():
            seen.setdefault(id(loader), loader)
        return tuple(seen.values())
