#!/usr/bin/env python3
"""Measure whether third-party (and a few extra stdlib) objects survive pickle / deepcopy / copy.

Ground truth for flake8-pickle's PKL2xx resource catalogue, measured with the real packages.

Run with the interpreter whose packages you want measured (see README.md):

    /work/probe-venv/bin/python probes/thirdparty/probe.py            # from the repository root
    /work/probe-venv/bin/python probes/thirdparty/probe.py --no-servers
    /work/probe-venv/bin/python probes/thirdparty/probe.py --only redis

Writes table.json and table.md next to this file.

How it works
  * The parent process starts the local servers it can (a redis-server and a throw-away
    PostgreSQL cluster, both on 127.0.0.1 with random free ports, plus an in-process HTTP/1.1
    server on 127.0.0.1), then runs every candidate in its OWN child interpreter
    (``probe.py --child KEY``) with a timeout.  A crash (segfault, hang) of one candidate is
    therefore recorded, not fatal, and objects from different packages never interfere.
  * In the child each operation gets a freshly constructed object (so a ``__getstate__``
    with side effects, e.g. requests.Response reading its body, cannot influence the next
    operation):  pickle.dumps (default protocol) + pickle.loads,  copy.deepcopy,  copy.copy.
  * For every successful operation the child also looks for *shared* unpicklable objects:
    it walks the object graphs of the original and of the result (gc.get_referents) and
    lists objects that are the very same object in both and cannot be pickled themselves
    (a lock, a socket, an event loop ...).  That is how "copy succeeded but the copy silently
    shares the connection/lock" shows up in the ``*_shares`` fields.
  * Where it is cheap, a ``use`` check exercises the copy / the unpickled object (e.g. runs
    ``SELECT 1``, ``PING``, an HTTP GET against the loopback server) to tell whether the
    result still works.
  * Nothing leaves the machine: servers are on loopback, clients that would reach the network
    point at closed loopback ports, AWS credentials are the dummy strings 'x'/'y'.
  * Children end with os._exit() after printing their record, so no finalizer of a copy that
    shares a file descriptor with the original ever runs.

Record fields (table.json, a flat list):
  object, constructor, package, version, pickle, deepcopy, copy, pickle_error, deepcopy_error,
  copy_error, note  (required)
  key, group, type, state, server, python, *_shares, *_usable, *_same_object, construct_error
  (extra).  pickle/deepcopy/copy values: "ok", "fail", "loads_fail" (pickle.dumps ok,
  pickle.loads raised), or "not_measured" (package not installed / object could not be
  constructed / child crashed; the reason is in ``note``).
"""

import argparse
import contextlib
import copy
import datetime
import gc
import glob
import http.server
import importlib
import importlib.metadata
import json
import os
import pickle
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD_MARK = "@@PROBE-RECORD@@"
KEEP = []  # everything the child produces stays alive until os._exit

# --------------------------------------------------------------------------- helpers


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def qualname_of_type(t):
    mod = getattr(t, "__module__", None) or "?"
    name = getattr(t, "__qualname__", t.__name__)
    if mod == "builtins":
        return name
    if mod == "_pickle":
        mod = "pickle"
    return f"{mod}.{name}"


_NORMALISE = []  # (literal, replacement) filled by the child from the server config


def normalise(msg):
    msg = re.sub(r"0x[0-9a-fA-F]{4,}", "0x...", msg)
    msg = re.sub(r"\s*\n\s*", " ", msg).strip()
    for lit, rep in _NORMALISE:
        if lit:
            msg = msg.replace(lit, rep)
    if len(msg) > 600:
        msg = msg[:600] + "...[truncated]"
    return msg


def exc_where(e):
    """Innermost frame of the traceback as 'path/inside/site-packages:line in func'."""
    tb = e.__traceback__
    if tb is None:
        return ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    fn = tb.tb_frame.f_code.co_filename
    if os.path.abspath(fn) == os.path.abspath(__file__):
        return "C code (no Python frame below the probe)"
    for marker in ("site-packages/", "/lib/python3."):
        if marker in fn:
            fn = fn.split(marker, 1)[1]
            if marker.startswith("/lib"):
                fn = "python3." + fn
            break
    return f"{fn}:{tb.tb_lineno} in {tb.tb_frame.f_code.co_name}"


def fmt_exc(e):
    text = str(e)
    return normalise(f"{qualname_of_type(type(e))}: {text}" if text else qualname_of_type(type(e)))


def dist_version(dist):
    if dist is None:
        return platform.python_version()
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


# ---------------------------------------------------------------- shared-resource detection

_ATOMIC = (type(None), bool, int, float, complex, str, bytes, type, range,
           type(len), type(lambda: 0), type(os), type(Ellipsis), type(NotImplemented))
_SKIP_TYPE_NAMES = {
    "code", "cell", "getset_descriptor", "member_descriptor", "wrapper_descriptor",
    "method_descriptor", "classmethod_descriptor", "mappingproxy", "property", "staticmethod",
    "classmethod", "frame", "weakref", "ReferenceType", "builtin_function_or_method",
    "method-wrapper", "frozenset", "re.Pattern", "Pattern", "function", "module", "method",
}
_LEAF_CACHE = {}


def _walk(root, limit=40000):
    seen = {}
    stack = [root]
    while stack and len(seen) < limit:
        o = stack.pop()
        if id(o) in seen or isinstance(o, _ATOMIC):
            continue
        if type(o).__name__ in _SKIP_TYPE_NAMES:
            continue
        seen[id(o)] = o
        try:
            stack.extend(gc.get_referents(o))
        except Exception:
            pass
    return seen


def _is_unpicklable_leaf(o):
    """True if pickling `o` fails and the error blames o's own type (not something it holds)."""
    t = type(o)
    if t in (dict, list, tuple, set):
        return False
    if t in _LEAF_CACHE:
        return _LEAF_CACHE[t]
    res = False
    try:
        pickle.dumps(o)
    except RecursionError:
        res = False
    except Exception as e:  # noqa: BLE001
        msg = str(e)
        res = (t.__name__ in msg) or (t.__qualname__ in msg)
    _LEAF_CACHE[t] = res
    return res


# display filter: the last component of a type name that looks like an OS/thread resource
RESOURCE_NAME_RE = re.compile(
    r"lock|_local|socket|ssl|epoll|poll|kqueue|selector|connection|cursor|fileio|buffered|"
    r"iowrapper|thread|loop|channel|mmap|popen|queue|transport|future|task", re.I)


def resource_subset(shares):
    """The OS/thread-resource-looking part of a shared_resources() string (display only)."""
    if not shares or shares.startswith(("result is", "(graph")):
        return shares
    items = [x for x in shares.split(", ")]
    res = [x for x in items if RESOURCE_NAME_RE.search(x.split(" x")[0].rsplit(".", 1)[-1])]
    other = len(items) - len(res)
    return ", ".join(res) + (f" (+{other} other unpicklable type{'s' if other > 1 else ''})"
                             if other and res else "")


def shared_resources(orig, result):
    """Unpicklable objects reachable from both `orig` and `result` (same identity)."""
    if result is orig:
        return "result is the original object"
    try:
        a = _walk(orig)
        b = _walk(result)
    except Exception as e:  # noqa: BLE001
        return f"(graph walk failed: {fmt_exc(e)})"
    common = set(a) & set(b)
    counts = {}
    for i in common:
        o = a[i]
        if _is_unpicklable_leaf(o):
            n = qualname_of_type(type(o))
            counts[n] = counts.get(n, 0) + 1
    if not counts:
        return ""
    return ", ".join(f"{n} x{c}" if c > 1 else n for n, c in sorted(counts.items()))


