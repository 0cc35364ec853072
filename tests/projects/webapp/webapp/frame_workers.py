"""Socket workers handing what they read to a method of their own class that decodes it in another
module (worker_codec.py): called on an object (``FrameWorker().update(...)``, ``worker.update(...)``),
the method's first parameter is what the call passes first (probe O: the hop was lost)."""
import socket

from . import worker_codec


class FrameWorker:
    def update(self, data):
        return worker_codec.restore(data)

    def digest(self, data):
        return worker_codec.fingerprint(data)


def serve_once(sock: socket.socket):
    FrameWorker().update(sock.recv(1024))


def serve_named(sock: socket.socket):
    worker = FrameWorker()
    worker.update(sock.recv(2048))


def serve_unbound(sock: socket.socket):
    FrameWorker.update(FrameWorker(), sock.recv(4096))


def digest_only(sock: socket.socket):
    # Twin: the method that hops hands the data to a function that does not load it.
    FrameWorker().digest(sock.recv(1024))
