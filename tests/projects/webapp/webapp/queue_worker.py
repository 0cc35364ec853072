"""A worker that loads with the codec webapp/codecs.py resolves: a pickle alias reached through a
function's return value and a module-level class alias, both defined in another module."""
import socket

from .codecs import DefaultCodec, json_codec, resolve_codec, shadowed_codec


class Worker:
    def __init__(self, codec=None):
        self.codec = resolve_codec(codec)
        self.sock = socket.create_connection(("queue", 7000))

    def next_job(self):
        return self.codec.loads(self.sock.recv(4096))  # expect: PKL101@16 "self.sock.recv(4096)"

    def stored(self, blob):
        return self.codec.loads(blob)  # expect: PKL102@16


def parse_default(raw):
    return DefaultCodec.loads(raw)  # expect: PKL102@12


def parse_json(sock):
    return json_codec().loads(sock.recv(4096))


def parse_shadowed(sock):
    return shadowed_codec().loads(sock.recv(4096))