# --------------------------------------------------------------------------- candidates


class Ctx:
    """What a builder gets: server addresses, a temp dir, an event loop on demand, cleanups."""

    def __init__(self, servers):
        self.servers = servers
        self.tmp = servers.get("tmp") or tempfile.mkdtemp(prefix="pklprobe-")
        self._loop = None

    @property
    def loop(self):
        import asyncio
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            KEEP.append(self._loop)
        return self._loop

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def need(self, name):
        v = self.servers.get(name)
        if not v:
            label = {"redis_port": "redis", "http_port": "HTTP"}.get(name, name)
            raise ServerUnavailable(f"local {label} server not available "
                                    f"({self.servers.get(name + '_error') or 'not started'})")
        return v

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.need('http_port')}/"


class ServerUnavailable(Exception):
    pass


CANDIDATES = []


def cand(key, obj, constructor, dist, group, note="", server="", state="", use=None,
         relate=None):
    """Register a candidate.

    use(result, ctx)       exercises a successful copy / unpickled object (raises if broken)
    relate(orig, result)   returns a string describing how the result relates to the original
                           (e.g. "shadow of the same libzmq socket") for sharing that the
                           generic graph walk cannot see (C-level handles)
    """
    def deco(fn):
        CANDIDATES.append(dict(key=key, object=obj, constructor=constructor, package=dist,
                               group=group, note=note, server=server, state=state,
                               build=fn, use=use, relate=relate))
        return fn
    return deco


# ---- SQLAlchemy -------------------------------------------------------------

def _sa_use_engine(e, ctx):
    import sqlalchemy as sa
    with e.connect() as c:
        c.execute(sa.text("select 1")).scalar()


@cand("sa_engine", "create_engine('sqlite://') (never connected)", "sqlalchemy.create_engine",
      "SQLAlchemy", "sqlalchemy", state="unused", use=_sa_use_engine)
def _(ctx):
    import sqlalchemy as sa
    return sa.create_engine("sqlite://")


@cand("sa_engine_used", "create_engine('sqlite://') after one connect()/close()",
      "sqlalchemy.create_engine", "SQLAlchemy", "sqlalchemy", state="after first use",
      use=_sa_use_engine)
def _(ctx):
    import sqlalchemy as sa
    e = sa.create_engine("sqlite://")
    with e.connect() as c:
        c.execute(sa.text("select 1"))
    return e


@cand("sa_engine_file_used", "create_engine('sqlite:///file.db') (QueuePool) after first use",
      "sqlalchemy.create_engine", "SQLAlchemy", "sqlalchemy", state="after first use",
      use=_sa_use_engine)
def _(ctx):
    import sqlalchemy as sa
    e = sa.create_engine(f"sqlite:///{ctx.tmp}/sa.db")
    with e.connect() as c:
        c.execute(sa.text("select 1"))
    return e


@cand("sa_engine_checked_out", "create_engine('sqlite://') with a Connection checked out",
      "sqlalchemy.create_engine", "SQLAlchemy", "sqlalchemy", state="connection checked out")
def _(ctx):
    import sqlalchemy as sa
    e = sa.create_engine("sqlite://")
    c = e.connect()
    KEEP.append(c)
    return e


@cand("sa_connection", "engine.connect() (sqlite)", "sqlalchemy.engine.Engine.connect",
      "SQLAlchemy", "sqlalchemy", state="open")
def _(ctx):
    import sqlalchemy as sa
    e = sa.create_engine("sqlite://")
    return e.connect()


@cand("sa_result", "conn.execute(text('select 1')) CursorResult (sqlite)",
      "sqlalchemy.engine.Connection.execute", "SQLAlchemy", "sqlalchemy", state="unconsumed")
def _(ctx):
    import sqlalchemy as sa
    e = sa.create_engine("sqlite://")
    c = e.connect()
    KEEP.append(c)
    return c.execute(sa.text("select 1"))


@cand("sa_session", "Session(engine) (sqlite, no query yet)", "sqlalchemy.orm.Session",
      "SQLAlchemy", "sqlalchemy", state="unused")
def _(ctx):
    import sqlalchemy as sa
    from sqlalchemy.orm import Session
    return Session(sa.create_engine("sqlite://"))


@cand("sa_session_used", "Session(engine) after session.execute(select 1) (transaction open)",
      "sqlalchemy.orm.Session", "SQLAlchemy", "sqlalchemy", state="in transaction")
def _(ctx):
    import sqlalchemy as sa
    from sqlalchemy.orm import Session
    s = Session(sa.create_engine("sqlite://"))
    s.execute(sa.text("select 1"))
    return s


@cand("sa_sessionmaker", "sessionmaker() (unbound)", "sqlalchemy.orm.sessionmaker",
      "SQLAlchemy", "sqlalchemy")
def _(ctx):
    from sqlalchemy.orm import sessionmaker
    return sessionmaker()


@cand("sa_sessionmaker_bound", "sessionmaker(bind=create_engine('sqlite://'))",
      "sqlalchemy.orm.sessionmaker", "SQLAlchemy", "sqlalchemy")
def _(ctx):
    import sqlalchemy as sa
    from sqlalchemy.orm import sessionmaker
    return sessionmaker(bind=sa.create_engine("sqlite://"))


@cand("sa_scoped_session", "scoped_session(sessionmaker())", "sqlalchemy.orm.scoped_session",
      "SQLAlchemy", "sqlalchemy")
def _(ctx):
    from sqlalchemy.orm import scoped_session, sessionmaker
    return scoped_session(sessionmaker())


@cand("sa_metadata", "MetaData() with one Table (control)", "sqlalchemy.MetaData",
      "SQLAlchemy", "sqlalchemy", note="control: schema objects are plain data")
def _(ctx):
    import sqlalchemy as sa
    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String))
    return md


def _sa_pg_url(ctx):
    dsn = ctx.need("postgres")
    return (f"postgresql+psycopg2://{dsn['user']}@127.0.0.1:{dsn['port']}/{dsn['dbname']}")


@cand("sa_engine_pg_used", "create_engine('postgresql+psycopg2://...') after first use",
      "sqlalchemy.create_engine", "SQLAlchemy", "sqlalchemy", server="postgres",
      state="after first use", use=_sa_use_engine)
def _(ctx):
    import sqlalchemy as sa
    e = sa.create_engine(_sa_pg_url(ctx))
    with e.connect() as c:
        c.execute(sa.text("select 1"))
    return e


# ---- redis ------------------------------------------------------------------

def _redis_use(r, ctx):
    if not ctx.servers.get("redis_port"):
        raise ServerUnavailable("no local redis-server")
    r.ping()


@cand("redis_lazy", "redis.Redis() (default localhost:6379, never connected)", "redis.Redis",
      "redis", "redis", state="unused", note="lazy client: no socket until the first command")
def _(ctx):
    import redis
    return redis.Redis()


@cand("redis_used", "redis.Redis(port=<local>) after PING", "redis.Redis", "redis", "redis",
      server="redis", state="after first use", use=_redis_use)
def _(ctx):
    import redis
    r = redis.Redis(host="127.0.0.1", port=ctx.need("redis_port"))
    r.ping()
    return r


@cand("redis_from_url", "redis.from_url('redis://127.0.0.1:<local>') (never connected)",
      "redis.from_url", "redis", "redis", state="unused")
def _(ctx):
    import redis
    return redis.from_url(f"redis://127.0.0.1:{ctx.servers.get('redis_port') or 6379}/0")


