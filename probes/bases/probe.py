"""Measure whether instances of subclasses of standard-library base classes survive pickle / deepcopy / copy.

A class of the linted code that derives from ``logging.Handler``, ``socketserver.TCPServer`` or
``io.RawIOBase`` holds whatever the base's ``__init__`` creates: an ``RLock``, a listening socket...
The catalogue (``scripts/gen_resource_catalog.py``) files each row under the base class's name, so
that the linter treats a subclass, and a direct call, as holding what was measured here.

Each row defines the smallest subclass that can be instantiated (abstract methods filled in with
no-ops), builds one instance with local resources only (loopback sockets on port 0, files in a
temporary directory), and tries ``pickle.dumps`` + ``pickle.loads`` (default protocol),
the same at protocol 0, ``copy.deepcopy`` and ``copy.copy``. Outcomes are ``ok``, ``fail`` (the operation raised) or
``loads_fail`` (``dumps`` worked, ``loads`` raised). Nothing is guessed: rows whose instance
round-trips are recorded too, and the generator files them as round trips.

    python probes/bases/probe.py            # rewrite probes/bases/table.json and table.md (~1 s)
    python probes/bases/probe.py --list     # list the rows
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import pickle
import platform
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
ROWS: List[Tuple[str, str, str, Callable[[str], object]]] = []


def row(key: str, base: str, obj: str):
    """Register a row: ``base`` is the class's qualified name, ``obj`` what is built."""

    def deco(build: Callable[[str], object]) -> Callable[[str], object]:
        ROWS.append((key, base, obj, build))
        return build

    return deco


# ---- logging ------------------------------------------------------------------------------
import logging  # noqa: E402
import logging.handlers  # noqa: E402


class Handler(logging.Handler):
    def emit(self, record):
        pass


class NullHandler(logging.NullHandler):
    pass


class WatchedFileHandler(logging.handlers.WatchedFileHandler):
    pass


class SysLogHandler(logging.handlers.SysLogHandler):
    pass


class DatagramHandler(logging.handlers.DatagramHandler):
    pass


class HTTPHandler(logging.handlers.HTTPHandler):
    pass


class SMTPHandler(logging.handlers.SMTPHandler):
    pass


class BufferingHandler(logging.handlers.BufferingHandler):
    pass


class Filter(logging.Filter):
    pass


class Formatter(logging.Formatter):
    pass


row("handler", "logging.Handler", "subclass of logging.Handler (emit defined)")(lambda tmp: Handler())
row("null_handler", "logging.NullHandler", "subclass of logging.NullHandler")(lambda tmp: NullHandler())
row("watched_file_handler", "logging.handlers.WatchedFileHandler", "subclass of WatchedFileHandler(<tmp file>)")(
    lambda tmp: WatchedFileHandler(os.path.join(tmp, "w.log"))
)
row("syslog_handler", "logging.handlers.SysLogHandler", "subclass of SysLogHandler(('127.0.0.1', 9)) (UDP socket)")(
    lambda tmp: SysLogHandler(address=("127.0.0.1", 9))
)
row("datagram_handler", "logging.handlers.DatagramHandler", "subclass of DatagramHandler('127.0.0.1', 9) (lazy socket)")(
    lambda tmp: DatagramHandler("127.0.0.1", 9)
)
row("http_handler", "logging.handlers.HTTPHandler", "subclass of HTTPHandler('localhost', '/log')")(
    lambda tmp: HTTPHandler("localhost", "/log")
)
row("smtp_handler", "logging.handlers.SMTPHandler", "subclass of SMTPHandler('localhost', ...) (not connected)")(
    lambda tmp: SMTPHandler("localhost", "a@example.com", ["b@example.com"], "subject")
)
row("buffering_handler", "logging.handlers.BufferingHandler", "subclass of BufferingHandler(10)")(
    lambda tmp: BufferingHandler(10)
)
row("filter", "logging.Filter", "subclass of logging.Filter (control)")(lambda tmp: Filter("x"))
row("formatter", "logging.Formatter", "subclass of logging.Formatter (control)")(lambda tmp: Formatter("%(message)s"))

