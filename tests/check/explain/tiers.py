"""One loader call per tier and per reason a load is trusted (line numbers are asserted)."""

import hmac
import io
import pickle

import yaml
import zmq
from cryptography.fernet import Fernet
from flask import request


def untrusted():
    return pickle.loads(request.get_data())


def unknown(blob):
    return pickle.loads(blob)


def channel(sock: zmq.Socket):
    return sock.recv_pyobj()


class Permissive(pickle.Unpickler):
    def find_class(self, module, name):
        return super().find_class(module, name)


class Restricted(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(name)


def restricted(stream):
    return Restricted(stream).load()


def literal():
    return pickle.loads(b"\x80\x04N.")


def own_dump(obj):
    raw = pickle.dumps(obj)
    return pickle.loads(raw)


def filled_buffer(obj):
    buffer = io.BytesIO()
    pickle.dump(obj, buffer)
    buffer.seek(0)
    return pickle.load(buffer)


def verified(token, key):
    return pickle.loads(Fernet(key).decrypt(token))


def guarded(blob, signature, key):
    expected = hmac.new(key, blob, "sha256").digest()
    if not hmac.compare_digest(signature, expected):
        raise ValueError("bad signature")
    return pickle.loads(blob)


def safe_loader(text):
    return yaml.load(text, Loader=yaml.SafeLoader)