@cand("redis_pool", "redis.ConnectionPool() (no connection made)", "redis.ConnectionPool",
      "redis", "redis", state="unused")
def _(ctx):
    import redis
    return redis.ConnectionPool()


@cand("redis_pool_used", "redis.ConnectionPool(port=<local>) with one idle connection",
      "redis.ConnectionPool", "redis", "redis", server="redis", state="after first use")
def _(ctx):
    import redis
    pool = redis.ConnectionPool(host="127.0.0.1", port=ctx.need("redis_port"))
    redis.Redis(connection_pool=pool).ping()
    return pool


@cand("redis_pubsub", "redis.Redis().pubsub() (not subscribed)", "redis.Redis.pubsub",
      "redis", "redis", state="unused")
def _(ctx):
    import redis
    return redis.Redis().pubsub()


@cand("redis_pubsub_subscribed", "r.pubsub() after subscribe('ch') (holds a connection)",
      "redis.Redis.pubsub", "redis", "redis", server="redis", state="subscribed")
def _(ctx):
    import redis
    p = redis.Redis(host="127.0.0.1", port=ctx.need("redis_port")).pubsub()
    p.subscribe("ch")
    return p


@cand("redis_pipeline", "redis.Redis().pipeline() (never connected)", "redis.Redis.pipeline",
      "redis", "redis", state="unused")
def _(ctx):
    import redis
    return redis.Redis().pipeline()


@cand("redis_lock", "redis.Redis().lock('name') (redis-side lock object)", "redis.Redis.lock",
      "redis", "redis", state="unused")
def _(ctx):
    import redis
    return redis.Redis().lock("name")


@cand("redis_asyncio", "redis.asyncio.Redis() (never connected)", "redis.asyncio.Redis",
      "redis", "redis", state="unused")
def _(ctx):
    import redis.asyncio
    return redis.asyncio.Redis()


# ---- psycopg2 -----------------------------------------------------------------

def _pg_connect(ctx):
    import psycopg2
    d = ctx.need("postgres")
    return psycopg2.connect(host="127.0.0.1", port=d["port"], user=d["user"], dbname=d["dbname"])


@cand("pg_conn", "psycopg2.connect(<local PostgreSQL>)", "psycopg2.connect", "psycopg2-binary",
      "psycopg2", server="postgres", state="open")
def _(ctx):
    return _pg_connect(ctx)


@cand("pg_conn_closed", "psycopg2.connect(...) after conn.close()", "psycopg2.connect",
      "psycopg2-binary", "psycopg2", server="postgres", state="closed")
def _(ctx):
    c = _pg_connect(ctx)
    c.close()
    return c


@cand("pg_cursor", "conn.cursor() (psycopg2)", "psycopg2.extensions.connection.cursor",
      "psycopg2-binary", "psycopg2", server="postgres", state="after execute")
def _(ctx):
    c = _pg_connect(ctx)
    KEEP.append(c)
    cur = c.cursor()
    cur.execute("select 1")
    return cur


@cand("pg_pool", "psycopg2.pool.ThreadedConnectionPool(1, 2, ...)",
      "psycopg2.pool.ThreadedConnectionPool", "psycopg2-binary", "psycopg2", server="postgres",
      state="one connection open")
def _(ctx):
    import psycopg2.pool
    d = ctx.need("postgres")
    return psycopg2.pool.ThreadedConnectionPool(1, 2, host="127.0.0.1", port=d["port"],
                                                user=d["user"], dbname=d["dbname"])


@cand("pg_connect_refused", "psycopg2.connect(port=<closed>)", "psycopg2.connect",
      "psycopg2-binary", "psycopg2", state="construction attempt",
      note="expected to fail at construction: shows what a linter cannot measure without a server")
def _(ctx):
    import psycopg2
    return psycopg2.connect(host="127.0.0.1", port=1, user="x", dbname="x", connect_timeout=2)


# ---- pymysql ------------------------------------------------------------------

@cand("pymysql_deferred", "pymysql.connect(defer_connect=True) (no server)", "pymysql.connect",
      "PyMySQL", "pymysql", state="unconnected",
      note="no MySQL server: defer_connect=True measures the client object before connect()")
def _(ctx):
    import pymysql
    return pymysql.connect(host="127.0.0.1", port=1, user="x", password="y", defer_connect=True)


@cand("pymysql_connection_cls", "pymysql.connections.Connection(defer_connect=True)",
      "pymysql.connections.Connection", "PyMySQL", "pymysql", state="unconnected")
def _(ctx):
    import pymysql.connections
    return pymysql.connections.Connection(host="127.0.0.1", port=1, defer_connect=True)


# ---- boto3 --------------------------------------------------------------------