# ---- socketserver, http.server, xmlrpc.server ---------------------------------------------
import http.server  # noqa: E402
import socketserver  # noqa: E402
import xmlrpc.server  # noqa: E402


class BaseServer(socketserver.BaseServer):
    pass


class TCPServer(socketserver.TCPServer):
    pass


class UDPServer(socketserver.UDPServer):
    pass


class ThreadingTCPServer(socketserver.ThreadingTCPServer):
    pass


class UnixStreamServer(socketserver.UnixStreamServer):
    pass


class HTTPServer(http.server.HTTPServer):
    pass


class ThreadingHTTPServer(http.server.ThreadingHTTPServer):
    pass


class XMLRPCServer(xmlrpc.server.SimpleXMLRPCServer):
    pass


_LOOPBACK = ("127.0.0.1", 0)
row("base_server", "socketserver.BaseServer", "subclass of BaseServer(('127.0.0.1', 0), handler) (no socket)")(
    lambda tmp: BaseServer(_LOOPBACK, socketserver.BaseRequestHandler)
)
row("tcp_server", "socketserver.TCPServer", "subclass of TCPServer(('127.0.0.1', 0), handler) (listening)")(
    lambda tmp: TCPServer(_LOOPBACK, socketserver.BaseRequestHandler)
)
row("udp_server", "socketserver.UDPServer", "subclass of UDPServer(('127.0.0.1', 0), handler) (bound)")(
    lambda tmp: UDPServer(_LOOPBACK, socketserver.BaseRequestHandler)
)
row("threading_tcp_server", "socketserver.ThreadingTCPServer", "subclass of ThreadingTCPServer(('127.0.0.1', 0), handler)")(
    lambda tmp: ThreadingTCPServer(_LOOPBACK, socketserver.BaseRequestHandler)
)
row("unix_stream_server", "socketserver.UnixStreamServer", "subclass of UnixStreamServer(<tmp socket path>, handler)")(
    lambda tmp: UnixStreamServer(os.path.join(tmp, "s.sock"), socketserver.BaseRequestHandler)
)
row("http_server", "http.server.HTTPServer", "subclass of HTTPServer(('127.0.0.1', 0), handler) (listening)")(
    lambda tmp: HTTPServer(_LOOPBACK, http.server.BaseHTTPRequestHandler)
)
row("threading_http_server", "http.server.ThreadingHTTPServer", "subclass of ThreadingHTTPServer(('127.0.0.1', 0), handler)")(
    lambda tmp: ThreadingHTTPServer(_LOOPBACK, http.server.BaseHTTPRequestHandler)
)
row("xmlrpc_server", "xmlrpc.server.SimpleXMLRPCServer", "subclass of SimpleXMLRPCServer(('127.0.0.1', 0))")(
    lambda tmp: XMLRPCServer(_LOOPBACK, logRequests=False)
)

# ---- io -----------------------------------------------------------------------------------


class RawIO(io.RawIOBase):
    def readinto(self, b):
        return 0


class IOBase(io.IOBase):
    pass


class TextIOBase(io.TextIOBase):
    pass


class BufferedIOBase(io.BufferedIOBase):
    pass


class TextIOWrapper(io.TextIOWrapper):
    pass


class BufferedReader(io.BufferedReader):
    pass


class BufferedWriter(io.BufferedWriter):
    pass


class FileIO(io.FileIO):
    pass


class BytesIO(io.BytesIO):
    pass


class StringIO(io.StringIO):
    pass


