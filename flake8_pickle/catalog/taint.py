"""Taint tables (PKL101): where untrusted data comes from, what verifies it, what carries it.

Sources, sanitizers, verifiers, the transforms that carry facts through, framework
conventions (routes, views, gRPC servicers), channel collectives and callback
registrations. Patterns use ``*`` for any run of name characters; a name matches a
pattern when it equals it or continues it with ``.``, ``(`` or ``[``.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, Optional, Tuple

from .names import PICKLE_MODULES, ZMQ_CONTEXTS, ZMQ_MODULES

# Patterns use ``*`` for any run of name characters; a name matches a pattern when it
# equals it or continues it with ``.``, ``(`` or ``[`` (``request.form`` covers
# ``request.form.get()``).

#: What values that carry data an attacker controls come from.
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
    # a server websocket: every message the peer sends (``async for msg in ws``, ``ws.receive_bytes()``)
    "aiohttp.web.WebSocketResponse()",
    "aiohttp.web_ws.WebSocketResponse()",
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
    *(f"{ctx}.socket().recv*" for ctx in ZMQ_CONTEXTS),
    *(f"{module}.Socket().recv*" for module in ZMQ_MODULES),
    # websocket-client
    "websocket.create_connection()",
    "websocket.WebSocket()",
    "websocket._core.create_connection()",
    "aio_pika.connect()",
    "aio_pika.connect_robust()",
    "aio_pika.IncomingMessage()",
    "aio_pika.message.IncomingMessage()",
    "aio_pika.abc.AbstractIncomingMessage()",
    "pika.spec.Basic.Deliver()",
    "confluent_kafka.Message()",
    "aiokafka.ConsumerRecord()",
    "kafka.consumer.fetcher.ConsumerRecord()",
    "redis.asyncio.from_url().pubsub()",
    "redis.asyncio.client.Redis().pubsub()",
    "redis.asyncio.StrictRedis().pubsub()",
    "redis.Redis().pubsub()",
    "redis.StrictRedis().pubsub()",
    "redis.from_url().pubsub()",
    "redis.client.Redis().pubsub()",
    "redis.asyncio.Redis().pubsub()",
    # the classmethod constructors: ``redis.Redis.from_url(url).pubsub()``
    "redis.Redis.from_url().pubsub()",
    "redis.StrictRedis.from_url().pubsub()",
    "redis.client.Redis.from_url().pubsub()",
    "redis.asyncio.Redis.from_url().pubsub()",
    "redis.asyncio.StrictRedis.from_url().pubsub()",
    "redis.asyncio.client.Redis.from_url().pubsub()",
    # the process's own input
    "sys.stdin",
    "builtins.input()",
    "fileinput.input()",
)

#: Collectives that hand this process what its peers sent over a process group, which no
#: key authenticates: qualified name -> (channel, whether the call returns the peers' data,
#: positions of the arguments it fills in place). Data from them reaching a loader is PKL103.
CHANNEL_COLLECTIVES: Dict[str, Tuple[str, bool, Tuple[int, ...]]] = {
    **{
        f"{module}.{name}": ("torch.distributed process group", False, positions)
        for module in ("torch.distributed", "torch.distributed.distributed_c10d")
        for name, positions in (
            ("broadcast", (0,)),
            ("recv", (0,)),
            ("irecv", (0,)),
            ("all_gather", (0,)),
            ("all_gather_into_tensor", (0,)),
            ("gather", (1,)),
            ("scatter", (0,)),
            ("all_to_all", (0,)),
            ("all_to_all_single", (0,)),
            # the object collectives unpickle what peers sent (PKL103 there) into the list they fill
            ("broadcast_object_list", (0,)),
            ("scatter_object_list", (0,)),
            ("all_gather_object", (0,)),
            ("gather_object", (1,)),
            ("recv_object_list", (0,)),
        )
    },
    **{
        f"{module}.{name}": ("torch.distributed process group", True, (0,) if name == "broadcast_object_list" else ())
        for module in ("accelerate.utils", "accelerate.utils.operations")
        for name in ("broadcast_object_list", "gather_object")
    },
    **{
        f"torch_xla.core.xla_model.{name}": ("torch_xla replica collective", returns, positions)
        for name, returns, positions in (
            ("rendezvous", True, ()),
            ("all_gather", True, ()),
            ("all_to_all", True, ()),
            ("collective_broadcast", False, (0,)),
            ("send", False, ()),
            ("recv", False, (0,)),
            ("collective_permute", True, ()),
        )
    },
    # a TCPStore serves whatever any peer that can reach its port ``set``
    **{
        f"torch.distributed.{store}().get": ("torch.distributed TCPStore", True, ())
        for store in ("TCPStore", "PrefixStore", "distributed_c10d.TCPStore", "distributed_c10d.PrefixStore")
    },
    # the native collectives torch_xla's own helpers are built on
    **{
        f"torch_xla._XLAC._xla_{name}": ("torch_xla replica collective", True, ())
        for name in (
            "all_gather",
            "all_gather_out",
            "all_gather_coalesced",
            "all_gather_coalesced_out",
            "all_to_all",
            "collective_permute",
            "recv",
        )
    },
}

#: Consumers whose deserializer keywords are called on each message the broker delivers:
#: ``KafkaConsumer(topic, value_deserializer=pickle.loads)`` loads what any producer sent; a gRPC
#: method handler's ``request_deserializer`` gets each request's bytes off the wire.
DESERIALIZER_HOOKS: Dict[str, Tuple[str, ...]] = {
    "kafka.KafkaConsumer": ("value_deserializer", "key_deserializer"),
    "aiokafka.AIOKafkaConsumer": ("value_deserializer", "key_deserializer"),
    **{f"grpc.{kind}_rpc_method_handler": ("request_deserializer",) for kind in ("unary_unary", "unary_stream", "stream_unary", "stream_stream")},
}
#: In a :data:`CALLBACK_REGISTRATIONS` entry: every keyword argument is a callback.
ANY_KEYWORD = "**"
#: Functions whose parameters receive untrusted data when passed as callbacks:
#: qualified name of the registering call -> (argument position, keyword) of the callback (a list
#: of callbacks counts each), and which parameters of the callback are untrusted (positions).
_CALLBACKS: Dict[str, Tuple[Optional[int], Optional[str], Tuple[int, ...]]] = {
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
    # pika >= 1.0: ``basic_consume(queue, on_message_callback, ...)``, the callback second.
    "pika.BlockingConnection().channel().basic_consume": (1, "on_message_callback", (3,)),
    "pika.SelectConnection().channel().basic_consume": (1, "on_message_callback", (3,)),
    # aio-pika: ``await queue.consume(callback)``, each delivered message.
    **{
        f"aio_pika.{connect}().channel().{queue}().consume": (0, "callback", (0,))
        for connect in ("connect", "connect_robust")
        for queue in ("declare_queue", "get_queue")
    },
    **{
        f"aio_pika.{queue}().consume": (0, "callback", (0,))
        for queue in ("Queue", "RobustQueue", "abc.AbstractQueue", "abc.AbstractRobustQueue", "queue.Queue", "robust_queue.RobustQueue")
    },
    "websocket.WebSocketApp": (None, "on_message", (1,)),
    # ``on_message(body, message)``: the decoded body, and the message (``message.body``, ``.payload``).
    "kombu.Consumer": (None, "callbacks", (0, 1)),
    "kombu.messaging.Consumer": (None, "callbacks", (0, 1)),
    "kombu.Connection().Consumer": (None, "callbacks", (0, 1)),
    # ``register(name, encoder, decoder, ...)``: the decoder gets each message body the broker delivers.
    "kombu.serialization.register": (2, "decoder", (0,)),
    "kombu.serialization.registry.register": (2, "decoder", (0,)),
    # A gRPC method handler's behaviour gets each request (and the stream of them).
    **{f"grpc.{kind}_rpc_method_handler": (0, "behavior", (0,)) for kind in ("unary_unary", "unary_stream", "stream_unary", "stream_stream")},
    # ``pubsub.subscribe(**{"events": on_event})``: the handler gets each message published there.
    **{
        f"{client}.pubsub().{method}": (None, ANY_KEYWORD, (0,))
        for client in ("redis.Redis()", "redis.StrictRedis()", "redis.Redis.from_url()", "redis.client.Redis()")
        for method in ("subscribe", "psubscribe", "ssubscribe")
    },
    # Every argument of an XML-RPC function is what the remote caller sent.
    **{
        f"xmlrpc.server.{server}().register_function": (0, "function", tuple(range(8)))
        for server in ("SimpleXMLRPCServer", "DocXMLRPCServer", "SimpleXMLRPCDispatcher", "MultiPathXMLRPCServer", "CGIXMLRPCRequestHandler")
    },
}
#: Every registration of a callback a call makes (:data:`_CALLBACKS`), and a deserializer hook's
#: keywords (``value_deserializer=lambda m: pickle.loads(m)``: called on each message delivered).
CALLBACK_REGISTRATIONS: Dict[str, Tuple[Tuple[Optional[int], Optional[str], Tuple[int, ...]], ...]] = {
    name: ((registration,) if name in _CALLBACKS else ()) + tuple((None, keyword, (0,)) for keyword in DESERIALIZER_HOOKS.get(name, ()))
    for name, registration in {**{hook: None for hook in DESERIALIZER_HOOKS}, **_CALLBACKS}.items()
}

#: Methods a network framework calls with what a peer sent, in a subclass of one of the bases
#: named: method -> (the data parameters' positions, counting ``self``; the bases).
_TORCHSERVE_HANDLERS = tuple(
    f"ts.torch_handler.{module}.{name}"
    for module, name in (
        ("base_handler", "BaseHandler"), ("vision_handler", "VisionHandler"), ("image_classifier", "ImageClassifier"),
        ("text_handler", "TextHandler"), ("text_classifier", "TextClassifier"), ("object_detector", "ObjectDetector"),
        ("image_segmenter", "ImageSegmenter"), ("densenet_handler", "DenseNetHandler"),
    )
)

PEER_DATA_METHODS: Dict[str, Tuple[Tuple[int, ...], FrozenSet[str]]] = {
    "data_received": ((1,), frozenset({
        "asyncio.Protocol", "asyncio.protocols.Protocol", "asyncio.BaseProtocol", "asyncio.protocols.BaseProtocol",
        "asyncio.StreamReaderProtocol", "asyncio.streams.StreamReaderProtocol",
    })),
    "datagram_received": ((1,), frozenset({"asyncio.DatagramProtocol", "asyncio.protocols.DatagramProtocol"})),
    "dataReceived": ((1,), frozenset({"twisted.internet.protocol.Protocol"})),
    "datagramReceived": ((1,), frozenset({"twisted.internet.protocol.DatagramProtocol"})),
    "lineReceived": ((1,), frozenset({"twisted.protocols.basic.LineReceiver", "twisted.protocols.basic.LineOnlyReceiver"})),
    "stringReceived": ((1,), frozenset({
        f"twisted.protocols.basic.{name}"
        for name in ("IntNStringReceiver", "Int32StringReceiver", "Int16StringReceiver", "Int8StringReceiver", "NetstringReceiver")
    })),
    "on_message": ((1,), frozenset({"tornado.websocket.WebSocketHandler"})),
    "onMessage": ((1,), frozenset({
        f"autobahn.{flavour}.websocket.WebSocket{side}Protocol"
        for flavour in ("asyncio", "twisted")
        for side in ("Server", "Client")
    })),
    # Django Channels: ``receive(self, text_data=None, bytes_data=None)``, ``receive_json(self, content)``.
    "receive": ((1, 2), frozenset({
        f"channels.generic.websocket.{name}"
        for name in ("WebsocketConsumer", "AsyncWebsocketConsumer", "JsonWebsocketConsumer", "AsyncJsonWebsocketConsumer")
    })),
    "receive_json": ((1,), frozenset({
        "channels.generic.websocket.JsonWebsocketConsumer", "channels.generic.websocket.AsyncJsonWebsocketConsumer",
    })),
    # Starlette: ``on_receive(self, websocket, data)``.
    "on_receive": ((2,), frozenset({"starlette.endpoints.WebSocketEndpoint"})),
    # TorchServe: ``handle(self, data, context)`` and ``preprocess(self, data)`` get the inference
    # requests' rows (``row.get("body")`` is the HTTP body).
    **{
        method: ((1,), frozenset(_TORCHSERVE_HANDLERS))
        for method in ("handle", "preprocess")
    },
}

#: The parameters (the last ones, after ``self``) a server calls an application with, and which of
#: them hold the client's request: a WSGI application's ``environ`` (``wsgi.input`` is the body), an
#: ASGI application's ``scope`` and ``receive`` (whose messages carry the body).
SERVER_INTERFACES: Dict[Tuple[str, ...], Tuple[str, FrozenSet[str]]] = {
    ("environ", "start_response"): ("WSGI", frozenset({"environ"})),
    ("scope", "receive", "send"): ("ASGI", frozenset({"scope", "receive"})),
}

#: Decorators (their callee, ``*`` allowed) that make a function a web route or a Socket.IO event
#: handler: every parameter but ``self`` is request data (path parameters, bodies, form fields,
#: event payloads).
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
    # Socket.IO event handlers: ``@sio.on("message") def handle(sid, data)`` gets what the client sent.
    "socketio.Server().on",
    "socketio.Server().event",
    "socketio.AsyncServer().on",
    "socketio.AsyncServer().event",
    "socketio.Client().on",
    "socketio.AsyncClient().on",
    "flask_socketio.SocketIO().on",
    "flask_socketio.SocketIO().event",
)

#: Decorators that mark a Django or DRF view: the first parameter is the request.
VIEW_DECORATOR_PREFIXES: Tuple[str, ...] = ("django.", "rest_framework.")
#: Bases that make a class a view: its HTTP-method handlers get the request second.
VIEW_BASE_PREFIXES: Tuple[str, ...] = ("django.views.", "rest_framework.", "django.contrib.auth.views.")
#: Django middleware: the bases of old-style middleware and the methods Django calls with the request
#: (a class whose ``__init__`` takes ``get_response`` is new-style middleware, called with it).
MIDDLEWARE_BASES = frozenset({"django.utils.deprecation.MiddlewareMixin"})
MIDDLEWARE_METHODS = frozenset({
    "process_request", "process_view", "process_exception", "process_response", "process_template_response", "__call__",
})
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

#: Calls whose result carries the provenance of their positional arguments (none: a new, empty value).
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
    # containers: built empty, or holding what they were built from
    "builtins.dict",
    "builtins.set",
    "builtins.frozenset",
    "collections.OrderedDict",
    "collections.deque",
    "queue.Queue",
    "queue.SimpleQueue",
    "queue.LifoQueue",
    "asyncio.Queue",
)

#: Methods that read into the buffer they are given first (``sock.recv_into(buf)``,
#: ``fh.readinto(buf)``): the buffer then holds what the read gives, whatever it was made with.
FILLING_READS = frozenset({"recv_into", "recvfrom_into", "recvmsg_into", "readinto", "readinto1"})

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
#: FastAPI's dependency markers: a route parameter ``db: Session = Depends(get_db)`` (or
#: ``Annotated[Session, Depends(get_db)]``) is what the dependency returns or yields, and the
#: dependency's own parameters are the request's, as a route's are.
DEPENDENCY_MARKERS = frozenset({
    "fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security",
    "fastapi.param_functions.Depends", "fastapi.param_functions.Security",
})
#: Methods of a store (a cache, a key-value client, a database handle) that read a value by key:
#: called on a library's object (``redis.Redis().get(key)``), the value is the store's, whatever
#: the key (an unknown origin, PKL102), not the key's data, as an unknown call's result would be.
STORE_LOOKUPS = frozenset({
    "get", "get_many", "get_multi", "gets", "mget", "hget", "hmget", "hgetall", "hvals", "getex", "getdel",
    "getset", "lindex", "lrange", "lpop", "rpop", "blpop", "brpop", "fetch", "lookup",
    # Database queries: the rows are what the store holds, whatever the query's parameters.
    "execute", "executemany", "fetchone", "fetchall", "fetchmany", "scalar", "scalars", "find_one",
})
#: Lookups in a container of the module's own (``CACHE.get(key)``): an element comes back, never the key.
KEYED_LOOKUPS = frozenset({"get", "pop", "setdefault"})


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
        self._covered: Dict[str, bool] = {}

    def covers(self, name: str) -> bool:
        """Whether ``name`` is one of the patterns or continues one (``request.form.get()``)."""
        known = self._covered.get(name)
        if known is None:
            if len(self._covered) > _MEMO_LIMIT:
                self._covered.clear()  # the same names recur within a module, rarely across many
            known = self._covered[name] = self._continued.match(name) is not None
        return known

    def is_one(self, name: str) -> bool:
        """Whether ``name`` is exactly one of the patterns (a callee such as ``base64.b64decode``)."""
        return self._exact.match(name) is not None


_MEMO_LIMIT = 20000

#: Calls that only a Django or DRF view makes: building the response it returns.
VIEW_RESPONSES: Tuple[str, ...] = ("django.http.", "django.shortcuts.", "django.template.response.", "rest_framework.response.")
#: Constant-time comparisons: a test of one guards what it passes (``--pickle-sanitizers`` adds more).
VERIFIERS = frozenset({"hmac.compare_digest", "secrets.compare_digest"})
#: MAC makers, ``(key, msg)`` first: what a check of their digest verifies is the message alone, and
#: nothing when an untrusted source gives the key or the message is a slice of the data.
MAC_MAKERS = frozenset({"hmac.new", "hmac.HMAC", "hmac.digest"})
#: MAC digests: comparing one with ``==`` or ``!=`` is a signature check.
DIGESTS = frozenset(
    f"{maker}.{method}()"
    for maker in ("hmac.new()", "hmac.HMAC()")
    for method in ("digest", "hexdigest")
) | {"hmac.digest()"}
#: ``module.attr`` with one of these modules and attributes serialises: its output is the program's own.
DUMP_SUFFIXES: Tuple[str, ...] = (".dumps", ".dump", ".encode", ".packb", ".dump_all", ".safe_dump")
DUMP_MODULES: Tuple[str, ...] = PICKLE_MODULES + ("marshal", "jsonpickle", "yaml", "msgpack", "msgpack_numpy", "joblib")