_AWS = dict(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def _boto_use(c, ctx):
    c.list_buckets()


@cand("boto3_client", "boto3.client('s3', region_name=..., dummy keys)", "boto3.client",
      "boto3", "boto3", state="unused")
def _(ctx):
    import boto3
    return boto3.client("s3", **_AWS)


@cand("boto3_client_used", "boto3.client('s3', endpoint_url=<loopback>) after list_buckets()",
      "boto3.client", "boto3", "boto3", server="http", state="after first use", use=_boto_use)
def _(ctx):
    import boto3
    c = boto3.client("s3", endpoint_url=ctx.http_url.rstrip("/"), **_AWS)
    c.list_buckets()
    return c


@cand("boto3_session", "boto3.session.Session()", "boto3.session.Session", "boto3", "boto3")
def _(ctx):
    import boto3.session
    return boto3.session.Session(**_AWS)


@cand("boto3_Session", "boto3.Session() (same class, top-level alias)", "boto3.Session",
      "boto3", "boto3")
def _(ctx):
    import boto3
    return boto3.Session()


@cand("boto3_resource", "boto3.resource('s3', ...)", "boto3.resource", "boto3", "boto3")
def _(ctx):
    import boto3
    return boto3.resource("s3", **_AWS)


@cand("boto3_bucket", "boto3.resource('s3', ...).Bucket('b')", "boto3.resource", "boto3", "boto3",
      note="a sub-resource; the constructor a linter sees is the resource() call")
def _(ctx):
    import boto3
    return boto3.resource("s3", **_AWS).Bucket("b")


@cand("botocore_session", "botocore.session.get_session()", "botocore.session.get_session",
      "botocore", "boto3")
def _(ctx):
    import botocore.session
    return botocore.session.get_session()


@cand("botocore_config", "botocore.config.Config(retries=...) (control)", "botocore.config.Config",
      "botocore", "boto3", note="control: plain configuration object")
def _(ctx):
    from botocore.config import Config
    return Config(retries={"max_attempts": 3})


# ---- httpx --------------------------------------------------------------------

def _body_use(resp, ctx):
    """The response body must still be there (S3_BODY is what the loopback server sends)."""
    if resp.content != S3_BODY:
        raise AssertionError(f"body differs: {resp.content[:40]!r}")


def _httpx_use(c, ctx):
    c.get(ctx.http_url)


@cand("httpx_client", "httpx.Client()", "httpx.Client", "httpx", "httpx", state="unused",
      use=_httpx_use)
def _(ctx):
    import httpx
    return httpx.Client()


@cand("httpx_client_used", "httpx.Client() after a GET to the loopback server", "httpx.Client",
      "httpx", "httpx", server="http", state="after first use (keep-alive connection pooled)",
      use=_httpx_use)
def _(ctx):
    import httpx
    c = httpx.Client()
    c.get(ctx.http_url)
    return c


@cand("httpx_async_client", "httpx.AsyncClient()", "httpx.AsyncClient", "httpx", "httpx",
      state="unused")
def _(ctx):
    import httpx
    return httpx.AsyncClient()


@cand("httpx_async_client_used", "httpx.AsyncClient() after an awaited GET to the loopback server",
      "httpx.AsyncClient", "httpx", "httpx", server="http",
      state="after first use (loop open, not running)")
def _(ctx):
    import httpx
    url = ctx.http_url

    async def make():
        c = httpx.AsyncClient()
        await c.get(url)
        return c
    return ctx.run(make())


@cand("httpx_response", "httpx.Client().get(<loopback>) Response (body read)", "httpx.Client.get",
      "httpx", "httpx", server="http", state="closed stream", use=_body_use)
def _(ctx):
    import httpx
    c = httpx.Client()
    KEEP.append(c)
    return c.get(ctx.http_url)


@cand("httpx_stream_response", "httpx.Client().stream('GET', ...) Response (body NOT read)",
      "httpx.Client.stream", "httpx", "httpx", server="http", state="open stream", use=_body_use)
def _(ctx):
    import httpx
    c = httpx.Client()
    KEEP.append(c)
    cm = c.stream("GET", ctx.http_url)
    KEEP.append(cm)
    return cm.__enter__()


# ---- requests -----------------------------------------------------------------

def _requests_use(s, ctx):
    s.get(ctx.http_url).raise_for_status()


@cand("requests_session", "requests.Session()", "requests.Session", "requests", "requests",
      state="unused", use=_requests_use)
def _(ctx):
    import requests
    return requests.Session()


@cand("requests_session_used", "requests.Session() after a GET to the loopback server",
      "requests.Session", "requests", "requests", server="http",
      state="after first use (keep-alive connection pooled)", use=_requests_use)
def _(ctx):
    import requests
    s = requests.Session()
    s.get(ctx.http_url)
    return s


@cand("requests_response", "requests.get(<loopback http.server>) Response", "requests.get",
      "requests", "requests", server="http", state="body read", use=_body_use)
def _(ctx):
    import requests
    return requests.get(ctx.http_url)


def _requests_consumed(o, r):
    return ("the operation read the ORIGINAL's streamed body (Response.__getstate__ accesses "
            ".content)" if o._content_consumed else "original body left unread")


@cand("requests_response_stream", "requests.get(<loopback>, stream=True) Response (body unread)",
      "requests.get", "requests", "requests", server="http", state="body unread (stream=True)",
      use=_body_use, relate=_requests_consumed)
def _(ctx):
    import requests
    return requests.get(ctx.http_url, stream=True)


@cand("requests_adapter", "requests.adapters.HTTPAdapter()", "requests.adapters.HTTPAdapter",
      "requests", "requests")
def _(ctx):
    import requests.adapters
    return requests.adapters.HTTPAdapter()


@cand("urllib3_poolmanager", "urllib3.PoolManager()", "urllib3.PoolManager", "urllib3", "requests")
def _(ctx):
    import urllib3
    return urllib3.PoolManager()


@cand("urllib3_poolmanager_used", "urllib3.PoolManager() after a GET to the loopback server",
      "urllib3.PoolManager", "urllib3", "requests", server="http", state="after first use")
def _(ctx):
    import urllib3
    pm = urllib3.PoolManager()
    pm.request("GET", ctx.http_url)
    return pm


# ---- aiohttp ------------------------------------------------------------------

@cand("aiohttp_session", "aiohttp.ClientSession() created inside a running loop",
      "aiohttp.ClientSession", "aiohttp", "aiohttp", state="unused (loop alive, not running)")
def _(ctx):
    import aiohttp

    async def make():
        return aiohttp.ClientSession()
    return ctx.run(make())


@cand("aiohttp_session_used", "aiohttp.ClientSession() after a GET to the loopback server",
      "aiohttp.ClientSession", "aiohttp", "aiohttp", server="http", state="after first use")
def _(ctx):
    import aiohttp
    url = ctx.http_url

    async def make():
        s = aiohttp.ClientSession()
        async with s.get(url) as r:
            await r.read()
        return s
    return ctx.run(make())


@cand("aiohttp_connector", "aiohttp.TCPConnector() created inside a running loop",
      "aiohttp.TCPConnector", "aiohttp", "aiohttp")
def _(ctx):
    import aiohttp

    async def make():
        return aiohttp.TCPConnector()
    return ctx.run(make())


# ---- paramiko -----------------------------------------------------------------

@cand("paramiko_sshclient", "paramiko.SSHClient()", "paramiko.SSHClient", "paramiko", "paramiko",
      state="unconnected")
def _(ctx):
    import paramiko
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    return c


@cand("paramiko_transport", "paramiko.Transport(sock) over socket.socketpair() (not started)",
      "paramiko.Transport", "paramiko", "paramiko", state="not started")
def _(ctx):
    import paramiko
    a, b = socket.socketpair()
    KEEP.extend([a, b])
    return paramiko.Transport(a)


def _paramiko_pair(ctx):
    """An SSH handshake done entirely in-process over a socketpair (paramiko on both ends)."""
    import paramiko

    class Srv(paramiko.ServerInterface):
        def get_allowed_auths(self, username):
            return "password"

        def check_auth_password(self, username, password):
            return paramiko.AUTH_SUCCESSFUL

    key = paramiko.RSAKey.generate(2048)
    a, b = socket.socketpair()
    st = paramiko.Transport(b)
    st.add_server_key(key)
    errs = []

    def serve():
        try:
            st.start_server(server=Srv())
        except Exception as e:  # noqa: BLE001
            errs.append(e)
    th = threading.Thread(target=serve, daemon=True)
    th.start()
    KEEP.extend([a, b, st, th, key])
    return a, errs


@cand("paramiko_sshclient_connected", "paramiko.SSHClient() connected (in-process SSH server "
      "over socketpair)", "paramiko.SSHClient", "paramiko", "paramiko", state="connected",
      server="in-process paramiko server")
def _(ctx):
    import paramiko
    a, errs = _paramiko_pair(ctx)
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect("localhost", username="u", password="p", sock=a, look_for_keys=False,
              allow_agent=False, timeout=10)
    return c


@cand("paramiko_rsakey", "paramiko.RSAKey.generate(2048)", "paramiko.RSAKey.generate",
      "paramiko", "paramiko", note="private key object (not an OS resource)")
def _(ctx):
    import paramiko
    return paramiko.RSAKey.generate(2048)


# ---- kafka-python -------------------------------------------------------------

_KAFKA = dict(bootstrap_servers="127.0.0.1:1", api_version=(2, 0, 0))


@cand("kafka_producer", "KafkaProducer(bootstrap_servers='127.0.0.1:1', api_version=(2,0,0))",
      "kafka.KafkaProducer", "kafka-python", "kafka", state="broker unreachable",
      note="no broker: bootstrap points to a closed loopback port; api_version given so the "
      "constructor does not probe the broker")
def _(ctx):
    import kafka
    return kafka.KafkaProducer(**_KAFKA)


@cand("kafka_consumer", "KafkaConsumer('t', bootstrap_servers='127.0.0.1:1', api_version=(2,0,0))",
      "kafka.KafkaConsumer", "kafka-python", "kafka", state="broker unreachable",
      note="no broker: bootstrap points to a closed loopback port")
def _(ctx):
    import kafka
    return kafka.KafkaConsumer("t", **_KAFKA)


# ---- pika ---------------------------------------------------------------------

@cand("pika_params", "pika.ConnectionParameters(host='127.0.0.1', port=1)",
      "pika.ConnectionParameters", "pika", "pika", note="plain parameters (no broker)")
def _(ctx):
    import pika
    return pika.ConnectionParameters(host="127.0.0.1", port=1)


@cand("pika_url_params", "pika.URLParameters('amqp://u:p@127.0.0.1:1/%2F')", "pika.URLParameters",
      "pika", "pika")
def _(ctx):
    import pika
    return pika.URLParameters("amqp://u:p@127.0.0.1:1/%2F")


@cand("pika_credentials", "pika.PlainCredentials('u', 'p')", "pika.PlainCredentials", "pika",
      "pika")
def _(ctx):
    import pika
    return pika.PlainCredentials("u", "p")


@cand("pika_blocking", "pika.BlockingConnection(ConnectionParameters(port=<closed>))",
      "pika.BlockingConnection", "pika", "pika", state="construction attempt",
      note="no RabbitMQ broker: BlockingConnection connects in its constructor")
def _(ctx):
    import pika
    return pika.BlockingConnection(pika.ConnectionParameters(
        host="127.0.0.1", port=1, connection_attempts=1, socket_timeout=2))


@cand("pika_select", "pika.SelectConnection(ConnectionParameters(port=<closed>)) (ioloop not run)",
      "pika.SelectConnection", "pika", "pika", state="connecting (ioloop never run)",
      note="no broker: the connection attempt is only scheduled on the unrun ioloop")
def _(ctx):
    import pika
    return pika.SelectConnection(pika.ConnectionParameters(host="127.0.0.1", port=1))


# ---- zmq ----------------------------------------------------------------------

def _zmq_relate(o, r):
    if r.underlying == o.underlying:
        return "shadow object wrapping the SAME libzmq handle (copy shares the context/socket)"
    return "independent libzmq handle"


@cand("zmq_context", "zmq.Context()", "zmq.Context", "pyzmq", "zmq", relate=_zmq_relate)
def _(ctx):
    import zmq
    c = zmq.Context()
    return c


@cand("zmq_socket", "zmq.Context().socket(zmq.PUSH) (unbound)", "zmq.Context.socket", "pyzmq",
      "zmq", state="unbound", relate=_zmq_relate)
def _(ctx):
    import zmq
    c = zmq.Context()
    KEEP.append(c)
    return c.socket(zmq.PUSH)


@cand("zmq_socket_bound", "ctx.socket(zmq.PULL) bound to tcp://127.0.0.1:*", "zmq.Context.socket",
      "pyzmq", "zmq", state="bound", relate=_zmq_relate)
def _(ctx):
    import zmq
    c = zmq.Context()
    KEEP.append(c)
    s = c.socket(zmq.PULL)
    s.bind_to_random_port("tcp://127.0.0.1")
    return s


@cand("zmq_asyncio_context", "zmq.asyncio.Context()", "zmq.asyncio.Context", "pyzmq", "zmq",
      relate=_zmq_relate)
def _(ctx):
    import zmq.asyncio
    return zmq.asyncio.Context()


@cand("zmq_poller", "zmq.Poller()", "zmq.Poller", "pyzmq", "zmq", state="empty")
def _(ctx):
    import zmq
    return zmq.Poller()


@cand("zmq_frame", "zmq.Frame(b'x') (control)", "zmq.Frame", "pyzmq", "zmq",
      note="message frame, no OS resource")
def _(ctx):
    import zmq
    return zmq.Frame(b"x")


# ---- grpc ---------------------------------------------------------------------

@cand("grpc_channel", "grpc.insecure_channel('localhost:1')", "grpc.insecure_channel", "grpcio",
      "grpc", state="idle (lazy connect)")
def _(ctx):
    import grpc
    return grpc.insecure_channel("localhost:1")


@cand("grpc_aio_channel", "grpc.aio.insecure_channel('localhost:1') inside a running loop",
      "grpc.aio.insecure_channel", "grpcio", "grpc", state="idle")
def _(ctx):
    import grpc.aio

    async def make():
        return grpc.aio.insecure_channel("localhost:1")
    return ctx.run(make())


@cand("grpc_server", "grpc.server(ThreadPoolExecutor(1)) (not started)", "grpc.server", "grpcio",
      "grpc", state="not started")
def _(ctx):
    import concurrent.futures
    import grpc
    return grpc.server(concurrent.futures.ThreadPoolExecutor(1))


@cand("grpc_creds", "grpc.ssl_channel_credentials()", "grpc.ssl_channel_credentials", "grpcio",
      "grpc")
def _(ctx):
    import grpc
    return grpc.ssl_channel_credentials()


# ---- stdlib extras ------------------------------------------------------------

@cand("mp_threadpool", "multiprocessing.pool.ThreadPool(1)", "multiprocessing.pool.ThreadPool",
      None, "stdlib", state="running (worker threads started)")
def _(ctx):
    import multiprocessing.pool
    return multiprocessing.pool.ThreadPool(1)


@cand("log_rotating", "logging.handlers.RotatingFileHandler(<tmp file>)",
      "logging.handlers.RotatingFileHandler", None, "stdlib", state="file open")
def _(ctx):
    import logging.handlers
    return logging.handlers.RotatingFileHandler(os.path.join(ctx.tmp, "r.log"), maxBytes=1000)


@cand("log_rotating_delay", "logging.handlers.RotatingFileHandler(<tmp file>, delay=True)",
      "logging.handlers.RotatingFileHandler", None, "stdlib", state="file not yet opened")
def _(ctx):
    import logging.handlers
    return logging.handlers.RotatingFileHandler(os.path.join(ctx.tmp, "r2.log"), delay=True)


@cand("log_timed_rotating", "logging.handlers.TimedRotatingFileHandler(<tmp file>)",
      "logging.handlers.TimedRotatingFileHandler", None, "stdlib", state="file open")
def _(ctx):
    import logging.handlers
    return logging.handlers.TimedRotatingFileHandler(os.path.join(ctx.tmp, "t.log"))


@cand("log_queue_handler", "logging.handlers.QueueHandler(queue.Queue())",
      "logging.handlers.QueueHandler", None, "stdlib")
def _(ctx):
    import logging.handlers
    import queue
    return logging.handlers.QueueHandler(queue.Queue())


@cand("log_queue_listener", "logging.handlers.QueueListener(queue.Queue()) (not started)",
      "logging.handlers.QueueListener", None, "stdlib", state="not started")
def _(ctx):
    import logging.handlers
    import queue
    return logging.handlers.QueueListener(queue.Queue())


@cand("log_socket_handler", "logging.handlers.SocketHandler('localhost', 1)",
      "logging.handlers.SocketHandler", None, "stdlib", state="not connected (lazy)")
def _(ctx):
    import logging.handlers
    return logging.handlers.SocketHandler("localhost", 1)


@cand("log_memory_handler", "logging.handlers.MemoryHandler(10)", "logging.handlers.MemoryHandler",
      None, "stdlib")
def _(ctx):
    import logging.handlers
    return logging.handlers.MemoryHandler(10)


@cand("log_null_handler", "logging.NullHandler()", "logging.NullHandler", None, "stdlib")
def _(ctx):
    import logging
    return logging.NullHandler()


def _asyncio_unbound(name, make):
    @cand(f"asyncio_{name.lower()}_unbound", f"asyncio.{name}() (unbound, created outside a loop)",
          f"asyncio.{name}", None, "asyncio", state="unbound")
    def _(ctx):
        import asyncio
        return make(asyncio)


def _asyncio_bound(name, exercise):
    @cand(f"asyncio_{name.lower()}_bound",
          f"asyncio.{name}() after contended use in a running loop",
          f"asyncio.{name}", None, "asyncio", state="bound to its loop (loop open, not running)",
          note="the first wait binds the primitive to the running loop (_LoopBoundMixin._loop)")
    def _(ctx):
        import asyncio
        return ctx.run(exercise(asyncio))


_asyncio_unbound("Lock", lambda a: a.Lock())
_asyncio_unbound("Event", lambda a: a.Event())
_asyncio_unbound("Queue", lambda a: a.Queue())
_asyncio_unbound("Semaphore", lambda a: a.Semaphore(1))
_asyncio_unbound("BoundedSemaphore", lambda a: a.BoundedSemaphore(1))
_asyncio_unbound("Condition", lambda a: a.Condition())


async def _ex_lock(asyncio):
    lock = asyncio.Lock()
    await lock.acquire()
    t = asyncio.ensure_future(lock.acquire())  # has to wait -> binds the loop
    await asyncio.sleep(0)
    lock.release()
    await t
    lock.release()
    return lock


async def _ex_event(asyncio):
    ev = asyncio.Event()
    t = asyncio.ensure_future(ev.wait())
    await asyncio.sleep(0)
    ev.set()
    await t
    ev.clear()
    return ev


async def _ex_queue(asyncio):
    q = asyncio.Queue()
    t = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    q.put_nowait(1)
    await t
    return q


async def _ex_sem(asyncio, cls="Semaphore"):
    s = getattr(asyncio, cls)(1)
    await s.acquire()
    t = asyncio.ensure_future(s.acquire())
    await asyncio.sleep(0)
    s.release()
    await t
    s.release()
    return s


async def _ex_cond(asyncio):
    c = asyncio.Condition()

    async def waiter():
        async with c:
            await c.wait()
    t = asyncio.ensure_future(waiter())
    await asyncio.sleep(0)
    async with c:
        c.notify_all()
    await t
    return c


_asyncio_bound("Lock", _ex_lock)
_asyncio_bound("Event", _ex_event)
_asyncio_bound("Queue", _ex_queue)
_asyncio_bound("Semaphore", _ex_sem)
_asyncio_bound("BoundedSemaphore", lambda a: _ex_sem(a, "BoundedSemaphore"))
_asyncio_bound("Condition", _ex_cond)


@cand("asyncio_policy_new_loop", "asyncio.get_event_loop_policy().new_event_loop()",
      "asyncio.AbstractEventLoopPolicy.new_event_loop", None, "asyncio")
def _(ctx):
    import asyncio
    return asyncio.get_event_loop_policy().new_event_loop()


@cand("asyncio_task_done", "a finished asyncio.Task (loop open)", "asyncio.create_task", None,
      "asyncio", state="done")
def _(ctx):
    import asyncio

    async def main():
        t = asyncio.create_task(asyncio.sleep(0))
        await t
        return t
    return ctx.run(main())


# ---- controls -----------------------------------------------------------------

@cand("numpy_generator", "numpy.random.default_rng(0) (Generator)", "numpy.random.default_rng",
      "numpy", "control", note="control: expected to round-trip")
def _(ctx):
    import numpy as np
    return np.random.default_rng(0)


@cand("numpy_array", "numpy.arange(6).reshape(2, 3)", "numpy.arange", "numpy", "control",
      note="control")
def _(ctx):
    import numpy as np
    return np.arange(6).reshape(2, 3)


@cand("pandas_dataframe", "pandas.DataFrame({'a': [1, 2], 'b': ['x', 'y']})", "pandas.DataFrame",
      "pandas", "control", note="control: expected to round-trip")
def _(ctx):
    import pandas as pd
    return pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})