row("raw_io_base", "io.RawIOBase", "subclass of io.RawIOBase (readinto defined)")(lambda tmp: RawIO())
row("io_base", "io.IOBase", "subclass of io.IOBase")(lambda tmp: IOBase())
row("text_io_base", "io.TextIOBase", "subclass of io.TextIOBase")(lambda tmp: TextIOBase())
row("buffered_io_base", "io.BufferedIOBase", "subclass of io.BufferedIOBase")(lambda tmp: BufferedIOBase())
row("text_io_wrapper", "io.TextIOWrapper", "subclass of io.TextIOWrapper(io.BytesIO())")(
    lambda tmp: TextIOWrapper(io.BytesIO(), encoding="utf-8")
)
row("buffered_reader", "io.BufferedReader", "subclass of io.BufferedReader(io.BytesIO())")(
    lambda tmp: BufferedReader(io.BytesIO())
)
row("buffered_writer", "io.BufferedWriter", "subclass of io.BufferedWriter(io.BytesIO())")(
    lambda tmp: BufferedWriter(io.BytesIO())
)
row("file_io", "io.FileIO", "subclass of io.FileIO(<tmp file>, 'w')")(lambda tmp: FileIO(os.path.join(tmp, "f.bin"), "w"))
row("bytes_io", "io.BytesIO", "subclass of io.BytesIO(b'x')")(lambda tmp: BytesIO(b"x"))
row("string_io", "io.StringIO", "subclass of io.StringIO('x')")(lambda tmp: StringIO("x"))

# ---- threads, processes, executors, queues -------------------------------------------------
import concurrent.futures  # noqa: E402
import multiprocessing  # noqa: E402
import queue  # noqa: E402
import sched  # noqa: E402
import threading  # noqa: E402


class Thread(threading.Thread):
    def run(self):
        pass


class Process(multiprocessing.Process):
    def run(self):
        pass


class Executor(concurrent.futures.Executor):
    def submit(self, fn, /, *args, **kwargs):
        raise NotImplementedError


class ThreadPoolExecutor(concurrent.futures.ThreadPoolExecutor):
    pass


class ProcessPoolExecutor(concurrent.futures.ProcessPoolExecutor):
    pass


class LifoQueue(queue.LifoQueue):
    pass


class PriorityQueue(queue.PriorityQueue):
    pass


class Scheduler(sched.scheduler):
    pass


class Local(threading.local):
    pass


row("thread", "threading.Thread", "subclass of threading.Thread (unstarted)")(lambda tmp: Thread())
row("process", "multiprocessing.Process", "subclass of multiprocessing.Process (unstarted)")(lambda tmp: Process())
row("executor", "concurrent.futures.Executor", "subclass of concurrent.futures.Executor (control)")(lambda tmp: Executor())
row("thread_pool_executor", "concurrent.futures.ThreadPoolExecutor", "subclass of ThreadPoolExecutor(1) (no workers yet)")(
    lambda tmp: ThreadPoolExecutor(1)
)
row("process_pool_executor", "concurrent.futures.ProcessPoolExecutor", "subclass of ProcessPoolExecutor(1) (no workers yet)")(
    lambda tmp: ProcessPoolExecutor(1)
)
row("lifo_queue", "queue.LifoQueue", "subclass of queue.LifoQueue()")(lambda tmp: LifoQueue())
row("priority_queue", "queue.PriorityQueue", "subclass of queue.PriorityQueue()")(lambda tmp: PriorityQueue())
row("scheduler", "sched.scheduler", "subclass of sched.scheduler()")(lambda tmp: Scheduler())
row("local", "threading.local", "subclass of threading.local")(lambda tmp: Local())

# ---- clients and consoles ------------------------------------------------------------------
import cmd  # noqa: E402
import contextlib  # noqa: E402
import ftplib  # noqa: E402
import http.client  # noqa: E402
import smtplib  # noqa: E402


class Cmd(cmd.Cmd):
    pass


class SMTP(smtplib.SMTP):
    pass


class FTP(ftplib.FTP):
    pass


class HTTPConnection(http.client.HTTPConnection):
    pass


class ExitStack(contextlib.ExitStack):
    pass


row("cmd", "cmd.Cmd", "subclass of cmd.Cmd() (sys.stdin and sys.stdout)")(lambda tmp: Cmd())
row("smtp", "smtplib.SMTP", "subclass of smtplib.SMTP() (not connected)")(lambda tmp: SMTP())
row("ftp", "ftplib.FTP", "subclass of ftplib.FTP() (not connected)")(lambda tmp: FTP())
row("http_connection", "http.client.HTTPConnection", "subclass of HTTPConnection('localhost') (not connected)")(
    lambda tmp: HTTPConnection("localhost")
)
row("exit_stack", "contextlib.ExitStack", "subclass of contextlib.ExitStack() (control)")(lambda tmp: ExitStack())


