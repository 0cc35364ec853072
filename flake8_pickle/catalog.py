"""Qualified-name tables: which calls deserialize with pickle (or worse).

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
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, Optional, Tuple

from .scope import LocalDef, call_argument, display_name, keyword_arg, literal_str

if TYPE_CHECKING:  # pragma: no cover
    from .scope import Resolver

NOT_LOADER = 0
LOADER = 1
#: A loader whose safety switch is set by a non-literal: report at most PKL102.
LOADER_CAPPED = 2

Condition = Callable[[ast.Call, "Resolver"], int]

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

    def label_for(self, qualified: str) -> str:
        """The loader's name in messages: ``pickle.Unpickler.load``, ``zmq socket.recv_pyobj``."""
        if self.label is None:
            return display_name(qualified)
        return self.label.format(method=qualified.rsplit(".", 1)[-1])

    def classify(self, call: ast.Call, resolver: "Resolver") -> int:
        """LOADER, LOADER_CAPPED or NOT_LOADER for this particular call."""
        if self.condition is None:
            return LOADER
        return self.condition(call, resolver)

    def data_argument(self, call: ast.Call) -> Optional[ast.expr]:
        """The argument that carries the bytes, stream or path, if passed."""
        if self.data_kind == DATA_CHANNEL:
            return None
        return call_argument(call, self.data_position, self.data_keyword)


# ---------------------------------------------------------------- conditions
def _is_falsy_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _torch_load(call: ast.Call, resolver: "Resolver") -> int:
    weights_only = keyword_arg(call, "weights_only")
    if weights_only is None:
        return LOADER
    if isinstance(weights_only, ast.Constant):
        return NOT_LOADER if weights_only.value is True else LOADER
    return LOADER_CAPPED


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


SAFE_YAML_LOADERS = frozenset(
    f"{module}.{name}"
    for module in ("yaml", "yaml.loader", "yaml.cyaml", "ruamel.yaml", "ruamel.yaml.loader", "ruamel.yaml.cyaml")
    for name in ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
)


def _is_safe_yaml_loader(symbol: object, resolver: "Resolver", depth: int = 0) -> bool:
    if isinstance(symbol, str):
        return symbol in SAFE_YAML_LOADERS
    if isinstance(symbol, LocalDef) and symbol.kind == "class" and depth < 8:
        # A subclass of a safe loader stays safe; one that adds constructors is the
        # user's own design, and we cannot see what they construct.
        bases = [b for base in symbol.bases for b in base]
        return bool(bases) and all(_is_safe_yaml_loader(b, resolver, depth + 1) for b in bases)
    return False