@cand("torch_linear", "torch.nn.Linear(2, 2)", "torch.nn.Linear", "torch", "control",
      note="control, measured only if torch is already installed (it is never installed here)")
def _(ctx):
    import torch
    return torch.nn.Linear(2, 2)


# --------------------------------------------------------------------------- child side


def _measure_op(op, build, ctx, use, relate=None):
    """Return dict(status, error, where, shares, usable, relation, same_object)."""
    out = dict(status=None, error="", where="", shares="", usable="", relation="",
               same_object=None)
    obj = build(ctx)
    KEEP.append(obj)
    try:
        if op == "pickle":
            data = pickle.dumps(obj)
            KEEP.append(data)
            try:
                res = pickle.loads(data)  # noqa: S301, DUO103, PKL102  (our own bytes)
            except Exception as e:  # noqa: BLE001
                out.update(status="loads_fail", error=fmt_exc(e), where=exc_where(e))
                return out
        elif op == "deepcopy":
            memo = {}
            KEEP.append(memo)
            res = copy.deepcopy(obj, memo)
        else:
            res = copy.copy(obj)
    except Exception as e:  # noqa: BLE001
        KEEP.append(e)
        out.update(status="fail", error=fmt_exc(e), where=exc_where(e))
        return out
    KEEP.append(res)
    out["status"] = "ok"
    out["same_object"] = res is obj
    out["shares"] = shared_resources(obj, res)
    if relate is not None:
        try:
            out["relation"] = relate(obj, res)
        except Exception as e:  # noqa: BLE001
            out["relation"] = f"(relation check failed: {fmt_exc(e)})"
    if use is not None:
        try:
            use(res, ctx)
            out["usable"] = "yes"
        except ServerUnavailable as e:
            out["usable"] = f"not checked ({e})"
        except Exception as e:  # noqa: BLE001
            out["usable"] = "no: " + fmt_exc(e)
    return out