# ---- measuring -----------------------------------------------------------------------------


def _error(exc: BaseException) -> str:
    """``TypeError: cannot pickle '_thread.RLock' object``, with the module of a non-builtin class."""
    module = type(exc).__module__
    prefix = "" if module == "builtins" else module + "."
    return f"{prefix}{type(exc).__name__}: {exc}"


def measure(obj: object) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for name, protocol in (("pickle", pickle.DEFAULT_PROTOCOL), ("pickle_p0", 0)):
        try:
            data = pickle.dumps(obj, protocol=protocol)
        except Exception as exc:  # noqa: BLE001 - measuring exactly this
            out[name], out[f"{name}_error"] = "fail", _error(exc)
            continue
        try:
            pickle.loads(data)
        except Exception as exc:  # noqa: BLE001
            out[name], out[f"{name}_error"] = "loads_fail", _error(exc)
        else:
            out[name], out[f"{name}_error"] = "ok", ""
    for name, operation in (("deepcopy", copy.deepcopy), ("copy", copy.copy)):
        try:
            operation(obj)
        except Exception as exc:  # noqa: BLE001
            out[name], out[f"{name}_error"] = "fail", _error(exc)
        else:
            out[name], out[f"{name}_error"] = "ok", ""
    return out


def _close(obj: object) -> None:
    """Release what the instance holds (a server's socket, a file)."""
    for method in ("server_close", "close"):
        closer = getattr(obj, method, None)
        if callable(closer):
            try:
                closer()
            except Exception:  # noqa: BLE001 - best effort
                pass
            return




def run() -> List[dict]:
    records = []
    version = platform.python_version()
    with tempfile.TemporaryDirectory() as tmp:
        for key, base, obj, build in ROWS:
            record = dict(
                key=key, group="bases", object=obj, constructor=base, package="stdlib", version=version,
                python=version, note="instance of a subclass defined in the probe", state="", server="",
            )
            try:
                instance = build(tmp)
            except Exception as exc:  # noqa: BLE001
                record.update(pickle="not_measured", pickle_p0="not_measured", deepcopy="not_measured",
                              copy="not_measured", pickle_error="", pickle_p0_error="", deepcopy_error="",
                              copy_error="", construct_error=_error(exc), type="")
                records.append(record)
                continue
            record["type"] = f"{type(instance).__mro__[1].__module__}.{type(instance).__mro__[1].__qualname__}"
            record.update(measure(instance))
            _close(instance)
            records.append(record)
    return records


def markdown(records: List[dict]) -> str:
    lines = [
        "# Pickle / deepcopy / copy of instances of subclasses of standard-library bases\n",
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}; "
        "regenerate with `python probes/bases/probe.py`.\n",
        "| base | object | pickle | protocol 0 | deepcopy | copy | first error |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        error = r.get("pickle_error") or r.get("deepcopy_error") or r.get("copy_error") or r.get("construct_error", "")
        cells = [f"`{r['constructor']}`", r["object"]] + [
            f"**{r[op].upper()}**" if r[op] != "ok" else "ok" for op in ("pickle", "pickle_p0", "deepcopy", "copy")
        ] + [error.replace("|", "\\|")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    args = parser.parse_args(argv)
    if args.list:
        for key, base, obj, _ in ROWS:
            print(f"{key:24} {base:40} {obj}")
        return 0
    if sys.version_info[:2] != (3, 11):
        print("note: the catalogue is measured on CPython 3.11; this is", platform.python_version(), file=sys.stderr)
    records = run()
    (HERE / "table.json").write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    (HERE / "table.md").write_text(markdown(records), encoding="utf-8")
    for r in records:
        print(f"{r['constructor']:42} pickle={r['pickle']:12} deepcopy={r['deepcopy']:12} copy={r['copy']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