def _yaml_loader_argument(call: ast.Call, resolver: "Resolver") -> int:
    value = call_argument(call, 1, "Loader")
    if value is None:
        return LOADER  # PyYAML < 6 defaults to an unsafe loader
    symbols = resolver.symbols_of(value)
    if symbols and all(_is_safe_yaml_loader(s, resolver) for s in symbols):
        return NOT_LOADER
    return LOADER


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
    """
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
def _names(modules: Iterable[str], attrs: Iterable[str]) -> Tuple[str, ...]:
    attrs = tuple(attrs)
    return tuple(f"{m}.{a}" for m in modules for a in attrs)


_PICKLE_MODULES = ("pickle", "_pickle", "cPickle", "pickle5", "cloudpickle", "dill", "dill._dill")
_PICKLE_DUMPS = frozenset(_names(_PICKLE_MODULES, ("dumps",))) | {"multiprocessing.reduction.ForkingPickler.dumps"}

_DEFAULT_LOADERS: Tuple[Loader, ...] = (
    # pickle and its drop-in relatives
    Loader(
        _names(_PICKLE_MODULES, ("loads", "_loads")) + ("multiprocessing.reduction.ForkingPickler.loads",),
        "pickle",
        DATA_BYTES,
        data_keyword="data",
        dump_twins=_PICKLE_DUMPS,
    ),
    Loader(_names(_PICKLE_MODULES, ("load", "_load")), "pickle", DATA_STREAM, data_keyword="file"),
    Loader(
        _names(_PICKLE_MODULES, ("Unpickler().load", "_Unpickler().load")),
        "pickle",
        DATA_STREAM,
        data_position=None,
    ),
    Loader(
        _names(("dill", "dill.session"), ("load_session", "load_module")),
        "dill",
        DATA_PATH,
        data_keyword="filename",
    ),
    Loader(("joblib.load", "sklearn.externals.joblib.load"), "joblib", DATA_PATH, data_keyword="filename"),
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
    ),
    # torch
    Loader(
        ("torch.load", "torch.serialization.load"),
        "torch",
        DATA_PATH,
        data_keyword="f",
        condition=_torch_load,
    ),
    Loader(
        ("torch.package.PackageImporter", "torch.package.package_importer.PackageImporter"),
        "torch",
        DATA_PATH,
        data_keyword="file_or_buffer",
    ),
    Loader(
        _names(
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
        _names(("yaml", "ruamel.yaml"), ("unsafe_load", "full_load", "unsafe_load_all", "full_load_all")),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
    ),
    Loader(
        _names(("yaml", "ruamel.yaml"), ("load", "load_all")),
        "yaml",
        DATA_TEXT,
        data_keyword="stream",
        condition=_yaml_loader_argument,
        dump_twins=frozenset({"yaml.dump", "yaml.dump_all", "yaml.safe_dump"}),
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
            for ctx in ("zmq.Context()", "zmq.Context.instance()", "zmq.asyncio.Context()", "zmq.asyncio.Context.instance()")
            for method in ("recv_pyobj", "recv_serialized")
        )
        + ("zmq.Socket().recv_pyobj", "zmq.Socket().recv_serialized"),
        "zmq",
        DATA_CHANNEL,
        channel="zmq socket",
        label="zmq socket.{method}",
    ),
)

#: Methods whose name alone identifies the library, for receivers we cannot type
#: (``self.sock.recv_pyobj()``): reported when the module imports the library.
_DISTINCTIVE_METHODS: Dict[str, Tuple[str, Loader]] = {
    "recv_pyobj": ("zmq", _ZMQ_CHANNEL),
    "recv_serialized": ("zmq", _ZMQ_CHANNEL),
}

_QUALIFIED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\(\))?(\.[A-Za-z_][A-Za-z0-9_]*(\(\))?)*$")


def is_qualified_name(text: str) -> bool:
    """Whether ``text`` is a dotted name such as ``pkg.mod.func`` or ``pkg.Reader().read``."""
    return bool(_QUALIFIED.match(text))


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

    def loader_for(self, qualified_names: Iterable[str]) -> Optional[Tuple[str, Loader]]:
        """The first catalogue entry among ``qualified_names``, with the name that matched."""
        for name in sorted(qualified_names):
            loader = self.by_name.get(name)
            if loader is not None:
                return name, loader
        return None

    def all_loaders(self) -> Tuple[Loader, ...]:
        """Every distinct loader entry."""
        seen: Dict[int, Loader] = {}
        for loader in self.by_name.values():
            seen.setdefault(id(loader), loader)
        return tuple(seen.values())


# ---------------------------------------------------------------- provenance tables
# Patterns use ``*`` for any run of name characters; a name matches a pattern when it
# equals it or continues it with ``.``, ``(`` or ``[`` (``request.form`` covers
# ``request.form.get()``).

#: Values that carry data an attacker controls.
UNTRUSTED_SOURCES: Tuple[str, ...] = (
    # Flask / Werkzeug, Bottle, Quart, Sanic: the global request proxies
    "flask.request",
    "flask.globals.request",
    "werkzeug.wrappers.Request()",
    "werkzeug.Request()",
    "quart.request",
    "bottle.request",
    "bottle.BaseRequest()",
    # Django and DRF: annotated request objects, class-based views' self.request
    "django.http.HttpRequest()",
    "django.http.request.HttpRequest()",
    "django.core.handlers.wsgi.WSGIRequest()",
    "rest_framework.request.Request()",
    "django.views.*().request",
    "rest_framework.*().request",
    # FastAPI / Starlette
    "fastapi.Request()",
    "fastapi.UploadFile()",
    "fastapi.WebSocket()",
    "starlette.requests.Request()",
    "starlette.datastructures.UploadFile()",
    "starlette.websockets.WebSocket()",
    # aiohttp server requests and client responses
    "aiohttp.web.Request()",
    "aiohttp.web.BaseRequest()",
    "aiohttp.web_request.Request()",
    "aiohttp.web.View().request",
    "aiohttp.ClientSession().*()",
    "aiohttp.request()",
    # Tornado
    "tornado.web.RequestHandler().request",
    "tornado.web.RequestHandler().get_*argument*",
    "tornado.web.RequestHandler().get_cookie",
    "tornado.httputil.HTTPServerRequest()",
    # http.server / socketserver handlers
    "http.server.*().rfile",
    "http.server.*().headers",
    "socketserver.*().request",
    "socketserver.*().rfile",
    # sockets and streams
    "socket.socket().recv",
    "socket.socket().recvfrom",
    "socket.socket().recv_into",
    "socket.socket().recvmsg",
    "socket.socket().makefile",
    "socket.socket().accept()",
    "socket.create_server().accept()",
    "socket.create_connection()",
    "socket.fromfd()",
    "ssl.SSLSocket()",
    "asyncio.open_connection()",
    "asyncio.StreamReader()",
    "asyncio.streams.StreamReader()",
    # HTTP clients
    "urllib.request.urlopen()",
    "urllib.request.OpenerDirector().open()",
    "urllib.request.build_opener().open()",
    "requests.get()",
    "requests.post()",
    "requests.put()",
    "requests.patch()",
    "requests.delete()",
    "requests.head()",
    "requests.request()",
    "requests.Session().*()",
    "requests.Response()",
    "httpx.get()",
    "httpx.post()",
    "httpx.put()",
    "httpx.patch()",
    "httpx.delete()",
    "httpx.request()",
    "httpx.stream()",
    "httpx.Client().*()",
    "httpx.AsyncClient().*()",
    "httpx.Response()",
    # websockets
    "websockets.connect()",
    "websockets.client.connect()",
    "websockets.sync.client.connect()",
    "websockets.asyncio.client.connect()",
    "websockets.WebSocketServerProtocol()",
    "websockets.ServerConnection()",
    # message queues
    "kafka.KafkaConsumer()",
    "aiokafka.AIOKafkaConsumer()",
    "confluent_kafka.Consumer().poll()",
    "confluent_kafka.Consumer().consume()",
    "pika.BlockingConnection().channel().basic_get()",
    "pika.BlockingConnection().channel().consume()",
    "zmq.Context().socket().recv*",
    "zmq.Context.instance().socket().recv*",
    "zmq.asyncio.Context().socket().recv*",
    "zmq.Socket().recv*",
    "redis.Redis().pubsub()",
    "redis.StrictRedis().pubsub()",
    "redis.from_url().pubsub()",
    "redis.client.Redis().pubsub()",
    "redis.asyncio.Redis().pubsub()",
    # the process's own input
    "sys.stdin",
    "builtins.input()",
    "fileinput.input()",
)

#: Functions whose parameters receive untrusted data when passed as callbacks:
#: qualified name of the registering call -> (argument position, keyword) of the callback,
#: and which parameters of the callback are untrusted (positions).
CALLBACK_REGISTRATIONS: Dict[str, Tuple[Optional[int], Optional[str], Tuple[int, ...]]] = {
    "websockets.serve": (0, "handler", (0,)),
    "websockets.server.serve": (0, "handler", (0,)),
    "websockets.asyncio.server.serve": (0, "handler", (0,)),
    "websockets.sync.server.serve": (0, "handler", (0,)),
    "asyncio.start_server": (0, "client_connected_cb", (0,)),
    "asyncio.start_unix_server": (0, "client_connected_cb", (0,)),
    "aiohttp.web.Application().router.add_route": (2, "handler", (0,)),
    "aiohttp.web.Application().router.add_post": (1, "handler", (0,)),
    "aiohttp.web.Application().router.add_put": (1, "handler", (0,)),
    "aiohttp.web.Application().router.add_get": (1, "handler", (0,)),
    "aiohttp.web.post": (1, "handler", (0,)),
    "aiohttp.web.put": (1, "handler", (0,)),
    "aiohttp.web.get": (1, "handler", (0,)),
    "pika.BlockingConnection().channel().basic_consume": (None, "on_message_callback", (3,)),
    "pika.SelectConnection().channel().basic_consume": (None, "on_message_callback", (3,)),
    "kombu.Consumer": (None, "callbacks", (0,)),
}

#: Decorators (their callee, ``*`` allowed) that make a function a web route: every
#: parameter but ``self`` is request data (path parameters, bodies, form fields).
ROUTE_DECORATORS: Tuple[str, ...] = (
    "flask.Flask().route",
    "flask.Flask().get",
    "flask.Flask().post",
    "flask.Flask().put",
    "flask.Flask().patch",
    "flask.Flask().delete",
    "flask.Blueprint().route",
    "flask.Blueprint().get",
    "flask.Blueprint().post",
    "flask.Blueprint().put",
    "flask.Blueprint().patch",
    "flask.Blueprint().delete",
    "quart.Quart().route",
    "quart.Quart().post",
    "fastapi.FastAPI().*",
    "fastapi.APIRouter().*",
    "starlette.routing.Router().route",
    "aiohttp.web.RouteTableDef().*",
    "bottle.route",
    "bottle.get",
    "bottle.post",
    "bottle.put",
    "bottle.Bottle().*",
    "sanic.Sanic().*",
)

#: Decorators that mark a Django or DRF view: the first parameter is the request.
VIEW_DECORATOR_PREFIXES: Tuple[str, ...] = ("django.", "rest_framework.")
#: Bases that make a class a view: its HTTP-method handlers get the request second.
VIEW_BASE_PREFIXES: Tuple[str, ...] = ("django.views.", "rest_framework.", "django.contrib.auth.views.")
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch", "http_method_not_allowed"})
#: The context grpcio passes to a servicer method next to the client's request: the parameter before
#: one annotated with it is that request.
GRPC_SERVICER_CONTEXTS = frozenset(
    {"grpc.ServicerContext", "grpc.aio.ServicerContext", "grpc.aio._base_server.ServicerContext"}
)

#: Calls whose result is verified or authenticated data.
SANITIZERS: Tuple[str, ...] = (
    "cryptography.fernet.Fernet().decrypt",
    "cryptography.fernet.Fernet().decrypt_at_time",
    "cryptography.fernet.MultiFernet().decrypt",
    "itsdangerous.*().loads",
    "itsdangerous.*().unsign",
    "itsdangerous.*().loads_unsafe",
    "django.core.signing.loads",
    "django.core.signing.*Signer().unsign",
    "django.core.signing.*Signer().unsign_object",
    "nacl.secret.SecretBox().decrypt",
    "nacl.public.Box().decrypt",
)

#: Calls whose result carries the provenance of their first argument.
TRANSFORMS: Tuple[str, ...] = (
    "base64.*decode*",
    "binascii.a2b_*",
    "binascii.unhexlify",
    "zlib.decompress",
    "gzip.decompress",
    "bz2.decompress",
    "lzma.decompress",
    "codecs.decode",
    "builtins.bytes",
    "builtins.bytes.fromhex",
    "builtins.bytearray",
    "builtins.str",
    "builtins.memoryview",
    "io.BytesIO",
    "io.StringIO",
    "io.BufferedReader",
    "io.TextIOWrapper",
    "gzip.GzipFile",
    "pickle.Unpickler",
    "pickle._Unpickler",
    "_pickle.Unpickler",
    "cPickle.Unpickler",
    "dill.Unpickler",
    "copy.copy",
    "copy.deepcopy",
    "pathlib.Path",
    "pathlib.PurePath",
    "os.path.join",
    "os.fsencode",
    "os.fsdecode",
    "builtins.int.to_bytes",
    "builtins.int.from_bytes",
    # the encoding direction carries provenance too: compress(dumps(x)) is still our own bytes
    "base64.*encode*",
    "binascii.b2a_*",
    "binascii.hexlify",
    "zlib.compress",
    "gzip.compress",
    "bz2.compress",
    "lzma.compress",
    "codecs.encode",
    "pickletools.optimize",
    # iteration helpers: the elements are what was iterated
    "builtins.enumerate",
    "builtins.reversed",
    "builtins.sorted",
    "builtins.list",
    "builtins.tuple",
    "builtins.iter",
    "builtins.range",
)

#: Calls that open a path: a constant path is of unknown origin, a tainted one is tainted.
PATH_OPENERS: Tuple[str, ...] = (
    "builtins.open",
    "io.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "codecs.open",
)
#: Methods that read a file named by their receiver (``Path(p).read_bytes()``).
PATH_READ_METHODS = frozenset({"read_bytes", "read_text", "open"})


def _pattern_regex(patterns: Iterable[str], continued: bool) -> "re.Pattern[str]":
    parts = [re.escape(pattern).replace(r"\*", r"[A-Za-z0-9_.]*?") for pattern in patterns]
    if not parts:
        return re.compile(r"(?!)")
    tail = r"(?:[.(\[].*)?" if continued else ""
    return re.compile(r"^(?:" + "|".join(parts) + r")" + tail + r"$")


class NamePatterns:
    """A set of ``*`` patterns over qualified names, each compiled into one regular expression."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(patterns)
        self._continued = _pattern_regex(self.patterns, continued=True)
        self._exact = _pattern_regex(self.patterns, continued=False)

    def covers(self, name: str) -> bool:
        """Whether ``name`` is one of the patterns or continues one (``request.form.get()``)."""
        return self._continued.match(name) is not None

    def is_one(self, name: str) -> bool:
        """Whether ``name`` is exactly one of the patterns (a callee such as ``base64.b64decode``)."""
        return self._exact.match(name) is not None