def run_child(key, servers):
    c = next(c for c in CANDIDATES if c["key"] == key)
    _NORMALISE.append((servers.get("tmp"), "<tmp>"))
    if servers.get("redis_port"):
        _NORMALISE.append((f":{servers['redis_port']}", ":<redis-port>"))
    if servers.get("http_port"):
        _NORMALISE.append((f":{servers['http_port']}", ":<http-port>"))
    if servers.get("postgres"):
        _NORMALISE.append((f"port {servers['postgres']['port']}", "port <pg-port>"))
    rec = base_record(c)
    ctx = Ctx(servers)
    if rec["version"] is None:
        rec["note"] = join_notes("not installed", rec["note"])
        return rec
    try:
        probe_obj = c["build"](ctx)
        KEEP.append(probe_obj)
        t = type(probe_obj)
        rec["type"] = qualname_of_type(t)
    except ServerUnavailable as e:
        rec["note"] = join_notes(f"not measured: {e}", rec["note"])
        rec["construct_error"] = str(e)
        return rec
    except BaseException as e:  # noqa: BLE001, B036  (recorded, never re-raised)
        rec["construct_error"] = fmt_exc(e)
        rec["note"] = join_notes(f"construction failed: {fmt_exc(e)}", rec["note"])
        return rec
    for op in ("pickle", "deepcopy", "copy"):
        try:
            r = _measure_op(op, c["build"], ctx, c["use"], c["relate"])
        except BaseException as e:  # noqa: BLE001, B036  (a rebuild failed)
            r = dict(status="not_measured", error=f"rebuild failed: {fmt_exc(e)}", where="",
                     shares="", usable="", relation="", same_object=None)
        rec[op] = r["status"]
        rec[f"{op}_error"] = r["error"]
        rec[f"{op}_raised_at"] = r["where"]
        rec[f"{op}_relation"] = r["relation"]
        rec[f"{op}_shares"] = r["shares"]
        rec[f"{op}_usable"] = r["usable"]
        rec[f"{op}_same_object"] = r["same_object"]
    return rec


def join_notes(*parts):
    return "; ".join(p for p in parts if p)


def base_record(c):
    dist = c["package"]
    version = dist_version(dist)
    return dict(
        key=c["key"], group=c["group"], object=c["object"], constructor=c["constructor"],
        package=dist or "stdlib", version=version,
        pickle="not_measured", deepcopy="not_measured", copy="not_measured",
        pickle_error="", deepcopy_error="", copy_error="",
        note=c["note"], state=c["state"], server=c["server"], type="",
        python=platform.python_version(),
    )


# --------------------------------------------------------------------------- servers (parent)


S3_BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
           b'<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
           b'<Owner><ID>x</ID><DisplayName>x</DisplayName></Owner><Buckets></Buckets>'
           b'</ListAllMyBucketsResult>')


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients keep a pooled socket

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(S3_BODY)))
        self.end_headers()
        self.wfile.write(S3_BODY)

    do_POST = do_PUT = do_GET

    def log_message(self, *a):
        pass


class _QuietHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that vanish (children end with os._exit) reset their connections


class Servers:
    def __init__(self, enable=True):
        self.info = {"tmp": tempfile.mkdtemp(prefix="pklprobe-")}
        self.procs = []
        self.pgdata = None
        self.httpd = None
        if not enable:
            for k in ("redis_port", "postgres"):
                self.info[f"{k}_error"] = "disabled by --no-servers"
            self._start_http()
            return
        self._start_http()
        self._start_redis()
        self._start_postgres()

    def _start_http(self):
        try:
            self.httpd = _QuietHTTPServer(("127.0.0.1", 0), _Handler)
            threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
            self.info["http_port"] = self.httpd.server_address[1]
        except Exception as e:  # noqa: BLE001
            self.info["http_port_error"] = fmt_exc(e)

    def _start_redis(self):
        url = os.environ.get("PROBE_REDIS_PORT")
        if url:
            self.info["redis_port"] = int(url)
            self.info["redis_desc"] = f"external redis on 127.0.0.1:{url}"
            return
        exe = shutil.which("redis-server")
        if not exe:
            self.info["redis_port_error"] = "redis-server not found (apt-get install redis-server)"
            return
        port = free_port()
        p = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", self.info["tmp"]],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        if _wait_port(port):
            self.info["redis_port"] = port
            out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
            self.info["redis_desc"] = out.strip()
        else:
            self.info["redis_port_error"] = "redis-server did not start"

    def _start_postgres(self):
        ext = os.environ.get("PROBE_PG_PORT")
        if ext:
            self.info["postgres"] = dict(port=int(ext),
                                         user=os.environ.get("PROBE_PG_USER", "postgres"),
                                         dbname=os.environ.get("PROBE_PG_DB", "postgres"))
            self.info["postgres_desc"] = f"external PostgreSQL on 127.0.0.1:{ext}"
            return
        bindir = _pg_bindir()
        if not bindir:
            self.info["postgres_error"] = "PostgreSQL server binaries (initdb/pg_ctl) not found"
            return
        data = tempfile.mkdtemp(prefix="pklprobe-pg-")
        self.pgdata = data
        port = free_port()
        prefix = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            import pwd
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                self.info["postgres_error"] = "running as root and no 'postgres' user"
                return
            os.chown(data, pw.pw_uid, pw.pw_gid)
            prefix = ["runuser", "-u", "postgres", "--"]
        try:
            subprocess.run(prefix + [os.path.join(bindir, "initdb"), "-D", data, "-A", "trust",
                                     "-U", "probe", "--no-sync", "-E", "UTF8"],
                           check=True, capture_output=True, text=True, timeout=120)
            subprocess.run(prefix + [os.path.join(bindir, "pg_ctl"), "-D", data, "-w", "-t", "60",
                                     "-l", os.path.join(data, "server.log"), "-o",
                                     f"-p {port} -k {data} -c listen_addresses=127.0.0.1 "
                                     f"-c fsync=off", "start"],
                           check=True, capture_output=True, text=True, timeout=90)
        except subprocess.CalledProcessError as e:
            self.info["postgres_error"] = f"{e.cmd[len(prefix)]} failed: {e.stderr.strip()[-300:]}"
            return
        except Exception as e:  # noqa: BLE001
            self.info["postgres_error"] = fmt_exc(e)
            return
        self._pg_stop = prefix + [os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate",
                                  "-w", "stop"]
        ver = subprocess.run([os.path.join(bindir, "postgres"), "--version"], capture_output=True,
                             text=True).stdout.strip()
        self.info["postgres"] = dict(port=port, user="probe", dbname="postgres")
        self.info["postgres_desc"] = ver

    def stop(self):
        if getattr(self, "_pg_stop", None):
            subprocess.run(self._pg_stop, capture_output=True, timeout=60)
        if self.pgdata:
            shutil.rmtree(self.pgdata, ignore_errors=True)
        for p in self.procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if self.httpd:
            self.httpd.shutdown()
        shutil.rmtree(self.info["tmp"], ignore_errors=True)


def _pg_bindir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    w = shutil.which("initdb")
    return os.path.dirname(w) if w else None


def _wait_port(port, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.1)
    return False


# --------------------------------------------------------------------------- parent side


def run_parent(args):
    wanted = [c for c in CANDIDATES
              if not args.only or any(o in c["key"] or o == c["group"] for o in args.only)]
    servers = Servers(enable=not args.no_servers)
    records = []
    try:
        for c in wanted:
            t0 = time.time()
            rec = spawn_child(c, servers.info, args.timeout)
            rec["seconds"] = round(time.time() - t0, 2)
            records.append(rec)
            print(f"{c['key']:32s} pickle={rec['pickle']:12s} deepcopy={rec['deepcopy']:12s} "
                  f"copy={rec['copy']:12s} {rec['note'][:60]}", flush=True)
    finally:
        info = dict(servers.info)
        servers.stop()
    meta = dict(
        generated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        platform=platform.platform(), pickle_protocol=pickle.DEFAULT_PROTOCOL,
        executable=sys.executable,
        redis=info.get("redis_desc") or f"unavailable ({info.get('redis_port_error', '')})",
        postgres=info.get("postgres_desc") or f"unavailable ({info.get('postgres_error', '')})",
        http="ThreadingHTTPServer (HTTP/1.1 keep-alive) on 127.0.0.1" if info.get("http_port")
        else f"unavailable: {info.get('http_port_error', '')}",
    )
    if args.dump:
        with open(args.dump, "w") as f:
            json.dump(dict(meta=meta, records=records), f, indent=1)
    if args.only:
        print("--only given: table.json/table.md not rewritten")
        return records
    with open(os.path.join(HERE, "table.json"), "w") as f:
        json.dump(records, f, indent=1, sort_keys=False)
        f.write("\n")
    with open(os.path.join(HERE, "table.md"), "w") as f:
        f.write(render_md(records, meta))
    print(f"wrote {len(records)} records to table.json / table.md")
    return records


def spawn_child(c, servers, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", c["key"],
           "--servers", json.dumps(servers)]
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                           cwd=servers["tmp"])
    except subprocess.TimeoutExpired:
        rec = base_record(c)
        rec["note"] = join_notes(f"not measured: child timed out after {timeout}s", rec["note"])
        return rec
    for line in p.stdout.splitlines():
        if line.startswith(CHILD_MARK):
            return json.loads(line[len(CHILD_MARK):])
    rec = base_record(c)
    why = (f"child died (exit {p.returncode}"
           + (f", signal {-p.returncode}" if p.returncode < 0 else "") + ")")
    rec["note"] = join_notes(f"not measured: {why}: {p.stderr.strip()[-300:]}", rec["note"])
    return rec


# --------------------------------------------------------------------------- markdown


def _cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def _status(rec, op):
    s = rec[op]
    if s == "ok":
        return "ok (same obj)" if rec.get(f"{op}_same_object") else "ok"
    if s == "fail":
        return "**FAIL**"
    if s == "loads_fail":
        return "dumps ok / **loads FAIL**"
    return "—"


def _message(rec):
    errs = {}
    for op in ("pickle", "deepcopy", "copy"):
        e = rec.get(f"{op}_error")
        if e:
            errs.setdefault(e, []).append(op)
    if len(errs) == 1 and len(next(iter(errs.values()))) == 3:
        return next(iter(errs))
    return "; ".join(f"[{','.join(ops)}] {e}" for e, ops in errs.items())


_SYM = {"ok": "ok", "fail": "FAIL", "loads_fail": "loads FAIL"}


def _summary(records):
    """One line per constructor: the outcomes over all measured variants (states)."""
    by = {}
    for r in records:
        by.setdefault(r["constructor"], []).append(r)
    lines = ["| constructor | package | pickle | deepcopy | copy | rows |",
             "|---|---|---|---|---|---|"]
    for ctor, rows in by.items():
        measured = [r for r in rows if r["pickle"] != "not_measured"]
        cells = []
        for op in ("pickle", "deepcopy", "copy"):
            vals = sorted({_SYM[r[op]] for r in measured})
            if not vals:
                cells.append("—")
            elif len(vals) == 1:
                v = vals[0]
                if v == "ok" and any(resource_subset(r.get(f"{op}_shares"))
                                     or r.get(f"{op}_relation", "").startswith("shadow")
                                     for r in measured):
                    v = "ok (shares)"
                if v.startswith("ok") and any(str(r.get(f"{op}_usable", "")).startswith("no")
                                              for r in measured):
                    v += " (result broken)"
                cells.append(v if v.startswith("ok") else f"**{v}**")
            else:
                cells.append("depends: " + ", ".join(
                    f"{_SYM[r[op]]} when {r['state'] or r['object']}" for r in measured))
        pkg = rows[0]["package"] + " " + (rows[0]["version"] or "(not installed)")
        n = f"{len(measured)}/{len(rows)} measured"
        lines.append("| " + " | ".join(_cell(x) for x in [f"`{ctor}`", pkg] + cells + [n]) + " |")
    return "\n".join(lines)


def _extras(rec):
    bits = []
    for op in ("pickle", "deepcopy", "copy"):
        sh = resource_subset(rec.get(f"{op}_shares"))
        if sh:
            bits.append(f"{op} result shares: {sh}")
        rel = rec.get(f"{op}_relation")
        if rel:
            bits.append(f"{op} result: {rel}")
        if rec.get(op) == "fail" and rec.get(f"{op}_error", "").startswith("RecursionError"):
            bits.append(f"{op} recursion at {rec.get(f'{op}_raised_at')}")
        us = rec.get(f"{op}_usable")
        if us and us != "yes":
            bits.append(f"{op} result usable: {us}")
        elif us == "yes":
            bits.append(f"{op} result works")
    return bits


def render_md(records, meta):
    pkgs = {}
    for r in records:
        if r["package"] != "stdlib":
            pkgs[r["package"]] = r["version"] or "not installed"
    out = []
    out.append("# Pickle / deepcopy / copy of third-party (and extra stdlib) objects\n")
    out.append(f"Generated by `probe.py` on {meta['generated']} with {meta['python']} "
               f"({meta['platform']}), `pickle.DEFAULT_PROTOCOL = {meta['pickle_protocol']}`, "
               f"interpreter `{meta['executable']}`.\n")
    out.append("Local servers: redis: " + meta["redis"] + "; PostgreSQL: " + meta["postgres"]
               + "; HTTP: " + meta["http"] + ". Nothing else was contacted; clients that would "
               "need a broker point at closed loopback ports, AWS keys are dummies.\n")
    listed = sorted(pkgs.items(), key=lambda kv: kv[0].lower())
    out.append("Packages: " + ", ".join(f"{k} {v}" for k, v in listed) + ".\n")
    out.append(textwrap.dedent("""\
        Legend: `ok` = operation (for pickle: `pickle.dumps` at the default protocol, then
        `pickle.loads`) succeeded; `ok (same obj)` = the result is the original object;
        `**FAIL**` = raised; `dumps ok / **loads FAIL**` = dumps succeeded, loads raised;
        `—` = not measured (see note). Each operation is done on a freshly built object, in a child
        interpreter per row. *Notes* list, for successful operations, the unpicklable objects
        the result **shares** with the original (same identity, found by walking both object
        graphs) and whether a quick functional check of the result worked. Messages: memory
        addresses -> `0x...`, temp dir -> `<tmp>`, local server ports -> `<...-port>`.
        `table.json` has the same rows with every field.
        """))
    out.append("\n## Summary by constructor\n")
    out.append("Outcome over every measured variant of the constructor; `ok (shares)` = succeeds "
               "but at least one variant's result shares an unpicklable resource (lock, socket, "
               "connection, libzmq handle) with the original; `(result broken)` = the functional "
               "check of the result failed for at least one variant. Details per variant below.\n")
    out.append(_summary(records))
    groups = []
    for r in records:
        if r["group"] not in groups:
            groups.append(r["group"])
    for g in groups:
        rows = [r for r in records if r["group"] == g]
        out.append(f"\n## {g}\n")
        out.append("| object | constructor | package | pickle | deepcopy | copy | message "
                   "| notes |")
        out.append("|---|---|---|---|---|---|---|---|")
        for r in rows:
            notes = [r["note"]] if r["note"] else []
            if r.get("state"):
                notes.insert(0, f"state: {r['state']}")
            if r.get("type"):
                notes.append(f"type `{r['type']}`")
            notes += _extras(r)
            pkg = f"{r['package']} {r['version'] or '(not installed)'}"
            out.append("| " + " | ".join(_cell(x) for x in (
                r["object"], f"`{r['constructor']}`", pkg, _status(r, "pickle"),
                _status(r, "deepcopy"), _status(r, "copy"), _message(r), "; ".join(notes))) + " |")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--servers", help=argparse.SUPPRESS, default="{}")
    ap.add_argument("--no-servers", action="store_true",
                    help="do not start redis-server / PostgreSQL (rows needing them are "
                         "recorded as not measured)")
    ap.add_argument("--only", nargs="*", help="run only candidates whose key contains one of "
                    "these strings or whose group is one of them (tables are not rewritten)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per candidate")
    ap.add_argument("--dump", help="also write meta + records as JSON to this path")
    ap.add_argument("--list", action="store_true", help="list candidate keys and exit")
    args = ap.parse_args()
    if args.list:
        for c in CANDIDATES:
            print(f"{c['key']:32s} {c['group']:10s} {c['object']}")
        return
    if args.child:
        try:
            rec = run_child(args.child, json.loads(args.servers))
        except BaseException as e:  # noqa: BLE001, B036  (recorded in the row)
            c = next(c for c in CANDIDATES if c["key"] == args.child)
            rec = base_record(c)
            rec["note"] = join_notes(f"probe error: {fmt_exc(e)}", rec["note"])
            traceback.print_exc()
        sys.stdout.write(CHILD_MARK + json.dumps(rec) + "\n")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # no finalizer of a copy that shares an fd with the original may run
    run_parent(args)


if __name__ == "__main__":
    main()
